/* Guest library: crt-bare.o, the start-up object that ivcc links into `bare` cVMs only. */
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#include <intravisor.h>

/*
 * clang names main(int, char **) __main_argc_argv and main(void) __main_void. A program with
 * main(void) defines __main_void itself and replaces this weak one.
 */
int __main_argc_argv(int argc, char **argv);
int __main_void(void);

/*
 * Synthesised by wasm-ld: runs the constructors. Calling it here keeps wasm-ld from wrapping
 * _start in a command export that would also pull in libc's destructors and its WASI stdio.
 */
void __wasm_call_ctors(void);

/* The module's entry point, exported by wasm-ld. */
void _start(void);

__attribute__((weak)) int __main_void(void)
{
	static char *argv[] = { NULL };

	return __main_argc_argv(0, argv);
}

/*
 * exit() runs the atexit handlers and flushes stdio, then ends in __wasi_proc_exit below,
 * that is in the exit hostcall.
 */
void _start(void)
{
	__wasm_call_ctors();
	exit(__main_void());
}

/*
 * A bare cVM has no WASI. wasi-libc's stdio nevertheless references a few WASI calls (its
 * formatter can report to stderr, exit() flushes stdio), so these weak definitions stand in
 * for them on the console and exit hostcalls; libc's own definitions would import them.
 * If the program uses any other WASI function, libc's definitions replace all of these and
 * ivcc's import check rejects the module.
 */
static int is_console(__wasi_fd_t fd)
{
	return fd == 1 || fd == 2;
}

__attribute__((weak)) __wasi_errno_t __wasi_fd_write(__wasi_fd_t fd, const __wasi_ciovec_t *iovs,
						     size_t iovs_len, __wasi_size_t *retptr0)
{
	__wasi_size_t total = 0;

	if (!is_console(fd))
		return __WASI_ERRNO_BADF;
	for (size_t i = 0; i < iovs_len; i++) {
		long ret = iv_console_write(iovs[i].buf, iovs[i].buf_len);

		if (ret < 0)
			return (__wasi_errno_t)-ret;
		total += (__wasi_size_t)ret;
	}
	*retptr0 = total;
	return __WASI_ERRNO_SUCCESS;
}

__attribute__((weak)) __wasi_errno_t __wasi_fd_seek(__wasi_fd_t fd, __wasi_filedelta_t offset,
						    __wasi_whence_t whence,
						    __wasi_filesize_t *retptr0)
{
	(void)offset;
	(void)whence;
	(void)retptr0;
	return is_console(fd) ? __WASI_ERRNO_SPIPE : __WASI_ERRNO_BADF;
}

__attribute__((weak)) __wasi_errno_t __wasi_fd_close(__wasi_fd_t fd)
{
	return is_console(fd) ? __WASI_ERRNO_SUCCESS : __WASI_ERRNO_BADF;
}

/* The console is a write-only character device, so libc line-buffers stdout. */
__attribute__((weak)) __wasi_errno_t __wasi_fd_fdstat_get(__wasi_fd_t fd, __wasi_fdstat_t *retptr0)
{
	if (!is_console(fd))
		return __WASI_ERRNO_BADF;
	memset(retptr0, 0, sizeof(*retptr0));
	retptr0->fs_filetype = __WASI_FILETYPE_CHARACTER_DEVICE;
	retptr0->fs_rights_base = __WASI_RIGHTS_FD_WRITE;
	return __WASI_ERRNO_SUCCESS;
}

__attribute__((weak)) _Noreturn void __wasi_proc_exit(__wasi_exitcode_t rval)
{
	iv_exit((int)rval);
}
