/* Security helper `pollowner`: advertises a read-only mappable page, then checks it is intact. */
#include <string.h>

#include <intravisor.h>

int main(void)
{
	char *region = iv_map_alloc(IV_MAP_ALIGN);

	if (!region)
		return 1;
	strcpy(region, "untouched");
	if (iv_capfile_adv("po.page", region, IV_MAP_ALIGN, IV_PERM_LOAD | IV_PERM_MAP) < 0)
		return 1;
	iv_puts("pollowner: serving its read-only page");
	if (iv_serve(-1) != 0)
		return 1;
	if (strcmp(region, "untouched")) {
		iv_printf("FAIL: the read-only page now holds '%.16s'\n", region);
		return 1;
	}
	iv_puts("OK: nothing wrote the read-only page");
	return 0;
}
