/* Waiting on host descriptors (sockets) for a cVM: its run lock released, its time limit kept. */
#ifndef IV_HOSTIO_H
#define IV_HOSTIO_H

#include <stdint.h>

struct cvm;

/*
 * Waits until the host descriptor hostfd is ready for events (POLLIN / POLLOUT), with vm
 * callable meanwhile (ipc_block_begin/end). timeout_ns < 0 waits without end. Returns 1 when
 * ready (or the peer hung up / erred: the next operation tells), 0 on timeout. When vm's
 * time limit passes, the cVM traps with the time-limit trap and this does not return.
 */
int hostio_wait(struct cvm *vm, int hostfd, short events, int64_t timeout_ns);

#endif
