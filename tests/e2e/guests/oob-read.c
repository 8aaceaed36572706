/* Test guest (bare): reads far outside its linear memory and must trap. */
#include <intravisor.h>

int main(void)
{
	volatile int *wild = (volatile int *)0xfffffff0u;

	iv_puts("reading 0xfffffff0");
	iv_printf("read %d, isolation is broken\n", *wild);
	return 0;
}
