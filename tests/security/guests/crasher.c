/* Security guest `crasher`: a service whose entry `crasher.crash` traps in the middle of a call. */
#include <stdint.h>

#include <intravisor.h>

IV_EXPORT("ping") int32_t ping(void);
int32_t ping(void)
{
	return 42;
}

IV_EXPORT("crash") int32_t crash(void);
int32_t crash(void)
{
	/* Past the end of this cVM's memory: the access traps. */
	volatile int32_t *p = (volatile int32_t *)(uintptr_t)0xfffffff0u;

	return *p;
}

int main(void)
{
	if (iv_call_adv("crasher.ping", "ping") < 0 || iv_call_adv("crasher.crash", "crash") < 0)
		return 1;
	iv_puts("crasher: serving");
	iv_serve(-1);
	iv_puts("FAIL: crasher's serve returned");
	return 1;
}
