/* Stopping guest code that runs past its deadline, even a loop that makes no calls. */
#ifndef IV_RT_INTERRUPT_H
#define IV_RT_INTERRUPT_H

#include <pthread.h>
#include <stdint.h>

/*
 * The code range and limits of the guest code this thread runs. A watchdog thread signals
 * every thread past its deadline or CPU limit, every RT_WATCHDOG_MS, until it stops: the signal
 * handler traps the guest (WASM_RT_TRAP_TIMEOUT or _CPU) only when the interrupted instruction lies
 * in the guest's compiled code, where no lock is held and nothing is half-updated in the
 * monitor; elsewhere (a hostcall, libc) it returns and the next tick tries again.
 */
struct rt_guest_code {
	uintptr_t lo, hi;     /* the compiled module's executable range */
	uint64_t deadline_ns; /* CLOCK_MONOTONIC; 0: none */
	uint64_t cpu_limit_ns; /* this thread's CPU clock at which to stop; 0: none */
};

#define RT_WATCHDOG_MS 5

/* Installs the interrupt signal's handler. Returns 0 or -errno. */
int rt_interrupt_init(void);

/*
 * Sets what this thread runs and returns what it ran before (for nesting, in calls).
 * The thread is watched while a deadline is set.
 */
struct rt_guest_code rt_set_guest_code(struct rt_guest_code code);

/* What this thread runs now (read-only; change it with rt_set_guest_code). */
const struct rt_guest_code *rt_guest_code(void);

/* This thread's deadline (CLOCK_MONOTONIC ns), 0 when none. */
uint64_t rt_current_deadline(void);

/* True when this thread's deadline has passed, or a stop was asked (for hostcalls that wait). */
int rt_deadline_passed(void);

/*
 * What a wait that found rt_deadline_passed() does: traps with WASM_RT_TRAP_STOPPED after
 * rt_request_stop, else with WASM_RT_TRAP_TIMEOUT.
 */
_Noreturn void rt_trap_late(void);

/*
 * Asks every cVM to stop (the monitor got SIGINT, SIGTERM or SIGHUP): from now on waits end
 * as if past their deadline, and the interrupt signal traps guest code. Async-signal-safe.
 * rt_interrupt_thread sends that signal to one thread (a cVM's, to wake it).
 */
void rt_request_stop(void);
int rt_stop_requested(void);
void rt_interrupt_thread(pthread_t thread);

/* CPU time this thread has used, in nanoseconds. */
uint64_t rt_thread_cpu_ns(void);

/* Nanoseconds on CLOCK_MONOTONIC. */
uint64_t rt_now_ns(void);

/* The program counter saved in a signal's context (one file per architecture). */
uintptr_t rt_context_pc(const void *ucontext);

#endif
