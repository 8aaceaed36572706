/* Unit tests of stream ends in capability tables: holders, tickets, revocation, fast lookup. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "cap.h"
#include "cvm.h"
#include "fake_cvm.h"
#include "ipc/stream.h"
#include "posix/fdtable.h"
#include "rt.h"

/* A cVM as far as cap.c and stream.c see one: a name, a table of limit slots, descriptors
 * and one page of memory. */
static struct fake_cvm *fake_new(const char *name, uint32_t limit)
{
	return fake_cvm_new(name, 1, limit, true);
}

/* Sends or receives len bytes at offset 0 of f's memory, without waiting. */
static int send0(struct fake_cvm *f, int h, uint32_t len)
{
	struct stream_iov iov = {0, len};

	return stream_send(&f->vm, h, &iov, 1, 0, 0);
}

static int recv0(struct fake_cvm *f, int h, uint32_t len)
{
	struct stream_iov iov = {0, len};

	return stream_recv(&f->vm, h, &iov, 1, NULL, 0);
}

static void test_ends_close_with_their_last_holder(void **state)
{
	struct fake_cvm *a = fake_new("a", 16), *b = fake_new("b", 16);
	int ends[2], rb, weak;

	(void)state;
	assert_int_equal(stream_new(&a->vm, 64, 0, ends), 0);
	rb = cap_transfer(&a->vm, ends[IV_STREAM_READ], &b->vm);
	assert_true(rb > 0);
	/* A copy without LOAD is no reader: b's transfer keeps the read end open, it does not. */
	weak = cap_derive(&a->vm, ends[IV_STREAM_READ], 0, 0, IV_PERM_GRANT);
	assert_true(weak > 0);
	assert_int_equal(cap_drop(&a->vm, ends[IV_STREAM_READ]), 0);
	assert_int_equal(send0(a, ends[IV_STREAM_WRITE], 8), 8);
	assert_int_equal(cap_drop(&b->vm, rb), 0);
	assert_int_equal(send0(a, ends[IV_STREAM_WRITE], 8), -IV_EPIPE);
	fake_cvm_free(a);
	fake_cvm_free(b);
}

static void test_tickets_keep_an_end_open(void **state)
{
	struct fake_cvm *r = fake_new("r", 16), *w = fake_new("w", 16);
	int ends[2], h1, h2;

	(void)state;
	assert_int_equal(stream_new(&r->vm, 0, 0, ends), 0);
	assert_int_equal(stream_advertise(&r->vm, "t.w", ends[IV_STREAM_WRITE], 2), 0);
	assert_int_equal(cap_drop(&r->vm, ends[IV_STREAM_WRITE]), 0);
	/* Two writers are promised: no EOF before they came and went. */
	assert_int_equal(recv0(r, ends[IV_STREAM_READ], 8), -IV_EAGAIN);
	h1 = stream_probe(&w->vm, "t.w", IV_STREAM_WRITE, 0);
	assert_true(h1 > 0);
	assert_int_equal(cap_drop(&w->vm, h1), 0);
	assert_int_equal(recv0(r, ends[IV_STREAM_READ], 8), -IV_EAGAIN);
	h2 = stream_probe(&w->vm, "t.w", IV_STREAM_WRITE, 0);
	assert_true(h2 > 0);
	/* Both taken: the name is gone. */
	assert_int_equal(stream_probe(&w->vm, "t.w", IV_STREAM_WRITE, 0), -IV_ENOENT);
	assert_int_equal(send0(w, h2, 3), 3);
	assert_int_equal(cap_drop(&w->vm, h2), 0);
	assert_int_equal(recv0(r, ends[IV_STREAM_READ], 8), 3);
	assert_int_equal(recv0(r, ends[IV_STREAM_READ], 8), 0);
	fake_cvm_free(r);
	fake_cvm_free(w);
}

static void test_advertiser_end_withdraws_and_closes(void **state)
{
	struct fake_cvm *a = fake_new("a", 16), *b = fake_new("b", 16);
	int ends[2], rb;

	(void)state;
	assert_int_equal(stream_new(&a->vm, 0, 0, ends), 0);
	assert_int_equal(stream_advertise(&a->vm, "t.r", ends[IV_STREAM_READ], 0), 0);
	assert_int_equal(stream_advertise(&a->vm, "t.r", ends[IV_STREAM_READ], 0), -IV_EEXIST);
	rb = stream_probe(&b->vm, "t.r", IV_STREAM_READ, 0);
	assert_true(rb > 0);
	assert_int_equal(send0(a, ends[IV_STREAM_WRITE], 5), 5);
	/* a ends: its advertisement goes, its write end closes, the data stays for b. */
	cap_cvm_teardown(&a->vm);
	assert_int_equal(stream_probe(&b->vm, "t.r", IV_STREAM_READ, 0), -IV_ENOENT);
	assert_int_equal(recv0(b, rb, 8), 5);
	assert_int_equal(recv0(b, rb, 8), 0);
	fake_cvm_free(a);
	fake_cvm_free(b);
}

static void test_revocation_reaches_probed_ends(void **state)
{
	struct fake_cvm *a = fake_new("a", 16), *b = fake_new("b", 16);
	int ends[2], wb;
	void *priv;
	uint32_t end;

	(void)state;
	assert_int_equal(stream_new(&a->vm, 0, 0, ends), 0);
	assert_int_equal(stream_advertise(&a->vm, "t.w", ends[IV_STREAM_WRITE], 0), 0);
	wb = stream_probe(&b->vm, "t.w", IV_STREAM_WRITE, 0);
	assert_true(wb > 0);
	assert_int_equal(cap_end_fast(&b->vm, wb, IV_PERM_STORE, &priv, &end), 0);
	assert_int_equal(end, IV_STREAM_WRITE);
	assert_int_equal(cap_revoke(&a->vm, ends[IV_STREAM_WRITE]), 0);
	assert_int_equal(cap_end_fast(&b->vm, wb, IV_PERM_STORE, &priv, &end), -IV_ESTALE);
	assert_int_equal(send0(b, wb, 1), -IV_ESTALE);
	/* No write end is left: EOF for the reader. */
	assert_int_equal(recv0(a, ends[IV_STREAM_READ], 8), 0);
	assert_int_equal(stream_probe(&b->vm, "t.w", IV_STREAM_WRITE, 0), -IV_ENOENT);
	fake_cvm_free(a);
	fake_cvm_free(b);
}

static void test_fast_lookup_checks_like_the_locked_one(void **state)
{
	struct fake_cvm *a = fake_new("a", 300), *b = fake_new("b", 16);
	int ends[2], h[200], mem, sealer, sealed, i;
	void *priv;
	uint32_t end;

	(void)state;
	assert_int_equal(stream_new(&a->vm, 0, 0, ends), 0);
	/* Forged and foreign handles. */
	assert_int_equal(cap_end_fast(&a->vm, 0, 0, &priv, &end), -IV_EBADF);
	assert_int_equal(cap_end_fast(&a->vm, -1, 0, &priv, &end), -IV_EBADF);
	assert_int_equal(cap_end_fast(&a->vm, ends[0] ^ (1 << 16), 0, &priv, &end), -IV_EBADF);
	assert_int_equal(cap_end_fast(&b->vm, ends[0], 0, &priv, &end), -IV_EBADF);
	assert_int_equal(cap_end_fast(&a->vm, ends[0], IV_PERM_STORE, &priv, &end),
			 -IV_ENOTCAPABLE);
	mem = cap_new_cvm_memory(&a->vm, &a->vm, 0, 16, IV_PERM_LOAD);
	assert_int_equal(cap_end_fast(&a->vm, mem, 0, &priv, &end), -IV_EINVAL);
	sealer = cap_sealer(&a->vm);
	sealed = cap_seal(&a->vm, ends[1], sealer);
	assert_int_equal(cap_end_fast(&a->vm, sealed, 0, &priv, &end), -IV_EACCES);
	/* Handles stay valid as the table grows (its slot array is replaced, never moved). */
	for (i = 0; i < 200; i++) {
		h[i] = cap_derive(&a->vm, ends[1], 0, 0, IV_PERM_STORE);
		assert_true(h[i] > 0);
	}
	for (i = 0; i < 200; i++)
		assert_int_equal(cap_end_fast(&a->vm, h[i], IV_PERM_STORE, &priv, &end), 0);
	assert_int_equal(cap_drop(&a->vm, h[7]), 0);
	assert_int_equal(cap_end_fast(&a->vm, h[7], 0, &priv, &end), -IV_EBADF);
	fake_cvm_free(a);
	fake_cvm_free(b);
}

struct later {
	struct fake_cvm *f;
	int h;
};

/* Advertises an end 50 ms from now, from another thread. */
static void *advertise_later(void *arg)
{
	struct later *l = arg;
	struct timespec ts = {0, 50000000};

	nanosleep(&ts, NULL);
	assert_int_equal(stream_advertise(&l->f->vm, "t.late", l->h, 0), 0);
	return NULL;
}

static void test_probe_waits_for_the_name(void **state)
{
	struct fake_cvm *a = fake_new("a", 16), *b = fake_new("b", 16);
	struct later l = {a, 0};
	pthread_t th;
	int ends[2], h;

	(void)state;
	assert_int_equal(stream_probe(&b->vm, "t.late", IV_STREAM_READ, 0), -IV_ENOENT);
	assert_int_equal(stream_probe(&b->vm, "t.late", IV_STREAM_READ, 30), -IV_ETIMEDOUT);
	assert_int_equal(stream_new(&a->vm, 0, 0, ends), 0);
	l.h = ends[IV_STREAM_READ];
	assert_int_equal(pthread_create(&th, NULL, advertise_later, &l), 0);
	h = stream_probe(&b->vm, "t.late", IV_STREAM_READ, 5000);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_true(h > 0);
	assert_int_equal(stream_probe(&b->vm, "t.late", IV_STREAM_WRITE, 0), -IV_ENOENT);
	fake_cvm_free(a);
	fake_cvm_free(b);
}

static void test_descriptors(void **state)
{
	struct fake_cvm *a = fake_new("a", 16);
	struct fd_entry *e;
	int ends[2];

	(void)state;
	assert_int_equal(stream_new(&a->vm, 0, 0, ends), 0);
	assert_int_equal(fdt_bind_stream(&a->vm, -1, ends[0]), 3);
	assert_int_equal(fdt_bind_stream(&a->vm, -1, ends[0]), -IV_EEXIST);
	/* A binding replaces the console's descriptor, once. */
	assert_int_equal(fdt_bind_stream(&a->vm, 1, ends[1]), 1);
	assert_int_equal(fdt_bind_stream(&a->vm, 1, ends[1]), -IV_EEXIST);
	assert_int_equal(fdt_bind_stream(&a->vm, IV_FDS_MAX, ends[1]), -IV_EBADF);
	assert_int_equal(fdt_bind_stream(&a->vm, -1, 12345), -IV_EBADF);
	e = fdt_get(&a->vm, 3);
	assert_non_null(e);
	assert_int_equal(e->kind, FD_STREAM);
	assert_int_equal(e->u.stream, ends[0]);
	assert_int_equal(e->fdflags, 0);
	assert_null(fdt_get(&a->vm, 4));
	assert_int_equal(fdt_count(&a->vm), 4);
	assert_int_equal(fdt_close(&a->vm, 3), 0);
	assert_int_equal(fdt_close(&a->vm, 3), -IV_EBADF);
	/* Closing the descriptor dropped the handle: the read end is closed. */
	assert_int_equal(send0(a, ends[1], 1), -IV_EPIPE);
	fake_cvm_free(a);
}

static void test_zero_copy_and_revocation_in_flight(void **state)
{
	struct fake_cvm *a = fake_new("a", 16), *b = fake_new("b", 16);
	struct stream_iov iov = {0, 4};
	int ends[2], rb, mem, got = -1;

	(void)state;
	assert_int_equal(stream_new(&a->vm, 256, IV_STREAM_MESSAGE, ends), 0);
	rb = cap_transfer(&a->vm, ends[IV_STREAM_READ], &b->vm);
	mem = cap_new_cvm_memory(&a->vm, &a->vm, 100, 16, IV_PERM_LOAD | IV_PERM_GRANT);
	assert_int_equal(stream_send(&a->vm, ends[1], &iov, 1, mem, 0), 4);
	assert_int_equal(stream_recv(&b->vm, rb, &iov, 1, &got, 0), 4);
	assert_true(got > 0);
	/* A message too large, a capability on a byte stream. */
	iov.len = 256 - IV_STREAM_MSG_OVERHEAD + 1;
	assert_int_equal(stream_send(&a->vm, ends[1], &iov, 1, 0, 0), -IV_EMSGSIZE);
	iov.len = 4;
	assert_int_equal(stream_send(&a->vm, ends[1], &iov, 1, mem, 0), 4);
	assert_int_equal(cap_revoke(&a->vm, mem), 0);
	assert_int_equal(stream_recv(&b->vm, rb, &iov, 1, &got, 0), 4);
	assert_int_equal(got, 0);
	/* A message left in the ring with its capability is freed with the stream. */
	mem = cap_new_cvm_memory(&a->vm, &a->vm, 100, 16, IV_PERM_LOAD | IV_PERM_GRANT);
	assert_int_equal(stream_send(&a->vm, ends[1], &iov, 1, mem, 0), 4);
	fake_cvm_free(b);
	fake_cvm_free(a);
}

static void test_budget(void **state)
{
	struct fake_cvm *a = fake_new("a", 64);
	int ends[2], n = 0, err;

	(void)state;
	while (!(err = stream_new(&a->vm, IV_STREAM_CAPACITY_MAX, 0, ends)))
		n++;
	assert_int_equal(err, -IV_ENOMEM);
	assert_int_equal(n, IV_STREAM_BUDGET / IV_STREAM_CAPACITY_MAX);
	assert_int_equal(cap_drop(&a->vm, ends[0]), 0); /* ends[] still hold the last made */
	assert_int_equal(cap_drop(&a->vm, ends[1]), 0);
	assert_int_equal(stream_new(&a->vm, IV_STREAM_CAPACITY_MAX, 0, ends), 0);
	fake_cvm_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ends_close_with_their_last_holder),
		cmocka_unit_test(test_tickets_keep_an_end_open),
		cmocka_unit_test(test_advertiser_end_withdraws_and_closes),
		cmocka_unit_test(test_revocation_reaches_probed_ends),
		cmocka_unit_test(test_fast_lookup_checks_like_the_locked_one),
		cmocka_unit_test(test_probe_waits_for_the_name),
		cmocka_unit_test(test_descriptors),
		cmocka_unit_test(test_zero_copy_and_revocation_in_flight),
		cmocka_unit_test(test_budget),
	};
	int rc;

	if (rt_init())
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	stream_clear();
	return rc;
}
