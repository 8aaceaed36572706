/* Replays fuzz inputs without libFuzzer: every file named, and every file in every folder named. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Runs one file through the harness; returns 0, or -1 when it cannot be read. */
static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		perror(path);
		return -1;
	}
	do {
		if (len == cap) {
			uint8_t *grown = realloc(buf, cap = cap ? 2 * cap : 4096);
			if (!grown) {
				fclose(f);
				free(buf);
				fprintf(stderr, "%s: out of memory\n", path);
				return -1;
			}
			buf = grown;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		perror(path);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int skip_dots(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	int i, failed = 0;

	for (i = 1; i < argc; i++) {
		struct dirent **names;
		struct stat st;
		int n, j;

		if (stat(argv[i], &st)) {
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			failed |= replay_file(argv[i]);
			count++;
			continue;
		}
		n = scandir(argv[i], &names, skip_dots, alphasort);
		if (n < 0) {
			perror(argv[i]);
			return 1;
		}
		for (j = 0; j < n; j++) {
			size_t len = strlen(argv[i]) + strlen(names[j]->d_name) + 2;
			char *path = malloc(len);

			if (path) {
				snprintf(path, len, "%s/%s", argv[i], names[j]->d_name);
				failed |= replay_file(path);
				count++;
			} else {
				failed = 1;
			}
			free(path);
			free(names[j]);
		}
		free(names);
	}
	printf("replayed %u input(s)\n", count);
	return failed || count == 0;
}
