/* utf8.c - incremental UTF-8 validation (see utf8.h).
 *
 * A lead byte fixes how many continuation bytes follow and, for the first
 * of them, a narrower range than 80..BF where the shortest or the largest
 * forms would otherwise slip through: after E0 only A0..BF (shorter forms
 * would be overlong), after ED only 80..9F (the surrogates), after F0 only
 * 90..BF, after F4 only 80..8F (above U+10FFFF). C0, C1 and F5..FF never
 * start anything. Text is mostly ASCII, so while no sequence is open the
 * loop skips eight bytes at a time whose high bits are all clear. */
#include <stdint.h>
#include <string.h>

#include "util/utf8.h"

#define ASCII_MASK 0x8080808080808080ULL

void cw_utf8_init(struct cw_utf8 *u)
{
	u->need = 0;
	u->lo = 0x80;
	u->hi = 0xbf;
}

/* Open a sequence for lead byte b; -1 for a byte that cannot lead. */
static int utf8_lead(struct cw_utf8 *u, unsigned char b)
{
	u->lo = 0x80;
	u->hi = 0xbf;
	if (b >= 0xc2 && b <= 0xdf) {
		u->need = 1;
	} else if (b >= 0xe0 && b <= 0xef) {
		u->need = 2;
		if (b == 0xe0)
			u->lo = 0xa0;
		else if (b == 0xed)
			u->hi = 0x9f;
	} else if (b >= 0xf0 && b <= 0xf4) {
		u->need = 3;
		if (b == 0xf0)
			u->lo = 0x90;
		else if (b == 0xf4)
			u->hi = 0x8f;
	} else {
		return -1;
	}
	return 0;
}

/* Skip whole words of ASCII from s[i]; returns the new index. */
static size_t utf8_skip_ascii(const unsigned char *s, size_t i, size_t n)
{
	uint64_t w;

	while (n - i >= sizeof(w)) {
		memcpy(&w, s + i, sizeof(w));
		if (w & ASCII_MASK)
			break;
		i += sizeof(w);
	}
	return i;
}

int cw_utf8_feed(struct cw_utf8 *u, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i = 0;

	if (u->need == CW_UTF8_BAD)
		return -1;
	while (i < n) {
		unsigned char b;

		if (u->need == 0) {
			i = utf8_skip_ascii(s, i, n);
			if (i == n)
				break;
		}
		b = s[i++];
		if (u->need > 0) {
			if (b < u->lo || b > u->hi)
				goto bad;
			u->need--;
			u->lo = 0x80;
			u->hi = 0xbf;
		} else if (b >= 0x80 && utf8_lead(u, b) != 0) {
			goto bad;
		}
	}
	return 0;
bad:
	u->need = CW_UTF8_BAD;
	return -1;
}

int cw_utf8_end(const struct cw_utf8 *u)
{
	return u->need == 0 ? 0 : -1;
}

int cw_utf8_valid(const void *p, size_t n)
{
	struct cw_utf8 u;

	cw_utf8_init(&u);
	if (cw_utf8_feed(&u, p, n) != 0)
		return -1;
	return cw_utf8_end(&u);
}
