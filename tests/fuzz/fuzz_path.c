/* Fuzzes path resolution of both file systems: no operation may reach outside the mounted root. */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "posix/vfs.h"
#include "posix/wasi_defs.h"

#define CHECK(cond, what)                                                                     \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			fprintf(stderr, "fuzz_path: %s (%s:%d)\n", what, __FILE__, __LINE__); \
			abort();                                                              \
		}                                                                             \
	} while (0)

/* What lies outside every mount; an operation that reads or changes it has escaped. */
#define SECRET "the secret outside the mount"

/* Path pieces: names, climbs, absolute starts, and names of the links the input makes. */
static const char *const pieces[] = {
	"a", "b", "c", "..", ".", "", "/", "l", "m", "out", "secret", "deep",
	"x\xc3\xa9", "a b", "../secret", "../../..", "l/..", "...",
};
/* Link targets: inside, climbing out, absolute, to themselves. */
static const char *const targets[] = {
	"a", "b/c", "..", "../secret", "../..", "/", "/secret", "l", "m/..", ".", "a/../..",
	"deep/../../secret",
};

struct world {
	char top[64];          /* a fresh folder: secret + root/ + disk.img */
	char root[96];         /* the host folder mounted */
	char image[96];        /* the ext4 image mounted */
	struct vfs *fs[2];
	struct vfs_node *rootnode[2];
	int nfs;
};

static struct world w;

static void write_secret(void)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/secret", w.top);
	f = fopen(path, "w");
	CHECK(f && fputs(SECRET, f) >= 0 && fclose(f) == 0, "cannot write the secret");
}

/* The top folder holds exactly secret (unchanged), root and disk.img: nothing escaped. */
static void check_outside(void)
{
	char path[128], buf[64] = {0};
	struct dirent *d;
	DIR *dir;
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "%s/secret", w.top);
	f = fopen(path, "r");
	CHECK(f, "the secret is gone");
	CHECK(fread(buf, 1, sizeof(buf) - 1, f) == strlen(SECRET), "the secret changed size");
	fclose(f);
	CHECK(!strcmp(buf, SECRET), "the secret changed");
	dir = opendir(w.top);
	CHECK(dir, "cannot list the top folder");
	while ((d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		CHECK(!strcmp(d->d_name, "secret") || !strcmp(d->d_name, "root") ||
		      !strcmp(d->d_name, "disk.img"), "something appeared outside the mount");
		n++;
	}
	closedir(dir);
	CHECK(n == 3, "something outside the mount went away");
}

static void clear_root(const char *path);

/* The scratch tree goes when the process ends. */
static void remove_world(void)
{
	clear_root(w.top);
	rmdir(w.top);
}

static void setup(void)
{
	char cmd[256];

	snprintf(w.top, sizeof(w.top), "/tmp/iv-fuzz-path-XXXXXX");
	CHECK(mkdtemp(w.top), "mkdtemp");
	snprintf(w.root, sizeof(w.root), "%s/root", w.top);
	snprintf(w.image, sizeof(w.image), "%s/disk.img", w.top);
	CHECK(mkdir(w.root, 0700) == 0, "mkdir root");
	write_secret();
	snprintf(cmd, sizeof(cmd), "/usr/sbin/mke2fs -q -F -t ext4 %s 8M >/dev/null 2>&1", w.image);
	CHECK(system(cmd) == 0, "mke2fs");
	atexit(remove_world);
}

static void mount_all(void)
{
	char err[256];

	w.nfs = 0;
	w.fs[w.nfs] = vfs_host_mount(w.root, false, &w.rootnode[w.nfs], err, sizeof(err));
	CHECK(w.fs[w.nfs], err);
	w.nfs++;
	w.fs[w.nfs] = vfs_ext2_mount(w.image, false, &w.rootnode[w.nfs], err, sizeof(err));
	CHECK(w.fs[w.nfs], err);
	w.nfs++;
}

static void unmount_all(void)
{
	for (int i = 0; i < w.nfs; i++) {
		w.fs[i]->ops->close(w.rootnode[i]);
		w.fs[i]->ops->unmount(w.fs[i]);
	}
	w.nfs = 0;
}

/* A path of one to four pieces joined by '/'. */
static void make_path(struct fuzz_in *in, char *out, size_t len)
{
	int n = 1 + fz_u8(in) % 4;
	size_t at = 0;

	out[0] = 0;
	for (int i = 0; i < n; i++) {
		const char *p = pieces[fz_u8(in) % (sizeof(pieces) / sizeof(pieces[0]))];
		at += (size_t)snprintf(out + at, len - at, "%s%s", i ? "/" : "", p);
		if (at >= len)
			break;
	}
}

/* A result is 0, a count, or a negated WASI errno. */
static void check_result(int64_t rc)
{
	CHECK(rc >= 0 || (rc >= -WASI_ENOTCAPABLE && rc != 0), "not a WASI errno");
}

/* Reads what an opened file holds: never the secret. */
static void check_contents(struct vfs_node *n)
{
	char buf[128] = {0};
	struct iovec iov = {buf, sizeof(buf) - 1};
	uint64_t off = 0;

	if (n->is_dir)
		return;
	if (n->fs->ops->read(n, &iov, 1, &off) > 0)
		CHECK(!strstr(buf, SECRET), "a file of the mount holds the secret");
}

static void one_op(struct fuzz_in *in)
{
	struct vfs_node *dir = w.rootnode[fz_u8(in) % w.nfs], *node;
	const struct vfs_ops *ops = dir->fs->ops;
	char p1[256], p2[256], buf[256];
	struct vfs_open how = {0};
	struct vfs_stat st;
	uint8_t op = fz_u8(in);
	size_t got;
	int64_t rc;

	make_path(in, p1, sizeof(p1));
	switch (op % 10) {
	case 0:
		how.oflags = fz_u8(in) & 15;
		how.follow = fz_u8(in) & 1;
		how.read = true;
		how.write = !(how.oflags & WASI_OFLAGS_DIRECTORY) && (fz_u8(in) & 1);
		rc = ops->open(dir, p1, &how, &node);
		if (rc == 0) {
			check_contents(node);
			if (how.write) {
				struct iovec iov = {(void *)"data", 4};
				uint64_t off = 0;
				check_result(ops->write(node, &iov, 1, &off, false));
			}
			ops->close(node);
		}
		break;
	case 1:
		rc = ops->mkdir(dir, p1);
		break;
	case 2:
		rc = ops->rmdir(dir, p1);
		break;
	case 3:
		rc = ops->unlink(dir, p1);
		break;
	case 4:
		make_path(in, p2, sizeof(p2));
		rc = ops->rename(dir, p1, dir, p2);
		break;
	case 5:
		make_path(in, p2, sizeof(p2));
		rc = ops->link(dir, p1, fz_u8(in) & 1, dir, p2);
		break;
	case 6:
		rc = ops->symlink(targets[fz_u8(in) % (sizeof(targets) / sizeof(targets[0]))], dir,
				  p1);
		break;
	case 7:
		rc = ops->readlink(dir, p1, buf, sizeof(buf), &got);
		CHECK(rc < 0 || got <= sizeof(buf), "readlink overran");
		break;
	case 8:
		rc = ops->path_stat(dir, p1, fz_u8(in) & 1, &st);
		break;
	default:
		rc = ops->path_set_times(dir, p1, fz_u8(in) & 1, 0, 0,
					 WASI_FSTFLAGS_ATIM_NOW | WASI_FSTFLAGS_MTIM_NOW);
		break;
	}
	check_result(rc);
	check_outside();
}

/* The image is consistent after every input, whatever the input did. */
static void check_image(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "/usr/sbin/e2fsck -fn %s >/dev/null 2>&1", w.image);
	CHECK(system(cmd) == 0, "e2fsck finds the image inconsistent");
}

/* Empties the host folder between inputs (the image keeps what inputs left: also fine). */
static void clear_root(const char *path)
{
	struct dirent *d;
	DIR *dir = opendir(path);
	char sub[512];

	if (!dir)
		return;
	while ((d = readdir(dir))) {
		struct stat st;

		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, d->d_name);
		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
			clear_root(sub);
			rmdir(sub);
		} else {
			unlink(sub);
		}
	}
	closedir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, data + size};
	int ops = 0;

	if (!w.top[0])
		setup();
	clear_root(w.root);
	mount_all();
	while (fz_more(&in) && ops++ < 64)
		one_op(&in);
	unmount_all();
	check_outside();
	check_image();
	return 0;
}
