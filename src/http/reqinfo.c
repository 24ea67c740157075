/* reqinfo.c - what the API tells about a server connection's request:
 * mg_get_request_info, mg_get_header, mg_get_request_link, and the
 * connection's user data and keep-alive as the request sees them. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/reqinfo.h"
#include "net/listen.h"

void cw_reqinfo_fill_peer(const struct mg_connection *c,
                          struct mg_request_info *ri)
{
	const struct cw_listener *l = c->listener;

	cw_conn_peer_text(c, ri->remote_addr, sizeof ri->remote_addr,
	                  &ri->remote_port);
	ri->server_port = l != NULL ? l->port : 0;
	ri->is_ssl = l != NULL ? l->is_ssl : 0;
	ri->user_data = c->ctx->user_data;
	ri->conn_data = c->conn_data;
}

void cw_reqinfo_fill_cert(const struct mg_connection *c, struct cw_exchange *x)
{
	struct cw_tls_peer_cert *t = &x->cert_text;

	x->ri.client_cert = NULL;
	if (c->listener == NULL || !c->listener->is_ssl ||
	    cw_tls_peer_cert(c, t) != 0)
		return;
	x->cert.peer_cert = t->x509;
	x->cert.subject = t->subject;
	x->cert.issuer = t->issuer;
	x->cert.serial = t->serial;
	x->cert.finger = t->finger;
	x->ri.client_cert = &x->cert;
}

/* The request info of a connection between requests (the connection
 * callbacks, init_connection): only what the connection itself knows,
 * valid until the calling thread asks again. */
static const struct mg_request_info *idle_info(const struct mg_connection *c)
{
	static __thread struct mg_request_info ri;

	memset(&ri, 0, sizeof ri);
	ri.content_length = -1;
	if (c->ctx != NULL)
		cw_reqinfo_fill_peer(c, &ri);
	return &ri;
}

const struct mg_request_info *
mg_get_request_info(const struct mg_connection *conn)
{
	/* a client connection has no request: mg_get_response_info() */
	if (conn == NULL || conn->is_client)
		return NULL;
	return conn->x != NULL ? &conn->x->ri : idle_info(conn);
}

const char *mg_get_header(const struct mg_connection *conn, const char *name)
{
	if (conn == NULL || name == NULL || conn->x == NULL)
		return NULL;
	if (conn->is_client)
		return conn->x->resp_info == NULL
		           ? NULL
		           : cw_http_header(conn->x->resp_info->http_headers,
		                            conn->x->resp_info->num_headers,
		                            name);
	return cw_http_header(conn->x->ri.http_headers, conn->x->ri.num_headers,
	                      name);
}

void mg_set_user_connection_data(const struct mg_connection *conn, void *data)
{
	struct mg_connection *c = (struct mg_connection *)conn;

	if (c == NULL)
		return;
	c->conn_data = data;
	if (c->x != NULL)
		c->x->ri.conn_data = data;
}

void mg_disable_connection_keep_alive(struct mg_connection *conn)
{
	if (conn != NULL && conn->x != NULL)
		conn->x->s.must_close = 1;
}

/* The server's own name for the request, as CivetWeb builds it: the
 * authentication_domain while enable_auth_domain_check is on, else the
 * local address; never the client's Host header, which the client chooses. */
static void local_host(const struct mg_connection *conn, char *out, size_t len)
{
	const struct cw_options *o = &conn->ctx->opt;
	union cw_sockaddr a;
	char addr[64] = "";

	if (strcasecmp(cw_options_get(o, CW_OPT_ENABLE_AUTH_DOMAIN_CHECK),
	               "yes") == 0) {
		snprintf(out, len, "%s",
		         cw_options_get(o, CW_OPT_AUTHENTICATION_DOMAIN));
		return;
	}
	if (cw_conn_local_addr(conn, &a) != 0)
		a.sa.sa_family = AF_UNSPEC;
	if (a.sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &a.in6.sin6_addr, addr, sizeof addr);
		snprintf(out, len, "[%s]", addr);
		return;
	}
	if (a.sa.sa_family == AF_INET)
		inet_ntop(AF_INET, &a.in.sin_addr, addr, sizeof addr);
	snprintf(out, len, "%s", addr[0] ? addr : "localhost");
}

int mg_get_request_link(const struct mg_connection *conn, char *buf,
                        size_t buflen)
{
	int ssl, port, n;
	char host[300], portbuf[16] = "";

	if (conn == NULL || buf == NULL || buflen < 1 || conn->is_client ||
	    conn->x == NULL)
		return -1;
	ssl = conn->x->ri.is_ssl;
	port = conn->x->ri.server_port;
	local_host(conn, host, sizeof host);
	if (!((ssl && port == 443) || (!ssl && port == 80)))
		snprintf(portbuf, sizeof portbuf, ":%d", port);
	n = snprintf(buf, buflen, "%s://%s%s%s", ssl ? "https" : "http", host,
	             portbuf,
	             conn->x->ri.local_uri ? conn->x->ri.local_uri : "/");
	return n > 0 && (size_t)n < buflen ? 0 : -1;
}
