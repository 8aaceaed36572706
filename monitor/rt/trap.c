/* Entering guest code, traps and the fault handler that turns guest faults into traps. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rt.h"
#include "rt_internal.h"

/* Native stack that monitor code may need inside one hostcall. */
#define RT_HOSTCALL_STACK (128u << 10)
#define RT_ALTSTACK_SIZE (64u << 10)
/*
 * Alternate signal stacks given back by detached threads, for the next attach: most cVM
 * threads then map none. Bounded; beyond it they are unmapped.
 */
#define RT_ALTSTACK_POOL 64

struct rt_frame {
	jmp_buf jb;
	struct rt_frame *prev;
};

static __thread struct rt_thread self;
static __thread struct rt_frame *innermost;
static struct sigaction previous_segv, previous_bus;
static int initialized;

/* This thread's stack bounds, kept across detach for its next attach. */
static __thread struct {
	uintptr_t stack_lo, guard_lo, guard_len;
} known;
static pthread_mutex_t altstack_lock = PTHREAD_MUTEX_INITIALIZER;
static void *altstacks[RT_ALTSTACK_POOL];
static unsigned naltstacks;

struct rt_thread *rt_self(void)
{
	return &self;
}

bool wasm_rt_is_initialized(void)
{
	return __atomic_load_n(&initialized, __ATOMIC_ACQUIRE) != 0;
}

const char *wasm_rt_strerror(wasm_rt_trap_t trap)
{
	switch (trap) {
	case WASM_RT_TRAP_NONE:
		return "no trap";
	case WASM_RT_TRAP_OOB:
		return "out of bounds memory access";
	case WASM_RT_TRAP_INT_OVERFLOW:
		return "integer overflow";
	case WASM_RT_TRAP_DIV_BY_ZERO:
		return "integer divide by zero";
	case WASM_RT_TRAP_INVALID_CONVERSION:
		return "invalid conversion to integer";
	case WASM_RT_TRAP_UNREACHABLE:
		return "unreachable executed";
	case WASM_RT_TRAP_CALL_INDIRECT:
		return "indirect call to a null or mistyped function";
	case WASM_RT_TRAP_UNCAUGHT_EXCEPTION:
		return "uncaught exception";
	case WASM_RT_TRAP_EXHAUSTION:
		return "call stack exhausted";
	case WASM_RT_TRAP_EXIT:
		return "exit";
	case WASM_RT_TRAP_RESOURCE:
		return "resource limit exceeded";
	case WASM_RT_TRAP_HOSTCALL:
		return "invalid hostcall";
	case WASM_RT_TRAP_TIMEOUT:
		return "time limit";
	case WASM_RT_TRAP_CPU:
		return "cpu limit";
	case WASM_RT_TRAP_STOPPED:
		return "stopped";
	}
	return "unknown trap";
}

void wasm_rt_trap(wasm_rt_trap_t trap)
{
	struct rt_frame *f = innermost;

	if (!f) {
		/* Generated code only runs inside rt_invoke; anything else is a monitor bug. */
		static const char msg[] = "intravisor: internal error: trap outside guest code\n";
		(void)!write(2, msg, sizeof(msg) - 1);
		abort();
	}
	_longjmp(f->jb, trap == WASM_RT_TRAP_NONE ? WASM_RT_TRAP_UNREACHABLE : (int)trap);
}

wasm_rt_trap_t rt_invoke(void (*fn)(void *), void *arg)
{
	struct rt_frame frame;
	int trap;

	frame.prev = innermost;
	innermost = &frame;
	/* _setjmp: no signal-mask system call on the way in (the handler uses SA_NODEFER). */
	trap = _setjmp(frame.jb);
	if (trap == 0)
		fn(arg);
	innermost = frame.prev;
	return (wasm_rt_trap_t)trap;
}

void rt_exit(int status)
{
	self.exit_status = status;
	wasm_rt_trap(WASM_RT_TRAP_EXIT);
}

int rt_exit_status(void)
{
	return self.exit_status;
}

void rt_set_memory_cap(uint32_t pages)
{
	self.cap_pages = pages;
}

void rt_check_stack_for(uintptr_t bytes)
{
	char here;

	if (self.stack_lo && (uintptr_t)&here - self.stack_lo < bytes)
		wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);
}

void rt_check_stack(void)
{
	rt_check_stack_for(RT_HOSTCALL_STACK);
}

const wasm_rt_memory_t *rt_switch_memory(const wasm_rt_memory_t *mem)
{
	const wasm_rt_memory_t *old = self.mem;

	self.mem = mem;
	return old;
}

static int in_range(uintptr_t addr, uintptr_t lo, uintptr_t len)
{
	return addr >= lo && addr - lo < len;
}

static void chain(int sig, siginfo_t *info, void *uctx)
{
	const struct sigaction *prev = sig == SIGBUS ? &previous_bus : &previous_segv;

	if ((prev->sa_flags & SA_SIGINFO) && prev->sa_sigaction) {
		prev->sa_sigaction(sig, info, uctx);
		return;
	}
	if (prev->sa_handler != SIG_DFL && prev->sa_handler != SIG_IGN && prev->sa_handler) {
		prev->sa_handler(sig);
		return;
	}
	/* Not ours: let the fault kill the process as it would have without us. */
	signal(sig, SIG_DFL);
}

static void on_fault(int sig, siginfo_t *info, void *uctx)
{
	uintptr_t addr = (uintptr_t)info->si_addr;
	const wasm_rt_memory_t *mem = self.mem;

	if (innermost) {
		if (mem && mem->data && in_range(addr, (uintptr_t)mem->data, WASM_RT_RESERVATION))
			wasm_rt_trap(WASM_RT_TRAP_OOB);
		if (self.guard_len && in_range(addr, self.guard_lo, self.guard_len))
			wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);
	}
	chain(sig, info, uctx);
}

/* Installs on_fault for sig unless it already is the handler, remembering the previous one. */
static int install(int sig, struct sigaction *previous)
{
	struct sigaction sa, cur;

	if (sigaction(sig, NULL, &cur))
		return -errno;
	if ((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_fault)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, previous) ? -errno : 0;
}

int rt_init(void)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	int err;

	pthread_mutex_lock(&lock);
	err = install(SIGSEGV, &previous_segv);
	if (!err)
		err = install(SIGBUS, &previous_bus);
	if (!err)
		__atomic_store_n(&initialized, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&lock);
	return err;
}

/* This thread's stack bounds: found on its first attach, kept for its next ones. */
static int find_stack(void)
{
	pthread_attr_t attr;
	void *stack_addr;
	size_t stack_size, guard_size;
	int err;

	if (known.stack_lo)
		return 0;
	/* On the main thread this parses /proc/self/maps: once per thread is enough. */
	err = pthread_getattr_np(pthread_self(), &attr);
	if (err)
		return -err;
	err = pthread_attr_getstack(&attr, &stack_addr, &stack_size);
	if (!err)
		err = pthread_attr_getguardsize(&attr, &guard_size);
	pthread_attr_destroy(&attr);
	if (err)
		return -err;
	known.stack_lo = (uintptr_t)stack_addr;
	/* glibc places the guard below the usable stack; a frame may also skip past it. */
	known.guard_len = guard_size ? guard_size : (uintptr_t)sysconf(_SC_PAGESIZE);
	known.guard_lo = known.stack_lo - known.guard_len;
	return 0;
}

static void *altstack_get(void)
{
	void *p = NULL;

	pthread_mutex_lock(&altstack_lock);
	if (naltstacks)
		p = altstacks[--naltstacks];
	pthread_mutex_unlock(&altstack_lock);
	if (!p) {
		p = mmap(NULL, RT_ALTSTACK_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
	}
	return p;
}

static void altstack_put(void *p)
{
	pthread_mutex_lock(&altstack_lock);
	if (naltstacks < RT_ALTSTACK_POOL) {
		altstacks[naltstacks++] = p;
		p = NULL;
	}
	pthread_mutex_unlock(&altstack_lock);
	if (p)
		munmap(p, RT_ALTSTACK_SIZE);
}

int rt_thread_attach(void)
{
	stack_t ss;
	int err;

	err = find_stack();
	if (err)
		return err;
	self.altstack = altstack_get();
	if (!self.altstack)
		return -errno;
	ss.ss_sp = self.altstack;
	ss.ss_size = RT_ALTSTACK_SIZE;
	ss.ss_flags = 0;
	if (sigaltstack(&ss, NULL)) {
		err = -errno;
		altstack_put(self.altstack);
		self.altstack = NULL;
		return err;
	}
	self.stack_lo = known.stack_lo;
	self.guard_lo = known.guard_lo;
	self.guard_len = known.guard_len;
	return 0;
}

void rt_thread_detach(void)
{
	stack_t ss;

	if (self.altstack) {
		/* Unregistered before it is pooled: another thread may take it right away. */
		memset(&ss, 0, sizeof(ss));
		ss.ss_flags = SS_DISABLE;
		sigaltstack(&ss, NULL);
		altstack_put(self.altstack);
	}
	memset(&self, 0, sizeof(self));
}
