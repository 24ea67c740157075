/* proxy.c - the PROXY protocol on a `p` port (see proxy.h): the first
 * protocol of its connections. The header is peeked at on the socket,
 * under the transport, and taken only once it is whole, so nothing that
 * follows it is read: whoever comes next (HTTP/1 through the plain
 * transport, or the TLS handshake) finds the socket as the client's own
 * first byte left it. While the header is incomplete the connection is
 * parked like any other, holding no thread; its deadline is the one it
 * was accepted with (request_timeout_ms). Parsing is util/proxy_parse.c. */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "net/conn.h"
#include "net/listen.h"
#include "net/pool.h"
#include "net/proxy.h"
#include "util/clock.h"
#include "util/proxy_parse.h"

/* The longest header taken: a version 2 header with more TLVs than this
 * is refused (HAProxy's own bound is its buffer, 16 KiB by default). */
#define PROXY_MAX 16384
/* What one peek on the stack holds: any v1 header, v2 with small TLVs. */
#define PROXY_PEEK 536

/* What to do with the connection next. */
#define HDR_GONE (-2) /* closed before a header came, or failed */
#define HDR_BAD  (-1) /* bytes that are no header */
#define HDR_WAIT 0
#define HDR_DONE 1

/* Peek at up to cap bytes into buf and parse them. */
static int peek_parse(struct mg_connection *c, unsigned char *buf, size_t cap,
                      struct cw_proxy_hdr *h)
{
	ssize_t n = cw_conn_peek_raw(c, buf, cap);

	if (n == CW_IO_WANT_READ)
		return HDR_WAIT;
	if (n <= 0)
		return HDR_GONE;
	switch (cw_proxy_parse(buf, (size_t)n, h)) {
	case CW_PROXY_DONE:
		return HDR_DONE;
	case CW_PROXY_NEED_MORE:
		return HDR_WAIT;
	default:
		return HDR_BAD;
	}
}

/* Look for a whole header on the socket; take it when it is there. */
static int read_header(struct mg_connection *c, struct cw_proxy_hdr *h)
{
	unsigned char small[PROXY_PEEK];
	int r = peek_parse(c, small, sizeof small, h);

	if (r == HDR_WAIT && h->len > sizeof small) {
		unsigned char *big;

		if (h->len > PROXY_MAX || (big = malloc(h->len)) == NULL)
			return HDR_BAD;
		r = peek_parse(c, big, h->len, h);
		free(big);
	}
	if (r == HDR_DONE && cw_conn_skip_raw(c, h->len) != 0)
		return HDR_GONE;
	return r;
}

/* Bytes that are no PROXY header are worth a line: a balancer that does
 * not send one (or a client that goes round it) is what an operator
 * looks for. A client that closes first (a balancer's TCP health check)
 * or a stall (the timer's, which must not call log_message) is not. */
static void log_refusal(struct mg_connection *c)
{
	char text[64];
	int port = 0;

	cw_conn_peer_text(c, text, sizeof text, &port);
	cw_log_error(c->ctx, NULL, "%s:%d sent no valid PROXY header: closed",
	             text, port);
}

/* The client the header names is the connection's peer from now on. */
static void adopt_client(struct mg_connection *c, const struct cw_proxy_hdr *h)
{
	if (h->keep_peer)
		return;
	memset(&c->peer, 0, sizeof c->peer);
	if (h->src.sa.sa_family == AF_INET)
		c->peer.in = h->src.in;
	else
		c->peer.in6 = h->src.in6;
}

static void proxy_run(struct mg_connection *c, struct cw_thread *t)
{
	const struct cw_listener *l = c->listener;
	int64_t deadline = atomic_load(&c->deadline);
	struct cw_proxy_hdr h;
	int r;

	if (deadline == 0)
		deadline = cw_now_ms() + c->ctx->opt.request_timeout_ms;
	while ((r = read_header(c, &h)) == HDR_WAIT) {
		int parked = cw_conn_park(c, CW_WANT_READ, deadline);

		if (parked == 0)
			return;
		if (parked < 0) {
			r = HDR_GONE;
			break;
		}
	}
	if (r != HDR_DONE) {
		if (r == HDR_BAD)
			log_refusal(c);
		cw_conn_close(c);
		return;
	}
	adopt_client(c, &h);
	if (!cw_pool_admits(c->ctx, &c->peer.sa)) {
		cw_conn_close(c);
		return;
	}
	cw_conn_switch(c, l != NULL && l->after_proxy != NULL
	                      ? l->after_proxy
	                      : c->ctx->first_proto);
	c->proto->run(c, t);
}

const struct cw_protocol cw_proxy_protocol = {
    .name = "proxy",
    .run = proxy_run,
    .expire = cw_conn_close,
    .drain = cw_conn_close,
    .release = NULL,
};

void cw_proxy_ports_init(struct mg_context *ctx)
{
	for (int i = 0; i < ctx->num_listeners; i++) {
		struct cw_listener *l = &ctx->listeners[i];

		if (!l->is_proxy)
			continue;
		l->after_proxy = l->proto;
		l->proto = &cw_proxy_protocol;
	}
}
