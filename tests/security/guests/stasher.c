/* Security guest `stasher`: keeps capabilities to a caller's lent buffer for after the call. */
#include <stdint.h>

#include <intravisor.h>

#include "check.h"

static int lent, derived, orphan;

/* First call: keeps the lent handle and a capability derived from it. */
IV_EXPORT("keep") int32_t keep(void);
int32_t keep(void)
{
	lent = iv_call_buffer();
	derived = iv_cap_derive(lent, 0, 8, IV_PERM_LOAD | IV_PERM_STORE);
	return lent > 0 && derived > 0 ? 0 : -1;
}

/* Second call: derives from the lent handle, then drops the handle so nothing revokes it. */
IV_EXPORT("keep_orphan") int32_t keep_orphan(void);
int32_t keep_orphan(void)
{
	int buf = iv_call_buffer();

	orphan = iv_cap_derive(buf, 0, 8, IV_PERM_LOAD | IV_PERM_STORE);
	iv_cap_drop(buf);
	return orphan > 0 ? 0 : -1;
}

/* Third call, with a new buffer lent: every kept capability must be dead. */
IV_EXPORT("use") int32_t use(void);
int32_t use(void)
{
	static const char stolen[8] = "stolen!";
	char bytes[8];

	/* The monitor revokes and frees the lent handle's slot when the call returns. */
	expect_err(iv_cap_load(lent, 0, bytes, 8), IV_EBADF,
		   "load through the lent handle kept from an earlier call");
	expect_err(iv_cap_store(lent, 0, stolen, 8), IV_EBADF,
		   "store through the lent handle kept from an earlier call");
	expect_err(iv_cap_load(derived, 0, bytes, 8), IV_ESTALE,
		   "load through a capability derived from an earlier call's buffer");
	expect_err(iv_cap_store(derived, 0, stolen, 8), IV_ESTALE,
		   "store through a capability derived from an earlier call's buffer");
	expect_err(iv_cap_load(orphan, 0, bytes, 8), IV_ESTALE,
		   "load through a capability derived from a buffer handle dropped during the call");
	expect_err(iv_cap_store(orphan, 0, stolen, 8), IV_ESTALE,
		   "store through a capability derived from a buffer handle dropped during the call");
	return check_status();
}

int main(void)
{
	if (iv_call_adv("stasher.keep", "keep") < 0 ||
	    iv_call_adv("stasher.keep_orphan", "keep_orphan") < 0 ||
	    iv_call_adv("stasher.use", "use") < 0)
		return 1;
	if (iv_serve(-1) != 0)
		return 1;
	return check_status();
}
