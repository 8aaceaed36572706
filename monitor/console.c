/* Line-buffered, prefixed console output shared by all cVMs of one monitor. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "console.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Writes prefix + body + optional newline; caller holds the lock. */
static int emit(const struct console_stream *s, const char *body, size_t n, int add_newline)
{
	int err = 0;

	if (s->prefix)
		err = write_all(s->fd, s->prefix, strlen(s->prefix));
	if (!err)
		err = write_all(s->fd, body, n);
	if (!err && add_newline)
		err = write_all(s->fd, "\n", 1);
	return err;
}

void console_stream_init(struct console_stream *s, int fd, const char *prefix)
{
	s->fd = fd;
	s->prefix = prefix;
	s->used = 0;
}

ssize_t console_write(struct console_stream *s, const void *data, size_t len)
{
	const char *p = data, *end = p + len;
	int err = 0;

	if (!s->prefix) {
		pthread_mutex_lock(&lock);
		err = write_all(s->fd, p, len);
		pthread_mutex_unlock(&lock);
		return err ? err : (ssize_t)len;
	}
	pthread_mutex_lock(&lock);
	while (p < end && !err) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t take = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (take > CONSOLE_LINE_MAX - s->used)
			take = CONSOLE_LINE_MAX - s->used;
		memcpy(s->line + s->used, p, take);
		s->used += take;
		p += take;
		if (p < end && *p == '\n') {
			p++;
			err = emit(s, s->line, s->used, 1);
			s->used = 0;
		} else if (s->used == CONSOLE_LINE_MAX) {
			err = emit(s, s->line, s->used, 1);
			s->used = 0;
		}
	}
	pthread_mutex_unlock(&lock);
	return err ? err : (ssize_t)len;
}

void console_flush(struct console_stream *s)
{
	pthread_mutex_lock(&lock);
	if (s->used)
		(void)emit(s, s->line, s->used, s->prefix != NULL);
	s->used = 0;
	pthread_mutex_unlock(&lock);
}

void console_message(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&lock);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	pthread_mutex_unlock(&lock);
}
