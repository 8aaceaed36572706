/* Security helper `lender`: lends buffers to `stasher` for three calls, then checks them. */
#include <stdint.h>
#include <string.h>

#include <intravisor.h>

#include "check.h"

static char secret[8] = "secret!";
static char scratch[8] = "scratch";

/* Calls name with buf lent read-write; returns the call's error or the function's result. */
static int call(const char *name, char *buf)
{
	int entry = iv_call_prb(name, WAIT_MS);
	int64_t result = 0;
	int ret;

	if (entry < 0)
		return entry;
	ret = iv_call(entry, NULL, 0, buf, 8, IV_PERM_LOAD | IV_PERM_STORE, &result);
	return ret ? ret : (int)result;
}

int main(void)
{
	int keep = call("stasher.keep", secret);
	int orphan = call("stasher.keep_orphan", secret);
	int use = call("stasher.use", scratch);

	iv_printf("lender: keep %d, keep_orphan %d, use %d\n", keep, orphan, use);
	iv_printf("lender: the lent buffers still say '%s' and '%s'\n", secret, scratch);
	/* The stasher's verdict is its own exit status; the lender checks its own memory. */
	return strcmp(secret, "secret!") == 0 && strcmp(scratch, "scratch") == 0 ? 0 : 1;
}
