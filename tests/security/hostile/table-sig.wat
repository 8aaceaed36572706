;; call_indirect with a signature other than the function's traps.
(module
  (type $v (func))
  (type $i (func (param i32) (result i32)))
  (memory (export "memory") 1)
  (table 1 funcref)
  (elem (i32.const 0) $f)
  (func $f)
  (func (export "_start") (drop (call_indirect (type $i) (i32.const 5) (i32.const 0)))))
