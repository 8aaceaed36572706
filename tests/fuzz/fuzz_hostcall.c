/* Fuzzes the guest edge of hostcalls: random calls with random guest pointers from fake cVMs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cap.h"
#include "config.h"
#include "cvm.h"
#include "fuzz.h"
#include "hostcall.h"
#include "ipc/ipc.h"
#include "module.h"
#include "posix/fdtable.h"
#include "posix/libos.h"
#include "posix/vfs.h"
#include "posix/wasi.h"
#include "posix/wasi_defs.h"
#include "rt.h"

#define NVM 3
#define PAGE 65536u
#define RECENT 16
#define WASI_POLL_MAX 4096
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
/* fd_allocate and fd_filestat_set_size lengths past this are taken modulo it (disk space). */
#define SIZE_CAP (1u << 16)
/* A path piece longer than a file name may be (NAME_MAX). */
#define LONG_NAME 300
/* Room for a path of 15 pieces. */
#define PATH_BYTES (16 * LONG_NAME)

#define CHECK(cond, ...)                                                                  \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "fuzz_hostcall: " __VA_ARGS__);                    \
			fputc('\n', stderr);                                              \
			abort();                                                          \
		}                                                                         \
	} while (0)

/*
 * A cVM without code: a module whose exports call_adv can name, a memory of its own, and
 * a scratch folder of its own pre-opened at /m (fd 3), emptied before each input.
 */
struct fake {
	const char *name;
	char *const *argv, *const *env;
	bool prefix;
	uint32_t pages; /* 0: no memory at all */
	bool listen;    /* fd 4 listens on a unix socket, with two connections waiting */
	bool ro;        /* fd 4 is its folder again, read-only, at /ro */
	struct cvm *vm;
	wasm_rt_memory_t mem;
	bool mapped;    /* a capability was mapped into its memory by this input */
	char *dir;      /* the scratch folder */
	struct cfg_mount mounts[2];
	struct cfg_endpoint endpoint;
	struct cfg_cvm cfg;
	int client;     /* the harness's end of the connection that stays open, or -1 */
};

static char *const argv_a[] = {"a", "one two", "", NULL};
static char *const env_a[] = {"K=V", "EMPTY=", NULL};
static char *const argv_b[] = {"b", NULL};
static struct fake fakes[NVM] = {
	{.name = "a", .argv = argv_a, .env = env_a, .prefix = true, .pages = 1, .listen = true},
	{.name = "b", .argv = argv_b, .pages = 2, .ro = true},
	{.name = "c", .prefix = true},
};
static char guest_m[] = "/m", guest_ro[] = "/ro";

static const struct wasm_rt_iv_export exports[] = {{"f", "ii:i", NULL}, {"g", ":", NULL}};
static const struct wasm_rt_iv_module ops = {
	.abi_version = IV_ABI_VERSION, .exports = exports, .nexports = 2,
};
static struct module module = {.ops = &ops, .refs = 1};

enum call {
	H_POKE, H_CONSOLE_WRITE, H_CLOCK_NS, H_RANDOM, H_CAP_INFO, H_CAP_DERIVE, H_CAP_DROP,
	H_CAP_REVOKE, H_CAP_SEALER, H_CAP_SEAL, H_CAP_UNSEAL, H_CAP_TRANSFER, H_CAP_LOAD,
	H_CAP_STORE, H_CAP_COPY, H_CAP_MAP, H_CAP_UNMAP, H_CAPFILE_ADV, H_CAPFILE_PRB, H_CALL_ADV,
	H_CALL_PRB, H_STREAM_NEW, H_STREAM_ADV, H_STREAM_PRB, H_STREAM_SEND, H_STREAM_RECV,
	H_STREAM_WAIT, H_STREAM_FD, H_CAP_NOTIFY, H_ARGS_SIZES, H_ARGS, H_ENVIRON_SIZES, H_ENVIRON, H_CLOCK_RES, H_CLOCK_TIME,
	H_RANDOM_GET, H_FD_WRITE, H_FD_READ, H_FD_FDSTAT, H_FD_SEEK, H_FD_TELL, H_FD_PRESTAT,
	H_FD_PRESTAT_DIR, H_POLL, H_FD_CLOSE, H_FD_ADVISE, H_FD_ALLOCATE, H_FD_DATASYNC, H_FD_SYNC,
	H_FD_SET_FLAGS, H_FD_SET_RIGHTS, H_FD_FILESTAT, H_FD_SET_SIZE, H_FD_SET_TIMES, H_FD_PREAD,
	H_FD_PWRITE, H_FD_READDIR, H_FD_RENUMBER, H_PATH_MKDIR, H_PATH_FILESTAT, H_PATH_SET_TIMES,
	H_PATH_LINK, H_PATH_OPEN, H_PATH_READLINK, H_PATH_RMDIR, H_PATH_RENAME, H_PATH_SYMLINK,
	H_PATH_UNLINK, H_SCHED_YIELD, H_PROC_RAISE, H_SOCK_ACCEPT, H_SOCK_RECV, H_SOCK_SEND,
	H_SOCK_SHUTDOWN, NCALLS
};

static uint32_t recent[RECENT];
static unsigned nrecent;
static uint8_t snapshot[2 * PAGE];
static uint8_t *snapshot_of; /* the memory snapshot is a copy of, or NULL */
static int devnull;

/*
 * The scratch tree: top holds a folder per fake, named after it, beside a file none of them
 * may reach (secret, as stat saw it once made: its atime lies before its mtime, so a read
 * moves it where the file system keeps access times) and fake a's listening socket.
 */
static char top[PATH_MAX - 16];
static int topfd = -1;
static struct stat secret;
static char long_name[LONG_NAME + 1];
/* What guest paths are made of: climbing, the names used, the secret's own host path. */
static const char *const pieces[] = {
	"a", "b", "..", ".", "/", "", "l", "x/y", long_name, "secret", top,
};

static const int iv_errors[] = {
	IV_EACCES, IV_EBADF, IV_ECANCELED, IV_EDEADLK, IV_EEXIST, IV_EFAULT, IV_EINVAL, IV_EIO,
	IV_EMFILE, IV_ENAMETOOLONG, IV_ENOENT, IV_ENOMEM, IV_ENOSYS, IV_ENOTSUP, IV_EPERM,
	IV_ERANGE, IV_ESRCH, IV_ESTALE, IV_ETIMEDOUT, IV_ENOTCAPABLE, IV_EPIPE, IV_EAGAIN,
	IV_EMSGSIZE, IV_ENOSPC,
};

static void allocate(void *arg)
{
	struct fake *f = arg;

	wasm_rt_allocate_memory(&f->mem, f->pages, f->pages);
}

static void give_memory(struct fake *f)
{
	rt_set_memory_cap(f->pages);
	CHECK(rt_invoke(allocate, f) == WASM_RT_TRAP_NONE, "no memory");
	f->vm->mem = &f->mem;
}

/* Two YAML capfiles: one for everyone (a page, so it can be mapped), one only for a. */
static void publish_capfiles(void)
{
	static char *only_a[] = {"a", NULL};
	static const struct cfg_capfile files[] = {
		{.name = "open", .size = PAGE, .data = "hello", .data_len = 5},
		{.name = "only-a", .size = 100, .data = "secret", .data_len = 6, .allow = only_a},
	};
	size_t i;

	for (i = 0; i < COUNT(files); i++)
		CHECK(capfile_create(&files[i]) == 0, "capfile_create");
}

/* ---- the scratch tree ---- */

/* The next entry of d but "." and "..", or NULL at the end. */
static struct dirent *entry(DIR *d)
{
	struct dirent *de;

	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			return de;
	return NULL;
}

/* Moves everything in the folder name, inside the folder open at topdir, up into topdir. */
static void hoist(int topdir, const char *name)
{
	static unsigned long moved;
	int fd = openat(topdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	bool any = true;

	CHECK(d, "cannot open %s/%s to empty it", top, name);
	while (any) {
		any = false;
		rewinddir(d);
		while ((de = entry(d))) {
			char to[32];
			int rc;

			do {
				snprintf(to, sizeof(to), ".hoisted-%lu", moved++);
				rc = renameat2(fd, de->d_name, topdir, to, RENAME_NOREPLACE);
			} while (rc && errno == EEXIST);
			CHECK(!rc, "cannot move %s out of %s", de->d_name, name);
			any = true;
		}
	}
	closedir(d);
}

/*
 * Empties the folder at path. A folder inside has its entries moved up first, then goes:
 * however deep a cVM nested folders, two are open at a time, and no path grows long.
 */
static void empty(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	bool any = true;

	CHECK(d, "cannot open %s to empty it", path);
	while (any) {
		any = false;
		rewinddir(d);
		while ((de = entry(d))) {
			any = true;
			if (!unlinkat(fd, de->d_name, 0))
				continue;
			CHECK(errno == EISDIR, "cannot remove %s/%s", path, de->d_name);
			hoist(fd, de->d_name);
			CHECK(!unlinkat(fd, de->d_name, AT_REMOVEDIR), "cannot remove %s/%s", path,
			      de->d_name);
		}
	}
	closedir(d);
}

static void remove_tree(void)
{
	int i;

	for (i = 0; i < NVM; i++) {
		empty(fakes[i].dir);
		rmdir(fakes[i].dir);
	}
	unlinkat(topfd, "secret", 0);
	unlinkat(topfd, "sock", 0);
	close(topfd);
	rmdir(top);
}

/* top, the secret and a folder per fake (removed at exit); long_name. */
static void make_tree(void)
{
	const char *tmp = getenv("TMPDIR");
	/* An access time before the modification time: a read through an escape moves it. */
	const struct timespec times[2] = {{.tv_sec = 1000000000}, {.tv_nsec = UTIME_OMIT}};
	int fd, i;

	snprintf(top, sizeof(top), "%s/fuzz-hostcall-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	CHECK(mkdtemp(top), "cannot make %s", top);
	topfd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fd = openat(topfd, "secret", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	CHECK(topfd >= 0 && fd >= 0 && write(fd, "secret\n", 7) == 7 && !futimens(fd, times) &&
	      !fstat(fd, &secret) && !close(fd), "cannot make %s/secret", top);
	for (i = 0; i < NVM; i++) {
		struct fake *f = &fakes[i];

		CHECK(asprintf(&f->dir, "%s/%s", top, f->name) > 0 && !mkdir(f->dir, 0700),
		      "cannot make a scratch folder in %s", top);
	}
	CHECK(strlen(top) + sizeof("/sock") <= sizeof(((struct sockaddr_un *)0)->sun_path),
	      "%s is too long a path for a unix socket beneath it", top);
	memset(long_name, 'n', LONG_NAME);
	atexit(remove_tree);
}

static bool same_time(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/* No cVM reached past its folder: the secret is as made, and nothing new lies beside it. */
static void check_outside(void)
{
	DIR *d = opendir(top);
	struct dirent *de;
	struct stat st;

	CHECK(d, "cannot list %s", top);
	while ((de = entry(d))) {
		bool known = !strcmp(de->d_name, "secret") || !strcmp(de->d_name, "sock");
		int i;

		for (i = 0; i < NVM; i++)
			known |= !strcmp(de->d_name, fakes[i].name);
		CHECK(known, "%s/%s appeared beside the scratch folders", top, de->d_name);
	}
	closedir(d);
	CHECK(!fstatat(topfd, "secret", &st, AT_SYMLINK_NOFOLLOW), "the secret is gone");
	CHECK(S_ISREG(st.st_mode) && st.st_ino == secret.st_ino && st.st_nlink == 1 &&
	      st.st_size == secret.st_size && same_time(st.st_mtim, secret.st_mtim) &&
	      same_time(st.st_ctim, secret.st_ctim) && same_time(st.st_atim, secret.st_atim),
	      "the secret was reached: changed, linked to or read");
}

/* What libos_setup mounts for f: its folder at /m (and read-only at /ro), its listener. */
static void describe(struct fake *f)
{
	f->mounts[0] = (struct cfg_mount){.host = f->dir, .guest = guest_m};
	f->mounts[1] = (struct cfg_mount){.host = f->dir, .guest = guest_ro, .readonly = true};
	f->cfg.mounts = f->mounts;
	f->cfg.nmounts = f->ro ? 2 : 1;
	f->client = -1;
	if (!f->listen)
		return;
	f->endpoint.kind = CFG_NET_UNIX;
	CHECK(asprintf(&f->endpoint.host, "%s/sock", top) > 0, "no memory");
	f->endpoint.text = f->endpoint.host;
	f->cfg.net.listen = &f->endpoint;
	f->cfg.net.nlisten = 1;
}

/* Two connections wait at f's listener: one that sent "hello" and stays, one closed already. */
static void connect_clients(struct fake *f)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int i, fd[2];

	strcpy(a.sun_path, f->endpoint.host);
	for (i = 0; i < 2; i++) {
		fd[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		CHECK(fd[i] >= 0 && !connect(fd[i], (struct sockaddr *)&a, sizeof(a)),
		      "cannot connect to %s", a.sun_path);
	}
	CHECK(write(fd[0], "hello", 5) == 5, "cannot send to %s", a.sun_path);
	close(fd[1]);
	f->client = fd[0];
}

static void setup(void)
{
	int i;

	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	CHECK(devnull >= 0, "cannot open /dev/null");
	make_tree();
	for (i = 0; i < NVM; i++) {
		struct fake *f = &fakes[i];
		struct cvm_spec spec = {
			.name = f->name, .argv = f->argv, .env = f->env,
			.memory_cap = (uint64_t)f->pages * PAGE, .abi = CFG_ABI_BARE,
			.prefix_output = f->prefix, .cap_limit = IV_CAPS_DEFAULT,
		};

		f->vm = cvm_create(&spec, &module);
		CHECK(f->vm, "cvm_create");
		/* Each input gets a descriptor table, and mounts, of its own (begin). */
		libos_teardown(f->vm);
		console_stream_init(&f->vm->out, devnull, f->vm->prefix);
		console_stream_init(&f->vm->err, devnull, f->vm->prefix);
		if (f->pages)
			give_memory(f);
		describe(f);
	}
	publish_capfiles();
}

static void begin(struct fuzz_in *in)
{
	char err[512];
	int i;

	nrecent = 0;
	for (i = 0; i < NVM; i++) {
		struct fake *f = &fakes[i];
		uint8_t b = fz_u8(in);

		empty(f->dir);
		f->vm->fds = fdt_new(0);
		CHECK(f->vm->fds, "no descriptor table");
		CHECK(!libos_setup(f->vm, &f->cfg, err, sizeof(err)), "libos_setup: %s", err);
		if (f->listen)
			connect_clients(f);
		cap_table_free(f->vm->caps);
		f->vm->caps = cap_table_new(b >= 0xf0 ? IV_CAPS_DEFAULT : 1u + b % 24);
		CHECK(f->vm->caps, "no table");
		f->vm->torn_down = false;
		if (f->pages)
			memset(f->mem.data, 0, f->mem.size);
	}
}

/*
 * As when the cVMs end: names withdrawn, descriptors closed and folders unmounted,
 * capabilities torn down; mapped memories replaced.
 */
static void end(void)
{
	int i;

	for (i = 0; i < NVM; i++)
		names_withdraw(fakes[i].vm);
	for (i = 0; i < NVM; i++) {
		struct fake *f = &fakes[i];

		libos_teardown(f->vm);
		cap_cvm_teardown(f->vm);
		console_flush(&f->vm->out);
		console_flush(&f->vm->err);
		if (f->client >= 0)
			close(f->client);
		f->client = -1;
		if (f->mapped) {
			wasm_rt_free_memory(&f->mem);
			give_memory(f);
			f->mapped = false;
		}
	}
	check_outside();
	CHECK(!fz_fds_leaked(), "descriptors leak");
}

/* ---- arguments ---- */

static uint64_t mem_size(const struct fake *f)
{
	return f->vm->mem ? f->vm->mem->size : 0;
}

/* A guest pointer or length: mostly near the edges of the caller's memory. */
static uint32_t arg32(struct fuzz_in *in, const struct fake *f)
{
	return (uint32_t)fz_near(in, mem_size(f));
}

/* A handle: mostly one a hostcall returned earlier, else anything. */
static uint32_t handle(struct fuzz_in *in)
{
	uint8_t mode = fz_u8(in), i = fz_u8(in);

	if (mode < 192 && nrecent)
		return recent[i % (nrecent < RECENT ? nrecent : RECENT)];
	return (uint32_t)fz_near(in, 0);
}

/* A descriptor: mostly stdio, the pre-opens or what was opened first, else anything. */
static uint32_t fd_arg(struct fuzz_in *in)
{
	uint8_t b = fz_u8(in);

	return b < 224 ? b % 8u : fz_u32(in);
}

/* One of n values (an enumeration), or now and then anything. */
static uint32_t choice(struct fuzz_in *in, uint32_t n)
{
	return fz_u8(in) < 224 ? fz_u8(in) % n : fz_u32(in);
}

/* Flags: mostly of the known ones and the bit above each (of the low 8), else anything. */
static uint32_t flags_arg(struct fuzz_in *in, uint32_t known)
{
	uint8_t b = fz_u8(in);

	return b < 240 ? b & (known | known << 1) : fz_u32(in);
}

/* Rights: all of have (what a descriptor holds, or may hand down), some, none, or any. */
static uint64_t rights_arg(struct fuzz_in *in, uint64_t have)
{
	switch (fz_u8(in) & 3) {
	case 0:
		return have;
	case 1:
		return fz_u32(in) & have;
	case 2:
		return 0;
	default:
		return fz_u64(in);
	}
}

/* A length that takes disk space: near the edges, a positive one past SIZE_CAP reduced. */
static uint64_t size_arg(struct fuzz_in *in)
{
	uint64_t x = fz_near(in, SIZE_CAP);

	return (int64_t)x > (int64_t)SIZE_CAP ? x % SIZE_CAP : x;
}

/* ---- checks ---- */

static bool known(const int *set, size_t n, int v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (set[i] == v)
			return true;
	return false;
}

/* Bytes [p, p+len) of f's memory, when they are plain memory (no window mapped over them). */
static uint8_t *plain(const struct fake *f, uint64_t p, uint64_t len)
{
	if (!f->vm->mem || p + len > mem_size(f) || cap_overlaps_mapping(f->vm, (uint32_t)p, len))
		return NULL;
	return f->vm->mem->data + p;
}

static bool apart(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a + alen <= b || b + blen <= a;
}

/* A call that succeeded had room for what it reads or writes: [p, p+len) of plain memory. */
static void check_in(const struct fake *f, bool ok, uint32_t p, uint64_t len, const char *what)
{
	CHECK(!ok || plain(f, p, len), "%s succeeded with [%u, +%llu) outside memory", what, p,
	      (unsigned long long)len);
}

/* args_sizes_get / environ_sizes_get wrote the count and the bytes the strings need. */
static void check_sizes(const struct fake *f, char **v, int n, uint32_t count, uint32_t size)
{
	uint32_t want = 0, got;
	int i;

	for (i = 0; i < n; i++)
		want += (uint32_t)strlen(v[i]) + 1;
	check_in(f, true, count, 4, "sizes_get");
	check_in(f, true, size, 4, "sizes_get");
	if (!apart(count, 4, size, 4))
		return;
	memcpy(&got, plain(f, count, 4), 4);
	CHECK(got == (uint32_t)n, "sizes: count %u, expected %d", got, n);
	memcpy(&got, plain(f, size, 4), 4);
	CHECK(got == want, "sizes: %u bytes, expected %u", got, want);
}

/* args_get / environ_get wrote a pointer to each string, and the strings one after another. */
static void check_strings(const struct fake *f, char **v, int n, uint32_t ptrs, uint32_t buf)
{
	uint32_t off = 0, p;
	int i;

	for (i = 0; i < n; i++)
		off += (uint32_t)strlen(v[i]) + 1;
	check_in(f, true, ptrs, 4ull * (uint64_t)n, "args_get");
	check_in(f, true, buf, off, "args_get");
	if (!apart(ptrs, 4ull * (uint64_t)n, buf, off))
		return;
	off = 0;
	for (i = 0; i < n; i++) {
		size_t len = strlen(v[i]) + 1;

		memcpy(&p, plain(f, ptrs + 4ull * (uint64_t)i, 4), 4);
		CHECK(p == buf + off, "args_get: pointer %u, expected %u", p, buf + off);
		CHECK(!memcmp(plain(f, p, len), v[i], len), "args_get: string %d", i);
		off += (uint32_t)len;
	}
}

/*
 * Nothing else runs here to make a descriptor ready, or to wake a wait. poll_oneoff may
 * sleep on a clock: every clock subscription is made a zero timeout first. When only stream
 * or socket descriptors could end its wait (no clock, nothing ready at once, nothing
 * invalid), the first subscription is made a zero timeout as well.
 */
static void no_sleeping(const struct fake *f, uint32_t subs, uint32_t nsubs)
{
	uint8_t *s = plain(f, subs, (uint64_t)nsubs * WASI_SUBSCRIPTION_BYTES), *first = s;
	bool ends = false, waits = false;
	uint32_t i, fd;

	if (!s || nsubs > WASI_POLL_MAX)
		return;
	for (i = 0; i < nsubs; i++, s += WASI_SUBSCRIPTION_BYTES) {
		const struct fd_entry *e;

		if (s[8] != WASI_EVENTTYPE_FD_READ && s[8] != WASI_EVENTTYPE_FD_WRITE) {
			if (s[8] == WASI_EVENTTYPE_CLOCK)
				memset(s + 24, 0, 8);
			ends = true;
			continue;
		}
		memcpy(&fd, s + 16, 4);
		e = fdt_get(f->vm, fd);
		if (e && (e->kind == FD_STREAM || e->kind == FD_SOCKET))
			waits = true;
		else
			ends = true;
	}
	if (waits && !ends && nsubs) {
		first[8] = WASI_EVENTTYPE_CLOCK;
		memset(first + 16, 0, WASI_SUBSCRIPTION_BYTES - 16);
	}
}

/* Stream and socket descriptors are made non-blocking before each call, for the same reason. */
static void no_waiting(const struct fake *f)
{
	uint32_t fd, seen = 0, open = fdt_count(f->vm);

	for (fd = 0; seen < open && fd < IV_FDS_MAX; fd++) {
		struct fd_entry *e = fdt_get(f->vm, fd);

		if (!e)
			continue;
		seen++;
		if (e->kind == FD_STREAM || e->kind == FD_SOCKET)
			e->fdflags |= WASI_FDFLAGS_NONBLOCK;
	}
}

/* Keeps a copy of f's memory, when it is all plain memory, to check refused calls against. */
static void take_snapshot(const struct fake *f)
{
	snapshot_of = f->vm->nmaps ? NULL : plain(f, 0, mem_size(f));
	if (snapshot_of)
		memcpy(snapshot, snapshot_of, mem_size(f));
}

/* True when fd is a file or folder of a read-only mount: nothing through it may change. */
static bool readonly_fd(const struct fake *f, uint32_t fd)
{
	const struct fd_entry *e = fdt_get(f->vm, fd);

	return e && e->kind == FD_NODE && e->u.node->fs->readonly;
}

/* A call that succeeded changed nothing through a read-only mount. */
static void check_rw(const struct fake *f, bool ok, uint32_t fd, const char *what)
{
	CHECK(!ok || !readonly_fd(f, fd), "%s succeeded on fd %u of a read-only mount", what, fd);
}

/* ---- calls ---- */

struct gpath {
	uint32_t ptr, len;
};

/*
 * A guest path: mostly up to 15 pieces, written into f's memory near an edge (the snapshot
 * is taken again: the guest wrote them before its call), else any pointer and length.
 */
static struct gpath path_arg(struct fuzz_in *in, const struct fake *f)
{
	uint8_t mode = fz_u8(in), i;
	struct gpath p = {0};
	char buf[PATH_BYTES];
	uint64_t room, at;
	uint8_t *mem;

	if (mode >= 0xe0 || !mem_size(f)) {
		p.ptr = arg32(in, f);
		p.len = arg32(in, f);
		return p;
	}
	for (i = 0; i < (mode & 15); i++) {
		const char *s = pieces[fz_u8(in) % COUNT(pieces)];
		size_t len = strlen(s);

		if (p.len + len <= sizeof(buf)) {
			memcpy(buf + p.len, s, len);
			p.len += (uint32_t)len;
		}
	}
	room = mem_size(f) - p.len;
	at = fz_near(in, room);
	p.ptr = (uint32_t)(at > room ? at % (room + 1) : at);
	mem = plain(f, p.ptr, p.len);
	if (mem)
		memcpy(mem, buf, p.len);
	take_snapshot(f);
	return p;
}

static void check_path(const struct fake *f, bool ok, struct gpath p, const char *what)
{
	check_in(f, ok, p.ptr, p.len, what);
}

/* The guest writes its own memory (names, iovecs, subscriptions). */
static void poke(struct fuzz_in *in, const struct fake *f)
{
	uint32_t at = arg32(in, f), len = fz_u8(in) % 64;
	uint8_t *p;

	if (len > (uint64_t)(in->end - in->p))
		len = (uint32_t)(in->end - in->p);
	p = plain(f, at, len);
	if (p)
		memcpy(p, in->p, len);
	in->p += len;
}

/* Makes one call; returns its result, and sets *wasi when it is a WASI errno. */
static uint32_t call(enum call c, struct fuzz_in *in, struct fake *f, bool *wasi)
{
	struct cvm *vm = f->vm;
	uint32_t a = 0, b = 0, d = 0, e = 0, g = 0, h = 0, r = 0;
	struct gpath p, q;
	uint64_t x = 0, y = 0;

	*wasi = c >= H_ARGS_SIZES;
	switch (c) {
	case H_CONSOLE_WRITE:
		a = arg32(in, f);
		b = arg32(in, f);
		r = Z_intravisorZ_console_write(vm, a, b);
		CHECK((int32_t)r < 0 || r == b, "console_write: %u of %u", r, b);
		check_in(f, (int32_t)r >= 0, a, b, "console_write");
		break;
	case H_CLOCK_NS:
		a = choice(in, 3);
		x = Z_intravisorZ_clock_ns(vm, a);
		CHECK((a <= IV_CLOCK_MONOTONIC) == (x != (uint64_t)-(int64_t)IV_EINVAL),
		      "clock_ns(%u)", a);
		break;
	case H_RANDOM:
		a = arg32(in, f);
		b = arg32(in, f);
		r = Z_intravisorZ_random(vm, a, b);
		check_in(f, !r, a, b, "random");
		break;
	case H_CAP_INFO:
		a = handle(in);
		b = arg32(in, f);
		r = Z_intravisorZ_cap_info(vm, a, b);
		check_in(f, !r, b, sizeof(struct iv_cap_info), "cap_info");
		break;
	case H_CAP_DERIVE:
		a = handle(in);
		x = fz_near(in, PAGE);
		y = fz_near(in, PAGE);
		b = fz_u8(in);
		r = Z_intravisorZ_cap_derive(vm, a, x, y, b);
		break;
	case H_CAP_DROP:
		r = Z_intravisorZ_cap_drop(vm, handle(in));
		break;
	case H_CAP_REVOKE:
		r = Z_intravisorZ_cap_revoke(vm, handle(in));
		break;
	case H_CAP_SEALER:
		r = Z_intravisorZ_cap_sealer(vm);
		break;
	case H_CAP_SEAL:
	case H_CAP_UNSEAL:
		a = handle(in);
		b = handle(in);
		r = c == H_CAP_SEAL ? Z_intravisorZ_cap_seal(vm, a, b)
				    : Z_intravisorZ_cap_unseal(vm, a, b);
		break;
	case H_CAP_TRANSFER:
		a = handle(in);
		b = arg32(in, f);
		d = arg32(in, f);
		r = Z_intravisorZ_cap_transfer(vm, a, b, d);
		break;
	case H_CAP_LOAD:
	case H_CAP_STORE:
		a = handle(in);
		x = fz_near(in, PAGE);
		b = arg32(in, f);
		d = arg32(in, f);
		r = c == H_CAP_LOAD ? Z_intravisorZ_cap_load(vm, a, x, b, d)
				    : Z_intravisorZ_cap_store(vm, a, x, b, d);
		check_in(f, !r, b, d, "cap_load/cap_store");
		break;
	case H_CAP_COPY:
		a = handle(in);
		x = fz_near(in, PAGE);
		b = handle(in);
		y = fz_near(in, PAGE);
		d = arg32(in, f);
		r = Z_intravisorZ_cap_copy(vm, a, x, b, y, d);
		break;
	case H_CAP_MAP:
		a = handle(in);
		b = arg32(in, f);
		r = Z_intravisorZ_cap_map(vm, a, b);
		f->mapped |= r == 0;
		break;
	case H_CAP_UNMAP:
		r = Z_intravisorZ_cap_unmap(vm, arg32(in, f));
		break;
	case H_CAPFILE_ADV:
		a = arg32(in, f);
		b = arg32(in, f);
		d = arg32(in, f);
		e = arg32(in, f);
		r = Z_intravisorZ_capfile_adv(vm, a, b, d, e, fz_u8(in));
		check_in(f, (int32_t)r > 0, d, e, "capfile_adv");
		break;
	case H_CAPFILE_PRB: /* with no waiting: timeout 0 */
		a = arg32(in, f);
		b = arg32(in, f);
		d = arg32(in, f);
		r = Z_intravisorZ_capfile_prb(vm, a, b, 0, d);
		check_in(f, (int32_t)r > 0, d, 8, "capfile_prb");
		break;
	case H_CALL_ADV:
		a = arg32(in, f);
		b = arg32(in, f);
		d = arg32(in, f);
		e = arg32(in, f);
		r = Z_intravisorZ_call_adv(vm, a, b, d, e);
		break;
	case H_CALL_PRB:
		a = arg32(in, f);
		b = arg32(in, f);
		r = Z_intravisorZ_call_prb(vm, a, b, 0);
		break;
	/* Streams: every wait is a zero timeout, as nothing else runs here to wake it. */
	case H_STREAM_NEW:
		a = arg32(in, f);
		b = fz_u8(in) % 3;
		r = Z_intravisorZ_stream_new(vm, a, b, arg32(in, f));
		break;
	case H_STREAM_ADV:
		a = arg32(in, f);
		b = arg32(in, f);
		d = handle(in);
		r = Z_intravisorZ_stream_adv(vm, a, b, d, fz_u8(in) % 4);
		break;
	case H_STREAM_PRB:
		a = arg32(in, f);
		b = arg32(in, f);
		r = Z_intravisorZ_stream_prb(vm, a, b, fz_u8(in) % 4, 0);
		break;
	case H_STREAM_SEND:
	case H_STREAM_RECV:
		a = handle(in);
		b = arg32(in, f);
		d = arg32(in, f);
		e = c == H_STREAM_SEND ? handle(in) : arg32(in, f);
		r = c == H_STREAM_SEND ? Z_intravisorZ_stream_send(vm, a, b, d, e, 0)
				       : Z_intravisorZ_stream_recv(vm, a, b, d, e, 0);
		break;
	case H_STREAM_WAIT:
		a = arg32(in, f);
		r = Z_intravisorZ_stream_wait(vm, a, fz_u8(in) % 70, 0);
		break;
	case H_STREAM_FD:
		r = Z_intravisorZ_stream_fd(vm, handle(in));
		break;
	case H_CAP_NOTIFY:
		r = Z_intravisorZ_cap_notify(vm, handle(in));
		break;
	case H_ARGS_SIZES:
	case H_ENVIRON_SIZES:
		a = arg32(in, f);
		b = arg32(in, f);
		if (c == H_ARGS_SIZES) {
			r = Z_wasi_snapshot_preview1Z_args_sizes_get(vm, a, b);
			if (!r)
				check_sizes(f, vm->argv, vm->argc, a, b);
		} else {
			r = Z_wasi_snapshot_preview1Z_environ_sizes_get(vm, a, b);
			if (!r)
				check_sizes(f, vm->env, vm->envc, a, b);
		}
		break;
	case H_ARGS:
	case H_ENVIRON:
		a = arg32(in, f);
		b = arg32(in, f);
		if (c == H_ARGS) {
			r = Z_wasi_snapshot_preview1Z_args_get(vm, a, b);
			if (!r)
				check_strings(f, vm->argv, vm->argc, a, b);
		} else {
			r = Z_wasi_snapshot_preview1Z_environ_get(vm, a, b);
			if (!r)
				check_strings(f, vm->env, vm->envc, a, b);
		}
		break;
	case H_CLOCK_RES:
	case H_CLOCK_TIME:
		a = choice(in, 5);
		b = arg32(in, f);
		if (c == H_CLOCK_RES) {
			r = Z_wasi_snapshot_preview1Z_clock_res_get(vm, a, b);
		} else {
			x = fz_u64(in);
			r = Z_wasi_snapshot_preview1Z_clock_time_get(vm, a, x, b);
		}
		check_in(f, !r, b, 8, "clock_res_get/clock_time_get");
		break;
	case H_RANDOM_GET:
		a = arg32(in, f);
		b = arg32(in, f);
		r = Z_wasi_snapshot_preview1Z_random_get(vm, a, b);
		check_in(f, !r, a, b, "random_get");
		break;
	case H_FD_WRITE:
	case H_FD_READ: /* stdin is not attached: reading gives EOF */
		a = fd_arg(in);
		b = arg32(in, f);
		d = (uint32_t)fz_near(in, 4);
		e = arg32(in, f);
		r = c == H_FD_WRITE ? Z_wasi_snapshot_preview1Z_fd_write(vm, a, b, d, e)
				    : Z_wasi_snapshot_preview1Z_fd_read(vm, a, b, d, e);
		check_in(f, !r, b, 8ull * d, "fd_write/fd_read iovecs");
		check_in(f, !r, e, 4, "fd_write/fd_read count");
		if (c == H_FD_WRITE)
			check_rw(f, !r, a, "fd_write");
		break;
	case H_FD_FDSTAT:
		a = fd_arg(in);
		b = arg32(in, f);
		r = Z_wasi_snapshot_preview1Z_fd_fdstat_get(vm, a, b);
		check_in(f, !r, b, 24, "fd_fdstat_get");
		break;
	case H_FD_SEEK:
		a = fd_arg(in);
		x = fz_u64(in);
		b = fz_u8(in);
		r = Z_wasi_snapshot_preview1Z_fd_seek(vm, a, x, b, arg32(in, f));
		break;
	case H_FD_TELL:
		a = fd_arg(in);
		r = Z_wasi_snapshot_preview1Z_fd_tell(vm, a, arg32(in, f));
		break;
	case H_FD_PRESTAT:
		a = fd_arg(in);
		r = Z_wasi_snapshot_preview1Z_fd_prestat_get(vm, a, arg32(in, f));
		break;
	case H_FD_PRESTAT_DIR:
		a = fd_arg(in);
		b = arg32(in, f);
		r = Z_wasi_snapshot_preview1Z_fd_prestat_dir_name(vm, a, b, arg32(in, f));
		break;
	case H_POLL:
		a = arg32(in, f);
		b = arg32(in, f);
		d = (uint32_t)fz_near(in, 4);
		e = arg32(in, f);
		no_sleeping(f, a, d);
		take_snapshot(f);
		r = Z_wasi_snapshot_preview1Z_poll_oneoff(vm, a, b, d, e);
		check_in(f, !r, a, (uint64_t)d * WASI_SUBSCRIPTION_BYTES, "poll_oneoff entries");
		check_in(f, !r, b, (uint64_t)d * WASI_EVENT_BYTES, "poll_oneoff events");
		check_in(f, !r, e, 4, "poll_oneoff count");
		if (!r) {
			memcpy(&a, plain(f, e, 4), 4);
			CHECK(a <= d, "poll_oneoff: %u events for %u subscriptions", a, d);
		}
		break;
	case H_FD_CLOSE:
		r = Z_wasi_snapshot_preview1Z_fd_close(vm, fd_arg(in));
		break;
	case H_FD_ADVISE:
		a = fd_arg(in);
		x = fz_near(in, SIZE_CAP);
		y = fz_near(in, SIZE_CAP);
		r = Z_wasi_snapshot_preview1Z_fd_advise(vm, a, x, y, choice(in, 7));
		break;
	case H_FD_ALLOCATE:
		a = fd_arg(in);
		x = fz_near(in, SIZE_CAP);
		y = size_arg(in);
		r = Z_wasi_snapshot_preview1Z_fd_allocate(vm, a, x, y);
		check_rw(f, !r, a, "fd_allocate");
		break;
	case H_FD_DATASYNC:
		r = Z_wasi_snapshot_preview1Z_fd_datasync(vm, fd_arg(in));
		break;
	case H_FD_SYNC:
		r = Z_wasi_snapshot_preview1Z_fd_sync(vm, fd_arg(in));
		break;
	case H_FD_SET_FLAGS:
		a = fd_arg(in);
		r = Z_wasi_snapshot_preview1Z_fd_fdstat_set_flags(vm, a, flags_arg(in, 0x1f));
		break;
	case H_FD_SET_RIGHTS: {
		const struct fd_entry *before;
		uint64_t had = 0, inherited = 0;

		a = fd_arg(in);
		before = fdt_get(vm, a);
		if (before) {
			had = before->rights;
			inherited = before->inheriting;
		}
		x = rights_arg(in, had);
		y = rights_arg(in, inherited);
		r = Z_wasi_snapshot_preview1Z_fd_fdstat_set_rights(vm, a, x, y);
		/* Rights only ever narrow. */
		CHECK(r || (!(x & ~had) && !(y & ~inherited) && fdt_get(vm, a)->rights == x &&
			    fdt_get(vm, a)->inheriting == y),
		      "fd_fdstat_set_rights(%u, %#llx, %#llx) from %#llx, %#llx", a,
		      (unsigned long long)x, (unsigned long long)y, (unsigned long long)had,
		      (unsigned long long)inherited);
		break;
	}
	case H_FD_FILESTAT:
		a = fd_arg(in);
		b = arg32(in, f);
		r = Z_wasi_snapshot_preview1Z_fd_filestat_get(vm, a, b);
		check_in(f, !r, b, WASI_FILESTAT_BYTES, "fd_filestat_get");
		break;
	case H_FD_SET_SIZE:
		a = fd_arg(in);
		r = Z_wasi_snapshot_preview1Z_fd_filestat_set_size(vm, a, size_arg(in));
		check_rw(f, !r, a, "fd_filestat_set_size");
		break;
	case H_FD_SET_TIMES:
		a = fd_arg(in);
		x = fz_near(in, 0);
		y = fz_near(in, 0);
		d = flags_arg(in, 0xf);
		r = Z_wasi_snapshot_preview1Z_fd_filestat_set_times(vm, a, x, y, d);
		check_rw(f, !r, a, "fd_filestat_set_times");
		break;
	case H_FD_PREAD:
	case H_FD_PWRITE:
		a = fd_arg(in);
		b = arg32(in, f);
		d = (uint32_t)fz_near(in, 4);
		x = fz_near(in, SIZE_CAP);
		e = arg32(in, f);
		r = c == H_FD_PWRITE ? Z_wasi_snapshot_preview1Z_fd_pwrite(vm, a, b, d, x, e)
				     : Z_wasi_snapshot_preview1Z_fd_pread(vm, a, b, d, x, e);
		check_in(f, !r, b, 8ull * d, "fd_pread/fd_pwrite iovecs");
		check_in(f, !r, e, 4, "fd_pread/fd_pwrite count");
		if (c == H_FD_PWRITE)
			check_rw(f, !r, a, "fd_pwrite");
		break;
	case H_FD_READDIR:
		a = fd_arg(in);
		b = arg32(in, f);
		d = arg32(in, f);
		x = fz_near(in, 0);
		e = arg32(in, f);
		r = Z_wasi_snapshot_preview1Z_fd_readdir(vm, a, b, d, x, e);
		check_in(f, !r, b, d, "fd_readdir buffer");
		check_in(f, !r, e, 4, "fd_readdir count");
		if (!r) {
			memcpy(&g, plain(f, e, 4), 4);
			CHECK(!apart(b, d, e, 4) || g <= d, "fd_readdir: %u bytes in %u", g, d);
		}
		break;
	case H_FD_RENUMBER:
		a = fd_arg(in);
		b = fd_arg(in);
		r = Z_wasi_snapshot_preview1Z_fd_renumber(vm, a, b);
		CHECK(r || (fdt_get(vm, b) && (a == b || !fdt_get(vm, a))),
		      "fd_renumber(%u, %u) left them wrong", a, b);
		break;
	case H_PATH_MKDIR:
	case H_PATH_RMDIR:
	case H_PATH_UNLINK:
		a = fd_arg(in);
		p = path_arg(in, f);
		if (c == H_PATH_MKDIR)
			r = Z_wasi_snapshot_preview1Z_path_create_directory(vm, a, p.ptr, p.len);
		else if (c == H_PATH_RMDIR)
			r = Z_wasi_snapshot_preview1Z_path_remove_directory(vm, a, p.ptr, p.len);
		else
			r = Z_wasi_snapshot_preview1Z_path_unlink_file(vm, a, p.ptr, p.len);
		check_path(f, !r, p, "path_create_directory/remove_directory/unlink_file");
		check_rw(f, !r, a, "path_create_directory/remove_directory/unlink_file");
		break;
	case H_PATH_FILESTAT:
		a = fd_arg(in);
		b = flags_arg(in, WASI_LOOKUPFLAGS_SYMLINK_FOLLOW);
		p = path_arg(in, f);
		d = arg32(in, f);
		r = Z_wasi_snapshot_preview1Z_path_filestat_get(vm, a, b, p.ptr, p.len, d);
		check_path(f, !r, p, "path_filestat_get path");
		check_in(f, !r, d, WASI_FILESTAT_BYTES, "path_filestat_get");
		break;
	case H_PATH_SET_TIMES:
		a = fd_arg(in);
		b = flags_arg(in, WASI_LOOKUPFLAGS_SYMLINK_FOLLOW);
		p = path_arg(in, f);
		x = fz_near(in, 0);
		y = fz_near(in, 0);
		d = flags_arg(in, 0xf);
		r = Z_wasi_snapshot_preview1Z_path_filestat_set_times(vm, a, b, p.ptr, p.len, x, y,
								      d);
		check_path(f, !r, p, "path_filestat_set_times");
		check_rw(f, !r, a, "path_filestat_set_times");
		break;
	case H_PATH_LINK:
	case H_PATH_RENAME:
		a = fd_arg(in);
		b = c == H_PATH_LINK ? flags_arg(in, WASI_LOOKUPFLAGS_SYMLINK_FOLLOW) : 0;
		p = path_arg(in, f);
		d = fd_arg(in);
		q = path_arg(in, f);
		r = c == H_PATH_LINK
			    ? Z_wasi_snapshot_preview1Z_path_link(vm, a, b, p.ptr, p.len, d, q.ptr,
								  q.len)
			    : Z_wasi_snapshot_preview1Z_path_rename(vm, a, p.ptr, p.len, d, q.ptr,
								    q.len);
		check_path(f, !r, p, "path_link/path_rename source");
		check_path(f, !r, q, "path_link/path_rename target");
		check_rw(f, !r, a, "path_link/path_rename source");
		check_rw(f, !r, d, "path_link/path_rename target");
		break;
	case H_PATH_OPEN: {
		const struct fd_entry *dir, *opened;

		a = fd_arg(in);
		b = flags_arg(in, WASI_LOOKUPFLAGS_SYMLINK_FOLLOW);
		p = path_arg(in, f);
		d = flags_arg(in, 0xf);
		dir = fdt_get(vm, a);
		x = rights_arg(in, dir ? dir->inheriting : WASI_RIGHTS_ALL);
		y = rights_arg(in, dir ? dir->inheriting : WASI_RIGHTS_ALL);
		e = flags_arg(in, 0x1f);
		g = arg32(in, f);
		r = Z_wasi_snapshot_preview1Z_path_open(vm, a, b, p.ptr, p.len, d, x, y, e, g);
		check_path(f, !r, p, "path_open path");
		check_in(f, !r, g, 4, "path_open fd");
		if (r)
			break;
		memcpy(&g, plain(f, g, 4), 4);
		opened = fdt_get(vm, g);
		CHECK(opened && opened->kind == FD_NODE && opened->rights == x &&
		      opened->inheriting == y, "path_open: fd %u is not what was asked", g);
		/* What is opened holds no right its folder could not hand down. */
		CHECK(!(x & ~dir->inheriting) && !(y & ~dir->inheriting),
		      "path_open: rights %#llx, %#llx beyond %#llx", (unsigned long long)x,
		      (unsigned long long)y, (unsigned long long)dir->inheriting);
		CHECK(!(d & WASI_OFLAGS_DIRECTORY) || opened->u.node->is_dir,
		      "path_open: a directory asked for, a file opened");
		CHECK(!readonly_fd(f, a) || (!(d & (WASI_OFLAGS_CREAT | WASI_OFLAGS_TRUNC)) &&
					     !(e & WASI_FDFLAGS_APPEND) &&
					     !(x & (WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ALLOCATE |
						    WASI_RIGHT_FD_FILESTAT_SET_SIZE))),
		      "path_open: opened for a change on a read-only mount");
		break;
	}
	case H_PATH_READLINK:
		a = fd_arg(in);
		p = path_arg(in, f);
		b = arg32(in, f);
		d = arg32(in, f);
		e = arg32(in, f);
		r = Z_wasi_snapshot_preview1Z_path_readlink(vm, a, p.ptr, p.len, b, d, e);
		check_path(f, !r, p, "path_readlink path");
		check_in(f, !r, b, d, "path_readlink buffer");
		check_in(f, !r, e, 4, "path_readlink count");
		if (!r) {
			memcpy(&g, plain(f, e, 4), 4);
			CHECK(!apart(b, d, e, 4) || g <= d, "path_readlink: %u bytes in %u", g, d);
		}
		break;
	case H_PATH_SYMLINK:
		p = path_arg(in, f);
		a = fd_arg(in);
		q = path_arg(in, f);
		r = Z_wasi_snapshot_preview1Z_path_symlink(vm, p.ptr, p.len, a, q.ptr, q.len);
		check_path(f, !r, p, "path_symlink target");
		check_path(f, !r, q, "path_symlink path");
		check_rw(f, !r, a, "path_symlink");
		break;
	case H_SCHED_YIELD:
		r = Z_wasi_snapshot_preview1Z_sched_yield(vm);
		CHECK(!r, "sched_yield: %u", r);
		break;
	case H_PROC_RAISE:
		r = Z_wasi_snapshot_preview1Z_proc_raise(vm, choice(in, 32));
		break;
	case H_SOCK_ACCEPT:
		a = fd_arg(in);
		b = flags_arg(in, WASI_FDFLAGS_NONBLOCK);
		d = arg32(in, f);
		r = Z_wasi_snapshot_preview1Z_sock_accept(vm, a, b, d);
		check_in(f, !r, d, 4, "sock_accept");
		if (!r) {
			memcpy(&g, plain(f, d, 4), 4);
			CHECK(fdt_get(vm, g) && fdt_get(vm, g)->kind == FD_SOCKET,
			      "sock_accept: fd %u is no socket", g);
		}
		break;
	case H_SOCK_RECV:
		a = fd_arg(in);
		b = arg32(in, f);
		d = (uint32_t)fz_near(in, 4);
		e = flags_arg(in, WASI_RIFLAGS_RECV_PEEK | WASI_RIFLAGS_RECV_WAITALL);
		g = arg32(in, f);
		h = arg32(in, f);
		r = Z_wasi_snapshot_preview1Z_sock_recv(vm, a, b, d, e, g, h);
		check_in(f, !r, b, 8ull * d, "sock_recv iovecs");
		check_in(f, !r, g, 4, "sock_recv count");
		check_in(f, !r, h, 2, "sock_recv flags");
		break;
	case H_SOCK_SEND:
		a = fd_arg(in);
		b = arg32(in, f);
		d = (uint32_t)fz_near(in, 4);
		e = flags_arg(in, 0);
		g = arg32(in, f);
		r = Z_wasi_snapshot_preview1Z_sock_send(vm, a, b, d, e, g);
		check_in(f, !r, b, 8ull * d, "sock_send iovecs");
		check_in(f, !r, g, 4, "sock_send count");
		break;
	case H_SOCK_SHUTDOWN:
		a = fd_arg(in);
		r = Z_wasi_snapshot_preview1Z_sock_shutdown(vm, a, flags_arg(in, 3));
		break;
	case H_POKE:
	case NCALLS:
		break;
	}
	return r;
}

static void run(struct fuzz_in *in)
{
	while (fz_more(in)) {
		enum call c = (enum call)(fz_u8(in) % NCALLS);
		struct fake *f = &fakes[fz_u8(in) % NVM];
		bool wasi, failed;
		uint32_t r;

		if (c == H_POKE) {
			poke(in, f);
			continue;
		}
		no_waiting(f);
		take_snapshot(f);
		r = call(c, in, f, &wasi);
		if (wasi) {
			/* Every function is served: only proc_raise answers ENOSYS. */
			CHECK(r <= WASI_ENOTCAPABLE && (r != WASI_ENOSYS || c == H_PROC_RAISE),
			      "WASI call %d returned %u", c, r);
			failed = r != 0;
		} else {
			failed = (int32_t)r < 0;
			CHECK(!failed || known(iv_errors, COUNT(iv_errors), -(int32_t)r),
			      "hostcall %d returned %d", c, (int32_t)r);
			if (!failed) {
				recent[nrecent % RECENT] = r;
				nrecent++;
			}
		}
		/* A refused call writes nothing. */
		if (failed && snapshot_of)
			CHECK(!memcmp(snapshot, snapshot_of, mem_size(f)),
			      "call %d failed (%d) but wrote", c, (int32_t)r);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct fuzz_in in = {data, data + size};

	if (!ready) {
		setup();
		ready = true;
	}
	begin(&in);
	run(&in);
	end();
	return 0;
}
