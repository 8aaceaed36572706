/* WASI fd_* functions over the fd table: console, stream ends, files and folders, sockets. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "cvm.h"
#include "guestmem.h"
#include "hostio.h"
#include "ipc/stream.h"
#include "net.h"
#include "rt.h"
#include "wasi.h"
#include "wasi_defs.h"
#include "wasi_util.h"

/* ---- reading and writing ---- */

/* A stream layer result as a WASI errno, after a wait past the time limit ends the cVM. */
static uint32_t stream_errno(int rc)
{
	return rc < 0 ? (uint32_t)-stream_trap_if_late(rc) : WASI_ESUCCESS;
}

/* read or write on a stream end, the iovecs checked again by the stream layer as it copies. */
static int64_t stream_io(struct cvm *vm, struct fd_entry *e, bool write, uint32_t iovs,
			 uint32_t n)
{
	struct stream_iov iov[WASI_IOV_MAX];
	int64_t timeout = e->fdflags & WASI_FDFLAGS_NONBLOCK ? 0 : -1;
	const uint8_t *raw;
	uint32_t i;
	int rc;

	if (n > WASI_IOV_MAX)
		return -WASI_EINVAL;
	raw = gm_array(vm, iovs, n, 8);
	if (!raw)
		return -WASI_EFAULT;
	for (i = 0; i < n; i++) {
		memcpy(&iov[i].ptr, raw + 8 * i, 4);
		memcpy(&iov[i].len, raw + 8 * i + 4, 4);
		if (!gm_range(vm, iov[i].ptr, iov[i].len))
			return -WASI_EFAULT;
	}
	rc = write ? stream_send(vm, e->u.stream, iov, n, 0, timeout)
		   : stream_recv(vm, e->u.stream, iov, n, NULL, timeout);
	return rc < 0 ? -(int64_t)stream_errno(rc) : rc;
}

/*
 * The monitor's stdin: EOF unless this cVM reads it. While it waits the cVM stays callable,
 * and a call may change its memory (map a capability window over the buffers): the iovecs
 * are looked up only once stdin is ready.
 */
static int64_t stdin_read(struct cvm *vm, struct fd_entry *e, uint32_t iovs, uint32_t n)
{
	bool nonblock = e->fdflags & WASI_FDFLAGS_NONBLOCK;
	struct iovec iov[WASI_IOV_MAX];
	uint32_t err;
	ssize_t got;

	for (;;) {
		if (vm->stdin_attached && !hostio_wait(vm, 0, POLLIN, nonblock ? 0 : -1))
			return -WASI_EAGAIN;
		err = wasi_load_iovs(vm, iovs, n, iov);
		if (err)
			return -(int64_t)err;
		if (!vm->stdin_attached)
			return 0;
		got = readv(0, iov, (int)n);
		if (got >= 0)
			return got;
		if (errno != EINTR && errno != EAGAIN)
			return -(int64_t)wasi_from_errno(errno);
	}
}

static struct console_stream *console_out(struct cvm *vm, struct fd_entry *e)
{
	return e->u.console == 1 ? &vm->out : &vm->err;
}

/* Bytes moved by fd_read (write false) or fd_write on any kind of descriptor, or -errno. */
static int64_t fd_io(struct cvm *vm, struct fd_entry *e, bool write, uint32_t iovs, uint32_t n)
{
	struct iovec iov[WASI_IOV_MAX];
	uint32_t err;
	int64_t rc;

	if (e->kind == FD_STREAM)
		return stream_io(vm, e, write, iovs, n);
	if (e->kind == FD_CONSOLE && !write)
		return stdin_read(vm, e, iovs, n);
	err = wasi_load_iovs(vm, iovs, n, iov);
	if (err)
		return -(int64_t)err;
	switch (e->kind) {
	case FD_CONSOLE:
		rc = console_writev(console_out(vm, e), iov, (int)n);
		return rc < 0 ? -WASI_EIO : rc;
	case FD_SOCKET:
		return net_sock_io(vm, e, iov, (int)n, write);
	case FD_NODE:
		if (e->u.node->is_dir)
			return -WASI_EISDIR;
		if (!write)
			return e->u.node->fs->ops->read(e->u.node, iov, (int)n, &e->offset);
		rc = e->u.node->fs->ops->write(e->u.node, iov, (int)n, &e->offset,
					       e->fdflags & WASI_FDFLAGS_APPEND);
		if (rc >= 0 && (e->fdflags & (WASI_FDFLAGS_SYNC | WASI_FDFLAGS_DSYNC))) {
			int s = e->u.node->fs->ops->sync(e->u.node,
							 !(e->fdflags & WASI_FDFLAGS_SYNC));
			if (s < 0)
				return s;
		}
		return rc;
	case FD_STREAM:
		break;
	}
	return -WASI_EBADF;
}

/* Stores a count for the guest, capped at what a u32 holds. */
static uint32_t put_count(struct cvm *vm, uint32_t ptr, int64_t count)
{
	if (count < 0)
		return (uint32_t)-count;
	return gm_store_u32(vm, ptr, count > UINT32_MAX ? UINT32_MAX : (uint32_t)count)
		       ? WASI_EFAULT
		       : WASI_ESUCCESS;
}

uint32_t Z_wasi_snapshot_preview1Z_fd_write(struct cvm *vm, uint32_t fd, uint32_t iovs,
					    uint32_t n, uint32_t nwritten)
{
	struct fd_entry *e;
	uint32_t err;

	rt_check_stack();
	if (!(e = wasi_fd(vm, fd, WASI_RIGHT_FD_WRITE, &err)))
		return err == WASI_ENOTCAPABLE && fdt_get(vm, fd)->kind != FD_NODE ? WASI_EBADF
										      : err;
	if (!gm_range(vm, nwritten, 4))
		return WASI_EFAULT;
	return put_count(vm, nwritten, fd_io(vm, e, true, iovs, n));
}

uint32_t Z_wasi_snapshot_preview1Z_fd_read(struct cvm *vm, uint32_t fd, uint32_t iovs,
					   uint32_t n, uint32_t nread)
{
	struct fd_entry *e;
	uint32_t err;

	rt_check_stack();
	if (!(e = wasi_fd(vm, fd, WASI_RIGHT_FD_READ, &err)))
		return err == WASI_ENOTCAPABLE && fdt_get(vm, fd)->kind != FD_NODE ? WASI_EBADF
										      : err;
	if (!gm_range(vm, nread, 4))
		return WASI_EFAULT;
	return put_count(vm, nread, fd_io(vm, e, false, iovs, n));
}

/*
 * A file (not a folder) of a mounted file system, for the positioned operations: a pipe-like
 * descriptor is WASI_ESPIPE before any right is looked at. A folder is WASI_EISDIR for data
 * (pread, pwrite, allocate, advise); for a position (seek, tell) it is a descriptor without
 * one: its rights decide, then WASI_ESPIPE.
 */
static struct fd_entry *file_fd(struct cvm *vm, uint32_t fd, uint64_t need, bool position,
				uint32_t *err)
{
	struct fd_entry *e = fdt_get(vm, fd);

	*err = !e ? WASI_EBADF : e->kind != FD_NODE ? WASI_ESPIPE
		: e->u.node->is_dir && !position ? WASI_EISDIR : WASI_ESUCCESS;
	if (*err || !wasi_rights(e, need, err))
		return NULL;
	if (e->u.node->is_dir) {
		*err = WASI_ESPIPE;
		return NULL;
	}
	return e;
}

uint32_t Z_wasi_snapshot_preview1Z_fd_pread(struct cvm *vm, uint32_t fd, uint32_t iovs,
					    uint32_t n, uint64_t offset, uint32_t nread)
{
	struct iovec iov[WASI_IOV_MAX];
	struct fd_entry *e;
	uint32_t err;

	rt_check_stack();
	if (!(e = file_fd(vm, fd, WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK, false, &err)))
		return err;
	if ((int64_t)offset < 0)
		return WASI_EINVAL;
	if ((err = wasi_load_iovs(vm, iovs, n, iov)))
		return err;
	if (!gm_range(vm, nread, 4))
		return WASI_EFAULT;
	return put_count(vm, nread, e->u.node->fs->ops->read(e->u.node, iov, (int)n, &offset));
}

uint32_t Z_wasi_snapshot_preview1Z_fd_pwrite(struct cvm *vm, uint32_t fd, uint32_t iovs,
					     uint32_t n, uint64_t offset, uint32_t nwritten)
{
	struct iovec iov[WASI_IOV_MAX];
	struct fd_entry *e;
	uint32_t err;

	rt_check_stack();
	if (!(e = file_fd(vm, fd, WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_SEEK, false, &err)))
		return err;
	if ((int64_t)offset < 0)
		return WASI_EINVAL;
	if ((err = wasi_load_iovs(vm, iovs, n, iov)))
		return err;
	if (!gm_range(vm, nwritten, 4))
		return WASI_EFAULT;
	/* POSIX pwrite writes at the offset given, even on a descriptor opened to append. */
	return put_count(vm, nwritten,
			 e->u.node->fs->ops->write(e->u.node, iov, (int)n, &offset, false));
}

uint32_t Z_wasi_snapshot_preview1Z_fd_seek(struct cvm *vm, uint32_t fd, uint64_t offset,
					   uint32_t whence, uint32_t out)
{
	int64_t delta = (int64_t)offset, base;
	struct fd_entry *e;
	struct vfs_stat st;
	uint32_t err;
	int rc;

	rt_check_stack();
	/* A query of the position needs only FD_TELL. */
	if (!(e = file_fd(vm, fd, whence == WASI_WHENCE_CUR && !delta ? WASI_RIGHT_FD_TELL
								   : WASI_RIGHT_FD_SEEK,
			  true, &err)))
		return err;
	switch (whence) {
	case WASI_WHENCE_SET:
		base = 0;
		break;
	case WASI_WHENCE_CUR:
		base = (int64_t)e->offset;
		break;
	case WASI_WHENCE_END:
		if ((rc = e->u.node->fs->ops->stat(e->u.node, &st)) < 0)
			return wasi_err(rc);
		base = (int64_t)st.size;
		break;
	default:
		return WASI_EINVAL;
	}
	if ((delta > 0 && base > INT64_MAX - delta) || base + delta < 0)
		return WASI_EINVAL;
	if (!gm_range(vm, out, 8))
		return WASI_EFAULT;
	e->offset = (uint64_t)(base + delta);
	gm_store_u64(vm, out, e->offset);
	return WASI_ESUCCESS;
}

uint32_t Z_wasi_snapshot_preview1Z_fd_tell(struct cvm *vm, uint32_t fd, uint32_t out)
{
	struct fd_entry *e;
	uint32_t err;

	rt_check_stack();
	if (!(e = file_fd(vm, fd, WASI_RIGHT_FD_TELL, true, &err)))
		return err;
	return gm_store_u64(vm, out, e->offset) ? WASI_EFAULT : WASI_ESUCCESS;
}

/* ---- status, flags, rights ---- */

static uint8_t fd_filetype(struct cvm *vm, struct fd_entry *e)
{
	uint32_t end;
	bool message;

	switch (e->kind) {
	case FD_CONSOLE:
		return WASI_FILETYPE_CHARACTER_DEVICE;
	case FD_STREAM:
		/* A stream is no terminal: libc buffers it fully, as it would a pipe or socket. */
		if (stream_end_info(vm, e->u.stream, &end, &message))
			return WASI_FILETYPE_UNKNOWN;
		return message ? WASI_FILETYPE_SOCKET_DGRAM : WASI_FILETYPE_SOCKET_STREAM;
	case FD_SOCKET:
		return net_sock_filetype(e->u.sock);
	case FD_NODE:
		return e->u.node->is_dir ? WASI_FILETYPE_DIRECTORY : WASI_FILETYPE_REGULAR_FILE;
	}
	return WASI_FILETYPE_UNKNOWN;
}

uint32_t Z_wasi_snapshot_preview1Z_fd_fdstat_get(struct cvm *vm, uint32_t fd, uint32_t out)
{
	uint8_t st[WASI_FDSTAT_BYTES] = {0};
	struct fd_entry *e;
	uint32_t err;

	rt_check_stack();
	if (!(e = wasi_fd(vm, fd, 0, &err)))
		return err;
	st[0] = fd_filetype(vm, e);
	memcpy(st + 2, &e->fdflags, 2);
	memcpy(st + 8, &e->rights, 8);
	memcpy(st + 16, &e->inheriting, 8);
	return gm_store(vm, out, st, sizeof(st)) ? WASI_EFAULT : WASI_ESUCCESS;
}

uint32_t Z_wasi_snapshot_preview1Z_fd_fdstat_set_flags(struct cvm *vm, uint32_t fd,
						       uint32_t flags)
{
	const uint32_t known = WASI_FDFLAGS_APPEND | WASI_FDFLAGS_DSYNC | WASI_FDFLAGS_NONBLOCK |
			       WASI_FDFLAGS_RSYNC | WASI_FDFLAGS_SYNC;
	struct fd_entry *e;
	uint32_t err;

	rt_check_stack();
	if (!(e = wasi_fd(vm, fd, WASI_RIGHT_FD_FDSTAT_SET_FLAGS, &err)))
		return err;
	if (flags & ~known)
		return WASI_EINVAL;
	/* Only files have an end to append to, or data to sync. */
	if (e->kind != FD_NODE && (flags & ~WASI_FDFLAGS_NONBLOCK))
		return WASI_EINVAL;
	e->fdflags = (uint16_t)flags;
	return WASI_ESUCCESS;
}

uint32_t Z_wasi_snapshot_preview1Z_fd_fdstat_set_rights(struct cvm *vm, uint32_t fd,
							uint64_t rights, uint64_t inheriting)
{
	struct fd_entry *e;
	uint32_t err;

	rt_check_stack();
	if (!(e = wasi_fd(vm, fd, 0, &err)))
		return err;
	/* Rights only ever narrow. */
	if ((rights & ~e->rights) || (inheriting & ~e->inheriting))
		return WASI_ENOTCAPABLE;
	e->rights = rights;
	e->inheriting = inheriting;
	return WASI_ESUCCESS;
}

uint32_t Z_wasi_snapshot_preview1Z_fd_filestat_get(struct cvm *vm, uint32_t fd, uint32_t out)
{
	uint8_t rec[WASI_FILESTAT_BYTES];
	struct vfs_stat st = {0};
	struct fd_entry *e;
	uint32_t err;
	int rc;

	rt_check_stack();
	if (!(e = wasi_fd(vm, fd, WASI_RIGHT_FD_FILESTAT_GET, &err)))
		return err;
	if (e->kind == FD_NODE) {
		if ((rc = e->u.node->fs->ops->stat(e->u.node, &st)) < 0)
			return wasi_err(rc);
	} else {
		st.filetype = fd_filetype(vm, e);
		st.nlink = 1;
	}
	wasi_put_filestat(rec, &st);
	return gm_store(vm, out, rec, sizeof(rec)) ? WASI_EFAULT : WASI_ESUCCESS;
}

uint32_t Z_wasi_snapshot_preview1Z_fd_filestat_set_size(struct cvm *vm, uint32_t fd,
							uint64_t size)
{
	struct fd_entry *e;
	uint32_t err;

	rt_check_stack();
	if (!(e = wasi_fd(vm, fd, WASI_RIGHT_FD_FILESTAT_SET_SIZE, &err)))
		return err;
	if (e->kind != FD_NODE || e->u.node->is_dir || (int64_t)size < 0)
		return WASI_EINVAL;
	return wasi_err(e->u.node->fs->ops->set_size(e->u.node, size));
}

uint32_t Z_wasi_snapshot_preview1Z_fd_filestat_set_times(struct cvm *vm, uint32_t fd,
							 uint64_t atim, uint64_t mtim,
							 uint32_t fstflags)
{
	struct fd_entry *e;
	uint32_t err;

	rt_check_stack();
	if (!(e = wasi_fd(vm, fd, WASI_RIGHT_FD_FILESTAT_SET_TIMES, &err)))
		return err;
	if (!wasi_fstflags_valid(fstflags))
		return WASI_EINVAL;
	if (e->kind != FD_NODE)
		return WASI_ENOTSUP;
	return wasi_err(e->u.node->fs->ops->set_times(e->u.node, atim, mtim, fstflags));
}

uint32_t Z_wasi_snapshot_preview1Z_fd_advise(struct cvm *vm, uint32_t fd, uint64_t offset,
					     uint64_t len, uint32_t advice)
{
	uint32_t err;

	rt_check_stack();
	if (!file_fd(vm, fd, WASI_RIGHT_FD_ADVISE, false, &err))
		return err;
	if (advice > WASI_ADVICE_NOREUSE || (int64_t)offset < 0 || (int64_t)len < 0)
		return WASI_EINVAL;
	/* Advice is a hint: a valid one is taken, and changes nothing here. */
	return WASI_ESUCCESS;
}

uint32_t Z_wasi_snapshot_preview1Z_fd_allocate(struct cvm *vm, uint32_t fd, uint64_t offset,
					       uint64_t len)
{
	struct fd_entry *e;
	uint32_t err;

	rt_check_stack();
	if (!(e = file_fd(vm, fd, WASI_RIGHT_FD_ALLOCATE, false, &err)))
		return err;
	if ((int64_t)offset < 0 || (int64_t)len <= 0 || offset + len > (uint64_t)INT64_MAX)
		return WASI_EINVAL;
	return wasi_err(e->u.node->fs->ops->allocate(e->u.node, offset, len));
}

static uint32_t fd_sync(struct cvm *vm, uint32_t fd, uint64_t right, bool data_only)
{
	struct fd_entry *e;
	uint32_t err;

	if (!(e = wasi_fd(vm, fd, right, &err)))
		return err;
	if (e->kind != FD_NODE)
		return WASI_EINVAL;
	return wasi_err(e->u.node->fs->ops->sync(e->u.node, data_only));
}

uint32_t Z_wasi_snapshot_preview1Z_fd_sync(struct cvm *vm, uint32_t fd)
{
	rt_check_stack();
	return fd_sync(vm, fd, WASI_RIGHT_FD_SYNC, false);
}

uint32_t Z_wasi_snapshot_preview1Z_fd_datasync(struct cvm *vm, uint32_t fd)
{
	rt_check_stack();
	return fd_sync(vm, fd, WASI_RIGHT_FD_DATASYNC, true);
}

/* ---- folders: listing, pre-opens ---- */

uint32_t Z_wasi_snapshot_preview1Z_fd_readdir(struct cvm *vm, uint32_t fd, uint32_t buf,
					      uint32_t len, uint64_t cookie, uint32_t bufused)
{
	struct vfs_dirent d;
	struct fd_entry *e;
	uint8_t *out;
	uint32_t err, used = 0;
	int rc;

	rt_check_stack();
	if (!(e = wasi_dir(vm, fd, WASI_RIGHT_FD_READDIR, &err)))
		return err;
	out = gm_range(vm, buf, len);
	if (!out || !gm_range(vm, bufused, 4))
		return WASI_EFAULT;
	/* Entries go out whole while they fit; the last one is cut at the buffer's end. */
	while (used < len) {
		uint8_t head[WASI_DIRENT_BYTES] = {0};
		uint32_t take;

		rc = e->u.node->fs->ops->readdir(e->u.node, cookie, &d);
		if (rc < 0)
			return wasi_err(rc);
		if (rc == 0)
			break;
		memcpy(head, &d.next, 8);
		memcpy(head + 8, &d.ino, 8);
		memcpy(head + 16, &d.namelen, 4);
		head[20] = d.filetype;
		take = len - used < sizeof(head) ? len - used : (uint32_t)sizeof(head);
		memcpy(out + used, head, take);
		used += take;
		take = len - used < d.namelen ? len - used : d.namelen;
		memcpy(out + used, d.name, take);
		used += take;
		cookie = d.next;
	}
	gm_store_u32(vm, bufused, used);
	return WASI_ESUCCESS;
}

uint32_t Z_wasi_snapshot_preview1Z_fd_prestat_get(struct cvm *vm, uint32_t fd, uint32_t out)
{
	struct fd_entry *e = fdt_get(vm, fd);
	uint8_t rec[WASI_PRESTAT_BYTES] = {0};
	uint32_t len;

	rt_check_stack();
	if (!e || !e->preopen)
		return WASI_EBADF;
	len = (uint32_t)strlen(e->preopen);
	memcpy(rec + 4, &len, 4); /* tag 0: a folder */
	return gm_store(vm, out, rec, sizeof(rec)) ? WASI_EFAULT : WASI_ESUCCESS;
}

uint32_t Z_wasi_snapshot_preview1Z_fd_prestat_dir_name(struct cvm *vm, uint32_t fd,
						       uint32_t path, uint32_t len)
{
	struct fd_entry *e = fdt_get(vm, fd);
	size_t need;

	rt_check_stack();
	if (!e || !e->preopen)
		return WASI_EBADF;
	need = strlen(e->preopen);
	if (len < need)
		return WASI_ENAMETOOLONG;
	return gm_store(vm, path, e->preopen, (uint32_t)need) ? WASI_EFAULT : WASI_ESUCCESS;
}

/* ---- closing and renumbering ---- */

uint32_t Z_wasi_snapshot_preview1Z_fd_close(struct cvm *vm, uint32_t fd)
{
	struct fd_entry *e = fdt_get(vm, fd);

	rt_check_stack();
	if (e && e->kind == FD_CONSOLE && e->u.console)
		console_flush(console_out(vm, e));
	/* Dropping a stream end: the last writer's close is EOF for the readers. */
	return wasi_err(fdt_close(vm, fd));
}

uint32_t Z_wasi_snapshot_preview1Z_fd_renumber(struct cvm *vm, uint32_t from, uint32_t to)
{
	struct fd_entry *e = fdt_get(vm, to);

	rt_check_stack();
	if (e && fdt_get(vm, from) && e->kind == FD_CONSOLE && e->u.console)
		console_flush(console_out(vm, e));
	return wasi_err(fdt_renumber(vm, from, to));
}
