/* WASI fd_prestat_*, fd_renumber and fd_close, and the descriptor limit (limits.fds: 64). */
#include <string.h>

#include "check.h"

#define FD_LIMIT 64

static void prestat(__wasi_fd_t dir, const char *name)
{
	__wasi_prestat_t pre;
	size_t len = strlen(name);
	char buf[64];

	check_errno(__wasi_fd_prestat_get(dir, &pre), 0, "fd_prestat_get of the folder");
	check(pre.tag == __WASI_PREOPENTYPE_DIR && pre.u.dir.pr_name_len == len,
	      "fd_prestat_get: a folder with a %zu-byte name", len);
	memset(buf, '#', sizeof(buf));
	check_errno(__wasi_fd_prestat_dir_name(dir, (uint8_t *)buf, len), 0,
		    "fd_prestat_dir_name with the exact length");
	check(memcmp(buf, name, len) == 0 && buf[len] == '#',
	      "fd_prestat_dir_name wrote \"%s\" and nothing after it", name);
	memset(buf, '#', sizeof(buf));
	check_errno(__wasi_fd_prestat_dir_name(dir, (uint8_t *)buf, sizeof(buf)), 0,
		    "fd_prestat_dir_name with a larger buffer");
	check(memcmp(buf, name, len) == 0, "fd_prestat_dir_name wrote the name");
	memset(buf, '#', sizeof(buf));
	/* The specification names no error here: wasmtime says ENAMETOOLONG, others EINVAL. */
	check_either(__wasi_fd_prestat_dir_name(dir, (uint8_t *)buf, len - 1),
		     __WASI_ERRNO_NAMETOOLONG, __WASI_ERRNO_INVAL,
		     "fd_prestat_dir_name with a buffer one byte short");
	check(buf[len - 1] == '#', "a short buffer was not overrun");
	check_errno(__wasi_fd_prestat_dir_name(dir, (uint8_t *)memory_end() - len + 1, len),
		    __WASI_ERRNO_FAULT, "fd_prestat_dir_name into a buffer straddling the end");
	for (__wasi_fd_t fd = 0; fd < 3; fd++)
		check_errno(__wasi_fd_prestat_get(fd, &pre), __WASI_ERRNO_BADF,
			    "fd_prestat_get of fd %u (not pre-opened)", fd);
	check_errno(__wasi_fd_prestat_get(1000, &pre), __WASI_ERRNO_BADF,
		    "fd_prestat_get of fd 1000 (never opened)");
	check_errno(__wasi_fd_prestat_dir_name(1000, (uint8_t *)buf, sizeof(buf)),
		    __WASI_ERRNO_BADF, "fd_prestat_dir_name of fd 1000");
}

static void renumber(__wasi_fd_t dir)
{
	__wasi_fd_t a, b;
	__wasi_prestat_t pre;
	char buf[8];
	size_t n;

	put_file(dir, "a", "from a");
	put_file(dir, "b", "from b");
	a = open_at(dir, "a", 0, __WASI_RIGHTS_FD_READ, 0);
	b = open_at(dir, "b", 0, __WASI_RIGHTS_FD_READ, 0);
	check_errno(__wasi_fd_prestat_get(a, &pre), __WASI_ERRNO_BADF,
		    "fd_prestat_get of an opened file");
	check_errno(__wasi_fd_renumber(a, b), 0, "fd_renumber a onto b");
	check(read_buf(b, buf, sizeof(buf), &n) == 0 && n == 6 && memcmp(buf, "from a", 6) == 0,
	      "b now reads a's file");
	check_errno(read_buf(a, buf, sizeof(buf), &n), __WASI_ERRNO_BADF, "a is closed");
	check_errno(__wasi_fd_renumber(a, b), __WASI_ERRNO_BADF, "fd_renumber from a closed fd");
	check_errno(__wasi_fd_renumber(b, 1000), __WASI_ERRNO_BADF,
		    "fd_renumber onto fd 1000 (never opened)");
	check(read_buf(b, buf, sizeof(buf), &n) == 0 && n == 0, "b is still open at its end");
	check_errno(__wasi_fd_close(b), 0, "fd_close b");
	check_errno(__wasi_fd_close(b), __WASI_ERRNO_BADF, "fd_close b again");
	check_errno(__wasi_fd_close(1000), __WASI_ERRNO_BADF, "fd_close of fd 1000");
	check_errno(__wasi_fd_close(0xffffffff), __WASI_ERRNO_BADF, "fd_close of fd 0xffffffff");
}

static void limit(__wasi_fd_t dir)
{
	__wasi_fd_t fds[FD_LIMIT];
	__wasi_fdstat_t st;
	__wasi_errno_t e = 0;
	int open_before = 0, opened = 0, closed = 1;

	for (__wasi_fd_t fd = 0; fd < FD_LIMIT; fd++)
		if (__wasi_fd_fdstat_get(fd, &st) == 0)
			open_before++;
	while (opened < FD_LIMIT) {
		e = __wasi_path_open(dir, 0, "a", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fds[opened]);
		if (e)
			break;
		opened++;
	}
	check_errno(e, __WASI_ERRNO_MFILE, "path_open past limits.fds");
	check(open_before + opened == FD_LIMIT, "%d descriptors were open at the limit",
	      open_before + opened);
	for (int i = 0; i < opened; i++)
		if (__wasi_fd_close(fds[i]))
			closed = 0;
	check(closed, "fd_close of each");
	check_errno(__wasi_path_open(dir, 0, "a", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fds[0]), 0,
		    "path_open once descriptors are free again");
	check_errno(__wasi_fd_close(fds[0]), 0, "fd_close");
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "";
	__wasi_fd_t dir = preopen("fdtable", name);

	prestat(dir, name);
	renumber(dir);
	limit(dir);
	put_file(dir, "kept", "fdtable\n");
	return check_summary("fdtable");
}
