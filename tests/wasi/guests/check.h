/* WASI guests of tests/wasi and tests/security/libos: ok/FAIL lines, the summary, shared steps. */
#ifndef WASI_CHECK_H
#define WASI_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <wasi/api.h>

/* The rights a test asks for to read and write a regular file. */
#define RIGHTS_RW (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK | \
		   __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_FILESTAT_GET)

/* The first address past the guest's linear memory: where EFAULT begins. */
static inline uintptr_t memory_end(void)
{
	return __builtin_wasm_memory_size(0) * 65536;
}

/* Prints "ok WHAT" when ok, else "FAIL WHAT" and counts a failure. */
void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The call described by fmt returned got and had to return want: "ok WHAT: ENAME" or FAIL. */
void check_errno(__wasi_errno_t got, __wasi_errno_t want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As check_errno, where the specification allows either of two errors. */
void check_either(__wasi_errno_t got, __wasi_errno_t want, __wasi_errno_t also,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Prints "GROUP: N ok, M failed" and returns the exit status: 0 when nothing failed. */
int check_summary(const char *group);

/* The pre-opened folder named name, found through fd_prestat_*; a missing one ends the test. */
__wasi_fd_t preopen(const char *group, const char *name);

/* path_open with no lookup flags and no fdflags, checked; returns the descriptor. */
__wasi_fd_t open_at(__wasi_fd_t dir, const char *path, __wasi_oflags_t oflags,
		    __wasi_rights_t base, __wasi_rights_t inheriting);

/* Creates (or truncates) dir/path holding text, checked. */
void put_file(__wasi_fd_t dir, const char *path, const char *text);

/* Whether dir/path holds exactly text. */
int file_is(__wasi_fd_t dir, const char *path, const char *text);

/* The filetype stat_at gives a path it cannot stat. */
#define MISSING ((__wasi_filetype_t)0xff)

/* path_filestat_get of dir/path; when that fails, filetype MISSING, size all ones, rest 0. */
__wasi_filestat_t stat_at(__wasi_fd_t dir, __wasi_lookupflags_t flags, const char *path);

/* clock_time_get of clock id, checked: a failure is reported and reads as 0. */
__wasi_timestamp_t clock_now(__wasi_clockid_t id);

/* fd_write / fd_read of one buffer; they return the errno and store the count in *n. */
__wasi_errno_t write_buf(__wasi_fd_t fd, const void *buf, size_t len, size_t *n);
__wasi_errno_t read_buf(__wasi_fd_t fd, void *buf, size_t len, size_t *n);

#endif
