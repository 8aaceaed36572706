/* Test guest (bare): calls time(), which needs WASI, so ivcc --runtime=bare must refuse it. */
#include <stdio.h>
#include <time.h>

int main(void)
{
	printf("%lld\n", (long long)time(NULL));
	return 0;
}
