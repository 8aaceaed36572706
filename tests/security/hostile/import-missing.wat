;; Imports a hostcall the monitor does not have: refused before anything runs.
(module
  (import "intravisor" "launch_missiles" (func (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
