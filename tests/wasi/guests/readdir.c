/* WASI fd_readdir: every entry once with its type and inode, cookies, and truncation at the end. */
#include <stdio.h>
#include <string.h>

#include "check.h"

#define NFILES 60
#define HEADER sizeof(__wasi_dirent_t)
#define MAX_ENTRIES (NFILES + 4)

struct entry {
	__wasi_dirent_t d;
	char name[256];
	int seen;
};

static struct entry want[MAX_ENTRIES];
static int nwant;
static uint8_t full[32768];
static size_t full_len;

static void expect_entry(__wasi_fd_t dir, const char *name, __wasi_filetype_t type)
{
	__wasi_filestat_t st;
	struct entry *e = &want[nwant++];

	strcpy(e->name, name);
	e->d.d_type = type;
	e->d.d_namlen = strlen(name);
	e->d.d_ino = __wasi_path_filestat_get(dir, 0, name, &st) ? 0 : st.ino;
}

/* Matches one entry read against want: the name once, its type, its inode. */
static void match(const __wasi_dirent_t *d, const char *name, const char *how)
{
	for (int i = 0; i < nwant; i++) {
		struct entry *e = &want[i];

		if (e->d.d_namlen != d->d_namlen || memcmp(e->name, name, d->d_namlen))
			continue;
		if (e->seen++)
			check(0, "%s: %s listed twice", how, e->name);
		if (e->d.d_type != d->d_type || (e->d.d_ino && e->d.d_ino != d->d_ino))
			check(0, "%s: %s has type %u inode %llu, expected type %u inode %llu", how,
			      e->name, d->d_type, (unsigned long long)d->d_ino, e->d.d_type,
			      (unsigned long long)e->d.d_ino);
		return;
	}
	check(0, "%s: an unexpected entry %.*s", how, (int)d->d_namlen, name);
}

/* Every wanted entry was seen exactly once since the last call. */
static void all_seen(const char *how)
{
	int wrong = 0;

	for (int i = 0; i < nwant; i++) {
		if (want[i].seen != 1) {
			check(0, "%s: %s listed %d times", how, want[i].name, want[i].seen);
			wrong++;
		}
		want[i].seen = 0;
	}
	check(wrong == 0, "%s: each of the %d entries listed once", how, nwant);
}

/* Reads the whole folder with buf_len-byte calls, resuming after the last whole entry. */
static void read_all(__wasi_fd_t fd, size_t buf_len, const char *how)
{
	static uint8_t buf[32768];
	__wasi_dircookie_t cookie = __WASI_DIRCOOKIE_START;
	size_t used, at, calls = 0;

	for (;;) {
		if (__wasi_fd_readdir(fd, buf, buf_len, cookie, &used) || used > buf_len) {
			check(0, "%s: fd_readdir", how);
			return;
		}
		calls++;
		for (at = 0; at + HEADER <= used; ) {
			__wasi_dirent_t d;

			memcpy(&d, buf + at, HEADER);
			if (at + HEADER + d.d_namlen > used)
				break;
			match(&d, (const char *)buf + at + HEADER, how);
			cookie = d.d_next;
			at += HEADER + d.d_namlen;
		}
		if (used < buf_len)
			break;
		if (at == 0) {
			check(0, "%s: an entry larger than the buffer", how);
			return;
		}
	}
	check(calls > 1 || buf_len == sizeof(full), "%s: %zu calls", how, calls);
	all_seen(how);
}

int main(int argc, char **argv)
{
	__wasi_fd_t root = preopen("readdir", argc > 1 ? argv[1] : "");
	__wasi_fd_t dir, file;
	__wasi_fdstat_t st;
	char name[256];
	uint8_t buf[1024];
	size_t used, at, rest, len, sizes[] = { 1, HEADER - 1, HEADER, HEADER + 1, 100, 1000 };
	__wasi_dirent_t d;
	int resumed = 1;

	check_errno(__wasi_path_create_directory(root, "list"), 0, "path_create_directory list");
	dir = open_at(root, "list", __WASI_OFLAGS_DIRECTORY,
		      __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_OPEN |
		      __WASI_RIGHTS_PATH_CREATE_FILE | __WASI_RIGHTS_PATH_CREATE_DIRECTORY |
		      __WASI_RIGHTS_PATH_FILESTAT_GET | __WASI_RIGHTS_PATH_FILESTAT_SET_SIZE,
		      RIGHTS_RW | __WASI_RIGHTS_FD_READDIR);
	/* Sixty entries and a 200-byte name: more than one 1 KiB block of an ext4 folder. */
	for (int i = 0; i < NFILES; i++) {
		snprintf(name, sizeof(name), "file-%02d", i);
		put_file(dir, name, name);
		expect_entry(dir, name, __WASI_FILETYPE_REGULAR_FILE);
	}
	memset(name, 'n', 200);
	name[200] = 0;
	put_file(dir, name, "long");
	expect_entry(dir, name, __WASI_FILETYPE_REGULAR_FILE);
	check_errno(__wasi_path_create_directory(dir, "sub"), 0, "path_create_directory list/sub");
	expect_entry(dir, "sub", __WASI_FILETYPE_DIRECTORY);
	expect_entry(dir, ".", __WASI_FILETYPE_DIRECTORY);
	expect_entry(dir, "..", __WASI_FILETYPE_DIRECTORY);

	check_errno(__wasi_fd_readdir(dir, full, sizeof(full), 0, &full_len), 0,
		    "fd_readdir into 32 KiB");
	check(full_len < sizeof(full), "all of it fits: %zu bytes", full_len);
	read_all(dir, sizeof(full), "one call");
	read_all(dir, 300, "300-byte calls");
	read_all(dir, 240, "240-byte calls (a 200-byte name barely fits)");

	/* A short buffer is filled to its end, whole entries first, then part of the next. */
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(buf, 0xee, sizeof(buf));
		check(__wasi_fd_readdir(dir, buf, sizes[i], 0, &used) == 0 && used == sizes[i] &&
		      memcmp(buf, full, used) == 0 && buf[used] == 0xee,
		      "a %zu-byte buffer holds the first %zu bytes of the listing", sizes[i], used);
	}

	/* Resuming from the cookie of any entry lists what followed it in the full listing. */
	for (at = 0; at < full_len; at += HEADER + d.d_namlen) {
		memcpy(&d, full + at, HEADER);
		rest = full_len - at - HEADER - d.d_namlen;
		len = rest < 200 ? rest : 200;
		if (__wasi_fd_readdir(dir, buf, len, d.d_next, &used) || used != len ||
		    memcmp(buf, full + at + HEADER + d.d_namlen, len))
			resumed = 0;
	}
	check(resumed, "each entry's d_next resumes the listing right after it");
	check(__wasi_fd_readdir(dir, buf, sizeof(buf), d.d_next, &used) == 0 && used == 0,
	      "the last entry's d_next lists nothing more");

	file = open_at(dir, "file-00", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR, 0);
	check(__wasi_fd_fdstat_get(file, &st) == 0, "fd_fdstat_get of a file");
	check_errno(__wasi_fd_readdir(file, buf, sizeof(buf), 0, &used),
		    st.fs_rights_base & __WASI_RIGHTS_FD_READDIR ? __WASI_ERRNO_NOTDIR :
								    __WASI_ERRNO_NOTCAPABLE,
		    "fd_readdir of a file");
	check_errno(__wasi_fd_close(file), 0, "fd_close");
	check_errno(__wasi_fd_readdir(1000, buf, sizeof(buf), 0, &used), __WASI_ERRNO_BADF,
		    "fd_readdir of fd 1000");
	check_errno(__wasi_fd_readdir(dir, (uint8_t *)memory_end() - 8, 64, 0, &used),
		    __WASI_ERRNO_FAULT, "fd_readdir into a buffer past the end of memory");
	check_errno(__wasi_fd_close(dir), 0, "fd_close");
	put_file(root, "kept", "readdir\n");
	return check_summary("readdir");
}
