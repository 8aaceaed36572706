/* Tables of function and extern references, bounded so a guest cannot exhaust host memory. */
#include <stdlib.h>

#include "rt.h"

/* The most elements one table may hold, whatever the module declares. */
#define RT_TABLE_LIMIT (1u << 20)

static void *table_alloc(uint32_t elements, uint32_t *max_size, size_t elem_size)
{
	void *data;

	if (*max_size > RT_TABLE_LIMIT)
		*max_size = RT_TABLE_LIMIT;
	if (elements > *max_size)
		wasm_rt_trap(WASM_RT_TRAP_RESOURCE);
	data = calloc(elements ? elements : 1, elem_size);
	if (!data)
		wasm_rt_trap(WASM_RT_TRAP_RESOURCE);
	return data;
}

static void *table_grow(void *data, uint32_t *size, uint32_t max_size, uint32_t delta,
			size_t elem_size, uint32_t *old)
{
	void *grown;

	*old = *size;
	if (delta > max_size - *size)
		return NULL;
	grown = realloc(data, ((size_t)*size + delta ? (size_t)*size + delta : 1) * elem_size);
	if (!grown)
		return NULL;
	*size += delta;
	return grown;
}

void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t *t, uint32_t elements,
				    uint32_t max_elements)
{
	t->data = NULL;
	t->size = 0;
	t->max_size = max_elements;
	t->data = table_alloc(elements, &t->max_size, sizeof(*t->data));
	t->size = elements;
}

void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t *t)
{
	free(t->data);
	t->data = NULL;
	t->size = 0;
}

uint32_t wasm_rt_grow_funcref_table(wasm_rt_funcref_table_t *t, uint32_t delta,
				    wasm_rt_funcref_t init)
{
	uint32_t old, i;
	wasm_rt_funcref_t *grown;

	grown = table_grow(t->data, &t->size, t->max_size, delta, sizeof(*t->data), &old);
	if (!grown)
		return UINT32_MAX;
	t->data = grown;
	for (i = old; i < t->size; i++)
		t->data[i] = init;
	return old;
}

void wasm_rt_allocate_externref_table(wasm_rt_externref_table_t *t, uint32_t elements,
				      uint32_t max_elements)
{
	t->data = NULL;
	t->size = 0;
	t->max_size = max_elements;
	t->data = table_alloc(elements, &t->max_size, sizeof(*t->data));
	t->size = elements;
}

void wasm_rt_free_externref_table(wasm_rt_externref_table_t *t)
{
	free(t->data);
	t->data = NULL;
	t->size = 0;
}

uint32_t wasm_rt_grow_externref_table(wasm_rt_externref_table_t *t, uint32_t delta,
				      wasm_rt_externref_t init)
{
	uint32_t old, i;
	wasm_rt_externref_t *grown;

	grown = table_grow(t->data, &t->size, t->max_size, delta, sizeof(*t->data), &old);
	if (!grown)
		return UINT32_MAX;
	t->data = grown;
	for (i = old; i < t->size; i++)
		t->data[i] = init;
	return old;
}
