/* Security guest `waiter`: calls an entry that never returns; gets an error once the callee's
 * time limit ends it, and carries on. */
#include <stdint.h>

#include <intravisor.h>

#include "check.h"

int main(void)
{
	int64_t result = 0;
	int entry = expect_ok(iv_call_prb("stuck.forever", WAIT_MS), "probe stuck.forever");

	if (entry < 0)
		return 1;
	expect_err(iv_call(entry, NULL, 0, NULL, 0, 0, &result), IV_ECANCELED,
		   "a call into a callee that never returns, ended by the callee's time limit");
	expect_err(iv_call(entry, NULL, 0, NULL, 0, 0, &result), IV_ESRCH,
		   "a later call into the stopped callee");
	return check_status();
}
