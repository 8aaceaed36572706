/* Example cVM `second` (posix runtime): counts down from its argument beside `first`. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	int from = argc > 1 ? atoi(argv[1]) : 3;

	printf("hello from %s, counting down from %d\n", argv[0], from);
	for (int i = from; i > 0; i--)
		printf("%d...\n", i);
	printf("liftoff\n");
	return 0;
}
