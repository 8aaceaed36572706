/* A posix guest that sleeps far longer than its time limit. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	printf("sleeping\n");
	fflush(stdout);
	sleep(60);
	printf("woke up\n");
	return 0;
}
