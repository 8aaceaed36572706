/* Example cVM `first` (posix runtime): prints a few squares while `second` runs beside it. */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("hello from %s, %d argument(s)\n", argv[0], argc - 1);
	for (int i = 1; i <= 4; i++)
		printf("%d squared is %d\n", i, i * i);
	printf("%s done\n", argv[0]);
	return 0;
}
