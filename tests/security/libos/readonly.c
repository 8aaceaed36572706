/* Hostile cVM: every change to a read-only mount is refused (EROFS, or ENOTCAPABLE by rights). */
#include <stdarg.h>
#include <stdio.h>

#include "../../wasi/guests/check.h"

static __wasi_rights_t ro_base, ro_inheriting;

/*
 * The change described by fmt, which needs right, returned got: EROFS, or ENOTCAPABLE where
 * the mount's descriptor (or what it hands down, for inherited) lacks right already.
 */
static void refused(__wasi_errno_t got, __wasi_rights_t right, int inherited, const char *fmt,
		    ...)
{
	__wasi_rights_t held = inherited ? ro_inheriting : ro_base;
	__wasi_errno_t want = held & right ? __WASI_ERRNO_ROFS : __WASI_ERRNO_NOTCAPABLE;
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (got == want)
		check(1, "%s: refused", what);
	else
		check_errno(got, want, "%s", what);
}

static void paths(__wasi_fd_t ro)
{
	__wasi_fd_t fd;

	refused(__wasi_path_open(ro, 0, "file", 0, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd),
		__WASI_RIGHTS_FD_WRITE, 1, "path_open file for writing");
	refused(__wasi_path_open(ro, 0, "new", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0, 0,
				 &fd), __WASI_RIGHTS_PATH_CREATE_FILE, 0, "path_open CREAT new");
	refused(__wasi_path_open(ro, 0, "file", __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_READ, 0, 0,
				 &fd),
		__WASI_RIGHTS_PATH_FILESTAT_SET_SIZE, 0, "path_open TRUNC file");
	refused(__wasi_path_create_directory(ro, "newdir"), __WASI_RIGHTS_PATH_CREATE_DIRECTORY, 0,
		"path_create_directory newdir");
	refused(__wasi_path_remove_directory(ro, "dir/empty"), __WASI_RIGHTS_PATH_REMOVE_DIRECTORY,
		0, "path_remove_directory dir/empty");
	refused(__wasi_path_unlink_file(ro, "file"), __WASI_RIGHTS_PATH_UNLINK_FILE, 0,
		"path_unlink_file file");
	refused(__wasi_path_rename(ro, "file", ro, "renamed"), __WASI_RIGHTS_PATH_RENAME_SOURCE, 0,
		"path_rename file");
	refused(__wasi_path_link(ro, 0, "file", ro, "linked"), __WASI_RIGHTS_PATH_LINK_SOURCE, 0,
		"path_link file");
	refused(__wasi_path_symlink("file", ro, "symlinked"), __WASI_RIGHTS_PATH_SYMLINK, 0,
		"path_symlink");
	refused(__wasi_path_filestat_set_times(ro, 0, "file", 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
		__WASI_RIGHTS_PATH_FILESTAT_SET_TIMES, 0, "path_filestat_set_times file");
}

/* A descriptor opened for reading cannot change the file, nor grant itself the rights to. */
static void descriptor(__wasi_fd_t ro)
{
	__wasi_fd_t fd = open_at(ro, "file", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK, 0);
	char buf[64];
	size_t n;

	check(read_buf(fd, buf, sizeof(buf), &n) == 0 && n == 14, "the file can be read");
	check_errno(write_buf(fd, "x", 1, &n), __WASI_ERRNO_NOTCAPABLE, "fd_write");
	check_errno(__wasi_fd_filestat_set_size(fd, 0), __WASI_ERRNO_NOTCAPABLE,
		    "fd_filestat_set_size");
	check_errno(__wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
		    __WASI_ERRNO_NOTCAPABLE, "fd_filestat_set_times");
	check_errno(__wasi_fd_allocate(fd, 0, 4096), __WASI_ERRNO_NOTCAPABLE, "fd_allocate");
	check_errno(__wasi_fd_fdstat_set_rights(fd, RIGHTS_RW, 0), __WASI_ERRNO_NOTCAPABLE,
		    "fd_fdstat_set_rights granting FD_WRITE");
	check_errno(__wasi_fd_close(fd), 0, "fd_close");
}

int main(void)
{
	__wasi_fd_t ro = preopen("readonly", "/ro"), box = preopen("readonly", "/box");
	__wasi_fdstat_t st;

	check_errno(__wasi_fd_fdstat_get(ro, &st), 0, "fd_fdstat_get of the read-only mount");
	ro_base = st.fs_rights_base;
	ro_inheriting = st.fs_rights_inheriting;
	check(ro_base & __WASI_RIGHTS_PATH_OPEN && ro_base & __WASI_RIGHTS_FD_READDIR,
	      "the read-only mount may still be opened and listed");
	paths(ro);
	descriptor(ro);
	check(file_is(ro, "file", "read-only day\n"), "the file is unchanged");
	/* The read-write mount beside it still takes changes. */
	put_file(box, "written", "written\n");
	check(file_is(box, "written", "written\n"), "the read-write mount beside it is writable");
	return check_summary("readonly");
}
