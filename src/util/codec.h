/* codec.h - the CivetWeb API's encoders: URL, base64, MD5, and the ASCII
 * case-insensitive comparisons. The public functions (mg_url_decode,
 * mg_url_encode, mg_base64_encode, mg_base64_decode, mg_md5, mg_strcasecmp,
 * mg_strncasecmp) are declared in civetweb.h; this header adds what the
 * rest of the library uses internally. */
#ifndef CW_CODEC_H
#define CW_CODEC_H

#include <stddef.h>

/* Value of a hex digit, or -1. */
int cw_hex_value(int c);

/* Lower-case hex MD5 of buf[0..len) into out[33] (NUL-terminated). */
void cw_md5_hex(const void *buf, size_t len, char out[33]);

/* Case-insensitive memory comparison of n bytes: 0 if equal. */
int cw_memcaseeq(const char *a, const char *b, size_t n);

#endif
