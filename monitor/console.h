/* The shared console: cVM output to the monitor's stdout/stderr, line-prefixed by cVM name. */
#ifndef IV_CONSOLE_H
#define IV_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Longest partial line kept per stream; longer lines are emitted in pieces. */
#define CONSOLE_LINE_MAX 4096

/* One output stream of one cVM (its stdout or its stderr). */
struct console_stream {
	int fd;               /* the monitor's fd it goes to (1 or 2) */
	const char *prefix;   /* "[name] ", or NULL for no prefix */
	size_t used;
	char line[CONSOLE_LINE_MAX];
};

void console_stream_init(struct console_stream *s, int fd, const char *prefix);

/*
 * Writes guest output. With a prefix, complete lines are written whole, each starting with
 * the prefix, under one lock, so lines of different cVMs never interleave. Returns len, or
 * -errno when the monitor's own output fails.
 */
ssize_t console_write(struct console_stream *s, const void *data, size_t len);

/*
 * As console_write for several pieces at once: without a prefix one system call writes them
 * all. iov may be modified. Returns the total length, or -errno.
 */
struct iovec;
ssize_t console_writev(struct console_stream *s, struct iovec *iov, int n);

/* Emits a pending partial line (ending it with a newline when prefixed). */
void console_flush(struct console_stream *s);

/* Prints a monitor message to stderr without interleaving with cVM lines. */
void console_message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
