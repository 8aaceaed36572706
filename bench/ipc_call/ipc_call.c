/* bench/ipc-call: cross-cVM calls and mapped copies against native IPC and memcpy, in one run. */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "series.h"

#define ROUNDS 3             /* interleaved rounds: one intravisor run, then native batches */
#define REPS 3               /* native repetitions per round, as the caller cVM does per run */
#define ROUND_TRIPS 20000    /* futex and pipe round trips per repetition */
#define BUF_SIZE (16u << 20) /* bytes per copy, as the cVMs' buffer */
#define PASSES 4             /* copies per repetition, as the cVMs do */

/* The targets, as stated for the project. */
#define TARGET_CALL_NS 100.0
#define TARGET_FUTEX_RATIO 20.0
#define TARGET_COPY_RATIO 0.80

extern char **environ;

/* What the caller cVM reports ("ipc-call KIND REP NS UNITS"): the calls, then the copies. */
enum kind { CALL, LOCAL, HOSTCALL, MAPPED, MAPPED_BULK, OWN, CAP_LOAD, NKINDS };
static const char *const kind_names[NKINDS] = {
	"call", "local", "hostcall", "mapped", "mapped-bulk", "own", "cap_load",
};

/* Every figure of one run: ns per call or round trip, GB/s per copy; empty when not run. */
struct results {
	struct series cvm[NKINDS];
	long long calls_per_rep, bytes_per_rep;
	struct series futex, pipe, copy;
};

/* ---- the cVMs ---- */

/* Takes one output line of the cVMs; anything but a result goes on to stderr. */
static void parse_line(const char *line, struct results *res)
{
	const char *p = strstr(line, "ipc-call ");
	char kind[24];
	long long ns, units;
	int rep, k;

	if (p && sscanf(p, "ipc-call %23s %d %lld %lld", kind, &rep, &ns, &units) == 4 &&
	    ns > 0 && units > 0) {
		for (k = 0; k < NKINDS; k++) {
			if (strcmp(kind, kind_names[k]))
				continue;
			if (k < MAPPED) {
				series_add(&res->cvm[k], (double)ns / (double)units);
				res->calls_per_rep = units;
			} else {
				series_add(&res->cvm[k], (double)units / (double)ns);
				res->bytes_per_rep = units;
			}
			return;
		}
	}
	fputs(line, stderr);
}

/* Runs intravisor -y yaml and collects the caller's results; -1 when it failed. */
static int run_cvms(char *intravisor, char *cache, char *yaml, struct results *res)
{
	char *argv[] = {intravisor, "--cache-dir", cache, "-y", yaml, NULL};
	posix_spawn_file_actions_t fa;
	char line[512];
	int fds[2], status = -1, err, k, before[NKINDS];
	FILE *out;
	pid_t pid;

	for (k = 0; k < NKINDS; k++)
		before[k] = res->cvm[k].n;
	if (pipe2(fds, O_CLOEXEC))
		return -1;
	err = posix_spawn_file_actions_init(&fa);
	if (!err) {
		err = posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
		if (!err)
			err = posix_spawn(&pid, intravisor, &fa, NULL, argv, environ);
		posix_spawn_file_actions_destroy(&fa);
	}
	close(fds[1]);
	if (err) {
		fprintf(stderr, "bench: cannot start %s: %s\n", intravisor, strerror(err));
		close(fds[0]);
		return -1;
	}
	out = fdopen(fds[0], "r");
	if (!out)
		close(fds[0]);
	while (out && fgets(line, sizeof(line), out))
		parse_line(line, res);
	if (out)
		fclose(out);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "bench: intravisor -y %s failed: %s %d\n", yaml,
			WIFEXITED(status) ? "exit status" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return -1;
	}
	for (k = 0; k < NKINDS; k++) {
		if (res->cvm[k].n == before[k]) {
			fprintf(stderr, "bench: the cVMs reported no '%s' figures\n",
				kind_names[k]);
			return -1;
		}
	}
	return 0;
}

/* ---- the native baselines ---- */

/* The futex word: 1 while the ponger's turn, 0 while the pinger's, 2 to stop. */
static atomic_int turn;

static void futex(int op, int val)
{
	syscall(SYS_futex, &turn, op, val, NULL, NULL, 0);
}

static void *ponger(void *arg)
{
	int v;

	(void)arg;
	for (;;) {
		while ((v = atomic_load(&turn)) == 0)
			futex(FUTEX_WAIT_PRIVATE, 0);
		if (v == 2)
			return NULL;
		atomic_store(&turn, 0);
		futex(FUTEX_WAKE_PRIVATE, 1);
	}
}

/* ns per futex round trip: wake the ponger, sleep until it wakes us back. */
static double futex_batch(void)
{
	double t0 = bench_now_ns();
	int i;

	for (i = 0; i < ROUND_TRIPS; i++) {
		atomic_store(&turn, 1);
		futex(FUTEX_WAKE_PRIVATE, 1);
		while (atomic_load(&turn) == 1)
			futex(FUTEX_WAIT_PRIVATE, 1);
	}
	return (bench_now_ns() - t0) / ROUND_TRIPS;
}

/* A child process echoing every byte from one pipe into the other. */
struct echo {
	int to, from;
	pid_t pid;
};

static int echo_start(struct echo *e)
{
	int to[2], from[2];
	char b;

	if (pipe2(to, O_CLOEXEC))
		return -1;
	if (pipe2(from, O_CLOEXEC)) {
		close(to[0]);
		close(to[1]);
		return -1;
	}
	e->pid = fork();
	if (e->pid == 0) {
		close(to[1]);
		close(from[0]);
		while (read(to[0], &b, 1) == 1 && write(from[1], &b, 1) == 1)
			;
		_exit(0);
	}
	close(to[0]);
	close(from[1]);
	e->to = to[1];
	e->from = from[0];
	if (e->pid < 0) {
		close(e->to);
		close(e->from);
		return -1;
	}
	return 0;
}

static void echo_stop(const struct echo *e)
{
	close(e->to);
	close(e->from);
	while (waitpid(e->pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* ns per pipe round trip (1 byte each way), or -1 when the child stopped answering. */
static double pipe_batch(const struct echo *e)
{
	double t0 = bench_now_ns();
	char b = 'x';
	int i;

	for (i = 0; i < ROUND_TRIPS; i++)
		if (write(e->to, &b, 1) != 1 || read(e->from, &b, 1) != 1)
			return -1;
	return (bench_now_ns() - t0) / ROUND_TRIPS;
}

/* Read through a volatile pointer, so the compiler can neither merge nor drop passes. */
static void *(*volatile copy_fn)(void *, const void *, size_t) = memcpy;

/* GB/s of PASSES memcpy of BUF_SIZE, or -1 when dst came out wrong. */
static double copy_batch(uint8_t *dst, const uint8_t *src)
{
	double t0 = bench_now_ns(), ns;
	int p;

	for (p = 0; p < PASSES; p++)
		copy_fn(dst, src, BUF_SIZE);
	ns = bench_now_ns() - t0;
	return memcmp(dst, src, BUF_SIZE) ? -1 : (double)PASSES * BUF_SIZE / ns;
}

/* The native side: a pipe echo child, a futex ponger thread, and two buffers. */
struct native {
	uint8_t *src, *dst;
	struct echo echo;
	pthread_t ponger;
};

static int native_start(struct native *n)
{
	n->src = malloc(BUF_SIZE);
	n->dst = malloc(BUF_SIZE);
	if (!n->src || !n->dst) {
		fprintf(stderr, "bench: out of memory\n");
		goto fail;
	}
	memset(n->src, 0x5a, BUF_SIZE);
	memset(n->dst, 0, BUF_SIZE);
	/* Fork before the thread exists. */
	if (echo_start(&n->echo)) {
		fprintf(stderr, "bench: cannot start the pipe echo: %s\n", strerror(errno));
		goto fail;
	}
	atomic_store(&turn, 0);
	if (pthread_create(&n->ponger, NULL, ponger, NULL)) {
		fprintf(stderr, "bench: cannot start the futex ponger\n");
		echo_stop(&n->echo);
		goto fail;
	}
	return 0;
fail:
	free(n->src);
	free(n->dst);
	return -1;
}

static void native_stop(struct native *n)
{
	atomic_store(&turn, 2);
	futex(FUTEX_WAKE_PRIVATE, 1);
	pthread_join(n->ponger, NULL);
	echo_stop(&n->echo);
	free(n->src);
	free(n->dst);
}

/* REPS repetitions of the three baselines, interleaved, after warm unrecorded ones. */
static int native_batch(const struct native *n, int warm, struct results *res)
{
	double futex_ns, pipe_ns, gbs;
	int r;

	for (r = -warm; r < REPS; r++) {
		futex_ns = futex_batch();
		pipe_ns = pipe_batch(&n->echo);
		gbs = copy_batch(n->dst, n->src);
		if (pipe_ns < 0 || gbs < 0) {
			fprintf(stderr, "bench: the %s baseline failed\n",
				pipe_ns < 0 ? "pipe" : "memcpy");
			return -1;
		}
		if (r >= 0) {
			series_add(&res->futex, futex_ns);
			series_add(&res->pipe, pipe_ns);
			series_add(&res->copy, gbs);
		}
	}
	return 0;
}

/* ---- the report ---- */

static void print_machine(const char *yaml)
{
	bench_print_machine("ipc-call");
	printf("cVMs from %s; median of the repetitions, min and max beside it\n\n", yaml);
	printf("%-60s %10s %10s %10s  %s\n", "measurement", "median", "min", "max", "repetitions");
}

static void row(const char *what, const struct series *s, double scale, const char *unit,
		const char *reps)
{
	char m[32], lo[32], hi[32];

	if (!s->n) {
		printf("%-60s %10s %10s %10s  %s\n", what, "failed", "-", "-", reps);
		return;
	}
	snprintf(m, sizeof(m), "%.2f %s", series_median(s) / scale, unit);
	snprintf(lo, sizeof(lo), "%.2f", series_extreme(s, -1) / scale);
	snprintf(hi, sizeof(hi), "%.2f", series_extreme(s, 1) / scale);
	printf("%-60s %10s %10s %10s  %s\n", what, m, lo, hi, reps);
}

/* The ratio of two series' medians, or "-" when one is missing. */
static void ratio(const char *what, const struct series *a, const struct series *b,
		  const char *unit)
{
	char v[32] = "-";

	if (a->n && b->n)
		snprintf(v, sizeof(v), "%.2f%s", series_median(a) / series_median(b), unit);
	printf("%-60s %10s\n", what, v);
}

/* One target line: value against limit, below (<) or at least (>=). */
static void target(const char *what, bool measured, double value, bool below, double limit,
		   const char *unit)
{
	char v[32] = "-", l[32];
	bool pass = below ? value < limit : value >= limit;

	if (measured)
		snprintf(v, sizeof(v), "%.2f%s", value, unit);
	snprintf(l, sizeof(l), "%s %.2f%s", below ? "<" : ">=", limit, unit);
	printf("%-60s %10s %12s  %s\n", what, v, l,
	       !measured ? "NOT MEASURED" : pass ? "PASS" : "MISS");
}

static void report(const char *yaml, const struct results *res)
{
	const struct series *c = res->cvm;
	char calls[64], trips[64], cvm_copies[64], copies[64];

	snprintf(calls, sizeof(calls), "%d x %lld", c[CALL].n, res->calls_per_rep);
	snprintf(trips, sizeof(trips), "%d x %d", res->futex.n, ROUND_TRIPS);
	snprintf(cvm_copies, sizeof(cvm_copies), "%d x %lld MiB", c[MAPPED].n,
		 res->bytes_per_rep >> 20);
	snprintf(copies, sizeof(copies), "%d x %u MiB", res->copy.n, PASSES * (BUF_SIZE >> 20));

	print_machine(yaml);
	row("cross-cVM call round trip: iv_call of add1 in cVM callee", &c[CALL], 1, "ns", calls);
	row("  floor: local call in the guest, through a pointer", &c[LOCAL], 1, "ns", calls);
	row("  floor: empty hostcall in the guest (iv_call_buffer)", &c[HOSTCALL], 1, "ns", calls);
	row("native: futex ping-pong round trip, 2 threads", &res->futex, 1e3, "us", trips);
	row("native: pipe round trip, 2 processes, 1 byte each way", &res->pipe, 1e3, "us", trips);
	row("copy out of the mapped capfile: guest memcpy (wasi-libc)", &c[MAPPED], 1, "GB/s",
	    cvm_copies);
	row("copy out of the mapped capfile: guest memory.copy", &c[MAPPED_BULK], 1, "GB/s",
	    cvm_copies);
	row("copy within own memory: guest memcpy (wasi-libc)", &c[OWN], 1, "GB/s", cvm_copies);
	row("by copy: iv_cap_load of the capfile into own memory", &c[CAP_LOAD], 1, "GB/s",
	    cvm_copies);
	row("native: memcpy, same size", &res->copy, 1, "GB/s", copies);

	printf("\nratio (of medians)\n");
	ratio("futex round trip / call round trip", &res->futex, &c[CALL], "x");
	ratio("pipe round trip / call round trip", &res->pipe, &c[CALL], "x");
	ratio("call round trip / local call", &c[CALL], &c[LOCAL], "x");
	ratio("call round trip / empty hostcall", &c[CALL], &c[HOSTCALL], "x");
	ratio("mapped memcpy / own-memory memcpy (the cost of mapping)", &c[MAPPED], &c[OWN], "");
	ratio("mapped memcpy / native memcpy", &c[MAPPED], &res->copy, "");
	ratio("mapped memory.copy / native memcpy", &c[MAPPED_BULK], &res->copy, "");
	ratio("iv_cap_load / native memcpy", &c[CAP_LOAD], &res->copy, "");

	printf("\n%-60s %10s %12s\n", "target", "measured", "wanted");
	target("call round trip", c[CALL].n > 0, series_median(&c[CALL]), true, TARGET_CALL_NS, " ns");
	target("futex round trip / call round trip", c[CALL].n && res->futex.n,
	       series_median(&res->futex) / series_median(&c[CALL]), false, TARGET_FUTEX_RATIO, "x");
	target("mapped copy (guest memcpy) / native memcpy", c[MAPPED].n && res->copy.n,
	       series_median(&c[MAPPED]) / series_median(&res->copy), false, TARGET_COPY_RATIO, "");
}

/*
 * Exit status 0 whenever everything could be measured, whether targets pass or not; 1 when
 * a phase could not run (what was measured is still printed).
 */
int main(int argc, char **argv)
{
	static struct results res;
	struct native n;
	bool cvms_ok = true, native_up, native_ok;
	int r;

	if (argc != 4) {
		fprintf(stderr, "usage: %s INTRAVISOR CACHE_DIR IPC_CALL.yaml\n"
				"Measures cross-cVM calls and mapped copies against native IPC; "
				"see bench/README.md.\n", argv[0]);
		return 2;
	}
	native_up = native_start(&n) == 0;
	native_ok = native_up;
	for (r = 0; r < ROUNDS; r++) {
		fprintf(stderr, "[round %d/%d] cVMs: %s --cache-dir %s -y %s%s\n", r + 1, ROUNDS,
			argv[1], argv[2], argv[3], r ? "" : " (compiles what the cache lacks)");
		if (cvms_ok && run_cvms(argv[1], argv[2], argv[3], &res))
			cvms_ok = false;
		fprintf(stderr, "[round %d/%d] native: %d x (%d futex and %d pipe round trips, "
				"%d memcpy of %u MiB)\n", r + 1, ROUNDS, REPS + !r, ROUND_TRIPS,
			ROUND_TRIPS, PASSES, BUF_SIZE >> 20);
		if (native_ok && native_batch(&n, !r, &res))
			native_ok = false;
	}
	if (native_up)
		native_stop(&n);
	fflush(stderr);
	report(argv[3], &res);
	return cvms_ok && native_ok ? 0 : 1;
}
