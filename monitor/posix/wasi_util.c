/* Helpers the WASI modules share: descriptor lookup by rights, iovecs, guest path strings. */
#include <string.h>

#include "cvm.h"
#include "guestmem.h"
#include "wasi_defs.h"
#include "wasi_util.h"

struct fd_entry *wasi_fd(struct cvm *vm, uint32_t fd, uint64_t need, uint32_t *err)
{
	struct fd_entry *e = fdt_get(vm, fd);

	if (!e) {
		*err = WASI_EBADF;
		return NULL;
	}
	return wasi_rights(e, need, err) ? e : NULL;
}

struct fd_entry *wasi_dir(struct cvm *vm, uint32_t fd, uint64_t need, uint32_t *err)
{
	struct fd_entry *e = fdt_get(vm, fd);

	if (!e) {
		*err = WASI_EBADF;
		return NULL;
	}
	if (e->kind != FD_NODE || !e->u.node->is_dir) {
		*err = WASI_ENOTDIR;
		return NULL;
	}
	return wasi_rights(e, need, err) ? e : NULL;
}

uint32_t wasi_load_iovs(struct cvm *vm, uint32_t iovs, uint32_t n, struct iovec *out)
{
	const uint8_t *raw;
	uint32_t i;

	if (n > WASI_IOV_MAX)
		return WASI_EINVAL;
	raw = gm_array(vm, iovs, n, 8);
	if (!raw)
		return WASI_EFAULT;
	for (i = 0; i < n; i++) {
		uint32_t base, len;
		memcpy(&base, raw + 8 * i, 4);
		memcpy(&len, raw + 8 * i + 4, 4);
		out[i].iov_base = gm_range(vm, base, len);
		out[i].iov_len = len;
		if (!out[i].iov_base)
			return WASI_EFAULT;
	}
	return WASI_ESUCCESS;
}

uint32_t wasi_load_path(struct cvm *vm, uint32_t ptr, uint32_t len, char *buf)
{
	const char *p;

	if (len > WASI_PATH_MAX)
		return gm_range(vm, ptr, len) ? WASI_ENAMETOOLONG : WASI_EFAULT;
	p = gm_range(vm, ptr, len);
	if (!p)
		return WASI_EFAULT;
	if (memchr(p, 0, len))
		return WASI_EINVAL;
	memcpy(buf, p, len);
	buf[len] = 0;
	return WASI_ESUCCESS;
}

void wasi_put_filestat(uint8_t out[64], const struct vfs_stat *st)
{
	memset(out, 0, 64);
	memcpy(out, &st->dev, 8);
	memcpy(out + 8, &st->ino, 8);
	out[16] = st->filetype;
	memcpy(out + 24, &st->nlink, 8);
	memcpy(out + 32, &st->size, 8);
	memcpy(out + 40, &st->atim, 8);
	memcpy(out + 48, &st->mtim, 8);
	memcpy(out + 56, &st->ctim, 8);
}

bool wasi_fstflags_valid(uint32_t f)
{
	if (f & ~(WASI_FSTFLAGS_ATIM | WASI_FSTFLAGS_ATIM_NOW | WASI_FSTFLAGS_MTIM |
		  WASI_FSTFLAGS_MTIM_NOW))
		return false;
	if ((f & WASI_FSTFLAGS_ATIM) && (f & WASI_FSTFLAGS_ATIM_NOW))
		return false;
	return !((f & WASI_FSTFLAGS_MTIM) && (f & WASI_FSTFLAGS_MTIM_NOW));
}

int wasi_clock_id(uint32_t id, clockid_t *out)
{
	static const clockid_t ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
					CLOCK_THREAD_CPUTIME_ID};

	if (id >= sizeof(ids) / sizeof(ids[0]))
		return -1;
	*out = ids[id];
	return 0;
}
