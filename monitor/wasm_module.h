/* A read-only look at a .wasm binary: its imports, exports and memory, before compiling it. */
#ifndef IV_WASM_MODULE_H
#define IV_WASM_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum wmod_kind {
	WMOD_FUNC = 0,
	WMOD_TABLE = 1,
	WMOD_MEMORY = 2,
	WMOD_GLOBAL = 3,
	WMOD_TAG = 4,
};

/*
 * Function signatures are written as "PARAMS:RESULTS", one letter per value type:
 * i (i32), I (i64), f (f32), F (f64), v (v128), r (funcref), e (externref).
 * For example fd_write is "iiii:i" and proc_exit "i:".
 */
struct wmod_import {
	char *module;
	char *name;
	enum wmod_kind kind;
	char *sig; /* functions only, else NULL */
};

struct wmod_export {
	char *name;
	enum wmod_kind kind;
	uint32_t index;
	char *sig; /* functions only, else NULL */
};

struct wmod_info {
	struct wmod_import *imports;
	size_t nimports;
	struct wmod_export *exports;
	size_t nexports;
	bool has_memory;          /* defined in the module (not imported) */
	uint32_t mem_initial;     /* in 64 KiB pages */
	bool mem_has_max;
	uint32_t mem_max;
};

/*
 * Parses the sections Intravisor needs from a wasm binary. This is not full validation
 * (wasm-validate does that); it only reads, with every length bounded by the input.
 * Returns 0, or -1 with a human-readable reason in err.
 */
int wmod_parse(const uint8_t *bytes, size_t len, struct wmod_info *out, char *err, size_t errlen);

void wmod_free(struct wmod_info *info);

/* The export with this name, or NULL. */
const struct wmod_export *wmod_find_export(const struct wmod_info *info, const char *name);

#endif
