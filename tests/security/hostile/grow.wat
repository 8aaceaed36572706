;; memory.grow up to the cVM's cap works, one page past it returns -1 and nothing changes.
(module
  (import "intravisor" "console_write" (func $write (param i32 i32) (result i32)))
  (import "intravisor" "exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "grew to the cap\0arefused past the cap\0a")
  (func (export "_start")
    ;; The YAML caps this cVM at 4 pages: growing by 3 works...
    (if (i32.ne (memory.grow (i32.const 3)) (i32.const 1)) (then (call $exit (i32.const 1))))
    (i32.store (i32.const 0x3fffc) (i32.const 7))
    (drop (call $write (i32.const 0) (i32.const 16)))
    ;; ...one more page does not, and neither does a huge request.
    (if (i32.ne (memory.grow (i32.const 1)) (i32.const -1)) (then (call $exit (i32.const 2))))
    (if (i32.ne (memory.grow (i32.const 0x10000)) (i32.const -1)) (then (call $exit (i32.const 3))))
    (if (i32.ne (memory.size) (i32.const 4)) (then (call $exit (i32.const 4))))
    (drop (call $write (i32.const 16) (i32.const 20)))
    ;; And the page past the cap is not there.
    (i32.store (i32.const 0x40000) (i32.const 7))))
