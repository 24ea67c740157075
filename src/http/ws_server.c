/* ws_server.c - a server connection as a WebSocket: the upgrade from an
 * HTTP request, and the protocols the connection runs afterwards
 * (net/proto.h):
 *
 *   ws          between frames the connection is parked with no thread
 *               and no input buffer; input wakes a pool thread, which
 *               parses what came (util/ws_frame.h: strict RFC 6455),
 *               answers pings and closes, calls the data handler once
 *               per frame, and parks it again. With
 *               enable_websocket_ping_pong, websocket_timeout_ms without
 *               input sends a ping; without, an idle socket waits.
 *   ws closing  a close frame is queued: what is still queued goes out,
 *               then the connection lingers (net/linger.c) so the frame
 *               is not lost to a reset.
 *
 * The handlers are the ones mg_set_websocket_handler() registered for the
 * URI (copied at the upgrade, so removing a handler never waits for a
 * socket), or, with no such handler, the deprecated websocket_connect /
 * websocket_ready / websocket_data callbacks of mg_callbacks. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/handlers.h"
#include "core/log.h"
#include "http/reqinfo.h"
#include "http/response.h"
#include "http/websocket.h"
#include "http/ws_conn.h"
#include "http/ws_send.h"
#include "net/conn.h"
#include "net/linger.h"
#include "util/clock.h"
#include "util/ws_handshake.h"

/* How long queued frames and the close may take to go out at the end. */
#define CLOSING_MS 2000

/* Keep-alive pings without any input before the socket is closed. */
#define MAX_UNANSWERED 6

/* zlib level for permessage-deflate (zlib's default trade-off). */
#define DEFLATE_LEVEL 6

static const struct cw_protocol ws_protocol, ws_closing;

/* ---- the upgrade --------------------------------------------------------- */

/* What handles a WebSocket request: a registered handler or the
 * deprecated callbacks. */
struct ws_handlers {
	mg_websocket_connect_handler connect;
	mg_websocket_ready_handler ready;
	mg_websocket_data_handler data;
	mg_websocket_close_handler close;
	const struct mg_websocket_subprotocols *subprotocols;
	void *cbdata;
	int legacy;
};

/* The handlers for the request's URI: 1, or 0 if none applies. The
 * registry entry is released at once (its functions and cbdata stay
 * valid: they are the application's). */
static int find_handlers(struct mg_connection *c, struct ws_handlers *w)
{
	struct mg_context *ctx = c->ctx;
	struct cw_handler *h = cw_handlers_find(
	    ctx->handlers, CW_HANDLER_WEBSOCKET, c->x->ri.local_uri);

	memset(w, 0, sizeof *w);
	if (h != NULL) {
		w->connect = h->ws_connect;
		w->ready = h->ws_ready;
		w->data = h->ws_data;
		w->close = h->ws_close;
		w->subprotocols = h->subprotocols;
		w->cbdata = h->cbdata;
		cw_handlers_release(ctx->handlers, h);
		return 1;
	}
	w->legacy = ctx->cb.websocket_connect != NULL ||
	            ctx->cb.websocket_ready != NULL ||
	            ctx->cb.websocket_data != NULL;
	return w->legacy;
}

static enum cw_ws_handshake check_handshake(const struct mg_connection *c)
{
	const struct mg_request_info *ri = &c->x->ri;
	struct cw_ws_request r = {
	    .method = ri->request_method,
	    .http_version = ri->http_version,
	    .upgrade = mg_get_header(c, "Upgrade"),
	    .connection = mg_get_header(c, "Connection"),
	    .version = mg_get_header(c, "Sec-WebSocket-Version"),
	    .key = mg_get_header(c, "Sec-WebSocket-Key"),
	};

	return cw_ws_handshake_check(&r);
}

/* The connect handler's say: 0 go on, else refuse. */
static int connect_ok(struct mg_connection *c, const struct ws_handlers *w)
{
	if (w->legacy)
		return c->ctx->cb.websocket_connect == NULL ||
		       c->ctx->cb.websocket_connect(c) == 0;
	return w->connect == NULL || w->connect(c, w->cbdata) == 0;
}

static void choose_subprotocol(struct mg_connection *c,
                               const struct ws_handlers *w)
{
	const struct mg_websocket_subprotocols *sp = w->subprotocols;

	if (sp == NULL || sp->nb_subprotocols <= 0 || sp->subprotocols == NULL)
		return;
	c->x->ri.acceptedWebSocketSubprotocol = cw_ws_choose_subprotocol(
	    mg_get_header(c, "Sec-WebSocket-Protocol"), sp->subprotocols,
	    (size_t)sp->nb_subprotocols);
}

static void free_ws(struct cw_ws *ws)
{
	if (ws->deflate != NULL) {
		cw_ws_deflate_free(ws->deflate);
		free(ws->deflate);
	}
	cw_buf_free(&ws->frame);
	free(ws->info);
	free(ws);
}

/* permessage-deflate, when the client offers it in a form we take: the
 * answer's extension line in ext ("" when none). 0, or -1 out of memory. */
static int agree_deflate(struct mg_connection *c, struct cw_ws *ws, char *ext,
                         size_t ext_size)
{
	struct cw_ws_deflate_params params;
	char resp[128];

	ext[0] = '\0';
	if (!cw_ws_deflate_negotiate(
	        mg_get_header(c, "Sec-WebSocket-Extensions"), &params, resp,
	        sizeof resp))
		return 0;
	ws->deflate = calloc(1, sizeof *ws->deflate);
	if (ws->deflate == NULL)
		return -1;
	if (cw_ws_deflate_init(
	        ws->deflate, &params, CW_WS_SERVER, DEFLATE_LEVEL,
	        (uint64_t)c->ctx->opt.websocket_max_message) != 0) {
		free(ws->deflate);
		ws->deflate = NULL;
		return 0;
	}
	snprintf(ext, ext_size, "Sec-WebSocket-Extensions: %s\r\n", resp);
	return 0;
}

static struct cw_ws *new_ws(struct mg_connection *c,
                            const struct ws_handlers *w, char *ext,
                            size_t ext_size)
{
	struct cw_ws *ws = calloc(1, sizeof *ws);

	if (ws == NULL)
		return NULL;
	ws->info = cw_reqinfo_copy(&c->x->ri);
	if (ws->info == NULL || agree_deflate(c, ws, ext, ext_size) != 0) {
		free_ws(ws);
		return NULL;
	}
	ws->ready = w->ready;
	ws->data = w->data;
	ws->close = w->close;
	ws->cbdata = w->cbdata;
	ws->legacy = w->legacy;
	cw_ws_parser_init(&ws->parser, CW_WS_SERVER,
	                  (uint64_t)c->ctx->opt.websocket_max_message,
	                  ws->deflate != NULL);
	cw_utf8_init(&ws->inflated_utf8);
	return ws;
}

/* The 101 (through the response path, so end_request and the access log
 * see it). 0 or -1. */
static int send_101(struct mg_connection *c, const char *ext)
{
	const char *proto = c->x->ri.acceptedWebSocketSubprotocol;
	char accept[CW_WS_ACCEPT_SIZE], head[1024];
	int n;

	if (cw_ws_accept_key(mg_get_header(c, "Sec-WebSocket-Key"), accept) !=
	    0)
		return -1;
	n = snprintf(head, sizeof head,
	             "HTTP/1.1 101 Switching Protocols\r\n"
	             "Upgrade: websocket\r\n"
	             "Connection: Upgrade\r\n"
	             "Sec-WebSocket-Accept: %s\r\n"
	             "%s%s%s%s\r\n",
	             accept, ext,
	             proto != NULL ? "Sec-WebSocket-Protocol: " : "",
	             proto != NULL ? proto : "", proto != NULL ? "\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof head)
		return -1;
	return cw_resp_write(c, head, (size_t)n) == n ? 0 : -1;
}

static void count_open(struct mg_connection *c, int delta)
{
	if (c->ctx->conns_ctr != NULL)
		atomic_fetch_add(&c->ctx->conns_ctr->websockets, delta);
}

/* A bad handshake: 400, with the version we speak when that was the
 * fault (RFC 6455 4.4). */
static void refuse(struct mg_connection *c, enum cw_ws_handshake why)
{
	c->x->s.must_close = 1;
	if (why == CW_WS_HS_BAD_VERSION)
		cw_send_error_with(c, 400, "Sec-WebSocket-Version: 13\r\n",
		                   "%s", "Unsupported WebSocket version");
	else
		cw_send_error(c, 400, "%s", "Invalid WebSocket handshake");
}

int cw_ws_requested(const struct mg_connection *c)
{
	return c->x->req.conn_upgrade &&
	       cw_ws_has_token(mg_get_header(c, "Upgrade"), "websocket");
}

int cw_ws_upgrade(struct mg_connection *c)
{
	enum cw_ws_handshake hs = check_handshake(c);
	struct ws_handlers w;
	struct cw_ws *ws;
	char ext[160];

	if (hs == CW_WS_HS_NONE)
		return 0;
	if (!find_handlers(c, &w)) {
		/* as CivetWeb: an upgrade nobody takes is not served as a
		 * plain request */
		c->x->s.must_close = 1;
		cw_send_error(c, 404, "%s", "Not found");
		return 1;
	}
	if (hs != CW_WS_HS_OK) {
		refuse(c, hs);
		return 1;
	}
	choose_subprotocol(c, &w);
	if (!connect_ok(c, &w)) {
		/* refused: closed without a handshake */
		c->x->s.must_close = 1;
		return 1;
	}
	ws = new_ws(c, &w, ext, sizeof ext);
	if (ws == NULL) {
		cw_send_error(c, 500, "%s", "Out of memory");
		return 1;
	}
	if (send_101(c, ext) != 0) {
		free_ws(ws);
		c->x->s.must_close = 1;
		return 1;
	}
	pthread_mutex_lock(&c->lock);
	c->proto_data = ws;
	pthread_mutex_unlock(&c->lock);
	count_open(c, 1);
	cw_conn_switch(c, &ws_protocol);
	return 1;
}

long long cw_ws_open_count(const struct mg_connection *c)
{
	return c->ctx->conns_ctr != NULL
	           ? (long long)atomic_load(&c->ctx->conns_ctr->websockets)
	           : 0;
}

/* ---- calling the application --------------------------------------------- */

static void call_ready(struct mg_connection *c, struct cw_ws *ws)
{
	ws->ready_done = 1;
	if (ws->legacy) {
		if (c->ctx->cb.websocket_ready != NULL)
			c->ctx->cb.websocket_ready(c);
	} else if (ws->ready != NULL) {
		ws->ready(c, ws->cbdata);
	}
}

/* One frame to the data handler: 1 keep the WebSocket, 0 close it. The
 * payload is NUL-terminated for the call (the byte after it is put
 * back: it may be the next frame's). */
static int deliver(struct mg_connection *c, struct cw_ws *ws, int bits,
                   char *data, size_t len)
{
	char keep = data[len];
	int r = 1;

	data[len] = '\0';
	if (ws->legacy) {
		if (c->ctx->cb.websocket_data != NULL)
			r = c->ctx->cb.websocket_data(c, bits, data, len);
	} else if (ws->data != NULL) {
		r = ws->data(c, bits, data, len, ws->cbdata);
	}
	data[len] = keep;
	return r != 0;
}

/* ---- ending ------------------------------------------------------------- */

/* Queue a close frame (unless one went already) and see it out. */
static void close_with(struct mg_connection *c, struct cw_thread *t,
                       unsigned code, const char *reason)
{
	(void)cw_ws_send_close(c, code, reason);
	cw_conn_switch(c, &ws_closing);
	ws_closing.run(c, t);
}

static void closing_run(struct mg_connection *c, struct cw_thread *t)
{
	int r = cw_conn_flush_posted(c);

	(void)t;
	if (r == 1) {
		cw_conn_input_detach(c, t);
		r = cw_conn_park(c, CW_WANT_WRITE, cw_now_ms() + CLOSING_MS);
		if (r == 0)
			return;
		if (r == 1) {
			closing_run(c, t);
			return;
		}
	}
	if (r < 0)
		cw_conn_close(c);
	else
		cw_conn_linger(c);
}

/* ---- frames in ------------------------------------------------------------
 */

enum { GO_ON = 0, STOP = 1 };

/* A piece of a data frame's payload. Whole frames that arrived in one
 * read go to the handler where they lie; others are gathered first. */
static int on_data(struct mg_connection *c, struct cw_thread *t,
                   struct cw_ws *ws, const struct cw_ws_event *ev)
{
	struct cw_buf *f = &ws->frame;
	size_t max = (size_t)c->ctx->opt.websocket_max_message + 1;
	int bits = ws->bits;
	size_t had = f->len;
	char empty[1] = {0};
	int r;

	if (ev->compressed) {
		r = cw_ws_decompress(ws->deflate, ev->data, ev->len,
		                     ev->message_end, f);
		if (r == 0 && ev->opcode == CW_WS_OP_TEXT &&
		    (cw_utf8_feed(&ws->inflated_utf8, f->data + had,
		                  f->len - had) != 0 ||
		     (ev->message_end && cw_utf8_end(&ws->inflated_utf8) != 0)))
			r = CW_WS_CLOSE_BAD_DATA;
		if (r != 0) {
			close_with(c, t, r < 0 ? 1011 : (unsigned)r, NULL);
			return STOP;
		}
		if (ev->message_end)
			cw_utf8_init(&ws->inflated_utf8);
		/* the handler sees the message as if it came uncompressed */
		bits &= ~CW_WS_RSV1;
	} else if (!(ev->frame_end && f->len == 0)) {
		if (cw_buf_add(f, ev->data, ev->len, max) != 0) {
			close_with(c, t, CW_WS_CLOSE_TOO_BIG, NULL);
			return STOP;
		}
	}
	if (!ev->frame_end)
		return GO_ON;
	if (f->len == 0 && !ev->compressed && ev->len > 0)
		r = deliver(c, ws, bits, (char *)ev->data, ev->len);
	else
		r = deliver(c, ws, bits, f->len > 0 ? f->data : empty, f->len);
	/* a large frame's buffer is not kept */
	if (f->cap > 65536)
		cw_buf_free(f);
	f->len = 0;
	if (!r) {
		close_with(c, t, CW_WS_CLOSE_NORMAL, NULL);
		return STOP;
	}
	return GO_ON;
}

/* A control frame. As in CivetWeb the data handler sees every close
 * frame, and pings and pongs unless enable_websocket_ping_pong keeps
 * those to the library; a ping is always answered (RFC 6455 5.5.2). */
static int on_control(struct mg_connection *c, struct cw_thread *t,
                      struct cw_ws *ws, const struct cw_ws_event *ev)
{
	unsigned op = ev->frame->opcode;
	char copy[CW_WS_CONTROL_MAX + 1];

	if (op == CW_WS_OP_PING)
		(void)cw_ws_send(c, CW_WS_OP_PONG, ev->data, ev->len);
	else if (op == CW_WS_OP_PONG)
		ws->pings = 0;
	if (op == CW_WS_OP_CLOSE || !c->ctx->opt.websocket_ping_pong) {
		size_t n = 0;
		int keep;

		/* a close frame's payload as it came: code, then reason */
		if (op == CW_WS_OP_CLOSE && ev->close_code != 1005) {
			copy[n++] = (char)(ev->close_code >> 8);
			copy[n++] = (char)(ev->close_code & 0xff);
		}
		if (ev->len > 0)
			memcpy(copy + n, ev->data, ev->len);
		n += ev->len;
		keep = deliver(c, ws, ev->frame->bits, copy, n);
		if (!keep && op != CW_WS_OP_CLOSE) {
			close_with(c, t, CW_WS_CLOSE_NORMAL, NULL);
			return STOP;
		}
	}
	if (op == CW_WS_OP_CLOSE) {
		/* answered with the code it came with (none: none) */
		unsigned code = ev->close_code == 1005 ? 0 : ev->close_code;

		close_with(c, t, code, NULL);
		return STOP;
	}
	return GO_ON;
}

/* Everything in buf[0..n) through the parser. GO_ON, or STOP: the
 * connection is closing (and no longer the caller's). */
static int feed(struct mg_connection *c, struct cw_thread *t, struct cw_ws *ws,
                unsigned char *buf, size_t n)
{
	size_t off = 0;

	for (;;) {
		struct cw_ws_event ev;
		int r = GO_ON;

		off += cw_ws_parse(&ws->parser, buf + off, n - off, &ev);
		switch (ev.type) {
		case CW_WS_EV_MORE:
			return GO_ON;
		case CW_WS_EV_FRAME:
			ws->bits = ev.frame->bits;
			break;
		case CW_WS_EV_DATA:
			r = on_data(c, t, ws, &ev);
			break;
		case CW_WS_EV_CONTROL:
			r = on_control(c, t, ws, &ev);
			break;
		case CW_WS_EV_ERROR:
			close_with(c, t, ev.close_code, NULL);
			return STOP;
		}
		if (r != GO_ON)
			return r;
		if (atomic_load(&ws->doomed)) {
			/* a write overflowed: the peer does not read */
			cw_conn_close(c);
			return STOP;
		}
	}
}

/* ---- ws ----------------------------------------------------------------- */

/* Without enable_websocket_ping_pong an idle WebSocket waits as long as
 * its peer likes, as in CivetWeb; with it, a ping goes every
 * websocket_timeout_ms without input. */
static int64_t idle_deadline(const struct mg_connection *c)
{
	int ms = c->ctx->opt.websocket_timeout_ms;

	return c->ctx->opt.websocket_ping_pong && ms > 0 ? cw_now_ms() + ms
	                                                 : INT64_MAX;
}

/* Park until more input comes: 1 back (run on), 0 parked or closed. */
static int park(struct mg_connection *c, struct cw_thread *t, struct cw_ws *ws,
                int want)
{
	int r;

	cw_conn_input_detach(c, t);
	atomic_store(&ws->owner, NULL);
	r = cw_conn_park(c, want, idle_deadline(c));
	if (r == 1) {
		atomic_store(&ws->owner, t);
		return 1;
	}
	if (r < 0)
		cw_conn_close(c);
	return 0;
}

/* Read and handle what came. GO_ON to read again, STOP when the
 * connection is parked or gone. */
static int read_some(struct mg_connection *c, struct cw_thread *t,
                     struct cw_ws *ws)
{
	ssize_t n;

	if (c->rlen > c->rpos) {
		/* what came behind the upgrade request */
		n = (ssize_t)(c->rlen - c->rpos);
		memmove(c->rbuf, c->rbuf + c->rpos, (size_t)n);
		c->rpos = c->rlen = 0;
	} else {
		n = cw_conn_read(c, c->rbuf, c->rcap);
	}
	if (n > 0) {
		ws->pings = 0;
		if (feed(c, t, ws, (unsigned char *)c->rbuf, (size_t)n) == STOP)
			return STOP;
		/* a short read took all there was: no read just to hear
		 * EAGAIN (the edge-triggered registration reports what comes
		 * next) */
		if ((size_t)n < c->rcap)
			return park(c, t, ws, CW_WANT_READ) ? GO_ON : STOP;
		return GO_ON;
	}
	if (n == CW_IO_WANT_READ && c->xprt->has_buffered_input(c))
		return GO_ON;
	if (n == CW_IO_WANT_READ || n == CW_IO_WANT_WRITE)
		return park(c, t, ws,
		            n == CW_IO_WANT_READ ? CW_WANT_READ : CW_WANT_WRITE)
		           ? GO_ON
		           : STOP;
	/* the peer went without a close frame */
	cw_conn_close(c);
	return STOP;
}

static void ws_run(struct mg_connection *c, struct cw_thread *t)
{
	struct cw_ws *ws = c->proto_data;

	c->ri = ws->info;
	atomic_store(&ws->owner, t);
	if (!ws->ready_done)
		call_ready(c, ws);
	for (;;) {
		if (atomic_load(&ws->doomed) || cw_conn_flush_posted(c) < 0 ||
		    cw_conn_input_attach(c, t) != 0) {
			cw_conn_close(c);
			return;
		}
		if (read_some(c, t, ws) == STOP)
			return;
	}
}

/* Nothing came for websocket_timeout_ms with enable_websocket_ping_pong
 * (timer thread: nothing here may block, so the ping is only queued and
 * written without waiting). After MAX_UNANSWERED pings without any
 * input, the peer is taken for gone, as in CivetWeb. */
static void ws_expire(struct mg_connection *c)
{
	struct cw_ws *ws = c->proto_data;

	if (atomic_load(&ws->doomed)) {
		/* a write overflowed: the peer does not read */
		cw_conn_close(c);
		return;
	}
	if (ws->pings < MAX_UNANSWERED &&
	    cw_ws_send(c, CW_WS_OP_PING, NULL, 0) == 0) {
		ws->pings++;
		cw_conn_release(c, CW_WANT_READ, idle_deadline(c));
		return;
	}
	(void)cw_ws_send_close(c, CW_WS_CLOSE_GOING, "timeout");
	cw_conn_switch(c, &ws_closing);
	cw_conn_release(c, CW_WANT_WRITE, cw_now_ms() + CLOSING_MS);
}

/* The server drains (reload, stop): "going away". */
static void ws_drain(struct mg_connection *c)
{
	(void)cw_ws_send_close(c, CW_WS_CLOSE_GOING, "going away");
	cw_conn_switch(c, &ws_closing);
	cw_conn_release(c, CW_WANT_WRITE, cw_now_ms() + CLOSING_MS);
}

/* The stopping server closes the socket now: the close frame goes out if
 * the socket takes it at once. */
static void say_going_away(struct mg_connection *c, struct cw_ws *ws)
{
	unsigned char frame[CW_WS_HEADER_MAX + CW_WS_CONTROL_MAX];
	size_t pl, hl;
	struct iovec iov;

	if (!atomic_load(&c->ctx->stopping))
		return;
	pthread_mutex_lock(&c->lock);
	if (ws->close_sent) {
		pthread_mutex_unlock(&c->lock);
		return;
	}
	pl =
	    cw_ws_close_payload(frame + 2, CW_WS_CLOSE_GOING, "going away", 10);
	hl = cw_ws_write_header(frame, CW_WS_FIN, CW_WS_OP_CLOSE, pl, NULL);
	iov.iov_base = frame;
	iov.iov_len = hl + pl;
	ws->close_sent = 1;
	(void)cw_conn_writev(c, &iov, 1);
	pthread_mutex_unlock(&c->lock);
}

/* The WebSocket is over: the close handler (once), then its state goes,
 * under the lock writers take. */
static void ws_release(struct mg_connection *c)
{
	struct cw_ws *ws = c->proto_data;

	if (ws == NULL)
		return;
	say_going_away(c, ws);
	/* (the deprecated API has connection_close, called for every
	 * connection as it closes) */
	if (!ws->legacy && ws->close != NULL)
		ws->close(c, ws->cbdata);
	pthread_mutex_lock(&c->lock);
	c->proto_data = NULL;
	pthread_mutex_unlock(&c->lock);
	if (c->ri == ws->info)
		c->ri = NULL;
	count_open(c, -1);
	free_ws(ws);
}

static const struct cw_protocol ws_protocol = {
    .name = "ws",
    .run = ws_run,
    .expire = ws_expire,
    .drain = ws_drain,
    .release = ws_release,
};

static const struct cw_protocol ws_closing = {
    .name = "ws closing",
    .run = closing_run,
    .expire = cw_conn_close,
    .drain = NULL,
    .release = ws_release,
};
