/* Intravisor's runtime interface for wasm2c output: the only header compiled cVM code sees. */
#ifndef WASM_RT_H_
#define WASM_RT_H_

/*
 * wasm2c (1.0.32) emits C that includes "wasm-rt.h" and expects the types, macros and
 * functions below. This is our own implementation of that interface, written for many
 * instances in one process: memory bounds come from guard pages (the signal handler turns
 * a fault inside a cVM's reservation into a trap of that cVM), and trap state is
 * thread-local in the monitor. The monitor embeds this file and writes it next to the
 * generated C at compile time, so compiled code always matches the running monitor; its
 * text is part of the compile-cache key.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define wasm_rt_memcpy __builtin_memcpy
#define wasm_rt_unreachable __builtin_unreachable
#else
#error "compiled cVM code needs GCC or Clang"
#endif

#define WASM_RT_NO_RETURN __attribute__((noreturn))

/* Linear-memory accesses are bounded by the guard region, not by inline checks. */
#define WASM_RT_MEMCHECK_SIGNAL_HANDLER 1
/* Native stack exhaustion is caught by the cVM thread's guard pages. */
#define WASM_RT_USE_STACK_DEPTH_COUNT 0

/* Why guest code stopped. The first names are the ones wasm2c's output raises. */
typedef enum {
	WASM_RT_TRAP_NONE,
	WASM_RT_TRAP_OOB,
	WASM_RT_TRAP_INT_OVERFLOW,
	WASM_RT_TRAP_DIV_BY_ZERO,
	WASM_RT_TRAP_INVALID_CONVERSION,
	WASM_RT_TRAP_UNREACHABLE,
	WASM_RT_TRAP_CALL_INDIRECT,
	WASM_RT_TRAP_UNCAUGHT_EXCEPTION,
	WASM_RT_TRAP_EXHAUSTION,
	/* Raised by the monitor, never by generated code: */
	WASM_RT_TRAP_EXIT,          /* the guest asked to exit (not an error by itself) */
	WASM_RT_TRAP_RESOURCE,      /* a table or memory could not be allocated within limits */
	WASM_RT_TRAP_HOSTCALL,      /* a hostcall was used in a way that cannot return */
	WASM_RT_TRAP_TIMEOUT,       /* the cVM ran past its time limit */
	WASM_RT_TRAP_CPU,           /* the cVM used up its CPU time */
	WASM_RT_TRAP_STOPPED,       /* the monitor was told to stop (SIGINT, SIGTERM, SIGHUP) */
} wasm_rt_trap_t;

typedef enum {
	WASM_RT_I32,
	WASM_RT_I64,
	WASM_RT_F32,
	WASM_RT_F64,
	WASM_RT_FUNCREF,
	WASM_RT_EXTERNREF,
} wasm_rt_type_t;

typedef void (*wasm_rt_function_ptr_t)(void);

typedef struct {
	uint32_t func_type;           /* from wasm_rt_register_func_type; 0 means none */
	wasm_rt_function_ptr_t func;
	void *module_instance;
} wasm_rt_funcref_t;

static const wasm_rt_funcref_t wasm_rt_funcref_null_value = {0, NULL, NULL};

typedef void *wasm_rt_externref_t;

static const wasm_rt_externref_t wasm_rt_externref_null_value = NULL;

/*
 * A linear memory. `data` is the base of a reservation of WASM_RT_RESERVATION bytes whose
 * first `size` bytes are mapped read-write from the memfd `fd`; the rest is inaccessible.
 * The base never moves. `max_pages` is the smaller of the module's maximum and the cVM's cap.
 * A freed memory is zeroed and recycled for a later one (whatever else was mapped into its
 * reservation is dropped first), unless `shared` is set: whoever maps `fd` anywhere else
 * (the capability code) must set it before, because those pages may outlive the memory
 * there and must never be handed to another cVM.
 */
typedef struct {
	uint8_t *data;
	uint32_t pages, max_pages;
	uint64_t size;
	int fd;
	int shared;
} wasm_rt_memory_t;

typedef struct {
	wasm_rt_funcref_t *data;
	uint32_t max_size;
	uint32_t size;
} wasm_rt_funcref_table_t;

typedef struct {
	wasm_rt_externref_t *data;
	uint32_t max_size;
	uint32_t size;
} wasm_rt_externref_table_t;

/*
 * Bytes reserved per linear memory: every address wasm2c can form (a 32-bit index plus a
 * 32-bit offset plus the access width) lands inside it.
 */
#define WASM_RT_RESERVATION ((1ull << 33) + (1ull << 16))

bool wasm_rt_is_initialized(void);
WASM_RT_NO_RETURN void wasm_rt_trap(wasm_rt_trap_t);
const char *wasm_rt_strerror(wasm_rt_trap_t trap);
uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...);

void wasm_rt_allocate_memory(wasm_rt_memory_t *, uint32_t initial_pages, uint32_t max_pages);
uint32_t wasm_rt_grow_memory(wasm_rt_memory_t *, uint32_t pages);
void wasm_rt_free_memory(wasm_rt_memory_t *);

void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t *, uint32_t elements,
				    uint32_t max_elements);
void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t *);
uint32_t wasm_rt_grow_funcref_table(wasm_rt_funcref_table_t *, uint32_t delta,
				    wasm_rt_funcref_t init);
void wasm_rt_allocate_externref_table(wasm_rt_externref_table_t *, uint32_t elements,
				      uint32_t max_elements);
void wasm_rt_free_externref_table(wasm_rt_externref_table_t *);
uint32_t wasm_rt_grow_externref_table(wasm_rt_externref_table_t *, uint32_t delta,
				      wasm_rt_externref_t init);

/*
 * What every compiled cVM module exports, under the symbol WASM_RT_IV_MODULE_SYMBOL: a
 * shim generated by the monitor next to wasm2c's output fills it in.
 */
#define WASM_RT_IV_MODULE_SYMBOL "intravisor_module"

/*
 * An exported function other cVMs may call (CAP_CALL) or bind to (callback chaining): its
 * parameters are i32/i64 only, its result none, i32 or i64. `call` converts the argument
 * array to the real signature (i32 parameters take the low half) and widens the result.
 */
struct wasm_rt_iv_export {
	const char *name;
	const char *sig;                      /* "PARAMS:RESULTS", letters i and I */
	uint64_t (*call)(void *instance, const uint64_t *args);
};

struct wasm_rt_iv_module {
	uint32_t abi_version;                 /* IV_ABI_VERSION the module was compiled for */
	size_t instance_size;
	void (*init_module)(void);            /* once per loaded object */
	void (*instantiate)(void *instance, void *host);
	void (*free)(void *instance);
	wasm_rt_memory_t *(*memory)(void *instance); /* NULL when the module has no memory */
	void (*start)(void *instance);        /* the `_start` export, or NULL */
	const struct wasm_rt_iv_export *exports; /* the callable exports */
	uint32_t nexports;
};

#endif
