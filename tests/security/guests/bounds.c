/* Security guest `widener`: derivations that widen bounds or rights, and overflowing ranges. */
#include <stdint.h>
#include <string.h>

#include <intravisor.h>

#include "check.h"

static char region[128] = "0123456789abcdefWXYZ";

int main(void)
{
	const uint64_t top = UINT64_MAX, half = UINT64_C(1) << 63;
	char buf[32];
	int h, r, sub, w;

	h = expect_ok(iv_capfile_adv("widener.region", region, sizeof(region),
				     IV_PERM_LOAD | IV_PERM_STORE | IV_PERM_GRANT), "advertise");
	/* r: the first 64 bytes, read-only. */
	r = expect_ok(iv_cap_derive(h, 0, 64, IV_PERM_LOAD), "derive a read-only window");
	if (h < 0 || r < 0)
		return 1;

	expect_err(iv_cap_derive(r, 0, 65, IV_PERM_LOAD), IV_ERANGE, "derive one byte longer");
	expect_err(iv_cap_derive(r, 1, 64, IV_PERM_LOAD), IV_ERANGE, "derive shifted past the end");
	expect_err(iv_cap_derive(r, 65, 0, IV_PERM_LOAD), IV_ERANGE, "derive starting past the end");
	expect_err(iv_cap_derive(r, 0, 64, IV_PERM_LOAD | IV_PERM_STORE), IV_ENOTCAPABLE,
		   "derive with STORE from a read-only capability");
	expect_err(iv_cap_derive(r, 0, 64, IV_PERM_LOAD | IV_PERM_MAP), IV_ENOTCAPABLE,
		   "derive with MAP added");
	expect_err(iv_cap_derive(r, 0, 64, IV_PERM_GRANT), IV_ENOTCAPABLE, "derive with GRANT added");
	expect_err(iv_cap_derive(r, 0, 64, IV_PERM_LOAD | 0x80), IV_EINVAL,
		   "derive with an undefined permission bit");
	expect_err(iv_cap_derive(r, 0, 64, 0xffffffffu), IV_EINVAL, "derive with every bit set");

	/* Offsets and lengths whose sum wraps around 2^64 must not pass the bounds check. */
	expect_err(iv_cap_derive(r, half, half, IV_PERM_LOAD), IV_ERANGE,
		   "derive offset 2^63 length 2^63");
	expect_err(iv_cap_derive(r, 1, top, IV_PERM_LOAD), IV_ERANGE,
		   "derive offset 1 length 2^64-1");
	expect_err(iv_cap_derive(r, top, 1, IV_PERM_LOAD), IV_ERANGE,
		   "derive offset 2^64-1 length 1");
	expect_err(iv_cap_derive(r, half, top, IV_PERM_LOAD), IV_ERANGE,
		   "derive offset 2^63 length 2^64-1");
	expect_err(iv_cap_load(r, top, buf, 2), IV_ERANGE, "load at offset 2^64-1");
	expect_err(iv_cap_load(r, half, buf, 16), IV_ERANGE, "load at offset 2^63");
	expect_err(iv_cap_load(r, top - 7, buf, 16), IV_ERANGE, "load at offset 2^64-8, 16 bytes");
	expect_err(iv_cap_load(r, 60, buf, 8), IV_ERANGE, "load across the end");
	expect_err(iv_cap_load(r, 64, buf, 1), IV_ERANGE, "load just past the end");
	expect_err(iv_cap_store(h, top, buf, 2), IV_ERANGE, "store at offset 2^64-1");
	expect_err(iv_cap_store(h, 120, buf, 16), IV_ERANGE, "store across the end");
	expect_err(iv_cap_copy(h, 0, r, top - 3, 8), IV_ERANGE, "copy from offset 2^64-4");
	expect_err(iv_cap_copy(h, half, r, 0, 8), IV_ERANGE, "copy to offset 2^63");

	/* A derived capability is relative to its own base and cannot reach back out. */
	sub = expect_ok(iv_cap_derive(r, 16, 4, IV_PERM_LOAD), "derive bytes 16..20");
	memset(buf, 0, sizeof(buf));
	expect_true(iv_cap_load(sub, 0, buf, 4) == 0 && memcmp(buf, "WXYZ", 4) == 0,
		    "a derived capability reads its own bytes");
	expect_err(iv_cap_load(sub, 4, buf, 1), IV_ERANGE, "load past a derived capability's end");
	expect_err(iv_cap_derive(sub, 0, 5, IV_PERM_LOAD), IV_ERANGE,
		   "derive wider than a derived capability");

	/* The cVM's own side of a copy is checked against its memory. */
	expect_err(iv_cap_load(h, 0, (void *)(uintptr_t)0xfffffff0u, 32), IV_EFAULT,
		   "load into a destination outside the cVM's memory");
	expect_err(iv_cap_store(h, 0, (void *)(uintptr_t)0xfffffff0u, 32), IV_EFAULT,
		   "store from a source outside the cVM's memory");

	/* Rights only narrow: a capability derived without STORE stays without it. */
	w = expect_ok(iv_cap_derive(r, 0, 8, IV_PERM_LOAD), "derive");
	expect_err(iv_cap_derive(w, 0, 8, IV_PERM_LOAD | IV_PERM_STORE), IV_ENOTCAPABLE,
		   "derive STORE back from a narrowed capability");
	return check_status();
}
