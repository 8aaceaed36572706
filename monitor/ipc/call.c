/* Running one cVM's code on another's thread: run locks, deadlock detection, calls, serve. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "cvm.h"
#include "ipc.h"
#include "rt.h"
#include "rt/interrupt.h"

/* Native stack a call leaves for the callee's code; less, and the caller traps instead. */
#define CALL_STACK_RESERVE (1u << 20)

/* What a thread is waiting for, so a waiter can see whether it would close a cycle. */
struct ipc_thread {
	struct cvm *waiting_for;
};

static __thread struct ipc_thread self;
static pthread_mutex_t graph = PTHREAD_MUTEX_INITIALIZER;

static pthread_mutex_t serve_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t serve_cond = PTHREAD_COND_INITIALIZER;
static unsigned active; /* cVMs that exist and are not serving */

int ipc_enter(struct cvm *vm)
{
	struct ipc_thread *t;
	struct cvm *v;

	if (atomic_load(&vm->owner) == &self)
		return -IV_EDEADLK;
	if (pthread_mutex_trylock(&vm->run_lock) == 0)
		goto owned;
	pthread_mutex_lock(&graph);
	/* Follow owner -> the cVM it waits for -> its owner ...: reaching us is a cycle. */
	for (v = vm; v; v = t->waiting_for) {
		t = atomic_load(&v->owner);
		if (!t)
			break;
		if (t == &self) {
			pthread_mutex_unlock(&graph);
			return -IV_EDEADLK;
		}
	}
	self.waiting_for = vm;
	pthread_mutex_unlock(&graph);
	pthread_mutex_lock(&vm->run_lock);
	pthread_mutex_lock(&graph);
	self.waiting_for = NULL;
	pthread_mutex_unlock(&graph);
owned:
	atomic_store(&vm->owner, &self);
	return 0;
}

void ipc_leave(struct cvm *vm)
{
	atomic_store(&vm->owner, NULL);
	pthread_mutex_unlock(&vm->run_lock);
}

/*
 * True when the calling thread is vm's own. Then it runs vm's top level: a call into vm from
 * its own thread would be re-entry, which ipc_enter refuses. (Another thread running a call
 * into vm keeps vm's lock through any block: vm's code is half-way on its stack.)
 */
static bool on_own_thread(const struct cvm *vm)
{
	return pthread_equal(pthread_self(), vm->own_thread);
}

void ipc_block_begin(struct cvm *vm)
{
	if (on_own_thread(vm))
		ipc_leave(vm);
}

void ipc_block_end(struct cvm *vm)
{
	if (!on_own_thread(vm))
		return;
	/* Nothing else holds a lock here, so this cannot be part of a cycle. */
	ipc_enter(vm);
	if (vm->ended) {
		/* It crashed or exited in a call meanwhile: end its own thread the same way. */
		if (vm->state == CVM_EXITED)
			rt_exit(vm->status);
		wasm_rt_trap(vm->trap);
	}
}

void ipc_cvm_born(void)
{
	pthread_mutex_lock(&serve_lock);
	active++;
	pthread_mutex_unlock(&serve_lock);
}

void ipc_cvm_done(void)
{
	pthread_mutex_lock(&serve_lock);
	active--;
	pthread_cond_broadcast(&serve_cond);
	pthread_mutex_unlock(&serve_lock);
}

/* deadline = now (CLOCK_REALTIME, for condition variables) + ns. */
static void deadline_in(struct timespec *deadline, uint64_t ns)
{
	clock_gettime(CLOCK_REALTIME, deadline);
	deadline->tv_sec += (time_t)(ns / 1000000000u);
	deadline->tv_nsec += (long)(ns % 1000000000u);
	if (deadline->tv_nsec >= 1000000000) {
		deadline->tv_sec++;
		deadline->tv_nsec -= 1000000000;
	}
}

void ipc_wait_deadline(struct timespec *deadline, int *timeout_ms)
{
	uint64_t limit = rt_current_deadline(), now = rt_now_ns(), left;

	if (*timeout_ms >= 0)
		deadline_in(deadline, (uint64_t)*timeout_ms * 1000000u);
	if (!limit)
		return;
	left = limit > now ? limit - now : 0;
	if (*timeout_ms >= 0 && (uint64_t)*timeout_ms * 1000000u <= left)
		return;
	deadline_in(deadline, left);
	*timeout_ms = (int)((left + 999999) / 1000000); /* >= 0: a timed wait */
}

int ipc_serve(struct cvm *vm, int timeout_ms)
{
	struct timespec deadline;
	int rc = 0;

	if (!on_own_thread(vm))
		return -IV_EINVAL; /* serving from inside a call would hold the caller forever */
	ipc_wait_deadline(&deadline, &timeout_ms);
	ipc_block_begin(vm);
	pthread_mutex_lock(&serve_lock);
	vm->serving = true;
	active--;
	pthread_cond_broadcast(&serve_cond);
	while (active > 0 && !vm->ended && rc != ETIMEDOUT) {
		if (timeout_ms < 0)
			pthread_cond_wait(&serve_cond, &serve_lock);
		else
			rc = pthread_cond_timedwait(&serve_cond, &serve_lock, &deadline);
	}
	active++;
	vm->serving = false;
	pthread_mutex_unlock(&serve_lock);
	ipc_block_end(vm);
	if (rt_deadline_passed())
		rt_trap_late();
	return rc == ETIMEDOUT && active > 1 ? -IV_ETIMEDOUT : 0;
}

int ipc_find_export(const struct cvm *vm, const char *name, const char *sig)
{
	const struct wasm_rt_iv_module *ops = vm->module->ops;
	uint32_t i;

	for (i = 0; i < ops->nexports; i++)
		if (!strcmp(ops->exports[i].name, name) && (!sig || !strcmp(ops->exports[i].sig, sig)))
			return (int)i;
	return -1;
}

struct invocation {
	const struct wasm_rt_iv_export *export;
	void *instance;
	const uint64_t *args;
	uint64_t result;
};

static void invoke(void *arg)
{
	struct invocation *inv = arg;

	inv->result = inv->export->call(inv->instance, inv->args);
}

/* Marks callee crashed by a trap during a call and wakes its own thread to end it. */
static void crash(struct cvm *callee, wasm_rt_trap_t trap)
{
	callee->state = CVM_TRAPPED;
	callee->trap = trap;
	if (trap == WASM_RT_TRAP_EXIT) {
		/* Exiting inside a call ends the callee, like a trap but with its status. */
		callee->state = CVM_EXITED;
		callee->status = rt_exit_status();
	}
	callee->ended = true;
	pthread_mutex_lock(&serve_lock);
	pthread_cond_broadcast(&serve_cond);
	pthread_mutex_unlock(&serve_lock);
}

int ipc_call(struct cvm *caller, struct cvm *callee, uint32_t index, uint64_t *args,
	     uint32_t nargs, uint32_t buf, uint32_t len, uint32_t perms, int buf_arg,
	     uint64_t *result)
{
	const struct wasm_rt_iv_module *ops = callee->module->ops;
	const wasm_rt_memory_t *saved;
	struct rt_guest_code code, saved_code;
	struct invocation inv;
	struct cap_object *lending = NULL;
	wasm_rt_trap_t trap;
	int lent = 0, err;

	if (index >= ops->nexports || nargs != callee->module->export_params[index])
		return -IV_EINVAL;
	rt_check_stack_for(CALL_STACK_RESERVE);
	if (callee->ended)
		return -IV_ESRCH;
	err = ipc_enter(callee);
	if (err)
		return err;
	if (callee->ended || callee->state != CVM_RUNNING || !callee->instance) {
		err = -IV_ESRCH;
		goto out;
	}
	if (len) {
		lent = cap_lend(callee, caller, buf, len, perms, &lending);
		if (lent < 0) {
			err = lent;
			lent = 0;
			goto out;
		}
		if (buf_arg >= 0)
			args[buf_arg] = (uint32_t)lent;
	}
	inv.export = &ops->exports[index];
	inv.instance = callee->instance;
	inv.args = args;
	inv.result = 0;
	callee->lent_buffer = lent;
	saved = rt_switch_memory(callee->mem);
	/*
	 * The callee's code runs under the nearer of the caller's and its own deadlines; CPU time
	 * is the thread's, so the caller's budget keeps running down during the call.
	 */
	code = *rt_guest_code();
	code.lo = callee->module->code_lo;
	code.hi = callee->module->code_hi;
	if (callee->deadline_ns && (!code.deadline_ns || callee->deadline_ns < code.deadline_ns))
		code.deadline_ns = callee->deadline_ns;
	saved_code = rt_set_guest_code(code);
	trap = rt_invoke(invoke, &inv);
	rt_set_guest_code(saved_code);
	rt_switch_memory(saved);
	callee->lent_buffer = 0;
	if (trap != WASM_RT_TRAP_NONE) {
		crash(callee, trap);
		err = -IV_ECANCELED;
		goto out;
	}
	*result = inv.result;
	err = 0;
out:
	if (lending) {
		cap_end_lending(lending);
		cap_drop(callee, lent); /* fails harmlessly if the callee dropped it already */
	}
	ipc_leave(callee);
	return err;
}

int64_t ipc_callback(struct cvm *vm, uint32_t num, uint64_t a0, uint64_t a1, uint64_t a2,
		     uint32_t buf, uint32_t len, uint32_t perms)
{
	struct cvm *server = vm->callback;
	uint64_t args[5], result = 0;
	int index, err;

	index = ipc_find_export(server, IV_SYSCALL_EXPORT, "iIIIi:I");
	if (index < 0)
		return -IV_ENOSYS;
	args[0] = num;
	args[1] = a0;
	args[2] = a1;
	args[3] = a2;
	args[4] = 0; /* the lent buffer's handle, filled in by ipc_call */
	err = ipc_call(vm, server, (uint32_t)index, args, 5, buf, len, perms, 4, &result);
	return err ? err : (int64_t)result;
}
