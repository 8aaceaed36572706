/* kvstore: a key-value server speaking a subset of Redis's RESP, poll()-driven, logged to disk. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_CLIENTS 1024
#define READ_CHUNK 16384
#define MAX_BULK (8u << 20)      /* the longest argument (key or value) */
#define MAX_ARGS 65536           /* the most arguments in one command */
#define MAX_LINE 65536           /* the longest inline command or RESP header line */
#define MAX_QUERY (32u << 20)    /* input a client may have buffered without a whole command */
#define OUT_HIGH (1u << 20)      /* past this many unsent reply bytes, a client's input waits */
#define REWRITE_MIN (1u << 20)   /* the log is rewritten past this size and twice its last size */
#define LOG_NAME "appendonly.aof"

/* WASI has no signals; on Linux a send to a closed peer must not raise SIGPIPE. */
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

struct buf {
	char *data;
	size_t len, cap;
};

struct arg {
	const char *p;
	size_t len;
};

struct client {
	int fd;
	bool closing;   /* QUIT, a protocol error or the peer's FIN: close once replies are sent */
	bool stalled;   /* commands wait in the input until the replies drain below OUT_HIGH */
	struct buf in, out;
	size_t out_off;
};

struct entry {
	struct entry *next;
	uint32_t hash;
	size_t klen, vlen;
	char *val;
	char key[];
};

struct command {
	const char *name;
	int arity;      /* the argument count with the name; negative: at least that many */
	void (*run)(struct client *c, int argc, const struct arg *argv);
};

static struct {
	struct entry **buckets;
	size_t nbuckets, count;
} db;

static struct client *clients[MAX_CLIENTS];
static int nclients;
static struct arg *args;                /* the command being parsed or run */
static size_t nargs_cap;
static struct buf logbuf;               /* records of this round's changes, not yet written */
static int logfd = -1;
static off_t log_size, log_base;        /* the log's size, and its size after the last rewrite */
static char *log_path, *tmp_path, *data_dir;
static bool shutdown_requested;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("kvstore: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

/* ---- buffers ---- */

static void buf_reserve(struct buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 256;

	if (b->len + more <= b->cap)
		return;
	while (cap < b->len + more)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

static void buf_add(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list again;
	int n;

	va_copy(again, ap);
	buf_reserve(b, 64);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	if ((size_t)n >= b->cap - b->len) {
		buf_reserve(b, (size_t)n + 1);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
	}
	va_end(again);
	b->len += (size_t)n;
}

static void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

/* Drops the first n bytes. */
static void buf_consume(struct buf *b, size_t n)
{
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

/* Appends a command as a RESP array of bulk strings. */
static void buf_add_command(struct buf *b, int argc, const struct arg *argv)
{
	buf_printf(b, "*%d\r\n", argc);
	for (int i = 0; i < argc; i++) {
		buf_printf(b, "$%zu\r\n", argv[i].len);
		buf_add(b, argv[i].p, argv[i].len);
		buf_add(b, "\r\n", 2);
	}
}

/* ---- the keys ---- */

static uint32_t hash_key(const char *k, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)k[i]) * 16777619u;
	return h;
}

/* The link that points at key's entry, or the NULL link ending its bucket. */
static struct entry **db_link(const char *key, size_t klen, uint32_t h)
{
	struct entry **e;

	for (e = &db.buckets[h & (db.nbuckets - 1)]; *e; e = &(*e)->next)
		if ((*e)->hash == h && (*e)->klen == klen && !memcmp((*e)->key, key, klen))
			break;
	return e;
}

static struct entry *db_get(const char *key, size_t klen)
{
	return *db_link(key, klen, hash_key(key, klen));
}

static void db_grow(void)
{
	size_t n = db.nbuckets * 2;
	struct entry **b = xrealloc(NULL, n * sizeof(*b));

	memset(b, 0, n * sizeof(*b));
	for (size_t i = 0; i < db.nbuckets; i++) {
		struct entry *e = db.buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	}
	free(db.buckets);
	db.buckets = b;
	db.nbuckets = n;
}

static void db_set(const char *key, size_t klen, const char *val, size_t vlen)
{
	uint32_t h = hash_key(key, klen);
	struct entry **link = db_link(key, klen, h), *e = *link;

	if (!e) {
		e = xrealloc(NULL, sizeof(*e) + klen);
		e->next = NULL;
		e->hash = h;
		e->klen = klen;
		memcpy(e->key, key, klen);
		e->val = NULL;
		*link = e;
		if (++db.count > db.nbuckets)
			db_grow();
	}
	e->val = xrealloc(e->val, vlen);
	memcpy(e->val, val, vlen);
	e->vlen = vlen;
}

static bool db_del(const char *key, size_t klen)
{
	struct entry **link = db_link(key, klen, hash_key(key, klen)), *e = *link;

	if (!e)
		return false;
	*link = e->next;
	free(e->val);
	free(e);
	db.count--;
	return true;
}

static void db_flush(void)
{
	for (size_t i = 0; i < db.nbuckets; i++) {
		while (db.buckets[i]) {
			struct entry *e = db.buckets[i];

			db.buckets[i] = e->next;
			free(e->val);
			free(e);
		}
	}
	db.count = 0;
}

/* ---- RESP ---- */

static void args_reserve(size_t n)
{
	if (n > nargs_cap) {
		nargs_cap = n < 16 ? 16 : n;
		args = xrealloc(args, nargs_cap * sizeof(*args));
	}
}

/* A whole decimal number (as Redis takes them: no '+', spaces or leading zeros); false if not. */
static bool parse_ll(const char *p, size_t len, long long *out)
{
	bool neg = len && p[0] == '-';
	unsigned long long v = 0, limit = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
	size_t i = neg;

	if (i >= len || (p[i] == '0' && len > i + 1) || (neg && p[i] == '0'))
		return false;
	for (; i < len; i++) {
		if (p[i] < '0' || p[i] > '9' || v > (limit - (unsigned)(p[i] - '0')) / 10)
			return false;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	*out = neg ? (long long)(0 - v) : (long long)v;
	return true;
}

/* The line at buf (ending in CR LF) as its length without them; -1 if incomplete. */
static long line_length(const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len < MAX_LINE ? len : MAX_LINE);

	if (!nl || nl == buf || nl[-1] != '\r')
		return nl || len >= MAX_LINE ? -2 : -1;
	return nl - 1 - buf;
}

/*
 * Parses one command at buf into args: the bytes it takes, 0 when incomplete, -1 when the
 * input breaks the protocol (*err says how). *argc is 0 for an empty command.
 */
static long parse_command(const char *buf, size_t len, int *argc, const char **err)
{
	long long n, blen;
	long l;
	size_t pos;

	*argc = 0;
	if (buf[0] != '*') { /* an inline command: words separated by spaces */
		const char *nl = memchr(buf, '\n', len), *p = buf, *end;

		if (!nl) {
			*err = "too big inline request";
			return len >= MAX_LINE ? -1 : 0;
		}
		end = nl > buf && nl[-1] == '\r' ? nl - 1 : nl;
		for (;;) {
			const char *w;

			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			if (p == end)
				break;
			w = p;
			while (p < end && *p != ' ' && *p != '\t')
				p++;
			args_reserve((size_t)*argc + 1);
			args[(*argc)++] = (struct arg){w, (size_t)(p - w)};
		}
		return nl + 1 - buf;
	}
	l = line_length(buf, len);
	if (l == -1)
		return 0;
	if (l == -2 || !parse_ll(buf + 1, (size_t)l - 1, &n) || n > MAX_ARGS) {
		*err = "invalid multibulk length";
		return -1;
	}
	pos = (size_t)l + 2;
	if (n <= 0)
		return (long)pos;
	args_reserve((size_t)n);
	for (int i = 0; i < n; i++) {
		if (pos >= len)
			return 0;
		if (buf[pos] != '$') {
			*err = "expected '$'";
			return -1;
		}
		l = line_length(buf + pos, len - pos);
		if (l == -1)
			return 0;
		if (l == -2 || !parse_ll(buf + pos + 1, (size_t)l - 1, &blen) || blen < 0 ||
		    blen > MAX_BULK) {
			*err = "invalid bulk length";
			return -1;
		}
		pos += (size_t)l + 2;
		if (len - pos < (size_t)blen + 2)
			return 0;
		if (buf[pos + blen] != '\r' || buf[pos + blen + 1] != '\n') {
			*err = "bulk string not followed by CR LF";
			return -1;
		}
		args[i] = (struct arg){buf + pos, (size_t)blen};
		pos += (size_t)blen + 2;
	}
	*argc = (int)n;
	return (long)pos;
}

/* ---- replies ---- */

static void reply_raw(struct client *c, const char *s)
{
	buf_add(&c->out, s, strlen(s));
}

static void reply_int(struct client *c, long long v)
{
	buf_printf(&c->out, ":%lld\r\n", v);
}

static void reply_bulk(struct client *c, const char *p, size_t len)
{
	buf_printf(&c->out, "$%zu\r\n", len);
	buf_add(&c->out, p, len);
	buf_add(&c->out, "\r\n", 2);
}

/* An error reply; CR and LF of client-given text in it become spaces. */
static void reply_error(struct client *c, const char *fmt, ...)
{
	size_t start = c->out.len;
	va_list ap;

	buf_add(&c->out, "-", 1);
	va_start(ap, fmt);
	buf_vprintf(&c->out, fmt, ap);
	va_end(ap);
	for (size_t i = start; i < c->out.len; i++)
		if (c->out.data[i] == '\r' || c->out.data[i] == '\n')
			c->out.data[i] = ' ';
	buf_add(&c->out, "\r\n", 2);
}

/* ---- commands ---- */

static void log_command(int argc, const struct arg *argv)
{
	buf_add_command(&logbuf, argc, argv);
}

static void cmd_ping(struct client *c, int argc, const struct arg *argv)
{
	if (argc > 2)
		reply_error(c, "ERR wrong number of arguments for 'ping' command");
	else if (argc == 2)
		reply_bulk(c, argv[1].p, argv[1].len);
	else
		reply_raw(c, "+PONG\r\n");
}

static void cmd_echo(struct client *c, int argc, const struct arg *argv)
{
	(void)argc;
	reply_bulk(c, argv[1].p, argv[1].len);
}

static void cmd_set(struct client *c, int argc, const struct arg *argv)
{
	if (argc != 3) {
		reply_error(c, "ERR syntax error");
		return;
	}
	db_set(argv[1].p, argv[1].len, argv[2].p, argv[2].len);
	log_command(argc, argv);
	reply_raw(c, "+OK\r\n");
}

static void cmd_get(struct client *c, int argc, const struct arg *argv)
{
	struct entry *e = db_get(argv[1].p, argv[1].len);

	(void)argc;
	if (e)
		reply_bulk(c, e->val, e->vlen);
	else
		reply_raw(c, "$-1\r\n");
}

static void cmd_del(struct client *c, int argc, const struct arg *argv)
{
	long long n = 0;

	for (int i = 1; i < argc; i++)
		n += db_del(argv[i].p, argv[i].len);
	if (n)
		log_command(argc, argv);
	reply_int(c, n);
}

static void cmd_exists(struct client *c, int argc, const struct arg *argv)
{
	long long n = 0;

	for (int i = 1; i < argc; i++)
		n += db_get(argv[i].p, argv[i].len) != NULL;
	reply_int(c, n);
}

/* INCR, DECR and INCRBY: adds by to the key's number; the log records the result as a SET. */
static void add_to(struct client *c, const struct arg *key, long long by)
{
	struct entry *e = db_get(key->p, key->len);
	long long v = 0;
	char text[24];
	struct arg set[3] = {{"SET", 3}, *key, {text, 0}};

	if (e && !parse_ll(e->val, e->vlen, &v)) {
		reply_error(c, "ERR value is not an integer or out of range");
		return;
	}
	if ((by > 0 && v > LLONG_MAX - by) || (by < 0 && v < LLONG_MIN - by)) {
		reply_error(c, "ERR increment or decrement would overflow");
		return;
	}
	v += by;
	set[2].len = (size_t)snprintf(text, sizeof(text), "%lld", v);
	db_set(key->p, key->len, text, set[2].len);
	log_command(3, set);
	reply_int(c, v);
}

static void cmd_incr(struct client *c, int argc, const struct arg *argv)
{
	(void)argc;
	add_to(c, &argv[1], 1);
}

static void cmd_decr(struct client *c, int argc, const struct arg *argv)
{
	(void)argc;
	add_to(c, &argv[1], -1);
}

static void cmd_incrby(struct client *c, int argc, const struct arg *argv)
{
	long long by;

	(void)argc;
	if (!parse_ll(argv[2].p, argv[2].len, &by))
		reply_error(c, "ERR value is not an integer or out of range");
	else
		add_to(c, &argv[1], by);
}

/* Glob-style matching as KEYS does it: * ? [abc] [^a-z] and \ escapes. */
static bool glob_match(const char *p, size_t plen, const char *s, size_t slen)
{
	size_t pi = 0, si = 0, star_p = SIZE_MAX, star_s = 0;

	while (si < slen) {
		if (pi < plen && p[pi] == '*') {
			star_p = pi++;
			star_s = si;
			continue;
		}
		if (pi < plen && p[pi] == '[') {
			size_t j = pi + 1;
			bool neg = j < plen && p[j] == '^', hit = false;

			j += neg;
			for (; j < plen && p[j] != ']'; j++) {
				if (p[j] == '\\' && j + 1 < plen) {
					hit |= p[++j] == s[si];
				} else if (j + 2 < plen && p[j + 1] == '-' && p[j + 2] != ']') {
					char lo = p[j] < p[j + 2] ? p[j] : p[j + 2];
					char hi = p[j] < p[j + 2] ? p[j + 2] : p[j];

					hit |= s[si] >= lo && s[si] <= hi;
					j += 2;
				} else {
					hit |= p[j] == s[si];
				}
			}
			if (j < plen && hit != neg) {
				pi = j + 1;
				si++;
				continue;
			}
		} else if (pi < plen) {
			size_t escaped = p[pi] == '\\' && pi + 1 < plen;

			if (p[pi] == '?' || p[pi + escaped] == s[si]) {
				pi += 1 + escaped;
				si++;
				continue;
			}
		}
		/* No match here: the last '*' takes one more character, if there is one. */
		if (star_p == SIZE_MAX)
			return false;
		pi = star_p + 1;
		si = ++star_s;
	}
	while (pi < plen && p[pi] == '*')
		pi++;
	return pi == plen;
}

static void cmd_keys(struct client *c, int argc, const struct arg *argv)
{
	long long n = 0;

	(void)argc;
	for (int pass = 0; pass < 2; pass++) {
		if (pass)
			buf_printf(&c->out, "*%lld\r\n", n);
		for (size_t i = 0; i < db.nbuckets; i++) {
			for (struct entry *e = db.buckets[i]; e; e = e->next) {
				if (!glob_match(argv[1].p, argv[1].len, e->key, e->klen))
					continue;
				if (pass)
					reply_bulk(c, e->key, e->klen);
				else
					n++;
			}
		}
	}
}

static void cmd_dbsize(struct client *c, int argc, const struct arg *argv)
{
	(void)argc, (void)argv;
	reply_int(c, (long long)db.count);
}

static void cmd_flushdb(struct client *c, int argc, const struct arg *argv)
{
	db_flush();
	log_command(argc, argv);
	reply_raw(c, "+OK\r\n");
}

static void cmd_quit(struct client *c, int argc, const struct arg *argv)
{
	(void)argc, (void)argv;
	reply_raw(c, "+OK\r\n");
	c->closing = true;
}

/* Ends the server once this round's changes are in the log (as Redis, without a reply). */
static void cmd_shutdown(struct client *c, int argc, const struct arg *argv)
{
	(void)argc, (void)argv;
	c->closing = true;
	shutdown_requested = true;
}

static const struct command commands[] = {
	{"ping", -1, cmd_ping},
	{"echo", 2, cmd_echo},
	{"set", -3, cmd_set},
	{"get", 2, cmd_get},
	{"del", -2, cmd_del},
	{"exists", -2, cmd_exists},
	{"incr", 2, cmd_incr},
	{"decr", 2, cmd_decr},
	{"incrby", 3, cmd_incrby},
	{"keys", 2, cmd_keys},
	{"dbsize", 1, cmd_dbsize},
	{"flushdb", 1, cmd_flushdb},
	{"quit", 1, cmd_quit},
	{"shutdown", 1, cmd_shutdown},
};

static void execute(struct client *c, int argc, const struct arg *argv)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *cmd = &commands[i];

		if (strlen(cmd->name) != argv[0].len ||
		    strncasecmp(cmd->name, argv[0].p, argv[0].len))
			continue;
		if (cmd->arity > 0 ? argc != cmd->arity : argc < -cmd->arity)
			reply_error(c, "ERR wrong number of arguments for '%s' command", cmd->name);
		else
			cmd->run(c, argc, argv);
		return;
	}
	reply_error(c, "ERR unknown command '%.*s'", argv[0].len > 64 ? 64 : (int)argv[0].len,
		    argv[0].p);
}

/* ---- the log ---- */

static void sync_data_dir(void)
{
	int fd = open(data_dir, O_RDONLY | O_DIRECTORY);

	if (fd < 0 || fsync(fd))
		die("%s: cannot sync the folder: %s", data_dir, strerror(errno));
	close(fd);
}

static void write_all(int fd, const char *p, size_t n, const char *path)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("%s: cannot write: %s", path, w < 0 ? strerror(errno) : "no progress");
		p += w;
		n -= (size_t)w;
	}
}

/*
 * Replaces the log by one SET per key: written to a temporary file, synced, renamed over the
 * log, and the folder synced, so that a crash at any point leaves one whole log.
 */
static void log_rewrite(void)
{
	struct buf b = {NULL, 0, 0};
	int fd = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		die("%s: %s", tmp_path, strerror(errno));
	log_size = 0;
	for (size_t i = 0; i < db.nbuckets; i++) {
		for (struct entry *e = db.buckets[i]; e; e = e->next) {
			struct arg set[3] = {{"SET", 3}, {e->key, e->klen}, {e->val, e->vlen}};

			buf_add_command(&b, 3, set);
			if (b.len >= (1u << 20)) {
				write_all(fd, b.data, b.len, tmp_path);
				log_size += (off_t)b.len;
				b.len = 0;
			}
		}
	}
	write_all(fd, b.data, b.len, tmp_path);
	log_size += (off_t)b.len;
	free(b.data);
	if (fsync(fd))
		die("%s: cannot sync: %s", tmp_path, strerror(errno));
	if (rename(tmp_path, log_path))
		die("cannot rename %s to %s: %s", tmp_path, log_path, strerror(errno));
	sync_data_dir();
	close(logfd);
	logfd = fd;
	log_base = log_size;
}

/* Writes and syncs this round's changes: only then may their replies leave. */
static void log_flush(void)
{
	if (!logbuf.len)
		return;
	write_all(logfd, logbuf.data, logbuf.len, log_path);
	if (fsync(logfd))
		die("%s: cannot sync: %s", log_path, strerror(errno));
	log_size += (off_t)logbuf.len;
	logbuf.len = 0;
	if (log_size >= (off_t)REWRITE_MIN && log_size >= 2 * log_base)
		log_rewrite();
}

/* Replays the log into the keys; a partial last record (a crash while writing) is cut off. */
static void log_load(void)
{
	struct buf b = {NULL, 0, 0};
	size_t pos = 0;
	int fd = open(log_path, O_RDWR | O_CREAT, 0644);
	struct stat st;

	if (fd < 0 || fstat(fd, &st))
		die("%s: %s", log_path, strerror(errno));
	buf_reserve(&b, (size_t)st.st_size);
	for (;;) {
		ssize_t n;

		buf_reserve(&b, READ_CHUNK);
		n = read(fd, b.data + b.len, b.cap - b.len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("%s: cannot read: %s", log_path, strerror(errno));
		if (!n)
			break;
		b.len += (size_t)n;
	}
	while (pos < b.len) {
		const char *err = "not a command";
		int argc;
		long n = -1;

		if (b.data[pos] == '*')
			n = parse_command(b.data + pos, b.len - pos, &argc, &err);

		if (!n) {
			fprintf(stderr, "kvstore: %s: dropping a partial last record (%zu bytes)\n",
				log_path, b.len - pos);
			if (ftruncate(fd, (off_t)pos) || fsync(fd))
				die("%s: cannot cut the partial record: %s", log_path,
				    strerror(errno));
			break;
		}
		if (n > 0 && argc == 3 && args[0].len == 3 && !strncasecmp(args[0].p, "SET", 3)) {
			db_set(args[1].p, args[1].len, args[2].p, args[2].len);
		} else if (n > 0 && argc >= 2 && args[0].len == 3 &&
			   !strncasecmp(args[0].p, "DEL", 3)) {
			for (int i = 1; i < argc; i++)
				db_del(args[i].p, args[i].len);
		} else if (n > 0 && argc == 1 && args[0].len == 7 &&
			   !strncasecmp(args[0].p, "FLUSHDB", 7)) {
			db_flush();
		} else {
			die("%s: corrupt at byte %zu (%s)", log_path, pos,
			    n < 0 ? err : "not SET, DEL or FLUSHDB");
		}
		pos += (size_t)n;
	}
	free(b.data);
	if (lseek(fd, (off_t)pos, SEEK_SET) < 0)
		die("%s: %s", log_path, strerror(errno));
	if (!st.st_size)
		sync_data_dir(); /* the log may be new: its name must last too */
	logfd = fd;
	log_size = log_base = (off_t)pos;
}

/* ---- clients ---- */

static size_t unsent(const struct client *c)
{
	return c->out.len - c->out_off;
}

/* Runs the complete commands in the client's input, until its replies pile up. */
static void client_process(struct client *c)
{
	size_t pos = 0;

	c->stalled = false;
	while (!c->closing && pos < c->in.len) {
		const char *err = NULL;
		int argc;
		long n;

		if (unsent(c) > OUT_HIGH) {
			c->stalled = true;
			break;
		}
		n = parse_command(c->in.data + pos, c->in.len - pos, &argc, &err);
		if (!n) {
			if (c->in.len - pos > MAX_QUERY) {
				reply_error(c, "ERR Protocol error: command too big");
				c->closing = true;
			}
			break;
		}
		if (n < 0) {
			reply_error(c, "ERR Protocol error: %s", err);
			c->closing = true;
			break;
		}
		pos += (size_t)n;
		if (argc)
			execute(c, argc, args);
	}
	buf_consume(&c->in, pos);
}

static void client_close(int i)
{
	struct client *c = clients[i];

	close(c->fd);
	free(c->in.data);
	free(c->out.data);
	free(c);
	clients[i] = clients[--nclients];
}

/* Reads what poll reported and runs the commands; false when the client is gone. */
static bool client_read(int i)
{
	struct client *c = clients[i];
	ssize_t n;

	buf_reserve(&c->in, READ_CHUNK);
	n = recv(c->fd, c->in.data + c->in.len, c->in.cap - c->in.len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return true;
	if (n < 0) {
		client_close(i);
		return false;
	}
	c->in.len += (size_t)n;
	client_process(c);
	if (!n)
		c->closing = true;
	return true;
}

/* Sends replies until done or the socket is full; false when the client is gone. */
static bool client_write(int i)
{
	struct client *c = clients[i];

	while (unsent(c)) {
		ssize_t n = send(c->fd, c->out.data + c->out_off, unsent(c), MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (n < 0) {
			client_close(i);
			return false;
		}
		c->out_off += (size_t)n;
	}
	c->out.len = c->out_off = 0;
	if (c->closing) {
		client_close(i);
		return false;
	}
	return true;
}

static int set_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

static void accept_all(int lfd)
{
	while (nclients < MAX_CLIENTS) {
		int fd = accept(lfd, NULL, NULL), one = 1;
		struct client *c;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				fprintf(stderr, "kvstore: accept: %s\n", strerror(errno));
			return;
		}
		if (set_nonblocking(fd)) {
			fprintf(stderr, "kvstore: cannot take a connection: %s\n", strerror(errno));
			close(fd);
			return;
		}
		/* Replies leave in whole writes: no need to wait for more. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c = xrealloc(NULL, sizeof(*c));
		*c = (struct client){.fd = fd};
		clients[nclients++] = c;
	}
}

/* A listening socket on addr:port (IPv4 or IPv6 literal), non-blocking; exits on failure. */
static int listen_on(const char *addr, const char *port_text)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	} a;
	socklen_t alen;
	char *end;
	long port = strtol(port_text, &end, 10);
	int fd, one = 1;

	memset(&a, 0, sizeof(a));
	if (!*port_text || *end || port < 1 || port > 65535) {
		fprintf(stderr, "kvstore: bad port '%s'\n", port_text);
		exit(2);
	}
	if (inet_pton(AF_INET, addr, &a.in4.sin_addr) == 1) {
		a.in4.sin_family = AF_INET;
		a.in4.sin_port = htons((uint16_t)port);
		alen = sizeof(a.in4);
	} else if (inet_pton(AF_INET6, addr, &a.in6.sin6_addr) == 1) {
		a.in6.sin6_family = AF_INET6;
		a.in6.sin6_port = htons((uint16_t)port);
		alen = sizeof(a.in6);
	} else {
		fprintf(stderr, "kvstore: bad address '%s' (an IPv4 or IPv6 literal)\n", addr);
		exit(2);
	}
	fd = socket(a.sa.sa_family, SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, &a.sa, alen) || listen(fd, 128) || set_nonblocking(fd))
		die("cannot listen on %s port %ld: %s", addr, port, strerror(errno));
	return fd;
}

int main(int argc, char **argv)
{
	static struct pollfd pfds[MAX_CLIENTS + 1];
	size_t dlen;
	int lfd;

	if (argc != 4) {
		fprintf(stderr, "usage: kvstore ADDRESS PORT DATA-FOLDER\n");
		return 2;
	}
	data_dir = argv[3];
	dlen = strlen(data_dir);
	log_path = xrealloc(NULL, dlen + sizeof("/" LOG_NAME ".tmp"));
	tmp_path = xrealloc(NULL, dlen + sizeof("/" LOG_NAME ".tmp"));
	sprintf(log_path, "%s/%s", data_dir, LOG_NAME);
	sprintf(tmp_path, "%s/%s.tmp", data_dir, LOG_NAME);
	db.nbuckets = 64;
	db.buckets = xrealloc(NULL, db.nbuckets * sizeof(*db.buckets));
	memset(db.buckets, 0, db.nbuckets * sizeof(*db.buckets));
	log_load();
	lfd = listen_on(argv[1], argv[2]);
	printf("kvstore: %zu keys from %s, listening on %s port %s\n", db.count, log_path, argv[1],
	       argv[2]);
	fflush(stdout);

	for (;;) {
		int n = 0, ready, count = nclients, timeout = -1;

		for (int i = 0; i < count; i++) {
			struct client *c = clients[i];
			short ev = unsent(c) ? POLLOUT : 0;

			if (!c->closing && !c->stalled)
				ev |= POLLIN;
			if (c->stalled && unsent(c) <= OUT_HIGH)
				timeout = 0;
			/* Without events, fd -1: poll skips it (wasi-libc refuses events 0). */
			pfds[n++] = (struct pollfd){.fd = ev ? c->fd : -1, .events = ev};
		}
		pfds[n++] = (struct pollfd){.fd = nclients < MAX_CLIENTS ? lfd : -1,
					    .events = POLLIN};
		ready = poll(pfds, (nfds_t)n, timeout);
		if (ready < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));

		/* Commands first, last client first (a closed one's slot takes the last one). */
		for (int i = count - 1; i >= 0; i--) {
			struct client *c = clients[i];

			if (ready > 0 && (pfds[i].revents & (POLLERR | POLLNVAL))) {
				client_close(i);
			} else if (ready > 0 && (pfds[i].revents & (POLLIN | POLLHUP)) &&
				   !c->closing && !c->stalled) {
				client_read(i);
			} else if (c->stalled && unsent(c) <= OUT_HIGH) {
				client_process(c);
			}
		}
		if (ready > 0 && (pfds[count].revents & POLLIN))
			accept_all(lfd);
		/* Then the log, and only then the replies. */
		log_flush();
		for (int i = nclients - 1; i >= 0; i--)
			if (unsent(clients[i]) || clients[i]->closing)
				client_write(i);
		if (shutdown_requested) {
			printf("kvstore: shutting down, %zu keys in %s\n", db.count, log_path);
			return 0;
		}
	}
}
