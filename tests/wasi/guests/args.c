/* WASI args_* and environ_*: sizes, vectors and strings as the YAML gave them, and EFAULT. */
#include <string.h>

#include "check.h"

static const char *const want_args[] = { "args", "one", "two", "three" };
static const char *const want_env[] = { "WASI_TEST=conformance", "EMPTY=", "EQUALS=a=b=c" };
#define NARGS (sizeof(want_args) / sizeof(want_args[0]))
#define NENV (sizeof(want_env) / sizeof(want_env[0]))

/* Checks count strings at ptrs, inside buf of size bytes, against want (in order if ordered). */
static void check_vector(const char *what, char **ptrs, size_t count, const char *buf,
			 size_t size, const char *const *want, size_t nwant, int ordered)
{
	size_t total = 0;

	check(count == nwant, "%s: %zu strings", what, count);
	for (size_t i = 0; i < count && i < nwant; i++) {
		int inside = ptrs[i] >= buf && ptrs[i] < buf + size;
		int found = 0;

		check(inside, "%s[%zu] points into the buffer", what, i);
		if (!inside)
			continue;
		for (size_t j = 0; j < nwant; j++)
			if ((!ordered || j == i) && strcmp(ptrs[i], want[j]) == 0)
				found = 1;
		check(found, "%s[%zu] is \"%s\"", what, i, ptrs[i]);
		total += strlen(ptrs[i]) + 1;
	}
	check(total == size, "%s: the strings with their NULs fill the %zu bytes", what, size);
}

int main(void)
{
	size_t argc = 0, argsize = 0, envc = 0, envsize = 0;
	char *ptrs[8];
	char buf[256];
	char *end = (char *)memory_end();

	check_errno(__wasi_args_sizes_get(&argc, &argsize), 0, "args_sizes_get");
	check(argc == NARGS && argsize < sizeof(buf), "args_sizes_get: %zu args, %zu bytes",
	      argc, argsize);
	if (argc <= NARGS && argsize < sizeof(buf)) {
		memset(buf, 0x55, sizeof(buf));
		check_errno(__wasi_args_get((uint8_t **)ptrs, (uint8_t *)buf), 0, "args_get");
		check_vector("argv", ptrs, argc, buf, argsize, want_args, NARGS, 1);
		check(buf[argsize] == 0x55, "args_get writes nothing past the size it gave");
	}

	check_errno(__wasi_environ_sizes_get(&envc, &envsize), 0, "environ_sizes_get");
	check(envc == NENV && envsize < sizeof(buf), "environ_sizes_get: %zu variables, %zu bytes",
	      envc, envsize);
	if (envc <= NENV && envsize < sizeof(buf)) {
		memset(buf, 0x55, sizeof(buf));
		check_errno(__wasi_environ_get((uint8_t **)ptrs, (uint8_t *)buf), 0, "environ_get");
		check_vector("environ", ptrs, envc, buf, envsize, want_env, NENV, 0);
		check(buf[envsize] == 0x55, "environ_get writes nothing past the size it gave");
	}

	check_errno(__wasi_args_sizes_get((size_t *)(end - 2), &argsize), __WASI_ERRNO_FAULT,
		    "args_sizes_get: a count straddling the end of memory");
	check_errno(__wasi_args_get((uint8_t **)ptrs, (uint8_t *)(end - 4)), __WASI_ERRNO_FAULT,
		    "args_get: a buffer running past the end of memory");
	check_errno(__wasi_environ_get((uint8_t **)(end - 4), (uint8_t *)buf), __WASI_ERRNO_FAULT,
		    "environ_get: pointers running past the end of memory");
	check_errno(__wasi_environ_sizes_get(&envc, (size_t *)end), __WASI_ERRNO_FAULT,
		    "environ_sizes_get: a size past the end of memory");
	return check_summary("args");
}
