/* buf.c - growable byte buffers for response heads and small bodies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

int cw_buf_reserve(struct cw_buf *b, size_t n, size_t max)
{
	size_t want = b->len + n + 1, cap;
	char *p;

	if (want <= b->cap)
		return 0;
	if (want > max + 1)
		return -1;
	cap = b->cap ? b->cap : 1024;
	while (cap < want)
		cap *= 2;
	if (cap > max + 1)
		cap = max + 1;
	p = realloc(b->data, cap);
	if (p == NULL)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

int cw_buf_add(struct cw_buf *b, const void *data, size_t n, size_t max)
{
	if (cw_buf_reserve(b, n, max) != 0)
		return -1;
	memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int cw_buf_vprintf(struct cw_buf *b, size_t max, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	if (cw_buf_reserve(b, 256, max) != 0) {
		va_end(ap2);
		return -1;
	}
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	if (n < 0) {
		va_end(ap2);
		return -1;
	}
	if ((size_t)n >= b->cap - b->len) {
		if (cw_buf_reserve(b, (size_t)n, max) != 0) {
			va_end(ap2);
			return -1;
		}
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2);
	}
	va_end(ap2);
	b->len += (size_t)n;
	return 0;
}

int cw_buf_printf(struct cw_buf *b, size_t max, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = cw_buf_vprintf(b, max, fmt, ap);
	va_end(ap);
	return r;
}

void cw_buf_free(struct cw_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
