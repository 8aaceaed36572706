/* Guest library: the capability wrappers (iv_cap_*) and iv_map_alloc. */
#include <stdlib.h>
#include <string.h>

#include <intravisor.h>

int iv_cap_info(int h, struct iv_cap_info *info)
{
	return iv_hc_cap_info(h, info);
}

int iv_cap_derive(int h, uint64_t off, uint64_t len, unsigned perms)
{
	return iv_hc_cap_derive(h, off, len, perms);
}

int iv_cap_drop(int h)
{
	return iv_hc_cap_drop(h);
}

int iv_cap_revoke(int h)
{
	return iv_hc_cap_revoke(h);
}

int iv_cap_sealer(void)
{
	return iv_hc_cap_sealer();
}

int iv_cap_seal(int h, int sealer)
{
	return iv_hc_cap_seal(h, sealer);
}

int iv_cap_unseal(int h, int sealer)
{
	return iv_hc_cap_unseal(h, sealer);
}

int iv_cap_transfer(int h, const char *cvm_name)
{
	return iv_hc_cap_transfer(h, cvm_name, strlen(cvm_name));
}

int iv_cap_load(int h, uint64_t off, void *dst, size_t len)
{
	return iv_hc_cap_load(h, off, dst, len);
}

int iv_cap_store(int h, uint64_t off, const void *src, size_t len)
{
	return iv_hc_cap_store(h, off, src, len);
}

int iv_cap_copy(int dst_h, uint64_t dst_off, int src_h, uint64_t src_off, size_t len)
{
	return iv_hc_cap_copy(dst_h, dst_off, src_h, src_off, len);
}

int iv_cap_map(int h, void *dst)
{
	return iv_hc_cap_map(h, dst);
}

int iv_cap_unmap(void *dst)
{
	return iv_hc_cap_unmap(dst);
}

void *iv_map_alloc(size_t len)
{
	size_t rounded = (len + (IV_MAP_ALIGN - 1)) & ~(size_t)(IV_MAP_ALIGN - 1);

	if (len == 0 || rounded < len)
		return NULL;
	return aligned_alloc(IV_MAP_ALIGN, rounded);
}
