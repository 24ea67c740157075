/* buf.h - a growable byte buffer. */
#ifndef CW_BUF_H
#define CW_BUF_H

#include <stdarg.h>
#include <stddef.h>

/* Growable byte buffer: data[0..len) of cap bytes (plus a NUL). */
struct cw_buf {
	char *data;
	size_t len;
	size_t cap;
};

/* Make room for n more bytes (plus a NUL). -1 if that would pass max. */
int cw_buf_reserve(struct cw_buf *b, size_t n, size_t max);
int cw_buf_add(struct cw_buf *b, const void *data, size_t n, size_t max);
int cw_buf_printf(struct cw_buf *b, size_t max, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int cw_buf_vprintf(struct cw_buf *b, size_t max, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
void cw_buf_free(struct cw_buf *b);

#endif
