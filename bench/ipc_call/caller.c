/* bench/ipc-call guest `caller` (bare): times iv_call round trips and mapped-capfile copies. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <intravisor.h>

#define CALLS 1000000        /* calls per repetition */
#define REPS 3               /* repetitions per run after a warm-up; bench/ipc-call runs 3 */
#define BUF_SIZE (16u << 20) /* as in callee.c */
#define PASSES 4             /* copies of BUF_SIZE per repetition */
#define PROBE_MS 10000       /* the callee fills its buffer before advertising */

typedef void *copy_fn(void *dst, const void *src, size_t len);

static int64_t local_add1(int64_t x)
{
	return x + 1;
}

/* memory.copy (bulk memory) in this function only: the monitor runs it as one host memmove. */
__attribute__((target("bulk-memory"))) static void *bulk_copy(void *dst, const void *src,
							     size_t len)
{
	return __builtin_memcpy(dst, src, len);
}

/*
 * Read through volatile pointers, so neither clang nor the monitor's cc can inline the local
 * call or merge and drop copy passes.
 */
static int64_t (*volatile local_fn)(int64_t) = local_add1;
static copy_fn *volatile copy_libc = memcpy, *volatile copy_bulk = bulk_copy;

/* One result line for bench/ipc-call: measurement, repetition, nanoseconds, calls or bytes. */
static void report(const char *what, int rep, int64_t ns, uint64_t units)
{
	if (rep >= 0)
		iv_printf("ipc-call %s %d %lld %llu\n", what, rep, (long long)ns,
			  (unsigned long long)units);
}

static int64_t now(void)
{
	return iv_clock_ns(IV_CLOCK_MONOTONIC);
}

/* Each repetition: CALLS cross-cVM calls, local calls, and empty hostcalls. */
static int measure_calls(int entry)
{
	int64_t acc = 0, arg, t0;
	int rep, i, ret = 0;

	for (rep = -1; rep < REPS; rep++) {
		t0 = now();
		for (i = 0; i < CALLS && ret == 0; i++) {
			arg = acc;
			ret = iv_call(entry, &arg, 1, NULL, 0, 0, &acc);
		}
		if (ret) {
			iv_printf("ipc-call error: iv_call: %d\n", ret);
			return -1;
		}
		report("call", rep, now() - t0, CALLS);
		t0 = now();
		for (i = 0; i < CALLS; i++)
			acc = local_fn(acc);
		report("local", rep, now() - t0, CALLS);
		/* Outside a call there is no lent buffer: the hostcall only reads one field. */
		t0 = now();
		for (i = 0; i < CALLS && ret == 0; i++)
			ret = iv_call_buffer() + IV_ENOENT;
		if (ret) {
			iv_printf("ipc-call error: iv_call_buffer: %d\n", ret - IV_ENOENT);
			return -1;
		}
		report("hostcall", rep, now() - t0, CALLS);
	}
	if (acc != 2LL * (REPS + 1) * CALLS) {
		iv_printf("ipc-call error: add1 results summed to %lld\n", (long long)acc);
		return -1;
	}
	return 0;
}

/* PASSES copies of BUF_SIZE with copy: nanoseconds, or -1 when dst came out wrong. */
static int64_t time_copies(copy_fn *copy, uint8_t *dst, const uint8_t *src)
{
	int64_t t0 = now(), ns;
	int p;

	for (p = 0; p < PASSES; p++)
		copy(dst, src, BUF_SIZE);
	ns = now() - t0;
	return memcmp(dst, src, BUF_SIZE) ? -1 : ns;
}

/* PASSES iv_cap_load of the whole capfile into dst: nanoseconds, or a negative iv_error. */
static int64_t time_cap_loads(int cap, uint8_t *dst, const uint8_t *window)
{
	int64_t t0 = now(), ns;
	int p, ret = 0;

	for (p = 0; p < PASSES && ret == 0; p++)
		ret = iv_cap_load(cap, 0, dst, BUF_SIZE);
	ns = now() - t0;
	if (ret)
		return ret;
	return memcmp(dst, window, BUF_SIZE) ? -1 : ns;
}

/* Each repetition: copies out of the mapped window (two ways), within own memory, by cap_load. */
static int measure_copies(int cap)
{
	static const char *const what[4] = {"mapped", "mapped-bulk", "own", "cap_load"};
	uint8_t *window = iv_map_alloc(BUF_SIZE), *dst = iv_map_alloc(BUF_SIZE);
	uint8_t *own = iv_map_alloc(BUF_SIZE);
	int64_t ns[4];
	int rep, k, ret;

	if (!window || !dst || !own) {
		iv_puts("ipc-call error: caller: out of memory");
		return -1;
	}
	ret = iv_cap_map(cap, window);
	if (ret < 0) {
		iv_printf("ipc-call error: iv_cap_map: %d\n", ret);
		return -1;
	}
	memcpy(own, window, BUF_SIZE);
	memset(dst, 0, BUF_SIZE);
	for (rep = -1; rep < REPS; rep++) {
		ns[0] = time_copies(copy_libc, dst, window);
		ns[1] = time_copies(copy_bulk, dst, window);
		ns[2] = time_copies(copy_libc, dst, own);
		ns[3] = time_cap_loads(cap, dst, window);
		for (k = 0; k < 4; k++) {
			if (ns[k] < 0) {
				iv_printf("ipc-call error: %s copy: %lld\n", what[k],
					  (long long)ns[k]);
				return -1;
			}
			report(what[k], rep, ns[k], (uint64_t)PASSES * BUF_SIZE);
		}
	}
	return 0;
}

int main(void)
{
	uint64_t size = 0;
	int entry = iv_call_prb("bench.add1", PROBE_MS);
	int cap = iv_capfile_prb("bench.buf", PROBE_MS, &size);

	if (entry < 0 || cap < 0 || size != BUF_SIZE) {
		iv_printf("ipc-call error: probes: entry %d, capfile %d of %llu bytes\n", entry,
			  cap, (unsigned long long)size);
		return 1;
	}
	return measure_calls(entry) || measure_copies(cap) ? 1 : 0;
}
