/* httpd: a static-file HTTP/1.1 server (GET, HEAD): one thread, poll(), keep-alive, pipelining. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 1024          /* connections served at once; more wait in the listen queue */
#define IN_SIZE 8192            /* the longest request head (request line and headers) */
#define OUT_SIZE 65536          /* response bytes queued per connection */
/* Free output a response head may need: a Location header echoes the request target. */
#define HEAD_ROOM (IN_SIZE + 1024)
#define BODY_MAX 65536          /* request bodies up to this are read and dropped; longer: 413 */
#define PATH_SIZE 4096
#define IDLE_MS 30000           /* a connection without progress for this long is closed */
#define LINGER_MS 2000          /* after our FIN, how long the peer's leftover input is drained */
#define INDEX "index.html"

/* WASI has no signals; on Linux a send to a closed peer must not raise SIGPIPE. */
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

struct conn {
	int fd;
	bool linger;        /* our FIN is sent: only draining the peer's input until it closes */
	bool eof;           /* the peer sent its FIN */
	bool close_after;   /* the last queued response ends the connection */
	bool broken;        /* a body could not be read: the connection cannot go on */
	int file;           /* the file whose body is being sent, or -1 */
	off_t file_off, body_left;
	off_t skip;         /* request body bytes still to drop */
	long long deadline; /* ms on the monotonic clock */
	size_t in_len, out_off, out_len;
	char in[IN_SIZE];
	char out[OUT_SIZE];
};

/* What the response depends on, from the request head. */
struct request {
	bool head;          /* HEAD: the response has no body */
	bool keep_alive_10; /* HTTP/1.0 with "Connection: keep-alive": answered in kind */
};

static const char *docroot;
static size_t docroot_len;
static struct conn *conns[MAX_CONNS];
static int nconns;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 301: return "Moved Permanently";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	case 505: return "HTTP Version Not Supported";
	default: return "Internal Server Error";
	}
}

/* Errors after which the request stream cannot be trusted: the connection ends. */
static bool status_closes(int status)
{
	return status == 400 || status == 413 || status == 414 || status == 431 || status >= 500;
}

static const char *content_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{"html", "text/html; charset=utf-8"},
		{"htm", "text/html; charset=utf-8"},
		{"css", "text/css; charset=utf-8"},
		{"js", "text/javascript; charset=utf-8"},
		{"txt", "text/plain; charset=utf-8"},
		{"json", "application/json"},
		{"xml", "application/xml"},
		{"svg", "image/svg+xml"},
		{"png", "image/png"},
		{"jpg", "image/jpeg"},
		{"jpeg", "image/jpeg"},
		{"gif", "image/gif"},
		{"ico", "image/x-icon"},
		{"pdf", "application/pdf"},
		{"wasm", "application/wasm"},
	};
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');

	if (dot && (!slash || dot > slash))
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (!strcasecmp(dot + 1, types[i].ext))
				return types[i].type;
	return "application/octet-stream";
}

/* The Date header's value, formatted at most once a second. */
static const char *http_date(void)
{
	static char buf[40];
	static time_t last = -1;
	time_t now = time(NULL);
	struct tm tm;

	if (now != last && gmtime_r(&now, &tm)) {
		strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		last = now;
	}
	return buf;
}

/*
 * Queues a response head. The caller has checked that HEAD_ROOM bytes are free, which
 * every head fits in: extra is at most a Location header echoing part of the request head.
 */
static void queue_head(struct conn *c, const struct request *rq, int status, const char *type,
		       long long length, const char *extra)
{
	const char *connection = "";

	if (c->close_after)
		connection = "Connection: close\r\n";
	else if (rq->keep_alive_10)
		connection = "Connection: keep-alive\r\n";
	c->out_len += (size_t)snprintf(c->out + c->out_len, OUT_SIZE - c->out_len,
				       "HTTP/1.1 %d %s\r\nServer: intravisor-httpd\r\nDate: %s\r\n"
				       "Content-Type: %s\r\nContent-Length: %lld\r\n%s%s\r\n",
				       status, reason(status), http_date(), type, length, extra,
				       connection);
}

/* Queues a complete error (or redirect) response with a short HTML body. */
static void queue_status(struct conn *c, const struct request *rq, int status, const char *extra)
{
	char body[160];
	int n = snprintf(body, sizeof(body),
			 "<!DOCTYPE html>\n<html><head><title>%d %s</title></head>"
			 "<body><h1>%d %s</h1></body></html>\n",
			 status, reason(status), status, reason(status));

	if (status_closes(status))
		c->close_after = true;
	queue_head(c, rq, status, "text/html; charset=utf-8", n, extra);
	if (!rq->head) {
		memcpy(c->out + c->out_len, body, (size_t)n);
		c->out_len += (size_t)n;
	}
}

static int hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static bool has_dotdot_segment(const char *p)
{
	while (*p) {
		const char *seg;

		while (*p == '/')
			p++;
		seg = p;
		while (*p && *p != '/')
			p++;
		if (p - seg == 2 && seg[0] == '.' && seg[1] == '.')
			return true;
	}
	return false;
}

/*
 * Percent-decodes the path of target (up to '?' or '#') into out, NUL-terminated. 0, or the
 * status refusing it: 400 for bad escapes or NUL, 403 for a ".." segment, 414 when too long.
 */
static int decode_path(const char *target, size_t len, char *out, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < len && target[i] != '?' && target[i] != '#'; i++) {
		char ch = target[i];

		if (ch == '%') {
			int hi, lo;

			if (i + 2 >= len || (hi = hex_value(target[i + 1])) < 0 ||
			    (lo = hex_value(target[i + 2])) < 0 || (hi | lo) == 0)
				return 400;
			ch = (char)(hi << 4 | lo);
			i += 2;
		}
		if (n + 1 >= size)
			return 414;
		out[n++] = ch;
	}
	out[n] = '\0';
	return has_dotdot_segment(out) ? 403 : 0;
}

static int errno_status(int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
	case ENAMETOOLONG:
	case ELOOP:
		return 404;
	case EACCES:
	case EPERM:
		return 403;
	default:
		return 500;
	}
}

/* Answers GET or HEAD of target (origin form, or absolute form whose authority is ignored). */
static void serve(struct conn *c, const struct request *rq, const char *target, size_t len)
{
	char path[PATH_SIZE], location[IN_SIZE + 16];
	size_t plen, qlen, skip;
	struct stat st;
	int status, fd;

	skip = len >= 7 && !strncasecmp(target, "http://", 7) ? 7 :
	       len >= 8 && !strncasecmp(target, "https://", 8) ? 8 : 0;
	if (skip) {
		const char *p = memchr(target + skip, '/', len - skip);

		len = p ? len - (size_t)(p - target) : 0;
		target = p;
	}
	if (!len || target[0] != '/') {
		queue_status(c, rq, 400, "");
		return;
	}
	memcpy(path, docroot, docroot_len);
	status = decode_path(target, len, path + docroot_len,
			     sizeof(path) - docroot_len - sizeof(INDEX));
	if (status) {
		queue_status(c, rq, status, "");
		return;
	}
	plen = strlen(path);
	if (stat(path, &st)) {
		queue_status(c, rq, errno_status(errno), "");
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		if (path[plen - 1] != '/') {
			qlen = strcspn(target, "?#");
			if (qlen > len)
				qlen = len;
			snprintf(location, sizeof(location), "Location: %.*s/\r\n", (int)qlen,
				 target);
			queue_status(c, rq, 301, location);
			return;
		}
		memcpy(path + plen, INDEX, sizeof(INDEX));
		if (stat(path, &st)) {
			queue_status(c, rq, errno_status(errno), "");
			return;
		}
	}
	if (!S_ISREG(st.st_mode)) {
		queue_status(c, rq, 403, "");
		return;
	}
	if (rq->head) {
		queue_head(c, rq, 200, content_type(path), (long long)st.st_size, "");
		return;
	}
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		queue_status(c, rq, errno_status(errno), "");
		return;
	}
	queue_head(c, rq, 200, content_type(path), (long long)st.st_size, "");
	if (st.st_size > 0) {
		c->file = fd;
		c->file_off = 0;
		c->body_left = st.st_size;
	} else {
		close(fd);
	}
}

static bool is_tchar(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

/* The next line of [*p, end) without its CR LF (or LF); *p moves past it. */
static size_t next_line(const char **p, const char *end, const char **line)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t len = (size_t)(nl - *p);

	*line = *p;
	*p = nl + 1;
	if (len && (*line)[len - 1] == '\r')
		len--;
	return len;
}

static bool token_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !strncasecmp(s, word, len);
}

/* Looks for "close" and "keep-alive" among the comma-separated tokens of a Connection value. */
static void connection_tokens(const char *v, size_t len, bool *close, bool *keep_alive)
{
	const char *end = v + len;

	while (v < end) {
		const char *t;

		while (v < end && (*v == ',' || *v == ' ' || *v == '\t'))
			v++;
		t = v;
		while (v < end && *v != ',' && *v != ' ' && *v != '\t')
			v++;
		if (token_is(t, (size_t)(v - t), "close"))
			*close = true;
		else if (token_is(t, (size_t)(v - t), "keep-alive"))
			*keep_alive = true;
	}
}

/* A Content-Length value: its digits as a number, or -1 when it is not one. */
static long long parse_length(const char *v, size_t len)
{
	long long n = 0;

	if (!len || len > 15)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		n = n * 10 + (v[i] - '0');
	}
	return n;
}

/* Parses the complete request head in c->in[0 .. len) and queues its response. */
static void handle_request(struct conn *c, size_t len)
{
	const char *p = c->in, *end = c->in + len, *line, *method, *target, *sp;
	struct request rq = {false, false};
	bool v10, close = false, keep_alive = false, chunked = false;
	long long length = -1;
	size_t n, mlen, tlen;
	int hosts = 0;

	/* Request line: METHOD SP TARGET SP HTTP/D.D */
	n = next_line(&p, end, &line);
	method = line;
	for (mlen = 0; mlen < n && is_tchar(line[mlen]); mlen++)
		;
	rq.head = token_is(method, mlen, "HEAD");
	target = line + mlen + 1;
	sp = mlen && mlen < n && line[mlen] == ' ' ? memchr(target, ' ', n - mlen - 1) : NULL;
	if (!sp || sp == target) {
		queue_status(c, &rq, 400, "");
		return;
	}
	tlen = (size_t)(sp - target);
	for (size_t i = 0; i < tlen; i++) {
		if ((unsigned char)target[i] <= ' ' || target[i] == 0x7f) {
			queue_status(c, &rq, 400, "");
			return;
		}
	}
	if ((size_t)(line + n - sp) != 9 || strncmp(sp + 1, "HTTP/", 5) || sp[6] < '0' ||
	    sp[6] > '9' || sp[7] != '.' || sp[8] < '0' || sp[8] > '9') {
		queue_status(c, &rq, 400, "");
		return;
	}
	if (sp[6] != '1') {
		queue_status(c, &rq, 505, "");
		return;
	}
	v10 = sp[8] == '0';

	/* Header fields, up to the empty line. */
	while ((n = next_line(&p, end, &line)) > 0) {
		const char *colon = memchr(line, ':', n), *v;
		size_t vlen;

		if (!colon || colon == line) {
			queue_status(c, &rq, 400, "");
			return;
		}
		for (const char *q = line; q < colon; q++) {
			if (!is_tchar(*q)) { /* also refuses obsolete line folding */
				queue_status(c, &rq, 400, "");
				return;
			}
		}
		v = colon + 1;
		vlen = n - (size_t)(v - line);
		while (vlen && (*v == ' ' || *v == '\t'))
			v++, vlen--;
		while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
			vlen--;
		if (token_is(line, (size_t)(colon - line), "Host")) {
			hosts++;
		} else if (token_is(line, (size_t)(colon - line), "Connection")) {
			connection_tokens(v, vlen, &close, &keep_alive);
		} else if (token_is(line, (size_t)(colon - line), "Transfer-Encoding")) {
			chunked = true;
		} else if (token_is(line, (size_t)(colon - line), "Content-Length")) {
			long long l = parse_length(v, vlen);

			if (l < 0 || (length >= 0 && l != length)) {
				queue_status(c, &rq, 400, "");
				return;
			}
			length = l;
		}
	}

	if (hosts > 1 || (!v10 && hosts == 0)) {
		queue_status(c, &rq, 400, "");
		return;
	}
	if (chunked) {
		queue_status(c, &rq, 501, "");
		return;
	}
	if (length > BODY_MAX) {
		queue_status(c, &rq, 413, "");
		return;
	}
	c->skip = length > 0 ? length : 0;
	if (v10) {
		c->close_after = !keep_alive || close;
		rq.keep_alive_10 = !c->close_after;
	} else {
		c->close_after = close;
	}
	if (!rq.head && !token_is(method, mlen, "GET")) {
		queue_status(c, &rq, 405, "Allow: GET, HEAD\r\n");
		return;
	}
	serve(c, &rq, target, tlen);
}

/* The length of the request head at the start of buf (through its empty line), or 0. */
static size_t head_length(const char *buf, size_t len)
{
	for (const char *p = buf; (p = memchr(p, '\n', len - (size_t)(p - buf))) != NULL; p++) {
		size_t rest = len - (size_t)(p + 1 - buf);

		if (rest >= 1 && p[1] == '\n')
			return (size_t)(p + 2 - buf);
		if (rest >= 2 && p[1] == '\r' && p[2] == '\n')
			return (size_t)(p + 3 - buf);
	}
	return 0;
}

static void consume_input(struct conn *c, size_t n)
{
	memmove(c->in, c->in + n, c->in_len - n);
	c->in_len -= n;
}

/* Reads more of the body being sent into the output; false when the output is full. */
static bool fill_body(struct conn *c)
{
	size_t room = OUT_SIZE - c->out_len, want;
	ssize_t n;

	if (!room)
		return false;
	want = (off_t)room < c->body_left ? room : (size_t)c->body_left;
	n = pread(c->file, c->out + c->out_len, want, c->file_off);
	if (n <= 0) { /* the file shrank or failed: its Content-Length cannot be kept */
		c->broken = true;
		c->body_left = 0;
	} else {
		c->out_len += (size_t)n;
		c->file_off += n;
		c->body_left -= n;
	}
	if (!c->body_left) {
		close(c->file);
		c->file = -1;
	}
	return !c->broken;
}

/* Queues output: the body in progress, then responses to the complete requests buffered. */
static void conn_fill(struct conn *c)
{
	if (c->out_off) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	for (;;) {
		size_t len;

		if (c->body_left) {
			if (!fill_body(c))
				return;
			continue;
		}
		if (c->skip) {
			len = (off_t)c->in_len < c->skip ? c->in_len : (size_t)c->skip;
			consume_input(c, len);
			c->skip -= (off_t)len;
			if (c->skip)
				return;
		}
		if (c->close_after || OUT_SIZE - c->out_len < HEAD_ROOM)
			return;
		while (c->in_len && (c->in[0] == '\n' || (c->in_len > 1 && c->in[0] == '\r' &&
							    c->in[1] == '\n')))
			consume_input(c, c->in[0] == '\n' ? 1 : 2);
		len = head_length(c->in, c->in_len);
		if (!len) {
			if (c->in_len == IN_SIZE) {
				struct request rq = {false, false};

				bool line_done = memchr(c->in, '\n', c->in_len) != NULL;

				queue_status(c, &rq, line_done ? 431 : 414, "");
			}
			return;
		}
		handle_request(c, len);
		consume_input(c, len);
	}
}

/* Sends queued output until it is all sent or the socket is full; -1 on a failed send. */
static int conn_send(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		}
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	return 0;
}

static void conn_close(int i)
{
	struct conn *c = conns[i];

	if (c->file >= 0)
		close(c->file);
	close(c->fd);
	free(c);
	conns[i] = conns[--nconns];
}

/* Handles poll's revents for connection i; false when the connection was closed. */
static bool conn_event(int i, short revents, long long now)
{
	struct conn *c = conns[i];
	ssize_t n;

	if (revents & POLLNVAL)
		goto close;
	if (c->linger) {
		if (revents & (POLLIN | POLLHUP | POLLERR)) {
			n = recv(c->fd, c->in, IN_SIZE, 0);
			if (n == 0 ||
			    (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
				goto close;
		}
		return true;
	}
	if (revents & POLLERR)
		goto close;
	if ((revents & (POLLIN | POLLHUP)) && !c->eof && !c->close_after && c->in_len < IN_SIZE) {
		n = recv(c->fd, c->in + c->in_len, IN_SIZE - c->in_len, 0);
		if (n > 0) {
			c->in_len += (size_t)n;
			c->deadline = now + IDLE_MS;
		} else if (n == 0) {
			c->eof = true;
		} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			goto close;
		}
	}
	for (;;) {
		size_t before;

		conn_fill(c);
		if (c->out_off == c->out_len)
			break;
		before = c->out_len - c->out_off;
		if (conn_send(c))
			goto close;
		if (c->out_len - c->out_off != before)
			c->deadline = now + IDLE_MS;
		if (c->out_off < c->out_len)
			break;
	}
	if (c->broken)
		goto close;
	if (c->out_off < c->out_len)
		return true;
	if (c->close_after) {
		/* Our FIN, then the peer's input drained, so that closing sends no reset. */
		shutdown(c->fd, SHUT_WR);
		c->linger = true;
		c->deadline = now + LINGER_MS;
		return true;
	}
	if (c->eof)
		goto close;
	return true;
close:
	conn_close(i);
	return false;
}

static short conn_events(const struct conn *c)
{
	short ev = 0;

	if (c->linger)
		return POLLIN;
	if (c->out_off < c->out_len)
		ev |= POLLOUT;
	if (!c->eof && !c->close_after && c->in_len < IN_SIZE)
		ev |= POLLIN;
	return ev;
}

static int set_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

static void accept_all(int lfd, long long now)
{
	while (nconns < MAX_CONNS) {
		int fd = accept(lfd, NULL, NULL), one = 1;
		struct conn *c;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				fprintf(stderr, "httpd: accept: %s\n", strerror(errno));
			return;
		}
		c = malloc(sizeof(*c));
		if (!c || set_nonblocking(fd)) {
			fprintf(stderr, "httpd: cannot take a connection: %s\n",
				c ? strerror(errno) : "out of memory");
			free(c);
			close(fd);
			return;
		}
		/* Responses leave in whole writes: no need to wait for more. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->fd = fd;
		c->linger = c->eof = c->close_after = c->broken = false;
		c->file = -1;
		c->file_off = c->body_left = c->skip = 0;
		c->deadline = now + IDLE_MS;
		c->in_len = c->out_off = c->out_len = 0;
		conns[nconns++] = c;
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
		fprintf(stderr, "httpd: bad port '%s'\n", port_text);
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
		fprintf(stderr, "httpd: bad address '%s' (an IPv4 or IPv6 literal)\n", addr);
		exit(2);
	}
	fd = socket(a.sa.sa_family, SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, &a.sa, alen) || listen(fd, 128) || set_nonblocking(fd)) {
		fprintf(stderr, "httpd: cannot listen on %s port %ld: %s\n", addr, port,
			strerror(errno));
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	static struct pollfd pfds[MAX_CONNS + 1];
	struct stat st;
	int lfd;

	if (argc != 4) {
		fprintf(stderr, "usage: httpd ADDRESS PORT DOCUMENT-ROOT\n");
		return 2;
	}
	docroot = argv[3];
	docroot_len = strlen(docroot);
	while (docroot_len && docroot[docroot_len - 1] == '/')
		docroot_len--;
	if (docroot_len >= PATH_SIZE / 2 || stat(docroot, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "httpd: %s: not a folder\n", docroot);
		return 1;
	}
	lfd = listen_on(argv[1], argv[2]);
	printf("httpd: serving %s on %s port %s\n", docroot, argv[1], argv[2]);
	fflush(stdout);

	for (;;) {
		int n = 0, ready, count = nconns;
		long long now;

		/* An entry without events has fd -1: poll skips it (wasi-libc refuses events 0). */
		for (int i = 0; i < count; i++) {
			short ev = conn_events(conns[i]);

			pfds[n++] = (struct pollfd){.fd = ev ? conns[i]->fd : -1, .events = ev};
		}
		pfds[n++] = (struct pollfd){.fd = nconns < MAX_CONNS ? lfd : -1, .events = POLLIN};
		ready = poll(pfds, (nfds_t)n, 1000);
		if (ready < 0 && errno != EINTR) {
			fprintf(stderr, "httpd: poll: %s\n", strerror(errno));
			return 1;
		}
		now = now_ms();
		/*
		 * From the last connection down: closing one moves the last into its slot,
		 * and that one has been handled already.
		 */
		for (int i = count - 1; i >= 0; i--) {
			if (ready > 0 && pfds[i].revents && !conn_event(i, pfds[i].revents, now))
				continue;
			if (now >= conns[i]->deadline)
				conn_close(i);
		}
		if (ready > 0 && (pfds[count].revents & POLLIN))
			accept_all(lfd, now);
	}
}
