/* exchange.c - lending, returning and resetting the per-request state
 * (see exchange.h). The lending costs no allocation while each thread
 * gets back the exchange it lent, which is the case for every request that
 * runs to its end without waiting. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/exchange.h"
#include "http/file_out.h"

struct cw_exchange *cw_exchange_new(void)
{
	struct cw_exchange *x = calloc(1, sizeof *x);

	if (x != NULL)
		x->s.resp.file_fd = -1;
	return x;
}

void cw_exchange_free(struct cw_exchange *x)
{
	if (x == NULL)
		return;
	cw_file_out_drop(&x->s.resp);
	cw_buf_free(&x->out);
	free(x->scratch);
	free(x->resp_info);
	free(x);
}

int cw_exchange_lend(struct mg_connection *c, struct cw_thread *t)
{
	if (c->x != NULL)
		return 0;
	if (t != NULL && t->spare_x != NULL) {
		c->x = t->spare_x;
		t->spare_x = NULL;
	} else {
		c->x = cw_exchange_new();
		if (c->x == NULL)
			return -1;
	}
	c->ri = &c->x->ri;
	return 0;
}

void cw_exchange_return(struct mg_connection *c, struct cw_thread *t)
{
	struct cw_exchange *x = c->x;

	if (x == NULL)
		return;
	c->x = NULL;
	c->ri = NULL;
	cw_file_out_drop(&x->s.resp);
	if (t != NULL && t->ctx == c->ctx && t->spare_x == NULL) {
		x->out.len = 0;
		t->spare_x = x;
		t->spare_x_free = cw_exchange_free;
	} else {
		cw_exchange_free(x);
	}
}

void cw_exchange_begin(struct mg_connection *c)
{
	struct cw_exchange *x = c->x;
	const struct cw_options *o = &c->ctx->opt;
	int stall = o->request_timeout_ms > 0 ? o->request_timeout_ms : -1;

	if (x->s.resp.file_fd >= 0 || x->s.resp.plan != NULL)
		cw_file_out_drop(&x->s.resp);
	memset(&x->s, 0, sizeof x->s);
	x->s.resp.length = -1;
	x->s.resp.file_fd = -1;
	x->out.len = 0;
	x->opts = NULL;
	cw_pace_init(&x->s.in, stall, stall > 0 ? stall : 0,
	             o->min_receive_rate);
	cw_pace_init(&x->s.out, stall, stall > 0 ? stall : 0, o->min_send_rate);
}

/* A pointer into the old input buffer, moved to the same place in the
 * new one; any other pointer as it was. */
static const char *moved(const char *p, const char *old, size_t len,
                         const char *now)
{
	return p != NULL && p >= old && p < old + len ? now + (p - old) : p;
}

#define MOVE(field, type) (field) = (type)moved((field), old, len, now)

void cw_exchange_rebase(struct cw_exchange *x, const char *old, size_t len,
                        const char *now)
{
	struct cw_http_request *q = &x->req;
	struct mg_request_info *ri = &x->ri;

	MOVE(q->method, char *);
	MOVE(q->target, char *);
	MOVE(q->path, char *);
	MOVE(q->query, char *);
	MOVE(q->host, char *);
	MOVE(q->version, char *);
	for (int i = 0; i < q->num_headers; i++) {
		MOVE(q->headers[i].name, const char *);
		MOVE(q->headers[i].value, const char *);
	}
	MOVE(ri->request_method, const char *);
	MOVE(ri->request_uri, const char *);
	MOVE(ri->http_version, const char *);
	MOVE(ri->query_string, const char *);
	for (int i = 0; i < ri->num_headers; i++) {
		MOVE(ri->http_headers[i].name, const char *);
		MOVE(ri->http_headers[i].value, const char *);
	}
}
