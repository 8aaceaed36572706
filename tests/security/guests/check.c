/* Security test guests: their refusal checks' OK/FAIL lines (the bookkeeping: guest_check.c). */
#include <intravisor.h>

#include "check.h"

static void report(int got, const char *what, const char *expected)
{
	const char *name = iv_error_name(got);

	check_failed();
	if (name)
		iv_printf("FAIL: %s: got %s, expected %s\n", what, name, expected);
	else
		iv_printf("FAIL: %s: got %d, expected %s\n", what, got, expected);
}

void expect_err(int got, int want, const char *what)
{
	if (got == -want)
		iv_printf("OK: %s: refused with %s\n", what, iv_error_name(got));
	else
		report(got, what, iv_error_name(-want));
}

int expect_ok(int got, const char *what)
{
	if (got < 0)
		report(got, what, "success");
	return got;
}
