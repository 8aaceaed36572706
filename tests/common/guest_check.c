/* Test guests: the failure count behind their exit status, OK/FAIL lines, error names. */
#include <intravisor.h>

#include "guest_check.h"

static int failures;

const char *iv_error_name(long err)
{
	static const struct {
		int value;
		const char *name;
	} names[] = {
		{ IV_EACCES, "-IV_EACCES" }, { IV_EAGAIN, "-IV_EAGAIN" }, { IV_EBADF, "-IV_EBADF" },
		{ IV_ECANCELED, "-IV_ECANCELED" }, { IV_EDEADLK, "-IV_EDEADLK" },
		{ IV_EEXIST, "-IV_EEXIST" }, { IV_EFAULT, "-IV_EFAULT" }, { IV_EINVAL, "-IV_EINVAL" },
		{ IV_EIO, "-IV_EIO" }, { IV_EMFILE, "-IV_EMFILE" }, { IV_EMSGSIZE, "-IV_EMSGSIZE" },
		{ IV_ENAMETOOLONG, "-IV_ENAMETOOLONG" }, { IV_ENOENT, "-IV_ENOENT" },
		{ IV_ENOMEM, "-IV_ENOMEM" }, { IV_ENOSPC, "-IV_ENOSPC" }, { IV_ENOSYS, "-IV_ENOSYS" },
		{ IV_ENOTSUP, "-IV_ENOTSUP" }, { IV_EPERM, "-IV_EPERM" }, { IV_EPIPE, "-IV_EPIPE" },
		{ IV_ERANGE, "-IV_ERANGE" }, { IV_ESRCH, "-IV_ESRCH" }, { IV_ESTALE, "-IV_ESTALE" },
		{ IV_ETIMEDOUT, "-IV_ETIMEDOUT" }, { IV_ENOTCAPABLE, "-IV_ENOTCAPABLE" },
	};

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (-names[i].value == err)
			return names[i].name;
	return NULL;
}

void check_failed(void)
{
	failures++;
}

void expect_true(int ok, const char *what)
{
	if (ok) {
		iv_printf("OK: %s\n", what);
	} else {
		check_failed();
		iv_printf("FAIL: %s\n", what);
	}
}

int check_status(void)
{
	return failures ? 1 : 0;
}
