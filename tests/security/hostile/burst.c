/* 100,000 hostcalls with arguments from a seeded generator: each must return, never crash. */
#include <intravisor.h>
#include <stdint.h>

static uint64_t state = 0x9e3779b97f4a7c15u;

static uint64_t next(void)
{
	/* xorshift64*: deterministic, so a failure can be replayed. */
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545f4914f6cdd1du;
}

static char buf[256];

/* A number: an edge, something small, or anything. */
static uint32_t num(void)
{
	static const uint32_t edges[] = {0, 1, 0xffff, 0x10000, 0xfffff000u, 0xffffffffu,
					 0x7fffffffu, 0x80000000u};
	uint64_t r = next();

	switch (r % 3) {
	case 0:
		return edges[(r >> 8) % 8];
	case 1:
		return (uint32_t)(r >> 16) % 4096;
	default:
		return (uint32_t)(r >> 32);
	}
}

/*
 * A pointer: wild (past any memory, or straddling the end of the address space), or this
 * guest's own scratch buffer, so a hostcall that succeeds only ever writes there.
 */
static void *ptr(void)
{
	static const uint32_t wild[] = {0xfffff000u, 0xffffffffu, 0x80000000u, 0xfffffffcu};
	uint64_t r = next();

	return r % 2 ? (void *)(uintptr_t)wild[(r >> 8) % 4] : buf;
}

/* A length: fits the scratch buffer, or overflows anything. */
static uint32_t len(void)
{
	static const uint32_t huge[] = {0xffffffffu, 0x80000000u, 0x10001u, 0xfffffff0u};
	uint64_t r = next();

	return r % 2 ? huge[(r >> 8) % 4] : (uint32_t)(r >> 16) % sizeof(buf);
}

int main(void)
{
	uint32_t i, survived = 0;

	for (i = 0; i < 100000; i++) {
		uint64_t pick = next() % 14;
		int64_t r;

		switch (pick) {
		case 0:
			r = iv_hc_console_write(ptr(), 0);
			break;
		case 1:
			r = iv_hc_clock_ns((int32_t)num());
			break;
		case 2:
			r = iv_hc_random(ptr(), len());
			break;
		case 3:
			r = iv_hc_cap_info((int32_t)num(), ptr());
			break;
		case 4:
			r = iv_hc_cap_derive((int32_t)num(), next(), next(), num());
			break;
		case 5:
			r = iv_hc_cap_revoke((int32_t)num());
			break;
		case 6:
			r = iv_hc_cap_load((int32_t)num(), next(), ptr(), len());
			break;
		case 7:
			r = iv_hc_cap_copy((int32_t)num(), next(), (int32_t)num(), next(), num());
			break;
		case 8:
			r = iv_hc_cap_map((int32_t)num(), ptr());
			break;
		case 9:
			r = iv_hc_capfile_prb(ptr(), len(), 0, ptr());
			break;
		case 10:
			r = iv_hc_call((int32_t)num(), ptr(), (int32_t)num(), ptr(), len(),
				       (int32_t)num(), ptr());
			break;
		case 11:
			r = iv_hc_call_prb(ptr(), len(), 0);
			break;
		case 12:
			r = iv_hc_cap_transfer((int32_t)num(), ptr(), len());
			break;
		default:
			r = iv_hc_capfile_adv(ptr(), len(), ptr(), len(), num());
			break;
		}
		(void)r;
		survived++;
	}
	iv_printf("%u hostcalls with hostile arguments returned\n", survived);
	return 0;
}
