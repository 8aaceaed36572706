/* Unit tests of the cVM runtime: guarded memories, the memory cap, traps and fault handling. */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "rt.h"

#define PAGE 65536u

/* Runs fn(arg) on a fresh thread that is attached to the runtime, as a cVM thread is. */
struct on_thread {
	void (*fn)(void *);
	void *arg;
};

static void *thread_body(void *p)
{
	struct on_thread *t = p;

	/* cmocka installs its own fault handlers around each test: put ours back in front. */
	assert_int_equal(rt_init(), 0);
	assert_int_equal(rt_thread_attach(), 0);
	t->fn(t->arg);
	rt_thread_detach();
	return NULL;
}

static void run_on_thread(void (*fn)(void *), void *arg, size_t stack)
{
	struct on_thread t = {fn, arg};
	pthread_attr_t attr;
	pthread_t th;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, stack);
	assert_int_equal(pthread_create(&th, &attr, thread_body, &t), 0);
	pthread_join(th, NULL);
	pthread_attr_destroy(&attr);
}

struct mem_case {
	wasm_rt_memory_t mem;
	uint32_t initial, max;
	uint8_t *poke;
	int depth;
};

static void allocate(void *p)
{
	struct mem_case *c = p;

	wasm_rt_allocate_memory(&c->mem, c->initial, c->max);
}

static void poke(void *p)
{
	struct mem_case *c = p;

	*(volatile uint8_t *)c->poke = 1;
}

static void grow_within_cap(void *arg)
{
	struct mem_case c = {.initial = 2, .max = 65536};
	uint8_t *base;
	void *view;

	(void)arg;
	rt_set_memory_cap(4);
	assert_int_equal(rt_invoke(allocate, &c), WASM_RT_TRAP_NONE);
	assert_int_equal(c.mem.pages, 2);
	assert_int_equal(c.mem.max_pages, 4); /* the cap wins over the module's maximum */
	assert_int_equal(c.mem.size, 2 * PAGE);
	base = c.mem.data;
	base[0] = 42;
	base[2 * PAGE - 1] = 7;
	assert_int_equal(wasm_rt_grow_memory(&c.mem, 1), 2);
	assert_int_equal(wasm_rt_grow_memory(&c.mem, 2), UINT32_MAX); /* past the cap */
	assert_int_equal(wasm_rt_grow_memory(&c.mem, 0), 3);
	assert_int_equal(wasm_rt_grow_memory(&c.mem, 1), 3);
	assert_int_equal(wasm_rt_grow_memory(&c.mem, 1), UINT32_MAX);
	assert_ptr_equal(c.mem.data, base); /* grown in place */
	assert_int_equal(base[0], 42);
	assert_int_equal(base[2 * PAGE - 1], 7);
	assert_int_equal(base[4 * PAGE - 1], 0); /* new pages are zero */

	/* The pages are the memfd's: another mapping of it sees the same bytes. */
	view = mmap(NULL, 4 * PAGE, PROT_READ, MAP_SHARED, c.mem.fd, 0);
	assert_true(view != MAP_FAILED);
	assert_int_equal(((uint8_t *)view)[0], 42);
	base[3 * PAGE] = 99;
	assert_int_equal(((uint8_t *)view)[3 * PAGE], 99);
	munmap(view, 4 * PAGE);
	wasm_rt_free_memory(&c.mem);
	assert_null(c.mem.data);
}

static void test_memory_grows_in_place_up_to_cap(void **state)
{
	(void)state;
	run_on_thread(grow_within_cap, NULL, 1 << 20);
}

static void initial_over_cap(void *arg)
{
	struct mem_case c = {.initial = 5, .max = 10};

	(void)arg;
	rt_set_memory_cap(4);
	assert_int_equal(rt_invoke(allocate, &c), WASM_RT_TRAP_RESOURCE);
	wasm_rt_free_memory(&c.mem);
}

static void test_initial_memory_over_cap_traps(void **state)
{
	(void)state;
	run_on_thread(initial_over_cap, NULL, 1 << 20);
}

static void oob_accesses(void *arg)
{
	struct mem_case c = {.initial = 1, .max = 2};
	uint64_t offsets[] = {PAGE, PAGE + 4095, 2 * PAGE, 0xfffffff0ull, 0x1fffffff0ull};
	size_t i;

	(void)arg;
	rt_set_memory_cap(2);
	assert_int_equal(rt_invoke(allocate, &c), WASM_RT_TRAP_NONE);
	for (i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		c.poke = c.mem.data + offsets[i];
		assert_int_equal(rt_invoke(poke, &c), WASM_RT_TRAP_OOB);
	}
	/* After growing, the same address is fine. */
	assert_int_equal(wasm_rt_grow_memory(&c.mem, 1), 1);
	c.poke = c.mem.data + PAGE;
	assert_int_equal(rt_invoke(poke, &c), WASM_RT_TRAP_NONE);
	wasm_rt_free_memory(&c.mem);
}

static void test_access_past_memory_traps(void **state)
{
	(void)state;
	run_on_thread(oob_accesses, NULL, 1 << 20);
}

/* Recursion without end, as a hostile guest's; the pointer hides it from the compiler. */
static void (*volatile recurse_again)(void *);

static void recurse(void *p)
{
	struct mem_case *c = p;
	volatile char frame[512];

	frame[0] = (char)c->depth++;
	recurse_again(c);
	frame[1] = frame[0];
}

static void exhaust(void *arg)
{
	struct mem_case c = {.depth = 0};

	(void)arg;
	recurse_again = recurse;
	assert_int_equal(rt_invoke(recurse, &c), WASM_RT_TRAP_EXHAUSTION);
	assert_true(c.depth > 100);
	/* The thread is usable again afterwards. */
	c.depth = 0;
	assert_int_equal(rt_invoke(recurse, &c), WASM_RT_TRAP_EXHAUSTION);
}

static void test_stack_exhaustion_traps(void **state)
{
	(void)state;
	run_on_thread(exhaust, NULL, 256 << 10);
}

static void exit_with_7(void *arg)
{
	(void)arg;
	rt_exit(7);
}

static void nested(void *arg)
{
	int *inner = arg;

	*inner = rt_invoke(exit_with_7, NULL);
	wasm_rt_trap(WASM_RT_TRAP_DIV_BY_ZERO);
}

static void exits_and_nesting(void *arg)
{
	int inner = -1;

	(void)arg;
	assert_int_equal(rt_invoke(exit_with_7, NULL), WASM_RT_TRAP_EXIT);
	assert_int_equal(rt_exit_status(), 7);
	/* A trap unwinds only to the innermost entry. */
	assert_int_equal(rt_invoke(nested, &inner), WASM_RT_TRAP_DIV_BY_ZERO);
	assert_int_equal(inner, WASM_RT_TRAP_EXIT);
}

static void test_exit_and_nested_traps(void **state)
{
	(void)state;
	run_on_thread(exits_and_nesting, NULL, 1 << 20);
}

static volatile uintptr_t wild_address = 16;

static void wild_write(void *arg)
{
	(void)arg;
	*(volatile int *)wild_address = 1;
}

static void fault_outside(void *arg)
{
	(void)arg;
	rt_invoke(wild_write, NULL);
}

/* A fault outside every cVM memory is a monitor bug: it must stay fatal, not become a trap. */
static void test_foreign_fault_stays_fatal(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		run_on_thread(fault_outside, NULL, 1 << 20);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSEGV);
}

static void test_func_types_interned(void **state)
{
	uint32_t a, b, c;

	(void)state;
	a = wasm_rt_register_func_type(2, 1, WASM_RT_I32, WASM_RT_I64, WASM_RT_I32);
	b = wasm_rt_register_func_type(2, 1, WASM_RT_I32, WASM_RT_I64, WASM_RT_I32);
	c = wasm_rt_register_func_type(1, 2, WASM_RT_I32, WASM_RT_I64, WASM_RT_I32);
	assert_int_equal(a, b);
	assert_int_not_equal(a, c);
	assert_int_not_equal(a, 0); /* 0 is the null function's type */
}

static void tables(void *arg)
{
	wasm_rt_funcref_table_t t;
	wasm_rt_funcref_t f = {1, NULL, NULL};

	(void)arg;
	wasm_rt_allocate_funcref_table(&t, 2, 4);
	assert_int_equal(t.size, 2);
	assert_int_equal(wasm_rt_grow_funcref_table(&t, 2, f), 2);
	assert_int_equal(t.data[3].func_type, 1);
	assert_int_equal(wasm_rt_grow_funcref_table(&t, 1, f), UINT32_MAX);
	wasm_rt_free_funcref_table(&t);
}

static void huge_table(void *arg)
{
	wasm_rt_funcref_table_t t;

	(void)arg;
	wasm_rt_allocate_funcref_table(&t, UINT32_MAX - 1, UINT32_MAX);
}

static void test_tables_bounded(void **state)
{
	(void)state;
	assert_int_equal(rt_invoke(tables, NULL), WASM_RT_TRAP_NONE);
	assert_int_equal(rt_invoke(huge_table, NULL), WASM_RT_TRAP_RESOURCE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_grows_in_place_up_to_cap),
		cmocka_unit_test(test_initial_memory_over_cap_traps),
		cmocka_unit_test(test_access_past_memory_traps),
		cmocka_unit_test(test_stack_exhaustion_traps),
		cmocka_unit_test(test_exit_and_nested_traps),
		cmocka_unit_test(test_foreign_fault_stays_fatal),
		cmocka_unit_test(test_func_types_interned),
		cmocka_unit_test(test_tables_bounded),
	};

	if (rt_init())
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
