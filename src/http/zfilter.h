/* zfilter.h - compressing what a handler writes (compression_dynamic, or
 * civetd_compress_response() for one request): a response whose head the
 * handler wrote (or mg_send_http_ok made) gets Content-Encoding zstd or
 * gzip, as the client accepts, and goes out chunked; mg_write/mg_printf
 * bytes are compressed as they come, each mg_send_chunk is flushed so
 * that the client can decode what it got so far. */
#ifndef CW_HTTP_ZFILTER_H
#define CW_HTTP_ZFILTER_H

#include <stddef.h>

#include "http/exchange.h"

/* What the head says that the choice depends on. */
struct cw_zhead {
	int status;
	int no_body;
	int chunked;       /* the handler will frame with mg_send_chunk */
	long long length;  /* Content-Length, or -1 */
	const char *ctype; /* Content-Type value (not NUL-terminated) */
	size_t ctype_len;
	int encoded; /* has Content-Encoding already */
};

/* Compress the response whose head is c->x->out.data[0..*hlen), served
 * with options o (its domain's)? If so,
 * the head is rewritten in place (Content-Length dropped; chunked framing,
 * Content-Encoding and Vary added; *hlen updated) and the filter is set up
 * on c's response. 1: compressing; 0: not (nothing changed); -1: out of
 * memory (nothing sent yet; the caller fails the response). */
int cw_zfilter_begin(struct mg_connection *c, const struct cw_options *o,
                     size_t *hlen, const struct cw_zhead *h);

/* Body bytes through the filter: *chunks[0..*n) is what to send now (the
 * filter's memory, valid until the next call; possibly nothing). flush:
 * everything so far decodable now (an mg_send_chunk); finish: the end of
 * the body (the last chunk follows). 0 or -1. */
int cw_zfilter_put(struct mg_connection *c, const void *data, size_t len,
                   int flush, int finish, const char **chunks, size_t *n);

/* Is the response's body finished through the filter? */
int cw_zfilter_done(const struct cw_resp *r);

/* Free the filter of a response (NULL-safe; at the response's end). */
void cw_zfilter_free(struct cw_resp *r);

#endif
