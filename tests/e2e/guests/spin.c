/* A guest that loops for ever without a single call: only an asynchronous stop can end it. */
#include <intravisor.h>

int main(void)
{
	volatile unsigned long n = 0;

	iv_puts("spinning");
	for (;;)
		n++;
}
