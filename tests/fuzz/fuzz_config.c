/* Fuzzes the YAML configuration parser (cfg_load_buffer): a config, or FILE:LINE:COL errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"

#define NAME "f.yaml"

#define CHECK(cond, what)                                                                 \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "fuzz_config: %s\n", what);                        \
			abort();                                                          \
		}                                                                         \
	} while (0)

/* Runtimes the seeds name, so the check that the file exists passes sometimes. */
static const char *const runtimes[] = {
	"hello.wasm", "first.wasm", "second.wasm", "kv.wasm", "client.wasm", "cap_file.wasm",
	"a.wasm",
};
/* A folder where a runtime should be: "not a regular file". */
#define NOT_A_FILE "dir.wasm"

static char dir[] = "/tmp/iv-fuzz-config-XXXXXX";

static void path_in_dir(char *out, size_t len, const char *file)
{
	snprintf(out, len, "%s/%s", dir, file);
}

static void remove_dir(void)
{
	char path[sizeof(dir) + 32];
	size_t i;

	for (i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++) {
		path_in_dir(path, sizeof(path), runtimes[i]);
		unlink(path);
	}
	path_in_dir(path, sizeof(path), NOT_A_FILE);
	rmdir(path);
	rmdir(dir);
}

static void make_dir(void)
{
	static const uint8_t header[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
	char path[sizeof(dir) + 32];
	size_t i;

	CHECK(mkdtemp(dir), "cannot create a temporary folder");
	atexit(remove_dir);
	for (i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++) {
		FILE *f;

		path_in_dir(path, sizeof(path), runtimes[i]);
		f = fopen(path, "wb");
		CHECK(f && fwrite(header, sizeof(header), 1, f) == 1 && fclose(f) == 0,
		      "cannot create a runtime file");
	}
	path_in_dir(path, sizeof(path), NOT_A_FILE);
	CHECK(mkdir(path, 0700) == 0, "cannot create a folder");
}

static int strv_ok(char **v, int n, int need_eq)
{
	int i;

	if (!v || n < 0 || v[n])
		return 0;
	for (i = 0; i < n; i++)
		if (!v[i] || (need_eq && (!strchr(v[i], '=') || v[i][0] == '=')))
			return 0;
	return 1;
}

static const struct cfg_cvm *find_cvm(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->ncvms; i++)
		if (!strcmp(cfg->cvms[i].name, name))
			return &cfg->cvms[i];
	return NULL;
}

/* What a loaded configuration promises the monitor (main.c, cvm.c, capfile.c). */
static void check_config(const struct config *cfg)
{
	size_t i, j;

	CHECK(cfg->ncvms >= 1 && cfg->cvms, "loaded without cVMs");
	CHECK(!strcmp(cfg->path, NAME) && !strcmp(cfg->dir, dir), "path or folder");
	for (i = 0; i < cfg->ncvms; i++) {
		const struct cfg_cvm *c = &cfg->cvms[i];

		CHECK(c->name && c->name[0] && strlen(c->name) <= 63, "cVM name");
		CHECK(find_cvm(cfg, c->name) == c, "duplicate cVM name");
		CHECK(c->runtime && c->runtime[0], "cVM without a runtime");
		CHECK(strv_ok(c->argv, c->argc, 0) && c->argc >= 1, "argv");
		CHECK(strv_ok(c->env, c->envc, 1), "env");
		CHECK(c->memory_cap && c->memory_cap % 65536 == 0 && c->memory_cap <= 4ull << 30,
		      "memory cap");
		CHECK(c->cap_limit <= 65535, "caps limit");
		CHECK(c->wait >= -1, "wait");
		if (c->callback_out && strcmp(c->callback_out, "monitor")) {
			const struct cfg_cvm *to = find_cvm(cfg, c->callback_out);

			CHECK(to && to != c, "callback_out names no other cVM");
		}
	}
	for (i = 0; i < cfg->ncapfiles; i++) {
		const struct cfg_capfile *f = &cfg->capfiles[i];

		CHECK(f->name && f->name[0], "capfile name");
		for (j = 0; j < i; j++)
			CHECK(strcmp(cfg->capfiles[j].name, f->name), "duplicate capfile name");
		CHECK(f->size >= 1 && f->size <= 4ull << 30, "capfile size");
		CHECK(f->data_len <= f->size && (f->data || !f->data_len), "capfile data");
		for (j = 0; f->allow && f->allow[j]; j++)
			CHECK(find_cvm(cfg, f->allow[j]), "allow-list names an unknown cVM");
	}
}

/* Every message is "f.yaml:...", one per line; an error is never silent. */
static void check_messages(const char *out, size_t len, int rc)
{
	const char *line = out;

	CHECK(rc == 0 || len > 0, "refused without a message");
	CHECK(len == 0 || out[len - 1] == '\n', "a message without its newline");
	while (line < out + len) {
		const char *nl = memchr(line, '\n', (size_t)(out + len - line));

		CHECK(!strncmp(line, NAME ":", strlen(NAME ":")), "a message line without FILE:");
		line = nl + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config untouched;
	static int ready;
	struct config *cfg = &untouched;
	char *out = NULL;
	size_t outlen = 0;
	FILE *err;
	int rc;

	if (!ready) {
		make_dir();
		ready = 1;
	}
	err = open_memstream(&out, &outlen);
	CHECK(err, "open_memstream");
	rc = cfg_load_buffer(NAME, dir, (const char *)data, size, &cfg, err);
	CHECK(fclose(err) == 0, "fclose");
	CHECK(rc == 0 || rc == -1, "result");
	check_messages(out, outlen, rc);
	if (rc == 0) {
		CHECK(cfg, "loaded but no config");
		check_config(cfg);
		cfg_free(cfg);
	} else {
		CHECK(!cfg, "refused but a config returned");
	}
	free(out);
	return 0;
}
