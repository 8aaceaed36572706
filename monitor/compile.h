/* wasm -> native shared object, through wasm2c and the system C compiler, with a cache. */
#ifndef IV_COMPILE_H
#define IV_COMPILE_H

#include <stddef.h>
#include <stdint.h>

#include "wasm_module.h"

/* The default cache folder: $XDG_CACHE_HOME/intravisor, else $HOME/.cache/intravisor. */
int compile_default_cache_dir(char *out, size_t outlen);

/*
 * The cache key of a module: SHA-256 over the wasm bytes, the C compiler and wasm2c used
 * (path, size and modification time), the compile flags, the runtime header and the ABI
 * version. Written as 64 hex characters.
 */
int compile_key(const uint8_t *wasm, size_t len, char key[65]);

/*
 * Makes sure cache_dir holds the compiled object for these bytes under key, compiling it
 * if needed (validation, wasm2c, cc, all as child processes; the result is renamed into
 * place, so concurrent compilers of the same module both succeed). On success returns 0 and
 * a malloc'd path in *so_path. On failure returns -1 with the reason (the validator's or
 * compiler's message included) in err. display_name names the module in messages and
 * progress output.
 */
int compile_module(const char *display_name, const uint8_t *wasm, size_t len,
		   const struct wmod_info *info, const char *cache_dir, const char *key,
		   int progress, char **so_path, char *err, size_t errlen);

#endif
