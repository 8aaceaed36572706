/* The interrupted program counter on RISC-V 64. */
#include <signal.h>
#include <ucontext.h>

#include "interrupt.h"

uintptr_t rt_context_pc(const void *ucontext)
{
	const ucontext_t *uc = ucontext;

	return (uintptr_t)uc->uc_mcontext.__gregs[REG_PC];
}
