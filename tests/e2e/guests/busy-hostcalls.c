/* A guest that loops for ever inside hostcalls, so it is rarely interrupted in its own code. */
#include <intravisor.h>

int main(void)
{
	iv_puts("calling the clock for ever");
	for (;;)
		iv_clock_ns(IV_CLOCK_MONOTONIC);
}
