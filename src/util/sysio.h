/* sysio.h - two system-call loops every writer of files and keys needs:
 * writing a whole buffer, and filling one with random bytes. */
#ifndef CW_UTIL_SYSIO_H
#define CW_UTIL_SYSIO_H

#include <stddef.h>

/* Write all n bytes of p to fd, retrying short writes and EINTR: 0, or
 * -1 with errno. */
int cw_write_all(int fd, const void *p, size_t n);

/* Fill p with n bytes from the kernel's random source (getrandom): 0, or
 * -1 if it gives none. */
int cw_random_bytes(void *p, size_t n);

#endif
