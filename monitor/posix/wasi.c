/* The WASI preview1 import family, and its args, environ, clock, random and process functions. */
#include <sched.h>
#include <string.h>
#include <time.h>

#include "cvm.h"
#include "guestmem.h"
#include "hostcall.h"
#include "imports.h"
#include "rt.h"
#include "wasi.h"
#include "wasi_defs.h"
#include "wasi_util.h"

static const struct import_def defs[] = {
	{"args_get", "ii:i"},
	{"args_sizes_get", "ii:i"},
	{"environ_get", "ii:i"},
	{"environ_sizes_get", "ii:i"},
	{"clock_res_get", "ii:i"},
	{"clock_time_get", "iIi:i"},
	{"fd_advise", "iIIi:i"},
	{"fd_allocate", "iII:i"},
	{"fd_close", "i:i"},
	{"fd_datasync", "i:i"},
	{"fd_fdstat_get", "ii:i"},
	{"fd_fdstat_set_flags", "ii:i"},
	{"fd_fdstat_set_rights", "iII:i"},
	{"fd_filestat_get", "ii:i"},
	{"fd_filestat_set_size", "iI:i"},
	{"fd_filestat_set_times", "iIIi:i"},
	{"fd_pread", "iiiIi:i"},
	{"fd_prestat_get", "ii:i"},
	{"fd_prestat_dir_name", "iii:i"},
	{"fd_pwrite", "iiiIi:i"},
	{"fd_read", "iiii:i"},
	{"fd_readdir", "iiiIi:i"},
	{"fd_renumber", "ii:i"},
	{"fd_seek", "iIii:i"},
	{"fd_sync", "i:i"},
	{"fd_tell", "ii:i"},
	{"fd_write", "iiii:i"},
	{"path_create_directory", "iii:i"},
	{"path_filestat_get", "iiiii:i"},
	{"path_filestat_set_times", "iiiiIIi:i"},
	{"path_link", "iiiiiii:i"},
	{"path_open", "iiiiiIIii:i"},
	{"path_readlink", "iiiiii:i"},
	{"path_remove_directory", "iii:i"},
	{"path_rename", "iiiiii:i"},
	{"path_symlink", "iiiii:i"},
	{"path_unlink_file", "iii:i"},
	{"poll_oneoff", "iiii:i"},
	{"proc_exit", "i:"},
	{"proc_raise", "i:i"},
	{"sched_yield", ":i"},
	{"random_get", "ii:i"},
	{"sock_accept", "iii:i"},
	{"sock_recv", "iiiiii:i"},
	{"sock_send", "iiiii:i"},
	{"sock_shutdown", "ii:i"},
};

const struct import_family wasi_family = {
	"wasi_snapshot_preview1", CFG_ABI_POSIX, defs, sizeof(defs) / sizeof(defs[0]),
};

/* ---- args and environ ---- */

static uint32_t strv_sizes(struct cvm *vm, char **v, int n, uint32_t count_ptr,
			   uint32_t size_ptr)
{
	uint64_t bytes = 0;
	int i;

	for (i = 0; i < n; i++)
		bytes += strlen(v[i]) + 1;
	if (bytes > UINT32_MAX)
		return WASI_EINVAL;
	if (!gm_range(vm, count_ptr, 4) || !gm_range(vm, size_ptr, 4))
		return WASI_EFAULT;
	gm_store_u32(vm, count_ptr, (uint32_t)n);
	gm_store_u32(vm, size_ptr, (uint32_t)bytes);
	return WASI_ESUCCESS;
}

static uint32_t strv_get(struct cvm *vm, char **v, int n, uint32_t ptrs, uint32_t buf)
{
	uint64_t bytes = 0, off = 0;
	int i;

	for (i = 0; i < n; i++)
		bytes += strlen(v[i]) + 1;
	/* Check both destinations whole before writing anything. */
	if (!gm_array(vm, ptrs, (uint32_t)n, 4) || bytes > UINT32_MAX ||
	    !gm_range(vm, buf, bytes))
		return WASI_EFAULT;
	for (i = 0; i < n; i++) {
		uint32_t len = (uint32_t)strlen(v[i]) + 1;
		gm_store_u32(vm, ptrs + 4u * (uint32_t)i, buf + (uint32_t)off);
		gm_store(vm, buf + (uint32_t)off, v[i], len);
		off += len;
	}
	return WASI_ESUCCESS;
}

uint32_t Z_wasi_snapshot_preview1Z_args_sizes_get(struct cvm *vm, uint32_t argc_ptr,
						  uint32_t size_ptr)
{
	rt_check_stack();
	return strv_sizes(vm, vm->argv, vm->argc, argc_ptr, size_ptr);
}

uint32_t Z_wasi_snapshot_preview1Z_args_get(struct cvm *vm, uint32_t argv_ptr, uint32_t buf)
{
	rt_check_stack();
	return strv_get(vm, vm->argv, vm->argc, argv_ptr, buf);
}

uint32_t Z_wasi_snapshot_preview1Z_environ_sizes_get(struct cvm *vm, uint32_t count_ptr,
						     uint32_t size_ptr)
{
	rt_check_stack();
	return strv_sizes(vm, vm->env, vm->envc, count_ptr, size_ptr);
}

uint32_t Z_wasi_snapshot_preview1Z_environ_get(struct cvm *vm, uint32_t env_ptr, uint32_t buf)
{
	rt_check_stack();
	return strv_get(vm, vm->env, vm->envc, env_ptr, buf);
}

/* ---- clocks, random, scheduling, process ---- */

uint32_t Z_wasi_snapshot_preview1Z_clock_res_get(struct cvm *vm, uint32_t id, uint32_t out)
{
	struct timespec ts;
	clockid_t c;

	rt_check_stack();
	if (wasi_clock_id(id, &c))
		return WASI_EINVAL;
	if (!gm_range(vm, out, 8))
		return WASI_EFAULT;
	clock_getres(c, &ts);
	gm_store_u64(vm, out, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	return WASI_ESUCCESS;
}

uint32_t Z_wasi_snapshot_preview1Z_clock_time_get(struct cvm *vm, uint32_t id,
						  uint64_t precision, uint32_t out)
{
	struct timespec ts;
	clockid_t c;

	(void)precision;
	rt_check_stack();
	if (wasi_clock_id(id, &c))
		return WASI_EINVAL;
	if (!gm_range(vm, out, 8))
		return WASI_EFAULT;
	clock_gettime(c, &ts);
	gm_store_u64(vm, out, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	return WASI_ESUCCESS;
}

uint32_t Z_wasi_snapshot_preview1Z_random_get(struct cvm *vm, uint32_t buf, uint32_t len)
{
	void *p;

	rt_check_stack();
	p = gm_range(vm, buf, len);
	if (!p)
		return WASI_EFAULT;
	return hostcall_fill_random(p, len) ? WASI_EIO : WASI_ESUCCESS;
}

uint32_t Z_wasi_snapshot_preview1Z_sched_yield(struct cvm *vm)
{
	(void)vm;
	sched_yield();
	return WASI_ESUCCESS;
}

void Z_wasi_snapshot_preview1Z_proc_exit(struct cvm *vm, uint32_t status)
{
	(void)vm;
	rt_exit((int)status);
}

/* Signals are not part of the libOS: raising one is refused (WASI leaves it optional). */
uint32_t Z_wasi_snapshot_preview1Z_proc_raise(struct cvm *vm, uint32_t sig)
{
	(void)vm;
	(void)sig;
	return WASI_ENOSYS;
}
