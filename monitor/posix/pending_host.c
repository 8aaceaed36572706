/* TRANSITIONAL (delete this file when fs_host.c lands): mounts are refused until then. */
#include <stdio.h>

#include "vfs.h"

struct vfs *vfs_host_mount(const char *path, bool readonly, struct vfs_node **root, char *err,
			   size_t errlen)
{
	(void)path, (void)readonly, (void)root;
	snprintf(err, errlen, "host folder mounts are not supported by this build yet");
	return NULL;
}
