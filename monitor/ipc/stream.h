/* CAP_STREAM: streams between cVMs (stream.c), used by their hostcalls and by the posix runtime. */
#ifndef IV_STREAM_H
#define IV_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "intravisor/abi.h"

struct cvm;
struct cfg_stream;

/*
 * Every function taking a cVM runs for it: on its own thread or in a call into it (so its
 * handles stay put while it does not wait). Results are >= 0 or a negated enum iv_error.
 * Timeouts are in nanoseconds: -1 waits without limit, 0 never waits (-IV_EAGAIN). A wait
 * lets other cVMs call into vm meanwhile, and ends at the thread's time limit too: the
 * result is then -IV_ETIMEDOUT, and the caller traps the cVM (rt_deadline_passed).
 */

/*
 * A piece of guest memory, as the guest gave it. The caller checked it with gm_range; the
 * stream checks it again before every copy, since a wait lets the cVM's memory change.
 */
struct stream_iov {
	uint32_t ptr, len;
};

/*
 * Passes rc on, unless it is a wait that ended at the thread's time limit: that ends the
 * cVM with a time-limit trap. Call it with nothing held, at the guest edge.
 */
int stream_trap_if_late(int rc);

/* A new stream made by vm (see abi.h stream_new): ends[0] reads, ends[1] writes. */
int stream_new(struct cvm *vm, uint32_t capacity, uint32_t flags, int ends[2]);

/*
 * Sends the bytes of iov through write end h (with memory capability cap attached when
 * cap > 0); returns the count sent. Byte streams send everything unless the timeout or an
 * error ends the wait part-way, which returns the count sent so far.
 */
int stream_send(struct cvm *vm, int h, const struct stream_iov *iov, uint32_t niov, int cap,
		int64_t timeout_ns);

/*
 * Receives into iov from read end h: the count, 0 at EOF. *cap_out (when cap_out is not
 * NULL) gets the handle of the capability attached to the message, or 0.
 */
int stream_recv(struct cvm *vm, int h, const struct stream_iov *iov, uint32_t niov,
		int *cap_out, int64_t timeout_ns);

/* One item of stream_poll: struct iv_wait, plus the bytes readable or writable. */
struct stream_poll {
	int handle;
	uint32_t events, revents; /* enum iv_wait_events */
	uint32_t seq;
	int error;
	uint64_t nbytes;
};

/*
 * Waits until an item is ready (see abi.h stream_wait); returns how many are, 0 when the
 * timeout passed, -IV_ETIMEDOUT when the thread's time limit did.
 */
int stream_poll(struct cvm *vm, struct stream_poll *items, uint32_t n, int64_t timeout_ns);

/* Wakes the cVMs waiting for IV_WAIT_NOTIFY (after cap_notify counted an event). */
void stream_notify_waiters(void);

/* What a posix descriptor needs to know of the end behind h: which end, which mode. */
int stream_end_info(struct cvm *vm, int h, uint32_t *end, bool *message);

/* Advertising and probing by name (abi.h stream_adv, stream_prb); name is checked. */
int stream_advertise(struct cvm *vm, const char *name, int h, uint32_t takers);
int stream_probe(struct cvm *vm, const char *name, uint32_t end, int timeout_ms);

/*
 * Creates a stream of the YAML, before any cVM starts: each cVM listed among its writers or
 * readers gets the end in its table (and bound to a descriptor when the YAML says so), and
 * the name is advertised for stream_prb. The cVMs must exist. 0 or a negated iv_error.
 */
int stream_create_configured(const struct cfg_stream *c);

/* vm is ending: what it advertised is withdrawn (cap_cvm_teardown calls this). */
void stream_cvm_ended(struct cvm *vm);

/* The monitor is ending: the YAML's streams and every advertisement go. */
void stream_clear(void);

#endif
