/* Stream test: many MiB through a byte stream in random chunk sizes, checked byte by byte. */
#include <stdlib.h>
#include <string.h>

#include <intravisor.h>

#include "expect.h"

#define MAX_CHUNK 65536u
#define MAX_READ 100000u

static uint8_t buf[MAX_READ];

/* writer: sends the data stream's first total bytes, in chunks of 1..MAX_CHUNK bytes. */
static int writer(const char *name, uint64_t total)
{
	uint32_t data = 1, sizes = 2, hash = FNV_START, sends = 0, i, chunk;
	uint64_t sent = 0;
	int w = (int)expect_ok(iv_stream_prb(name, IV_STREAM_WRITE, WAIT_MS), "probe");

	while (w > 0 && sent < total) {
		chunk = 1 + next_random(&sizes) % MAX_CHUNK;
		if (chunk > total - sent)
			chunk = (uint32_t)(total - sent);
		for (i = 0; i < chunk; i++)
			buf[i] = (uint8_t)next_random(&data);
		if (expect_ok(iv_stream_send(w, buf, chunk, -1), "send") != (long)chunk)
			return 1;
		hash = fnv1a(hash, buf, chunk);
		sent += chunk;
		sends++;
	}
	iv_printf("wrote %llu MiB through %s in %u sends, fnv1a 0x%08x\n",
		  (unsigned long long)(sent >> 20), name, sends, hash);
	return check_status();
}

/* reader: receives with buffers of 1..MAX_READ bytes until EOF, checking every byte. */
static int reader(const char *name, uint64_t total)
{
	uint32_t data = 1, sizes = 3, hash = FNV_START, want;
	uint64_t got = 0;
	int r = (int)expect_ok(iv_stream_prb(name, IV_STREAM_READ, WAIT_MS), "probe");
	long n, i;

	while (r > 0) {
		want = 1 + next_random(&sizes) % MAX_READ;
		n = expect_ok(iv_stream_recv(r, buf, want, -1), "recv");
		if (n <= 0)
			break;
		for (i = 0; i < n; i++) {
			if (buf[i] != (uint8_t)next_random(&data)) {
				iv_printf("FAIL: byte %llu differs\n", (unsigned long long)(got + i));
				return 1;
			}
		}
		hash = fnv1a(hash, buf, (unsigned long)n);
		got += (uint64_t)n;
	}
	expect_true(got == total, "every byte arrived, in order, then EOF");
	iv_printf("read %llu MiB through %s, fnv1a 0x%08x\n", (unsigned long long)(got >> 20),
		  name, hash);
	return check_status();
}

int main(int argc, char **argv)
{
	uint64_t total;

	if (argc != 4)
		return 2;
	total = strtoull(argv[3], NULL, 10) << 20;
	return strcmp(argv[1], "write") ? reader(argv[2], total) : writer(argv[2], total);
}
