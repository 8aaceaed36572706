/* The Intravisor guest API: hostcall imports and the SDK's friendly wrappers for cVM programs. */
#ifndef INTRAVISOR_H
#define INTRAVISOR_H

/*
 * Build cVM programs with `ivcc`, which targets wasm32 and links libintravisor.a.
 *
 * Runtimes (ivcc --runtime=...):
 *   posix  a normal WASI program: main(argc, argv) receives the YAML's `args`, libc's files,
 *          clocks and stdio are served by the monitor's WASI layer.
 *   bare   no WASI at all, only the hostcalls below. main() gets argc 0 (argv holds just the
 *          terminating NULL). Pure libc functions work (strings, formatting, malloc), and so
 *          do libc's stdout and stderr, which the SDK routes to iv_console_write, and exit(),
 *          which ends through iv_exit after running atexit handlers and flushing stdio.
 *          Returning from main() is exit(status). Anything else that needs WASI (files,
 *          time(), getenv(), ...) makes ivcc refuse the module and name the WASI imports.
 *
 * Everything declared here works in both runtimes.
 */

#if !defined(__wasm32__)
#error "intravisor.h is for cVM programs: compile them with ivcc (wasm32)"
#endif

#include <stddef.h>
#include <stdint.h>

#include <intravisor/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IV_HOSTCALL(name) __attribute__((import_module(IV_IMPORT_MODULE), import_name(name)))

/*
 * The raw hostcalls, exactly as include/intravisor/abi.h specifies them (one wasm import
 * each). Errors come back as negated enum iv_error values. Prefer the iv_* wrappers.
 */
IV_HOSTCALL(IV_HC_CONSOLE_WRITE) int32_t iv_hc_console_write(const void *ptr, size_t len);
IV_HOSTCALL(IV_HC_EXIT) __attribute__((noreturn)) void iv_hc_exit(int32_t code);
IV_HOSTCALL(IV_HC_CLOCK_NS) int64_t iv_hc_clock_ns(int32_t clock);
IV_HOSTCALL(IV_HC_RANDOM) int32_t iv_hc_random(void *ptr, size_t len);
IV_HOSTCALL(IV_HC_CAP_INFO) int32_t iv_hc_cap_info(int32_t h, struct iv_cap_info *out);
IV_HOSTCALL(IV_HC_CAP_DERIVE) int32_t iv_hc_cap_derive(int32_t h, uint64_t offset,
						       uint64_t length, uint32_t perms);
IV_HOSTCALL(IV_HC_CAP_DROP) int32_t iv_hc_cap_drop(int32_t h);
IV_HOSTCALL(IV_HC_CAP_REVOKE) int32_t iv_hc_cap_revoke(int32_t h);
IV_HOSTCALL(IV_HC_CAP_SEALER) int32_t iv_hc_cap_sealer(void);
IV_HOSTCALL(IV_HC_CAP_SEAL) int32_t iv_hc_cap_seal(int32_t h, int32_t sealer);
IV_HOSTCALL(IV_HC_CAP_UNSEAL) int32_t iv_hc_cap_unseal(int32_t h, int32_t sealer);
IV_HOSTCALL(IV_HC_CAP_TRANSFER) int32_t iv_hc_cap_transfer(int32_t h, const char *cvm_name,
							   size_t name_len);
IV_HOSTCALL(IV_HC_CAP_LOAD) int32_t iv_hc_cap_load(int32_t h, uint64_t offset, void *dst,
						   size_t len);
IV_HOSTCALL(IV_HC_CAP_STORE) int32_t iv_hc_cap_store(int32_t h, uint64_t offset,
						     const void *src, size_t len);
IV_HOSTCALL(IV_HC_CAP_COPY) int32_t iv_hc_cap_copy(int32_t dst_h, uint64_t dst_off,
						   int32_t src_h, uint64_t src_off, size_t len);
IV_HOSTCALL(IV_HC_CAP_MAP) int32_t iv_hc_cap_map(int32_t h, void *dst);
IV_HOSTCALL(IV_HC_CAP_UNMAP) int32_t iv_hc_cap_unmap(void *dst);
IV_HOSTCALL(IV_HC_CAPFILE_ADV) int32_t iv_hc_capfile_adv(const char *name, size_t name_len,
							 void *ptr, size_t len, uint32_t perms);
IV_HOSTCALL(IV_HC_CAPFILE_PRB) int32_t iv_hc_capfile_prb(const char *name, size_t name_len,
							 int32_t timeout_ms, uint64_t *size_out);
IV_HOSTCALL(IV_HC_CALL_ADV) int32_t iv_hc_call_adv(const char *name, size_t name_len,
						   const char *export_name, size_t export_len);
IV_HOSTCALL(IV_HC_CALL_PRB) int32_t iv_hc_call_prb(const char *name, size_t name_len,
						   int32_t timeout_ms);
IV_HOSTCALL(IV_HC_CALL) int32_t iv_hc_call(int32_t entry, const int64_t *args, int32_t nargs,
					   void *buf, size_t buf_len, uint32_t buf_perms,
					   int64_t *result);
IV_HOSTCALL(IV_HC_CALL_BUFFER) int32_t iv_hc_call_buffer(void);
IV_HOSTCALL(IV_HC_SERVE) int32_t iv_hc_serve(int32_t timeout_ms);
IV_HOSTCALL(IV_HC_STREAM_NEW) int32_t iv_hc_stream_new(uint32_t capacity, uint32_t flags,
						       int32_t *ends);
IV_HOSTCALL(IV_HC_STREAM_ADV) int32_t iv_hc_stream_adv(const char *name, size_t name_len,
						       int32_t h, uint32_t takers);
IV_HOSTCALL(IV_HC_STREAM_PRB) int32_t iv_hc_stream_prb(const char *name, size_t name_len,
						       int32_t end, int32_t timeout_ms);
IV_HOSTCALL(IV_HC_STREAM_SEND) int32_t iv_hc_stream_send(int32_t h, const void *buf, size_t len,
							 int32_t cap, int32_t timeout_ms);
IV_HOSTCALL(IV_HC_STREAM_RECV) int32_t iv_hc_stream_recv(int32_t h, void *buf, size_t len,
							 int32_t *cap_out, int32_t timeout_ms);
IV_HOSTCALL(IV_HC_STREAM_WAIT) int32_t iv_hc_stream_wait(struct iv_wait *items, int32_t n,
							 int32_t timeout_ms);
IV_HOSTCALL(IV_HC_STREAM_FD) int32_t iv_hc_stream_fd(int32_t h);
IV_HOSTCALL(IV_HC_CAP_NOTIFY) int32_t iv_hc_cap_notify(int32_t h);

/*
 * Writes len bytes at buf to the cVM's console: the monitor's stdout, where each line gets a
 * "[name] " prefix when several cVMs run. Nothing is added or buffered on the guest side.
 * Returns the number of bytes written (len on success), or:
 *   -IV_EFAULT  [buf, buf+len) is not inside this cVM's memory (nothing is written);
 *   -IV_EIO     the console could not be written.
 */
long iv_console_write(const void *buf, size_t len);

/*
 * Ends this cVM at once with exit status status (0..255; the monitor reports a non-zero
 * status as a failure). Does not run atexit handlers or flush libc's stdio: call exit() for
 * that. Never returns.
 */
__attribute__((noreturn)) void iv_exit(int status);

/*
 * Reads clock clock, IV_CLOCK_REALTIME (nanoseconds since the Unix epoch) or
 * IV_CLOCK_MONOTONIC (nanoseconds since an unspecified start, never decreasing).
 * Returns the time in nanoseconds (>= 0), or -IV_EINVAL for any other clock.
 */
int64_t iv_clock_ns(int clock);

/*
 * Fills len bytes at buf with cryptographically secure random bytes; any len is accepted
 * (the SDK splits requests larger than IV_RANDOM_MAX).
 * Returns 0, or:
 *   -IV_EFAULT  [buf, buf+len) is not inside this cVM's memory;
 *   -IV_EIO     the monitor's entropy source failed.
 * On error the buffer's contents are unspecified.
 */
int iv_random(void *buf, size_t len);

/*
 * Writes the string s and a newline to the console, like puts(3) but without libc's stdio.
 * Returns a non-negative number on success, or a negative iv_error value as
 * iv_console_write does.
 */
int iv_puts(const char *s);

/* Size of iv_printf's formatting buffer, terminating NUL included. */
#define IV_PRINTF_MAX 1024

/*
 * Formats like printf(3) with vsnprintf into a buffer of IV_PRINTF_MAX bytes and writes the
 * result to the console in one iv_console_write call. Longer output is cut to
 * IV_PRINTF_MAX - 1 bytes.
 * Returns the number of bytes written, or a negative iv_error value: -IV_EINVAL when the
 * format is invalid, otherwise as iv_console_write does.
 */
__attribute__((format(printf, 1, 2))) int iv_printf(const char *fmt, ...);

/*
 * ---- Capabilities ----
 *
 * A capability is a handle (an int > 0) into this cVM's capability table, which the monitor
 * keeps: a cVM cannot forge, widen or revive one, and a handle number means nothing in
 * another cVM. Each names an object (a memory region, a callable entry or a seal type) with
 * bounds inside it, enum iv_perm permissions, and a seal type (0: unsealed). Capabilities
 * come from iv_capfile_adv, iv_capfile_prb, iv_call_prb, iv_call_buffer, iv_cap_sealer and
 * another cVM's iv_cap_transfer, and from deriving, sealing and unsealing those.
 *
 * Every call below that takes a handle refuses it with:
 *   -IV_EBADF   not a handle of this cVM: never issued, dropped, or stale (its slot reused);
 *   -IV_ESTALE  the capability was revoked (its handle stays refused until dropped);
 *   -IV_EACCES  the capability is sealed, and the call is not one a sealed capability
 *               allows (iv_cap_info, iv_cap_transfer, iv_cap_drop, iv_cap_revoke; iv_call
 *               takes entry capabilities, which are sealed);
 * a call that returns a new handle fails with -IV_EMFILE when this cVM's table is full
 * (IV_CAPS_DEFAULT handles unless the YAML's `limits: caps:` says otherwise), and any call
 * may fail with -IV_ENOMEM when the monitor runs out of memory. Those errors are not
 * repeated below.
 */

/*
 * Describes capability h in *info: base and length inside its object, permissions, type
 * (enum iv_cap_type) and seal type. Works on sealed capabilities.
 * Returns 0, or -IV_EFAULT when *info is not inside this cVM's memory.
 */
int iv_cap_info(int h, struct iv_cap_info *info);

/*
 * A new capability to [off, off+len) of h's range (off is relative to h's base) with
 * permissions perms, which must be a subset of h's: rights only ever narrow. Revoking h
 * revokes the new capability too.
 * Returns the new handle, or:
 *   -IV_EINVAL        perms has bits outside IV_PERM_ALL;
 *   -IV_ENOTCAPABLE   perms holds a permission h lacks;
 *   -IV_ERANGE        off + len goes beyond h's length (checked without overflow).
 */
int iv_cap_derive(int h, uint64_t off, uint64_t len, unsigned perms);

/*
 * Frees this cVM's handle h; h is refused from now on. Capabilities derived from it and
 * copies transferred from it stay valid (revoke h first to withdraw them). Dropping a
 * revoked handle is how its slot is freed.
 * Returns 0, or -IV_EBADF.
 */
int iv_cap_drop(int h);

/*
 * Invalidates h and everything derived or transferred from it, in every cVM, at once;
 * windows mapped from them are unmapped, so a later access to such a window traps its
 * holder. Needs no permission: what a cVM holds, it may revoke. h stays in the table,
 * refused with -IV_ESTALE, until dropped.
 * Returns 0, or -IV_EBADF, -IV_ESTALE (already revoked).
 */
int iv_cap_revoke(int h);

/*
 * A new seal type: returns a handle to an IV_CAP_SEALER capability with IV_PERM_SEAL,
 * IV_PERM_UNSEAL and IV_PERM_GRANT. A sealer derived with fewer of these can only seal, or
 * only unseal.
 */
int iv_cap_sealer(void);

/*
 * A sealed copy of h, sealed with the type of sealer. A sealed capability can only be
 * inspected, transferred, dropped and revoked until it is unsealed with a sealer of the
 * same type: hand it out to be given back.
 * Returns the new handle, or:
 *   -IV_EINVAL        sealer is not an (unsealed) IV_CAP_SEALER capability;
 *   -IV_ENOTCAPABLE   sealer lacks IV_PERM_SEAL;
 *   -IV_EACCES        h is sealed already.
 */
int iv_cap_seal(int h, int sealer);

/*
 * An unsealed copy of the sealed capability h.
 * Returns the new handle, or:
 *   -IV_EINVAL        sealer is not an (unsealed) IV_CAP_SEALER capability;
 *   -IV_ENOTCAPABLE   sealer lacks IV_PERM_UNSEAL;
 *   -IV_EACCES        h is not sealed with sealer's type (unsealed, sealed with another
 *                     type, or an entry capability, which no sealer unseals).
 */
int iv_cap_unseal(int h, int sealer);

/*
 * Places a copy of h in the table of the cVM named cvm_name (its YAML name), derived from
 * h: revoking h revokes the copy. Needs IV_PERM_GRANT on h; sealed capabilities may be
 * transferred. The receiver learns the handle only from the sender (as an argument of
 * iv_call, for example).
 * Returns the handle as numbered in the receiver's table, or:
 *   -IV_ENOTCAPABLE   h lacks IV_PERM_GRANT;
 *   -IV_ESRCH         no cVM has that name, or it has ended;
 *   -IV_EMFILE        the receiver's table is full;
 *   -IV_EINVAL        an empty name; -IV_ENAMETOOLONG longer than IV_NAME_MAX bytes.
 */
int iv_cap_transfer(int h, const char *cvm_name);

/*
 * Byte-granular copies through memory capabilities, checked on every call: iv_cap_load
 * copies len bytes at offset off of h's range to dst (needs IV_PERM_LOAD), iv_cap_store
 * copies len bytes at src into h's range at off (needs IV_PERM_STORE), iv_cap_copy copies
 * len bytes from src_h at src_off to dst_h at dst_off (IV_PERM_LOAD on src_h, IV_PERM_STORE
 * on dst_h). Offsets are relative to the capability's base.
 * Return 0, or:
 *   -IV_EFAULT        (load, store) [dst, dst+len) or [src, src+len) is not inside this
 *                     cVM's memory, or overlaps a window mapped with iv_cap_map;
 *   -IV_EINVAL        the capability is not an IV_CAP_MEMORY one;
 *   -IV_ENOTCAPABLE   the permission is missing;
 *   -IV_ERANGE        [off, off+len) goes beyond the capability's length (checked without
 *                     overflow: an offset near 2^64 is refused, not wrapped).
 */
int iv_cap_load(int h, uint64_t off, void *dst, size_t len);
int iv_cap_store(int h, uint64_t off, const void *src, size_t len);
int iv_cap_copy(int dst_h, uint64_t dst_off, int src_h, uint64_t src_off, size_t len);

/*
 * Maps memory capability h's whole range at dst, over this cVM's own pages there:
 * zero-copy, the same physical pages the object's owner sees. Needs IV_PERM_MAP and
 * IV_PERM_LOAD; without IV_PERM_STORE the window is read-only and a write to it traps the
 * writer ("out of bounds memory access"). If h, or a capability it was derived from, is
 * revoked, the window becomes inaccessible and the next access to it traps. Hostcalls
 * refuse pointers into a window with -IV_EFAULT: copy the data out first.
 * Returns 0, or:
 *   -IV_EINVAL        h is not an IV_CAP_MEMORY capability; its length is 0; dst, or the
 *                     start or length of h's range, is not a multiple of IV_MAP_ALIGN
 *                     (iv_map_alloc gives aligned memory, IV_MAP_ALIGN-sized regions of
 *                     which can be advertised and mapped);
 *   -IV_ENOTCAPABLE   h lacks IV_PERM_MAP or IV_PERM_LOAD;
 *   -IV_EFAULT        [dst, dst+length) is not inside this cVM's memory, overlaps another
 *                     window, or overlaps memory this cVM advertised or lends.
 */
int iv_cap_map(int h, void *dst);

/*
 * Removes the window iv_cap_map put at dst and restores this cVM's own pages there, with
 * the contents they had before.
 * Returns 0, or -IV_EINVAL when no window starts at dst.
 */
int iv_cap_unmap(void *dst);

/*
 * Allocates len bytes rounded up to a multiple of IV_MAP_ALIGN, aligned to IV_MAP_ALIGN,
 * with aligned_alloc: memory to advertise for mapping, or to map a window over. Release it
 * with free(), after iv_cap_unmap if a window is mapped over it.
 * Returns NULL when len is 0 or memory runs out.
 */
void *iv_map_alloc(size_t len);

/*
 * ---- CAP_FILE: named memory ----
 *
 * Names are 1 to IV_NAME_MAX bytes; the calls taking one fail with -IV_EINVAL for an empty
 * name and -IV_ENAMETOOLONG for a longer one.
 */

/*
 * Advertises [ptr, ptr+len) of this cVM's memory under name, for other cVMs to find with
 * iv_capfile_prb, with permissions perms: IV_PERM_LOAD, IV_PERM_STORE, IV_PERM_MAP and
 * IV_PERM_GRANT (others are dropped). The region must stay allocated while advertised;
 * everything this cVM advertised is withdrawn when it ends.
 * Returns this cVM's capability to the region (revoking it withdraws the name and every
 * capability probed from it), or:
 *   -IV_EEXIST   the name is in use;
 *   -IV_EFAULT   len is 0, or [ptr, ptr+len) is not inside this cVM's memory or overlaps a
 *                mapped window;
 *   -IV_EINVAL   perms has bits outside IV_PERM_ALL.
 */
int iv_capfile_adv(const char *name, void *ptr, size_t len, unsigned perms);

/*
 * Finds the region advertised under name (by a cVM, or by the YAML's `capfiles:`) and
 * returns a capability to it, derived from the advertiser's; its size is stored in *size
 * unless size is NULL. Waits up to timeout_ms milliseconds for the name to appear (-1: no
 * limit, 0: no wait), with this cVM's lock free (it can be called meanwhile).
 * Returns the handle, or:
 *   -IV_ETIMEDOUT   the name did not appear in time (timeout_ms > 0);
 *   -IV_ENOENT      no such name (timeout_ms == 0);
 *   -IV_EACCES      this cVM is not on the capfile's allow-list.
 */
int iv_capfile_prb(const char *name, int timeout_ms, uint64_t *size);

/*
 * ---- CAP_CALL: calls into another cVM ----
 *
 * A function other cVMs may call must be exported from the callee's module. With ivcc that
 * takes one attribute on its definition, nothing else (no linker flags):
 *
 *     __attribute__((export_name("kv_get"))) int32_t kv_get(int32_t key_len);
 *
 * IV_EXPORT("kv_get") is the same attribute. The parameters must be 32- or 64-bit integers
 * (int32_t, int64_t, pointers), at most IV_CALL_MAX_ARGS, and the result void or such an
 * integer. The callee advertises it (iv_call_adv) and then waits for calls (iv_serve).
 * A call runs the function on the caller's thread under the callee's lock: one at a time,
 * and only while the callee's own code is not running (it is serving, or blocked in a
 * probe). Names are as for CAP_FILE.
 */
#define IV_EXPORT(name) __attribute__((export_name(name)))

/*
 * Advertises this cVM's exported function export_name under name, for other cVMs to find
 * with iv_call_prb. Everything this cVM advertised is withdrawn when it ends.
 * Returns 0, or:
 *   -IV_EEXIST   the name is in use;
 *   -IV_ENOENT   the module exports no function export_name with a signature a call can
 *                take (see above; _start never qualifies).
 */
int iv_call_adv(const char *name, const char *export_name);

/*
 * Finds the function advertised under name and returns a sealed entry capability
 * (IV_CAP_ENTRY, IV_PERM_CALL | IV_PERM_GRANT) for iv_call. Waits as iv_capfile_prb does.
 * Returns the handle, or -IV_ETIMEDOUT, -IV_ENOENT as iv_capfile_prb.
 */
int iv_call_prb(const char *name, int timeout_ms);

/*
 * Calls the function behind entry capability entry with the nargs arguments at args (an
 * int32_t parameter takes the low half), on this cVM's thread, under the callee's lock:
 * the call waits while the callee runs its own code or serves another call. The function's
 * result (0 for a void function) is stored in *result unless result is NULL.
 * If len > 0, [buf, buf+len) of this cVM's memory is lent to the callee with perms
 * (IV_PERM_LOAD and/or IV_PERM_STORE) for the duration of the call: the callee gets a
 * capability to it from iv_call_buffer, and the monitor revokes it when the call returns.
 * Returns 0, or:
 *   -IV_EINVAL        entry is not an entry capability; nargs is not the function's
 *                     parameter count; perms has bits other than LOAD and STORE;
 *   -IV_ENOTCAPABLE   entry lacks IV_PERM_CALL;
 *   -IV_EFAULT        args, *result or [buf, buf+len) is not inside this cVM's memory, or
 *                     overlaps a mapped window;
 *   -IV_ESRCH         the callee has ended;
 *   -IV_ECANCELED     the callee trapped or exited during the call: it is ended and
 *                     reported as crashed, and later calls get -IV_ESRCH;
 *   -IV_EDEADLK       the call would re-enter a cVM already in the calling chain (this one
 *                     included), or close a cycle of cVMs waiting for each other.
 * A call chain too deep for the native stack traps the caller instead.
 */
int iv_call(int entry, const int64_t *args, int nargs, void *buf, size_t len, unsigned perms,
	    int64_t *result);

/*
 * Inside a function called through iv_call: the handle of the capability to the buffer the
 * caller lent, with the permissions it chose. When the call returns, the monitor revokes it
 * and everything derived from it, and frees the handle: keeping it for later gets
 * -IV_EBADF (a capability derived from it, -IV_ESTALE).
 * Returns the handle, or -IV_ENOENT when no buffer was lent (or outside a call).
 */
int iv_call_buffer(void);

/*
 * Waits for calls with this cVM's lock free, so other cVMs can call in. Returns 0 once no
 * other cVM can call any more (each has ended or is itself serving), or:
 *   -IV_ETIMEDOUT   timeout_ms milliseconds passed first (-1: no limit);
 *   -IV_EINVAL      called from inside a call into this cVM.
 */
int iv_serve(int timeout_ms);

/*
 * ---- CAP_STREAM: streams between cVMs ----
 *
 * A stream is a ring buffer the monitor keeps, with a read end and a write end, each a
 * capability (IV_CAP_STREAM): the read end carries IV_PERM_LOAD, the write end
 * IV_PERM_STORE, and both IV_PERM_GRANT, so they can be transferred (iv_cap_transfer),
 * advertised (iv_stream_adv), derived, sealed and revoked like any capability. Several cVMs
 * may hold each end. A byte stream carries bytes; a send of at most IV_STREAM_ATOMIC bytes
 * is never interleaved with another writer's. A message stream keeps each send whole and
 * may attach a memory capability to it (zero-copy: the receiver maps or copies the memory).
 *
 * An end is open while some cVM holds a capability to it with its permission (not revoked),
 * or an advertisement still promises it to probers. Once no write end is open, readers get
 * what remains and then EOF (0); once no read end is open, sends fail with -IV_EPIPE (no
 * signal). A cVM's capabilities go when it ends, so a writer that exits (or traps) is EOF to
 * its readers.
 *
 * Every call that may wait takes timeout_ms: -1 waits as long as it takes, 0 never waits
 * (-IV_EAGAIN instead), N > 0 waits at most N ms (-IV_ETIMEDOUT). While a call waits, other
 * cVMs can call into this one; its YAML time limit still ends it (a "time limit" trap).
 *
 * In the posix runtime streams are also file descriptors: the YAML can bind an end to
 * stdin, stdout or a numbered fd (see docs/config.md, streams:), and iv_stream_fd binds one
 * at run time; read(), write(), poll() and fcntl(O_NONBLOCK) work on them.
 *
 * Besides the errors listed with capabilities, calls taking an end refuse with
 * -IV_EINVAL an end that is not a stream end, -IV_ENOTCAPABLE one without the permission
 * the call needs (sending through a read end, for example).
 */

/*
 * A new stream of capacity bytes (IV_STREAM_CAPACITY_MIN to IV_STREAM_CAPACITY_MAX,
 * rounded up to a power of two; 0 for IV_STREAM_CAPACITY_DEFAULT) with flags 0 (bytes) or
 * IV_STREAM_MESSAGE. Its ends are stored in *read_end and *write_end.
 * Returns 0, or:
 *   -IV_EINVAL   a capacity out of range, unknown flags;
 *   -IV_ENOMEM   this cVM's live streams would hold more than IV_STREAM_BUDGET bytes;
 *   -IV_EFAULT   read_end or write_end is not inside this cVM's memory.
 */
int iv_stream_new(size_t capacity, unsigned flags, int *read_end, int *write_end);

/*
 * Advertises end h under name for iv_stream_prb (names are as for CAP_FILE; the read and
 * the write end of one name are separate). takers > 0 allows that many probes and, until
 * they happen, counts as that many open ends (so a reader that advertised its stream's
 * write end does not see EOF before the writers even came); takers 0 allows any number of
 * probes and counts as none. The advertisement goes when its takers are used up, when this
 * cVM ends, or when h is revoked (which revokes the ends probed from it too).
 * Returns 0, or:
 *   -IV_ENOTCAPABLE  h lacks IV_PERM_GRANT;
 *   -IV_EEXIST       the name already advertises that end;
 *   -IV_EMFILE       this cVM advertises as many streams as its table holds handles;
 *   -IV_EINVAL       takers > 65536.
 */
int iv_stream_adv(const char *name, int h, unsigned takers);

/*
 * A capability to end IV_STREAM_READ or IV_STREAM_WRITE of the stream advertised under
 * name, or declared in the YAML's streams: (a cVM the YAML lists among its readers or
 * writers gets the handle the monitor gave it at start; others are refused). Waits as
 * iv_capfile_prb does.
 * Returns the handle, or -IV_ETIMEDOUT, -IV_ENOENT as iv_capfile_prb, -IV_EACCES (a YAML
 * stream that does not list this cVM for that end), -IV_EINVAL (end).
 */
int iv_stream_prb(const char *name, int end, int timeout_ms);

/*
 * Sends len bytes at buf through write end h. A byte stream sends them all, waiting for
 * room as needed (part-way through, a timeout returns the count sent so far); a message
 * stream sends them as one message, or nothing.
 * Returns the count sent, or:
 *   -IV_EPIPE      no read end is open;
 *   -IV_EAGAIN     timeout_ms 0, and no room;
 *   -IV_ETIMEDOUT  no room in time;
 *   -IV_EMSGSIZE   a message longer than the stream's capacity - IV_STREAM_MSG_OVERHEAD;
 *   -IV_EFAULT     [buf, buf+len) is not inside this cVM's memory (or in a mapped window);
 *   -IV_EINVAL     len > INT32_MAX.
 */
long iv_stream_send(int h, const void *buf, size_t len, int timeout_ms);

/*
 * Receives from read end h into [buf, buf+len): from a byte stream what is there (at least
 * one byte, at most len), from a message stream one whole message.
 * Returns the count received, 0 at EOF (no write end open and nothing left), or:
 *   -IV_EAGAIN, -IV_ETIMEDOUT  nothing came (timeout_ms 0, or in time);
 *   -IV_EMSGSIZE               the next message is longer than len (it stays queued);
 *   -IV_EFAULT                 as iv_stream_send.
 * A capability attached to the message is dropped: use iv_stream_recv_cap to take it.
 */
long iv_stream_recv(int h, void *buf, size_t len, int timeout_ms);

/*
 * Zero-copy: as iv_stream_send on a message stream, with memory capability cap attached
 * to the message (it needs IV_PERM_GRANT). The receiver gets a capability derived from
 * cap: revoking cap revokes it, even while in flight. Errors as iv_stream_send, and those
 * of cap's handle; -IV_EINVAL on a byte stream or for a cap that is not a memory one.
 */
long iv_stream_send_cap(int h, const void *buf, size_t len, int cap, int timeout_ms);

/*
 * As iv_stream_recv, and *cap gets the handle of the capability attached to the message:
 * 0 when none was, or it was revoked on the way. -IV_EMFILE when this cVM's table has no
 * room for it (the message stays queued).
 */
long iv_stream_recv_cap(int h, void *buf, size_t len, int *cap, int timeout_ms);

/*
 * Waits until one of the n items (1 to IV_WAIT_MAX) is ready, for at most timeout_ms. Each
 * item names a handle and one event: IV_WAIT_READ on a read end (data, or EOF),
 * IV_WAIT_WRITE on a write end (room for IV_STREAM_ATOMIC bytes, or the whole of a smaller
 * stream, or no reader left), or IV_WAIT_NOTIFY on a memory capability (iv_cap_notify was
 * called on its object since the count in seq: start with seq 0, or with the seq a previous
 * wait returned). Every item's
 * revents is set: its event when ready, IV_WAIT_HUP when the other side has no open end,
 * IV_WAIT_ERROR with error set when the handle cannot be waited on (it was dropped,
 * revoked, or is the wrong kind; that item counts as ready). seq gets the current count.
 * Returns how many items are ready, 0 on timeout, or -IV_EINVAL (n, or an item's events is
 * not exactly one of the three), -IV_EFAULT (items not inside this cVM's memory).
 */
int iv_wait(struct iv_wait *items, int n, int timeout_ms);

/*
 * Counts one event on the object of memory capability h (needs IV_PERM_STORE) and wakes
 * every cVM waiting on a capability to it with IV_WAIT_NOTIFY: "I wrote to your buffer".
 * Returns 0, or the errors of a memory capability's use.
 */
int iv_cap_notify(int h);

/*
 * posix cVMs: binds end h to the lowest free file descriptor from 3 up (below the cVM's
 * limits.fds) and returns it; read(), write(), poll() then work on it. The descriptor
 * takes the handle over: close() drops it. Returns the descriptor, or -IV_EMFILE (none
 * free), -IV_EEXIST (h is bound already).
 */
int iv_stream_fd(int h);

/*
 * ---- Callback chaining ----
 *
 * A bare cVM whose YAML has `callback_out: NAME` sends its console_write, exit, clock_ns
 * and random hostcalls (and so libc's stdout and exit) to cVM NAME instead of the monitor;
 * its other hostcalls still go to the monitor. NAME handles them by defining the function
 * below (the declaration exports it) and serving (iv_serve). Each runs as a call (see
 * CAP_CALL) with:
 *   num   the hostcall, an enum iv_sys value;
 *   a0    console_write and random: the buffer's length; exit: the status; clock_ns: the
 *         clock;
 *   buf   a capability to the client's buffer (console_write: IV_PERM_LOAD over the text;
 *         random: IV_PERM_STORE), else 0; revoked when the handler returns.
 * The result is the hostcall's result, as the monitor's would be: a count, 0, a time, or a
 * negated enum iv_error. After IV_SYS_EXIT the client ends with status a0 whatever the
 * handler returns.
 */
IV_EXPORT(IV_SYSCALL_EXPORT) int64_t intravisor_syscall(int32_t num, int64_t a0, int64_t a1,
							 int64_t a2, int32_t buf);

#undef IV_HOSTCALL

#ifdef __cplusplus
}
#endif

#endif
