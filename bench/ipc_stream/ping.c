/* bench/ipc-stream guest `ping` (bare): times 1-byte round trips and 64 KiB message throughput. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <intravisor.h>

#define ROUND_TRIPS 200000   /* per repetition */
#define REPS 5               /* repetitions after a warm-up; as in ipc_stream.c */
#define MSG (64u << 10)      /* bytes per message */
#define MSGS 4096            /* messages per repetition: 256 MiB */
#define PROBE_MS 10000

static uint8_t buf[MSG];

static int64_t now(void)
{
	return iv_clock_ns(IV_CLOCK_MONOTONIC);
}

/* One result line for bench/ipc-stream: measurement, repetition, nanoseconds, units. */
static void report(const char *what, int rep, int64_t ns, uint64_t units)
{
	if (rep >= 0)
		iv_printf("ipc-stream %s %d %lld %llu\n", what, rep, (long long)ns,
			  (unsigned long long)units);
}

int main(void)
{
	int to = iv_stream_prb("to", IV_STREAM_WRITE, PROBE_MS);
	int fro = iv_stream_prb("fro", IV_STREAM_READ, PROBE_MS);
	int bulk = iv_stream_prb("bulk", IV_STREAM_WRITE, PROBE_MS);
	int64_t t0;
	int rep, i;
	char b = 'x';

	if (to < 0 || fro < 0 || bulk < 0) {
		iv_printf("ipc-stream error: probes %d %d %d\n", to, fro, bulk);
		return 1;
	}
	memset(buf, 0x5a, sizeof(buf));
	for (rep = -1; rep < REPS; rep++) {
		t0 = now();
		for (i = 0; i < ROUND_TRIPS; i++) {
			if (iv_stream_send(to, &b, 1, -1) != 1 || iv_stream_recv(fro, &b, 1, -1) != 1) {
				iv_puts("ipc-stream error: round trip");
				return 1;
			}
		}
		report("rtt", rep, now() - t0, ROUND_TRIPS);
		t0 = now();
		for (i = 0; i < MSGS; i++) {
			if (iv_stream_send(bulk, buf, MSG, -1) != MSG) {
				iv_puts("ipc-stream error: send");
				return 1;
			}
		}
		/* pong answers once it has every byte: the time covers the last copy out too. */
		if (iv_stream_recv(fro, &b, 1, -1) != 1) {
			iv_puts("ipc-stream error: no answer");
			return 1;
		}
		report("tput", rep, now() - t0, (uint64_t)MSGS * MSG);
	}
	return 0;
}
