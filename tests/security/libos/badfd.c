/* Hostile cVM: descriptors never opened or closed (EBADF), and writes its rights do not allow. */
#include "../../wasi/guests/check.h"

static const __wasi_fd_t never[] = { 57, 1000, 0x7fffffff, 0xffffffff };

static void unopened(__wasi_fd_t fd)
{
	char buf[32];
	size_t n;
	__wasi_filesize_t pos;
	__wasi_filestat_t st;
	__wasi_fdstat_t fs;
	__wasi_fd_t out;

	check_errno(read_buf(fd, buf, sizeof(buf), &n), __WASI_ERRNO_BADF, "fd_read of fd %u", fd);
	check_errno(write_buf(fd, "x", 1, &n), __WASI_ERRNO_BADF, "fd_write of fd %u", fd);
	check_errno(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_BADF,
		    "fd_seek of fd %u", fd);
	check_errno(__wasi_fd_tell(fd, &pos), __WASI_ERRNO_BADF, "fd_tell of fd %u", fd);
	check_errno(__wasi_fd_filestat_get(fd, &st), __WASI_ERRNO_BADF,
		    "fd_filestat_get of fd %u", fd);
	check_errno(__wasi_fd_fdstat_get(fd, &fs), __WASI_ERRNO_BADF, "fd_fdstat_get of fd %u", fd);
	check_errno(__wasi_fd_readdir(fd, (uint8_t *)buf, sizeof(buf), 0, &n), __WASI_ERRNO_BADF,
		    "fd_readdir of fd %u", fd);
	check_errno(__wasi_path_open(fd, 0, "file", 0, __WASI_RIGHTS_FD_READ, 0, 0, &out),
		    __WASI_ERRNO_BADF, "path_open through fd %u", fd);
	check_errno(__wasi_fd_renumber(fd, 1), __WASI_ERRNO_BADF, "fd_renumber fd %u onto 1", fd);
	check_errno(__wasi_fd_close(fd), __WASI_ERRNO_BADF, "fd_close of fd %u", fd);
}

static void rights(__wasi_fd_t box)
{
	__wasi_fd_t fd = open_at(box, "file", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK, 0);
	__wasi_ciovec_t iov = { (const uint8_t *)"overwritten", 11 };
	size_t n;

	check_errno(write_buf(fd, "x", 1, &n), __WASI_ERRNO_NOTCAPABLE,
		    "fd_write through a descriptor opened for reading");
	check_errno(__wasi_fd_pwrite(fd, &iov, 1, 0, &n), __WASI_ERRNO_NOTCAPABLE,
		    "fd_pwrite through it");
	check_errno(__wasi_fd_filestat_set_size(fd, 0), __WASI_ERRNO_NOTCAPABLE,
		    "fd_filestat_set_size through it");
	check_errno(__wasi_fd_allocate(fd, 0, 4096), __WASI_ERRNO_NOTCAPABLE,
		    "fd_allocate through it");
	check_errno(__wasi_fd_fdstat_set_rights(fd, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE,
						0), __WASI_ERRNO_NOTCAPABLE,
		    "fd_fdstat_set_rights granting itself FD_WRITE");
	check_errno(__wasi_fd_close(fd), 0, "fd_close");

	fd = open_at(box, "file", 0, RIGHTS_RW, 0);
	check_errno(__wasi_fd_fdstat_set_rights(fd, __WASI_RIGHTS_FD_READ, 0), 0,
		    "fd_fdstat_set_rights narrowing a read-write descriptor to FD_READ");
	check_errno(write_buf(fd, "x", 1, &n), __WASI_ERRNO_NOTCAPABLE, "fd_write after narrowing");
	check_errno(__wasi_fd_fdstat_set_rights(fd, RIGHTS_RW, 0), __WASI_ERRNO_NOTCAPABLE,
		    "fd_fdstat_set_rights widening it back");
	check_errno(__wasi_fd_close(fd), 0, "fd_close");

	/* A folder handing down read rights only: what it opens cannot be written either. */
	fd = open_at(box, ".", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_PATH_OPEN,
		     __WASI_RIGHTS_FD_READ);
	check_errno(__wasi_path_open(fd, 0, "file", 0, RIGHTS_RW, 0, 0, &(__wasi_fd_t){ 0 }),
		    __WASI_ERRNO_NOTCAPABLE, "path_open for writing through a read-only folder fd");
	check_errno(__wasi_fd_fdstat_set_rights(fd, __WASI_RIGHTS_PATH_OPEN, RIGHTS_RW),
		    __WASI_ERRNO_NOTCAPABLE, "fd_fdstat_set_rights widening what it hands down");
	check_errno(__wasi_fd_close(fd), 0, "fd_close");
	check(file_is(box, "file", "box file\n"), "the file is unchanged");
}

int main(void)
{
	__wasi_fd_t box = preopen("badfd", "/box"), fd;

	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		unopened(never[i]);
	fd = open_at(box, "file", 0, __WASI_RIGHTS_FD_READ, 0);
	check_errno(__wasi_fd_close(fd), 0, "fd_close of a file");
	unopened(fd);
	rights(box);
	return check_summary("badfd");
}
