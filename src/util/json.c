/* json.c - JSON text into a fixed buffer (json.h), for log lines that a
 * log shipper must be able to parse whatever a client sent: every string
 * comes out valid JSON and valid UTF-8, and a string too long for its
 * room is cut at a character boundary, so the text stays well formed. */
#include <stdio.h>
#include <string.h>

#include "util/json.h"

void cw_json_init(struct cw_json *j, char *buf, size_t cap)
{
	j->buf = buf;
	j->len = 0;
	j->cap = cap;
	j->overflow = 0;
}

void cw_json_raw(struct cw_json *j, const char *s, size_t n)
{
	if (n > j->cap - j->len) {
		j->overflow = 1;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

void cw_json_key(struct cw_json *j, const char *key, int first)
{
	if (!first)
		cw_json_raw(j, ",", 1);
	cw_json_raw(j, "\"", 1);
	cw_json_raw(j, key, strlen(key));
	cw_json_raw(j, "\":", 2);
}

void cw_json_int(struct cw_json *j, long long v)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%lld", v);

	cw_json_raw(j, num, (size_t)n);
}

size_t cw_json_utf8_len(const unsigned char *p, size_t n)
{
	unsigned char b = p[0], lo = 0x80, hi = 0xbf;
	size_t need;

	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf)
		need = 1;
	else if (b >= 0xe0 && b <= 0xef)
		need = 2;
	else if (b >= 0xf0 && b <= 0xf4)
		need = 3;
	else
		return 0;
	if (b == 0xe0)
		lo = 0xa0; /* overlong */
	else if (b == 0xed)
		hi = 0x9f; /* surrogates */
	else if (b == 0xf0)
		lo = 0x90; /* overlong */
	else if (b == 0xf4)
		hi = 0x8f; /* above U+10FFFF */
	if (n < need + 1 || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i <= need; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return need + 1;
}

/* The escape for byte b, or NULL when b stands for itself. */
static const char *short_escape(unsigned char b)
{
	switch (b) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	case '\b':
		return "\\b";
	case '\f':
		return "\\f";
	default:
		return NULL;
	}
}

/* Write what s[*i..] starts with into out (room for 6 bytes); returns
 * its length and advances *i past the input it stands for. */
static size_t one_piece(const unsigned char *s, size_t n, size_t *i, char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b = s[*i];
	const char *e = short_escape(b);
	size_t len;

	if (e != NULL) {
		(*i)++;
		memcpy(out, e, 2);
		return 2;
	}
	len = b >= 0x20 && b != 0x7f ? cw_json_utf8_len(s + *i, n - *i) : 0;
	if (len > 0) {
		memcpy(out, s + *i, len);
		*i += len;
		return len;
	}
	(*i)++;
	memcpy(out, "\\u00", 4);
	out[4] = hex[b >> 4];
	out[5] = hex[b & 15];
	return 6;
}

void cw_json_str(struct cw_json *j, const char *s, size_t n, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t room = j->cap - j->len, i = 0;

	if (s == NULL) {
		cw_json_raw(j, "null", 4);
		return;
	}
	if (max < room)
		room = max;
	if (room < 2) {
		j->overflow = 1;
		return;
	}
	room -= 2; /* the quotes */
	j->buf[j->len++] = '"';
	while (i < n) {
		char piece[6];
		size_t len = one_piece(u, n, &i, piece);

		if (len > room)
			break; /* cut here: what was written is whole */
		memcpy(j->buf + j->len, piece, len);
		j->len += len;
		room -= len;
	}
	j->buf[j->len++] = '"';
}
