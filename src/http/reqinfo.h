/* reqinfo.h - what the API tells about a request (http/reqinfo.c:
 * mg_get_request_info, mg_get_header, mg_get_request_link, ...), and the
 * part of mg_request_info the connection itself knows. */
#ifndef CW_HTTP_REQINFO_H
#define CW_HTTP_REQINFO_H

#include "http/exchange.h"

/* The connection's fields of mg_request_info: remote address and port,
 * server port, is_ssl, user_data, conn_data. */
void cw_reqinfo_fill_peer(const struct mg_connection *c,
                          struct mg_request_info *ri);

/* ri.client_cert: the TLS client's certificate, or NULL without one. */
void cw_reqinfo_fill_cert(const struct mg_connection *c, struct cw_exchange *x);

/* The https:// link to this request on the first TLS port (with the
 * query string), for a redirect port: 0, or -1 (no TLS port, or buflen
 * too small). */
int cw_reqinfo_tls_link(const struct mg_connection *conn, char *buf,
                        size_t buflen);

/* A copy of ri in one allocation (strings, headers and the certificate's
 * text with it; its X509 pointer is not kept), for a connection that
 * outlives its request: a WebSocket. NULL when out of memory; free()
 * it. */
struct mg_request_info *cw_reqinfo_copy(const struct mg_request_info *ri);

#endif
