/* health.c - the health endpoint (health_check_uri) a load balancer polls.
 *
 * The answer says whether this worker still wants traffic, not whether the
 * application is well: it is made here, before begin_request, handlers,
 * authorization and the document root, so a busy or misbehaving
 * application cannot make it lie, and no callback ever sees it (not
 * end_request, not log_access). Once the context drains (a reload or a
 * stop told the prefork worker to go, or mg_stop began) it answers 503
 * and closes, so a balancer takes the worker out before its connections
 * close. It is counted in the statistics and written to access_log_file
 * like any request. The path is compared as it arrived (not decoded, no
 * query string). */
#include <stdatomic.h>
#include <string.h>

#include "core/options.h"
#include "http/health.h"
#include "http/response.h"

static const char health_headers[] = "Content-Type: text/plain\r\n"
                                     "Cache-Control: no-store\r\n";

static int is_health_request(const struct mg_connection *c)
{
	const char *uri = c->ctx->opt.health_check_uri;
	const char *m = c->x->req.method;

	return uri != NULL && c->x->req.path != NULL &&
	       strcmp(c->x->req.path, uri) == 0 &&
	       (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0);
}

static int going_away(const struct mg_context *ctx)
{
	return atomic_load_explicit(&ctx->draining, memory_order_relaxed) ||
	       atomic_load_explicit(&ctx->stopping, memory_order_relaxed);
}

int cw_health_answer(struct mg_connection *c)
{
	int drain;
	const char *body;
	size_t len;

	if (!is_health_request(c))
		return 0;
	drain = going_away(c->ctx);
	body = drain ? "draining\n" : "ok\n";
	len = strlen(body);
	c->x->s.internal = 1;
	if (drain)
		c->x->s.must_close = 1;
	if (cw_resp_head(c, drain ? 503 : 200, health_headers, (long long)len,
	                 0) == 0)
		cw_resp_write(c, body, len);
	return 1;
}
