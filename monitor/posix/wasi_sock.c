/* The guest edge of sockets: WASI sock_* and the intravisor net_* hostcalls, checked. */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "cvm.h"
#include "fdtable.h"
#include "guestmem.h"
#include "imports.h"
#include "intravisor/abi.h"
#include "net.h"
#include "rt.h"
#include "wasi.h"
#include "wasi_defs.h"
#include "wasi_util.h"

/* The kind of socket in net_socket's type (IV_SOCK_STREAM), beside the flags. */
#define SOCK_KIND_MASK 0xffu

/* Sizes of wasi-libc's struct sockaddr_in and sockaddr_in6, which the guest gets back. */
#define GUEST_SIN_BYTES 16
#define GUEST_SIN6_BYTES 32
/* The longest address the guest gets: a unix path with its NUL after the family. */
#define GUEST_ADDR_MAX (2 + IV_NET_PATH_MAX + 1)

static const struct import_def defs[] = {
	{IV_HC_NET_SOCKET, "ii:i"},
	{IV_HC_NET_BIND, "iii:i"},
	{IV_HC_NET_LISTEN, "ii:i"},
	{IV_HC_NET_CONNECT, "iii:i"},
	{IV_HC_NET_NAME, "iiii:i"},
	{IV_HC_NET_SETSOCKOPT, "iiiii:i"},
	{IV_HC_NET_GETSOCKOPT, "iiiii:i"},
};

const struct import_family net_family = {
	IV_IMPORT_MODULE, CFG_ABI_POSIX, defs, sizeof(defs) / sizeof(defs[0]),
};

/*
 * The socket open at fd, with the rights needed: 0, or -EBADF (not open), -ENOTSOCK (no
 * socket), -ENOTCAPABLE (a right is missing).
 */
static int sock_at(struct cvm *vm, uint32_t fd, uint64_t rights, struct fd_entry **out)
{
	struct fd_entry *e = fdt_get(vm, fd);

	if (!e)
		return -WASI_EBADF;
	if (e->kind != FD_SOCKET)
		return -WASI_ENOTSOCK;
	if ((e->rights & rights) != rights)
		return -WASI_ENOTCAPABLE;
	*out = e;
	return 0;
}

/* ---- addresses: the guest's layout (intravisor/abi.h) and the host's ---- */

/* Reads the guest address at [ptr, ptr + len) as a host one: 0 or a negated WASI errno. */
static int addr_from_guest(struct cvm *vm, uint32_t ptr, uint32_t len,
			   struct sockaddr_storage *ss, socklen_t *hlen)
{
	const uint8_t *g = gm_range(vm, ptr, len);
	uint16_t family;

	if (!g)
		return -WASI_EFAULT;
	if (len < 2)
		return -WASI_EINVAL;
	memcpy(&family, g, 2);
	memset(ss, 0, sizeof(*ss));
	if (family == IV_AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		if (len < 8)
			return -WASI_EINVAL;
		in->sin_family = AF_INET;
		memcpy(&in->sin_port, g + 2, 2);
		memcpy(&in->sin_addr, g + 4, 4);
		*hlen = sizeof(*in);
	} else if (family == IV_AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		if (len < 28)
			return -WASI_EINVAL;
		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_port, g + 2, 2);
		memcpy(&in6->sin6_flowinfo, g + 4, 4);
		memcpy(&in6->sin6_addr, g + 8, 16);
		memcpy(&in6->sin6_scope_id, g + 24, 4);
		*hlen = sizeof(*in6);
	} else if (family == IV_AF_UNIX) {
		struct sockaddr_un *un = (struct sockaddr_un *)ss;
		const uint8_t *end = memchr(g + 2, 0, len - 2);
		size_t n = end ? (size_t)(end - (g + 2)) : len - 2;

		if (n == 0 || n > IV_NET_PATH_MAX)
			return -WASI_EINVAL;
		un->sun_family = AF_UNIX;
		memcpy(un->sun_path, g + 2, n);
		*hlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	} else {
		return -WASI_EAFNOSUPPORT;
	}
	return 0;
}

/* A host address in the guest's layout, in out; returns its length. */
static uint32_t addr_to_guest(const struct sockaddr_storage *ss, socklen_t hlen,
			      uint8_t out[GUEST_ADDR_MAX])
{
	uint16_t family;

	memset(out, 0, GUEST_ADDR_MAX);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		family = IV_AF_INET;
		memcpy(out, &family, 2);
		memcpy(out + 2, &in->sin_port, 2);
		memcpy(out + 4, &in->sin_addr, 4);
		return GUEST_SIN_BYTES;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

		family = IV_AF_INET6;
		memcpy(out, &family, 2);
		memcpy(out + 2, &in6->sin6_port, 2);
		memcpy(out + 4, &in6->sin6_flowinfo, 4);
		memcpy(out + 8, &in6->sin6_addr, 16);
		memcpy(out + 24, &in6->sin6_scope_id, 4);
		return GUEST_SIN6_BYTES;
	}
	/* A unix address: the path (none for an unnamed socket) and its NUL. */
	family = IV_AF_UNIX;
	memcpy(out, &family, 2);
	if (hlen > offsetof(struct sockaddr_un, sun_path)) {
		const char *path = ((const struct sockaddr_un *)ss)->sun_path;
		size_t n = strnlen(path, hlen - offsetof(struct sockaddr_un, sun_path));

		if (n > IV_NET_PATH_MAX)
			n = IV_NET_PATH_MAX;
		memcpy(out + 2, path, n);
		return (uint32_t)(2 + n + 1);
	}
	return 2;
}

/* ---- WASI preview1 ---- */

uint32_t Z_wasi_snapshot_preview1Z_sock_accept(struct cvm *vm, uint32_t fd, uint32_t flags,
					       uint32_t out)
{
	struct fd_entry *e;
	int rc;

	rt_check_stack();
	rc = sock_at(vm, fd, WASI_RIGHT_SOCK_ACCEPT, &e);
	if (rc)
		return (uint32_t)-rc;
	if (flags & ~WASI_FDFLAGS_NONBLOCK)
		return WASI_EINVAL;
	if (!gm_range(vm, out, 4))
		return WASI_EFAULT;
	rc = net_accept(vm, e->u.sock, e->fdflags, (uint16_t)flags);
	if (rc < 0)
		return (uint32_t)-rc;
	gm_store_u32(vm, out, (uint32_t)rc);
	return WASI_ESUCCESS;
}

uint32_t Z_wasi_snapshot_preview1Z_sock_recv(struct cvm *vm, uint32_t fd, uint32_t iovs,
					     uint32_t n, uint32_t flags, uint32_t nread,
					     uint32_t roflags)
{
	struct iovec iov[WASI_IOV_MAX];
	struct fd_entry *e;
	bool truncated;
	uint32_t err;
	int64_t got;
	int rc;

	rt_check_stack();
	rc = sock_at(vm, fd, WASI_RIGHT_FD_READ, &e);
	if (rc)
		return (uint32_t)-rc;
	if (flags & ~(WASI_RIFLAGS_RECV_PEEK | WASI_RIFLAGS_RECV_WAITALL))
		return WASI_EINVAL;
	err = wasi_load_iovs(vm, iovs, n, iov);
	if (err)
		return err;
	if (!gm_range(vm, nread, 4) || !gm_range(vm, roflags, 2))
		return WASI_EFAULT;
	got = net_recv(vm, e->u.sock, e->fdflags, iov, (int)n,
		       (flags & WASI_RIFLAGS_RECV_PEEK ? MSG_PEEK : 0) |
		       (flags & WASI_RIFLAGS_RECV_WAITALL ? MSG_WAITALL : 0), &truncated);
	if (got < 0)
		return (uint32_t)-got;
	/* The wait may have let a call into vm map a window over the results: store checked. */
	if (gm_store_u32(vm, nread, (uint32_t)got) ||
	    gm_store(vm, roflags, &(uint16_t){truncated ? WASI_ROFLAGS_RECV_DATA_TRUNCATED : 0}, 2))
		return WASI_EFAULT;
	return WASI_ESUCCESS;
}

uint32_t Z_wasi_snapshot_preview1Z_sock_send(struct cvm *vm, uint32_t fd, uint32_t iovs,
					     uint32_t n, uint32_t flags, uint32_t nwritten)
{
	struct iovec iov[WASI_IOV_MAX];
	struct fd_entry *e;
	uint32_t err;
	int64_t done;
	int rc;

	rt_check_stack();
	rc = sock_at(vm, fd, WASI_RIGHT_FD_WRITE, &e);
	if (rc)
		return (uint32_t)-rc;
	if (flags) /* siflags has no flags defined */
		return WASI_EINVAL;
	err = wasi_load_iovs(vm, iovs, n, iov);
	if (err)
		return err;
	if (!gm_range(vm, nwritten, 4))
		return WASI_EFAULT;
	done = net_send(vm, e->u.sock, e->fdflags, iov, (int)n);
	if (done < 0)
		return (uint32_t)-done;
	return gm_store_u32(vm, nwritten, (uint32_t)done) ? WASI_EFAULT : WASI_ESUCCESS;
}

uint32_t Z_wasi_snapshot_preview1Z_sock_shutdown(struct cvm *vm, uint32_t fd, uint32_t how)
{
	static const int host_how[] = {
		[WASI_SDFLAGS_RD] = SHUT_RD,
		[WASI_SDFLAGS_WR] = SHUT_WR,
		[WASI_SDFLAGS_RD | WASI_SDFLAGS_WR] = SHUT_RDWR,
	};
	struct fd_entry *e;
	int rc;

	rt_check_stack();
	rc = sock_at(vm, fd, WASI_RIGHT_SOCK_SHUTDOWN, &e);
	if (rc)
		return (uint32_t)-rc;
	if (how == 0 || how & ~(WASI_SDFLAGS_RD | WASI_SDFLAGS_WR))
		return WASI_EINVAL;
	return (uint32_t)-net_shutdown(e->u.sock, host_how[how]);
}

/* ---- intravisor net_*: making and placing sockets ---- */

uint32_t Z_intravisorZ_net_socket(struct cvm *vm, uint32_t family, uint32_t type)
{
	static const int host_family[] = {
		[IV_AF_INET] = AF_INET, [IV_AF_INET6] = AF_INET6, [IV_AF_UNIX] = AF_UNIX,
	};

	rt_check_stack();
	if (family >= sizeof(host_family) / sizeof(host_family[0]) || !host_family[family])
		return (uint32_t)-WASI_EAFNOSUPPORT;
	if (type & ~(uint32_t)(SOCK_KIND_MASK | IV_SOCK_NONBLOCK))
		return (uint32_t)-WASI_EINVAL;
	if ((type & SOCK_KIND_MASK) != IV_SOCK_STREAM)
		return (uint32_t)-WASI_EPROTONOSUPPORT;
	return (uint32_t)net_socket(vm, host_family[family],
				    type & IV_SOCK_NONBLOCK ? WASI_FDFLAGS_NONBLOCK : 0);
}

uint32_t Z_intravisorZ_net_bind(struct cvm *vm, uint32_t fd, uint32_t addr, uint32_t len)
{
	struct sockaddr_storage ss;
	struct fd_entry *e;
	socklen_t hlen;
	int rc;

	rt_check_stack();
	rc = sock_at(vm, fd, 0, &e);
	if (!rc)
		rc = addr_from_guest(vm, addr, len, &ss, &hlen);
	if (!rc)
		rc = net_bind(vm, e, (struct sockaddr *)&ss);
	return (uint32_t)rc;
}

uint32_t Z_intravisorZ_net_listen(struct cvm *vm, uint32_t fd, uint32_t backlog)
{
	struct fd_entry *e;
	int rc;

	(void)backlog;
	rt_check_stack();
	rc = sock_at(vm, fd, 0, &e);
	return (uint32_t)(rc ? rc : net_listen(vm, e->u.sock));
}

uint32_t Z_intravisorZ_net_connect(struct cvm *vm, uint32_t fd, uint32_t addr, uint32_t len)
{
	struct sockaddr_storage ss;
	struct fd_entry *e;
	socklen_t hlen;
	int rc;

	rt_check_stack();
	rc = sock_at(vm, fd, 0, &e);
	if (!rc)
		rc = addr_from_guest(vm, addr, len, &ss, &hlen);
	if (!rc)
		rc = net_connect(vm, e->u.sock, e->fdflags, (struct sockaddr *)&ss, hlen);
	return (uint32_t)rc;
}

uint32_t Z_intravisorZ_net_name(struct cvm *vm, uint32_t fd, uint32_t peer, uint32_t addr,
				uint32_t len_ptr)
{
	uint8_t out[GUEST_ADDR_MAX];
	struct sockaddr_storage ss;
	struct fd_entry *e;
	uint32_t room, full;
	socklen_t hlen;
	int rc;

	rt_check_stack();
	rc = sock_at(vm, fd, 0, &e);
	if (rc)
		return (uint32_t)rc;
	if (peer > 1)
		return (uint32_t)-WASI_EINVAL;
	if (gm_load_u32(vm, len_ptr, &room) || !gm_range(vm, addr, room))
		return (uint32_t)-WASI_EFAULT;
	rc = net_name(e->u.sock, peer, &ss, &hlen);
	if (rc)
		return (uint32_t)rc;
	full = addr_to_guest(&ss, hlen, out);
	gm_store(vm, addr, out, room < full ? room : full);
	gm_store_u32(vm, len_ptr, full);
	return 0;
}

uint32_t Z_intravisorZ_net_setsockopt(struct cvm *vm, uint32_t fd, uint32_t level,
				      uint32_t name, uint32_t val, uint32_t len)
{
	uint8_t v[NET_OPT_MAX];
	struct fd_entry *e;
	const uint8_t *g;
	int rc;

	rt_check_stack();
	rc = sock_at(vm, fd, 0, &e);
	if (rc)
		return (uint32_t)rc;
	g = gm_range(vm, val, len);
	if (!g)
		return (uint32_t)-WASI_EFAULT;
	if (len > NET_OPT_MAX)
		len = NET_OPT_MAX;
	memcpy(v, g, len);
	return (uint32_t)net_setsockopt(e->u.sock, (int)level, (int)name, v, len);
}

uint32_t Z_intravisorZ_net_getsockopt(struct cvm *vm, uint32_t fd, uint32_t level,
				      uint32_t name, uint32_t val, uint32_t len_ptr)
{
	uint8_t v[NET_OPT_MAX];
	struct fd_entry *e;
	uint32_t room, len;
	int rc;

	rt_check_stack();
	rc = sock_at(vm, fd, 0, &e);
	if (rc)
		return (uint32_t)rc;
	if (gm_load_u32(vm, len_ptr, &room) || !gm_range(vm, val, room))
		return (uint32_t)-WASI_EFAULT;
	len = room < NET_OPT_MAX ? room : NET_OPT_MAX;
	rc = net_getsockopt(e->u.sock, (int)level, (int)name, v, &len);
	if (rc)
		return (uint32_t)rc;
	gm_store(vm, val, v, len);
	gm_store_u32(vm, len_ptr, len);
	return 0;
}
