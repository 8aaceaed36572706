/*
 * A socket closed by a call into its cVM while the cVM's own thread waits on it:
 * "closer victim HOST PORT" binds the policy's listener, offers "drop" (which closes both of
 * its descriptors for it) and waits in accept, which must end with EBADF; "closer caller"
 * calls "drop", which can only run while the victim waits with its lock free.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <intravisor.h>

#include "check.h"

#define WAIT_MS 30000
/* The policy's listener: the first descriptor after stdio (the victim mounts nothing). */
#define PREOPENED_LISTENER 3

static int listener = -1;

IV_EXPORT("drop") int32_t drop(void);
int32_t drop(void)
{
	return close(listener) == 0 && close(PREOPENED_LISTENER) == 0;
}

static void victim(const char *host, const char *port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)atoi(port));
	inet_pton(AF_INET, host, &a.sin_addr);
	listener = socket(AF_INET, SOCK_STREAM, 0);
	check(listener >= 0 && bind(listener, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		      listen(listener, 1) == 0,
	      "listen");
	check(iv_call_adv("drop", "drop") == 0, "advertise drop");
	check_errno(accept(listener, NULL, NULL), EBADF, "accept ends when a call closed it");
}

static void caller(void)
{
	int entry = iv_call_prb("drop", WAIT_MS);
	int64_t result = 0;

	check(entry > 0, "probe drop");
	check(iv_call(entry, NULL, 0, NULL, 0, 0, &result) == 0 && result == 1,
	      "drop closed the victim's listener while it waited");
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "victim"))
		victim(argv[2], argv[3]);
	else if (argc == 2 && !strcmp(argv[1], "caller"))
		caller();
	else
		return 2;
	printf("%s done: %d failures\n", argv[1], failures());
	return failures();
}
