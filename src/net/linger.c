/* linger.c - the lingering close, a protocol of its own: after the last
 * response, shut the write side and read and drop whatever the client
 * still sends until it closes or two seconds pass. Closing a socket with
 * unread input makes the kernel send a reset, which can destroy the
 * response before the client has read it (RFC 9112 9.6). The connection
 * waits in the epoll set like any other; no thread is held. */
#include <errno.h>
#include <stdatomic.h>

#include "net/linger.h"
#include "util/clock.h"

#define LINGER_MS 2000

/* Read and drop input until the transport has no more for now; then park
 * until more comes or the deadline. */
static void drop_input(struct mg_connection *c, int64_t deadline)
{
	char sink[4096];

	for (;;) {
		ssize_t n = cw_conn_read(c, sink, sizeof sink);

		if (n > 0 ||
		    (n == CW_IO_WANT_READ && c->xprt->has_buffered_input(c)))
			continue;
		if (n == CW_IO_WANT_READ || n == CW_IO_WANT_WRITE) {
			int want =
			    n == CW_IO_WANT_READ ? CW_WANT_READ : CW_WANT_WRITE;
			int r = cw_conn_park(c, want, deadline);

			if (r == 0)
				return;
			if (r == 1)
				continue;
		}
		cw_conn_close(c);
		return;
	}
}

static void linger_run(struct mg_connection *c, struct cw_thread *t)
{
	(void)t;
	drop_input(c, atomic_load(&c->deadline));
}

const struct cw_protocol cw_linger_protocol = {
    .name = "linger",
    .run = linger_run,
    .expire = cw_conn_close,
    .drain = NULL,
    .release = NULL,
};

void cw_conn_linger(struct mg_connection *c)
{
	struct mg_context *ctx = c->ctx;

	if (ctx->opt.linger_timeout_ms >= -1 || atomic_load(&ctx->stopping) ||
	    c->closing) {
		cw_conn_close(c);
		return;
	}
	if (c->proto != NULL && c->proto->release != NULL)
		c->proto->release(c);
	cw_conn_switch(c, &cw_linger_protocol);
	c->rpos = c->rlen = 0;
	cw_conn_input_detach(c, cw_thread_self());
	if (c->xprt->shutdown_write(c) != 0) {
		cw_conn_close(c);
		return;
	}
	c->closing = 1;
	drop_input(c, cw_now_ms() + LINGER_MS);
}
