/* Stream test: a writer flooding a stream nobody reads is held at its capacity, then stopped. */
#include <string.h>

#include <intravisor.h>

#include "expect.h"

#define CAPACITY 4096

static int flooder(void)
{
	int w = (int)expect_ok(iv_stream_prb("full", IV_STREAM_WRITE, WAIT_MS), "probe");
	char buf[CAPACITY];
	long n, total = 0;

	memset(buf, 'f', sizeof(buf));
	while ((n = iv_stream_send(w, buf, 1, 0)) == 1)
		total++;
	expect_err(n, IV_EAGAIN, "a full stream refuses a send that may not wait");
	expect_true(total == CAPACITY, "it took exactly its capacity, no more");
	expect_err(iv_stream_send(w, buf, 1, 100), IV_ETIMEDOUT, "a send waiting 100 ms");
	iv_printf("flooding without a time limit of its own\n");
	/* Blocked for good: the cVM's own limits.timeout ends it, with its lock free meanwhile. */
	iv_stream_send(w, buf, sizeof(buf), -1);
	iv_printf("FAIL: the blocked send returned\n");
	return 1;
}

/* holder: keeps the read end without reading until the flooder is gone, then drains it. */
static int holder(void)
{
	int r = (int)expect_ok(iv_stream_prb("full", IV_STREAM_READ, WAIT_MS), "probe");
	int er, ew;
	struct iv_wait pause;
	char buf[CAPACITY];
	long n, total = 0;

	/* A private stream nobody writes: a way to wait 3 s, longer than the flooder lives. */
	expect_ok(iv_stream_new(0, 0, &er, &ew), "stream_new");
	pause = (struct iv_wait){.handle = er, .events = IV_WAIT_READ};
	expect_true(iv_wait(&pause, 1, 3000) == 0, "waited 3 s without reading");
	while ((n = iv_stream_recv(r, buf, sizeof(buf), -1)) > 0)
		total += n;
	expect_true(n == 0 && total == CAPACITY, "then read the full stream, and EOF");
	return check_status();
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	return strcmp(argv[1], "flooder") ? holder() : flooder();
}
