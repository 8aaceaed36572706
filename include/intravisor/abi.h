/* The Intravisor guest ABI: shared by the monitor and by guest programs (the single source). */
#ifndef INTRAVISOR_ABI_H
#define INTRAVISOR_ABI_H

#include <stdint.h>

/*
 * Version of the guest ABI. It changes whenever a hostcall's name, signature or meaning
 * changes; it is part of the compile-cache key, so a monitor never runs code compiled
 * against another ABI.
 */
#define IV_ABI_VERSION 3

/* The wasm import module that carries the `bare` runtime's hostcalls. */
#define IV_IMPORT_MODULE "intravisor"

/*
 * Hostcall names (wasm import names inside IV_IMPORT_MODULE) and their wasm signatures.
 * i32/i64 are wasm value types; pointers are 32-bit offsets into the caller's linear memory.
 *
 *   console_write(ptr: i32, len: i32) -> i32
 *       Writes len bytes at ptr to the cVM's console (the monitor's stdout, line-prefixed
 *       when several cVMs run). Returns the count written, or -IV_EFAULT if [ptr, ptr+len)
 *       is not inside the caller's memory.
 *   exit(code: i32) -> (does not return)
 *       Ends the calling cVM with exit status code (0..255 are meaningful).
 *   clock_ns(clock: i32) -> i64
 *       Nanoseconds on clock IV_CLOCK_REALTIME or IV_CLOCK_MONOTONIC; -IV_EINVAL otherwise.
 *   random(ptr: i32, len: i32) -> i32
 *       Fills [ptr, ptr+len) with cryptographically secure random bytes. Returns 0,
 *       -IV_EFAULT for a range outside memory, -IV_EINVAL when len exceeds IV_RANDOM_MAX.
 */
#define IV_HC_CONSOLE_WRITE "console_write"
#define IV_HC_EXIT "exit"
#define IV_HC_CLOCK_NS "clock_ns"
#define IV_HC_RANDOM "random"

enum iv_clock {
	IV_CLOCK_REALTIME = 0,
	IV_CLOCK_MONOTONIC = 1,
};

/* Largest single random() request. */
#define IV_RANDOM_MAX (1u << 20)

/*
 * ---- Capabilities ----
 *
 * A capability is held as a handle (an i32 > 0) into the calling cVM's capability table,
 * which lives in the monitor: a guest cannot forge, widen or revive one. A handle is an index
 * plus a generation, so a stale handle (dropped or revoked and reused) is refused; a slot
 * whose 32767 generations are used up is retired, never reused. Every
 * capability names an object (a memory region, a callable entry, a seal type) with a base
 * and length inside it, permissions, and a seal type (0: unsealed).
 *
 * Hostcalls (all in IV_IMPORT_MODULE; handles and results are i32, offsets i64):
 *   cap_info(h, out: i32) -> i32                 writes struct iv_cap_info at out
 *   cap_derive(h, offset: i64, length: i64, perms) -> i32
 *       new capability for [base+offset, base+offset+length) with perms, which must be a
 *       subset of h's (monotonic). -IV_ERANGE beyond h's bounds, -IV_ENOTCAPABLE for more
 *       permissions.
 *   cap_drop(h) -> i32                           frees the caller's handle only
 *   cap_revoke(h) -> i32
 *       invalidates h and everything derived or transferred from it, in every cVM, at once;
 *       mappings of them are unmapped (a later access traps the holder). Needs no permission:
 *       what a cVM holds, it may revoke.
 *   cap_sealer() -> i32                          a new seal type: a SEALER with SEAL|UNSEAL|GRANT
 *       (-IV_ENOSPC once the monitor's 2^32 seal types are used up: none is ever reused)
 *   cap_seal(h, sealer) -> i32                   a sealed copy of h (sealer needs SEAL)
 *   cap_unseal(h, sealer) -> i32                 an unsealed copy (sealer needs UNSEAL, same type)
 *       A sealed capability can be inspected, transferred, dropped and revoked, nothing else.
 *   cap_transfer(h, cvm_name: i32, name_len: i32) -> i32
 *       places a copy of h (derived from it: revoking h revokes the copy) in the named cVM's
 *       table and returns the handle as numbered there. Needs GRANT on h.
 *   cap_load(h, offset: i64, dst: i32, len: i32) -> i32     copies from the object to dst
 *   cap_store(h, offset: i64, src: i32, len: i32) -> i32    copies src into the object
 *   cap_copy(dst_h, dst_off: i64, src_h, src_off: i64, len: i32) -> i32
 *       byte-granular copies; LOAD/STORE checked, bounds checked (overflow-safe). Return 0.
 *   cap_map(h, dst: i32) -> i32
 *       maps the memory capability's pages at dst in the caller's memory (zero-copy: the same
 *       physical pages). Needs MAP and LOAD; read-only without STORE (a write traps the
 *       writer). base, length and dst must be multiples of IV_MAP_ALIGN, and
 *       [dst, dst+length) inside the caller's memory. Pointers into a mapped window are not
 *       accepted by hostcalls (-IV_EFAULT): copy the data out first.
 *   cap_unmap(dst: i32) -> i32                   restores the caller's own pages at dst
 *
 * ---- CAP_FILE: named memory ----
 *   capfile_adv(name: i32, name_len: i32, ptr: i32, len: i32, perms: i32) -> i32
 *       advertises [ptr, ptr+len) of the caller's memory under name (1..IV_NAME_MAX bytes);
 *       returns the caller's capability to it (revoking it withdraws the region).
 *       -IV_EEXIST for a name in use, -IV_EFAULT for a range outside the caller's memory,
 *       -IV_EMFILE when the caller already advertises as many names (capfiles and entries
 *       together) as its capability table holds.
 *   capfile_prb(name: i32, name_len: i32, timeout_ms: i32, size_out: i32) -> i32
 *       a capability to the named region (derived from the advertiser's), its size written as
 *       u64 at size_out. Waits up to timeout_ms for the name to appear (-1: no limit, 0: no
 *       wait); -IV_ETIMEDOUT, -IV_ENOENT, -IV_EACCES (not on the capfile's allow-list).
 *
 * ---- CAP_CALL: calls into another cVM ----
 *   call_adv(name: i32, name_len: i32, export: i32, export_len: i32) -> i32
 *       advertises the caller's exported function `export` under name. The export's
 *       parameters must be i32 or i64 (at most IV_CALL_MAX_ARGS), its result none, i32 or i64.
 *       -IV_EEXIST, -IV_EMFILE as capfile_adv; -IV_ENOENT when there is no such export.
 *   call_prb(name: i32, name_len: i32, timeout_ms: i32) -> i32
 *       a sealed entry capability (CALL) for the named function; waits as capfile_prb.
 *   call(entry, args: i32, nargs: i32, buf: i32, buf_len: i32, buf_perms: i32,
 *        result: i32) -> i32
 *       runs the entry on the caller's thread, under the callee's lock, with nargs i64
 *       arguments read from args (i32 parameters take the low half); writes the i64 result at
 *       result. If buf_len > 0, [buf, buf+buf_len) of the caller's memory is lent to the
 *       callee with buf_perms (LOAD and/or STORE) for the duration of the call.
 *       -IV_EINVAL not an entry or wrong nargs, -IV_ESRCH callee ended, -IV_ECANCELED the
 *       callee trapped or exited during the call (it is marked crashed), -IV_EDEADLK the call
 *       would re-enter a cVM already in the calling chain or close a cycle of waiting cVMs.
 *   call_buffer() -> i32
 *       inside a call: a capability to the buffer the caller lent (revoked when the call
 *       returns); -IV_ENOENT when none.
 *   serve(timeout_ms: i32) -> i32
 *       blocks, with the caller's lock free, so other cVMs can call in. Returns 0 once no other
 *       cVM can call any more (each has ended or is itself serving), -IV_ETIMEDOUT after
 *       timeout_ms (-1: no limit).
 *
 * ---- CAP_STREAM: streams between cVMs ----
 * A stream is a ring buffer in monitor memory with two ends, each an IV_CAP_STREAM
 * capability: the read end carries IV_PERM_LOAD (receive), the write end IV_PERM_STORE
 * (send); either may carry IV_PERM_GRANT (cap_transfer, stream_adv). cap_info reports
 * length = the stream's capacity. Several cVMs may hold each end. Byte streams carry bytes
 * (a send of at most IV_STREAM_ATOMIC bytes is never interleaved with another writer's);
 * message streams keep each send whole (at most capacity - IV_STREAM_MSG_OVERHEAD bytes)
 * and may attach a memory capability to it (zero-copy). An end is open while a cVM holds a
 * capability to it with its permission (not revoked) or an advertisement still promises it
 * to a prober (takers). With no write end open, readers get EOF (0) once the stream is
 * empty; with no read end open, sends fail with -IV_EPIPE. timeout_ms: -1 waits without
 * limit, 0 never waits (-IV_EAGAIN), N > 0 at most N ms (-IV_ETIMEDOUT); a waiting cVM can
 * be called meanwhile, and its time limit still applies.
 *   stream_new(capacity: i32, flags: i32, ends: i32) -> i32
 *       a new stream of capacity bytes (IV_STREAM_CAPACITY_MIN..MAX, rounded up to a power
 *       of two; 0: IV_STREAM_CAPACITY_DEFAULT), flags IV_STREAM_MESSAGE or 0 (bytes). Writes
 *       the read end's handle, then the write end's (two i32), at ends. -IV_ENOMEM past
 *       IV_STREAM_BUDGET bytes of streams made by this cVM and still alive.
 *   stream_adv(name: i32, name_len: i32, h: i32, takers: i32) -> i32
 *       advertises end h (needs GRANT) under name, for stream_prb. takers > 0: at most that
 *       many probes, and until they happen the advertisement counts as that many open
 *       ends; 0: any number of probes, counting as none. Revoking h withdraws it (and
 *       revokes the ends probed from it); so does the advertiser's end. -IV_EEXIST when the
 *       name already advertises that end, -IV_EMFILE as capfile_adv.
 *   stream_prb(name: i32, name_len: i32, end: i32, timeout_ms: i32) -> i32
 *       a capability to end IV_STREAM_READ or IV_STREAM_WRITE of the stream advertised (or
 *       declared in the YAML's streams:) under name; waits as capfile_prb. For a YAML
 *       stream, a cVM listed among its readers (writers) first gets the handle the monitor
 *       gave it at start, others -IV_EACCES.
 *   stream_send(h: i32, buf: i32, len: i32, cap: i32, timeout_ms: i32) -> i32
 *       sends [buf, buf+len); returns the count sent (a byte stream sends all unless it
 *       times out part-way, which returns what was sent). cap != 0 attaches that memory
 *       capability (needs GRANT; message streams only); the receiver gets a copy derived
 *       from it. -IV_EPIPE, -IV_EAGAIN, -IV_ETIMEDOUT, -IV_EMSGSIZE (message too large).
 *   stream_recv(h: i32, buf: i32, len: i32, cap_out: i32, timeout_ms: i32) -> i32
 *       receives into [buf, buf+len): a byte stream what is there (at least 1 byte), a
 *       message stream one whole message; returns the count, 0 at EOF. With cap_out != 0
 *       the handle of an attached capability (or 0) is written there as i32; without, an
 *       attached capability is dropped. -IV_EMSGSIZE leaves a message larger than len queued.
 *   stream_wait(items: i32, n: i32, timeout_ms: i32) -> i32
 *       waits until one of n (1..IV_WAIT_MAX) struct iv_wait items is ready: a stream end
 *       (IV_WAIT_READ / IV_WAIT_WRITE) or a memory capability (IV_WAIT_NOTIFY: cap_notify
 *       was called on its object since the count in seq). Sets revents (and seq, error) in
 *       every item; returns how many are ready, 0 on timeout.
 *   stream_fd(h: i32) -> i32
 *       posix cVMs: binds end h to the lowest free file descriptor >= 3 and returns it; the
 *       descriptor takes the handle over (fd_close drops it). read, write, poll work on it.
 *   cap_notify(h: i32) -> i32
 *       counts one event on the object of memory capability h (needs STORE) and wakes the
 *       cVMs waiting for it with IV_WAIT_NOTIFY.
 *
 * ---- Callback chaining ----
 * A cVM whose YAML has `callback_out: NAME` sends its console_write, exit, clock_ns and
 * random hostcalls to cVM NAME's export IV_SYSCALL_EXPORT instead of the monitor:
 *   intravisor_syscall(num: i32, a0: i64, a1: i64, a2: i64, buf: i32) -> i64
 * num is an IV_SYS_* number; buf a capability to the caller's buffer when the hostcall has
 * one (console_write: LOAD over the text, a0 = length; random: STORE, a0 = length), else 0;
 * it is revoked when the handler returns. The handler's result is the hostcall's result.
 * exit ends the client after the handler returns.
 */
#define IV_HC_CAP_INFO "cap_info"
#define IV_HC_CAP_DERIVE "cap_derive"
#define IV_HC_CAP_DROP "cap_drop"
#define IV_HC_CAP_REVOKE "cap_revoke"
#define IV_HC_CAP_SEALER "cap_sealer"
#define IV_HC_CAP_SEAL "cap_seal"
#define IV_HC_CAP_UNSEAL "cap_unseal"
#define IV_HC_CAP_TRANSFER "cap_transfer"
#define IV_HC_CAP_LOAD "cap_load"
#define IV_HC_CAP_STORE "cap_store"
#define IV_HC_CAP_COPY "cap_copy"
#define IV_HC_CAP_MAP "cap_map"
#define IV_HC_CAP_UNMAP "cap_unmap"
#define IV_HC_CAPFILE_ADV "capfile_adv"
#define IV_HC_CAPFILE_PRB "capfile_prb"
#define IV_HC_CALL_ADV "call_adv"
#define IV_HC_CALL_PRB "call_prb"
#define IV_HC_CALL "call"
#define IV_HC_CALL_BUFFER "call_buffer"
#define IV_HC_SERVE "serve"
#define IV_HC_STREAM_NEW "stream_new"
#define IV_HC_STREAM_ADV "stream_adv"
#define IV_HC_STREAM_PRB "stream_prb"
#define IV_HC_STREAM_SEND "stream_send"
#define IV_HC_STREAM_RECV "stream_recv"
#define IV_HC_STREAM_WAIT "stream_wait"
#define IV_HC_STREAM_FD "stream_fd"
#define IV_HC_CAP_NOTIFY "cap_notify"

#define IV_SYSCALL_EXPORT "intravisor_syscall"

/* Hostcall numbers seen by a callback handler (the original's console write is 1). */
enum iv_sys {
	IV_SYS_CONSOLE_WRITE = 1,
	IV_SYS_EXIT = 2,
	IV_SYS_RANDOM = 3,
	IV_SYS_CLOCK_NS = 25,
};

enum iv_perm {
	IV_PERM_LOAD = 1u << 0,
	IV_PERM_STORE = 1u << 1,
	IV_PERM_MAP = 1u << 2,
	IV_PERM_CALL = 1u << 3,
	IV_PERM_GRANT = 1u << 4,
	IV_PERM_SEAL = 1u << 5,
	IV_PERM_UNSEAL = 1u << 6,
};
#define IV_PERM_ALL 0x7fu

enum iv_cap_type {
	IV_CAP_MEMORY = 1,
	IV_CAP_ENTRY = 2,
	IV_CAP_SEALER = 3,
	IV_CAP_STREAM = 4,
};

/* What cap_info reports (32 bytes, little-endian, as in guest memory). */
struct iv_cap_info {
	uint64_t base;      /* offset of the capability inside its object */
	uint64_t length;
	uint32_t perms;     /* enum iv_perm bits */
	uint32_t type;      /* enum iv_cap_type */
	uint32_t seal_type; /* 0: unsealed */
	uint32_t reserved;
};

/* Longest capfile or entry name, in bytes. */
#define IV_NAME_MAX 64
/* Alignment of cap_map's base, length and destination (a wasm page). */
#define IV_MAP_ALIGN 65536u
/* Most arguments of a cross-cVM call. */
#define IV_CALL_MAX_ARGS 6
/* Default size of a cVM's capability table (YAML `caps:` under `limits:` changes it). */
#define IV_CAPS_DEFAULT 1024

/* Streams: the two ends (stream_prb), stream_new's flags, sizes and limits. */
enum iv_stream_end {
	IV_STREAM_READ = 0,
	IV_STREAM_WRITE = 1,
};
#define IV_STREAM_MESSAGE 1u                  /* keep message boundaries */
#define IV_STREAM_CAPACITY_MIN 64u
#define IV_STREAM_CAPACITY_MAX (16u << 20)
#define IV_STREAM_CAPACITY_DEFAULT (64u << 10)
#define IV_STREAM_ATOMIC 4096u                /* byte sends up to this size are never split */
#define IV_STREAM_MSG_OVERHEAD 16u            /* ring bytes a message takes beyond its own */
#define IV_STREAM_BUDGET (64u << 20)          /* bytes of live streams one cVM may create */
/* File descriptors of a posix cVM (stdio included): the default limit, and the most allowed. */
#define IV_FDS_DEFAULT 1024
#define IV_FDS_MAX 65536

/* stream_wait: what an item waits for, and what is ready (revents). */
enum iv_wait_events {
	IV_WAIT_READ = 1u << 0,   /* read end: data, a message, or EOF */
	IV_WAIT_WRITE = 1u << 1,  /* write end: room for IV_STREAM_ATOMIC bytes (or all of a
	                             smaller stream), or -IV_EPIPE */
	IV_WAIT_NOTIFY = 1u << 2, /* memory capability: cap_notify since seq */
	IV_WAIT_HUP = 1u << 3,    /* revents only: the other side has no open end */
	IV_WAIT_ERROR = 1u << 4,  /* revents only: the handle is unusable; see error */
};
#define IV_WAIT_MAX 64

/* One item of stream_wait (16 bytes, little-endian, as in guest memory). */
struct iv_wait {
	int32_t handle;
	uint16_t events;  /* IV_WAIT_READ, IV_WAIT_WRITE and/or IV_WAIT_NOTIFY */
	uint16_t revents; /* set by the monitor */
	uint32_t seq;     /* IV_WAIT_NOTIFY: the event count seen; updated to the current one */
	int32_t error;    /* with IV_WAIT_ERROR: the negated iv_error; else 0 */
};

/*
 * ---- Network: sockets of posix cVMs, as the YAML's `net:` allows ----
 * WASI preview1 accepts, receives, sends and shuts down on descriptors a program already
 * holds (sock_accept, sock_recv, sock_send, sock_shutdown); these hostcalls, in
 * IV_IMPORT_MODULE for posix cVMs, make socket descriptors and place them. Each returns a
 * result >= 0 or a negated WASI errno (which is the guest's errno value): -EACCES for what
 * the policy does not allow (everything, for a cVM without `net:`), -EBADF for a descriptor
 * not open, -ENOTSOCK for one that is no socket, -EFAULT for an address or length outside
 * the caller's memory.
 *
 * Socket addresses are laid out as wasi-libc lays them out (little-endian, as in guest
 * memory): the family (u16, IV_AF_*) at 0, then
 *   IV_AF_INET   port (u16, network order) at 2, address (4 bytes) at 4: 8 bytes at least
 *   IV_AF_INET6  port at 2, flow info (u32) at 4, address (16 bytes) at 8, scope id (u32) at
 *                24: 28 bytes at least
 *   IV_AF_UNIX   the path from 2 to its first NUL or the end (1..IV_NET_PATH_MAX bytes)
 *
 *   net_socket(family: i32, type: i32) -> i32
 *       a new stream socket, neither bound nor connected; returns its descriptor. type is
 *       IV_SOCK_STREAM, plus IV_SOCK_NONBLOCK for a non-blocking descriptor.
 *       -EAFNOSUPPORT, -EPROTONOSUPPORT (no datagrams).
 *   net_bind(fd: i32, addr: i32, len: i32) -> i32
 *       only to the address of one of the policy's `listen` sockets, which the monitor
 *       opened before the cVM started: fd becomes (shares) that listening socket. The
 *       any-address (0.0.0.0, ::) matches the listener of its family with the same port.
 *   net_listen(fd: i32, backlog: i32) -> i32
 *       fd must have been bound to a listener (-EACCES otherwise); the backlog is the
 *       listener's own.
 *   net_connect(fd: i32, addr: i32, len: i32) -> i32
 *       only to an address in the policy's `connect`. A blocking descriptor waits for the
 *       connection; a non-blocking one returns -EINPROGRESS: poll for writing, then read
 *       IV_SO_ERROR.
 *   net_name(fd: i32, peer: i32, addr: i32, len_ptr: i32) -> i32
 *       the local (peer = 0) or remote (peer = 1) address, as getsockname / getpeername:
 *       the u32 at len_ptr holds the room at addr and gets the address's full length (a
 *       longer address is cut to the room).
 *   net_setsockopt(fd: i32, level: i32, name: i32, val: i32, len: i32) -> i32
 *   net_getsockopt(fd: i32, level: i32, name: i32, val: i32, len_ptr: i32) -> i32
 *       the options below, values i32 (IV_SO_LINGER: two i32, on and seconds;
 *       IV_SO_RCVTIMEO / IV_SO_SNDTIMEO: i64 seconds and i64 microseconds, after which
 *       the waits of accept, receiving and sending end with -EAGAIN, of connecting with
 *       -EINPROGRESS).
 *       IV_SO_ERROR, IV_SO_TYPE and IV_SO_ACCEPTCONN are read-only. Any other option:
 *       -ENOPROTOOPT. The u32 at len_ptr holds the room and gets the value's length.
 */
#define IV_HC_NET_SOCKET "net_socket"
#define IV_HC_NET_BIND "net_bind"
#define IV_HC_NET_LISTEN "net_listen"
#define IV_HC_NET_CONNECT "net_connect"
#define IV_HC_NET_NAME "net_name"
#define IV_HC_NET_SETSOCKOPT "net_setsockopt"
#define IV_HC_NET_GETSOCKOPT "net_getsockopt"

/* Address families, socket types and flags, as wasi-libc numbers them. */
#define IV_AF_INET 1
#define IV_AF_INET6 2
#define IV_AF_UNIX 3
#define IV_SOCK_STREAM 6
#define IV_SOCK_NONBLOCK 0x4000
#define IV_NET_PATH_MAX 107 /* a unix socket's path, in bytes (sun_path without its NUL) */

/* Option levels and names (the levels as wasi-libc numbers them, the names as Linux). */
#define IV_SOL_SOCKET 0x7fffffff
#define IV_IPPROTO_TCP 6
#define IV_SO_REUSEADDR 2
#define IV_SO_TYPE 3
#define IV_SO_ERROR 4
#define IV_SO_SNDBUF 7
#define IV_SO_RCVBUF 8
#define IV_SO_KEEPALIVE 9
#define IV_SO_LINGER 13
#define IV_SO_REUSEPORT 15
#define IV_SO_ACCEPTCONN 30
#define IV_SO_RCVTIMEO 66
#define IV_SO_SNDTIMEO 67
#define IV_TCP_NODELAY 1
#define IV_TCP_KEEPIDLE 4
#define IV_TCP_KEEPINTVL 5
#define IV_TCP_KEEPCNT 6

/*
 * Errors returned by hostcalls, negated. The values equal WASI preview1's errno values so a
 * posix guest can hand them straight to errno.
 */
enum iv_error {
	IV_OK = 0,
	IV_EACCES = 2,        /* not allowed (capfile allow-list; sealed capability used) */
	IV_EAGAIN = 6,        /* would wait, and the timeout was 0 */
	IV_EBADF = 8,         /* not a handle of this cVM (never issued, dropped, stale) */
	IV_ECANCELED = 11,    /* the callee trapped or exited during the call */
	IV_EDEADLK = 16,      /* the call would deadlock (re-entry or a cycle) */
	IV_EEXIST = 20,       /* name already advertised */
	IV_EFAULT = 21,       /* a pointer or range outside the caller's own memory */
	IV_EINVAL = 28,
	IV_EIO = 29,
	IV_EMFILE = 33,       /* the capability table is full */
	IV_EMSGSIZE = 35,     /* a message too large for the stream or the buffer */
	IV_ENAMETOOLONG = 37,
	IV_ENOENT = 44,       /* no such name */
	IV_ENOMEM = 48,
	IV_ENOSPC = 51,       /* a monitor-wide resource is used up (seal types) */
	IV_ENOSYS = 52,
	IV_ENOTSUP = 58,
	IV_EPERM = 63,
	IV_EPIPE = 64,        /* no read end of the stream is open */
	IV_ERANGE = 68,       /* outside the capability's bounds */
	IV_ESRCH = 71,        /* the target cVM has ended */
	IV_ESTALE = 72,       /* the capability was revoked */
	IV_ETIMEDOUT = 73,
	IV_ENOTCAPABLE = 76,  /* the capability lacks a permission */
};

#endif
