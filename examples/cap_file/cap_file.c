/* Example cVM (posix runtime): reads and writes the YAML's capfile `test1` by capability. */
#include <stdio.h>
#include <string.h>

#include <intravisor.h>

int main(void)
{
	static const char reply[12] = "Hi from cVM\n";
	char text[33] = { 0 };
	uint64_t size;
	int cap, ret;

	printf("hello world, let's read cap 'test1'\n");
	/* The YAML's capfiles exist before any cVM starts: no need to wait. */
	cap = iv_capfile_prb("test1", 0, &size);
	if (cap < 0) {
		printf("probe failed: %d\n", cap);
		return 1;
	}
	printf("test1 is %llu bytes\n", (unsigned long long)size);

	ret = iv_cap_load(cap, 0, text, 32);
	if (ret < 0) {
		printf("load failed: %d\n", ret);
		return 1;
	}
	printf("read 32 bytes: %s", text);

	ret = iv_cap_store(cap, 0, reply, sizeof(reply));
	if (ret < 0) {
		printf("store failed: %d\n", ret);
		return 1;
	}
	printf("wrote %zu bytes\n", sizeof(reply));

	memset(text, 0, sizeof(text));
	ret = iv_cap_load(cap, 0, text, 32);
	if (ret < 0) {
		printf("load failed: %d\n", ret);
		return 1;
	}
	printf("read back: %s", text);
	return 0;
}
