/* The guest edge of CAP_CALL: advertise, probe, call, the lent buffer, serve. */
#include <string.h>

#include "cvm.h"
#include "guestmem.h"
#include "hostcall.h"
#include "imports.h"
#include "ipc.h"
#include "rt.h"

static const struct import_def defs[] = {
	{IV_HC_CALL_ADV, "iiii:i"},
	{IV_HC_CALL_PRB, "iii:i"},
	{IV_HC_CALL, "iiiiiii:i"},
	{IV_HC_CALL_BUFFER, ":i"},
	{IV_HC_SERVE, "i:i"},
};

const struct import_family call_family = {
	IV_IMPORT_MODULE, CFG_ABI_BARE, defs, sizeof(defs) / sizeof(defs[0]),
};

uint32_t Z_intravisorZ_call_adv(struct cvm *vm, uint32_t name, uint32_t name_len,
				uint32_t export, uint32_t export_len)
{
	char key[IV_NAME_MAX + 1], fn[IV_NAME_MAX + 1];
	int err, index;

	rt_check_stack();
	err = hostcall_name(vm, name, name_len, key);
	if (!err)
		err = hostcall_name(vm, export, export_len, fn);
	if (err)
		return (uint32_t)err;
	index = ipc_find_export(vm, fn, NULL);
	if (index < 0)
		return (uint32_t)-IV_ENOENT;
	return (uint32_t)names_publish_entry(key, vm, (uint32_t)index);
}

uint32_t Z_intravisorZ_call_prb(struct cvm *vm, uint32_t name, uint32_t name_len,
				uint32_t timeout_ms)
{
	char key[IV_NAME_MAX + 1];
	int err;

	rt_check_stack();
	err = hostcall_name(vm, name, name_len, key);
	if (err)
		return (uint32_t)err;
	return (uint32_t)names_probe(vm, NAME_ENTRY, key, (int)timeout_ms, NULL);
}

uint32_t Z_intravisorZ_call(struct cvm *vm, uint32_t entry, uint32_t args_ptr, uint32_t nargs,
			    uint32_t buf, uint32_t buf_len, uint32_t buf_perms,
			    uint32_t result_ptr)
{
	uint64_t args[IV_CALL_MAX_ARGS], result = 0;
	struct cvm *callee;
	uint32_t index;
	const void *raw;
	int err;

	rt_check_stack();
	if (nargs > IV_CALL_MAX_ARGS)
		return (uint32_t)-IV_EINVAL;
	raw = gm_array(vm, args_ptr, nargs, 8);
	if (!raw || !gm_range(vm, result_ptr, 8))
		return (uint32_t)-IV_EFAULT;
	if (buf_perms & ~(IV_PERM_LOAD | IV_PERM_STORE))
		return (uint32_t)-IV_EINVAL;
	if (buf_len && !gm_range(vm, buf, buf_len))
		return (uint32_t)-IV_EFAULT;
	memcpy(args, raw, (size_t)nargs * 8);
	err = cap_entry(vm, (int)entry, &callee, &index);
	if (err)
		return (uint32_t)err;
	err = ipc_call(vm, callee, index, args, nargs, buf, buf_len, buf_perms, -1, &result);
	if (err)
		return (uint32_t)err;
	gm_store_u64(vm, result_ptr, result);
	return 0;
}

uint32_t Z_intravisorZ_call_buffer(struct cvm *vm)
{
	return vm->lent_buffer ? (uint32_t)vm->lent_buffer : (uint32_t)-IV_ENOENT;
}

uint32_t Z_intravisorZ_serve(struct cvm *vm, uint32_t timeout_ms)
{
	rt_check_stack();
	return (uint32_t)ipc_serve(vm, (int)timeout_ms);
}
