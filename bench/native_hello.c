/* The native baseline of bench/start: a hello world, linked statically, printing one line. */
#include <stdio.h>

int main(void)
{
	puts("hello world from a native process");
	return 0;
}
