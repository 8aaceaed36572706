/* The `bare` runtime's hostcalls, as the symbols compiled cVMs import (module "intravisor"). */
#ifndef IV_HOSTCALL_H
#define IV_HOSTCALL_H

#include <stddef.h>
#include <stdint.h>

#include "intravisor/abi.h"

struct cvm;

/* Signatures follow include/intravisor/abi.h; errors are returned negated. */
uint32_t Z_intravisorZ_console_write(struct cvm *vm, uint32_t ptr, uint32_t len);
void Z_intravisorZ_exit(struct cvm *vm, uint32_t status);
uint64_t Z_intravisorZ_clock_ns(struct cvm *vm, uint32_t clock);
uint32_t Z_intravisorZ_random(struct cvm *vm, uint32_t ptr, uint32_t len);

/*
 * Capabilities (cap_hostcalls.c), CAP_FILE (ipc/capfile.c), CAP_CALL (ipc/call_hostcalls.c),
 * CAP_STREAM (ipc/stream_hostcalls.c).
 */
uint32_t Z_intravisorZ_cap_info(struct cvm *vm, uint32_t, uint32_t);
uint32_t Z_intravisorZ_cap_derive(struct cvm *vm, uint32_t, uint64_t, uint64_t, uint32_t);
uint32_t Z_intravisorZ_cap_drop(struct cvm *vm, uint32_t);
uint32_t Z_intravisorZ_cap_revoke(struct cvm *vm, uint32_t);
uint32_t Z_intravisorZ_cap_sealer(struct cvm *vm);
uint32_t Z_intravisorZ_cap_seal(struct cvm *vm, uint32_t, uint32_t);
uint32_t Z_intravisorZ_cap_unseal(struct cvm *vm, uint32_t, uint32_t);
uint32_t Z_intravisorZ_cap_transfer(struct cvm *vm, uint32_t, uint32_t, uint32_t);
uint32_t Z_intravisorZ_cap_load(struct cvm *vm, uint32_t, uint64_t, uint32_t, uint32_t);
uint32_t Z_intravisorZ_cap_store(struct cvm *vm, uint32_t, uint64_t, uint32_t, uint32_t);
uint32_t Z_intravisorZ_cap_copy(struct cvm *vm, uint32_t, uint64_t, uint32_t, uint64_t, uint32_t);
uint32_t Z_intravisorZ_cap_map(struct cvm *vm, uint32_t, uint32_t);
uint32_t Z_intravisorZ_cap_unmap(struct cvm *vm, uint32_t);
uint32_t Z_intravisorZ_capfile_adv(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t Z_intravisorZ_capfile_prb(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t Z_intravisorZ_call_adv(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t Z_intravisorZ_call_prb(struct cvm *vm, uint32_t, uint32_t, uint32_t);
uint32_t Z_intravisorZ_call(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t Z_intravisorZ_call_buffer(struct cvm *vm);
uint32_t Z_intravisorZ_serve(struct cvm *vm, uint32_t);
uint32_t Z_intravisorZ_stream_new(struct cvm *vm, uint32_t, uint32_t, uint32_t);
uint32_t Z_intravisorZ_stream_adv(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t Z_intravisorZ_stream_prb(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t Z_intravisorZ_stream_send(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t Z_intravisorZ_stream_recv(struct cvm *vm, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
uint32_t Z_intravisorZ_stream_wait(struct cvm *vm, uint32_t, uint32_t, uint32_t);
uint32_t Z_intravisorZ_stream_fd(struct cvm *vm, uint32_t);
uint32_t Z_intravisorZ_cap_notify(struct cvm *vm, uint32_t);

/*
 * Reads a name argument (1..IV_NAME_MAX bytes, no NUL) from vm's memory into out,
 * NUL-terminated. Returns 0 or a negated iv_error.
 */
int hostcall_name(struct cvm *vm, uint32_t ptr, uint32_t len, char out[IV_NAME_MAX + 1]);

/* Creates and publishes a YAML capfile. Returns 0 or a negated iv_error. */
struct cfg_capfile;
int capfile_create(const struct cfg_capfile *c);

/* Fills buf from the kernel's CSPRNG. Returns 0, or -1 when it fails. */
int hostcall_fill_random(void *buf, size_t len);

#endif
