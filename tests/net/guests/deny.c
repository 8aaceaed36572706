/*
 * What the policy refuses, and what no socket call accepts: "deny LISTEN_PORT CONNECT_PORT
 * OTHER_PORT FILE" under a policy listening on 127.0.0.1:LISTEN_PORT and allowed to connect
 * to 127.0.0.1:CONNECT_PORT (FILE: a file it can open); "deny none" for a cVM without `net:`.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"

static struct sockaddr_in address(const char *host, int port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, host, &a.sin_addr);
	return a;
}

/* Descriptors that are no socket, or not open at all. */
static void not_sockets(void)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char buf[4];

	check_errno(recv(1, buf, sizeof(buf), 0), ENOTSOCK, "recv on stdout");
	check_errno(send(0, "x", 1, 0), ENOTSOCK, "send on stdin");
	check_errno(accept(2, NULL, NULL), ENOTSOCK, "accept on stderr");
	check_errno(shutdown(1, SHUT_RD), ENOTSOCK, "shutdown on stdout");
	check_errno(recv(99, buf, sizeof(buf), 0), EBADF, "recv on a descriptor not open");
	check_errno(listen(99, 1), EBADF, "listen on a descriptor not open");
	check_errno(getsockname(1, (struct sockaddr *)&ss, &len), ENOTSOCK,
		    "getsockname on stdout");
}

/* Only literal addresses and port numbers: no DNS, no service names. */
static void no_names(void)
{
	struct addrinfo *res;

	check(getaddrinfo("example.com", "80", NULL, &res) == EAI_NONAME, "getaddrinfo: no DNS");
	check(getaddrinfo("127.0.0.1", "http", NULL, &res) == EAI_SERVICE,
	      "getaddrinfo: no service names");
}

static void no_policy(void)
{
	struct sockaddr_in a = address("127.0.0.1", 80);

	check_errno(socket(AF_INET, SOCK_STREAM, 0), EACCES, "socket AF_INET without net:");
	check_errno(socket(AF_INET6, SOCK_STREAM, 0), EACCES, "socket AF_INET6 without net:");
	check_errno(socket(AF_UNIX, SOCK_STREAM, 0), EACCES, "socket AF_UNIX without net:");
	check_errno(bind(1, (struct sockaddr *)&a, sizeof(a)), ENOTSOCK, "bind on stdout");
	not_sockets();
}

int main(int argc, char **argv)
{
	struct sockaddr_in a;
	struct sockaddr_un un;
	socklen_t len;
	int fd, ufd, file, v = 1;
	char buf[4];

	if (argc == 2 && !strcmp(argv[1], "none")) {
		no_policy();
		printf("deny done: %d failures\n", failures());
		return failures();
	}
	if (argc != 5) {
		printf("usage: deny LISTEN_PORT CONNECT_PORT OTHER_PORT FILE | deny none\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	check(fd >= 0, "socket");

	a = address("127.0.0.1", atoi(argv[3]));
	check_errno(bind(fd, (struct sockaddr *)&a, sizeof(a)), EACCES, "bind to another port");
	a = address("127.0.0.2", atoi(argv[1]));
	check_errno(bind(fd, (struct sockaddr *)&a, sizeof(a)), EACCES,
		    "bind to the listener's port on another address");
	check_errno(listen(fd, 1), EACCES, "listen without a policy listener");
	check_errno(connect(fd, (struct sockaddr *)&a, sizeof(a)), EACCES,
		    "connect to an address outside the policy");
	a = address("127.0.0.1", atoi(argv[3]));
	check_errno(connect(fd, (struct sockaddr *)&a, sizeof(a)), EACCES,
		    "connect to a port outside the policy");
	a = address("10.0.0.1", atoi(argv[2]));
	check_errno(connect(fd, (struct sockaddr *)&a, sizeof(a)), EACCES,
		    "connect to the allowed port on another host");
	ufd = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	strcpy(un.sun_path, "/tmp/not-in-policy.sock");
	check_errno(connect(ufd, (struct sockaddr *)&un, sizeof(un)), EACCES,
		    "connect to a unix path outside the policy");
	check_errno(bind(ufd, (struct sockaddr *)&un, sizeof(un)), EACCES,
		    "bind to a unix path outside the policy");

	/* Pointers outside the cVM's memory. */
	check_errno(bind(fd, (struct sockaddr *)(uintptr_t)0xfffffff0u, 16), EFAULT,
		    "bind with an address outside memory");
	check_errno(connect(fd, (struct sockaddr *)(uintptr_t)0xfffffff0u, 16), EFAULT,
		    "connect with an address outside memory");
	len = sizeof(a);
	check_errno(getsockname(fd, (struct sockaddr *)(uintptr_t)0xfffffff0u, &len), EFAULT,
		    "getsockname into memory not the cVM's");
	check_errno(setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, (void *)(uintptr_t)0xfffffffeu, 4),
		    EFAULT, "setsockopt with a value outside memory");

	/* What is not supported is refused by name. */
	no_names();
	check_errno(socket(AF_INET, SOCK_DGRAM, 0), EPROTONOSUPPORT, "no datagram sockets");
	check_errno(socket(AF_INET, SOCK_STREAM, 17), EPROTONOSUPPORT, "no other protocol");
	check_errno(socket(99, SOCK_STREAM, 0), EAFNOSUPPORT, "no other address family");
	check_errno(setsockopt(fd, SOL_SOCKET, 1234, &v, sizeof(v)), ENOPROTOOPT,
		    "an unknown option");
	check_errno(shutdown(fd, 7), EINVAL, "shutdown with unknown flags");
	check_errno(shutdown(fd, SHUT_RDWR), ENOTCONN, "shutdown before connecting");
	not_sockets();
	file = open(argv[4], O_RDONLY);
	check(file >= 0, "open a file");
	check_errno(recv(file, buf, sizeof(buf), 0), ENOTSOCK, "recv on a file");
	check_errno(accept(file, NULL, NULL), ENOTSOCK, "accept on a file");
	check_errno(connect(file, (struct sockaddr *)&a, sizeof(a)), ENOTSOCK, "connect on a file");
	check(close(fd) == 0 && close(ufd) == 0 && close(file) == 0, "close");
	printf("deny done: %d failures\n", failures());
	return failures();
}
