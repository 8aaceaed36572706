/* bench/ipc-stream guest `pong` (bare): echoes each byte back, and takes the messages in. */
#include <stddef.h>
#include <stdint.h>

#include <intravisor.h>

#define ROUND_TRIPS 200000 /* as in ping.c */
#define REPS 5
#define MSG (64u << 10)
#define MSGS 4096
#define PROBE_MS 10000

static uint8_t buf[MSG];

int main(void)
{
	int to = iv_stream_prb("to", IV_STREAM_READ, PROBE_MS);
	int fro = iv_stream_prb("fro", IV_STREAM_WRITE, PROBE_MS);
	int bulk = iv_stream_prb("bulk", IV_STREAM_READ, PROBE_MS);
	uint64_t sum = 0;
	int rep, i;
	char b;

	if (to < 0 || fro < 0 || bulk < 0)
		return 1;
	for (rep = -1; rep < REPS; rep++) {
		for (i = 0; i < ROUND_TRIPS; i++)
			if (iv_stream_recv(to, &b, 1, -1) != 1 || iv_stream_send(fro, &b, 1, -1) != 1)
				return 1;
		for (i = 0; i < MSGS; i++) {
			if (iv_stream_recv(bulk, buf, MSG, -1) != MSG)
				return 1;
			sum += buf[i % MSG];
		}
		if (sum != (uint64_t)(rep + 2) * MSGS * 0x5a) {
			iv_puts("ipc-stream error: pong received other bytes");
			return 1;
		}
		if (iv_stream_send(fro, "!", 1, -1) != 1)
			return 1;
	}
	return 0;
}
