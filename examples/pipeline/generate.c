/* Pipeline stage 1 (posix cVM or native): writes numbered lines of pseudo-random words. */
#include <stdio.h>
#include <stdlib.h>

static const char *const words[] = {
	"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
	"india", "juliet", "kilo", "lima", "mike", "november", "noise", "oscar",
};

int main(int argc, char **argv)
{
	unsigned long lines = argc > 1 ? strtoul(argv[1], NULL, 10) : 40000;
	unsigned long i;
	unsigned seed = 12345, n, w;

	for (i = 1; i <= lines; i++) {
		printf("%06lu", i);
		/* The same numbers everywhere: a fixed linear congruential generator. */
		seed = seed * 1103515245u + 12345u;
		n = 3 + (seed >> 16) % 6;
		for (w = 0; w < n; w++) {
			seed = seed * 1103515245u + 12345u;
			printf(" %s", words[(seed >> 16) % (sizeof(words) / sizeof(words[0]))]);
		}
		putchar('\n');
	}
	return fflush(stdout) ? 1 : 0;
}
