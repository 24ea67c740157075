/* zfilter.c - compressing handler output (see zfilter.h).
 *
 * Only what a handler writes is filtered: the library's own responses
 * (files, error pages, redirects) never are, files having their own
 * cached copies (files/encoding.c). A response is compressed when the
 * option or the request asks for it, its status is 200..299 but not 204
 * or 206, it has a body, no Content-Encoding of its own, a type in
 * compression_mime_types, a length unknown or at least
 * compression_min_size, and the client accepts zstd or gzip. A head the
 * handler wrote with its own "Transfer-Encoding: chunked" is left alone
 * (its bytes are its own framing), unless mg_send_http_ok made it (then
 * mg_send_chunk brings the body).
 *
 * The encoder is made per response with a 128 KiB window, so a stream of
 * unknown length costs well under a megabyte however high the level; the
 * level is at most 3 (the handler waits for each write). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/zfilter.h"
#include "util/coding.h"
#include "util/mime.h"
#include "util/zcodec.h"

#define WINDOW_LOG  17
#define MAX_LEVEL   3
#define CHUNK_LIMIT (64 << 20) /* output of one call, by far enough */

struct cw_zfilter {
	struct cw_zenc *enc;
	struct cw_buf z;      /* compressed bytes before framing */
	struct cw_buf framed; /* the chunks of the last cw_zfilter_put */
	int done;
};

/* The coding for this response, or 0 for none. */
static int choose(const struct mg_connection *c, const struct cw_options *o,
                  const struct cw_zhead *h)
{
	const struct cw_resp *r = &c->x->s.resp;
	const char *ae = mg_get_header(c, "Accept-Encoding");
	size_t mlen = h->ctype_len;
	int k;

	if (!r->may_compress || ae == NULL ||
	    !(r->compress_wanted ||
	      cw_options_flag(o, CW_OPT_COMPRESSION_DYNAMIC)))
		return 0;
	if (h->status < 200 || h->status > 299 || h->status == 204 ||
	    h->status == 206 || h->no_body || h->encoded || h->ctype == NULL ||
	    (h->chunked && !r->api_chunked))
		return 0;
	if (h->length >= 0 &&
	    h->length < atoll(cw_options_get(o, CW_OPT_COMPRESSION_MIN_SIZE)))
		return 0;
	for (size_t i = 0; i < h->ctype_len; i++)
		if (h->ctype[i] == ';' || h->ctype[i] == ' ' ||
		    h->ctype[i] == '\t' || h->ctype[i] == '\r') {
			mlen = i;
			break;
		}
	if (!cw_mime_in_list(cw_options_get(o, CW_OPT_COMPRESSION_MIME_TYPES),
	                     h->ctype, mlen))
		return 0;
	k = cw_coding_choose(ae,
	                     (1u << CW_CODING_ZSTD) | (1u << CW_CODING_GZIP));
	return k > 0 ? k : 0;
}

/* Remove the line starting "name:" (case-insensitive) from the head
 * out[0..*hlen). */
static void drop_line(struct cw_buf *b, size_t *hlen, const char *name)
{
	size_t nl = strlen(name);
	char *p = b->data, *end = b->data + *hlen;

	while (p < end) {
		char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t len = eol ? (size_t)(eol + 1 - p) : (size_t)(end - p);

		if ((size_t)(end - p) > nl && strncasecmp(p, name, nl) == 0 &&
		    p[nl] == ':') {
			memmove(p, p + len,
			        b->len - (size_t)(p + len - b->data));
			b->len -= len;
			*hlen -= len;
			return;
		}
		p += len;
	}
}

/* Insert text before the blank line that ends the head. */
static int add_lines(struct cw_buf *b, size_t *hlen, const char *text)
{
	size_t n = strlen(text), at = *hlen - 2; /* before the final CRLF */

	if (cw_buf_reserve(b, n, b->len + n + 1) != 0)
		return -1;
	memmove(b->data + at + n, b->data + at, b->len - at);
	memcpy(b->data + at, text, n);
	b->len += n;
	*hlen += n;
	return 0;
}

int cw_zfilter_begin(struct mg_connection *c, const struct cw_options *o,
                     size_t *hlen, const struct cw_zhead *h)
{
	struct cw_resp *r = &c->x->s.resp;
	struct cw_buf *b = &c->x->out;
	int k = choose(c, o, h), level;
	char lines[160];
	struct cw_zfilter *zf;

	if (k == 0)
		return 0;
	zf = calloc(1, sizeof *zf);
	level = atoi(cw_options_get(o, CW_OPT_COMPRESSION_LEVEL));
	if (zf == NULL ||
	    (zf->enc = cw_zenc_new(k, level < MAX_LEVEL ? level : MAX_LEVEL)) ==
	        NULL ||
	    cw_zenc_set_window(zf->enc, WINDOW_LOG) != 0) {
		if (zf != NULL)
			cw_zenc_free(zf->enc);
		free(zf);
		return -1;
	}
	drop_line(b, hlen, "Content-Length");
	snprintf(lines, sizeof lines,
	         "%sContent-Encoding: %s\r\nVary: Accept-Encoding\r\n",
	         h->chunked ? "" : "Transfer-Encoding: chunked\r\n",
	         cw_coding_name(k));
	if (add_lines(b, hlen, lines) != 0) {
		cw_zenc_free(zf->enc);
		free(zf);
		return -1;
	}
	r->zf = zf;
	return 1;
}

int cw_zfilter_put(struct mg_connection *c, const void *data, size_t len,
                   int flush, int finish, const char **chunks, size_t *n_out)
{
	struct cw_zfilter *zf = c->x->s.resp.zf;
	struct cw_buf *out;
	char size[24];
	int n;

	if (zf == NULL || zf->done)
		return -1;
	out = &zf->framed;
	out->len = 0;
	*chunks = "";
	*n_out = 0;
	zf->z.len = 0;
	if (cw_zenc_run(zf->enc, data, len, flush, finish, &zf->z,
	                CHUNK_LIMIT) != 0)
		return -1;
	if (zf->z.len > 0) {
		n = snprintf(size, sizeof size, "%zx\r\n", zf->z.len);
		if (cw_buf_add(out, size, (size_t)n, CHUNK_LIMIT + 64) != 0 ||
		    cw_buf_add(out, zf->z.data, zf->z.len, CHUNK_LIMIT + 64) !=
		        0 ||
		    cw_buf_add(out, "\r\n", 2, CHUNK_LIMIT + 64) != 0)
			return -1;
	}
	if (finish) {
		zf->done = 1;
		if (cw_buf_add(out, "0\r\n\r\n", 5, CHUNK_LIMIT + 64) != 0)
			return -1;
	}
	*chunks = out->data != NULL ? out->data : "";
	*n_out = out->len;
	return 0;
}

int cw_zfilter_done(const struct cw_resp *r)
{
	return r->zf == NULL || r->zf->done;
}

void cw_zfilter_free(struct cw_resp *r)
{
	if (r->zf == NULL)
		return;
	cw_zenc_free(r->zf->enc);
	cw_buf_free(&r->zf->z);
	cw_buf_free(&r->zf->framed);
	free(r->zf);
	r->zf = NULL;
}
