;; Asks for someone else's memory: refused, a cVM's memory is its own.
(module
  (import "env" "memory" (memory 1))
  (func (export "_start")))
