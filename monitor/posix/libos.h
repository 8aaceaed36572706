/* A posix cVM's namespace from its YAML: the disk as "/", mounted folders, listening sockets. */
#ifndef IV_LIBOS_H
#define IV_LIBOS_H

#include <stddef.h>

struct cvm;
struct cfg_cvm;

/*
 * Mounts c's disk and folders and pre-opens them (fd 3 up: the disk as "/", then each mount
 * at its guest path, in order), then opens its listening sockets. Call after cvm_create,
 * before the cVM starts and before YAML streams are bound. 0, or -1 with a one-line reason
 * in err (everything set up so far is released by libos_teardown / cvm_destroy).
 */
int libos_setup(struct cvm *vm, const struct cfg_cvm *c, char *err, size_t errlen);

/* Closes every descriptor of vm and unmounts its file systems (flushing the disk image). */
void libos_teardown(struct cvm *vm);

#endif
