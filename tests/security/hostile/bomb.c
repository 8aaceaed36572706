/* A memory bomb: allocates until refused. The cap (isolation.size) must stop it, not the host. */
#include <intravisor.h>
#include <stdlib.h>
#include <string.h>

/* Where the allocations go, so the compiler cannot drop them. */
char *volatile last;

int main(void)
{
	size_t mib = 0;
	char *p;

	while ((p = malloc(1 << 20))) {
		memset(p, 0xa5, 1 << 20); /* touch it: the pages must really be there */
		last = p;
		mib++;
	}
	/* The YAML caps this cVM at 64 MiB, part of which is stack and data. */
	iv_printf("bomb defused: %s\n", mib >= 40 && mib < 64 ? "allocation refused at the cap"
							      : "WRONG amount");
	return mib >= 40 && mib < 64 ? 0 : 1;
}
