/* Fuzzes the guest edge of hostcalls: random calls with random guest pointers from fake cVMs. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cap.h"
#include "config.h"
#include "cvm.h"
#include "fuzz.h"
#include "hostcall.h"
#include "ipc/ipc.h"
#include "module.h"
#include "posix/fdtable.h"
#include "posix/wasi.h"
#include "rt.h"

#define NVM 3
#define PAGE 65536u
#define RECENT 16
#define WASI_POLL_MAX 4096
#define WASI_SUBSCRIPTION_BYTES 48
#define WASI_EVENT_BYTES 32
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#define CHECK(cond, ...)                                                                  \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "fuzz_hostcall: " __VA_ARGS__);                    \
			fputc('\n', stderr);                                              \
			abort();                                                          \
		}                                                                         \
	} while (0)

/* A cVM without code: a module whose exports call_adv can name, and a memory of its own. */
struct fake {
	const char *name;
	char *const *argv, *const *env;
	bool prefix;
	uint32_t pages; /* 0: no memory at all */
	struct cvm *vm;
	wasm_rt_memory_t mem;
	bool mapped;    /* a capability was mapped into its memory by this input */
};

static char *const argv_a[] = {"a", "one two", "", NULL};
static char *const env_a[] = {"K=V", "EMPTY=", NULL};
static char *const argv_b[] = {"b", NULL};
static struct fake fakes[NVM] = {
	{.name = "a", .argv = argv_a, .env = env_a, .prefix = true, .pages = 1},
	{.name = "b", .argv = argv_b, .pages = 2},
	{.name = "c", .prefix = true},
};

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
	H_FD_PRESTAT_DIR, H_POLL, H_FD_CLOSE, NCALLS
};

static uint32_t recent[RECENT];
static unsigned nrecent;
static uint8_t snapshot[2 * PAGE];
static uint8_t *snapshot_of; /* the memory snapshot is a copy of, or NULL */
static int devnull;

static const int iv_errors[] = {
	IV_EACCES, IV_EBADF, IV_ECANCELED, IV_EDEADLK, IV_EEXIST, IV_EFAULT, IV_EINVAL, IV_EIO,
	IV_EMFILE, IV_ENAMETOOLONG, IV_ENOENT, IV_ENOMEM, IV_ENOSYS, IV_ENOTSUP, IV_EPERM,
	IV_ERANGE, IV_ESRCH, IV_ESTALE, IV_ETIMEDOUT, IV_ENOTCAPABLE, IV_EPIPE, IV_EAGAIN,
	IV_EMSGSIZE, IV_ENOSPC,
};
/* What the WASI functions fuzzed here may answer: success, EBADF, EFAULT, EINVAL, EIO, ESPIPE. */
static const int wasi_errors[] = {0, 8, 21, 28, 29, 70};

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

static void setup(void)
{
	int i;

	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	CHECK(devnull >= 0, "cannot open /dev/null");
	for (i = 0; i < NVM; i++) {
		struct fake *f = &fakes[i];
		struct cvm_spec spec = {
			.name = f->name, .argv = f->argv, .env = f->env,
			.memory_cap = (uint64_t)f->pages * PAGE, .abi = CFG_ABI_BARE,
			.prefix_output = f->prefix, .cap_limit = IV_CAPS_DEFAULT,
		};

		f->vm = cvm_create(&spec, &module);
		CHECK(f->vm, "cvm_create");
		console_stream_init(&f->vm->out, devnull, f->vm->prefix);
		console_stream_init(&f->vm->err, devnull, f->vm->prefix);
		if (f->pages)
			give_memory(f);
	}
	publish_capfiles();
}

static void begin(struct fuzz_in *in)
{
	int i;

	nrecent = 0;
	for (i = 0; i < NVM; i++) {
		struct fake *f = &fakes[i];
		uint8_t b = fz_u8(in);

		fdt_free(f->vm, f->vm->fds);
		f->vm->fds = fdt_new(0);
		CHECK(f->vm->fds, "no descriptor table");
		cap_table_free(f->vm->caps);
		f->vm->caps = cap_table_new(b >= 0xf0 ? IV_CAPS_DEFAULT : 1u + b % 24);
		CHECK(f->vm->caps, "no table");
		f->vm->torn_down = false;
		if (f->pages)
			memset(f->mem.data, 0, f->mem.size);
	}
}

/* As when the cVMs end: names withdrawn, capabilities torn down; mapped memories replaced. */
static void end(void)
{
	int i;

	for (i = 0; i < NVM; i++)
		names_withdraw(fakes[i].vm);
	for (i = 0; i < NVM; i++) {
		struct fake *f = &fakes[i];

		cap_cvm_teardown(f->vm);
		console_flush(&f->vm->out);
		console_flush(&f->vm->err);
		if (f->mapped) {
			wasm_rt_free_memory(&f->mem);
			give_memory(f);
			f->mapped = false;
		}
	}
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

/* A descriptor: mostly stdio or just past it. */
static uint32_t fd_arg(struct fuzz_in *in)
{
	uint8_t b = fz_u8(in);

	return b < 224 ? b % 5u : fz_u32(in);
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

/* poll_oneoff may sleep on a clock: every clock subscription is made a zero timeout first. */
static void no_sleeping(const struct fake *f, uint32_t subs, uint32_t nsubs)
{
	uint8_t *s = plain(f, subs, (uint64_t)nsubs * WASI_SUBSCRIPTION_BYTES);
	uint32_t i;

	if (!s || nsubs > WASI_POLL_MAX)
		return;
	for (i = 0; i < nsubs; i++, s += WASI_SUBSCRIPTION_BYTES)
		if (s[8] == 0)
			memset(s + 24, 0, 8);
}

/* Keeps a copy of f's memory, when it is all plain memory, to check refused calls against. */
static void take_snapshot(const struct fake *f)
{
	snapshot_of = f->vm->nmaps ? NULL : plain(f, 0, mem_size(f));
	if (snapshot_of)
		memcpy(snapshot, snapshot_of, mem_size(f));
}

/* ---- calls ---- */

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
	uint32_t a = 0, b = 0, d = 0, e = 0, r = 0;
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
		a = fz_u8(in) < 224 ? fz_u8(in) % 3u : fz_u32(in);
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
		a = fz_u8(in) < 224 ? fz_u8(in) % 5u : fz_u32(in);
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
		take_snapshot(f);
		r = call(c, in, f, &wasi);
		if (wasi) {
			CHECK(known(wasi_errors, COUNT(wasi_errors), (int)r),
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
