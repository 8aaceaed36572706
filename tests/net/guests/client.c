/*
 * A cVM client: "client HOST PORT DENIED_PORT". Connects (blocking, then non-blocking) to the
 * host server its policy allows, exchanges ping/pong; a port outside the policy is refused.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"

static struct sockaddr_in address(const char *host, const char *port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)atoi(port));
	inet_pton(AF_INET, host, &a.sin_addr);
	return a;
}

/* The same server through getaddrinfo, and its address back through getnameinfo. */
static void resolved(const char *host, const char *port)
{
	struct addrinfo hints, *res = NULL;
	char name[NI_MAXHOST], serv[NI_MAXSERV];
	int fd;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	check(getaddrinfo(host, port, &hints, &res) == 0 && res && !res->ai_next,
	      "getaddrinfo of a literal");
	if (!res)
		return;
	fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
	check(fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) == 0,
	      "connect to getaddrinfo's address");
	check(getnameinfo(res->ai_addr, res->ai_addrlen, name, sizeof(name), serv, sizeof(serv),
			  NI_NUMERICHOST | NI_NUMERICSERV) == 0 &&
		      !strcmp(name, host) && !strcmp(serv, port),
	      "getnameinfo");
	check(send(fd, "bye!", 4, 0) == 4 && close(fd) == 0, "send and close");
	freeaddrinfo(res);
}

int main(int argc, char **argv)
{
	struct sockaddr_in to, denied, peer;
	socklen_t peer_len = sizeof(peer), err_len = sizeof(int);
	struct timeval wait = {.tv_sec = 0, .tv_usec = 200000};
	struct pollfd p;
	char buf[8];
	int one = 1, fd, fd2, err = -1, rc;

	if (argc != 4) {
		printf("usage: client HOST PORT DENIED_PORT\n");
		return 2;
	}
	to = address(argv[1], argv[2]);
	denied = address(argv[1], argv[3]);

	fd = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	check(fd >= 0, "socket");
	check_errno(connect(fd, (struct sockaddr *)&denied, sizeof(denied)), EACCES,
		    "connect to a port outside the policy");
	check(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0, "TCP_NODELAY");
	check(setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) == 0, "SO_KEEPALIVE");
	check(connect(fd, (struct sockaddr *)&to, sizeof(to)) == 0, "connect (blocking)");
	check(getpeername(fd, (struct sockaddr *)&peer, &peer_len) == 0 &&
		      peer.sin_port == to.sin_port && peer.sin_addr.s_addr == to.sin_addr.s_addr,
	      "getpeername");
	check(send(fd, "ping", 4, MSG_NOSIGNAL) == 4, "send ping");
	check(recv(fd, buf, 4, MSG_WAITALL) == 4 && !memcmp(buf, "pong", 4), "recv pong");
	check(shutdown(fd, SHUT_RDWR) == 0, "shutdown SHUT_RDWR");
	check(close(fd) == 0, "close");

	/* Non-blocking: in progress (or done at once), then writable with no error. */
	fd2 = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	check(fd2 >= 0, "socket SOCK_NONBLOCK");
	rc = connect(fd2, (struct sockaddr *)&to, sizeof(to));
	check(rc == 0 || errno == EINPROGRESS, "connect (non-blocking)");
	p = (struct pollfd){.fd = fd2, .events = POLLOUT};
	check(poll(&p, 1, 30000) == 1 && (p.revents & POLLOUT), "poll: connected");
	check(getsockopt(fd2, SOL_SOCKET, SO_ERROR, &err, &err_len) == 0 && err == 0,
	      "SO_ERROR is 0");
	/* The server says nothing until it hears from us, then closes. */
	check_errno(recv(fd2, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, "recv MSG_DONTWAIT");
	check(fcntl(fd2, F_SETFL, 0) == 0, "blocking again");
	check(setsockopt(fd2, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait)) == 0, "SO_RCVTIMEO");
	check_errno(recv(fd2, buf, sizeof(buf), 0), EAGAIN, "recv past SO_RCVTIMEO");
	check(send(fd2, "x", 1, 0) == 1, "send x");
	p = (struct pollfd){.fd = fd2, .events = POLLIN};
	check(poll(&p, 1, 30000) == 1, "poll: the server closed");
	check(read(fd2, buf, sizeof(buf)) == 0, "read: EOF");
	check(close(fd2) == 0, "close");
	resolved(argv[1], argv[2]);
	printf("client done: %d failures\n", failures());
	return failures();
}
