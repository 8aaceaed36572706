/* Hostile cVM: renames and links across two mounts and between a mount and the disk (EXDEV). */
#include "../../wasi/guests/check.h"

static int exists(__wasi_fd_t dir, const char *path)
{
	return stat_at(dir, 0, path).filetype != MISSING;
}

/* A rename (and for a file a link) from one file system to another is EXDEV; nothing moved. */
static void cross(__wasi_fd_t from, const char *from_name, __wasi_fd_t to, const char *to_name,
		  const char *path, int is_file)
{
	check_errno(__wasi_path_rename(from, path, to, "moved"), __WASI_ERRNO_XDEV,
		    "path_rename %s %s -> %s", from_name, path, to_name);
	if (is_file)
		check_errno(__wasi_path_link(from, 0, path, to, "linked"), __WASI_ERRNO_XDEV,
			    "path_link %s %s -> %s", from_name, path, to_name);
	check(exists(from, path) && !exists(to, "moved") && !exists(to, "linked"),
	      "%s %s stayed, nothing appeared in %s", from_name, path, to_name);
}

int main(void)
{
	__wasi_fd_t root = preopen("crossing", "/"), box = preopen("crossing", "/box");
	__wasi_fd_t other = preopen("crossing", "/other"), sub;

	cross(box, "/box", other, "/other", "file", 1);
	cross(other, "/other", box, "/box", "mine", 1);
	cross(box, "/box", root, "the disk", "file", 1);
	cross(root, "the disk", box, "/box", "file", 1);
	cross(box, "/box", other, "/other", "sub", 0);
	cross(root, "the disk", other, "/other", "lost+found", 0);

	/* Two descriptors of one mount are one file system: rename between them works. */
	sub = open_at(box, "sub", __WASI_OFLAGS_DIRECTORY,
		      __WASI_RIGHTS_PATH_RENAME_SOURCE | __WASI_RIGHTS_PATH_RENAME_TARGET |
		      __WASI_RIGHTS_PATH_LINK_SOURCE | __WASI_RIGHTS_PATH_LINK_TARGET |
		      __WASI_RIGHTS_PATH_FILESTAT_GET, 0);
	check_errno(__wasi_path_rename(box, "file", sub, "file"), 0,
		    "path_rename /box file -> /box/sub (one mount, two descriptors)");
	cross(sub, "/box/sub", other, "/other", "file", 1);
	check_errno(__wasi_path_link(sub, 0, "file", box, "file"), 0,
		    "path_link /box/sub file -> /box");
	check(file_is(box, "file", "box file\n") && file_is(box, "sub/file", "box file\n"),
	      "both names hold the file");
	check_errno(__wasi_fd_close(sub), 0, "fd_close");
	return check_summary("crossing");
}
