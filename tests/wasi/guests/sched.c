/* WASI sched_yield returns at once and proc_raise is refused, leaving the cVM running. */
#include "check.h"

/* proc_raise is in preview1 but no longer in wasi-libc's header: imported by hand. */
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise")))
extern int32_t wasi_proc_raise(int32_t sig);

/* WASI's numbering of the signals raised. */
enum { SIGNAL_ABRT = 6, SIGNAL_KILL = 9, SIGNAL_TERM = 15 };

int main(void)
{
	int yielded = 1;

	for (int i = 0; i < 1000; i++)
		if (__wasi_sched_yield())
			yielded = 0;
	check(yielded, "sched_yield 1000 times");
	/* Signals do not exist here: raising one must fail, not stop or kill the cVM. */
	check_either(wasi_proc_raise(SIGNAL_TERM), __WASI_ERRNO_NOSYS, __WASI_ERRNO_NOTSUP,
		     "proc_raise TERM");
	check_either(wasi_proc_raise(SIGNAL_KILL), __WASI_ERRNO_NOSYS, __WASI_ERRNO_NOTSUP,
		     "proc_raise KILL");
	check_either(wasi_proc_raise(SIGNAL_ABRT), __WASI_ERRNO_NOSYS, __WASI_ERRNO_NOTSUP,
		     "proc_raise ABRT");
	check(1, "still running after proc_raise");
	return check_summary("sched");
}
