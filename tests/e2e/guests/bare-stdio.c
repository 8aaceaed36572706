/* Test guest (bare): libc stdio, malloc and atexit() work in a bare cVM, on the console. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void goodbye(void)
{
	printf("atexit handler ran\n");
}

int main(int argc, char **argv)
{
	char *copy = malloc(32);

	if (copy == NULL)
		return 1;
	strcpy(copy, "malloc and strcpy");
	printf("printf in a bare cVM: argc %d, argv[0] %s\n", argc, argv[0] == NULL ? "NULL" : "set");
	printf("%s work, %.2f formats too\n", copy, 2.5);
	free(copy);
	fprintf(stderr, "stderr goes to the console too\n");
	puts("puts works");
	atexit(goodbye);
	return 0;
}
