/* Security guest `victim`: calls into `crasher` as it traps; gets an error, not the trap. */
#include <stdint.h>

#include <intravisor.h>

#include "check.h"

static char flag[1];

int main(void)
{
	int ping, crash;
	int64_t result = 0;

	ping = expect_ok(iv_call_prb("crasher.ping", WAIT_MS), "probe crasher.ping");
	crash = expect_ok(iv_call_prb("crasher.crash", WAIT_MS), "probe crasher.crash");
	if (ping < 0 || crash < 0)
		return 1;
	expect_true(iv_call(ping, NULL, 0, NULL, 0, 0, &result) == 0 && result == 42,
		    "crasher answers before it crashes");

	/* Crash only once the bystander holds its entry capability too. */
	expect_ok(iv_capfile_prb("bystander.ready", WAIT_MS, NULL), "wait for the bystander");
	expect_err(iv_call(crash, NULL, 0, NULL, 0, 0, &result), IV_ECANCELED,
		   "a call during which the callee traps");
	expect_err(iv_call(ping, NULL, 0, NULL, 0, 0, &result), IV_ESRCH,
		   "a call into the crashed callee");

	/* Tell the bystander, and stay until it has ended: the name lives as long as we do. */
	expect_ok(iv_capfile_adv("victim.crashed", flag, sizeof(flag), IV_PERM_LOAD),
		  "advertise victim.crashed");
	expect_ok(iv_serve(-1), "serve");
	return check_status();
}
