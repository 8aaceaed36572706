/* The Intravisor guest ABI: shared by the monitor and by guest programs (the single source). */
#ifndef INTRAVISOR_ABI_H
#define INTRAVISOR_ABI_H

/*
 * Version of the guest ABI. It changes whenever a hostcall's name, signature or meaning
 * changes; it is part of the compile-cache key, so a monitor never runs code compiled
 * against another ABI.
 */
#define IV_ABI_VERSION 1

/* The wasm import module that carries the `bare` runtime's hostcalls. */
#define IV_IMPORT_MODULE "intravisor"

/*
 * Hostcall names (wasm import names inside IV_IMPORT_MODULE) and their wasm signatures.
 * i32/i64 are wasm value types; pointers are 32-bit offsets into the caller's linear memory.
 *
 *   console_write(ptr: i32, len: i32) -> i32
 *       Writes len bytes at ptr to the cVM's console (the monitor's stdout, line-prefixed
 *       when several cVMs run). Returns the count written, or -IV_EFAULT if [ptr, ptr+len)
 *       is not inside the caller's memory.
 *   exit(code: i32) -> (does not return)
 *       Ends the calling cVM with exit status code (0..255 are meaningful).
 *   clock_ns(clock: i32) -> i64
 *       Nanoseconds on clock IV_CLOCK_REALTIME or IV_CLOCK_MONOTONIC; -IV_EINVAL otherwise.
 *   random(ptr: i32, len: i32) -> i32
 *       Fills [ptr, ptr+len) with cryptographically secure random bytes. Returns 0,
 *       -IV_EFAULT for a range outside memory, -IV_EINVAL when len exceeds IV_RANDOM_MAX.
 */
#define IV_HC_CONSOLE_WRITE "console_write"
#define IV_HC_EXIT "exit"
#define IV_HC_CLOCK_NS "clock_ns"
#define IV_HC_RANDOM "random"

enum iv_clock {
	IV_CLOCK_REALTIME = 0,
	IV_CLOCK_MONOTONIC = 1,
};

/* Largest single random() request. */
#define IV_RANDOM_MAX (1u << 20)

/*
 * Errors returned by hostcalls, negated. The values equal WASI preview1's errno values so a
 * posix guest can hand them straight to errno.
 */
enum iv_error {
	IV_OK = 0,
	IV_EBADF = 8,
	IV_EFAULT = 21,
	IV_EINVAL = 28,
	IV_EIO = 29,
	IV_ENOMEM = 48,
	IV_ENOSYS = 52,
	IV_ENOTSUP = 58,
	IV_EPERM = 63,
};

#endif
