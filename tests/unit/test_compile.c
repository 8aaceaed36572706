/* Unit tests of the compile pipeline and its content-addressed cache. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "compile.h"

/* (module (memory (export "memory") 1) (func (export "_start"))) */
static const uint8_t minimal[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
	0x03, 0x02, 0x01, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x13, 0x02, 0x06, 'm',
	'e',  'm',  'o',  'r',  'y',  0x02, 0x00, 0x06, '_',  's',  't',  'a',  'r',  't',
	0x00, 0x00, 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,
};

/* (module (func (result i32))): the body leaves no i32, which only full validation sees. */
static const uint8_t ill_typed[] = {
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01,
	0x7f, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,
};

static char workdir[256];
static char cc_log[300];

/* A C compiler wrapper that records each use, so a test can tell whether cc ran. */
static int setup(void **state)
{
	char path[300];
	FILE *f;

	(void)state;
	snprintf(workdir, sizeof(workdir), "/tmp/iv-test-compile.XXXXXX");
	if (!mkdtemp(workdir))
		return -1;
	snprintf(cc_log, sizeof(cc_log), "%s/cc.log", workdir);
	snprintf(path, sizeof(path), "%s/cc-wrapper", workdir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "#!/bin/sh\necho run >> '%s'\nexec cc \"$@\"\n", cc_log);
	fclose(f);
	chmod(path, 0755);
	setenv("INTRAVISOR_CC", path, 1);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
	return system(cmd);
}

static int cc_runs(void)
{
	FILE *f = fopen(cc_log, "r");
	int n = 0, c;

	if (!f)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* Counts the compiled objects in a cache folder; -1 if a temporary folder was left behind. */
static int count_objects(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0, leftovers = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		leftovers += !strncmp(e->d_name, "tmp.", 4);
		n += len > 3 && !strcmp(e->d_name + len - 3, ".so");
	}
	closedir(d);
	return leftovers ? -1 : n;
}

static int compile(const uint8_t *bytes, size_t len, const char *cache, char *err,
		   size_t errlen)
{
	struct wmod_info info;
	char key[65], reason[256];
	char *so = NULL;
	int rc;

	if (wmod_parse(bytes, len, &info, reason, sizeof(reason)))
		return -2;
	if (compile_key(bytes, len, key)) {
		wmod_free(&info);
		return -3;
	}
	rc = compile_module("test.wasm", bytes, len, &info, cache, key, 0, &so, err, errlen);
	if (rc == 0 && access(so, R_OK))
		rc = -4;
	free(so);
	wmod_free(&info);
	return rc;
}

static void test_key_covers_bytes_and_compiler(void **state)
{
	uint8_t other[sizeof(minimal)];
	char a[65], b[65], c[65];
	const char *saved = getenv("INTRAVISOR_CC");
	char *saved_copy = strdup(saved);

	(void)state;
	assert_int_equal(compile_key(minimal, sizeof(minimal), a), 0);
	assert_int_equal(compile_key(minimal, sizeof(minimal), b), 0);
	assert_string_equal(a, b);
	memcpy(other, minimal, sizeof(other));
	other[sizeof(other) - 2] = 0x01; /* a different body */
	assert_int_equal(compile_key(other, sizeof(other), c), 0);
	assert_string_not_equal(a, c);
	setenv("INTRAVISOR_CC", "cc", 1);
	assert_int_equal(compile_key(minimal, sizeof(minimal), c), 0);
	assert_string_not_equal(a, c);
	setenv("INTRAVISOR_CC", "/nonexistent/compiler", 1);
	assert_int_not_equal(compile_key(minimal, sizeof(minimal), c), 0);
	setenv("INTRAVISOR_CC", saved_copy, 1);
	free(saved_copy);
}

/*
 * The tool's path is looked up once per process, but its file is looked at on every key:
 * a compiler rebuilt in place, or a compiler found at a new place, gives a new key.
 */
static void test_key_follows_the_compiler_file(void **state)
{
	char a[65], b[65], c[65], moved[300];
	const char *wrapper = getenv("INTRAVISOR_CC");
	FILE *f;

	(void)state;
	assert_int_equal(compile_key(minimal, sizeof(minimal), a), 0);
	f = fopen(wrapper, "a");
	assert_non_null(f);
	fputs("# rebuilt\n", f);
	fclose(f);
	assert_int_equal(compile_key(minimal, sizeof(minimal), b), 0);
	assert_string_not_equal(a, b);

	snprintf(moved, sizeof(moved), "%s/bin", workdir);
	assert_int_equal(mkdir(moved, 0700), 0);
	snprintf(moved, sizeof(moved), "%s/bin/cc-wrapper", workdir);
	assert_int_equal(rename(wrapper, moved), 0);
	assert_int_not_equal(compile_key(minimal, sizeof(minimal), c), 0);
	setenv("INTRAVISOR_CC", moved, 1);
	assert_int_equal(compile_key(minimal, sizeof(minimal), c), 0);
	assert_string_not_equal(b, c);
}

static void test_cache_hit_runs_no_compiler(void **state)
{
	char cache[300], err[1024];
	struct stat st;

	(void)state;
	snprintf(cache, sizeof(cache), "%s/cache-hit/nested", workdir);
	assert_int_equal(compile(minimal, sizeof(minimal), cache, err, sizeof(err)), 0);
	assert_int_equal(cc_runs(), 1);
	assert_int_equal(stat(cache, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700); /* created private */
	assert_int_equal(compile(minimal, sizeof(minimal), cache, err, sizeof(err)), 0);
	assert_int_equal(cc_runs(), 1);
	assert_int_equal(count_objects(cache), 1); /* one object, no temporary leftovers */
}

static void test_concurrent_compilers_both_succeed(void **state)
{
	char cache[300], err[1024];
	pid_t pids[2];
	int i, status;

	(void)state;
	snprintf(cache, sizeof(cache), "%s/cache-race", workdir);
	for (i = 0; i < 2; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(compile(minimal, sizeof(minimal), cache, err, sizeof(err)) ? 1 : 0);
	}
	for (i = 0; i < 2; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(count_objects(cache), 1);
}

static void test_invalid_module_names_validator_reason(void **state)
{
	char cache[300], err[1024] = "";

	(void)state;
	snprintf(cache, sizeof(cache), "%s/cache-invalid", workdir);
	assert_int_equal(compile(ill_typed, sizeof(ill_typed), cache, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "test.wasm: invalid WebAssembly module"));
	assert_non_null(strstr(err, "type mismatch"));
	assert_int_equal(count_objects(cache), 0); /* nothing cached, temporary files removed */
}

/* The one compiled object in a cache folder, by path. */
static void object_path(const char *cache, char *out, size_t outlen)
{
	DIR *d = opendir(cache);
	struct dirent *e;

	assert_non_null(d);
	out[0] = 0;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len > 3 && !strcmp(e->d_name + len - 3, ".so"))
			snprintf(out, outlen, "%s/%s", cache, e->d_name);
	}
	closedir(d);
	assert_true(out[0] != 0);
}

/* A damaged entry is found before it is loaded and compiled again, never used as it is. */
static void test_damaged_entries_are_recompiled(void **state)
{
	char cache[300], err[1024], so[600], meta[620];
	int runs;
	FILE *f;

	(void)state;
	snprintf(cache, sizeof(cache), "%s/cache-damage", workdir);
	assert_int_equal(compile(minimal, sizeof(minimal), cache, err, sizeof(err)), 0);
	object_path(cache, so, sizeof(so));
	runs = cc_runs();

	/* One byte appended. */
	f = fopen(so, "a");
	assert_non_null(f);
	fputc('x', f);
	fclose(f);
	assert_int_equal(compile(minimal, sizeof(minimal), cache, err, sizeof(err)), 0);
	assert_int_equal(cc_runs(), ++runs);

	/* Truncated to half. */
	assert_int_equal(truncate(so, 100), 0);
	assert_int_equal(compile(minimal, sizeof(minimal), cache, err, sizeof(err)), 0);
	assert_int_equal(cc_runs(), ++runs);

	/* Its record lost. */
	snprintf(meta, sizeof(meta), "%.*s.meta", (int)(strlen(so) - 3), so);
	assert_int_equal(unlink(meta), 0);
	assert_int_equal(compile(minimal, sizeof(minimal), cache, err, sizeof(err)), 0);
	assert_int_equal(cc_runs(), ++runs);

	/* Untouched, it is a hit again. */
	assert_int_equal(compile(minimal, sizeof(minimal), cache, err, sizeof(err)), 0);
	assert_int_equal(cc_runs(), runs);
}

static void test_shared_cache_folder_refused(void **state)
{
	char cache[300], err[1024] = "";

	(void)state;
	snprintf(cache, sizeof(cache), "%s/cache-open", workdir);
	assert_int_equal(mkdir(cache, 0700), 0);
	assert_int_equal(chmod(cache, 0777), 0);
	assert_int_equal(compile(minimal, sizeof(minimal), cache, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "refusing cache folder"));
	assert_int_equal(chmod(cache, 0770), 0);
	assert_int_equal(compile(minimal, sizeof(minimal), cache, err, sizeof(err)), -1);
	assert_int_equal(chmod(cache, 0700), 0);
	assert_int_equal(compile(minimal, sizeof(minimal), cache, err, sizeof(err)), 0);
}

static void test_default_cache_dir(void **state)
{
	char dir[256];

	(void)state;
	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	assert_int_equal(compile_default_cache_dir(dir, sizeof(dir)), 0);
	assert_string_equal(dir, "/x/cache/intravisor");
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", "/home/u", 1);
	assert_int_equal(compile_default_cache_dir(dir, sizeof(dir)), 0);
	assert_string_equal(dir, "/home/u/.cache/intravisor");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_covers_bytes_and_compiler),
		cmocka_unit_test(test_key_follows_the_compiler_file),
		cmocka_unit_test(test_cache_hit_runs_no_compiler),
		cmocka_unit_test(test_concurrent_compilers_both_succeed),
		cmocka_unit_test(test_invalid_module_names_validator_reason),
		cmocka_unit_test(test_damaged_entries_are_recompiled),
		cmocka_unit_test(test_shared_cache_folder_refused),
		cmocka_unit_test(test_default_cache_dir),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
