/* WASI proc_exit: the status in argv[1] is the cVM's exit status; nothing runs after it. */
#include <stdio.h>
#include <stdlib.h>

#include <wasi/api.h>

int main(int argc, char **argv)
{
	__wasi_exitcode_t status = argc > 1 ? (__wasi_exitcode_t)atoi(argv[1]) : 0;

	printf("proc_exit %u\n", status);
	fflush(stdout);
	__wasi_proc_exit(status);
	puts("FAIL running after proc_exit");
	return 99;
}
