/* A posix cVM's namespace from its YAML: the disk as "/", mounted folders, listening sockets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cvm.h"
#include "fdtable.h"
#include "libos.h"
#include "net.h"
#include "vfs.h"
#include "wasi_defs.h"

/* What a pre-opened folder may do, and hand down to what is opened through it. */
#define PREOPEN_RIGHTS                                                                        \
	(WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_ADVISE |         \
	 WASI_RIGHT_PATH_CREATE_DIRECTORY | WASI_RIGHT_PATH_CREATE_FILE |                     \
	 WASI_RIGHT_PATH_LINK_SOURCE | WASI_RIGHT_PATH_LINK_TARGET | WASI_RIGHT_PATH_OPEN |   \
	 WASI_RIGHT_FD_READDIR | WASI_RIGHT_PATH_READLINK | WASI_RIGHT_PATH_RENAME_SOURCE |   \
	 WASI_RIGHT_PATH_RENAME_TARGET | WASI_RIGHT_PATH_FILESTAT_GET |                       \
	 WASI_RIGHT_PATH_FILESTAT_SET_SIZE | WASI_RIGHT_PATH_FILESTAT_SET_TIMES |             \
	 WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FILESTAT_SET_TIMES |                      \
	 WASI_RIGHT_PATH_SYMLINK | WASI_RIGHT_PATH_REMOVE_DIRECTORY |                         \
	 WASI_RIGHT_PATH_UNLINK_FILE | WASI_RIGHT_POLL_FD_READWRITE)
#define PREOPEN_INHERITING (WASI_RIGHTS_ALL & ~(WASI_RIGHT_SOCK_SHUTDOWN | WASI_RIGHT_SOCK_ACCEPT))

/* Keeps fs among vm's mounts (unmounted at teardown) and pre-opens root at guest. */
static int preopen(struct cvm *vm, struct vfs *fs, struct vfs_node *root, const char *guest,
		   char *err, size_t errlen)
{
	struct fd_entry e = {.kind = FD_NODE, .rights = PREOPEN_RIGHTS,
			     .inheriting = PREOPEN_INHERITING};
	struct vfs **mounts = realloc(vm->mounts, (vm->nmounts + 1) * sizeof(*mounts));
	int fd;

	if (!mounts) {
		root->fs->ops->close(root);
		fs->ops->unmount(fs);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	vm->mounts = mounts;
	vm->mounts[vm->nmounts++] = fs;
	e.u.node = root;
	e.preopen = strdup(guest);
	fd = e.preopen ? fdt_install(vm, -1, &e) : -WASI_ENOMEM;
	if (fd < 0) {
		free(e.preopen);
		root->fs->ops->close(root);
		snprintf(err, errlen, "cannot pre-open %s: no descriptor free (limits.fds)", guest);
		return -1;
	}
	return 0;
}

int libos_setup(struct cvm *vm, const struct cfg_cvm *c, char *err, size_t errlen)
{
	struct vfs_node *root;
	struct vfs *fs;
	char why[256];
	size_t i;

	if (c->disk) {
		fs = vfs_ext2_mount(c->disk, false, &root, why, sizeof(why));
		if (!fs) {
			snprintf(err, errlen, "disk %s: %s", c->disk, why);
			return -1;
		}
		if (preopen(vm, fs, root, "/", err, errlen))
			return -1;
	}
	for (i = 0; i < c->nmounts; i++) {
		const struct cfg_mount *m = &c->mounts[i];

		fs = vfs_host_mount(m->host, m->readonly, &root, why, sizeof(why));
		if (!fs) {
			snprintf(err, errlen, "mount %s at %s: %s", m->host, m->guest, why);
			return -1;
		}
		if (preopen(vm, fs, root, m->guest, err, errlen))
			return -1;
	}
	return net_setup(vm, &c->net, err, errlen);
}

void libos_teardown(struct cvm *vm)
{
	size_t i;

	fdt_free(vm, vm->fds);
	vm->fds = NULL;
	for (i = 0; i < vm->nmounts; i++)
		vm->mounts[i]->ops->unmount(vm->mounts[i]);
	free(vm->mounts);
	vm->mounts = NULL;
	vm->nmounts = 0;
}
