/* Formatting an error message into a caller's buffer, as module loading and compiling do. */
#ifndef IV_ERRBUF_H
#define IV_ERRBUF_H

#include <stddef.h>

/* Writes the formatted message into err (always NUL-terminated, cut to errlen). */
void errbuf_set(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
