/* Function signatures, interned process-wide so call_indirect can compare them by index. */
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

/* Wasm allows up to 1000 parameters and results each. */
#define RT_MAX_ARITY 1000

struct functype {
	uint32_t params, results;
	uint8_t *types;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct functype *interned;
static uint32_t count, capacity;

uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...)
{
	uint8_t types[2 * RT_MAX_ARITY];
	uint32_t n = params + results, i, index = 0;
	va_list ap;

	if (params > RT_MAX_ARITY || results > RT_MAX_ARITY)
		wasm_rt_trap(WASM_RT_TRAP_RESOURCE);
	va_start(ap, results);
	for (i = 0; i < n; i++)
		types[i] = (uint8_t)va_arg(ap, int);
	va_end(ap);

	pthread_mutex_lock(&lock);
	for (i = 0; i < count; i++) {
		if (interned[i].params == params && interned[i].results == results &&
		    !memcmp(interned[i].types, types, n)) {
			index = i + 1;
			goto out;
		}
	}
	if (count == capacity) {
		uint32_t grown = capacity ? 2 * capacity : 64;
		struct functype *p = realloc(interned, grown * sizeof(*p));
		if (!p)
			goto out;
		interned = p;
		capacity = grown;
	}
	interned[count].types = malloc(n ? n : 1);
	if (!interned[count].types)
		goto out;
	memcpy(interned[count].types, types, n);
	interned[count].params = params;
	interned[count].results = results;
	index = ++count; /* 0 stays the null function's type */
out:
	pthread_mutex_unlock(&lock);
	if (!index)
		wasm_rt_trap(WASM_RT_TRAP_RESOURCE);
	return index;
}
