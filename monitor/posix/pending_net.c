/* TRANSITIONAL (delete this file when net.c lands): network policies are refused until then. */
#include <stdio.h>

#include "config.h"
#include "net.h"
#include "wasi_defs.h"

int net_setup(struct cvm *vm, const struct cfg_net *net, char *err, size_t errlen)
{
	(void)vm;
	if (!net->nlisten && !net->nconnect)
		return 0;
	snprintf(err, errlen, "network policies are not supported by this build yet");
	return -1;
}

int net_sock_fd(const struct net_sock *s)
{
	(void)s;
	return -1;
}

uint8_t net_sock_filetype(const struct net_sock *s)
{
	(void)s;
	return WASI_FILETYPE_UNKNOWN;
}

void net_sock_close(struct net_sock *s)
{
	(void)s;
}

int64_t net_sock_io(struct cvm *vm, struct fd_entry *e, const struct iovec *iov, int n,
		    bool write)
{
	(void)vm, (void)e, (void)iov, (void)n, (void)write;
	return -WASI_ENOSYS;
}
