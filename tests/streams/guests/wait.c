/* Stream test: waiting with timeouts on several handles, mixing streams and capfile events. */
#include <string.h>

#include <intravisor.h>

#include "expect.h"

static int64_t ms_since(int64_t t0)
{
	return (iv_clock_ns(IV_CLOCK_MONOTONIC) - t0) / 1000000;
}

static int waiter(void)
{
	int r = (int)expect_ok(iv_stream_prb("ping", IV_STREAM_READ, WAIT_MS), "probe ping");
	int b = (int)expect_ok(iv_stream_prb("back", IV_STREAM_WRITE, WAIT_MS), "probe back");
	int board = (int)expect_ok(iv_capfile_prb("board", WAIT_MS, NULL), "probe board");
	struct iv_wait items[2], bad = {.handle = 0x7fff0001, .events = IV_WAIT_READ};
	char buf[16] = {0};
	int64_t t0;

	/* Nothing there: a timeout of 100 ms, then 0. */
	items[0] = (struct iv_wait){.handle = r, .events = IV_WAIT_READ};
	t0 = iv_clock_ns(IV_CLOCK_MONOTONIC);
	expect_true(iv_wait(items, 1, 100) == 0 && items[0].revents == 0 && ms_since(t0) >= 100,
		    "a wait on an empty stream times out after 100 ms");
	expect_err(iv_stream_recv(r, buf, sizeof(buf), 0), IV_EAGAIN, "recv, no wait");
	t0 = iv_clock_ns(IV_CLOCK_MONOTONIC);
	expect_err(iv_stream_recv(r, buf, sizeof(buf), 50), IV_ETIMEDOUT, "recv, 50 ms");
	expect_true(ms_since(t0) >= 50, "it waited 50 ms");
	expect_true(iv_wait(&bad, 1, -1) == 1 && bad.revents == IV_WAIT_ERROR &&
			    bad.error == -IV_EBADF,
		    "a forged handle is ready at once, with IV_WAIT_ERROR and -IV_EBADF");
	items[0] = (struct iv_wait){.handle = b, .events = IV_WAIT_WRITE};
	expect_true(iv_wait(items, 1, -1) == 1 && items[0].revents == IV_WAIT_WRITE,
		    "an empty stream is writable at once");

	/* Now the notifier writes the board, then the stream: each wakes this wait in turn. */
	expect_true(iv_stream_send(b, "go", 2, -1) == 2, "tell the notifier to go");
	items[0] = (struct iv_wait){.handle = r, .events = IV_WAIT_READ};
	items[1] = (struct iv_wait){.handle = board, .events = IV_WAIT_NOTIFY, .seq = 0};
	expect_true(iv_wait(items, 2, 5000) == 1 && items[1].revents == IV_WAIT_NOTIFY &&
			    items[1].seq == 1 && items[0].revents == 0,
		    "the capfile's notification wakes the wait, and only it is ready");
	iv_cap_load(board, 0, buf, 6);
	expect_true(!strcmp(buf, "hello"), "the board holds what the notifier wrote");
	/* The notifier may have ended by now too: HUP may come with READ. */
	expect_true(iv_wait(items, 2, 5000) == 1 && (items[0].revents & IV_WAIT_READ) &&
			    items[1].revents == 0,
		    "then the stream's data wakes it; the seen notification does not");
	expect_true(iv_stream_recv(r, buf, sizeof(buf), 0) == 4, "the data is there");
	expect_true(iv_wait(items, 1, 5000) == 1 &&
			    items[0].revents == (IV_WAIT_READ | IV_WAIT_HUP),
		    "the notifier's end is EOF: READ and HUP");
	return check_status();
}

static int notifier(void)
{
	int w = (int)expect_ok(iv_stream_prb("ping", IV_STREAM_WRITE, WAIT_MS), "probe ping");
	int b = (int)expect_ok(iv_stream_prb("back", IV_STREAM_READ, WAIT_MS), "probe back");
	int board = (int)expect_ok(iv_capfile_prb("board", WAIT_MS, NULL), "probe board");
	char go[4];

	expect_true(iv_stream_recv(b, go, sizeof(go), -1) == 2, "told to go");
	/* Give the waiter time to sleep, so the wake-ups are real ones. */
	iv_stream_recv(b, go, sizeof(go), 100);
	expect_ok(iv_cap_store(board, 0, "hello", 6), "write the board");
	expect_ok(iv_cap_notify(board), "notify");
	iv_stream_recv(b, go, sizeof(go), 100);
	expect_true(iv_stream_send(w, "data", 4, -1) == 4, "send data");
	return check_status();
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	return strcmp(argv[1], "waiter") ? notifier() : waiter();
}
