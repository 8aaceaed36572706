/* The `bare` runtime's hostcalls, as the symbols compiled cVMs import (module "intravisor"). */
#ifndef IV_HOSTCALL_H
#define IV_HOSTCALL_H

#include <stddef.h>
#include <stdint.h>

struct cvm;

/* Signatures follow include/intravisor/abi.h; errors are returned negated. */
uint32_t Z_intravisorZ_console_write(struct cvm *vm, uint32_t ptr, uint32_t len);
void Z_intravisorZ_exit(struct cvm *vm, uint32_t status);
uint64_t Z_intravisorZ_clock_ns(struct cvm *vm, uint32_t clock);
uint32_t Z_intravisorZ_random(struct cvm *vm, uint32_t ptr, uint32_t len);

/* Fills buf from the kernel's CSPRNG. Returns 0, or -1 when it fails. */
int hostcall_fill_random(void *buf, size_t len);

#endif
