/* bench/posix: posix cVMs against the same C built natively, in one run: file I/O, httpd. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "series.h"

#define FILEIO_ROUNDS 3        /* interleaved runs of the file-I/O program, cVM then native */
#define HTTP_ROUNDS 5          /* interleaved wrk runs against each server */
#define BIG_ROUNDS 3           /* the same for the 1 MiB file */
#define WRK_SECONDS "2"
#define BIG_SIZE 1048576.0     /* examples/httpd's big.bin */

/* The targets, as stated for the project. */
#define TARGET_FILEIO 0.8      /* cVM / native throughput of the whole file-I/O loop, at least */
#define TARGET_HTTPD 0.7       /* cVM / native requests per second, at least */

extern char **environ;

enum { CVM, NATIVE };
enum { WRITE, READ, PREAD, SEEK, LOOP, PHASES };
enum { SRV_NATIVE, SRV_IMAGE, SRV_FOLDER, SERVERS };

static const char *phase_names[PHASES] = {
	"write 16 MiB in 64 KiB writes", "read it back in 64 KiB reads",
	"4 KiB preads at random offsets", "lseek + 256-byte read, random offsets",
	"the whole loop (all four)",
};
static const char *server_names[SERVERS] = {"native", "cVM, ext4 image", "cVM, host folder"};

static struct series fio[2][PHASES]; /* MiB/s, thousands of operations/s, loops/s */
static struct series rps[SERVERS], big[SERVERS];
static char *intravisor, *cache, *work;
static bool failed;

/* ---- processes ---- */

/* Starts argv (PATH searched): stdin /dev/null, stdout to out (or /dev/null), stderr to errpath. */
static pid_t start(char *const argv[], int out, const char *errpath)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int err;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (out >= 0)
		posix_spawn_file_actions_adddup2(&fa, out, 1);
	else
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err) {
		fprintf(stderr, "bench: cannot start %s: %s\n", argv[0], strerror(err));
		return -1;
	}
	return pid;
}

/* Waits for pid (-1: a process that did not start); its exit status, or 128 + its signal. */
static int finish(pid_t pid)
{
	int status;

	if (pid < 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Runs argv to its end and calls take() with each line of its stdout; its exit status or -1. */
static int run_lines(char *const argv[], const char *errpath, void (*take)(const char *, void *),
		     void *ctx)
{
	char line[1024];
	int fds[2], status;
	FILE *f;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	pid = start(argv, fds[1], errpath);
	close(fds[1]);
	f = fdopen(fds[0], "r");
	if (!f)
		close(fds[0]);
	while (f && fgets(line, sizeof(line), f))
		take(line, ctx);
	if (f)
		fclose(f);
	status = pid < 0 ? -1 : finish(pid);
	if (status)
		fprintf(stderr, "bench: %s exited with status %d (stderr in %s)\n", argv[0], status,
			errpath);
	return status;
}

static char *work_path(const char *name)
{
	static char paths[16][4096];
	static int next;
	char *p = paths[next++ % 16];

	snprintf(p, sizeof(paths[0]), "%s/%s", work, name);
	return p;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f)) {
		fprintf(stderr, "bench: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The absolute form of path (YAML files take paths relative to their own folder). */
static char *absolute(char *path)
{
	char *p = realpath(path, NULL);

	return p ? p : path;
}

/* ---- file I/O ---- */

/* Takes one line of fileio: "fileio REP" and, per phase, bytes or operations and nanoseconds. */
static void take_fileio(const char *line, void *ctx)
{
	struct series *s = ctx;
	const char *p = strstr(line, "fileio ");
	double n[4], ns[4];
	int rep;

	if (!p || sscanf(p, "fileio %d %lf %lf %lf %lf %lf %lf %lf %lf", &rep, &n[0], &ns[0],
			 &n[1], &ns[1], &n[2], &ns[2], &n[3], &ns[3]) != 9 ||
	    ns[0] <= 0 || ns[1] <= 0 || ns[2] <= 0 || ns[3] <= 0) {
		fputs(line, stderr);
		return;
	}
	series_add(&s[WRITE], n[0] / (1 << 20) * 1e9 / ns[0]);
	series_add(&s[READ], n[1] / (1 << 20) * 1e9 / ns[1]);
	series_add(&s[PREAD], n[2] * 1e6 / ns[2]);
	series_add(&s[SEEK], n[3] * 1e6 / ns[3]);
	series_add(&s[LOOP], 1e9 / (ns[0] + ns[1] + ns[2] + ns[3]));
}

static void bench_fileio(char *fileio, char *wasm)
{
	char *data = work_path("data"), *yaml = work_path("fileio.yaml"), text[8192];
	char *cvm_argv[] = {intravisor, "--cache-dir", cache, "-y", yaml, NULL};
	char *native_argv[] = {fileio, data, NULL};
	bool cvm_ok = true, native_ok = true;

	if (mkdir(data, 0755) && errno != EEXIST) {
		fprintf(stderr, "bench: cannot make %s: %s\n", data, strerror(errno));
		failed = true;
		return;
	}
	snprintf(text, sizeof(text),
		 "# bench/posix: the file-I/O loop on a host folder (written by bench/posix)\n"
		 "cVMs:\n- name: fileio\n  runtime: %s\n  args: fileio /data\n"
		 "  mounts:\n    - { host: %s, guest: /data, mode: rw }\n", wasm, data);
	if (write_file(yaml, text)) {
		failed = true;
		return;
	}
	for (int r = 0; r < FILEIO_ROUNDS; r++) {
		fprintf(stderr, "[file I/O %d/%d] cVM: %s -y %s%s\n", r + 1, FILEIO_ROUNDS,
			intravisor, yaml, r ? "" : " (compiles what the cache lacks)");
		if (cvm_ok &&
		    run_lines(cvm_argv, work_path("fileio-cvm.err"), take_fileio, fio[CVM]))
			cvm_ok = false;
		fprintf(stderr, "[file I/O %d/%d] native: %s %s\n", r + 1, FILEIO_ROUNDS, fileio,
			data);
		if (native_ok && run_lines(native_argv, work_path("fileio-native.err"), take_fileio,
					   fio[NATIVE]))
			native_ok = false;
	}
	failed |= !cvm_ok || !native_ok;
}

/* ---- httpd ---- */

static int free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* Waits until something accepts connections on port, while pid runs (60 s at most). */
static int wait_listening(int port, pid_t pid, const char *what)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};

	for (int i = 0; i < 600; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

		ok = fd >= 0 && !connect(fd, (struct sockaddr *)&a, sizeof(a));
		if (fd >= 0)
			close(fd);
		if (ok)
			return 0;
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			fprintf(stderr, "bench: %s exited before it listened\n", what);
			return -1;
		}
		nanosleep(&(struct timespec){0, 100000000}, NULL);
	}
	fprintf(stderr, "bench: %s did not listen on port %d within 60 s\n", what, port);
	return -1;
}

struct wrk_result {
	double rps;
	bool errors;
};

static void take_wrk(const char *line, void *ctx)
{
	struct wrk_result *w = ctx;

	if (strstr(line, "Non-2xx") || strstr(line, "Socket errors")) {
		fprintf(stderr, "bench: wrk: %s", line);
		w->errors = true;
	}
	sscanf(line, "Requests/sec: %lf", &w->rps);
}

/* One wrk run against port's path; its requests per second, or 0 when it failed. */
static double wrk(int port, const char *path, const char *seconds)
{
	char url[128], *argv[] = {"wrk", "-t2", "-c16", "-d", (char *)seconds, url, NULL};
	struct wrk_result w = {0, false};

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	if (run_lines(argv, work_path("wrk.err"), take_wrk, &w) || w.errors || w.rps <= 0)
		return 0;
	return w.rps;
}

static void bench_httpd(char *httpd, char *wasm, const char *image, char *www)
{
	char text[8192], ports[SERVERS][16], *img = work_path("web.img");
	char *cp_argv[] = {"cp", (char *)image, img, NULL};
	char *yaml[SERVERS] = {NULL, work_path("httpd-image.yaml"), work_path("httpd-folder.yaml")};
	int port[SERVERS];
	pid_t pid[SERVERS];
	bool up[SERVERS];

	for (int s = 0; s < SERVERS; s++) {
		port[s] = free_port();
		snprintf(ports[s], sizeof(ports[s]), "%d", port[s]);
	}
	/* A copy of the image, as the cVM may write to its disk. */
	if (finish(start(cp_argv, -1, work_path("cp.err")))) {
		fprintf(stderr, "bench: cannot copy %s to %s\n", image, img);
		failed = true;
		return;
	}
	snprintf(text, sizeof(text),
		 "# bench/posix: examples/httpd on its ext4 image (written by bench/posix)\n"
		 "cVMs:\n- name: web\n  runtime: %s\n  args: httpd 127.0.0.1 %d /www\n"
		 "  disk: %s\n  net:\n    listen: [ \"tcp:127.0.0.1:%d\" ]\n",
		 wasm, port[SRV_IMAGE], img, port[SRV_IMAGE]);
	if (write_file(yaml[SRV_IMAGE], text)) {
		failed = true;
		return;
	}
	snprintf(text, sizeof(text),
		 "# bench/posix: examples/httpd on a host folder (written by bench/posix)\n"
		 "cVMs:\n- name: web\n  runtime: %s\n  args: httpd 127.0.0.1 %d /www\n"
		 "  mounts:\n    - { host: %s, guest: /www, mode: ro }\n"
		 "  net:\n    listen: [ \"tcp:127.0.0.1:%d\" ]\n",
		 wasm, port[SRV_FOLDER], www, port[SRV_FOLDER]);
	if (write_file(yaml[SRV_FOLDER], text)) {
		failed = true;
		return;
	}

	for (int s = 0; s < SERVERS; s++) {
		char *native_argv[] = {httpd, "127.0.0.1", ports[s], www, NULL};
		char *cvm_argv[] = {intravisor, "--cache-dir", cache, "-y", yaml[s], NULL};
		char err[64];

		snprintf(err, sizeof(err), "httpd-%d.err", s);
		fprintf(stderr, "[httpd] starting %s on port %d\n", server_names[s], port[s]);
		pid[s] = start(s == SRV_NATIVE ? native_argv : cvm_argv, -1, work_path(err));
		up[s] = pid[s] > 0 && !wait_listening(port[s], pid[s], server_names[s]) &&
			wrk(port[s], "/index.html", "1") > 0; /* the warm-up */
		failed |= !up[s];
	}
	for (int r = 0; r < HTTP_ROUNDS; r++) {
		for (int s = 0; s < SERVERS; s++) {
			double v;

			if (!up[s])
				continue;
			fprintf(stderr, "[httpd %d/%d] wrk -t2 -c16 -d%ss /index.html: %s\n", r + 1,
				HTTP_ROUNDS, WRK_SECONDS, server_names[s]);
			v = wrk(port[s], "/index.html", WRK_SECONDS);
			if (v > 0)
				series_add(&rps[s], v);
			failed |= v <= 0;
		}
	}
	for (int r = 0; r < BIG_ROUNDS; r++) {
		for (int s = 0; s < SERVERS; s++) {
			double v;

			if (!up[s])
				continue;
			fprintf(stderr, "[httpd %d/%d] wrk -t2 -c16 -d%ss /big.bin: %s\n", r + 1,
				BIG_ROUNDS, WRK_SECONDS, server_names[s]);
			v = wrk(port[s], "/big.bin", WRK_SECONDS);
			if (v > 0)
				series_add(&big[s], v * BIG_SIZE / 1e6);
			failed |= v <= 0;
		}
	}
	for (int s = 0; s < SERVERS; s++) {
		if (pid[s] > 0) {
			kill(pid[s], SIGTERM);
			finish(pid[s]);
		}
	}
}

/* ---- the report ---- */

static void row(const char *what, const struct series *s, const char *unit, const char *reps)
{
	char m[32], lo[32], hi[32];

	if (!s->n) {
		printf("%-60s %14s %10s %10s  %s\n", what, "failed", "-", "-", reps);
		return;
	}
	snprintf(m, sizeof(m), "%.1f %s", series_median(s), unit);
	snprintf(lo, sizeof(lo), "%.1f", series_extreme(s, -1));
	snprintf(hi, sizeof(hi), "%.1f", series_extreme(s, 1));
	printf("%-60s %14s %10s %10s  %s\n", what, m, lo, hi, reps);
}

static void ratio(const char *what, const struct series *a, const struct series *b)
{
	char text[32] = "-";

	if (a->n && b->n)
		snprintf(text, sizeof(text), "%.3f", series_median(a) / series_median(b));
	printf("%-60s %14s\n", what, text);
}

static void target(const char *what, const struct series *a, const struct series *b,
		   double limit)
{
	bool measured = a->n && b->n;
	double v = measured ? series_median(a) / series_median(b) : 0;
	char text[32] = "-";

	if (measured)
		snprintf(text, sizeof(text), "%.3f", v);
	printf("%-60s %14s %7s %.2f  %s\n", what, text, ">=", limit,
	       !measured ? "NOT MEASURED" : v >= limit ? "PASS" : "MISS");
}

static void report(void)
{
	static const char *units[PHASES] = {"MiB/s", "MiB/s", "kop/s", "kop/s", "loop/s"};
	char what[128], reps[64];

	bench_print_machine("posix");
	printf("file I/O timed inside the program (clock_gettime around each phase); "
	       "median of the repetitions, min and max beside it\n\n");
	printf("%-60s %14s %10s %10s  %s\n", "measurement", "median", "min", "max", "repetitions");
	for (int p = 0; p < PHASES; p++) {
		for (int k = CVM; k <= NATIVE; k++) {
			snprintf(what, sizeof(what), "file I/O, %s: %s", phase_names[p],
				 k == CVM ? "cVM" : "native");
			snprintf(reps, sizeof(reps), "%d", fio[k][p].n);
			row(what, &fio[k][p], units[p], reps);
		}
	}
	for (int s = 0; s < SERVERS; s++) {
		snprintf(what, sizeof(what), "httpd, GET /index.html, wrk -t2 -c16: %s",
			 server_names[s]);
		snprintf(reps, sizeof(reps), "%d x %s s", rps[s].n, WRK_SECONDS);
		row(what, &rps[s], "req/s", reps);
	}
	for (int s = 0; s < SERVERS; s++) {
		snprintf(what, sizeof(what), "httpd, GET /big.bin (1 MiB), wrk -t2 -c16: %s",
			 server_names[s]);
		snprintf(reps, sizeof(reps), "%d x %s s", big[s].n, WRK_SECONDS);
		row(what, &big[s], "MB/s", reps);
	}

	printf("\nratio cVM / native (of medians)\n");
	for (int p = 0; p < PHASES; p++) {
		snprintf(what, sizeof(what), "file I/O, %s", phase_names[p]);
		ratio(what, &fio[CVM][p], &fio[NATIVE][p]);
	}
	for (int s = SRV_IMAGE; s < SERVERS; s++) {
		snprintf(what, sizeof(what), "httpd req/s, index.html: %s", server_names[s]);
		ratio(what, &rps[s], &rps[SRV_NATIVE]);
		snprintf(what, sizeof(what), "httpd MB/s, big.bin: %s", server_names[s]);
		ratio(what, &big[s], &big[SRV_NATIVE]);
	}

	printf("\n%-60s %14s %10s\n", "target", "measured", "wanted");
	target("file-I/O loop throughput, cVM (host folder) / native", &fio[CVM][LOOP],
	       &fio[NATIVE][LOOP], TARGET_FILEIO);
	target("httpd req/s, cVM (ext4 image) / native", &rps[SRV_IMAGE], &rps[SRV_NATIVE],
	       TARGET_HTTPD);
}

/*
 * Exit status 0 whenever everything could be measured, whether targets pass or not; 1 when
 * a phase could not run (what was measured is still printed).
 */
int main(int argc, char **argv)
{
	if (argc != 10) {
		fprintf(stderr, "usage: %s INTRAVISOR CACHE_DIR WORK_DIR FILEIO FILEIO.wasm HTTPD "
				"HTTPD.wasm WEB.img WWW_DIR\n"
				"Measures posix cVMs against native processes; see "
				"bench/README.md.\n", argv[0]);
		return 2;
	}
	intravisor = argv[1];
	cache = argv[2];
	work = absolute(argv[3]);
	bench_fileio(argv[4], absolute(argv[5]));
	bench_httpd(argv[6], absolute(argv[7]), argv[8], absolute(argv[9]));
	fflush(stderr);
	report();
	return failed ? 1 : 0;
}
