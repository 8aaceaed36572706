/* Security guest `granter`: transfers capabilities without GRANT, and revokes what it gave. */
#include <stdint.h>

#include <intravisor.h>

#include "check.h"

static char plain[64] = "plain", granted[64] = "granted";

/* Calls the receiver's function name on handle h (a handle in the receiver's table). */
static int ask(const char *name, int h)
{
	int entry = iv_call_prb(name, WAIT_MS);
	int64_t arg = h, result = 0;
	int ret;

	if (entry < 0)
		return entry;
	ret = iv_call(entry, &arg, 1, NULL, 0, 0, &result);
	return ret ? ret : (int)result;
}

int main(void)
{
	int p, g, nog, ro, t;

	p = expect_ok(iv_capfile_adv("granter.plain", plain, sizeof(plain),
				     IV_PERM_LOAD | IV_PERM_STORE), "advertise without GRANT");
	g = expect_ok(iv_capfile_adv("granter.granted", granted, sizeof(granted),
				     IV_PERM_LOAD | IV_PERM_STORE | IV_PERM_GRANT),
		      "advertise with GRANT");
	if (p < 0 || g < 0)
		return 1;

	expect_err(iv_cap_transfer(p, "receiver"), IV_ENOTCAPABLE,
		   "transfer a capability without GRANT");
	nog = expect_ok(iv_cap_derive(g, 0, sizeof(granted), IV_PERM_LOAD | IV_PERM_STORE),
			"derive without GRANT");
	expect_err(iv_cap_transfer(nog, "receiver"), IV_ENOTCAPABLE,
		   "transfer a capability derived without GRANT");
	expect_err(iv_cap_derive(nog, 0, 1, IV_PERM_LOAD | IV_PERM_GRANT), IV_ENOTCAPABLE,
		   "derive GRANT back");
	expect_err(iv_cap_transfer(g, "nobody"), IV_ESRCH, "transfer to a cVM that does not exist");

	/* A read-only copy: the receiver can read it, not write it, and loses it on revoke. */
	ro = expect_ok(iv_cap_derive(g, 0, sizeof(granted), IV_PERM_LOAD | IV_PERM_GRANT),
		       "derive read-only with GRANT");
	t = expect_ok(iv_cap_transfer(ro, "receiver"), "transfer the read-only copy");
	expect_true(ask("receiver.peek", t) == 'g', "the receiver reads the transferred capability");
	expect_err(ask("receiver.poke", t), IV_ENOTCAPABLE,
		   "the receiver stores through the read-only transferred capability");
	expect_ok(iv_cap_revoke(ro), "revoke the read-only copy");
	expect_err(ask("receiver.peek", t), IV_ESTALE,
		   "the receiver reads the transferred capability after the granter revoked it");
	expect_true(granted[0] == 'g', "the granted region is unchanged");
	return check_status();
}
