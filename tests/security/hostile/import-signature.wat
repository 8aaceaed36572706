;; Imports a real hostcall with the wrong signature: refused before anything runs.
(module
  (import "intravisor" "console_write" (func (param i64 i64) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
