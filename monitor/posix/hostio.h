/* Waiting on host descriptors (sockets, stdin) for a cVM: run lock released, time limit kept. */
#ifndef IV_HOSTIO_H
#define IV_HOSTIO_H

#include <stdint.h>

struct cvm;
struct pollfd;

/*
 * Polls n host descriptors for up to timeout_ns (< 0: no end), with vm callable meanwhile
 * (ipc_block_begin/end). Returns the number ready, 0 on timeout or when vm's time limit
 * passed (the caller then ends it: rt_trap_late), or a negated WASI errno. Never traps.
 */
int hostio_poll(struct cvm *vm, struct pollfd *fds, unsigned n, int64_t timeout_ns);

/*
 * Waits until the host descriptor hostfd is ready for events (POLLIN / POLLOUT), with vm
 * callable meanwhile (ipc_block_begin/end). timeout_ns < 0 waits without end. Returns 1 when
 * ready (or the peer hung up / erred: the next operation tells), 0 on timeout. When vm's
 * time limit passes, the cVM traps with the time-limit trap and this does not return.
 */
int hostio_wait(struct cvm *vm, int hostfd, short events, int64_t timeout_ns);

#endif
