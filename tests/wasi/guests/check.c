/* WASI guests of tests/wasi and tests/security/libos: ok/FAIL lines, the summary, shared steps. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static int passed, failed;

static const char *const names[] = {
	"ESUCCESS", "E2BIG", "EACCES", "EADDRINUSE", "EADDRNOTAVAIL", "EAFNOSUPPORT", "EAGAIN",
	"EALREADY", "EBADF", "EBADMSG", "EBUSY", "ECANCELED", "ECHILD", "ECONNABORTED",
	"ECONNREFUSED", "ECONNRESET", "EDEADLK", "EDESTADDRREQ", "EDOM", "EDQUOT", "EEXIST",
	"EFAULT", "EFBIG", "EHOSTUNREACH", "EIDRM", "EILSEQ", "EINPROGRESS", "EINTR", "EINVAL",
	"EIO", "EISCONN", "EISDIR", "ELOOP", "EMFILE", "EMLINK", "EMSGSIZE", "EMULTIHOP",
	"ENAMETOOLONG", "ENETDOWN", "ENETRESET", "ENETUNREACH", "ENFILE", "ENOBUFS", "ENODEV",
	"ENOENT", "ENOEXEC", "ENOLCK", "ENOLINK", "ENOMEM", "ENOMSG", "ENOPROTOOPT", "ENOSPC",
	"ENOSYS", "ENOTCONN", "ENOTDIR", "ENOTEMPTY", "ENOTRECOVERABLE", "ENOTSOCK", "ENOTSUP",
	"ENOTTY", "ENXIO", "EOVERFLOW", "EOWNERDEAD", "EPERM", "EPIPE", "EPROTO",
	"EPROTONOSUPPORT", "EPROTOTYPE", "ERANGE", "EROFS", "ESPIPE", "ESRCH", "ESTALE",
	"ETIMEDOUT", "ETXTBSY", "EXDEV", "ENOTCAPABLE",
};

static const char *errno_name(__wasi_errno_t e)
{
	return e < sizeof(names) / sizeof(names[0]) ? names[e] : "an unknown errno";
}

static void report(int ok, const char *detail, const char *fmt, va_list ap)
{
	fputs(ok ? "ok " : "FAIL ", stdout);
	vprintf(fmt, ap);
	puts(detail);
	fflush(stdout);
	if (ok)
		passed++;
	else
		failed++;
}

void check(int ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(ok, "", fmt, ap);
	va_end(ap);
}

void check_errno(__wasi_errno_t got, __wasi_errno_t want, const char *fmt, ...)
{
	char detail[80];
	va_list ap;

	if (got == want)
		snprintf(detail, sizeof(detail), ": %s", errno_name(got));
	else
		snprintf(detail, sizeof(detail), ": got %s (%u), expected %s", errno_name(got), got,
			 errno_name(want));
	va_start(ap, fmt);
	report(got == want, detail, fmt, ap);
	va_end(ap);
}

void check_either(__wasi_errno_t got, __wasi_errno_t want, __wasi_errno_t also,
		  const char *fmt, ...)
{
	char detail[100];
	va_list ap;

	if (got == want || got == also)
		snprintf(detail, sizeof(detail), ": %s (%s or %s allowed)", errno_name(got),
			 errno_name(want), errno_name(also));
	else
		snprintf(detail, sizeof(detail), ": got %s (%u), expected %s or %s",
			 errno_name(got), got, errno_name(want), errno_name(also));
	va_start(ap, fmt);
	report(got == want || got == also, detail, fmt, ap);
	va_end(ap);
}

int check_summary(const char *group)
{
	printf("%s: %d ok, %d failed\n", group, passed, failed);
	fflush(stdout);
	return failed ? 1 : 0;
}

__wasi_fd_t preopen(const char *group, const char *name)
{
	char buf[256];
	__wasi_prestat_t pre;

	for (__wasi_fd_t fd = 3; __wasi_fd_prestat_get(fd, &pre) == __WASI_ERRNO_SUCCESS; fd++) {
		size_t len = pre.u.dir.pr_name_len;

		if (pre.tag != __WASI_PREOPENTYPE_DIR || len >= sizeof(buf))
			continue;
		if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, len) != __WASI_ERRNO_SUCCESS)
			continue;
		if (len == strlen(name) && memcmp(buf, name, len) == 0)
			return fd;
	}
	check(0, "a pre-opened folder named %s", name);
	exit(check_summary(group));
}

__wasi_fd_t open_at(__wasi_fd_t dir, const char *path, __wasi_oflags_t oflags,
		    __wasi_rights_t base, __wasi_rights_t inheriting)
{
	__wasi_fd_t fd = (__wasi_fd_t)-1;
	__wasi_errno_t e = __wasi_path_open(dir, 0, path, oflags, base, inheriting, 0, &fd);

	if (e != __WASI_ERRNO_SUCCESS)
		check_errno(e, __WASI_ERRNO_SUCCESS, "path_open %s", path);
	return fd;
}

__wasi_filestat_t stat_at(__wasi_fd_t dir, __wasi_lookupflags_t flags, const char *path)
{
	__wasi_filestat_t st;

	if (__wasi_path_filestat_get(dir, flags, path, &st) == __WASI_ERRNO_SUCCESS)
		return st;
	memset(&st, 0, sizeof(st));
	st.filetype = MISSING;
	st.size = (__wasi_filesize_t)-1;
	return st;
}

__wasi_timestamp_t clock_now(__wasi_clockid_t id)
{
	__wasi_timestamp_t t = 0;
	__wasi_errno_t e = __wasi_clock_time_get(id, 1, &t);

	if (e != __WASI_ERRNO_SUCCESS)
		check_errno(e, __WASI_ERRNO_SUCCESS, "clock_time_get of clock %u", id);
	return t;
}

__wasi_errno_t write_buf(__wasi_fd_t fd, const void *buf, size_t len, size_t *n)
{
	__wasi_ciovec_t iov = { buf, len };

	*n = 0;
	return __wasi_fd_write(fd, &iov, 1, n);
}

__wasi_errno_t read_buf(__wasi_fd_t fd, void *buf, size_t len, size_t *n)
{
	__wasi_iovec_t iov = { buf, len };

	*n = 0;
	return __wasi_fd_read(fd, &iov, 1, n);
}

void put_file(__wasi_fd_t dir, const char *path, const char *text)
{
	__wasi_fd_t fd = open_at(dir, path, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
				 __WASI_RIGHTS_FD_WRITE, 0);
	size_t n;
	__wasi_errno_t e = write_buf(fd, text, strlen(text), &n);

	if (e != __WASI_ERRNO_SUCCESS || n != strlen(text))
		check(0, "write %s: %s, %zu of %zu bytes", path, errno_name(e), n, strlen(text));
	e = __wasi_fd_close(fd);
	if (e != __WASI_ERRNO_SUCCESS)
		check_errno(e, __WASI_ERRNO_SUCCESS, "fd_close %s", path);
}

int file_is(__wasi_fd_t dir, const char *path, const char *text)
{
	char buf[512];
	size_t n, got = 0;
	__wasi_fd_t fd;

	if (__wasi_path_open(dir, 0, path, 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd))
		return 0;
	while (got < sizeof(buf) && read_buf(fd, buf + got, sizeof(buf) - got, &n) == 0 && n)
		got += n;
	return __wasi_fd_close(fd) == __WASI_ERRNO_SUCCESS && got == strlen(text) &&
	       memcmp(buf, text, got) == 0;
}
