/* The monitor's side of the cVM runtime: host threads, entering guest code, traps. */
#ifndef IV_RT_H
#define IV_RT_H

#include <stdint.h>

#include "wasm-rt.h"

/*
 * Installs the fault handlers (again, if something replaced them since), chaining faults that
 * are not the guests' to the handler found before. Returns 0 or -errno.
 */
int rt_init(void);

/*
 * Prepares the calling host thread to run guest code: an alternate signal stack and the
 * bounds of its own stack, so a fault can be told apart (cVM memory, stack exhaustion,
 * monitor bug). Returns 0 or -errno. rt_thread_detach undoes it; call it on the same thread.
 */
int rt_thread_attach(void);
void rt_thread_detach(void);

/* The memory cap, in wasm pages, for memories allocated next on this thread. */
void rt_set_memory_cap(uint32_t pages);

/*
 * Runs fn(arg) as guest code. Returns WASM_RT_TRAP_NONE when fn returned, otherwise the trap
 * that ended it (WASM_RT_TRAP_EXIT after rt_exit). Nests: a trap unwinds to the innermost
 * rt_invoke on this thread.
 */
wasm_rt_trap_t rt_invoke(void (*fn)(void *), void *arg);

/*
 * Makes faults inside mem's reservation traps on this thread (while one cVM's code runs on
 * another's thread, in a call). Returns the memory it replaces, to be restored after.
 */
const wasm_rt_memory_t *rt_switch_memory(const wasm_rt_memory_t *mem);

/* Ends the guest code running on this thread with an exit status (a WASM_RT_TRAP_EXIT). */
WASM_RT_NO_RETURN void rt_exit(int status);

/* The status given to the last rt_exit on this thread. */
int rt_exit_status(void);

/*
 * Hostcall prologue: traps the guest with stack exhaustion when too little native stack is
 * left for monitor code, so monitor code never runs into the guard page itself.
 */
void rt_check_stack(void);

/* As rt_check_stack, for hostcalls that run other guest code: needs bytes of stack left. */
void rt_check_stack_for(uintptr_t bytes);

#endif
