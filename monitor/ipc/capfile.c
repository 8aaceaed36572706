/* CAP_FILE: named memory, advertised by a cVM or created from the YAML, probed by name. */
#include <string.h>

#include "cvm.h"
#include "guestmem.h"
#include "hostcall.h"
#include "imports.h"
#include "ipc.h"
#include "rt.h"

static const struct import_def defs[] = {
	{IV_HC_CAPFILE_ADV, "iiiii:i"},
	{IV_HC_CAPFILE_PRB, "iiii:i"},
};

const struct import_family capfile_family = {
	IV_IMPORT_MODULE, CFG_ABI_BARE, defs, sizeof(defs) / sizeof(defs[0]),
};

int capfile_create(const struct cfg_capfile *c)
{
	struct cap_node *node = cap_new_monitor_memory(c->size, c->data, c->data_len);
	int err;

	if (!node)
		return -IV_ENOMEM;
	err = names_publish_capfile(c->name, node, NULL, c->allow);
	if (err)
		cap_release_node(node);
	return err;
}

uint32_t Z_intravisorZ_capfile_adv(struct cvm *vm, uint32_t name, uint32_t name_len,
				   uint32_t ptr, uint32_t len, uint32_t perms)
{
	char key[IV_NAME_MAX + 1];
	struct cap_node *node;
	int err, h;

	rt_check_stack();
	err = hostcall_name(vm, name, name_len, key);
	if (err)
		return (uint32_t)err;
	if (perms & ~IV_PERM_ALL)
		return (uint32_t)-IV_EINVAL;
	if (len == 0 || !gm_range(vm, ptr, len))
		return (uint32_t)-IV_EFAULT;
	h = cap_new_cvm_memory(vm, vm, ptr, len, perms);
	if (h < 0)
		return (uint32_t)h;
	node = cap_hold(vm, h, &err);
	if (!node) {
		cap_drop(vm, h);
		return (uint32_t)err;
	}
	err = names_publish_capfile(key, node, vm, NULL);
	if (err) {
		cap_release_node(node);
		cap_revoke(vm, h);
		cap_drop(vm, h);
		return (uint32_t)err;
	}
	return (uint32_t)h;
}

uint32_t Z_intravisorZ_capfile_prb(struct cvm *vm, uint32_t name, uint32_t name_len,
				   uint32_t timeout_ms, uint32_t size_out)
{
	char key[IV_NAME_MAX + 1];
	uint64_t size = 0;
	int err, h;

	rt_check_stack();
	err = hostcall_name(vm, name, name_len, key);
	if (err)
		return (uint32_t)err;
	if (!gm_range(vm, size_out, 8))
		return (uint32_t)-IV_EFAULT;
	h = names_probe(vm, NAME_CAPFILE, key, (int)timeout_ms, &size);
	if (h > 0)
		gm_store_u64(vm, size_out, size);
	return (uint32_t)h;
}
