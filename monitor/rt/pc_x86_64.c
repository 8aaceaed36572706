/* The interrupted program counter on x86-64. */
#include <signal.h>
#include <ucontext.h>

#include "interrupt.h"

uintptr_t rt_context_pc(const void *ucontext)
{
	const ucontext_t *uc = ucontext;

	return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
}
