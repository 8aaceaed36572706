/* cVM lifecycle: one host thread per cVM, instantiate, run `_start`, report, free. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cap.h"
#include "cvm.h"
#include "ipc/ipc.h"
#include "posix/fdtable.h"
#include "rt.h"
#include "posix/libos.h"
#include "rt/interrupt.h"

#define WASM_PAGE 65536u

/* Every cVM that exists, for finding one by name (cap_transfer, callback_out). */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cvm *registry;

static void registry_add(struct cvm *vm)
{
	pthread_mutex_lock(&registry_lock);
	vm->next = registry;
	registry = vm;
	pthread_mutex_unlock(&registry_lock);
}

static void registry_remove(struct cvm *vm)
{
	struct cvm **p;

	pthread_mutex_lock(&registry_lock);
	for (p = &registry; *p; p = &(*p)->next) {
		if (*p == vm) {
			*p = vm->next;
			break;
		}
	}
	pthread_mutex_unlock(&registry_lock);
}

struct cvm *cvm_find(const char *name)
{
	struct cvm *vm;

	pthread_mutex_lock(&registry_lock);
	for (vm = registry; vm; vm = vm->next)
		if (!strcmp(vm->name, name))
			break;
	pthread_mutex_unlock(&registry_lock);
	return vm;
}

static char **dup_strv(char *const *v, int *count)
{
	int n = 0, i;
	char **out;

	while (v && v[n])
		n++;
	out = calloc((size_t)n + 1, sizeof(*out));
	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		out[i] = strdup(v[i]);
		if (!out[i]) {
			while (i--)
				free(out[i]);
			free(out);
			return NULL;
		}
	}
	*count = n;
	return out;
}

static void free_strv(char **v)
{
	int i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

struct cvm *cvm_create(const struct cvm_spec *spec, struct module *module)
{
	struct cvm *vm = calloc(1, sizeof(*vm));
	uint64_t pages = spec->memory_cap / WASM_PAGE;

	if (!vm)
		return NULL;
	vm->name = strdup(spec->name);
	vm->argv = dup_strv(spec->argv, &vm->argc);
	vm->env = dup_strv(spec->env, &vm->envc);
	if (!vm->name || !vm->argv || !vm->env)
		goto fail;
	if (spec->prefix_output) {
		size_t n = strlen(spec->name) + 4;
		vm->prefix = malloc(n);
		if (!vm->prefix)
			goto fail;
		snprintf(vm->prefix, n, "[%s] ", spec->name);
	}
	console_stream_init(&vm->out, 1, vm->prefix);
	console_stream_init(&vm->err, 2, vm->prefix);
	vm->cap_pages = pages > 65536 ? 65536 : (uint32_t)pages;
	vm->abi = spec->abi;
	vm->stdin_attached = spec->stdin_attached;
	vm->timeout_s = spec->timeout_s;
	vm->cpu_s = spec->cpu_s;
	vm->name_limit = spec->cap_limit ? spec->cap_limit : IV_CAPS_DEFAULT;
	vm->caps = cap_table_new(vm->name_limit);
	vm->fds = fdt_new(spec->fd_limit);
	if (!vm->caps || !vm->fds || pthread_mutex_init(&vm->run_lock, NULL))
		goto fail;
	vm->module = module;
	module_get(module);
	vm->state = CVM_CREATED;
	ipc_cvm_born();
	vm->counted = true;
	registry_add(vm);
	return vm;
fail:
	fdt_free(vm, vm->fds);
	cap_table_free(vm->caps);
	free(vm->name);
	free_strv(vm->argv);
	free_strv(vm->env);
	free(vm->prefix);
	free(vm);
	return NULL;
}

static void instantiate_and_start(void *arg)
{
	struct cvm *vm = arg;
	const struct wasm_rt_iv_module *ops = vm->module->ops;

	rt_set_memory_cap(vm->cap_pages);
	ops->instantiate(vm->instance, vm);
	if (ops->start)
		ops->start(vm->instance);
}

/* This cVM can no longer call: serve() in the others may return. */
static void uncount(struct cvm *vm)
{
	if (vm->counted) {
		vm->counted = false;
		ipc_cvm_done();
	}
}

void cvm_run(struct cvm *vm)
{
	const struct wasm_rt_iv_module *ops = vm->module->ops;
	struct rt_guest_code code;
	wasm_rt_trap_t trap;
	int err;

	vm->own_thread = pthread_self();
	if (vm->timeout_s)
		vm->deadline_ns = rt_now_ns() + (uint64_t)vm->timeout_s * 1000000000u;
	err = rt_thread_attach();
	if (err) {
		snprintf(vm->failure, sizeof(vm->failure), "cannot prepare its thread: %s",
			 strerror(-err));
		vm->state = CVM_FAILED;
		vm->ended = true;
		uncount(vm);
		return;
	}
	vm->instance = calloc(1, ops->instance_size);
	if (!vm->instance) {
		snprintf(vm->failure, sizeof(vm->failure), "out of memory");
		vm->state = CVM_FAILED;
		vm->ended = true;
		uncount(vm);
		rt_thread_detach();
		return;
	}
	/* The memory's address inside the instance is fixed before instantiation fills it. */
	vm->mem = ops->memory ? ops->memory(vm->instance) : NULL;
	ipc_enter(vm);
	vm->state = CVM_RUNNING;
	code.lo = vm->module->code_lo;
	code.hi = vm->module->code_hi;
	code.deadline_ns = vm->deadline_ns;
	code.cpu_limit_ns = vm->cpu_s ? rt_thread_cpu_ns() + (uint64_t)vm->cpu_s * 1000000000u : 0;
	rt_set_guest_code(code);
	trap = rt_invoke(instantiate_and_start, vm);
	memset(&code, 0, sizeof(code));
	rt_set_guest_code(code); /* no watchdog signal may reach this thread once it ends */
	if (trap == WASM_RT_TRAP_NONE) {
		vm->state = CVM_EXITED;
		vm->status = 0;
	} else if (trap == WASM_RT_TRAP_EXIT) {
		vm->state = CVM_EXITED;
		vm->status = rt_exit_status();
	} else {
		vm->state = CVM_TRAPPED;
		vm->trap = trap;
	}
	/* No call may enter from now on; what it advertised and lent dies with it. */
	vm->ended = true;
	names_withdraw(vm);
	libos_teardown(vm);
	cap_cvm_teardown(vm);
	console_flush(&vm->out);
	console_flush(&vm->err);
	ipc_leave(vm);
	uncount(vm);
	ops->free(vm->instance);
	free(vm->instance);
	vm->instance = NULL;
	vm->mem = NULL;
	rt_thread_detach();
}

/*
 * Host threads are kept after their cVM ends and handed the next one: creating a thread with
 * an 8 MiB stack and joining it costs more than running a small cVM. At most IDLE_MAX wait.
 */
#define IDLE_MAX 64

struct worker {
	struct cvm *job;
	pthread_cond_t wake;
	struct worker *next;
};

static pthread_mutex_t workers_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t job_done = PTHREAD_COND_INITIALIZER;
static struct worker *idle;
static unsigned nidle;

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct cvm *vm;

	for (;;) {
		vm = w->job;
		cvm_run(vm);
		pthread_mutex_lock(&workers_lock);
		vm->done = true;
		pthread_cond_broadcast(&job_done);
		w->job = NULL;
		if (nidle >= IDLE_MAX)
			break;
		w->next = idle;
		idle = w;
		nidle++;
		while (!w->job)
			pthread_cond_wait(&w->wake, &workers_lock);
		pthread_mutex_unlock(&workers_lock);
	}
	pthread_mutex_unlock(&workers_lock);
	pthread_cond_destroy(&w->wake);
	free(w);
	return NULL;
}

static int new_worker(struct cvm *vm)
{
	struct worker *w = calloc(1, sizeof(*w));
	pthread_attr_t attr;
	pthread_t th;
	int err;

	if (!w)
		return ENOMEM;
	w->job = vm;
	pthread_cond_init(&w->wake, NULL);
	err = pthread_attr_init(&attr);
	if (!err)
		err = pthread_attr_setstacksize(&attr, CVM_STACK_BYTES);
	if (!err)
		err = pthread_attr_setguardsize(&attr, CVM_GUARD_BYTES);
	if (!err)
		err = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (!err)
		err = pthread_create(&th, &attr, worker_main, w);
	pthread_attr_destroy(&attr);
	if (err) {
		pthread_cond_destroy(&w->wake);
		free(w);
	}
	return err;
}

int cvm_start(struct cvm *vm)
{
	struct worker *w;
	int err = 0;

	vm->done = false;
	pthread_mutex_lock(&workers_lock);
	w = idle;
	if (w) {
		idle = w->next;
		nidle--;
		w->job = vm;
		pthread_cond_signal(&w->wake);
	}
	pthread_mutex_unlock(&workers_lock);
	if (!w)
		err = new_worker(vm);
	if (err) {
		vm->state = CVM_FAILED;
		vm->ended = true;
		snprintf(vm->failure, sizeof(vm->failure), "cannot start its thread: %s",
			 strerror(err));
		uncount(vm);
		return -err;
	}
	vm->thread_started = true;
	return 0;
}

void cvm_join(struct cvm *vm)
{
	if (!vm->thread_started)
		return;
	pthread_mutex_lock(&workers_lock);
	while (!vm->done)
		pthread_cond_wait(&job_done, &workers_lock);
	pthread_mutex_unlock(&workers_lock);
	vm->thread_started = false;
}

bool cvm_succeeded(const struct cvm *vm)
{
	return vm->state == CVM_EXITED && vm->status == 0;
}

void cvm_interrupt_all(void)
{
	struct cvm *vm;

	pthread_mutex_lock(&registry_lock);
	for (vm = registry; vm; vm = vm->next)
		if (vm->state == CVM_RUNNING)
			rt_interrupt_thread(vm->own_thread);
	pthread_mutex_unlock(&registry_lock);
}

void cvm_describe(const struct cvm *vm, char *out, size_t outlen)
{
	switch (vm->state) {
	case CVM_EXITED:
		snprintf(out, outlen, "exit status %d", vm->status);
		break;
	case CVM_TRAPPED:
		snprintf(out, outlen, "trap: %s", wasm_rt_strerror(vm->trap));
		break;
	case CVM_FAILED:
		snprintf(out, outlen, "failed: %s", vm->failure);
		break;
	default:
		snprintf(out, outlen, "did not run to its end");
	}
}

void cvm_destroy(struct cvm *vm)
{
	if (!vm)
		return;
	cvm_join(vm);
	registry_remove(vm);
	uncount(vm);
	if (vm->state == CVM_CREATED) {
		libos_teardown(vm);
		cap_cvm_teardown(vm);
	}
	cap_table_free(vm->caps);
	pthread_mutex_destroy(&vm->run_lock);
	module_put(vm->module);
	free(vm->name);
	free_strv(vm->argv);
	free_strv(vm->env);
	free(vm->prefix);
	free(vm);
}
