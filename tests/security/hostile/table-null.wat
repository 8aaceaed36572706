;; call_indirect through an empty table slot traps.
(module
  (type $v (func))
  (memory (export "memory") 1)
  (table 4 funcref)
  (func (export "_start") (call_indirect (type $v) (i32.const 3))))
