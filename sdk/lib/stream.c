/* Guest library: the CAP_STREAM wrappers (iv_stream_*, iv_wait, iv_cap_notify). */
#include <stdint.h>
#include <string.h>

#include <intravisor.h>

int iv_stream_new(size_t capacity, unsigned flags, int *read_end, int *write_end)
{
	int32_t ends[2];
	int ret;

	if (capacity > UINT32_MAX)
		return -IV_EINVAL;
	ret = iv_hc_stream_new((uint32_t)capacity, flags, ends);
	if (ret == 0) {
		*read_end = ends[IV_STREAM_READ];
		*write_end = ends[IV_STREAM_WRITE];
	}
	return ret;
}

int iv_stream_adv(const char *name, int h, unsigned takers)
{
	return iv_hc_stream_adv(name, strlen(name), h, takers);
}

int iv_stream_prb(const char *name, int end, int timeout_ms)
{
	return iv_hc_stream_prb(name, strlen(name), end, timeout_ms);
}

long iv_stream_send(int h, const void *buf, size_t len, int timeout_ms)
{
	return iv_hc_stream_send(h, buf, len, 0, timeout_ms);
}

long iv_stream_recv(int h, void *buf, size_t len, int timeout_ms)
{
	return iv_hc_stream_recv(h, buf, len, NULL, timeout_ms);
}

long iv_stream_send_cap(int h, const void *buf, size_t len, int cap, int timeout_ms)
{
	return iv_hc_stream_send(h, buf, len, cap, timeout_ms);
}

long iv_stream_recv_cap(int h, void *buf, size_t len, int *cap, int timeout_ms)
{
	int32_t got = 0;
	int32_t ret = iv_hc_stream_recv(h, buf, len, &got, timeout_ms);

	if (ret >= 0)
		*cap = got;
	return ret;
}

int iv_wait(struct iv_wait *items, int n, int timeout_ms)
{
	return iv_hc_stream_wait(items, n, timeout_ms);
}

int iv_cap_notify(int h)
{
	return iv_hc_cap_notify(h);
}

int iv_stream_fd(int h)
{
	return iv_hc_stream_fd(h);
}
