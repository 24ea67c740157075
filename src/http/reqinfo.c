/* reqinfo.c - what the API tells about a server connection's request:
 * mg_get_request_info, mg_get_header, mg_get_request_link, and the
 * connection's user data and keep-alive as the request sees them. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
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
	if (conn->x != NULL)
		return &conn->x->ri;
	/* a connection that outlived its request keeps a copy (WebSocket) */
	return conn->ri != NULL ? conn->ri : idle_info(conn);
}

const char *mg_get_header(const struct mg_connection *conn, const char *name)
{
	if (conn == NULL || name == NULL)
		return NULL;
	if (conn->x == NULL)
		return conn->ri == NULL || conn->is_client
		           ? NULL
		           : cw_http_header(conn->ri->http_headers,
		                            conn->ri->num_headers, name);
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
	else if (c->ri != NULL && !c->is_client)
		((struct mg_request_info *)c->ri)->conn_data = data;
}

void mg_disable_connection_keep_alive(struct mg_connection *conn)
{
	if (conn != NULL && conn->x != NULL)
		conn->x->s.must_close = 1;
}

/* The server's own name for the request, as CivetWeb builds it: the
 * authentication_domain while enable_auth_domain_check is on, else the
 * local address; never the client's Host header, which the client chooses. */
static void local_host(const struct mg_connection *conn, char *out, size_t len,
                       int use_domain)
{
	const struct cw_options *o = &conn->ctx->opt;
	union cw_sockaddr a;
	char addr[64] = "";

	if (use_domain &&
	    strcasecmp(cw_options_get(o, CW_OPT_ENABLE_AUTH_DOMAIN_CHECK),
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

/* scheme://host[:port] of a link to this server on port (the port left
 * out when it is the scheme's own). */
static void origin(const struct mg_connection *conn, int ssl, int port,
                   char *out, size_t len)
{
	char host[300], portbuf[16] = "";

	local_host(conn, host, sizeof host, 1);
	if (!((ssl && port == 443) || (!ssl && port == 80)))
		snprintf(portbuf, sizeof portbuf, ":%d", port);
	snprintf(out, len, "%s://%s%s", ssl ? "https" : "http", host, portbuf);
}

/* The name the client used (the Host header without its port), if it is
 * a plain host name or address literal: 1, else 0. */
static int client_host(const struct mg_connection *conn, char *out, size_t len)
{
	const char *h = conn->x->req.host;
	size_t n;

	if (h == NULL || *h == '\0')
		return 0;
	n = h[0] == '[' ? strcspn(h, "]") + 1 : strcspn(h, ":");
	if (n >= len || n == 0 ||
	    strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	              "0123456789.-[]:") < n)
		return 0;
	memcpy(out, h, n);
	out[n] = '\0';
	return 1;
}

int cw_reqinfo_tls_link(const struct mg_connection *conn, char *buf,
                        size_t buflen)
{
	const struct mg_context *ctx = conn->ctx;
	const struct mg_request_info *ri = &conn->x->ri;
	char base[340], host[300];
	int n;

	for (int i = 0; i < ctx->num_listeners; i++) {
		int port = ctx->listeners[i].port;
		char portbuf[16] = "";

		if (!ctx->listeners[i].is_ssl)
			continue;
		/* the name the client asked for, else the address it
		 * reached; never authentication_domain (see docs/api.md) */
		if (!client_host(conn, host, sizeof host))
			local_host(conn, host, sizeof host, 0);
		if (port != 443)
			snprintf(portbuf, sizeof portbuf, ":%d", port);
		snprintf(base, sizeof base, "https://%s%s", host, portbuf);
		n = snprintf(buf, buflen, "%s%s%s%s", base,
		             ri->local_uri_raw ? ri->local_uri_raw : "/",
		             ri->query_string ? "?" : "",
		             ri->query_string ? ri->query_string : "");
		return n > 0 && (size_t)n < buflen ? 0 : -1;
	}
	return -1;
}

int mg_get_request_link(const struct mg_connection *conn, char *buf,
                        size_t buflen)
{
	char base[340];
	int n;

	if (conn == NULL || buf == NULL || buflen < 1 || conn->is_client ||
	    conn->x == NULL)
		return -1;
	origin(conn, conn->x->ri.is_ssl, conn->x->ri.server_port, base,
	       sizeof base);
	n = snprintf(buf, buflen, "%s%s", base,
	             conn->x->ri.local_uri ? conn->x->ri.local_uri : "/");
	return n > 0 && (size_t)n < buflen ? 0 : -1;
}

/* ---- a request info that outlives its request --------------------------- */

/* Room for a string and its NUL (0 for NULL). */
static size_t room(const char *s)
{
	return s == NULL ? 0 : strlen(s) + 1;
}

/* Copy s to *at, moving *at on; NULL stays NULL. */
static const char *put(char **at, const char *s)
{
	char *d = *at;
	size_t n = room(s);

	if (s == NULL)
		return NULL;
	memcpy(d, s, n);
	*at += n;
	return d;
}

static size_t info_room(const struct mg_request_info *ri)
{
	const struct mg_client_cert *cc = ri->client_cert;
	size_t n = room(ri->request_method) + room(ri->request_uri) +
	           room(ri->local_uri_raw) + room(ri->local_uri) +
	           room(ri->http_version) + room(ri->query_string) +
	           room(ri->remote_user) +
	           room(ri->acceptedWebSocketSubprotocol);

	for (int i = 0; i < ri->num_headers; i++)
		n += room(ri->http_headers[i].name) +
		     room(ri->http_headers[i].value);
	if (cc != NULL)
		n += sizeof *cc + room(cc->subject) + room(cc->issuer) +
		     room(cc->serial) + room(cc->finger);
	return n;
}

static void put_cert(struct mg_request_info *d, char **at,
                     const struct mg_client_cert *cc)
{
	struct mg_client_cert *to = (struct mg_client_cert *)(void *)*at;

	*at += sizeof *to;
	to->peer_cert = NULL; /* the X509 belongs to the request */
	to->subject = put(at, cc->subject);
	to->issuer = put(at, cc->issuer);
	to->serial = put(at, cc->serial);
	to->finger = put(at, cc->finger);
	d->client_cert = to;
}

struct mg_request_info *cw_reqinfo_copy(const struct mg_request_info *ri)
{
	struct mg_request_info *d = malloc(sizeof *d + info_room(ri));
	char *at;

	if (d == NULL)
		return NULL;
	*d = *ri;
	at = (char *)(d + 1);
	/* the certificate first: it holds pointers, and d + 1 is aligned */
	d->client_cert = NULL;
	if (ri->client_cert != NULL)
		put_cert(d, &at, ri->client_cert);
	d->request_method = put(&at, ri->request_method);
	d->request_uri = put(&at, ri->request_uri);
	d->local_uri_raw = put(&at, ri->local_uri_raw);
	d->local_uri = put(&at, ri->local_uri);
	d->http_version = put(&at, ri->http_version);
	d->query_string = put(&at, ri->query_string);
	d->remote_user = put(&at, ri->remote_user);
	d->acceptedWebSocketSubprotocol =
	    put(&at, ri->acceptedWebSocketSubprotocol);
	for (int i = 0; i < ri->num_headers; i++) {
		d->http_headers[i].name = put(&at, ri->http_headers[i].name);
		d->http_headers[i].value = put(&at, ri->http_headers[i].value);
	}
	return d;
}
