/* request.c - the life of a request on a server connection.
 *
 * A pool thread that is handed a connection reads what is there, and while
 * the input buffer holds a complete request head it runs the request:
 * fill mg_request_info, begin_request, the authorization handler, the
 * request handler, else the document root; then end_request, the access
 * log, and skipping whatever body the handler did not read. A connection
 * without a complete request is parked again (keeping its partial input);
 * one without any input gives its buffer back to the thread, so an idle
 * keep-alive connection costs no thread and no buffer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/body.h"
#include "net/conn.h"
#include "core/handlers.h"
#include "core/log.h"
#include "http/request.h"
#include "http/response.h"
#include "files/static_file.h"

#define DISCARD_LIMIT (1024 * 1024)

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void count_request(struct mg_connection *c, int status, int64_t t0)
{
	struct cw_thread_block *b = cw_my_block(c->ctx);

	if (b != NULL)
		cw_stats_count(b, status, now_us() - t0);
}

static void count_in(struct mg_connection *c, size_t n)
{
	struct cw_thread_block *b = cw_my_block(c->ctx);

	if (b != NULL)
		atomic_fetch_add_explicit(&b->bytes_in, n,
		                          memory_order_relaxed);
}

/* ---- request info ----------------------------------------------------------
 */

static int ensure_scratch(struct cw_thread *t, size_t need)
{
	char *p;

	if (t->scratch_cap >= need)
		return 0;
	p = realloc(t->scratch, need);
	if (p == NULL)
		return -1;
	t->scratch = p;
	t->scratch_cap = need;
	return 0;
}

/* local_uri_raw (decoded) and local_uri (normalized) live in the thread's
 * scratch space; the raw target stays in the input buffer. */
static int set_paths(struct mg_connection *c, struct cw_thread *t,
                     const char *path)
{
	size_t n = strlen(path);
	char *raw, *clean;

	c->ri.local_uri = c->ri.local_uri_raw = NULL;
	if (ensure_scratch(t, 2 * n + 2) != 0)
		return 500;
	raw = t->scratch;
	clean = t->scratch + n + 1;
	memcpy(raw, path, n + 1);
	if (strcmp(path, "*") == 0) {
		c->ri.local_uri_raw = c->ri.local_uri = raw;
		return 0;
	}
	if (c->ctx->opt.decode_url && cw_http_decode_path(raw) < 0)
		return 400;
	memcpy(clean, raw, strlen(raw) + 1);
	if (cw_http_normalize_path(clean) != 0)
		return 400;
	c->ri.local_uri_raw = raw;
	c->ri.local_uri = clean;
	return 0;
}

static void decode_query(char *q)
{
	int n = mg_url_decode(q, (int)strlen(q), q, (int)strlen(q) + 1, 1);

	if (n < 0)
		return;
	q[n] = '\0';
}

static int fill_info(struct mg_connection *c, struct cw_thread *t,
                     struct cw_http_request *req)
{
	struct mg_request_info *ri = &c->ri;
	char *q;

	ri->request_method = req->method;
	ri->http_version = req->version;
	ri->request_uri = req->target;
	if ((q = strchr(req->target, '?')) != NULL)
		*q = '\0';
	ri->query_string = req->query;
	if (req->query != NULL && c->ctx->opt.decode_query_string)
		decode_query(req->query);
	ri->remote_user = NULL;
	ri->content_length = req->chunked ? -1 : req->content_length;
	ri->server_port = c->listener != NULL ? c->listener->port : 0;
	ri->is_ssl = c->listener != NULL ? c->listener->is_ssl : 0;
	ri->user_data = c->ctx->user_data;
	ri->conn_data = c->conn_data;
	ri->num_headers = req->num_headers;
	memcpy(ri->http_headers, req->headers,
	       (size_t)req->num_headers * sizeof req->headers[0]);
	ri->client_cert = NULL;
	ri->acceptedWebSocketSubprotocol = NULL;
	if (req->version_minor == 1)
		c->client_keep_alive = !req->conn_close;
	else
		c->client_keep_alive = req->conn_keep_alive && !req->conn_close;
	return set_paths(c, t, req->path);
}

/* ---- dispatch
 * ---------------------------------------------------------------- */

static int log_status_of(int r)
{
	return r > 0 && r <= 999 ? r : 0;
}

/* Authorization handler: 1 granted, 0 denied (response sent). */
static int authorize(struct mg_connection *c)
{
	struct cw_handlers *hs = c->ctx->handlers;
	struct cw_handler *h =
	    cw_handlers_find(hs, CW_HANDLER_AUTH, c->ri.local_uri);
	int ok;

	if (h == NULL)
		return 1;
	ok = h->auth(c, h->cbdata);
	cw_handlers_release(hs, h);
	if (ok)
		return 1;
	if (!cw_resp_started(c))
		cw_send_error(c, 401, "Access denied");
	return 0;
}

/* Request handler: 1 if it answered the request. */
static int run_handler(struct mg_connection *c)
{
	struct cw_handlers *hs = c->ctx->handlers;
	struct cw_handler *h =
	    cw_handlers_find(hs, CW_HANDLER_REQUEST, c->ri.local_uri);
	int r;

	if (h == NULL)
		return 0;
	r = h->request(c, h->cbdata);
	cw_handlers_release(hs, h);
	if (r > 0) {
		c->log_status = log_status_of(r);
		return 1;
	}
	/* 0: not handled, unless it started answering anyway */
	return cw_resp_started(c);
}

static void dispatch(struct mg_connection *c)
{
	struct mg_context *ctx = c->ctx;

	if (ctx->cb.begin_request != NULL) {
		int r = ctx->cb.begin_request(c);

		if (r != 0) {
			/* 1..999: handled, and the status for the access log */
			c->log_status = log_status_of(r);
			return;
		}
	}
	if (!authorize(c))
		return;
	if (run_handler(c))
		return;
	cw_static_serve(c);
}

/* ---- one request
 * -------------------------------------------------------------- */

static void finish_request(struct mg_connection *c, int64_t t0)
{
	struct mg_context *ctx = c->ctx;
	int sent;

	cw_resp_finish(c);
	sent = c->resp.status;
	if (ctx->cb.end_request != NULL)
		ctx->cb.end_request(c, sent);
	if (cw_log_wants_access(ctx))
		cw_log_access(c, c->log_status ? c->log_status : sent);
	count_request(c, sent, t0);
	if (!c->body_done &&
	    (c->must_close || cw_body_discard(c, DISCARD_LIMIT) != 0))
		c->must_close = 1;
}

static void run_request(struct mg_connection *c, struct cw_thread *t,
                        struct cw_http_request *req, size_t head_len)
{
	int64_t t0 = now_us();
	int status;

	c->requests++;
	c->must_close = 0;
	c->log_status = 0;
	c->in_error = 0;
	cw_resp_reset(c);
	cw_body_begin(c, head_len, req->content_length, req->chunked, 0);
	c->continue_pending = req->expect_continue && !c->body_done;
	status = fill_info(c, t, req);
	if (status == 0 && !req->chunked &&
	    req->content_length > cw_body_limit(c->ctx))
		status = 413;
	if (status != 0) {
		c->must_close = 1;
		cw_send_error(c, status, "%s",
		              status == 413 ? "Request body too large"
		                            : "Invalid request");
	} else {
		dispatch(c);
	}
	finish_request(c, t0);
}

/* ---- the connection loop
 * ---------------------------------------------------------- */

void cw_request_first_contact(struct mg_connection *c)
{
	struct mg_context *ctx = c->ctx;

	cw_conn_describe_peer(c);
	c->initialized = 1;
	if (ctx->cb.init_connection != NULL) {
		void *data = NULL;

		ctx->cb.init_connection(c, &data);
		c->conn_data = data;
	}
}

/* Park; 1 if the connection came straight back to us (input waiting). */
static int park_idle(struct mg_connection *c, struct cw_thread *t)
{
	int64_t now = cw_now_ms(), deadline;

	if (c->rlen > 0) /* partial request: its whole head is timed */
		deadline = c->req_start_ms + c->ctx->opt.request_timeout_ms;
	else if (c->requests == 0)
		deadline = now + c->ctx->opt.request_timeout_ms;
	else
		deadline = now + c->ctx->opt.keep_alive_timeout_ms;
	cw_conn_detach(c, t);
	if (!cw_conn_park(c, deadline))
		return 0;
	if (cw_conn_attach(c, t) != 0) {
		cw_conn_close(c, 0);
		return -1;
	}
	return 1;
}

/* Does rbuf[0..len) contain the blank line that ends a head? Only the new
 * bytes from `from` on are scanned, so a client that trickles its head in
 * costs linear time. */
static int head_complete(const char *p, size_t len, size_t from)
{
	if (from > 3)
		from -= 3;
	else
		from = 0;
	for (size_t i = from; i < len; i++) {
		const char *nl = memchr(p + i, '\n', len - i);

		if (nl == NULL)
			return 0;
		i = (size_t)(nl - p);
		if ((i >= 1 && p[i - 1] == '\n') ||
		    (i >= 2 && p[i - 1] == '\r' && p[i - 2] == '\n'))
			return 1;
	}
	return 0;
}

static void refuse(struct mg_connection *c, int status)
{
	c->must_close = 1;
	cw_resp_reset(c);
	c->ri.request_method = NULL;
	c->ri.request_uri = NULL;
	c->ri.local_uri = c->ri.local_uri_raw = NULL;
	c->ri.http_version = NULL;
	c->ri.query_string = NULL;
	c->ri.num_headers = 0;
	c->body_left = 0;
	c->body_done = 1;
	cw_send_error(c, status, "%s", "Malformed request");
	cw_resp_finish(c);
	if (cw_log_wants_access(c->ctx))
		cw_log_access(c, status);
	cw_conn_close(c, 1);
}

/* Read without blocking. 1: got bytes (or may read again), 0: parked,
 * -1: closed. */
static int read_more(struct mg_connection *c, struct cw_thread *t)
{
	size_t room = c->rcap - c->rlen;
	ssize_t n;

	/* from here on, new input raises pending again (edge-triggered) */
	atomic_store(&c->pending, 0);
	n = cw_conn_recv_nb(c, c->rbuf + c->rlen, room);
	if (n > 0) {
		if (c->rlen == 0)
			c->req_start_ms = cw_now_ms();
		c->rlen += (size_t)n;
		count_in(c, (size_t)n);
		if ((size_t)n == room) /* more may wait: no new edge for it */
			atomic_store(&c->pending, 1);
		return 1;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return park_idle(c, t);
	cw_conn_close(c, 0);
	return -1;
}

/* After a request: move a pipelined remainder to the front. */
static void consume(struct mg_connection *c)
{
	size_t rest = c->rlen - c->rpos;

	if (rest > 0)
		memmove(c->rbuf, c->rbuf + c->rpos, rest);
	c->rlen = rest;
	c->rpos = 0;
	c->head_end = 0;
	if (rest > 0)
		c->req_start_ms = cw_now_ms();
}

void cw_request_serve(struct mg_connection *c, struct cw_thread *t)
{
	struct mg_context *ctx = c->ctx;
	size_t scanned = 0;

	if (c->lingering) {
		cw_conn_linger(c, atomic_load(&c->deadline));
		return;
	}
	if (atomic_load_explicit(&ctx->stopping, memory_order_relaxed) ||
	    cw_conn_attach(c, t) != 0) {
		cw_conn_close(c, 0);
		return;
	}
	if (c->timed_out) {
		refuse(c, 408);
		return;
	}
	for (;;) {
		struct cw_http_request req;
		int status = 0, r;

		if (!head_complete(c->rbuf, c->rlen, scanned)) {
			scanned = c->rlen;
			if (c->rlen == c->rcap) {
				refuse(c, 431);
				return;
			}
			if (read_more(c, t) <= 0)
				return;
			continue;
		}
		r = cw_http_parse_request(
		    c->rbuf, c->rlen, ctx->opt.max_request_size, &req, &status);
		if (r <= 0) {
			refuse(c, r < 0 ? status : 431);
			return;
		}
		run_request(c, t, &req, (size_t)r);
		if (c->must_close || ctx->opt.keep_alive_timeout_ms <= 0) {
			cw_conn_close(c, c->rpos < c->rlen || !c->body_done);
			return;
		}
		consume(c);
		scanned = 0;
		if (c->rlen == 0 && park_idle(c, t) <= 0)
			return;
	}
}

void cw_request_timeout(struct mg_connection *c)
{
	/* A partial request gets its 408 from a pool thread (the error path
	 * may block on a slow client and calls http_error): re-arm the
	 * connection for writability, which fires at once. */
	if (!c->lingering && !c->timed_out && c->rlen > 0) {
		c->timed_out = 1;
		if (cw_conn_park_writable(c) == 0)
			return;
	}
	cw_conn_close(c, 0);
}
