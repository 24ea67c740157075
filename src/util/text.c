/* text.c - appending text into a fixed buffer (see text.h). */
#include <string.h>

#include "util/text.h"

void cw_text_put_n(struct cw_text *t, const char *s, size_t n)
{
	if (t->len + n < t->cap)
		memcpy(t->p + t->len, s, n);
	t->len += n;
}

void cw_text_put(struct cw_text *t, const char *s)
{
	cw_text_put_n(t, s, strlen(s));
}

size_t cw_text_end(struct cw_text *t)
{
	if (t->len < t->cap)
		t->p[t->len] = '\0';
	return t->len;
}

void cw_text_put_uri(struct cw_text *t, const char *s, int in_query,
                     int keep_pct)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;
		char esc[3];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') ||
		    strchr("-._~!$&'()*+,;=:@/", ch) != NULL ||
		    (ch == '?' && in_query) || (ch == '%' && keep_pct)) {
			cw_text_put_n(t, s, 1);
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[ch >> 4];
		esc[2] = hex[ch & 15];
		cw_text_put_n(t, esc, 3);
	}
}

static size_t fmt_base(char *out, unsigned long long v, unsigned base)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[24];
	size_t n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v != 0);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

size_t cw_fmt_dec(char *out, unsigned long long v)
{
	return fmt_base(out, v, 10);
}

size_t cw_fmt_hex(char *out, unsigned long long v)
{
	return fmt_base(out, v, 16);
}

const char *cw_list_next(const char **list, size_t *len)
{
	for (;;) {
		const char *s = *list + strspn(*list, " \t");
		size_t n = strcspn(s, ",");

		if (*s == '\0')
			return NULL;
		*list = s + n + (s[n] == ',');
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n > 0) {
			*len = n;
			return s;
		}
	}
}
