/* text.h - appending text into a caller's fixed buffer, measuring what
 * did not fit: build once on the stack, and only when that was too small
 * allocate the measured size and build again. */
#ifndef CW_UTIL_TEXT_H
#define CW_UTIL_TEXT_H

#include <stddef.h>

/* Appends into p[0..cap); len counts what was asked for, so len >= cap
 * after the fact means "did not fit, need len + 1 bytes". Once a piece
 * does not fit, no later piece is written. */
struct cw_text {
	char *p;
	size_t cap;
	size_t len;
};

void cw_text_put_n(struct cw_text *t, const char *s, size_t n);
void cw_text_put(struct cw_text *t, const char *s);

/* NUL-terminate what was written (if it fit); the length needed. */
size_t cw_text_end(struct cw_text *t);

/* s percent-encoded for a URI path (in_query: also '?' kept, for a query
 * string; keep_pct: '%' kept, the text is still encoded). Unreserved
 * characters, sub-delims, ':', '@' and '/' are kept. */
void cw_text_put_uri(struct cw_text *t, const char *s, int in_query,
                     int keep_pct);

/* v in decimal / lower-case hex into out (at least 21 bytes), without a
 * NUL; the number of characters. For heads built on every request, where
 * snprintf costs more than the rest of the line. */
/* The next item of a comma-separated list (spaces around items left
 * out, empty items skipped): its start, *len its length, *list moved
 * past it; NULL at the end. */
const char *cw_list_next(const char **list, size_t *len);

size_t cw_fmt_dec(char *out, unsigned long long v);
size_t cw_fmt_hex(char *out, unsigned long long v);

#endif
