/* Test guest (posix): hostcalls must refuse wild and overflowing buffers with EFAULT. */
#include <stdint.h>
#include <stdio.h>
#include <wasi/api.h>

#include <intravisor.h>

#define WILD ((const void *)0xfffff000u)
#define LOW ((const void *)16)
#define HUGE 0xffffffffu

static int failures;

static void expect_efault(const char *what, long ret)
{
	if (ret == IV_EFAULT) {
		printf("OK %s: EFAULT\n", what);
	} else {
		printf("FAIL %s: %ld, expected EFAULT (%d)\n", what, ret, IV_EFAULT);
		failures++;
	}
}

static long fd_write(const void *iovs_ptr, const void *buf, size_t len)
{
	__wasi_ciovec_t iov = { .buf = buf, .buf_len = len };
	const __wasi_ciovec_t *iovs = iovs_ptr ? iovs_ptr : &iov;
	__wasi_size_t written = 0;

	return __wasi_fd_write(1, iovs, 1, &written);
}

int main(void)
{
	expect_efault("console_write(wild pointer)", -iv_console_write(WILD, 16));
	expect_efault("console_write(overflowing length)", -iv_console_write(LOW, HUGE));
	expect_efault("fd_write(wild iovec array)", fd_write(WILD, NULL, 0));
	expect_efault("fd_write(wild pointer)", fd_write(NULL, WILD, 16));
	expect_efault("fd_write(overflowing length)", fd_write(NULL, LOW, HUGE));
	printf("%d failure(s)\n", failures);
	return failures == 0 ? 0 : 1;
}
