/* Hostile cVM: climbs out of a mount and the disk by "..", symbolic links and absolute paths. */
#include <stdio.h>

#include "../../wasi/guests/check.h"

#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

/* An escape that opened: what it reads is printed with the FAIL line, for run.sh to find. */
static void opened(__wasi_fd_t fd, const char *where, const char *path)
{
	char buf[128];
	size_t n = 0;

	read_buf(fd, buf, sizeof(buf) - 1, &n);
	buf[n] = 0;
	check(0, "%s: path_open %s opened, reading \"%s\"", where, path, buf);
	if (__wasi_fd_close(fd))
		check(0, "%s: fd_close", where);
}

/* Opening path, following links, is refused. */
static void no_open(__wasi_fd_t dir, const char *where, const char *path, __wasi_oflags_t oflags)
{
	__wasi_fd_t fd;
	__wasi_errno_t e = __wasi_path_open(dir, FOLLOW, path, oflags,
					    __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR, 0, 0,
					    &fd);

	if (e == __WASI_ERRNO_SUCCESS)
		opened(fd, where, path);
	else
		check_errno(e, __WASI_ERRNO_NOTCAPABLE, "%s: path_open %s%s", where, path,
			    oflags & __WASI_OFLAGS_DIRECTORY ? " as a folder" : "");
}

/* Opening and stat-ing each escaping path is refused. */
static void climb(__wasi_fd_t dir, const char *where, const char *const *paths, int npaths)
{
	__wasi_filestat_t st;

	for (int i = 0; i < npaths; i++) {
		no_open(dir, where, paths[i], 0);
		no_open(dir, where, paths[i], __WASI_OFLAGS_DIRECTORY);
		check_errno(__wasi_path_filestat_get(dir, FOLLOW, paths[i], &st),
			    __WASI_ERRNO_NOTCAPABLE, "%s: path_filestat_get %s", where, paths[i]);
	}
}

/* path_readlink of links reached only by climbing out is refused. */
static void readlinks(__wasi_fd_t dir, const char *where, const char *const *paths, int npaths)
{
	char buf[64];
	size_t n;

	for (int i = 0; i < npaths; i++)
		check_errno(__wasi_path_readlink(dir, paths[i], (uint8_t *)buf, sizeof(buf), &n),
			    __WASI_ERRNO_NOTCAPABLE, "%s: path_readlink %s", where, paths[i]);
}

/* Changes through paths that lead out: all refused before anything is made or removed. */
static void changes(__wasi_fd_t dir, const char *where, const char *out)
{
	char path[128];
	__wasi_fd_t fd;

	snprintf(path, sizeof(path), "%s/ivescape-probe", out);
	check_errno(__wasi_path_create_directory(dir, path), __WASI_ERRNO_NOTCAPABLE,
		    "%s: path_create_directory %s", where, path);
	check_errno(__wasi_path_open(dir, FOLLOW, path, __WASI_OFLAGS_CREAT,
				     __WASI_RIGHTS_FD_WRITE, 0, 0, &fd), __WASI_ERRNO_NOTCAPABLE,
		    "%s: path_open CREAT %s", where, path);
	check_errno(__wasi_path_symlink("x", dir, path), __WASI_ERRNO_NOTCAPABLE,
		    "%s: path_symlink at %s", where, path);
	check_errno(__wasi_path_link(dir, 0, "file", dir, path), __WASI_ERRNO_NOTCAPABLE,
		    "%s: path_link to %s", where, path);
	check_errno(__wasi_path_rename(dir, "file", dir, path), __WASI_ERRNO_NOTCAPABLE,
		    "%s: path_rename to %s", where, path);
	check_errno(__wasi_path_filestat_set_times(dir, FOLLOW, out, 0, 0,
						   __WASI_FSTFLAGS_MTIM_NOW),
		    __WASI_ERRNO_NOTCAPABLE, "%s: path_filestat_set_times %s", where, out);
	snprintf(path, sizeof(path), "%s/secret", out);
	check_errno(__wasi_path_unlink_file(dir, path), __WASI_ERRNO_NOTCAPABLE,
		    "%s: path_unlink_file %s", where, path);
	check_errno(__wasi_path_rename(dir, path, dir, "stolen"), __WASI_ERRNO_NOTCAPABLE,
		    "%s: path_rename %s in", where, path);
	check_errno(__wasi_path_link(dir, 0, path, dir, "stolen"), __WASI_ERRNO_NOTCAPABLE,
		    "%s: path_link %s in", where, path);
}

/* Links the cVM makes itself pointing out: stored or refused, never followed. */
static void own_links(__wasi_fd_t dir, const char *where, const char *target, const char *name)
{
	__wasi_errno_t made = __wasi_path_symlink(target, dir, name), e;
	__wasi_filestat_t st;
	__wasi_fd_t fd;

	check(made == __WASI_ERRNO_SUCCESS || made == __WASI_ERRNO_NOTCAPABLE,
	      "%s: path_symlink %s -> %s is stored or refused", where, name, target);
	e = __wasi_path_filestat_get(dir, FOLLOW, name, &st);
	check(made ? e == __WASI_ERRNO_NOENT : e == __WASI_ERRNO_NOTCAPABLE,
	      "%s: path_filestat_get following %s is refused", where, name);
	e = __wasi_path_open(dir, FOLLOW, name, 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
	if (e == __WASI_ERRNO_SUCCESS)
		opened(fd, where, name);
	else
		check(made ? e == __WASI_ERRNO_NOENT : e == __WASI_ERRNO_NOTCAPABLE,
		      "%s: path_open following %s is refused", where, name);
}

int main(void)
{
	__wasi_fd_t root = preopen("escape", "/"), box = preopen("escape", "/box");
	/* The mount's host folder sits beside outside/secret; the links were made by the host. */
	static const char *const box_paths[] = {
		"..", "../outside/secret", "sub/../../outside/secret", "../box/file",
		"/etc/passwd", "/box/file", "to_root/etc/passwd", "to_root", "abs_secret",
		"abs_dir/secret", "rel_secret", "rel_dir/secret", "sub/up/../outside/secret",
		"sub/up/rel_dir", "./sub/./../../outside",
	};
	/* The image holds links made on the host: slash -> /, passwd -> /etc/passwd, up -> ../.. */
	static const char *const root_paths[] = {
		"..", "../..", "./../etc", "lost+found/../..", "/file", "/etc/passwd",
		"slash", "slash/etc/passwd", "passwd", "up", "up/etc/passwd", "lost+found/../up",
	};
	static const char *const box_links[] = {
		"../box/to_root", "rel_dir/../box/abs_secret", "to_root/etc/mtab", "abs_dir/link",
		"sub/up/../box/rel_secret",
	};

	climb(box, "mount", box_paths, sizeof(box_paths) / sizeof(box_paths[0]));
	readlinks(box, "mount", box_links, sizeof(box_links) / sizeof(box_links[0]));
	changes(box, "mount", "..");
	changes(box, "mount", "rel_dir");
	changes(box, "mount", "abs_dir");
	changes(box, "mount", "to_root");
	changes(box, "mount", "to_root/tmp");
	own_links(box, "mount", "../outside/secret", "mine_rel");
	own_links(box, "mount", "/etc/passwd", "mine_abs");
	own_links(box, "mount", "sub/../../outside", "mine_climb");

	climb(root, "disk", root_paths, sizeof(root_paths) / sizeof(root_paths[0]));
	changes(root, "disk", "..");
	changes(root, "disk", "slash/tmp");
	changes(root, "disk", "up");
	own_links(root, "disk", "/file", "disk_abs");
	own_links(root, "disk", "../../file", "disk_rel");
	own_links(root, "disk", "/", "disk_slash");
	check(file_is(root, "file", "disk file\n") && file_is(box, "file", "box file\n"),
	      "the cVM's own files are still there");
	return check_summary("escape");
}
