/* Example cVM (posix runtime): the original's cap_stream, single mode (1) and dual mode (3, 4). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <intravisor.h>

#define MESSAGES 10
#define WAIT_MS 5000

/* The buffer the receiving side registers: text lands here without being copied to it. */
static char buf[32];

/*
 * Single mode, in one cVM: RECV registers its buffer by sending a capability to it with its
 * key over /cap/ch1; SEND writes the text into the buffer through that capability and sends
 * the capability back over /cap/ch2; RECV wakes up and finds the text in its own buffer.
 */
static int single(void)
{
	int ch1[2], ch2[2], mine, theirs, back;
	char key[16] = {0};
	long n;

	if (iv_stream_new(0, IV_STREAM_MESSAGE, &ch1[0], &ch1[1]) ||
	    iv_stream_new(0, IV_STREAM_MESSAGE, &ch2[0], &ch2[1])) {
		printf("cannot create the streams\n");
		return 1;
	}

	memset(buf, 0, sizeof(buf));
	mine = iv_capfile_adv("key1", buf, sizeof(buf),
			      IV_PERM_LOAD | IV_PERM_STORE | IV_PERM_GRANT);
	if (mine < 0 || iv_stream_send_cap(ch1[1], "key1", 4, mine, -1) != 4) {
		printf("RECV: cannot publish: %d\n", mine);
		return 1;
	}
	printf("RECV: clear ('%s') and publish ptr(%zu bytes) with key 'key1' via /cap/ch1\n", buf,
	       sizeof(buf));

	n = iv_stream_recv_cap(ch1[0], key, sizeof(key) - 1, &theirs, -1);
	if (n != 4 || theirs <= 0 || iv_cap_store(theirs, 0, "text for ptr", 13) ||
	    iv_stream_send_cap(ch2[1], key, (size_t)n, theirs, -1) != n) {
		printf("SEND: cannot send: %ld %d\n", n, theirs);
		return 1;
	}
	printf("SEND: sending ptr (%zu bytes) with 'text for ptr' via /cap/ch2\n", sizeof(buf));

	n = iv_stream_recv_cap(ch2[0], key, sizeof(key) - 1, &back, WAIT_MS);
	if (n != 4 || back <= 0) {
		printf("RECV: nothing came: %ld\n", n);
		return 1;
	}
	printf("RECV: Check ptr (%zu bytes) after wait: '%s'\n", sizeof(buf), buf);
	return strcmp(buf, "text for ptr") != 0;
}

/* Dual mode, sending side: MESSAGES messages over the YAML's stream ch1, then EOF. */
static int sender(void)
{
	int w = iv_stream_prb("ch1", IV_STREAM_WRITE, WAIT_MS), i;
	char msg[32];

	if (w < 0) {
		printf("sender: no ch1: %d\n", w);
		return 1;
	}
	for (i = 0; i < MESSAGES; i++) {
		snprintf(msg, sizeof(msg), "send %d", i);
		if (iv_stream_send(w, msg, strlen(msg), -1) < 0)
			return 1;
	}
	return 0;
}

/* Dual mode, receiving side: prints every message until the sender has ended. */
static int receiver(void)
{
	int r = iv_stream_prb("ch1", IV_STREAM_READ, WAIT_MS), i;
	char msg[32];
	long n;

	if (r < 0) {
		printf("receiver: no ch1: %d\n", r);
		return 1;
	}
	for (i = 0; (n = iv_stream_recv(r, msg, sizeof(msg) - 1, -1)) > 0; i++) {
		msg[n] = 0;
		printf("%d:\trecv = '%s'\n", i, msg);
	}
	printf("EOF after %d messages\n", i);
	return n < 0 || i != MESSAGES;
}

int main(int argc, char **argv)
{
	int mode = argc > 1 ? atoi(argv[1]) : 1;

	switch (mode) {
	case 1:
		return single();
	case 3:
		return sender();
	case 4:
		return receiver();
	default:
		printf("usage: cap_stream 1 (single) | 3 (sender) | 4 (receiver)\n");
		return 2;
	}
}
