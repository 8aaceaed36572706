/* Example cVM (bare runtime): no WASI, only Intravisor hostcalls through intravisor.h. */
#include <stdint.h>

#include <intravisor.h>

static int all_zero(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

int main(void)
{
	unsigned char key[32] = { 0 };
	int64_t t0, t1, now;

	iv_puts("hello world from a bare cVM");
	iv_printf("formatted by iv_printf: %d + %d = %d, %s\n", 2, 3, 2 + 3, "no libc stdio");

	t0 = iv_clock_ns(IV_CLOCK_MONOTONIC);
	t1 = iv_clock_ns(IV_CLOCK_MONOTONIC);
	iv_printf("monotonic clock never goes back: %s\n", t0 >= 0 && t1 >= t0 ? "yes" : "no");
	now = iv_clock_ns(IV_CLOCK_REALTIME);
	/* 2020-01-01T00:00:00Z in nanoseconds since the epoch. */
	iv_printf("realtime clock is past 2020: %s\n",
		  now > INT64_C(1577836800) * 1000000000 ? "yes" : "no");
	iv_printf("unknown clock: %lld (-IV_EINVAL is %d)\n", (long long)iv_clock_ns(42), -IV_EINVAL);

	if (iv_random(key, sizeof(key)) != 0 || all_zero(key, sizeof(key))) {
		iv_puts("random: FAILED");
		return 1;
	}
	iv_printf("random: %zu fresh bytes\n", sizeof(key));
	iv_puts("goodbye");
	return 0;
}
