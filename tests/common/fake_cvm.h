/* A fake cVM for the tests that drive the monitor library: memory, and tables as asked. */
#ifndef FAKE_CVM_H
#define FAKE_CVM_H

#include <stdbool.h>
#include <stdint.h>

#include "cvm.h"

struct fake_cvm {
	struct cvm vm;
	wasm_rt_memory_t mem; /* vm.mem */
};

/*
 * A cVM named name with pages pages of linear memory, a capability table of cap_limit slots
 * (which also limits its names; 0: no table) and, when fds, an empty descriptor table. Fails
 * the running test when it cannot be made.
 */
struct fake_cvm *fake_cvm_new(const char *name, uint32_t pages, uint32_t cap_limit, bool fds);

/* Ends f as the monitor ends a cVM: its descriptors, then its capabilities, then its memory. */
void fake_cvm_free(struct fake_cvm *f);

#endif
