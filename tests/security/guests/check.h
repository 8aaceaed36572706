/* Security test guests: record each attack's outcome as an "OK: ..." or "FAIL: ..." line. */
#ifndef CHECK_H
#define CHECK_H

#include "../../common/guest_check.h"

/* How long a guest waits for a name another cVM of its test advertises, in milliseconds. */
#define WAIT_MS 10000

/*
 * The attempt described by what returned got and had to be refused with -want: prints
 * "OK: what: refused with -IV_NAME", or a FAIL line naming both values.
 */
void expect_err(int got, int want, const char *what);

/* The step described by what returned got, which must be >= 0; returns got. */
int expect_ok(int got, const char *what);

#endif
