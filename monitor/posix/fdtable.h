/* A posix cVM's file descriptors: console, stream ends, files and folders, sockets. */
#ifndef IV_FDTABLE_H
#define IV_FDTABLE_H

#include <stdbool.h>
#include <stdint.h>

struct cvm;
struct vfs_node;
struct net_sock;

enum fd_kind {
	FD_CONSOLE, /* the monitor's stdio: console is 0, 1 or 2 */
	FD_STREAM,  /* a CAP_STREAM end: stream is the capability handle */
	FD_NODE,    /* a file or folder of a mounted file system */
	FD_SOCKET,  /* a host socket the network policy allowed */
};

struct fd_entry {
	enum fd_kind kind;
	uint64_t rights;     /* WASI rights of the descriptor itself */
	uint64_t inheriting; /* rights that descriptors opened through it may have */
	uint16_t fdflags;    /* WASI_FDFLAGS_* */
	uint64_t offset;     /* FD_NODE files: the position fd_read/fd_write use */
	union {
		int console;
		int stream;
		struct vfs_node *node;
		struct net_sock *sock;
	} u;
	char *preopen;       /* a pre-opened folder's guest path (owned), else NULL */
};

/*
 * The table belongs to one cVM. Only code running for that cVM (its thread, or a call into
 * it under its run lock) or the monitor before it starts touches it, so it takes no lock.
 * Descriptors are 0 .. limit - 1; the table grows as needed.
 *
 * fdt_new makes a table holding the console's 0, 1 and 2 (limit: descriptors allowed,
 * stdio included; 0 means IV_FDS_DEFAULT). fdt_free closes everything left.
 */
struct fdtable *fdt_new(uint32_t limit);
void fdt_free(struct cvm *vm, struct fdtable *t);

/* The entry open at fd, or NULL. Valid until that descriptor is closed or renumbered. */
struct fd_entry *fdt_get(struct cvm *vm, uint32_t fd);

/*
 * Installs a copy of *e at fd, or with fd < 0 at the lowest free descriptor >= 3, taking
 * ownership of what it refers to (node, socket, handle, preopen string) only on success.
 * Returns the descriptor or a negated WASI errno: EMFILE past the limit, EEXIST when fd is
 * taken, EBADF for a number past the largest allowed (IV_FDS_MAX).
 */
int fdt_install(struct cvm *vm, int fd, const struct fd_entry *e);

/* Closes fd and releases what it refers to: 0 or -WASI_EBADF. */
int fdt_close(struct cvm *vm, uint32_t fd);

/* Moves from onto to, closing what to held (WASI fd_renumber): 0 or -WASI_EBADF. */
int fdt_renumber(struct cvm *vm, uint32_t from, uint32_t to);

/*
 * Binds a stream end (handle h) to fd, or the lowest free >= 3 when fd < 0, with the
 * rights its direction allows; one descriptor per handle (-WASI_EEXIST for a second).
 */
int fdt_bind_stream(struct cvm *vm, int fd, int h);

/* The number of descriptors open, for tests and limits. */
uint32_t fdt_count(struct cvm *vm);

#endif
