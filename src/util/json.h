/* json.h - writing JSON text into a fixed buffer the caller owns: strings
 * escaped so that the output is always valid JSON (and valid UTF-8),
 * whatever bytes come in. No allocation. */
#ifndef CW_UTIL_JSON_H
#define CW_UTIL_JSON_H

#include <stddef.h>

/* Text being built in buf[0..cap). Plain data on the caller's stack. */
struct cw_json {
	char *buf;
	size_t len;
	size_t cap;
	int overflow; /* something did not fit and was left out */
};

void cw_json_init(struct cw_json *j, char *buf, size_t cap);

/* Append n bytes that are JSON already (punctuation, keys, numbers); if
 * they do not fit, none of them is appended and overflow is set. */
void cw_json_raw(struct cw_json *j, const char *s, size_t n);

/* Append "key": (key is plain ASCII, written as it is) with the comma
 * before it unless it is the first member (first != 0). */
void cw_json_key(struct cw_json *j, const char *key, int first);

/* Append s[0..n) as a JSON string, quotes included, in at most max bytes
 * of output (and never past the buffer): '"' and '\' escaped, control
 * characters and DEL as \n, \t, ... or \u00XX, valid UTF-8 sequences as
 * they are, and each byte that is not part of valid UTF-8 as \u00XX (the
 * code point of the same number). A string that does not fit is cut
 * before an escape or a sequence, never inside one. NULL is null. */
void cw_json_str(struct cw_json *j, const char *s, size_t n, size_t max);

/* Append a number. */
void cw_json_int(struct cw_json *j, long long v);

/* Length of the valid UTF-8 sequence starting at p (at most n bytes
 * available), or 0 if p[0] does not start one (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF). */
size_t cw_json_utf8_len(const unsigned char *p, size_t n);

#endif
