/* wasi-libc's <sys/un.h> with the sun_path it leaves out, so unix socket addresses can be named. */
#ifndef IV_SDK_SYS_UN_H
#define IV_SDK_SYS_UN_H

#include <stddef.h>

#include <intravisor/abi.h>

/* Keeps wasi-libc's path-less struct out; this one takes its place. */
#define __wasilibc___struct_sockaddr_un_h
#include_next <sys/un.h>

#ifdef __cplusplus
extern "C" {
#endif

struct sockaddr_un {
	_Alignas(max_align_t) sa_family_t sun_family;
	char sun_path[IV_NET_PATH_MAX + 1];
};

#ifdef __cplusplus
}
#endif

#endif
