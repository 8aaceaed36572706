/* WASI clock_res_get and clock_time_get: every clock ticks as its kind says; bad ids, EFAULT. */
#include "check.h"

static const char *const clock_names[] = {
	"realtime", "monotonic", "process CPU", "thread CPU",
};

/* Spins until this thread has run for ns of CPU time, or 5 s have passed; whether it had. */
static int spin(__wasi_timestamp_t ns)
{
	__wasi_timestamp_t cpu = clock_now(__WASI_CLOCKID_THREAD_CPUTIME_ID);
	__wasi_timestamp_t wall = clock_now(__WASI_CLOCKID_MONOTONIC);

	while (clock_now(__WASI_CLOCKID_MONOTONIC) - wall < 5000000000ull)
		if (clock_now(__WASI_CLOCKID_THREAD_CPUTIME_ID) - cpu >= ns)
			return 1;
	return 0;
}

int main(void)
{
	__wasi_timestamp_t res, t0[4], t1[4], prev, cur;
	char *end = (char *)memory_end();
	int monotonic = 1;

	for (__wasi_clockid_t id = 0; id < 4; id++) {
		res = 0;
		check_errno(__wasi_clock_res_get(id, &res), 0, "clock_res_get %s", clock_names[id]);
		check(res > 0 && res <= 1000000000, "%s resolution %llu ns: above 0, at most 1 s",
		      clock_names[id], (unsigned long long)res);
		t0[id] = 0;
		check_errno(__wasi_clock_time_get(id, 0, &t0[id]), 0,
			    "clock_time_get %s, precision 0", clock_names[id]);
	}
	/* 2020-01-01T00:00:00Z: the realtime clock counts from the Unix epoch. */
	check(t0[0] > 1577836800ull * 1000000000ull, "realtime is past 2020");

	check(spin(20000000), "thread CPU time reached 20 ms within 5 s of spinning");
	for (__wasi_clockid_t id = 0; id < 4; id++)
		t1[id] = clock_now(id);
	check(t1[3] - t0[3] >= 20000000, "thread CPU time grew by at least 20 ms");
	check(t1[2] - t0[2] >= 20000000, "process CPU time grew by at least as much");
	check(t1[1] - t0[1] >= 20000000, "monotonic advanced by at least 20 ms");
	check(t1[1] - t0[1] < 10000000000ull, "monotonic advanced by less than 10 s");
	check(t1[0] >= t0[0] + 10000000, "realtime advanced by at least 10 ms");

	prev = clock_now(__WASI_CLOCKID_MONOTONIC);
	for (int i = 0; i < 10000; i++) {
		cur = clock_now(__WASI_CLOCKID_MONOTONIC);
		if (cur < prev)
			monotonic = 0;
		prev = cur;
	}
	check(monotonic, "monotonic never goes back over 10000 reads");

	check_errno(__wasi_clock_time_get(4, 1, &res), __WASI_ERRNO_INVAL, "clock_time_get id 4");
	check_errno(__wasi_clock_time_get(0xffffffff, 1, &res), __WASI_ERRNO_INVAL,
		    "clock_time_get id 0xffffffff");
	check_errno(__wasi_clock_res_get(4, &res), __WASI_ERRNO_INVAL, "clock_res_get id 4");
	check_errno(__wasi_clock_res_get(0x80000000, &res), __WASI_ERRNO_INVAL,
		    "clock_res_get id 0x80000000");
	check_errno(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1,
					  (__wasi_timestamp_t *)(end - 4)),
		    __WASI_ERRNO_FAULT, "clock_time_get: a result straddling the end of memory");
	check_errno(__wasi_clock_res_get(__WASI_CLOCKID_REALTIME, (__wasi_timestamp_t *)end),
		    __WASI_ERRNO_FAULT, "clock_res_get: a result past the end of memory");
	return check_summary("clocks");
}
