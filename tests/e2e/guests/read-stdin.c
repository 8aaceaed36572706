/* Counts the bytes and lines on stdin and prints the first line. */
#include <stdio.h>
#include <string.h>

int main(void)
{
	char line[256], first[256] = "";
	unsigned long bytes = 0, lines = 0;

	while (fgets(line, sizeof(line), stdin)) {
		if (!lines++)
			snprintf(first, sizeof(first), "%s", line);
		bytes += strlen(line);
	}
	first[strcspn(first, "\n")] = 0;
	printf("stdin: %lu bytes, %lu lines, first '%s'\n", bytes, lines, first);
	return 0;
}
