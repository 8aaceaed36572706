/* Stream security test: forged, stale, wrong and out-of-bounds arguments, each refused. */
#include <stdio.h>
#include <string.h>

#include <intravisor.h>

#include "expect.h"

#define FORGED 0x7fff0001
#define PAGE IV_MAP_ALIGN

static void handles(int r, int w)
{
	char buf[8];
	int mem, sealer, sealed, weak;

	expect_err(iv_stream_send(FORGED, "x", 1, 0), IV_EBADF, "send through a forged handle");
	expect_err(iv_stream_recv(0, buf, 1, 0), IV_EBADF, "recv through handle 0");
	expect_err(iv_stream_recv(-5, buf, 1, 0), IV_EBADF, "recv through a negative handle");
	expect_err(iv_stream_send(r, "x", 1, 0), IV_ENOTCAPABLE, "send through a read end");
	expect_err(iv_stream_recv(w, buf, 1, 0), IV_ENOTCAPABLE, "recv through a write end");
	mem = (int)expect_ok(iv_capfile_adv("h.mem", buf, sizeof(buf), IV_PERM_LOAD | IV_PERM_STORE),
			     "advertise a buffer");
	expect_err(iv_stream_send(mem, "x", 1, 0), IV_EINVAL, "send through a memory capability");
	expect_err(iv_cap_notify(w), IV_EINVAL, "notify a stream end");
	expect_err(iv_cap_load(r, 0, buf, 1), IV_EINVAL, "cap_load from a stream end");
	expect_err(iv_cap_map(r, buf), IV_EINVAL, "map a stream end");
	sealer = iv_cap_sealer();
	sealed = iv_cap_seal(w, sealer);
	expect_err(iv_stream_send(sealed, "x", 1, 0), IV_EACCES, "send through a sealed end");
	weak = (int)expect_ok(iv_cap_derive(w, 0, 0, IV_PERM_GRANT), "an end without STORE");
	expect_err(iv_stream_send(weak, "x", 1, 0), IV_ENOTCAPABLE, "send through it");
	weak = (int)expect_ok(iv_cap_derive(w, 0, 0, IV_PERM_STORE), "an end without GRANT");
	expect_err(iv_stream_adv("h.weak", weak, 0), IV_ENOTCAPABLE, "advertise it");
	expect_err(iv_cap_transfer(weak, "friend"), IV_ENOTCAPABLE, "transfer it");
	expect_err(iv_stream_fd(mem), IV_EINVAL, "a descriptor for a memory capability");
}

static void memory(int r, int w, int mr, int mw)
{
	char *end = (char *)(uintptr_t)(__builtin_wasm_memory_size(0) * PAGE);
	struct iv_wait item = {.handle = r, .events = IV_WAIT_READ};
	int cap;

	expect_err(iv_stream_send(w, end - 4, 8, 0), IV_EFAULT, "send a buffer past memory");
	expect_err(iv_stream_send(w, (void *)16, 0xffffffffu, 0), IV_EFAULT, "send 4 GiB");
	expect_err(iv_stream_recv(r, end - 1, 2, 0), IV_EFAULT, "recv into a buffer past memory");
	expect_err(iv_hc_stream_recv(mr, end - 16, 8, (int32_t *)(end - 2), 0), IV_EFAULT,
		   "recv with the capability's place past memory");
	expect_err(iv_wait((struct iv_wait *)(end - 8), 1, 0), IV_EFAULT, "wait items past memory");
	expect_err(iv_hc_stream_new(0, 0, (int32_t *)(end - 4)), IV_EFAULT,
		   "stream_new's ends past memory");
	expect_true(iv_stream_send(w, "x", 1, 0) == 1, "after all that, a plain send works");
	cap = (int)expect_ok(iv_capfile_adv("h.send", end - PAGE, 16, IV_PERM_LOAD),
			     "a capability without GRANT");
	expect_err(iv_stream_send_cap(mw, "x", 1, cap, 0), IV_ENOTCAPABLE,
		   "attach a capability without GRANT");
	expect_err(iv_stream_send_cap(mw, "x", 1, w, 0), IV_EINVAL, "attach a stream end");
	expect_err(iv_stream_send_cap(w, "x", 1, cap, 0), IV_EINVAL,
		   "attach anything on a byte stream");
	expect_err(iv_wait(&item, 0, 0), IV_EINVAL, "wait on 0 items");
	expect_err(iv_wait(&item, IV_WAIT_MAX + 1, 0), IV_EINVAL, "wait on too many items");
	item.events = IV_WAIT_READ | IV_WAIT_WRITE;
	expect_err(iv_wait(&item, 1, 0), IV_EINVAL, "wait for two events on one item");
	item.events = IV_WAIT_HUP;
	expect_err(iv_wait(&item, 1, 0), IV_EINVAL, "wait for HUP alone");
	item = (struct iv_wait){.handle = w, .events = IV_WAIT_READ};
	expect_true(iv_wait(&item, 1, 0) == 1 && item.revents == IV_WAIT_ERROR &&
			    item.error == -IV_EINVAL,
		    "wait to read a write end: that item fails");
}

static void limits(void)
{
	int r[8], w[8], i, n = 0, err = 0;
	char name[16];

	expect_err(iv_stream_new(1, 0, &r[0], &w[0]), IV_EINVAL, "a capacity below the minimum");
	expect_err(iv_stream_new(IV_STREAM_CAPACITY_MAX + 1, 0, &r[0], &w[0]), IV_EINVAL,
		   "a capacity above the maximum");
	expect_err(iv_stream_new(0, 2, &r[0], &w[0]), IV_EINVAL, "unknown flags");
	/* The budget: IV_STREAM_BUDGET bytes of live streams, given back as they go. */
	for (i = 0; i < 8 && !(err = iv_stream_new(IV_STREAM_CAPACITY_MAX, 0, &r[i], &w[i])); i++)
		n++;
	expect_err(err, IV_ENOMEM, "streams past this cVM's budget");
	expect_true(n > 0 && n <= (int)(IV_STREAM_BUDGET / IV_STREAM_CAPACITY_MAX),
		    "as many as the budget holds");
	iv_cap_drop(r[0]);
	iv_cap_drop(w[0]);
	expect_ok(iv_stream_new(IV_STREAM_CAPACITY_MAX, 0, &r[0], &w[0]),
		  "a stream freed gives its bytes back");
	for (i = 0; i < n; i++) {
		iv_cap_drop(r[i]);
		iv_cap_drop(w[i]);
	}
	/* Names: no more than the capability table holds (limits.caps: 256). */
	expect_ok(iv_stream_new(0, 0, &r[0], &w[0]), "a stream to advertise");
	for (err = 0, i = 0; i < 300 && !err; i++) {
		snprintf(name, sizeof(name), "h.n%d", i);
		err = iv_stream_adv(name, r[0], 0);
	}
	expect_err(err, IV_EMFILE, "advertisements past the table's size");
	expect_err(iv_stream_adv("h.n0", r[0], 0), IV_EEXIST, "a name already advertised");
	expect_err(iv_stream_adv("h.big", r[0], 65537), IV_EINVAL, "too many takers");
	expect_err(iv_stream_adv("", r[0], 0), IV_EINVAL, "an empty name");
	expect_err(iv_stream_prb("guarded", IV_STREAM_READ, 0), IV_EACCES,
		   "probe a YAML stream that does not list this cVM");
	expect_err(iv_stream_prb("guarded", 2, 0), IV_EINVAL, "probe end 2");
	expect_err(iv_stream_prb("h.none", IV_STREAM_READ, 0), IV_ENOENT, "probe an unknown name");
	/* The YAML allows 64 descriptors (limits.fds): more than that are refused. */
	for (i = 0; i < 100 && (err = iv_stream_fd(iv_cap_derive(r[0], 0, 0,
									   IV_PERM_LOAD))) >= 0;
	     i++)
		;
	expect_err(err, IV_EMFILE, "descriptors past limits.fds (or the table's size)");
}

int main(void)
{
	int r, w, mr, mw;

	expect_ok(iv_stream_new(0, 0, &r, &w), "a byte stream");
	expect_ok(iv_stream_new(0, IV_STREAM_MESSAGE, &mr, &mw), "a message stream");
	handles(r, w);
	memory(r, w, mr, mw);
	limits();
	iv_printf("the monitor is still here\n");
	return check_status();
}
