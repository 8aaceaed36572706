/* bench/ipc-call guest `callee` (bare): serves add1 by CAP_CALL and a 16 MiB buffer by CAP_FILE. */
#include <stddef.h>
#include <stdint.h>

#include <intravisor.h>

#define BUF_SIZE (16u << 20) /* as in caller.c */

/* The called function: as small as a function can be, so a call measures the path alone. */
IV_EXPORT("add1") int64_t add1(int64_t x);
int64_t add1(int64_t x)
{
	return x + 1;
}

int main(void)
{
	uint8_t *buf = iv_map_alloc(BUF_SIZE);
	size_t i;
	int ret;

	if (!buf) {
		iv_puts("ipc-call error: callee: out of memory");
		return 1;
	}
	/* A pattern the caller checks its copies against. */
	for (i = 0; i < BUF_SIZE; i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	ret = iv_call_adv("bench.add1", "add1");
	if (ret >= 0)
		ret = iv_capfile_adv("bench.buf", buf, BUF_SIZE,
				     IV_PERM_LOAD | IV_PERM_STORE | IV_PERM_MAP);
	if (ret < 0) {
		iv_printf("ipc-call error: callee cannot advertise: %d\n", ret);
		return 1;
	}
	return iv_serve(-1) == 0 ? 0 : 1;
}
