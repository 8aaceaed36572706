/* WASI path_open: each oflag, its errors, rights narrowing and inheritance, fdflags APPEND. */
#include <string.h>

#include "check.h"

#define DIR_RIGHTS (__WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR | \
		    __WASI_RIGHTS_PATH_CREATE_FILE | __WASI_RIGHTS_PATH_FILESTAT_GET)

static __wasi_errno_t try_open(__wasi_fd_t dir, const char *path, __wasi_oflags_t oflags,
			       __wasi_rights_t base, __wasi_rights_t inheriting)
{
	__wasi_fd_t fd;
	__wasi_errno_t e = __wasi_path_open(dir, 0, path, oflags, base, inheriting, 0, &fd);

	if (e == __WASI_ERRNO_SUCCESS && __wasi_fd_close(fd))
		check(0, "fd_close %s", path);
	return e;
}

static void oflags(__wasi_fd_t dir)
{
	__wasi_fd_t fd;
	__wasi_fdstat_t st;

	check_errno(try_open(dir, "f", 0, __WASI_RIGHTS_FD_READ, 0), __WASI_ERRNO_NOENT,
		    "path_open of a missing file without CREAT");
	check_errno(try_open(dir, "f", __WASI_OFLAGS_CREAT, RIGHTS_RW, 0), 0, "path_open CREAT");
	check(stat_at(dir, 0, "f").size == 0, "CREAT made an empty file");
	put_file(dir, "f", "content");
	check_errno(try_open(dir, "f", __WASI_OFLAGS_CREAT, RIGHTS_RW, 0), 0,
		    "path_open CREAT of an existing file");
	check(file_is(dir, "f", "content"), "CREAT alone kept the content");
	check_errno(try_open(dir, "f", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RIGHTS_RW, 0),
		    __WASI_ERRNO_EXIST, "path_open CREAT|EXCL of an existing file");
	check_errno(try_open(dir, "g", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RIGHTS_RW, 0), 0,
		    "path_open CREAT|EXCL of a new file");
	check_errno(try_open(dir, "f", __WASI_OFLAGS_TRUNC, RIGHTS_RW, 0), 0, "path_open TRUNC");
	check(stat_at(dir, 0, "f").size == 0, "TRUNC emptied the file");
	check_errno(try_open(dir, "f", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR, 0),
		    __WASI_ERRNO_NOTDIR, "path_open DIRECTORY of a file");
	check_errno(try_open(dir, "f/", 0, __WASI_RIGHTS_FD_READ, 0), __WASI_ERRNO_NOTDIR,
		    "path_open of a file with a trailing slash");
	check_errno(try_open(dir, "f/x", __WASI_OFLAGS_CREAT, RIGHTS_RW, 0), __WASI_ERRNO_NOTDIR,
		    "path_open CREAT under a file");
	check_errno(try_open(dir, "no/x", __WASI_OFLAGS_CREAT, RIGHTS_RW, 0), __WASI_ERRNO_NOENT,
		    "path_open CREAT under a missing folder");
	check_errno(try_open(dir, "", 0, __WASI_RIGHTS_FD_READ, 0), __WASI_ERRNO_NOENT,
		    "path_open of an empty path");

	check_errno(__wasi_path_create_directory(dir, "d"), 0, "path_create_directory d");
	check_errno(__wasi_path_open(dir, 0, "d", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS, RIGHTS_RW, 0,
				     &fd), 0, "path_open DIRECTORY of a folder");
	check(__wasi_fd_fdstat_get(fd, &st) == 0 && st.fs_filetype == __WASI_FILETYPE_DIRECTORY,
	      "it is a folder");
	check_errno(__wasi_fd_close(fd), 0, "fd_close");
	check_errno(try_open(dir, "d", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0),
		    __WASI_ERRNO_ISDIR, "path_open of a folder for writing");
	check_errno(try_open(dir, "d", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RIGHTS_RW, 0),
		    __WASI_ERRNO_EXIST, "path_open CREAT|EXCL of a folder");
	check_errno(try_open(dir, ".", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS, 0), 0,
		    "path_open of \".\"");
	check_errno(try_open(dir, "d/../f", 0, __WASI_RIGHTS_FD_READ, 0), 0,
		    "path_open of d/../f (\"..\" inside the folder)");
	check_errno(try_open(dir, "./d/./../f", 0, __WASI_RIGHTS_FD_READ, 0), 0,
		    "path_open of ./d/./../f");
}

static void names(__wasi_fd_t dir)
{
	char name[300];

	memset(name, 'x', 255);
	name[255] = 0;
	check_errno(try_open(dir, name, __WASI_OFLAGS_CREAT, RIGHTS_RW, 0), 0,
		    "path_open CREAT of a 255-byte name");
	name[255] = 'x';
	name[256] = 0;
	check_errno(try_open(dir, name, __WASI_OFLAGS_CREAT, RIGHTS_RW, 0),
		    __WASI_ERRNO_NAMETOOLONG, "path_open CREAT of a 256-byte name");
}

static void rights(__wasi_fd_t dir)
{
	__wasi_fd_t fd, sub, bare;
	__wasi_fdstat_t st;
	size_t n;

	put_file(dir, "r", "rights");
	fd = open_at(dir, "r", 0, __WASI_RIGHTS_FD_READ, 0);
	check(__wasi_fd_fdstat_get(fd, &st) == 0 && st.fs_rights_base == __WASI_RIGHTS_FD_READ &&
	      st.fs_rights_inheriting == 0, "a file opened for FD_READ holds FD_READ alone");
	check_errno(write_buf(fd, "x", 1, &n), __WASI_ERRNO_NOTCAPABLE, "fd_write through it");
	check_errno(__wasi_fd_close(fd), 0, "fd_close");

	/* A folder whose descriptors may only read: what it opens inherits no more than that. */
	sub = open_at(dir, "d", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS, __WASI_RIGHTS_FD_READ);
	check(__wasi_fd_fdstat_get(sub, &st) == 0 && st.fs_rights_base == DIR_RIGHTS &&
	      st.fs_rights_inheriting == __WASI_RIGHTS_FD_READ,
	      "a folder opened with narrowed rights holds exactly them (%#llx, %#llx)",
	      (unsigned long long)st.fs_rights_base, (unsigned long long)st.fs_rights_inheriting);
	check_errno(try_open(sub, "in", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0), 0,
		    "path_open CREAT through it, for FD_READ");
	check_errno(try_open(sub, "in", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0),
		    __WASI_ERRNO_NOTCAPABLE, "path_open for FD_WRITE beyond its inheriting rights");
	check_errno(try_open(sub, ".", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS, 0),
		    __WASI_ERRNO_NOTCAPABLE, "path_open of a folder for rights it cannot pass on");
	check_errno(try_open(sub, "in", __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_READ, 0),
		    __WASI_ERRNO_NOTCAPABLE, "path_open TRUNC without PATH_FILESTAT_SET_SIZE");
	check_errno(__wasi_fd_fdstat_set_rights(sub, __WASI_RIGHTS_PATH_OPEN,
						__WASI_RIGHTS_FD_READ), 0,
		    "fd_fdstat_set_rights: the folder keeps PATH_OPEN alone");
	check_errno(try_open(sub, "new", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0),
		    __WASI_ERRNO_NOTCAPABLE, "path_open CREAT without PATH_CREATE_FILE");
	check_errno(try_open(sub, "in", 0, __WASI_RIGHTS_FD_READ, 0), 0,
		    "path_open of an existing file with PATH_OPEN");
	bare = open_at(dir, "d", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR,
		       __WASI_RIGHTS_FD_READ);
	check_errno(try_open(bare, "in", 0, __WASI_RIGHTS_FD_READ, 0), __WASI_ERRNO_NOTCAPABLE,
		    "path_open through a folder without PATH_OPEN");
	check_errno(__wasi_fd_close(bare), 0, "fd_close");
	check_errno(__wasi_fd_close(sub), 0, "fd_close");
	check_errno(try_open(1000, "r", 0, __WASI_RIGHTS_FD_READ, 0), __WASI_ERRNO_BADF,
		    "path_open through fd 1000");
	fd = open_at(dir, "r", 0, __WASI_RIGHTS_FD_READ, 0);
	/* A file descriptor is no folder, and lacks PATH_OPEN: either error says so. */
	check_either(try_open(fd, "x", 0, __WASI_RIGHTS_FD_READ, 0), __WASI_ERRNO_NOTDIR,
		     __WASI_ERRNO_NOTCAPABLE, "path_open through a file descriptor");
	check_errno(__wasi_fd_close(fd), 0, "fd_close");
}

static void append(__wasi_fd_t dir)
{
	__wasi_fd_t fd;
	__wasi_fdstat_t st;
	__wasi_filesize_t pos;
	size_t n;

	put_file(dir, "log", "one\n");
	check_errno(__wasi_path_open(dir, 0, "log", 0, RIGHTS_RW, 0, __WASI_FDFLAGS_APPEND, &fd), 0,
		    "path_open with fdflags APPEND");
	check(__wasi_fd_fdstat_get(fd, &st) == 0 && st.fs_flags == __WASI_FDFLAGS_APPEND,
	      "fd_fdstat_get shows APPEND");
	check(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos) == 0 &&
	      write_buf(fd, "two\n", 4, &n) == 0 && n == 4, "fd_write at offset 0");
	check(__wasi_fd_tell(fd, &pos) == 0 && pos == 8, "the offset is at the end: 8");
	check_errno(__wasi_fd_close(fd), 0, "fd_close");
	check(file_is(dir, "log", "one\ntwo\n"), "the write was appended");
}

int main(int argc, char **argv)
{
	__wasi_fd_t dir = preopen("open", argc > 1 ? argv[1] : "");

	oflags(dir);
	names(dir);
	rights(dir);
	append(dir);
	put_file(dir, "kept", "open\n");
	return check_summary("open");
}
