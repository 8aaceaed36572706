/* Test guest (bare): returns 3 from main, which becomes the cVM's exit status. */
#include <intravisor.h>

int main(void)
{
	iv_puts("exiting with status 3");
	return 3;
}
