/* Network test guests: OK/FAIL bookkeeping, with errno named on failure. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

static int failed;

void check(int ok, const char *what)
{
	if (ok) {
		printf("OK: %s\n", what);
	} else {
		failed++;
		printf("FAIL: %s (errno %d: %s)\n", what, errno, strerror(errno));
	}
	fflush(stdout);
}

void check_errno(long rc, int want, const char *what)
{
	if (rc == -1 && errno == want) {
		printf("OK: %s: %s\n", what, strerror(want));
	} else {
		failed++;
		printf("FAIL: %s: got %ld (errno %d: %s), expected %s\n", what, rc, errno,
		       strerror(errno), strerror(want));
	}
	fflush(stdout);
}

int failures(void)
{
	return failed;
}
