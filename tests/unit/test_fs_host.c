/* Unit tests of the confined host-folder file system: every operation, its errors, and escapes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "posix/vfs.h"
#include "posix/wasi_defs.h"

/* The scratch tree: TOP holds the secret, the outside folder, and BOX, the mounted folder. */
#define TOP TEST_BUILD_DIR "/fs_host_tmp"
#define BOX TOP "/box"
#define SECRET TOP "/secret"
#define SECRET_TEXT "SECRET"

struct mounted {
	struct vfs *fs;
	struct vfs_node *root;
};

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0)
		assert_int_equal(nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void host_put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static bool host_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* The secret is still there, unchanged, and nothing new appeared beside the box. */
static void assert_outside_untouched(void)
{
	char buf[64] = { 0 };
	FILE *f = fopen(SECRET, "r");
	struct stat st;

	assert_non_null(f);
	assert_int_equal(fread(buf, 1, sizeof(buf) - 1, f), strlen(SECRET_TEXT));
	fclose(f);
	assert_string_equal(buf, SECRET_TEXT);
	assert_int_equal(stat(SECRET, &st), 0);
	assert_int_equal(st.st_nlink, 1);
	assert_int_equal(st.st_mtime, 1000000000);
	assert_false(host_exists(TOP "/x"));
	assert_false(host_exists(TOP "/y"));
	assert_false(host_exists("/x"));
}

/* A fresh scratch tree, and the box mounted (read-only when asked). */
static void mount_fresh(struct mounted *m, bool readonly)
{
	struct timespec old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	char err[256] = "";

	remove_tree(TOP);
	assert_int_equal(mkdir(TOP, 0755), 0);
	assert_int_equal(mkdir(BOX, 0755), 0);
	host_put(SECRET, SECRET_TEXT);
	assert_int_equal(utimensat(AT_FDCWD, SECRET, old, 0), 0);
	m->fs = vfs_host_mount(BOX, readonly, &m->root, err, sizeof(err));
	if (!m->fs)
		fail_msg("mount: %s", err);
	assert_true(m->root->is_dir);
	assert_int_equal(m->fs->readonly, readonly);
}

static void unmount(struct mounted *m)
{
	m->fs->ops->close(m->root);
	m->fs->ops->unmount(m->fs);
}

static int open_how(struct mounted *m, const char *path, uint32_t oflags, bool follow, bool rd,
		    bool wr, struct vfs_node **out)
{
	struct vfs_open how = {
		.oflags = oflags, .follow = follow, .read = rd, .write = wr,
	};

	*out = NULL;
	return m->fs->ops->open(m->root, path, &how, out);
}

/* open that must fail with err, leaving nothing open. */
static void assert_open_fails(struct mounted *m, const char *path, uint32_t oflags, bool follow,
			      bool wr, int err)
{
	struct vfs_node *n;
	int r = open_how(m, path, oflags, follow, true, wr, &n);

	if (r != err)
		fail_msg("open %s: %d, expected %d", path, r, err);
	assert_null(n);
}

static int64_t put_at(struct mounted *m, struct vfs_node *n, const char *text, uint64_t *off,
		      bool append)
{
	struct iovec iov = { (void *)text, strlen(text) };

	return m->fs->ops->write(n, &iov, 1, off, append);
}

static int64_t get_at(struct mounted *m, struct vfs_node *n, char *buf, size_t len, uint64_t off)
{
	struct iovec iov = { buf, len };
	int64_t got;

	memset(buf, 0, len);
	got = m->fs->ops->read(n, &iov, 1, &off);
	return got;
}

/* The whole of a file in the box, read through the backend. */
static void assert_box_file(struct mounted *m, const char *path, const char *text)
{
	struct vfs_node *n;
	char buf[256];

	assert_int_equal(open_how(m, path, 0, true, true, false, &n), 0);
	assert_int_equal(get_at(m, n, buf, sizeof(buf) - 1, 0), strlen(text));
	assert_string_equal(buf, text);
	m->fs->ops->close(n);
}

static void box_put(struct mounted *m, const char *path, const char *text)
{
	struct vfs_node *n;
	uint64_t off = 0;

	assert_int_equal(open_how(m, path, WASI_OFLAGS_CREAT | WASI_OFLAGS_TRUNC, false, false,
				  true, &n), 0);
	assert_int_equal(put_at(m, n, text, &off, false), strlen(text));
	m->fs->ops->close(n);
}

static void test_mount_errors(void **state)
{
	struct vfs_node *root = NULL;
	char err[256] = "";
	struct mounted m;

	(void)state;
	mount_fresh(&m, false);
	assert_null(vfs_host_mount(TOP "/missing", false, &root, err, sizeof(err)));
	assert_non_null(strstr(err, "missing"));
	err[0] = '\0';
	assert_null(vfs_host_mount(SECRET, true, &root, err, sizeof(err)));
	assert_non_null(strstr(err, "not a folder"));
	assert_null(root);
	unmount(&m);
}

/* Where openat2 is missing (here: refused by a seccomp filter), nothing is mounted. */
static void test_mount_needs_openat2(void **state)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(filter) / sizeof(filter[0]), filter };
	struct mounted m;
	int status;
	pid_t child;

	(void)state;
	mount_fresh(&m, false);
	unmount(&m);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct vfs_node *root = NULL;
		char err[256] = "";

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP,
		    SECCOMP_MODE_FILTER, &prog))
			_exit(2);
		if (vfs_host_mount(BOX, false, &root, err, sizeof(err)) || root ||
		    !strstr(err, "no openat2"))
			_exit(1);
		_exit(0);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_open_read_write(void **state)
{
	struct mounted m;
	struct vfs_node *n, *d;
	struct vfs_stat st;
	char buf[64];
	uint64_t off = 0;
	struct iovec iov[2] = { { "hello ", 6 }, { "world", 5 } };

	(void)state;
	mount_fresh(&m, false);
	assert_int_equal(open_how(&m, "f", WASI_OFLAGS_CREAT, false, true, true, &n), 0);
	assert_false(n->is_dir);
	assert_int_equal(m.fs->ops->write(n, iov, 2, &off, false), 11);
	assert_int_equal(off, 11);
	assert_int_equal(get_at(&m, n, buf, sizeof(buf), 0), 11);
	assert_string_equal(buf, "hello world");
	assert_int_equal(get_at(&m, n, buf, sizeof(buf), 6), 5);
	assert_string_equal(buf, "world");
	assert_int_equal(get_at(&m, n, buf, sizeof(buf), 11), 0);
	off = 6;
	assert_int_equal(put_at(&m, n, "W", &off, false), 1);
	assert_int_equal(off, 7);
	assert_int_equal(m.fs->ops->stat(n, &st), 0);
	assert_int_equal(st.filetype, WASI_FILETYPE_REGULAR_FILE);
	assert_int_equal(st.size, 11);
	assert_int_equal(st.nlink, 1);
	assert_true(st.mtim > 1000000000ull * 1000000000ull);
	m.fs->ops->close(n);
	assert_box_file(&m, "f", "hello World");

	/* Append: at the end whatever the offset, which then is the new end. */
	assert_int_equal(open_how(&m, "f", 0, false, false, true, &n), 0);
	off = 2;
	assert_int_equal(put_at(&m, n, "!", &off, true), 1);
	assert_int_equal(off, 12);
	assert_int_equal(put_at(&m, n, "?", &off, true), 1);
	assert_int_equal(off, 13);
	m.fs->ops->close(n);
	assert_box_file(&m, "f", "hello World!?");

	/* CREAT on an existing file keeps it; TRUNC empties it; EXCL refuses it. */
	assert_int_equal(open_how(&m, "f", WASI_OFLAGS_CREAT, false, true, false, &n), 0);
	m.fs->ops->close(n);
	assert_box_file(&m, "f", "hello World!?");
	assert_open_fails(&m, "f", WASI_OFLAGS_CREAT | WASI_OFLAGS_EXCL, false, true,
			  -WASI_EEXIST);
	assert_int_equal(open_how(&m, "f", WASI_OFLAGS_TRUNC, false, false, true, &n), 0);
	m.fs->ops->close(n);
	assert_box_file(&m, "f", "");
	assert_int_equal(open_how(&m, "g", WASI_OFLAGS_CREAT | WASI_OFLAGS_EXCL, false, false,
				  true, &n), 0);
	m.fs->ops->close(n);
	assert_true(host_exists(BOX "/g"));

	/* A file opened without write cannot be written; without read, not read. */
	assert_int_equal(open_how(&m, "g", 0, false, true, false, &n), 0);
	assert_int_equal(put_at(&m, n, "x", &off, false), -WASI_EBADF);
	m.fs->ops->close(n);
	assert_int_equal(open_how(&m, "g", 0, false, false, true, &n), 0);
	assert_int_equal(get_at(&m, n, buf, sizeof(buf), 0), -WASI_EBADF);
	m.fs->ops->close(n);

	/* Folders. */
	assert_int_equal(mkdir(BOX "/d", 0755), 0);
	host_put(BOX "/d/inner", "inner");
	assert_int_equal(open_how(&m, "d", WASI_OFLAGS_DIRECTORY, false, true, false, &d), 0);
	assert_true(d->is_dir);
	assert_int_equal(m.fs->ops->stat(d, &st), 0);
	assert_int_equal(st.filetype, WASI_FILETYPE_DIRECTORY);
	assert_int_equal(get_at(&m, d, buf, sizeof(buf), 0), -WASI_EISDIR);
	assert_int_equal(m.fs->ops->open(d, "inner", &(struct vfs_open){ .read = true }, &n), 0);
	assert_int_equal(get_at(&m, n, buf, sizeof(buf), 0), 5);
	m.fs->ops->close(n);
	m.fs->ops->close(d);
	assert_int_equal(open_how(&m, ".", 0, false, true, false, &d), 0);
	assert_true(d->is_dir);
	m.fs->ops->close(d);
	assert_int_equal(open_how(&m, "d/../d/./inner", 0, false, true, false, &n), 0);
	m.fs->ops->close(n);

	assert_open_fails(&m, "d", 0, false, true, -WASI_EISDIR);
	assert_open_fails(&m, "d", WASI_OFLAGS_TRUNC, false, false, -WASI_EISDIR);
	assert_open_fails(&m, "d", WASI_OFLAGS_CREAT, false, false, -WASI_EISDIR);
	assert_open_fails(&m, "f", WASI_OFLAGS_DIRECTORY, false, false, -WASI_ENOTDIR);
	assert_open_fails(&m, "f/", 0, false, false, -WASI_ENOTDIR);
	assert_open_fails(&m, "f/x", 0, false, false, -WASI_ENOTDIR);
	assert_open_fails(&m, "missing", 0, false, false, -WASI_ENOENT);
	assert_open_fails(&m, "missing/x", WASI_OFLAGS_CREAT, false, true, -WASI_ENOENT);
	assert_open_fails(&m, "", 0, false, false, -WASI_ENOENT);
	assert_open_fails(&m, "d", WASI_OFLAGS_DIRECTORY | WASI_OFLAGS_CREAT, false, false,
			  -WASI_EINVAL);
	unmount(&m);
}

static void test_open_symlinks(void **state)
{
	struct mounted m;
	struct vfs_node *n;
	char buf[64], name[NAME_MAX + 2], path[PATH_MAX + 2];
	int i;

	(void)state;
	mount_fresh(&m, false);
	host_put(BOX "/f", "data");
	assert_int_equal(mkdir(BOX "/d", 0755), 0);
	assert_int_equal(symlink("f", BOX "/lf"), 0);
	assert_int_equal(symlink("d", BOX "/ld"), 0);
	assert_int_equal(symlink("missing", BOX "/dangling"), 0);
	assert_int_equal(symlink("loop", BOX "/loop"), 0);

	assert_int_equal(open_how(&m, "lf", 0, true, true, false, &n), 0);
	assert_int_equal(get_at(&m, n, buf, sizeof(buf), 0), 4);
	m.fs->ops->close(n);
	assert_open_fails(&m, "lf", 0, false, false, -WASI_ELOOP);
	assert_open_fails(&m, "ld", WASI_OFLAGS_DIRECTORY, false, false, -WASI_ELOOP);
	assert_int_equal(open_how(&m, "ld", WASI_OFLAGS_DIRECTORY, true, true, false, &n), 0);
	assert_true(n->is_dir);
	m.fs->ops->close(n);
	/* A link in the middle is always followed; a trailing slash follows too. */
	host_put(BOX "/d/in", "in");
	assert_box_file(&m, "ld/in", "in");
	assert_int_equal(open_how(&m, "ld/", 0, false, true, false, &n), 0);
	assert_true(n->is_dir);
	m.fs->ops->close(n);
	assert_open_fails(&m, "dangling", 0, true, false, -WASI_ENOENT);
	assert_open_fails(&m, "loop", 0, true, false, -WASI_ELOOP);
	assert_open_fails(&m, "loop/x", 0, false, false, -WASI_ELOOP);
	assert_open_fails(&m, "lf", WASI_OFLAGS_CREAT, false, true, -WASI_ELOOP);
	assert_open_fails(&m, "lf", WASI_OFLAGS_CREAT | WASI_OFLAGS_EXCL, true, true,
			  -WASI_EEXIST);

	/* At most 40 links are followed in one resolution. */
	for (i = 0; i <= 40; i++) {
		char link[sizeof(BOX) + 16], target[16];

		snprintf(link, sizeof(link), BOX "/chain%d", i);
		snprintf(target, sizeof(target), i ? "chain%d" : "f", i - 1);
		assert_int_equal(symlink(target, link), 0);
	}
	assert_box_file(&m, "chain39", "data");
	assert_open_fails(&m, "chain40", 0, true, false, -WASI_ELOOP);

	/* Names and paths too long. */
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_open_fails(&m, name, WASI_OFLAGS_CREAT, false, true, -WASI_ENAMETOOLONG);
	assert_int_equal(m.fs->ops->mkdir(m.root, name), -WASI_ENAMETOOLONG);
	memset(path, 'd', sizeof(path) - 1);
	for (i = 1; i < (int)sizeof(path) - 1; i += 2)
		path[i] = '/';
	path[sizeof(path) - 1] = '\0';
	assert_open_fails(&m, path, 0, false, false, -WASI_ENAMETOOLONG);
	assert_int_equal(m.fs->ops->mkdir(m.root, path), -WASI_ENAMETOOLONG);

	/* Creating through a dangling link (followed) creates its target. */
	assert_int_equal(open_how(&m, "dangling", WASI_OFLAGS_CREAT, true, false, true, &n), 0);
	m.fs->ops->close(n);
	assert_true(host_exists(BOX "/missing"));
	unmount(&m);
}

/* A FIFO (or socket, device) in the folder is refused at once: never opened, never waited on. */
static void test_fifo_refused(void **state)
{
	struct mounted m;
	struct vfs_stat st;
	struct timespec t0, t1;

	(void)state;
	mount_fresh(&m, false);
	assert_int_equal(mkfifo(BOX "/fifo", 0644), 0);
	assert_int_equal(symlink("fifo", BOX "/lfifo"), 0);
	alarm(10); /* a hang fails the test instead of blocking it forever */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_open_fails(&m, "fifo", 0, false, false, -WASI_ENOTSUP);
	assert_open_fails(&m, "fifo", 0, false, true, -WASI_ENOTSUP);
	assert_open_fails(&m, "fifo", WASI_OFLAGS_CREAT, false, true, -WASI_ENOTSUP);
	assert_open_fails(&m, "fifo", WASI_OFLAGS_TRUNC, false, true, -WASI_ENOTSUP);
	assert_open_fails(&m, "lfifo", 0, true, false, -WASI_ENOTSUP);
	assert_open_fails(&m, "lfifo", WASI_OFLAGS_CREAT, true, false, -WASI_ENOTSUP);
	assert_open_fails(&m, "fifo", WASI_OFLAGS_DIRECTORY, false, false, -WASI_ENOTDIR);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	alarm(0);
	assert_true(t1.tv_sec - t0.tv_sec < 2);
	assert_int_equal(m.fs->ops->path_stat(m.root, "fifo", false, &st), 0);
	assert_int_equal(st.filetype, WASI_FILETYPE_UNKNOWN);
	unmount(&m);
}

static void test_mkdir_unlink_rmdir(void **state)
{
	struct mounted m;
	const struct vfs_ops *ops;

	(void)state;
	mount_fresh(&m, false);
	ops = m.fs->ops;
	assert_int_equal(ops->mkdir(m.root, "d"), 0);
	assert_int_equal(ops->mkdir(m.root, "d/e/"), 0);
	assert_true(host_exists(BOX "/d/e"));
	assert_int_equal(ops->mkdir(m.root, "d"), -WASI_EEXIST);
	assert_int_equal(ops->mkdir(m.root, "missing/e"), -WASI_ENOENT);
	assert_int_equal(ops->mkdir(m.root, "."), -WASI_EEXIST);
	assert_int_equal(ops->mkdir(m.root, "d/.."), -WASI_EEXIST);
	assert_int_equal(ops->mkdir(m.root, ""), -WASI_ENOENT);
	box_put(&m, "f", "x");
	assert_int_equal(ops->mkdir(m.root, "f/e"), -WASI_ENOTDIR);
	assert_int_equal(symlink("d", BOX "/ld"), 0);
	assert_int_equal(ops->mkdir(m.root, "ld"), -WASI_EEXIST);
	assert_int_equal(ops->mkdir(m.root, "ld/new"), 0);
	assert_true(host_exists(BOX "/d/new"));

	assert_int_equal(ops->rmdir(m.root, "d"), -WASI_ENOTEMPTY);
	assert_int_equal(ops->rmdir(m.root, "f"), -WASI_ENOTDIR);
	assert_int_equal(ops->rmdir(m.root, "ld"), -WASI_ENOTDIR);
	assert_int_equal(ops->rmdir(m.root, "ld/"), -WASI_ENOTDIR);
	assert_int_equal(ops->rmdir(m.root, "missing"), -WASI_ENOENT);
	assert_int_equal(ops->rmdir(m.root, "."), -WASI_EINVAL);
	assert_int_equal(ops->rmdir(m.root, "d/e/.."), -WASI_ENOTEMPTY);
	assert_int_equal(ops->rmdir(m.root, "d/e/"), 0);
	assert_int_equal(ops->rmdir(m.root, "ld/new"), 0);
	assert_false(host_exists(BOX "/d/e"));

	assert_int_equal(ops->unlink(m.root, "d"), -WASI_EISDIR);
	assert_int_equal(ops->unlink(m.root, "d/"), -WASI_EISDIR);
	assert_int_equal(ops->unlink(m.root, "f/"), -WASI_ENOTDIR);
	assert_int_equal(ops->unlink(m.root, "ld/"), -WASI_ENOTDIR);
	assert_int_equal(ops->unlink(m.root, "."), -WASI_EISDIR);
	assert_int_equal(ops->unlink(m.root, "missing"), -WASI_ENOENT);
	assert_int_equal(ops->unlink(m.root, "f/x"), -WASI_ENOTDIR);
	/* A link is removed itself, never what it points to. */
	assert_int_equal(ops->unlink(m.root, "ld"), 0);
	assert_true(host_exists(BOX "/d"));
	assert_int_equal(ops->unlink(m.root, "f"), 0);
	assert_false(host_exists(BOX "/f"));
	assert_int_equal(ops->rmdir(m.root, "d"), 0);
	unmount(&m);
}

static void test_stat(void **state)
{
	struct mounted m;
	struct vfs_stat st, lst;
	struct stat hs;

	(void)state;
	mount_fresh(&m, false);
	host_put(BOX "/f", "12345");
	assert_int_equal(symlink("f", BOX "/lf"), 0);
	assert_int_equal(m.fs->ops->path_stat(m.root, "f", false, &st), 0);
	assert_int_equal(stat(BOX "/f", &hs), 0);
	assert_int_equal(st.dev, hs.st_dev);
	assert_int_equal(st.ino, hs.st_ino);
	assert_int_equal(st.size, 5);
	assert_int_equal(st.filetype, WASI_FILETYPE_REGULAR_FILE);
	assert_int_equal(st.mtim, (uint64_t)hs.st_mtim.tv_sec * 1000000000ull +
			 (uint64_t)hs.st_mtim.tv_nsec);
	assert_int_equal(m.fs->ops->path_stat(m.root, "lf", true, &lst), 0);
	assert_int_equal(lst.ino, st.ino);
	assert_int_equal(m.fs->ops->path_stat(m.root, "lf", false, &lst), 0);
	assert_int_equal(lst.filetype, WASI_FILETYPE_SYMBOLIC_LINK);
	assert_int_not_equal(lst.ino, st.ino);
	assert_int_equal(m.fs->ops->path_stat(m.root, ".", false, &st), 0);
	assert_int_equal(st.filetype, WASI_FILETYPE_DIRECTORY);
	assert_int_equal(m.fs->ops->stat(m.root, &lst), 0);
	assert_int_equal(lst.ino, st.ino);
	assert_int_equal(m.fs->ops->path_stat(m.root, "missing", false, &st), -WASI_ENOENT);
	assert_int_equal(m.fs->ops->path_stat(m.root, "f/", false, &st), -WASI_ENOTDIR);
	assert_int_equal(m.fs->ops->path_stat(m.root, "", false, &st), -WASI_ENOENT);
	unmount(&m);
}

/* Every way out of the box fails with ENOTCAPABLE, and nothing outside changes. */
static void test_escapes(void **state)
{
	static const char *const outside[] = {
		"..", "../secret", "a/../../secret", "/", "/etc/passwd", SECRET, "root/etc/passwd",
		"root", "up", "up/secret", "upup/box/f", "out/secret", "a/out/secret", "abs",
		"a/../../box/f", "rel",
	};
	struct mounted m;
	struct vfs_node *n, *none = NULL;
	struct vfs_stat st;
	char buf[64];
	size_t len, i;
	const struct vfs_ops *ops;

	(void)state;
	mount_fresh(&m, false);
	ops = m.fs->ops;
	assert_int_equal(mkdir(BOX "/a", 0755), 0);
	host_put(BOX "/f", "inside");
	assert_int_equal(symlink("/", BOX "/root"), 0);
	assert_int_equal(symlink("..", BOX "/up"), 0);
	assert_int_equal(symlink("../../", BOX "/upup"), 0);
	assert_int_equal(symlink("..", BOX "/out"), 0);
	assert_int_equal(symlink("../..", BOX "/a/out"), 0);
	assert_int_equal(symlink(SECRET, BOX "/abs"), 0);
	assert_int_equal(symlink("../secret", BOX "/rel"), 0);

	for (i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
		const char *p = outside[i];
		bool is_link = !strcmp(p, "root") || !strcmp(p, "up") || !strcmp(p, "abs") ||
			       !strcmp(p, "rel");

		assert_open_fails(&m, p, 0, true, false, -WASI_ENOTCAPABLE);
		assert_open_fails(&m, p, WASI_OFLAGS_CREAT, true, true, -WASI_ENOTCAPABLE);
		assert_open_fails(&m, p, WASI_OFLAGS_TRUNC, true, true, -WASI_ENOTCAPABLE);
		assert_int_equal(ops->path_stat(m.root, p, true, &st), -WASI_ENOTCAPABLE);
		assert_int_equal(ops->path_set_times(m.root, p, true, 0, 0, WASI_FSTFLAGS_MTIM),
				 -WASI_ENOTCAPABLE);
		if (!is_link) {
			assert_int_equal(ops->path_stat(m.root, p, false, &st),
					 -WASI_ENOTCAPABLE);
			assert_int_equal(ops->readlink(m.root, p, buf, sizeof(buf), &len),
					 -WASI_ENOTCAPABLE);
			assert_int_equal(ops->unlink(m.root, p), -WASI_ENOTCAPABLE);
			assert_int_equal(ops->rmdir(m.root, p), -WASI_ENOTCAPABLE);
		}
		assert_int_equal(ops->link(m.root, p, true, m.root, "linked"), -WASI_ENOTCAPABLE);
	}
	/* Without follow, the links themselves are what is named: nothing outside. */
	assert_open_fails(&m, "abs", 0, false, false, -WASI_ELOOP);
	assert_int_equal(ops->path_stat(m.root, "abs", false, &st), 0);
	assert_int_equal(st.filetype, WASI_FILETYPE_SYMBOLIC_LINK);

	/* Names created, removed or renamed outside. */
	assert_int_equal(ops->mkdir(m.root, "../x"), -WASI_ENOTCAPABLE);
	assert_int_equal(ops->mkdir(m.root, "out/x"), -WASI_ENOTCAPABLE);
	assert_int_equal(ops->mkdir(m.root, "a/out/x"), -WASI_ENOTCAPABLE);
	assert_int_equal(ops->mkdir(m.root, "root/x"), -WASI_ENOTCAPABLE);
	assert_int_equal(ops->mkdir(m.root, ".."), -WASI_ENOTCAPABLE);
	assert_int_equal(ops->mkdir(m.root, "/x"), -WASI_ENOTCAPABLE);
	assert_int_equal(ops->rmdir(m.root, "../box"), -WASI_ENOTCAPABLE);
	assert_int_equal(ops->unlink(m.root, "../secret"), -WASI_ENOTCAPABLE);
	assert_int_equal(ops->unlink(m.root, "out/secret"), -WASI_ENOTCAPABLE);
	assert_int_equal(ops->symlink("f", m.root, "../x"), -WASI_ENOTCAPABLE);
	assert_int_equal(ops->symlink("f", m.root, "out/x"), -WASI_ENOTCAPABLE);
	assert_int_equal(ops->rename(m.root, "f", m.root, "../x"), -WASI_ENOTCAPABLE);
	assert_int_equal(ops->rename(m.root, "f", m.root, "out/x"), -WASI_ENOTCAPABLE);
	assert_int_equal(ops->rename(m.root, "../secret", m.root, "stolen"), -WASI_ENOTCAPABLE);
	assert_int_equal(ops->rename(m.root, "out/secret", m.root, "stolen"), -WASI_ENOTCAPABLE);
	assert_int_equal(ops->link(m.root, "../secret", false, m.root, "stolen"),
			 -WASI_ENOTCAPABLE);
	assert_int_equal(ops->link(m.root, "out/secret", false, m.root, "stolen"),
			 -WASI_ENOTCAPABLE);
	assert_int_equal(ops->link(m.root, "f", false, m.root, "../x"), -WASI_ENOTCAPABLE);
	assert_int_equal(ops->link(m.root, "f", true, m.root, "out/x"), -WASI_ENOTCAPABLE);
	assert_int_equal(ops->path_set_times(m.root, "../secret", false, 0, 0,
					     WASI_FSTFLAGS_MTIM), -WASI_ENOTCAPABLE);
	assert_int_equal(ops->path_set_times(m.root, "out/secret", false, 0, 0,
					     WASI_FSTFLAGS_MTIM), -WASI_ENOTCAPABLE);
	/* Starting from a subfolder node, its parent is outside too. */
	assert_int_equal(open_how(&m, "a", 0, false, true, false, &n), 0);
	assert_int_equal(ops->open(n, "../f", &(struct vfs_open){ .read = true }, &none),
			 -WASI_ENOTCAPABLE);
	assert_null(none);
	assert_int_equal(ops->path_stat(n, "..", false, &st), -WASI_ENOTCAPABLE);
	assert_int_equal(ops->mkdir(n, "../x"), -WASI_ENOTCAPABLE);
	ops->close(n);

	/* Linking the links themselves (not followed) copies a link that still cannot escape. */
	assert_int_equal(ops->link(m.root, "abs", false, m.root, "abs2"), 0);
	assert_open_fails(&m, "abs2", 0, true, false, -WASI_ENOTCAPABLE);
	assert_false(host_exists(BOX "/stolen"));
	assert_false(host_exists(BOX "/linked"));
	assert_true(host_exists(BOX "/f"));
	assert_outside_untouched();
	unmount(&m);
}

/* The host fd a node holds for path (found through /proc/self/fd), or -1. */
static int host_fd_for(const char *path)
{
	char real[PATH_MAX], link[PATH_MAX], proc[PATH_MAX];
	struct dirent *e;
	int found = -1;
	DIR *dir;

	assert_non_null(realpath(path, real));
	dir = opendir("/proc/self/fd");
	assert_non_null(dir);
	while (found < 0 && (e = readdir(dir))) {
		ssize_t len;

		snprintf(proc, sizeof(proc), "/proc/self/fd/%s", e->d_name);
		len = readlink(proc, link, sizeof(link) - 1);
		if (len < 0)
			continue;
		link[len] = '\0';
		if (!strcmp(link, real))
			found = atoi(e->d_name);
	}
	closedir(dir);
	return found;
}

static void test_host_fd_flags(void **state)
{
	struct mounted m;
	struct vfs_node *n;
	int fd;

	(void)state;
	mount_fresh(&m, false);
	host_put(BOX "/f", "x");
	assert_int_equal(open_how(&m, "f", 0, false, true, true, &n), 0);
	fd = host_fd_for(BOX "/f");
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR);
	m.fs->ops->close(n);
	assert_int_equal(host_fd_for(BOX "/f"), -1);
	assert_int_equal(open_how(&m, "new", WASI_OFLAGS_CREAT, false, false, true, &n), 0);
	fd = host_fd_for(BOX "/new");
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_WRONLY);
	m.fs->ops->close(n);
	assert_int_equal(m.fs->ops->open(m.root, "f", &(struct vfs_open){
			 .fdflags = WASI_FDFLAGS_DSYNC, .write = true }, &n), 0);
	assert_int_equal(fcntl(host_fd_for(BOX "/f"), F_GETFL) & O_SYNC, O_DSYNC);
	m.fs->ops->close(n);
	assert_int_equal(m.fs->ops->open(m.root, "f", &(struct vfs_open){
			 .fdflags = WASI_FDFLAGS_SYNC, .read = true }, &n), 0);
	assert_int_equal(fcntl(host_fd_for(BOX "/f"), F_GETFL) & O_SYNC, O_SYNC);
	m.fs->ops->close(n);
	assert_true(fcntl(host_fd_for(BOX), F_GETFD) & FD_CLOEXEC);
	unmount(&m);
	assert_int_equal(host_fd_for(BOX), -1);
}

static void test_rename(void **state)
{
	struct mounted m;
	struct vfs_node *a, *b;
	struct vfs_stat st;
	const struct vfs_ops *ops;

	(void)state;
	mount_fresh(&m, false);
	ops = m.fs->ops;
	box_put(&m, "f", "one");
	box_put(&m, "g", "two");
	assert_int_equal(ops->mkdir(m.root, "d"), 0);
	assert_int_equal(ops->mkdir(m.root, "e"), 0);
	assert_int_equal(ops->mkdir(m.root, "full"), 0);
	box_put(&m, "full/x", "x");

	assert_int_equal(ops->rename(m.root, "f", m.root, "f2"), 0);
	assert_false(host_exists(BOX "/f"));
	assert_box_file(&m, "f2", "one");
	assert_int_equal(ops->rename(m.root, "f2", m.root, "g"), 0);
	assert_box_file(&m, "g", "one");
	assert_int_equal(ops->rename(m.root, "missing", m.root, "h"), -WASI_ENOENT);
	assert_int_equal(ops->rename(m.root, "g", m.root, "missing/h"), -WASI_ENOENT);
	assert_int_equal(ops->rename(m.root, "g", m.root, "d"), -WASI_EISDIR);
	assert_int_equal(ops->rename(m.root, "d", m.root, "g"), -WASI_ENOTDIR);
	assert_int_equal(ops->rename(m.root, "d", m.root, "full"), -WASI_ENOTEMPTY);
	assert_int_equal(ops->rename(m.root, "g", m.root, "g2/"), -WASI_ENOTDIR);
	assert_int_equal(ops->rename(m.root, "g/", m.root, "g2"), -WASI_ENOTDIR);
	assert_int_equal(ops->rename(m.root, ".", m.root, "h"), -WASI_EBUSY);
	assert_int_equal(ops->rename(m.root, "g", m.root, "d/.."), -WASI_EBUSY);
	assert_int_equal(ops->rename(m.root, "d", m.root, "d/in"), -WASI_EINVAL);
	/* A folder replaces an empty one, slashes allowed. */
	assert_int_equal(ops->rename(m.root, "d/", m.root, "e/"), 0);
	assert_false(host_exists(BOX "/d"));
	/* A link is renamed itself. */
	assert_int_equal(symlink("g", BOX "/lg"), 0);
	assert_int_equal(ops->rename(m.root, "lg", m.root, "lg2"), 0);
	assert_int_equal(ops->path_stat(m.root, "lg2", false, &st), 0);
	assert_int_equal(st.filetype, WASI_FILETYPE_SYMBOLIC_LINK);
	assert_box_file(&m, "g", "one");

	/* Between two folder nodes. */
	assert_int_equal(open_how(&m, "e", WASI_OFLAGS_DIRECTORY, false, true, false, &a), 0);
	assert_int_equal(open_how(&m, "full", WASI_OFLAGS_DIRECTORY, false, true, false, &b), 0);
	assert_int_equal(ops->rename(b, "x", a, "y"), 0);
	assert_true(host_exists(BOX "/e/y"));
	assert_false(host_exists(BOX "/full/x"));
	assert_int_equal(ops->rename(a, "../g", b, "g"), -WASI_ENOTCAPABLE);
	assert_int_equal(ops->rename(a, "y", b, "../y"), -WASI_ENOTCAPABLE);
	ops->close(a);
	ops->close(b);
	unmount(&m);
}

static void test_link_symlink_readlink(void **state)
{
	struct mounted m;
	struct vfs_node *d;
	struct vfs_stat st, fst;
	char buf[64];
	size_t len = 99;
	const struct vfs_ops *ops;

	(void)state;
	mount_fresh(&m, false);
	ops = m.fs->ops;
	box_put(&m, "f", "data");
	assert_int_equal(ops->mkdir(m.root, "d"), 0);
	assert_int_equal(ops->path_stat(m.root, "f", false, &fst), 0);

	assert_int_equal(ops->symlink("f", m.root, "lf"), 0);
	assert_int_equal(ops->readlink(m.root, "lf", buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 1);
	assert_memory_equal(buf, "f", 1);
	assert_int_equal(ops->symlink("a/long/target", m.root, "d/long"), 0);
	assert_int_equal(ops->readlink(m.root, "d/long", buf, 6, &len), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(buf, "a/long", 6);
	assert_int_equal(ops->readlink(m.root, "d/long", buf, 0, &len), 0);
	assert_int_equal(len, 0);
	assert_int_equal(ops->readlink(m.root, "f", buf, sizeof(buf), &len), -WASI_EINVAL);
	assert_int_equal(ops->readlink(m.root, "d", buf, sizeof(buf), &len), -WASI_EINVAL);
	assert_int_equal(ops->readlink(m.root, "missing", buf, sizeof(buf), &len), -WASI_ENOENT);
	assert_int_equal(ops->readlink(m.root, "f/x", buf, sizeof(buf), &len), -WASI_ENOTDIR);
	assert_int_equal(ops->symlink("x", m.root, "lf"), -WASI_EEXIST);
	assert_int_equal(ops->symlink("x", m.root, "f"), -WASI_EEXIST);
	assert_int_equal(ops->symlink("x", m.root, "new/"), -WASI_ENOENT);
	assert_int_equal(ops->symlink("x", m.root, "f/"), -WASI_EEXIST);
	assert_int_equal(ops->symlink("x", m.root, "."), -WASI_EEXIST);
	assert_int_equal(ops->symlink("x", m.root, "missing/l"), -WASI_ENOENT);
	assert_int_equal(ops->symlink("", m.root, "empty"), -WASI_ENOENT);
	/* An absolute target may be written; it is never followed out. */
	assert_int_equal(ops->symlink(SECRET, m.root, "labs"), 0);
	assert_int_equal(ops->readlink(m.root, "labs", buf, sizeof(buf), &len), 0);
	assert_int_equal(len, strlen(SECRET));
	assert_open_fails(&m, "labs", 0, true, false, -WASI_ENOTCAPABLE);

	assert_int_equal(ops->link(m.root, "f", false, m.root, "d/hard"), 0);
	assert_int_equal(ops->path_stat(m.root, "d/hard", false, &st), 0);
	assert_int_equal(st.ino, fst.ino);
	assert_int_equal(st.nlink, 2);
	assert_int_equal(ops->link(m.root, "lf", false, m.root, "lf2"), 0);
	assert_int_equal(ops->path_stat(m.root, "lf2", false, &st), 0);
	assert_int_equal(st.filetype, WASI_FILETYPE_SYMBOLIC_LINK);
	assert_int_equal(ops->link(m.root, "lf", true, m.root, "hard2"), 0);
	assert_int_equal(ops->path_stat(m.root, "hard2", false, &st), 0);
	assert_int_equal(st.ino, fst.ino);
	assert_int_equal(st.nlink, 3);
	assert_int_equal(ops->link(m.root, "f", false, m.root, "hard2"), -WASI_EEXIST);
	assert_int_equal(ops->link(m.root, "f", false, m.root, "new/"), -WASI_ENOENT);
	assert_int_equal(ops->link(m.root, "f", false, m.root, ".."), -WASI_ENOTCAPABLE);
	assert_int_equal(ops->link(m.root, "f", false, m.root, "d/.."), -WASI_EEXIST);
	assert_int_equal(ops->link(m.root, "missing", false, m.root, "x"), -WASI_ENOENT);
	assert_int_equal(ops->link(m.root, "missing", true, m.root, "x"), -WASI_ENOENT);
	assert_int_equal(ops->link(m.root, "d", false, m.root, "d2"), -WASI_EPERM);
	assert_int_equal(ops->link(m.root, "d/", false, m.root, "d2"), -WASI_EPERM);
	assert_int_equal(ops->link(m.root, ".", false, m.root, "d2"), -WASI_EPERM);
	assert_int_equal(ops->link(m.root, "f/", false, m.root, "d2"), -WASI_ENOTDIR);

	/* Between two folder nodes. */
	assert_int_equal(open_how(&m, "d", WASI_OFLAGS_DIRECTORY, false, true, false, &d), 0);
	assert_int_equal(ops->link(d, "hard", false, m.root, "hard3"), 0);
	assert_int_equal(ops->link(m.root, "hard3", false, d, "hard4"), 0);
	assert_int_equal(ops->path_stat(d, "hard4", false, &st), 0);
	assert_int_equal(st.nlink, 5);
	ops->close(d);
	unmount(&m);
}

static void test_sizes_times_sync(void **state)
{
	struct mounted m;
	struct vfs_node *n;
	struct vfs_stat st, lst;
	struct timespec now;
	uint64_t now_ns;
	const struct vfs_ops *ops;
	const uint64_t t1 = 1234567890123456789ull, t2 = 1111111111222222222ull;

	(void)state;
	mount_fresh(&m, false);
	ops = m.fs->ops;
	box_put(&m, "f", "0123456789");
	assert_int_equal(open_how(&m, "f", 0, false, true, true, &n), 0);
	assert_int_equal(ops->set_size(n, 4), 0);
	assert_int_equal(ops->stat(n, &st), 0);
	assert_int_equal(st.size, 4);
	assert_int_equal(ops->set_size(n, 100000), 0);
	assert_int_equal(ops->stat(n, &st), 0);
	assert_int_equal(st.size, 100000);
	assert_int_equal(ops->set_size(n, UINT64_MAX), -WASI_EINVAL);

	assert_int_equal(ops->allocate(n, 200000, 4096), 0);
	assert_int_equal(ops->stat(n, &st), 0);
	assert_int_equal(st.size, 204096);
	assert_int_equal(ops->allocate(n, 0, 10), 0);
	assert_int_equal(ops->stat(n, &st), 0);
	assert_int_equal(st.size, 204096);
	assert_int_equal(ops->allocate(n, UINT64_MAX, 1), -WASI_EINVAL);
	assert_int_equal(ops->allocate(n, INT64_MAX, INT64_MAX), -WASI_EFBIG);
	assert_int_equal(ops->sync(n, false), 0);
	assert_int_equal(ops->sync(n, true), 0);

	assert_int_equal(ops->set_times(n, t1, t2, WASI_FSTFLAGS_ATIM | WASI_FSTFLAGS_MTIM), 0);
	assert_int_equal(ops->stat(n, &st), 0);
	assert_int_equal(st.atim, t1);
	assert_int_equal(st.mtim, t2);
	assert_int_equal(ops->set_times(n, 0, t1, WASI_FSTFLAGS_MTIM), 0);
	assert_int_equal(ops->stat(n, &st), 0);
	assert_int_equal(st.atim, t1);
	assert_int_equal(st.mtim, t1);
	assert_int_equal(ops->set_times(n, 0, 0, WASI_FSTFLAGS_ATIM_NOW), 0);
	clock_gettime(CLOCK_REALTIME, &now);
	now_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
	assert_int_equal(ops->stat(n, &st), 0);
	assert_true(st.atim <= now_ns && st.atim > now_ns - 10000000000ull);
	assert_int_equal(st.mtim, t1);
	assert_int_equal(ops->set_times(n, t1, 0, WASI_FSTFLAGS_ATIM | WASI_FSTFLAGS_ATIM_NOW),
			 -WASI_EINVAL);
	assert_int_equal(ops->set_times(n, 0, t1, WASI_FSTFLAGS_MTIM | WASI_FSTFLAGS_MTIM_NOW),
			 -WASI_EINVAL);
	assert_int_equal(ops->set_times(n, 0, 0, 1u << 4), -WASI_EINVAL);
	ops->close(n);

	/* By path: followed, the target; not followed, the link itself. */
	assert_int_equal(symlink("f", BOX "/lf"), 0);
	assert_int_equal(ops->path_set_times(m.root, "lf", true, t2, t2,
					     WASI_FSTFLAGS_ATIM | WASI_FSTFLAGS_MTIM), 0);
	assert_int_equal(ops->path_stat(m.root, "f", false, &st), 0);
	assert_int_equal(st.mtim, t2);
	assert_int_equal(ops->path_set_times(m.root, "lf", false, 0, t1, WASI_FSTFLAGS_MTIM), 0);
	assert_int_equal(ops->path_stat(m.root, "lf", false, &lst), 0);
	assert_int_equal(lst.mtim, t1);
	assert_int_equal(ops->path_stat(m.root, "f", false, &st), 0);
	assert_int_equal(st.mtim, t2);
	assert_int_equal(ops->path_set_times(m.root, ".", false, 0, t1, WASI_FSTFLAGS_MTIM), 0);
	assert_int_equal(ops->stat(m.root, &st), 0);
	assert_int_equal(st.mtim, t1);
	assert_int_equal(ops->path_set_times(m.root, "missing", true, 0, 0, WASI_FSTFLAGS_MTIM_NOW),
			 -WASI_ENOENT);
	assert_int_equal(ops->path_set_times(m.root, "f", true, 1, 0,
					     WASI_FSTFLAGS_ATIM | WASI_FSTFLAGS_ATIM_NOW),
			 -WASI_EINVAL);
	unmount(&m);
}

#define MANY 1000

struct listing {
	char names[MANY + 2][16];
	uint64_t next[MANY + 2];
	size_t count;
};

/* Lists dir from cookie to the end into l. */
static void list_from(struct mounted *m, struct vfs_node *dir, uint64_t cookie, struct listing *l)
{
	struct vfs_dirent e;
	int r;

	l->count = 0;
	while ((r = m->fs->ops->readdir(dir, cookie, &e)) == 1) {
		assert_true(l->count < MANY + 2);
		assert_true(e.namelen < sizeof(l->names[0]));
		memcpy(l->names[l->count], e.name, e.namelen);
		l->names[l->count][e.namelen] = '\0';
		l->next[l->count++] = cookie = e.next;
	}
	assert_int_equal(r, 0);
}

static void test_readdir(void **state)
{
	static struct listing all, rest;
	static bool seen[MANY];
	struct mounted m;
	struct vfs_node *d, *f;
	struct vfs_dirent e;
	char name[32];
	size_t i, start;
	bool dot = false, dotdot = false;

	(void)state;
	mount_fresh(&m, false);
	assert_int_equal(m.fs->ops->mkdir(m.root, "d"), 0);
	for (i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "d/entry%zu", i);
		box_put(&m, name, "");
	}
	assert_int_equal(open_how(&m, "d", WASI_OFLAGS_DIRECTORY, false, true, false, &d), 0);
	list_from(&m, d, 0, &all);
	assert_int_equal(all.count, MANY + 2);
	for (i = 0; i < all.count; i++) {
		unsigned k;

		if (!strcmp(all.names[i], "."))
			dot = true;
		else if (!strcmp(all.names[i], ".."))
			dotdot = true;
		else if (sscanf(all.names[i], "entry%u", &k) == 1 && k < MANY && !seen[k])
			seen[k] = true;
		else
			fail_msg("unexpected or repeated entry %s", all.names[i]);
	}
	assert_true(dot && dotdot);

	/* Restarting from any entry's cookie continues with the entries after it. */
	for (start = 0; start < all.count; start += 97) {
		list_from(&m, d, all.next[start], &rest);
		assert_int_equal(rest.count, all.count - start - 1);
		for (i = 0; i < rest.count; i++)
			assert_string_equal(rest.names[i], all.names[start + 1 + i]);
	}
	/* Out of order, one entry at a time. */
	for (start = all.count - 1; start > 0; start -= 150) {
		assert_int_equal(m.fs->ops->readdir(d, all.next[start - 1], &e), 1);
		assert_memory_equal(e.name, all.names[start], e.namelen);
		assert_int_equal(e.next, all.next[start]);
		if (start < 150)
			break;
	}
	list_from(&m, d, 0, &rest);
	assert_int_equal(rest.count, all.count);
	assert_int_equal(m.fs->ops->readdir(d, all.next[all.count - 1], &e), 0);
	m.fs->ops->close(d);

	/* Entry types, and a file is no folder to list. */
	box_put(&m, "f", "");
	assert_int_equal(symlink("f", BOX "/lf"), 0);
	list_from(&m, m.root, 0, &rest);
	assert_int_equal(rest.count, 5);
	for (i = 0; i < 5; i++) {
		uint8_t want = !strcmp(rest.names[i], "f")    ? WASI_FILETYPE_REGULAR_FILE
			       : !strcmp(rest.names[i], "lf") ? WASI_FILETYPE_SYMBOLIC_LINK
							      : WASI_FILETYPE_DIRECTORY;

		assert_int_equal(m.fs->ops->readdir(m.root, i ? rest.next[i - 1] : 0, &e), 1);
		assert_int_equal(e.filetype, want);
	}
	assert_int_equal(open_how(&m, "f", 0, false, true, false, &f), 0);
	assert_int_equal(m.fs->ops->readdir(f, 0, &e), -WASI_ENOTDIR);
	m.fs->ops->close(f);
	unmount(&m);
}

/* A read-only mount refuses every change before touching the host, and opens files read-only. */
static void test_readonly(void **state)
{
	struct mounted m;
	struct vfs_node *n, *d;
	uint64_t off = 0;
	char buf[16];
	const struct vfs_ops *ops;
	int fd;

	(void)state;
	mount_fresh(&m, true);
	ops = m.fs->ops;
	host_put(BOX "/f", "data");
	assert_int_equal(mkdir(BOX "/d", 0755), 0);
	assert_int_equal(symlink("f", BOX "/lf"), 0);

	assert_open_fails(&m, "f", 0, false, true, -WASI_EROFS);
	assert_open_fails(&m, "f", WASI_OFLAGS_CREAT, false, false, -WASI_EROFS);
	assert_open_fails(&m, "new", WASI_OFLAGS_CREAT, false, false, -WASI_EROFS);
	assert_open_fails(&m, "f", WASI_OFLAGS_TRUNC, false, false, -WASI_EROFS);
	assert_open_fails(&m, "../secret", WASI_OFLAGS_CREAT, false, false, -WASI_EROFS);
	assert_int_equal(open_how(&m, "f", 0, true, true, false, &n), 0);
	fd = host_fd_for(BOX "/f");
	assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	assert_int_equal(get_at(&m, n, buf, sizeof(buf), 0), 4);
	assert_int_equal(put_at(&m, n, "x", &off, false), -WASI_EROFS);
	assert_int_equal(put_at(&m, n, "x", &off, true), -WASI_EROFS);
	assert_int_equal(ops->set_size(n, 0), -WASI_EROFS);
	assert_int_equal(ops->set_times(n, 0, 0, WASI_FSTFLAGS_MTIM_NOW), -WASI_EROFS);
	assert_int_equal(ops->sync(n, false), -WASI_EROFS);
	assert_int_equal(ops->allocate(n, 0, 100), -WASI_EROFS);
	ops->close(n);
	assert_int_equal(open_how(&m, "d", WASI_OFLAGS_DIRECTORY, false, true, false, &d), 0);
	assert_int_equal(ops->mkdir(d, "x"), -WASI_EROFS);
	ops->close(d);

	assert_int_equal(ops->mkdir(m.root, "x"), -WASI_EROFS);
	assert_int_equal(ops->rmdir(m.root, "d"), -WASI_EROFS);
	assert_int_equal(ops->unlink(m.root, "f"), -WASI_EROFS);
	assert_int_equal(ops->unlink(m.root, "lf"), -WASI_EROFS);
	assert_int_equal(ops->rename(m.root, "f", m.root, "g"), -WASI_EROFS);
	assert_int_equal(ops->link(m.root, "f", false, m.root, "g"), -WASI_EROFS);
	assert_int_equal(ops->link(m.root, "f", true, m.root, "g"), -WASI_EROFS);
	assert_int_equal(ops->symlink("f", m.root, "g"), -WASI_EROFS);
	assert_int_equal(ops->path_set_times(m.root, "f", true, 0, 0, WASI_FSTFLAGS_MTIM_NOW),
			 -WASI_EROFS);
	assert_int_equal(ops->path_set_times(m.root, "lf", false, 0, 0, WASI_FSTFLAGS_MTIM_NOW),
			 -WASI_EROFS);

	assert_true(host_exists(BOX "/f") && host_exists(BOX "/d") && host_exists(BOX "/lf"));
	assert_false(host_exists(BOX "/g") || host_exists(BOX "/x") || host_exists(BOX "/new"));
	assert_box_file(&m, "f", "data");
	assert_outside_untouched();
	unmount(&m);
}

/*
 * A host process swapping a folder of the box with links out of it (to "/", and to "..",
 * where the secret is) while the cVM works through that folder: whichever the kernel sees,
 * nothing outside is ever read, changed or created.
 */
static atomic_bool swapping;

/* Swaps until told to stop, counting the swaps in *arg (left 0 if one failed). */
static void *swap_loop(void *arg)
{
	static const char *const links[] = { BOX "/lroot", BOX "/lroot", BOX "/lup", BOX "/lup" };
	unsigned long *swaps = arg;
	size_t i;

	while (atomic_load(&swapping)) {
		for (i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
			if (renameat2(AT_FDCWD, BOX "/sub", AT_FDCWD, links[i], RENAME_EXCHANGE)) {
				*swaps = 0;
				return NULL;
			}
		}
		*swaps += i;
	}
	return NULL;
}

/* An open that must not reach the secret: fails, or finds only the box's own file. */
static void assert_not_secret(struct mounted *m, const char *path, unsigned long *inside,
			      unsigned long *refused)
{
	struct vfs_node *n;
	char buf[32];
	int r = open_how(m, path, 0, true, true, false, &n);

	if (r == 0) {
		assert_int_equal(get_at(m, n, buf, sizeof(buf) - 1, 0), 6);
		assert_string_equal(buf, "inside");
		m->fs->ops->close(n);
		++*inside;
	} else if (r == -WASI_ENOTCAPABLE) {
		++*refused;
	} else if (r != -WASI_ENOENT && r != -WASI_EAGAIN) {
		fail_msg("open %s: %d", path, r);
	}
}

static void test_swap_race(void **state)
{
	const char *via_root = "sub" SECRET; /* SECRET is absolute: "sub/.../secret" */
	struct mounted m;
	struct vfs_node *n;
	struct vfs_stat st;
	struct stat secret;
	unsigned long swaps = 0, inside = 0, refused = 0;
	pthread_t swapper;
	int i, r;

	(void)state;
	mount_fresh(&m, false);
	assert_int_equal(stat(SECRET, &secret), 0);
	assert_int_equal(mkdir(BOX "/sub", 0755), 0);
	host_put(BOX "/sub/file", "inside");
	host_put(BOX "/sub/secret", "inside");
	assert_int_equal(symlink("/", BOX "/lroot"), 0);
	assert_int_equal(symlink("..", BOX "/lup"), 0);

	atomic_store(&swapping, true);
	assert_int_equal(pthread_create(&swapper, NULL, swap_loop, &swaps), 0);
	for (i = 0; i < 5000; i++) {
		assert_not_secret(&m, "sub/file", &inside, &refused);
		assert_not_secret(&m, "sub/secret", &inside, &refused);
		assert_not_secret(&m, "sub/../sub/secret", &inside, &refused);
		assert_not_secret(&m, via_root, &inside, &refused);
		r = m.fs->ops->path_stat(m.root, "sub/secret", true, &st);
		assert_true(r != 0 || st.ino != secret.st_ino);
		r = m.fs->ops->path_stat(m.root, via_root, false, &st);
		assert_true(r != 0 || st.ino != secret.st_ino);
		/* Where sub is the folder these land inside it; anywhere else they must fail. */
		if (open_how(&m, "sub/x", WASI_OFLAGS_CREAT, true, false, true, &n) == 0)
			m.fs->ops->close(n);
		m.fs->ops->mkdir(m.root, "sub/y");
		m.fs->ops->unlink(m.root, "sub/secret");
		m.fs->ops->link(m.root, "sub/secret", true, m.root, "stolen");
		m.fs->ops->unlink(m.root, "stolen");
		m.fs->ops->path_set_times(m.root, "sub/secret", true, 0, 0, WASI_FSTFLAGS_MTIM);
		/* Put back through the box: a write that escaped would land on the secret. */
		if (open_how(&m, "sub/secret", WASI_OFLAGS_CREAT | WASI_OFLAGS_TRUNC, true, false,
			     true, &n) == 0) {
			uint64_t off = 0;

			assert_int_equal(put_at(&m, n, "inside", &off, false), 6);
			m.fs->ops->close(n);
		}
	}
	atomic_store(&swapping, false);
	assert_int_equal(pthread_join(swapper, NULL), 0);
	print_message("      %lu swaps; %lu opens inside, %lu refused\n", swaps, inside, refused);
	assert_true(swaps > 0 && inside > 0 && refused > 0);
	assert_outside_untouched();
	unmount(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mount_errors),
		cmocka_unit_test(test_mount_needs_openat2),
		cmocka_unit_test(test_open_read_write),
		cmocka_unit_test(test_open_symlinks),
		cmocka_unit_test(test_fifo_refused),
		cmocka_unit_test(test_mkdir_unlink_rmdir),
		cmocka_unit_test(test_stat),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_host_fd_flags),
		cmocka_unit_test(test_rename),
		cmocka_unit_test(test_link_symlink_readlink),
		cmocka_unit_test(test_sizes_times_sync),
		cmocka_unit_test(test_readdir),
		cmocka_unit_test(test_readonly),
		cmocka_unit_test(test_swap_race),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	remove_tree(TOP);
	return failed;
}
