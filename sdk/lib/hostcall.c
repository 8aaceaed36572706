/* Guest library: the iv_* wrappers around the raw Intravisor hostcalls. */
#include <intravisor.h>

long iv_console_write(const void *buf, size_t len)
{
	return iv_hc_console_write(buf, len);
}

void iv_exit(int status)
{
	iv_hc_exit(status);
}

int64_t iv_clock_ns(int clock)
{
	return iv_hc_clock_ns(clock);
}

int iv_random(void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len > 0) {
		size_t chunk = len < IV_RANDOM_MAX ? len : IV_RANDOM_MAX;
		int32_t ret = iv_hc_random(p, chunk);

		if (ret < 0)
			return ret;
		p += chunk;
		len -= chunk;
	}
	return 0;
}
