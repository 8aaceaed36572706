/* Security helper `receiver`: uses capabilities transferred to it, on its granter's request. */
#include <stdint.h>

#include <intravisor.h>

/* Loads the first byte through handle h: returns it, or a negative iv_error. */
IV_EXPORT("peek") int32_t peek(int32_t h);
int32_t peek(int32_t h)
{
	unsigned char byte;
	int ret = iv_cap_load(h, 0, &byte, 1);

	return ret < 0 ? ret : byte;
}

/* Stores one byte through handle h: returns 0 or a negative iv_error. */
IV_EXPORT("poke") int32_t poke(int32_t h);
int32_t poke(int32_t h)
{
	return iv_cap_store(h, 0, "!", 1);
}

int main(void)
{
	if (iv_call_adv("receiver.peek", "peek") < 0 || iv_call_adv("receiver.poke", "poke") < 0)
		return 1;
	iv_puts("receiver: serving");
	return iv_serve(-1) == 0 ? 0 : 1;
}
