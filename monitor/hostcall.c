/* The `bare` runtime: the monitor's own hostcalls (console, exit, clock, random). */
#include <errno.h>
#include <sys/random.h>
#include <time.h>

#include "cvm.h"
#include "guestmem.h"
#include "hostcall.h"
#include "imports.h"
#include "intravisor/abi.h"
#include "ipc/ipc.h"
#include "rt.h"

static const struct import_def defs[] = {
	{IV_HC_CONSOLE_WRITE, "ii:i"},
	{IV_HC_EXIT, "i:"},
	{IV_HC_CLOCK_NS, "i:I"},
	{IV_HC_RANDOM, "ii:i"},
};

const struct import_family hostcall_family = {
	IV_IMPORT_MODULE, CFG_ABI_BARE, defs, sizeof(defs) / sizeof(defs[0]),
};

static uint32_t neg(int e)
{
	return (uint32_t)-e;
}

uint32_t Z_intravisorZ_console_write(struct cvm *vm, uint32_t ptr, uint32_t len)
{
	const void *p;
	ssize_t n;

	rt_check_stack();
	p = gm_range(vm, ptr, len);
	if (!p)
		return neg(IV_EFAULT);
	if (vm->callback)
		return (uint32_t)ipc_callback(vm, IV_SYS_CONSOLE_WRITE, len, 0, 0, ptr, len,
					      IV_PERM_LOAD);
	n = console_write(&vm->out, p, len);
	return n < 0 ? neg(IV_EIO) : (uint32_t)n;
}

void Z_intravisorZ_exit(struct cvm *vm, uint32_t status)
{
	rt_check_stack();
	/* The handler hears of it, but the client ends whatever it answers. */
	if (vm->callback)
		ipc_callback(vm, IV_SYS_EXIT, status, 0, 0, 0, 0, 0);
	rt_exit((int)status);
}

int hostcall_fill_random(void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

uint64_t Z_intravisorZ_clock_ns(struct cvm *vm, uint32_t clock)
{
	struct timespec ts;
	clockid_t id;

	rt_check_stack();
	if (vm->callback)
		return (uint64_t)ipc_callback(vm, IV_SYS_CLOCK_NS, clock, 0, 0, 0, 0, 0);
	switch (clock) {
	case IV_CLOCK_REALTIME:
		id = CLOCK_REALTIME;
		break;
	case IV_CLOCK_MONOTONIC:
		id = CLOCK_MONOTONIC;
		break;
	default:
		return (uint64_t)-(int64_t)IV_EINVAL;
	}
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint32_t Z_intravisorZ_random(struct cvm *vm, uint32_t ptr, uint32_t len)
{
	void *p;

	rt_check_stack();
	if (len > IV_RANDOM_MAX)
		return neg(IV_EINVAL);
	p = gm_range(vm, ptr, len);
	if (!p)
		return neg(IV_EFAULT);
	if (vm->callback)
		return (uint32_t)ipc_callback(vm, IV_SYS_RANDOM, len, 0, 0, ptr, len, IV_PERM_STORE);
	return hostcall_fill_random(p, len) ? neg(IV_EIO) : 0;
}
