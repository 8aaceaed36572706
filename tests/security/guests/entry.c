/* Security guest `caller`: calls through capabilities that are not entries, or badly. */
#include <stdint.h>

#include <intravisor.h>

#include "check.h"

IV_EXPORT("self") int32_t self(void);
int32_t self(void)
{
	return 0;
}

static char region[64];

int main(void)
{
	const int64_t args[IV_CALL_MAX_ARGS + 1] = { 2, 3 };
	void *outside = (void *)(uintptr_t)0xfffffff0u;
	int64_t result = 0;
	char byte;
	int entry, mem, sealer, sealed_mem, own;

	entry = expect_ok(iv_call_prb("adder.add", WAIT_MS), "probe adder.add");
	mem = expect_ok(iv_capfile_adv("caller.region", region, sizeof(region),
				       IV_PERM_LOAD | IV_PERM_STORE), "advertise");
	sealer = expect_ok(iv_cap_sealer(), "new sealer");
	sealed_mem = expect_ok(iv_cap_seal(mem, sealer), "seal");
	if (entry < 0 || mem < 0 || sealer < 0 || sealed_mem < 0)
		return 1;

	expect_err(iv_call(mem, args, 2, NULL, 0, 0, NULL), IV_EINVAL, "call a memory capability");
	expect_err(iv_call(sealer, args, 2, NULL, 0, 0, NULL), IV_EINVAL, "call a sealer");
	expect_err(iv_call(sealed_mem, args, 2, NULL, 0, 0, NULL), IV_EINVAL,
		   "call a sealed memory capability");
	expect_err(iv_call(entry ^ 0x10000, args, 2, NULL, 0, 0, NULL), IV_EBADF,
		   "call a forged entry handle");
	expect_err(iv_call(entry, args, 1, NULL, 0, 0, NULL), IV_EINVAL, "call with too few arguments");
	expect_err(iv_call(entry, args, 3, NULL, 0, 0, NULL), IV_EINVAL, "call with too many arguments");
	expect_err(iv_call(entry, args, IV_CALL_MAX_ARGS + 1, NULL, 0, 0, NULL), IV_EINVAL,
		   "call with more than IV_CALL_MAX_ARGS arguments");
	expect_err(iv_call(entry, args, -1, NULL, 0, 0, NULL), IV_EINVAL,
		   "call with a negative argument count");
	expect_err(iv_call(entry, args, 2, region, 8, IV_PERM_LOAD | IV_PERM_MAP, NULL),
		   IV_EINVAL, "lend a buffer with MAP");
	expect_err(iv_call(entry, args, 2, region, 8, IV_PERM_GRANT, NULL), IV_EINVAL,
		   "lend a buffer with GRANT");
	expect_err(iv_call(entry, args, 2, outside, 32, IV_PERM_LOAD, NULL), IV_EFAULT,
		   "lend a buffer outside the cVM's memory");
	expect_err(iv_call(entry, outside, 2, NULL, 0, 0, NULL), IV_EFAULT,
		   "pass arguments from outside the cVM's memory");
	expect_err(iv_call(entry, args, 2, NULL, 0, 0, outside), IV_EFAULT,
		   "ask for the result outside the cVM's memory");

	/* An entry capability is sealed: it can only be called. */
	expect_err(iv_cap_load(entry, 0, &byte, 1), IV_EACCES, "load through an entry capability");
	expect_err(iv_cap_derive(entry, 0, 0, IV_PERM_CALL), IV_EACCES, "derive from an entry");
	expect_err(iv_cap_unseal(entry, sealer), IV_EACCES, "unseal an entry with a sealer");

	/* Names are first come, first served; only callable exports can be advertised. */
	expect_err(iv_call_adv("adder.add", "self"), IV_EEXIST, "advertise under adder's name");
	expect_err(iv_capfile_adv("caller.region", region, 8, IV_PERM_LOAD), IV_EEXIST,
		   "advertise a capfile name twice");
	expect_err(iv_call_adv("caller.start", "_start"), IV_ENOENT, "advertise _start");
	expect_err(iv_call_adv("caller.none", "no_such_export"), IV_ENOENT,
		   "advertise a function the module does not export");

	/* A cVM cannot call into itself: it holds its own lock. */
	expect_ok(iv_call_adv("caller.self", "self"), "advertise self");
	own = expect_ok(iv_call_prb("caller.self", 0), "probe caller.self");
	expect_err(iv_call(own, NULL, 0, NULL, 0, 0, NULL), IV_EDEADLK, "call into itself");

	expect_true(iv_call(entry, args, 2, NULL, 0, 0, &result) == 0 && result == 5,
		    "a well-formed call still works: 2 + 3 = 5");
	return check_status();
}
