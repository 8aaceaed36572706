/* bench/start: how fast a cVM starts, against a static native process measured in the same run. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "cvm.h"
#include "module.h"
#include "rt.h"
#include "series.h"

#define COLD_REPS 3     /* a cold compile takes seconds */
#define ROUNDS 11       /* interleaved rounds of the start-to-exit comparison */
#define SPAWNS 20       /* processes per round and kind */
#define RUNS 100        /* in-monitor cVMs per round and kind */
#define INST_REPS 9     /* repetitions of each 1,000-cVM instantiation measurement */
#define NCVMS 1000

/* The targets, as stated for the project. */
#define TARGET_INSTANTIATE_US 20.0
#define TARGET_INMONITOR_RATIO 0.10
#define TARGET_PROCESS_RATIO 3.0

extern char **environ;

/* Every child process gets /dev/null as stdin, stdout and stderr. */
static posix_spawn_file_actions_t quiet;
static int devnull = -1;

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static void print_cmd(char *const argv[])
{
	int i;

	for (i = 0; argv[i]; i++)
		fprintf(stderr, "%s%s", i ? " " : "", argv[i]);
	fprintf(stderr, "\n");
}

/* Runs argv quietly and waits for it. Returns its exit status, 128+signal, or -1. */
static int spawn_wait(char *const argv[])
{
	pid_t pid;
	int status;

	if (posix_spawn(&pid, argv[0], &quiet, NULL, argv, environ))
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Mean microseconds per process over n spawn-and-wait of argv; -1 when one fails. */
static int spawn_batch(char *const argv[], int n, double *us)
{
	double t0 = (bench_now_ns() / 1e3);
	int i, rc;

	for (i = 0; i < n; i++) {
		rc = spawn_wait(argv);
		if (rc) {
			fprintf(stderr, "\nbench: status %d from: ", rc);
			print_cmd(argv);
			return -1;
		}
	}
	*us = ((bench_now_ns() / 1e3) - t0) / n;
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_tree(const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int make_temp_dir(char *out, size_t outlen)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(out, outlen, "%s/ivbench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	return mkdtemp(out) ? 0 : -1;
}

/* The guest output of in-monitor cVMs goes to fd 1: point it at /dev/null meanwhile. */
static int stdout_off(void)
{
	int saved;

	fflush(stdout);
	saved = dup(1);
	if (saved >= 0)
		dup2(devnull, 1);
	return saved;
}

static void stdout_on(int saved)
{
	if (saved >= 0) {
		dup2(saved, 1);
		close(saved);
	}
}

struct hello {
	struct module *m;
	struct cvm_spec spec;
};

/*
 * n times: cvm_create, run hello to its exit (on its own thread with cvm_start + cvm_join,
 * or on this thread with cvm_run), cvm_destroy. Mean microseconds and page faults per cVM.
 */
static int inmonitor_batch(const struct hello *h, bool own_thread, int n, double *us,
			   double *faults)
{
	char why[256];
	long f0 = minflt();
	double t0 = (bench_now_ns() / 1e3);
	int saved = stdout_off(), i;
	bool ok = true;

	for (i = 0; i < n && ok; i++) {
		struct cvm *vm = cvm_create(&h->spec, h->m);

		if (!vm) {
			snprintf(why, sizeof(why), "cvm_create failed");
			ok = false;
			break;
		}
		if (own_thread) {
			cvm_start(vm);
			cvm_join(vm);
		} else {
			cvm_run(vm);
		}
		ok = cvm_succeeded(vm);
		if (!ok)
			cvm_describe(vm, why, sizeof(why));
		cvm_destroy(vm);
	}
	*us = ((bench_now_ns() / 1e3) - t0) / n;
	*faults = (double)(minflt() - f0) / n;
	stdout_on(saved);
	if (!ok)
		fprintf(stderr, "\nbench: in-monitor hello: %s\n", why);
	return ok ? 0 : -1;
}

/* NCVMS instance buffers of one module, and the host the imports are bound to. */
struct pool {
	const struct wasm_rt_iv_module *ops;
	uint32_t initial_pages;
	void *host;
	void *inst[NCVMS];
};

struct instantiation {
	const struct wasm_rt_iv_module *ops;
	void *instance, *host;
};

static void instantiate_one(void *arg)
{
	const struct instantiation *c = arg;

	c->ops->instantiate(c->instance, c->host);
}

static wasm_rt_trap_t instantiate(const struct pool *p, int i)
{
	struct instantiation c = {p->ops, p->inst[i], p->host};

	return rt_invoke(instantiate_one, &c);
}

static void clear_pool(const struct pool *p)
{
	int i;

	for (i = 0; i < NCVMS; i++)
		memset(p->inst[i], 0, p->ops->instance_size);
}

/* Instantiates and frees NCVMS cVMs one after the other: microseconds and faults per cVM. */
static int instantiate_sequential(const struct pool *p, double *us, double *faults)
{
	wasm_rt_trap_t trap;
	long f0;
	double t0;
	int i;

	clear_pool(p);
	f0 = minflt();
	t0 = (bench_now_ns() / 1e3);
	for (i = 0; i < NCVMS; i++) {
		trap = instantiate(p, i);
		p->ops->free(p->inst[i]);
		if (trap != WASM_RT_TRAP_NONE) {
			fprintf(stderr, "\nbench: instantiating cVM %d: %s\n", i,
				wasm_rt_strerror(trap));
			return -1;
		}
	}
	*us = ((bench_now_ns() / 1e3) - t0) / NCVMS;
	*faults = (double)(minflt() - f0) / NCVMS;
	return 0;
}

static unsigned long long virtual_bytes(void)
{
	unsigned long long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%llu", &pages) != 1)
			pages = 0;
		fclose(f);
	}
	return pages * (unsigned long long)sysconf(_SC_PAGESIZE);
}

/* Each held memory must be usable: its last initial byte written and read back. */
static int check_memories(const struct pool *p)
{
	int i;

	for (i = 0; p->ops->memory && i < NCVMS; i++) {
		wasm_rt_memory_t *mem = p->ops->memory(p->inst[i]);
		volatile uint8_t *last;

		if (!mem->data || mem->size != (uint64_t)p->initial_pages * 65536u) {
			fprintf(stderr, "\nbench: cVM %d of %d holds no usable memory\n", i, NCVMS);
			return -1;
		}
		last = mem->data + mem->size - 1;
		*last = (uint8_t)i;
		if (*last != (uint8_t)i) {
			fprintf(stderr, "\nbench: memory of cVM %d does not keep a byte\n", i);
			return -1;
		}
	}
	return 0;
}

/* Each held cVM holds a memfd: allow as many descriptors as the system lets us. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Every figure of one run; a series stays empty when its phase could not run. */
struct results {
	struct series cold, native, process;
	struct series own, own_faults, caller, caller_faults;
	struct series seq, seq_faults;
	struct series held_inst, held_inst_faults, held_free, held_free_faults;
	unsigned long long peak_virtual;
	double load_us;
};

/* Instantiates NCVMS cVMs that stay alive together, checks them, then frees them all. */
static int instantiate_held(const struct pool *p, struct results *res)
{
	wasm_rt_trap_t trap = WASM_RT_TRAP_NONE;
	long f0, f1;
	double t0, t1;
	int i, done, rc = 0;

	clear_pool(p);
	f0 = minflt();
	t0 = (bench_now_ns() / 1e3);
	for (done = 0; done < NCVMS && trap == WASM_RT_TRAP_NONE; done++)
		trap = instantiate(p, done);
	t1 = (bench_now_ns() / 1e3);
	f1 = minflt();
	if (trap != WASM_RT_TRAP_NONE) {
		fprintf(stderr, "\nbench: holding %d cVMs, instantiating one more: %s\n", done - 1,
			wasm_rt_strerror(trap));
		rc = -1;
	} else {
		series_add(&res->held_inst, (t1 - t0) / NCVMS);
		series_add(&res->held_inst_faults, (double)(f1 - f0) / NCVMS);
		if (virtual_bytes() > res->peak_virtual)
			res->peak_virtual = virtual_bytes();
		rc = check_memories(p);
	}
	f0 = minflt();
	t0 = (bench_now_ns() / 1e3);
	for (i = 0; i < done; i++)
		p->ops->free(p->inst[i]);
	if (!rc) {
		series_add(&res->held_free, ((bench_now_ns() / 1e3) - t0) / NCVMS);
		series_add(&res->held_free_faults, (double)(minflt() - f0) / NCVMS);
	}
	return rc;
}

/* Phase 1: each run compiles into an empty cache; the last cache is left as the warm one. */
static int measure_cold(char *const process_argv[], char *warm, size_t warmlen,
			struct results *res)
{
	double us;
	int r;

	for (r = 0; r < COLD_REPS; r++) {
		if (warm[0])
			remove_tree(warm);
		if (make_temp_dir(warm, warmlen)) {
			fprintf(stderr, "bench: cannot create a temporary cache folder: %s\n",
				strerror(errno));
			warm[0] = 0;
			return -1;
		}
		if (spawn_batch(process_argv, 1, &us))
			return -1;
		series_add(&res->cold, us);
	}
	return 0;
}

/* Phase 3: interleaved rounds, so drift on a noisy machine hits every kind alike. */
static int measure_start_to_exit(char *const native_argv[], char *const process_argv[],
				 const struct hello *h, struct results *res)
{
	double us, faults;
	int r;

	for (r = -1; r < ROUNDS; r++) { /* round -1 warms up */
		if (spawn_batch(native_argv, SPAWNS, &us))
			return -1;
		if (r >= 0)
			series_add(&res->native, us);
		if (spawn_batch(process_argv, SPAWNS, &us))
			return -1;
		if (r >= 0)
			series_add(&res->process, us);
		if (inmonitor_batch(h, true, RUNS, &us, &faults))
			return -1;
		if (r >= 0) {
			series_add(&res->own, us);
			series_add(&res->own_faults, faults);
		}
		if (inmonitor_batch(h, false, RUNS, &us, &faults))
			return -1;
		if (r >= 0) {
			series_add(&res->caller, us);
			series_add(&res->caller_faults, faults);
		}
		fprintf(stderr, ".");
	}
	fprintf(stderr, "\n");
	return 0;
}

/* Phase 4: instantiate + free on this thread, as cvm_run does, without running _start. */
static int measure_instantiation(const struct hello *h, struct results *res)
{
	struct pool *pool = calloc(1, sizeof(*pool));
	struct cvm *host = cvm_create(&h->spec, h->m);
	double us, faults;
	int i, r, rc = -1;

	if (!pool || !host || rt_thread_attach()) {
		fprintf(stderr, "bench: cannot prepare the instantiation pool\n");
		goto out;
	}
	pool->ops = h->m->ops;
	pool->initial_pages = h->m->info.mem_initial;
	pool->host = host;
	for (i = 0; i < NCVMS; i++) {
		pool->inst[i] = calloc(1, pool->ops->instance_size);
		if (!pool->inst[i]) {
			fprintf(stderr, "bench: out of memory\n");
			goto detach;
		}
	}
	rt_set_memory_cap((uint32_t)(h->spec.memory_cap / 65536u));
	rc = 0;
	for (r = 0; r < INST_REPS && !rc; r++) {
		rc = instantiate_sequential(pool, &us, &faults);
		if (!rc) {
			series_add(&res->seq, us);
			series_add(&res->seq_faults, faults);
			rc = instantiate_held(pool, res);
		}
	}
detach:
	rt_thread_detach();
out:
	for (i = 0; pool && i < NCVMS; i++)
		free(pool->inst[i]);
	free(pool);
	cvm_destroy(host);
	return rc;
}

static void print_machine(const char *wasm)
{
	struct stat st;

	bench_print_machine("start");
	printf("module %s (%lld bytes); median of the repetitions, min and max beside it\n\n", wasm,
	       stat(wasm, &st) ? -1LL : (long long)st.st_size);
	printf("%-58s %10s %10s %10s  %s\n", "measurement", "median", "min", "max", "repetitions");
}

static void row(const char *what, const struct series *s, double scale, const char *unit,
		const char *reps)
{
	char m[32], lo[32], hi[32];

	if (!s->n) {
		printf("%-58s %10s %10s %10s  %s\n", what, "failed", "-", "-", reps);
		return;
	}
	snprintf(m, sizeof(m), "%.1f %s", series_median(s) / scale, unit);
	snprintf(lo, sizeof(lo), "%.1f", series_extreme(s, -1) / scale);
	snprintf(hi, sizeof(hi), "%.1f", series_extreme(s, 1) / scale);
	printf("%-58s %10s %10s %10s  %s\n", what, m, lo, hi, reps);
}

static void target(const char *what, bool measured, double value, const char *unit,
		   double limit)
{
	char v[32] = "-", l[32];

	if (measured)
		snprintf(v, sizeof(v), "%.2f%s", value, unit);
	snprintf(l, sizeof(l), "< %.2f%s", limit, unit);
	printf("%-58s %10s %10s  %s\n", what, v, l,
	       !measured ? "NOT MEASURED" : value < limit ? "PASS" : "MISS");
}

static void report(const char *wasm, const struct results *res)
{
	char reps[64];

	print_machine(wasm);
	snprintf(reps, sizeof(reps), "%d", COLD_REPS);
	row("cold: intravisor run, empty cache (compile + run)", &res->cold, 1e3, "ms", reps);
	snprintf(reps, sizeof(reps), "%d x %d", ROUNDS, SPAWNS);
	row("native: posix_spawn + wait, static hello", &res->native, 1, "us", reps);
	row("process: intravisor run hello.wasm, warm cache", &res->process, 1, "us", reps);
	snprintf(reps, sizeof(reps), "%d x %d", ROUNDS, RUNS);
	row("in-monitor: create + start + join + destroy (own thread)", &res->own, 1, "us", reps);
	row("  page faults per cVM", &res->own_faults, 1, "", reps);
	row("in-monitor: create + run + destroy (calling thread)", &res->caller, 1, "us", reps);
	row("  page faults per cVM", &res->caller_faults, 1, "", reps);
	snprintf(reps, sizeof(reps), "%d x %d", INST_REPS, NCVMS);
	row("instantiate + free, one cVM after another, per cVM", &res->seq, 1, "us", reps);
	row("  page faults per cVM", &res->seq_faults, 1, "", reps);
	row("instantiate, all 1,000 held at once, per cVM", &res->held_inst, 1, "us", reps);
	row("  page faults per cVM", &res->held_inst_faults, 1, "", reps);
	row("free of those 1,000, per cVM", &res->held_free, 1, "us", reps);
	row("  page faults per cVM", &res->held_free_faults, 1, "", reps);
	printf("\nmodule_load from the warm cache, once: %.0f us; with 1,000 cVMs held the process "
	       "had %.2f TiB of virtual memory\n\n",
	       res->load_us, (double)res->peak_virtual / (1ull << 40));
	printf("%-58s %10s %10s  %s\n", "target", "measured", "wanted", "");
	target("instantiate + free per cVM", res->seq.n > 0, series_median(&res->seq), " us",
	       TARGET_INSTANTIATE_US);
	target("in-monitor hello (own thread) / native spawn", res->own.n > 0,
	       series_median(&res->own) / series_median(&res->native), "", TARGET_INMONITOR_RATIO);
	target("intravisor run process / native process", res->process.n > 0,
	       series_median(&res->process) / series_median(&res->native), "", TARGET_PROCESS_RATIO);
}

/*
 * Exit status 0 whenever everything could be measured, whether targets pass or not; 1 when
 * a phase could not run (what was measured is still printed).
 */
int main(int argc, char **argv)
{
	static struct results res;
	struct module_opts mo = {NULL, 0};
	struct hello h = {0};
	char warm[4096] = "", err[2048], *app_argv[2];
	double t0;
	int rc = 1;

	if (argc != 4) {
		fprintf(stderr, "usage: %s INTRAVISOR NATIVE_HELLO HELLO.wasm\n"
				"Measures cVM start-up against the static NATIVE_HELLO; see "
				"bench/README.md.\n", argv[0]);
		return 2;
	}
	char *native_argv[] = {argv[2], NULL};
	char *process_argv[] = {argv[1], "--cache-dir", warm, "run", argv[3], NULL};

	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0 || posix_spawn_file_actions_init(&quiet) ||
	    posix_spawn_file_actions_adddup2(&quiet, devnull, 0) ||
	    posix_spawn_file_actions_adddup2(&quiet, devnull, 1) ||
	    posix_spawn_file_actions_adddup2(&quiet, devnull, 2)) {
		fprintf(stderr, "bench: cannot prepare /dev/null for children\n");
		return 1;
	}
	if (rt_init()) {
		fprintf(stderr, "bench: rt_init failed\n");
		return 1;
	}
	raise_fd_limit();

	fprintf(stderr, "[1/4] cold compile: %d x intravisor --cache-dir EMPTY run %s\n", COLD_REPS,
		argv[3]);
	if (measure_cold(process_argv, warm, sizeof(warm), &res))
		goto out;

	fprintf(stderr, "[2/4] module_load from the warm cache %s\n", warm);
	mo.cache_dir = warm;
	t0 = (bench_now_ns() / 1e3);
	if (module_load(argv[3], &mo, &h.m, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		goto out;
	}
	res.load_us = (bench_now_ns() / 1e3) - t0;
	app_argv[0] = argv[3];
	app_argv[1] = NULL;
	h.spec.name = "hello";
	h.spec.argv = app_argv;
	h.spec.env = app_argv + 1;
	h.spec.memory_cap = CFG_DEFAULT_MEMORY_CAP;
	h.spec.abi = h.m->abi == CFG_ABI_AUTO ? CFG_ABI_BARE : h.m->abi;

	fprintf(stderr, "[3/4] start-to-exit: 1 warm-up + %d rounds of %d native, %d intravisor "
			"processes, 2 x %d in-monitor cVMs ",
		ROUNDS, SPAWNS, SPAWNS, RUNS);
	if (measure_start_to_exit(native_argv, process_argv, &h, &res))
		goto out;

	fprintf(stderr, "[4/4] instantiate + free: %d x %d cVMs one after another, and %d x %d held "
			"at once\n", INST_REPS, NCVMS, INST_REPS, NCVMS);
	if (measure_instantiation(&h, &res))
		goto out;
	rc = 0;
out:
	if (res.cold.n)
		report(argv[3], &res);
	if (h.m)
		module_put(h.m);
	if (warm[0])
		remove_tree(warm);
	posix_spawn_file_actions_destroy(&quiet);
	close(devnull);
	return rc;
}
