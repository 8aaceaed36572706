/* WASI random_get: empty, small and large requests, bytes that differ, and EFAULT. */
#include <string.h>

#include "check.h"

static uint8_t big[65536];

int main(void)
{
	uint8_t a[64], b[64], zero[64] = { 0 };
	uint8_t *end = (uint8_t *)memory_end();
	unsigned counts[256] = { 0 }, distinct = 0;
	int skewed = 0;

	check_errno(__wasi_random_get(a, 0), 0, "random_get of 0 bytes");
	check_errno(__wasi_random_get(a, sizeof(a)), 0, "random_get of 64 bytes");
	check_errno(__wasi_random_get(b, sizeof(b)), 0, "random_get of 64 more bytes");
	check(memcmp(a, b, sizeof(a)) != 0, "two draws differ");
	check(memcmp(a, zero, sizeof(a)) != 0, "a draw is not all zeros");

	memset(b, 0xaa, sizeof(b));
	check_errno(__wasi_random_get(b + 8, 16), 0, "random_get of 16 bytes inside a buffer");
	check(b[7] == 0xaa && b[24] == 0xaa, "random_get writes only the bytes asked for");

	check_errno(__wasi_random_get(big, sizeof(big)), 0, "random_get of 64 KiB");
	for (size_t i = 0; i < sizeof(big); i++)
		counts[big[i]]++;
	for (int v = 0; v < 256; v++)
		if (counts[v])
			distinct++;
	check(distinct == 256, "64 KiB hold every byte value (%u seen)", distinct);
	/* Each value is expected 256 times; 512 is more than 16 standard deviations away. */
	for (int v = 0; v < 256; v++)
		if (counts[v] > 512)
			skewed = 1;
	check(!skewed, "no byte value occurs more than twice as often as expected");

	check_errno(__wasi_random_get(end - 8, 16), __WASI_ERRNO_FAULT,
		    "random_get straddling the end of memory");
	check_errno(__wasi_random_get(end, 1), __WASI_ERRNO_FAULT,
		    "random_get past the end of memory");
	check_errno(__wasi_random_get((uint8_t *)0xfffffff0, 32), __WASI_ERRNO_FAULT,
		    "random_get wrapping around the 32-bit address space");
	return check_summary("random");
}
