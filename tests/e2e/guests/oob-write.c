/* Test guest (posix): writes far outside its linear memory and must trap. */
#include <stdio.h>

int main(void)
{
	volatile int *wild = (volatile int *)0xfffffff0u;

	printf("writing 0xfffffff0\n");
	fflush(stdout);
	*wild = 42;
	printf("wrote it, isolation is broken\n");
	return 0;
}
