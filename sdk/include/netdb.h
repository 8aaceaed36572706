/* <netdb.h>, which wasi-libc lacks: getaddrinfo and getnameinfo for literals (no DNS). */
#ifndef IV_SDK_NETDB_H
#define IV_SDK_NETDB_H

#include <netinet/in.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

struct addrinfo {
	int ai_flags;
	int ai_family;
	int ai_socktype;
	int ai_protocol;
	socklen_t ai_addrlen;
	struct sockaddr *ai_addr;
	char *ai_canonname;
	struct addrinfo *ai_next;
};

#define AI_PASSIVE 0x01
#define AI_CANONNAME 0x02
#define AI_NUMERICHOST 0x04
#define AI_V4MAPPED 0x08
#define AI_ALL 0x10
#define AI_ADDRCONFIG 0x20
#define AI_NUMERICSERV 0x400

#define NI_NUMERICHOST 0x01
#define NI_NUMERICSERV 0x02
#define NI_NOFQDN 0x04
#define NI_NAMEREQD 0x08
#define NI_DGRAM 0x10
#define NI_MAXHOST 255
#define NI_MAXSERV 32

#define EAI_BADFLAGS -1
#define EAI_NONAME -2
#define EAI_AGAIN -3
#define EAI_FAIL -4
#define EAI_FAMILY -6
#define EAI_SOCKTYPE -7
#define EAI_SERVICE -8
#define EAI_MEMORY -10
#define EAI_SYSTEM -11
#define EAI_OVERFLOW -12

/*
 * node is an IPv4 or IPv6 literal, "localhost" (the loopback addresses), or NULL (the
 * any-address with AI_PASSIVE, else the loopback); service a port number or NULL. Any other
 * name is EAI_NONAME: cVMs have no DNS. Results come IPv4 first.
 */
int getaddrinfo(const char *__restrict node, const char *__restrict service,
		const struct addrinfo *__restrict hints, struct addrinfo **__restrict res);
void freeaddrinfo(struct addrinfo *res);
const char *gai_strerror(int err);

/* Always numeric: the address and port as text (NI_NAMEREQD is EAI_NONAME). */
int getnameinfo(const struct sockaddr *__restrict sa, socklen_t salen, char *__restrict host,
		socklen_t hostlen, char *__restrict serv, socklen_t servlen, int flags);

#ifdef __cplusplus
}
#endif

#endif
