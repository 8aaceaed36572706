/* Unit tests of the YAML configuration loader (monitor/config.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

struct fx {
	char dir[64];
	char *out;        /* everything the loader printed */
	size_t outlen;
	struct config *cfg;
};

static void write_file(const char *dir, const char *name, const char *text, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void remove_file(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

static int setup(void **state)
{
	static const char wasm[] = { 0, 'a', 's', 'm', 1, 0, 0, 0 };
	struct fx *f = calloc(1, sizeof(*f));
	char sub[128];

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/iv-test-config-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	write_file(f->dir, "a.wasm", wasm, sizeof(wasm));
	write_file(f->dir, "b.wasm", wasm, sizeof(wasm));
	snprintf(sub, sizeof(sub), "%s/sub.wasm", f->dir);
	if (mkdir(sub, 0700) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char sub[128];

	cfg_free(f->cfg);
	free(f->out);
	remove_file(f->dir, "a.wasm");
	remove_file(f->dir, "b.wasm");
	remove_file(f->dir, "t.yaml");
	snprintf(sub, sizeof(sub), "%s/sub.wasm", f->dir);
	rmdir(sub);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void reset(struct fx *f)
{
	cfg_free(f->cfg);
	f->cfg = NULL;
	free(f->out);
	f->out = NULL;
	f->outlen = 0;
}

static int load_len(struct fx *f, const char *yaml, size_t len)
{
	FILE *err;
	int rc;

	reset(f);
	err = open_memstream(&f->out, &f->outlen);
	assert_non_null(err);
	rc = cfg_load_buffer("t.yaml", f->dir, yaml, len, &f->cfg, err);
	fclose(err);
	/* A refused file hands back nothing; an accepted one always hands back a config. */
	if (rc == 0)
		assert_non_null(f->cfg);
	else
		assert_null(f->cfg);
	return rc;
}

static int load(struct fx *f, const char *yaml)
{
	return load_len(f, yaml, strlen(yaml));
}

static int load_file(struct fx *f, const char *path)
{
	FILE *err;
	int rc;

	reset(f);
	err = open_memstream(&f->out, &f->outlen);
	assert_non_null(err);
	rc = cfg_load(path, &f->cfg, err);
	fclose(err);
	return rc;
}

/* Fails at the caller's line and shows what the loader printed, which is what one needs to see. */
#define expect_out(f, s) check_out(f, s, __FILE__, __LINE__)
static void check_out(const struct fx *f, const char *needle, const char *file, int line)
{
	if (!f->out || !strstr(f->out, needle)) {
		print_error("expected \"%s\" in the loader's output:\n%s\n", needle,
			    f->out ? f->out : "(nothing)");
		_fail(file, line);
	}
}

static size_t count_lines(const struct fx *f)
{
	size_t n = 0;

	for (size_t i = 0; i < f->outlen; i++)
		n += f->out[i] == '\n';
	return n;
}

static void expect_path(const struct fx *f, const char *got, const char *name)
{
	char want[256];

	snprintf(want, sizeof(want), "%s/%s", f->dir, name);
	assert_string_equal(got, want);
}

/* Lines 1-3 of most error cases: a valid cVM that the case then adds keys to, from line 4. */
#define CVM_A "cVMs:\n- name: a\n  runtime: a.wasm\n"

/* ---- accepted configurations ---- */

static void test_seed_two_cvms(void **state)
{
	struct fx *f = *state;
	const struct cfg_cvm *c;

	assert_int_equal(load(f,
			      "---\n"
			      "cVMs:\n"
			      "- name: first\n"
			      "  runtime: a.wasm\n"
			      "  args: /ld.so /app/sc_main #aligment problem with pure cap aux\n"
			      "  isolation:\n"
			      "  - base: 0x20000000\n"
			      "    size: 0x10000000\n"
			      "    begin: 0x20000000\n"
			      "    end: 0x30000000\n"
			      "  callback_out: monitor\n"
			      "  wait: -1\n"
			      "- name: second\n"
			      "  runtime: b.wasm\n"
			      "  args: /ld.so /app/sc_main\n"
			      "  isolation:\n"
			      "  - base:  0x400000000\n"
			      "    size:  0x040000000\n"
			      "    begin: 0x400000000\n"
			      "    end:   0x440000000\n"
			      "  callback_out: first\n"
			      "  wait: 10\n"),
			 0);
	assert_int_equal(f->cfg->ncvms, 2);
	assert_string_equal(f->cfg->path, "t.yaml");
	assert_string_equal(f->cfg->dir, f->dir);

	c = &f->cfg->cvms[0];
	assert_string_equal(c->name, "first");
	assert_int_equal(c->mark.line, 3);
	assert_int_equal(c->mark.col, 3);
	expect_path(f, c->runtime, "a.wasm");
	assert_int_equal(c->runtime_mark.line, 4);
	assert_int_equal(c->runtime_mark.col, 12);
	assert_int_equal(c->argc, 2);
	assert_string_equal(c->argv[0], "/ld.so");
	assert_string_equal(c->argv[1], "/app/sc_main");
	assert_null(c->argv[2]);
	assert_true(c->has_isolation);
	assert_int_equal(c->iso_base, 0x20000000);
	assert_int_equal(c->iso_size, 0x10000000);
	assert_int_equal(c->iso_begin, 0x20000000);
	assert_int_equal(c->iso_end, 0x30000000);
	assert_int_equal(c->memory_cap, 0x10000000);
	assert_int_equal(c->size_mark.line, 8);
	assert_int_equal(c->size_mark.col, 11);
	assert_string_equal(c->callback_out, "monitor");
	assert_int_equal(c->callback_out_mark.line, 11);
	assert_int_equal(c->callback_out_mark.col, 17);
	assert_int_equal(c->wait, -1);
	assert_int_equal(c->envc, 0);
	assert_null(c->env[0]);

	c = &f->cfg->cvms[1];
	assert_string_equal(c->name, "second");
	expect_path(f, c->runtime, "b.wasm");
	assert_int_equal(c->iso_base, 0x400000000ull);
	assert_int_equal(c->memory_cap, 0x40000000);
	assert_int_equal(c->wait, 10);
	assert_string_equal(c->callback_out, "first");
	assert_int_equal(c->callback_out_mark.line, 21);
	assert_int_equal(c->callback_out_mark.col, 17);
	assert_int_equal(f->outlen, 0);
}

static void test_several_documents(void **state)
{
	struct fx *f = *state;

	assert_int_equal(load(f,
			      "---\n"
			      "capfiles:\n"
			      "- name: test1\n"
			      "  size: 0x20\n"
			      "  data: \"Hello world\\n\"\n"
			      "\n"
			      "---\n"
			      "cVMs:\n"
			      "- name: one\n"
			      "  runtime: a.wasm\n"
			      "---\n"
			      "---\n"
			      "# an empty document, then one more\n"
			      "---\n"
			      "cVMs:\n"
			      "- name: two\n"
			      "  runtime: b.wasm\n"
			      "- name: three\n"
			      "  runtime: a.wasm\n"
			      "capfiles:\n"
			      "- name: test2\n"
			      "  size: 16\n"),
			 0);
	assert_int_equal(f->cfg->ncvms, 3);
	assert_string_equal(f->cfg->cvms[0].name, "one");
	assert_string_equal(f->cfg->cvms[1].name, "two");
	assert_string_equal(f->cfg->cvms[2].name, "three");
	assert_int_equal(f->cfg->cvms[2].mark.line, 18);
	assert_int_equal(f->cfg->ncapfiles, 2);
	assert_string_equal(f->cfg->capfiles[0].name, "test1");
	assert_int_equal(f->cfg->capfiles[0].size, 0x20);
	assert_int_equal(f->cfg->capfiles[0].data_len, 12);
	assert_memory_equal(f->cfg->capfiles[0].data, "Hello world\n", 12);
	assert_int_equal(f->cfg->capfiles[0].mark.line, 3);
	assert_string_equal(f->cfg->capfiles[1].name, "test2");
	assert_int_equal(f->cfg->capfiles[1].size, 16);
	assert_null(f->cfg->capfiles[1].data);
	assert_null(f->cfg->capfiles[0].allow);
	assert_null(f->cfg->capfiles[1].allow);
	assert_int_equal(f->outlen, 0);
}

static void test_defaults(void **state)
{
	struct fx *f = *state;
	const struct cfg_cvm *c;

	assert_int_equal(load(f, "cVMs:\n  - name: solo\n    runtime: a.wasm\n"), 0);
	assert_int_equal(f->outlen, 0);
	c = &f->cfg->cvms[0];
	assert_int_equal(c->argc, 1);
	assert_string_equal(c->argv[0], "solo");
	assert_null(c->argv[1]);
	assert_int_equal(c->envc, 0);
	assert_null(c->env[0]);
	assert_int_equal(c->wait, 0);
	assert_false(c->clean_room);
	assert_false(c->has_isolation);
	assert_int_equal(c->memory_cap, CFG_DEFAULT_MEMORY_CAP);
	assert_int_equal(c->memory_cap, 256u << 20);
	assert_int_equal(c->size_mark.line, c->mark.line);
	assert_int_equal(c->size_mark.col, c->mark.col);
	assert_int_equal(c->abi, CFG_ABI_AUTO);
	assert_null(c->disk);
	assert_int_equal(c->net.nlisten + c->net.nconnect, 0);
	assert_null(c->callback_out);
	assert_int_equal(c->callback_out_mark.line, 0);
	assert_null(c->callback_in);
	assert_int_equal(c->cap_limit, 0);
	assert_int_equal(f->cfg->ncapfiles, 0);
}

static void test_args_string(void **state)
{
	struct fx *f = *state;
	const struct cfg_cvm *c;

	assert_int_equal(load(f, CVM_A "  args: \"  prog\\t-v   --x=1 \\t \"\n"), 0);
	c = &f->cfg->cvms[0];
	assert_int_equal(c->argc, 3);
	assert_string_equal(c->argv[0], "prog");
	assert_string_equal(c->argv[1], "-v");
	assert_string_equal(c->argv[2], "--x=1");
	assert_null(c->argv[3]);

	/* Blank args mean no args: argv falls back to the name, like an absent key. */
	assert_int_equal(load(f, CVM_A "  args: \"  \"\n"), 0);
	assert_int_equal(f->cfg->cvms[0].argc, 1);
	assert_string_equal(f->cfg->cvms[0].argv[0], "a");

	assert_int_equal(load(f, CVM_A "  args: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"), 0);
	assert_int_equal(f->cfg->cvms[0].argc, 16);
	assert_string_equal(f->cfg->cvms[0].argv[15], "16");
}

static void test_args_sequence(void **state)
{
	struct fx *f = *state;
	const struct cfg_cvm *c;

	assert_int_equal(load(f, CVM_A "  args: [prog, \"two words\", \"\", 42]\n"), 0);
	c = &f->cfg->cvms[0];
	assert_int_equal(c->argc, 4);
	assert_string_equal(c->argv[0], "prog");
	assert_string_equal(c->argv[1], "two words");
	assert_string_equal(c->argv[2], "");
	assert_string_equal(c->argv[3], "42");
	assert_null(c->argv[4]);
}

static void test_env_mapping(void **state)
{
	struct fx *f = *state;
	const struct cfg_cvm *c;

	assert_int_equal(load(f, CVM_A "  env:\n    HOME: /home/u\n    EMPTY:\n    N: 8080\n"
				       "    EQ: \"a=b\"\n"),
			 0);
	c = &f->cfg->cvms[0];
	assert_int_equal(c->envc, 4);
	assert_string_equal(c->env[0], "HOME=/home/u");
	assert_string_equal(c->env[1], "EMPTY=");
	assert_string_equal(c->env[2], "N=8080");
	assert_string_equal(c->env[3], "EQ=a=b");
	assert_null(c->env[4]);
}

static void test_env_sequence(void **state)
{
	struct fx *f = *state;
	const struct cfg_cvm *c;

	assert_int_equal(load(f, CVM_A "  env:\n  - HOME=/home/u\n  - \"X=\"\n  - \"Y=1 2\"\n"), 0);
	c = &f->cfg->cvms[0];
	assert_int_equal(c->envc, 3);
	assert_string_equal(c->env[0], "HOME=/home/u");
	assert_string_equal(c->env[1], "X=");
	assert_string_equal(c->env[2], "Y=1 2");
	assert_null(c->env[3]);
}

static void test_scalars(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char *yaml;
		int wait;
		bool clean_room;
		enum cfg_abi abi;
	} cases[] = {
		{ "  wait: 0\n  clean_room: false\n  abi: auto\n", 0, false, CFG_ABI_AUTO },
		{ "  wait: 5\n  clean_room: yes\n  abi: bare\n", 5, true, CFG_ABI_BARE },
		{ "  wait: 0x10\n  clean_room: 1\n  abi: posix\n", 16, true, CFG_ABI_POSIX },
		{ "  wait: -1\n  clean_room: No\n", -1, false, CFG_ABI_AUTO },
		{ "  wait: 2147483647\n  clean_room: TRUE\n", 2147483647, true, CFG_ABI_AUTO },
	};
	char yaml[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(yaml, sizeof(yaml), CVM_A "%s", cases[i].yaml);
		assert_int_equal(load(f, yaml), 0);
		assert_int_equal(f->cfg->cvms[0].wait, cases[i].wait);
		assert_int_equal(f->cfg->cvms[0].clean_room, cases[i].clean_room);
		assert_int_equal(f->cfg->cvms[0].abi, cases[i].abi);
	}
}

static void test_later_features_warn(void **state)
{
	struct fx *f = *state;
	const struct cfg_cvm *c;

	write_file(f->dir, "disk.img", "x", 1);
	assert_int_equal(load(f, CVM_A
			      "  disk: disk.img\n"
			      "  net: tap0\n"
			      "  callback_in: other\n"
			      "  clean_room: true\n"
			      "  callback_out: monitor\n"),
			 0);
	remove_file(f->dir, "disk.img");
	c = &f->cfg->cvms[0];
	expect_path(f, c->disk, "disk.img");
	assert_int_equal(c->net.nlisten + c->net.nconnect, 0);
	assert_string_equal(c->callback_in, "other");
	assert_true(c->clean_room);
	expect_out(f, "t.yaml:5:3: warning: 'net: 'tap0'' names a network device of the original; "
		      "here 'net' is a policy ({listen: [...], connect: [...]}); ignored\n");
	expect_out(f, "t.yaml:6:3: warning: 'callback_in' has no effect: the binding is made by "
		      "callback_out on the client\n");
	expect_out(f, "t.yaml:7:3: warning: 'clean_room' is not supported yet; ignored\n");
	assert_int_equal(count_lines(f), 3);
}

static void test_callback_chain(void **state)
{
	struct fx *f = *state;
	const struct cfg_cvm *c;

	/* A chain may name cVMs of later documents; only its last link reaches the monitor. */
	assert_int_equal(load(f,
			      "---\n"
			      "cVMs:\n"
			      "- name: client\n"
			      "  runtime: a.wasm\n"
			      "  callback_out: proxy\n"
			      "---\n"
			      "cVMs:\n"
			      "- name: proxy\n"
			      "  runtime: b.wasm\n"
			      "  callback_out: server\n"
			      "- name: server\n"
			      "  runtime: a.wasm\n"
			      "  callback_out: monitor\n"
			      "- name: other\n"
			      "  runtime: a.wasm\n"
			      "  callback_out: proxy\n"),
			 0);
	assert_int_equal(f->outlen, 0);
	c = &f->cfg->cvms[0];
	assert_string_equal(c->callback_out, "proxy");
	assert_int_equal(c->callback_out_mark.line, 5);
	assert_int_equal(c->callback_out_mark.col, 17);
	c = &f->cfg->cvms[1];
	assert_string_equal(c->callback_out, "server");
	assert_int_equal(c->callback_out_mark.line, 10);
	assert_string_equal(f->cfg->cvms[2].callback_out, "monitor");
	assert_string_equal(f->cfg->cvms[3].callback_out, "proxy");

	assert_int_equal(load(f, "{cVMs: [{name: a, runtime: a.wasm, callback_out: b},\n"
				 "        {name: b, runtime: a.wasm}]}\n"),
			 0);
	assert_int_equal(f->outlen, 0);
	assert_int_equal(f->cfg->cvms[0].callback_out_mark.line, 1);
	assert_int_equal(f->cfg->cvms[0].callback_out_mark.col, 50);
}

static void test_capfile_allow(void **state)
{
	struct fx *f = *state;
	const struct cfg_capfile *c;

	/* The cVMs named are defined only in a later document. */
	assert_int_equal(load(f,
			      "capfiles:\n"
			      "- name: buf\n"
			      "  size: 0x1000\n"
			      "  allow: [reader, writer]\n"
			      "- name: open\n"
			      "  size: 16\n"
			      "- name: closed\n"
			      "  size: 16\n"
			      "  allow: []\n"
			      "- name: block\n"
			      "  size: 16\n"
			      "  data: hi\n"
			      "  allow:\n"
			      "  - writer\n"
			      "---\n"
			      "cVMs:\n"
			      "- name: writer\n"
			      "  runtime: a.wasm\n"
			      "- name: reader\n"
			      "  runtime: b.wasm\n"),
			 0);
	assert_int_equal(f->outlen, 0);
	assert_int_equal(f->cfg->ncapfiles, 4);
	c = &f->cfg->capfiles[0];
	assert_non_null(c->allow);
	assert_string_equal(c->allow[0], "reader");
	assert_string_equal(c->allow[1], "writer");
	assert_null(c->allow[2]);
	/* Absent: every cVM may probe it; empty: none may. */
	assert_null(f->cfg->capfiles[1].allow);
	assert_non_null(f->cfg->capfiles[2].allow);
	assert_null(f->cfg->capfiles[2].allow[0]);
	c = &f->cfg->capfiles[3];
	assert_string_equal(c->allow[0], "writer");
	assert_null(c->allow[1]);
	assert_memory_equal(c->data, "hi", 2);
}

static void test_streams(void **state)
{
	struct fx *f = *state;
	const struct cfg_stream *st;

	/* The cVMs named are defined only in a later document. */
	assert_int_equal(load(f,
			      "streams:\n"
			      "- name: raw\n"
			      "  writers: [{cvm: gen, fd: stdout}]\n"
			      "  readers: [{cvm: xform, fd: stdin}]\n"
			      "- name: ch1\n"
			      "  capacity: 0x1000\n"
			      "  mode: message\n"
			      "  writers: [gen, xform]\n"
			      "  readers:\n"
			      "  - xform\n"
			      "  - {cvm: gen, fd: 5}\n"
			      "- name: empty\n"
			      "  mode: byte\n"
			      "---\n"
			      "cVMs:\n"
			      "- name: gen\n"
			      "  runtime: a.wasm\n"
			      "- name: xform\n"
			      "  runtime: b.wasm\n"),
			 0);
	assert_int_equal(f->outlen, 0);
	assert_int_equal(f->cfg->nstreams, 3);
	st = &f->cfg->streams[0];
	assert_string_equal(st->name, "raw");
	assert_int_equal(st->capacity, 0);
	assert_false(st->message);
	assert_int_equal(st->nends[1], 1);
	assert_string_equal(st->ends[1][0].cvm, "gen");
	assert_int_equal(st->ends[1][0].fd, 1);
	assert_int_equal(st->nends[0], 1);
	assert_string_equal(st->ends[0][0].cvm, "xform");
	assert_int_equal(st->ends[0][0].fd, 0);
	st = &f->cfg->streams[1];
	assert_int_equal(st->capacity, 0x1000);
	assert_true(st->message);
	assert_int_equal(st->nends[1], 2);
	assert_int_equal(st->ends[1][1].fd, -1);
	assert_int_equal(st->nends[0], 2);
	assert_string_equal(st->ends[0][1].cvm, "gen");
	assert_int_equal(st->ends[0][1].fd, 5);
	st = &f->cfg->streams[2];
	assert_int_equal(st->nends[0] + st->nends[1], 0);
}

static void test_limits(void **state)
{
	struct fx *f = *state;

	assert_int_equal(load(f, CVM_A
			      "  limits:\n"
			      "    caps: 16\n"
			      "    timeout: 30\n"
			      "    cpu: 5\n"
			      "    fds: 0x40\n"),
			 0);
	assert_int_equal(f->cfg->cvms[0].cap_limit, 16);
	assert_int_equal(f->cfg->cvms[0].timeout_s, 30);
	assert_int_equal(f->cfg->cvms[0].cpu_s, 5);
	assert_int_equal(f->cfg->cvms[0].fd_limit, 64);
	assert_int_equal(f->outlen, 0);
	/* Three descriptors are stdio's; at most IV_FDS_MAX. */
	assert_int_equal(load(f, CVM_A "  limits: {fds: 2}\n"), -1);
	expect_out(f, "t.yaml:4:17: 'fds' must be between 3 and 65536, got '2'\n");
	assert_int_equal(load(f, CVM_A "  limits: {fds: 65537}\n"), -1);
	expect_out(f, "'fds' must be between 3 and 65536, got '65537'\n");
	assert_int_equal(load(f, CVM_A "  limits: {fds: 65536}\n"), 0);
	assert_int_equal(f->cfg->cvms[0].fd_limit, 65536);
	assert_int_equal(load(f, CVM_A "  limits: {cpu: 0}\n"), -1);
	expect_out(f, "t.yaml:4:17: 'cpu' must be between 1 and 31536000 seconds, got '0'\n");

	/* A time limit of zero or beyond a year is a mistake. */
	assert_int_equal(load(f, CVM_A "  limits: {timeout: 0}\n"), -1);
	expect_out(f, "t.yaml:4:21: 'timeout' must be between 1 and 31536000 seconds, got '0'\n");
	assert_int_equal(load(f, CVM_A "  limits: {timeout: 31536001}\n"), -1);
	expect_out(f, "between 1 and 31536000 seconds");

	assert_int_equal(load(f, CVM_A "  limits: {caps: 65535}\n"), 0);
	assert_int_equal(f->cfg->cvms[0].cap_limit, 65535);
	assert_int_equal(f->outlen, 0);
	assert_int_equal(load(f, CVM_A "  limits: {caps: 0x1}\n"), 0);
	assert_int_equal(f->cfg->cvms[0].cap_limit, 1);
	/* Without caps the table keeps the monitor's default size. */
	assert_int_equal(load(f, CVM_A "  limits: {}\n"), 0);
	assert_int_equal(f->cfg->cvms[0].cap_limit, 0);
	assert_int_equal(f->cfg->cvms[0].timeout_s, 0);
	assert_int_equal(load(f, CVM_A "  limits:\n"), 0);
	assert_int_equal(f->cfg->cvms[0].cap_limit, 0);
	assert_int_equal(f->outlen, 0);
}

static void test_absolute_runtime(void **state)
{
	struct fx *f = *state;
	char yaml[256];

	snprintf(yaml, sizeof(yaml), "cVMs:\n- name: a\n  runtime: %s/b.wasm\n", f->dir);
	assert_int_equal(load(f, yaml), 0);
	expect_path(f, f->cfg->cvms[0].runtime, "b.wasm");
}

static void test_flow_style_and_names(void **state)
{
	struct fx *f = *state;

	assert_int_equal(load(f, "{cVMs: [{name: A-b_c.9, runtime: a.wasm}]}\n"), 0);
	assert_string_equal(f->cfg->cvms[0].name, "A-b_c.9");
	assert_int_equal(f->cfg->cvms[0].mark.line, 1);
	assert_int_equal(f->cfg->cvms[0].mark.col, 9);
}

static void test_cfg_load_file(void **state)
{
	struct fx *f = *state;
	static const char yaml[] = "cVMs:\n- name: a\n  runtime: a.wasm\n  net: tap0\n";
	char path[128], cwd[512];

	write_file(f->dir, "t.yaml", yaml, strlen(yaml));
	snprintf(path, sizeof(path), "%s/t.yaml", f->dir);
	assert_int_equal(load_file(f, path), 0);
	assert_string_equal(f->cfg->path, path);
	assert_string_equal(f->cfg->dir, f->dir);
	expect_path(f, f->cfg->cvms[0].runtime, "a.wasm");
	/* Messages name the file exactly as it was given. */
	snprintf(path, sizeof(path), "%s/t.yaml:4:3: warning: 'net: ", f->dir);
	expect_out(f, path);

	/* A bare file name lives in the current folder. */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(f->dir), 0);
	assert_int_equal(load_file(f, "t.yaml"), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_string_equal(f->cfg->dir, ".");
	assert_string_equal(f->cfg->cvms[0].runtime, "./a.wasm");
}

static void test_cfg_load_refuses_files(void **state)
{
	struct fx *f = *state;
	char path[128], *big;
	size_t len = (1u << 20) + 1;

	snprintf(path, sizeof(path), "%s/missing.yaml", f->dir);
	assert_int_equal(load_file(f, path), -1);
	assert_null(f->cfg);
	expect_out(f, "missing.yaml: cannot open: No such file or directory");

	assert_int_equal(load_file(f, f->dir), -1);
	expect_out(f, "cannot read");

	big = malloc(len);
	assert_non_null(big);
	memset(big, '#', len);
	write_file(f->dir, "t.yaml", big, len);
	snprintf(path, sizeof(path), "%s/t.yaml", f->dir);
	assert_int_equal(load_file(f, path), -1);
	assert_null(f->cfg);
	expect_out(f, "t.yaml: the configuration is larger than 1 MiB");

	/* Exactly 1 MiB is allowed (and then refused only because it defines nothing). */
	write_file(f->dir, "t.yaml", big, len - 1);
	assert_int_equal(load_file(f, path), -1);
	expect_out(f, "t.yaml:1:1: no cVMs defined");
	assert_int_equal(load_len(f, big, len), -1);
	expect_out(f, "larger than 1 MiB");
	free(big);
}

static void test_cfg_report_and_free(void **state)
{
	struct fx *f = *state;
	char *buf = NULL;
	size_t len = 0;
	FILE *err;

	cfg_free(NULL);
	assert_int_equal(load(f, CVM_A), 0);
	err = open_memstream(&buf, &len);
	assert_non_null(err);
	cfg_report(f->cfg, f->cfg->cvms[0].size_mark, err, "memory cap %llu is too small",
		   (unsigned long long)f->cfg->cvms[0].memory_cap);
	fclose(err);
	assert_string_equal(buf, "t.yaml:2:3: memory cap 268435456 is too small\n");
	free(buf);
}

/* ---- refused configurations: one table row per kind of mistake ---- */

struct bad {
	const char *yaml;
	const char *want;   /* the exact prefix and a distinctive part of the message */
};

static void check_bad(struct fx *f, const struct bad *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (load(f, cases[i].yaml) != -1) {
			print_error("case %zu was accepted:\n%s\n", i, cases[i].yaml);
			fail();
		}
		if (!strstr(f->out, cases[i].want)) {
			print_error("case %zu: expected \"%s\" in:\n%s\n", i, cases[i].want, f->out);
			fail();
		}
	}
}

static void test_syntax_errors(void **state)
{
	static const struct bad cases[] = {
		{ "cVMs:\n- name: a\n  runtime: [x\n",
		  "t.yaml:4:1: YAML syntax error: did not find expected ',' or ']' "
		  "(while parsing a flow sequence at 3:12)" },
		{ "cVMs:\n- name: a\n   runtime: a.wasm\n",
		  "t.yaml:3:11: YAML syntax error: mapping values are not allowed" },
		{ "cVMs:\n- name: \"a\n", "t.yaml:3:1: YAML syntax error: found unexpected end of stream" },
		{ "cVMs:\n- name: a\xff\n", "t.yaml:2:10: YAML syntax error: invalid leading UTF-8 octet" },
		{ "cVMs:\n- name: \x01\n", "t.yaml:2:9: YAML syntax error: control characters are not allowed" },
		{ "cVMs:\n\t- name: a\n",
		  "t.yaml:2:1: YAML syntax error: found character that cannot start any token" },
		{ "cVMs:\n- name: *nope\n", "t.yaml:2:9: YAML syntax error: found undefined alias" },
	};

	check_bad(*state, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_syntax_error_after_good_documents(void **state)
{
	struct fx *f = *state;

	/* Problems in documents before the broken one are still reported, in file order. */
	assert_int_equal(load(f, CVM_A "  bogus: 1\n---\ncVMs: [\n"), -1);
	expect_out(f, "t.yaml:4:3: unknown key 'bogus'");
	expect_out(f, "t.yaml:7:1: YAML syntax error:");
	assert_true(strstr(f->out, "bogus") < strstr(f->out, "syntax"));
	assert_int_equal(count_lines(f), 2);
}

static void test_unknown_keys(void **state)
{
	static const struct bad cases[] = {
		{ CVM_A "  bogus: 1\n",
		  "t.yaml:4:3: unknown key 'bogus' in a cVM; valid keys are: name, runtime, args, env, "
		  "disk, net, callback_out, callback_in, wait, clean_room, isolation, abi, limits, "
		  "mounts, stdin\n" },
		{ "cvms:\n- name: a\n",
		  "t.yaml:1:1: unknown key 'cvms' at the top level; valid keys are: cVMs, capfiles, "
		  "streams\n" },
		{ CVM_A "  isolation:\n  - size: 0x10000\n    limit: 3\n",
		  "t.yaml:6:5: unknown key 'limit' in 'isolation'; valid keys are: base, size, begin, end" },
		{ CVM_A "capfiles:\n- name: c\n  size: 1\n  mode: rw\n",
		  "t.yaml:7:3: unknown key 'mode' in a capfile; valid keys are: name, size, data, "
		  "allow\n" },
		{ CVM_A "  limits:\n    memory: 1\n",
		  "t.yaml:5:5: unknown key 'memory' in 'limits'; valid keys are: caps, timeout, cpu, "
		  "fds\n" },
		{ CVM_A "  [x]: 1\n", "t.yaml:4:3: a key in a cVM must be a name, got a sequence" },
	};

	check_bad(*state, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_wrong_types(void **state)
{
	static const struct bad cases[] = {
		{ CVM_A "  wait: abc\n", "t.yaml:4:9: 'wait' must be an integer, got 'abc'" },
		{ CVM_A "  wait: [1]\n", "t.yaml:4:9: 'wait' must be an integer, got a sequence" },
		{ CVM_A "  wait: 1.5\n", "t.yaml:4:9: 'wait' must be an integer, got '1.5'" },
		{ CVM_A "  wait:\n", "t.yaml:4:8: 'wait' must be an integer, got ''" },
		{ "cVMs:\n- name: {x: 1}\n  runtime: a.wasm\n",
		  "t.yaml:2:9: 'name' must be 1 to 63 characters of A-Z a-z 0-9 _ . -, got a mapping" },
		{ CVM_A "  args: {a: b}\n",
		  "t.yaml:4:9: 'args' must be a string or a sequence of strings, got a mapping" },
		{ CVM_A "  args: [a, [b]]\n", "t.yaml:4:13: 'args' must be a string, got a sequence" },
		{ CVM_A "  env: HOME=/\n",
		  "t.yaml:4:8: 'env' must be a mapping (KEY: VALUE) or a sequence of 'KEY=VALUE', "
		  "got 'HOME=/'" },
		{ CVM_A "  env: [NOEQUALS]\n",
		  "t.yaml:4:9: each item of 'env' must be a 'KEY=VALUE' string, got 'NOEQUALS'" },
		{ CVM_A "  env: [\"=x\"]\n", "t.yaml:4:9: each item of 'env' must be a 'KEY=VALUE'" },
		{ CVM_A "  env: [{A: b}]\n",
		  "t.yaml:4:9: each item of 'env' must be a 'KEY=VALUE' string, got a mapping" },
		{ CVM_A "  env: {A: [1]}\n",
		  "t.yaml:4:12: the value of environment variable 'A' must be a string, got a sequence" },
		{ CVM_A "  env: {\"A=B\": 1}\n",
		  "t.yaml:4:9: environment variable name 'A=B' must be non-empty and without '='" },
		{ CVM_A "  disk: [a]\n", "t.yaml:4:9: 'disk' must be a string, got a sequence" },
		{ CVM_A "  callback_out: {}\n", "t.yaml:4:17: 'callback_out' must be a string, got a mapping" },
		{ CVM_A "  clean_room: maybe\n", "t.yaml:4:15: 'clean_room' must be true or false, got 'maybe'" },
		{ CVM_A "  abi: wasi\n", "t.yaml:4:8: 'abi' must be auto, bare or posix, got 'wasi'" },
		{ "cVMs:\n- name: a\n  runtime: [a.wasm]\n",
		  "t.yaml:3:12: 'runtime' must be a string, got a sequence" },
		{ "- name: a\n",
		  "t.yaml:1:1: the top level must be a mapping with 'cVMs:', 'capfiles:' and "
		  "'streams:', got a sequence" },
		{ "just text\n", "t.yaml:1:1: the top level must be a mapping" },
		{ "cVMs: a\n", "t.yaml:1:7: 'cVMs' must be a sequence of mappings ('- name: ...'), got 'a'" },
		{ "cVMs: {name: a}\n", "t.yaml:1:7: 'cVMs' must be a sequence of mappings" },
		{ "cVMs:\n- a\n", "t.yaml:2:3: a cVM must be a mapping ('- name: ...'), got 'a'" },
		{ CVM_A "capfiles: [x]\n", "t.yaml:4:12: a capfile must be a mapping ('- name: ...'), got 'x'" },
		{ CVM_A "capfiles:\n- name: c\n  size: 4\n  data: [x]\n",
		  "t.yaml:7:9: 'data' must be a string, got a sequence" },
	};

	check_bad(*state, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_bad_names_and_strings(void **state)
{
	static const struct bad cases[] = {
		{ "cVMs:\n- name: two words\n  runtime: a.wasm\n",
		  "t.yaml:2:9: 'name' must be 1 to 63 characters of A-Z a-z 0-9 _ . -, got 'two words'" },
		{ "cVMs:\n- name: \"\"\n  runtime: a.wasm\n", "t.yaml:2:9: 'name' must be 1 to 63" },
		{ "cVMs:\n- name: a234567890123456789012345678901234567890123456789012345678901234\n"
		  "  runtime: a.wasm\n",
		  "t.yaml:2:9: 'name' must be 1 to 63 characters of A-Z a-z 0-9 _ . -, got "
		  "'a23456789012345678901234567890123456789012345678...'" },
		{ "cVMs:\n- name: \"a\\0b\"\n  runtime: a.wasm\n", "t.yaml:2:9: 'name' must be 1 to 63" },
		{ "cVMs:\n- name: a\n  runtime: \"a.wasm\\0.txt\"\n",
		  "t.yaml:3:12: 'runtime' must not contain control characters, got 'a.wasm\\x00.txt'" },
		{ "cVMs:\n- name: a\n  runtime: \"a\\nb\"\n",
		  "t.yaml:3:12: 'runtime' must not contain control characters, got 'a\\x0ab'" },
		{ CVM_A "  args: \"a\\0b\"\n", "t.yaml:4:9: 'args' must not contain control characters" },
		{ CVM_A "  env: [\"A=\\0\"]\n", "t.yaml:4:9: 'env' must not contain control characters" },
		{ "cVMs:\n- name: a\n  runtime: \"\"\n", "t.yaml:3:12: 'runtime' must name a .wasm file" },
	};

	check_bad(*state, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_missing_keys(void **state)
{
	static const struct bad cases[] = {
		{ "cVMs:\n- runtime: a.wasm\n", "t.yaml:2:3: this cVM has no 'name'" },
		{ "cVMs:\n- name: web\n  args: x\n", "t.yaml:2:3: cVM 'web' has no 'runtime'" },
		{ "cVMs:\n- {}\n", "t.yaml:2:3: cVM without a name has no 'runtime'" },
		{ CVM_A "  isolation:\n  - base: 0x10000\n", "t.yaml:5:5: 'isolation' needs a 'size'" },
		{ CVM_A "capfiles:\n- size: 4\n", "t.yaml:5:3: this capfile has no 'name'" },
		{ CVM_A "capfiles:\n- name: c\n", "t.yaml:5:3: capfile 'c' has no 'size'" },
		{ "", "t.yaml:1:1: no cVMs defined" },
		{ "# nothing here\n", "t.yaml:1:1: no cVMs defined" },
		{ "---\n---\n", "t.yaml:1:1: no cVMs defined" },
		{ "cVMs:\n", "t.yaml:1:1: no cVMs defined" },
		{ "cVMs: []\n", "t.yaml:1:1: no cVMs defined" },
		{ "capfiles:\n- name: c\n  size: 4\n", "t.yaml:1:1: no cVMs defined" },
	};

	check_bad(*state, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_duplicates(void **state)
{
	static const struct bad cases[] = {
		{ CVM_A "  name: b\n", "t.yaml:4:3: duplicate key 'name' (first at 2:3)" },
		{ CVM_A "cVMs: []\n", "t.yaml:4:1: duplicate key 'cVMs' (first at 1:1)" },
		{ CVM_A "  isolation:\n  - size: 0x10000\n    size: 0x20000\n",
		  "t.yaml:6:5: duplicate key 'size' (first at 5:5)" },
		{ CVM_A "- name: a\n  runtime: b.wasm\n",
		  "t.yaml:4:3: duplicate cVM name 'a' (first defined at 2:3)" },
		{ CVM_A "---\ncVMs:\n- name: b\n  runtime: a.wasm\n- name: a\n  runtime: a.wasm\n",
		  "t.yaml:8:3: duplicate cVM name 'a' (first defined at 2:3)" },
		{ CVM_A "  env: [A=1, B=2, A=3]\n",
		  "t.yaml:4:19: duplicate environment variable 'A' (first defined at 4:9)" },
		{ CVM_A "capfiles:\n- name: c\n  size: 4\n- name: c\n  size: 4\n",
		  "t.yaml:7:3: duplicate capfile name 'c' (first defined at 5:3)" },
	};

	check_bad(*state, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_env_mapping_duplicate(void **state)
{
	struct fx *f = *state;

	/* libyaml keeps both pairs of a repeated mapping key, so the loader must catch it. */
	assert_int_equal(load(f, CVM_A "  env: {A: 1, B: 2, A: 3}\n"), -1);
	expect_out(f, "t.yaml:4:21: duplicate environment variable 'A' (first defined at 4:9)");
}

static void test_runtime_files(void **state)
{
	struct fx *f = *state;
	char want[256];

	assert_int_equal(load(f, "cVMs:\n- name: a\n  runtime: nope.wasm\n"), -1);
	snprintf(want, sizeof(want), "t.yaml:3:12: runtime file '%s/nope.wasm' not found", f->dir);
	expect_out(f, want);

	assert_int_equal(load(f, "cVMs:\n- name: a\n  runtime: /no/such/dir/x.wasm\n"), -1);
	expect_out(f, "t.yaml:3:12: runtime file '/no/such/dir/x.wasm' not found");

	assert_int_equal(load(f, "cVMs:\n- name: a\n  runtime: sub.wasm\n"), -1);
	snprintf(want, sizeof(want), "t.yaml:3:12: runtime file '%s/sub.wasm' is not a regular file",
		 f->dir);
	expect_out(f, want);
}

static void test_numbers(void **state)
{
	static const struct bad cases[] = {
		{ CVM_A "  isolation:\n  - size: 0xZZ\n",
		  "t.yaml:5:11: 'size' is not a valid hex number: '0xZZ'" },
		{ CVM_A "  isolation:\n  - size: 0x10000\n    base: 0x\n",
		  "t.yaml:6:11: 'base' is not a valid hex number: '0x'" },
		{ CVM_A "  isolation:\n  - size: 0x10000\n    end: 0x1g\n",
		  "t.yaml:6:10: 'end' is not a valid hex number: '0x1g'" },
		{ CVM_A "  isolation:\n  - size: 0x10000\n    begin: 0x10000000000000000\n",
		  "t.yaml:6:12: 'begin' is out of range: '0x10000000000000000'" },
		{ CVM_A "  isolation:\n  - size: 18446744073709551616\n",
		  "t.yaml:5:11: 'size' is out of range" },
		{ CVM_A "  isolation:\n  - size: -5\n", "t.yaml:5:11: 'size' must be an integer, got '-5'" },
		{ CVM_A "  isolation:\n  - size: 0\n",
		  "t.yaml:5:11: 'size' must be a positive multiple of 65536 (the wasm page size), got '0'" },
		{ CVM_A "  isolation:\n  - size: 0x10001\n",
		  "t.yaml:5:11: 'size' must be a positive multiple of 65536" },
		{ CVM_A "  isolation:\n  - size: 0x100010000\n",
		  "t.yaml:5:11: 'size' must be at most 4 GiB (0x100000000), got '0x100010000'" },
		{ CVM_A "  wait: -2\n", "t.yaml:4:9: 'wait' must be -1 or a number of seconds >= 0, got '-2'" },
		{ CVM_A "  wait: 2147483648\n", "t.yaml:4:9: 'wait' is out of range: '2147483648'" },
		{ CVM_A "  wait: 0xq\n", "t.yaml:4:9: 'wait' is not a valid hex number: '0xq'" },
		{ CVM_A "capfiles:\n- name: c\n  size: 0\n",
		  "t.yaml:6:9: a capfile's 'size' must be between 1 and 4 GiB, got '0'" },
		{ CVM_A "capfiles:\n- name: c\n  size: 0x100000001\n",
		  "t.yaml:6:9: a capfile's 'size' must be between 1 and 4 GiB" },
		{ CVM_A "capfiles:\n- name: c\n  size: 0x4\n  data: hello\n",
		  "t.yaml:7:9: 'data' is 5 bytes but the capfile's 'size' is only 4" },
		{ CVM_A "  args: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n",
		  "t.yaml:4:9: 'args' has 17 words; at most 16 are allowed" },
		{ CVM_A "  args: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]\n",
		  "t.yaml:4:9: 'args' has 17 items; at most 16 are allowed" },
	};

	check_bad(*state, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_isolation_shape(void **state)
{
	static const struct bad cases[] = {
		{ CVM_A "  isolation: []\n",
		  "t.yaml:4:14: 'isolation' must hold exactly one mapping, got 0 items" },
		{ CVM_A "  isolation:\n  - size: 0x10000\n  - size: 0x10000\n",
		  "t.yaml:5:3: 'isolation' must hold exactly one mapping, got 2 items" },
		{ CVM_A "  isolation:\n    size: 0x10000\n",
		  "t.yaml:5:5: 'isolation' must be a sequence holding exactly one mapping "
		  "('- size: 0x10000000'), got a mapping" },
		{ CVM_A "  isolation: [0x10000]\n",
		  "t.yaml:4:15: the item of 'isolation' must be a mapping of base, size, begin and end, "
		  "got '0x10000'" },
	};

	check_bad(*state, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_aliases_refused(void **state)
{
	static const struct bad cases[] = {
		{ "cVMs:\n- &x\n  name: a\n  runtime: a.wasm\n- *x\n",
		  "t.yaml:2:3: anchors and aliases are not supported" },
		{ "cVMs:\n- name: &n a\n  runtime: a.wasm\n- name: *n\n  runtime: a.wasm\n",
		  "t.yaml:2:9: anchors and aliases are not supported" },
		/* A node that contains itself: walking it naively would never end. */
		{ "&a [*a]\n", "t.yaml:1:1: anchors and aliases are not supported" },
		{ "&a {cVMs: [*a]}\n", "t.yaml:1:1: anchors and aliases are not supported" },
	};

	check_bad(*state, cases, sizeof(cases) / sizeof(cases[0]));
}

/* Lines 1-6: cVM a, then a capfile that the case gives an allow-list on line 7. */
#define CAPFILE_C CVM_A "capfiles:\n- name: c\n  size: 4\n"

static void test_capfile_allow_errors(void **state)
{
	static const struct bad cases[] = {
		{ CAPFILE_C "  allow: [a, zz]\n", "t.yaml:7:14: 'allow' names an unknown cVM 'zz'\n" },
		{ CAPFILE_C "  allow:\n  - a\n  - A\n", "t.yaml:9:5: 'allow' names an unknown cVM 'A'\n" },
		{ CAPFILE_C "  allow: [c]\n", "t.yaml:7:11: 'allow' names an unknown cVM 'c'\n" },
		{ CAPFILE_C "  allow: [a, a]\n",
		  "t.yaml:7:14: duplicate cVM 'a' in 'allow' (first at 7:11)\n" },
		{ CAPFILE_C "  allow: a\n",
		  "t.yaml:7:10: 'allow' must be a sequence of cVM names, got 'a'\n" },
		{ CAPFILE_C "  allow:\n", "t.yaml:7:9: 'allow' must be a sequence of cVM names, got ''\n" },
		{ CAPFILE_C "  allow: {a: 1}\n",
		  "t.yaml:7:10: 'allow' must be a sequence of cVM names, got a mapping\n" },
		{ CAPFILE_C "  allow: [a, [b]]\n", "t.yaml:7:14: 'allow' must be a string, got a sequence\n" },
		{ CAPFILE_C "  allow: [\"a\\0\"]\n",
		  "t.yaml:7:11: 'allow' must not contain control characters, got 'a\\x00'\n" },
		{ CAPFILE_C "  allow: [a]\n  allow: [a]\n", "t.yaml:8:3: duplicate key 'allow' (first at 7:3)\n" },
	};

	check_bad(*state, cases, sizeof(cases) / sizeof(cases[0]));
}

#define STREAM_S CVM_A "streams:\n- name: s\n"

static void test_stream_errors(void **state)
{
	static const struct bad cases[] = {
		{ STREAM_S "  writers: [zz]\n", "t.yaml:6:13: 'writers' names an unknown cVM 'zz'\n" },
		{ STREAM_S "  readers: [{cvm: zz}]\n",
		  "t.yaml:6:19: 'readers' names an unknown cVM 'zz'\n" },
		{ STREAM_S "  readers: [a, a]\n",
		  "t.yaml:6:16: duplicate cVM 'a' in 'readers' (first at 6:13)\n" },
		{ STREAM_S "  readers: [{cvm: a, fd: stdout}]\n",
		  "t.yaml:6:26: a reader cannot be bound to 'stdout': it is the read end\n" },
		{ STREAM_S "  writers: [{cvm: a, fd: 0}]\n",
		  "t.yaml:6:26: a writer cannot be bound to '0': it is the write end\n" },
		{ STREAM_S "  writers: [{cvm: a, fd: 65536}]\n",
		  "t.yaml:6:26: 'fd' must be stdin, stdout, stderr or a number below 65536, got "
		  "'65536'\n" },
		{ STREAM_S "  writers: [{cvm: a, fd: out}]\n",
		  "t.yaml:6:26: 'fd' must be an integer, got 'out'\n" },
		{ STREAM_S "  writers: [{cvm: a, fd: 5}]\n  readers: [{cvm: a, fd: 5}]\n",
		  "t.yaml:7:19: duplicate binding of a descriptor (cVM/fd) 'a/5' (first defined at "
		  "6:19)\n" },
		{ STREAM_S "  writers: [{fd: 3}]\n", "t.yaml:6:13: this item of 'writers' has no 'cvm'\n" },
		{ STREAM_S "  writers: [{cvm: a, pipe: 3}]\n",
		  "t.yaml:6:22: unknown key 'pipe' in a stream's reader or writer; valid keys are: cvm, "
		  "fd\n" },
		{ STREAM_S "  writers: [[a]]\n",
		  "t.yaml:6:13: each item of 'writers' must be a cVM name or a mapping of cvm and fd, "
		  "got a sequence\n" },
		{ STREAM_S "  writers: a\n", "t.yaml:6:12: 'writers' must be a sequence of cVMs, got 'a'\n" },
		{ STREAM_S "  mode: bytes\n", "t.yaml:6:9: 'mode' must be byte or message, got 'bytes'\n" },
		{ STREAM_S "  capacity: 32\n",
		  "t.yaml:6:13: 'capacity' must be between 64 bytes and 16 MiB, got '32'\n" },
		{ STREAM_S "  capacity: 0x1000001\n",
		  "t.yaml:6:13: 'capacity' must be between 64 bytes and 16 MiB, got '0x1000001'\n" },
		{ STREAM_S "  size: 1\n",
		  "t.yaml:6:3: unknown key 'size' in a stream; valid keys are: name, capacity, mode, "
		  "writers, readers\n" },
		{ STREAM_S "- name: s\n", "t.yaml:6:3: duplicate stream name 's' (first defined at 5:3)\n" },
		{ CVM_A "streams:\n- capacity: 64\n", "t.yaml:5:3: this stream has no 'name'\n" },
		{ CVM_A "streams:\n- s\n", "t.yaml:5:3: a stream must be a mapping ('- name: ...'), got 's'\n" },
		{ CVM_A "streams: s\n",
		  "t.yaml:4:10: 'streams' must be a sequence of mappings ('- name: ...'), got 's'\n" },
	};

	check_bad(*state, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_capfile_allow_error_counts(void **state)
{
	struct fx *f = *state;

	/* An unknown name listed twice is one duplicate and one unknown name, nothing more. */
	assert_int_equal(load(f, CAPFILE_C "  allow: [zz, a, zz]\n"), -1);
	expect_out(f, "t.yaml:7:18: duplicate cVM 'zz' in 'allow' (first at 7:11)\n");
	expect_out(f, "t.yaml:7:11: 'allow' names an unknown cVM 'zz'\n");
	assert_int_equal(count_lines(f), 2);

	/* A bad item is reported and skipped; the rest of the list is still checked. */
	assert_int_equal(load(f, CAPFILE_C "  allow: [[x], a, zz]\n"), -1);
	expect_out(f, "t.yaml:7:11: 'allow' must be a string, got a sequence\n");
	expect_out(f, "t.yaml:7:19: 'allow' names an unknown cVM 'zz'\n");
	assert_int_equal(count_lines(f), 2);
}

static void test_callback_out_errors(void **state)
{
	static const struct bad cases[] = {
		{ CVM_A "  callback_out: zz\n",
		  "t.yaml:4:17: 'callback_out' names an unknown cVM 'zz'; use 'monitor' or the name of "
		  "a cVM in this file\n" },
		{ CVM_A "  callback_out: A\n", "t.yaml:4:17: 'callback_out' names an unknown cVM 'A'" },
		{ CVM_A "  callback_out:\n", "t.yaml:4:16: 'callback_out' names an unknown cVM ''" },
		{ CVM_A "  callback_out: \"a\\nb\"\n",
		  "t.yaml:4:17: 'callback_out' must not contain control characters, got 'a\\x0ab'\n" },
		{ CVM_A "  callback_out: a\n", "t.yaml:4:17: cVM 'a' cannot be its own 'callback_out'\n" },
		{ CVM_A "  callback_out: b\n- name: b\n  runtime: a.wasm\n  callback_out: a\n",
		  "t.yaml:4:17: callback_out links form a cycle: a -> b -> a; a chain must end at the "
		  "monitor\n" },
		/* Across documents, and announced at the first cVM of the cycle in the file. */
		{ CVM_A "  callback_out: c\n---\ncVMs:\n"
		  "- name: b\n  runtime: a.wasm\n  callback_out: a\n"
		  "- name: c\n  runtime: a.wasm\n  callback_out: b\n",
		  "t.yaml:4:17: callback_out links form a cycle: a -> c -> b -> a; a chain must end at "
		  "the monitor\n" },
	};

	check_bad(*state, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_callback_out_cycles_reported_once(void **state)
{
	struct fx *f = *state;
	char yaml[2048];
	size_t o = 0;

	/* x leads into the cycle at b; the walk from x finds it, but a (line 7) comes first. */
	assert_int_equal(load(f,
			      "cVMs:\n"
			      "- name: x\n"
			      "  runtime: a.wasm\n"
			      "  callback_out: b\n"
			      "- name: a\n"
			      "  runtime: a.wasm\n"
			      "  callback_out: b\n"
			      "- name: b\n"
			      "  runtime: a.wasm\n"
			      "  callback_out: c\n"
			      "- name: c\n"
			      "  runtime: a.wasm\n"
			      "  callback_out: a\n"
			      "- name: d\n"
			      "  runtime: a.wasm\n"
			      "  callback_out: e\n"
			      "- name: e\n"
			      "  runtime: a.wasm\n"
			      "  callback_out: d\n"),
			 -1);
	expect_out(f, "t.yaml:7:17: callback_out links form a cycle: a -> b -> c -> a;");
	expect_out(f, "t.yaml:16:17: callback_out links form a cycle: d -> e -> d;");
	assert_int_equal(count_lines(f), 2);

	/* A self-reference is one error, not also a cycle. */
	assert_int_equal(load(f, CVM_A "  callback_out: a\n"), -1);
	assert_int_equal(count_lines(f), 1);

	/* A long cycle is named in part, so the message stays one readable line. */
	o += (size_t)snprintf(yaml + o, sizeof(yaml) - o, "cVMs:\n");
	for (int i = 0; i < 10; i++)
		o += (size_t)snprintf(yaml + o, sizeof(yaml) - o,
				      "- {name: c%d, runtime: a.wasm, callback_out: c%d}\n", i,
				      (i + 1) % 10);
	assert_int_equal(load(f, yaml), -1);
	expect_out(f, "t.yaml:2:45: callback_out links form a cycle: c0 -> c1 -> c2 -> c3 -> c4 -> "
		      "c5 -> c6 -> ... -> c0 (10 cVMs); a chain must end at the monitor\n");
	assert_int_equal(count_lines(f), 1);
}

static void test_references_after_syntax_error(void **state)
{
	struct fx *f = *state;

	/* b and the capfile's reader would be defined past the error: only the error is news. */
	assert_int_equal(load(f, CVM_A "  callback_out: b\ncapfiles:\n- name: c\n  size: 4\n"
				       "  allow: [reader]\n---\ncVMs: [\n"),
			 -1);
	expect_out(f, "t.yaml:11:1: YAML syntax error:");
	assert_int_equal(count_lines(f), 1);
}

static void test_limits_errors(void **state)
{
	static const struct bad cases[] = {
		{ CVM_A "  limits:\n    caps: 0\n",
		  "t.yaml:5:11: 'caps' must be between 1 and 65535, got '0'\n" },
		{ CVM_A "  limits:\n    caps: 65536\n",
		  "t.yaml:5:11: 'caps' must be between 1 and 65535, got '65536'\n" },
		{ CVM_A "  limits:\n    caps: 0x100000000\n",
		  "t.yaml:5:11: 'caps' must be between 1 and 65535, got '0x100000000'\n" },
		{ CVM_A "  limits:\n    caps: -1\n", "t.yaml:5:11: 'caps' must be an integer, got '-1'\n" },
		{ CVM_A "  limits:\n    caps: 0x\n", "t.yaml:5:11: 'caps' is not a valid hex number: '0x'\n" },
		{ CVM_A "  limits:\n    caps:\n", "t.yaml:5:10: 'caps' must be an integer, got ''\n" },
		{ CVM_A "  limits:\n    timeout: -5\n",
		  "t.yaml:5:14: 'timeout' must be an integer, got '-5'\n" },
		{ CVM_A "  limits:\n    cpu: [1]\n", "t.yaml:5:10: 'cpu' must be an integer, got a sequence\n" },
		{ CVM_A "  limits:\n    fds: many\n", "t.yaml:5:10: 'fds' must be an integer, got 'many'\n" },
		{ CVM_A "  limits:\n    fds: 18446744073709551616\n", "t.yaml:5:10: 'fds' is out of range" },
		{ CVM_A "  limits: 5\n",
		  "t.yaml:4:11: 'limits' must be a mapping of caps, timeout, cpu and fds, got '5'\n" },
		{ CVM_A "  limits: [caps]\n",
		  "t.yaml:4:11: 'limits' must be a mapping of caps, timeout, cpu and fds, got a "
		  "sequence\n" },
		{ CVM_A "  limits:\n    caps: 1\n    caps: 2\n",
		  "t.yaml:6:5: duplicate key 'caps' (first at 5:5)\n" },
		{ CVM_A "  limits: {[caps]: 1}\n", "t.yaml:4:12: a key in 'limits' must be a name" },
	};

	check_bad(*state, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_all_errors_collected(void **state)
{
	struct fx *f = *state;

	assert_int_equal(load(f,
			      "cVMs:\n"
			      "- name: a\n"
			      "  runtime: nope.wasm\n"
			      "  wait: soon\n"
			      "  disk: d.img\n"
			      "  colour: red\n"
			      "- name: a\n"
			      "  runtime: a.wasm\n"
			      "  isolation:\n"
			      "  - size: 12\n"
			      "- runtime: b.wasm\n"
			      "extra: 1\n"),
			 -1);
	expect_out(f, "t.yaml:3:12: runtime file '");
	expect_out(f, "t.yaml:4:9: 'wait' must be an integer, got 'soon'");
	expect_out(f, "t.yaml:5:9: disk image '");
	expect_out(f, "t.yaml:6:3: unknown key 'colour' in a cVM");
	expect_out(f, "t.yaml:10:11: 'size' must be a positive multiple of 65536");
	expect_out(f, "t.yaml:11:3: this cVM has no 'name'");
	expect_out(f, "t.yaml:12:1: unknown key 'extra' at the top level");
	expect_out(f, "t.yaml:7:3: duplicate cVM name 'a' (first defined at 2:3)");
	assert_int_equal(count_lines(f), 8);
	/* Not repeated: the file is already refused for better reasons. */
	assert_null(strstr(f->out, "no cVMs defined"));
}

/* Inputs a fuzzer would try first: each must be refused cleanly, never crash or leak. */
static void test_hostile_inputs(void **state)
{
	struct fx *f = *state;
#define IN(s) { s, sizeof(s) - 1 }
	static const struct {
		const char *s;
		size_t len;
	} inputs[] = {
		IN("\xef\xbb\xbf"), IN("\xff\xfe"), IN("\xfe\xff\x00"), IN("---\n...\n...\n"),
		IN("!!binary x"), IN("cVMs: !!map {}\n"), IN("%YAML 1.1\n%YAML 1.1\n---\n"),
		IN("%TAG ! !foo\n%TAG ! !bar\n---\n"), IN("? [a, b]\n: c\n"), IN("cVMs:\n- ? a\n"),
		IN("{{{{{{{{"), IN("]]]"), IN("'"), IN("\"\\u12\""), IN("&a &b x"), IN("*"),
		IN("- &a\n- *a\n- *a\n"), IN("a: !<!> b\n"), IN("cVMs: [[], {}, '', ~]\n"),
		IN("cVMs:\n- name: a\n  runtime: a.wasm\n  args: !tag [x]\n  env: !!omap []\n"
		   "  wait: ''\n"),
		/* Embedded NUL bytes are not YAML. */
		IN("cVMs:\0\n"), IN("cVMs:\n- name: a\0\n"),
	};
#undef IN
	char deep[4096 * 2 + 1];

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		assert_int_equal(load_len(f, inputs[i].s, inputs[i].len), -1);
		assert_true(f->outlen > 0);
	}
	memset(deep, '[', 4096);
	memset(deep + 4096, ']', 4096);
	deep[8192] = '\0';
	assert_int_equal(load(f, deep), -1);
	expect_out(f, "t.yaml:1:1: the top level must be a mapping");
	assert_int_equal(load_len(f, "a: b\ncVMs:\0\n", 12), -1);
	expect_out(f, "t.yaml:2:6: YAML syntax error: control characters are not allowed");
}

/* ---- the libOS: disk, mounts, network policy, stdin ---- */

static void test_libos_keys(void **state)
{
	static const struct {
		const char *yaml, *want;
	} bad[] = {
		{ CVM_A "  disk: none.img\n", "t.yaml:4:9: disk image '" },
		{ CVM_A "  disk: www\n", "is not a regular file" },
		{ CVM_A "  mounts: [{host: nope, guest: /a}]\n", "mount folder '" },
		{ CVM_A "  mounts: [{host: d.img, guest: /a}]\n", "d.img' is not a folder" },
		{ CVM_A "  mounts: [{host: www, guest: a}]\n", "'guest' must be an absolute path" },
		{ CVM_A "  mounts: [{host: www, guest: /a/../b}]\n", "'guest' must be an absolute" },
		{ CVM_A "  mounts: [{host: www, guest: /a/}]\n", "'guest' must be an absolute" },
		{ CVM_A "  mounts: [{host: www, guest: /a, mode: rwx}]\n", "'mode' must be ro or rw" },
		{ CVM_A "  mounts: [{host: www}]\n", "this mount has no 'guest' path" },
		{ CVM_A "  mounts: [{guest: /a}]\n", "this mount has no 'host' folder" },
		{ CVM_A "  mounts: [{host: www, guest: /a}, {host: www, guest: /a}]\n",
		  "two mounts at /a" },
		{ CVM_A "  disk: d.img\n  mounts: [{host: www, guest: /}]\n",
		  "a mount at '/' would hide the disk image" },
		{ CVM_A "  mounts: {host: www}\n", "'mounts' must be a sequence" },
		{ CVM_A "  net: {listen: [\"tcp:1.2.3:80\"]}\n", "'listen' entries must be" },
		{ CVM_A "  net: {listen: [\"tcp:127.0.0.1:0\"]}\n", "'listen' entries must be" },
		{ CVM_A "  net: {listen: [\"tcp:127.0.0.1:*\"]}\n", "'listen' entries must be" },
		{ CVM_A "  net: {listen: [\"tcp:127.0.0.1:65536\"]}\n", "'listen' entries must" },
		{ CVM_A "  net: {listen: [\"udp:127.0.0.1:53\"]}\n", "'listen' entries must be" },
		{ CVM_A "  net: {listen: [\"unix:\"]}\n", "a unix socket path must have" },
		{ CVM_A "  net: {connect: [\"tcp:[::1:80\"]}\n", "PORT may be *" },
		{ CVM_A "  net: {listen: [\"tcp:127.0.0.1:1\", \"tcp:127.0.0.1:1\"]}\n",
		  "tcp:127.0.0.1:1 is listed twice" },
		{ CVM_A "  net: {accept: []}\n", "unknown key 'accept' in 'net'" },
		{ CVM_A "  net: [a]\n", "'net' must be a mapping of listen and connect" },
		{ CVM_A "  stdin: maybe\n", "'stdin' must be" },
		{ CVM_A "  stdin: true\n- name: b\n  runtime: b.wasm\n  stdin: true\n",
		  "cVM b asks for stdin, which cVM a has already" },
		{ CVM_A "  mounts: [{host: www, guest: /a}]\nstreams:\n- name: s\n"
		  "  writers: [{cvm: a, fd: 3}]\n",
		  "fd 3 of cVM a is taken: descriptors 3 to 3 are its disk, mounts and listening" },
	};
	struct fx *f = *state;
	const struct cfg_cvm *c;
	char dir[256];

	write_file(f->dir, "d.img", "x", 1);
	snprintf(dir, sizeof(dir), "%s/www", f->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(load(f, CVM_A
			      "  disk: d.img\n"
			      "  mounts:\n"
			      "    - {host: www, guest: /srv/www}\n"
			      "    - {host: www, guest: /data, mode: rw}\n"
			      "  net:\n"
			      "    listen: [\"tcp:127.0.0.1:8080\", \"tcp:[::1]:9\", \"unix:s.sock\"]\n"
			      "    connect: [\"tcp:10.0.0.1:*\", \"tcp:127.0.0.1:6379\"]\n"
			      "  stdin: true\n"),
			 0);
	assert_int_equal(f->outlen, 0);
	c = &f->cfg->cvms[0];
	expect_path(f, c->disk, "d.img");
	assert_int_equal(c->nmounts, 2);
	expect_path(f, c->mounts[0].host, "www");
	assert_string_equal(c->mounts[0].guest, "/srv/www");
	assert_true(c->mounts[0].readonly);
	assert_false(c->mounts[1].readonly);
	assert_int_equal(c->net.nlisten, 3);
	assert_int_equal(c->net.listen[0].kind, CFG_NET_TCP);
	assert_string_equal(c->net.listen[0].host, "127.0.0.1");
	assert_int_equal(c->net.listen[0].port, 8080);
	assert_string_equal(c->net.listen[1].host, "::1");
	assert_int_equal(c->net.listen[2].kind, CFG_NET_UNIX);
	expect_path(f, c->net.listen[2].host, "s.sock");
	assert_int_equal(c->net.nconnect, 2);
	assert_int_equal(c->net.connect[0].port, 0);
	assert_int_equal(c->net.connect[1].port, 6379);
	assert_int_equal(c->stdin_attached, 1);
	assert_int_equal(load(f, CVM_A), 0);
	assert_int_equal(f->cfg->cvms[0].stdin_attached, -1);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (load(f, bad[i].yaml) != -1) {
			print_error("case %zu was accepted:\n%s\n", i, bad[i].yaml);
			fail();
		}
		expect_out(f, bad[i].want);
	}
	/* A stream bound past the pre-opened descriptors is fine. */
	assert_int_equal(load(f, CVM_A "  mounts: [{host: www, guest: /a}]\nstreams:\n- name: s\n"
			      "  writers: [{cvm: a, fd: 4}]\n"), 0);
	remove_file(f->dir, "d.img");
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_seed_two_cvms),
		T(test_several_documents),
		T(test_defaults),
		T(test_args_string),
		T(test_args_sequence),
		T(test_env_mapping),
		T(test_env_sequence),
		T(test_scalars),
		T(test_later_features_warn),
		T(test_callback_chain),
		T(test_capfile_allow),
		T(test_streams),
		T(test_limits),
		T(test_absolute_runtime),
		T(test_flow_style_and_names),
		T(test_cfg_load_file),
		T(test_cfg_load_refuses_files),
		T(test_cfg_report_and_free),
		T(test_syntax_errors),
		T(test_syntax_error_after_good_documents),
		T(test_unknown_keys),
		T(test_wrong_types),
		T(test_bad_names_and_strings),
		T(test_missing_keys),
		T(test_duplicates),
		T(test_env_mapping_duplicate),
		T(test_runtime_files),
		T(test_numbers),
		T(test_isolation_shape),
		T(test_aliases_refused),
		T(test_capfile_allow_errors),
		T(test_stream_errors),
		T(test_capfile_allow_error_counts),
		T(test_callback_out_errors),
		T(test_callback_out_cycles_reported_once),
		T(test_references_after_syntax_error),
		T(test_limits_errors),
		T(test_all_errors_collected),
		T(test_libos_keys),
		T(test_hostile_inputs),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
