/*
 * An ordinary poll(2) server: "pollsrv PORT CLIENTS". Binds what getaddrinfo(NULL, PORT,
 * AI_PASSIVE) gives (the policy hands the any-address its listener), then serves CLIENTS
 * clients at once from one poll loop, echoing each message back, until all have hung up.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

#define MAX_CLIENTS 8

/* The first address getaddrinfo offers that the policy lets us bind, listening. */
static int open_listener(const char *port)
{
	struct addrinfo hints, *res = NULL, *ai;
	int one = 1, fd = -1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(NULL, port, &hints, &res))
		return -1;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

int main(int argc, char **argv)
{
	struct pollfd p[1 + MAX_CLIENTS];
	int want, accepted = 0, open = 0, listener, i;
	char buf[256];

	if (argc != 3 || (want = atoi(argv[2])) < 1 || want > MAX_CLIENTS) {
		printf("usage: pollsrv PORT CLIENTS (1..%d)\n", MAX_CLIENTS);
		return 2;
	}
	listener = open_listener(argv[1]);
	check(listener >= 0, "listening on the passive address");
	p[0] = (struct pollfd){.fd = listener, .events = POLLIN};
	for (i = 1; i <= MAX_CLIENTS; i++)
		p[i] = (struct pollfd){.fd = -1};
	printf("READY\n");
	fflush(stdout);
	while (accepted < want || open > 0) {
		if (poll(p, 1 + MAX_CLIENTS, 30000) <= 0) {
			check(0, "poll");
			break;
		}
		if (p[0].revents & POLLIN) {
			int c = accept(p[0].fd, NULL, NULL);

			check(c >= 0, "accept");
			for (i = 1; i <= MAX_CLIENTS && p[i].fd >= 0; i++)
				;
			p[i] = (struct pollfd){.fd = c, .events = POLLIN};
			accepted++;
			open++;
			/* Enough: a negative fd is skipped (wasi-libc's poll refuses events 0). */
			if (accepted == want)
				p[0].fd = -1;
		}
		for (i = 1; i <= MAX_CLIENTS; i++) {
			ssize_t n;

			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			n = read(p[i].fd, buf, sizeof(buf));
			if (n > 0) {
				if (write(p[i].fd, buf, (size_t)n) != n)
					check(0, "write");
				continue;
			}
			check(n == 0, "a client hung up");
			close(p[i].fd);
			p[i].fd = -1;
			open--;
		}
	}
	check(close(listener) == 0, "close the listener");
	printf("pollsrv done: %d clients, %d failures\n", accepted, failures());
	return failures();
}
