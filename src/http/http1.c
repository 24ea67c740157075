/* http1.c - HTTP/1.x on a server connection: the protocols a connection
 * goes through between requests (net/proto.h).
 *
 *   http1          read what is there; while the input holds a complete
 *                  request head, run the request; then park (keep-alive)
 *                  or close. Its deadline is request_timeout_ms for a head
 *                  that has begun, keep_alive_timeout_ms between requests.
 *   http1 body     a small request body (body_buffer_size) still arriving:
 *                  it is received here, in the event set, before the
 *                  handler runs, so a client that trickles its body holds
 *                  no thread.
 *   http1 file     the rest of a large file the request answered with,
 *                  written out while the socket takes it, with no thread
 *                  waiting on the socket.
 *   http1 408      a head that did not arrive in time is answered 408 on a
 *                  pool thread (the answer may block, and calls http_error).
 *
 * A connection that has no complete request is parked keeping its partial
 * input; one without any input gives its buffer and its exchange back to
 * the thread, so an idle keep-alive connection costs no thread and no
 * buffer. */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "http/body.h"
#include "http/file_out.h"
#include "http/http1.h"
#include "http/request.h"
#include "http/response.h"
#include "net/linger.h"
#include "util/clock.h"

/* How long a 408 answer may take to go out. */
#define ANSWER_MS 2000

static const struct cw_protocol http1_body, http1_file, http1_408,
    http1_body_408;
static void serve(struct mg_connection *c, struct cw_thread *t);

/* ---- giving the connection up ------------------------------------------- */

/* The deadline of a connection that waits for a request: the whole head
 * is timed from its first byte. */
static int64_t wait_deadline(const struct mg_connection *c)
{
	const struct cw_options *o = &c->ctx->opt;

	if (c->rlen > 0)
		return c->input_ms + o->request_timeout_ms;
	return cw_now_ms() + (c->requests == 0 ? o->request_timeout_ms
	                                       : o->keep_alive_timeout_ms);
}

/* Park between requests. 1 if the connection came straight back (an
 * event came meanwhile), 0 if it is parked, -1 if it is closed. */
static int park_idle(struct mg_connection *c, struct cw_thread *t, int want)
{
	int r;

	cw_exchange_return(c, t);
	cw_conn_input_detach(c, t);
	r = cw_conn_park(c, want, wait_deadline(c));
	if (r == 1 &&
	    (cw_exchange_lend(c, t) != 0 || cw_conn_input_attach(c, t) != 0))
		r = -1;
	if (r < 0)
		cw_conn_close(c);
	return r;
}

/* A request or its answer is over and the connection will not carry
 * another: close, lingering when the client may still be sending. */
static void finish_connection(struct mg_connection *c)
{
	if (c->rpos < c->rlen || !c->x->s.body.done)
		cw_conn_linger(c);
	else
		cw_conn_close(c);
}

/* ---- reading heads ------------------------------------------------------ */

/* Empty lines before a request line are ignored (RFC 9112 2.2), also when
 * they arrive on their own between keep-alive requests. */
static void skip_empty_lines(struct mg_connection *c)
{
	uint32_t i = 0;

	while (i < c->rlen &&
	       (c->rbuf[i] == '\n' || (c->rbuf[i] == '\r' && i + 1 < c->rlen &&
	                               c->rbuf[i + 1] == '\n')))
		i += c->rbuf[i] == '\n' ? 1 : 2;
	if (i == 0)
		return;
	memmove(c->rbuf, c->rbuf + i, c->rlen - i);
	c->rlen -= i;
	if (c->rlen > 0)
		c->input_ms = cw_now_ms();
}

/* Does rbuf[0..len) contain the blank line that ends a head? Only the new
 * bytes from `from` on are scanned, so a client that trickles its head in
 * costs linear time. */
static int head_complete(const char *p, size_t len, size_t from)
{
	from = from > 3 ? from - 3 : 0;
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

/* Read without blocking. 1: got bytes (or may read again), 0: parked,
 * -1: closed. */
static int read_more(struct mg_connection *c, struct cw_thread *t)
{
	ssize_t n = cw_conn_read(c, c->rbuf + c->rlen, c->rcap - c->rlen);

	if (n > 0) {
		if (c->rlen == 0)
			c->input_ms = cw_now_ms();
		c->rlen += (uint32_t)n;
		return 1;
	}
	if (n == CW_IO_WANT_READ && c->xprt->has_buffered_input(c))
		return 1;
	if (n == CW_IO_WANT_READ || n == CW_IO_WANT_WRITE)
		return park_idle(
		    c, t, n == CW_IO_WANT_READ ? CW_WANT_READ : CW_WANT_WRITE);
	cw_conn_close(c);
	return -1;
}

/* Does the input start with something no request line starts with (a
 * method is a token: RFC 9110 5.6.2)? A TLS ClientHello sent to a plain
 * port, say: refused at once, not after request_timeout_ms. */
static int not_a_method(const char *p, size_t len)
{
	static const char other[] = "!#$%&'*+-.^_`|~";

	for (size_t i = 0; i < len && p[i] != ' '; i++) {
		unsigned char b = (unsigned char)p[i];

		if (!((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') ||
		      (b >= '0' && b <= '9') || (b && strchr(other, b))))
			return 1;
	}
	return 0;
}

/* Wait until the input holds a complete head. 1: it does; 0: parked or
 * closed (the connection is gone). */
static int next_head(struct mg_connection *c, struct cw_thread *t)
{
	size_t scanned = 0;

	for (;;) {
		skip_empty_lines(c);
		if (head_complete(c->rbuf, c->rlen, scanned))
			return 1;
		if (not_a_method(c->rbuf, c->rlen)) {
			cw_request_refuse(c, 400);
			return 0;
		}
		scanned = c->rlen;
		if (c->rlen == c->rcap) {
			/* no line end at all: the request line is too long */
			cw_request_refuse(
			    c,
			    memchr(c->rbuf, '\n', c->rlen) == NULL ? 414 : 431);
			return 0;
		}
		if (read_more(c, t) <= 0)
			return 0;
	}
}

/* ---- one request -------------------------------------------------------- */

/* After a request: move a pipelined remainder to the front. */
static void consume(struct mg_connection *c)
{
	uint32_t rest = c->rlen - c->rpos;

	if (rest > 0)
		memmove(c->rbuf, c->rbuf + c->rpos, rest);
	c->rlen = rest;
	c->rpos = 0;
	if (rest > 0)
		c->input_ms = cw_now_ms();
}

/* The request is over. 1: the connection carries on with the next
 * request; 0: it is closed. */
static int after_request(struct mg_connection *c)
{
	cw_request_end(c);
	if (c->x->s.must_close || c->ctx->opt.keep_alive_timeout_ms <= 0) {
		finish_connection(c);
		return 0;
	}
	consume(c);
	return 1;
}

/* The handler switched the connection to another protocol (an upgrade:
 * its 101 is out): the request ends, and the new protocol runs the
 * connection from here, input pipelined behind the request included. */
static void hand_over(struct mg_connection *c, struct cw_thread *t)
{
	const struct cw_protocol *p = c->proto;

	cw_request_end(c);
	consume(c);
	cw_exchange_return(c, t);
	p->run(c, t);
}

/* Run the request begun on c. 1: go on with the next; 0: the connection
 * is parked in another protocol or closed. */
static int run(struct mg_connection *c, struct cw_thread *t)
{
	const struct cw_protocol *before = c->proto;

	if (cw_request_run(c) == 0 && c->proto != before) {
		hand_over(c, t);
		return 0;
	}
	if (cw_file_out_pending(c)) {
		/* the rest of a file: written out in the event set */
		cw_conn_switch(c, &http1_file);
		http1_file.run(c, t);
		return 0;
	}
	return after_request(c);
}

/* Answer the request begun with status instead; the connection closes. */
static void fail(struct mg_connection *c, int status)
{
	cw_request_fail(c, status);
	after_request(c);
}

/* Start the request whose head is in the input: 1 to go on, 0 if the
 * connection is gone (refused, or parked waiting for the body). */
static int start(struct mg_connection *c, struct cw_thread *t)
{
	struct cw_exchange *x = c->x;
	int status = 0;
	int r = cw_http_parse_request(
	    c->rbuf, c->rlen, c->ctx->opt.max_request_size, &x->req, &status);

	if (r <= 0) {
		cw_request_refuse(c, r < 0 ? status : 431);
		return 0;
	}
	status = cw_request_begin(c, (size_t)r);
	if (status == 0)
		status = cw_body_preread(c);
	if (status > 0) {
		fail(c, status);
		return 0;
	}
	if (status < 0) {
		/* some body to come before the handler runs */
		cw_conn_switch(c, &http1_body);
		http1_body.run(c, t);
		return 0;
	}
	return run(c, t);
}

static void serve(struct mg_connection *c, struct cw_thread *t)
{
	while (next_head(c, t)) {
		if (!start(c, t))
			return;
		if (c->rlen == 0 && park_idle(c, t, CW_WANT_READ) <= 0)
			return;
	}
}

/* ---- http1 -------------------------------------------------------------- */

static void http1_run(struct mg_connection *c, struct cw_thread *t)
{
	if (cw_exchange_lend(c, t) != 0 || cw_conn_input_attach(c, t) != 0) {
		cw_conn_close(c);
		return;
	}
	serve(c, t);
}

/* A head that began and did not complete in time gets its 408 on a pool
 * thread; a connection whose next request is already waiting (a stalled
 * process, a late timer) is never closed as idle: it is handed on. */
static void http1_expire(struct mg_connection *c)
{
	if (c->rlen > 0) {
		cw_conn_switch(c, &http1_408);
		cw_conn_release(c, CW_WANT_WRITE, cw_now_ms() + ANSWER_MS);
	} else if (cw_conn_input_waiting(c)) {
		cw_conn_release(c, CW_WANT_READ,
		                cw_now_ms() + c->ctx->opt.request_timeout_ms);
	} else {
		cw_conn_close(c);
	}
}

/* Draining: an idle keep-alive connection goes; one with a request on its
 * way stays until it is answered (with Connection: close). */
static void http1_drain(struct mg_connection *c)
{
	if (c->rlen == 0 && !cw_conn_input_waiting(c))
		cw_conn_close(c);
	else
		cw_conn_release(c, CW_WANT_READ, atomic_load(&c->deadline));
}

static void http1_release(struct mg_connection *c)
{
	cw_exchange_return(c, cw_thread_self());
}

const struct cw_protocol cw_http1_protocol = {
    .name = "http1",
    .run = http1_run,
    .expire = http1_expire,
    .drain = http1_drain,
    .release = http1_release,
};

/* ---- http1 body: the body arrives before the handler runs --------------- */

static void body_run(struct mg_connection *c, struct cw_thread *t)
{
	int r;

	if (cw_conn_input_attach(c, t) != 0) {
		cw_conn_close(c);
		return;
	}
	for (;;) {
		ssize_t n;

		r = cw_body_preread(c);
		if (r >= 0)
			break;
		if (c->rlen ==
		    c->rcap) /* preread made room for all it waits for */
			break;
		n = cw_conn_read(c, c->rbuf + c->rlen, c->rcap - c->rlen);
		if (n > 0) {
			c->x->s.in.bytes += n;
			c->rlen += (uint32_t)n;
			continue;
		}
		if (n == CW_IO_WANT_READ && c->xprt->has_buffered_input(c))
			continue;
		if (n != CW_IO_WANT_READ && n != CW_IO_WANT_WRITE) {
			cw_conn_close(c);
			return;
		}
		if (c->x->s.in.start == 0)
			c->x->s.in.start = cw_now_ms();
		r = cw_conn_park(
		    c, n == CW_IO_WANT_READ ? CW_WANT_READ : CW_WANT_WRITE,
		    cw_pace_deadline(&c->x->s.in, cw_now_ms()));
		if (r == 0)
			return;
		if (r < 0) {
			cw_conn_close(c);
			return;
		}
	}
	cw_conn_switch(c, &cw_http1_protocol);
	if (r > 0)
		fail(c, r);
	else if (run(c, t) &&
	         (c->rlen > 0 || park_idle(c, t, CW_WANT_READ) > 0))
		serve(c, t);
}

/* A body too slow to arrive is answered 408. */
static void body_expire(struct mg_connection *c)
{
	cw_conn_switch(c, &http1_body_408);
	cw_conn_release(c, CW_WANT_WRITE, cw_now_ms() + ANSWER_MS);
}

static const struct cw_protocol http1_body = {
    .name = "http1 body",
    .run = body_run,
    .expire = body_expire,
    .drain = NULL,
    .release = http1_release,
};

/* ---- http1 file: the rest of a file goes out in the event set ----------- */

/* All of the file is out: the request ends, and the connection goes on
 * with the next. */
static void file_done(struct mg_connection *c, struct cw_thread *t)
{
	cw_conn_switch(c, &cw_http1_protocol);
	if (cw_conn_input_attach(c, t) != 0) {
		cw_conn_close(c);
		return;
	}
	if (after_request(c) &&
	    (c->rlen > 0 || park_idle(c, t, CW_WANT_READ) > 0))
		serve(c, t);
}

static void file_run(struct mg_connection *c, struct cw_thread *t)
{
	for (;;) {
		int r = cw_file_out_pump(c);
		int64_t deadline;

		if (r == 0) {
			file_done(c, t);
			return;
		}
		if (r < 0)
			break;
		/* the socket is full: wait for it, within the response's
		 * pace; or throttled: wait, parked, for the next allowance */
		if (c->x->s.out.start == 0)
			c->x->s.out.start = cw_now_ms();
		deadline = r == 3 ? cw_file_out_throttle_park(c)
		                  : cw_pace_deadline(&c->x->s.out, cw_now_ms());
		cw_conn_input_detach(c, t);
		r = cw_conn_park(c, r == 2 ? CW_WANT_READ : CW_WANT_WRITE,
		                 deadline);
		if (r == 0)
			return;
		if (r < 0)
			break;
	}
	cw_conn_close(c);
}

/* A client that reads too slowly is closed, and counted. One that was
 * parked for its next `throttle` allowance is handed to a pool thread,
 * which the registration for writability wakes at once. */
static void file_expire(struct mg_connection *c)
{
	if (cw_file_out_throttle_resume(c)) {
		cw_conn_release(c, CW_WANT_WRITE,
		                cw_pace_deadline(&c->x->s.out, cw_now_ms()));
		return;
	}
	if (c->ctx->conns_ctr != NULL)
		atomic_fetch_add(&c->ctx->conns_ctr->too_slow, 1);
	cw_conn_close(c);
}

static const struct cw_protocol http1_file = {
    .name = "http1 file",
    .run = file_run,
    .expire = file_expire,
    .drain = NULL,
    .release = http1_release,
};

/* ---- http1 408 ---------------------------------------------------------- */

static void answer_408(struct mg_connection *c, struct cw_thread *t)
{
	if (cw_exchange_lend(c, t) != 0 || cw_conn_input_attach(c, t) != 0) {
		cw_conn_close(c);
		return;
	}
	cw_request_refuse(c, 408);
}

static const struct cw_protocol http1_408 = {
    .name = "http1 408",
    .run = answer_408,
    .expire = cw_conn_close,
    .drain = NULL,
    .release = http1_release,
};

/* A request whose body did not arrive in time: its 408 is the request's
 * answer (end_request and the access log see it). */
static void answer_body_408(struct mg_connection *c, struct cw_thread *t)
{
	if (cw_conn_input_attach(c, t) != 0) {
		cw_conn_close(c);
		return;
	}
	cw_conn_switch(c, &cw_http1_protocol);
	fail(c, 408);
}

static const struct cw_protocol http1_body_408 = {
    .name = "http1 body 408",
    .run = answer_body_408,
    .expire = cw_conn_close,
    .drain = NULL,
    .release = http1_release,
};
