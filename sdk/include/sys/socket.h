/* wasi-libc's <sys/socket.h> with what it hides or lacks: socket, bind, listen, connect, ... */
#ifndef IV_SDK_SYS_SOCKET_H
#define IV_SDK_SYS_SOCKET_H

#include <stddef.h>

#include <intravisor/abi.h>

/*
 * wasi-libc's sockaddr_storage (48 bytes) cannot hold a unix address: this one, of Linux's
 * size, takes its place (wasi-libc's functions never depend on its size).
 */
#ifndef __wasilibc___struct_sockaddr_storage_h
#define __wasilibc___struct_sockaddr_storage_h
#include <__typedef_sa_family_t.h>
struct sockaddr_storage {
	_Alignas(max_align_t) sa_family_t ss_family;
	char __ss_data[126];
};
#endif

#include_next <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The guest ABI's numbers (intravisor/abi.h), which the monitor understands. */
#define PF_UNSPEC AF_UNSPEC
#define PF_INET AF_INET
#define PF_INET6 AF_INET6
#define PF_UNIX AF_UNIX
#define AF_LOCAL AF_UNIX
#define PF_LOCAL AF_UNIX

#define SOMAXCONN 128

#define SO_REUSEADDR IV_SO_REUSEADDR
#define SO_ERROR IV_SO_ERROR
#define SO_SNDBUF IV_SO_SNDBUF
#define SO_RCVBUF IV_SO_RCVBUF
#define SO_KEEPALIVE IV_SO_KEEPALIVE
#define SO_LINGER IV_SO_LINGER
#define SO_REUSEPORT IV_SO_REUSEPORT
#define SO_ACCEPTCONN IV_SO_ACCEPTCONN
#define SO_RCVTIMEO IV_SO_RCVTIMEO
#define SO_SNDTIMEO IV_SO_SNDTIMEO

/* send and recv flags beside wasi-libc's MSG_PEEK and MSG_WAITALL. */
#define MSG_DONTWAIT 0x0040   /* this call does not wait, as if the socket were non-blocking */
#define MSG_NOSIGNAL 0x4000   /* accepted: the monitor never raises SIGPIPE */

int socket(int domain, int type, int protocol);
int bind(int fd, const struct sockaddr *addr, socklen_t len);
int listen(int fd, int backlog);
int connect(int fd, const struct sockaddr *addr, socklen_t len);
int getsockname(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict len);
int getpeername(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict len);
int setsockopt(int fd, int level, int name, const void *val, socklen_t len);
ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr,
	       socklen_t addrlen);
ssize_t recvfrom(int fd, void *__restrict buf, size_t len, int flags,
		 struct sockaddr *__restrict addr, socklen_t *__restrict addrlen);

#ifdef __cplusplus
}
#endif

#endif
