/* The one checked accessor through which monitor code reaches a cVM's memory (DESIGN 4.1). */
#ifndef IV_GUESTMEM_H
#define IV_GUESTMEM_H

#include <stdint.h>
#include <string.h>

#include "wasm-rt.h"

/*
 * Host address of guest bytes [ptr, ptr + len), or NULL when any of them lies outside mem
 * (or there is no memory). The sum is formed in 64 bits, so no guest value can wrap it.
 * The pointer is valid until the guest runs again (memory.grow never moves the base).
 */
static inline void *gm_range(const wasm_rt_memory_t *mem, uint32_t ptr, uint64_t len)
{
	if (!mem || !mem->data || len > mem->size || (uint64_t)ptr > mem->size - len)
		return NULL;
	return mem->data + ptr;
}

/* Host address of an array of count elements of size bytes each, or NULL. */
static inline void *gm_array(const wasm_rt_memory_t *mem, uint32_t ptr, uint32_t count,
			     uint32_t size)
{
	return gm_range(mem, ptr, (uint64_t)count * size);
}

/* Unaligned little-endian loads and stores; 0 on success, -1 when out of bounds. */
static inline int gm_load_u32(const wasm_rt_memory_t *mem, uint32_t ptr, uint32_t *out)
{
	void *p = gm_range(mem, ptr, sizeof(*out));
	if (!p)
		return -1;
	memcpy(out, p, sizeof(*out));
	return 0;
}

static inline int gm_load_u64(const wasm_rt_memory_t *mem, uint32_t ptr, uint64_t *out)
{
	void *p = gm_range(mem, ptr, sizeof(*out));
	if (!p)
		return -1;
	memcpy(out, p, sizeof(*out));
	return 0;
}

static inline int gm_store(const wasm_rt_memory_t *mem, uint32_t ptr, const void *src,
			   uint32_t len)
{
	void *p = gm_range(mem, ptr, len);
	if (!p)
		return -1;
	memcpy(p, src, len);
	return 0;
}

static inline int gm_store_u32(const wasm_rt_memory_t *mem, uint32_t ptr, uint32_t v)
{
	return gm_store(mem, ptr, &v, sizeof(v));
}

static inline int gm_store_u64(const wasm_rt_memory_t *mem, uint32_t ptr, uint64_t v)
{
	return gm_store(mem, ptr, &v, sizeof(v));
}

#endif
