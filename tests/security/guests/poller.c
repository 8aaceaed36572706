/*
 * Security guest `poller` (posix): sleeps in poll_oneoff with its events array where, during
 * the sleep, a call maps another cVM's read-only page. The monitor must not write the event
 * through that window: poll_oneoff fails with EFAULT instead.
 */
#include <stdio.h>
#include <wasi/api.h>

#include <intravisor.h>

static int page = -1;
static void *events;

IV_EXPORT("map_window") int32_t map_window(void);
int32_t map_window(void)
{
	return iv_cap_map(page, events);
}

int main(void)
{
	__wasi_subscription_t sub = {
		.userdata = 0x4141414141414141ull,
		.u = {.tag = __WASI_EVENTTYPE_CLOCK,
		      .u.clock = {.id = __WASI_CLOCKID_MONOTONIC, .timeout = 2000000000ull}},
	};
	__wasi_size_t n = 0;
	__wasi_errno_t err;
	uint64_t size = 0;

	page = iv_capfile_prb("po.page", 10000, &size);
	events = iv_map_alloc(IV_MAP_ALIGN);
	if (page < 0 || !events || iv_call_adv("po.map", "map_window") < 0) {
		puts("FAIL: setting up");
		return 1;
	}
	puts("poller: sleeping in poll_oneoff, its events where a window will be mapped");
	fflush(stdout);
	err = __wasi_poll_oneoff(&sub, events, 1, &n);
	if (err == __WASI_ERRNO_FAULT)
		puts("OK: poll_oneoff refused to write its event into the window: EFAULT");
	else
		printf("FAIL: poll_oneoff returned %u with %u event(s)\n", (unsigned)err,
		       (unsigned)n);
	iv_cap_unmap(events);
	return err == __WASI_ERRNO_FAULT ? 0 : 1;
}
