/* Pipeline stage 3 (posix cVM or native): counts lines, words and bytes, and hashes them. */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
	unsigned long lines = 0, words = 0, bytes = 0;
	uint32_t hash = 2166136261u; /* FNV-1a */
	int c, in_word = 0;

	while ((c = getchar()) != EOF) {
		bytes++;
		hash = (hash ^ (uint8_t)c) * 16777619u;
		if (c == '\n')
			lines++;
		if (c == ' ' || c == '\n') {
			in_word = 0;
		} else if (!in_word) {
			in_word = 1;
			words++;
		}
	}
	printf("%lu lines, %lu words, %lu bytes, fnv1a 0x%08x\n", lines, words, bytes,
	       (unsigned)hash);
	return ferror(stdin) ? 1 : 0;
}
