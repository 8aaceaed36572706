/* Inter-cVM machinery: the name registry, cross-cVM calls, serving, callback chaining. */
#ifndef IV_IPC_H
#define IV_IPC_H

#include <stdbool.h>
#include <stdint.h>

#include "cap.h"

struct cvm;

/* ---- names (names.c): capfiles and call entries advertised by name ---- */

enum name_kind { NAME_CAPFILE, NAME_ENTRY };

/*
 * Publishes a capfile under name, holding node (a monitor-held capability, which the
 * registry releases when withdrawn). allow: NULL for everyone, else a NULL-terminated list of
 * cVM names. owner: the advertising cVM, or NULL for the monitor. Returns 0 or -IV_EEXIST.
 */
int names_publish_capfile(const char *name, struct cap_node *node, struct cvm *owner,
			  char *const *allow);

/* Publishes callee's export number index under name. Returns 0 or -IV_EEXIST. */
int names_publish_entry(const char *name, struct cvm *callee, uint32_t index);

/*
 * Finds name of the given kind, waiting up to timeout_ms (-1: no limit) for it to appear,
 * and puts a capability to it in asker's table: a copy of the capfile (size in *size) or a
 * new entry capability. Blocks with asker's lock free. Returns the handle or -IV_ENOENT,
 * -IV_ETIMEDOUT, -IV_EACCES (allow-list).
 */
int names_probe(struct cvm *asker, enum name_kind kind, const char *name, int timeout_ms,
		uint64_t *size);

/* Withdraws everything vm advertised (it is ending). */
void names_withdraw(struct cvm *vm);

/* Withdraws everything (the monitor is ending). */
void names_clear(void);

/* ---- running cVM code (call.c) ---- */

/*
 * Takes vm's run lock for the calling thread, so it may run vm's code. -IV_EDEADLK when the
 * thread already runs vm's code (re-entry) or waiting would close a cycle of threads each
 * waiting for a cVM another one runs.
 */
int ipc_enter(struct cvm *vm);
void ipc_leave(struct cvm *vm);

/*
 * Around a blocking hostcall on vm's own thread: lets others call into vm meanwhile. After
 * the block, traps vm's own thread if vm crashed in a call meanwhile.
 */
void ipc_block_begin(struct cvm *vm);
void ipc_block_end(struct cvm *vm);

/* Counting the cVMs that may still call (for serve). */
void ipc_cvm_born(void);
void ipc_cvm_done(void);

/*
 * The absolute CLOCK_REALTIME deadline of a wait of *timeout_ms (< 0: no limit), shortened
 * to this thread's time limit, when it has one (then *timeout_ms becomes >= 0): the waiter
 * traps with WASM_RT_TRAP_TIMEOUT when it wakes past the limit.
 */
struct timespec;
void ipc_wait_deadline(struct timespec *deadline, int *timeout_ms);

/* Blocks vm's own thread until no other cVM can call, or timeout (see abi.h serve). */
int ipc_serve(struct cvm *vm, int timeout_ms);

/*
 * Calls export number index of callee with args on the calling thread, under callee's run
 * lock. When len > 0, [buf, buf+len) of caller's memory is lent to callee with perms for the
 * call (and its handle stored in args[buf_arg] when buf_arg >= 0). Returns 0 with *result
 * set, or a negated iv_error; a trap in the callee ends the callee, not the caller.
 */
int ipc_call(struct cvm *caller, struct cvm *callee, uint32_t index, uint64_t *args,
	     uint32_t nargs, uint32_t buf, uint32_t len, uint32_t perms, int buf_arg,
	     uint64_t *result);

/*
 * Sends one of vm's intravisor hostcalls to its callback_out handler (IV_SYSCALL_EXPORT).
 * Returns the handler's result, or a negated iv_error when the handler cannot be reached.
 */
int64_t ipc_callback(struct cvm *vm, uint32_t num, uint64_t a0, uint64_t a1, uint64_t a2,
		     uint32_t buf, uint32_t len, uint32_t perms);

/* The index of export name in vm's module with a callable signature sig, or -1. */
int ipc_find_export(const struct cvm *vm, const char *name, const char *sig);

#endif
