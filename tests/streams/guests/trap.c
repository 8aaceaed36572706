/* Stream test: a reader that traps mid-stream; its writer gets EPIPE, the monitor goes on. */
#include <string.h>

#include <intravisor.h>

#include "expect.h"

#define BEFORE_TRAP 10000

static int reader(void)
{
	int r = (int)expect_ok(iv_stream_prb("doomed", IV_STREAM_READ, WAIT_MS), "probe");
	char buf[512];
	long n, total = 0;

	while (total < BEFORE_TRAP && (n = iv_stream_recv(r, buf, sizeof(buf), -1)) > 0)
		total += n;
	iv_printf("read %d bytes, now trapping\n", BEFORE_TRAP);
	/* Past the end of this cVM's memory: the reader, and only it, ends with a trap. */
	return *(volatile int *)(uintptr_t)0xfffffff0u;
}

static int writer(void)
{
	int w = (int)expect_ok(iv_stream_prb("doomed", IV_STREAM_WRITE, WAIT_MS), "probe");
	char buf[1024];
	long n, total = 0;

	memset(buf, 't', sizeof(buf));
	while ((n = iv_stream_send(w, buf, sizeof(buf), -1)) > 0)
		total += n;
	expect_err(n, IV_EPIPE, "send once the only reader trapped");
	expect_true(total >= BEFORE_TRAP, "the reader had taken its share first");
	return check_status();
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	return strcmp(argv[1], "reader") ? writer() : reader();
}
