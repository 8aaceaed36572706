/* Waiting on host descriptors for a cVM, callable meanwhile and within its time limit. */
#include <errno.h>
#include <poll.h>

#include "hostio.h"
#include "ipc/ipc.h"
#include "rt.h"
#include "rt/interrupt.h"
#include "wasi_defs.h"

/* The watchdog's signal may land just before poll starts: look again this often. */
#define HOSTIO_SLICE_MS 100

int hostio_poll(struct cvm *vm, struct pollfd *fds, unsigned n, int64_t timeout_ns)
{
	uint64_t start = rt_now_ns();
	int rc;

	ipc_block_begin(vm);
	for (;;) {
		int ms = HOSTIO_SLICE_MS;

		if (timeout_ns >= 0) {
			uint64_t spent = rt_now_ns() - start;
			uint64_t left = spent >= (uint64_t)timeout_ns ? 0 : (uint64_t)timeout_ns - spent;

			if (left < (uint64_t)ms * 1000000u)
				ms = (int)((left + 999999u) / 1000000u);
		}
		rc = poll(fds, n, ms);
		if (rc > 0 || (rc < 0 && errno != EINTR))
			break;
		rc = 0;
		if (rt_deadline_passed() ||
		    (timeout_ns >= 0 && rt_now_ns() - start >= (uint64_t)timeout_ns))
			break;
	}
	ipc_block_end(vm);
	return rc < 0 ? -(int)wasi_from_errno(errno) : rc;
}

int hostio_wait(struct cvm *vm, int hostfd, short events, int64_t timeout_ns)
{
	struct pollfd p = {.fd = hostfd, .events = events};
	int rc = hostio_poll(vm, &p, 1, timeout_ns);

	if (rt_deadline_passed())
		rt_trap_late();
	return rc != 0; /* after an error, the operation itself will report what is wrong */
}
