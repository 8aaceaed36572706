/* The C shim compiled beside wasm2c's output: the module descriptor the monitor loads. */
#ifndef IV_SHIM_H
#define IV_SHIM_H

#include "wasm_module.h"

/* Most parameters of a callable export (IV_CALL_MAX_ARGS). */
#define SHIM_MAX_ARGS 6

/*
 * Writes to path the C source defining `intravisor_module` (struct wasm_rt_iv_module) for
 * the module described by info, compiled as module name "cvm". Returns 0 or -errno.
 */
int shim_write(const char *path, const struct wmod_info *info);

/* True when an export with this signature can be called through the descriptor. */
int shim_callable(const char *sig);

#endif
