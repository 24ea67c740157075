/* body.h - reading message bodies (mg_read and friends): Content-Length,
 * chunked, or until the peer closes (client side), with 100-continue. */
#ifndef CW_BODY_H
#define CW_BODY_H

#include "core/server.h"

/* Largest request body accepted when no max_body_size option is given. */
#define CW_DEFAULT_MAX_BODY (1024LL * 1024 * 1024)

/* The request body limit in effect (max_body_size). */
long long cw_body_limit(const struct mg_context *ctx);

/* Set up body reading for a head just parsed, whose body starts at
 * rbuf[head_len]. length < 0: none; chunked: chunked; until_close: read to
 * EOF (responses without framing). */
void cw_body_begin(struct mg_connection *c, size_t head_len, long long length,
                   int chunked, int until_close);

/* Read and throw away what is left of the body, up to limit bytes.
 * 0 if the body is now fully consumed, -1 otherwise. */
int cw_body_discard(struct mg_connection *c, long long limit);

#endif
