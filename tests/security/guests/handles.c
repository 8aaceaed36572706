/* Security guest `forger`: forged handle numbers and handles kept after drop and revoke. */
#include <stdint.h>
#include <stdio.h>

#include <intravisor.h>

#include "check.h"

static char region[64] = "the forger's own region";

int main(void)
{
	char byte;
	int h, d, d2, child, grandchild, first, last, n;
	char what[80];

	h = expect_ok(iv_capfile_adv("forger.region", region, sizeof(region),
				     IV_PERM_LOAD | IV_PERM_STORE), "advertise a region");
	if (h < 0)
		return 1;

	/* h is the only handle in the table: every other number is a forgery. */
	const struct {
		int handle;
		const char *what;
	} forged[] = {
		{ 0, "handle 0" },
		{ -1, "handle -1" },
		{ h + 1, "the handle after the real one" },
		{ h - 1, "the handle before the real one" },
		{ h + 0x10000, "the real handle plus 2^16" },
		{ h ^ 0x10000, "the real handle with bit 16 flipped" },
		{ h ^ 0x40000000, "the real handle with bit 30 flipped" },
		{ INT32_MAX, "handle 2^31-1" },
		{ INT32_MIN, "handle -2^31" },
	};
	for (size_t i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
		snprintf(what, sizeof(what), "load through %s", forged[i].what);
		expect_err(iv_cap_load(forged[i].handle, 0, &byte, 1), IV_EBADF, what);
	}
	expect_err(iv_cap_derive(h + 1, 0, 1, IV_PERM_LOAD), IV_EBADF, "derive from a forged handle");
	expect_err(iv_cap_revoke(h + 1), IV_EBADF, "revoke a forged handle");
	expect_err(iv_cap_drop(h + 1), IV_EBADF, "drop a forged handle");
	expect_err(iv_cap_transfer(h + 1, "hello"), IV_EBADF, "transfer a forged handle");

	/* A dropped handle is dead, also once its slot holds a new capability. */
	d = expect_ok(iv_cap_derive(h, 0, 16, IV_PERM_LOAD), "derive");
	expect_ok(iv_cap_drop(d), "drop");
	expect_err(iv_cap_load(d, 0, &byte, 1), IV_EBADF, "load through a dropped handle");
	expect_err(iv_cap_drop(d), IV_EBADF, "drop a handle twice");
	d2 = expect_ok(iv_cap_derive(h, 16, 16, IV_PERM_LOAD), "derive again");
	expect_true(d2 != d, "a reused slot gets a new handle number");
	expect_err(iv_cap_load(d, 0, &byte, 1), IV_EBADF,
		   "load through a dropped handle after its slot was reused");
	expect_ok(iv_cap_drop(d2), "drop");

	/* Revoking a capability kills it and everything derived from it, not its parent. */
	child = expect_ok(iv_cap_derive(h, 0, 32, IV_PERM_LOAD | IV_PERM_STORE), "derive");
	grandchild = expect_ok(iv_cap_derive(child, 8, 8, IV_PERM_LOAD), "derive");
	expect_ok(iv_cap_revoke(child), "revoke");
	expect_err(iv_cap_load(child, 0, &byte, 1), IV_ESTALE, "load through a revoked handle");
	expect_err(iv_cap_store(child, 0, &byte, 1), IV_ESTALE, "store through a revoked handle");
	expect_err(iv_cap_load(grandchild, 0, &byte, 1), IV_ESTALE,
		   "load through a capability derived from a revoked one");
	expect_err(iv_cap_derive(child, 0, 1, IV_PERM_LOAD), IV_ESTALE,
		   "derive from a revoked handle");
	expect_err(iv_cap_revoke(child), IV_ESTALE, "revoke a revoked handle again");
	expect_true(iv_cap_load(h, 0, &byte, 1) == 0 && byte == 't',
		    "the parent of a revoked capability still works");
	expect_ok(iv_cap_drop(child), "drop a revoked handle");
	expect_err(iv_cap_load(child, 0, &byte, 1), IV_EBADF,
		   "load through a revoked handle after dropping it");

	/* Revoking the advertised capability withdraws the name. */
	expect_ok(iv_cap_revoke(h), "revoke the advertised region");
	expect_err(iv_capfile_prb("forger.region", 0, NULL), IV_ENOENT,
		   "probe a region whose advertiser revoked it");

	/* The table is bounded: emptied, it takes IV_CAPS_DEFAULT handles and then no more. */
	expect_ok(iv_cap_drop(h), "drop");
	expect_ok(iv_cap_drop(grandchild), "drop");
	first = expect_ok(iv_cap_sealer(), "new sealer");
	for (n = 1; (last = iv_cap_sealer()) > 0; n++)
		;
	expect_err(last, IV_EMFILE, "a new handle in a full table");
	expect_true(n == IV_CAPS_DEFAULT, "the full table held IV_CAPS_DEFAULT handles");
	expect_ok(iv_cap_drop(first), "drop");
	expect_true(iv_cap_sealer() > 0, "a handle dropped from the full table makes room");
	return check_status();
}
