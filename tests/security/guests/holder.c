/* Security guest `holder`: maps another cVM's page and touches it after the page is revoked. */
#include <stdint.h>
#include <string.h>

#include <intravisor.h>

#include "check.h"

int main(void)
{
	struct iv_cap_info info;
	uint64_t size = 0;
	volatile char *win;
	char text[17] = { 0 };
	int page, revoke;

	page = expect_ok(iv_capfile_prb("owner.page", WAIT_MS, &size), "probe owner.page");
	revoke = expect_ok(iv_call_prb("owner.revoke", WAIT_MS), "probe owner.revoke");
	win = iv_map_alloc(size);
	if (page < 0 || revoke < 0 || !win || expect_ok(iv_cap_map(page, (void *)win), "map") < 0)
		return 1;
	memcpy(text, (const void *)win, 16);
	expect_true(strcmp(text, "the owner's page") == 0, "the window shows the owner's page");

	expect_ok(iv_call(revoke, NULL, 0, NULL, 0, 0, NULL), "call owner.revoke");
	expect_err(iv_cap_info(page, &info), IV_ESTALE, "inspect the revoked capability");
	expect_err(iv_cap_load(page, 0, text, 1), IV_ESTALE, "load through the revoked capability");

	iv_puts("reading the revoked window");
	text[0] = win[0];
	iv_printf("FAIL: read '%c' from a revoked window\n", text[0]);
	return 1;
}
