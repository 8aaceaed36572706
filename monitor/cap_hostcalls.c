/* The guest edge of capabilities: cap_* hostcalls decode and check, then call cap.c. */
#include <string.h>

#include "cap.h"
#include "cvm.h"
#include "guestmem.h"
#include "hostcall.h"
#include "imports.h"
#include "rt.h"

static const struct import_def defs[] = {
	{IV_HC_CAP_INFO, "ii:i"},
	{IV_HC_CAP_DERIVE, "iIIi:i"},
	{IV_HC_CAP_DROP, "i:i"},
	{IV_HC_CAP_REVOKE, "i:i"},
	{IV_HC_CAP_SEALER, ":i"},
	{IV_HC_CAP_SEAL, "ii:i"},
	{IV_HC_CAP_UNSEAL, "ii:i"},
	{IV_HC_CAP_TRANSFER, "iii:i"},
	{IV_HC_CAP_LOAD, "iIii:i"},
	{IV_HC_CAP_STORE, "iIii:i"},
	{IV_HC_CAP_COPY, "iIiIi:i"},
	{IV_HC_CAP_MAP, "ii:i"},
	{IV_HC_CAP_UNMAP, "i:i"},
};

const struct import_family cap_family = {
	IV_IMPORT_MODULE, CFG_ABI_BARE, defs, sizeof(defs) / sizeof(defs[0]),
};

/* Reads a name argument into out (NUL-terminated); 0 or a negated iv_error. */
int hostcall_name(struct cvm *vm, uint32_t ptr, uint32_t len, char out[IV_NAME_MAX + 1])
{
	const char *p;

	if (len == 0)
		return -IV_EINVAL;
	if (len > IV_NAME_MAX)
		return -IV_ENAMETOOLONG;
	p = gm_range(vm, ptr, len);
	if (!p)
		return -IV_EFAULT;
	if (memchr(p, 0, len))
		return -IV_EINVAL;
	memcpy(out, p, len);
	out[len] = 0;
	return 0;
}

uint32_t Z_intravisorZ_cap_info(struct cvm *vm, uint32_t h, uint32_t out)
{
	struct iv_cap_info info;
	int err;

	rt_check_stack();
	if (!gm_range(vm, out, sizeof(info)))
		return (uint32_t)-IV_EFAULT;
	err = cap_info(vm, (int)h, &info);
	if (err)
		return (uint32_t)err;
	gm_store(vm, out, &info, sizeof(info));
	return 0;
}

uint32_t Z_intravisorZ_cap_derive(struct cvm *vm, uint32_t h, uint64_t offset, uint64_t length,
				  uint32_t perms)
{
	rt_check_stack();
	if (perms & ~IV_PERM_ALL)
		return (uint32_t)-IV_EINVAL;
	return (uint32_t)cap_derive(vm, (int)h, offset, length, perms);
}

uint32_t Z_intravisorZ_cap_drop(struct cvm *vm, uint32_t h)
{
	rt_check_stack();
	return (uint32_t)cap_drop(vm, (int)h);
}

uint32_t Z_intravisorZ_cap_revoke(struct cvm *vm, uint32_t h)
{
	rt_check_stack();
	return (uint32_t)cap_revoke(vm, (int)h);
}

uint32_t Z_intravisorZ_cap_sealer(struct cvm *vm)
{
	rt_check_stack();
	return (uint32_t)cap_sealer(vm);
}

uint32_t Z_intravisorZ_cap_seal(struct cvm *vm, uint32_t h, uint32_t sealer)
{
	rt_check_stack();
	return (uint32_t)cap_seal(vm, (int)h, (int)sealer);
}

uint32_t Z_intravisorZ_cap_unseal(struct cvm *vm, uint32_t h, uint32_t sealer)
{
	rt_check_stack();
	return (uint32_t)cap_unseal(vm, (int)h, (int)sealer);
}

uint32_t Z_intravisorZ_cap_transfer(struct cvm *vm, uint32_t h, uint32_t name, uint32_t len)
{
	char target_name[IV_NAME_MAX + 1];
	struct cvm *target;
	int err;

	rt_check_stack();
	err = hostcall_name(vm, name, len, target_name);
	if (err)
		return (uint32_t)err;
	target = cvm_find(target_name);
	if (!target)
		return (uint32_t)-IV_ESRCH;
	return (uint32_t)cap_transfer(vm, (int)h, target);
}

uint32_t Z_intravisorZ_cap_load(struct cvm *vm, uint32_t h, uint64_t offset, uint32_t dst,
				uint32_t len)
{
	void *p;

	rt_check_stack();
	p = gm_range(vm, dst, len);
	if (!p)
		return (uint32_t)-IV_EFAULT;
	return (uint32_t)cap_load(vm, (int)h, offset, p, len);
}

uint32_t Z_intravisorZ_cap_store(struct cvm *vm, uint32_t h, uint64_t offset, uint32_t src,
				 uint32_t len)
{
	const void *p;

	rt_check_stack();
	p = gm_range(vm, src, len);
	if (!p)
		return (uint32_t)-IV_EFAULT;
	return (uint32_t)cap_store(vm, (int)h, offset, p, len);
}

uint32_t Z_intravisorZ_cap_copy(struct cvm *vm, uint32_t dst, uint64_t dst_off, uint32_t src,
				uint64_t src_off, uint32_t len)
{
	rt_check_stack();
	return (uint32_t)cap_copy(vm, (int)dst, dst_off, (int)src, src_off, len);
}

uint32_t Z_intravisorZ_cap_map(struct cvm *vm, uint32_t h, uint32_t dst)
{
	rt_check_stack();
	return (uint32_t)cap_map(vm, (int)h, dst);
}

uint32_t Z_intravisorZ_cap_unmap(struct cvm *vm, uint32_t dst)
{
	rt_check_stack();
	return (uint32_t)cap_unmap(vm, dst);
}
