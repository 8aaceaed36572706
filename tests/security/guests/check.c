/* Security test guests: the OK/FAIL bookkeeping shared by every hostile guest. */
#include <intravisor.h>

#include "check.h"

static int failures;

static const char *error_name(int err)
{
	static const struct {
		int value;
		const char *name;
	} names[] = {
		{ IV_EACCES, "-IV_EACCES" }, { IV_EBADF, "-IV_EBADF" },
		{ IV_ECANCELED, "-IV_ECANCELED" }, { IV_EDEADLK, "-IV_EDEADLK" },
		{ IV_EEXIST, "-IV_EEXIST" }, { IV_EFAULT, "-IV_EFAULT" },
		{ IV_EINVAL, "-IV_EINVAL" }, { IV_EMFILE, "-IV_EMFILE" },
		{ IV_ENOENT, "-IV_ENOENT" }, { IV_ENOTCAPABLE, "-IV_ENOTCAPABLE" },
		{ IV_ERANGE, "-IV_ERANGE" }, { IV_ESRCH, "-IV_ESRCH" },
		{ IV_ESTALE, "-IV_ESTALE" }, { IV_ETIMEDOUT, "-IV_ETIMEDOUT" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (-names[i].value == err)
			return names[i].name;
	return NULL;
}

static void report(int got, const char *what, const char *expected)
{
	const char *name = error_name(got);

	failures++;
	if (name)
		iv_printf("FAIL: %s: got %s, expected %s\n", what, name, expected);
	else
		iv_printf("FAIL: %s: got %d, expected %s\n", what, got, expected);
}

void expect_err(int got, int want, const char *what)
{
	if (got == -want)
		iv_printf("OK: %s: refused with %s\n", what, error_name(got));
	else
		report(got, what, error_name(-want));
}

int expect_ok(int got, const char *what)
{
	if (got < 0)
		report(got, what, "success");
	return got;
}

void expect_true(int ok, const char *what)
{
	if (ok) {
		iv_printf("OK: %s\n", what);
	} else {
		failures++;
		iv_printf("FAIL: %s\n", what);
	}
}

int check_status(void)
{
	return failures ? 1 : 0;
}
