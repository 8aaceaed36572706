/* Sockets of posix cVMs, by the network policy the YAML gives (`net:`). */
#ifndef IV_NET_H
#define IV_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

struct cvm;
struct cfg_net;
struct fd_entry;
struct net_sock; /* a host socket and what the policy knows of it (net.c) */

/*
 * Opens the listening sockets the policy names and installs each as a descriptor of vm
 * (after its pre-opened folders), before vm starts. 0, or -1 with a one-line reason in err
 * (e.g. the address is in use). vm keeps net as its policy (vm->net), so net must outlive
 * vm; a cVM never given one may do nothing with sockets.
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

/*
 * ---- The guest's socket calls: wasi_sock.c decodes and checks arguments, these act ----
 * Each returns a result >= 0 or a negated WASI errno. s is the socket open at a descriptor
 * of vm, fdflags that descriptor's flags. Addresses are host ones. A call that waits checks
 * afterwards that s is still open at a descriptor of vm (a call into vm while it waited may
 * have closed it: -EBADF) and that the host iovecs still lie in vm's memory (-EFAULT).
 */

/* The longest option value, in bytes. */
#define NET_OPT_MAX 16

/* A new unbound socket of host family (AF_INET, AF_INET6, AF_UNIX) at a new descriptor. */
int net_socket(struct cvm *vm, int family, uint16_t fdflags);

/* bind: e's socket becomes the policy's listener at a (-EACCES when there is none). */
int net_bind(struct cvm *vm, struct fd_entry *e, const struct sockaddr *a);
int net_listen(struct cvm *vm, const struct net_sock *s);

/* connect, by the policy's connect list. */
int net_connect(struct cvm *vm, struct net_sock *s, uint16_t fdflags, const struct sockaddr *a,
		socklen_t len);

/* A connection from listener s at a new descriptor with fdflags (WASI sock_accept). */
int net_accept(struct cvm *vm, struct net_sock *s, uint16_t fdflags, uint16_t new_fdflags);

/*
 * Receives (flags: MSG_PEEK, MSG_WAITALL) or sends into / from iov, which the call may
 * change; *truncated tells a cut datagram (never, for streams).
 */
int64_t net_recv(struct cvm *vm, struct net_sock *s, uint16_t fdflags, struct iovec *iov,
		 int n, int flags, bool *truncated);
int64_t net_send(struct cvm *vm, struct net_sock *s, uint16_t fdflags, struct iovec *iov,
		 int n);

/* shutdown (SHUT_RD, SHUT_WR, SHUT_RDWR); the local or peer address. */
int net_shutdown(struct net_sock *s, int how);
int net_name(const struct net_sock *s, bool peer, struct sockaddr_storage *out,
	     socklen_t *len);

/*
 * Socket options, by the guest ABI's levels, names and value layouts (intravisor/abi.h):
 * val holds len bytes; getsockopt writes at most NET_OPT_MAX bytes and sets *len.
 */
int net_setsockopt(struct net_sock *s, int level, int name, const uint8_t *val, uint32_t len);
int net_getsockopt(struct net_sock *s, int level, int name, uint8_t *val, uint32_t *len);

/* The intravisor net_* hostcalls (wasi_sock.c; intravisor/abi.h tells what each does). */
uint32_t Z_intravisorZ_net_socket(struct cvm *vm, uint32_t, uint32_t);
uint32_t Z_intravisorZ_net_bind(struct cvm *vm, uint32_t, uint32_t, uint32_t);
uint32_t Z_intravisorZ_net_listen(struct cvm *vm, uint32_t, uint32_t);
uint32_t Z_intravisorZ_net_connect(struct cvm *vm, uint32_t, uint32_t, uint32_t);
uint32_t Z_intravisorZ_net_name(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t Z_intravisorZ_net_setsockopt(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint32_t,
				      uint32_t);
uint32_t Z_intravisorZ_net_getsockopt(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint32_t,
				      uint32_t);

#endif
