/* Compiles a wasm module to a native shared object in a content-addressed cache. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "compile.h"
#include "errbuf.h"
#include "intravisor/abi.h"
#include "sha256.h"
#include "shim.h"

extern char **environ;
extern const char rt_header_text[];
extern const size_t rt_header_text_len;

/* Flags for compiling wasm2c's output; part of the cache key. */
static const char *const cflags[] = {"-O2", "-fPIC", "-shared", "-fvisibility=hidden", "-w",
				     "-g0"};
#define NCFLAGS (sizeof(cflags) / sizeof(cflags[0]))

/* wasm2c 1.0.32 cannot translate SIMD, so the validator refuses such modules. */
#define FEATURE_FLAGS "--disable-simd"

static const char *c_compiler(void)
{
	const char *cc = getenv("INTRAVISOR_CC");

	return cc && *cc ? cc : "cc";
}

/* Resolves a program name through PATH the way execvp would. */
static int find_program(const char *prog, char *out, size_t outlen)
{
	const char *path = getenv("PATH");
	const char *p;

	if (strchr(prog, '/')) {
		snprintf(out, outlen, "%s", prog);
		return access(out, X_OK) ? -errno : 0;
	}
	if (!path)
		path = "/usr/bin:/bin";
	for (p = path;; p = strchr(p, ':') + 1) {
		size_t n = strcspn(p, ":");
		if ((size_t)snprintf(out, outlen, "%.*s/%s", (int)n, n ? p : ".", prog) < outlen &&
		    access(out, X_OK) == 0)
			return 0;
		if (!p[n])
			break;
	}
	return -ENOENT;
}

/*
 * Where each tool was found, remembered for the process: a PATH walk costs a system call
 * per folder, and the tools are the same for every module a monitor loads. Each use still
 * stats the file, so a tool rebuilt in place still changes the key.
 */
enum { TOOL_CC, TOOL_WASM2C, NTOOLS };
static struct {
	char *name; /* as asked for (INTRAVISOR_CC may change between calls) */
	char *path;
} tools[NTOOLS];
static pthread_mutex_t tools_lock = PTHREAD_MUTEX_INITIALIZER;

/* The tool's resolved path in out, and its stat; found again when it has moved. */
static int locate_tool(int tool, const char *prog, char *out, size_t outlen, struct stat *st)
{
	char *name, *path;
	int known;

	pthread_mutex_lock(&tools_lock);
	known = tools[tool].name && !strcmp(tools[tool].name, prog);
	if (known)
		snprintf(out, outlen, "%s", tools[tool].path);
	pthread_mutex_unlock(&tools_lock);
	if (known && stat(out, st) == 0)
		return 0;
	if (find_program(prog, out, outlen) || stat(out, st))
		return -ENOENT;
	name = strdup(prog);
	path = strdup(out);
	pthread_mutex_lock(&tools_lock);
	if (name && path) {
		free(tools[tool].name);
		free(tools[tool].path);
		tools[tool].name = name;
		tools[tool].path = path;
		name = path = NULL;
	}
	pthread_mutex_unlock(&tools_lock);
	free(name);
	free(path);
	return 0;
}

/* Hashes what identifies a tool: its resolved path, size and modification time. */
static int hash_tool(struct sha256 *h, int tool, const char *prog)
{
	char path[4096];
	struct stat st;
	char buf[128];
	int n;

	if (locate_tool(tool, prog, path, sizeof(path), &st))
		return -ENOENT;
	sha256_update(h, path, strlen(path) + 1);
	n = snprintf(buf, sizeof(buf), "%lld:%lld.%09ld", (long long)st.st_size,
		     (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	sha256_update(h, buf, (size_t)n + 1);
	return 0;
}

/* The key's fixed start (ABI version, runtime header), hashed once per process. */
static struct sha256 key_prefix;
static pthread_once_t key_prefix_once = PTHREAD_ONCE_INIT;

static void hash_key_prefix(void)
{
	char buf[64];
	int n;

	sha256_init(&key_prefix);
	n = snprintf(buf, sizeof(buf), "intravisor-cache abi=%d", IV_ABI_VERSION);
	sha256_update(&key_prefix, buf, (size_t)n + 1);
	sha256_update(&key_prefix, rt_header_text, rt_header_text_len);
}

int compile_key(const uint8_t *wasm, size_t len, char key[65])
{
	struct sha256 h;
	uint8_t digest[SHA256_BYTES];
	size_t i;

	pthread_once(&key_prefix_once, hash_key_prefix);
	h = key_prefix;
	if (hash_tool(&h, TOOL_CC, c_compiler()) || hash_tool(&h, TOOL_WASM2C, IV_WASM2C))
		return -ENOENT;
	for (i = 0; i < NCFLAGS; i++)
		sha256_update(&h, cflags[i], strlen(cflags[i]) + 1);
	sha256_update(&h, FEATURE_FLAGS, sizeof(FEATURE_FLAGS));
	sha256_update(&h, wasm, len);
	sha256_final(&h, digest);
	sha256_hex(digest, key);
	return 0;
}

int compile_default_cache_dir(char *out, size_t outlen)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	int n;

	if (xdg && xdg[0] == '/')
		n = snprintf(out, outlen, "%s/intravisor", xdg);
	else if (home && *home)
		n = snprintf(out, outlen, "%s/.cache/intravisor", home);
	else
		return -ENOENT;
	return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

/* mkdir -p, creating missing folders private to the user. */
static int make_dirs(const char *dir)
{
	char path[4096];
	size_t i, n = strlen(dir);

	if (n == 0 || n >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != 0)
			continue;
		path[i] = 0;
		if (mkdir(path, 0700) && errno != EEXIST)
			return -errno;
		path[i] = i < n ? '/' : 0;
	}
	return 0;
}

static int write_file(const char *path, const void *data, size_t len)
{
	const char *p = data;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int err = 0;

	if (fd < 0)
		return -errno;
	while (len && !err) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno != EINTR)
			err = -errno;
		else if (w > 0)
			p += w, len -= (size_t)w;
	}
	if (close(fd) && !err)
		err = -errno;
	return err;
}

static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];

	if (d) {
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

/* Appends the first lines of a tool's log to err, for the user. */
static void append_log(char *err, size_t errlen, const char *log_path)
{
	char buf[1024];
	size_t used = strlen(err), n;
	FILE *f = fopen(log_path, "r");

	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	if (n && used + 3 < errlen)
		snprintf(err + used, errlen - used, ":\n%s", buf);
}

struct progress {
	int on;
	const char *name;
	size_t kib;
	struct timespec start;
};

static void show_progress(const struct progress *pr, const char *step, int done)
{
	struct timespec now;
	double s;

	if (!pr->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	s = (double)(now.tv_sec - pr->start.tv_sec) + (now.tv_nsec - pr->start.tv_nsec) / 1e9;
	fprintf(stderr, "\r\033[Kintravisor: compiling %s (%zu KiB): %s %.1fs%s", pr->name,
		pr->kib, step, s, done ? "\n" : "");
	fflush(stderr);
}

/* Runs argv with stdout and stderr sent to log_path; returns its exit status or -errno. */
static int run_tool(char *const argv[], const char *log_path, const struct progress *pr,
		    const char *step)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	pid_t pid;
	int status, err;

	/* The tools get the default signal mask, not the monitor's (which blocks SIGINT...). */
	sigemptyset(&none);
	if (posix_spawnattr_init(&attr))
		return -ENOMEM;
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	if (posix_spawn_file_actions_init(&fa)) {
		posix_spawnattr_destroy(&attr);
		return -ENOMEM;
	}
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	err = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (err)
		return -err;
	for (;;) {
		pid_t r = waitpid(pid, &status, pr->on ? WNOHANG : 0);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r == 0) {
			struct timespec tick = {0, 100 * 1000 * 1000};
			show_progress(pr, step, 0);
			nanosleep(&tick, NULL);
		}
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/*
 * The cache folder must be ours alone: compiled code is loaded from it and run, so anyone
 * else able to write there could run code in the monitor.
 */
static int cache_dir_trusted(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (stat(dir, &st)) {
		errbuf_set(err, errlen, "cannot use cache folder %s: %s", dir, strerror(errno));
		return 0;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
		errbuf_set(err, errlen,
		     "refusing cache folder %s: it must be a folder of yours that nobody else can "
		     "write to (it has mode %04o and owner %u; try chmod 700)",
		     dir, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
		return 0;
	}
	return 1;
}

/* Hashes a whole file; 0 or -errno. */
static int hash_file(const char *path, char hex[65])
{
	uint8_t buf[65536], digest[SHA256_BYTES];
	struct sha256 h;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	sha256_init(&h);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sha256_update(&h, buf, (size_t)n);
	close(fd);
	if (n < 0)
		return -EIO;
	sha256_final(&h, digest);
	sha256_hex(digest, hex);
	return 0;
}

/*
 * Each compiled object has a record written when it was stored: its digest and the file's
 * identity (inode, size, modification and change times). A load whose stat matches the
 * record trusts the object without reading it (any write changes the change time, which no
 * user can set back); otherwise the digest decides.
 */
static void format_meta(char *out, size_t outlen, const char *hex, const struct stat *st)
{
	snprintf(out, outlen, "sha256 %s\nidentity %llu %lld %lld.%09ld %lld.%09ld\n", hex,
		 (unsigned long long)st->st_ino, (long long)st->st_size,
		 (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec, (long long)st->st_ctim.tv_sec,
		 st->st_ctim.tv_nsec);
}

static int write_meta(const char *object, const char *meta, const char *hex)
{
	char text[256], tmp[4300];
	struct stat st;
	int err;

	if (stat(object, &st))
		return -errno;
	format_meta(text, sizeof(text), hex, &st);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", meta, (int)getpid());
	err = write_file(tmp, text, strlen(text));
	if (!err && rename(tmp, meta))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

enum entry_state { ENTRY_MISSING, ENTRY_GOOD, ENTRY_UNRECORDED, ENTRY_CORRUPT };

static enum entry_state check_entry(const char *object, const char *meta)
{
	char text[256] = "", expect[256], hex[65], recorded[65];
	struct stat st;
	ssize_t n;
	int fd;

	if (stat(object, &st))
		return ENTRY_MISSING;
	fd = open(meta, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ENTRY_UNRECORDED;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0 || sscanf(text, "sha256 %64s", recorded) != 1 || strlen(recorded) != 64)
		return ENTRY_CORRUPT;
	text[n] = 0;
	format_meta(expect, sizeof(expect), recorded, &st);
	if (!strcmp(text, expect))
		return ENTRY_GOOD;
	if (hash_file(object, hex) || strcmp(hex, recorded))
		return ENTRY_CORRUPT;
	write_meta(object, meta, hex); /* same bytes, new identity (copied, restored): note it */
	return ENTRY_GOOD;
}

int compile_module(const char *display_name, const uint8_t *wasm, size_t len,
		   const struct wmod_info *info, const char *cache_dir, const char *key,
		   int progress, char **so_path, char *err, size_t errlen)
{
	char final[4096], meta[4096], tmp[4096], in[4200], csrc[4200], shim[4200], hdr[4200],
		so[4200], log[4200], hex[65];
	enum entry_state state;
	struct progress pr = {progress, display_name, (len + 1023) / 1024, {0, 0}};
	const char *cc = c_compiler();
	char *argv[32];
	size_t i, argc;
	int rc, lock_fd = -1;

	*so_path = NULL;
	if (snprintf(final, sizeof(final), "%s/%s.so", cache_dir, key) >= (int)sizeof(final) ||
	    snprintf(meta, sizeof(meta), "%s/%s.meta", cache_dir, key) >= (int)sizeof(meta)) {
		errbuf_set(err, errlen, "%s: cache folder path too long", display_name);
		return -1;
	}
	/* Created only when missing: a warm start makes no mkdir calls. */
	if (access(cache_dir, F_OK) && errno == ENOENT) {
		rc = make_dirs(cache_dir);
		if (rc) {
			errbuf_set(err, errlen, "cannot create cache folder %s: %s", cache_dir,
				   strerror(-rc));
			return -1;
		}
	}
	if (!cache_dir_trusted(cache_dir, err, errlen))
		return -1;
	if (check_entry(final, meta) == ENTRY_GOOD)
		goto done;
	/*
	 * Monitors compiling the same module at once take turns: the later one then finds the
	 * object in place. The lock only saves work; correctness comes from the rename.
	 */
	snprintf(tmp, sizeof(tmp), "%s/%s.lock", cache_dir, key);
	lock_fd = open(tmp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock_fd >= 0) {
		while (flock(lock_fd, LOCK_EX) && errno == EINTR)
			;
	}
	/* Under the lock a writer has finished both files: anything but good is damage. */
	state = check_entry(final, meta);
	if (state == ENTRY_GOOD) {
		if (lock_fd >= 0)
			close(lock_fd);
		goto done;
	}
	if (state == ENTRY_CORRUPT || state == ENTRY_UNRECORDED) {
		fprintf(stderr, "intravisor: cache entry %s %s; compiling %s again\n", final,
			state == ENTRY_CORRUPT ? "changed after it was written"
					       : "has no integrity record",
			display_name);
		unlink(final);
		unlink(meta);
	}
	snprintf(tmp, sizeof(tmp), "%s/tmp.XXXXXX", cache_dir);
	if (!mkdtemp(tmp)) {
		errbuf_set(err, errlen, "cannot create a folder in %s: %s", cache_dir, strerror(errno));
		if (lock_fd >= 0)
			close(lock_fd);
		return -1;
	}
	snprintf(in, sizeof(in), "%s/module.wasm", tmp);
	snprintf(csrc, sizeof(csrc), "%s/module.c", tmp);
	snprintf(shim, sizeof(shim), "%s/shim.c", tmp);
	snprintf(hdr, sizeof(hdr), "%s/wasm-rt.h", tmp);
	snprintf(so, sizeof(so), "%s/module.so", tmp);
	snprintf(log, sizeof(log), "%s/log.txt", tmp);
	clock_gettime(CLOCK_MONOTONIC, &pr.start);

	/* Compile the bytes that were hashed, not the file, which may change meanwhile. */
	if (write_file(in, wasm, len) || write_file(hdr, rt_header_text, rt_header_text_len) ||
	    shim_write(shim, info)) {
		errbuf_set(err, errlen, "%s: cannot write to %s: %s", display_name, tmp, strerror(errno));
		goto fail;
	}

	show_progress(&pr, "validating", 0);
	argv[0] = (char *)IV_WASM_VALIDATE;
	argv[1] = (char *)FEATURE_FLAGS;
	argv[2] = in;
	argv[3] = NULL;
	rc = run_tool(argv, log, &pr, "validating");
	if (rc) {
		if (rc < 0)
			errbuf_set(err, errlen, "%s: cannot run %s: %s", display_name, argv[0],
			     strerror(-rc));
		else {
			errbuf_set(err, errlen, "%s: invalid WebAssembly module", display_name);
			append_log(err, errlen, log);
		}
		goto fail;
	}

	show_progress(&pr, "translating", 0);
	argv[0] = (char *)IV_WASM2C;
	argv[1] = (char *)"-n";
	argv[2] = (char *)"cvm";
	argv[3] = in;
	argv[4] = (char *)"-o";
	argv[5] = csrc;
	argv[6] = NULL;
	rc = run_tool(argv, log, &pr, "translating");
	if (rc) {
		errbuf_set(err, errlen, "%s: wasm2c failed (status %d)", display_name, rc);
		append_log(err, errlen, log);
		goto fail;
	}

	argc = 0;
	argv[argc++] = (char *)cc;
	for (i = 0; i < NCFLAGS; i++)
		argv[argc++] = (char *)cflags[i];
	argv[argc++] = (char *)"-I";
	argv[argc++] = tmp;
	argv[argc++] = csrc;
	argv[argc++] = shim;
	argv[argc++] = (char *)"-o";
	argv[argc++] = so;
	argv[argc] = NULL;
	rc = run_tool(argv, log, &pr, "compiling");
	if (rc) {
		errbuf_set(err, errlen, "%s: the C compiler (%s) failed (status %d)", display_name, cc,
		     rc);
		append_log(err, errlen, log);
		goto fail;
	}
	/* Atomic publication: a reader sees the whole object or none, and then its record. */
	rc = hash_file(so, hex);
	if (rc || rename(so, final) || (rc = write_meta(final, meta, hex))) {
		errbuf_set(err, errlen, "%s: cannot store %s: %s", display_name, final,
		     strerror(rc ? -rc : errno));
		unlink(final);
		goto fail;
	}
	show_progress(&pr, "done", 1);
	remove_tree(tmp);
	if (lock_fd >= 0)
		close(lock_fd);
done:
	*so_path = strdup(final);
	if (!*so_path) {
		errbuf_set(err, errlen, "out of memory");
		return -1;
	}
	return 0;
fail:
	if (pr.on)
		fprintf(stderr, "\r\033[K");
	remove_tree(tmp);
	if (lock_fd >= 0)
		close(lock_fd);
	return -1;
}
