/* Sockets of posix cVMs: the policy's listeners, policy-checked connects, and socket I/O. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "cvm.h"
#include "errbuf.h"
#include "fdtable.h"
#include "guestmem.h"
#include "hostio.h"
#include "intravisor/abi.h"
#include "net.h"
#include "wasi_defs.h"
#include "wasi_util.h"

/* What a descriptor of each kind of socket may do. */
#define RIGHTS_COMMON \
	(WASI_RIGHT_POLL_FD_READWRITE | WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_FILESTAT_GET)
#define RIGHTS_LISTENER (RIGHTS_COMMON | WASI_RIGHT_SOCK_ACCEPT)
#define RIGHTS_CONNECTED \
	(RIGHTS_COMMON | WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE | WASI_RIGHT_SOCK_SHUTDOWN)
#define RIGHTS_NEW (RIGHTS_LISTENER | RIGHTS_CONNECTED)

struct net_sock {
	int fd;                        /* host socket, O_NONBLOCK and O_CLOEXEC */
	int family;                    /* AF_INET, AF_INET6 or AF_UNIX */
	int refs;                      /* descriptors sharing it (bind hands listeners over) */
	bool listener;                 /* one of the policy's listeners, opened by net_setup */
	struct sockaddr_storage addr;  /* a listener's address, as the policy gave it */
	socklen_t addrlen;
	int64_t rcv_timeout_ns;        /* SO_RCVTIMEO, SO_SNDTIMEO; -1: wait without end */
	int64_t snd_timeout_ns;
};

static struct net_sock *sock_new(int fd, int family)
{
	struct net_sock *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->fd = fd;
	s->family = family;
	s->refs = 1;
	s->rcv_timeout_ns = -1;
	s->snd_timeout_ns = -1;
	return s;
}

int net_sock_fd(const struct net_sock *s)
{
	return s->fd;
}

uint8_t net_sock_filetype(const struct net_sock *s)
{
	(void)s;
	return WASI_FILETYPE_SOCKET_STREAM;
}

void net_sock_close(struct net_sock *s)
{
	if (--s->refs > 0)
		return;
	close(s->fd);
	free(s);
}

/* Installs s at the lowest free descriptor of vm, or closes it: the descriptor or -errno. */
static int install(struct cvm *vm, struct net_sock *s, uint64_t rights, uint16_t fdflags)
{
	struct fd_entry e = {
		.kind = FD_SOCKET, .rights = rights, .fdflags = fdflags, .u.sock = s,
	};
	int fd = fdt_install(vm, -1, &e);

	if (fd < 0)
		net_sock_close(s);
	return fd;
}

/* ---- addresses of the policy ---- */

/* The host address of a policy entry; 0, or -1 when it is no address literal. */
static int endpoint_addr(const struct cfg_endpoint *ep, struct sockaddr_storage *ss,
			 socklen_t *len)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_un *un = (struct sockaddr_un *)ss;

	memset(ss, 0, sizeof(*ss));
	if (ep->kind == CFG_NET_UNIX) {
		if (!*ep->host || strlen(ep->host) >= sizeof(un->sun_path))
			return -1;
		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, ep->host);
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(ep->host) + 1);
	} else if (inet_pton(AF_INET, ep->host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(ep->port);
		*len = sizeof(*in);
	} else if (inet_pton(AF_INET6, ep->host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(ep->port);
		*len = sizeof(*in6);
	} else {
		return -1;
	}
	return 0;
}

/* The port of an inet address (host order). */
static uint16_t addr_port(const struct sockaddr *a)
{
	return ntohs(a->sa_family == AF_INET ? ((const struct sockaddr_in *)a)->sin_port
					     : ((const struct sockaddr_in6 *)a)->sin6_port);
}

/* The host part of an address: 0 when equal, 1 when not; *any: a is the any-address. */
static int addr_host_cmp(const struct sockaddr *a, const struct sockaddr *b, bool *any)
{
	if (a->sa_family == AF_INET) {
		const struct in_addr *x = &((const struct sockaddr_in *)a)->sin_addr;
		const struct in_addr *y = &((const struct sockaddr_in *)b)->sin_addr;

		*any = x->s_addr == htonl(INADDR_ANY);
		return x->s_addr != y->s_addr;
	}
	if (a->sa_family == AF_INET6) {
		const struct in6_addr *x = &((const struct sockaddr_in6 *)a)->sin6_addr;
		const struct in6_addr *y = &((const struct sockaddr_in6 *)b)->sin6_addr;

		*any = IN6_IS_ADDR_UNSPECIFIED(x);
		return memcmp(x, y, sizeof(*x)) != 0;
	}
	*any = false;
	return strcmp(((const struct sockaddr_un *)a)->sun_path,
		      ((const struct sockaddr_un *)b)->sun_path) != 0;
}

/*
 * Whether a (a guest's connect) is an address of ep: the same family and host, the same
 * port unless ep's is 0 (any), or the same unix path.
 */
static bool connect_allowed_by(const struct cfg_endpoint *ep, const struct sockaddr *a)
{
	struct sockaddr_storage ss;
	socklen_t len;
	bool any;

	if (endpoint_addr(ep, &ss, &len) || ss.ss_family != a->sa_family)
		return false;
	if (addr_host_cmp(a, (struct sockaddr *)&ss, &any))
		return false;
	return a->sa_family == AF_UNIX || ep->port == 0 || ep->port == addr_port(a);
}

/* ---- the policy's listeners ---- */

/*
 * A unix socket file left at path by an earlier run may go, if it is a socket nobody
 * listens on; anything else there stays. 0, or -errno to report.
 */
static int clear_stale_unix(const struct sockaddr *a, socklen_t len)
{
	const char *path = ((const struct sockaddr_un *)a)->sun_path;
	struct stat st;
	int probe, rc;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe < 0)
		return -errno;
	rc = connect(probe, a, len);
	close(probe);
	if (rc == 0)
		return -EADDRINUSE;
	return unlink(path) && errno != ENOENT ? -errno : 0;
}

/* A listening host socket at ss: its descriptor, or -errno. */
static int open_listener(const struct sockaddr_storage *ss, socklen_t len)
{
	int one = 1, fd, err;

	if (ss->ss_family == AF_UNIX) {
		err = clear_stale_unix((const struct sockaddr *)ss, len);
		if (err)
			return err;
	}
	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if ((ss->ss_family != AF_UNIX &&
	     setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one))) ||
	    bind(fd, (const struct sockaddr *)ss, len) || listen(fd, SOMAXCONN)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int net_setup(struct cvm *vm, const struct cfg_net *net, char *err, size_t errlen)
{
	size_t i;

	vm->net = net->nlisten || net->nconnect ? net : NULL;
	for (i = 0; i < net->nlisten; i++) {
		const struct cfg_endpoint *ep = &net->listen[i];
		struct net_sock *s;
		int fd;

		s = sock_new(-1, 0);
		if (!s) {
			errbuf_set(err, errlen, "cannot listen on %s: out of memory", ep->text);
			return -1;
		}
		if (endpoint_addr(ep, &s->addr, &s->addrlen)) {
			errbuf_set(err, errlen, "cannot listen on %s: not an address literal",
				   ep->text);
			free(s);
			return -1;
		}
		fd = open_listener(&s->addr, s->addrlen);
		if (fd < 0) {
			errbuf_set(err, errlen, "cannot listen on %s: %s%s", ep->text,
				   strerror(-fd), fd == -EEXIST ? " (and is no socket)" : "");
			free(s);
			return -1;
		}
		s->fd = fd;
		s->family = s->addr.ss_family;
		s->listener = true;
		fd = install(vm, s, RIGHTS_LISTENER, 0);
		if (fd < 0) {
			errbuf_set(err, errlen, "cannot listen on %s: %s", ep->text,
				   fd == -WASI_EMFILE ? "too many descriptors (limits.fds)"
						      : "out of memory");
			return -1;
		}
	}
	return 0;
}

/* ---- waiting ---- */

/* Whether s is still open at a descriptor of vm (a call into vm may have closed it). */
static bool still_open(struct cvm *vm, const struct net_sock *s)
{
	uint32_t fd, seen = 0, open = fdt_count(vm);

	for (fd = 0; seen < open && fd < IV_FDS_MAX; fd++) {
		const struct fd_entry *e = fdt_get(vm, fd);

		if (!e)
			continue;
		if (e->kind == FD_SOCKET && e->u.sock == s)
			return true;
		seen++;
	}
	return false;
}

/* Whether the host iovecs still lie in vm's memory, outside windows mapped since. */
static bool iov_in_memory(const struct cvm *vm, const struct iovec *iov, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		uintptr_t at = (uintptr_t)iov[i].iov_base - (uintptr_t)vm->mem->data;

		if (at > UINT32_MAX || !gm_range(vm, (uint32_t)at, iov[i].iov_len))
			return false;
	}
	return true;
}

/*
 * Waits until s is ready for events, for at most timeout_ns (-1: no end). 0 when ready,
 * -EAGAIN after the timeout, -EBADF / -EFAULT when the socket or memory went meanwhile.
 */
static int wait_ready(struct cvm *vm, const struct net_sock *s, short events,
		      int64_t timeout_ns, const struct iovec *iov, int n)
{
	if (!hostio_wait(vm, s->fd, events, timeout_ns))
		return -WASI_EAGAIN;
	if (!still_open(vm, s))
		return -WASI_EBADF;
	if (!iov_in_memory(vm, iov, n))
		return -WASI_EFAULT;
	return 0;
}

/*
 * What a socket loop does when its call failed with errno after moving done bytes: 0 to call
 * again (interrupted, or s became ready for events, waiting its receive timeout for POLLIN,
 * its send timeout for POLLOUT), else what the loop returns: done when it is not 0, or the
 * error. A non-blocking descriptor (fdflags) never waits.
 */
static int64_t retry_or_result(struct cvm *vm, const struct net_sock *s, uint16_t fdflags,
			       short events, const struct iovec *iov, int n, size_t done)
{
	int rc;

	if (errno == EINTR)
		return 0;
	if (errno != EAGAIN || (fdflags & WASI_FDFLAGS_NONBLOCK))
		return done ? (int64_t)done : -wasi_from_errno(errno);
	rc = wait_ready(vm, s, events, events == POLLIN ? s->rcv_timeout_ns : s->snd_timeout_ns,
			iov, n);
	if (rc)
		return done && rc == -WASI_EAGAIN ? (int64_t)done : rc;
	return 0;
}

/* Drops the first k bytes of iov[0..*n), moving *iov past the pieces used up. */
static void iov_advance(struct iovec **iov, int *n, size_t k)
{
	while (*n > 0 && k >= (*iov)->iov_len) {
		k -= (*iov)->iov_len;
		(*iov)++;
		(*n)--;
	}
	if (*n > 0) {
		(*iov)->iov_base = (uint8_t *)(*iov)->iov_base + k;
		(*iov)->iov_len -= k;
	}
}

static size_t iov_total(const struct iovec *iov, int n)
{
	size_t total = 0;
	int i;

	for (i = 0; i < n; i++)
		total += iov[i].iov_len;
	return total;
}

/* ---- the guest's calls ---- */

int net_socket(struct cvm *vm, int family, uint16_t fdflags)
{
	struct net_sock *s;
	int fd;

	if (!vm->net)
		return -WASI_EACCES;
	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -wasi_from_errno(errno);
	s = sock_new(fd, family);
	if (!s) {
		close(fd);
		return -WASI_ENOMEM;
	}
	return install(vm, s, RIGHTS_NEW, fdflags);
}

int net_bind(struct cvm *vm, struct fd_entry *e, const struct sockaddr *a)
{
	struct net_sock *s = e->u.sock;
	uint32_t fd, seen = 0, open = fdt_count(vm);

	if (!vm->net)
		return -WASI_EACCES;
	if (a->sa_family != s->family)
		return -WASI_EAFNOSUPPORT;
	if (s->listener)
		return -WASI_EINVAL; /* bound already */
	for (fd = 0; seen < open && fd < IV_FDS_MAX; fd++) {
		const struct fd_entry *l = fdt_get(vm, fd);
		const struct sockaddr *la;
		bool any;

		if (!l)
			continue;
		seen++;
		if (l->kind != FD_SOCKET || !l->u.sock->listener)
			continue;
		la = (const struct sockaddr *)&l->u.sock->addr;
		if (la->sa_family != a->sa_family)
			continue;
		if (addr_host_cmp(a, la, &any) && !any)
			continue;
		if (a->sa_family != AF_UNIX && addr_port(a) != addr_port(la))
			continue;
		l->u.sock->refs++;
		e->u.sock = l->u.sock;
		net_sock_close(s);
		return 0;
	}
	return -WASI_EACCES;
}

int net_listen(struct cvm *vm, const struct net_sock *s)
{
	return vm->net && s->listener ? 0 : -WASI_EACCES;
}

int net_connect(struct cvm *vm, struct net_sock *s, uint16_t fdflags, const struct sockaddr *a,
		socklen_t len)
{
	const struct cfg_net *net = vm->net;
	socklen_t errlen = sizeof(int);
	int soerr = 0, rc;
	size_t i;

	if (!net)
		return -WASI_EACCES;
	if (a->sa_family != s->family)
		return -WASI_EAFNOSUPPORT;
	for (i = 0; i < net->nconnect; i++)
		if (connect_allowed_by(&net->connect[i], a))
			break;
	if (i == net->nconnect)
		return -WASI_EACCES;
	if (!connect(s->fd, a, len))
		return 0;
	if (errno != EINPROGRESS)
		return -wasi_from_errno(errno);
	if (fdflags & WASI_FDFLAGS_NONBLOCK)
		return -WASI_EINPROGRESS;
	rc = wait_ready(vm, s, POLLOUT, s->snd_timeout_ns, NULL, 0);
	if (rc)
		return rc == -WASI_EAGAIN ? -WASI_EINPROGRESS : rc;
	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &errlen))
		return -wasi_from_errno(errno);
	return soerr ? -wasi_from_errno(soerr) : 0;
}

int net_accept(struct cvm *vm, struct net_sock *s, uint16_t fdflags, uint16_t new_fdflags)
{
	struct net_sock *c;
	int64_t rc;
	int fd;

	for (;;) {
		fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0)
			break;
		/* A connection reset before it was accepted is none: wait for the next. */
		if (errno == ECONNABORTED)
			continue;
		rc = retry_or_result(vm, s, fdflags, POLLIN, NULL, 0, 0);
		if (rc)
			return (int)rc;
	}
	c = sock_new(fd, s->family);
	if (!c) {
		close(fd);
		return -WASI_ENOMEM;
	}
	return install(vm, c, RIGHTS_CONNECTED, new_fdflags);
}

int64_t net_recv(struct cvm *vm, struct net_sock *s, uint16_t fdflags, struct iovec *iov,
		 int n, int flags, bool *truncated)
{
	size_t want = iov_total(iov, n), got = 0;
	struct msghdr m;
	ssize_t r;
	int64_t rc;

	*truncated = false;
	for (;;) {
		memset(&m, 0, sizeof(m));
		m.msg_iov = iov;
		m.msg_iovlen = (size_t)n;
		r = recvmsg(s->fd, &m, (flags & MSG_PEEK) | MSG_DONTWAIT);
		if (r > 0) {
			got += (size_t)r;
			*truncated = m.msg_flags & MSG_TRUNC;
			/* WAITALL gathers all, or to EOF or an error; a peek looks once. */
			if (!(flags & MSG_WAITALL) || (flags & MSG_PEEK) || got == want)
				break;
			iov_advance(&iov, &n, (size_t)r);
			continue;
		}
		if (r == 0 || want == 0)
			break;
		rc = retry_or_result(vm, s, fdflags, POLLIN, iov, n, got);
		if (rc)
			return rc;
	}
	return (int64_t)got;
}

int64_t net_send(struct cvm *vm, struct net_sock *s, uint16_t fdflags, struct iovec *iov,
		 int n)
{
	size_t want = iov_total(iov, n), done = 0;
	struct msghdr m;
	ssize_t r;
	int64_t rc;

	for (;;) {
		memset(&m, 0, sizeof(m));
		m.msg_iov = iov;
		m.msg_iovlen = (size_t)n;
		/* No SIGPIPE for the monitor: a closed peer is EPIPE. */
		r = sendmsg(s->fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (r >= 0) {
			done += (size_t)r;
			/* A blocking descriptor sends everything, a non-blocking one what fits. */
			if (done == want || (fdflags & WASI_FDFLAGS_NONBLOCK))
				break;
			iov_advance(&iov, &n, (size_t)r);
			continue;
		}
		rc = retry_or_result(vm, s, fdflags, POLLOUT, iov, n, done);
		if (rc)
			return rc;
	}
	return (int64_t)done;
}

int64_t net_sock_io(struct cvm *vm, struct fd_entry *e, const struct iovec *iov, int n,
		    bool write)
{
	struct iovec pieces[WASI_IOV_MAX];
	bool truncated;

	if (n < 0 || n > WASI_IOV_MAX)
		return -WASI_EINVAL;
	memcpy(pieces, iov, (size_t)n * sizeof(*iov));
	if (write)
		return net_send(vm, e->u.sock, e->fdflags, pieces, n);
	return net_recv(vm, e->u.sock, e->fdflags, pieces, n, 0, &truncated);
}

int net_shutdown(struct net_sock *s, int how)
{
	return shutdown(s->fd, how) ? -wasi_from_errno(errno) : 0;
}

int net_name(const struct net_sock *s, bool peer, struct sockaddr_storage *out,
	     socklen_t *len)
{
	int rc;

	*len = sizeof(*out);
	memset(out, 0, sizeof(*out));
	rc = peer ? getpeername(s->fd, (struct sockaddr *)out, len)
		  : getsockname(s->fd, (struct sockaddr *)out, len);
	return rc ? -wasi_from_errno(errno) : 0;
}

/* ---- options ---- */

/* How an option's value looks to the guest. */
enum opt_shape { OPT_INT, OPT_LINGER, OPT_TIMEOUT };

struct opt {
	int level, name;         /* the guest's */
	int host_level, host_name;
	enum opt_shape shape;
	bool read_only;
};

static const struct opt opts[] = {
	{IV_SOL_SOCKET, IV_SO_REUSEADDR, SOL_SOCKET, SO_REUSEADDR, OPT_INT, false},
	{IV_SOL_SOCKET, IV_SO_REUSEPORT, SOL_SOCKET, SO_REUSEPORT, OPT_INT, false},
	{IV_SOL_SOCKET, IV_SO_KEEPALIVE, SOL_SOCKET, SO_KEEPALIVE, OPT_INT, false},
	{IV_SOL_SOCKET, IV_SO_SNDBUF, SOL_SOCKET, SO_SNDBUF, OPT_INT, false},
	{IV_SOL_SOCKET, IV_SO_RCVBUF, SOL_SOCKET, SO_RCVBUF, OPT_INT, false},
	{IV_SOL_SOCKET, IV_SO_LINGER, SOL_SOCKET, SO_LINGER, OPT_LINGER, false},
	{IV_SOL_SOCKET, IV_SO_RCVTIMEO, SOL_SOCKET, SO_RCVTIMEO, OPT_TIMEOUT, false},
	{IV_SOL_SOCKET, IV_SO_SNDTIMEO, SOL_SOCKET, SO_SNDTIMEO, OPT_TIMEOUT, false},
	{IV_SOL_SOCKET, IV_SO_ERROR, SOL_SOCKET, SO_ERROR, OPT_INT, true},
	{IV_SOL_SOCKET, IV_SO_TYPE, SOL_SOCKET, SO_TYPE, OPT_INT, true},
	{IV_SOL_SOCKET, IV_SO_ACCEPTCONN, SOL_SOCKET, SO_ACCEPTCONN, OPT_INT, true},
	{IV_IPPROTO_TCP, IV_TCP_NODELAY, IPPROTO_TCP, TCP_NODELAY, OPT_INT, false},
	{IV_IPPROTO_TCP, IV_TCP_KEEPIDLE, IPPROTO_TCP, TCP_KEEPIDLE, OPT_INT, false},
	{IV_IPPROTO_TCP, IV_TCP_KEEPINTVL, IPPROTO_TCP, TCP_KEEPINTVL, OPT_INT, false},
	{IV_IPPROTO_TCP, IV_TCP_KEEPCNT, IPPROTO_TCP, TCP_KEEPCNT, OPT_INT, false},
};

/* Bytes of each shape's value in guest memory. */
static const uint32_t shape_bytes[] = {
	[OPT_INT] = 4, [OPT_LINGER] = 8, [OPT_TIMEOUT] = 16,
};

static const struct opt *find_opt(const struct net_sock *s, int level, int name)
{
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		if (opts[i].level != level || opts[i].name != name)
			continue;
		/* TCP's options mean nothing to a unix socket. */
		if (level == IV_IPPROTO_TCP && s->family == AF_UNIX)
			return NULL;
		return &opts[i];
	}
	return NULL;
}

int net_setsockopt(struct net_sock *s, int level, int name, const uint8_t *val, uint32_t len)
{
	const struct opt *o = find_opt(s, level, name);
	int32_t v[2];
	int64_t tv[2];

	if (!o || o->read_only)
		return -WASI_ENOPROTOOPT;
	if (len < shape_bytes[o->shape])
		return -WASI_EINVAL;
	if (o->shape == OPT_TIMEOUT) {
		/* The host socket never blocks: the monitor's waits keep the timeout. */
		int64_t *t = o->name == IV_SO_RCVTIMEO ? &s->rcv_timeout_ns : &s->snd_timeout_ns;

		memcpy(tv, val, sizeof(tv));
		if (tv[0] < 0 || tv[0] >= INT64_MAX / 1000000000 || tv[1] < 0 || tv[1] >= 1000000)
			return -WASI_EINVAL;
		*t = tv[0] || tv[1] ? tv[0] * 1000000000 + tv[1] * 1000 : -1;
		return 0;
	}
	if (o->shape == OPT_LINGER) {
		struct linger l;

		memcpy(v, val, 8);
		l.l_onoff = v[0];
		l.l_linger = v[1];
		return setsockopt(s->fd, o->host_level, o->host_name, &l, sizeof(l))
			       ? -wasi_from_errno(errno) : 0;
	}
	memcpy(v, val, 4);
	return setsockopt(s->fd, o->host_level, o->host_name, &v[0], sizeof(v[0]))
		       ? -wasi_from_errno(errno) : 0;
}

int net_getsockopt(struct net_sock *s, int level, int name, uint8_t *val, uint32_t *len)
{
	const struct opt *o = find_opt(s, level, name);
	struct linger l;
	socklen_t hl;
	int32_t v[2];
	int64_t tv[2];
	int h;

	if (!o)
		return -WASI_ENOPROTOOPT;
	if (*len < shape_bytes[o->shape])
		return -WASI_EINVAL;
	*len = shape_bytes[o->shape];
	if (o->shape == OPT_TIMEOUT) {
		int64_t t = o->name == IV_SO_RCVTIMEO ? s->rcv_timeout_ns : s->snd_timeout_ns;

		tv[0] = t < 0 ? 0 : t / 1000000000;
		tv[1] = t < 0 ? 0 : t % 1000000000 / 1000;
		memcpy(val, tv, sizeof(tv));
		return 0;
	}
	if (o->shape == OPT_LINGER) {
		hl = sizeof(l);
		if (getsockopt(s->fd, o->host_level, o->host_name, &l, &hl))
			return -wasi_from_errno(errno);
		v[0] = l.l_onoff;
		v[1] = l.l_linger;
		memcpy(val, v, 8);
		return 0;
	}
	hl = sizeof(h);
	if (getsockopt(s->fd, o->host_level, o->host_name, &h, &hl))
		return -wasi_from_errno(errno);
	/* The guest knows its own numbers: a socket error as its errno, the type as its. */
	if (o->name == IV_SO_ERROR && o->level == IV_SOL_SOCKET)
		h = h ? wasi_from_errno(h) : 0;
	else if (o->name == IV_SO_TYPE && o->level == IV_SOL_SOCKET)
		h = IV_SOCK_STREAM;
	v[0] = h;
	memcpy(val, v, 4);
	return 0;
}
