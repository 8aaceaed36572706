/* Loads the cVM configuration: the original Intravisor's YAML schema, with FILE:LINE:COL errors. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "intravisor/abi.h"

/* A configuration is a few kilobytes; the bound keeps a hostile file from costing much. */
#define CFG_MAX_FILE (1u << 20)
/* The original split `args` into at most 16 words. */
#define CFG_MAX_ARGS 16
#define CFG_NAME_MAX 63
#define CFG_WASM_PAGE 65536ull
/* A wasm32 memory cannot address more than 4 GiB. */
#define CFG_MAX_MEMORY (4ull << 30)
/* A capability handle carries its table index in 16 bits. */
#define CFG_MAX_CAPS 65535u
#define CFG_MAX_TIMEOUT (365u * 86400u) /* a year: longer is surely a mistake */
/* A callback_out cycle message names at most this many cVMs, however long the cycle. */
#define CYCLE_SHOW 8
#define NO_CVM SIZE_MAX

/* Values quoted in messages are cut, so one absurd value cannot flood the terminal. */
#define SHOW_CHARS 48
#define SHOW_BUF (SHOW_CHARS * 4 + 8)

/*
 * A cVM named by a capfile's allow-list or a stream's readers or writers, checked once
 * every document has been read. what: the key that names it.
 */
struct ref {
	const char *name;
	struct cfg_mark mark;
	const char *what;
};

struct parser {
	const char *name;
	FILE *err;
	struct config *cfg;
	yaml_document_t *doc;
	size_t cvm_cap, capfile_cap, stream_cap;
	struct ref *refs;
	size_t nrefs, ref_cap;
	unsigned nerrors;
	bool oom_reported;
};

/* One named thing (cVM, capfile, environment variable) in a duplicate check. */
struct entry {
	const char *s;
	size_t len;
	size_t idx;
	struct cfg_mark mark;
	bool dup;
	struct cfg_mark first;
};

static void vreport(const char *file, struct cfg_mark m, FILE *err, const char *kind,
		    const char *fmt, va_list ap)
{
	fprintf(err, "%s:%u:%u: %s", file, m.line, m.col, kind);
	vfprintf(err, fmt, ap);
	fputc('\n', err);
}

__attribute__((format(printf, 3, 4)))
static void perr(struct parser *p, struct cfg_mark m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(p->name, m, p->err, "", fmt, ap);
	va_end(ap);
	p->nerrors++;
}

__attribute__((format(printf, 3, 4)))
static void pwarn(struct parser *p, struct cfg_mark m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(p->name, m, p->err, "warning: ", fmt, ap);
	va_end(ap);
}

static void oom(struct parser *p)
{
	if (!p->oom_reported)
		fprintf(p->err, "%s: out of memory\n", p->name);
	p->oom_reported = true;
	p->nerrors++;
}

static struct cfg_mark mark_of(const yaml_node_t *n)
{
	return (struct cfg_mark){ (unsigned)n->start_mark.line + 1,
				  (unsigned)n->start_mark.column + 1 };
}

static const yaml_node_t *node(const struct parser *p, yaml_node_item_t id)
{
	return p->doc->nodes.start + id - 1;
}

static const char *sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* Quotes a value for a message, escaping control bytes so a message stays one line. */
static const char *show_str(char buf[SHOW_BUF], const char *s, size_t len)
{
	size_t end = len < SHOW_CHARS ? len : SHOW_CHARS, o = 0;

	/* Cut on a character boundary so the message stays valid UTF-8. */
	if (end < len)
		while (end > 0 && ((unsigned char)s[end] & 0xc0) == 0x80)
			end--;
	buf[o++] = '\'';
	for (size_t i = 0; i < end; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(buf + o, SHOW_BUF - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	if (end < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}

static const char *show(char buf[SHOW_BUF], const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return show_str(buf, sval(n), n->data.scalar.length);
	case YAML_SEQUENCE_NODE:
		return "a sequence";
	default:
		return "a mapping";
	}
}

static bool is_scalar(const yaml_node_t *n, const char *s)
{
	size_t len = strlen(s);

	return n->type == YAML_SCALAR_NODE && n->data.scalar.length == len &&
	       memcmp(n->data.scalar.value, s, len) == 0;
}

/* libyaml does not resolve tags, so an empty value (`key:`) arrives as a plain scalar. */
static bool is_null(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (is_scalar(n, "") || is_scalar(n, "~") || is_scalar(n, "null") ||
		is_scalar(n, "Null") || is_scalar(n, "NULL"));
}

static char *dup_mem(struct parser *p, const char *s, size_t len)
{
	char *d = malloc(len + 1);

	if (!d) {
		oom(p);
		return NULL;
	}
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

/* A NULL-terminated vector; the count is set first so cfg_free can release a partly filled one. */
static char **new_vec(struct parser *p, size_t n, int *count)
{
	char **v = calloc(n + 1, sizeof *v);

	if (!v) {
		oom(p);
		return NULL;
	}
	*count = (int)n;
	return v;
}

static void *grow(struct parser *p, void *arr, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *v;

	if (n < *cap)
		return arr;
	ncap = *cap ? 2 * *cap : 4;
	v = realloc(arr, ncap * size);
	if (!v) {
		oom(p);
		return NULL;
	}
	*cap = ncap;
	return v;
}

/*
 * Finds which of keys[] a mapping key names. Unknown and repeated keys are reported here, so
 * callers only see keys they handle, each at most once.
 */
static int key_index(struct parser *p, const yaml_node_t *key, const char *const keys[],
		     size_t nkeys, const yaml_node_t *seen[], const char *where)
{
	char buf[SHOW_BUF], list[256];
	size_t o = 0;

	if (key->type != YAML_SCALAR_NODE) {
		perr(p, mark_of(key), "a key %s must be a name, got %s", where, show(buf, key));
		return -1;
	}
	for (size_t i = 0; i < nkeys; i++) {
		if (!is_scalar(key, keys[i]))
			continue;
		if (seen[i]) {
			perr(p, mark_of(key), "duplicate key '%s' (first at %u:%u)", keys[i],
			     mark_of(seen[i]).line, mark_of(seen[i]).col);
			return -1;
		}
		seen[i] = key;
		return (int)i;
	}
	for (size_t i = 0; i < nkeys && o < sizeof(list); i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", keys[i]);
	perr(p, mark_of(key), "unknown key %s %s; valid keys are: %s", show(buf, key), where, list);
	return -1;
}

/*
 * Copies a scalar used as a C string. YAML escapes can smuggle in a NUL byte, which would cut
 * the string silently; control characters are refused where the value names a file or a cVM.
 */
static char *get_string(struct parser *p, const char *key, const yaml_node_t *v, bool allow_ctrl)
{
	char buf[SHOW_BUF];
	size_t len;

	if (v->type != YAML_SCALAR_NODE) {
		perr(p, mark_of(v), "'%s' must be a string, got %s", key, show(buf, v));
		return NULL;
	}
	len = v->data.scalar.length;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = v->data.scalar.value[i];

		if (c == 0 || (!allow_ctrl && (c < 0x20 || c == 0x7f))) {
			perr(p, mark_of(v), "'%s' must not contain control characters, got %s", key,
			     show(buf, v));
			return NULL;
		}
	}
	return dup_mem(p, sval(v), len);
}

/* Decimal or 0x hex, since the original's configs write addresses and sizes in hex. */
static int get_u64(struct parser *p, const char *key, const yaml_node_t *v, uint64_t *out)
{
	char buf[SHOW_BUF];
	const char *s;
	size_t len, i = 0;
	unsigned base = 10;
	uint64_t x = 0;

	if (v->type != YAML_SCALAR_NODE) {
		perr(p, mark_of(v), "'%s' must be an integer, got %s", key, show(buf, v));
		return -1;
	}
	s = sval(v);
	len = v->data.scalar.length;
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == len)
		goto bad;
	for (; i < len; i++) {
		unsigned d;

		if (s[i] >= '0' && s[i] <= '9')
			d = (unsigned)(s[i] - '0');
		else if (base == 16 && s[i] >= 'a' && s[i] <= 'f')
			d = (unsigned)(s[i] - 'a' + 10);
		else if (base == 16 && s[i] >= 'A' && s[i] <= 'F')
			d = (unsigned)(s[i] - 'A' + 10);
		else
			goto bad;
		if (x > (UINT64_MAX - d) / base) {
			perr(p, mark_of(v), "'%s' is out of range: %s", key, show(buf, v));
			return -1;
		}
		x = x * base + d;
	}
	*out = x;
	return 0;
bad:
	if (base == 16)
		perr(p, mark_of(v), "'%s' is not a valid hex number: %s", key, show(buf, v));
	else
		perr(p, mark_of(v), "'%s' must be an integer, got %s", key, show(buf, v));
	return -1;
}

static void get_bool(struct parser *p, const char *key, const yaml_node_t *v, bool *out)
{
	static const char *const yes[] = { "true", "yes", "1" }, *const no[] = { "false", "no", "0" };
	char buf[SHOW_BUF];

	for (size_t i = 0; v->type == YAML_SCALAR_NODE && i < 3; i++) {
		size_t ylen = strlen(yes[i]), nlen = strlen(no[i]);

		if (v->data.scalar.length == ylen && strncasecmp(sval(v), yes[i], ylen) == 0) {
			*out = true;
			return;
		}
		if (v->data.scalar.length == nlen && strncasecmp(sval(v), no[i], nlen) == 0) {
			*out = false;
			return;
		}
	}
	perr(p, mark_of(v), "'%s' must be true or false, got %s", key, show(buf, v));
}

static bool valid_name(const char *s, size_t len)
{
	if (len < 1 || len > CFG_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

static char *get_name(struct parser *p, const yaml_node_t *v)
{
	char buf[SHOW_BUF];

	if (v->type != YAML_SCALAR_NODE || !valid_name(sval(v), v->data.scalar.length)) {
		perr(p, mark_of(v),
		     "'name' must be 1 to %d characters of A-Z a-z 0-9 _ . -, got %s", CFG_NAME_MAX,
		     show(buf, v));
		return NULL;
	}
	return dup_mem(p, sval(v), v->data.scalar.length);
}

static int cmp_by_name(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);

	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int cmp_by_idx(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*
 * Marks every entry whose name an earlier one already has, and leaves e in file order.
 * Sorting keeps this n log n, so a large generated file cannot make the check quadratic.
 */
static void find_duplicates(struct entry *e, size_t n)
{
	size_t head = 0;

	qsort(e, n, sizeof *e, cmp_by_name);
	for (size_t i = 1; i < n; i++) {
		if (e[i].len == e[head].len && memcmp(e[i].s, e[head].s, e[i].len) == 0) {
			e[i].dup = true;
			e[i].first = e[head].mark;
		} else {
			head = i;
		}
	}
	qsort(e, n, sizeof *e, cmp_by_idx);
}

static void report_duplicates(struct parser *p, struct entry *e, size_t n, const char *what)
{
	char buf[SHOW_BUF];

	find_duplicates(e, n);
	for (size_t i = 0; i < n; i++)
		if (e[i].dup)
			perr(p, e[i].mark, "duplicate %s %s (first defined at %u:%u)", what,
			     show_str(buf, e[i].s, e[i].len), e[i].first.line, e[i].first.col);
}

/* rel (owned) joined to the YAML's folder; absolute paths stay. NULL when out of memory. */
static char *yaml_path(struct parser *p, char *rel)
{
	const char *dir = p->cfg->dir;
	size_t dlen = strlen(dir), rlen = strlen(rel);
	char *path;

	if (rel[0] == '/')
		return rel;
	path = malloc(dlen + 1 + rlen + 1);
	if (!path) {
		free(rel);
		oom(p);
		return NULL;
	}
	memcpy(path, dir, dlen);
	if (dlen > 0 && dir[dlen - 1] != '/')
		path[dlen++] = '/';
	memcpy(path + dlen, rel, rlen + 1);
	free(rel);
	return path;
}

/*
 * Checks that the file named by key (at v) exists with type mode (S_IFREG or S_IFDIR) and
 * grants access (R_OK, W_OK...); reports otherwise.
 */
static void check_host_path(struct parser *p, const char *key, const yaml_node_t *v,
			    const char *path, mode_t mode, int access_mode)
{
	struct stat st;

	if (stat(path, &st) != 0)
		perr(p, mark_of(v), "%s '%s' %s: %s", key, path,
		     errno == ENOENT || errno == ENOTDIR ? "not found" : "cannot be read",
		     strerror(errno));
	else if ((st.st_mode & S_IFMT) != mode)
		perr(p, mark_of(v), "%s '%s' is not a %s", key, path,
		     mode == S_IFDIR ? "folder" : "regular file");
	else if (access(path, access_mode) != 0)
		perr(p, mark_of(v), "%s '%s' cannot be %s: %s", key, path,
		     access_mode & W_OK ? "written" : "read", strerror(errno));
}

static void set_runtime(struct parser *p, struct cfg_cvm *c, const yaml_node_t *v)
{
	char *rel = get_string(p, "runtime", v, false);

	if (!rel)
		return;
	c->runtime_mark = mark_of(v);
	if (!rel[0]) {
		perr(p, mark_of(v), "'runtime' must name a .wasm file");
		free(rel);
		return;
	}
	c->runtime = yaml_path(p, rel);
	if (c->runtime)
		check_host_path(p, "runtime file", v, c->runtime, S_IFREG, R_OK);
}

/* `disk`: an ext4 image, the cVM's "/" (read-write, so it must be writable). */
static void set_disk(struct parser *p, struct cfg_cvm *c, const yaml_node_t *v)
{
	char *rel = get_string(p, "disk", v, false);

	if (!rel)
		return;
	c->disk_mark = mark_of(v);
	if (!rel[0]) {
		perr(p, mark_of(v), "'disk' must name an ext4 image file");
		free(rel);
		return;
	}
	c->disk = yaml_path(p, rel);
	if (c->disk)
		check_host_path(p, "disk image", v, c->disk, S_IFREG, R_OK | W_OK);
}

/* True for an absolute guest path without ".", "..", empty parts or a trailing '/'. */
static bool guest_path_ok(const char *s)
{
	const char *part;

	if (s[0] != '/')
		return false;
	if (!s[1])
		return true;
	for (part = s + 1;; ) {
		size_t len = strcspn(part, "/");

		if (len == 0 || (len == 1 && part[0] == '.') ||
		    (len == 2 && part[0] == '.' && part[1] == '.'))
			return false;
		if (!part[len])
			return true;
		part += len + 1;
	}
}

static void add_mount(struct parser *p, struct cfg_cvm *c, const yaml_node_t *n)
{
	enum { HOST, GUEST, MODE, NKEYS };
	static const char *const keys[NKEYS] = { "host", "guest", "mode" };
	const yaml_node_t *seen[NKEYS] = { 0 };
	struct cfg_mount *m, *mounts;
	char buf[SHOW_BUF];

	if (n->type != YAML_MAPPING_NODE) {
		perr(p, mark_of(n), "a mount must be a mapping of host, guest and mode, got %s",
		     show(buf, n));
		return;
	}
	mounts = realloc(c->mounts, (c->nmounts + 1) * sizeof(*mounts));
	if (!mounts) {
		oom(p);
		return;
	}
	c->mounts = mounts;
	m = &mounts[c->nmounts++];
	*m = (struct cfg_mount){ .readonly = true, .mark = mark_of(n) };
	for (yaml_node_pair_t *pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top;
	     pair++) {
		const yaml_node_t *k = node(p, pair->key), *v = node(p, pair->value);
		char *s;

		switch (key_index(p, k, keys, NKEYS, seen, "in a mount")) {
		case HOST:
			if (!(s = get_string(p, "host", v, false)))
				break;
			if (!s[0]) {
				perr(p, mark_of(v), "'host' must name a folder");
				free(s);
				break;
			}
			if ((m->host = yaml_path(p, s)))
				check_host_path(p, "mount folder", v, m->host, S_IFDIR, R_OK | X_OK);
			break;
		case GUEST:
			if (!(s = get_string(p, "guest", v, false)))
				break;
			if (!guest_path_ok(s)) {
				perr(p, mark_of(v), "'guest' must be an absolute path without '.', "
				     "'..', '//' or a trailing '/', got %s", show(buf, v));
				free(s);
				break;
			}
			m->guest = s;
			break;
		case MODE:
			if (is_scalar(v, "ro"))
				m->readonly = true;
			else if (is_scalar(v, "rw"))
				m->readonly = false;
			else
				perr(p, mark_of(v), "'mode' must be ro or rw, got %s", show(buf, v));
			break;
		}
	}
	if (!seen[HOST])
		perr(p, m->mark, "this mount has no 'host' folder");
	if (!seen[GUEST])
		perr(p, m->mark, "this mount has no 'guest' path");
}

static void set_mounts(struct parser *p, struct cfg_cvm *c, const yaml_node_t *v)
{
	char buf[SHOW_BUF];

	if (is_null(v))
		return;
	if (v->type != YAML_SEQUENCE_NODE) {
		perr(p, mark_of(v), "'mounts' must be a sequence of mappings "
		     "('- {host: FOLDER, guest: /PATH, mode: ro}'), got %s", show(buf, v));
		return;
	}
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	     it++)
		add_mount(p, c, node(p, *it));
	/* Two folders at one guest path, or one at "/" beside a disk, would hide each other. */
	for (size_t i = 0; i < c->nmounts; i++) {
		const struct cfg_mount *m = &c->mounts[i];

		if (!m->guest)
			continue;
		if (c->disk && !strcmp(m->guest, "/"))
			perr(p, m->mark, "a mount at '/' would hide the disk image");
		for (size_t j = 0; j < i; j++)
			if (c->mounts[j].guest && !strcmp(c->mounts[j].guest, m->guest))
				perr(p, m->mark, "two mounts at %s", m->guest);
	}
}

/* One policy address: "tcp:IPV4:PORT", "tcp:[IPV6]:PORT" or "unix:PATH"; port "*" in connect. */
static void add_endpoint(struct parser *p, const char *list, const yaml_node_t *v,
			 struct cfg_endpoint **arr, size_t *n)
{
	bool connecting = !strcmp(list, "connect");
	struct cfg_endpoint e = { .mark = mark_of(v) }, *grown;
	char buf[SHOW_BUF], *text, *host = NULL, *port;
	unsigned char addr[16];
	unsigned long x = 0;
	char *end;

	if (!(text = get_string(p, list, v, false)))
		return;
	e.text = text;
	if (!strncmp(text, "unix:", 5)) {
		e.kind = CFG_NET_UNIX;
		if (!text[5] || strlen(text + 5) >= 108) {
			perr(p, mark_of(v), "a unix socket path must have 1 to 107 bytes, got %s",
			     show(buf, v));
			goto fail;
		}
		if (!(host = dup_mem(p, text + 5, strlen(text + 5))) || !(host = yaml_path(p, host)))
			goto fail;
	} else if (!strncmp(text, "tcp:", 4)) {
		const char *h = text + 4;
		size_t hlen;

		e.kind = CFG_NET_TCP;
		if (h[0] == '[') {
			const char *close = strchr(h, ']');
			if (!close || close[1] != ':')
				goto bad;
			hlen = (size_t)(close - h - 1);
			host = dup_mem(p, h + 1, hlen);
			port = (char *)close + 2;
			if (!host || inet_pton(AF_INET6, host, addr) != 1)
				goto bad;
		} else {
			port = strrchr(h, ':');
			if (!port)
				goto bad;
			hlen = (size_t)(port - h);
			port++;
			host = dup_mem(p, h, hlen);
			if (!host || inet_pton(AF_INET, host, addr) != 1)
				goto bad;
		}
		if (connecting && !strcmp(port, "*")) {
			x = 0;
		} else {
			errno = 0;
			x = strtoul(port, &end, 10);
			if (!port[0] || *end || errno || x < 1 || x > 65535)
				goto bad;
		}
		e.port = (uint16_t)x;
	} else {
		goto bad;
	}
	e.host = host;
	grown = realloc(*arr, (*n + 1) * sizeof(**arr));
	if (!grown) {
		oom(p);
		goto fail;
	}
	*arr = grown;
	(*arr)[(*n)++] = e;
	return;
bad:
	perr(p, mark_of(v), "'%s' entries must be tcp:ADDRESS:PORT (an IPv4 address, or an IPv6 "
	     "one in brackets%s) or unix:PATH, got %s", list,
	     connecting ? "; PORT may be *" : "", show(buf, v));
fail:
	free(host);
	free(text);
}

static void set_endpoints(struct parser *p, const char *list, const yaml_node_t *v,
			  struct cfg_endpoint **arr, size_t *n)
{
	char buf[SHOW_BUF];

	if (is_null(v))
		return;
	if (v->type != YAML_SEQUENCE_NODE) {
		perr(p, mark_of(v), "'%s' must be a sequence of addresses, got %s", list,
		     show(buf, v));
		return;
	}
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	     it++)
		add_endpoint(p, list, node(p, *it), arr, n);
}

/* `net`: the original's host device name (ignored), or a policy of listen and connect. */
static void set_net(struct parser *p, struct cfg_cvm *c, const yaml_node_t *k,
		    const yaml_node_t *v)
{
	enum { LISTEN, CONNECT, NKEYS };
	static const char *const keys[NKEYS] = { "listen", "connect" };
	const yaml_node_t *seen[NKEYS] = { 0 };
	char buf[SHOW_BUF];

	if (v->type == YAML_SCALAR_NODE) {
		pwarn(p, mark_of(k), "'net: %s' names a network device of the original; here 'net' "
		      "is a policy ({listen: [...], connect: [...]}); ignored", show(buf, v));
		return;
	}
	if (v->type != YAML_MAPPING_NODE) {
		perr(p, mark_of(v), "'net' must be a mapping of listen and connect, got %s",
		     show(buf, v));
		return;
	}
	for (yaml_node_pair_t *pair = v->data.mapping.pairs.start; pair < v->data.mapping.pairs.top;
	     pair++) {
		const yaml_node_t *key = node(p, pair->key), *val = node(p, pair->value);

		switch (key_index(p, key, keys, NKEYS, seen, "in 'net'")) {
		case LISTEN:
			set_endpoints(p, "listen", val, &c->net.listen, &c->net.nlisten);
			break;
		case CONNECT:
			set_endpoints(p, "connect", val, &c->net.connect, &c->net.nconnect);
			break;
		}
	}
	for (size_t i = 0; i < c->net.nlisten; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(c->net.listen[i].text, c->net.listen[j].text))
				perr(p, c->net.listen[i].mark, "%s is listed twice",
				     c->net.listen[i].text);
}

static void set_args_string(struct parser *p, struct cfg_cvm *c, const yaml_node_t *v)
{
	char *s = get_string(p, "args", v, true), *w;
	size_t n = 0, len;

	if (!s)
		return;
	for (w = s; *w; n++) {
		w += strspn(w, " \t");
		if (!*w)
			break;
		w += strcspn(w, " \t");
	}
	if (n > CFG_MAX_ARGS) {
		perr(p, mark_of(v), "'args' has %zu words; at most %d are allowed", n, CFG_MAX_ARGS);
	} else if (n > 0 && (c->argv = new_vec(p, n, &c->argc))) {
		w = s;
		for (size_t i = 0; i < n; i++) {
			w += strspn(w, " \t");
			len = strcspn(w, " \t");
			c->argv[i] = dup_mem(p, w, len);
			w += len;
		}
	}
	free(s);
}

static void set_args(struct parser *p, struct cfg_cvm *c, const yaml_node_t *v)
{
	char buf[SHOW_BUF];
	size_t n;

	if (is_null(v))
		return;
	if (v->type == YAML_SCALAR_NODE) {
		set_args_string(p, c, v);
		return;
	}
	if (v->type != YAML_SEQUENCE_NODE) {
		perr(p, mark_of(v), "'args' must be a string or a sequence of strings, got %s",
		     show(buf, v));
		return;
	}
	n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (n > CFG_MAX_ARGS) {
		perr(p, mark_of(v), "'args' has %zu items; at most %d are allowed", n, CFG_MAX_ARGS);
		return;
	}
	if (n == 0 || !(c->argv = new_vec(p, n, &c->argc)))
		return;
	for (size_t i = 0; i < n; i++)
		c->argv[i] = get_string(p, "args", node(p, v->data.sequence.items.start[i]), true);
}

/* Builds "KEY=VALUE" from a mapping pair; NULL (reported) when either side is unusable. */
static char *env_pair(struct parser *p, const yaml_node_t *k, const yaml_node_t *v)
{
	char buf[SHOW_BUF], kbuf[SHOW_BUF];
	char *key = get_string(p, "env", k, true), *val = NULL, *kv = NULL;
	size_t klen, vlen;

	if (!key)
		return NULL;
	klen = strlen(key);
	if (klen == 0 || memchr(key, '=', klen)) {
		perr(p, mark_of(k), "environment variable name %s must be non-empty and without '='",
		     show(buf, k));
	} else if (v->type != YAML_SCALAR_NODE) {
		perr(p, mark_of(v), "the value of environment variable %s must be a string, got %s",
		     show(kbuf, k), show(buf, v));
	} else if (is_null(v) || (val = get_string(p, "env", v, true))) {
		vlen = val ? strlen(val) : 0;
		kv = malloc(klen + 1 + vlen + 1);
		if (kv) {
			memcpy(kv, key, klen);
			kv[klen] = '=';
			memcpy(kv + klen + 1, val ? val : "", vlen + 1);
		} else {
			oom(p);
		}
	}
	free(key);
	free(val);
	return kv;
}

static char *env_item(struct parser *p, const yaml_node_t *v)
{
	char buf[SHOW_BUF];
	char *kv;

	if (v->type != YAML_SCALAR_NODE) {
		perr(p, mark_of(v), "each item of 'env' must be a 'KEY=VALUE' string, got %s",
		     show(buf, v));
		return NULL;
	}
	kv = get_string(p, "env", v, true);
	if (kv && (kv[0] == '=' || !strchr(kv, '='))) {
		perr(p, mark_of(v), "each item of 'env' must be a 'KEY=VALUE' string, got %s",
		     show(buf, v));
		free(kv);
		return NULL;
	}
	return kv;
}

static void set_env(struct parser *p, struct cfg_cvm *c, const yaml_node_t *v)
{
	char buf[SHOW_BUF];
	struct entry *e;
	size_t n, m = 0;

	if (is_null(v))
		return;
	if (v->type == YAML_MAPPING_NODE) {
		n = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
	} else if (v->type == YAML_SEQUENCE_NODE) {
		n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	} else {
		perr(p, mark_of(v),
		     "'env' must be a mapping (KEY: VALUE) or a sequence of 'KEY=VALUE', got %s",
		     show(buf, v));
		return;
	}
	if (!(c->env = new_vec(p, n, &c->envc)))
		return;
	e = calloc(n ? n : 1, sizeof *e);
	if (!e) {
		oom(p);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *at;

		if (v->type == YAML_MAPPING_NODE) {
			at = node(p, v->data.mapping.pairs.start[i].key);
			c->env[i] = env_pair(p, at, node(p, v->data.mapping.pairs.start[i].value));
		} else {
			at = node(p, v->data.sequence.items.start[i]);
			c->env[i] = env_item(p, at);
		}
		if (c->env[i])
			e[m++] = (struct entry){ .s = c->env[i], .len = strcspn(c->env[i], "="),
						 .idx = i, .mark = mark_of(at) };
	}
	report_duplicates(p, e, m, "environment variable");
	free(e);
}

static void set_isolation(struct parser *p, struct cfg_cvm *c, const yaml_node_t *v)
{
	enum { BASE, SIZE, BEGIN, END, NKEYS };
	static const char *const keys[NKEYS] = { "base", "size", "begin", "end" };
	uint64_t *fields[NKEYS] = { &c->iso_base, &c->iso_size, &c->iso_begin, &c->iso_end };
	const yaml_node_t *seen[NKEYS] = { 0 }, *item;
	char buf[SHOW_BUF];
	size_t n;

	if (v->type != YAML_SEQUENCE_NODE) {
		perr(p, mark_of(v), "'isolation' must be a sequence holding exactly one mapping "
		     "('- size: 0x10000000'), got %s", show(buf, v));
		return;
	}
	n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (n != 1) {
		perr(p, mark_of(v), "'isolation' must hold exactly one mapping, got %zu items", n);
		return;
	}
	item = node(p, v->data.sequence.items.start[0]);
	if (item->type != YAML_MAPPING_NODE) {
		perr(p, mark_of(item),
		     "the item of 'isolation' must be a mapping of base, size, begin and end, got %s",
		     show(buf, item));
		return;
	}
	for (yaml_node_pair_t *pair = item->data.mapping.pairs.start;
	     pair < item->data.mapping.pairs.top; pair++) {
		const yaml_node_t *val = node(p, pair->value);
		int k = key_index(p, node(p, pair->key), keys, NKEYS, seen, "in 'isolation'");

		if (k < 0 || get_u64(p, keys[k], val, fields[k]) != 0 || k != SIZE)
			continue;
		if (c->iso_size == 0 || c->iso_size % CFG_WASM_PAGE != 0)
			perr(p, mark_of(val), "'size' must be a positive multiple of 65536 "
			     "(the wasm page size), got %s", show(buf, val));
		else if (c->iso_size > CFG_MAX_MEMORY)
			perr(p, mark_of(val), "'size' must be at most 4 GiB (0x100000000), got %s",
			     show(buf, val));
		c->size_mark = mark_of(val);
	}
	if (!seen[SIZE]) {
		perr(p, mark_of(item), "'isolation' needs a 'size' (the cVM's memory cap)");
		return;
	}
	c->has_isolation = true;
	c->memory_cap = c->iso_size;
}

static void set_abi(struct parser *p, struct cfg_cvm *c, const yaml_node_t *v)
{
	char buf[SHOW_BUF];

	if (is_scalar(v, "auto"))
		c->abi = CFG_ABI_AUTO;
	else if (is_scalar(v, "bare"))
		c->abi = CFG_ABI_BARE;
	else if (is_scalar(v, "posix"))
		c->abi = CFG_ABI_POSIX;
	else
		perr(p, mark_of(v), "'abi' must be auto, bare or posix, got %s", show(buf, v));
}

static void set_wait(struct parser *p, struct cfg_cvm *c, const yaml_node_t *v)
{
	char buf[SHOW_BUF];
	uint64_t w;

	if (is_scalar(v, "-1")) {
		c->wait = -1;
	} else if (v->type == YAML_SCALAR_NODE && v->data.scalar.length > 0 && sval(v)[0] == '-') {
		perr(p, mark_of(v), "'wait' must be -1 or a number of seconds >= 0, got %s",
		     show(buf, v));
	} else if (get_u64(p, "wait", v, &w) == 0) {
		if (w > INT32_MAX)
			perr(p, mark_of(v), "'wait' is out of range: %s", show(buf, v));
		else
			c->wait = (int)w;
	}
}

static void set_limits(struct parser *p, struct cfg_cvm *c, const yaml_node_t *v)
{
	enum { CAPS, TIMEOUT, CPU, FDS, NKEYS };
	static const char *const keys[NKEYS] = { "caps", "timeout", "cpu", "fds" };
	const yaml_node_t *seen[NKEYS] = { 0 };
	char buf[SHOW_BUF];

	if (is_null(v))
		return;
	if (v->type != YAML_MAPPING_NODE) {
		perr(p, mark_of(v), "'limits' must be a mapping of caps, timeout, cpu and fds, got %s",
		     show(buf, v));
		return;
	}
	for (yaml_node_pair_t *pair = v->data.mapping.pairs.start; pair < v->data.mapping.pairs.top;
	     pair++) {
		const yaml_node_t *k = node(p, pair->key), *val = node(p, pair->value);
		int i = key_index(p, k, keys, NKEYS, seen, "in 'limits'"), ok;
		uint64_t x;

		if (i < 0)
			continue;
		ok = get_u64(p, keys[i], val, &x) == 0;
		if (ok && i == CAPS) {
			if (x < 1 || x > CFG_MAX_CAPS)
				perr(p, mark_of(val), "'caps' must be between 1 and %u, got %s",
				     CFG_MAX_CAPS, show(buf, val));
			else
				c->cap_limit = (uint32_t)x;
		} else if (ok && (i == TIMEOUT || i == CPU)) {
			if (x < 1 || x > CFG_MAX_TIMEOUT)
				perr(p, mark_of(val), "'%s' must be between 1 and %u seconds, got %s",
				     keys[i], CFG_MAX_TIMEOUT, show(buf, val));
			else if (i == TIMEOUT)
				c->timeout_s = (uint32_t)x;
			else
				c->cpu_s = (uint32_t)x;
		} else if (ok && i == FDS) {
			if (x < 3 || x > IV_FDS_MAX)
				perr(p, mark_of(val), "'fds' must be between 3 and %u, got %s",
				     IV_FDS_MAX, show(buf, val));
			else
				c->fd_limit = (uint32_t)x;
		}
	}
}

static void later(struct parser *p, const yaml_node_t *key)
{
	pwarn(p, mark_of(key), "'%s' is not supported yet; ignored", sval(key));
}

static void parse_cvm(struct parser *p, const yaml_node_t *n)
{
	enum {
		NAME, RUNTIME, ARGS, ENV, DISK, NET, CALLBACK_OUT, CALLBACK_IN, WAIT, CLEAN_ROOM,
		ISOLATION, ABI, LIMITS, MOUNTS, STDIN, NKEYS
	};
	static const char *const keys[NKEYS] = {
		"name", "runtime", "args", "env", "disk", "net", "callback_out", "callback_in",
		"wait", "clean_room", "isolation", "abi", "limits", "mounts", "stdin",
	};
	const yaml_node_t *mounts = NULL;
	const yaml_node_t *seen[NKEYS] = { 0 };
	struct config *cfg = p->cfg;
	struct cfg_cvm *c, *cvms;
	char buf[SHOW_BUF];

	if (n->type != YAML_MAPPING_NODE) {
		perr(p, mark_of(n), "a cVM must be a mapping ('- name: ...'), got %s", show(buf, n));
		return;
	}
	if (!(cvms = grow(p, cfg->cvms, &p->cvm_cap, cfg->ncvms, sizeof *cvms)))
		return;
	cfg->cvms = cvms;
	c = &cvms[cfg->ncvms++];
	*c = (struct cfg_cvm){ .mark = mark_of(n), .size_mark = mark_of(n),
			       .memory_cap = CFG_DEFAULT_MEMORY_CAP, .stdin_attached = -1 };
	for (yaml_node_pair_t *pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top;
	     pair++) {
		const yaml_node_t *k = node(p, pair->key), *v = node(p, pair->value);

		switch (key_index(p, k, keys, NKEYS, seen, "in a cVM")) {
		case NAME:
			c->name = get_name(p, v);
			break;
		case RUNTIME:
			set_runtime(p, c, v);
			break;
		case ARGS:
			set_args(p, c, v);
			break;
		case ENV:
			set_env(p, c, v);
			break;
		case DISK:
			set_disk(p, c, v);
			break;
		case NET:
			set_net(p, c, k, v);
			break;
		case MOUNTS:
			mounts = v; /* after the whole mapping: checked against the disk */
			break;
		case STDIN: {
			bool on = false;
			get_bool(p, "stdin", v, &on);
			c->stdin_attached = on;
			break;
		}
		case CALLBACK_OUT:
			/* The cVM named may come later in the file: check_references resolves it. */
			c->callback_out = get_string(p, "callback_out", v, false);
			c->callback_out_mark = mark_of(v);
			break;
		case CALLBACK_IN:
			/* The original's server side of the pairing; callback_out alone decides it. */
			c->callback_in = get_string(p, "callback_in", v, false);
			pwarn(p, mark_of(k), "'callback_in' has no effect: the binding is made by "
			      "callback_out on the client");
			break;
		case WAIT:
			set_wait(p, c, v);
			break;
		case CLEAN_ROOM:
			get_bool(p, "clean_room", v, &c->clean_room);
			later(p, k);
			break;
		case ISOLATION:
			set_isolation(p, c, v);
			break;
		case ABI:
			set_abi(p, c, v);
			break;
		case LIMITS:
			set_limits(p, c, v);
			break;
		}
	}
	if (mounts)
		set_mounts(p, c, mounts);
	if (!seen[NAME])
		perr(p, c->mark, "this cVM has no 'name'");
	if (!seen[RUNTIME])
		perr(p, c->mark, "cVM %s has no 'runtime' (the .wasm to run)",
		     c->name ? show_str(buf, c->name, strlen(c->name)) : "without a name");
	if (!c->argv && c->name && (c->argv = new_vec(p, 1, &c->argc)))
		c->argv[0] = dup_mem(p, c->name, strlen(c->name));
	if (!c->env)
		c->env = new_vec(p, 0, &c->envc);
}

/*
 * The cVMs an allow-list names may be defined in a later document, so each name is only
 * recorded in p->refs here and checked by check_references.
 */
static void set_allow(struct parser *p, struct cfg_capfile *f, const yaml_node_t *v)
{
	char buf[SHOW_BUF];
	struct entry *e;
	size_t n, m = 0;

	if (v->type != YAML_SEQUENCE_NODE) {
		perr(p, mark_of(v), "'allow' must be a sequence of cVM names, got %s", show(buf, v));
		return;
	}
	n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	f->allow = calloc(n + 1, sizeof *f->allow);
	e = calloc(n ? n : 1, sizeof *e);
	if (!f->allow || !e) {
		free(e);
		oom(p);
		return;
	}
	/* Names are packed, so a refused item leaves no hole before the terminating NULL. */
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *item = node(p, v->data.sequence.items.start[i]);
		char *s = get_string(p, "allow", item, false);

		if (s) {
			f->allow[m] = s;
			e[m] = (struct entry){ .s = s, .len = strlen(s), .idx = m,
					       .mark = mark_of(item) };
			m++;
		}
	}
	find_duplicates(e, m);
	for (size_t i = 0; i < m; i++) {
		struct ref *refs;

		if (e[i].dup) {
			perr(p, e[i].mark, "duplicate cVM %s in 'allow' (first at %u:%u)",
			     show_str(buf, e[i].s, e[i].len), e[i].first.line, e[i].first.col);
			continue;
		}
		if (!(refs = grow(p, p->refs, &p->ref_cap, p->nrefs, sizeof *refs)))
			break;
		p->refs = refs;
		refs[p->nrefs++] = (struct ref){ .name = e[i].s, .mark = e[i].mark, .what = "allow" };
	}
	free(e);
}

static void parse_capfile(struct parser *p, const yaml_node_t *n)
{
	enum { NAME, SIZE, DATA, ALLOW, NKEYS };
	static const char *const keys[NKEYS] = { "name", "size", "data", "allow" };
	const yaml_node_t *seen[NKEYS] = { 0 }, *data = NULL;
	struct config *cfg = p->cfg;
	struct cfg_capfile *f, *files;
	char buf[SHOW_BUF];

	if (n->type != YAML_MAPPING_NODE) {
		perr(p, mark_of(n), "a capfile must be a mapping ('- name: ...'), got %s",
		     show(buf, n));
		return;
	}
	if (!(files = grow(p, cfg->capfiles, &p->capfile_cap, cfg->ncapfiles, sizeof *files)))
		return;
	cfg->capfiles = files;
	f = &files[cfg->ncapfiles++];
	*f = (struct cfg_capfile){ .mark = mark_of(n) };
	for (yaml_node_pair_t *pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top;
	     pair++) {
		const yaml_node_t *v = node(p, pair->value);

		switch (key_index(p, node(p, pair->key), keys, NKEYS, seen, "in a capfile")) {
		case NAME:
			f->name = get_name(p, v);
			break;
		case SIZE:
			if (get_u64(p, "size", v, &f->size) != 0)
				break;
			if (f->size == 0 || f->size > CFG_MAX_MEMORY)
				perr(p, mark_of(v), "a capfile's 'size' must be between 1 and 4 GiB, "
				     "got %s", show(buf, v));
			break;
		case DATA:
			if (v->type != YAML_SCALAR_NODE) {
				perr(p, mark_of(v), "'data' must be a string, got %s", show(buf, v));
				break;
			}
			data = v;
			f->data_len = v->data.scalar.length;
			f->data = dup_mem(p, sval(v), f->data_len);
			break;
		case ALLOW:
			set_allow(p, f, v);
			break;
		}
	}
	if (!seen[NAME])
		perr(p, f->mark, "this capfile has no 'name'");
	if (!seen[SIZE])
		perr(p, f->mark, "capfile %s has no 'size'",
		     f->name ? show_str(buf, f->name, strlen(f->name)) : "without a name");
	else if (data && f->size && f->data_len > f->size)
		perr(p, mark_of(data), "'data' is %zu bytes but the capfile's 'size' is only %llu",
		     f->data_len, (unsigned long long)f->size);
}

/* Records a cVM a stream names, for check_references. */
static void add_ref(struct parser *p, const char *name, struct cfg_mark mark, const char *what)
{
	struct ref *refs = grow(p, p->refs, &p->ref_cap, p->nrefs, sizeof *refs);

	if (!refs)
		return;
	p->refs = refs;
	refs[p->nrefs++] = (struct ref){ .name = name, .mark = mark, .what = what };
}

/* A descriptor a stream end is bound to: stdin, stdout, stderr, or a number. */
static int get_fd(struct parser *p, const char *list, const yaml_node_t *v)
{
	char buf[SHOW_BUF];
	uint64_t fd;
	bool readers = !strcmp(list, "readers");

	if (is_scalar(v, "stdin"))
		fd = 0;
	else if (is_scalar(v, "stdout"))
		fd = 1;
	else if (is_scalar(v, "stderr"))
		fd = 2;
	else if (v->type != YAML_SCALAR_NODE || get_u64(p, "fd", v, &fd) != 0)
		return -1;
	if (fd >= IV_FDS_MAX) {
		perr(p, mark_of(v), "'fd' must be stdin, stdout, stderr or a number below %d, got %s",
		     IV_FDS_MAX, show(buf, v));
		return -1;
	}
	/* A reader reads: stdin or its own number; a writer writes: stdout, stderr or a number. */
	if (readers ? fd == 1 || fd == 2 : fd == 0) {
		perr(p, mark_of(v), "%s cannot be bound to %s: it is the %s end",
		     readers ? "a reader" : "a writer", show(buf, v),
		     readers ? "read" : "write");
		return -1;
	}
	return (int)fd;
}

/* One item of readers or writers: a cVM name, or a mapping of cvm and fd. */
static void set_stream_end(struct parser *p, const char *list, struct cfg_stream_end *e,
			   const yaml_node_t *v)
{
	enum { CVM, FD, NKEYS };
	static const char *const keys[NKEYS] = { "cvm", "fd" };
	const yaml_node_t *seen[NKEYS] = { 0 }, *name = v;
	char buf[SHOW_BUF];

	e->fd = -1;
	e->mark = mark_of(v);
	if (v->type == YAML_MAPPING_NODE) {
		name = NULL;
		for (yaml_node_pair_t *pair = v->data.mapping.pairs.start;
		     pair < v->data.mapping.pairs.top; pair++) {
			const yaml_node_t *val = node(p, pair->value);

			switch (key_index(p, node(p, pair->key), keys, NKEYS, seen,
					  "in a stream's reader or writer")) {
			case CVM:
				name = val;
				break;
			case FD:
				e->fd = get_fd(p, list, val);
				break;
			}
		}
		if (!name) {
			perr(p, mark_of(v), "this item of '%s' has no 'cvm'", list);
			return;
		}
	} else if (v->type != YAML_SCALAR_NODE) {
		perr(p, mark_of(v), "each item of '%s' must be a cVM name or a mapping of cvm and "
		     "fd, got %s", list, show(buf, v));
		return;
	}
	e->cvm = get_string(p, name == v ? list : "cvm", name, false);
	e->mark = mark_of(name);
}

static void set_stream_ends(struct parser *p, struct cfg_stream *st, int end, const char *list,
			    const yaml_node_t *v)
{
	char buf[SHOW_BUF];
	struct entry *e;
	size_t n, m = 0;

	if (v->type != YAML_SEQUENCE_NODE) {
		perr(p, mark_of(v), "'%s' must be a sequence of cVMs, got %s", list, show(buf, v));
		return;
	}
	n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	st->ends[end] = calloc(n ? n : 1, sizeof *st->ends[end]);
	e = calloc(n ? n : 1, sizeof *e);
	if (!st->ends[end] || !e) {
		free(e);
		oom(p);
		return;
	}
	st->nends[end] = n;
	for (size_t i = 0; i < n; i++) {
		struct cfg_stream_end *se = &st->ends[end][i];

		set_stream_end(p, list, se, node(p, v->data.sequence.items.start[i]));
		if (se->cvm)
			e[m++] = (struct entry){ .s = se->cvm, .len = strlen(se->cvm), .idx = i,
						 .mark = se->mark };
	}
	find_duplicates(e, m);
	for (size_t i = 0; i < m; i++) {
		if (e[i].dup)
			perr(p, e[i].mark, "duplicate cVM %s in '%s' (first at %u:%u)",
			     show_str(buf, e[i].s, e[i].len), list, e[i].first.line, e[i].first.col);
		else
			add_ref(p, e[i].s, e[i].mark, list);
	}
	free(e);
}

static void parse_stream(struct parser *p, const yaml_node_t *n)
{
	enum { NAME, CAPACITY, MODE, WRITERS, READERS, NKEYS };
	static const char *const keys[NKEYS] = { "name", "capacity", "mode", "writers",
						  "readers" };
	const yaml_node_t *seen[NKEYS] = { 0 };
	struct config *cfg = p->cfg;
	struct cfg_stream *st, *streams;
	char buf[SHOW_BUF];
	uint64_t x;

	if (n->type != YAML_MAPPING_NODE) {
		perr(p, mark_of(n), "a stream must be a mapping ('- name: ...'), got %s",
		     show(buf, n));
		return;
	}
	if (!(streams = grow(p, cfg->streams, &p->stream_cap, cfg->nstreams, sizeof *streams)))
		return;
	cfg->streams = streams;
	st = &streams[cfg->nstreams++];
	*st = (struct cfg_stream){ .mark = mark_of(n) };
	for (yaml_node_pair_t *pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top;
	     pair++) {
		const yaml_node_t *v = node(p, pair->value);

		switch (key_index(p, node(p, pair->key), keys, NKEYS, seen, "in a stream")) {
		case NAME:
			st->name = get_name(p, v);
			break;
		case CAPACITY:
			if (get_u64(p, "capacity", v, &x) != 0)
				break;
			if (x < IV_STREAM_CAPACITY_MIN || x > IV_STREAM_CAPACITY_MAX)
				perr(p, mark_of(v), "'capacity' must be between %u bytes and %u MiB, "
				     "got %s", IV_STREAM_CAPACITY_MIN, IV_STREAM_CAPACITY_MAX >> 20,
				     show(buf, v));
			else
				st->capacity = (uint32_t)x;
			break;
		case MODE:
			if (is_scalar(v, "message"))
				st->message = true;
			else if (!is_scalar(v, "byte"))
				perr(p, mark_of(v), "'mode' must be byte or message, got %s",
				     show(buf, v));
			break;
		case WRITERS:
			set_stream_ends(p, st, IV_STREAM_WRITE, "writers", v);
			break;
		case READERS:
			set_stream_ends(p, st, IV_STREAM_READ, "readers", v);
			break;
		}
	}
	if (!seen[NAME])
		perr(p, st->mark, "this stream has no 'name'");
}

static void parse_list(struct parser *p, const char *key, const yaml_node_t *v,
		       void (*each)(struct parser *, const yaml_node_t *))
{
	char buf[SHOW_BUF];

	if (is_null(v))
		return;
	if (v->type != YAML_SEQUENCE_NODE) {
		perr(p, mark_of(v), "'%s' must be a sequence of mappings ('- name: ...'), got %s",
		     key, show(buf, v));
		return;
	}
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	     it++)
		each(p, node(p, *it));
}

/*
 * The document API turns an alias into a second reference to the anchored node, so a node
 * referenced twice (or the root referenced at all) betrays one. Refusing them also rules out
 * the cycles that `&a [*a]` builds, and the blow-up of aliases to aliases.
 */
static bool has_aliases(struct parser *p)
{
	size_t n = (size_t)(p->doc->nodes.top - p->doc->nodes.start);
	unsigned char *refs = calloc(n + 1, 1);
	bool found = false;

	if (!refs) {
		oom(p);
		return true;
	}
	for (const yaml_node_t *nd = p->doc->nodes.start; nd < p->doc->nodes.top; nd++) {
		if (nd->type == YAML_SEQUENCE_NODE) {
			for (yaml_node_item_t *it = nd->data.sequence.items.start;
			     it < nd->data.sequence.items.top; it++)
				refs[*it] += refs[*it] < 2;
		} else if (nd->type == YAML_MAPPING_NODE) {
			for (yaml_node_pair_t *pr = nd->data.mapping.pairs.start;
			     pr < nd->data.mapping.pairs.top; pr++) {
				refs[pr->key] += refs[pr->key] < 2;
				refs[pr->value] += refs[pr->value] < 2;
			}
		}
	}
	for (size_t id = 1; id <= n; id++) {
		if (refs[id] > (id == 1 ? 0 : 1)) {
			perr(p, mark_of(node(p, (yaml_node_item_t)id)),
			     "anchors and aliases are not supported; this value is reused by an alias");
			found = true;
		}
	}
	free(refs);
	return found;
}

static void parse_document(struct parser *p)
{
	enum { CVMS, CAPFILES, STREAMS, NKEYS };
	static const char *const keys[NKEYS] = { "cVMs", "capfiles", "streams" };
	const yaml_node_t *root = yaml_document_get_root_node(p->doc), *seen[NKEYS] = { 0 };
	char buf[SHOW_BUF];

	if (is_null(root) || has_aliases(p))
		return;
	if (root->type != YAML_MAPPING_NODE) {
		perr(p, mark_of(root), "the top level must be a mapping with 'cVMs:', 'capfiles:' "
		     "and 'streams:', got %s", show(buf, root));
		return;
	}
	for (yaml_node_pair_t *pair = root->data.mapping.pairs.start;
	     pair < root->data.mapping.pairs.top; pair++) {
		const yaml_node_t *k = node(p, pair->key), *v = node(p, pair->value);

		switch (key_index(p, k, keys, NKEYS, seen, "at the top level")) {
		case CVMS:
			parse_list(p, "cVMs", v, parse_cvm);
			break;
		case CAPFILES:
			parse_list(p, "capfiles", v, parse_capfile);
			break;
		case STREAMS:
			parse_list(p, "streams", v, parse_stream);
			break;
		}
	}
}

/* Reader errors carry a byte offset instead of a mark; libyaml counts columns in characters. */
static struct cfg_mark offset_mark(const char *text, size_t len, size_t off)
{
	struct cfg_mark m = { 1, 1 };

	for (size_t i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			m.line++;
			m.col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			m.col++;
		}
	}
	return m;
}

static void syntax_error(struct parser *p, const yaml_parser_t *yp, const char *text, size_t len)
{
	struct cfg_mark m = { (unsigned)yp->problem_mark.line + 1,
			      (unsigned)yp->problem_mark.column + 1 };

	if (yp->error == YAML_MEMORY_ERROR) {
		oom(p);
		return;
	}
	if (yp->error == YAML_READER_ERROR)
		m = offset_mark(text, len, yp->problem_offset);
	if (yp->context)
		perr(p, m, "YAML syntax error: %s (%s at %u:%u)", yp->problem, yp->context,
		     (unsigned)yp->context_mark.line + 1, (unsigned)yp->context_mark.column + 1);
	else
		perr(p, m, "YAML syntax error: %s", yp->problem);
}

/*
 * Stream names are unique; and a descriptor of a cVM is bound to one stream end at most
 * (the key "cvm/fd" stands for the binding).
 */
static void check_stream_names(struct parser *p)
{
	const struct config *cfg = p->cfg;
	size_t n = cfg->nstreams, nb = 0, m = 0;
	struct entry *e;
	char **keys;

	for (size_t i = 0; i < n; i++)
		nb += cfg->streams[i].nends[0] + cfg->streams[i].nends[1];
	e = calloc((n > nb ? n : nb) + 1, sizeof *e);
	keys = calloc(nb + 1, sizeof *keys);
	if (!e || !keys) {
		free(e);
		free(keys);
		oom(p);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (cfg->streams[i].name)
			e[m++] = (struct entry){ .s = cfg->streams[i].name, .idx = i,
						 .len = strlen(cfg->streams[i].name),
						 .mark = cfg->streams[i].mark };
	report_duplicates(p, e, m, "stream name");
	m = 0;
	for (size_t i = 0; i < n; i++) {
		for (int end = 0; end < 2; end++) {
			for (size_t j = 0; j < cfg->streams[i].nends[end]; j++) {
				const struct cfg_stream_end *se = &cfg->streams[i].ends[end][j];
				size_t len;

				if (!se->cvm || se->fd < 0)
					continue;
				len = strlen(se->cvm) + 8;
				if (!(keys[m] = malloc(len))) {
					oom(p);
					goto out;
				}
				snprintf(keys[m], len, "%s/%d", se->cvm, se->fd);
				/* Ordered by position, so the first in the file is reported as first. */
				e[m] = (struct entry){ .s = keys[m], .len = strlen(keys[m]),
						       .idx = (size_t)se->mark.line << 16 | se->mark.col,
						       .mark = se->mark };
				m++;
			}
		}
	}
	report_duplicates(p, e, m, "binding of a descriptor (cVM/fd)");
out:
	for (size_t i = 0; i < m; i++)
		free(keys[i]);
	free(keys);
	free(e);
}

static void check_unique_names(struct parser *p)
{
	const struct config *cfg = p->cfg;
	size_t n = cfg->ncvms > cfg->ncapfiles ? cfg->ncvms : cfg->ncapfiles, m = 0;
	struct entry *e = calloc(n ? n : 1, sizeof *e);

	if (!e) {
		oom(p);
		return;
	}
	for (size_t i = 0; i < cfg->ncvms; i++)
		if (cfg->cvms[i].name)
			e[m++] = (struct entry){ .s = cfg->cvms[i].name, .idx = i,
						 .len = strlen(cfg->cvms[i].name),
						 .mark = cfg->cvms[i].mark };
	report_duplicates(p, e, m, "cVM name");
	m = 0;
	for (size_t i = 0; i < cfg->ncapfiles; i++)
		if (cfg->capfiles[i].name)
			e[m++] = (struct entry){ .s = cfg->capfiles[i].name, .idx = i,
						 .len = strlen(cfg->capfiles[i].name),
						 .mark = cfg->capfiles[i].mark };
	report_duplicates(p, e, m, "capfile name");
	free(e);
	check_stream_names(p);
}

/* The first cVM named s in the name-sorted index idx, or NO_CVM. */
static size_t find_cvm(const struct entry *idx, size_t n, const char *s)
{
	/* idx 0 sorts first among equal names, so the search lands on the first of them. */
	struct entry key = { .s = s, .len = strlen(s) };
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_by_name(&idx[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && idx[lo].len == key.len && memcmp(idx[lo].s, s, key.len) == 0)
		return idx[lo].idx;
	return NO_CVM;
}

/* Reports the cycle through first, which is its earliest cVM in the file. */
static void report_cycle(struct parser *p, const size_t *to, size_t first)
{
	const struct cfg_cvm *cvms = p->cfg->cvms;
	char list[(CYCLE_SHOW + 1) * (CFG_NAME_MAX + 4) + 32];
	size_t len = 1, o = 0, k = 0, j = first;

	for (size_t i = to[first]; i != first; i = to[i])
		len++;
	do {
		if (len <= CYCLE_SHOW || k < CYCLE_SHOW - 1)
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s -> ", cvms[j].name);
		else if (k == CYCLE_SHOW - 1)
			o += (size_t)snprintf(list + o, sizeof(list) - o, "... -> ");
		j = to[j];
		k++;
	} while (j != first);
	o += (size_t)snprintf(list + o, sizeof(list) - o, "%s", cvms[first].name);
	if (len > CYCLE_SHOW)
		snprintf(list + o, sizeof(list) - o, " (%zu cVMs)", len);
	perr(p, cvms[first].callback_out_mark,
	     "callback_out links form a cycle: %s; a chain must end at the monitor", list);
}

/*
 * Each cVM has at most one callback_out, so following the links from every cVM in turn finds
 * each cycle exactly once, on the first walk that enters it: linear in the number of cVMs.
 */
static void report_cycles(struct parser *p, const size_t *to, size_t n)
{
	size_t *walk = calloc(n ? n : 1, sizeof *walk);

	if (!walk) {
		oom(p);
		return;
	}
	for (size_t s = 0; s < n; s++) {
		size_t i = s, first;

		while (i != NO_CVM && !walk[i]) {
			walk[i] = s + 1;
			i = to[i];
		}
		/* The walk ended at the monitor, or joined an earlier walk already examined. */
		if (i == NO_CVM || walk[i] != s + 1)
			continue;
		first = i;
		for (size_t j = to[i]; j != i; j = to[j])
			if (j < first)
				first = j;
		report_cycle(p, to, first);
	}
	free(walk);
}

/* Resolves the cVM names that callback_out and capfile allow-lists use. */
static void check_references(struct parser *p)
{
	const struct config *cfg = p->cfg;
	size_t n = cfg->ncvms, m = 0;
	struct entry *idx = calloc(n ? n : 1, sizeof *idx);
	size_t *to = calloc(n ? n : 1, sizeof *to);
	char buf[SHOW_BUF];

	if (!idx || !to) {
		free(idx);
		free(to);
		oom(p);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (cfg->cvms[i].name)
			idx[m++] = (struct entry){ .s = cfg->cvms[i].name, .idx = i,
						   .len = strlen(cfg->cvms[i].name) };
	qsort(idx, m, sizeof *idx, cmp_by_name);
	for (size_t i = 0; i < n; i++) {
		const struct cfg_cvm *c = &cfg->cvms[i];
		size_t j;

		to[i] = NO_CVM;
		if (!c->callback_out || strcmp(c->callback_out, "monitor") == 0)
			continue;
		j = find_cvm(idx, m, c->callback_out);
		if (j == NO_CVM)
			perr(p, c->callback_out_mark, "'callback_out' names an unknown cVM %s; use "
			     "'monitor' or the name of a cVM in this file",
			     show_str(buf, c->callback_out, strlen(c->callback_out)));
		else if (j == i) /* not linked, so it is not reported again as a cycle */
			perr(p, c->callback_out_mark, "cVM %s cannot be its own 'callback_out'",
			     show_str(buf, c->name, strlen(c->name)));
		else
			to[i] = j;
	}
	for (size_t i = 0; i < p->nrefs; i++)
		if (find_cvm(idx, m, p->refs[i].name) == NO_CVM)
			perr(p, p->refs[i].mark, "'%s' names an unknown cVM %s", p->refs[i].what,
			     show_str(buf, p->refs[i].name, strlen(p->refs[i].name)));
	report_cycles(p, to, n);
	free(idx);
	free(to);
}

/*
 * A posix cVM's descriptors from 3 up are its pre-opened folders (the disk, then its mounts)
 * and then its listening sockets: a stream bound to one of those numbers would collide.
 */
static void check_stream_fds(struct parser *p)
{
	const struct config *cfg = p->cfg;

	for (size_t i = 0; i < cfg->nstreams; i++)
		for (int end = 0; end < 2; end++)
			for (size_t j = 0; j < cfg->streams[i].nends[end]; j++) {
				const struct cfg_stream_end *e = &cfg->streams[i].ends[end][j];

				for (size_t k = 0; k < cfg->ncvms; k++) {
					const struct cfg_cvm *c = &cfg->cvms[k];
					size_t taken = (c->disk ? 1 : 0) + c->nmounts + c->net.nlisten;

					if (!c->name || !e->cvm || strcmp(c->name, e->cvm) || e->fd < 3 ||
					    (size_t)e->fd >= 3 + taken)
						continue;
					perr(p, e->mark, "fd %d of cVM %s is taken: descriptors 3 to %zu "
					     "are its disk, mounts and listening sockets", e->fd, c->name,
					     2 + taken);
				}
			}
}

/* The monitor's stdin can go to one cVM only. */
static void check_stdin(struct parser *p)
{
	const struct cfg_cvm *first = NULL;

	for (size_t i = 0; i < p->cfg->ncvms; i++) {
		const struct cfg_cvm *c = &p->cfg->cvms[i];

		if (c->stdin_attached != 1)
			continue;
		if (first)
			perr(p, c->mark, "cVM %s asks for stdin, which cVM %s has already",
			     c->name ? c->name : "?", first->name ? first->name : "?");
		else
			first = c;
	}
}

int cfg_load_buffer(const char *name, const char *dir, const char *text, size_t len,
		    struct config **out, FILE *err)
{
	struct parser p = { .name = name, .err = err };
	bool complete = true;
	yaml_parser_t yp;

	*out = NULL;
	if (len > CFG_MAX_FILE) {
		fprintf(err, "%s: the configuration is larger than 1 MiB; refusing it\n", name);
		return -1;
	}
	p.cfg = calloc(1, sizeof *p.cfg);
	if (!p.cfg || !(p.cfg->path = strdup(name)) || !(p.cfg->dir = strdup(dir ? dir : "."))) {
		oom(&p);
		cfg_free(p.cfg);
		return -1;
	}
	if (!yaml_parser_initialize(&yp)) {
		oom(&p);
		cfg_free(p.cfg);
		return -1;
	}
	yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
	for (;;) {
		yaml_document_t doc;

		if (!yaml_parser_load(&yp, &doc)) {
			syntax_error(&p, &yp, text, len);
			complete = false;
			break;
		}
		if (!yaml_document_get_root_node(&doc)) {
			yaml_document_delete(&doc);
			break;
		}
		p.doc = &doc;
		parse_document(&p);
		p.doc = NULL;
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&yp);
	check_unique_names(&p);
	/* Past a syntax error, cVMs defined further on are unknown: every name would look wrong. */
	if (complete)
		check_references(&p);
	check_stream_fds(&p);
	check_stdin(&p);
	free(p.refs);
	/* Any other error already refuses the file; this one would only repeat it. */
	if (p.cfg->ncvms == 0 && p.nerrors == 0)
		perr(&p, (struct cfg_mark){ 1, 1 }, "no cVMs defined (the file needs a 'cVMs:' list)");
	if (p.nerrors) {
		cfg_free(p.cfg);
		return -1;
	}
	*out = p.cfg;
	return 0;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

int cfg_load(const char *path, struct config **out, FILE *err)
{
	char *buf = NULL, *dir = NULL;
	size_t len;
	FILE *f;
	int rc = -1;

	*out = NULL;
	f = fopen(path, "rb");
	if (!f) {
		fprintf(err, "%s: cannot open: %s\n", path, strerror(errno));
		return -1;
	}
	/* One byte more than allowed tells an oversized file from one exactly at the limit. */
	buf = malloc(CFG_MAX_FILE + 1);
	if (!buf || !(dir = dir_of(path))) {
		fprintf(err, "%s: out of memory\n", path);
		goto out;
	}
	len = fread(buf, 1, CFG_MAX_FILE + 1, f);
	if (ferror(f)) {
		fprintf(err, "%s: cannot read: %s\n", path, strerror(errno));
		goto out;
	}
	rc = cfg_load_buffer(path, dir, buf, len, out, err);
out:
	fclose(f);
	free(buf);
	free(dir);
	return rc;
}

void cfg_report(const struct config *cfg, struct cfg_mark mark, FILE *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(cfg->path, mark, err, "", fmt, ap);
	va_end(ap);
}

static void free_vec(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void cfg_free(struct config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->ncvms; i++) {
		struct cfg_cvm *c = &cfg->cvms[i];

		free(c->name);
		free(c->runtime);
		free_vec(c->argv, c->argc);
		free_vec(c->env, c->envc);
		free(c->disk);
		for (size_t j = 0; j < c->nmounts; j++) {
			free(c->mounts[j].host);
			free(c->mounts[j].guest);
		}
		free(c->mounts);
		for (size_t j = 0; j < c->net.nlisten; j++) {
			free(c->net.listen[j].host);
			free(c->net.listen[j].text);
		}
		free(c->net.listen);
		for (size_t j = 0; j < c->net.nconnect; j++) {
			free(c->net.connect[j].host);
			free(c->net.connect[j].text);
		}
		free(c->net.connect);
		free(c->callback_out);
		free(c->callback_in);
	}
	free(cfg->cvms);
	for (size_t i = 0; i < cfg->ncapfiles; i++) {
		char **allow = cfg->capfiles[i].allow;

		free(cfg->capfiles[i].name);
		free(cfg->capfiles[i].data);
		for (size_t j = 0; allow && allow[j]; j++)
			free(allow[j]);
		free(allow);
	}
	free(cfg->capfiles);
	for (size_t i = 0; i < cfg->nstreams; i++) {
		for (int end = 0; end < 2; end++) {
			for (size_t j = 0; j < cfg->streams[i].nends[end]; j++)
				free(cfg->streams[i].ends[end][j].cvm);
			free(cfg->streams[i].ends[end]);
		}
		free(cfg->streams[i].name);
	}
	free(cfg->streams);
	free(cfg->path);
	free(cfg->dir);
	free(cfg);
}
