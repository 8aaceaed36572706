/* Example cVM `first` (bare runtime): the syscall handler of `second` (callback_out: first). */
#include <stdint.h>

#include <intravisor.h>

/* Copies the client's text out of its buffer capability and writes it on this console. */
static int64_t forward_write(int buf, int64_t len)
{
	char chunk[256];
	int64_t done = 0;

	while (done < len) {
		size_t n = len - done < (int64_t)sizeof(chunk) ? (size_t)(len - done) : sizeof(chunk);
		int ret = iv_cap_load(buf, (uint64_t)done, chunk, n);
		long written;

		if (ret < 0)
			return ret;
		written = iv_console_write(chunk, n);
		if (written < 0)
			return written;
		done += (int64_t)n;
	}
	return done;
}

/* Fills the client's buffer with fresh random bytes through its buffer capability. */
static int64_t forward_random(int buf, int64_t len)
{
	unsigned char chunk[256];
	int64_t done = 0;

	while (done < len) {
		size_t n = len - done < (int64_t)sizeof(chunk) ? (size_t)(len - done) : sizeof(chunk);
		int ret = iv_random(chunk, n);

		if (ret == 0)
			ret = iv_cap_store(buf, (uint64_t)done, chunk, n);
		if (ret < 0)
			return ret;
		done += (int64_t)n;
	}
	return 0;
}

int64_t intravisor_syscall(int32_t num, int64_t a0, int64_t a1, int64_t a2, int32_t buf)
{
	(void)a1;
	(void)a2;
	switch (num) {
	case IV_SYS_CONSOLE_WRITE:
		return forward_write(buf, a0);
	case IV_SYS_RANDOM:
		return forward_random(buf, a0);
	case IV_SYS_CLOCK_NS:
		return iv_clock_ns((int)a0);
	case IV_SYS_EXIT:
		/* The monitor ends the client once this returns. */
		return 0;
	default:
		return -IV_ENOSYS;
	}
}

int main(void)
{
	static char ready;

	iv_puts("hello first(syscall-handler)");
	/* Tell second the handler is up (it waits for this name), then serve until it ends. */
	if (iv_capfile_adv("first.ready", &ready, sizeof(ready), IV_PERM_LOAD) < 0)
		return 1;
	return iv_serve(-1) == 0 ? 0 : 1;
}
