/* WASI fd_read, fd_write, fd_pread, fd_pwrite, fd_seek and fd_tell on a file, a folder, stdout. */
#include <string.h>

#include "check.h"

#define IO_RIGHTS (RIGHTS_RW | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE)

static __wasi_filesize_t tell(__wasi_fd_t fd)
{
	__wasi_filesize_t pos;

	return __wasi_fd_tell(fd, &pos) ? (__wasi_filesize_t)-1 : pos;
}

static __wasi_filesize_t seek(__wasi_fd_t fd, __wasi_filedelta_t delta, __wasi_whence_t whence)
{
	__wasi_filesize_t pos;

	return __wasi_fd_seek(fd, delta, whence, &pos) ? (__wasi_filesize_t)-1 : pos;
}

/*
 * A descriptor that cannot seek: ESPIPE, or ENOTCAPABLE when its rights already lack FD_SEEK
 * (the rights are checked first, but a type that cannot seek says so as well).
 */
static void check_unseekable(__wasi_fd_t fd, const char *what)
{
	__wasi_fdstat_t st;
	__wasi_filesize_t pos;

	check_errno(__wasi_fd_fdstat_get(fd, &st), 0, "fdstat_get %s", what);
	if (st.fs_rights_base & __WASI_RIGHTS_FD_SEEK)
		check_errno(__wasi_fd_seek(fd, 0, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_SPIPE,
			    "fd_seek on %s", what);
	else
		check_either(__wasi_fd_seek(fd, 0, __WASI_WHENCE_CUR, &pos),
			     __WASI_ERRNO_NOTCAPABLE, __WASI_ERRNO_SPIPE, "fd_seek on %s", what);
}

static void vectors(__wasi_fd_t fd)
{
	static __wasi_ciovec_t many[1025];
	char text[] = "x";
	size_t n = 0;

	for (int i = 0; i < 1025; i++)
		many[i] = (__wasi_ciovec_t){ (const uint8_t *)text, 1 };
	check_errno(__wasi_fd_write(fd, many, 1024, &n), 0, "fd_write of 1024 iovecs");
	check(n == 1024, "1024 iovecs wrote 1024 bytes (%zu)", n);
	n = 7;
	check_errno(__wasi_fd_write(fd, many, 1025, &n), __WASI_ERRNO_INVAL,
		    "fd_write of 1025 iovecs");
	check_errno(__wasi_fd_write(fd, many, 0, &n), 0, "fd_write of no iovecs");
	check(n == 0, "no iovecs wrote nothing");
	check_errno(__wasi_fd_pread(fd, (const __wasi_iovec_t *)many, 1025, 0, &n),
		    __WASI_ERRNO_INVAL, "fd_pread of 1025 iovecs");
}

static uint8_t pattern_byte(uint64_t at)
{
	return (uint8_t)(at * 7 + at / 4093);
}

/* 2 MiB in uneven pieces, read back across piece and block edges; then a sparse write at 1 GiB. */
static void bulk(__wasi_fd_t dir)
{
	static uint8_t buf[60000];
	static const uint64_t probes[] = { 0, 4095, 59999, 60000, 1048575, 2097100 };
	__wasi_fd_t fd = open_at(dir, "bulk", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, IO_RIGHTS,
				 0);
	__wasi_filestat_t st;
	uint64_t at = 0;
	size_t n;
	int wrote = 1, same = 1;

	while (at < 2 * 1048576) {
		size_t len = 2 * 1048576 - at < sizeof(buf) ? 2 * 1048576 - at : sizeof(buf);

		for (size_t i = 0; i < len; i++)
			buf[i] = pattern_byte(at + i);
		if (write_buf(fd, buf, len, &n) || n != len)
			wrote = 0;
		at += len;
	}
	check(wrote, "fd_write of 2 MiB in 60000-byte pieces");
	for (size_t p = 0; p < sizeof(probes) / sizeof(probes[0]); p++) {
		if (__wasi_fd_pread(fd, &(__wasi_iovec_t){ buf, 100 }, 1, probes[p], &n) ||
		    n != (probes[p] + 100 <= 2 * 1048576 ? 100 : 2 * 1048576 - probes[p]))
			same = 0;
		for (size_t i = 0; i < n; i++)
			if (buf[i] != pattern_byte(probes[p] + i))
				same = 0;
	}
	check(same, "fd_pread across piece and block edges reads what was written");
	check_errno(__wasi_fd_pwrite(fd, &(__wasi_ciovec_t){ (const uint8_t *)"far away", 8 }, 1,
				     1ull << 30, &n), 0, "fd_pwrite at 1 GiB");
	check(__wasi_fd_filestat_get(fd, &st) == 0 && st.size == (1ull << 30) + 8,
	      "the file is 1 GiB and 8 bytes long");
	check(__wasi_fd_pread(fd, &(__wasi_iovec_t){ buf, 16 }, 1, 1ull << 29, &n) == 0 &&
	      n == 16 && memcmp(buf, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16) == 0,
	      "the hole at 512 MiB reads as zeros");
	check(__wasi_fd_pread(fd, &(__wasi_iovec_t){ buf, 16 }, 1, 1ull << 30, &n) == 0 &&
	      n == 8 && memcmp(buf, "far away", 8) == 0, "the bytes at 1 GiB read back");
	check_errno(__wasi_fd_close(fd), 0, "fd_close");
	check_errno(__wasi_path_unlink_file(dir, "bulk"), 0, "path_unlink_file bulk");
}

int main(int argc, char **argv)
{
	__wasi_fd_t dir = preopen("fdio", argc > 1 ? argv[1] : "");
	__wasi_fd_t fd = open_at(dir, "io.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL,
				 IO_RIGHTS, 0);
	char a[8], b[64], zeros[8] = { 0 };
	__wasi_ciovec_t out[3] = { { (const uint8_t *)"hello", 5 }, { (const uint8_t *)"", 0 },
				   { (const uint8_t *)", world", 7 } };
	__wasi_iovec_t in[2] = { { (uint8_t *)a, 5 }, { (uint8_t *)b, sizeof(b) } };
	__wasi_filesize_t pos;
	size_t n = 0;

	check_errno(__wasi_fd_write(fd, out, 3, &n), 0, "fd_write of three iovecs, one empty");
	check(n == 12, "fd_write wrote 12 bytes (%zu)", n);
	check(tell(fd) == 12, "fd_tell after writing: 12");
	check(seek(fd, 0, __WASI_WHENCE_SET) == 0, "fd_seek SET 0");
	check_errno(__wasi_fd_read(fd, in, 2, &n), 0, "fd_read into two iovecs");
	check(n == 12 && memcmp(a, "hello", 5) == 0 && memcmp(b, ", world", 7) == 0,
	      "fd_read filled the first iovec, then the second (%zu bytes)", n);
	check_errno(read_buf(fd, b, sizeof(b), &n), 0, "fd_read at the end of the file");
	check(n == 0, "fd_read at the end reads 0 bytes");

	check(seek(fd, -5, __WASI_WHENCE_CUR) == 7, "fd_seek CUR -5: 7");
	check(read_buf(fd, b, 5, &n) == 0 && n == 5 && memcmp(b, "world", 5) == 0,
	      "fd_read after seeking: \"world\"");
	check(seek(fd, 0, __WASI_WHENCE_END) == 12, "fd_seek END 0: 12");
	check(seek(fd, -3, __WASI_WHENCE_END) == 9, "fd_seek END -3: 9");
	check_errno(__wasi_fd_seek(fd, -1, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_INVAL,
		    "fd_seek SET -1");
	check_errno(__wasi_fd_seek(fd, -100, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_INVAL,
		    "fd_seek CUR -100 (before the start)");
	check_errno(__wasi_fd_seek(fd, -13, __WASI_WHENCE_END, &pos), __WASI_ERRNO_INVAL,
		    "fd_seek END -13 (before the start)");
	check_errno(__wasi_fd_seek(fd, 0, 3, &pos), __WASI_ERRNO_INVAL, "fd_seek whence 3");
	check(tell(fd) == 9, "failed seeks left the offset at 9");

	check(seek(fd, 20, __WASI_WHENCE_SET) == 20, "fd_seek past the end: 20");
	check(write_buf(fd, "!", 1, &n) == 0 && n == 1, "fd_write past the end");
	check_errno(__wasi_fd_pread(fd, &(__wasi_iovec_t){ (uint8_t *)a, 8 }, 1, 12, &n), 0,
		    "fd_pread of the gap");
	check(n == 8 && memcmp(a, zeros, 8) == 0, "the gap reads as 8 zero bytes");
	check(tell(fd) == 21, "fd_pread left the offset at 21");

	check_errno(__wasi_fd_pwrite(fd, &(__wasi_ciovec_t){ (const uint8_t *)"HELLO", 5 }, 1, 0,
				     &n), 0, "fd_pwrite at 0");
	check(n == 5 && tell(fd) == 21, "fd_pwrite wrote 5 bytes and left the offset at 21");
	check(__wasi_fd_pread(fd, &(__wasi_iovec_t){ (uint8_t *)b, 12 }, 1, 0, &n) == 0 &&
	      n == 12 && memcmp(b, "HELLO, world", 12) == 0, "fd_pread sees the fd_pwrite");
	check_errno(__wasi_fd_pread(fd, &(__wasi_iovec_t){ (uint8_t *)b, 12 }, 1, 100, &n), 0,
		    "fd_pread past the end");
	check(n == 0, "fd_pread past the end reads 0 bytes");

	vectors(fd);
	check_errno(__wasi_fd_close(fd), 0, "fd_close");
	check_errno(read_buf(fd, b, 1, &n), __WASI_ERRNO_BADF, "fd_read after fd_close");
	check_errno(__wasi_fd_tell(fd, &pos), __WASI_ERRNO_BADF, "fd_tell after fd_close");

	fd = open_at(dir, "io.txt", 0, __WASI_RIGHTS_FD_WRITE, 0);
	check_errno(read_buf(fd, b, 1, &n), __WASI_ERRNO_NOTCAPABLE,
		    "fd_read without the FD_READ right");
	check_errno(__wasi_fd_pread(fd, &(__wasi_iovec_t){ (uint8_t *)b, 1 }, 1, 0, &n),
		    __WASI_ERRNO_NOTCAPABLE, "fd_pread without the FD_READ right");
	check_errno(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_NOTCAPABLE,
		    "fd_seek without the FD_SEEK right");
	check_errno(__wasi_fd_close(fd), 0, "fd_close");
	fd = open_at(dir, "io.txt", 0, __WASI_RIGHTS_FD_READ, 0);
	check_errno(write_buf(fd, "x", 1, &n), __WASI_ERRNO_NOTCAPABLE,
		    "fd_write without the FD_WRITE right");
	check_errno(__wasi_fd_pwrite(fd, &(__wasi_ciovec_t){ (const uint8_t *)"x", 1 }, 1, 0, &n),
		    __WASI_ERRNO_NOTCAPABLE, "fd_pwrite without the FD_WRITE right");
	check_errno(__wasi_fd_close(fd), 0, "fd_close");

	bulk(dir);
	check_unseekable(dir, "a folder");
	check_unseekable(1, "stdout");
	put_file(dir, "kept", "fdio\n");
	return check_summary("fdio");
}
