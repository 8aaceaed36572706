/* Unit tests of the ext4 disk-image file system (fs_ext2.c) on images mke2fs makes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "posix/vfs.h"
#include "posix/wasi_defs.h"

#define MKE2FS "/usr/sbin/mke2fs -q -F"
#define E2FSCK "/usr/sbin/e2fsck"
#define DEBUGFS "/usr/sbin/debugfs"

static const struct vfs_open RD = {0, 0, true, true, false};
static const struct vfs_open RW = {0, 0, true, true, true};
static const struct vfs_open CREATE = {WASI_OFLAGS_CREAT, 0, true, true, true};
static const struct vfs_open DIR_ONLY = {WASI_OFLAGS_DIRECTORY, 0, true, true, false};

/* A mounted image: the file system and its root. */
struct mnt {
	char path[512];
	struct vfs *fs;
	struct vfs_node *root;
	const struct vfs_ops *ops;
};

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs a shell command: its exit status. */
static int run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void image_path(struct mnt *m, const char *name)
{
	snprintf(m->path, sizeof(m->path), "%s/fs_ext2-%s.img", TEST_BUILD_DIR, name);
}

/* Makes image name: mke2fs with extra options (a type, -d FOLDER), 16 MiB. */
static void image_make(struct mnt *m, const char *name, const char *options)
{
	image_path(m, name);
	assert_int_equal(run("rm -f %s && " MKE2FS " %s %s 16M >/dev/null", m->path, options,
			     m->path),
			 0);
}

/* e2fsck -fn passes on the image; its report is printed when it does not. */
static void fsck_clean(const struct mnt *m)
{
	int st = run(E2FSCK " -fn %s >%s.fsck 2>&1", m->path, m->path);

	if (st != 0)
		run("cat %s.fsck", m->path);
	assert_int_equal(st, 0);
}

static void mount_as(struct mnt *m, bool readonly)
{
	char err[256] = "";

	m->fs = vfs_ext2_mount(m->path, readonly, &m->root, err, sizeof(err));
	if (!m->fs)
		print_message("mount %s: %s\n", m->path, err);
	assert_non_null(m->fs);
	assert_non_null(m->root);
	assert_true(m->root->is_dir);
	m->ops = m->fs->ops;
}

static void unmount(struct mnt *m)
{
	m->ops->close(m->root);
	m->ops->unmount(m->fs);
	m->fs = NULL;
}

/* Unmounts, checks the image, and mounts it again. */
static void remount(struct mnt *m)
{
	unmount(m);
	fsck_clean(m);
	mount_as(m, false);
}

static struct vfs_node *open_ok(struct mnt *m, const char *path, const struct vfs_open *how)
{
	struct vfs_node *n = NULL;

	assert_int_equal(m->ops->open(m->root, path, how, &n), 0);
	assert_non_null(n);
	return n;
}

static int open_err(struct mnt *m, const char *path, const struct vfs_open *how)
{
	struct vfs_node *n = NULL;
	int r = m->ops->open(m->root, path, how, &n);

	if (r == 0)
		m->ops->close(n);
	return r;
}

static int64_t write_at(struct vfs_node *n, const void *data, size_t len, uint64_t off)
{
	struct iovec iov = {(void *)data, len};

	return n->fs->ops->write(n, &iov, 1, &off, false);
}

static int64_t read_at(struct vfs_node *n, void *data, size_t len, uint64_t off)
{
	struct iovec iov = {data, len};

	return n->fs->ops->read(n, &iov, 1, &off);
}

/* Creates (or truncates) path holding text. */
static void put(struct mnt *m, const char *path, const char *text)
{
	struct vfs_open how = {WASI_OFLAGS_CREAT | WASI_OFLAGS_TRUNC, 0, true, true, true};
	struct vfs_node *n = open_ok(m, path, &how);

	assert_int_equal(write_at(n, text, strlen(text), 0), (int64_t)strlen(text));
	m->ops->close(n);
}

/* path holds exactly text. */
static void expect(struct mnt *m, const char *path, const char *text)
{
	struct vfs_node *n = open_ok(m, path, &RD);
	char buf[4096];
	int64_t got = read_at(n, buf, sizeof(buf), 0);

	assert_int_equal(got, (int64_t)strlen(text));
	assert_memory_equal(buf, text, strlen(text));
	m->ops->close(n);
}

static struct vfs_stat stat_of(struct mnt *m, const char *path, bool follow)
{
	struct vfs_stat st;

	memset(&st, 0, sizeof(st));
	assert_int_equal(m->ops->path_stat(m->root, path, follow, &st), 0);
	return st;
}

/* ---- mounting ---- */

static void mount_refusals(void **state)
{
	struct vfs_node *root = NULL;
	struct mnt m, other;
	char err[256];

	(void)state;
	image_path(&m, "absent");
	run("rm -f %s", m.path);
	assert_null(vfs_ext2_mount(m.path, false, &root, err, sizeof(err)));
	assert_non_null(strstr(err, "No such file"));

	image_path(&m, "zeros");
	assert_int_equal(run("head -c 1048576 /dev/zero >%s", m.path), 0);
	assert_null(vfs_ext2_mount(m.path, false, &root, err, sizeof(err)));
	assert_non_null(strstr(err, "Bad magic number"));

	image_make(&m, "errors", "-t ext4");
	assert_int_equal(run(DEBUGFS " -w -R 'ssv state 3' %s >/dev/null 2>&1", m.path), 0);
	assert_null(vfs_ext2_mount(m.path, false, &root, err, sizeof(err)));
	assert_non_null(strstr(err, "errors"));
	assert_null(vfs_ext2_mount(m.path, true, &root, err, sizeof(err)));

	image_make(&m, "unknown", "-t ext4");
	assert_int_equal(run(DEBUGFS " -w -R 'feature FEATURE_I31' %s >/dev/null 2>&1", m.path),
			 0);
	assert_null(vfs_ext2_mount(m.path, false, &root, err, sizeof(err)));
	assert_non_null(strstr(err, "unsupported feature"));

	image_make(&m, "recover", "-t ext4");
	assert_int_equal(
		run(DEBUGFS " -w -R 'feature needs_recovery' %s >/dev/null 2>&1", m.path), 0);
	assert_null(vfs_ext2_mount(m.path, false, &root, err, sizeof(err)));
	assert_non_null(strstr(err, "journal"));

	image_make(&m, "inline", "-t ext4 -O inline_data");
	assert_null(vfs_ext2_mount(m.path, false, &root, err, sizeof(err)));
	assert_non_null(strstr(err, "inline_data"));

	/* A live mount holds the image against a second one, read-write or not. */
	image_make(&m, "locked", "-t ext4");
	mount_as(&m, false);
	other = m;
	assert_null(vfs_ext2_mount(m.path, false, &root, err, sizeof(err)));
	assert_non_null(strstr(err, "image in use"));
	assert_null(vfs_ext2_mount(m.path, true, &root, err, sizeof(err)));
	assert_non_null(strstr(err, "image in use"));
	/* ...also from another process. */
	assert_int_not_equal(run("flock -n %s true", m.path), 0);
	unmount(&m);
	assert_int_equal(run("flock -n %s true", m.path), 0);
	fsck_clean(&m);

	/* Read-only mounts share. */
	mount_as(&m, true);
	mount_as(&other, true);
	unmount(&other);
	assert_null(vfs_ext2_mount(m.path, false, &root, err, sizeof(err)));
	unmount(&m);
	fsck_clean(&m);
}

/* While mounted the image is marked not clean; unmounting marks it clean again. */
static void mount_marks_state(void **state)
{
	struct mnt m;

	(void)state;
	image_make(&m, "state", "-t ext4");
	mount_as(&m, false);
	assert_int_equal(run(DEBUGFS " -R 'stats' %s 2>/dev/null | grep -q 'state: *not clean'",
			     m.path),
			 0);
	unmount(&m);
	assert_int_equal(run(DEBUGFS " -R 'stats' %s 2>/dev/null | grep -q 'state: *clean'",
			     m.path),
			 0);
	fsck_clean(&m);
}

/* ---- files ---- */

static void create_write_read(void **state)
{
	struct vfs_node *n, *again;
	struct vfs_stat st, st2;
	char buf[64];
	uint64_t off;
	struct iovec iov[3] = {{"hello", 5}, {", ", 2}, {"world", 5}};
	struct mnt m;

	(void)state;
	image_make(&m, "files", "-t ext4");
	mount_as(&m, false);
	n = open_ok(&m, "greeting", &CREATE);
	off = 0;
	assert_int_equal(m.ops->write(n, iov, 3, &off, false), 12);
	assert_int_equal(off, 12);
	assert_int_equal(m.ops->stat(n, &st), 0);
	assert_int_equal(st.filetype, WASI_FILETYPE_REGULAR_FILE);
	assert_int_equal(st.size, 12);
	assert_int_equal(st.nlink, 1);
	assert_true(st.mtim > 0 && st.mtim == st.ctim);

	/* A second node on the same inode sees the data and the size at once. */
	again = open_ok(&m, "greeting", &RW);
	assert_int_equal(read_at(again, buf, sizeof(buf), 0), 12);
	assert_memory_equal(buf, "hello, world", 12);
	assert_int_equal(m.ops->stat(again, &st2), 0);
	assert_int_equal(st2.ino, st.ino);
	assert_int_equal(st2.dev, st.dev);
	/* Writes through it land in the shared file: overwrite in the middle, extend. */
	assert_int_equal(write_at(again, "W", 1, 7), 1);
	assert_int_equal(write_at(n, "!!", 2, 12), 2);
	assert_int_equal(read_at(again, buf, sizeof(buf), 0), 14);
	assert_memory_equal(buf, "hello, World!!", 14);
	m.ops->close(again);

	/* Append writes at the end, whatever the offset, and leaves it there. */
	off = 3;
	iov[0].iov_base = "?";
	iov[0].iov_len = 1;
	assert_int_equal(m.ops->write(n, iov, 1, &off, true), 1);
	assert_int_equal(off, 15);
	/* Reads past the end return nothing. */
	assert_int_equal(read_at(n, buf, sizeof(buf), 100), 0);
	m.ops->close(n);

	/* A write far past the end leaves a hole of zeros. */
	n = open_ok(&m, "sparse", &CREATE);
	assert_int_equal(write_at(n, "end", 3, 1 << 20), 3);
	assert_int_equal(read_at(n, buf, 16, 4096), 16);
	assert_memory_equal(buf, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	assert_int_equal(m.ops->stat(n, &st), 0);
	assert_int_equal(st.size, (1 << 20) + 3);
	m.ops->close(n);

	/* The root and "." are the same directory. */
	st = stat_of(&m, ".", false);
	assert_int_equal(st.filetype, WASI_FILETYPE_DIRECTORY);
	assert_int_equal(st.ino, 2);
	assert_int_equal(m.ops->stat(m.root, &st2), 0);
	assert_int_equal(st2.ino, 2);

	remount(&m);
	expect(&m, "greeting", "hello, World!!?");
	st = stat_of(&m, "sparse", false);
	assert_int_equal(st.size, (1 << 20) + 3);
	unmount(&m);
	fsck_clean(&m);
}

static void open_flags(void **state)
{
	struct vfs_open how;
	struct vfs_node *n;
	struct vfs_stat st;
	struct mnt m;

	(void)state;
	image_make(&m, "oflags", "-t ext4");
	mount_as(&m, false);
	put(&m, "file", "some text");
	assert_int_equal(m.ops->mkdir(m.root, "dir"), 0);

	assert_int_equal(open_err(&m, "missing", &RD), -WASI_ENOENT);
	assert_int_equal(open_err(&m, "", &RD), -WASI_ENOENT);
	assert_int_equal(open_err(&m, "missing/file", &CREATE), -WASI_ENOENT);
	assert_int_equal(open_err(&m, "file/x", &RD), -WASI_ENOTDIR);
	assert_int_equal(open_err(&m, "file/", &RD), -WASI_ENOTDIR);
	assert_int_equal(open_err(&m, "new/", &CREATE), -WASI_EISDIR);

	how = CREATE;
	how.oflags |= WASI_OFLAGS_EXCL;
	assert_int_equal(open_err(&m, "file", &how), -WASI_EEXIST);
	assert_int_equal(open_err(&m, "dir", &how), -WASI_EEXIST);
	assert_int_equal(open_err(&m, "fresh", &how), 0);
	st = stat_of(&m, "fresh", false);
	assert_int_equal(st.size, 0);

	/* CREAT on an existing file opens it as it is. */
	n = open_ok(&m, "file", &CREATE);
	assert_int_equal(m.ops->stat(n, &st), 0);
	assert_int_equal(st.size, 9);
	m.ops->close(n);

	how = RW;
	how.oflags = WASI_OFLAGS_TRUNC;
	n = open_ok(&m, "file", &how);
	assert_int_equal(m.ops->stat(n, &st), 0);
	assert_int_equal(st.size, 0);
	m.ops->close(n);

	assert_int_equal(open_err(&m, "file", &DIR_ONLY), -WASI_ENOTDIR);
	n = open_ok(&m, "dir", &DIR_ONLY);
	assert_true(n->is_dir);
	m.ops->close(n);
	n = open_ok(&m, "dir/", &RD);
	assert_true(n->is_dir);
	m.ops->close(n);
	assert_int_equal(open_err(&m, "dir", &RW), -WASI_EISDIR);
	how = RD;
	how.oflags = WASI_OFLAGS_CREAT | WASI_OFLAGS_DIRECTORY;
	assert_int_equal(open_err(&m, "dir2", &how), -WASI_EINVAL);

	/* A symbolic link as last component: followed only when asked. */
	assert_int_equal(m.ops->symlink("file", m.root, "link"), 0);
	how = RD;
	how.follow = false;
	assert_int_equal(open_err(&m, "link", &how), -WASI_ELOOP);
	assert_int_equal(open_err(&m, "link", &RD), 0);
	/* O_CREAT through a dangling link creates its target. */
	assert_int_equal(m.ops->symlink("target", m.root, "dangling"), 0);
	assert_int_equal(open_err(&m, "dangling", &CREATE), 0);
	st = stat_of(&m, "target", false);
	assert_int_equal(st.filetype, WASI_FILETYPE_REGULAR_FILE);
	/* ...but O_EXCL never follows. */
	how = CREATE;
	how.oflags |= WASI_OFLAGS_EXCL;
	assert_int_equal(open_err(&m, "dangling", &how), -WASI_EEXIST);

	/* Nodes of directories read nothing, write nothing. */
	n = open_ok(&m, "dir", &RD);
	assert_int_equal(read_at(n, &st, 1, 0), -WASI_EISDIR);
	m.ops->close(n);
	/* A node opened without write refuses writes. */
	n = open_ok(&m, "file", &RD);
	assert_int_equal(write_at(n, "x", 1, 0), -WASI_EBADF);
	m.ops->close(n);
	unmount(&m);
	fsck_clean(&m);
}

/* Multi-megabyte data written in odd-sized pieces reads back exactly, also after a remount. */
static void large_file(void **state)
{
	size_t size = 5 * 1024 * 1024 + 12345, off, piece;
	unsigned char *data = malloc(size), *back = malloc(size);
	struct vfs_node *n;
	struct vfs_stat st;
	struct mnt m;
	size_t i;

	(void)state;
	assert_non_null(data);
	assert_non_null(back);
	for (i = 0; i < size; i++)
		data[i] = (unsigned char)(i * 2654435761u >> 13);
	image_make(&m, "large", "-t ext4");
	mount_as(&m, false);
	n = open_ok(&m, "big", &CREATE);
	for (off = 0, piece = 1; off < size; off += piece, piece = piece * 7 % 65521 + 1) {
		struct iovec iov[2];
		uint64_t pos = off;
		size_t len = piece < size - off ? piece : size - off;

		iov[0].iov_base = data + off;
		iov[0].iov_len = len / 3;
		iov[1].iov_base = data + off + len / 3;
		iov[1].iov_len = len - len / 3;
		assert_int_equal(m.ops->write(n, iov, 2, &pos, false), (int64_t)len);
		assert_int_equal(pos, off + len);
	}
	m.ops->close(n);
	remount(&m);
	n = open_ok(&m, "big", &RD);
	assert_int_equal(m.ops->stat(n, &st), 0);
	assert_int_equal(st.size, size);
	memset(back, 0, size);
	for (off = 0, piece = 4093; off < size; off += piece) {
		size_t len = piece < size - off ? piece : size - off;

		assert_int_equal(read_at(n, back + off, len, off), (int64_t)len);
	}
	assert_memory_equal(back, data, size);
	/* One large read too. */
	memset(back, 0, size);
	assert_int_equal(read_at(n, back, size + 100, 0), (int64_t)size);
	assert_memory_equal(back, data, size);
	m.ops->close(n);
	unmount(&m);
	fsck_clean(&m);
	free(data);
	free(back);
}

/* A deterministic pseudo-random sequence (xorshift64). */
static uint64_t next_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* The whole file equals the model. */
static void check_model(struct mnt *m, struct vfs_node *n, const unsigned char *model,
			size_t size, unsigned char *back)
{
	struct vfs_stat st;

	assert_int_equal(m->ops->stat(n, &st), 0);
	assert_int_equal(st.size, size);
	memset(back, 0x5a, size + 1);
	assert_int_equal(read_at(n, back, size + 1, 0), (int64_t)size);
	assert_memory_equal(back, model, size);
}

/*
 * Random writes (small and large, aligned and not, into holes, over data, over allocated
 * space), truncations and allocations, against a model in memory. Images of 1 KiB and 4 KiB
 * blocks, and one of block maps (ext3: indirect and doubly indirect blocks).
 */
static void random_io(void **state)
{
	static const char *const kinds[] = {"-t ext4", "-t ext4 -b 4096", "-t ext3 -b 4096"};
	static const char *const names[] = {"random1k", "random4k", "random-ext3"};
	const size_t max = 6 << 20;
	unsigned char *model = calloc(1, max + 1), *buf = malloc(max + 1);
	uint64_t seed = 15;
	struct vfs_node *n, *other;
	size_t size, k, i;
	struct mnt m;
	int step;

	(void)state;
	assert_non_null(model);
	assert_non_null(buf);
	for (k = 0; k < 3; k++) {
		image_make(&m, names[k], kinds[k]);
		mount_as(&m, false);
		n = open_ok(&m, "f", &CREATE);
		other = open_ok(&m, "f", &RW);
		memset(model, 0, max);
		size = 0;
		for (step = 0; step < 800; step++) {
			uint64_t r = next_random(&seed), pos, len;
			struct vfs_node *via = r & 1 ? n : other;

			switch (r >> 1 & 7) {
			case 0: /* shrink or grow */
				len = next_random(&seed) % max;
				assert_int_equal(m.ops->set_size(via, len), 0);
				if (len > size)
					memset(model + size, 0, len - size);
				size = len;
				break;
			case 1: /* allocate */
				pos = next_random(&seed) % (max / 2);
				len = next_random(&seed) % (max / 2) + 1;
				assert_int_equal(m.ops->allocate(via, pos, len), 0);
				if (pos + len > size) {
					memset(model + size, 0, pos + len - size);
					size = pos + len;
				}
				break;
			case 2: /* a read somewhere */
				pos = next_random(&seed) % max;
				len = next_random(&seed) % (max - pos);
				memset(buf, 0x5a, len);
				assert_int_equal(read_at(via, buf, len, pos),
						 (int64_t)(pos >= size ? 0
							   : pos + len > size ? size - pos : len));
				if (pos < size)
					assert_memory_equal(buf, model + pos,
							    pos + len > size ? size - pos : len);
				break;
			default: /* a write: large ones most often, some small ones */
				pos = next_random(&seed) % max;
				if (r >> 4 & 1)
					pos &= ~(uint64_t)4095;
				len = max - pos;
				if (!(r >> 5 & 1) && len > 8192)
					len = 8192;
				len = next_random(&seed) % len + 1;
				if (pos > size)
					memset(model + size, 0, pos - size);
				for (i = 0; i < len; i++)
					model[pos + i] = (unsigned char)(step * 31 + i * 7 + 1);
				assert_int_equal(write_at(via, model + pos, len, pos), (int64_t)len);
				if (pos + len > size)
					size = pos + len;
				break;
			}
			if (step % 50 == 49)
				check_model(&m, n, model, size, buf);
		}
		m.ops->close(other);
		m.ops->close(n);
		remount(&m);
		n = open_ok(&m, "f", &RD);
		check_model(&m, n, model, size, buf);
		m.ops->close(n);
		unmount(&m);
		fsck_clean(&m);
	}
	free(model);
	free(buf);
}

/* A block read, overwritten by a large write, then partly written again: the rest of it keeps
 * the large write's data (libext2fs 1.47.0, with its block cache on, kept a stale copy). */
static void buffered_after_direct(void **state)
{
	const size_t size = 5 << 20;
	unsigned char *data = malloc(size), *back = malloc(size);
	struct vfs_node *n;
	struct mnt m;
	size_t i;

	(void)state;
	assert_non_null(data);
	assert_non_null(back);
	image_make(&m, "buffered", "-t ext4 -b 4096");
	mount_as(&m, false);
	n = open_ok(&m, "f", &CREATE);
	for (i = 0; i < size; i++)
		data[i] = (unsigned char)(i * 7 + 1);
	assert_int_equal(write_at(n, data + 661313, 2569102, 661313), 2569102);
	assert_int_equal(read_at(n, back, 814257, 1026208), 814257);
	for (i = 0; i < size; i++)
		data[i] = (unsigned char)(i * 13 + 5);
	assert_int_equal(write_at(n, data + 1257472, 3459151, 1257472), 3459151);
	assert_int_equal(write_at(n, data + 1834106, 5379, 1834106), 5379);
	assert_int_equal(read_at(n, back, 3459151, 1257472), 3459151);
	assert_memory_equal(back, data + 1257472, 3459151);
	m.ops->close(n);
	unmount(&m);
	fsck_clean(&m);
	free(data);
	free(back);
}

/* Writes len bytes of a pattern (seeded by tag) at pos, to the file and to its model. */
static void model_write(struct vfs_node *n, unsigned char *model, size_t *size, size_t pos,
			size_t len, int tag)
{
	size_t i;

	if (pos > *size)
		memset(model + *size, 0, pos - *size);
	for (i = 0; i < len; i++)
		model[pos + i] = (unsigned char)(tag * 37 + i * 11 + 1);
	assert_int_equal(write_at(n, model + pos, len, pos), (int64_t)len);
	if (pos + len > *size)
		*size = pos + len;
}

/* Reads of len bytes at pos agree with the model (and stop at its end). */
static void model_read(struct vfs_node *n, const unsigned char *model, size_t size, size_t pos,
		       size_t len, unsigned char *back)
{
	size_t want = pos >= size ? 0 : pos + len > size ? size - pos : len;

	memset(back, 0x5a, len);
	assert_int_equal(read_at(n, back, len, pos), (int64_t)want);
	assert_memory_equal(back, model + pos, want);
}

/*
 * Writes and reads that begin or end inside a block, at the edges of holes, data and
 * unwritten blocks, against a model: 1 KiB and 4 KiB blocks, extents and block maps (ext2).
 */
static void block_edges(void **state)
{
	static const char *const kinds[] = {"-t ext4", "-t ext4 -b 4096", "-t ext2 -b 4096"};
	static const size_t bsizes[] = {1024, 4096, 4096};
	const size_t max = 32 * 4096;
	unsigned char *model = calloc(1, max), *back = malloc(max + 1);
	size_t k, size, bs, i, j;
	struct vfs_node *n;
	struct mnt m;

	(void)state;
	assert_non_null(model);
	assert_non_null(back);
	for (k = 0; k < 3; k++) {
		const size_t at[] = {0, 1, bsizes[k] - 1, bsizes[k], 3 * bsizes[k] + 4,
				     6 * bsizes[k] - 8, 10 * bsizes[k] + 99, 21 * bsizes[k] + 2};
		const size_t lens[] = {1, 7, bsizes[k], 2 * bsizes[k] + 3};

		bs = bsizes[k];
		image_make(&m, k == 0 ? "edges1k" : k == 1 ? "edges4k" : "edges-ext2", kinds[k]);
		mount_as(&m, false);
		n = open_ok(&m, "f", &CREATE);
		size = 0;
		/* Inside one new block, past the end: the blocks before it are a hole. */
		model_write(n, model, &size, 3 * bs + 5, 10, 1);
		model_write(n, model, &size, 0, 1, 2);
		/* Across a block edge, both blocks new; then part, whole blocks, part. */
		model_write(n, model, &size, 6 * bs - 7, 14, 3);
		model_write(n, model, &size, 10 * bs + 1, 3 * bs - 2, 4);
		/* Holes and data in turn, in one write. */
		model_write(n, model, &size, 2 * bs - 3, 4 * bs + 6, 5);
		check_model(&m, n, model, size, back);
		/* Cut inside a block, grown again: the rest of that block reads as zeros, and so
		 * does what a write past the end skips. */
		assert_int_equal(m.ops->set_size(n, 10 * bs + 100), 0);
		size = 10 * bs + 100;
		assert_int_equal(m.ops->set_size(n, 12 * bs), 0);
		memset(model + size, 0, 12 * bs - size);
		size = 12 * bs;
		model_write(n, model, &size, 12 * bs + 50, 10, 6);
		check_model(&m, n, model, size, back);
		/* Allocated blocks (unwritten on extents): written in part, whole, and across. */
		assert_int_equal(m.ops->allocate(n, 20 * bs, 4 * bs), 0);
		memset(model + size, 0, 24 * bs - size);
		size = 24 * bs;
		model_write(n, model, &size, 21 * bs + 3, 5, 7);
		model_write(n, model, &size, 22 * bs, bs, 8);
		model_write(n, model, &size, 23 * bs - 1, 2, 9);
		model_write(n, model, &size, 24 * bs - 2, 2 * bs, 10);
		for (i = 0; i < sizeof(at) / sizeof(at[0]); i++)
			for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++)
				model_read(n, model, size, at[i], lens[j], back);
		check_model(&m, n, model, size, back);
		m.ops->close(n);
		remount(&m);
		n = open_ok(&m, "f", &RD);
		check_model(&m, n, model, size, back);
		m.ops->close(n);
		unmount(&m);
		fsck_clean(&m);
	}
	free(model);
	free(back);
}

/*
 * Writes into allocated (unwritten) blocks: at their start and on from there (joining the
 * written extent before: one extent results), inside them (split in three), at their end,
 * and scattered until the extent tree's nodes fill and split; data and the zeros around it
 * agree with a model. 1 KiB and 4 KiB blocks.
 */
static void unwritten_writes(void **state)
{
	static const size_t bsizes[] = {1024, 4096};
	const size_t max = 300 * 4096;
	unsigned char *model = calloc(1, max), *back = malloc(max + 1);
	size_t k, bs, size, i;
	struct vfs_node *n;
	struct mnt m;

	(void)state;
	assert_non_null(model);
	assert_non_null(back);
	for (k = 0; k < 2; k++) {
		bs = bsizes[k];
		image_make(&m, k ? "unwritten4k" : "unwritten1k",
			   k ? "-t ext4 -b 4096" : "-t ext4");
		mount_as(&m, false);
		n = open_ok(&m, "f", &CREATE);
		assert_int_equal(m.ops->allocate(n, 0, 64 * bs), 0);
		size = 64 * bs;
		memset(model, 0, size);
		model_write(n, model, &size, 0, 2 * bs, 1);
		model_write(n, model, &size, 2 * bs, 3 * bs, 2);
		model_write(n, model, &size, 5 * bs, bs, 3);
		m.ops->close(n);
		remount(&m);
		/* Blocks 0-5 written, 6-63 unwritten: two extents. */
		assert_int_equal(run(DEBUGFS " -R 'ex f' %s 2>/dev/null | grep -c '^ 0/ 0' | "
				     "grep -qx 2",
				     m.path),
				 0);
		n = open_ok(&m, "f", &RW);
		model_write(n, model, &size, 20 * bs + 10, 5 * bs, 4);
		model_write(n, model, &size, 63 * bs, bs, 5);
		model_write(n, model, &size, 40 * bs, 23 * bs, 6);
		assert_int_equal(m.ops->allocate(n, 100 * bs, 150 * bs), 0);
		memset(model + size, 0, 250 * bs - size);
		size = 250 * bs;
		for (i = 0; i < 70; i++)
			model_write(n, model, &size, (100 + 2 * i + 1) * bs + 7, 100, 10 + (int)i);
		check_model(&m, n, model, size, back);
		m.ops->close(n);
		remount(&m);
		n = open_ok(&m, "f", &RD);
		check_model(&m, n, model, size, back);
		m.ops->close(n);
		unmount(&m);
		fsck_clean(&m);
	}
	free(model);
	free(back);
}

/*
 * Two files written a block at a time in turn get a block each time after the other's, so
 * each lies in many extents (more than the inode holds: a tree with a leaf block). Single
 * writes and reads across their edges, and on past the end, agree with a model.
 */
static void fragmented_extents(void **state)
{
	const size_t bs = 1024, blocks = 60, max = 80 * 1024;
	unsigned char *model = calloc(1, max), *back = malloc(max + 1), other[1024];
	struct vfs_node *n, *o;
	size_t size = 0, i;
	struct mnt m;

	(void)state;
	assert_non_null(model);
	assert_non_null(back);
	memset(other, 'o', sizeof(other));
	image_make(&m, "fragmented", "-t ext4");
	mount_as(&m, false);
	n = open_ok(&m, "f", &CREATE);
	o = open_ok(&m, "g", &CREATE);
	for (i = 0; i < blocks; i++) {
		model_write(n, model, &size, i * bs, bs, (int)i);
		assert_int_equal(write_at(o, other, bs, i * bs), (int64_t)bs);
	}
	m.ops->close(o);
	m.ops->close(n);
	remount(&m);
	/* f's extents: in a leaf block below the inode's root. */
	assert_int_equal(run(DEBUGFS " -R 'ex f' %s 2>/dev/null | grep -q '^ 1/ 1 '", m.path), 0);
	n = open_ok(&m, "f", &RW);
	check_model(&m, n, model, size, back);
	/* Across many extents, inside blocks at both ends; then over the end into new blocks. */
	model_write(n, model, &size, bs / 2 + 3, 17 * bs + 100, 100);
	model_write(n, model, &size, (blocks - 3) * bs + 7, 9 * bs, 101);
	for (i = 0; i + 3000 < size; i += 2999)
		model_read(n, model, size, i, 3000, back);
	check_model(&m, n, model, size, back);
	m.ops->close(n);
	remount(&m);
	n = open_ok(&m, "f", &RD);
	check_model(&m, n, model, size, back);
	m.ops->close(n);
	n = open_ok(&m, "g", &RD);
	assert_int_equal(read_at(n, back, max, 0), (int64_t)(blocks * bs));
	for (i = 0; i < blocks * bs; i++)
		assert_int_equal(back[i], 'o');
	m.ops->close(n);
	unmount(&m);
	fsck_clean(&m);
	free(model);
	free(back);
}

/* An extent that points past the image's end (a damaged image) gives EIO, for reads and
 * writes alike, and the image file does not grow. */
static void damaged_map(void **state)
{
	struct vfs_node *n;
	struct stat before, after;
	char buf[100];
	struct mnt m;

	(void)state;
	image_make(&m, "damaged", "-t ext4");
	mount_as(&m, false);
	put(&m, "f", "some data in one block");
	unmount(&m);
	/* i_block[5]: the first extent's physical start (low 32 bits); the image has 16384. */
	assert_int_equal(run(DEBUGFS " -w -R 'sif f block[5] 100000' %s >/dev/null 2>&1",
			     m.path),
			 0);
	assert_int_equal(stat(m.path, &before), 0);
	mount_as(&m, false);
	n = open_ok(&m, "f", &RW);
	assert_int_equal(read_at(n, buf, sizeof(buf), 0), -WASI_EIO);
	assert_int_equal(write_at(n, "x", 1, 3), -WASI_EIO);
	assert_int_equal(write_at(n, buf, sizeof(buf), 0), -WASI_EIO);
	m.ops->close(n);
	unmount(&m);
	assert_int_equal(stat(m.path, &after), 0);
	assert_int_equal(after.st_size, before.st_size);
}

/* ---- directories ---- */

/* Every name of directory path by readdir, from cookie on; count of entries. */
static int list_from(struct mnt *m, struct vfs_node *dir, uint64_t cookie, char names[][16],
		     uint64_t *cookies, int max)
{
	struct vfs_dirent e;
	int count = 0, r;

	while ((r = m->ops->readdir(dir, cookie, &e)) == 1) {
		assert_true(count < max);
		assert_true(e.namelen < 16);
		memcpy(names[count], e.name, e.namelen);
		names[count][e.namelen] = '\0';
		cookies[count] = e.next;
		cookie = e.next;
		count++;
	}
	assert_int_equal(r, 0);
	return count;
}

/* Lists dir whole, checks it holds ".", "..", and f0 .. f<n-1> once each, then continues
 * from saved cookies. */
static void check_listing(struct mnt *m, struct vfs_node *dir, int n)
{
	static char names[3000][16], rest[3000][16];
	static uint64_t cookies[3000], rest_cookies[3000];
	static unsigned char seen[3000];
	int count, i, k, again;

	count = list_from(m, dir, 0, names, cookies, 3000);
	assert_int_equal(count, n + 2);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < count; i++) {
		if (!strcmp(names[i], ".") || !strcmp(names[i], "..")) {
			assert_true(i < 2 || n > 0);
			continue;
		}
		assert_int_equal(names[i][0], 'f');
		k = atoi(names[i] + 1);
		assert_true(k >= 0 && k < n);
		assert_int_equal(seen[k], 0);
		seen[k] = 1;
	}
	/* Restarting from any cookie given continues with the very next entry. */
	for (i = 0; i < count; i += count / 7 + 1) {
		again = list_from(m, dir, cookies[i], rest, rest_cookies, 3000);
		assert_int_equal(again, count - i - 1);
		for (k = 0; k < again; k++)
			assert_string_equal(rest[k], names[i + 1 + k]);
	}
}

static void readdir_large(void **state)
{
	struct vfs_node *dir, *n;
	struct vfs_dirent e;
	char name[32];
	struct mnt m;
	uint64_t cookie;
	int i;

	(void)state;
	image_make(&m, "bigdir", "-t ext4");
	mount_as(&m, false);
	assert_int_equal(m.ops->mkdir(m.root, "d"), 0);
	for (i = 0; i < 1200; i++) {
		snprintf(name, sizeof(name), "d/f%d", i);
		n = open_ok(&m, name, &CREATE);
		m.ops->close(n);
	}
	dir = open_ok(&m, "d", &DIR_ONLY);
	check_listing(&m, dir, 1200);

	/* A cookie saved before names are removed still continues correctly: removing the entry
	 * it follows does not bring removed names back or skip others. */
	assert_int_equal(m.ops->readdir(dir, 0, &e), 1);
	for (cookie = 0, i = 0; i < 40; i++) {
		assert_int_equal(m.ops->readdir(dir, cookie, &e), 1);
		cookie = e.next;
	}
	for (i = 0; i < 1200; i += 2) {
		snprintf(name, sizeof(name), "d/f%d", i);
		assert_int_equal(m.ops->unlink(m.root, name), 0);
	}
	while (m.ops->readdir(dir, cookie, &e) == 1) {
		/* The name is not NUL-terminated: an earlier, longer one may follow it. */
		assert_true(e.namelen < sizeof(name));
		memcpy(name, e.name, e.namelen);
		name[e.namelen] = '\0';
		assert_int_equal(atoi(name + 1) % 2, 1);
		cookie = e.next;
	}
	m.ops->close(dir);
	remount(&m);
	dir = open_ok(&m, "d", &DIR_ONLY);
	for (i = 0; i < 1200; i += 2) {
		snprintf(name, sizeof(name), "d/f%d", i);
		put(&m, name, "back");
	}
	check_listing(&m, dir, 1200);
	m.ops->close(dir);
	unmount(&m);
	fsck_clean(&m);
}

/* A hash-indexed directory (mke2fs -d, then e2fsck -D indexes it): listed, searched,
 * changed. */
static void readdir_indexed(void **state)
{
	char folder[600], name[32];
	struct vfs_node *dir;
	struct mnt m;
	int i;

	(void)state;
	snprintf(folder, sizeof(folder), "%s/fs_ext2-indexed.d", TEST_BUILD_DIR);
	assert_int_equal(run("rm -rf %s && mkdir -p %s/d && cd %s/d && "
			     "for i in $(seq 0 1499); do : >f$i; done",
			     folder, folder, folder),
			 0);
	image_path(&m, "indexed");
	assert_int_equal(run("rm -f %s && " MKE2FS " -t ext4 -d %s %s 16M >/dev/null && "
			     E2FSCK " -fyD %s >/dev/null 2>&1; "
			     DEBUGFS " -R 'htree d' %s 2>/dev/null | grep -q 'Root node'",
			     m.path, folder, m.path, m.path, m.path),
			 0);
	mount_as(&m, false);
	dir = open_ok(&m, "d", &DIR_ONLY);
	check_listing(&m, dir, 1500);
	for (i = 0; i < 1500; i += 3) {
		snprintf(name, sizeof(name), "d/f%d", i);
		assert_int_equal(m.ops->unlink(m.root, name), 0);
	}
	for (i = 1500; i < 2500; i++) {
		snprintf(name, sizeof(name), "d/f%d", i);
		put(&m, name, "new");
	}
	for (i = 0; i < 1500; i += 3) {
		snprintf(name, sizeof(name), "d/f%d", i);
		put(&m, name, "again");
	}
	check_listing(&m, dir, 2500);
	expect(&m, "d/f2400", "new");
	expect(&m, "d/f300", "again");
	m.ops->close(dir);
	unmount(&m);
	fsck_clean(&m);
	assert_int_equal(run(DEBUGFS " -R 'htree d' %s 2>/dev/null | grep -q 'Root node'", m.path),
			 0);
}

static void mkdir_rmdir(void **state)
{
	struct vfs_stat st;
	struct vfs_node *n;
	struct vfs_dirent e;
	struct mnt m;

	(void)state;
	image_make(&m, "dirs", "-t ext4");
	mount_as(&m, false);
	st = stat_of(&m, ".", false);
	assert_int_equal(st.nlink, 3); /* ".", its name in itself, lost+found's ".." */
	assert_int_equal(m.ops->mkdir(m.root, "a"), 0);
	assert_int_equal(m.ops->mkdir(m.root, "a/b"), 0);
	assert_int_equal(m.ops->mkdir(m.root, "a/b/c/"), 0);
	st = stat_of(&m, ".", false);
	assert_int_equal(st.nlink, 4);
	st = stat_of(&m, "a", false);
	assert_int_equal(st.filetype, WASI_FILETYPE_DIRECTORY);
	assert_int_equal(st.nlink, 3);
	assert_int_equal(m.ops->mkdir(m.root, "a"), -WASI_EEXIST);
	assert_int_equal(m.ops->mkdir(m.root, "."), -WASI_EEXIST);
	assert_int_equal(m.ops->mkdir(m.root, "a/.."), -WASI_EEXIST);
	assert_int_equal(m.ops->mkdir(m.root, "x/y"), -WASI_ENOENT);
	put(&m, "file", "");
	assert_int_equal(m.ops->mkdir(m.root, "file"), -WASI_EEXIST);
	assert_int_equal(m.ops->mkdir(m.root, "file/y"), -WASI_ENOTDIR);

	assert_int_equal(m.ops->rmdir(m.root, "a"), -WASI_ENOTEMPTY);
	assert_int_equal(m.ops->rmdir(m.root, "file"), -WASI_ENOTDIR);
	assert_int_equal(m.ops->rmdir(m.root, "none"), -WASI_ENOENT);
	assert_int_equal(m.ops->rmdir(m.root, "."), -WASI_EINVAL);
	assert_int_equal(m.ops->rmdir(m.root, "a/b/c/."), -WASI_EINVAL);
	assert_int_equal(m.ops->rmdir(m.root, "a/b/c/.."), -WASI_ENOTEMPTY);
	assert_int_equal(m.ops->unlink(m.root, "a"), -WASI_EISDIR);

	/* A directory removed while open: it lists nothing, nothing is created in it, and it
	 * is freed at its close. */
	n = open_ok(&m, "a/b/c", &DIR_ONLY);
	assert_int_equal(m.ops->rmdir(m.root, "a/b/c/"), 0);
	assert_int_equal(m.ops->readdir(n, 0, &e), 0);
	assert_int_equal(m.ops->mkdir(n, "x"), -WASI_ENOENT);
	assert_int_equal(m.ops->open(n, "x", &CREATE, &(struct vfs_node *){NULL}),
			 -WASI_ENOENT);
	assert_int_equal(m.ops->stat(n, &st), 0);
	assert_int_equal(st.nlink, 0);
	m.ops->close(n);
	assert_int_equal(m.ops->rmdir(m.root, "a/b"), 0);
	st = stat_of(&m, "a", false);
	assert_int_equal(st.nlink, 2);
	assert_int_equal(m.ops->rmdir(m.root, "a"), 0);
	st = stat_of(&m, ".", false);
	assert_int_equal(st.nlink, 3);
	assert_int_equal(m.ops->path_stat(m.root, "a", false, &st), -WASI_ENOENT);
	remount(&m);
	assert_int_equal(m.ops->path_stat(m.root, "a", false, &st), -WASI_ENOENT);
	unmount(&m);
	fsck_clean(&m);
}

static void unlink_files(void **state)
{
	struct vfs_node *n, *again;
	struct vfs_stat st;
	char buf[16];
	struct mnt m;

	(void)state;
	image_make(&m, "unlink", "-t ext4");
	mount_as(&m, false);
	put(&m, "f", "contents");
	assert_int_equal(m.ops->unlink(m.root, "f"), 0);
	assert_int_equal(m.ops->unlink(m.root, "f"), -WASI_ENOENT);
	assert_int_equal(m.ops->unlink(m.root, "."), -WASI_EISDIR);
	assert_int_equal(m.ops->unlink(m.root, "lost+found"), -WASI_EISDIR);
	put(&m, "g", "x");
	assert_int_equal(m.ops->unlink(m.root, "g/"), -WASI_ENOTDIR);

	/* Unlinked while open: still there for the node, freed at its close. */
	n = open_ok(&m, "g", &RW);
	assert_int_equal(m.ops->unlink(m.root, "g"), 0);
	assert_int_equal(m.ops->path_stat(m.root, "g", false, &st), -WASI_ENOENT);
	assert_int_equal(write_at(n, "yz", 2, 1), 2);
	assert_int_equal(read_at(n, buf, sizeof(buf), 0), 3);
	assert_memory_equal(buf, "xyz", 3);
	assert_int_equal(m.ops->stat(n, &st), 0);
	assert_int_equal(st.nlink, 0);
	/* The name is free again meanwhile. */
	put(&m, "g", "new g");
	m.ops->close(n);
	expect(&m, "g", "new g");
	remount(&m);
	/* As after a trap: a file unlinked while open and data just written, the nodes closed
	 * only at teardown, right before the unmount. */
	n = open_ok(&m, "g", &RW);
	assert_int_equal(m.ops->unlink(m.root, "g"), 0);
	again = open_ok(&m, "h", &CREATE);
	assert_int_equal(write_at(again, "last words", 10, 0), 10);
	m.ops->close(n);
	m.ops->close(again);
	unmount(&m);
	fsck_clean(&m);
	mount_as(&m, false);
	expect(&m, "h", "last words");
	assert_int_equal(m.ops->path_stat(m.root, "g", false, &st), -WASI_ENOENT);
	unmount(&m);
}

/* ---- paths ---- */

static void escapes(void **state)
{
	struct vfs_node *sub, *n;
	struct vfs_stat st;
	char name[300];
	struct mnt m;

	(void)state;
	image_make(&m, "escape", "-t ext4");
	mount_as(&m, false);
	assert_int_equal(m.ops->mkdir(m.root, "a"), 0);
	assert_int_equal(m.ops->mkdir(m.root, "a/b"), 0);
	put(&m, "top", "top");
	put(&m, "a/x", "ax");

	assert_int_equal(open_err(&m, "..", &RD), -WASI_ENOTCAPABLE);
	assert_int_equal(open_err(&m, "a/../../x", &RD), -WASI_ENOTCAPABLE);
	assert_int_equal(open_err(&m, "a/b/../../..", &RD), -WASI_ENOTCAPABLE);
	assert_int_equal(open_err(&m, "/top", &RD), -WASI_ENOTCAPABLE);
	assert_int_equal(open_err(&m, "/", &RD), -WASI_ENOTCAPABLE);
	assert_int_equal(m.ops->mkdir(m.root, "../evil"), -WASI_ENOTCAPABLE);
	/* Inside, ".." works as usual. */
	expect(&m, "a/b/../x", "ax");
	expect(&m, "a/../top", "top");
	expect(&m, "a//b/./..//x", "ax");

	/* Symbolic links may not climb out either, nor be absolute. */
	assert_int_equal(m.ops->symlink("/", m.root, "root"), 0);
	assert_int_equal(m.ops->symlink("/top", m.root, "abs"), 0);
	assert_int_equal(m.ops->symlink("../..", m.root, "a/b/up2"), 0);
	assert_int_equal(m.ops->symlink("../../..", m.root, "a/b/up3"), 0);
	assert_int_equal(m.ops->symlink("..", m.root, "a/up"), 0);
	assert_int_equal(open_err(&m, "root", &RD), -WASI_ENOTCAPABLE);
	assert_int_equal(open_err(&m, "root/top", &RD), -WASI_ENOTCAPABLE);
	assert_int_equal(open_err(&m, "abs", &RD), -WASI_ENOTCAPABLE);
	assert_int_equal(open_err(&m, "a/b/up3", &RD), -WASI_ENOTCAPABLE);
	assert_int_equal(open_err(&m, "a/b/up2/..", &RD), -WASI_ENOTCAPABLE);
	expect(&m, "a/b/up2/top", "top");
	expect(&m, "a/up/a/x", "ax");
	/* The link itself can be looked at without following. */
	st = stat_of(&m, "root", false);
	assert_int_equal(st.filetype, WASI_FILETYPE_SYMBOLIC_LINK);

	/* Beneath a directory node, its own ".." is out of bounds. */
	sub = open_ok(&m, "a", &DIR_ONLY);
	assert_int_equal(m.ops->open(sub, "..", &RD, &n), -WASI_ENOTCAPABLE);
	assert_int_equal(m.ops->open(sub, "up", &RD, &n), -WASI_ENOTCAPABLE);
	assert_int_equal(m.ops->open(sub, "b/up2", &RD, &n), -WASI_ENOTCAPABLE);
	assert_int_equal(m.ops->open(sub, "b/..", &RD, &n), 0);
	assert_int_equal(m.ops->stat(n, &st), 0);
	m.ops->close(n);
	assert_int_equal(m.ops->open(sub, "x", &RD, &n), 0);
	m.ops->close(n);
	assert_int_equal(m.ops->unlink(sub, "../top"), -WASI_ENOTCAPABLE);
	assert_int_equal(m.ops->rename(sub, "x", sub, "../y"), -WASI_ENOTCAPABLE);
	m.ops->close(sub);

	/* Components longer than 255 bytes. */
	memset(name, 'n', 256);
	name[256] = '\0';
	assert_int_equal(open_err(&m, name, &CREATE), -WASI_ENAMETOOLONG);
	name[255] = '\0';
	assert_int_equal(open_err(&m, name, &CREATE), 0);
	unmount(&m);
	fsck_clean(&m);
}

static void symlinks(void **state)
{
	char target[300], buf[4096];
	struct vfs_stat st;
	size_t len;
	struct mnt m;
	int i;

	(void)state;
	image_make(&m, "symlink", "-t ext4");
	mount_as(&m, false);
	assert_int_equal(m.ops->mkdir(m.root, "dir"), 0);
	put(&m, "dir/file", "data");

	/* Fast (in the inode) and slow (in a block) links. */
	assert_int_equal(m.ops->symlink("dir/file", m.root, "fast"), 0);
	for (i = 0; i < 200; i += 2)
		memcpy(target + i, "./", 2);
	strcpy(target + 200, "dir/file");
	assert_int_equal(m.ops->symlink(target, m.root, "slow"), 0);
	expect(&m, "fast", "data");
	expect(&m, "slow", "data");
	assert_int_equal(m.ops->readlink(m.root, "fast", buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 8);
	assert_memory_equal(buf, "dir/file", 8);
	assert_int_equal(m.ops->readlink(m.root, "slow", buf, sizeof(buf), &len), 0);
	assert_int_equal(len, strlen(target));
	assert_memory_equal(buf, target, len);
	/* A short buffer gets the start. */
	assert_int_equal(m.ops->readlink(m.root, "fast", buf, 3, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(buf, "dir", 3);
	assert_int_equal(m.ops->readlink(m.root, "dir", buf, sizeof(buf), &len), -WASI_EINVAL);
	assert_int_equal(m.ops->readlink(m.root, "none", buf, sizeof(buf), &len), -WASI_ENOENT);

	st = stat_of(&m, "slow", false);
	assert_int_equal(st.filetype, WASI_FILETYPE_SYMBOLIC_LINK);
	assert_int_equal(st.size, strlen(target));
	st = stat_of(&m, "slow", true);
	assert_int_equal(st.filetype, WASI_FILETYPE_REGULAR_FILE);
	assert_int_equal(st.size, 4);

	/* Intermediate links are always followed; to a directory, with a trailing slash. */
	assert_int_equal(m.ops->symlink("dir", m.root, "dl"), 0);
	expect(&m, "dl/file", "data");
	st = stat_of(&m, "dl/", false);
	assert_int_equal(st.filetype, WASI_FILETYPE_DIRECTORY);
	assert_int_equal(m.ops->symlink("fast", m.root, "chain"), 0);
	expect(&m, "chain", "data");

	assert_int_equal(m.ops->symlink("x", m.root, "fast"), -WASI_EEXIST);
	assert_int_equal(m.ops->symlink("", m.root, "empty"), -WASI_ENOENT);
	memset(buf, 'a', 4096);
	buf[4096 - 1] = '\0';
	assert_int_equal(m.ops->symlink(buf, m.root, "huge"), -WASI_ENAMETOOLONG);

	/* Cycles, and chains longer than 40. */
	assert_int_equal(m.ops->symlink("loop2", m.root, "loop1"), 0);
	assert_int_equal(m.ops->symlink("loop1", m.root, "loop2"), 0);
	assert_int_equal(open_err(&m, "loop1", &RD), -WASI_ELOOP);
	assert_int_equal(m.ops->path_stat(m.root, "loop1/x", false, &st), -WASI_ELOOP);
	st = stat_of(&m, "loop1", false);
	assert_int_equal(st.filetype, WASI_FILETYPE_SYMBOLIC_LINK);
	assert_int_equal(m.ops->symlink("dir/file", m.root, "c0"), 0);
	for (i = 1; i <= 41; i++) {
		char name[16], to[16];

		snprintf(name, sizeof(name), "c%d", i);
		snprintf(to, sizeof(to), "c%d", i - 1);
		assert_int_equal(m.ops->symlink(to, m.root, name), 0);
	}
	expect(&m, "c39", "data"); /* 40 links */
	assert_int_equal(open_err(&m, "c40", &RD), -WASI_ELOOP);

	/* Unlinking a link leaves its target. */
	assert_int_equal(m.ops->unlink(m.root, "dl"), 0);
	expect(&m, "dir/file", "data");
	assert_int_equal(m.ops->unlink(m.root, "slow"), 0);
	remount(&m);
	expect(&m, "fast", "data");
	unmount(&m);
	fsck_clean(&m);
}

/* ---- rename and link ---- */

static void rename_rules(void **state)
{
	struct vfs_stat st, st2;
	struct vfs_node *n;
	struct mnt m;

	(void)state;
	image_make(&m, "rename", "-t ext4");
	mount_as(&m, false);
	assert_int_equal(m.ops->mkdir(m.root, "d1"), 0);
	assert_int_equal(m.ops->mkdir(m.root, "d2"), 0);
	assert_int_equal(m.ops->mkdir(m.root, "d1/sub"), 0);
	assert_int_equal(m.ops->mkdir(m.root, "full"), 0);
	put(&m, "full/f", "");
	put(&m, "a", "A");
	put(&m, "b", "B");

	/* A file onto another: replaced, the old one freed. */
	st = stat_of(&m, "a", false);
	assert_int_equal(m.ops->rename(m.root, "a", m.root, "b"), 0);
	expect(&m, "b", "A");
	st2 = stat_of(&m, "b", false);
	assert_int_equal(st2.ino, st.ino);
	assert_int_equal(m.ops->path_stat(m.root, "a", false, &st), -WASI_ENOENT);
	/* Onto itself, or another name of itself: nothing happens. */
	assert_int_equal(m.ops->rename(m.root, "b", m.root, "b"), 0);
	assert_int_equal(m.ops->link(m.root, "b", false, m.root, "b2"), 0);
	assert_int_equal(m.ops->rename(m.root, "b", m.root, "b2"), 0);
	expect(&m, "b", "A");
	expect(&m, "b2", "A");

	assert_int_equal(m.ops->rename(m.root, "none", m.root, "x"), -WASI_ENOENT);
	assert_int_equal(m.ops->rename(m.root, "b", m.root, "d1"), -WASI_EISDIR);
	assert_int_equal(m.ops->rename(m.root, "d1", m.root, "b"), -WASI_ENOTDIR);
	assert_int_equal(m.ops->rename(m.root, "d2", m.root, "full"), -WASI_ENOTEMPTY);
	assert_int_equal(m.ops->rename(m.root, "d1", m.root, "d1/sub/in"), -WASI_EINVAL);
	assert_int_equal(m.ops->rename(m.root, "d1", m.root, "d1/in"), -WASI_EINVAL);
	assert_int_equal(m.ops->rename(m.root, ".", m.root, "x"), -WASI_EBUSY);
	assert_int_equal(m.ops->rename(m.root, "b", m.root, "x/"), -WASI_ENOTDIR);
	assert_int_equal(m.ops->rename(m.root, "b", m.root, "none/x"), -WASI_ENOENT);

	/* A directory moved to another parent: its ".." and both parents' counts follow. */
	put(&m, "d1/sub/inner", "in");
	assert_int_equal(m.ops->rename(m.root, "d1/sub", m.root, "d2/moved"), 0);
	st = stat_of(&m, "d1", false);
	assert_int_equal(st.nlink, 2);
	st = stat_of(&m, "d2", false);
	assert_int_equal(st.nlink, 3);
	expect(&m, "d2/moved/../moved/inner", "in");
	st = stat_of(&m, "d2/moved/..", false);
	st2 = stat_of(&m, "d2", false);
	assert_int_equal(st.ino, st2.ino);
	/* Onto an empty directory: replaced. */
	assert_int_equal(m.ops->rename(m.root, "d2/moved", m.root, "d1"), 0);
	expect(&m, "d1/inner", "in");
	st = stat_of(&m, ".", false);
	assert_int_equal(st.nlink, 6); /* lost+found, d1, d2, full */
	st = stat_of(&m, "d2", false);
	assert_int_equal(st.nlink, 2);
	/* Within one directory. */
	assert_int_equal(m.ops->rename(m.root, "d1", m.root, "d3/"), 0);
	expect(&m, "d3/inner", "in");
	st = stat_of(&m, ".", false);
	assert_int_equal(st.nlink, 6);

	/* Renaming an open file keeps the node working. */
	n = open_ok(&m, "d3/inner", &RW);
	assert_int_equal(m.ops->rename(m.root, "d3/inner", m.root, "outer"), 0);
	assert_int_equal(write_at(n, "out", 3, 0), 3);
	m.ops->close(n);
	expect(&m, "outer", "out");
	/* Replacing an open file: it lives on until closed. */
	n = open_ok(&m, "outer", &RW);
	assert_int_equal(m.ops->rename(m.root, "b", m.root, "outer"), 0);
	expect(&m, "outer", "A");
	assert_int_equal(m.ops->stat(n, &st), 0);
	assert_int_equal(st.nlink, 0);
	m.ops->close(n);
	remount(&m);
	expect(&m, "outer", "A");
	expect(&m, "b2", "A");
	unmount(&m);
	fsck_clean(&m);
}

static void hard_links(void **state)
{
	struct vfs_stat st;
	struct mnt m;

	(void)state;
	image_make(&m, "links", "-t ext4");
	mount_as(&m, false);
	put(&m, "f", "shared");
	assert_int_equal(m.ops->mkdir(m.root, "d"), 0);
	assert_int_equal(m.ops->link(m.root, "f", false, m.root, "d/g"), 0);
	st = stat_of(&m, "f", false);
	assert_int_equal(st.nlink, 2);
	expect(&m, "d/g", "shared");
	assert_int_equal(m.ops->link(m.root, "f", false, m.root, "d/g"), -WASI_EEXIST);
	assert_int_equal(m.ops->link(m.root, "d", false, m.root, "d2"), -WASI_EPERM);
	assert_int_equal(m.ops->link(m.root, "none", false, m.root, "x"), -WASI_ENOENT);
	assert_int_equal(m.ops->link(m.root, "f", false, m.root, "none/x"), -WASI_ENOENT);

	/* Linking a symbolic link, or what it points to. */
	assert_int_equal(m.ops->symlink("f", m.root, "s"), 0);
	assert_int_equal(m.ops->link(m.root, "s", false, m.root, "s2"), 0);
	st = stat_of(&m, "s2", false);
	assert_int_equal(st.filetype, WASI_FILETYPE_SYMBOLIC_LINK);
	assert_int_equal(m.ops->link(m.root, "s", true, m.root, "f3"), 0);
	st = stat_of(&m, "f3", false);
	assert_int_equal(st.filetype, WASI_FILETYPE_REGULAR_FILE);
	assert_int_equal(st.nlink, 3);

	assert_int_equal(m.ops->unlink(m.root, "f"), 0);
	assert_int_equal(m.ops->unlink(m.root, "f3"), 0);
	st = stat_of(&m, "d/g", false);
	assert_int_equal(st.nlink, 1);
	remount(&m);
	expect(&m, "d/g", "shared");
	unmount(&m);
	fsck_clean(&m);
}

/* ---- sizes and times ---- */

static void sizes(void **state)
{
	struct vfs_node *n;
	struct vfs_stat st;
	unsigned char buf[20000];
	struct mnt m;
	size_t i;

	(void)state;
	image_make(&m, "sizes", "-t ext4");
	mount_as(&m, false);
	n = open_ok(&m, "f", &CREATE);
	memset(buf, 0xab, sizeof(buf));
	assert_int_equal(write_at(n, buf, sizeof(buf), 0), (int64_t)sizeof(buf));
	/* Shrink, then grow: the bytes past the cut read as zeros. */
	assert_int_equal(m.ops->set_size(n, 5000), 0);
	assert_int_equal(m.ops->stat(n, &st), 0);
	assert_int_equal(st.size, 5000);
	assert_int_equal(m.ops->set_size(n, 30000), 0);
	memset(buf, 0x11, sizeof(buf));
	assert_int_equal(read_at(n, buf, sizeof(buf), 0), (int64_t)sizeof(buf));
	for (i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], i < 5000 ? 0xab : 0);
	assert_int_equal(m.ops->set_size(n, 0), 0);
	assert_int_equal(read_at(n, buf, sizeof(buf), 0), 0);

	/* allocate extends the size, reads zeros, and keeps data. */
	assert_int_equal(write_at(n, "abc", 3, 0), 3);
	assert_int_equal(m.ops->allocate(n, 100, 100000), 0);
	assert_int_equal(m.ops->stat(n, &st), 0);
	assert_int_equal(st.size, 100100);
	assert_int_equal(read_at(n, buf, 8, 0), 8);
	assert_memory_equal(buf, "abc\0\0\0\0\0", 8);
	assert_int_equal(read_at(n, buf, 8, 50000), 8);
	assert_memory_equal(buf, "\0\0\0\0\0\0\0\0", 8);
	assert_int_equal(write_at(n, "mid", 3, 50000), 3);
	assert_int_equal(m.ops->allocate(n, 0, 10), 0); /* inside: no change */
	assert_int_equal(m.ops->stat(n, &st), 0);
	assert_int_equal(st.size, 100100);
	assert_int_equal(m.ops->allocate(n, 0, 0), -WASI_EINVAL);
	assert_int_equal(m.ops->allocate(n, UINT64_MAX - 5, 10), -WASI_EFBIG);
	assert_int_equal(m.ops->set_size(n, UINT64_MAX / 2), -WASI_EFBIG);
	assert_int_equal(m.ops->set_size(m.root, 0), -WASI_EISDIR);
	m.ops->close(n);
	remount(&m);
	n = open_ok(&m, "f", &RD);
	assert_int_equal(read_at(n, buf, 3, 50000), 3);
	assert_memory_equal(buf, "mid", 3);
	assert_int_equal(m.ops->set_size(n, 0), -WASI_EBADF);
	m.ops->close(n);
	unmount(&m);
	fsck_clean(&m);
}

static void times(void **state)
{
	const uint64_t t1 = 1234567890123456789ull, t2 = 987654321000000001ull;
	const uint64_t far = 15000000000ull * 1000000000ull; /* past 2038, in 2445 */
	struct vfs_stat st, before;
	struct vfs_node *n;
	struct mnt m;

	(void)state;
	image_make(&m, "times", "-t ext4");
	mount_as(&m, false);
	put(&m, "f", "x");
	n = open_ok(&m, "f", &RW);
	assert_int_equal(m.ops->set_times(n, t1, t2, WASI_FSTFLAGS_ATIM | WASI_FSTFLAGS_MTIM), 0);
	assert_int_equal(m.ops->stat(n, &st), 0);
	assert_int_equal(st.atim, t1);
	assert_int_equal(st.mtim, t2);
	assert_true(st.ctim > t1);
	/* Only what the flags name changes. */
	assert_int_equal(m.ops->set_times(n, 0, t1, WASI_FSTFLAGS_MTIM), 0);
	assert_int_equal(m.ops->stat(n, &st), 0);
	assert_int_equal(st.atim, t1);
	assert_int_equal(st.mtim, t1);
	assert_int_equal(m.ops->set_times(n, 0, 0, WASI_FSTFLAGS_ATIM_NOW), 0);
	assert_int_equal(m.ops->stat(n, &st), 0);
	assert_true(st.atim > t1);
	assert_int_equal(m.ops->set_times(n, 1, 0, WASI_FSTFLAGS_ATIM | WASI_FSTFLAGS_ATIM_NOW),
			 -WASI_EINVAL);
	assert_int_equal(m.ops->set_times(n, 0, 1, WASI_FSTFLAGS_MTIM | WASI_FSTFLAGS_MTIM_NOW),
			 -WASI_EINVAL);
	/* A write sets the modification time. */
	assert_int_equal(m.ops->set_times(n, t2, t2, WASI_FSTFLAGS_ATIM | WASI_FSTFLAGS_MTIM), 0);
	assert_int_equal(write_at(n, "y", 1, 0), 1);
	assert_int_equal(m.ops->stat(n, &st), 0);
	assert_int_equal(st.atim, t2);
	assert_true(st.mtim > t1);
	m.ops->close(n);

	/* Through a path, following a link or not; times past 2038. */
	assert_int_equal(m.ops->symlink("f", m.root, "l"), 0);
	before = stat_of(&m, "l", false);
	assert_int_equal(m.ops->path_set_times(m.root, "l", true, far, far + 5,
					       WASI_FSTFLAGS_ATIM | WASI_FSTFLAGS_MTIM),
			 0);
	st = stat_of(&m, "f", false);
	assert_int_equal(st.atim, far);
	assert_int_equal(st.mtim, far + 5);
	st = stat_of(&m, "l", false);
	assert_int_equal(st.mtim, before.mtim);
	assert_int_equal(m.ops->path_set_times(m.root, "l", false, t1, t1,
					       WASI_FSTFLAGS_ATIM | WASI_FSTFLAGS_MTIM),
			 0);
	st = stat_of(&m, "l", false);
	assert_int_equal(st.mtim, t1);
	assert_int_equal(m.ops->path_set_times(m.root, "none", true, 0, 0, WASI_FSTFLAGS_ATIM_NOW),
			 -WASI_ENOENT);
	/* Creating a name changes its directory's times. */
	before = stat_of(&m, ".", false);
	put(&m, "g", "");
	st = stat_of(&m, ".", false);
	assert_true(st.mtim > before.mtim || before.mtim == 0);
	remount(&m);
	st = stat_of(&m, "f", false);
	assert_int_equal(st.atim, far);
	assert_int_equal(st.mtim, far + 5);
	unmount(&m);
	fsck_clean(&m);
}

/* ---- whole images ---- */

/* Filling the image gives ENOSPC, and leaves it consistent. */
static void full_image(void **state)
{
	static char chunk[1 << 16];
	struct vfs_node *n;
	char name[32];
	struct mnt m;
	int64_t r;
	uint64_t off = 0;
	int i;

	(void)state;
	image_make(&m, "full", "-t ext4");
	mount_as(&m, false);
	memset(chunk, 'z', sizeof(chunk));
	n = open_ok(&m, "fill", &CREATE);
	while ((r = write_at(n, chunk, sizeof(chunk), off)) > 0)
		off += (uint64_t)r;
	assert_int_equal(r, -WASI_ENOSPC);
	assert_true(off > 8 * 1024 * 1024);
	m.ops->close(n);
	/* Directories cannot grow, small files cannot get blocks. */
	for (i = 0, r = 0; i < 1000 && r == 0; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		r = m.ops->mkdir(m.root, name);
	}
	assert_int_equal(r, -WASI_ENOSPC);
	remount(&m);
	/* Space comes back with the file (the image's last block among it), by truncation and
	 * by removal. */
	n = open_ok(&m, "fill", &RW);
	assert_int_equal(m.ops->set_size(n, 1000), 0);
	assert_int_equal(write_at(n, chunk, sizeof(chunk), 1000), (int64_t)sizeof(chunk));
	m.ops->close(n);
	remount(&m);
	n = open_ok(&m, "fill", &RW);
	off = 1000 + sizeof(chunk);
	while ((r = write_at(n, chunk, sizeof(chunk), off)) > 0)
		off += (uint64_t)r;
	assert_int_equal(r, -WASI_ENOSPC);
	m.ops->close(n);
	assert_int_equal(m.ops->unlink(m.root, "fill"), 0);
	n = open_ok(&m, "again", &CREATE);
	assert_int_equal(write_at(n, chunk, sizeof(chunk), 0), (int64_t)sizeof(chunk));
	m.ops->close(n);
	unmount(&m);
	fsck_clean(&m);
}

static void readonly_mount(void **state)
{
	struct vfs_node *n;
	struct vfs_stat st;
	size_t len;
	char buf[16];
	struct mnt m;

	(void)state;
	image_make(&m, "readonly", "-t ext4");
	mount_as(&m, false);
	put(&m, "f", "kept");
	assert_int_equal(m.ops->mkdir(m.root, "d"), 0);
	assert_int_equal(m.ops->symlink("f", m.root, "l"), 0);
	unmount(&m);
	run("cp %s %s.before", m.path, m.path);

	mount_as(&m, true);
	expect(&m, "f", "kept");
	expect(&m, "l", "kept");
	assert_int_equal(m.ops->readlink(m.root, "l", buf, sizeof(buf), &len), 0);
	assert_int_equal(open_err(&m, "f", &RW), -WASI_EROFS);
	assert_int_equal(open_err(&m, "new", &CREATE), -WASI_EROFS);
	n = open_ok(&m, "f", &RD);
	assert_int_equal(write_at(n, "x", 1, 0), -WASI_EROFS);
	assert_int_equal(m.ops->set_size(n, 0), -WASI_EROFS);
	assert_int_equal(m.ops->allocate(n, 0, 10), -WASI_EROFS);
	assert_int_equal(m.ops->set_times(n, 0, 0, WASI_FSTFLAGS_MTIM_NOW), -WASI_EROFS);
	assert_int_equal(m.ops->sync(n, false), 0);
	assert_int_equal(m.ops->stat(n, &st), 0);
	m.ops->close(n);
	assert_int_equal(m.ops->mkdir(m.root, "e"), -WASI_EROFS);
	assert_int_equal(m.ops->rmdir(m.root, "d"), -WASI_EROFS);
	assert_int_equal(m.ops->unlink(m.root, "f"), -WASI_EROFS);
	assert_int_equal(m.ops->rename(m.root, "f", m.root, "g"), -WASI_EROFS);
	assert_int_equal(m.ops->link(m.root, "f", false, m.root, "g"), -WASI_EROFS);
	assert_int_equal(m.ops->symlink("f", m.root, "g"), -WASI_EROFS);
	assert_int_equal(m.ops->path_set_times(m.root, "f", true, 0, 0, WASI_FSTFLAGS_ATIM_NOW),
			 -WASI_EROFS);
	unmount(&m);
	/* Not a byte changed. */
	assert_int_equal(run("cmp -s %s %s.before", m.path, m.path), 0);
}

/* An image made from a folder (mke2fs -d) shows the folder. */
static void populated(void **state)
{
	char folder[600];
	struct vfs_stat st;
	struct mnt m;

	(void)state;
	snprintf(folder, sizeof(folder), "%s/fs_ext2-populated.d", TEST_BUILD_DIR);
	assert_int_equal(run("rm -rf %s && mkdir -p %s/etc/deep/er && printf 'hello\\n' "
			     ">%s/hello.txt && printf conf >%s/etc/app.conf && "
			     "ln -s ../hello.txt %s/etc/link && head -c 300000 /dev/urandom "
			     ">%s/etc/deep/er/blob",
			     folder, folder, folder, folder, folder, folder),
			 0);
	image_path(&m, "populated");
	assert_int_equal(run("rm -f %s && " MKE2FS " -t ext4 -d %s %s 16M >/dev/null", m.path,
			     folder, m.path),
			 0);
	mount_as(&m, false);
	expect(&m, "hello.txt", "hello\n");
	expect(&m, "etc/app.conf", "conf");
	expect(&m, "etc/link", "hello\n");
	st = stat_of(&m, "etc/deep/er/blob", false);
	assert_int_equal(st.size, 300000);
	/* Changed, and the folder's files replaced. */
	put(&m, "etc/app.conf", "new conf");
	assert_int_equal(m.ops->unlink(m.root, "etc/deep/er/blob"), 0);
	assert_int_equal(m.ops->rename(m.root, "etc/deep", m.root, "deep"), 0);
	remount(&m);
	expect(&m, "etc/app.conf", "new conf");
	st = stat_of(&m, "deep/er", false);
	assert_int_equal(st.filetype, WASI_FILETYPE_DIRECTORY);
	unmount(&m);
	fsck_clean(&m);
	/* The image's contents, as debugfs sees them. */
	assert_int_equal(run(DEBUGFS " -R 'cat etc/app.conf' %s 2>/dev/null | grep -qx 'new conf'",
			     m.path),
			 0);
}

/* Files with extended attributes in blocks (kept, unseen): rewriting and renaming them
 * keeps the attributes, removing them frees the blocks. */
static void attributes_freed(void **state)
{
	struct mnt m;

	(void)state;
	image_make(&m, "xattr", "-t ext4");
	mount_as(&m, false);
	put(&m, "a", "with attributes");
	put(&m, "b", "with attributes");
	unmount(&m);
	assert_int_equal(run("head -c 700 /dev/zero | tr '\\0' v >%s.value && "
			     DEBUGFS " -w -R 'ea_set -f %s.value a user.big' %s >/dev/null 2>&1 && "
			     DEBUGFS " -w -R 'ea_set -f %s.value b user.big' %s >/dev/null 2>&1 && "
			     DEBUGFS " -R 'stat a' %s 2>/dev/null | grep -q 'File ACL: [1-9]'",
			     m.path, m.path, m.path, m.path, m.path, m.path),
			 0);
	fsck_clean(&m);
	mount_as(&m, false);
	expect(&m, "a", "with attributes");
	put(&m, "b", "rewritten, attributes kept");
	assert_int_equal(m.ops->unlink(m.root, "a"), 0);
	assert_int_equal(m.ops->rename(m.root, "b", m.root, "c"), 0);
	unmount(&m);
	fsck_clean(&m);
	assert_int_equal(run(DEBUGFS " -R 'ea_get c user.big' %s 2>/dev/null | grep -q vvv",
			     m.path),
			 0);
	mount_as(&m, false);
	assert_int_equal(m.ops->unlink(m.root, "c"), 0);
	unmount(&m);
	fsck_clean(&m);
}

/* scripts/make-disk builds an image from a folder, sized for it, and refuses bad uses. */
static void make_disk_script(void **state)
{
	char folder[600], script[600];
	struct vfs_stat st;
	struct mnt m;

	(void)state;
	/* TEST_DATA_DIR is tests/unit/data of the sources, which may not exist. */
	snprintf(script, sizeof(script), "%s", TEST_DATA_DIR);
	*strrchr(script, '/') = '\0';
	strncat(script, "/../../scripts/make-disk", sizeof(script) - strlen(script) - 1);
	snprintf(folder, sizeof(folder), "%s/fs_ext2-make-disk.d", TEST_BUILD_DIR);
	assert_int_equal(run("rm -rf %s && mkdir -p %s/app/data && printf 'run\\n' >%s/app/cmd && "
			     "head -c 2000000 /dev/urandom >%s/app/data/blob && "
			     "for i in $(seq 1 2000); do : >%s/app/data/f$i; done",
			     folder, folder, folder, folder, folder),
			 0);
	image_path(&m, "made");
	run("rm -f %s", m.path);
	assert_int_equal(run("%s %s %s >/dev/null 2>&1", script, folder, m.path), 0);
	mount_as(&m, false);
	expect(&m, "app/cmd", "run\n");
	st = stat_of(&m, "app/data/blob", false);
	assert_int_equal(st.size, 2000000);
	/* Room to work in: as many files again, and some megabytes. */
	put(&m, "app/new", "more");
	unmount(&m);
	fsck_clean(&m);

	assert_int_equal(run("%s %s %s 2>/dev/null", script, folder, m.path), 1); /* exists */
	assert_int_equal(run("%s %s/none %s.2 2>/dev/null", script, folder, m.path), 1);
	assert_int_equal(run("%s %s %s.3 1X 2>/dev/null", script, folder, m.path), 1);
	assert_int_equal(run("%s %s %s.4 1M 2>/dev/null; test ! -e %s.4", script, folder,
			     m.path, m.path),
			 0); /* too small: nothing left behind */
	assert_int_equal(run("%s 2>/dev/null", script), 2);
}

/* ext2 (block maps, no extents, small inodes) and ext3 images work the same way. */
static void older_formats(void **state)
{
	static const char *const types[] = {"-t ext2 -I 128", "-t ext3 -b 1024"};
	static unsigned char data[300000];
	struct vfs_node *n;
	struct vfs_stat st;
	struct mnt m;
	size_t i, t;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + i / 1000);
	for (t = 0; t < 2; t++) {
		image_make(&m, t ? "ext3" : "ext2", types[t]);
		mount_as(&m, false);
		assert_int_equal(m.ops->mkdir(m.root, "d"), 0);
		n = open_ok(&m, "d/f", &CREATE);
		assert_int_equal(write_at(n, data, sizeof(data), 0), (int64_t)sizeof(data));
		assert_int_equal(m.ops->set_times(n, 5000000123ull, 6000000456ull,
						  WASI_FSTFLAGS_ATIM | WASI_FSTFLAGS_MTIM),
				 0);
		assert_int_equal(m.ops->stat(n, &st), 0);
		/* Small inodes hold whole seconds only. */
		assert_int_equal(st.mtim, t ? 6000000456ull : 6000000000ull);
		m.ops->close(n);
		put(&m, "g", "gee");
		assert_int_equal(m.ops->symlink("d/f", m.root, "l"), 0);
		remount(&m);
		n = open_ok(&m, "l", &RW);
		for (i = 0; i < sizeof(data); i += 1000) {
			unsigned char b[1000];

			assert_int_equal(read_at(n, b, sizeof(b), i), (int64_t)sizeof(b));
			assert_memory_equal(b, data + i, sizeof(b));
		}
		assert_int_equal(m.ops->set_size(n, 1000), 0);
		assert_int_equal(m.ops->set_size(n, 0), 0);
		m.ops->close(n);
		assert_int_equal(m.ops->rename(m.root, "d", m.root, "e"), 0);
		assert_int_equal(m.ops->unlink(m.root, "g"), 0);
		remount(&m);
		st = stat_of(&m, "e/f", false);
		assert_int_equal(st.size, 0);
		assert_int_equal(m.ops->unlink(m.root, "e/f"), 0);
		assert_int_equal(m.ops->rmdir(m.root, "e"), 0);
		unmount(&m);
		fsck_clean(&m);
	}
}

static void sync_flushes(void **state)
{
	struct vfs_node *n;
	struct mnt m;

	(void)state;
	image_make(&m, "sync", "-t ext4");
	mount_as(&m, false);
	n = open_ok(&m, "f", &CREATE);
	assert_int_equal(write_at(n, "synced", 6, 0), 6);
	assert_int_equal(m.ops->sync(n, false), 0);
	/* What sync wrote is on the image while still mounted (as after a crash). */
	assert_int_equal(run(DEBUGFS " -R 'cat f' %s 2>/dev/null | grep -qx synced", m.path),
			 0);
	m.ops->close(n);
	unmount(&m);
	fsck_clean(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mount_refusals),
		cmocka_unit_test(mount_marks_state),
		cmocka_unit_test(create_write_read),
		cmocka_unit_test(open_flags),
		cmocka_unit_test(large_file),
		cmocka_unit_test(random_io),
		cmocka_unit_test(buffered_after_direct),
		cmocka_unit_test(block_edges),
		cmocka_unit_test(unwritten_writes),
		cmocka_unit_test(fragmented_extents),
		cmocka_unit_test(damaged_map),
		cmocka_unit_test(readdir_large),
		cmocka_unit_test(readdir_indexed),
		cmocka_unit_test(mkdir_rmdir),
		cmocka_unit_test(unlink_files),
		cmocka_unit_test(escapes),
		cmocka_unit_test(symlinks),
		cmocka_unit_test(rename_rules),
		cmocka_unit_test(hard_links),
		cmocka_unit_test(sizes),
		cmocka_unit_test(times),
		cmocka_unit_test(full_image),
		cmocka_unit_test(readonly_mount),
		cmocka_unit_test(populated),
		cmocka_unit_test(attributes_freed),
		cmocka_unit_test(make_disk_script),
		cmocka_unit_test(older_formats),
		cmocka_unit_test(sync_flushes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
