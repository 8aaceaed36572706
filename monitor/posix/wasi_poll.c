/* WASI poll_oneoff: clocks, and readiness of every kind of descriptor (files, streams, sockets). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cvm.h"
#include "guestmem.h"
#include "hostio.h"
#include "ipc/ipc.h"
#include "ipc/stream.h"
#include "net.h"
#include "rt.h"
#include "rt/interrupt.h"
#include "wasi.h"
#include "wasi_defs.h"
#include "wasi_util.h"

/* At most this many subscriptions per call. */
#define WASI_POLL_MAX 4096
/* Streams and host descriptors together are watched in turns of this many milliseconds. */
#define MIXED_SLICE_MS 1

/* How one subscription is watched. */
enum watch { W_CLOCK, W_READY, W_STREAM, W_HOST };

struct sub {
	enum watch how;
	uint16_t error;   /* W_READY: the event's error (a bad descriptor) */
	uint64_t nbytes;  /* W_READY: bytes readable, when known */
	uint32_t item;    /* W_STREAM: index in the stream items; W_HOST: in the pollfds */
};

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * The waits below never trap themselves: poll_oneoff frees what it holds first, then ends
 * the cVM whose time limit passed meanwhile.
 */

/* Sleeps ns with the cVM callable meanwhile; its time limit ends the sleep. */
static void sleep_ns(struct cvm *vm, uint64_t ns)
{
	struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};

	ipc_block_begin(vm);
	while (nanosleep(&ts, &ts) && errno == EINTR && !rt_deadline_passed())
		;
	ipc_block_end(vm);
}

/*
 * Waits until a stream item or a host descriptor is ready, or timeout_ns passes (-1: no
 * end). Returns the number ready (> 0), 0 on timeout, or a negated WASI errno
 * (-WASI_ETIMEDOUT when the cVM's time limit passed).
 */
static int wait_any(struct cvm *vm, struct stream_poll *items, uint32_t nitems,
		    struct pollfd *fds, uint32_t nfds, int64_t timeout_ns)
{
	uint64_t start;
	int rc, hr;

	if (!nfds)
		return stream_poll(vm, items, nitems, timeout_ns);
	if (!nitems)
		return hostio_poll(vm, fds, nfds, timeout_ns);
	/* Both kinds: each is looked at in turn, the host side waiting in short slices. */
	start = rt_now_ns();
	for (;;) {
		int64_t slice = MIXED_SLICE_MS * 1000000ll;

		rc = stream_poll(vm, items, nitems, 0);
		if (rc < 0)
			return rc;
		if (timeout_ns >= 0) {
			uint64_t spent = rt_now_ns() - start;
			int64_t left = spent >= (uint64_t)timeout_ns ? 0 : timeout_ns - (int64_t)spent;
			if (left < slice)
				slice = left;
		}
		hr = hostio_poll(vm, fds, nfds, rc > 0 ? 0 : slice);
		if (hr < 0)
			return hr;
		if (rc + hr > 0 || slice == 0)
			return rc + hr;
	}
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
		return !wasi_clock_id(id, &c) && now_ns(c) >= timeout;
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

/* Decides how subscription s on descriptor fd is watched, adding a stream item or pollfd. */
static void classify(struct cvm *vm, const uint8_t *s, struct sub *out,
		     struct stream_poll *items, uint32_t *nitems, struct pollfd *fds,
		     uint32_t *nfds)
{
	bool reading = s[8] == WASI_EVENTTYPE_FD_READ;
	struct fd_entry *e;
	struct vfs_stat st;
	uint32_t fd;

	memcpy(&fd, s + 16, 4);
	e = fdt_get(vm, fd);
	out->how = W_READY;
	if (!e) {
		out->error = WASI_EBADF;
		return;
	}
	switch (e->kind) {
	case FD_CONSOLE:
		if (reading && e->u.console == 0 && vm->stdin_attached) {
			out->how = W_HOST;
			out->item = *nfds;
			fds[(*nfds)++] = (struct pollfd){.fd = 0, .events = POLLIN};
		}
		break;
	case FD_NODE:
		/* Files are always ready; a read is told how much remains. */
		if (reading && !e->u.node->is_dir &&
		    e->u.node->fs->ops->stat(e->u.node, &st) == 0 && st.size > e->offset)
			out->nbytes = st.size - e->offset;
		break;
	case FD_STREAM:
		out->how = W_STREAM;
		out->item = *nitems;
		memset(&items[*nitems], 0, sizeof(items[0]));
		items[*nitems].handle = e->u.stream;
		items[*nitems].events = reading ? IV_WAIT_READ : IV_WAIT_WRITE;
		(*nitems)++;
		break;
	case FD_SOCKET:
		out->how = W_HOST;
		out->item = *nfds;
		fds[(*nfds)++] = (struct pollfd){.fd = net_sock_fd(e->u.sock),
						 .events = reading ? POLLIN : POLLOUT};
		break;
	}
}

uint32_t Z_wasi_snapshot_preview1Z_poll_oneoff(struct cvm *vm, uint32_t in, uint32_t out,
					       uint32_t nsubs, uint32_t nevents_ptr)
{
	const uint8_t *subs;
	uint8_t *events;
	struct sub *sv;
	struct stream_poll *items;
	struct pollfd *fds;
	uint64_t wait_ns = UINT64_MAX, waited = 0, start;
	uint32_t i, nitems = 0, nfds = 0, nevents = 0, nearest = UINT32_MAX;
	bool have_ready = false;
	void *mem;
	int rc = 0;

	rt_check_stack();
	if (nsubs == 0 || nsubs > WASI_POLL_MAX)
		return WASI_EINVAL;
	subs = gm_array(vm, in, nsubs, WASI_SUBSCRIPTION_BYTES);
	events = gm_array(vm, out, nsubs, WASI_EVENT_BYTES);
	if (!subs || !events || !gm_range(vm, nevents_ptr, 4))
		return WASI_EFAULT;
	mem = calloc(nsubs, sizeof(*sv) + sizeof(*items) + sizeof(*fds));
	if (!mem)
		return WASI_ENOMEM;
	sv = mem;
	items = (struct stream_poll *)(sv + nsubs);
	fds = (struct pollfd *)(items + nsubs);

	/* First pass: validate everything, find the nearest clock, sort what to watch. */
	for (i = 0; i < nsubs; i++) {
		const uint8_t *s = subs + (size_t)i * WASI_SUBSCRIPTION_BYTES;
		uint64_t timeout;
		uint16_t flags;
		uint32_t id;
		clockid_t c;

		if (s[8] == WASI_EVENTTYPE_CLOCK) {
			sv[i].how = W_CLOCK;
			memcpy(&id, s + 16, 4);
			memcpy(&timeout, s + 24, 8);
			memcpy(&flags, s + 40, 2);
			if (wasi_clock_id(id, &c) || (flags & ~WASI_SUBCLOCKFLAGS_ABSTIME)) {
				free(mem);
				return WASI_EINVAL;
			}
			if (flags & WASI_SUBCLOCKFLAGS_ABSTIME) {
				uint64_t now = now_ns(c);
				timeout = timeout > now ? timeout - now : 0;
			}
			if (timeout < wait_ns) {
				wait_ns = timeout;
				nearest = i;
			}
		} else if (s[8] == WASI_EVENTTYPE_FD_READ || s[8] == WASI_EVENTTYPE_FD_WRITE) {
			classify(vm, s, &sv[i], items, &nitems, fds, &nfds);
			have_ready |= sv[i].how == W_READY;
		} else {
			free(mem);
			return WASI_EINVAL;
		}
	}
	start = rt_now_ns();
	if (nitems || nfds) {
		rc = wait_any(vm, items, nitems, fds, nfds,
			      have_ready ? 0 : wait_ns > INT64_MAX ? -1 : (int64_t)wait_ns);
		have_ready |= rc > 0;
	} else if (!have_ready && wait_ns != UINT64_MAX) {
		sleep_ns(vm, wait_ns);
	}
	/* Past the time limit the cVM ends, with nothing of this call left allocated. */
	if (rt_deadline_passed()) {
		free(mem);
		rt_trap_late();
	}
	if (rc < 0) {
		free(mem);
		return (uint32_t)-rc;
	}
	waited = rt_now_ns() - start;
	/*
	 * While it waited, a call into vm may have mapped a capability window over the arrays:
	 * they are looked up again, so no event lands in memory that is not vm's own.
	 */
	subs = gm_array(vm, in, nsubs, WASI_SUBSCRIPTION_BYTES);
	events = gm_array(vm, out, nsubs, WASI_EVENT_BYTES);
	if (!subs || !events || !gm_range(vm, nevents_ptr, 4)) {
		free(mem);
		return WASI_EFAULT;
	}
	/* Second pass: report. */
	for (i = 0; i < nsubs; i++) {
		const uint8_t *s = subs + (size_t)i * WASI_SUBSCRIPTION_BYTES;
		uint8_t *e = events + (size_t)nevents * WASI_EVENT_BYTES;

		switch (sv[i].how) {
		case W_CLOCK:
			/* Clocks fire when nothing else is ready: the nearest, and any now due. */
			if (have_ready || (i != nearest && !clock_due(s, waited)))
				continue;
			put_event(e, s, WASI_ESUCCESS, 0, 0);
			break;
		case W_READY:
			put_event(e, s, sv[i].error, sv[i].nbytes, 0);
			break;
		case W_STREAM: {
			const struct stream_poll *p = &items[sv[i].item];
			int err = p->revents & IV_WAIT_ERROR ? -p->error : 0;

			if (!p->revents)
				continue;
			/* The wrong direction of a stream (reading a write end) is a bad fd here. */
			put_event(e, s, (uint16_t)(err == IV_EINVAL ? WASI_EBADF : err), p->nbytes,
				  p->revents & IV_WAIT_HUP ? WASI_EVENTRWFLAGS_HANGUP : 0);
			break;
		}
		case W_HOST: {
			const struct pollfd *p = &fds[sv[i].item];

			if (!p->revents)
				continue;
			put_event(e, s, p->revents & POLLNVAL ? WASI_EBADF : WASI_ESUCCESS, 0,
				  p->revents & (POLLHUP | POLLERR) ? WASI_EVENTRWFLAGS_HANGUP : 0);
			break;
		}
		}
		nevents++;
	}
	free(mem);
	gm_store_u32(vm, nevents_ptr, nevents);
	return WASI_ESUCCESS;
}
