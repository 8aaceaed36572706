/* Guest library: the IPv4 text helpers and IPv6 constants wasi-libc declares but lacks. */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>

const struct in6_addr in6addr_any = IN6ADDR_ANY_INIT;
const struct in6_addr in6addr_loopback = IN6ADDR_LOOPBACK_INIT;

/*
 * The classic forms: a.b.c.d, a.b.c (c: 16 bits), a.b (b: 24 bits) and a (32 bits), each
 * part decimal, octal (0...) or hexadecimal (0x...).
 */
int inet_aton(const char *text, struct in_addr *out)
{
	unsigned long long part[4];
	uint32_t addr;
	const char *p = text;
	char *end;
	int n = 0, i;

	for (;;) {
		if (!isdigit((unsigned char)*p))
			return 0;
		part[n] = strtoull(p, &end, 0);
		if (part[n++] > UINT32_MAX)
			return 0;
		if (*end == 0)
			break;
		if (*end != '.' || n == 4)
			return 0;
		p = end + 1;
	}
	/* All parts but the last are bytes; the last fills the 32 - 8 * (n - 1) bits left. */
	for (i = 0; i < n - 1; i++)
		if (part[i] > 0xff)
			return 0;
	if (n > 1 && part[n - 1] >> (32 - 8 * (n - 1)))
		return 0;
	addr = (uint32_t)part[n - 1];
	for (i = 0; i < n - 1; i++)
		addr |= (uint32_t)part[i] << (24 - 8 * i);
	if (out)
		out->s_addr = htonl(addr);
	return 1;
}

in_addr_t inet_addr(const char *text)
{
	struct in_addr a;

	return inet_aton(text, &a) ? a.s_addr : (in_addr_t)-1;
}

char *inet_ntoa(struct in_addr in)
{
	static char text[INET_ADDRSTRLEN];

	return (char *)inet_ntop(AF_INET, &in, text, sizeof(text));
}
