/* The libOS file-system interface: one set of operations, served by an ext4 image or a host folder. */
#ifndef IV_VFS_H
#define IV_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/*
 * A mounted file system (struct vfs) is one backend instance: an ext4 image opened with
 * libext2fs (fs_ext2.c) or a confined host folder (fs_host.c). A node (struct vfs_node) is
 * an open file or directory of one file system, as the fd table holds it.
 *
 * Rules every backend keeps:
 * - Paths are relative to a directory node and '/'-separated. An empty path is
 *   -WASI_ENOENT; a leading '/' is -WASI_ENOTCAPABLE. Resolution never leaves the
 *   directory node it starts from (as openat2's RESOLVE_BENEATH): a "..", or a symbolic
 *   link (relative or absolute), that would climb above it fails with -WASI_ENOTCAPABLE,
 *   whatever a host process does to the folder meanwhile (renames, symlink swaps).
 *   ".." inside it goes to the parent as usual ("a/../b" is "b").
 * - Symbolic links are followed in intermediate components always, and in the last
 *   component only with follow (WASI_LOOKUPFLAGS_SYMLINK_FOLLOW); at most 40 links are
 *   followed per resolution (-WASI_ELOOP past that).
 * - Every function returns 0 (or a count, for read/write) on success and a negated WASI
 *   errno (wasi_defs.h) on failure: never a host errno.
 * - A read-only file system refuses every change with -WASI_EROFS.
 * - Calls for one file system come from one thread at a time (the cVM's), so a backend
 *   needs no locks of its own. Nodes are freed only through close.
 * - Timestamps are nanoseconds since the Unix epoch.
 */

struct vfs;
struct vfs_node;

struct vfs_stat {
	uint64_t dev;
	uint64_t ino;
	uint8_t filetype; /* enum wasi_filetype */
	uint64_t nlink;
	uint64_t size;
	uint64_t atim, mtim, ctim;
};

struct vfs_dirent {
	uint64_t next; /* the cookie that continues after this entry */
	uint64_t ino;
	uint8_t filetype;
	uint32_t namelen;
	char name[256]; /* not NUL-terminated beyond namelen */
};

/* How path_open opens: WASI oflags, fdflags, lookup flags, and the access wanted. */
struct vfs_open {
	uint32_t oflags;  /* WASI_OFLAGS_CREAT / DIRECTORY / EXCL / TRUNC */
	uint32_t fdflags; /* WASI_FDFLAGS_*: APPEND is kept by the caller; SYNC kinds honoured */
	bool follow;      /* WASI_LOOKUPFLAGS_SYMLINK_FOLLOW on the last component */
	bool read, write; /* access wanted (from the rights asked for) */
};

struct vfs_ops {
	/* Opens path under dir. A directory opens only without write (-WASI_EISDIR). */
	int (*open)(struct vfs_node *dir, const char *path, const struct vfs_open *how,
		    struct vfs_node **out);
	void (*close)(struct vfs_node *node);

	/* Reads or writes at *off and advances it by the bytes moved; append writes at the
	 * end (and leaves *off there). Returns the bytes moved or a negated errno. */
	int64_t (*read)(struct vfs_node *node, const struct iovec *iov, int n, uint64_t *off);
	int64_t (*write)(struct vfs_node *node, const struct iovec *iov, int n, uint64_t *off,
			 bool append);

	int (*stat)(struct vfs_node *node, struct vfs_stat *out);
	int (*set_size)(struct vfs_node *node, uint64_t size);
	/* fstflags as WASI defines them (ATIM, ATIM_NOW, MTIM, MTIM_NOW). */
	int (*set_times)(struct vfs_node *node, uint64_t atim, uint64_t mtim, uint32_t fstflags);
	int (*sync)(struct vfs_node *node, bool data_only);
	int (*allocate)(struct vfs_node *node, uint64_t off, uint64_t len);

	/* The entry at cookie (0: the first, "." and ".." included) into *out: 1, or 0 at the
	 * end, or a negated errno. */
	int (*readdir)(struct vfs_node *dir, uint64_t cookie, struct vfs_dirent *out);

	int (*mkdir)(struct vfs_node *dir, const char *path);
	int (*rmdir)(struct vfs_node *dir, const char *path);
	int (*unlink)(struct vfs_node *dir, const char *path);
	/* Both nodes belong to this file system (the caller refuses others with EXDEV). */
	int (*rename)(struct vfs_node *from_dir, const char *from, struct vfs_node *to_dir,
		      const char *to);
	int (*link)(struct vfs_node *from_dir, const char *from, bool follow,
		    struct vfs_node *to_dir, const char *to);
	int (*symlink)(const char *target, struct vfs_node *dir, const char *path);
	/* Copies at most len bytes of the target (no NUL) and sets *outlen. */
	int (*readlink)(struct vfs_node *dir, const char *path, char *buf, size_t len,
			size_t *outlen);
	int (*path_stat)(struct vfs_node *dir, const char *path, bool follow,
			 struct vfs_stat *out);
	int (*path_set_times)(struct vfs_node *dir, const char *path, bool follow,
			      uint64_t atim, uint64_t mtim, uint32_t fstflags);

	/* Flushes and releases the whole file system (after every node is closed). */
	void (*unmount)(struct vfs *fs);
};

/* Common head of every backend's file system and node (backends extend them). */
struct vfs {
	const struct vfs_ops *ops;
	bool readonly;
};

struct vfs_node {
	struct vfs *fs;
	bool is_dir;
};

/*
 * Mounting. Each returns a file system and its root directory node (open), or NULL with a
 * one-line reason in err.
 * - vfs_ext2_mount: the ext4 (or ext2/3) image at path, read-write unless readonly; the
 *   image is locked (flock) against a second writer, in this process or another.
 * - vfs_host_mount: the host folder at path, confined beneath it.
 */
struct vfs *vfs_ext2_mount(const char *path, bool readonly, struct vfs_node **root,
			   char *err, size_t errlen);
struct vfs *vfs_host_mount(const char *path, bool readonly, struct vfs_node **root,
			   char *err, size_t errlen);

#endif
