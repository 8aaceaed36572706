/* bench/posix's file-I/O loop (write, read back, pread, lseek + read): for cVM and native alike. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FILEIO_MIB 16             /* the file written and read back */
#define FILEIO_CHUNK (64 << 10)   /* bytes per write and per sequential read */
#define FILEIO_BLOCK 4096         /* bytes per pread, at block-aligned random offsets */
#define FILEIO_SMALL 256          /* bytes per read after an lseek to a random block */
#define FILEIO_OPS 20000          /* preads, and lseek + read pairs, per repetition */
#define FILEIO_REPS 5             /* repetitions per run */

#define FILE_SIZE ((uint64_t)FILEIO_MIB << 20)
#define BLOCKS (FILE_SIZE / FILEIO_BLOCK)

static char buf[FILEIO_CHUNK];
static const char *path;

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void fail(const char *what)
{
	fprintf(stderr, "fileio: %s: %s: %s\n", path, what, errno ? strerror(errno) : "wrong data");
	exit(1);
}

/* Every block starts with its own offset, so that any read can be checked cheaply. */
static void stamp(char *p, uint64_t off)
{
	memcpy(p, &off, sizeof(off));
}

static int stamped(const char *p, uint64_t off)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v == off;
}

static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int main(int argc, char **argv)
{
	char name[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: fileio FOLDER (makes, reads, removes FOLDER/fileio.dat)\n");
		return 2;
	}
	snprintf(name, sizeof(name), "%s/fileio.dat", argv[1]);
	path = name;
	memset(buf, 'x', sizeof(buf));
	for (int rep = 0; rep < FILEIO_REPS; rep++) {
		uint64_t seed = 0x9e3779b97f4a7c15u, off;
		long long t[5];
		int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

		errno = 0;
		if (fd < 0)
			fail("open");
		t[0] = now_ns();
		for (off = 0; off < FILE_SIZE; off += FILEIO_CHUNK) {
			for (uint64_t b = 0; b < FILEIO_CHUNK; b += FILEIO_BLOCK)
				stamp(buf + b, off + b);
			if (write(fd, buf, FILEIO_CHUNK) != FILEIO_CHUNK)
				fail("write");
		}
		t[1] = now_ns();
		if (lseek(fd, 0, SEEK_SET))
			fail("lseek");
		for (off = 0; off < FILE_SIZE; off += FILEIO_CHUNK) {
			if (read(fd, buf, FILEIO_CHUNK) != FILEIO_CHUNK)
				fail("read");
			for (uint64_t b = 0; b < FILEIO_CHUNK; b += FILEIO_BLOCK)
				if (!stamped(buf + b, off + b))
					fail("read");
		}
		t[2] = now_ns();
		for (int i = 0; i < FILEIO_OPS; i++) {
			off = next_random(&seed) % BLOCKS * FILEIO_BLOCK;
			if (pread(fd, buf, FILEIO_BLOCK, (off_t)off) != FILEIO_BLOCK ||
			    !stamped(buf, off))
				fail("pread");
		}
		t[3] = now_ns();
		for (int i = 0; i < FILEIO_OPS; i++) {
			off = next_random(&seed) % BLOCKS * FILEIO_BLOCK;
			if (lseek(fd, (off_t)off, SEEK_SET) != (off_t)off)
				fail("lseek");
			if (read(fd, buf, FILEIO_SMALL) != FILEIO_SMALL || !stamped(buf, off))
				fail("read after lseek");
		}
		t[4] = now_ns();
		close(fd);
		if (unlink(path))
			fail("unlink");
		/* Per phase: bytes or operations, then nanoseconds. */
		printf("fileio %d %llu %lld %llu %lld %d %lld %d %lld\n", rep,
		       (unsigned long long)FILE_SIZE, t[1] - t[0], (unsigned long long)FILE_SIZE,
		       t[2] - t[1], FILEIO_OPS, t[3] - t[2], FILEIO_OPS, t[4] - t[3]);
		fflush(stdout);
	}
	return 0;
}
