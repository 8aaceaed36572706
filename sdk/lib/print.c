/* Guest library: console output without libc's stdio (iv_puts, iv_printf). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <intravisor.h>

int iv_puts(const char *s)
{
	long ret = iv_console_write(s, strlen(s));

	if (ret >= 0)
		ret = iv_console_write("\n", 1);
	return ret < 0 ? (int)ret : 0;
}

int iv_printf(const char *fmt, ...)
{
	char buf[IV_PRINTF_MAX];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (len < 0)
		return -IV_EINVAL;
	if ((size_t)len >= sizeof(buf))
		len = sizeof(buf) - 1;
	return (int)iv_console_write(buf, (size_t)len);
}
