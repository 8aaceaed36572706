/* The confined host-folder file system: a host folder served beneath its root with openat2. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "errbuf.h"
#include "vfs.h"
#include "wasi_defs.h"

/*
 * Every guest path is resolved by the kernel (openat2, RESOLVE_BENEATH) relative to a
 * directory node's host fd, never by walking names here, so "..", symbolic links and
 * renames racing with the walk cannot leave the folder. An operation on a last component
 * resolves the parent that way and then acts on the single name with an *at call that
 * follows nothing. Files are opened as O_PATH first and reopened through /proc/self/fd
 * once fstat has shown what they are, so no FIFO or device is ever opened for I/O.
 */

/* openat2 fails with EAGAIN when a rename or mount anywhere raced a ".." step: retry. */
#define RESOLVE_RETRIES 128
/* Bytes of directory entries read from the host at a time. */
#define DIRBUF_BYTES 8192
/* "/proc/self/fd/" and a descriptor number. */
#define PROC_FD_PATH_BYTES 32
/* open_last found "." or ".." as the last component (resolved, without escaping). */
#define LAST_DOTS 1

struct host_node {
	struct vfs_node head;
	int fd; /* O_RDONLY for directories; the access asked for files */
	/* Directories: entries getdents64 read ahead, served in order while cookies follow. */
	char *dirbuf;
	size_t dirlen, dirpos;
	uint64_t dircookie; /* the cookie of the entry at dirpos */
	bool dirvalid;      /* the host fd's position is where dirbuf's entries end */
};

/* The parent of a last component, open, and the component itself. */
struct last {
	int parentfd; /* O_PATH, beneath the node; -1 for "." and ".." */
	char name[NAME_MAX + 1];
	bool trailing_slash;
};

static const struct vfs_ops host_ops;

static int host_err(int e)
{
	return -(int)wasi_from_errno(e);
}

static struct host_node *host_of(struct vfs_node *node)
{
	return (struct host_node *)node;
}

static int path_check(const char *path)
{
	if (!path[0])
		return -WASI_ENOENT;
	if (path[0] == '/')
		return -WASI_ENOTCAPABLE;
	return 0;
}

/* Opens path beneath dirfd: an fd, or a negated WASI errno (ENOTCAPABLE for an escape). */
static int resolve(int dirfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (unsigned)(flags | O_CLOEXEC),
		.mode = mode,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	int err = path_check(path);
	int tries, fd;

	if (err)
		return err;
	for (tries = 0; tries < RESOLVE_RETRIES; tries++) {
		fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd >= 0)
			return fd;
		if (errno != EAGAIN && errno != EINTR)
			break;
	}
	return errno == EXDEV ? -WASI_ENOTCAPABLE : host_err(errno);
}

static void proc_fd_path(char buf[PROC_FD_PATH_BYTES], int fd)
{
	snprintf(buf, PROC_FD_PATH_BYTES, "/proc/self/fd/%d", fd);
}

/* Opens the file an fd (O_PATH included) refers to, anew, with flags: the same inode. */
static int reopen(int fd, int flags)
{
	char proc[PROC_FD_PATH_BYTES];

	proc_fd_path(proc, fd);
	return open(proc, flags | O_CLOEXEC);
}

/*
 * Splits path into its parent, opened beneath dir, and its last component (trailing
 * slashes dropped and remembered): 0, LAST_DOTS when the last component is "." or ".."
 * (the whole path then resolves without escaping, and nothing is opened), or an errno.
 */
static int open_last(struct host_node *dir, const char *path, struct last *l)
{
	char parent[PATH_MAX];
	size_t len = strlen(path);
	char *slash;
	const char *name;
	int err = path_check(path);

	l->parentfd = -1;
	l->trailing_slash = false;
	if (err)
		return err;
	if (len >= sizeof(parent))
		return -WASI_ENAMETOOLONG;
	memcpy(parent, path, len + 1);
	while (parent[len - 1] == '/') {
		parent[--len] = '\0';
		l->trailing_slash = true;
	}
	slash = strrchr(parent, '/');
	name = slash ? slash + 1 : parent;
	if (strlen(name) > NAME_MAX)
		return -WASI_ENAMETOOLONG;
	strcpy(l->name, name);
	if (!strcmp(name, ".") || !strcmp(name, "..")) {
		int fd = resolve(dir->fd, path, O_PATH, 0);

		if (fd < 0)
			return fd;
		close(fd);
		return LAST_DOTS;
	}
	if (slash)
		*slash = '\0';
	l->parentfd = resolve(dir->fd, slash ? parent : ".", O_PATH | O_DIRECTORY, 0);
	return l->parentfd < 0 ? l->parentfd : 0;
}

/* open_last() beneath directory node dir for an operation that changes the tree:
 * -WASI_EROFS, with nothing opened, on a read-only mount. */
static int open_last_to_change(struct vfs_node *dir, const char *path, struct last *l)
{
	if (dir->fs->readonly) {
		l->parentfd = -1;
		return -WASI_EROFS;
	}
	return open_last(host_of(dir), path, l);
}

static void close_last(struct last *l)
{
	if (l->parentfd >= 0)
		close(l->parentfd);
}

/* What creating a non-directory at "name/" gets, as Linux answers it: EEXIST or ENOENT. */
static int slash_create_error(const struct last *l)
{
	struct stat st;

	if (fstatat(l->parentfd, l->name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return -WASI_EEXIST;
	return host_err(errno);
}

static uint8_t filetype_of(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return WASI_FILETYPE_REGULAR_FILE;
	case S_IFDIR: return WASI_FILETYPE_DIRECTORY;
	case S_IFLNK: return WASI_FILETYPE_SYMBOLIC_LINK;
	case S_IFCHR: return WASI_FILETYPE_CHARACTER_DEVICE;
	case S_IFBLK: return WASI_FILETYPE_BLOCK_DEVICE;
	default: return WASI_FILETYPE_UNKNOWN;
	}
}

static uint64_t ns_of(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000ull + (uint64_t)t->tv_nsec;
}

static void stat_fill(const struct stat *st, struct vfs_stat *out)
{
	out->dev = st->st_dev;
	out->ino = st->st_ino;
	out->filetype = filetype_of(st->st_mode);
	out->nlink = st->st_nlink;
	out->size = (uint64_t)st->st_size;
	out->atim = ns_of(&st->st_atim);
	out->mtim = ns_of(&st->st_mtim);
	out->ctim = ns_of(&st->st_ctim);
}

static int stat_fd(int fd, struct vfs_stat *out)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return host_err(errno);
	stat_fill(&st, out);
	return 0;
}

static struct timespec time_spec(uint64_t ns, bool set, bool now)
{
	struct timespec t = { 0, UTIME_OMIT };

	if (now) {
		t.tv_nsec = UTIME_NOW;
	} else if (set) {
		t.tv_sec = (time_t)(ns / 1000000000ull);
		t.tv_nsec = (long)(ns % 1000000000ull);
	}
	return t;
}

/* WASI fstflags as utimensat's pair: 0, or -WASI_EINVAL for a time both given and "now". */
static int times_of(uint64_t atim, uint64_t mtim, uint32_t fst, struct timespec ts[2])
{
	const uint32_t known = WASI_FSTFLAGS_ATIM | WASI_FSTFLAGS_ATIM_NOW | WASI_FSTFLAGS_MTIM |
			       WASI_FSTFLAGS_MTIM_NOW;

	if ((fst & ~known) ||
	    ((fst & WASI_FSTFLAGS_ATIM) && (fst & WASI_FSTFLAGS_ATIM_NOW)) ||
	    ((fst & WASI_FSTFLAGS_MTIM) && (fst & WASI_FSTFLAGS_MTIM_NOW)))
		return -WASI_EINVAL;
	ts[0] = time_spec(atim, fst & WASI_FSTFLAGS_ATIM, fst & WASI_FSTFLAGS_ATIM_NOW);
	ts[1] = time_spec(mtim, fst & WASI_FSTFLAGS_MTIM, fst & WASI_FSTFLAGS_MTIM_NOW);
	return 0;
}

static int node_new(struct vfs *fs, int fd, bool is_dir, struct vfs_node **out)
{
	struct host_node *n = calloc(1, sizeof(*n));

	if (!n) {
		close(fd);
		return -WASI_ENOMEM;
	}
	n->head.fs = fs;
	n->head.is_dir = is_dir;
	n->fd = fd;
	*out = &n->head;
	return 0;
}

static int sync_flags(uint32_t fdflags)
{
	int flags = 0;

	if (fdflags & WASI_FDFLAGS_DSYNC)
		flags |= O_DSYNC;
	if (fdflags & WASI_FDFLAGS_RSYNC)
		flags |= O_RSYNC;
	if (fdflags & WASI_FDFLAGS_SYNC)
		flags |= O_SYNC;
	return flags;
}

static int access_flags(const struct vfs_open *how)
{
	if (how->write)
		return how->read ? O_RDWR : O_WRONLY;
	return O_RDONLY;
}

/* Opens what the O_PATH pathfd resolved to, once its type allows it (pathfd stays open). */
static int open_resolved(struct vfs_node *dir, int pathfd, const struct vfs_open *how,
			 struct vfs_node **out)
{
	bool trunc = how->oflags & WASI_OFLAGS_TRUNC;
	struct stat st;
	int fd;

	if (fstat(pathfd, &st) < 0)
		return host_err(errno);
	if (S_ISLNK(st.st_mode))
		return -WASI_ELOOP; /* only found without follow */
	if (S_ISDIR(st.st_mode)) {
		if (how->write || trunc || (how->oflags & WASI_OFLAGS_CREAT))
			return -WASI_EISDIR;
		fd = reopen(pathfd, O_RDONLY | O_DIRECTORY);
		return fd < 0 ? host_err(errno) : node_new(dir->fs, fd, true, out);
	}
	if (how->oflags & WASI_OFLAGS_DIRECTORY)
		return -WASI_ENOTDIR;
	if (!S_ISREG(st.st_mode))
		return -WASI_ENOTSUP; /* FIFOs, sockets and devices are never opened */
	fd = reopen(pathfd, access_flags(how) | sync_flags(how->fdflags) | (trunc ? O_TRUNC : 0));
	return fd < 0 ? host_err(errno) : node_new(dir->fs, fd, false, out);
}

/*
 * Creates path (exclusively when asked). Without O_EXCL, what is there may have appeared
 * since the O_PATH lookup, or be a dangling link's target: it is opened without blocking
 * and kept only if it is a regular file.
 */
static int open_create(struct vfs_node *dir, const char *path, const struct vfs_open *how,
		       struct vfs_node **out)
{
	int flags = O_CREAT | O_NONBLOCK | access_flags(how) | sync_flags(how->fdflags);
	struct stat st;
	int fd;

	if (how->oflags & WASI_OFLAGS_EXCL)
		flags |= O_EXCL;
	if (how->oflags & WASI_OFLAGS_TRUNC)
		flags |= O_TRUNC;
	if (!how->follow)
		flags |= O_NOFOLLOW;
	fd = resolve(host_of(dir)->fd, path, flags, 0666);
	if (fd < 0)
		return fd;
	/* F_SETFL with no flags clears O_NONBLOCK, the only status flag set here. */
	if (fstat(fd, &st) < 0 || fcntl(fd, F_SETFL, 0) < 0) {
		int err = host_err(errno);

		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -WASI_ENOTSUP;
	}
	return node_new(dir->fs, fd, false, out);
}

static int host_open(struct vfs_node *dir, const char *path, const struct vfs_open *how,
		     struct vfs_node **out)
{
	const uint32_t changes = WASI_OFLAGS_CREAT | WASI_OFLAGS_EXCL | WASI_OFLAGS_TRUNC;
	int pathfd, err;

	if ((how->oflags & WASI_OFLAGS_DIRECTORY) && (how->oflags & changes))
		return -WASI_EINVAL;
	if (dir->fs->readonly && (how->write || (how->oflags & changes)))
		return -WASI_EROFS;
	if ((how->oflags & WASI_OFLAGS_CREAT) && (how->oflags & WASI_OFLAGS_EXCL))
		return open_create(dir, path, how, out);
	pathfd = resolve(host_of(dir)->fd, path, O_PATH | (how->follow ? 0 : O_NOFOLLOW), 0);
	if (pathfd == -WASI_ENOENT && (how->oflags & WASI_OFLAGS_CREAT))
		return open_create(dir, path, how, out);
	if (pathfd < 0)
		return pathfd;
	err = open_resolved(dir, pathfd, how, out);
	close(pathfd);
	return err;
}

static void host_close(struct vfs_node *node)
{
	struct host_node *n = host_of(node);

	close(n->fd);
	free(n->dirbuf);
	free(n);
}

static int64_t host_read(struct vfs_node *node, const struct iovec *iov, int n, uint64_t *off)
{
	ssize_t got = preadv(host_of(node)->fd, iov, n, (off_t)*off);

	if (got < 0)
		return host_err(errno);
	*off += (uint64_t)got;
	return got;
}

static int64_t host_write(struct vfs_node *node, const struct iovec *iov, int n, uint64_t *off,
			  bool append)
{
	int fd = host_of(node)->fd;
	ssize_t put;
	off_t end;

	if (node->fs->readonly)
		return -WASI_EROFS;
	if (!append) {
		put = pwritev(fd, iov, n, (off_t)*off);
		if (put < 0)
			return host_err(errno);
		*off += (uint64_t)put;
		return put;
	}
	/* At offset -1 the write moves the fd's own position, which then is where it ended. */
	put = pwritev2(fd, iov, n, -1, RWF_APPEND);
	if (put < 0)
		return host_err(errno);
	end = lseek(fd, 0, SEEK_CUR);
	if (end < 0)
		return host_err(errno);
	*off = (uint64_t)end;
	return put;
}

static int host_stat(struct vfs_node *node, struct vfs_stat *out)
{
	return stat_fd(host_of(node)->fd, out);
}

static int host_set_size(struct vfs_node *node, uint64_t size)
{
	if (node->fs->readonly)
		return -WASI_EROFS;
	if (size > INT64_MAX)
		return -WASI_EINVAL;
	return ftruncate(host_of(node)->fd, (off_t)size) < 0 ? host_err(errno) : 0;
}

static int host_set_times(struct vfs_node *node, uint64_t atim, uint64_t mtim, uint32_t fstflags)
{
	struct timespec ts[2];
	int err;

	if (node->fs->readonly)
		return -WASI_EROFS;
	err = times_of(atim, mtim, fstflags, ts);
	if (err)
		return err;
	return futimens(host_of(node)->fd, ts) < 0 ? host_err(errno) : 0;
}

static int host_sync(struct vfs_node *node, bool data_only)
{
	int fd = host_of(node)->fd;

	if (node->fs->readonly)
		return -WASI_EROFS;
	return (data_only ? fdatasync(fd) : fsync(fd)) < 0 ? host_err(errno) : 0;
}

static int host_allocate(struct vfs_node *node, uint64_t off, uint64_t len)
{
	int err;

	if (node->fs->readonly)
		return -WASI_EROFS;
	if (off > INT64_MAX || len > INT64_MAX)
		return -WASI_EINVAL;
	if (len > INT64_MAX - off)
		return -WASI_EFBIG;
	err = posix_fallocate(host_of(node)->fd, (off_t)off, (off_t)len);
	return err ? host_err(err) : 0;
}

/*
 * Cookies are getdents64's d_off values: seeking the directory to an entry's d_off reads on
 * from the entry after it. A call continuing where the last one stopped is served from the
 * entries read ahead; any other cookie seeks first.
 */
static int host_readdir(struct vfs_node *dir, uint64_t cookie, struct vfs_dirent *out)
{
	struct host_node *d = host_of(dir);
	struct dirent64 *e;
	ssize_t got;

	if (!d->dirbuf && !(d->dirbuf = malloc(DIRBUF_BYTES)))
		return -WASI_ENOMEM;
	if (!d->dirvalid || cookie != d->dircookie) {
		if (cookie > INT64_MAX)
			return -WASI_EINVAL;
		if (lseek(d->fd, (off_t)cookie, SEEK_SET) < 0)
			return host_err(errno);
		d->dirlen = d->dirpos = 0;
		d->dircookie = cookie;
		d->dirvalid = true;
	}
	if (d->dirpos == d->dirlen) {
		got = getdents64(d->fd, d->dirbuf, DIRBUF_BYTES);
		if (got < 0) {
			d->dirvalid = false;
			return host_err(errno);
		}
		if (got == 0)
			return 0;
		d->dirlen = (size_t)got;
		d->dirpos = 0;
	}
	e = (struct dirent64 *)(d->dirbuf + d->dirpos);
	d->dirpos += e->d_reclen;
	d->dircookie = (uint64_t)e->d_off;

	out->next = (uint64_t)e->d_off;
	out->ino = e->d_ino;
	out->namelen = (uint32_t)strlen(e->d_name);
	memcpy(out->name, e->d_name, out->namelen);
	out->filetype = filetype_of(DTTOIF(e->d_type));
	if (e->d_type == DT_UNKNOWN) {
		struct stat st;

		/* The one name inside this directory, not followed ("." and ".." are folders). */
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			out->filetype = WASI_FILETYPE_DIRECTORY;
		else if (fstatat(d->fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			out->filetype = filetype_of(st.st_mode);
	}
	return 1;
}

static int host_mkdir(struct vfs_node *dir, const char *path)
{
	struct last l;
	int err = open_last_to_change(dir, path, &l);

	if (err)
		return err == LAST_DOTS ? -WASI_EEXIST : err;
	err = mkdirat(l.parentfd, l.name, 0777) < 0 ? host_err(errno) : 0;
	close_last(&l);
	return err;
}

static int host_rmdir(struct vfs_node *dir, const char *path)
{
	struct last l;
	int err = open_last_to_change(dir, path, &l);

	if (err == LAST_DOTS)
		return strcmp(l.name, ".") ? -WASI_ENOTEMPTY : -WASI_EINVAL;
	if (err)
		return err;
	err = unlinkat(l.parentfd, l.name, AT_REMOVEDIR) < 0 ? host_err(errno) : 0;
	close_last(&l);
	return err;
}

static int host_unlink(struct vfs_node *dir, const char *path)
{
	struct last l;
	struct stat st;
	int err = open_last_to_change(dir, path, &l);

	if (err)
		return err == LAST_DOTS ? -WASI_EISDIR : err;
	if (!l.trailing_slash) {
		if (unlinkat(l.parentfd, l.name, 0) < 0)
			err = host_err(errno);
	} else if (fstatat(l.parentfd, l.name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		err = host_err(errno);
	} else { /* "name/" is never a file to unlink */
		err = S_ISDIR(st.st_mode) ? -WASI_EISDIR : -WASI_ENOTDIR;
	}
	close_last(&l);
	return err;
}

static int host_rename(struct vfs_node *from_dir, const char *from, struct vfs_node *to_dir,
		       const char *to)
{
	struct last src, dst = { .parentfd = -1 };
	struct stat st;
	int err = open_last_to_change(from_dir, from, &src);

	if (!err)
		err = open_last(host_of(to_dir), to, &dst);
	if (err == LAST_DOTS) {
		err = -WASI_EBUSY;
	} else if (!err && (src.trailing_slash || dst.trailing_slash)) {
		/* Trailing slashes ask for a folder. */
		if (fstatat(src.parentfd, src.name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			err = host_err(errno);
		else if (!S_ISDIR(st.st_mode))
			err = -WASI_ENOTDIR;
	}
	if (!err && renameat(src.parentfd, src.name, dst.parentfd, dst.name) < 0)
		err = host_err(errno);
	close_last(&src);
	close_last(&dst);
	return err;
}

/*
 * A followed source (or one with a trailing slash) is resolved whole, beneath from_dir, and
 * linked through its /proc/self/fd link; otherwise the name itself, a symlink included.
 */
static int host_link(struct vfs_node *from_dir, const char *from, bool follow,
		     struct vfs_node *to_dir, const char *to)
{
	struct last src = { .parentfd = -1 }, dst = { .parentfd = -1 };
	char proc[PROC_FD_PATH_BYTES];
	int srcfd = -1, err;

	if (from_dir->fs->readonly)
		return -WASI_EROFS;
	if (follow || (from[0] && from[strlen(from) - 1] == '/')) {
		srcfd = resolve(host_of(from_dir)->fd, from, O_PATH, 0);
		err = srcfd < 0 ? srcfd : 0;
	} else {
		err = open_last(host_of(from_dir), from, &src);
		if (err == LAST_DOTS)
			err = -WASI_EPERM; /* folders are never hard-linked */
	}
	if (!err) {
		err = open_last(host_of(to_dir), to, &dst);
		if (err == LAST_DOTS)
			err = -WASI_EEXIST;
		else if (!err && dst.trailing_slash)
			err = slash_create_error(&dst);
	}
	if (!err && srcfd >= 0) {
		proc_fd_path(proc, srcfd);
		if (linkat(AT_FDCWD, proc, dst.parentfd, dst.name, AT_SYMLINK_FOLLOW) < 0)
			err = host_err(errno);
	} else if (!err && linkat(src.parentfd, src.name, dst.parentfd, dst.name, 0) < 0) {
		err = host_err(errno);
	}
	if (srcfd >= 0)
		close(srcfd);
	close_last(&src);
	close_last(&dst);
	return err;
}

static int host_symlink(const char *target, struct vfs_node *dir, const char *path)
{
	struct last l;
	int err = open_last_to_change(dir, path, &l);

	if (err)
		return err == LAST_DOTS ? -WASI_EEXIST : err;
	if (l.trailing_slash)
		err = slash_create_error(&l);
	else if (symlinkat(target, l.parentfd, l.name) < 0)
		err = host_err(errno);
	close_last(&l);
	return err;
}

/* The link itself is opened (O_PATH, not followed) and read through its fd. */
static int host_readlink(struct vfs_node *dir, const char *path, char *buf, size_t len,
			 size_t *outlen)
{
	char target[PATH_MAX];
	ssize_t got;
	int fd = resolve(host_of(dir)->fd, path, O_PATH | O_NOFOLLOW, 0);

	if (fd < 0)
		return fd;
	got = readlinkat(fd, "", target, sizeof(target));
	close(fd);
	if (got < 0)
		return errno == ENOENT ? -WASI_EINVAL : host_err(errno); /* not a link */
	*outlen = (size_t)got < len ? (size_t)got : len;
	memcpy(buf, target, *outlen);
	return 0;
}

static int host_path_stat(struct vfs_node *dir, const char *path, bool follow,
			  struct vfs_stat *out)
{
	int fd = resolve(host_of(dir)->fd, path, O_PATH | (follow ? 0 : O_NOFOLLOW), 0);
	int err;

	if (fd < 0)
		return fd;
	err = stat_fd(fd, out);
	close(fd);
	return err;
}

static int host_path_set_times(struct vfs_node *dir, const char *path, bool follow,
			       uint64_t atim, uint64_t mtim, uint32_t fstflags)
{
	struct timespec ts[2];
	int fd, err;

	if (dir->fs->readonly)
		return -WASI_EROFS;
	err = times_of(atim, mtim, fstflags, ts);
	if (err)
		return err;
	fd = resolve(host_of(dir)->fd, path, O_PATH | (follow ? 0 : O_NOFOLLOW), 0);
	if (fd < 0)
		return fd;
	/* The resolved fd itself: a link found without follow gets its own times. */
	if (utimensat(fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		err = host_err(errno);
	close(fd);
	return err;
}

static void host_unmount(struct vfs *fs)
{
	free(fs);
}

static const struct vfs_ops host_ops = {
	.open = host_open,
	.close = host_close,
	.read = host_read,
	.write = host_write,
	.stat = host_stat,
	.set_size = host_set_size,
	.set_times = host_set_times,
	.sync = host_sync,
	.allocate = host_allocate,
	.readdir = host_readdir,
	.mkdir = host_mkdir,
	.rmdir = host_rmdir,
	.unlink = host_unlink,
	.rename = host_rename,
	.link = host_link,
	.symlink = host_symlink,
	.readlink = host_readlink,
	.path_stat = host_path_stat,
	.path_set_times = host_path_set_times,
	.unmount = host_unmount,
};

/* Checks that files can be resolved beneath rootfd and reopened: 0, or -1 with err set. */
static int check_host_support(const char *path, int rootfd, char *err, size_t errlen)
{
	int probe = resolve(rootfd, ".", O_PATH | O_DIRECTORY, 0);
	int fd;

	if (probe == -WASI_ENOSYS) {
		errbuf_set(err, errlen, "host folder %s: the kernel has no openat2 (Linux 5.6 or "
			   "later is needed to confine paths beneath the folder)", path);
		return -1;
	}
	if (probe < 0) {
		errbuf_set(err, errlen, "host folder %s: openat2 cannot resolve beneath it "
			   "(WASI errno %d)", path, -probe);
		return -1;
	}
	fd = reopen(probe, O_RDONLY | O_DIRECTORY);
	close(probe);
	if (fd < 0) {
		errbuf_set(err, errlen, "host folder %s: cannot reopen files through "
			   "/proc/self/fd (is procfs mounted?): %s", path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

struct vfs *vfs_host_mount(const char *path, bool readonly, struct vfs_node **root,
			   char *err, size_t errlen)
{
	struct vfs *fs;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		errbuf_set(err, errlen, "host folder %s: %s", path,
			   errno == ENOTDIR ? "not a folder" : strerror(errno));
		return NULL;
	}
	if (check_host_support(path, fd, err, errlen) < 0) {
		close(fd);
		return NULL;
	}
	fs = calloc(1, sizeof(*fs));
	if (!fs) {
		close(fd);
		errbuf_set(err, errlen, "host folder %s: out of memory", path);
		return NULL;
	}
	fs->ops = &host_ops;
	fs->readonly = readonly;
	if (node_new(fs, fd, true, root) < 0) {
		free(fs);
		errbuf_set(err, errlen, "host folder %s: out of memory", path);
		return NULL;
	}
	return fs;
}
