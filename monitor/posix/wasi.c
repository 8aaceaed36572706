/* The `posix` runtime: WASI preview1 as far as ordinary programs need (stdio, streams, clocks). */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "cvm.h"
#include "guestmem.h"
#include "hostcall.h"
#include "imports.h"
#include "ipc/ipc.h"
#include "ipc/stream.h"
#include "rt.h"
#include "rt/interrupt.h"
#include "wasi.h"

/* WASI preview1 errno values (the ABI's enum covers the common ones, with the same values). */
enum {
	WASI_ESUCCESS = 0,
	WASI_EBADF = 8,
	WASI_EFAULT = 21,
	WASI_EINVAL = 28,
	WASI_EIO = 29,
	WASI_ENOSYS = 52,
	WASI_ESPIPE = 70,
};

#define WASI_FILETYPE_CHARACTER_DEVICE 2
#define WASI_FILETYPE_SOCKET_DGRAM 5
#define WASI_FILETYPE_SOCKET_STREAM 6
#define WASI_FDFLAGS_NONBLOCK (1u << 2)
#define WASI_EVENTRWFLAGS_HANGUP 1
#define WASI_RIGHT_FD_READ (1ull << 1)
#define WASI_RIGHT_FD_WRITE (1ull << 6)
#define WASI_RIGHT_POLL_FD_READWRITE (1ull << 27)
#define WASI_EVENTTYPE_CLOCK 0
#define WASI_EVENTTYPE_FD_READ 1
#define WASI_EVENTTYPE_FD_WRITE 2
#define WASI_SUBCLOCKFLAGS_ABSTIME 1
#define WASI_SUBSCRIPTION_BYTES 48
#define WASI_EVENT_BYTES 32

/* At most this many iovecs per call (Linux's IOV_MAX) and subscriptions per poll. */
#define WASI_IOV_MAX 1024
#define WASI_POLL_MAX 4096

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

static int wasi_clock(uint32_t id, clockid_t *out)
{
	static const clockid_t ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
					CLOCK_THREAD_CPUTIME_ID};

	if (id >= sizeof(ids) / sizeof(ids[0]))
		return -1;
	*out = ids[id];
	return 0;
}

uint32_t Z_wasi_snapshot_preview1Z_clock_res_get(struct cvm *vm, uint32_t id, uint32_t out)
{
	struct timespec ts;
	clockid_t c;

	rt_check_stack();
	if (wasi_clock(id, &c))
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
	if (wasi_clock(id, &c))
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

uint32_t Z_wasi_snapshot_preview1Z_proc_raise(struct cvm *vm, uint32_t sig)
{
	(void)vm;
	(void)sig;
	return WASI_ENOSYS;
}

/* ---- descriptors: the console's stdio, and stream ends (ipc/stream.c) ---- */

/*
 * A descriptor is a stream end when the YAML or stream_fd bound one to it (fds 0-2
 * included); else fds 0-2 are the console's until closed.
 */
static int console_fd(struct cvm *vm, uint32_t fd)
{
	return fd <= 2 && !vm->stdio_closed[fd] && !cap_fd_get(vm, fd, NULL);
}

static int fd_open(struct cvm *vm, uint32_t fd)
{
	return console_fd(vm, fd) || cap_fd_get(vm, fd, NULL);
}

/* A stream layer result as a WASI errno, after a wait past the time limit ends the cVM. */
static uint32_t wasi_errno(int rc)
{
	return rc < 0 ? (uint32_t)-stream_trap_if_late(rc) : WASI_ESUCCESS;
}

/*
 * Checks an iovec array whole, as pieces for the stream layer, which checks each again
 * before it copies (it may wait in between); 0 or a WASI errno.
 */
static uint32_t load_stream_iovs(struct cvm *vm, uint32_t iovs, uint32_t n,
				 struct stream_iov *out)
{
	const uint8_t *raw;
	uint32_t i;

	if (n > WASI_IOV_MAX)
		return WASI_EINVAL;
	raw = gm_array(vm, iovs, n, 8);
	if (!raw)
		return WASI_EFAULT;
	for (i = 0; i < n; i++) {
		memcpy(&out[i].ptr, raw + 8 * i, 4);
		memcpy(&out[i].len, raw + 8 * i + 4, 4);
		if (!gm_range(vm, out[i].ptr, out[i].len))
			return WASI_EFAULT;
	}
	return WASI_ESUCCESS;
}

/* read or write on a stream descriptor (h: the end bound to it); *count gets the bytes. */
static uint32_t stream_io(struct cvm *vm, int h, uint32_t flags, bool write, uint32_t iovs,
			  uint32_t n, uint32_t count_ptr)
{
	struct stream_iov iov[WASI_IOV_MAX];
	int64_t timeout = flags & WASI_FDFLAGS_NONBLOCK ? 0 : -1;
	uint32_t err = load_stream_iovs(vm, iovs, n, iov);
	int rc;

	if (err)
		return err;
	if (!gm_range(vm, count_ptr, 4))
		return WASI_EFAULT;
	rc = write ? stream_send(vm, h, iov, n, 0, timeout) : stream_recv(vm, h, iov, n, NULL, timeout);
	/* Writing a read end (or reading a write end) is a descriptor not open for it. */
	if (rc == -IV_ENOTCAPABLE)
		return WASI_EBADF;
	if (rc < 0)
		return wasi_errno(rc);
	return gm_store_u32(vm, count_ptr, (uint32_t)rc) ? WASI_EFAULT : WASI_ESUCCESS;
}

/* Checks an iovec array whole and turns it into host iovecs; 0 or a WASI errno. */
static uint32_t load_iovs(struct cvm *vm, uint32_t iovs, uint32_t n, struct iovec *out)
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

uint32_t Z_wasi_snapshot_preview1Z_fd_write(struct cvm *vm, uint32_t fd, uint32_t iovs,
					    uint32_t n, uint32_t nwritten)
{
	struct iovec iov[WASI_IOV_MAX];
	uint64_t total;
	uint32_t err, flags;
	int h;

	rt_check_stack();
	h = cap_fd_get(vm, fd, &flags);
	if (h)
		return stream_io(vm, h, flags, true, iovs, n, nwritten);
	if (!console_fd(vm, fd) || fd == 0)
		return WASI_EBADF;
	err = load_iovs(vm, iovs, n, iov);
	if (err)
		return err;
	if (!gm_range(vm, nwritten, 4))
		return WASI_EFAULT;
	total = (uint64_t)console_writev(fd == 1 ? &vm->out : &vm->err, iov, (int)n);
	if ((int64_t)total < 0)
		return WASI_EIO;
	gm_store_u32(vm, nwritten, (uint32_t)(total > UINT32_MAX ? UINT32_MAX : total));
	return WASI_ESUCCESS;
}

uint32_t Z_wasi_snapshot_preview1Z_fd_read(struct cvm *vm, uint32_t fd, uint32_t iovs,
					   uint32_t n, uint32_t nread)
{
	struct iovec iov[WASI_IOV_MAX];
	ssize_t got = 0;
	uint32_t err, flags;
	int h;

	rt_check_stack();
	h = cap_fd_get(vm, fd, &flags);
	if (h)
		return stream_io(vm, h, flags, false, iovs, n, nread);
	if (!console_fd(vm, fd) || fd != 0)
		return WASI_EBADF;
	err = load_iovs(vm, iovs, n, iov);
	if (err)
		return err;
	if (!gm_range(vm, nread, 4))
		return WASI_EFAULT;
	if (vm->stdin_attached) {
		do
			got = readv(0, iov, (int)n);
		while (got < 0 && errno == EINTR);
		if (got < 0)
			return WASI_EIO;
	}
	gm_store_u32(vm, nread, (uint32_t)got);
	return WASI_ESUCCESS;
}

uint32_t Z_wasi_snapshot_preview1Z_fd_close(struct cvm *vm, uint32_t fd)
{
	rt_check_stack();
	if (cap_fd_get(vm, fd, NULL)) {
		/* Dropping the end: the last writer's close is EOF for the readers. */
		cap_fd_close(vm, fd);
		if (fd <= 2)
			vm->stdio_closed[fd] = true;
		return WASI_ESUCCESS;
	}
	if (!console_fd(vm, fd))
		return WASI_EBADF;
	if (fd == 1)
		console_flush(&vm->out);
	else if (fd == 2)
		console_flush(&vm->err);
	vm->stdio_closed[fd] = true;
	return WASI_ESUCCESS;
}

uint32_t Z_wasi_snapshot_preview1Z_fd_fdstat_get(struct cvm *vm, uint32_t fd, uint32_t out)
{
	uint8_t st[24] = {0};
	uint64_t rights = WASI_RIGHT_POLL_FD_READWRITE |
			  (fd == 0 ? WASI_RIGHT_FD_READ : WASI_RIGHT_FD_WRITE);
	uint32_t flags, end;
	uint16_t fdflags;
	bool message;
	int h, err;

	rt_check_stack();
	if (!gm_range(vm, out, sizeof(st)))
		return fd_open(vm, fd) ? WASI_EFAULT : WASI_EBADF;
	h = cap_fd_get(vm, fd, &flags);
	if (h) {
		/* A stream is no terminal: libc buffers it fully, as it would a pipe or socket. */
		err = stream_end_info(vm, h, &end, &message);
		if (err)
			return (uint32_t)-err;
		st[0] = message ? WASI_FILETYPE_SOCKET_DGRAM : WASI_FILETYPE_SOCKET_STREAM;
		fdflags = (uint16_t)flags;
		memcpy(st + 2, &fdflags, 2);
		rights = WASI_RIGHT_POLL_FD_READWRITE |
			 (end == IV_STREAM_READ ? WASI_RIGHT_FD_READ : WASI_RIGHT_FD_WRITE);
	} else if (console_fd(vm, fd)) {
		st[0] = WASI_FILETYPE_CHARACTER_DEVICE;
	} else {
		return WASI_EBADF;
	}
	memcpy(st + 8, &rights, 8);
	gm_store(vm, out, st, sizeof(st));
	return WASI_ESUCCESS;
}

/* A stream descriptor's status: a socket of no size; the console's is not provided yet. */
uint32_t Z_wasi_snapshot_preview1Z_fd_filestat_get(struct cvm *vm, uint32_t fd, uint32_t out)
{
	uint8_t st[64] = {0};
	uint32_t end;
	bool message;
	int h, err;

	rt_check_stack();
	h = cap_fd_get(vm, fd, NULL);
	if (!h)
		return console_fd(vm, fd) ? WASI_ENOSYS : WASI_EBADF;
	if (!gm_range(vm, out, sizeof(st)))
		return WASI_EFAULT;
	err = stream_end_info(vm, h, &end, &message);
	if (err)
		return (uint32_t)-err;
	st[16] = message ? WASI_FILETYPE_SOCKET_DGRAM : WASI_FILETYPE_SOCKET_STREAM;
	gm_store(vm, out, st, sizeof(st));
	return WASI_ESUCCESS;
}

/* Only a stream descriptor's blocking can change (O_NONBLOCK); the console's cannot. */
uint32_t Z_wasi_snapshot_preview1Z_fd_fdstat_set_flags(struct cvm *vm, uint32_t fd,
						       uint32_t flags)
{
	rt_check_stack();
	if (!cap_fd_get(vm, fd, NULL))
		return console_fd(vm, fd) ? WASI_ENOSYS : WASI_EBADF;
	if (flags & ~WASI_FDFLAGS_NONBLOCK)
		return WASI_EINVAL;
	cap_fd_set_flags(vm, fd, flags);
	return WASI_ESUCCESS;
}

uint32_t Z_wasi_snapshot_preview1Z_fd_seek(struct cvm *vm, uint32_t fd, uint64_t offset,
					   uint32_t whence, uint32_t out)
{
	(void)offset;
	(void)whence;
	(void)out;
	return fd_open(vm, fd) ? WASI_ESPIPE : WASI_EBADF;
}

uint32_t Z_wasi_snapshot_preview1Z_fd_tell(struct cvm *vm, uint32_t fd, uint32_t out)
{
	(void)out;
	return fd_open(vm, fd) ? WASI_ESPIPE : WASI_EBADF;
}

/* No folders are pre-opened yet: wasi-libc asks from fd 3 up and stops at EBADF. */
uint32_t Z_wasi_snapshot_preview1Z_fd_prestat_get(struct cvm *vm, uint32_t fd, uint32_t out)
{
	(void)vm;
	(void)fd;
	(void)out;
	return WASI_EBADF;
}

uint32_t Z_wasi_snapshot_preview1Z_fd_prestat_dir_name(struct cvm *vm, uint32_t fd,
						       uint32_t path, uint32_t len)
{
	(void)vm;
	(void)fd;
	(void)path;
	(void)len;
	return WASI_EBADF;
}

/* ---- poll_oneoff: clocks (sleeping), the console's stdio, stream descriptors ---- */

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Sleeps ns with the cVM callable meanwhile; its time limit ends the sleep, and the cVM. */
static void sleep_ns(struct cvm *vm, uint64_t ns)
{
	struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};

	ipc_block_begin(vm);
	/* The watchdog's signal interrupts the sleep once the cVM's time is up. */
	while (nanosleep(&ts, &ts) && errno == EINTR && !rt_deadline_passed())
		;
	ipc_block_end(vm);
	if (rt_deadline_passed())
		wasm_rt_trap(WASM_RT_TRAP_TIMEOUT);
}

/* True when a clock subscription's time has come, waited ns after the first look. */
static bool clock_due(const uint8_t *s, uint64_t waited)
{
	uint64_t timeout;
	uint16_t flags;
	uint32_t id;
	clockid_t c;

	memcpy(&id, s + 16, 4);
	memcpy(&timeout, s + 24, 8);
	memcpy(&flags, s + 40, 2);
	if (flags & WASI_SUBCLOCKFLAGS_ABSTIME)
		return !wasi_clock(id, &c) && now_ns(c) >= timeout;
	return timeout <= waited;
}

/* Fills one event: the subscription's userdata and type, an error, and fd readiness. */
static void put_event(uint8_t *e, const uint8_t *sub, uint16_t error, uint64_t nbytes,
		      uint16_t rwflags)
{
	memset(e, 0, WASI_EVENT_BYTES);
	memcpy(e, sub, 8);
	memcpy(e + 8, &error, 2);
	e[10] = sub[8];
	memcpy(e + 16, &nbytes, 8);
	memcpy(e + 24, &rwflags, 2);
}

uint32_t Z_wasi_snapshot_preview1Z_poll_oneoff(struct cvm *vm, uint32_t in, uint32_t out,
					       uint32_t nsubs, uint32_t nevents_ptr)
{
	struct stream_poll items[IV_STREAM_FD_MAX * 2];
	uint32_t at[IV_STREAM_FD_MAX * 2]; /* the subscription of each item */
	const uint8_t *subs;
	uint8_t *events;
	uint64_t wait_ns = UINT64_MAX, start = 0, waited = 0;
	uint32_t i, k, nitems = 0, nevents = 0, nearest = UINT32_MAX;
	int have_ready = 0, rc = 0;

	rt_check_stack();
	if (nsubs == 0 || nsubs > WASI_POLL_MAX)
		return WASI_EINVAL;
	subs = gm_array(vm, in, nsubs, WASI_SUBSCRIPTION_BYTES);
	events = gm_array(vm, out, nsubs, WASI_EVENT_BYTES);
	if (!subs || !events || !gm_range(vm, nevents_ptr, 4))
		return WASI_EFAULT;

	/* First pass: validate everything, find the nearest clock and the streams to watch. */
	for (i = 0; i < nsubs; i++) {
		const uint8_t *s = subs + (size_t)i * WASI_SUBSCRIPTION_BYTES;
		uint32_t id, fd;
		uint64_t timeout;
		uint16_t flags;
		clockid_t c;
		int h;

		if (s[8] == WASI_EVENTTYPE_CLOCK) {
			memcpy(&id, s + 16, 4);
			memcpy(&timeout, s + 24, 8);
			memcpy(&flags, s + 40, 2);
			if (wasi_clock(id, &c))
				return WASI_EINVAL;
			if (flags & WASI_SUBCLOCKFLAGS_ABSTIME) {
				uint64_t now = now_ns(c);
				timeout = timeout > now ? timeout - now : 0;
			}
			if (timeout < wait_ns) {
				wait_ns = timeout;
				nearest = i;
			}
		} else if (s[8] == WASI_EVENTTYPE_FD_READ || s[8] == WASI_EVENTTYPE_FD_WRITE) {
			memcpy(&fd, s + 16, 4);
			h = cap_fd_get(vm, fd, NULL);
			if (!h) {
				have_ready = 1; /* the console is always ready, a bad fd fails at once */
				continue;
			}
			if (nitems == sizeof(items) / sizeof(items[0]))
				return WASI_EINVAL;
			memset(&items[nitems], 0, sizeof(items[0]));
			items[nitems].handle = h;
			items[nitems].events = s[8] == WASI_EVENTTYPE_FD_READ ? IV_WAIT_READ
									 : IV_WAIT_WRITE;
			at[nitems++] = i;
		} else {
			return WASI_EINVAL;
		}
	}
	if (nitems) {
		start = rt_now_ns();
		rc = stream_poll(vm, items, nitems,
				 have_ready ? 0 : wait_ns > INT64_MAX ? -1 : (int64_t)wait_ns);
		if (rc < 0)
			return wasi_errno(rc);
		waited = rt_now_ns() - start;
		have_ready |= rc > 0;
	} else if (!have_ready && wait_ns != UINT64_MAX) {
		sleep_ns(vm, wait_ns);
		waited = wait_ns;
	}
	/* Second pass: report. The console's descriptors are always ready. */
	for (i = 0, k = 0; i < nsubs; i++) {
		const uint8_t *s = subs + (size_t)i * WASI_SUBSCRIPTION_BYTES;
		uint8_t *e = events + (size_t)nevents * WASI_EVENT_BYTES;
		uint32_t fd;

		if (s[8] == WASI_EVENTTYPE_CLOCK) {
			/* Clocks fire when nothing else is ready: the nearest, and any now due. */
			if (have_ready || (i != nearest && !clock_due(s, waited)))
				continue;
			put_event(e, s, WASI_ESUCCESS, 0, 0);
		} else if (k < nitems && at[k] == i) {
			const struct stream_poll *p = &items[k++];
			int err = p->revents & IV_WAIT_ERROR ? -p->error : 0;

			if (!p->revents)
				continue;
			/* The wrong direction of a stream (reading a write end) is a bad fd here. */
			put_event(e, s, (uint16_t)(err == IV_EINVAL ? WASI_EBADF : err), p->nbytes,
				  p->revents & IV_WAIT_HUP ? WASI_EVENTRWFLAGS_HANGUP : 0);
		} else {
			memcpy(&fd, s + 16, 4);
			put_event(e, s, console_fd(vm, fd) ? WASI_ESUCCESS : WASI_EBADF, 0, 0);
		}
		nevents++;
	}
	gm_store_u32(vm, nevents_ptr, nevents);
	return WASI_ESUCCESS;
}

/* ---- not provided yet: the file system, sockets and the rest arrive with the libOS ---- */

#define WASI_ENOSYS_1(fn, t1)                                                                 \
	uint32_t Z_wasi_snapshot_preview1Z_##fn(struct cvm *vm, t1 a)                          \
	{                                                                                      \
		(void)vm, (void)a;                                                             \
		return WASI_ENOSYS;                                                            \
	}
#define WASI_ENOSYS_2(fn, t1, t2)                                                             \
	uint32_t Z_wasi_snapshot_preview1Z_##fn(struct cvm *vm, t1 a, t2 b)                    \
	{                                                                                      \
		(void)vm, (void)a, (void)b;                                                    \
		return WASI_ENOSYS;                                                            \
	}
#define WASI_ENOSYS_3(fn, t1, t2, t3)                                                         \
	uint32_t Z_wasi_snapshot_preview1Z_##fn(struct cvm *vm, t1 a, t2 b, t3 c)              \
	{                                                                                      \
		(void)vm, (void)a, (void)b, (void)c;                                           \
		return WASI_ENOSYS;                                                            \
	}
#define WASI_ENOSYS_4(fn, t1, t2, t3, t4)                                                     \
	uint32_t Z_wasi_snapshot_preview1Z_##fn(struct cvm *vm, t1 a, t2 b, t3 c, t4 d)        \
	{                                                                                      \
		(void)vm, (void)a, (void)b, (void)c, (void)d;                                  \
		return WASI_ENOSYS;                                                            \
	}
#define WASI_ENOSYS_5(fn, t1, t2, t3, t4, t5)                                                 \
	uint32_t Z_wasi_snapshot_preview1Z_##fn(struct cvm *vm, t1 a, t2 b, t3 c, t4 d, t5 e)  \
	{                                                                                      \
		(void)vm, (void)a, (void)b, (void)c, (void)d, (void)e;                         \
		return WASI_ENOSYS;                                                            \
	}
#define WASI_ENOSYS_6(fn, t1, t2, t3, t4, t5, t6)                                             \
	uint32_t Z_wasi_snapshot_preview1Z_##fn(struct cvm *vm, t1 a, t2 b, t3 c, t4 d, t5 e,  \
						t6 f)                                          \
	{                                                                                      \
		(void)vm, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f;                \
		return WASI_ENOSYS;                                                            \
	}
#define WASI_ENOSYS_7(fn, t1, t2, t3, t4, t5, t6, t7)                                         \
	uint32_t Z_wasi_snapshot_preview1Z_##fn(struct cvm *vm, t1 a, t2 b, t3 c, t4 d, t5 e,  \
						t6 f, t7 g)                                    \
	{                                                                                      \
		(void)vm, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f, (void)g;       \
		return WASI_ENOSYS;                                                            \
	}
#define WASI_ENOSYS_9(fn, t1, t2, t3, t4, t5, t6, t7, t8, t9)                                 \
	uint32_t Z_wasi_snapshot_preview1Z_##fn(struct cvm *vm, t1 a, t2 b, t3 c, t4 d, t5 e,  \
						t6 f, t7 g, t8 h, t9 i)                        \
	{                                                                                      \
		(void)vm, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f, (void)g,       \
			(void)h, (void)i;                                                      \
		return WASI_ENOSYS;                                                            \
	}

typedef uint32_t u32;
typedef uint64_t u64;

WASI_ENOSYS_4(fd_advise, u32, u64, u64, u32)
WASI_ENOSYS_3(fd_allocate, u32, u64, u64)
WASI_ENOSYS_1(fd_datasync, u32)
WASI_ENOSYS_3(fd_fdstat_set_rights, u32, u64, u64)
WASI_ENOSYS_2(fd_filestat_set_size, u32, u64)
WASI_ENOSYS_4(fd_filestat_set_times, u32, u64, u64, u32)
WASI_ENOSYS_5(fd_pread, u32, u32, u32, u64, u32)
WASI_ENOSYS_5(fd_pwrite, u32, u32, u32, u64, u32)
WASI_ENOSYS_5(fd_readdir, u32, u32, u32, u64, u32)
WASI_ENOSYS_2(fd_renumber, u32, u32)
WASI_ENOSYS_1(fd_sync, u32)
WASI_ENOSYS_3(path_create_directory, u32, u32, u32)
WASI_ENOSYS_5(path_filestat_get, u32, u32, u32, u32, u32)
WASI_ENOSYS_7(path_filestat_set_times, u32, u32, u32, u32, u64, u64, u32)
WASI_ENOSYS_7(path_link, u32, u32, u32, u32, u32, u32, u32)
WASI_ENOSYS_9(path_open, u32, u32, u32, u32, u32, u64, u64, u32, u32)
WASI_ENOSYS_6(path_readlink, u32, u32, u32, u32, u32, u32)
WASI_ENOSYS_3(path_remove_directory, u32, u32, u32)
WASI_ENOSYS_6(path_rename, u32, u32, u32, u32, u32, u32)
WASI_ENOSYS_5(path_symlink, u32, u32, u32, u32, u32)
WASI_ENOSYS_3(path_unlink_file, u32, u32, u32)
