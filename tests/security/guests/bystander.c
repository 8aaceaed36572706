/* Security guest `bystander`: holds an entry into `crasher` and uses it after the crash. */
#include <stdint.h>

#include <intravisor.h>

#include "check.h"

static char flag[1];

int main(void)
{
	int ping;
	int64_t result = 0;

	ping = expect_ok(iv_call_prb("crasher.ping", WAIT_MS), "probe crasher.ping");
	if (ping < 0)
		return 1;
	expect_ok(iv_capfile_adv("bystander.ready", flag, sizeof(flag), IV_PERM_LOAD),
		  "advertise bystander.ready");
	expect_ok(iv_capfile_prb("victim.crashed", WAIT_MS, NULL), "wait for the crash");
	expect_err(iv_call(ping, NULL, 0, NULL, 0, 0, &result), IV_ESRCH,
		   "a call into a callee that crashed in another cVM's call");
	return check_status();
}
