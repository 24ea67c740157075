/* siphash.h - SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed hash
 * of short inputs with a 128-bit key and a 64-bit result, fast enough to
 * authenticate a value on every request (digest nonces). */
#ifndef CW_UTIL_SIPHASH_H
#define CW_UTIL_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t cw_siphash(const unsigned char key[16], const void *data, size_t len);

#endif
