/* Stream test: EOF when the write ends are gone, EPIPE when the read ends are, HUP in waits. */
#include <string.h>

#include <intravisor.h>

#include "expect.h"

/* Within one cVM, on streams of its own. */
static void alone(void)
{
	int r, w, r2, w2;
	struct iv_wait item;
	char buf[16];

	expect_ok(iv_stream_new(0, 0, &r, &w), "stream_new");
	expect_err(iv_stream_recv(r, buf, sizeof(buf), 0), IV_EAGAIN, "empty, writer open, no wait");
	expect_true(iv_stream_send(w, "abc", 3, 0) == 3, "send 3 bytes");
	expect_ok(iv_cap_drop(w), "drop the only write end");
	expect_true(iv_stream_recv(r, buf, sizeof(buf), -1) == 3, "what was sent still arrives");
	expect_true(iv_stream_recv(r, buf, sizeof(buf), -1) == 0, "then EOF, without waiting");
	item = (struct iv_wait){.handle = r, .events = IV_WAIT_READ};
	expect_true(iv_wait(&item, 1, -1) == 1 && item.revents == (IV_WAIT_READ | IV_WAIT_HUP),
		    "a wait sees READ and HUP at EOF");

	expect_ok(iv_stream_new(64, IV_STREAM_MESSAGE, &r2, &w2), "stream_new (messages)");
	expect_ok(iv_cap_drop(r2), "drop the only read end");
	expect_err(iv_stream_send(w2, "x", 1, -1), IV_EPIPE, "send with no read end");
	item = (struct iv_wait){.handle = w2, .events = IV_WAIT_WRITE};
	expect_true(iv_wait(&item, 1, -1) == 1 && item.revents == (IV_WAIT_WRITE | IV_WAIT_HUP),
		    "a wait sees WRITE and HUP with no reader");
}

/* writer: sends three messages and ends, which is EOF for the reader. */
static int writer(void)
{
	int w = (int)expect_ok(iv_stream_prb("eof", IV_STREAM_WRITE, WAIT_MS), "probe eof");

	for (int i = 0; i < 3; i++)
		expect_true(iv_stream_send(w, "line\n", 5, -1) == 5, "send before ending");
	return check_status();
}

/* reader: takes what the writer sent, then EOF; then its end of "pipe" is gone. */
static int reader(void)
{
	int r = (int)expect_ok(iv_stream_prb("eof", IV_STREAM_READ, WAIT_MS), "probe eof");
	int p = (int)expect_ok(iv_stream_prb("pipe", IV_STREAM_READ, WAIT_MS), "probe pipe");
	long n, total = 0;
	char buf[64];

	while ((n = iv_stream_recv(r, buf, sizeof(buf), -1)) > 0)
		total += n;
	expect_true(n == 0 && total == 15, "15 bytes, then EOF once the writer ended");
	expect_true(iv_stream_recv(p, buf, 4, -1) == 4, "one read from pipe, then end");
	return check_status();
}

/* pusher: writes into "pipe" until its only reader ends. */
static int pusher(void)
{
	int w = (int)expect_ok(iv_stream_prb("pipe", IV_STREAM_WRITE, WAIT_MS), "probe pipe");
	char buf[256];
	long n;

	memset(buf, 'p', sizeof(buf));
	while ((n = iv_stream_send(w, buf, sizeof(buf), -1)) > 0)
		;
	expect_err(n, IV_EPIPE, "send once the reader has ended");
	return check_status();
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "alone")) {
		alone();
		return check_status();
	}
	if (!strcmp(argv[1], "writer"))
		return writer();
	if (!strcmp(argv[1], "reader"))
		return reader();
	return pusher();
}
