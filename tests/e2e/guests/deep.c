/* Test guest (bare): recurses without end, so it must trap instead of overrunning memory. */
#include <intravisor.h>

/*
 * The frame holds an array whose address escapes, and the call is not in tail position.
 * The depth only wraps to 0 after 2^32 calls, far beyond any stack.
 */
static unsigned recurse(volatile unsigned *depth)
{
	volatile unsigned frame[16];

	frame[0] = *depth + 1;
	if (frame[0] == 0)
		return 0;
	return recurse(frame) + frame[0];
}

int main(void)
{
	volatile unsigned start = 0;

	iv_puts("recursing without end");
	iv_printf("returned %u, the stack is unbounded\n", recurse(&start));
	return 0;
}
