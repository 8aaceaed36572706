/* WASI fd_fdstat_*, fd_filestat_*, fd_advise, fd_allocate, fd_sync and fd_datasync on a file. */
#include <string.h>

#include "check.h"

#define STAT_RIGHTS (RIGHTS_RW | __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS | \
		     __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES | \
		     __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_SYNC | \
		     __WASI_RIGHTS_FD_DATASYNC)
#define SEC 1000000000ull

static __wasi_filestat_t fstat(__wasi_fd_t fd)
{
	__wasi_filestat_t st;

	memset(&st, 0xff, sizeof(st));
	if (__wasi_fd_filestat_get(fd, &st))
		check(0, "fd_filestat_get");
	return st;
}

static __wasi_fdstat_t fdstat(__wasi_fd_t fd)
{
	__wasi_fdstat_t st;

	memset(&st, 0xff, sizeof(st));
	if (__wasi_fd_fdstat_get(fd, &st))
		check(0, "fd_fdstat_get");
	return st;
}

static void flags(__wasi_fd_t fd)
{
	__wasi_filesize_t pos = 0;
	size_t n;

	check_errno(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND), 0,
		    "fd_fdstat_set_flags APPEND");
	check(fdstat(fd).fs_flags == __WASI_FDFLAGS_APPEND, "fd_fdstat_get shows APPEND");
	check(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos) == 0 &&
	      write_buf(fd, "67", 2, &n) == 0 && n == 2, "write at offset 0 with APPEND");
	check(fstat(fd).size == 7 && __wasi_fd_tell(fd, &pos) == 0 && pos == 7,
	      "APPEND wrote at the end: size 7, offset 7");
	check_errno(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_NONBLOCK), 0,
		    "fd_fdstat_set_flags NONBLOCK");
	check(fdstat(fd).fs_flags == __WASI_FDFLAGS_NONBLOCK,
	      "fd_fdstat_get shows NONBLOCK alone");
	check_errno(__wasi_fd_fdstat_set_flags(fd, 0), 0, "fd_fdstat_set_flags 0");
	check(fdstat(fd).fs_flags == 0, "fd_fdstat_get shows no flags");
	check(__wasi_fd_pwrite(fd, &(__wasi_ciovec_t){ (const uint8_t *)"0", 1 }, 1, 0, &n) == 0 &&
	      fstat(fd).size == 7, "without APPEND, fd_pwrite at 0 overwrites");
}

static void rights(__wasi_fd_t fd)
{
	__wasi_fdstat_t st = fdstat(fd);
	__wasi_rights_t less = st.fs_rights_base & ~(__wasi_rights_t)__WASI_RIGHTS_FD_WRITE;
	size_t n;

	check_errno(__wasi_fd_fdstat_set_rights(fd, st.fs_rights_base, st.fs_rights_inheriting), 0,
		    "fd_fdstat_set_rights to the same rights");
	check_errno(__wasi_fd_fdstat_set_rights(fd, less, 0), 0,
		    "fd_fdstat_set_rights without FD_WRITE");
	st = fdstat(fd);
	check(st.fs_rights_base == less && st.fs_rights_inheriting == 0,
	      "fd_fdstat_get shows the narrowed rights");
	check_errno(write_buf(fd, "x", 1, &n), __WASI_ERRNO_NOTCAPABLE, "fd_write after narrowing");
	check_errno(__wasi_fd_fdstat_set_rights(fd, less | __WASI_RIGHTS_FD_WRITE, 0),
		    __WASI_ERRNO_NOTCAPABLE, "fd_fdstat_set_rights adding FD_WRITE back");
	check_errno(__wasi_fd_fdstat_set_rights(fd, less, __WASI_RIGHTS_FD_READ),
		    __WASI_ERRNO_NOTCAPABLE, "fd_fdstat_set_rights adding an inheriting right");
	check(fdstat(fd).fs_rights_base == less, "refused widenings left the rights as they were");
}

static void sizes(__wasi_fd_t fd)
{
	char buf[16];
	size_t n;

	check_errno(__wasi_fd_filestat_set_size(fd, 100), 0, "fd_filestat_set_size 100");
	check(fstat(fd).size == 100, "size 100");
	check(__wasi_fd_pread(fd, &(__wasi_iovec_t){ (uint8_t *)buf, 16 }, 1, 90, &n) == 0 &&
	      n == 10 && memcmp(buf, "\0\0\0\0\0\0\0\0\0\0", 10) == 0,
	      "growing added zero bytes");
	check_errno(__wasi_fd_filestat_set_size(fd, 3), 0, "fd_filestat_set_size 3");
	check(fstat(fd).size == 3, "size 3");
	check(__wasi_fd_pread(fd, &(__wasi_iovec_t){ (uint8_t *)buf, 16 }, 1, 0, &n) == 0 &&
	      n == 3 && memcmp(buf, "012", 3) == 0, "shrinking kept the first bytes");
	check_errno(__wasi_fd_allocate(fd, 0, 4096), 0, "fd_allocate 0..4096");
	check(fstat(fd).size == 4096, "fd_allocate grew the file to 4096 bytes");
	check_errno(__wasi_fd_allocate(fd, 10, 20), 0, "fd_allocate inside the file");
	check(fstat(fd).size == 4096, "fd_allocate inside the file kept its size");
}

static void times(__wasi_fd_t fd, __wasi_timestamp_t now)
{
	__wasi_filestat_t st;

	check_errno(__wasi_fd_filestat_set_times(fd, 1500000000 * SEC, 1600000000 * SEC,
						 __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM), 0,
		    "fd_filestat_set_times ATIM and MTIM");
	st = fstat(fd);
	check(st.atim == 1500000000 * SEC && st.mtim == 1600000000 * SEC,
	      "atim and mtim are the times given");
	check_errno(__wasi_fd_filestat_set_times(fd, 0, 1700000000 * SEC, __WASI_FSTFLAGS_MTIM), 0,
		    "fd_filestat_set_times MTIM alone");
	st = fstat(fd);
	check(st.atim == 1500000000 * SEC && st.mtim == 1700000000 * SEC,
	      "MTIM alone left atim alone");
	check_errno(__wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_ATIM_NOW |
						 __WASI_FSTFLAGS_MTIM_NOW),
		    0, "fd_filestat_set_times ATIM_NOW and MTIM_NOW");
	st = fstat(fd);
	check(st.atim + 60 * SEC > now && st.atim < now + 60 * SEC &&
	      st.mtim + 60 * SEC > now && st.mtim < now + 60 * SEC, "the times are now");
	check_errno(__wasi_fd_filestat_set_times(fd, 0, 0,
						 __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
		    __WASI_ERRNO_INVAL, "fd_filestat_set_times ATIM with ATIM_NOW");
	check_errno(__wasi_fd_filestat_set_times(fd, 0, 0,
						 __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW),
		    __WASI_ERRNO_INVAL, "fd_filestat_set_times MTIM with MTIM_NOW");
}

static void advice_and_sync(__wasi_fd_t fd)
{
	check_errno(__wasi_fd_advise(fd, 0, 100, __WASI_ADVICE_SEQUENTIAL), 0,
		    "fd_advise SEQUENTIAL");
	check_errno(__wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_DONTNEED), 0, "fd_advise DONTNEED");
	check_errno(__wasi_fd_advise(fd, 0, 100, 6), __WASI_ERRNO_INVAL, "fd_advise advice 6");
	check_errno(__wasi_fd_advise(fd, 0, 100, 255), __WASI_ERRNO_INVAL, "fd_advise advice 255");
	check_errno(__wasi_fd_sync(fd), 0, "fd_sync");
	check_errno(__wasi_fd_datasync(fd), 0, "fd_datasync");
}

/* Each operation through a descriptor that may only read and stat is refused for want of its
 * right. */
static void without_rights(__wasi_fd_t dir)
{
	__wasi_fd_t fd = open_at(dir, "stat.txt", 0,
				 __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_FILESTAT_GET, 0);

	check_errno(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND), __WASI_ERRNO_NOTCAPABLE,
		    "fd_fdstat_set_flags without its right");
	check_errno(__wasi_fd_filestat_set_size(fd, 1), __WASI_ERRNO_NOTCAPABLE,
		    "fd_filestat_set_size without its right");
	check_errno(__wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
		    __WASI_ERRNO_NOTCAPABLE, "fd_filestat_set_times without its right");
	check_errno(__wasi_fd_advise(fd, 0, 1, __WASI_ADVICE_NORMAL), __WASI_ERRNO_NOTCAPABLE,
		    "fd_advise without its right");
	check_errno(__wasi_fd_allocate(fd, 0, 1), __WASI_ERRNO_NOTCAPABLE,
		    "fd_allocate without its right");
	check_errno(__wasi_fd_sync(fd), __WASI_ERRNO_NOTCAPABLE, "fd_sync without its right");
	check_errno(__wasi_fd_datasync(fd), __WASI_ERRNO_NOTCAPABLE,
		    "fd_datasync without its right");
	check(fstat(fd).size == 4096, "the refused operations changed nothing");
	check_errno(__wasi_fd_close(fd), 0, "fd_close");
}

int main(int argc, char **argv)
{
	__wasi_fd_t dir = preopen("fdstat", argc > 1 ? argv[1] : "");
	__wasi_fd_t fd = open_at(dir, "stat.txt", __WASI_OFLAGS_CREAT, STAT_RIGHTS, 0);
	__wasi_timestamp_t now = clock_now(__WASI_CLOCKID_REALTIME);
	__wasi_filestat_t st;
	__wasi_fdstat_t fs;
	size_t n;

	fs = fdstat(fd);
	check(fs.fs_filetype == __WASI_FILETYPE_REGULAR_FILE, "fd_fdstat_get: a regular file");
	check(fs.fs_flags == 0, "fd_fdstat_get: no flags");
	check(fs.fs_rights_base == STAT_RIGHTS, "fd_fdstat_get: the rights asked for");
	check(fs.fs_rights_inheriting == 0, "fd_fdstat_get: no inheriting rights");
	check(write_buf(fd, "01234", 5, &n) == 0 && n == 5, "fd_write 5 bytes");

	st = fstat(fd);
	check(st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.size == 5 && st.nlink == 1,
	      "fd_filestat_get: a regular file of 5 bytes, one link");
	check(st.ino != 0, "fd_filestat_get: an inode number");
	check(st.mtim + 60 * SEC > now && st.mtim < now + 60 * SEC, "fd_filestat_get: mtim is now");

	flags(fd);
	rights(fd);
	sizes(fd);
	times(fd, now);
	advice_and_sync(fd);
	check_errno(__wasi_fd_close(fd), 0, "fd_close");
	without_rights(dir);

	fs = fdstat(dir);
	check(fs.fs_filetype == __WASI_FILETYPE_DIRECTORY, "fd_fdstat_get of the folder");
	check(fs.fs_rights_base & __WASI_RIGHTS_PATH_OPEN, "the folder may open paths");
	check(fdstat(1).fs_rights_base & __WASI_RIGHTS_FD_WRITE, "stdout may be written");
	check_errno(__wasi_fd_fdstat_get(1000, &fs), __WASI_ERRNO_BADF, "fd_fdstat_get of fd 1000");
	check_errno(__wasi_fd_filestat_get(1000, &st), __WASI_ERRNO_BADF,
		    "fd_filestat_get of fd 1000");
	check(fstat(dir).filetype == __WASI_FILETYPE_DIRECTORY, "fd_filestat_get of the folder");
	put_file(dir, "kept", "fdstat\n");
	return check_summary("fdstat");
}
