/* Security guest `sealbreaker`: uses sealed capabilities without unsealing, and wrong sealers. */
#include <string.h>

#include <intravisor.h>

#include "check.h"

int main(void)
{
	struct iv_cap_info info;
	char *region = iv_map_alloc(IV_MAP_ALIGN), *win = iv_map_alloc(IV_MAP_ALIGN);
	char buf[16];
	int h, other, sealer, sealed, wrong, seal_only, unsealed;

	if (!region || !win)
		return 1;
	strcpy(region, "sealed secret");
	h = expect_ok(iv_capfile_adv("sealbreaker.region", region, IV_MAP_ALIGN,
				     IV_PERM_LOAD | IV_PERM_STORE | IV_PERM_MAP),
		      "advertise a mappable region");
	other = expect_ok(iv_cap_derive(h, 0, 64, IV_PERM_LOAD | IV_PERM_STORE), "derive");
	sealer = expect_ok(iv_cap_sealer(), "new sealer");
	sealed = expect_ok(iv_cap_seal(h, sealer), "seal");
	if (h < 0 || other < 0 || sealer < 0 || sealed < 0)
		return 1;

	expect_true(iv_cap_info(sealed, &info) == 0 && info.seal_type != 0 &&
			    info.type == IV_CAP_MEMORY,
		    "a sealed capability can be inspected");
	expect_err(iv_cap_load(sealed, 0, buf, 4), IV_EACCES, "load through a sealed capability");
	expect_err(iv_cap_store(sealed, 0, "x", 1), IV_EACCES, "store through a sealed capability");
	expect_err(iv_cap_copy(other, 0, sealed, 0, 4), IV_EACCES, "copy from a sealed capability");
	expect_err(iv_cap_copy(sealed, 0, other, 0, 4), IV_EACCES, "copy into a sealed capability");
	expect_err(iv_cap_map(sealed, win), IV_EACCES, "map a sealed capability");
	expect_err(iv_cap_derive(sealed, 0, 4, IV_PERM_LOAD), IV_EACCES,
		   "derive from a sealed capability");
	expect_err(iv_cap_seal(sealed, sealer), IV_EACCES, "seal a sealed capability again");

	wrong = expect_ok(iv_cap_sealer(), "another sealer");
	expect_err(iv_cap_unseal(sealed, wrong), IV_EACCES, "unseal with a sealer of another type");
	expect_err(iv_cap_unseal(h, sealer), IV_EACCES, "unseal a capability that is not sealed");
	expect_err(iv_cap_unseal(sealed, other), IV_EINVAL, "unseal with a memory capability");
	expect_err(iv_cap_seal(other, other), IV_EINVAL, "seal with a memory capability");
	seal_only = expect_ok(iv_cap_derive(sealer, 0, 0, IV_PERM_SEAL), "derive a seal-only sealer");
	expect_err(iv_cap_unseal(sealed, seal_only), IV_ENOTCAPABLE,
		   "unseal with a sealer lacking UNSEAL");
	expect_err(iv_cap_derive(seal_only, 0, 0, IV_PERM_SEAL | IV_PERM_UNSEAL), IV_ENOTCAPABLE,
		   "derive UNSEAL back from a seal-only sealer");

	/* The right sealer gives the capability back, with its rights. */
	unsealed = expect_ok(iv_cap_unseal(sealed, sealer), "unseal with the right sealer");
	memset(buf, 0, sizeof(buf));
	expect_true(iv_cap_load(unsealed, 0, buf, 13) == 0 && strcmp(buf, "sealed secret") == 0,
		    "the unsealed capability reads the region");

	/* Revoking the sealer's capability does not unseal anything. */
	expect_ok(iv_cap_revoke(sealer), "revoke the sealer");
	expect_err(iv_cap_unseal(sealed, sealer), IV_ESTALE, "unseal with a revoked sealer");
	expect_err(iv_cap_load(sealed, 0, buf, 4), IV_EACCES,
		   "load through a sealed capability after its sealer was revoked");
	return check_status();
}
