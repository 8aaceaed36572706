/* The cVM bench/start runs when examples/hello is not part of the build: a WASI hello world. */
#include <stdio.h>

int main(void)
{
	puts("hello world from a cVM");
	return 0;
}
