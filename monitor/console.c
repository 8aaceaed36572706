/* Line-buffered, prefixed console output shared by all cVMs of one monitor. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "console.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* Writes all of iov[0..n), resuming after short writes. */
static int writev_all(int fd, struct iovec *iov, int n)
{
	while (n) {
		ssize_t w;

		/* An empty piece is skipped: writing nothing would still be a system call. */
		if (!iov->iov_len) {
			iov++;
			n--;
			continue;
		}
		/* A single piece goes through write: writev's iovec import costs the kernel more. */
		w = n == 1 ? write(fd, iov->iov_base, iov->iov_len) : writev(fd, iov, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (; n && (size_t)w >= iov->iov_len; iov++, n--)
			w -= (ssize_t)iov->iov_len;
		if (n) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

/* Writes prefix + body + optional newline with one system call; caller holds the lock. */
static int emit(const struct console_stream *s, const char *body, size_t n, int add_newline)
{
	struct iovec iov[3];
	int k = 0;

	if (s->prefix)
		iov[k++] = (struct iovec){(void *)s->prefix, strlen(s->prefix)};
	iov[k++] = (struct iovec){(void *)body, n};
	if (add_newline)
		iov[k++] = (struct iovec){(void *)"\n", 1};
	return writev_all(s->fd, iov, k);
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
		err = emit(s, p, len, 0);
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

ssize_t console_writev(struct console_stream *s, struct iovec *iov, int n)
{
	size_t total = 0;
	ssize_t r = 0;
	int i;

	for (i = 0; i < n; i++)
		total += iov[i].iov_len;
	if (s->prefix) {
		for (i = 0; i < n && r >= 0; i++)
			r = console_write(s, iov[i].iov_base, iov[i].iov_len);
		return r < 0 ? r : (ssize_t)total;
	}
	pthread_mutex_lock(&lock);
	r = writev_all(s->fd, iov, n);
	pthread_mutex_unlock(&lock);
	return r < 0 ? r : (ssize_t)total;
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
