/* Unit tests of cVM sockets against the monitor library: policy, listeners, I/O, bad arguments. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "cvm.h"
#include "fake_cvm.h"
#include "intravisor/abi.h"
#include "posix/fdtable.h"
#include "posix/net.h"
#include "rt.h"
#include "posix/wasi.h"
#include "posix/wasi_defs.h"

/* Guest memory offsets the tests use: an address, iovecs, a buffer, results. */
#define G_ADDR 0x100
#define G_LEN 0x200
#define G_IOV 0x300
#define G_BUF 0x400
#define G_OUT 0x800
#define G_OUT2 0x810

/* A posix cVM as far as the network sees one: one page of memory, a descriptor table, a
 * policy. */
static struct fake_cvm *fake_new(const struct cfg_net *net)
{
	struct fake_cvm *f = fake_cvm_new("net", 1, 0, true);
	char err[256] = "";

	if (net) {
		if (net_setup(&f->vm, net, err, sizeof(err)))
			fail_msg("net_setup: %s", err);
	}
	return f;
}

/* net_setup of policy net must fail on a cVM with only a descriptor table: its message in
 * err. */
static void setup_fails(const struct cfg_net *net, char *err, size_t errlen)
{
	struct cvm vm = {0};

	vm.fds = fdt_new(0);
	assert_non_null(vm.fds);
	assert_int_equal(net_setup(&vm, net, err, errlen), -1);
	fdt_free(&vm, vm.fds);
}

static uint8_t *mem(struct fake_cvm *f, uint32_t at)
{
	return f->mem.data + at;
}

static uint32_t load_u32(struct fake_cvm *f, uint32_t at)
{
	uint32_t v;

	memcpy(&v, mem(f, at), 4);
	return v;
}

/* A port nothing listens on now (the kernel's pick, released). */
static uint16_t free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

/* A guest IPv4 address at G_ADDR, as wasi-libc lays it out; returns its length. */
static uint32_t guest_in(struct fake_cvm *f, const char *ip, uint16_t port)
{
	uint16_t family = IV_AF_INET, be = htons(port);

	memset(mem(f, G_ADDR), 0, 16);
	memcpy(mem(f, G_ADDR), &family, 2);
	memcpy(mem(f, G_ADDR + 2), &be, 2);
	assert_int_equal(inet_pton(AF_INET, ip, mem(f, G_ADDR + 4)), 1);
	return 16;
}

static uint32_t guest_un(struct fake_cvm *f, const char *path)
{
	uint16_t family = IV_AF_UNIX;

	memset(mem(f, G_ADDR), 0, 112);
	memcpy(mem(f, G_ADDR), &family, 2);
	memcpy(mem(f, G_ADDR + 2), path, strlen(path));
	return (uint32_t)(2 + strlen(path) + 1);
}

/* One guest iovec at G_IOV over [G_BUF, G_BUF + len). */
static void guest_iov(struct fake_cvm *f, uint32_t len)
{
	uint32_t iov[2] = {G_BUF, len};

	memcpy(mem(f, G_IOV), iov, sizeof(iov));
}

static int32_t guest_socket(struct fake_cvm *f, uint32_t family, uint32_t type)
{
	return (int32_t)Z_intravisorZ_net_socket(&f->vm, family, type);
}

static int host_connect_in(uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

static void set_nonblock(struct fake_cvm *f, uint32_t fd)
{
	fdt_get(&f->vm, fd)->fdflags |= WASI_FDFLAGS_NONBLOCK;
}

static struct cfg_endpoint tcp_ep(const char *host, uint16_t port, char *text, size_t n)
{
	snprintf(text, n, "tcp:%s:%u", host, port);
	return (struct cfg_endpoint){.kind = CFG_NET_TCP, .host = (char *)host, .port = port,
				     .text = text};
}

static void test_no_policy_refuses_everything(void **state)
{
	struct cfg_net none = {0};
	struct fake_cvm *f = fake_new(&none);

	(void)state;
	assert_null(f->vm.net);
	assert_int_equal(guest_socket(f, IV_AF_INET, IV_SOCK_STREAM), -WASI_EACCES);
	assert_int_equal(guest_socket(f, IV_AF_UNIX, IV_SOCK_STREAM), -WASI_EACCES);
	assert_int_equal(fdt_count(&f->vm), 3);
	fake_cvm_free(f);
}

static void test_listener_serves_a_host_client(void **state)
{
	uint16_t port = free_port();
	char text[64], buf[16];
	struct cfg_endpoint ep = tcp_ep("127.0.0.1", port, text, sizeof(text));
	struct cfg_net net = {.listen = &ep, .nlisten = 1};
	struct fake_cvm *f = fake_new(&net);
	int32_t s, conn, client;
	uint32_t len;

	(void)state;
	assert_non_null(fdt_get(&f->vm, 3));
	assert_int_equal(fdt_get(&f->vm, 3)->kind, FD_SOCKET);
	assert_int_equal(net_sock_filetype(fdt_get(&f->vm, 3)->u.sock),
			 WASI_FILETYPE_SOCKET_STREAM);

	/* Binding anything else is refused; the policy's address (or any-address) is given. */
	s = guest_socket(f, IV_AF_INET, IV_SOCK_STREAM);
	assert_int_equal(s, 4);
	assert_int_equal((int32_t)Z_intravisorZ_net_listen(&f->vm, (uint32_t)s, 8), -WASI_EACCES);
	len = guest_in(f, "127.0.0.1", port == 65535 ? 1 : port + 1);
	assert_int_equal((int32_t)Z_intravisorZ_net_bind(&f->vm, (uint32_t)s, G_ADDR, len),
			 -WASI_EACCES);
	len = guest_in(f, "127.0.0.2", port);
	assert_int_equal((int32_t)Z_intravisorZ_net_bind(&f->vm, (uint32_t)s, G_ADDR, len),
			 -WASI_EACCES);
	len = guest_in(f, "0.0.0.0", port);
	assert_int_equal((int32_t)Z_intravisorZ_net_bind(&f->vm, (uint32_t)s, G_ADDR, len), 0);
	assert_int_equal((int32_t)Z_intravisorZ_net_listen(&f->vm, (uint32_t)s, 8), 0);
	assert_int_equal((int32_t)Z_intravisorZ_net_bind(&f->vm, (uint32_t)s, G_ADDR, len),
			 -WASI_EINVAL);

	/* getsockname tells the listener's address, in the guest's layout. */
	memcpy(mem(f, G_LEN), &(uint32_t){64}, 4);
	assert_int_equal((int32_t)Z_intravisorZ_net_name(&f->vm, (uint32_t)s, 0, G_BUF, G_LEN), 0);
	assert_int_equal(load_u32(f, G_LEN), 16);
	assert_int_equal(*(uint16_t *)mem(f, G_BUF), IV_AF_INET);
	assert_int_equal(ntohs(*(uint16_t *)mem(f, G_BUF + 2)), port);

	/* Nothing waiting: a non-blocking accept says so. */
	set_nonblock(f, (uint32_t)s);
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_accept(&f->vm, (uint32_t)s, 0, G_OUT),
			 WASI_EAGAIN);
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_accept(&f->vm, (uint32_t)s, 8, G_OUT),
			 WASI_EINVAL);

	client = host_connect_in(port);
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_accept(&f->vm, 3, 0, G_OUT), 0);
	conn = (int32_t)load_u32(f, G_OUT);
	assert_int_equal(conn, 5);
	/* A connection cannot accept; the listener cannot read. */
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_accept(&f->vm, (uint32_t)conn, 0, G_OUT),
			 WASI_ENOTCAPABLE);
	guest_iov(f, 4);
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_recv(&f->vm, 3, G_IOV, 1, 0, G_OUT, G_OUT2),
			 WASI_ENOTCAPABLE);

	/* Bytes both ways; peek leaves them, waitall gathers them. */
	assert_int_equal(write(client, "ping", 4), 4);
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_recv(&f->vm, (uint32_t)conn, G_IOV, 1,
							     WASI_RIFLAGS_RECV_PEEK, G_OUT, G_OUT2),
			 0);
	assert_int_equal(load_u32(f, G_OUT), 4);
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_recv(&f->vm, (uint32_t)conn, G_IOV, 1,
							     WASI_RIFLAGS_RECV_WAITALL, G_OUT,
							     G_OUT2),
			 0);
	assert_int_equal(load_u32(f, G_OUT), 4);
	assert_memory_equal(mem(f, G_BUF), "ping", 4);
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_recv(&f->vm, (uint32_t)conn, G_IOV, 1, 4,
							     G_OUT, G_OUT2),
			 WASI_EINVAL);
	memcpy(mem(f, G_BUF), "pong", 4);
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_send(&f->vm, (uint32_t)conn, G_IOV, 1, 0,
							     G_OUT),
			 0);
	assert_int_equal(load_u32(f, G_OUT), 4);
	assert_int_equal(read(client, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "pong", 4);

	/* The peer's address is the client's. */
	memcpy(mem(f, G_LEN), &(uint32_t){64}, 4);
	assert_int_equal((int32_t)Z_intravisorZ_net_name(&f->vm, (uint32_t)conn, 1, G_BUF, G_LEN),
			 0);
	assert_int_equal(load_u32(f, G_LEN), 16);

	/* Shutting down writing is EOF for the client; a bad how is refused. */
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_shutdown(&f->vm, (uint32_t)conn, 0),
			 WASI_EINVAL);
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_shutdown(&f->vm, (uint32_t)conn, 4),
			 WASI_EINVAL);
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_shutdown(&f->vm, (uint32_t)conn,
								 WASI_SDFLAGS_WR),
			 0);
	assert_int_equal(read(client, buf, sizeof(buf)), 0);
	close(client);
	/* The client is gone: reading gives EOF. */
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_recv(&f->vm, (uint32_t)conn, G_IOV, 1, 0,
							     G_OUT, G_OUT2),
			 0);
	assert_int_equal(load_u32(f, G_OUT), 0);

	/* Closing the pre-opened descriptor leaves the listener the guest bound. */
	assert_int_equal(fdt_close(&f->vm, 3), 0);
	client = host_connect_in(port);
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_accept(&f->vm, (uint32_t)s, 0, G_OUT), 0);
	close(client);
	fake_cvm_free(f);
}

static void test_connect_by_policy(void **state)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	char text[2][64];
	struct cfg_endpoint eps[2];
	struct cfg_net net = {.connect = eps, .nconnect = 2};
	struct fake_cvm *f;
	int server, peer, s;
	uint16_t port;
	uint32_t len;

	(void)state;
	server = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(server, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(server, 4), 0);
	assert_int_equal(getsockname(server, (struct sockaddr *)&a, &alen), 0);
	port = ntohs(a.sin_port);
	eps[0] = tcp_ep("127.0.0.1", port, text[0], sizeof(text[0]));
	eps[1] = tcp_ep("10.0.0.1", 0, text[1], sizeof(text[1]));
	f = fake_new(&net);

	s = guest_socket(f, IV_AF_INET, IV_SOCK_STREAM);
	assert_true(s >= 3);
	/* No listener in the policy: no bind at all. */
	len = guest_in(f, "127.0.0.1", port);
	assert_int_equal((int32_t)Z_intravisorZ_net_bind(&f->vm, (uint32_t)s, G_ADDR, len),
			 -WASI_EACCES);
	len = guest_in(f, "127.0.0.1", port == 65535 ? 1 : port + 1);
	assert_int_equal((int32_t)Z_intravisorZ_net_connect(&f->vm, (uint32_t)s, G_ADDR, len),
			 -WASI_EACCES);
	len = guest_in(f, "127.0.0.2", port);
	assert_int_equal((int32_t)Z_intravisorZ_net_connect(&f->vm, (uint32_t)s, G_ADDR, len),
			 -WASI_EACCES);
	/* Too short an address, and one outside memory. */
	assert_int_equal((int32_t)Z_intravisorZ_net_connect(&f->vm, (uint32_t)s, G_ADDR, 4),
			 -WASI_EINVAL);
	assert_int_equal((int32_t)Z_intravisorZ_net_connect(&f->vm, (uint32_t)s, 0xfffffff8, 16),
			 -WASI_EFAULT);
	assert_int_equal((int32_t)Z_intravisorZ_net_connect(&f->vm, (uint32_t)s, 65530, 16),
			 -WASI_EFAULT);
	len = guest_in(f, "127.0.0.1", port);
	assert_int_equal((int32_t)Z_intravisorZ_net_connect(&f->vm, (uint32_t)s, G_ADDR, len), 0);
	peer = accept(server, NULL, NULL);
	assert_true(peer >= 0);
	assert_int_equal(write(peer, "hi", 2), 2);
	guest_iov(f, 2);
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_recv(&f->vm, (uint32_t)s, G_IOV, 1,
							     WASI_RIFLAGS_RECV_WAITALL, G_OUT,
							     G_OUT2),
			 0);
	assert_memory_equal(mem(f, G_BUF), "hi", 2);
	close(peer);
	close(server);
	fake_cvm_free(f);
}

static void test_connect_to_any_port(void **state)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	char text[64];
	struct cfg_endpoint ep = tcp_ep("127.0.0.1", 0, text, sizeof(text));
	struct cfg_net net = {.connect = &ep, .nconnect = 1};
	struct fake_cvm *f = fake_new(&net);
	int server = socket(AF_INET, SOCK_STREAM, 0), s;
	uint32_t len;

	(void)state;
	assert_int_equal(bind(server, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(server, 1), 0);
	assert_int_equal(getsockname(server, (struct sockaddr *)&a, &alen), 0);
	s = guest_socket(f, IV_AF_INET, IV_SOCK_STREAM);
	len = guest_in(f, "127.0.0.2", ntohs(a.sin_port));
	assert_int_equal((int32_t)Z_intravisorZ_net_connect(&f->vm, (uint32_t)s, G_ADDR, len),
			 -WASI_EACCES);
	len = guest_in(f, "127.0.0.1", ntohs(a.sin_port));
	assert_int_equal((int32_t)Z_intravisorZ_net_connect(&f->vm, (uint32_t)s, G_ADDR, len), 0);
	close(server);
	fake_cvm_free(f);
}

static void test_unix_listener(void **state)
{
	char dir[] = "/tmp/iv-net-XXXXXX", path[128], text[160], buf[8];
	struct cfg_endpoint ep = {.kind = CFG_NET_UNIX, .host = path, .text = text};
	struct cfg_net net = {.listen = &ep, .nlisten = 1, .connect = &ep, .nconnect = 1};
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct fake_cvm *f;
	int s, client, fd;
	uint32_t len;
	char err[256];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/kv.sock", dir);
	snprintf(text, sizeof(text), "unix:%s", path);
	strcpy(a.sun_path, path);

	/* A regular file in the way stays. */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	setup_fails(&net, err, sizeof(err));
	assert_non_null(strstr(err, "cannot listen on unix:"));
	assert_non_null(strstr(err, "File exists"));
	unlink(path);

	/* A stale socket file is replaced. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	close(fd);
	f = fake_new(&net);

	s = guest_socket(f, IV_AF_UNIX, IV_SOCK_STREAM);
	len = guest_un(f, "/tmp/elsewhere.sock");
	assert_int_equal((int32_t)Z_intravisorZ_net_bind(&f->vm, (uint32_t)s, G_ADDR, len),
			 -WASI_EACCES);
	len = guest_un(f, path);
	assert_int_equal((int32_t)Z_intravisorZ_net_bind(&f->vm, (uint32_t)s, G_ADDR, len), 0);
	assert_int_equal((int32_t)Z_intravisorZ_net_listen(&f->vm, (uint32_t)s, 8), 0);

	client = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(client, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_accept(&f->vm, (uint32_t)s, 0, G_OUT), 0);
	assert_int_equal(write(client, "unix", 4), 4);
	guest_iov(f, 4);
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_recv(&f->vm, load_u32(f, G_OUT), G_IOV, 1,
							     WASI_RIFLAGS_RECV_WAITALL, G_OUT2,
							     G_OUT2 + 4),
			 0);
	assert_memory_equal(mem(f, G_BUF), "unix", 4);

	/* The guest may connect to the path too (the policy lists it). */
	s = guest_socket(f, IV_AF_UNIX, IV_SOCK_STREAM);
	assert_int_equal((int32_t)Z_intravisorZ_net_connect(&f->vm, (uint32_t)s, G_ADDR, len), 0);
	memcpy(mem(f, G_LEN), &(uint32_t){4}, 4);
	assert_int_equal((int32_t)Z_intravisorZ_net_name(&f->vm, (uint32_t)s, 1, G_BUF, G_LEN), 0);
	assert_int_equal(load_u32(f, G_LEN), 2 + strlen(path) + 1);
	assert_int_equal(read(client, buf, 0), 0);
	close(client);
	fake_cvm_free(f);

	/* A socket somebody listens on is no stale one: it stays. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	unlink(path);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 1), 0);
	setup_fails(&net, err, sizeof(err));
	assert_non_null(strstr(err, "Address already in use"));
	close(fd);
	unlink(path);
	rmdir(dir);
}

static void test_setup_reports_an_address_in_use(void **state)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	char text[64], err[256], want[128];
	struct cfg_endpoint ep;
	struct cfg_net net = {.listen = &ep, .nlisten = 1};
	int holder = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	assert_int_equal(bind(holder, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(holder, 1), 0);
	assert_int_equal(getsockname(holder, (struct sockaddr *)&a, &alen), 0);
	ep = tcp_ep("127.0.0.1", ntohs(a.sin_port), text, sizeof(text));
	setup_fails(&net, err, sizeof(err));
	snprintf(want, sizeof(want), "cannot listen on %s: Address already in use", text);
	assert_string_equal(err, want);
	close(holder);
}

static void test_bad_descriptors_and_arguments(void **state)
{
	char text[64];
	struct cfg_endpoint ep = tcp_ep("127.0.0.1", 1, text, sizeof(text));
	struct cfg_net net = {.connect = &ep, .nconnect = 1};
	struct fake_cvm *f = fake_new(&net);
	int32_t s;

	(void)state;
	guest_iov(f, 4);
	/* The console is no socket; 99 is not open. */
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_recv(&f->vm, 1, G_IOV, 1, 0, G_OUT, G_OUT2),
			 WASI_ENOTSOCK);
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_send(&f->vm, 99, G_IOV, 1, 0, G_OUT),
			 WASI_EBADF);
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_accept(&f->vm, 0, 0, G_OUT),
			 WASI_ENOTSOCK);
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_shutdown(&f->vm, 2, 3), WASI_ENOTSOCK);
	assert_int_equal((int32_t)Z_intravisorZ_net_bind(&f->vm, 1, G_ADDR, 16), -WASI_ENOTSOCK);
	assert_int_equal((int32_t)Z_intravisorZ_net_listen(&f->vm, 77, 1), -WASI_EBADF);

	assert_int_equal(guest_socket(f, 9, IV_SOCK_STREAM), -WASI_EAFNOSUPPORT);
	assert_int_equal(guest_socket(f, IV_AF_INET, 5), -66 /* EPROTONOSUPPORT */);
	assert_int_equal(guest_socket(f, IV_AF_INET, IV_SOCK_STREAM | 0x100000), -WASI_EINVAL);
	s = guest_socket(f, IV_AF_INET6, IV_SOCK_STREAM | IV_SOCK_NONBLOCK);
	assert_true(s >= 3);
	assert_int_equal(fdt_get(&f->vm, (uint32_t)s)->fdflags, WASI_FDFLAGS_NONBLOCK);

	/* Bad memory: iovecs, their buffers, the count, the address length. */
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_send(&f->vm, (uint32_t)s, 0xfffffff0, 1, 0,
							     G_OUT),
			 WASI_EFAULT);
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_send(&f->vm, (uint32_t)s, G_IOV, 1025, 0,
							     G_OUT),
			 WASI_EINVAL);
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_send(&f->vm, (uint32_t)s, G_IOV, 1, 1,
							     G_OUT),
			 WASI_EINVAL);
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_recv(&f->vm, (uint32_t)s, G_IOV, 1, 0,
							     0xffffffff, G_OUT2),
			 WASI_EFAULT);
	assert_int_equal((int32_t)Z_intravisorZ_net_name(&f->vm, (uint32_t)s, 0, G_BUF, 0xfffffffe),
			 -WASI_EFAULT);
	memcpy(mem(f, G_LEN), &(uint32_t){0x10000}, 4);
	assert_int_equal((int32_t)Z_intravisorZ_net_name(&f->vm, (uint32_t)s, 0, G_BUF, G_LEN),
			 -WASI_EFAULT);
	/* Not connected: no peer; receiving is ENOTCONN. */
	memcpy(mem(f, G_LEN), &(uint32_t){32}, 4);
	assert_int_equal((int32_t)Z_intravisorZ_net_name(&f->vm, (uint32_t)s, 1, G_BUF, G_LEN),
			 -WASI_ENOTCONN);
	assert_int_equal(Z_wasi_snapshot_preview1Z_sock_recv(&f->vm, (uint32_t)s, G_IOV, 1, 0,
							     G_OUT, G_OUT2),
			 WASI_ENOTCONN);
	/* An IPv4 address on an IPv6 socket. */
	assert_int_equal((int32_t)Z_intravisorZ_net_connect(&f->vm, (uint32_t)s, G_ADDR,
							    guest_in(f, "127.0.0.1", 1)),
			 -WASI_EAFNOSUPPORT);

	/* Options: honoured, read back, or refused by name. */
	memcpy(mem(f, G_BUF), &(int32_t){1}, 4);
	assert_int_equal((int32_t)Z_intravisorZ_net_setsockopt(&f->vm, (uint32_t)s, IV_IPPROTO_TCP,
							       IV_TCP_NODELAY, G_BUF, 4),
			 0);
	memcpy(mem(f, G_LEN), &(uint32_t){4}, 4);
	memset(mem(f, G_BUF), 0, 4);
	assert_int_equal((int32_t)Z_intravisorZ_net_getsockopt(&f->vm, (uint32_t)s, IV_IPPROTO_TCP,
							       IV_TCP_NODELAY, G_BUF, G_LEN),
			 0);
	assert_int_equal(load_u32(f, G_BUF), 1);
	assert_int_equal((int32_t)Z_intravisorZ_net_getsockopt(&f->vm, (uint32_t)s, IV_SOL_SOCKET,
							       IV_SO_TYPE, G_BUF, G_LEN),
			 0);
	assert_int_equal(load_u32(f, G_BUF), IV_SOCK_STREAM);
	assert_int_equal((int32_t)Z_intravisorZ_net_setsockopt(&f->vm, (uint32_t)s, IV_SOL_SOCKET,
							       IV_SO_TYPE, G_BUF, 4),
			 -50 /* ENOPROTOOPT */);
	assert_int_equal((int32_t)Z_intravisorZ_net_setsockopt(&f->vm, (uint32_t)s, IV_SOL_SOCKET,
							       IV_SO_KEEPALIVE, G_BUF, 2),
			 -WASI_EINVAL);
	assert_int_equal((int32_t)Z_intravisorZ_net_setsockopt(&f->vm, (uint32_t)s, IV_SOL_SOCKET,
							       12345, G_BUF, 4),
			 -50);
	memcpy(mem(f, G_BUF), &(int64_t[2]){2, 500000}, 16);
	assert_int_equal((int32_t)Z_intravisorZ_net_setsockopt(&f->vm, (uint32_t)s, IV_SOL_SOCKET,
							       IV_SO_RCVTIMEO, G_BUF, 16),
			 0);
	memset(mem(f, G_BUF), 0, 16);
	memcpy(mem(f, G_LEN), &(uint32_t){16}, 4);
	assert_int_equal((int32_t)Z_intravisorZ_net_getsockopt(&f->vm, (uint32_t)s, IV_SOL_SOCKET,
							       IV_SO_RCVTIMEO, G_BUF, G_LEN),
			 0);
	assert_memory_equal(mem(f, G_BUF), (&(int64_t[2]){2, 500000}), 16);
	fake_cvm_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_policy_refuses_everything),
		cmocka_unit_test(test_listener_serves_a_host_client),
		cmocka_unit_test(test_connect_by_policy),
		cmocka_unit_test(test_connect_to_any_port),
		cmocka_unit_test(test_unix_listener),
		cmocka_unit_test(test_setup_reports_an_address_in_use),
		cmocka_unit_test(test_bad_descriptors_and_arguments),
	};

	if (rt_init())
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
