/* WASI path_create_directory and path_remove_directory, their errors and their rights. */
#include "check.h"

int main(int argc, char **argv)
{
	__wasi_fd_t dir = preopen("dirs", argc > 1 ? argv[1] : ""), sub;
	__wasi_filestat_t st;

	check_errno(__wasi_path_create_directory(dir, "d"), 0, "path_create_directory d");
	check(stat_at(dir, 0, "d").filetype == __WASI_FILETYPE_DIRECTORY, "d is a folder");
	check(__wasi_path_filestat_get(dir, 0, "d", &st) == 0 && st.nlink >= 2,
	      "a new folder has at least two links");
	check_errno(__wasi_path_create_directory(dir, "d"), __WASI_ERRNO_EXIST,
		    "path_create_directory d again");
	check_errno(__wasi_path_create_directory(dir, "d/e"), 0, "path_create_directory d/e");
	check_errno(__wasi_path_create_directory(dir, "d/e/f"), 0, "path_create_directory d/e/f");
	check_errno(__wasi_path_create_directory(dir, "x/y"), __WASI_ERRNO_NOENT,
		    "path_create_directory under a missing folder");
	put_file(dir, "file", "a file");
	check_errno(__wasi_path_create_directory(dir, "file"), __WASI_ERRNO_EXIST,
		    "path_create_directory over a file");
	check_errno(__wasi_path_create_directory(dir, "file/z"), __WASI_ERRNO_NOTDIR,
		    "path_create_directory under a file");
	check_errno(__wasi_path_create_directory(dir, ""), __WASI_ERRNO_NOENT,
		    "path_create_directory of an empty path");

	check_errno(__wasi_path_remove_directory(dir, "d"), __WASI_ERRNO_NOTEMPTY,
		    "path_remove_directory of a folder holding folders");
	put_file(dir, "d/e/f/leaf", "leaf");
	check_errno(__wasi_path_remove_directory(dir, "d/e/f"), __WASI_ERRNO_NOTEMPTY,
		    "path_remove_directory of a folder holding a file");
	check_errno(__wasi_path_remove_directory(dir, "file"), __WASI_ERRNO_NOTDIR,
		    "path_remove_directory of a file");
	check_errno(__wasi_path_remove_directory(dir, "gone"), __WASI_ERRNO_NOENT,
		    "path_remove_directory of a missing folder");
	check_errno(__wasi_path_unlink_file(dir, "d/e/f/leaf"), 0, "path_unlink_file the leaf");
	check_errno(__wasi_path_remove_directory(dir, "d/e/f"), 0, "path_remove_directory d/e/f");
	check(stat_at(dir, 0, "d/e/f").filetype == MISSING, "d/e/f is gone");
	check_errno(__wasi_path_filestat_get(dir, 0, "d/e/f", &st), __WASI_ERRNO_NOENT,
		    "path_filestat_get of d/e/f");
	check_errno(__wasi_path_remove_directory(dir, "d/e/"), 0,
		    "path_remove_directory d/e/ (a trailing slash)");
	check_errno(__wasi_path_create_directory(dir, "d/e"), 0,
		    "path_create_directory d/e once more");

	/* A descriptor for d holding neither right may neither make nor remove folders. */
	sub = open_at(dir, "d", __WASI_OFLAGS_DIRECTORY,
		      __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_PATH_FILESTAT_GET, 0);
	check_errno(__wasi_path_create_directory(sub, "n"), __WASI_ERRNO_NOTCAPABLE,
		    "path_create_directory without its right");
	check_errno(__wasi_path_remove_directory(sub, "e"), __WASI_ERRNO_NOTCAPABLE,
		    "path_remove_directory without its right");
	check(stat_at(dir, 0, "d/e").filetype == __WASI_FILETYPE_DIRECTORY &&
	      stat_at(dir, 0, "d/n").filetype == MISSING, "the refusals changed nothing");
	check_errno(__wasi_fd_close(sub), 0, "fd_close");
	check_errno(__wasi_path_create_directory(1000, "n"), __WASI_ERRNO_BADF,
		    "path_create_directory through fd 1000");

	check_errno(__wasi_path_remove_directory(dir, "d/e"), 0, "path_remove_directory d/e");
	check_errno(__wasi_path_remove_directory(dir, "d"), 0, "path_remove_directory d");
	check(stat_at(dir, 0, "d").filetype == MISSING, "d is gone");
	put_file(dir, "kept", "dirs\n");
	return check_summary("dirs");
}
