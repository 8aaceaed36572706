/* Network test guests: OK/FAIL lines, one per check, and the count of failures as exit status. */
#ifndef NET_CHECK_H
#define NET_CHECK_H

/* Prints "OK: what" when ok, else "FAIL: what (errno text)"; counts failures. */
void check(int ok, const char *what);

/* A call that must fail with errno want: rc is its result (-1 expected). */
void check_errno(long rc, int want, const char *what);

/* The failures so far: main returns it. */
int failures(void);

#endif
