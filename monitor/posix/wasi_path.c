/* WASI path_* functions: names resolved beneath a folder descriptor by its file system. */
#include <stdlib.h>
#include <string.h>

#include "cvm.h"
#include "guestmem.h"
#include "rt.h"
#include "wasi.h"
#include "wasi_defs.h"
#include "wasi_util.h"

/* Rights that need the file opened for writing at the file system. */
#define RIGHTS_WRITING (WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ALLOCATE | \
			WASI_RIGHT_FD_FILESTAT_SET_SIZE | WASI_RIGHT_FD_DATASYNC)

/* A folder descriptor with the rights needed, and the path under it, loaded. */
static struct fd_entry *dir_and_path(struct cvm *vm, uint32_t fd, uint64_t need, uint32_t ptr,
				     uint32_t len, char *path, uint32_t *err)
{
	struct fd_entry *e = wasi_dir(vm, fd, need, err);

	if (e && (*err = wasi_load_path(vm, ptr, len, path)))
		return NULL;
	return e;
}

#define OPS(e) ((e)->u.node->fs->ops)

uint32_t Z_wasi_snapshot_preview1Z_path_open(struct cvm *vm, uint32_t fd, uint32_t lookup,
					     uint32_t path_ptr, uint32_t path_len,
					     uint32_t oflags, uint64_t rights,
					     uint64_t inheriting, uint32_t fdflags,
					     uint32_t out)
{
	const uint32_t known_oflags = WASI_OFLAGS_CREAT | WASI_OFLAGS_DIRECTORY |
				      WASI_OFLAGS_EXCL | WASI_OFLAGS_TRUNC;
	const uint32_t known_fdflags = WASI_FDFLAGS_APPEND | WASI_FDFLAGS_DSYNC |
				       WASI_FDFLAGS_NONBLOCK | WASI_FDFLAGS_RSYNC |
				       WASI_FDFLAGS_SYNC;
	char path[WASI_PATH_MAX + 1];
	struct fd_entry *dir, e = {.kind = FD_NODE};
	struct vfs_open how = {0};
	struct vfs_node *node;
	uint64_t need = WASI_RIGHT_PATH_OPEN;
	uint32_t err;
	int rc;

	rt_check_stack();
	if (oflags & WASI_OFLAGS_CREAT)
		need |= WASI_RIGHT_PATH_CREATE_FILE;
	if (oflags & WASI_OFLAGS_TRUNC)
		need |= WASI_RIGHT_PATH_FILESTAT_SET_SIZE;
	if (!(dir = dir_and_path(vm, fd, need, path_ptr, path_len, path, &err)))
		return err;
	if ((oflags & ~known_oflags) || (fdflags & ~known_fdflags) ||
	    (lookup & ~WASI_LOOKUPFLAGS_SYMLINK_FOLLOW))
		return WASI_EINVAL;
	/* What is opened holds no right its folder could not hand down. */
	if ((rights & ~dir->inheriting) || (inheriting & ~dir->inheriting))
		return WASI_ENOTCAPABLE;
	if (!gm_range(vm, out, 4))
		return WASI_EFAULT;
	how.oflags = oflags;
	/* The sync flags are kept by the descriptor: each write then syncs (wasi_fd.c). */
	how.fdflags = fdflags & ~(WASI_FDFLAGS_SYNC | WASI_FDFLAGS_DSYNC | WASI_FDFLAGS_RSYNC);
	how.follow = lookup & WASI_LOOKUPFLAGS_SYMLINK_FOLLOW;
	how.read = rights & (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_READDIR);
	how.write = (rights & RIGHTS_WRITING) || (fdflags & WASI_FDFLAGS_APPEND) ||
		    (oflags & WASI_OFLAGS_TRUNC);
	rc = OPS(dir)->open(dir->u.node, path, &how, &node);
	if (rc < 0)
		return wasi_err(rc);
	e.u.node = node;
	e.rights = rights;
	e.inheriting = inheriting;
	e.fdflags = (uint16_t)fdflags;
	rc = fdt_install(vm, -1, &e);
	if (rc < 0) {
		node->fs->ops->close(node);
		return wasi_err(rc);
	}
	gm_store_u32(vm, out, (uint32_t)rc);
	return WASI_ESUCCESS;
}

uint32_t Z_wasi_snapshot_preview1Z_path_create_directory(struct cvm *vm, uint32_t fd,
							 uint32_t ptr, uint32_t len)
{
	char path[WASI_PATH_MAX + 1];
	struct fd_entry *dir;
	uint32_t err;

	rt_check_stack();
	if (!(dir = dir_and_path(vm, fd, WASI_RIGHT_PATH_CREATE_DIRECTORY, ptr, len, path, &err)))
		return err;
	return wasi_err(OPS(dir)->mkdir(dir->u.node, path));
}

uint32_t Z_wasi_snapshot_preview1Z_path_remove_directory(struct cvm *vm, uint32_t fd,
							 uint32_t ptr, uint32_t len)
{
	char path[WASI_PATH_MAX + 1];
	struct fd_entry *dir;
	uint32_t err;

	rt_check_stack();
	if (!(dir = dir_and_path(vm, fd, WASI_RIGHT_PATH_REMOVE_DIRECTORY, ptr, len, path, &err)))
		return err;
	return wasi_err(OPS(dir)->rmdir(dir->u.node, path));
}

uint32_t Z_wasi_snapshot_preview1Z_path_unlink_file(struct cvm *vm, uint32_t fd, uint32_t ptr,
						    uint32_t len)
{
	char path[WASI_PATH_MAX + 1];
	struct fd_entry *dir;
	uint32_t err;

	rt_check_stack();
	if (!(dir = dir_and_path(vm, fd, WASI_RIGHT_PATH_UNLINK_FILE, ptr, len, path, &err)))
		return err;
	return wasi_err(OPS(dir)->unlink(dir->u.node, path));
}

uint32_t Z_wasi_snapshot_preview1Z_path_filestat_get(struct cvm *vm, uint32_t fd,
						     uint32_t lookup, uint32_t ptr,
						     uint32_t len, uint32_t out)
{
	char path[WASI_PATH_MAX + 1];
	uint8_t rec[WASI_FILESTAT_BYTES];
	struct fd_entry *dir;
	struct vfs_stat st;
	uint32_t err;
	int rc;

	rt_check_stack();
	if (!(dir = dir_and_path(vm, fd, WASI_RIGHT_PATH_FILESTAT_GET, ptr, len, path, &err)))
		return err;
	if (!gm_range(vm, out, sizeof(rec)))
		return WASI_EFAULT;
	rc = OPS(dir)->path_stat(dir->u.node, path, lookup & WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, &st);
	if (rc < 0)
		return wasi_err(rc);
	wasi_put_filestat(rec, &st);
	gm_store(vm, out, rec, sizeof(rec));
	return WASI_ESUCCESS;
}

uint32_t Z_wasi_snapshot_preview1Z_path_filestat_set_times(struct cvm *vm, uint32_t fd,
							   uint32_t lookup, uint32_t ptr,
							   uint32_t len, uint64_t atim,
							   uint64_t mtim, uint32_t fstflags)
{
	char path[WASI_PATH_MAX + 1];
	struct fd_entry *dir;
	uint32_t err;

	rt_check_stack();
	if (!(dir = dir_and_path(vm, fd, WASI_RIGHT_PATH_FILESTAT_SET_TIMES, ptr, len, path,
				 &err)))
		return err;
	if (!wasi_fstflags_valid(fstflags))
		return WASI_EINVAL;
	return wasi_err(OPS(dir)->path_set_times(dir->u.node, path,
						 lookup & WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, atim,
						 mtim, fstflags));
}

uint32_t Z_wasi_snapshot_preview1Z_path_readlink(struct cvm *vm, uint32_t fd, uint32_t ptr,
						 uint32_t len, uint32_t buf, uint32_t buf_len,
						 uint32_t bufused)
{
	char path[WASI_PATH_MAX + 1];
	struct fd_entry *dir;
	size_t got = 0;
	uint32_t err;
	char *out;
	int rc;

	rt_check_stack();
	if (!(dir = dir_and_path(vm, fd, WASI_RIGHT_PATH_READLINK, ptr, len, path, &err)))
		return err;
	out = gm_range(vm, buf, buf_len);
	if (!out || !gm_range(vm, bufused, 4))
		return WASI_EFAULT;
	/* The target is cut at the buffer's end, as readlink(2) does. */
	rc = OPS(dir)->readlink(dir->u.node, path, out, buf_len, &got);
	if (rc < 0)
		return wasi_err(rc);
	gm_store_u32(vm, bufused, (uint32_t)got);
	return WASI_ESUCCESS;
}

uint32_t Z_wasi_snapshot_preview1Z_path_symlink(struct cvm *vm, uint32_t target_ptr,
						uint32_t target_len, uint32_t fd, uint32_t ptr,
						uint32_t len)
{
	char target[WASI_PATH_MAX + 1], path[WASI_PATH_MAX + 1];
	struct fd_entry *dir;
	uint32_t err;

	rt_check_stack();
	if (!(dir = dir_and_path(vm, fd, WASI_RIGHT_PATH_SYMLINK, ptr, len, path, &err)))
		return err;
	if ((err = wasi_load_path(vm, target_ptr, target_len, target)))
		return err;
	/* The link is stored as written: following it later is what resolution confines. */
	return wasi_err(OPS(dir)->symlink(target, dir->u.node, path));
}

/* Two folders for an operation naming a path under each: one file system, else EXDEV. */
static uint32_t two_dirs(struct cvm *vm, uint32_t fd1, uint64_t need1, uint32_t p1,
			 uint32_t l1, char *path1, uint32_t fd2, uint64_t need2, uint32_t p2,
			 uint32_t l2, char *path2, struct fd_entry **d1, struct fd_entry **d2)
{
	uint32_t err;

	if (!(*d1 = dir_and_path(vm, fd1, need1, p1, l1, path1, &err)))
		return err;
	if (!(*d2 = dir_and_path(vm, fd2, need2, p2, l2, path2, &err)))
		return err;
	if ((*d1)->u.node->fs != (*d2)->u.node->fs)
		return WASI_EXDEV;
	return WASI_ESUCCESS;
}

uint32_t Z_wasi_snapshot_preview1Z_path_rename(struct cvm *vm, uint32_t fd, uint32_t ptr,
					       uint32_t len, uint32_t new_fd, uint32_t new_ptr,
					       uint32_t new_len)
{
	char from[WASI_PATH_MAX + 1], to[WASI_PATH_MAX + 1];
	struct fd_entry *d1, *d2;
	uint32_t err;

	rt_check_stack();
	err = two_dirs(vm, fd, WASI_RIGHT_PATH_RENAME_SOURCE, ptr, len, from, new_fd,
		       WASI_RIGHT_PATH_RENAME_TARGET, new_ptr, new_len, to, &d1, &d2);
	if (err)
		return err;
	return wasi_err(OPS(d1)->rename(d1->u.node, from, d2->u.node, to));
}

uint32_t Z_wasi_snapshot_preview1Z_path_link(struct cvm *vm, uint32_t fd, uint32_t lookup,
					     uint32_t ptr, uint32_t len, uint32_t new_fd,
					     uint32_t new_ptr, uint32_t new_len)
{
	char from[WASI_PATH_MAX + 1], to[WASI_PATH_MAX + 1];
	struct fd_entry *d1, *d2;
	uint32_t err;

	rt_check_stack();
	err = two_dirs(vm, fd, WASI_RIGHT_PATH_LINK_SOURCE, ptr, len, from, new_fd,
		       WASI_RIGHT_PATH_LINK_TARGET, new_ptr, new_len, to, &d1, &d2);
	if (err)
		return err;
	return wasi_err(OPS(d1)->link(d1->u.node, from, lookup & WASI_LOOKUPFLAGS_SYMLINK_FOLLOW,
				      d2->u.node, to));
}
