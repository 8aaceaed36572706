/* Security guest `snoop`: probes capfiles whose YAML allow-list leaves it out. */
#include <intravisor.h>

#include "check.h"

int main(void)
{
	static char mine[8];

	expect_err(iv_capfile_prb("secret", 0, NULL), IV_EACCES, "probe a capfile not allowed to it");
	expect_err(iv_capfile_prb("secret", WAIT_MS, NULL), IV_EACCES,
		   "probe it again, willing to wait");
	expect_err(iv_capfile_prb("nobody", 0, NULL), IV_EACCES, "probe a capfile with allow: []");
	expect_err(iv_capfile_adv("secret", mine, sizeof(mine), IV_PERM_LOAD | IV_PERM_STORE),
		   IV_EEXIST, "advertise its own region under the capfile's name");
	return check_status();
}
