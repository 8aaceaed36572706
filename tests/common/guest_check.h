/* Test guests: the OK/FAIL bookkeeping their checks share, and the names of abi.h's errors. */
#ifndef GUEST_CHECK_H
#define GUEST_CHECK_H

/* "-IV_NAME" for a negated iv_error value, NULL for any other value. */
const char *iv_error_name(long err);

/* Counts one failed check: check_status() then reports the failure. */
void check_failed(void);

/* Records an outcome checked by the caller: OK when ok, else FAIL. */
void expect_true(int ok, const char *what);

/* The exit status: 0 when every check passed, 1 otherwise. */
int check_status(void);

#endif
