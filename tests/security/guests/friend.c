/* Security helper `friend`: on a capfile's allow-list, it probes and reads it. */
#include <intravisor.h>

#include "check.h"

int main(void)
{
	char text[16] = { 0 };
	int h = expect_ok(iv_capfile_prb("secret", 0, NULL), "probe secret");

	expect_true(h > 0 && iv_cap_load(h, 0, text, 15) == 0,
		    "a cVM on the allow-list probes and reads the capfile");
	iv_printf("friend: secret says: %s", text);
	expect_err(iv_capfile_prb("nobody", 0, NULL), IV_EACCES, "probe a capfile with allow: []");
	return check_status();
}
