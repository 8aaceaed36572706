/* Stream test guests: the OK/FAIL bookkeeping, naming every error the stream calls return. */
#include <intravisor.h>

#include "expect.h"

static int failures;

static const char *error_name(long err)
{
	static const struct {
		int value;
		const char *name;
	} names[] = {
		{ IV_EACCES, "-IV_EACCES" }, { IV_EAGAIN, "-IV_EAGAIN" }, { IV_EBADF, "-IV_EBADF" },
		{ IV_EEXIST, "-IV_EEXIST" }, { IV_EFAULT, "-IV_EFAULT" }, { IV_EINVAL, "-IV_EINVAL" },
		{ IV_EMFILE, "-IV_EMFILE" }, { IV_EMSGSIZE, "-IV_EMSGSIZE" },
		{ IV_ENOENT, "-IV_ENOENT" }, { IV_ENOMEM, "-IV_ENOMEM" }, { IV_EPIPE, "-IV_EPIPE" },
		{ IV_ENOTCAPABLE, "-IV_ENOTCAPABLE" }, { IV_ESRCH, "-IV_ESRCH" },
		{ IV_ESTALE, "-IV_ESTALE" }, { IV_ETIMEDOUT, "-IV_ETIMEDOUT" },
	};

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (-names[i].value == err)
			return names[i].name;
	return "an unnamed value";
}

void expect_err(long got, int want, const char *what)
{
	if (got == -want) {
		iv_printf("OK: %s: %s\n", what, error_name(got));
		return;
	}
	failures++;
	iv_printf("FAIL: %s: got %ld, expected %s\n", what, got, error_name(-want));
}

long expect_ok(long got, const char *what)
{
	if (got < 0) {
		failures++;
		iv_printf("FAIL: %s: got %s (%ld)\n", what, error_name(got), got);
	}
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
