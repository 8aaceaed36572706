/* The `intravisor` command line: run the cVMs of a YAML file, or one .wasm. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "config.h"
#include "console.h"
#include "cvm.h"
#include "hostcall.h"
#include "ipc/ipc.h"
#include "ipc/stream.h"
#include "intravisor/abi.h"
#include "module.h"
#include "posix/libos.h"
#include "rt.h"
#include "rt/interrupt.h"

#define EXIT_CVM_FAILED 1
#define EXIT_USAGE 2      /* bad command line, configuration or module */
#define EXIT_RUN_TRAPPED 125

#define MAX_RUN_ENV 256

static void usage(FILE *f)
{
	fprintf(f,
		"usage: intravisor [OPTIONS] -y FILE.yaml\n"
		"       intravisor [OPTIONS] run [-e KEY=VALUE]... APP.wasm [ARGS...]\n"
		"\n"
		"Runs WebAssembly cVMs, each confined to its own memory, inside this one process.\n"
		"\n"
		"  -y, --yaml FILE       start every cVM listed in FILE (the original Intravisor's\n"
		"                        YAML schema; see docs/config.md)\n"
		"  run APP.wasm ARGS...  run one cVM without a YAML file; it reads this process's\n"
		"                        stdin and exits with the cVM's exit status\n"
		"  -e, --env KEY=VALUE   (run) add a variable to the cVM's environment\n"
		"      --mount HOST:GUEST[:rw]\n"
		"                        (run) bind the host folder HOST at GUEST, read-only\n"
		"                        unless :rw is given (repeatable)\n"
		"      --disk IMAGE      (run) the ext4 image IMAGE is the cVM's /, read-write\n"
		"      --cache-dir DIR   compile cache (default $XDG_CACHE_HOME/intravisor or\n"
		"                        ~/.cache/intravisor)\n"
		"      --no-prefix       do not prefix output lines with [name] when several\n"
		"                        cVMs run\n"
		"      --timeout SECONDS (run) stop the cVM with a trap after this wall-clock time\n"
		"  -h, --help            show this help and exit\n"
		"      --version         show the version and exit\n"
		"\n"
		"Exit status: 0 when every cVM exits 0; 1 when a cVM exits non-zero or traps (run:\n"
		"the cVM's own status, 125 on a trap); 2 for a bad command line, configuration or\n"
		"module. See docs/intravisor.md.\n");
}

/* At most this many --mount options. */
#define MAX_RUN_MOUNTS 16

struct options {
	const char *yaml;
	char *disk;
	struct cfg_mount mounts[MAX_RUN_MOUNTS];
	size_t nmounts;
	const char *cache_dir;
	int prefix;
	int run;
	uint32_t timeout_s;
	char *run_env[MAX_RUN_ENV + 1];
	int nrun_env;
};

static enum cfg_abi resolve_abi(enum cfg_abi wanted, const struct module *m, const char *who,
				char *err, size_t errlen)
{
	if (wanted == CFG_ABI_BARE && m->abi == CFG_ABI_POSIX) {
		snprintf(err, errlen, "%s: 'abi: bare' but the module imports WASI functions", who);
		return CFG_ABI_AUTO;
	}
	if (wanted != CFG_ABI_AUTO)
		return wanted;
	return m->abi == CFG_ABI_AUTO ? CFG_ABI_BARE : m->abi;
}

/* Refuses a module whose initial memory exceeds the cap; 0 when it fits. */
static int check_memory(const struct module *m, uint64_t cap, char *err, size_t errlen)
{
	uint64_t need = (uint64_t)m->info.mem_initial * 65536u;

	if (m->info.has_memory && need > cap) {
		snprintf(err, errlen,
			 "memory cap 0x%llx is below the initial memory of %s (%u pages = 0x%llx "
			 "bytes)",
			 (unsigned long long)cap, m->path, m->info.mem_initial,
			 (unsigned long long)need);
		return -1;
	}
	return 0;
}

static void raise_fd_limit(void)
{
	struct rlimit rl;

	/* Each running cVM holds a memfd; let the monitor use what the system allows. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* callback_out: the named cVM must export the handler with the ABI's signature. */
static int bind_callbacks(const struct config *cfg, struct cvm **vms)
{
	size_t i, j;

	for (i = 0; i < cfg->ncvms; i++) {
		const struct cfg_cvm *c = &cfg->cvms[i];
		const struct wmod_export *e;

		if (!c->callback_out || !strcmp(c->callback_out, "monitor"))
			continue;
		/* The loader made sure it names another cVM of the file. */
		for (j = 0; strcmp(cfg->cvms[j].name, c->callback_out); j++)
			;
		e = wmod_find_export(&vms[j]->module->info, IV_SYSCALL_EXPORT);
		if (!e || e->kind != WMOD_FUNC || strcmp(e->sig, "iIIIi:I")) {
			cfg_report(cfg, c->callback_out_mark, stderr,
				   "cVM '%s' cannot be a callback handler: its module does not export "
				   "%s(i32, i64, i64, i64, i32) -> i64",
				   cfg->cvms[j].name, IV_SYSCALL_EXPORT);
			return -1;
		}
		vms[i]->callback = vms[j];
	}
	return 0;
}

/*
 * Starts cVM i, after its callback handler (the chain is acyclic: the loader checks), so
 * a client's first hostcall never finds its handler not yet started. Then honours `wait`.
 */
static void start_in_order(const struct config *cfg, struct cvm **vms, size_t i)
{
	int wait = cfg->cvms[i].wait;
	size_t j;

	if (vms[i]->state != CVM_CREATED || vms[i]->thread_started || rt_stop_requested())
		return;
	if (vms[i]->callback) {
		for (j = 0; vms[j] != vms[i]->callback; j++)
			;
		start_in_order(cfg, vms, j);
	}
	cvm_start(vms[i]);
	if (wait == -1)
		cvm_join(vms[i]);
	else if (wait > 0)
		sleep((unsigned)wait);
}

/* The YAML's capfiles exist, with their data, before any cVM starts. */
static int create_capfiles(const struct config *cfg)
{
	size_t i;
	int err;

	for (i = 0; i < cfg->ncapfiles; i++) {
		err = capfile_create(&cfg->capfiles[i]);
		if (err) {
			cfg_report(cfg, cfg->capfiles[i].mark, stderr, "cannot create capfile '%s': %s",
				   cfg->capfiles[i].name,
				   err == -IV_EEXIST ? "name in use" : "out of memory");
			return -1;
		}
	}
	return 0;
}

/*
 * The YAML's streams exist, their ends in the tables of the cVMs listed (and bound to their
 * descriptors), before any cVM starts: so no end closes before its holders even ran.
 */
static int create_streams(const struct config *cfg)
{
	size_t i, j;
	int end, err;

	for (i = 0; i < cfg->nstreams; i++) {
		const struct cfg_stream *c = &cfg->streams[i];

		for (end = 0; end < 2; end++) {
			for (j = 0; j < c->nends[end]; j++) {
				const struct cfg_stream_end *se = &c->ends[end][j];

				if (se->fd >= 0 && cvm_find(se->cvm)->abi != CFG_ABI_POSIX) {
					cfg_report(cfg, se->mark, stderr,
						   "cVM '%s' runs the bare runtime, which has no file "
						   "descriptors: it cannot have fd %d bound to stream "
						   "'%s' (it gets the end with iv_stream_prb)",
						   se->cvm, se->fd, c->name);
					return -1;
				}
			}
		}
		err = stream_create_configured(c);
		if (err) {
			cfg_report(cfg, c->mark, stderr, "cannot create stream '%s': %s", c->name,
				   err == -IV_EEXIST ? "name in use"
				   : err == -IV_ENOMEM ? "out of memory" : "a cVM it lists is gone");
			return -1;
		}
	}
	return 0;
}

static int run_yaml(const struct options *o)
{
	struct module_opts mo = {o->cache_dir, isatty(2)};
	struct config *cfg = NULL;
	struct module **mods = NULL;
	struct cvm **vms = NULL;
	char err[2048];
	size_t i;
	int rc = EXIT_USAGE, failed = 0;

	if (cfg_load(o->yaml, &cfg, stderr))
		return EXIT_USAGE;
	mods = calloc(cfg->ncvms, sizeof(*mods));
	vms = calloc(cfg->ncvms, sizeof(*vms));
	if (!mods || !vms) {
		fprintf(stderr, "intravisor: out of memory\n");
		goto out;
	}
	/* Load, check and compile everything before any cVM starts. */
	for (i = 0; i < cfg->ncvms; i++) {
		const struct cfg_cvm *c = &cfg->cvms[i];
		struct cvm_spec spec;
		enum cfg_abi abi;

		if (module_load(c->runtime, &mo, &mods[i], err, sizeof(err))) {
			cfg_report(cfg, c->runtime_mark, stderr, "%s", err);
			goto out;
		}
		if (check_memory(mods[i], c->memory_cap, err, sizeof(err))) {
			cfg_report(cfg, c->size_mark, stderr, "cVM '%s': %s", c->name, err);
			goto out;
		}
		abi = resolve_abi(c->abi, mods[i], c->runtime, err, sizeof(err));
		if (abi == CFG_ABI_AUTO) {
			cfg_report(cfg, c->mark, stderr, "%s", err);
			goto out;
		}
		spec.name = c->name;
		spec.argv = c->argv;
		spec.env = c->env;
		spec.memory_cap = c->memory_cap;
		spec.abi = abi;
		spec.prefix_output = o->prefix && cfg->ncvms > 1;
		/* The monitor's stdin goes to the cVM whose YAML asks, or to a lone cVM. */
		spec.stdin_attached = c->stdin_attached == 1 ||
				      (c->stdin_attached < 0 && cfg->ncvms == 1);
		spec.cap_limit = c->cap_limit;
		spec.timeout_s = c->timeout_s;
		spec.cpu_s = c->cpu_s;
		spec.fd_limit = c->fd_limit;
		vms[i] = cvm_create(&spec, mods[i]);
		if (!vms[i]) {
			fprintf(stderr, "intravisor: out of memory\n");
			goto out;
		}
		if (abi != CFG_ABI_POSIX && (c->disk || c->nmounts || c->net.nlisten ||
					     c->net.nconnect)) {
			cfg_report(cfg, c->mark, stderr, "cVM '%s': a disk, mounts and a network "
				   "policy need the posix runtime; %s imports no WASI", c->name,
				   c->runtime);
			goto out;
		}
		if (abi == CFG_ABI_POSIX && libos_setup(vms[i], c, err, sizeof(err))) {
			cfg_report(cfg, c->mark, stderr, "cVM '%s': %s", c->name, err);
			goto out;
		}
	}
	if (bind_callbacks(cfg, vms) || create_capfiles(cfg) || create_streams(cfg))
		goto out;
	for (i = 0; i < cfg->ncvms; i++)
		start_in_order(cfg, vms, i);
	for (i = 0; i < cfg->ncvms; i++) {
		cvm_join(vms[i]);
		if (!cvm_succeeded(vms[i])) {
			cvm_describe(vms[i], err, sizeof(err));
			console_message("cVM %s: %s\n", vms[i]->name, err);
			failed++;
		}
	}
	rc = failed ? EXIT_CVM_FAILED : 0;
out:
	for (i = 0; cfg && i < cfg->ncvms; i++) {
		if (vms)
			cvm_destroy(vms[i]);
		if (mods)
			module_put(mods[i]);
	}
	free(vms);
	free(mods);
	names_clear();
	stream_clear();
	cfg_free(cfg);
	return rc;
}

static int run_one(struct options *o, int argc, char **argv)
{
	struct module_opts mo = {o->cache_dir, isatty(2)};
	struct module *m = NULL;
	struct cvm *vm = NULL;
	struct cvm_spec spec;
	char err[2048], name[256], *base, *dot;
	int rc = EXIT_USAGE;

	if (argc < 1) {
		fprintf(stderr, "intravisor: run: missing APP.wasm\n");
		return EXIT_USAGE;
	}
	snprintf(name, sizeof(name), "%s", argv[0]);
	base = basename(name);
	dot = strrchr(base, '.');
	if (dot && dot != base)
		*dot = 0;
	if (module_load(argv[0], &mo, &m, err, sizeof(err))) {
		fprintf(stderr, "intravisor: %s\n", err);
		return EXIT_USAGE;
	}
	if (check_memory(m, CFG_DEFAULT_MEMORY_CAP, err, sizeof(err))) {
		fprintf(stderr, "intravisor: %s\n", err);
		goto out;
	}
	spec.name = base;
	spec.argv = argv;
	o->run_env[o->nrun_env] = NULL;
	spec.env = o->run_env;
	spec.memory_cap = CFG_DEFAULT_MEMORY_CAP;
	spec.abi = resolve_abi(CFG_ABI_AUTO, m, argv[0], err, sizeof(err));
	spec.prefix_output = false;
	spec.stdin_attached = true;
	spec.cap_limit = 0;
	spec.timeout_s = o->timeout_s;
	spec.cpu_s = 0;
	spec.fd_limit = 0;
	vm = cvm_create(&spec, m);
	if (!vm) {
		fprintf(stderr, "intravisor: out of memory\n");
		goto out;
	}
	if (o->disk || o->nmounts) {
		struct cfg_cvm c = {.disk = o->disk, .mounts = o->mounts, .nmounts = o->nmounts};

		if (spec.abi != CFG_ABI_POSIX) {
			fprintf(stderr, "intravisor: --disk and --mount need the posix runtime; %s "
				"imports no WASI\n", argv[0]);
			goto out;
		}
		if (libos_setup(vm, &c, err, sizeof(err))) {
			fprintf(stderr, "intravisor: %s\n", err);
			goto out;
		}
	}
	cvm_start(vm);
	cvm_join(vm);
	if (vm->state == CVM_EXITED) {
		rc = vm->status & 0xff;
	} else {
		cvm_describe(vm, err, sizeof(err));
		console_message("cVM %s: %s\n", vm->name, err);
		rc = EXIT_RUN_TRAPPED;
	}
out:
	cvm_destroy(vm);
	module_put(m);
	return rc;
}

/*
 * SIGINT, SIGTERM and SIGHUP stop the monitor cleanly: every cVM is stopped (a trap,
 * "stopped"), so each one's descriptors close and its disk image is flushed and marked clean
 * on the way out. The signals are blocked in every thread and taken by one watcher thread.
 * A second signal, or cVMs still running STOP_GRACE_S seconds later (a cVM blocked where no
 * signal reaches, such as a stream wait without a time limit), ends the process at once.
 */
#define STOP_GRACE_S 5
#define STOP_WATCHER_STACK (64u << 10)

static sigset_t stop_signals;
static _Atomic int stop_signal;

static void *stop_watcher(void *arg)
{
	struct timespec tick = {0, 50 * 1000 * 1000};
	unsigned ticks = 0;
	int sig;

	(void)arg;
	for (;;) {
		sig = stop_signal ? sigtimedwait(&stop_signals, NULL, &tick)
				  : sigwaitinfo(&stop_signals, NULL);
		if (sig > 0 && stop_signal) {
			console_message("intravisor: %s again: exiting at once\n", strsignal(sig));
			_exit(128 + sig);
		}
		if (sig > 0) {
			stop_signal = sig;
			rt_request_stop();
			console_message("intravisor: %s: stopping the cVMs\n", strsignal(sig));
		}
		if (!stop_signal)
			continue;
		/* Waits look at the stop at least every 100 ms; guest code needs the signal. */
		cvm_interrupt_all();
		if (++ticks == STOP_GRACE_S * 20) {
			console_message("intravisor: cVMs still running %d s after %s; exiting without "
					"unmounting their disks\n", STOP_GRACE_S, strsignal(stop_signal));
			_exit(128 + stop_signal);
		}
	}
	return NULL;
}

/* Blocks the stop signals in this thread (and so in every thread made later). 0 or -errno. */
static int watch_stop_signals(void)
{
	pthread_attr_t attr;
	pthread_t th;
	int err;

	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGHUP);
	err = pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	if (err)
		return -err;
	/* The watcher needs little stack: a small one is cheaper to set up at every start. */
	err = pthread_attr_init(&attr);
	if (err)
		return -err;
	pthread_attr_setstacksize(&attr, STOP_WATCHER_STACK);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&th, &attr, stop_watcher, NULL);
	pthread_attr_destroy(&attr);
	return -err;
}

/* --mount HOST:GUEST[:ro|rw]: GUEST absolute; read-only unless rw. 0, or -1 (said why). */
static int add_mount(struct options *o, char *arg)
{
	struct cfg_mount *m = &o->mounts[o->nmounts];
	char *guest = strchr(arg, ':'), *mode;

	if (o->nmounts == MAX_RUN_MOUNTS) {
		fprintf(stderr, "intravisor: at most %d --mount options\n", MAX_RUN_MOUNTS);
		return -1;
	}
	if (!guest || guest == arg || guest[1] != '/') {
		fprintf(stderr, "intravisor: --mount wants HOST:GUEST[:ro|rw] with GUEST an "
				"absolute path, got '%s'\n", arg);
		return -1;
	}
	*guest++ = 0;
	m->readonly = true;
	mode = strchr(guest, ':');
	if (mode) {
		*mode++ = 0;
		if (strcmp(mode, "ro") && strcmp(mode, "rw")) {
			fprintf(stderr, "intravisor: --mount mode must be ro or rw, got '%s'\n", mode);
			return -1;
		}
		m->readonly = !strcmp(mode, "ro");
	}
	m->host = arg;
	m->guest = guest;
	o->nmounts++;
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_CACHE_DIR = 256, OPT_NO_PREFIX, OPT_VERSION, OPT_TIMEOUT, OPT_MOUNT, OPT_DISK };
	static const struct option longopts[] = {
		{"yaml", required_argument, NULL, 'y'},
		{"env", required_argument, NULL, 'e'},
		{"cache-dir", required_argument, NULL, OPT_CACHE_DIR},
		{"no-prefix", no_argument, NULL, OPT_NO_PREFIX},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"mount", required_argument, NULL, OPT_MOUNT},
		{"disk", required_argument, NULL, OPT_DISK},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	struct options o;
	int c, err, rc;

	memset(&o, 0, sizeof(o));
	o.prefix = 1;
	/* "+": stop at the first non-option, so `run APP.wasm -x` passes -x to the cVM. */
	while ((c = getopt_long(argc, argv, "+y:e:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'y':
			o.yaml = optarg;
			break;
		case 'e':
			if (!strchr(optarg, '=') || o.nrun_env == MAX_RUN_ENV) {
				fprintf(stderr, "intravisor: --env wants KEY=VALUE (at most %d)\n",
					MAX_RUN_ENV);
				return EXIT_USAGE;
			}
			o.run_env[o.nrun_env++] = optarg;
			break;
		case OPT_CACHE_DIR:
			o.cache_dir = optarg;
			break;
		case OPT_NO_PREFIX:
			o.prefix = 0;
			break;
		case OPT_TIMEOUT: {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (!*optarg || *end || v == 0 || v > 86400 * 365) {
				fprintf(stderr, "intravisor: --timeout wants whole seconds (1 or more)\n");
				return EXIT_USAGE;
			}
			o.timeout_s = (uint32_t)v;
			break;
		}
		case OPT_MOUNT:
			if (add_mount(&o, optarg))
				return EXIT_USAGE;
			break;
		case OPT_DISK:
			o.disk = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case OPT_VERSION:
			printf("intravisor %s (guest ABI %d)\n", IV_VERSION, IV_ABI_VERSION);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc && !strcmp(argv[optind], "run")) {
		o.run = 1;
		optind++;
		/* Options may also follow `run`, before the module. */
		while ((c = getopt_long(argc, argv, "+e:", longopts, NULL)) != -1) {
			if (c == OPT_MOUNT) {
				if (add_mount(&o, optarg))
					return EXIT_USAGE;
				continue;
			}
			if (c == OPT_DISK) {
				o.disk = optarg;
				continue;
			}
			if (c != 'e' || !strchr(optarg, '=') || o.nrun_env == MAX_RUN_ENV) {
				fprintf(stderr, "intravisor: run: only -e KEY=VALUE, --mount and --disk "
						"may come before APP.wasm\n");
				return EXIT_USAGE;
			}
			o.run_env[o.nrun_env++] = optarg;
		}
	}
	if (o.yaml && (o.disk || o.nmounts)) {
		fprintf(stderr, "intravisor: --disk and --mount are for run; a YAML file has "
				"disk: and mounts:\n");
		return EXIT_USAGE;
	}
	if (o.run == !!o.yaml || (!o.run && optind < argc)) {
		fprintf(stderr, "intravisor: give either -y FILE.yaml or run APP.wasm\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	err = rt_init();
	if (!err)
		err = rt_interrupt_init();
	if (!err)
		err = watch_stop_signals();
	if (err) {
		fprintf(stderr, "intravisor: cannot install signal handling: %s\n", strerror(-err));
		return EXIT_USAGE;
	}
	raise_fd_limit();
	rc = o.run ? run_one(&o, argc - optind, argv + optind) : run_yaml(&o);
	/* Stopped by a signal: the cVMs ended and their disks were unmounted; say so. */
	return stop_signal ? 128 + stop_signal : rc;
}
