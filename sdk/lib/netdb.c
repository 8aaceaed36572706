/* Guest library: getaddrinfo and getnameinfo over literal addresses (cVMs have no DNS). */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KNOWN_AI_FLAGS                                                                      \
	(AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED | AI_ALL | AI_ADDRCONFIG | \
	 AI_NUMERICSERV)

/* A decimal port 0..65535, or -1. */
static int parse_port(const char *service)
{
	unsigned long port;
	char *end;

	if (!service)
		return 0;
	if (*service < '0' || *service > '9')
		return -1;
	errno = 0;
	port = strtoul(service, &end, 10);
	return *end || errno || port > 65535 ? -1 : (int)port;
}

/* Appends one result for family's address at addr (network order bytes) to *tail. */
static int add_result(struct addrinfo ***tail, int family, const void *addr, int port,
		      const struct addrinfo *want, const char *canon)
{
	struct {
		struct addrinfo ai;
		struct sockaddr_in6 sa; /* room for either family */
	} *r = calloc(1, sizeof(*r));

	if (!r)
		return EAI_MEMORY;
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&r->sa;

		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		memcpy(&in->sin_addr, addr, sizeof(in->sin_addr));
		r->ai.ai_addrlen = sizeof(*in);
	} else {
		r->sa.sin6_family = AF_INET6;
		r->sa.sin6_port = htons((uint16_t)port);
		memcpy(&r->sa.sin6_addr, addr, sizeof(r->sa.sin6_addr));
		r->ai.ai_addrlen = sizeof(r->sa);
	}
	r->ai.ai_family = family;
	r->ai.ai_socktype = SOCK_STREAM;
	r->ai.ai_protocol = IPPROTO_TCP;
	r->ai.ai_addr = (struct sockaddr *)&r->sa;
	if (canon && (want->ai_flags & AI_CANONNAME)) {
		r->ai.ai_canonname = strdup(canon);
		if (!r->ai.ai_canonname) {
			free(r);
			return EAI_MEMORY;
		}
	}
	**tail = &r->ai;
	*tail = &r->ai.ai_next;
	return 0;
}

int getaddrinfo(const char *restrict node, const char *restrict service,
		const struct addrinfo *restrict hints, struct addrinfo **restrict res)
{
	static const struct in_addr any4 = {INADDR_ANY};
	struct addrinfo want = {.ai_family = AF_UNSPEC}, *list = NULL, **tail = &list;
	unsigned char addr[16];
	struct in_addr lo4 = {htonl(INADDR_LOOPBACK)};
	int port = parse_port(service), v4, v6, err = 0;
	const void *a4 = NULL, *a6 = NULL;

	if (hints)
		want = *hints;
	if (!node && !service)
		return EAI_NONAME;
	if (want.ai_flags & ~KNOWN_AI_FLAGS)
		return EAI_BADFLAGS;
	if (want.ai_family != AF_UNSPEC && want.ai_family != AF_INET &&
	    want.ai_family != AF_INET6)
		return EAI_FAMILY;
	if (want.ai_socktype != 0 && want.ai_socktype != SOCK_STREAM)
		return EAI_SOCKTYPE;
	if (want.ai_protocol != 0 && want.ai_protocol != IPPROTO_TCP)
		return EAI_SOCKTYPE;
	if (port < 0)
		return EAI_SERVICE;
	v4 = want.ai_family != AF_INET6;
	v6 = want.ai_family != AF_INET;
	if (!node || !strcmp(node, "localhost")) {
		int any = !node && (want.ai_flags & AI_PASSIVE);

		a4 = any ? (const void *)&any4 : &lo4;
		a6 = any ? &in6addr_any : &in6addr_loopback;
	} else if (v4 && inet_pton(AF_INET, node, addr) == 1) {
		a4 = addr;
	} else if (v6 && inet_pton(AF_INET6, node, addr) == 1) {
		a6 = addr;
	} else {
		return EAI_NONAME;
	}
	if (v4 && a4)
		err = add_result(&tail, AF_INET, a4, port, &want, node);
	if (!err && v6 && a6)
		err = add_result(&tail, AF_INET6, a6, port, &want, node);
	if (err) {
		freeaddrinfo(list);
		return err;
	}
	*res = list;
	return 0;
}

void freeaddrinfo(struct addrinfo *res)
{
	while (res) {
		struct addrinfo *next = res->ai_next;

		free(res->ai_canonname);
		free(res); /* the address lives in the same block */
		res = next;
	}
}

const char *gai_strerror(int err)
{
	switch (err) {
	case 0: return "Success";
	case EAI_BADFLAGS: return "Invalid flags";
	case EAI_NONAME: return "Name does not resolve (cVMs have no DNS: use an address)";
	case EAI_AGAIN: return "Temporary failure in name resolution";
	case EAI_FAIL: return "Non-recoverable failure in name resolution";
	case EAI_FAMILY: return "Unrecognized address family";
	case EAI_SOCKTYPE: return "Unsupported socket type";
	case EAI_SERVICE: return "Unrecognized service (use a port number)";
	case EAI_MEMORY: return "Out of memory";
	case EAI_SYSTEM: return "System error";
	case EAI_OVERFLOW: return "Buffer too small";
	default: return "Unknown error";
	}
}

int getnameinfo(const struct sockaddr *restrict sa, socklen_t salen, char *restrict host,
		socklen_t hostlen, char *restrict serv, socklen_t servlen, int flags)
{
	const void *addr;
	uint16_t port;

	if (flags & NI_NAMEREQD)
		return EAI_NONAME;
	if (sa->sa_family == AF_INET && salen >= sizeof(struct sockaddr_in)) {
		addr = &((const struct sockaddr_in *)sa)->sin_addr;
		port = ((const struct sockaddr_in *)sa)->sin_port;
	} else if (sa->sa_family == AF_INET6 && salen >= sizeof(struct sockaddr_in6)) {
		addr = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		port = ((const struct sockaddr_in6 *)sa)->sin6_port;
	} else {
		return EAI_FAMILY;
	}
	if (host && hostlen && !inet_ntop(sa->sa_family, addr, host, hostlen))
		return EAI_OVERFLOW;
	if (serv && servlen && snprintf(serv, servlen, "%u", ntohs(port)) >= (int)servlen)
		return EAI_OVERFLOW;
	return 0;
}
