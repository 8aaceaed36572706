/* Security helper `adder`: a well-behaved service whose entry `adder.add` returns a + b. */
#include <stdint.h>

#include <intravisor.h>

IV_EXPORT("add") int64_t add(int64_t a, int64_t b);
int64_t add(int64_t a, int64_t b)
{
	return a + b;
}

int main(void)
{
	if (iv_call_adv("adder.add", "add") < 0)
		return 1;
	iv_puts("adder: serving");
	return iv_serve(-1) == 0 ? 0 : 1;
}
