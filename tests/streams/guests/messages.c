/* Stream test: message boundaries, sizes up to the limit, and zero-copy capabilities. */
#include <string.h>

#include <intravisor.h>

#include "expect.h"

#define CAPACITY 4096u
#define MAX_MSG (CAPACITY - IV_STREAM_MSG_OVERHEAD)
#define COUNT 300
#define PAGE IV_MAP_ALIGN

static uint8_t msg[CAPACITY], got[CAPACITY];

/* The i-th message: its length, and its bytes (i, then a pattern). */
static uint32_t message(int i, uint8_t *out)
{
	static uint32_t sizes = 7;
	uint32_t len = i < 3 ? (uint32_t)i : i == 3 ? MAX_MSG : next_random(&sizes) % (MAX_MSG + 1);

	for (uint32_t k = 0; k < len; k++)
		out[k] = (uint8_t)(i + k * 7);
	return len;
}

/* Alone: a capability revoked while its message waits in the stream does not arrive. */
static void revoked_in_flight(void)
{
	static uint8_t page[16];
	int r, w, mine, cap = -1;
	char text[8];

	expect_ok(iv_stream_new(256, IV_STREAM_MESSAGE, &r, &w), "stream_new");
	mine = (int)expect_ok(iv_capfile_adv("msg.tmp", page, sizeof(page),
					     IV_PERM_LOAD | IV_PERM_GRANT),
			      "advertise a buffer");
	expect_true(iv_stream_send_cap(w, "cap", 3, mine, 0) == 3, "send a message with it");
	expect_ok(iv_cap_revoke(mine), "revoke it while in flight");
	expect_true(iv_stream_recv_cap(r, text, sizeof(text), &cap, 0) == 3 && cap == 0,
		    "the message arrives, the revoked capability does not");
	expect_err(iv_stream_send_cap(w, "x", 1, mine, 0), IV_ESTALE, "attach a revoked one");
	expect_err(iv_stream_send(w, msg, 256 - IV_STREAM_MSG_OVERHEAD + 1, 0), IV_EMSGSIZE,
		   "a message larger than the stream");
}

static int sender(void)
{
	int w = (int)expect_ok(iv_stream_prb("msgs", IV_STREAM_WRITE, WAIT_MS), "probe");
	int done = (int)expect_ok(iv_stream_prb("msgs.done", IV_STREAM_READ, WAIT_MS), "probe");
	uint8_t *page = iv_map_alloc(PAGE);
	int cap, i, bad = 0;
	uint32_t len;

	revoked_in_flight();
	for (i = 0; i < COUNT; i++) {
		len = message(i, msg);
		bad += iv_stream_send(w, msg, len, -1) != (long)len;
	}
	expect_true(!bad, "300 messages of 0 to 4080 bytes sent whole");
	expect_err(iv_stream_send(w, msg, MAX_MSG + 1, -1), IV_EMSGSIZE,
		   "a message one byte over the limit");
	/* Zero-copy: a page goes by capability; the receiver maps it and answers in place. */
	memset(page, 0, PAGE);
	strcpy((char *)page, "a page by capability");
	cap = (int)expect_ok(iv_capfile_adv("msg.page", page, PAGE,
					    IV_PERM_LOAD | IV_PERM_STORE | IV_PERM_MAP |
						    IV_PERM_GRANT),
			     "advertise a page");
	expect_true(iv_stream_send_cap(w, "page", 4, cap, -1) == 4, "send it attached");
	expect_ok(iv_cap_drop(w), "close the write end");
	/* The receiver writes its answer through the mapping, then says so. */
	expect_true(iv_stream_recv(done, msg, 1, -1) == 1 && page[PAGE - 1] == 1,
		    "the receiver is done");
	expect_true(!strcmp((char *)page + PAGE - 16, "mapped!"), "the answer landed in the page");
	return check_status();
}

static int receiver(void)
{
	int r = (int)expect_ok(iv_stream_prb("msgs", IV_STREAM_READ, WAIT_MS), "probe");
	int done = (int)expect_ok(iv_stream_prb("msgs.done", IV_STREAM_WRITE, WAIT_MS), "probe");
	uint8_t *window = iv_map_alloc(PAGE);
	int i, bad = 0, small = 0, cap = 0;
	uint32_t len;
	long n;

	for (i = 0; i < COUNT; i++) {
		len = message(i, msg);
		/* One byte short: refused, and the message stays for the next try. */
		if (len && iv_stream_recv(r, got, len - 1, -1) == -IV_EMSGSIZE)
			small++;
		n = iv_stream_recv(r, got, sizeof(got), -1);
		bad += n != (long)len || memcmp(got, msg, len);
	}
	expect_true(!bad, "300 messages arrived whole, each in one recv, in order");
	expect_true(small == COUNT - 1, "a buffer one byte short gets -IV_EMSGSIZE, keeps it");
	n = iv_stream_recv_cap(r, got, sizeof(got), &cap, -1);
	expect_true(n == 4 && cap > 0, "the page's capability arrived with its message");
	expect_ok(iv_cap_map(cap, window), "map it");
	expect_true(!strcmp((char *)window, "a page by capability"), "its bytes, not copied");
	strcpy((char *)window + PAGE - 16, "mapped!");
	window[PAGE - 1] = 1;
	expect_true(iv_stream_recv(r, got, sizeof(got), -1) == 0, "then EOF");
	expect_ok(iv_cap_unmap(window), "unmap it");
	iv_stream_send(done, "!", 1, -1);
	return check_status();
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	return strcmp(argv[1], "send") ? receiver() : sender();
}
