/* Asks the kernel what is mapped at an address (PROCMAP_QUERY), to vet a memory for reuse. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "rt_internal.h"

/*
 * struct procmap_query of <linux/fs.h> (Linux 6.11), spelled out because the C library's
 * kernel headers may predate it. The ioctl number encodes its size, checked below.
 */
struct rt_procmap_query {
	uint64_t size;
	uint64_t query_flags;
	uint64_t query_addr;
	uint64_t vma_start;
	uint64_t vma_end;
	uint64_t vma_flags;
	uint64_t vma_page_size;
	uint64_t vma_offset;
	uint64_t inode;
	uint32_t dev_major;
	uint32_t dev_minor;
	uint32_t vma_name_size;
	uint32_t build_id_size;
	uint64_t vma_name_addr;
	uint64_t build_id_addr;
};

_Static_assert(sizeof(struct rt_procmap_query) == 104, "struct procmap_query is 104 bytes");

#define RT_PROCMAP_QUERY _IOWR('f', 17, struct rt_procmap_query)
#define RT_VMA_READABLE 0x01
#define RT_VMA_WRITABLE 0x02
#define RT_VMA_SHARED 0x08

static pthread_once_t maps_once = PTHREAD_ONCE_INIT;
/* /proc/self/maps, opened once and kept: another thread may be using it at any time. */
static int maps_fd = -1;
static int query_unsupported;

/* A forked child must ask about its own mappings: the inherited file shows its parent's. */
static void reopen_maps(void)
{
	if (maps_fd >= 0)
		close(maps_fd);
	maps_fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
}

static void open_maps(void)
{
	maps_fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	pthread_atfork(NULL, NULL, reopen_maps);
}

int rt_maps_only(const void *addr, uint64_t len, const struct stat *file)
{
	struct rt_procmap_query q;

	pthread_once(&maps_once, open_maps);
	if (maps_fd < 0 || __atomic_load_n(&query_unsupported, __ATOMIC_RELAXED))
		return -ENOSYS;
	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.query_addr = (uintptr_t)addr;
	if (ioctl(maps_fd, RT_PROCMAP_QUERY, &q)) {
		int err = errno;

		if (err == ENOENT)
			return 0;
		/* A kernel older than 6.11: stop asking; callers take their slower, safe path. */
		if (err == ENOTTY || err == EINVAL)
			__atomic_store_n(&query_unsupported, 1, __ATOMIC_RELAXED);
		return -err;
	}
	return q.vma_start == (uintptr_t)addr && q.vma_end - q.vma_start == len &&
	       q.vma_offset == 0 && q.inode == file->st_ino && q.dev_major == major(file->st_dev) &&
	       q.dev_minor == minor(file->st_dev) &&
	       (q.vma_flags & (RT_VMA_READABLE | RT_VMA_WRITABLE | RT_VMA_SHARED)) ==
		       (RT_VMA_READABLE | RT_VMA_WRITABLE | RT_VMA_SHARED);
}
