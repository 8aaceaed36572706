/* Security guest `trigger`: calls into the sleeping poller to map a window over its events. */
#include <stdint.h>

#include <intravisor.h>

#include "check.h"

int main(void)
{
	int64_t result = -1;
	int entry = expect_ok(iv_call_prb("po.map", WAIT_MS), "probe po.map");

	if (entry < 0)
		return 1;
	expect_ok(iv_call(entry, NULL, 0, NULL, 0, 0, &result), "call the poller while it sleeps");
	expect_ok((int)result, "map the read-only page over the poller's events");
	return 0;
}
