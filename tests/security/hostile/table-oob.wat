;; call_indirect through an index past the end of the table traps.
(module
  (type $v (func))
  (memory (export "memory") 1)
  (table 2 funcref)
  (elem (i32.const 0) $f $f)
  (func $f)
  (func (export "_start") (call_indirect (type $v) (i32.const 2))))
