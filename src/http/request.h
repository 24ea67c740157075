/* request.h - one server request, from its parsed head to its end: fill
 * mg_request_info, dispatch to begin_request, the authorization handler,
 * the request handler or the context's fallbacks (the document root), and
 * finish with end_request, the access log and the statistics. The
 * connection loop around it is http1.c. */
#ifndef CW_HTTP_REQUEST_H
#define CW_HTTP_REQUEST_H

#include "http/exchange.h"

/* Start the request whose head, rbuf[0..head_len), was parsed into
 * c->x->req: the exchange starts afresh, mg_request_info is filled and the
 * body's framing set. 0, or the status to refuse it with (400, 413,
 * 500). */
int cw_request_begin(struct mg_connection *c, size_t head_len);

/* Run the request begun. Returns 1 when the response is not complete yet
 * (a file the connection writes out by itself, see cw_resp_defer_file),
 * else 0. */
int cw_request_run(struct mg_connection *c);

/* The request's handling is over: the response is finished, end_request
 * and the access log see the status sent, the statistics count it, and
 * whatever the handler left unread of the body is skipped (up to a limit;
 * beyond it the connection will close). */
void cw_request_end(struct mg_connection *c);

/* Answer a request begun with status instead of running it (its path or
 * its body is refused, its body did not arrive in time); it then ends as
 * any request does (cw_request_end), and the connection will close. */
void cw_request_fail(struct mg_connection *c, int status);

/* Answer a request that cannot be handled (a malformed head, a head that
 * timed out):
 * status with the error path, logged, then the connection closes
 * gracefully. c has an exchange; c is gone afterwards. */
void cw_request_refuse(struct mg_connection *c, int status);

#endif
