/* wasi-libc's <arpa/inet.h> with inet_addr and inet_ntoa, which it hides (the SDK has them). */
#ifndef IV_SDK_ARPA_INET_H
#define IV_SDK_ARPA_INET_H

#include_next <arpa/inet.h>

#ifdef __cplusplus
extern "C" {
#endif

in_addr_t inet_addr(const char *text);
char *inet_ntoa(struct in_addr in);

#ifdef __cplusplus
}
#endif

#endif
