/* utf8.h - an incremental UTF-8 validator.
 *
 * WebSocket text messages must be valid UTF-8 (RFC 6455 8.1), and they
 * arrive in frames and reads split anywhere, also inside a code point.
 * struct cw_utf8 carries what the bytes so far still owe (how many
 * continuation bytes, and the range the next one must fall in) from one
 * piece to the next, so a message is checked once as it streams through,
 * without being assembled. The rules are RFC 3629's: no overlong forms,
 * no surrogates (U+D800..U+DFFF), nothing above U+10FFFF. */
#ifndef CW_UTF8_H
#define CW_UTF8_H

#include <stddef.h>

/* The state between pieces: need continuation bytes still to come, the
 * next within [lo, hi]. need is CW_UTF8_BAD once the input failed. Plain
 * data, owned by whoever embeds it; no allocation anywhere. */
struct cw_utf8 {
	unsigned char need;
	unsigned char lo;
	unsigned char hi;
};

#define CW_UTF8_BAD 0xff

/* Start a new text (a new message). */
void cw_utf8_init(struct cw_utf8 *u);

/* Check the next n bytes. 0 if they can still be part of valid UTF-8, -1
 * once they cannot (and for every later call, until cw_utf8_init). */
int cw_utf8_feed(struct cw_utf8 *u, const void *p, size_t n);

/* At the end of the text: 0 if it is complete and valid, -1 if it failed
 * or stops inside a code point. */
int cw_utf8_end(const struct cw_utf8 *u);

/* One-shot check of a whole text: 0 valid, -1 not. */
int cw_utf8_valid(const void *p, size_t n);

#endif
