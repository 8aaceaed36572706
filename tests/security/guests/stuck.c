/* Security guest `stuck`: a service whose entry never returns; only its time limit ends it. */
#include <stdint.h>

#include <intravisor.h>

IV_EXPORT("forever") int32_t forever(void);
int32_t forever(void)
{
	volatile uint32_t n = 0;

	for (;;)
		n++;
}

int main(void)
{
	if (iv_call_adv("stuck.forever", "forever") < 0)
		return 1;
	iv_puts("stuck: serving");
	iv_serve(-1);
	iv_puts("FAIL: stuck's serve returned");
	return 1;
}
