/* WASI path_rename, path_link, path_symlink, path_readlink and path_unlink_file. */
#include <string.h>

#include "check.h"

static int exists(__wasi_fd_t dir, const char *path)
{
	return stat_at(dir, 0, path).filetype != MISSING;
}

static void renames(__wasi_fd_t dir)
{
	put_file(dir, "a", "text of a");
	check_errno(__wasi_path_rename(dir, "a", dir, "b"), 0, "path_rename a to b");
	check(!exists(dir, "a") && file_is(dir, "b", "text of a"), "a is gone, b holds its text");
	put_file(dir, "c", "text of c");
	check_errno(__wasi_path_rename(dir, "c", dir, "b"), 0, "path_rename c over b");
	check(!exists(dir, "c") && file_is(dir, "b", "text of c"), "b now holds c's text");
	check_errno(__wasi_path_rename(dir, "missing", dir, "x"), __WASI_ERRNO_NOENT,
		    "path_rename of a missing file");
	check_errno(__wasi_path_create_directory(dir, "d1"), 0, "path_create_directory d1");
	check_errno(__wasi_path_create_directory(dir, "d2"), 0, "path_create_directory d2");
	put_file(dir, "d1/in", "inside");
	check_errno(__wasi_path_rename(dir, "d1", dir, "d2"), 0,
		    "path_rename d1 over the empty folder d2");
	check(!exists(dir, "d1") && file_is(dir, "d2/in", "inside"), "d2 holds d1's file");
	check_errno(__wasi_path_create_directory(dir, "d3"), 0, "path_create_directory d3");
	check_errno(__wasi_path_rename(dir, "d3", dir, "d2"), __WASI_ERRNO_NOTEMPTY,
		    "path_rename of a folder over a folder that is not empty");
	check_errno(__wasi_path_rename(dir, "b", dir, "d3"), __WASI_ERRNO_ISDIR,
		    "path_rename of a file over a folder");
	check_errno(__wasi_path_rename(dir, "d3", dir, "b"), __WASI_ERRNO_NOTDIR,
		    "path_rename of a folder over a file");
	check_errno(__wasi_path_rename(dir, "d2", dir, "d2/sub"), __WASI_ERRNO_INVAL,
		    "path_rename of a folder into itself");
	check_errno(__wasi_path_rename(dir, "d2/in", dir, "d3/moved"), 0,
		    "path_rename into another folder");
	check(file_is(dir, "d3/moved", "inside") && !exists(dir, "d2/in"), "the file moved");
	check_errno(__wasi_path_rename(dir, "b", dir, "b"), 0, "path_rename of b onto itself");
	check(file_is(dir, "b", "text of c"), "b is unchanged");
}

static void links(__wasi_fd_t dir)
{
	__wasi_filestat_t one, two;

	check_errno(__wasi_path_link(dir, 0, "b", dir, "hard"), 0, "path_link b to hard");
	one = stat_at(dir, 0, "b");
	two = stat_at(dir, 0, "hard");
	check(one.ino == two.ino && one.nlink == 2 && two.nlink == 2,
	      "b and hard are one file with two links");
	put_file(dir, "hard", "changed");
	check(file_is(dir, "b", "changed"), "a write through one name shows through the other");
	check_errno(__wasi_path_link(dir, 0, "b", dir, "hard"), __WASI_ERRNO_EXIST,
		    "path_link onto an existing name");
	check_errno(__wasi_path_link(dir, 0, "d2", dir, "dlink"), __WASI_ERRNO_PERM,
		    "path_link of a folder");
	check_errno(__wasi_path_link(dir, 0, "missing", dir, "x"), __WASI_ERRNO_NOENT,
		    "path_link of a missing file");
	check_errno(__wasi_path_unlink_file(dir, "hard"), 0, "path_unlink_file hard");
	check(stat_at(dir, 0, "b").nlink == 1, "b has one link again");
}

static void symlinks(__wasi_fd_t dir)
{
	char buf[64];
	size_t n = 0;
	__wasi_fd_t fd;

	check_errno(__wasi_path_symlink("b", dir, "sym"), 0, "path_symlink sym -> b");
	memset(buf, 0, sizeof(buf));
	check_errno(__wasi_path_readlink(dir, "sym", (uint8_t *)buf, sizeof(buf), &n), 0,
		    "path_readlink sym");
	check(n == 1 && buf[0] == 'b', "sym reads as \"b\"");
	check(stat_at(dir, 0, "sym").filetype == __WASI_FILETYPE_SYMBOLIC_LINK,
	      "path_filestat_get without SYMLINK_FOLLOW: a symbolic link");
	check(stat_at(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "sym").ino ==
	      stat_at(dir, 0, "b").ino, "path_filestat_get with SYMLINK_FOLLOW: b");
	check_errno(__wasi_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "sym", 0,
				     __WASI_RIGHTS_FD_READ, 0, 0, &fd), 0,
		    "path_open with SYMLINK_FOLLOW");
	check(read_buf(fd, buf, sizeof(buf), &n) == 0 && n == 7 && memcmp(buf, "changed", 7) == 0,
	      "it reads b");
	check_errno(__wasi_fd_close(fd), 0, "fd_close");
	check_errno(__wasi_path_open(dir, 0, "sym", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd),
		    __WASI_ERRNO_LOOP, "path_open of a symbolic link without SYMLINK_FOLLOW");
	check_errno(__wasi_path_symlink("b", dir, "sym"), __WASI_ERRNO_EXIST,
		    "path_symlink onto an existing name");
	check_errno(__wasi_path_symlink("d3/moved", dir, "d2/deep"), 0,
		    "path_symlink d2/deep -> d3/moved");
	check_errno(__wasi_path_filestat_get(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "d2/deep",
					     &(__wasi_filestat_t){ 0 }), __WASI_ERRNO_NOENT,
		    "a relative target starts from the link's folder: d2/d3/moved is missing");
	check_errno(__wasi_path_symlink("../d3/moved", dir, "d2/up"), 0,
		    "path_symlink d2/up -> ../d3/moved");
	check_errno(__wasi_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "d2/up", 0,
				     __WASI_RIGHTS_FD_READ, 0, 0, &fd), 0,
		    "path_open of d2/up with SYMLINK_FOLLOW");
	check(read_buf(fd, buf, sizeof(buf), &n) == 0 && n == 6 && memcmp(buf, "inside", 6) == 0,
	      "it reads d3/moved");
	check_errno(__wasi_fd_close(fd), 0, "fd_close");
	check_errno(__wasi_path_symlink("nowhere", dir, "dangling"), 0, "path_symlink dangling");
	check(stat_at(dir, 0, "dangling").filetype == __WASI_FILETYPE_SYMBOLIC_LINK,
	      "a dangling link is there without SYMLINK_FOLLOW");
	check_errno(__wasi_path_filestat_get(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "dangling",
					     &(__wasi_filestat_t){ 0 }), __WASI_ERRNO_NOENT,
		    "path_filestat_get following a dangling link");
	check_errno(__wasi_path_symlink("loop2", dir, "loop1"), 0, "path_symlink loop1 -> loop2");
	check_errno(__wasi_path_symlink("loop1", dir, "loop2"), 0, "path_symlink loop2 -> loop1");
	check_errno(__wasi_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "loop1", 0,
				     __WASI_RIGHTS_FD_READ, 0, 0, &fd), __WASI_ERRNO_LOOP,
		    "path_open following a loop of links");

	check_errno(__wasi_path_readlink(dir, "b", (uint8_t *)buf, sizeof(buf), &n),
		    __WASI_ERRNO_INVAL, "path_readlink of a file");
	check_errno(__wasi_path_readlink(dir, "missing", (uint8_t *)buf, sizeof(buf), &n),
		    __WASI_ERRNO_NOENT, "path_readlink of a missing name");
	check_errno(__wasi_path_unlink_file(dir, "sym"), 0, "path_unlink_file sym");
	check(!exists(dir, "sym") && file_is(dir, "b", "changed"),
	      "the link is gone, its target stays");
}

static void unlinks(__wasi_fd_t dir)
{
	check_errno(__wasi_path_unlink_file(dir, "d3"), __WASI_ERRNO_ISDIR,
		    "path_unlink_file of a folder");
	check_errno(__wasi_path_unlink_file(dir, "missing"), __WASI_ERRNO_NOENT,
		    "path_unlink_file of a missing name");
	check_errno(__wasi_path_unlink_file(dir, "b/"), __WASI_ERRNO_NOTDIR,
		    "path_unlink_file of a file with a trailing slash");
	check_errno(__wasi_path_unlink_file(dir, "b"), 0, "path_unlink_file b");
	check(!exists(dir, "b"), "b is gone");
	check_errno(__wasi_path_unlink_file(dir, "dangling"), 0,
		    "path_unlink_file of a dangling link");
	check(file_is(dir, "d3/moved", "inside"), "other files are untouched");
}

int main(int argc, char **argv)
{
	__wasi_fd_t dir = preopen("links", argc > 1 ? argv[1] : "");

	renames(dir);
	links(dir);
	symlinks(dir);
	unlinks(dir);
	put_file(dir, "kept", "links\n");
	return check_summary("links");
}
