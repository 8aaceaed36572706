/* Stream test guests: their error checks' OK/FAIL lines (the bookkeeping: guest_check.c). */
#include <intravisor.h>

#include "expect.h"

static const char *error_name(long err)
{
	const char *name = iv_error_name(err);

	return name ? name : "an unnamed value";
}

void expect_err(long got, int want, const char *what)
{
	if (got == -want) {
		iv_printf("OK: %s: %s\n", what, error_name(got));
		return;
	}
	check_failed();
	iv_printf("FAIL: %s: got %ld, expected %s\n", what, got, error_name(-want));
}

long expect_ok(long got, const char *what)
{
	if (got < 0) {
		check_failed();
		iv_printf("FAIL: %s: got %s (%ld)\n", what, error_name(got), got);
	}
	return got;
}
