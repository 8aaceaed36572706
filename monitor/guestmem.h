/* The one checked accessor through which monitor code reaches a cVM's memory (DESIGN 4.1). */
#ifndef IV_GUESTMEM_H
#define IV_GUESTMEM_H

#include <stdint.h>
#include <string.h>

#include "cap.h"
#include "cvm.h"
#include "wasm-rt.h"

/*
 * Host address of vm's bytes [ptr, ptr + len), or NULL when any of them lies outside its
 * memory (or it has none), or inside a window where a capability is mapped (whose pages
 * another thread may revoke at any time). The sum is formed in 64 bits, so no guest value
 * can wrap it. The pointer is valid until the guest runs again (the base never moves).
 */
static inline void *gm_range(const struct cvm *vm, uint32_t ptr, uint64_t len)
{
	const wasm_rt_memory_t *mem = vm->mem;

	if (!mem || !mem->data || len > mem->size || (uint64_t)ptr > mem->size - len)
		return NULL;
	if (vm->nmaps && cap_overlaps_mapping(vm, ptr, len))
		return NULL;
	return mem->data + ptr;
}

/* Host address of an array of count elements of size bytes each, or NULL. */
static inline void *gm_array(const struct cvm *vm, uint32_t ptr, uint32_t count,
			     uint32_t size)
{
	return gm_range(vm, ptr, (uint64_t)count * size);
}

/* Unaligned little-endian loads and stores; 0 on success, -1 when out of bounds. */
static inline int gm_load_u32(const struct cvm *vm, uint32_t ptr, uint32_t *out)
{
	void *p = gm_range(vm, ptr, sizeof(*out));
	if (!p)
		return -1;
	memcpy(out, p, sizeof(*out));
	return 0;
}

static inline int gm_load_u64(const struct cvm *vm, uint32_t ptr, uint64_t *out)
{
	void *p = gm_range(vm, ptr, sizeof(*out));
	if (!p)
		return -1;
	memcpy(out, p, sizeof(*out));
	return 0;
}

static inline int gm_store(const struct cvm *vm, uint32_t ptr, const void *src,
			   uint32_t len)
{
	void *p = gm_range(vm, ptr, len);
	if (!p)
		return -1;
	memcpy(p, src, len);
	return 0;
}

static inline int gm_store_u32(const struct cvm *vm, uint32_t ptr, uint32_t v)
{
	return gm_store(vm, ptr, &v, sizeof(v));
}

static inline int gm_store_u64(const struct cvm *vm, uint32_t ptr, uint64_t v)
{
	return gm_store(vm, ptr, &v, sizeof(v));
}

#endif
