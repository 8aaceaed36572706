/* Security guest `ro-writer`: writes through a read-only capability and a read-only mapping. */
#include <stdint.h>
#include <string.h>

#include <intravisor.h>

#include "check.h"

int main(void)
{
	static const char text[] = "read-only data", update[] = "changed by its owner";
	char buf[32];
	uint64_t size = 0;
	volatile char *win;
	int h, ro;

	/* ro.page is a YAML capfile: the monitor's memory, one IV_MAP_ALIGN page. */
	h = expect_ok(iv_capfile_prb("ro.page", 0, &size), "probe ro.page");
	if (h < 0)
		return 1;
	expect_ok(iv_cap_store(h, 0, text, sizeof(text)), "store through the full capability");
	ro = expect_ok(iv_cap_derive(h, 0, size, IV_PERM_LOAD | IV_PERM_MAP), "derive read-only");

	expect_err(iv_cap_store(ro, 0, "x", 1), IV_ENOTCAPABLE, "store through a read-only capability");
	expect_err(iv_cap_copy(ro, 0, h, 0, 4), IV_ENOTCAPABLE, "copy into a read-only capability");

	win = iv_map_alloc(size);
	if (!win || expect_ok(iv_cap_map(ro, (void *)win), "map read-only") < 0)
		return 1;
	memcpy(buf, (const void *)win, sizeof(text));
	expect_true(memcmp(buf, text, sizeof(text)) == 0, "the read-only window shows the data");
	expect_ok(iv_cap_store(h, 0, update, sizeof(update)), "store through the full capability");
	memcpy(buf, (const void *)win, sizeof(update));
	expect_true(memcmp(buf, update, sizeof(update)) == 0,
		    "the window shows a store made through another capability (same pages)");

	/* The monitor writes nothing into the window on the cVM's behalf either. */
	expect_err(iv_cap_load(h, 0, (void *)win, 4), IV_EFAULT, "load into the read-only window");
	expect_err(iv_random((void *)win, 4), IV_EFAULT, "random bytes into the read-only window");
	expect_err((int)iv_console_write((const void *)win, 4), IV_EFAULT,
		   "console write from the window");
	expect_err(iv_capfile_adv("ro.escalate", (void *)win, size, IV_PERM_LOAD | IV_PERM_STORE),
		   IV_EFAULT, "advertise the read-only window with STORE");
	expect_err(iv_cap_map(h, (void *)win), IV_EFAULT, "map over the window");

	iv_puts("writing into the read-only window");
	win[0] = 'X';
	iv_puts("FAIL: the write went through");
	return 1;
}
