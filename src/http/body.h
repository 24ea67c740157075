/* body.h - reading message bodies (mg_read and friends): Content-Length,
 * chunked, or until the peer closes (client side), with 100-continue; and
 * receiving a small request body before its handler runs. */
#ifndef CW_HTTP_BODY_H
#define CW_HTTP_BODY_H

#include "http/exchange.h"

/* Largest request body accepted when no max_body_size option is given. */
#define CW_DEFAULT_MAX_BODY (1024LL * 1024 * 1024)

/* The request body limit in effect (max_body_size). */
long long cw_body_limit(const struct mg_context *ctx);

/* Set up body reading for a head just parsed, whose body starts at
 * rbuf[head_len]. length < 0: none; chunked: chunked; until_close: read to
 * EOF (responses without framing). */
void cw_body_begin(struct mg_connection *c, size_t head_len, long long length,
                   int chunked, int until_close);

/* Should the handler wait for more of the body, which is then received in
 * the event set first? Bodies up to body_buffer_size are, unless the
 * client waits for "100 Continue". Looks only at what the input buffer
 * holds, and makes room for the rest of such a body in it. Returns
 *   < 0  yes: more of the body must arrive first;
 *     0  no: the handler can run (the body is here, or is not
 *        received in advance);
 *   > 0  the body is refused with this status (400: malformed chunked
 *        framing, 413: a chunk beyond max_body_size, 500: no memory). */
int cw_body_preread(struct mg_connection *c);

/* Read and throw away what is left of the body, up to limit bytes.
 * 0 if the body is now fully consumed, -1 otherwise. */
int cw_body_discard(struct mg_connection *c, long long limit);

#endif
