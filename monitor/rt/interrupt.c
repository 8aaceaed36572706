/* The watchdog and the interrupt signal that stop guest code at its deadline. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "interrupt.h"
#include "rt.h"

/*
 * A standard signal, not a real-time one: those queue, and a thread that waited long for a
 * CPU would receive a pile of them at once. SIGURG is ignored by default, so a stray one
 * harms nothing.
 */
#define RT_INTERRUPT_SIGNAL SIGURG

struct watched {
	pthread_t thread;
	clockid_t cpu_clock;
	uint64_t deadline_ns;   /* 0: none */
	uint64_t cpu_limit_ns;  /* 0: none */
	struct watched *next;
	int listed;
};

static __thread struct rt_guest_code current;
static __thread struct watched me;

static _Atomic int stop_requested;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct watched *watched;
static int watchdog_started;

uint64_t rt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

const struct rt_guest_code *rt_guest_code(void)
{
	return &current;
}

uint64_t rt_current_deadline(void)
{
	return current.deadline_ns;
}

static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;

	if (clock_gettime(c, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t rt_thread_cpu_ns(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

int rt_deadline_passed(void)
{
	return stop_requested || (current.deadline_ns && rt_now_ns() >= current.deadline_ns);
}

void rt_trap_late(void)
{
	wasm_rt_trap(stop_requested ? WASM_RT_TRAP_STOPPED : WASM_RT_TRAP_TIMEOUT);
}

void rt_request_stop(void)
{
	stop_requested = 1;
}

int rt_stop_requested(void)
{
	return stop_requested;
}

void rt_interrupt_thread(pthread_t thread)
{
	pthread_kill(thread, RT_INTERRUPT_SIGNAL);
}

static void on_interrupt(int sig, siginfo_t *info, void *uctx)
{
	uintptr_t pc = rt_context_pc(uctx);
	int saved = errno;

	(void)sig;
	(void)info;
	/* Only inside compiled guest code is it safe to unwind: no monitor lock is held there. */
	wasm_rt_trap_t why = WASM_RT_TRAP_NONE;

	if (stop_requested)
		why = WASM_RT_TRAP_STOPPED;
	else if (current.deadline_ns && rt_now_ns() >= current.deadline_ns)
		why = WASM_RT_TRAP_TIMEOUT;
	else if (current.cpu_limit_ns && rt_thread_cpu_ns() >= current.cpu_limit_ns)
		why = WASM_RT_TRAP_CPU;
	if (why != WASM_RT_TRAP_NONE && pc >= current.lo && pc < current.hi) {
		sigset_t set;

		/* Leaving by _longjmp skips the handler's return, which would unblock the signal. */
		sigemptyset(&set);
		sigaddset(&set, RT_INTERRUPT_SIGNAL);
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		wasm_rt_trap(why);
	}
	errno = saved;
}

static void *watchdog(void *arg)
{
	struct timespec tick = {0, RT_WATCHDOG_MS * 1000000L};
	struct watched *w;
	uint64_t now;

	(void)arg;
	pthread_mutex_lock(&lock);
	for (;;) {
		while (!watched)
			pthread_cond_wait(&wake, &lock);
		now = rt_now_ns();
		for (w = watched; w; w = w->next)
			if ((w->deadline_ns && now >= w->deadline_ns) ||
			    (w->cpu_limit_ns && clock_ns(w->cpu_clock) >= w->cpu_limit_ns))
				pthread_kill(w->thread, RT_INTERRUPT_SIGNAL);
		pthread_mutex_unlock(&lock);
		nanosleep(&tick, NULL);
		pthread_mutex_lock(&lock);
	}
	return NULL;
}

int rt_interrupt_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_interrupt;
	/* Blocked while it runs, so signals never nest on the small alternate stack. */
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	return sigaction(RT_INTERRUPT_SIGNAL, &sa, NULL) ? -errno : 0;
}

/* Lists or unlists this thread for the watchdog (lock held). */
static void watch(uint64_t deadline_ns, uint64_t cpu_limit_ns)
{
	struct watched **p;
	pthread_t th;

	if (me.listed) {
		for (p = &watched; *p; p = &(*p)->next) {
			if (*p == &me) {
				*p = me.next;
				break;
			}
		}
		me.listed = 0;
	}
	if (!deadline_ns && !cpu_limit_ns)
		return;
	me.thread = pthread_self();
	if (pthread_getcpuclockid(me.thread, &me.cpu_clock))
		cpu_limit_ns = 0; /* no CPU clock: only the wall-clock deadline can be watched */
	me.deadline_ns = deadline_ns;
	me.cpu_limit_ns = cpu_limit_ns;
	me.next = watched;
	watched = &me;
	me.listed = 1;
	if (!watchdog_started && pthread_create(&th, NULL, watchdog, NULL) == 0) {
		pthread_detach(th);
		watchdog_started = 1;
	}
	pthread_cond_signal(&wake);
}

struct rt_guest_code rt_set_guest_code(struct rt_guest_code code)
{
	struct rt_guest_code old = current;

	if (code.deadline_ns != old.deadline_ns || code.cpu_limit_ns != old.cpu_limit_ns ||
	    me.listed != !!(code.deadline_ns || code.cpu_limit_ns)) {
		pthread_mutex_lock(&lock);
		watch(code.deadline_ns, code.cpu_limit_ns);
		pthread_mutex_unlock(&lock);
	}
	current = code;
	return old;
}
