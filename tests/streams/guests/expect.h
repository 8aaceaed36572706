/* Stream test guests: OK/FAIL lines for each check, and the deterministic data they stream. */
#ifndef EXPECT_H
#define EXPECT_H

#include <stdint.h>

#include "../../common/guest_check.h"

/* How long a guest waits for a name another cVM of its test advertises, in milliseconds. */
#define WAIT_MS 10000

/* The step described by what had to fail with -want: an "OK: what: -IV_NAME" line or FAIL. */
void expect_err(long got, int want, const char *what);

/* The step described by what returned got, which must be >= 0; returns got. */
long expect_ok(long got, const char *what);

/* xorshift32: the same sequence in the writer and the reader of a test. */
static inline uint32_t next_random(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

/* FNV-1a over len bytes, continuing from hash. */
static inline uint32_t fnv1a(uint32_t hash, const void *data, unsigned long len)
{
	const uint8_t *p = data;

	while (len--)
		hash = (hash ^ *p++) * 16777619u;
	return hash;
}

#define FNV_START 2166136261u

#endif
