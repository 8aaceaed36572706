/* Starts and ends many cVMs in one monitor, then checks fds and memory went back to level. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cvm.h"
#include "ipc/ipc.h"
#include "module.h"
#include "rt.h"
#include "rt/interrupt.h"
#include "rt/mempool.h"

#define BATCH 50

/*
 * Under AddressSanitizer, freed memory waits in a quarantine, so resident memory grows by
 * design; there LeakSanitizer checks for leaks at exit instead.
 */
#if defined(__SANITIZE_ADDRESS__)
#define COMPARE_RESIDENT 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define COMPARE_RESIDENT 0
#endif
#endif
#ifndef COMPARE_RESIDENT
#define COMPARE_RESIDENT 1
#endif

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static long resident_kib(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Runs n cVMs, BATCH at a time, every tenth one from the crashing module. */
static int round_of(struct module *healthy, struct module *crasher, int n)
{
	char *argv[] = {"churn", NULL}, *env[] = {NULL};
	struct cvm *vms[BATCH];
	int i, j, wrong = 0;

	for (i = 0; i < n; i += BATCH) {
		for (j = 0; j < BATCH && i + j < n; j++) {
			int crash = (i + j) % 10 == 9;
			char name[32];
			struct cvm_spec spec = {.name = name, .argv = argv, .env = env,
						.memory_cap = 16u << 20, .abi = CFG_ABI_BARE};

			snprintf(name, sizeof(name), "vm%d", i + j);
			vms[j] = cvm_create(&spec, crash ? crasher : healthy);
			if (!vms[j] || cvm_start(vms[j]))
				return -1;
		}
		for (j = 0; j < BATCH && i + j < n; j++) {
			int crash = (i + j) % 10 == 9;

			cvm_join(vms[j]);
			if (crash ? vms[j]->state != CVM_TRAPPED : !cvm_succeeded(vms[j]))
				wrong++;
			cvm_destroy(vms[j]);
		}
	}
	return wrong;
}

int main(int argc, char **argv)
{
	struct module_opts opts = {NULL, 0};
	struct module *healthy, *crasher;
	int n, fds[3], devnull, saved, wrong = 0, r;
	long rss[3];
	char err[1024];

	if (argc != 5) {
		fprintf(stderr, "usage: churn CACHE HEALTHY.wasm CRASHING.wasm COUNT\n");
		return 2;
	}
	opts.cache_dir = argv[1];
	n = atoi(argv[4]);
	if (rt_init() || rt_interrupt_init())
		return 2;
	if (module_load(argv[2], &opts, &healthy, err, sizeof(err)) ||
	    module_load(argv[3], &opts, &crasher, err, sizeof(err))) {
		fprintf(stderr, "churn: %s\n", err);
		return 2;
	}
	/* The cVMs' output is not what is checked here. */
	saved = dup(1);
	devnull = open("/dev/null", O_WRONLY);
	dup2(devnull, 1);
	/* A first round warms caches and pools; later rounds must not grow anything. */
	for (r = 0; r < 3; r++) {
		int w = round_of(healthy, crasher, n);
		if (w < 0) {
			dup2(saved, 1);
			fprintf(stderr, "churn: cannot create or start a cVM\n");
			return 1;
		}
		wrong += w;
		/* Pooled memories keep their memfds: count what the cVMs themselves left behind. */
		rt_memory_pool_drain();
		fds[r] = count_fds();
		rss[r] = resident_kib();
	}
	dup2(saved, 1);
	close(devnull);
	close(saved);
	module_put(crasher);
	module_put(healthy);
	names_clear();
	printf("%d rounds of %d cVMs: fds %d %d %d, resident KiB %ld %ld %ld, %d wrong\n", r, n,
	       fds[0], fds[1], fds[2], rss[0], rss[1], rss[2], wrong);
	if (!COMPARE_RESIDENT)
		printf("resident memory not compared: AddressSanitizer's quarantine keeps freed memory\n");
	if (wrong || fds[2] != fds[1] || (COMPARE_RESIDENT && rss[2] - rss[1] > 4096)) {
		printf("FAIL: a cVM ended wrongly, or fds or memory grew between rounds\n");
		return 1;
	}
	return 0;
}
