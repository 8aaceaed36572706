/* Guest library: the CAP_FILE and CAP_CALL wrappers (iv_capfile_*, iv_call*, iv_serve). */
#include <string.h>

#include <intravisor.h>

int iv_capfile_adv(const char *name, void *ptr, size_t len, unsigned perms)
{
	return iv_hc_capfile_adv(name, strlen(name), ptr, len, perms);
}

int iv_capfile_prb(const char *name, int timeout_ms, uint64_t *size)
{
	uint64_t ignored;

	return iv_hc_capfile_prb(name, strlen(name), timeout_ms, size ? size : &ignored);
}

int iv_call_adv(const char *name, const char *export_name)
{
	return iv_hc_call_adv(name, strlen(name), export_name, strlen(export_name));
}

int iv_call_prb(const char *name, int timeout_ms)
{
	return iv_hc_call_prb(name, strlen(name), timeout_ms);
}

int iv_call(int entry, const int64_t *args, int nargs, void *buf, size_t len, unsigned perms,
	    int64_t *result)
{
	int64_t ignored;

	return iv_hc_call(entry, args, nargs, buf, len, perms, result ? result : &ignored);
}

int iv_call_buffer(void)
{
	return iv_hc_call_buffer();
}

int iv_serve(int timeout_ms)
{
	return iv_hc_serve(timeout_ms);
}
