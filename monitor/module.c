/* Loading cVM modules: read, check imports, compile through the cache, dlopen, share. */
#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compile.h"
#include "errbuf.h"
#include "imports.h"
#include "intravisor/abi.h"
#include "module.h"
#include "rt.h"

/* The largest .wasm file the monitor accepts. */
#define MODULE_MAX_BYTES (256u << 20)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct module **loaded;
static size_t nloaded;

static int read_file(const char *path, uint8_t **out, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		errbuf_set(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		errbuf_set(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	if ((uint64_t)st.st_size > MODULE_MAX_BYTES) {
		errbuf_set(err, errlen, "%s: %lld bytes is larger than the %u MiB a module may have", path,
		     (long long)st.st_size, MODULE_MAX_BYTES >> 20);
		goto fail;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		errbuf_set(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			errbuf_set(err, errlen, "%s: read failed: %s", path, n ? strerror(errno) : "short");
			free(buf);
			goto fail;
		}
		got += (size_t)n;
	}
	close(fd);
	*out = buf;
	*len = got;
	return 0;
fail:
	close(fd);
	return -1;
}

/* Every import must be a function the monitor serves, with exactly the served signature. */
static int check_imports(const char *path, const struct wmod_info *info, enum cfg_abi *abi,
			 char *err, size_t errlen)
{
	size_t i;

	*abi = CFG_ABI_AUTO;
	for (i = 0; i < info->nimports; i++) {
		const struct wmod_import *imp = &info->imports[i];
		const struct import_family *fam = imports_family(imp->module);
		/* The runtime is that of the family serving this very function. */
		const struct import_def *def = imports_find(imp->module, imp->name, &fam);

		if (imp->kind != WMOD_FUNC) {
			errbuf_set(err, errlen,
			     "%s: imports %s '%s.%s'; a cVM may import only functions (its memory "
			     "and tables are its own)",
			     path, imp->kind == WMOD_MEMORY ? "memory" : "a non-function",
			     imp->module, imp->name);
			return -1;
		}
		if (!fam) {
			errbuf_set(err, errlen, "%s: imports '%s.%s' from unknown module '%s' (served: '%s', "
			     "'%s')", path, imp->module, imp->name, imp->module,
			     hostcall_family.module, wasi_family.module);
			return -1;
		}
		if (!def) {
			errbuf_set(err, errlen, "%s: imports '%s.%s', which the monitor does not provide",
			     path, imp->module, imp->name);
			return -1;
		}
		if (strcmp(def->sig, imp->sig)) {
			errbuf_set(err, errlen, "%s: import '%s.%s' has signature (%s); the monitor's is (%s)",
			     path, imp->module, imp->name, imp->sig, def->sig);
			return -1;
		}
		if (fam->abi == CFG_ABI_POSIX || *abi == CFG_ABI_AUTO)
			*abi = fam->abi;
	}
	return 0;
}

/* Exports the monitor relies on must have the shapes it calls them with. */
static int check_exports(const char *path, const struct wmod_info *info, char *err,
			 size_t errlen)
{
	const struct wmod_export *start = wmod_find_export(info, "_start");
	const struct wmod_export *mem = wmod_find_export(info, "memory");

	if (start && (start->kind != WMOD_FUNC || strcmp(start->sig, ":"))) {
		errbuf_set(err, errlen, "%s: export '_start' must be a function with no parameters or "
		     "results", path);
		return -1;
	}
	if (info->has_memory && !(mem && mem->kind == WMOD_MEMORY)) {
		errbuf_set(err, errlen, "%s: the module's memory must be exported as 'memory'", path);
		return -1;
	}
	return 0;
}

static void init_module(void *arg)
{
	const struct wasm_rt_iv_module *ops = arg;

	ops->init_module();
}

struct code_search {
	uintptr_t base;
	uintptr_t lo, hi;
};

static int find_code(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct code_search *cs = arg;
	int i;

	(void)size;
	if (info->dlpi_addr != cs->base)
		return 0;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		if (!cs->lo || lo < cs->lo)
			cs->lo = lo;
		if (hi > cs->hi)
			cs->hi = hi;
	}
	return 1;
}

/* The loaded object's executable segments: where an interrupted guest may be unwound. */
static int code_range(struct module *m)
{
	struct link_map *lm;
	struct code_search cs = {0, 0, 0};

	if (dlinfo(m->dl, RTLD_DI_LINKMAP, &lm) || !lm)
		return -1;
	cs.base = lm->l_addr;
	dl_iterate_phdr(find_code, &cs);
	if (!cs.hi)
		return -1;
	m->code_lo = cs.lo;
	m->code_hi = cs.hi;
	return 0;
}

static int open_object(struct module *m, const char *so, char *err, size_t errlen)
{
	uint32_t i;

	m->dl = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	if (!m->dl) {
		errbuf_set(err, errlen, "%s: cannot load compiled object %s: %s", m->path, so, dlerror());
		return -1;
	}
	m->ops = dlsym(m->dl, WASM_RT_IV_MODULE_SYMBOL);
	if (!m->ops || m->ops->abi_version != IV_ABI_VERSION || !m->ops->instantiate ||
	    !m->ops->free || !m->ops->init_module) {
		errbuf_set(err, errlen, "%s: compiled object %s is not an Intravisor module for ABI %d",
		     m->path, so, IV_ABI_VERSION);
		return -1;
	}
	m->export_params = calloc(m->ops->nexports ? m->ops->nexports : 1, 1);
	if (!m->export_params) {
		errbuf_set(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < m->ops->nexports; i++)
		m->export_params[i] = (uint8_t)strcspn(m->ops->exports[i].sig, ":");
	if (code_range(m)) {
		errbuf_set(err, errlen, "%s: cannot find the code of compiled object %s", m->path, so);
		return -1;
	}
	if (rt_invoke(init_module, (void *)m->ops) != WASM_RT_TRAP_NONE) {
		errbuf_set(err, errlen, "%s: module initialisation failed", m->path);
		return -1;
	}
	return 0;
}

static void module_free(struct module *m)
{
	if (m->dl)
		dlclose(m->dl);
	free(m->export_params);
	wmod_free(&m->info);
	free(m->path);
	free(m);
}

int module_load(const char *path, const struct module_opts *opts, struct module **out,
		char *err, size_t errlen)
{
	char cache_dir[4096], reason[512], key[65];
	struct module *m = NULL;
	uint8_t *bytes = NULL;
	char *so = NULL;
	size_t len, i;
	int rc = -1;

	*out = NULL;
	if (read_file(path, &bytes, &len, err, errlen))
		return -1;
	if (compile_key(bytes, len, key)) {
		errbuf_set(err, errlen, "cannot find the C compiler or wasm2c (set INTRAVISOR_CC?)");
		goto out;
	}
	pthread_mutex_lock(&lock);
	for (i = 0; i < nloaded; i++) {
		if (!strcmp(loaded[i]->digest, key)) {
			loaded[i]->refs++;
			*out = loaded[i];
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	if (*out) {
		rc = 0;
		goto out;
	}

	m = calloc(1, sizeof(*m));
	if (!m || !(m->path = strdup(path))) {
		errbuf_set(err, errlen, "out of memory");
		goto out;
	}
	memcpy(m->digest, key, sizeof(m->digest));
	if (wmod_parse(bytes, len, &m->info, reason, sizeof(reason))) {
		errbuf_set(err, errlen, "%s: invalid WebAssembly module: %s", path, reason);
		goto out;
	}
	if (check_imports(path, &m->info, &m->abi, err, errlen) ||
	    check_exports(path, &m->info, err, errlen))
		goto out;
	if (opts->cache_dir)
		snprintf(cache_dir, sizeof(cache_dir), "%s", opts->cache_dir);
	else if (compile_default_cache_dir(cache_dir, sizeof(cache_dir))) {
		errbuf_set(err, errlen, "no cache folder: set XDG_CACHE_HOME or HOME, or use --cache-dir");
		goto out;
	}
	if (compile_module(path, bytes, len, &m->info, cache_dir, key, opts->progress, &so, err,
			   errlen) ||
	    open_object(m, so, err, errlen))
		goto out;

	pthread_mutex_lock(&lock);
	{
		struct module **grown = realloc(loaded, (nloaded + 1) * sizeof(*grown));
		if (grown) {
			loaded = grown;
			loaded[nloaded++] = m;
		}
		pthread_mutex_unlock(&lock);
		if (!grown) {
			errbuf_set(err, errlen, "out of memory");
			goto out;
		}
	}
	m->refs = 1;
	*out = m;
	m = NULL;
	rc = 0;
out:
	if (m)
		module_free(m);
	free(so);
	free(bytes);
	return rc;
}

void module_get(struct module *m)
{
	pthread_mutex_lock(&lock);
	m->refs++;
	pthread_mutex_unlock(&lock);
}

void module_put(struct module *m)
{
	size_t i;

	if (!m)
		return;
	pthread_mutex_lock(&lock);
	if (--m->refs) {
		pthread_mutex_unlock(&lock);
		return;
	}
	for (i = 0; i < nloaded; i++) {
		if (loaded[i] == m) {
			loaded[i] = loaded[--nloaded];
			break;
		}
	}
	if (!nloaded) {
		free(loaded);
		loaded = NULL;
	}
	pthread_mutex_unlock(&lock);
	module_free(m);
}
