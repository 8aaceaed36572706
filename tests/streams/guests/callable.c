/* Stream test: a cVM blocked in a receive can be called meanwhile (its lock is free). */
#include <string.h>

#include <intravisor.h>

#include "expect.h"

static int calls;

IV_EXPORT("bump") int32_t bump(int32_t x);
int32_t bump(int32_t x)
{
	calls++;
	return x + 1;
}

/* server: offers bump, then blocks in a receive until the client has called it. */
static int server(void)
{
	int r = (int)expect_ok(iv_stream_prb("kick", IV_STREAM_READ, WAIT_MS), "probe kick");
	char buf[8];

	expect_ok(iv_call_adv("bump", "bump"), "advertise bump");
	expect_true(iv_stream_recv(r, buf, sizeof(buf), -1) == 4, "woken by the client");
	expect_true(calls == 3, "called three times while blocked in the receive");
	return check_status();
}

static int client(void)
{
	int w = (int)expect_ok(iv_stream_prb("kick", IV_STREAM_WRITE, WAIT_MS), "probe kick");
	int entry = (int)expect_ok(iv_call_prb("bump", WAIT_MS), "probe bump");
	int64_t arg = 41, result = 0;
	int i, ok = 1;

	/*
	 * The server holds its lock whenever it runs its own code, from advertising bump to its
	 * receive: a call can only run while the receive waits with the lock free.
	 */
	for (i = 0; i < 3; i++)
		ok &= iv_call(entry, &arg, 1, NULL, 0, 0, &result) == 0 && result == 42;
	expect_true(ok, "three calls into the blocked server returned");
	expect_true(iv_stream_send(w, "done", 4, -1) == 4, "wake it");
	return check_status();
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	return strcmp(argv[1], "server") ? client() : server();
}
