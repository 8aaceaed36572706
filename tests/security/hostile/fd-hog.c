/* Opens descriptors until refused: limits.fds must stop it with EMFILE, not the host. */
#include <intravisor.h>
#include <stdio.h>

int main(void)
{
	int opened = 0, last = 0, r, w;

	for (;;) {
		if (iv_stream_new(4096, 0, &r, &w) < 0)
			break;
		last = iv_stream_fd(r);
		if (last < 0)
			break;
		opened++;
	}
	/* The YAML allows 6 descriptors: stdin, stdout, stderr and three more. */
	printf("descriptors refused after %d: %s\n", opened,
	       opened == 3 && last == -IV_EMFILE ? "-IV_EMFILE at the limit" : "WRONG");
	return opened == 3 && last == -IV_EMFILE ? 0 : 1;
}
