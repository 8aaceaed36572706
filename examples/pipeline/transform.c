/* Pipeline stage 2 (posix cVM or native): drops lines with "noise", upper-cases the rest. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	char line[4096];
	size_t i;

	while (fgets(line, sizeof(line), stdin)) {
		if (strstr(line, "noise"))
			continue;
		for (i = 0; line[i]; i++)
			line[i] = (char)toupper((unsigned char)line[i]);
		if (fputs(line, stdout) == EOF)
			return 1;
	}
	return ferror(stdin) || fflush(stdout) ? 1 : 0;
}
