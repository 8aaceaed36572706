/* State shared by the runtime's own files: the per-thread record of the guest it runs. */
#ifndef IV_RT_INTERNAL_H
#define IV_RT_INTERNAL_H

#include <stdint.h>
#include <sys/stat.h>

#include "wasm-rt.h"

struct rt_thread {
	uint32_t cap_pages;          /* cap for the next memory allocated on this thread */
	const wasm_rt_memory_t *mem; /* the memory whose faults become traps on this thread */
	int exit_status;
	void *altstack;
	uintptr_t stack_lo;          /* lowest usable address of this thread's stack */
	uintptr_t guard_lo, guard_len;
};

/* This thread's record (thread-local, safe to read from the fault handler). */
struct rt_thread *rt_self(void);

/*
 * 1 when [addr, addr + len) is exactly one shared read-write mapping of the file `file`
 * describes, from offset 0, with nothing else mapped inside it; 0 when it is not; -errno
 * when the kernel cannot tell.
 */
int rt_maps_only(const void *addr, uint64_t len, const struct stat *file);

#endif
