/* Guest library: BSD sockets over WASI sock_* and the intravisor net_* hostcalls. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <wasi/api.h>

#include <intravisor/abi.h>

#define IV_NET_HOSTCALL(name) \
	__attribute__((import_module(IV_IMPORT_MODULE), import_name(name)))

IV_NET_HOSTCALL(IV_HC_NET_SOCKET) int32_t iv_hc_net_socket(int32_t family, int32_t type);
IV_NET_HOSTCALL(IV_HC_NET_BIND) int32_t iv_hc_net_bind(int32_t fd, const void *addr,
						       uint32_t len);
IV_NET_HOSTCALL(IV_HC_NET_LISTEN) int32_t iv_hc_net_listen(int32_t fd, int32_t backlog);
IV_NET_HOSTCALL(IV_HC_NET_CONNECT) int32_t iv_hc_net_connect(int32_t fd, const void *addr,
							     uint32_t len);
IV_NET_HOSTCALL(IV_HC_NET_NAME) int32_t iv_hc_net_name(int32_t fd, int32_t peer, void *addr,
						       uint32_t *len);
IV_NET_HOSTCALL(IV_HC_NET_SETSOCKOPT) int32_t iv_hc_net_setsockopt(int32_t fd, int32_t level,
								   int32_t name,
								   const void *val,
								   uint32_t len);
IV_NET_HOSTCALL(IV_HC_NET_GETSOCKOPT) int32_t iv_hc_net_getsockopt(int32_t fd, int32_t level,
								   int32_t name, void *val,
								   uint32_t *len);

/* A hostcall's result as libc's: the value, or -1 with errno (WASI's numbers are libc's). */
static int result(int32_t rc)
{
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}

/* The numbers of <sys/socket.h> are the guest ABI's: a mismatch fails the build. */
_Static_assert(AF_INET == IV_AF_INET && AF_INET6 == IV_AF_INET6 && AF_UNIX == IV_AF_UNIX,
	       "address families");
_Static_assert(SOCK_STREAM == IV_SOCK_STREAM && SOCK_NONBLOCK == IV_SOCK_NONBLOCK,
	       "socket types");
_Static_assert(SOL_SOCKET == IV_SOL_SOCKET && IPPROTO_TCP == IV_IPPROTO_TCP, "option levels");

int socket(int domain, int type, int protocol)
{
	int kind = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);

	/* Only stream sockets: TCP for the inet families, the one protocol of unix sockets. */
	if (kind == SOCK_STREAM && protocol != 0 &&
	    !(protocol == IPPROTO_TCP && (domain == AF_INET || domain == AF_INET6))) {
		errno = EPROTONOSUPPORT;
		return -1;
	}
	return result(iv_hc_net_socket(domain, type & ~SOCK_CLOEXEC));
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	return result(iv_hc_net_bind(fd, addr, len));
}

int listen(int fd, int backlog)
{
	return result(iv_hc_net_listen(fd, backlog));
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	return result(iv_hc_net_connect(fd, addr, len));
}

/* NULL is a valid guest address (0): refuse it here, as the host's EFAULT would. */
static int name(int fd, int peer, struct sockaddr *addr, socklen_t *len)
{
	if (!addr || !len) {
		errno = EFAULT;
		return -1;
	}
	return result(iv_hc_net_name(fd, peer, addr, len));
}

int getsockname(int fd, struct sockaddr *restrict addr, socklen_t *restrict len)
{
	return name(fd, 0, addr, len);
}

int getpeername(int fd, struct sockaddr *restrict addr, socklen_t *restrict len)
{
	return name(fd, 1, addr, len);
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	return result(iv_hc_net_setsockopt(fd, level, name, val, len));
}

int getsockopt(int fd, int level, int name, void *restrict val, socklen_t *restrict len)
{
	return result(iv_hc_net_getsockopt(fd, level, name, val, len));
}

int accept4(int fd, struct sockaddr *restrict addr, socklen_t *restrict len, int flags)
{
	__wasi_fd_t conn;
	__wasi_errno_t err;

	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) {
		errno = EINVAL;
		return -1;
	}
	err = __wasi_sock_accept(fd, flags & SOCK_NONBLOCK ? __WASI_FDFLAGS_NONBLOCK : 0, &conn);
	if (err) {
		errno = err;
		return -1;
	}
	/* A peer gone already has no address to tell: the connection is still the caller's. */
	if (addr && len && iv_hc_net_name((int32_t)conn, 1, addr, len) < 0)
		*len = 0;
	return (int)conn;
}

int accept(int fd, struct sockaddr *restrict addr, socklen_t *restrict len)
{
	return accept4(fd, addr, len, 0);
}

/*
 * Runs a send or receive on fd made non-blocking for this call alone (MSG_DONTWAIT); cVM
 * programs are single-threaded, so no other call sees the change.
 */
static int dontwait_begin(int fd, int *old)
{
	*old = fcntl(fd, F_GETFL);
	if (*old < 0 || (*old & O_NONBLOCK))
		return *old < 0 ? -1 : 0;
	return fcntl(fd, F_SETFL, *old | O_NONBLOCK);
}

static void dontwait_end(int fd, int old)
{
	int saved = errno;

	if (!(old & O_NONBLOCK))
		fcntl(fd, F_SETFL, old);
	errno = saved;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	__wasi_ciovec_t iov = {buf, len};
	__wasi_errno_t err;
	size_t sent;
	int old;

	if (flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL)) {
		errno = EOPNOTSUPP;
		return -1;
	}
	if ((flags & MSG_DONTWAIT) && dontwait_begin(fd, &old))
		return -1;
	err = __wasi_sock_send(fd, &iov, 1, 0, &sent);
	if (flags & MSG_DONTWAIT)
		dontwait_end(fd, old);
	if (err) {
		errno = err;
		return -1;
	}
	return (ssize_t)sent;
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	__wasi_iovec_t iov = {buf, len};
	__wasi_roflags_t roflags;
	__wasi_errno_t err;
	size_t got;
	int old;

	if (flags & ~(MSG_PEEK | MSG_WAITALL | MSG_DONTWAIT)) {
		errno = EOPNOTSUPP;
		return -1;
	}
	if ((flags & MSG_DONTWAIT) && dontwait_begin(fd, &old))
		return -1;
	err = __wasi_sock_recv(fd, &iov, 1, flags & (MSG_PEEK | MSG_WAITALL), &got, &roflags);
	if (flags & MSG_DONTWAIT)
		dontwait_end(fd, old);
	if (err) {
		errno = err;
		return -1;
	}
	return (ssize_t)got;
}

/* Stream sockets only: the address of a connection-mode socket is ignored (POSIX). */
ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr,
	       socklen_t addrlen)
{
	(void)addr, (void)addrlen;
	return send(fd, buf, len, flags);
}

ssize_t recvfrom(int fd, void *restrict buf, size_t len, int flags,
		 struct sockaddr *restrict addr, socklen_t *restrict addrlen)
{
	ssize_t got = recv(fd, buf, len, flags);
	int saved = errno;

	if (got >= 0 && addr && addrlen && getpeername(fd, addr, addrlen)) {
		*addrlen = 0;
		errno = saved;
	}
	return got;
}
