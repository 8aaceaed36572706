/* The Intravisor guest API: hostcall imports and the SDK's friendly wrappers for cVM programs. */
#ifndef INTRAVISOR_H
#define INTRAVISOR_H

/*
 * Build cVM programs with `ivcc`, which targets wasm32 and links libintravisor.a.
 *
 * Runtimes (ivcc --runtime=...):
 *   posix  a normal WASI program: main(argc, argv) receives the YAML's `args`, libc's files,
 *          clocks and stdio are served by the monitor's WASI layer.
 *   bare   no WASI at all, only the hostcalls below. main() gets argc 0 (argv holds just the
 *          terminating NULL). Pure libc functions work (strings, formatting, malloc), and so
 *          do libc's stdout and stderr, which the SDK routes to iv_console_write, and exit(),
 *          which ends through iv_exit after running atexit handlers and flushing stdio.
 *          Returning from main() is exit(status). Anything else that needs WASI (files,
 *          time(), getenv(), ...) makes ivcc refuse the module and name the WASI imports.
 *
 * Everything declared here works in both runtimes.
 */

#if !defined(__wasm32__)
#error "intravisor.h is for cVM programs: compile them with ivcc (wasm32)"
#endif

#include <stddef.h>
#include <stdint.h>

#include <intravisor/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IV_HOSTCALL(name) __attribute__((import_module(IV_IMPORT_MODULE), import_name(name)))

/*
 * The raw hostcalls, exactly as include/intravisor/abi.h specifies them (one wasm import
 * each). Errors come back as negated enum iv_error values. Prefer the iv_* wrappers.
 */
IV_HOSTCALL(IV_HC_CONSOLE_WRITE) int32_t iv_hc_console_write(const void *ptr, size_t len);
IV_HOSTCALL(IV_HC_EXIT) __attribute__((noreturn)) void iv_hc_exit(int32_t code);
IV_HOSTCALL(IV_HC_CLOCK_NS) int64_t iv_hc_clock_ns(int32_t clock);
IV_HOSTCALL(IV_HC_RANDOM) int32_t iv_hc_random(void *ptr, size_t len);

/*
 * Writes len bytes at buf to the cVM's console: the monitor's stdout, where each line gets a
 * "[name] " prefix when several cVMs run. Nothing is added or buffered on the guest side.
 * Returns the number of bytes written (len on success), or:
 *   -IV_EFAULT  [buf, buf+len) is not inside this cVM's memory (nothing is written);
 *   -IV_EIO     the console could not be written.
 */
long iv_console_write(const void *buf, size_t len);

/*
 * Ends this cVM at once with exit status status (0..255; the monitor reports a non-zero
 * status as a failure). Does not run atexit handlers or flush libc's stdio: call exit() for
 * that. Never returns.
 */
__attribute__((noreturn)) void iv_exit(int status);

/*
 * Reads clock clock, IV_CLOCK_REALTIME (nanoseconds since the Unix epoch) or
 * IV_CLOCK_MONOTONIC (nanoseconds since an unspecified start, never decreasing).
 * Returns the time in nanoseconds (>= 0), or -IV_EINVAL for any other clock.
 */
int64_t iv_clock_ns(int clock);

/*
 * Fills len bytes at buf with cryptographically secure random bytes; any len is accepted
 * (the SDK splits requests larger than IV_RANDOM_MAX).
 * Returns 0, or:
 *   -IV_EFAULT  [buf, buf+len) is not inside this cVM's memory;
 *   -IV_EIO     the monitor's entropy source failed.
 * On error the buffer's contents are unspecified.
 */
int iv_random(void *buf, size_t len);

/*
 * Writes the string s and a newline to the console, like puts(3) but without libc's stdio.
 * Returns a non-negative number on success, or a negative iv_error value as
 * iv_console_write does.
 */
int iv_puts(const char *s);

/* Size of iv_printf's formatting buffer, terminating NUL included. */
#define IV_PRINTF_MAX 1024

/*
 * Formats like printf(3) with vsnprintf into a buffer of IV_PRINTF_MAX bytes and writes the
 * result to the console in one iv_console_write call. Longer output is cut to
 * IV_PRINTF_MAX - 1 bytes.
 * Returns the number of bytes written, or a negative iv_error value: -IV_EINVAL when the
 * format is invalid, otherwise as iv_console_write does.
 */
__attribute__((format(printf, 1, 2))) int iv_printf(const char *fmt, ...);

#undef IV_HOSTCALL

#ifdef __cplusplus
}
#endif

#endif
