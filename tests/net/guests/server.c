/*
 * A cVM server on the listener its policy gives: "server tcp|tcp6 HOST PORT" or "server unix
 * PATH". Checks a non-blocking accept and poll, then echoes one client's message and shuts
 * down. "server block ..." instead waits in accept for a client that never comes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"

/* The address to bind from the arguments; returns its length, or 0 when they are wrong. */
static socklen_t address(int argc, char **argv, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (argc == 4 && !strcmp(argv[1], "tcp6")) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)atoi(argv[3]));
		if (inet_pton(AF_INET6, argv[2], &in6->sin6_addr) != 1)
			return 0;
		return sizeof(*in6);
	}
	if (argc == 4 && !strcmp(argv[1], "tcp")) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)atoi(argv[3]));
		if (inet_pton(AF_INET, argv[2], &in->sin_addr) != 1)
			return 0;
		return sizeof(*in);
	}
	if (argc == 3 && !strcmp(argv[1], "unix")) {
		struct sockaddr_un *un = (struct sockaddr_un *)ss;

		un->sun_family = AF_UNIX;
		snprintf(un->sun_path, sizeof(un->sun_path), "%s", argv[2]);
		return sizeof(*un);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage want, got, peer;
	socklen_t len, got_len = sizeof(got), peer_len = sizeof(peer);
	struct pollfd p;
	char buf[64];
	int one = 1, block = argc > 1 && !strcmp(argv[1], "block"), fd, conn, tcp;
	ssize_t n;

	len = address(argc - block, argv + block, &want);
	if (!len) {
		printf("usage: server [block] tcp|tcp6 HOST PORT | server [block] unix PATH\n");
		return 2;
	}
	tcp = want.ss_family != AF_UNIX;
	fd = socket(want.ss_family, SOCK_STREAM, 0);
	check(fd >= 0, "socket");
	check(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0, "SO_REUSEADDR");
	check(bind(fd, (struct sockaddr *)&want, len) == 0, "bind to the policy's listener");
	check(listen(fd, SOMAXCONN) == 0, "listen");
	if (block) {
		printf("BLOCKED\n");
		fflush(stdout);
		accept(fd, NULL, NULL);
		check(0, "accept returned");
		return 1;
	}
	check(getsockname(fd, (struct sockaddr *)&got, &got_len) == 0 &&
		      got.ss_family == want.ss_family,
	      "getsockname");
	/* The port is at the same place in both inet families. */
	if (tcp)
		check(((struct sockaddr_in *)&got)->sin_port ==
			      ((struct sockaddr_in *)&want)->sin_port,
		      "the listener's port");
	else
		check(!strcmp(((struct sockaddr_un *)&got)->sun_path, argv[2 + block]),
		      "the listener's path");
	/* As the host has it: a TCP listener is not connected (a unix one is EINVAL). */
	if (tcp)
		check_errno(recv(fd, buf, sizeof(buf), 0), ENOTCONN, "recv on the listener");

	/* Nobody has connected yet: a non-blocking accept and a zero poll say so. */
	check(fcntl(fd, F_SETFL, O_NONBLOCK) == 0, "O_NONBLOCK on the listener");
	check_errno(accept(fd, NULL, NULL), EAGAIN, "non-blocking accept with nobody waiting");
	check(fcntl(fd, F_SETFL, 0) == 0, "blocking again");
	p = (struct pollfd){.fd = fd, .events = POLLIN};
	check(poll(&p, 1, 0) == 0, "poll: the listener is not ready");
	printf("READY\n");
	fflush(stdout);

	check(poll(&p, 1, 30000) == 1 && (p.revents & POLLIN), "poll: a connection waits");
	conn = accept(fd, (struct sockaddr *)&peer, &peer_len);
	check(conn >= 0, "accept");
	check(peer.ss_family == want.ss_family, "the peer's address family");
	if (tcp)
		check(setsockopt(conn, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0,
		      "TCP_NODELAY");
	p = (struct pollfd){.fd = conn, .events = POLLIN};
	check(poll(&p, 1, 30000) == 1 && (p.revents & POLLIN), "poll: the connection has data");
	n = recv(conn, buf, 5, MSG_WAITALL);
	check(n == 5 && !memcmp(buf, "hello", 5), "recv hello");
	check(write(conn, buf, (size_t)n) == n, "write the echo");
	check(shutdown(conn, SHUT_WR) == 0, "shutdown SHUT_WR");
	check(read(conn, buf, sizeof(buf)) == 0, "read: the client closed");
	check(close(conn) == 0, "close the connection");
	check(close(fd) == 0, "close the listener");
	printf("server done: %d failures\n", failures());
	return failures();
}
