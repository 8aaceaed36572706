/* Hostile cVM: iovec counts past 1024, iovecs and paths outside or straddling the end of memory. */
#include "../../wasi/guests/check.h"

/* Raw imports: <wasi/api.h> takes a C string and measures it, these take any pointer and length. */
#define WASI_IMPORT(name) \
	__attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
WASI_IMPORT(path_open) extern int32_t raw_path_open(int32_t fd, int32_t dirflags, uint32_t path,
						     uint32_t len, int32_t oflags, int64_t base,
						     int64_t inheriting, int32_t fdflags,
						     uint32_t fd_out);
WASI_IMPORT(path_create_directory) extern int32_t raw_path_create_directory(int32_t fd,
									    uint32_t path,
									    uint32_t len);
WASI_IMPORT(path_filestat_get) extern int32_t raw_path_filestat_get(int32_t fd, int32_t flags,
								    uint32_t path, uint32_t len,
								    uint32_t out);

static uintptr_t end;

static int open_count(void)
{
	__wasi_fdstat_t st;
	int n = 0;

	for (__wasi_fd_t fd = 0; fd < 64; fd++)
		if (__wasi_fd_fdstat_get(fd, &st) == 0)
			n++;
	return n;
}

static void counts(__wasi_fd_t fd)
{
	static __wasi_ciovec_t iovs[1025];
	static const uint32_t bad[] = { 1025, 4096, 0x40000000, 0xffffffff };
	size_t n;

	for (int i = 0; i < 1025; i++)
		iovs[i] = (__wasi_ciovec_t){ (const uint8_t *)"x", 1 };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		check_errno(__wasi_fd_write(fd, iovs, bad[i], &n), __WASI_ERRNO_INVAL,
			    "fd_write of %u iovecs", bad[i]);
		check_errno(__wasi_fd_read(fd, (const __wasi_iovec_t *)iovs, bad[i], &n),
			    __WASI_ERRNO_INVAL, "fd_read of %u iovecs", bad[i]);
		check_errno(__wasi_fd_pwrite(fd, iovs, bad[i], 0, &n), __WASI_ERRNO_INVAL,
			    "fd_pwrite of %u iovecs", bad[i]);
		check_errno(__wasi_fd_pread(fd, (const __wasi_iovec_t *)iovs, bad[i], 0, &n),
			    __WASI_ERRNO_INVAL, "fd_pread of %u iovecs", bad[i]);
	}
	check_errno(__wasi_fd_write(1, iovs, 1025, &n), __WASI_ERRNO_INVAL,
		    "fd_write of 1025 iovecs to stdout");
}

/* fd_write and fd_read of iovecs (or their buffers) outside memory: EFAULT, nothing done. */
static void iovecs(__wasi_fd_t dir, __wasi_fd_t fd)
{
	static const struct {
		uintptr_t base;
		uint32_t len;
		const char *what;
	} bufs[] = {
		{ 0, 1, "at the end of memory" },
		{ 5, 10, "straddling the end of memory" },
		{ 0xfffffff0, 0x20, "wrapping around 4 GiB" },
		{ 0x1000, 0xffffffff, "of 4 GiB" },
	};
	__wasi_ciovec_t two[2] = { { (const uint8_t *)"good", 4 }, { 0, 0 } };
	__wasi_filesize_t pos;
	size_t n;

	for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++) {
		uintptr_t base = bufs[i].base < 0x1000 ? end - bufs[i].base : bufs[i].base;

		two[1] = (__wasi_ciovec_t){ (const uint8_t *)base, bufs[i].len };
		check_errno(__wasi_fd_write(fd, two, 2, &n), __WASI_ERRNO_FAULT,
			    "fd_write of a good iovec and one %s", bufs[i].what);
		check_errno(__wasi_fd_read(fd, (const __wasi_iovec_t *)&two[1], 1, &n),
			    __WASI_ERRNO_FAULT, "fd_read into a buffer %s", bufs[i].what);
		check_errno(__wasi_fd_write(1, &two[1], 1, &n), __WASI_ERRNO_FAULT,
			    "fd_write to stdout from a buffer %s", bufs[i].what);
	}
	check(stat_at(dir, 0, "scratch").size == 5, "nothing was written: scratch keeps 5 bytes");
	check(__wasi_fd_tell(fd, &pos) == 0 && pos == 0, "nothing was read: the offset is 0");
	check_errno(__wasi_fd_write(fd, (const __wasi_ciovec_t *)end, 1, &n), __WASI_ERRNO_FAULT,
		    "fd_write of an iovec array past the end of memory");
	check_errno(__wasi_fd_write(fd, (const __wasi_ciovec_t *)(end - 4), 1, &n),
		    __WASI_ERRNO_FAULT, "fd_write of an iovec array straddling the end");
	check_errno(__wasi_fd_read(fd, (const __wasi_iovec_t *)0xfffffff8, 2, &n),
		    __WASI_ERRNO_FAULT, "fd_read of an iovec array wrapping around 4 GiB");
	check_errno(__wasi_fd_write(fd, two, 1, (size_t *)(end - 2)), __WASI_ERRNO_FAULT,
		    "fd_write with its count straddling the end");
	check(stat_at(dir, 0, "scratch").size == 5, "still nothing was written");
}

static void paths(__wasi_fd_t dir)
{
	static const struct {
		uintptr_t ptr;
		uint32_t len;
		const char *what;
	} bad[] = {
		{ 0, 4, "at the end of memory" },
		{ 2, 10, "straddling the end" },
		{ 100, 200, "running 100 bytes past the end" },
		{ 0xfffffffe, 8, "wrapping around 4 GiB" },
	};
	int before = open_count();

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t ptr = bad[i].ptr < 0x1000 ? end - bad[i].ptr : bad[i].ptr;
		__wasi_fd_t fd;

		check_errno(raw_path_open(dir, 0, ptr, bad[i].len, __WASI_OFLAGS_CREAT,
					  __WASI_RIGHTS_FD_READ, 0, 0, (uint32_t)(uintptr_t)&fd),
			    __WASI_ERRNO_FAULT, "path_open of a path %s", bad[i].what);
		check_errno(raw_path_create_directory(dir, ptr, bad[i].len), __WASI_ERRNO_FAULT,
			    "path_create_directory of a path %s", bad[i].what);
		check_errno(raw_path_filestat_get(dir, 0, ptr, bad[i].len,
						  (uint32_t)(uintptr_t)&(__wasi_filestat_t){ 0 }),
			    __WASI_ERRNO_FAULT, "path_filestat_get of a path %s", bad[i].what);
	}
	check_errno(__wasi_path_open(dir, 0, "made", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0,
				     0, (__wasi_fd_t *)(end - 2)), __WASI_ERRNO_FAULT,
		    "path_open CREAT with its result straddling the end");
	check(stat_at(dir, 0, "made").size == (__wasi_filesize_t)-1,
	      "that path_open created nothing");
	check(open_count() == before, "no descriptor was left open (%d)", open_count());
	check_errno(__wasi_path_filestat_get(dir, 0, "file", (__wasi_filestat_t *)(end - 16)),
		    __WASI_ERRNO_FAULT, "path_filestat_get with its result straddling the end");
	check_errno(__wasi_path_readlink(dir, "to_root", (uint8_t *)(end - 1), 8, &(size_t){ 0 }),
		    __WASI_ERRNO_FAULT, "path_readlink into a buffer straddling the end");
	check_errno(__wasi_fd_readdir(dir, (uint8_t *)(end - 10), 100, 0, &(size_t){ 0 }),
		    __WASI_ERRNO_FAULT, "fd_readdir into a buffer straddling the end");
}

int main(void)
{
	__wasi_fd_t box = preopen("memory", "/box"), fd;
	size_t n;

	end = memory_end();
	put_file(box, "scratch", "12345");
	fd = open_at(box, "scratch", 0, RIGHTS_RW, 0);
	counts(fd);
	iovecs(box, fd);
	check_errno(__wasi_fd_close(fd), 0, "fd_close");
	paths(box);
	check(write_buf(1, "still running\n", 14, &n) == 0 && n == 14,
	      "the cVM still writes to stdout");
	return check_summary("memory");
}
