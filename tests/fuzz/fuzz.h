/* Shared by the fuzz harnesses: libFuzzer's entry point and a reader of structured input. */
#ifndef IV_FUZZ_H
#define IV_FUZZ_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Runs one input; libFuzzer calls it, and so does replay.c in ordinary builds. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads the input as a stream of numbers; past its end every read gives 0. */
struct fuzz_in {
	const uint8_t *p, *end;
};

static inline int fz_more(const struct fuzz_in *in)
{
	return in->p < in->end;
}

static inline uint8_t fz_u8(struct fuzz_in *in)
{
	return in->p < in->end ? *in->p++ : 0;
}

/* Little-endian; each byte read in its own statement, so every compiler decodes alike. */
static inline uint16_t fz_u16(struct fuzz_in *in)
{
	uint16_t lo = fz_u8(in);

	return (uint16_t)(lo | fz_u8(in) << 8);
}

static inline uint32_t fz_u32(struct fuzz_in *in)
{
	uint32_t lo = fz_u16(in);

	return lo | (uint32_t)fz_u16(in) << 16;
}

static inline uint64_t fz_u64(struct fuzz_in *in)
{
	uint64_t lo = fz_u32(in);

	return lo | (uint64_t)fz_u32(in) << 32;
}

/*
 * A number biased towards the edges of a range of size edge: small values, values around
 * edge, around the top of 64 bits, and any value at all.
 */
static inline uint64_t fz_near(struct fuzz_in *in, uint64_t edge)
{
	uint8_t mode = fz_u8(in);
	uint64_t small = mode >> 3;

	switch (mode & 7) {
	case 0:
		return small;
	case 1:
		return edge - small;
	case 2:
		return edge + small;
	case 3:
		return UINT64_MAX - small;
	case 4:
		return fz_u16(in);
	case 5:
		return fz_u32(in);
	case 6:
		return fz_u64(in);
	default:
		return edge / 2 + small;
	}
}

/* Descriptors a harness process has at most: far more than it ever opens. */
#define FZ_MAX_FDS 256

/* Open descriptors below FZ_MAX_FDS, counted in one poll(2): closed ones answer POLLNVAL. */
static inline int fz_open_fds(void)
{
	struct pollfd p[FZ_MAX_FDS];
	int i, n = 0;

	for (i = 0; i < FZ_MAX_FDS; i++)
		p[i] = (struct pollfd){.fd = i};
	poll(p, FZ_MAX_FDS, 0);
	for (i = 0; i < FZ_MAX_FDS; i++)
		n += !(p[i].revents & POLLNVAL);
	return n;
}

/*
 * True when descriptors leak: the count passes its highest so far more than a few times
 * (what the monitor opens once and keeps, such as /proc/self/maps, passes it only once).
 */
static inline bool fz_fds_leaked(void)
{
	static int highest = -1, grown;
	int n = fz_open_fds();

	if (n <= highest)
		return false;
	grown += highest >= 0;
	highest = n;
	return grown > 3;
}

#endif
