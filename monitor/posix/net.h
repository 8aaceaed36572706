/* Sockets of posix cVMs, by the network policy the YAML gives (`net:`). */
#ifndef IV_NET_H
#define IV_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct cvm;
struct cfg_net;
struct fd_entry;
struct net_sock; /* a host socket and what the policy knows of it (net.c) */

/*
 * Opens the listening sockets the policy names and installs each as a descriptor of vm
 * (after its pre-opened folders), before vm starts. 0, or -1 with a one-line reason in err
 * (e.g. the address is in use).
 */
int net_setup(struct cvm *vm, const struct cfg_net *net, char *err, size_t errlen);

/* The host descriptor (for poll), its WASI filetype, and closing (fdtable.c calls it). */
int net_sock_fd(const struct net_sock *s);
uint8_t net_sock_filetype(const struct net_sock *s);
void net_sock_close(struct net_sock *s);

/*
 * fd_read / fd_write on a socket descriptor: moves bytes, waiting (hostio_wait) unless the
 * descriptor is non-blocking. Returns the bytes moved or a negated WASI errno.
 */
int64_t net_sock_io(struct cvm *vm, struct fd_entry *e, const struct iovec *iov, int n,
		    bool write);

#endif
