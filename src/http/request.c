/* request.c - one server request (see request.h).
 *
 * mg_request_info is filled once per request, from the parsed head: its
 * strings point into the connection's input buffer (which the head
 * occupies, unmoved, until the request ends) and, for the decoded and
 * normalized paths, into the exchange's scratch space. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/domain.h"
#include "core/handlers.h"
#include "core/log.h"
#include "core/options.h"
#include "http/access_log.h"
#include "http/body.h"
#include "http/cors.h"
#include "http/file_out.h"
#include "http/health.h"
#include "http/reqinfo.h"
#include "http/request.h"
#include "http/response.h"
#include "http/websocket.h"
#include "net/linger.h"
#include "net/listen.h"
#include "util/clock.h"

/* Unread body bytes skipped after a handler, at most; more closes. */
#define DISCARD_LIMIT (1024 * 1024)

/* ---- request info -------------------------------------------------------- */

static int ensure_scratch(struct cw_exchange *x, size_t need)
{
	char *p;

	if (x->scratch_cap >= need)
		return 0;
	p = realloc(x->scratch, need);
	if (p == NULL)
		return -1;
	x->scratch = p;
	x->scratch_cap = need;
	return 0;
}

/* local_uri_raw (decoded) and local_uri (normalized) live in the
 * exchange's scratch space; the raw target stays in the input buffer. */
static int set_paths(struct mg_connection *c, const char *path)
{
	struct cw_exchange *x = c->x;
	size_t n = strlen(path);
	char *raw, *clean;

	x->ri.local_uri = x->ri.local_uri_raw = NULL;
	if (ensure_scratch(x, 2 * n + 2) != 0)
		return 500;
	raw = x->scratch;
	clean = x->scratch + n + 1;
	memcpy(raw, path, n + 1);
	if (strcmp(path, "*") == 0) {
		x->ri.local_uri_raw = x->ri.local_uri = raw;
		return 0;
	}
	if (c->ctx->opt.decode_url && cw_http_decode_path(raw) < 0)
		return 400;
	memcpy(clean, raw, strlen(raw) + 1);
	if (cw_http_normalize_path(clean) != 0)
		return 400;
	x->ri.local_uri_raw = raw;
	x->ri.local_uri = clean;
	return 0;
}

static void decode_query(char *q)
{
	int n = mg_url_decode(q, (int)strlen(q), q, (int)strlen(q) + 1, 1);

	if (n >= 0)
		q[n] = '\0';
}

/* Everything of an mg_request_info but its header array (which
 * num_headers says is empty). */
static void clear_info(struct mg_request_info *ri)
{
	ri->request_method = ri->request_uri = NULL;
	ri->local_uri_raw = ri->local_uri = NULL;
	ri->http_version = ri->query_string = ri->remote_user = NULL;
	ri->content_length = -1;
	ri->num_headers = 0;
	ri->client_cert = NULL;
	ri->acceptedWebSocketSubprotocol = NULL;
}

static int fill_info(struct mg_connection *c)
{
	struct cw_exchange *x = c->x;
	struct cw_http_request *req = &x->req;
	struct mg_request_info *ri = &x->ri;
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
	cw_reqinfo_fill_peer(c, ri);
	ri->num_headers = req->num_headers;
	memcpy(ri->http_headers, req->headers,
	       (size_t)req->num_headers * sizeof req->headers[0]);
	cw_reqinfo_fill_cert(c, x);
	x->opts = cw_domain_options(c->ctx, req->host);
	ri->acceptedWebSocketSubprotocol = NULL;
	if (req->version_minor == 1)
		x->s.client_keep_alive = !req->conn_close;
	else
		x->s.client_keep_alive =
		    req->conn_keep_alive && !req->conn_close;
	return set_paths(c, req->path);
}

/* An absolute-form target names a host: with enable_auth_domain_check
 * it must be authentication_domain or a name under it (any port), as
 * CivetWeb checks it; otherwise the request is for another server. */
static int for_this_server(const struct mg_connection *c)
{
	const struct cw_options *o = cw_req_opts(c);
	const char *host = c->x->req.host, *dom;
	size_t hl, dl;

	if (!c->x->req.absolute ||
	    strcasecmp(cw_options_get(o, CW_OPT_ENABLE_AUTH_DOMAIN_CHECK),
	               "yes") != 0)
		return 1;
	dom = cw_options_get(o, CW_OPT_AUTHENTICATION_DOMAIN);
	dl = strlen(dom);
	hl = host[0] == '[' ? strcspn(host, "]") + 1 : strcspn(host, ":");
	if (dl == 0)
		return 0;
	if (hl == dl)
		return strncasecmp(host, dom, dl) == 0;
	return hl > dl + 1 && host[hl - dl - 1] == '.' &&
	       strncasecmp(host + hl - dl, dom, dl) == 0;
}

int cw_request_begin(struct mg_connection *c, size_t head_len)
{
	struct cw_exchange *x = c->x;
	struct cw_http_request *req = &x->req;
	int status;

	c->requests++;
	cw_exchange_begin(c);
	x->s.t0_us = cw_clock_us();
	cw_body_begin(c, head_len, req->content_length, req->chunked, 0);
	x->s.body.continue_pending = req->expect_continue && !x->s.body.done;
	status = fill_info(c);
	if (status == 0 && !for_this_server(c))
		status = 400;
	if (status == 0 && c->ctx->opt.throttle != NULL)
		cw_resp_choose_throttle(c);
	if (status == 0 && !req->chunked &&
	    req->content_length > cw_body_limit(c->ctx))
		status = 413;
	return status;
}

/* ---- dispatch ------------------------------------------------------------ */

static int log_status_of(int r)
{
	return r > 0 && r <= 999 ? r : 0;
}

/* May the request go on? An authorization handler for its URI decides
 * alone; without one, the password files do (protect_uri,
 * global_auth_file, .htpasswd, put_delete_auth_file: the files layer's
 * authorize fallback), as in CivetWeb. 1 yes, 0 no (response sent). */
static int authorize(struct mg_connection *c, int to_handler, int *by_handler)
{
	struct cw_handlers *hs = c->ctx->handlers;
	struct cw_handler *h =
	    cw_handlers_find(hs, CW_HANDLER_AUTH, c->x->ri.local_uri);
	int ok;

	*by_handler = h != NULL;
	if (h == NULL)
		return c->ctx->fallbacks.authorize == NULL ||
		       c->ctx->fallbacks.authorize(c, to_handler);
	ok = h->auth(c, h->cbdata);
	cw_handlers_release(hs, h);
	if (ok)
		return 1;
	if (!cw_resp_started(c))
		cw_send_error(c, 401, "Access denied");
	return 0;
}

/* Run request handler h (held; released here): 1 if it answered. */
static int run_handler(struct mg_connection *c, struct cw_handler *h)
{
	int r = h->request(c, h->cbdata);

	cw_handlers_release(c->ctx->handlers, h);
	if (r > 0) {
		c->x->s.log_status = log_status_of(r);
		return 1;
	}
	/* 0: not handled, unless it started answering anyway */
	return cw_resp_started(c);
}

/* A request on a redirect port ('r') goes to the same URI on the first
 * TLS port, as CivetWeb sends it (308, the connection closed), before any
 * callback sees it. 1 if redirected. */
static int redirect_to_tls(struct mg_connection *c)
{
	char link[4096];

	if (c->listener == NULL || !c->listener->is_redirect ||
	    c->listener->is_ssl)
		return 0;
	if (cw_reqinfo_tls_link(c, link, sizeof link) != 0)
		return 0;
	c->x->s.must_close = 1;
	mg_send_http_redirect(c, link, 308);
	return 1;
}

static void dispatch(struct mg_connection *c)
{
	struct mg_context *ctx = c->ctx;
	struct cw_handler *h;
	int by_handler;

	if (cw_health_answer(c) || redirect_to_tls(c))
		return;
	if (ctx->cb.begin_request != NULL) {
		int r = ctx->cb.begin_request(c);

		if (r != 0) {
			/* 1..999: handled, and the status for the access log */
			c->x->s.log_status = log_status_of(r);
			return;
		}
	}
	if (cw_cors_preflight(c))
		return;
	/* a WebSocket handler (or the deprecated callbacks) takes an upgrade
	 * for its URI, once authorized */
	if (cw_ws_requested(c)) {
		if (!authorize(c, CW_AUTH_TO_HANDLER, &by_handler) ||
		    cw_ws_upgrade(c))
			return;
	}
	h = cw_handlers_find(ctx->handlers, CW_HANDLER_REQUEST,
	                     c->x->ri.local_uri);
	if (!authorize(c, h != NULL ? CW_AUTH_TO_HANDLER : CW_AUTH_TO_FILES,
	               &by_handler)) {
		if (h != NULL)
			cw_handlers_release(ctx->handlers, h);
		return;
	}
	if (h != NULL && run_handler(c, h))
		return;
	/* a handler that declined leaves the request to the files, which
	 * their own password files guard */
	if (h != NULL && !by_handler && ctx->fallbacks.authorize != NULL &&
	    !ctx->fallbacks.authorize(c, CW_AUTH_FILES_AFTER_HANDLER))
		return;
	if (ctx->fallbacks.serve != NULL)
		ctx->fallbacks.serve(c);
	else
		cw_send_error(c, 404, "%s", "Not found");
}

int cw_request_run(struct mg_connection *c)
{
	dispatch(c);
	return cw_file_out_pending(c);
}

/* ---- the end ------------------------------------------------------------ */

static void count_request(struct mg_connection *c, int status)
{
	struct cw_thread_block *b = cw_thread_stats(c->ctx);

	if (b != NULL)
		cw_stats_count(b, status, cw_clock_us() - c->x->s.t0_us);
}

void cw_request_end(struct mg_connection *c)
{
	struct mg_context *ctx = c->ctx;
	struct cw_req_state *s = &c->x->s;
	int sent;

	cw_resp_finish(c);
	sent = s->resp.status;
	if (ctx->cb.end_request != NULL && !s->internal)
		ctx->cb.end_request(c, sent);
	if (cw_access_log_wanted(ctx))
		cw_access_log(c, s->log_status ? s->log_status : sent);
	count_request(c, sent);
	if (!s->body.done &&
	    (s->must_close || cw_body_discard(c, DISCARD_LIMIT) != 0))
		s->must_close = 1;
}

static const char *reason_of(int status)
{
	switch (status) {
	case 408:
		return "Request timed out";
	case 413:
		return "Request body too large";
	case 500:
		return "Out of memory";
	default:
		return "Invalid request";
	}
}

void cw_request_fail(struct mg_connection *c, int status)
{
	c->x->s.must_close = 1;
	cw_send_error(c, status, "%s", reason_of(status));
}

void cw_request_refuse(struct mg_connection *c, int status)
{
	struct cw_exchange *x = c->x;

	cw_exchange_begin(c);
	x->s.t0_us = cw_clock_us();
	x->s.must_close = 1;
	x->s.body.done = 1;
	clear_info(&x->ri);
	cw_reqinfo_fill_peer(c, &x->ri);
	cw_send_error(c, status, "%s",
	              status == 408 ? reason_of(status) : "Malformed request");
	cw_resp_finish(c);
	if (cw_access_log_wanted(c->ctx))
		cw_access_log(c, status);
	count_request(c, status);
	cw_conn_linger(c);
}
