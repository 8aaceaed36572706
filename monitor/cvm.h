/* cVM lifecycle: create from a loaded module, run on its own host thread, wait, destroy. */
#ifndef IV_CVM_H
#define IV_CVM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "console.h"
#include "module.h"
#include "wasm-rt.h"

/* Native stack of a cVM's host thread, and the guard below it. */
#define CVM_STACK_BYTES (8u << 20)
#define CVM_GUARD_BYTES (1u << 20)

/* How a cVM ended. */
enum cvm_state {
	CVM_CREATED,
	CVM_RUNNING,
	CVM_EXITED,  /* returned from _start or exited with a status */
	CVM_TRAPPED, /* stopped by a trap; see trap */
	CVM_FAILED,  /* could not be started (e.g. no thread) */
};

struct cap_mapping;
struct ipc_thread;
struct fdtable;
struct vfs;

struct cvm_spec {
	const char *name;
	char *const *argv;   /* NULL-terminated */
	char *const *env;    /* NULL-terminated "KEY=VALUE" */
	uint64_t memory_cap; /* bytes; rounded down to whole wasm pages */
	enum cfg_abi abi;    /* the runtime, resolved (BARE or POSIX) */
	bool prefix_output;  /* prefix each output line with "[name] " */
	bool stdin_attached; /* may read the monitor's stdin (else it reads EOF) */
	uint32_t cap_limit;  /* capability table size */
	uint32_t timeout_s;  /* wall-clock limit in seconds from its start; 0: none */
	uint32_t cpu_s;      /* CPU seconds its own thread may use; 0: none */
	uint32_t fd_limit;   /* descriptors it may have open (stdio included); 0: the default */
};

struct cvm {
	char *name;
	struct module *module;
	void *instance;
	wasm_rt_memory_t *mem;      /* the instance's memory, NULL if it has none */
	char **argv, **env;
	int argc, envc;
	uint32_t cap_pages;
	enum cfg_abi abi;
	bool stdin_attached;
	char *prefix;
	struct console_stream out, err;
	bool thread_started;        /* handed to a host thread, not yet joined */
	bool done;                  /* its host thread has finished with it */
	enum cvm_state state;
	int status;                 /* exit status when EXITED */
	wasm_rt_trap_t trap;        /* the trap when TRAPPED */
	char failure[128];          /* why, when FAILED */

	/* Capabilities (cap.c): the table, and the windows where capabilities are mapped. */
	struct cap_table *caps;
	struct cap_mapping **maps;
	size_t nmaps;
	bool torn_down;             /* its memory is gone: nothing may be given to it */

	/* Calls (ipc/call.c). */
	pthread_mutex_t run_lock;   /* held by whichever thread runs this cVM's code */
	struct ipc_thread *_Atomic owner; /* that thread, for re-entry and cycle detection */
	struct cvm *callback;       /* callback_out target, or NULL for the monitor */
	bool serving;               /* its own thread waits in serve() */
	bool ended;                 /* finished or crashed: no call may enter */
	int lent_buffer;            /* handle of the caller's buffer during a call, or 0 */
	pthread_t own_thread;
	uint32_t timeout_s, cpu_s;
	uint64_t deadline_ns;       /* CLOCK_MONOTONIC; 0: no time limit */
	bool counted;               /* counted among the cVMs that may still call */
	unsigned names_advertised;  /* capfile and entry names it published (ipc/names.c) */
	unsigned name_limit;        /* at most this many: its capability table's size */

	/* The posix libOS (posix/): descriptors, and the file systems mounted for it. */
	struct fdtable *fds;
	struct vfs **mounts;
	size_t nmounts;
	const struct cfg_net *net;  /* the network policy (net_setup), NULL: none */
	struct cvm *next;           /* in the registry of cVMs */
};

/* Creates a cVM (not yet running) that takes a reference on module. NULL on failure. */
struct cvm *cvm_create(const struct cvm_spec *spec, struct module *module);

/*
 * Starts the cVM on a host thread of its own (a fresh one, or one an ended cVM left idle).
 * Returns 0 or -errno (then the state is FAILED).
 */
int cvm_start(struct cvm *vm);

/* Waits for the cVM's thread to end. */
void cvm_join(struct cvm *vm);

/*
 * Runs the cVM to its end on the calling thread (used by cvm_start's thread, and by
 * benchmarks). The calling thread must not be running guest code already.
 */
void cvm_run(struct cvm *vm);

/* True when the cVM ended with status 0. */
bool cvm_succeeded(const struct cvm *vm);

/* One line describing how a failed cVM ended, e.g. "trap: out of bounds memory access". */
void cvm_describe(const struct cvm *vm, char *out, size_t outlen);

/*
 * Sends the interrupt signal to every running cVM's thread: after rt_request_stop, guest
 * code there traps ("stopped") and waits look again at once.
 */
void cvm_interrupt_all(void);

/* The cVM with this name, or NULL. */
struct cvm *cvm_find(const char *name);

/* Frees everything the cVM holds. Joins it first if needed. */
void cvm_destroy(struct cvm *vm);

#endif
