/* Linear memories: a guarded reservation, memfd-backed, grown in place up to the cVM's cap. */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rt.h"
#include "rt_internal.h"

#define PAGE_BYTES 65536ull

static int map_pages(wasm_rt_memory_t *mem, uint32_t from, uint32_t count)
{
	void *at = mem->data + (uint64_t)from * PAGE_BYTES;
	void *p;

	if (ftruncate(mem->fd, (off_t)((uint64_t)(from + count) * PAGE_BYTES)))
		return -errno;
	p = mmap(at, (uint64_t)count * PAGE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 mem->fd, (off_t)((uint64_t)from * PAGE_BYTES));
	if (p == MAP_FAILED) {
		int err = -errno;
		(void)!ftruncate(mem->fd, (off_t)((uint64_t)from * PAGE_BYTES));
		return err;
	}
	return 0;
}

void wasm_rt_allocate_memory(wasm_rt_memory_t *mem, uint32_t initial_pages, uint32_t max_pages)
{
	struct rt_thread *t = rt_self();
	uint32_t cap = t->cap_pages;
	void *base;

	mem->data = NULL;
	mem->fd = -1;
	mem->pages = mem->max_pages = 0;
	mem->size = 0;
	if (max_pages > cap)
		max_pages = cap;
	if (initial_pages > max_pages)
		wasm_rt_trap(WASM_RT_TRAP_RESOURCE);

	base = mmap(NULL, WASM_RT_RESERVATION, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		wasm_rt_trap(WASM_RT_TRAP_RESOURCE);
	mem->data = base;
	mem->max_pages = max_pages;
	/* The memfd lets later features map these very pages into another cVM. */
	mem->fd = memfd_create("cvm-memory", MFD_CLOEXEC);
	if (mem->fd < 0 || (initial_pages && map_pages(mem, 0, initial_pages)))
		wasm_rt_trap(WASM_RT_TRAP_RESOURCE);
	mem->pages = initial_pages;
	mem->size = (uint64_t)initial_pages * PAGE_BYTES;
	t->mem = mem;
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t *mem, uint32_t delta)
{
	uint32_t old = mem->pages;

	if (delta > mem->max_pages - old)
		return UINT32_MAX;
	if (delta == 0)
		return old;
	if (map_pages(mem, old, delta))
		return UINT32_MAX;
	mem->pages = old + delta;
	mem->size = (uint64_t)mem->pages * PAGE_BYTES;
	return old;
}

void wasm_rt_free_memory(wasm_rt_memory_t *mem)
{
	struct rt_thread *t = rt_self();

	if (t->mem == mem)
		t->mem = NULL;
	/* A zeroed memory (instantiation trapped before allocating it) owns nothing. */
	if (mem->data) {
		munmap(mem->data, WASM_RT_RESERVATION);
		if (mem->fd >= 0)
			close(mem->fd);
	}
	mem->data = NULL;
	mem->fd = -1;
	mem->pages = mem->max_pages = 0;
	mem->size = 0;
}
