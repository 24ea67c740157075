/* range.c - the Range header and multipart/byteranges framing (see
 * range.h).
 *
 * A Range header that cannot be read is ignored, as RFC 9110 14.2 allows,
 * and the whole file is sent: a client that asked for something odd still
 * gets the resource. Ranges are sorted and merged when they overlap or
 * touch, so a request can never make the server send a byte twice (the
 * "many overlapping ranges" amplification of CVE-2011-3192), and a list
 * longer than a few dozen entries is ignored before any sorting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "files/range.h"

/* Raw entries read before merging; more than this and the header is
 * ignored. */
#define RAW_MAX 64

/* Digits at *p into *v (no sign, no overflow). 1 if any were read. */
static int read_number(const char **p, long long *v)
{
	const char *s = *p;
	long long n = 0;

	if (*s < '0' || *s > '9')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (n > (__LONG_LONG_MAX__ - 9) / 10)
			return 0;
		n = n * 10 + (*s - '0');
	}
	*p = s;
	*v = n;
	return 1;
}

static const char *skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* One range-spec at *p. 1: r is a range that overlaps the representation;
 * 0: valid but outside it; -1: malformed. */
static int read_spec(const char **p, long long size, struct cw_range *r)
{
	long long a, b;

	if (**p == '-') {
		(*p)++;
		if (!read_number(p, &b))
			return -1;
		if (b == 0 || size == 0)
			return 0;
		r->first = b >= size ? 0 : size - b;
		r->last = size - 1;
		return 1;
	}
	if (!read_number(p, &a) || **p != '-')
		return -1;
	(*p)++;
	if (!read_number(p, &b))
		b = -1; /* open: to the end */
	else if (b < a)
		return -1;
	if (a >= size)
		return 0;
	r->first = a;
	r->last = b < 0 || b >= size ? size - 1 : b;
	return 1;
}

static int by_first(const void *x, const void *y)
{
	const struct cw_range *a = x, *b = y;

	return (a->first > b->first) - (a->first < b->first);
}

/* Sort and merge raw[0..n) into out; the number of ranges, or 0 when
 * more than CW_RANGE_MAX remain. */
static int merge(struct cw_range *raw, int n, struct cw_range *out)
{
	int m = 0;

	qsort(raw, (size_t)n, sizeof *raw, by_first);
	for (int i = 0; i < n; i++) {
		if (m > 0 && raw[i].first <= out[m - 1].last + 1) {
			if (raw[i].last > out[m - 1].last)
				out[m - 1].last = raw[i].last;
			continue;
		}
		if (m == CW_RANGE_MAX)
			return 0;
		out[m++] = raw[i];
	}
	return m;
}

int cw_range_parse(const char *hdr, long long size, struct cw_range *out)
{
	struct cw_range raw[RAW_MAX];
	const char *p;
	int n = 0, specs = 0;

	if (hdr == NULL)
		return 0;
	p = skip_ows(hdr);
	if (strncasecmp(p, "bytes", 5) != 0)
		return 0;
	p = skip_ows(p + 5);
	if (*p++ != '=')
		return 0;
	for (;;) {
		int r;

		p = skip_ows(p);
		if (*p == ',') { /* empty list elements are allowed */
			p++;
			continue;
		}
		if (*p == '\0')
			break;
		if (specs++ == RAW_MAX)
			return 0;
		r = read_spec(&p, size, &raw[n]);
		if (r < 0)
			return 0;
		n += r;
		p = skip_ows(p);
		if (*p != ',' && *p != '\0')
			return 0;
	}
	if (specs == 0)
		return 0;
	if (n == 0)
		return -1;
	return merge(raw, n, out);
}

size_t cw_range_multipart(const struct cw_range *r, int n, long long size,
                          const char *mime, const char *boundary, char *text,
                          size_t cap, size_t *part)
{
	size_t len = 0;
	int w;

	for (int i = 0; i < n; i++) {
		part[i] = len;
		w = snprintf(text + len, cap - len,
		             "\r\n--%s\r\nContent-Type: %s\r\n"
		             "Content-Range: bytes %lld-%lld/%lld\r\n\r\n",
		             boundary, mime, r[i].first, r[i].last, size);
		if (w < 0 || (size_t)w >= cap - len)
			return 0;
		len += (size_t)w;
	}
	part[n] = len;
	w = snprintf(text + len, cap - len, "\r\n--%s--\r\n", boundary);
	if (w < 0 || (size_t)w >= cap - len)
		return 0;
	return len + (size_t)w;
}

long long cw_range_multipart_length(const struct cw_range *r, int n,
                                    size_t text_len)
{
	long long total = (long long)text_len;

	for (int i = 0; i < n; i++)
		total += r[i].last - r[i].first + 1;
	return total;
}
