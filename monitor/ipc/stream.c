/* CAP_STREAM: rings in monitor memory, their ends as capabilities, waiting on them, names. */
#include <linux/futex.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "cap.h"
#include "config.h"
#include "cvm.h"
#include "guestmem.h"
#include "ipc.h"
#include "posix/fdtable.h"
#include "rt.h"
#include "rt/interrupt.h"
#include "stream.h"

/*
 * How long a side that must wait first watches the ring before it sleeps. A peer that is
 * running answers within a few hundred nanoseconds, so a round trip then costs no system
 * call at all; sleeping and being woken costs two (futex wait and wake) and a trip through
 * the scheduler, tens of microseconds on a virtual machine. The price: a side whose peer
 * is slow burns up to this much CPU before each sleep. See docs/streams.md.
 */
#define STREAM_SPIN_NS 50000u
/* Spin iterations between two looks at the clock (a vDSO call). */
#define SPIN_CHECK_EVERY 64u

/* Most pieces one send or receive takes (WASI's iovec limit), and items one poll takes. */
#define STREAM_IOV_MAX 1024u
#define STREAM_POLL_MAX 128u

/* Names and accounts hash into buckets. */
#define NBUCKETS 1024u

/* Most tickets one advertisement may promise: a bound on the open counts. */
#define TAKERS_MAX 65536u

/* ---- waiting: futex words, and queues of waiters a producer wakes ---- */

/* A thread about to sleep: the futex word it sleeps on, set to 1 when it is woken. */
struct waiter {
	_Atomic uint32_t word;
};

struct wait_link {
	struct waiter *w;
	struct wait_link *next, *prev;
};

/*
 * The waiters of one condition. Producers read n without the lock and skip everything while
 * it is 0, so data that flows while its reader is awake costs no lock and no system call.
 */
struct waitq {
	pthread_mutex_t lock;
	_Atomic uint32_t n;
	struct wait_link *head;
};

static long futex(_Atomic uint32_t *word, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, word, op, val, ts, NULL, 0);
}

static void waitq_init(struct waitq *q)
{
	pthread_mutex_init(&q->lock, NULL);
	atomic_init(&q->n, 0);
	q->head = NULL;
}

/*
 * Queues w on q. The caller re-checks its condition afterwards: the seq_cst increment of n
 * and the producer's fence in waitq_wake order either the producer's change before the
 * re-check, or this registration before the producer's look at n.
 */
static void waitq_add(struct waitq *q, struct wait_link *l, struct waiter *w)
{
	l->w = w;
	l->prev = NULL;
	pthread_mutex_lock(&q->lock);
	l->next = q->head;
	if (q->head)
		q->head->prev = l;
	q->head = l;
	atomic_fetch_add(&q->n, 1);
	pthread_mutex_unlock(&q->lock);
}

static void waitq_del(struct waitq *q, struct wait_link *l)
{
	pthread_mutex_lock(&q->lock);
	if (l->prev)
		l->prev->next = l->next;
	else
		q->head = l->next;
	if (l->next)
		l->next->prev = l->prev;
	atomic_fetch_sub(&q->n, 1);
	pthread_mutex_unlock(&q->lock);
}

/* Wakes every waiter of q; the caller has changed what they wait for. */
static void waitq_wake(struct waitq *q)
{
	struct wait_link *l;

	atomic_thread_fence(memory_order_seq_cst);
	if (!atomic_load(&q->n))
		return;
	pthread_mutex_lock(&q->lock);
	for (l = q->head; l; l = l->next) {
		atomic_store(&l->w->word, 1);
		futex(&l->w->word, FUTEX_WAKE_PRIVATE, 1, NULL);
	}
	pthread_mutex_unlock(&q->lock);
}

/*
 * Sleeps until woken or until deadline (CLOCK_MONOTONIC ns; 0: none): 0 or -IV_ETIMEDOUT,
 * which a stop of the monitor (rt_request_stop) also ends with: a sleep without deadline
 * looks for it every STOP_CHECK_NS.
 */
#define STOP_CHECK_NS 100000000u

static int waiter_sleep(struct waiter *w, uint64_t deadline)
{
	struct timespec ts;
	uint64_t now, left;

	while (!atomic_load(&w->word)) {
		if (rt_stop_requested())
			return -IV_ETIMEDOUT;
		if (!deadline) {
			ts.tv_sec = 0;
			ts.tv_nsec = STOP_CHECK_NS;
			futex(&w->word, FUTEX_WAIT_PRIVATE, 0, &ts);
			continue;
		}
		now = rt_now_ns();
		if (now >= deadline)
			return -IV_ETIMEDOUT;
		left = deadline - now;
		ts.tv_sec = (time_t)(left / 1000000000u);
		ts.tv_nsec = (long)(left % 1000000000u);
		futex(&w->word, FUTEX_WAIT_PRIVATE, 0, &ts);
	}
	return 0;
}

/*
 * The absolute deadline of a wait of timeout_ns (-1: none), shortened to the thread's time
 * limit; 0 when neither applies.
 */
static uint64_t deadline_after(int64_t timeout_ns)
{
	uint64_t limit = rt_current_deadline(), d = 0;

	if (timeout_ns >= 0)
		d = rt_now_ns() + (uint64_t)timeout_ns;
	if (limit && (!d || limit < d))
		d = limit;
	return d;
}

int stream_trap_if_late(int rc)
{
	if (rc == -IV_ETIMEDOUT && rt_deadline_passed())
		rt_trap_late();
	return rc;
}

/* Cap-file notifications are rare: one queue serves every waiter, each re-checks its own. */
static struct waitq notify_q = {PTHREAD_MUTEX_INITIALIZER, 0, NULL};

void stream_notify_waiters(void)
{
	waitq_wake(&notify_q);
}

/* ---- accounts: what each cVM holds in the monitor, its streams' rings and its names ---- */

struct account {
	struct cvm *vm;   /* NULL once the cVM ended: then freed with its last stream */
	uint64_t bytes;   /* ring bytes of the live streams it made */
	unsigned names;   /* its advertisements */
	struct account *next;
};

static pthread_mutex_t accounts_lock = PTHREAD_MUTEX_INITIALIZER;
static struct account *accounts[NBUCKETS];

static struct account **account_bucket(const struct cvm *vm)
{
	return &accounts[((uintptr_t)vm >> 6) % NBUCKETS];
}

/* Frees an ended cVM's empty account (accounts_lock held). */
static void account_free_if_done(struct account *a)
{
	if (!a->vm && !a->bytes && !a->names)
		free(a);
}

/*
 * Charges vm's account with bytes of ring and names advertisements: its account, or NULL
 * with *err set (-IV_ENOMEM past IV_STREAM_BUDGET, -IV_EMFILE past the cVM's name limit).
 */
static struct account *charge(struct cvm *vm, uint64_t bytes, unsigned names, int *err)
{
	struct account *a;

	pthread_mutex_lock(&accounts_lock);
	for (a = *account_bucket(vm); a && a->vm != vm; a = a->next)
		;
	if (!a && (a = calloc(1, sizeof(*a)))) {
		a->vm = vm;
		a->next = *account_bucket(vm);
		*account_bucket(vm) = a;
	}
	if (!a || a->bytes + bytes > IV_STREAM_BUDGET)
		*err = -IV_ENOMEM;
	else if (a->names + names > vm->name_limit)
		*err = -IV_EMFILE; /* names cost the monitor memory, as capabilities do */
	else
		*err = 0;
	if (!*err) {
		a->bytes += bytes;
		a->names += names;
	}
	pthread_mutex_unlock(&accounts_lock);
	return *err ? NULL : a;
}

static void refund(struct account *a, uint64_t bytes, unsigned names)
{
	pthread_mutex_lock(&accounts_lock);
	a->bytes -= bytes;
	a->names -= names;
	account_free_if_done(a);
	pthread_mutex_unlock(&accounts_lock);
}

/* vm ended: its account leaves the table (a new cVM at that address starts afresh). */
static void account_cvm_ended(struct cvm *vm)
{
	struct account **p, *a;

	pthread_mutex_lock(&accounts_lock);
	for (p = account_bucket(vm); (a = *p) && a->vm != vm; p = &a->next)
		;
	if (a) {
		*p = a->next;
		a->vm = NULL;
		account_free_if_done(a);
	}
	pthread_mutex_unlock(&accounts_lock);
}

/* ---- the stream object ---- */

/*
 * A ring of size bytes (a power of two); head and tail count every byte ever written and
 * consumed, so head - tail is what the ring holds. Writers and readers each take their own
 * lock, only to keep to one of their kind at a time, and never while waiting. While data
 * flows, a writer and a reader share only head and tail, each on a cache line of its own
 * (the writer reads tail again only when the tail it saw last leaves too little room); the
 * rest is read-mostly, and the reference count, written only around waits, has a line too.
 */
struct stream {
	alignas(64) _Atomic uint64_t head;
	uint64_t seen_tail;           /* the writers' last look at tail (under wlock) */
	pthread_mutex_t wlock;
	alignas(64) _Atomic uint64_t tail;
	pthread_mutex_t rlock;
	alignas(64) uint8_t *ring;
	uint32_t size, mask;
	bool message;
	_Atomic int64_t open[2];      /* holders of each end, as cap.c counts them (and tickets) */
	struct waitq readable;        /* readers waiting for data or EOF */
	struct waitq writable;        /* writers waiting for room or EPIPE */
	struct account *account;      /* charged with size; NULL for the YAML's streams */
	alignas(64) _Atomic int refs; /* its two end objects, and waits under way */
};

/* The header of a message in the ring; the bytes follow it. */
struct msg_header {
	uint32_t len;
	uint32_t has_cap;
	struct cap_node *cap;         /* monitor-held copy of the attached capability */
};

_Static_assert(sizeof(struct msg_header) == IV_STREAM_MSG_OVERHEAD, "message header size");

static void ring_put(struct stream *s, uint64_t pos, const void *src, size_t len)
{
	size_t off = (size_t)(pos & s->mask), first = len < s->size - off ? len : s->size - off;

	memcpy(s->ring + off, src, first);
	memcpy(s->ring, (const uint8_t *)src + first, len - first);
}

static void ring_get(const struct stream *s, uint64_t pos, void *dst, size_t len)
{
	size_t off = (size_t)(pos & s->mask), first = len < s->size - off ? len : s->size - off;

	memcpy(dst, s->ring + off, first);
	memcpy((uint8_t *)dst + first, s->ring, len - first);
}

/* Copies len bytes of the pieces, from byte skip of them on, into the ring at pos. */
static void gather(struct stream *s, uint64_t pos, const struct iovec *iov, size_t skip,
		   size_t len)
{
	size_t k;

	while (len) {
		while (skip >= iov->iov_len) {
			skip -= iov->iov_len;
			iov++;
		}
		k = iov->iov_len - skip < len ? iov->iov_len - skip : len;
		ring_put(s, pos, (const uint8_t *)iov->iov_base + skip, k);
		pos += k;
		skip += k;
		len -= k;
	}
}

/* Copies len bytes from the ring at pos into the pieces, from their first byte on. */
static void scatter(const struct stream *s, uint64_t pos, const struct iovec *iov, size_t len)
{
	size_t k;

	for (; len; iov++) {
		k = iov->iov_len < len ? iov->iov_len : len;
		ring_get(s, pos, iov->iov_base, k);
		pos += k;
		len -= k;
	}
}

static void stream_free(struct stream *s, bool in_hook)
{
	struct msg_header m;
	uint64_t pos;

	/* Capabilities still in flight go with the stream. */
	for (pos = atomic_load(&s->tail); s->message && pos != atomic_load(&s->head);
	     pos += IV_STREAM_MSG_OVERHEAD + m.len) {
		ring_get(s, pos, &m, sizeof(m));
		if (m.has_cap) {
			if (in_hook)
				cap_release_node_in_hook(m.cap);
			else
				cap_release_node(m.cap);
		}
	}
	if (s->account)
		refund(s->account, s->size, 0);
	pthread_mutex_destroy(&s->wlock);
	pthread_mutex_destroy(&s->rlock);
	pthread_mutex_destroy(&s->readable.lock);
	pthread_mutex_destroy(&s->writable.lock);
	free(s->ring);
	free(s);
}

/* in_hook: the capability lock is held (the last end object went). */
static void stream_put(struct stream *s, bool in_hook)
{
	if (atomic_fetch_sub(&s->refs, 1) == 1)
		stream_free(s, in_hook);
}

static void end_get(void *priv)
{
	struct stream *s = priv;

	atomic_fetch_add(&s->refs, 1);
}

static void end_holders(void *priv, uint32_t end, int delta)
{
	struct stream *s = priv;

	/* The last writer gone is EOF for the readers; the last reader gone, EPIPE for writers. */
	if (atomic_fetch_add(&s->open[end], delta) + delta == 0)
		waitq_wake(end == IV_STREAM_WRITE ? &s->readable : &s->writable);
}

static void end_revoked(void *priv, uint32_t end)
{
	struct stream *s = priv;

	(void)end;
	/* Whoever waits may be waiting through the revoked capability: let them look again. */
	waitq_wake(&s->readable);
	waitq_wake(&s->writable);
}

static void end_released(void *priv, uint32_t end)
{
	(void)end;
	stream_put(priv, true);
}

static const struct cap_end_ops end_ops = {end_get, end_holders, end_revoked, end_released};

static uint32_t round_capacity(uint32_t capacity)
{
	uint32_t size = IV_STREAM_CAPACITY_MIN;

	while (size < capacity)
		size *= 2;
	return size;
}

/*
 * A stream of size bytes with both end objects, held by the monitor in roots[]. NULL when
 * out of memory; the account, if any, is then refunded.
 */
static struct stream *stream_make(uint32_t size, bool message, struct account *account,
				  struct cap_node *roots[2])
{
	struct stream *s = aligned_alloc(64, (sizeof(*s) + 63) / 64 * 64);
	uint32_t end;

	if (!s || !(s->ring = aligned_alloc(64, size))) {
		free(s);
		if (account)
			refund(account, size, 0);
		return NULL;
	}
	atomic_init(&s->head, 0);
	s->seen_tail = 0;
	atomic_init(&s->tail, 0);
	pthread_mutex_init(&s->wlock, NULL);
	pthread_mutex_init(&s->rlock, NULL);
	s->size = size;
	s->mask = size - 1;
	s->message = message;
	atomic_init(&s->open[0], 0);
	atomic_init(&s->open[1], 0);
	atomic_init(&s->refs, 1); /* this function's own, dropped below */
	waitq_init(&s->readable);
	waitq_init(&s->writable);
	s->account = account;
	roots[0] = roots[1] = NULL;
	for (end = 0; end < 2; end++) {
		atomic_fetch_add(&s->refs, 1); /* the end object's, dropped by end_released */
		roots[end] = cap_new_end(&end_ops, s, end, size);
		if (!roots[end]) {
			atomic_fetch_sub(&s->refs, 1);
			break;
		}
	}
	if (end < 2 && roots[0]) {
		cap_release_node(roots[0]);
		roots[0] = NULL;
	}
	stream_put(s, false);
	return end < 2 ? NULL : s;
}

int stream_new(struct cvm *vm, uint32_t capacity, uint32_t flags, int ends[2])
{
	struct cap_node *roots[2];
	struct account *account;
	uint32_t size;
	int err, h0, h1;

	if (flags & ~IV_STREAM_MESSAGE)
		return -IV_EINVAL;
	if (capacity == 0)
		capacity = IV_STREAM_CAPACITY_DEFAULT;
	if (capacity < IV_STREAM_CAPACITY_MIN || capacity > IV_STREAM_CAPACITY_MAX)
		return -IV_EINVAL;
	size = round_capacity(capacity);
	account = charge(vm, size, 0, &err);
	if (!account)
		return err;
	if (!stream_make(size, flags & IV_STREAM_MESSAGE, account, roots))
		return -IV_ENOMEM;
	h0 = cap_place_node(vm, roots[0]);
	h1 = h0 < 0 ? h0 : cap_place_node(vm, roots[1]);
	if (h1 < 0) {
		if (h0 > 0)
			cap_drop(vm, h0);
		else
			cap_release_node(roots[0]);
		cap_release_node(roots[1]);
		return h1;
	}
	ends[IV_STREAM_READ] = h0;
	ends[IV_STREAM_WRITE] = h1;
	return 0;
}

int stream_end_info(struct cvm *vm, int h, uint32_t *end, bool *message)
{
	void *priv;
	int err = cap_end(vm, h, 0, &priv, end);

	if (err)
		return err;
	*message = ((struct stream *)priv)->message;
	stream_put(priv, false);
	return 0;
}

/* ---- sending and receiving ---- */

/*
 * Host views of the guest's pieces, checked now, while the cVM cannot change its memory
 * (the caller runs for it and does not wait until it is done with them).
 */
static int resolve(struct cvm *vm, const struct stream_iov *g, uint32_t n, struct iovec *iov)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		iov[i].iov_len = g[i].len;
		iov[i].iov_base = gm_range(vm, g[i].ptr, g[i].len);
		if (!iov[i].iov_base)
			return -IV_EFAULT;
	}
	return 0;
}

static int sum_pieces(const struct stream_iov *g, uint32_t n, size_t *total)
{
	uint64_t t = 0;
	uint32_t i;

	if (n > STREAM_IOV_MAX)
		return -IV_EINVAL;
	for (i = 0; i < n; i++)
		t += g[i].len;
	/* The count sent or received must fit the i32 result. */
	if (t > INT32_MAX)
		return -IV_EINVAL;
	*total = (size_t)t;
	return 0;
}

static uint64_t room(const struct stream *s)
{
	return s->size - (atomic_load(&s->head) - atomic_load(&s->tail));
}

/* True when a side waiting on s may go on: writers for need bytes of room, readers for data. */
static bool ready(const struct stream *s, bool writer, uint64_t need)
{
	if (writer)
		return atomic_load(&s->open[IV_STREAM_READ]) == 0 || room(s) >= need;
	return atomic_load(&s->head) != atomic_load(&s->tail) ||
	       atomic_load(&s->open[IV_STREAM_WRITE]) == 0;
}

/*
 * Waits until ready(s, writer, need) or deadline, and drops the caller's reference to s.
 * First it watches the ring for STREAM_SPIN_NS; then it sleeps, with vm's lock free so
 * others may call into it. 0, or -IV_ETIMEDOUT. The caller looks everything up again after
 * (a handle may have been dropped or revoked while vm could be called).
 */
static int wait_for(struct cvm *vm, struct stream *s, bool writer, uint64_t need,
		    uint64_t deadline)
{
	struct waitq *q = writer ? &s->writable : &s->readable;
	uint64_t spin_end = rt_now_ns() + STREAM_SPIN_NS;
	struct wait_link link;
	struct waiter w;
	unsigned i;
	int rc = 0;

	for (i = 1; !ready(s, writer, need); i++) {
		if (i % SPIN_CHECK_EVERY == 0 && rt_now_ns() >= spin_end)
			goto sleep;
	}
	stream_put(s, false);
	return 0;
sleep:
	atomic_init(&w.word, 0);
	waitq_add(q, &link, &w);
	if (ready(s, writer, need)) {
		waitq_del(q, &link);
		stream_put(s, false);
		return 0;
	}
	ipc_block_begin(vm);
	rc = waiter_sleep(&w, deadline);
	/* Nothing of this wait may outlive it: ipc_block_end traps vm if it crashed meanwhile. */
	waitq_del(q, &link);
	stream_put(s, false);
	ipc_block_end(vm);
	return rc;
}

/* Room a byte send needs before it writes: all of a small one (never split), else a byte. */
static uint64_t bytes_needed(const struct stream *s, size_t total, size_t done)
{
	uint64_t atomic = s->size < IV_STREAM_ATOMIC ? s->size : IV_STREAM_ATOMIC;

	return done == 0 && total <= atomic ? total : 1;
}

/*
 * One attempt to send: 1 when all is sent, 0 when it must wait for room (*done counts what
 * went), -IV_EPIPE. capn, when sent, belongs to the ring (*capn cleared).
 */
static int try_send(struct stream *s, const struct iovec *iov, size_t total, size_t *done,
		    struct cap_node **capn)
{
	struct msg_header m;
	uint64_t head, space, need, k;

	if (!s->message && total == 0)
		return 1; /* as a pipe: writing nothing succeeds, reader or not */
	if (atomic_load(&s->open[IV_STREAM_READ]) == 0)
		return -IV_EPIPE;
	need = s->message ? IV_STREAM_MSG_OVERHEAD + total : bytes_needed(s, total, *done);
	pthread_mutex_lock(&s->wlock);
	head = atomic_load_explicit(&s->head, memory_order_relaxed);
	space = s->size - (head - s->seen_tail);
	if (space < need) {
		s->seen_tail = atomic_load_explicit(&s->tail, memory_order_acquire);
		space = s->size - (head - s->seen_tail);
	}
	if (space < need) {
		pthread_mutex_unlock(&s->wlock);
		return 0;
	}
	if (s->message) {
		memset(&m, 0, sizeof(m));
		m.len = (uint32_t)total;
		m.has_cap = *capn != NULL;
		m.cap = *capn;
		ring_put(s, head, &m, sizeof(m));
		gather(s, head + sizeof(m), iov, 0, total);
		k = need;
		*capn = NULL;
		*done = total;
	} else {
		k = space < total - *done ? space : total - *done;
		gather(s, head, iov, *done, (size_t)k);
		*done += (size_t)k;
	}
	atomic_store_explicit(&s->head, head + k, memory_order_release);
	pthread_mutex_unlock(&s->wlock);
	waitq_wake(&s->readable);
	return *done == total;
}

int stream_send(struct cvm *vm, int h, const struct stream_iov *g, uint32_t n, int cap,
		int64_t timeout_ns)
{
	struct iovec iov[STREAM_IOV_MAX];
	uint64_t deadline = 0;
	struct cap_node *capn;
	struct stream *s;
	size_t total, done = 0;
	uint32_t end;
	void *priv;
	int err, rc;

	err = sum_pieces(g, n, &total);
	if (err)
		return err;
	if (timeout_ns)
		deadline = deadline_after(timeout_ns);
	for (;;) {
		err = cap_end_fast(vm, h, IV_PERM_STORE, &priv, &end);
		if (err)
			return done ? (int)done : err;
		s = priv;
		capn = NULL;
		if (s->message && total > s->size - IV_STREAM_MSG_OVERHEAD)
			err = -IV_EMSGSIZE;
		else if (!s->message && cap)
			err = -IV_EINVAL; /* a capability needs a message to travel with */
		else
			err = resolve(vm, g, n, iov);
		if (!err && cap)
			capn = cap_hold_checked(vm, cap, IV_CAP_MEMORY, IV_PERM_GRANT, &err);
		rc = err ? err : try_send(s, iov, total, &done, &capn);
		/* The capability is held only while a send is tried, so revoking it meanwhile works. */
		if (capn)
			cap_release_node(capn);
		if (rc != 0 || timeout_ns == 0) {
			/* All sent (a message may be empty), or an error, or no room and no wait. */
			if (rc > 0 || done)
				return (int)done;
			return rc < 0 ? rc : -IV_EAGAIN;
		}
		end_get(s); /* for the wait, which may let in a call that drops h */
		err = wait_for(vm, s, true,
			       s->message ? IV_STREAM_MSG_OVERHEAD + total
					  : bytes_needed(s, total, done),
			       deadline);
		if (err)
			return done ? (int)done : err;
	}
}

/*
 * One attempt to receive: the count (>= 1, or a message's, possibly 0), 0 at EOF, -IV_EAGAIN
 * when it must wait, or another negated iv_error.
 */
static int try_recv(struct cvm *vm, struct stream *s, const struct iovec *iov, size_t total,
		    int *cap_out, struct cap_node **drop)
{
	struct msg_header m;
	uint64_t tail, avail, k;
	int h = 0;

	pthread_mutex_lock(&s->rlock);
	tail = atomic_load_explicit(&s->tail, memory_order_relaxed);
	avail = atomic_load_explicit(&s->head, memory_order_acquire) - tail;
	if (!avail) {
		pthread_mutex_unlock(&s->rlock);
		/* No writer left, and nothing was written before the last one went: EOF. */
		if (atomic_load(&s->open[IV_STREAM_WRITE]) == 0 && atomic_load(&s->head) == tail)
			return 0;
		return -IV_EAGAIN;
	}
	if (s->message) {
		ring_get(s, tail, &m, sizeof(m));
		if (m.len > total) {
			pthread_mutex_unlock(&s->rlock);
			return -IV_EMSGSIZE;
		}
		if (m.has_cap && cap_out) {
			h = cap_place_node(vm, m.cap);
			if (h == -IV_EMFILE || h == -IV_ENOMEM || h == -IV_ESRCH) {
				pthread_mutex_unlock(&s->rlock);
				return h; /* the message stays for a later try */
			}
			if (h < 0) { /* revoked on the way: the bytes arrive without it */
				*drop = m.cap;
				h = 0;
			}
		} else if (m.has_cap) {
			*drop = m.cap;
		}
		scatter(s, tail + sizeof(m), iov, m.len);
		k = IV_STREAM_MSG_OVERHEAD + m.len;
		if (cap_out)
			*cap_out = h;
		avail = m.len;
	} else {
		k = avail < total ? avail : total;
		scatter(s, tail, iov, (size_t)k);
		avail = k;
	}
	atomic_store_explicit(&s->tail, tail + k, memory_order_release);
	pthread_mutex_unlock(&s->rlock);
	waitq_wake(&s->writable);
	return (int)avail;
}

int stream_recv(struct cvm *vm, int h, const struct stream_iov *g, uint32_t n, int *cap_out,
		int64_t timeout_ns)
{
	struct iovec iov[STREAM_IOV_MAX];
	struct cap_node *drop;
	uint64_t deadline = 0;
	struct stream *s;
	size_t total;
	uint32_t end;
	void *priv;
	int err, rc;

	err = sum_pieces(g, n, &total);
	if (err)
		return err;
	if (cap_out)
		*cap_out = 0;
	if (timeout_ns)
		deadline = deadline_after(timeout_ns);
	for (;;) {
		err = cap_end_fast(vm, h, IV_PERM_LOAD, &priv, &end);
		if (err)
			return err;
		s = priv;
		drop = NULL;
		rc = resolve(vm, g, n, iov);
		if (!rc && (total || s->message))
			rc = try_recv(vm, s, iov, total, cap_out, &drop);
		if (rc != -IV_EAGAIN || timeout_ns == 0) {
			if (drop)
				cap_release_node(drop);
			return rc;
		}
		end_get(s);
		err = wait_for(vm, s, false, 0, deadline);
		if (err)
			return err;
	}
}

/* ---- waiting on several ends and capabilities ---- */

/* Room a write end must have to count as writable: what a small send needs. */
static uint64_t writable_room(const struct stream *s)
{
	return s->size < IV_STREAM_ATOMIC ? s->size : IV_STREAM_ATOMIC;
}

/*
 * Looks at one item: sets revents, seq, error and nbytes, and *sp to its stream (with a
 * reference) when it is a stream end. Returns 1 when the item is ready.
 */
static int check_item(struct cvm *vm, struct stream_poll *p, struct stream **sp)
{
	struct stream *s;
	uint32_t end, count;
	void *priv;
	int err;

	p->revents = 0;
	p->error = 0;
	p->nbytes = 0;
	*sp = NULL;
	if (p->events & IV_WAIT_NOTIFY) {
		err = cap_events(vm, p->handle, &count);
		if (!err && count != p->seq)
			p->revents = IV_WAIT_NOTIFY;
		if (!err)
			p->seq = count;
	} else {
		err = cap_end(vm, p->handle, 0, &priv, &end);
		if (!err && (end == IV_STREAM_READ) != !!(p->events & IV_WAIT_READ)) {
			stream_put(priv, false);
			err = -IV_EINVAL; /* waiting to read on a write end, or the reverse */
		}
	}
	if (err) {
		p->revents = IV_WAIT_ERROR;
		p->error = err;
		return 1;
	}
	if (p->events & IV_WAIT_NOTIFY)
		return p->revents != 0;
	*sp = s = priv;
	if (end == IV_STREAM_READ) {
		p->nbytes = atomic_load(&s->head) - atomic_load(&s->tail);
		if (p->nbytes)
			p->revents = IV_WAIT_READ;
		if (atomic_load(&s->open[IV_STREAM_WRITE]) == 0)
			p->revents |= IV_WAIT_READ | IV_WAIT_HUP; /* a read returns at once */
	} else {
		p->nbytes = room(s);
		if (atomic_load(&s->open[IV_STREAM_READ]) == 0)
			p->revents = IV_WAIT_HUP | IV_WAIT_WRITE; /* a send fails at once: EPIPE */
		else if (p->nbytes >= writable_room(s))
			p->revents = IV_WAIT_WRITE;
	}
	return p->revents != 0;
}

static bool any_stream_ready(struct stream *const *ss, const struct stream_poll *items,
			     uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (!ss[i])
			continue;
		if (items[i].events & IV_WAIT_READ ? ready(ss[i], false, 0)
						  : ready(ss[i], true, writable_room(ss[i])))
			return true;
	}
	return false;
}

static struct waitq *queue_of(struct stream *s, const struct stream_poll *item)
{
	return item->events & IV_WAIT_READ ? &s->readable : &s->writable;
}

static void put_all(struct stream **ss, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (ss[i])
			stream_put(ss[i], false);
}

int stream_poll(struct cvm *vm, struct stream_poll *items, uint32_t n, int64_t timeout_ns)
{
	struct stream *ss[STREAM_POLL_MAX];
	struct wait_link links[STREAM_POLL_MAX], notify_link;
	uint64_t deadline = 0, spin_end;
	bool notify = false, streams, blocked, last = false;
	struct waiter w;
	uint32_t i;
	int nready, rc;

	if (n > STREAM_POLL_MAX)
		return -IV_EINVAL;
	for (i = 0; i < n; i++)
		notify |= !!(items[i].events & IV_WAIT_NOTIFY);
	if (timeout_ns)
		deadline = deadline_after(timeout_ns);
	for (;;) {
		nready = 0;
		streams = false;
		for (i = 0; i < n; i++) {
			nready += check_item(vm, &items[i], &ss[i]);
			streams |= ss[i] != NULL;
		}
		if (nready || timeout_ns == 0 || last) {
			put_all(ss, n);
			/* Past the thread's time limit, the caller ends the cVM (stream_trap_if_late). */
			return !nready && last && rt_deadline_passed() ? -IV_ETIMEDOUT : nready;
		}
		spin_end = rt_now_ns() + STREAM_SPIN_NS;
		for (i = 1; streams && !any_stream_ready(ss, items, n); i++)
			if (i % SPIN_CHECK_EVERY == 0 && rt_now_ns() >= spin_end)
				break;
		if (streams && any_stream_ready(ss, items, n)) {
			put_all(ss, n);
			continue;
		}
		atomic_init(&w.word, 0);
		for (i = 0; i < n; i++)
			if (ss[i])
				waitq_add(queue_of(ss[i], &items[i]), &links[i], &w);
		if (notify)
			waitq_add(&notify_q, &notify_link, &w);
		rc = 0;
		/* A notification in between shows as a changed count on the next look. */
		blocked = !any_stream_ready(ss, items, n);
		if (blocked) {
			ipc_block_begin(vm);
			rc = waiter_sleep(&w, deadline);
		}
		for (i = 0; i < n; i++)
			if (ss[i])
				waitq_del(queue_of(ss[i], &items[i]), &links[i]);
		if (notify)
			waitq_del(&notify_q, &notify_link);
		put_all(ss, n);
		if (blocked)
			ipc_block_end(vm);
		/* After the deadline, one more look decides: ready items, or 0. */
		last = rc != 0;
	}
}

/* ---- names: advertising and probing ends, the YAML's streams ---- */

/* A handle the monitor gave a cVM listed in the YAML, for its first probe to return. */
struct grant {
	struct cvm *vm; /* NULL once it ended */
	int handle;
	bool claimed;
};

struct stream_name {
	char name[IV_NAME_MAX + 1];
	uint32_t end;
	struct cap_node *node;     /* the end, held by the monitor */
	struct stream *s;          /* kept alive by node */
	struct cvm *owner;         /* the advertiser; NULL: the YAML */
	struct account *account;   /* the advertiser's, charged with this name */
	bool ticketed;             /* withdrawn when its last ticket is taken */
	char **allow;              /* the YAML's cVMs for this end, NULL-terminated; NULL: all */
	struct grant *grants;
	size_t ngrants;
	struct stream_name *next;
};

static pthread_mutex_t names_lock = PTHREAD_MUTEX_INITIALIZER;
static struct waitq published = {PTHREAD_MUTEX_INITIALIZER, 0, NULL}; /* probers waiting */
static struct stream_name *names[NBUCKETS];

static struct stream_name **name_bucket(const char *name, uint32_t end)
{
	uint32_t h = 2166136261u ^ end; /* FNV-1a */

	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 16777619u;
	return &names[h % NBUCKETS];
}

static void name_free(struct stream_name *e)
{
	size_t i;

	if (e->account)
		refund(e->account, 0, 1);
	cap_forget_node(e->node);
	for (i = 0; e->allow && e->allow[i]; i++)
		free(e->allow[i]);
	free(e->allow);
	free(e->grants);
	free(e);
}

/* Unlinks *p and frees it (names_lock held). */
static void withdraw(struct stream_name **p)
{
	struct stream_name *e = *p;

	*p = e->next;
	name_free(e);
}

/* The live name for (name, end) (names_lock held); revoked ones are withdrawn on sight. */
static struct stream_name **find(const char *name, uint32_t end)
{
	struct stream_name **p, *e;

	for (p = name_bucket(name, end); (e = *p);) {
		if (e->end == end && !strcmp(e->name, name)) {
			if (!cap_node_live(e->node)) {
				withdraw(p);
				continue;
			}
			return p;
		}
		p = &e->next;
	}
	return NULL;
}

int stream_advertise(struct cvm *vm, const char *name, int h, uint32_t takers)
{
	struct stream_name *e, **b;
	uint32_t end;
	void *priv;
	int err;

	if (takers > TAKERS_MAX)
		return -IV_EINVAL;
	err = cap_end(vm, h, IV_PERM_GRANT, &priv, &end);
	if (err)
		return err;
	e = calloc(1, sizeof(*e));
	if (!e) {
		stream_put(priv, false);
		return -IV_ENOMEM;
	}
	e->node = cap_hold_checked(vm, h, IV_CAP_STREAM, IV_PERM_GRANT, &err);
	stream_put(priv, false); /* from now on e->node keeps the stream */
	if (!e->node) {
		free(e);
		return err;
	}
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->end = end;
	e->s = priv;
	e->owner = vm;
	e->ticketed = takers > 0;
	pthread_mutex_lock(&names_lock);
	if (find(name, end))
		err = -IV_EEXIST;
	else
		e->account = charge(vm, 0, 1, &err);
	if (err) {
		pthread_mutex_unlock(&names_lock);
		name_free(e);
		return err;
	}
	if (takers)
		cap_set_tickets(e->node, takers);
	b = name_bucket(name, end);
	e->next = *b;
	*b = e;
	waitq_wake(&published);
	pthread_mutex_unlock(&names_lock);
	return 0;
}

static bool allowed(const struct stream_name *e, const struct cvm *vm)
{
	size_t i;

	if (!e->allow)
		return true;
	for (i = 0; e->allow[i]; i++)
		if (!strcmp(e->allow[i], vm->name))
			return true;
	return false;
}

/* True when handle h of vm still names the end e advertises. */
static bool names_end(struct cvm *vm, int h, const struct stream_name *e)
{
	uint32_t end;
	void *priv;
	bool same;

	if (cap_end(vm, h, 0, &priv, &end))
		return false;
	same = priv == e->s && end == e->end;
	stream_put(priv, false);
	return same;
}

/* A capability to *p's end for vm (names_lock held). */
static int grant(struct stream_name **p, struct cvm *vm)
{
	struct stream_name *e = *p;
	uint32_t left;
	size_t i;
	int h;

	if (!allowed(e, vm))
		return -IV_EACCES;
	for (i = 0; i < e->ngrants; i++) {
		if (e->grants[i].vm == vm && !e->grants[i].claimed) {
			e->grants[i].claimed = true;
			if (names_end(vm, e->grants[i].handle, e))
				return e->grants[i].handle;
		}
	}
	if (!e->ticketed)
		return cap_grant_node(vm, e->node, NULL);
	h = cap_grant_ticket(vm, e->node, &left);
	if (left == 0)
		withdraw(p);
	return h;
}

int stream_probe(struct cvm *vm, const char *name, uint32_t end, int timeout_ms)
{
	uint64_t deadline = deadline_after(timeout_ms < 0 ? -1 : (int64_t)timeout_ms * 1000000);
	struct stream_name **p;
	struct wait_link link;
	struct waiter w;
	int rc;

	if (end > IV_STREAM_WRITE)
		return -IV_EINVAL;
	for (;;) {
		pthread_mutex_lock(&names_lock);
		p = find(name, end);
		if (p || timeout_ms == 0) {
			rc = p ? grant(p, vm) : -IV_ENOENT;
			pthread_mutex_unlock(&names_lock);
			return rc;
		}
		/* Queued before the lock goes, so a name published after the look wakes it. */
		atomic_init(&w.word, 0);
		waitq_add(&published, &link, &w);
		pthread_mutex_unlock(&names_lock);
		ipc_block_begin(vm);
		rc = waiter_sleep(&w, deadline);
		waitq_del(&published, &link);
		ipc_block_end(vm);
		if (rc)
			return rc;
	}
}

static char **copy_names(const struct cfg_stream_end *ends, size_t n)
{
	char **v = calloc(n + 1, sizeof(*v));
	size_t i;

	for (i = 0; v && i < n; i++) {
		if (!(v[i] = strdup(ends[i].cvm))) {
			while (i--)
				free(v[i]);
			free(v);
			return NULL;
		}
	}
	return v;
}

/*
 * Publishes end of a YAML stream and gives it to the cVMs listed; the entry takes root in
 * every case (names_lock held).
 */
static int publish_configured(const struct cfg_stream *c, struct stream *s, uint32_t end,
			      struct cap_node *root)
{
	const struct cfg_stream_end *ends = c->ends[end];
	size_t i, n = c->nends[end];
	struct stream_name *e, **b;
	struct cvm *vm;
	int h;

	if (find(c->name, end)) {
		cap_release_node(root);
		return -IV_EEXIST;
	}
	e = calloc(1, sizeof(*e));
	if (!e || !(e->grants = calloc(n ? n : 1, sizeof(*e->grants))) ||
	    !(e->allow = copy_names(ends, n))) {
		if (e)
			free(e->grants);
		free(e);
		cap_release_node(root);
		return -IV_ENOMEM;
	}
	snprintf(e->name, sizeof(e->name), "%s", c->name);
	e->end = end;
	e->node = root;
	e->s = s;
	b = name_bucket(e->name, end);
	e->next = *b;
	*b = e;
	for (i = 0; i < n; i++) {
		vm = cvm_find(ends[i].cvm);
		if (!vm)
			return -IV_ESRCH;
		h = cap_grant_node(vm, root, NULL);
		if (h < 0)
			return h;
		e->grants[e->ngrants++] = (struct grant){vm, h, ends[i].fd >= 0};
		if (ends[i].fd >= 0 && (h = fdt_bind_stream(vm, ends[i].fd, h)) < 0)
			return h;
	}
	return 0;
}

int stream_create_configured(const struct cfg_stream *c)
{
	struct cap_node *roots[2];
	struct stream *s;
	int err;

	s = stream_make(round_capacity(c->capacity ? c->capacity : IV_STREAM_CAPACITY_DEFAULT),
			c->message, NULL, roots);
	if (!s)
		return -IV_ENOMEM;
	pthread_mutex_lock(&names_lock);
	err = publish_configured(c, s, IV_STREAM_READ, roots[IV_STREAM_READ]);
	if (err)
		cap_release_node(roots[IV_STREAM_WRITE]);
	else
		err = publish_configured(c, s, IV_STREAM_WRITE, roots[IV_STREAM_WRITE]);
	pthread_mutex_unlock(&names_lock);
	return err;
}

void stream_cvm_ended(struct cvm *vm)
{
	struct stream_name **p, *e;
	unsigned i;
	size_t j;

	pthread_mutex_lock(&names_lock);
	for (i = 0; i < NBUCKETS; i++) {
		for (p = &names[i]; (e = *p);) {
			for (j = 0; j < e->ngrants; j++)
				if (e->grants[j].vm == vm)
					e->grants[j].vm = NULL;
			if (e->owner == vm) {
				withdraw(p);
				continue;
			}
			p = &e->next;
		}
	}
	pthread_mutex_unlock(&names_lock);
	account_cvm_ended(vm);
}

void stream_clear(void)
{
	unsigned i;

	pthread_mutex_lock(&names_lock);
	for (i = 0; i < NBUCKETS; i++)
		while (names[i])
			withdraw(&names[i]);
	pthread_mutex_unlock(&names_lock);
}
