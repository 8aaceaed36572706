/* bench/ipc-stream: cVM<->cVM streams against a pipe and a Unix socket pair, in one run. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "series.h"

#define ROUNDS 3               /* interleaved rounds: one intravisor run, then native batches */
#define REPS 5                 /* native repetitions per round, as the cVMs do per run */
#define ROUND_TRIPS 20000      /* native round trips per repetition */
#define MSG (64u << 10)        /* bytes per write or message, as in ping.c */
#define TOTAL (256ull << 20)   /* bytes per throughput repetition, as in ping.c */

/* The targets, as stated for the project. */
#define TARGET_RTT_RATIO 0.25  /* stream round trip / pipe round trip, at most */
#define TARGET_TPUT_RATIO 2.0  /* stream throughput / pipe throughput, at least */

extern char **environ;

/* ns per round trip, GB/s of throughput. */
struct results {
	struct series stream_rtt, stream_tput, pipe_rtt, pipe_tput, sock_rtt, sock_tput;
	long long trips_per_rep;
};

/* ---- the cVMs ---- */

/* Takes one output line of the cVMs ("ipc-stream KIND REP NS UNITS"); others go to stderr. */
static void parse_line(const char *line, struct results *res)
{
	const char *p = strstr(line, "ipc-stream ");
	long long ns, units;
	char kind[16];
	int rep;

	if (p && sscanf(p, "ipc-stream %15s %d %lld %lld", kind, &rep, &ns, &units) == 4 &&
	    ns > 0 && units > 0) {
		if (!strcmp(kind, "rtt")) {
			series_add(&res->stream_rtt, (double)ns / (double)units);
			res->trips_per_rep = units;
			return;
		}
		if (!strcmp(kind, "tput")) {
			series_add(&res->stream_tput, (double)units / (double)ns);
			return;
		}
	}
	fputs(line, stderr);
}

/* Runs intravisor -y yaml and collects ping's results; -1 when it failed. */
static int run_cvms(char *intravisor, char *cache, char *yaml, struct results *res)
{
	char *argv[] = {intravisor, "--cache-dir", cache, "-y", yaml, NULL};
	posix_spawn_file_actions_t fa;
	int fds[2], status = -1, err, before = res->stream_rtt.n + res->stream_tput.n;
	char line[512];
	FILE *out;
	pid_t pid;

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
		fprintf(stderr, "bench: intravisor -y %s failed\n", yaml);
		return -1;
	}
	if (res->stream_rtt.n + res->stream_tput.n == before) {
		fprintf(stderr, "bench: the cVMs reported nothing\n");
		return -1;
	}
	return 0;
}

/* ---- the native baselines: a child process at the other end of a pipe or socket pair ---- */

struct peer {
	int to, from; /* the parent's ends (the same socket twice for a socket pair) */
	pid_t pid;
};

static bool read_all(int fd, void *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = read(fd, buf, len);
		if (n <= 0 && !(n < 0 && errno == EINTR))
			return false;
		if (n > 0) {
			buf = (char *)buf + n;
			len -= (size_t)n;
		}
	}
	return true;
}

static bool write_all(int fd, const void *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n <= 0 && !(n < 0 && errno == EINTR))
			return false;
		if (n > 0) {
			buf = (const char *)buf + n;
			len -= (size_t)n;
		}
	}
	return true;
}

/*
 * The child: echoes ROUND_TRIPS single bytes, then reads TOTAL bytes in MSG reads and
 * answers one byte, as pong does; for every repetition, until the parent closes.
 */
static void child(int in, int out)
{
	static char buf[MSG];
	uint64_t got;
	ssize_t n;
	char b;
	int i;

	for (;;) {
		for (i = 0; i < ROUND_TRIPS; i++)
			if (!read_all(in, &b, 1) || !write_all(out, &b, 1))
				_exit(0);
		for (got = 0; got < TOTAL; got += (uint64_t)n)
			if ((n = read(in, buf, MSG)) <= 0)
				_exit(1);
		if (!write_all(out, "!", 1))
			_exit(1);
	}
}

/* Starts a peer; other, if not NULL, is a peer started before, whose ends the child closes. */
static int peer_start(struct peer *p, bool socket, const struct peer *other)
{
	int a[2], b[2];

	if (socket ? socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, a) : pipe2(a, O_CLOEXEC))
		return -1;
	if (!socket && pipe2(b, O_CLOEXEC)) {
		close(a[0]);
		close(a[1]);
		return -1;
	}
	p->pid = fork();
	if (p->pid == 0) {
		/* Else the other child would never see its end close. */
		if (other) {
			close(other->to);
			close(other->from);
		}
		if (socket) {
			close(a[0]);
			child(a[1], a[1]);
		}
		close(a[1]);
		close(b[0]);
		child(a[0], b[1]);
	}
	if (socket) {
		close(a[1]);
		p->to = p->from = a[0];
	} else {
		close(a[0]);
		close(b[1]);
		p->to = a[1];
		p->from = b[0];
	}
	return p->pid < 0 ? -1 : 0;
}

static void peer_stop(struct peer *p)
{
	close(p->to);
	if (p->from != p->to)
		close(p->from);
	while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* One repetition against a peer: ns per round trip and GB/s, or -1 when the peer failed. */
static int peer_rep(const struct peer *p, double *rtt, double *gbs)
{
	static char buf[MSG];
	uint64_t sent;
	double t0 = bench_now_ns();
	char b = 'x';
	int i;

	for (i = 0; i < ROUND_TRIPS; i++)
		if (!write_all(p->to, &b, 1) || !read_all(p->from, &b, 1))
			return -1;
	*rtt = (bench_now_ns() - t0) / ROUND_TRIPS;
	t0 = bench_now_ns();
	for (sent = 0; sent < TOTAL; sent += MSG)
		if (!write_all(p->to, buf, MSG))
			return -1;
	if (!read_all(p->from, &b, 1))
		return -1;
	*gbs = (double)TOTAL / (bench_now_ns() - t0);
	return 0;
}

/* REPS repetitions against a pipe and a socket pair, interleaved, after a warm-up one. */
static int native_batch(struct results *res, bool warm)
{
	struct peer pp, sp;
	double rtt, gbs;
	int r, err = 0;

	if (peer_start(&pp, false, NULL))
		return -1;
	if (peer_start(&sp, true, &pp)) {
		peer_stop(&pp);
		return -1;
	}
	for (r = warm ? -1 : 0; r < REPS && !err; r++) {
		err = peer_rep(&pp, &rtt, &gbs);
		if (!err && r >= 0) {
			series_add(&res->pipe_rtt, rtt);
			series_add(&res->pipe_tput, gbs);
		}
		err = err ? err : peer_rep(&sp, &rtt, &gbs);
		if (!err && r >= 0) {
			series_add(&res->sock_rtt, rtt);
			series_add(&res->sock_tput, gbs);
		}
	}
	peer_stop(&pp);
	peer_stop(&sp);
	return err;
}

/* ---- the report ---- */

static void row(const char *what, const struct series *s, double scale, const char *unit,
		const char *reps)
{
	char m[32], lo[32], hi[32];

	if (!s->n) {
		printf("%-58s %12s %10s %10s  %s\n", what, "failed", "-", "-", reps);
		return;
	}
	snprintf(m, sizeof(m), "%.2f %s", series_median(s) / scale, unit);
	snprintf(lo, sizeof(lo), "%.2f", series_extreme(s, -1) / scale);
	snprintf(hi, sizeof(hi), "%.2f", series_extreme(s, 1) / scale);
	printf("%-58s %12s %10s %10s  %s\n", what, m, lo, hi, reps);
}

static void ratio(const char *what, const struct series *a, const struct series *b)
{
	char v[32] = "-";

	if (a->n && b->n)
		snprintf(v, sizeof(v), "%.3f", series_median(a) / series_median(b));
	printf("%-58s %12s\n", what, v);
}

static void target(const char *what, const struct series *a, const struct series *b,
		   bool below, double limit)
{
	bool measured = a->n && b->n;
	double value = measured ? series_median(a) / series_median(b) : 0;
	char v[32] = "-", l[32];

	if (measured)
		snprintf(v, sizeof(v), "%.3f", value);
	snprintf(l, sizeof(l), "%s %.2f", below ? "<=" : ">=", limit);
	printf("%-58s %12s %10s  %s\n", what, v, l,
	       !measured ? "NOT MEASURED" : (below ? value <= limit : value >= limit) ? "PASS"
										: "MISS");
}

static void report(const char *yaml, const struct results *res)
{
	char cvm_trips[64], trips[64], bytes[64];

	bench_print_machine("ipc-stream");
	printf("cVMs from %s; median of the repetitions, min and max beside it\n\n", yaml);
	printf("%-58s %12s %10s %10s  %s\n", "measurement", "median", "min", "max", "repetitions");
	snprintf(cvm_trips, sizeof(cvm_trips), "%d x %lld", res->stream_rtt.n, res->trips_per_rep);
	snprintf(trips, sizeof(trips), "%d x %d", res->pipe_rtt.n, ROUND_TRIPS);
	snprintf(bytes, sizeof(bytes), "%d x %llu MiB", res->pipe_tput.n, TOTAL >> 20);
	row("1-byte round trip: cVM <-> cVM over two streams", &res->stream_rtt, 1e3, "us",
	    cvm_trips);
	row("1-byte round trip: 2 processes over two pipes", &res->pipe_rtt, 1e3, "us", trips);
	row("1-byte round trip: 2 processes over a Unix socket pair", &res->sock_rtt, 1e3, "us",
	    trips);
	row("throughput, 64 KiB messages: cVM -> cVM (1 MiB stream)", &res->stream_tput, 1, "GB/s",
	    bytes);
	row("throughput, 64 KiB writes: process -> process, pipe", &res->pipe_tput, 1, "GB/s",
	    bytes);
	row("throughput, 64 KiB writes: process -> process, socket", &res->sock_tput, 1, "GB/s",
	    bytes);

	printf("\nratio (of medians)\n");
	ratio("stream round trip / pipe round trip", &res->stream_rtt, &res->pipe_rtt);
	ratio("stream round trip / socket round trip", &res->stream_rtt, &res->sock_rtt);
	ratio("stream throughput / pipe throughput", &res->stream_tput, &res->pipe_tput);
	ratio("stream throughput / socket throughput", &res->stream_tput, &res->sock_tput);

	printf("\n%-58s %12s %10s\n", "target", "measured", "wanted");
	target("stream round trip / pipe round trip", &res->stream_rtt, &res->pipe_rtt, true,
	       TARGET_RTT_RATIO);
	target("stream throughput / pipe throughput", &res->stream_tput, &res->pipe_tput, false,
	       TARGET_TPUT_RATIO);
}

/*
 * Exit status 0 whenever everything could be measured, whether targets pass or not; 1 when
 * a phase could not run (what was measured is still printed).
 */
int main(int argc, char **argv)
{
	static struct results res;
	bool cvms_ok = true, native_ok = true;
	int r;

	if (argc != 4) {
		fprintf(stderr, "usage: %s INTRAVISOR CACHE_DIR IPC_STREAM.yaml\n"
				"Measures cVM streams against pipes and Unix sockets; see "
				"bench/README.md.\n", argv[0]);
		return 2;
	}
	for (r = 0; r < ROUNDS; r++) {
		fprintf(stderr, "[round %d/%d] cVMs: %s --cache-dir %s -y %s%s\n", r + 1, ROUNDS,
			argv[1], argv[2], argv[3], r ? "" : " (compiles what the cache lacks)");
		if (cvms_ok && run_cvms(argv[1], argv[2], argv[3], &res))
			cvms_ok = false;
		fprintf(stderr, "[round %d/%d] native: %d x (%d round trips and %llu MiB) over a "
				"pipe and a socket pair\n", r + 1, ROUNDS, REPS + !r, ROUND_TRIPS,
			TOTAL >> 20);
		if (native_ok && native_batch(&res, !r)) {
			fprintf(stderr, "bench: a native baseline failed\n");
			native_ok = false;
		}
	}
	fflush(stderr);
	report(argv[3], &res);
	return cvms_ok && native_ok ? 0 : 1;
}
