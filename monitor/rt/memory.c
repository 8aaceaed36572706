/* Linear memories: a guarded reservation, memfd-backed, grown in place, recycled when freed. */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mempool.h"
#include "rt.h"
#include "rt_internal.h"

#define PAGE_BYTES 65536ull

/*
 * Freed memories kept for the next ones: creating and tearing down a reservation and its
 * memfd is most of a cVM's instantiation (page tables, inode eviction). Bounded, so the
 * pool holds at most this many reservations and descriptors.
 */
#define POOL_MAX 64

/*
 * A freed memory whose memfd holds at most this many bytes is zeroed in place: its pages
 * stay mapped, so the next cVM takes no page fault on them. A bigger one gives them back.
 */
#define ZERO_IN_PLACE_MAX (256u << 10)

/* A reservation whose first size bytes are mapped read-write from fd, all zero. */
struct pooled {
	uint8_t *data;
	int fd;
	uint64_t size;
};

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pooled pool[POOL_MAX];
static unsigned npooled;

/* Maps bytes [from, to) of the reservation from the memfd, extending it to `to`. */
static int map_range(uint8_t *data, int fd, uint64_t from, uint64_t to)
{
	if (ftruncate(fd, (off_t)to))
		return -errno;
	if (mmap(data + from, to - from, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
		 (off_t)from) == MAP_FAILED) {
		int err = -errno;
		(void)!ftruncate(fd, (off_t)from);
		return err;
	}
	return 0;
}

/* Makes bytes [from, to) of the reservation inaccessible again, whatever was mapped there. */
static int seal_range(uint8_t *data, uint64_t from, uint64_t to)
{
	if (from < to && mmap(data + from, to - from, PROT_NONE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1,
			      0) == MAP_FAILED)
		return -errno;
	return 0;
}

static void destroy(uint8_t *data, int fd)
{
	munmap(data, WASM_RT_RESERVATION);
	if (fd >= 0)
		close(fd);
}

/*
 * Zeroes every page the memfd holds (resident or swapped out: SEEK_DATA finds both)
 * through the mapping, when the mapping is known to be the memfd's alone and the pages are
 * few. Returns 0, or -1 when the memory must be emptied another way.
 */
static int zero_in_place(uint8_t *data, int fd, uint64_t size)
{
	uint64_t total = 0;
	struct stat st;
	off_t off = 0, end;

	if (fstat(fd, &st) || (uint64_t)st.st_blocks * 512 > ZERO_IN_PLACE_MAX ||
	    (size && rt_maps_only(data, size, &st) != 1))
		return -1;
	for (;;) {
		off = lseek(fd, off, SEEK_DATA);
		if (off < 0)
			return errno == ENXIO ? 0 : -1;
		end = lseek(fd, off, SEEK_HOLE);
		if (end <= off || (uint64_t)end > size)
			return -1;
		total += (uint64_t)(end - off);
		if (total > ZERO_IN_PLACE_MAX)
			return -1;
		memset(data + off, 0, (size_t)(end - off));
		if ((uint64_t)end == size)
			return 0;
		off = end;
	}
}

/*
 * A forked child shares the pooled memfds with its parent: were both to reuse one, two
 * cVMs would share pages. The child empties its copy of the pool.
 */
static void pool_lock_for_fork(void)
{
	pthread_mutex_lock(&pool_lock);
}

static void pool_unlock_in_parent(void)
{
	pthread_mutex_unlock(&pool_lock);
}

static void pool_empty_in_child(void)
{
	while (npooled) {
		npooled--;
		destroy(pool[npooled].data, pool[npooled].fd);
	}
	pthread_mutex_unlock(&pool_lock);
}

static void watch_forks(void)
{
	pthread_atfork(pool_lock_for_fork, pool_unlock_in_parent, pool_empty_in_child);
}

/* Readies a freed memory for another cVM and pools it. Returns -1 when it was not pooled. */
static int recycle(uint8_t *data, int fd, uint64_t size)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	int pooled;

	pthread_once(&once, watch_forks);
	pthread_mutex_lock(&pool_lock);
	pooled = npooled < POOL_MAX;
	pthread_mutex_unlock(&pool_lock);
	if (!pooled)
		return -1;
	/*
	 * Pages it cannot zero in place go back (truncation zeroes them), and the reservation
	 * is made inaccessible again, which also drops whatever else was mapped into it.
	 */
	if (zero_in_place(data, fd, size)) {
		if (ftruncate(fd, 0) || seal_range(data, 0, size))
			return -1;
		size = 0;
	}
	pthread_mutex_lock(&pool_lock);
	pooled = npooled < POOL_MAX;
	if (pooled)
		pool[npooled++] = (struct pooled){data, fd, size};
	pthread_mutex_unlock(&pool_lock);
	return pooled ? 0 : -1;
}

unsigned rt_memory_pool_drain(void)
{
	struct pooled taken[POOL_MAX];
	unsigned i, n;

	pthread_mutex_lock(&pool_lock);
	n = npooled;
	memcpy(taken, pool, n * sizeof(pool[0]));
	npooled = 0;
	pthread_mutex_unlock(&pool_lock);
	for (i = 0; i < n; i++)
		destroy(taken[i].data, taken[i].fd);
	return n;
}

/*
 * Takes a pooled memory, the most recently freed one of the right size if any (its pages
 * are the likeliest to be warm), else the most recent, and sizes it to bytes.
 */
static int reuse(wasm_rt_memory_t *mem, uint64_t bytes)
{
	struct pooled p;
	unsigned i, pick;
	int err = 0;

	pthread_mutex_lock(&pool_lock);
	if (!npooled) {
		pthread_mutex_unlock(&pool_lock);
		return -1;
	}
	pick = npooled - 1;
	for (i = npooled; i-- > 0;) {
		if (pool[i].size == bytes) {
			pick = i;
			break;
		}
	}
	p = pool[pick];
	npooled--;
	memmove(pool + pick, pool + pick + 1, (npooled - pick) * sizeof(pool[0]));
	pthread_mutex_unlock(&pool_lock);

	if (p.size > bytes) {
		if (ftruncate(p.fd, (off_t)bytes))
			err = -errno;
		else
			err = seal_range(p.data, bytes, p.size);
	} else if (p.size < bytes) {
		err = map_range(p.data, p.fd, p.size, bytes);
	}
	if (err) {
		destroy(p.data, p.fd);
		return -1;
	}
	mem->data = p.data;
	mem->fd = p.fd;
	return 0;
}

void wasm_rt_allocate_memory(wasm_rt_memory_t *mem, uint32_t initial_pages, uint32_t max_pages)
{
	struct rt_thread *t = rt_self();
	uint32_t cap = t->cap_pages;
	uint64_t bytes = (uint64_t)initial_pages * PAGE_BYTES;
	void *base;

	mem->data = NULL;
	mem->fd = -1;
	mem->pages = mem->max_pages = 0;
	mem->size = 0;
	mem->shared = 0;
	if (max_pages > cap)
		max_pages = cap;
	if (initial_pages > max_pages)
		wasm_rt_trap(WASM_RT_TRAP_RESOURCE);

	if (reuse(mem, bytes)) {
		base = mmap(NULL, WASM_RT_RESERVATION, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (base == MAP_FAILED)
			wasm_rt_trap(WASM_RT_TRAP_RESOURCE);
		mem->data = base;
		/* The memfd lets later features map these very pages into another cVM. */
		mem->fd = memfd_create("cvm-memory", MFD_CLOEXEC);
		if (mem->fd < 0 || (bytes && map_range(mem->data, mem->fd, 0, bytes)))
			wasm_rt_trap(WASM_RT_TRAP_RESOURCE);
	}
	mem->max_pages = max_pages;
	mem->pages = initial_pages;
	mem->size = bytes;
	t->mem = mem;
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t *mem, uint32_t delta)
{
	uint32_t old = mem->pages;

	if (delta > mem->max_pages - old)
		return UINT32_MAX;
	if (delta == 0)
		return old;
	if (map_range(mem->data, mem->fd, mem->size, mem->size + (uint64_t)delta * PAGE_BYTES))
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
	/*
	 * A zeroed memory (instantiation trapped before allocating it) owns nothing. A shared
	 * one's pages may still be mapped elsewhere, so they must never reach another cVM.
	 */
	if (mem->data && (mem->shared || mem->fd < 0 || recycle(mem->data, mem->fd, mem->size)))
		destroy(mem->data, mem->fd);
	mem->data = NULL;
	mem->fd = -1;
	mem->pages = mem->max_pages = 0;
	mem->size = 0;
	mem->shared = 0;
}
