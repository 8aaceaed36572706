/* Loaded cVM modules: validated, compiled (through the cache) and dlopen'ed once per process. */
#ifndef IV_MODULE_H
#define IV_MODULE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "wasm-rt.h"
#include "wasm_module.h"

struct module {
	char *path;                           /* the .wasm it came from */
	char digest[65];                      /* cache key, hex */
	struct wmod_info info;
	enum cfg_abi abi;                     /* from the imports; AUTO when they don't say */
	void *dl;
	const struct wasm_rt_iv_module *ops;
	uintptr_t code_lo, code_hi;           /* its executable range, for the time-limit check */
	uint8_t *export_params;               /* parameter count of each callable export */
	unsigned refs;
};

struct module_opts {
	const char *cache_dir;                /* NULL: the default cache folder */
	int progress;                         /* show compile progress on stderr */
};

/*
 * Loads the module at path: reads and parses it, checks every import against the host
 * functions the monitor serves, compiles it unless the cache has it, and loads it. The same
 * file content loaded twice yields the same object with one more reference.
 * Returns 0, or -1 with a message naming the file and the problem in err.
 */
int module_load(const char *path, const struct module_opts *opts, struct module **out,
		char *err, size_t errlen);

/* Takes another reference. */
void module_get(struct module *m);

/* Drops a reference; the last one unloads the object. */
void module_put(struct module *m);

#endif
