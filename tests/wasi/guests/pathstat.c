/* WASI path_filestat_get and path_filestat_set_times, following a symbolic link or not. */
#include "check.h"

#define SEC 1000000000ull
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

static void get(__wasi_fd_t dir)
{
	__wasi_filestat_t st, fst;
	__wasi_fd_t fd;

	put_file(dir, "file", "twelve bytes");
	st = stat_at(dir, 0, "file");
	check(st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.size == 12 && st.nlink == 1,
	      "path_filestat_get: a regular file of 12 bytes, one link");
	fd = open_at(dir, "file", 0, __WASI_RIGHTS_FD_FILESTAT_GET, 0);
	check(__wasi_fd_filestat_get(fd, &fst) == 0 && fst.ino == st.ino && fst.dev == st.dev &&
	      fst.size == st.size && fst.mtim == st.mtim, "fd_filestat_get agrees");
	check_errno(__wasi_fd_close(fd), 0, "fd_close");
	check_errno(__wasi_path_create_directory(dir, "sub"), 0, "path_create_directory sub");
	check(stat_at(dir, 0, "sub").filetype == __WASI_FILETYPE_DIRECTORY,
	      "path_filestat_get: a folder");
	check(stat_at(dir, 0, "sub/..").ino == stat_at(dir, 0, ".").ino &&
	      stat_at(dir, 0, "sub/..").filetype == __WASI_FILETYPE_DIRECTORY,
	      "sub/.. is the folder itself");
	check_errno(__wasi_path_symlink("file", dir, "link"), 0, "path_symlink link -> file");
	st = stat_at(dir, 0, "link");
	check(st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK && st.size == 4,
	      "without SYMLINK_FOLLOW: the link, 4 bytes long");
	st = stat_at(dir, FOLLOW, "link");
	check(st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.size == 12,
	      "with SYMLINK_FOLLOW: the file");
	check_errno(__wasi_path_symlink("sub", dir, "dlink"), 0, "path_symlink dlink -> sub");
	check(stat_at(dir, 0, "dlink/").filetype == __WASI_FILETYPE_DIRECTORY,
	      "a trailing slash follows a link to a folder");
	check_errno(__wasi_path_filestat_get(dir, 0, "missing", &st), __WASI_ERRNO_NOENT,
		    "path_filestat_get of a missing name");
	check_errno(__wasi_path_filestat_get(dir, 0, "file/x", &st), __WASI_ERRNO_NOTDIR,
		    "path_filestat_get under a file");
	check_errno(__wasi_path_filestat_get(1000, 0, "file", &st), __WASI_ERRNO_BADF,
		    "path_filestat_get through fd 1000");
}

static void set_times(__wasi_fd_t dir, __wasi_timestamp_t now)
{
	__wasi_filestat_t st;

	check_errno(__wasi_path_filestat_set_times(dir, 0, "file", 1400000000 * SEC,
						   1450000000 * SEC,
						   __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM), 0,
		    "path_filestat_set_times of the file");
	st = stat_at(dir, 0, "file");
	check(st.atim == 1400000000 * SEC && st.mtim == 1450000000 * SEC,
	      "the file has the times given");
	check_errno(__wasi_path_filestat_set_times(dir, FOLLOW, "link", 0, 1500000000 * SEC,
						   __WASI_FSTFLAGS_MTIM), 0,
		    "path_filestat_set_times MTIM with SYMLINK_FOLLOW");
	st = stat_at(dir, 0, "file");
	check(st.mtim == 1500000000 * SEC && st.atim == 1400000000 * SEC,
	      "following the link set the file's mtim alone");
	check_errno(__wasi_path_filestat_set_times(dir, 0, "link", 1300000000 * SEC,
						   1350000000 * SEC,
						   __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM), 0,
		    "path_filestat_set_times without SYMLINK_FOLLOW");
	st = stat_at(dir, 0, "link");
	check(st.atim == 1300000000 * SEC && st.mtim == 1350000000 * SEC,
	      "the link itself has the times given");
	st = stat_at(dir, 0, "file");
	check(st.mtim == 1500000000 * SEC && st.atim == 1400000000 * SEC,
	      "the file kept its times");
	check_errno(__wasi_path_filestat_set_times(dir, 0, "sub", 0, 0,
						   __WASI_FSTFLAGS_ATIM_NOW |
						   __WASI_FSTFLAGS_MTIM_NOW), 0,
		    "path_filestat_set_times ATIM_NOW and MTIM_NOW of a folder");
	st = stat_at(dir, 0, "sub");
	check(st.mtim + 60 * SEC > now && st.mtim < now + 60 * SEC &&
	      st.atim + 60 * SEC > now && st.atim < now + 60 * SEC, "the folder's times are now");
	check_errno(__wasi_path_filestat_set_times(dir, 0, "file", 0, 0,
						   __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
		    __WASI_ERRNO_INVAL, "path_filestat_set_times ATIM with ATIM_NOW");
	check_errno(__wasi_path_filestat_set_times(dir, 0, "file", 0, 0,
						   __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW),
		    __WASI_ERRNO_INVAL, "path_filestat_set_times MTIM with MTIM_NOW");
	check_errno(__wasi_path_filestat_set_times(dir, 0, "missing", 0, 0,
						   __WASI_FSTFLAGS_MTIM_NOW), __WASI_ERRNO_NOENT,
		    "path_filestat_set_times of a missing name");
}

/* A folder descriptor without the rights for either call is refused. */
static void rights(__wasi_fd_t dir)
{
	__wasi_fd_t sub = open_at(dir, "sub", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_PATH_OPEN, 0);
	__wasi_filestat_t st;

	put_file(dir, "sub/f", "f");
	check_errno(__wasi_path_filestat_get(sub, 0, "f", &st), __WASI_ERRNO_NOTCAPABLE,
		    "path_filestat_get without PATH_FILESTAT_GET");
	check_errno(__wasi_path_filestat_set_times(sub, 0, "f", 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
		    __WASI_ERRNO_NOTCAPABLE, "path_filestat_set_times without its right");
	check_errno(__wasi_fd_close(sub), 0, "fd_close");
}

int main(int argc, char **argv)
{
	__wasi_fd_t dir = preopen("pathstat", argc > 1 ? argv[1] : "");
	get(dir);
	set_times(dir, clock_now(__WASI_CLOCKID_REALTIME));
	rights(dir);
	put_file(dir, "kept", "pathstat\n");
	return check_summary("pathstat");
}
