/* The registry of host functions a cVM may import: every import is checked against it. */
#ifndef IV_IMPORTS_H
#define IV_IMPORTS_H

#include <stddef.h>

#include "config.h"

struct import_def {
	const char *name;
	const char *sig; /* "PARAMS:RESULTS", as in wasm_module.h */
};

/* A group of host functions under one wasm import module, served by one runtime. */
struct import_family {
	const char *module;
	enum cfg_abi abi;     /* the runtime a module importing from this family needs */
	const struct import_def *defs;
	size_t ndefs;
};

extern const struct import_family hostcall_family; /* hostcall.c: the bare runtime */
extern const struct import_family cap_family;      /* cap_hostcalls.c: capabilities */
extern const struct import_family capfile_family;  /* ipc/capfile.c: CAP_FILE */
extern const struct import_family call_family;     /* ipc/call_hostcalls.c: CAP_CALL */
extern const struct import_family stream_family;   /* ipc/stream_hostcalls.c: CAP_STREAM */
extern const struct import_family wasi_family;     /* posix/wasi.c: WASI preview1 */
extern const struct import_family net_family;      /* posix/wasi_sock.c: sockets by policy */

/* A family serving this import module, or NULL: tells which runtime the module needs. */
const struct import_family *imports_family(const char *module);

/* The definition of module.name, or NULL; *family (if not NULL) gets its family. */
const struct import_def *imports_find(const char *module, const char *name,
				      const struct import_family **family);

#endif
