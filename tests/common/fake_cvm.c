/* The fake cVM of the monitor-library tests: made and ended by hand, run by nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cap.h"
#include "fake_cvm.h"
#include "posix/fdtable.h"
#include "rt.h"

/* What allocate() makes, on the runtime's thread. */
struct allocation {
	wasm_rt_memory_t *mem;
	uint32_t pages;
};

static void allocate(void *arg)
{
	struct allocation *a = arg;

	wasm_rt_allocate_memory(a->mem, a->pages, a->pages);
}

struct fake_cvm *fake_cvm_new(const char *name, uint32_t pages, uint32_t cap_limit, bool fds)
{
	struct fake_cvm *f = calloc(1, sizeof(*f));
	struct allocation a;

	assert_non_null(f);
	f->vm.name = strdup(name);
	assert_non_null(f->vm.name);
	if (cap_limit) {
		f->vm.caps = cap_table_new(cap_limit);
		assert_non_null(f->vm.caps);
		f->vm.name_limit = cap_limit;
	}
	if (fds) {
		f->vm.fds = fdt_new(0);
		assert_non_null(f->vm.fds);
	}
	a.mem = &f->mem;
	a.pages = pages;
	rt_set_memory_cap(pages);
	assert_int_equal(rt_invoke(allocate, &a), WASM_RT_TRAP_NONE);
	f->vm.mem = &f->mem;
	return f;
}

void fake_cvm_free(struct fake_cvm *f)
{
	fdt_free(&f->vm, f->vm.fds);
	if (f->vm.caps)
		cap_cvm_teardown(&f->vm);
	cap_table_free(f->vm.caps);
	wasm_rt_free_memory(&f->mem);
	free(f->vm.name);
	free(f);
}
