/* Stream test: revoking stream ends while their holders are blocked in them. */
#include <string.h>

#include <intravisor.h>

#include "expect.h"

/* owner: makes two streams and hands their ends out, then revokes them under the holders. */
static int owner(void)
{
	int sr, sw, tr, tw;
	struct iv_wait pause;
	char buf[4096];

	expect_ok(iv_stream_new(4096, 0, &sr, &sw), "stream S");
	expect_ok(iv_stream_new(4096, 0, &tr, &tw), "stream T");
	expect_ok(iv_stream_adv("rv.s.w", sw, 1), "advertise S's write end for the writer");
	expect_ok(iv_stream_adv("rv.t.r", tr, 1), "advertise T's read end for the reader");
	/* The writer fills S and blocks; the reader blocks on T, whose writer never writes. */
	expect_true(iv_stream_recv(sr, buf, 1, -1) == 1, "the writer has started");
	pause = (struct iv_wait){.handle = tr, .events = IV_WAIT_READ};
	expect_true(iv_wait(&pause, 1, 200) == 0, "200 ms for both to block");
	expect_ok(iv_cap_revoke(sw), "revoke S's write end, with the writer's copy");
	expect_ok(iv_cap_revoke(tr), "revoke T's read end, with the reader's copy");
	expect_err(iv_stream_send(sw, "x", 1, 0), IV_ESTALE, "the owner's own end is revoked too");
	/* S has no write end left: what it holds, then EOF. */
	while (iv_stream_recv(sr, buf, sizeof(buf), -1) > 0)
		;
	expect_true(iv_stream_recv(sr, buf, sizeof(buf), -1) == 0, "S is at EOF");
	expect_err(iv_stream_adv("rv.s.w", sw, 1), IV_ESTALE, "a revoked end cannot be advertised");
	return check_status();
}

static int writer(void)
{
	int w = (int)expect_ok(iv_stream_prb("rv.s.w", IV_STREAM_WRITE, WAIT_MS), "probe");
	char buf[1024];
	long n;

	memset(buf, 'w', sizeof(buf));
	while ((n = iv_stream_send(w, buf, sizeof(buf), -1)) > 0)
		;
	expect_err(n, IV_ESTALE, "a send blocked on a full stream when its end was revoked");
	expect_err(iv_stream_prb("rv.s.w", IV_STREAM_WRITE, 0), IV_ENOENT,
		   "the advertisement is gone (its one taker came)");
	return check_status();
}

static int reader(void)
{
	int r = (int)expect_ok(iv_stream_prb("rv.t.r", IV_STREAM_READ, WAIT_MS), "probe");
	char buf[16];

	expect_err(iv_stream_recv(r, buf, sizeof(buf), -1), IV_ESTALE,
		   "a recv blocked on an empty stream when its end was revoked");
	expect_ok(iv_cap_drop(r), "drop the revoked handle");
	expect_err(iv_stream_recv(r, buf, sizeof(buf), 0), IV_EBADF, "then it is gone");
	return check_status();
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "owner"))
		return owner();
	return strcmp(argv[1], "writer") ? reader() : writer();
}
