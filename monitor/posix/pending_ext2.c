/* TRANSITIONAL (delete this file when fs_ext2.c lands): disks are refused until then. */
#include <stdio.h>

#include "vfs.h"

struct vfs *vfs_ext2_mount(const char *path, bool readonly, struct vfs_node **root, char *err,
			   size_t errlen)
{
	(void)path, (void)readonly, (void)root;
	snprintf(err, errlen, "ext4 disk images are not supported by this build yet");
	return NULL;
}
