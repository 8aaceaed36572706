/* Example cVM `second` (bare runtime): every hostcall it makes is served by cVM `first`. */
#include <stdint.h>
#include <stdio.h>

#include <intravisor.h>

int main(void)
{
	unsigned char bytes[16] = { 0 };
	int64_t t0, t1;
	int nonzero = 0;

	/* Wait up to 10 s for first to be up; probing is not routed, the monitor answers. */
	if (iv_capfile_prb("first.ready", 10000, NULL) < 0)
		return 1;
	/* libc's stdout ends in the console_write hostcall, which first handles. */
	printf("hello second\n");

	t0 = iv_clock_ns(IV_CLOCK_MONOTONIC);
	t1 = iv_clock_ns(IV_CLOCK_MONOTONIC);
	printf("second: clock through first: %s\n", t0 > 0 && t1 >= t0 ? "yes" : "no");

	if (iv_random(bytes, sizeof(bytes)) != 0)
		return 1;
	for (size_t i = 0; i < sizeof(bytes); i++)
		nonzero |= bytes[i];
	printf("second: %zu random bytes through first: %s\n", sizeof(bytes), nonzero ? "yes" : "no");
	return 0;
}
