/* Writes, reads back and lists a file under the folder in argv[1]; exits 1 when refused. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	char path[256], buf[32] = {0};
	struct dirent *d;
	FILE *f;
	DIR *dir;

	if (argc < 2)
		return 2;
	snprintf(path, sizeof(path), "%s/note.txt", argv[1]);
	f = fopen(path, "w");
	if (!f || fputs("note", f) < 0 || fclose(f)) {
		printf("cannot write %s: %s\n", path, strerror(errno));
		return 1;
	}
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		printf("cannot read %s: %s\n", path, strerror(errno));
		return 1;
	}
	fclose(f);
	printf("read back: %s\n", buf);
	dir = opendir(argv[1]);
	while (dir && (d = readdir(dir)))
		if (d->d_name[0] != '.')
			printf("entry: %s\n", d->d_name);
	if (dir)
		closedir(dir);
	snprintf(path, sizeof(path), "%s/../outside.txt", argv[1]);
	f = fopen(path, "w");
	printf("%s: %s\n", path, f ? "created" : strerror(errno));
	return f ? 1 : 0;
}
