/* Unit tests of the cVM runtime: guarded memories, the memory cap, traps and fault handling. */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "mempool.h"
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

/* Every byte of [from, to) of the memory is zero. */
static void assert_zero(const wasm_rt_memory_t *mem, uint64_t from, uint64_t to)
{
	uint64_t i;

	for (i = from; i < to; i++)
		if (mem->data[i])
			fail_msg("byte %llu of a new memory is %d", (unsigned long long)i, mem->data[i]);
}

/* Access at offset traps, and the page there is mapped with no access at all. */
static void assert_traps_at(struct mem_case *c, uint64_t offset)
{
	uintptr_t addr = (uintptr_t)c->mem.data + offset, lo, hi;
	char line[512], perms[8];
	FILE *maps = fopen("/proc/self/maps", "r");
	bool found = false;

	c->poke = (uint8_t *)addr;
	assert_int_equal(rt_invoke(poke, c), WASM_RT_TRAP_OOB);
	assert_non_null(maps);
	while (!found && fgets(line, sizeof(line), maps))
		found = sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && addr >= lo && addr < hi;
	fclose(maps);
	assert_true(found);
	assert_memory_equal(perms, "---p", 4);
}

/* A recycled memory is zero, guarded beyond its new size, and grows with zero pages. */
static void recycled_smaller(void *arg)
{
	struct mem_case c = {.initial = 7, .max = 16};
	uint8_t *base;
	unsigned i;

	(void)arg;
	rt_set_memory_cap(16);
	assert_int_equal(rt_invoke(allocate, &c), WASM_RT_TRAP_NONE);
	base = c.mem.data;
	/* A few pages touched, as a small guest does: they are zeroed in place. */
	for (i = 0; i < 7; i++)
		base[i * PAGE + i] = 0xa5;
	wasm_rt_free_memory(&c.mem);

	/* No pooled memory has 3 pages: the one just freed (the latest) is taken. */
	c.initial = 3;
	assert_int_equal(rt_invoke(allocate, &c), WASM_RT_TRAP_NONE);
	assert_ptr_equal(c.mem.data, base);
	assert_int_equal(c.mem.size, 3 * PAGE);
	assert_int_equal(c.mem.max_pages, 16);
	assert_zero(&c.mem, 0, 3 * PAGE);
	assert_traps_at(&c, 3 * PAGE);
	assert_traps_at(&c, 7 * PAGE - 1);
	assert_int_equal(wasm_rt_grow_memory(&c.mem, 4), 3);
	assert_zero(&c.mem, 0, 7 * PAGE);
	assert_traps_at(&c, 7 * PAGE);
	wasm_rt_free_memory(&c.mem);
}

static void test_recycled_memory_is_zero_and_guarded(void **state)
{
	(void)state;
	run_on_thread(recycled_smaller, NULL, 1 << 20);
}

/* Too many pages touched to zero in place: they are given back, and the memory is zero. */
static void recycled_large(void *arg)
{
	struct mem_case c = {.initial = 9, .max = 9};
	uint8_t *base;

	(void)arg;
	rt_set_memory_cap(16);
	assert_int_equal(rt_invoke(allocate, &c), WASM_RT_TRAP_NONE);
	base = c.mem.data;
	memset(base, 0x5a, 9 * PAGE);
	wasm_rt_free_memory(&c.mem);
	assert_int_equal(rt_invoke(allocate, &c), WASM_RT_TRAP_NONE);
	assert_ptr_equal(c.mem.data, base);
	assert_zero(&c.mem, 0, 9 * PAGE);
	assert_traps_at(&c, 9 * PAGE);
	wasm_rt_free_memory(&c.mem);
}

static void test_recycled_large_memory_is_zero(void **state)
{
	(void)state;
	run_on_thread(recycled_large, NULL, 1 << 20);
}

/* A memory whose memfd is mapped elsewhere is never handed to another cVM. */
static void shared_not_recycled(void *arg)
{
	struct mem_case c = {.initial = 5, .max = 5};
	volatile uint8_t *view;

	(void)arg;
	rt_set_memory_cap(16);
	assert_int_equal(rt_invoke(allocate, &c), WASM_RT_TRAP_NONE);
	view = mmap(NULL, 5 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, c.mem.fd, 0);
	assert_true(view != MAP_FAILED);
	c.mem.shared = 1;
	c.mem.data[5 * PAGE - 1] = 'A';
	wasm_rt_free_memory(&c.mem);

	assert_int_equal(rt_invoke(allocate, &c), WASM_RT_TRAP_NONE);
	assert_zero(&c.mem, 0, 5 * PAGE);
	memset(c.mem.data, 'B', 5 * PAGE);
	assert_int_equal(view[5 * PAGE - 1], 'A');
	view[0] = 'C';
	assert_int_equal(c.mem.data[0], 'B');
	wasm_rt_free_memory(&c.mem);
	munmap((void *)view, 5 * PAGE);
}

static void test_shared_memory_not_recycled(void **state)
{
	(void)state;
	run_on_thread(shared_not_recycled, NULL, 1 << 20);
}

/* Frees c's memory and allocates one of the same size, which must be the same reservation. */
static void recycle_same(struct mem_case *c)
{
	uint8_t *base = c->mem.data;

	wasm_rt_free_memory(&c->mem);
	assert_int_equal(rt_invoke(allocate, c), WASM_RT_TRAP_NONE);
	assert_ptr_equal(c->mem.data, base);
}

/*
 * What was mapped into a memory (another memfd's pages, a sealed-off hole), as capability
 * windows are, is gone from it once recycled: the new memory is its own and plain. Only a
 * few of its own pages are touched first, so it is a candidate for zeroing in place.
 */
static void windows_dropped(void *arg)
{
	struct mem_case c = {.initial = 6, .max = 6};
	int foreign = memfd_create("foreign", MFD_CLOEXEC);
	uint8_t byte = 0;

	(void)arg;
	rt_set_memory_cap(16);
	assert_true(foreign >= 0);
	assert_int_equal(ftruncate(foreign, 6 * PAGE), 0);
	assert_int_equal(pwrite(foreign, "F", 1, 0), 1);

	/* One window over the whole memory is a single mapping too, but of another file. */
	assert_int_equal(rt_invoke(allocate, &c), WASM_RT_TRAP_NONE);
	c.mem.data[0] = 'N';
	c.mem.data[PAGE] = 'N';
	assert_true(mmap(c.mem.data, 6 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			 foreign, 0) != MAP_FAILED);
	recycle_same(&c);
	assert_zero(&c.mem, 0, 6 * PAGE);
	c.mem.data[0] = 'N';
	assert_int_equal(pread(foreign, &byte, 1, 0), 1);
	assert_int_equal(byte, 'F');
	wasm_rt_free_memory(&c.mem);

	/* A window and a hole inside it. */
	assert_int_equal(rt_invoke(allocate, &c), WASM_RT_TRAP_NONE);
	c.mem.data[0] = 'N';
	assert_true(mmap(c.mem.data + PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			 foreign, 0) != MAP_FAILED);
	assert_true(mmap(c.mem.data + 3 * PAGE, PAGE, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) != MAP_FAILED);
	recycle_same(&c);
	assert_zero(&c.mem, 0, 6 * PAGE);
	memset(c.mem.data, 'N', 6 * PAGE);
	assert_int_equal(pread(foreign, &byte, 1, 0), 1);
	assert_int_equal(byte, 'F');
	wasm_rt_free_memory(&c.mem);
	close(foreign);
}

static void test_recycled_memory_drops_what_was_mapped_in(void **state)
{
	(void)state;
	run_on_thread(windows_dropped, NULL, 1 << 20);
}

static void fill_new_memory(void *arg)
{
	struct mem_case c = {.initial = 6, .max = 6};

	(void)arg;
	rt_set_memory_cap(16);
	if (rt_invoke(allocate, &c) != WASM_RT_TRAP_NONE)
		_exit(2);
	memset(c.mem.data, 'C', 6 * PAGE);
	_exit(0);
}

/* A forked child does not reuse its parent's pooled memories: they share the memfds. */
static void pool_across_fork(void *arg)
{
	struct mem_case c = {.initial = 6, .max = 6};
	uint8_t *base;
	pid_t pid;
	int status;

	(void)arg;
	rt_set_memory_cap(16);
	assert_int_equal(rt_invoke(allocate, &c), WASM_RT_TRAP_NONE);
	base = c.mem.data;
	wasm_rt_free_memory(&c.mem);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		run_on_thread(fill_new_memory, NULL, 1 << 20);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(rt_invoke(allocate, &c), WASM_RT_TRAP_NONE);
	assert_ptr_equal(c.mem.data, base);
	assert_zero(&c.mem, 0, 6 * PAGE);
	wasm_rt_free_memory(&c.mem);
}

static void test_pool_not_shared_with_forked_child(void **state)
{
	(void)state;
	run_on_thread(pool_across_fork, NULL, 1 << 20);
}

static void drain(void *arg)
{
	struct mem_case c = {.initial = 2, .max = 2};

	(void)arg;
	rt_set_memory_cap(16);
	rt_memory_pool_drain();
	assert_int_equal(rt_invoke(allocate, &c), WASM_RT_TRAP_NONE);
	wasm_rt_free_memory(&c.mem);
	assert_int_equal(rt_memory_pool_drain(), 1);
	assert_int_equal(rt_memory_pool_drain(), 0);
	/* A drained pool fills again. */
	assert_int_equal(rt_invoke(allocate, &c), WASM_RT_TRAP_NONE);
	assert_zero(&c.mem, 0, 2 * PAGE);
	wasm_rt_free_memory(&c.mem);
	assert_int_equal(rt_memory_pool_drain(), 1);
}

static void test_pool_drains(void **state)
{
	(void)state;
	run_on_thread(drain, NULL, 1 << 20);
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

/* A thread attached again (its stack bounds remembered, an altstack reused) still traps. */
static void reattach(void *arg)
{
	int i;

	for (i = 0; i < 3; i++) {
		rt_thread_detach();
		assert_int_equal(rt_thread_attach(), 0);
		exhaust(arg);
	}
}

static void test_reattached_thread_traps(void **state)
{
	(void)state;
	run_on_thread(reattach, NULL, 256 << 10);
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
		cmocka_unit_test(test_recycled_memory_is_zero_and_guarded),
		cmocka_unit_test(test_recycled_large_memory_is_zero),
		cmocka_unit_test(test_shared_memory_not_recycled),
		cmocka_unit_test(test_recycled_memory_drops_what_was_mapped_in),
		cmocka_unit_test(test_pool_not_shared_with_forked_child),
		cmocka_unit_test(test_pool_drains),
		cmocka_unit_test(test_stack_exhaustion_traps),
		cmocka_unit_test(test_reattached_thread_traps),
		cmocka_unit_test(test_exit_and_nested_traps),
		cmocka_unit_test(test_foreign_fault_stays_fatal),
		cmocka_unit_test(test_func_types_interned),
		cmocka_unit_test(test_tables_bounded),
	};

	if (rt_init())
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
