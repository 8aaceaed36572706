/* Helpers the WASI modules share: descriptor lookup by rights, iovecs, guest path strings. */
#ifndef IV_WASI_UTIL_H
#define IV_WASI_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>
#include <time.h>

#include "fdtable.h"
#include "wasi_defs.h"
#include "vfs.h"

struct cvm;

/* At most this many iovecs per call (Linux's IOV_MAX), and bytes per guest path. */
#define WASI_IOV_MAX 1024
#define WASI_PATH_MAX 4096

/*
 * The entry open at fd if it holds every right in need: else NULL with *err set to
 * WASI_EBADF (not open) or WASI_ENOTCAPABLE (a right missing).
 */
struct fd_entry *wasi_fd(struct cvm *vm, uint32_t fd, uint64_t need, uint32_t *err);

/* True when e holds every right in need; else false with *err = WASI_ENOTCAPABLE. */
static inline bool wasi_rights(const struct fd_entry *e, uint64_t need, uint32_t *err)
{
	if ((e->rights & need) == need)
		return true;
	*err = WASI_ENOTCAPABLE;
	return false;
}

/* As wasi_fd, for a folder of a mounted file system (WASI_ENOTDIR for anything else). */
struct fd_entry *wasi_dir(struct cvm *vm, uint32_t fd, uint64_t need, uint32_t *err);

/* Checks a guest iovec array whole and turns it into host iovecs: 0 or a WASI errno. */
uint32_t wasi_load_iovs(struct cvm *vm, uint32_t iovs, uint32_t n, struct iovec *out);

/*
 * Copies the guest path [ptr, ptr + len) into buf (WASI_PATH_MAX + 1 bytes) as a C string:
 * 0, WASI_EFAULT, WASI_ENAMETOOLONG, or WASI_EINVAL for a NUL inside it.
 */
uint32_t wasi_load_path(struct cvm *vm, uint32_t ptr, uint32_t len, char *buf);

/* A negated result of the stream layer or a backend as a WASI errno (0 when not negative). */
static inline uint32_t wasi_err(int64_t rc)
{
	return rc < 0 ? (uint32_t)-rc : 0;
}

/* The WASI filestat record (64 bytes) of st, as fd_filestat_get and path_filestat_get write it. */
void wasi_put_filestat(uint8_t out[64], const struct vfs_stat *st);

/* The host clock of a WASI clock id: 0, or -1 for an unknown id. */
int wasi_clock_id(uint32_t id, clockid_t *out);

/* True when fstflags are valid for set_times (known bits, not a time and "now" together). */
bool wasi_fstflags_valid(uint32_t fstflags);

#endif
