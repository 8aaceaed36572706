/* Writes a file on its disk, leaves it open, and then traps (an out-of-bounds store). */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	FILE *f = fopen("/written.txt", "w");

	if (!f || fputs("written before the trap\n", f) < 0 || fflush(f))
		return 1;
	printf("wrote /written.txt; now trapping\n");
	fflush(stdout);
	*(volatile int *)0xfffffff0u = 1;
	return 0;
}
