/* Security helper `owner`: advertises a mappable page and revokes it when called to. */
#include <stdint.h>
#include <string.h>

#include <intravisor.h>

static int page = -1, revoked = -1;

IV_EXPORT("revoke_page") int32_t revoke_page(void);
int32_t revoke_page(void)
{
	revoked = iv_cap_revoke(page);
	return revoked;
}

int main(void)
{
	char *region = iv_map_alloc(IV_MAP_ALIGN);

	if (!region)
		return 1;
	strcpy(region, "the owner's page");
	page = iv_capfile_adv("owner.page", region, IV_MAP_ALIGN, IV_PERM_LOAD | IV_PERM_MAP);
	if (page < 0 || iv_call_adv("owner.revoke", "revoke_page") < 0)
		return 1;
	iv_puts("owner: serving its page");
	if (iv_serve(-1) != 0)
		return 1;
	iv_printf("owner: revoked its page: %s\n", revoked == 0 ? "yes" : "no");
	return revoked == 0 ? 0 : 1;
}
