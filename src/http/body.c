/* body.c - reading a message body.
 *
 * Bytes already in the connection's input buffer are taken first; then
 * large reads go straight from the transport into the caller's buffer (no
 * copy). Chunk framing is decoded by cw_chunked_step() over the input
 * buffer, which only ever grows behind the request head, so the head's
 * strings stay valid while the handler reads. mg_read() fills the caller's
 * buffer as far as the body allows, as CivetWeb's does. Every wait is
 * bounded by the request's receive pace (net/conn.h): a client that sends
 * its body slower than min_receive_rate fails the read. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "http/body.h"
#include "http/response.h"

static const char continue_line[] = "HTTP/1.1 100 Continue\r\n\r\n";

void cw_body_begin(struct mg_connection *c, size_t head_len, long long length,
                   int chunked, int until_close)
{
	struct cw_body *b = &c->x->s.body;

	c->x->s.head_len = head_len;
	c->rpos = (uint32_t)head_len;
	memset(b, 0, sizeof *b);
	b->chunked = chunked;
	if (chunked)
		b->left = 0;
	else if (until_close)
		b->left = -1;
	else
		b->left = length > 0 ? length : 0;
	b->done = !chunked && b->left == 0;
}

long long cw_body_limit(const struct mg_context *ctx)
{
	return ctx->opt.max_body_size > 0 ? ctx->opt.max_body_size
	                                  : CW_DEFAULT_MAX_BODY;
}

/* A server refuses the body it is reading: answer status if nothing was
 * sent yet, and close afterwards. */
static void refuse_body(struct mg_connection *c, int status, const char *why)
{
	if (!c->is_client)
		cw_resp_fail_request(c, status, why);
	c->x->s.must_close = 1;
}

/* Read more input behind the unread bytes, keeping the head in
 * rbuf[0..head_len). */
static ssize_t fill(struct mg_connection *c)
{
	size_t keep = c->x->s.head_len;
	ssize_t n;

	if (c->rpos == c->rlen)
		c->rpos = c->rlen = (uint32_t)keep;
	if (c->rlen == c->rcap && c->rpos > keep) {
		memmove(c->rbuf + keep, c->rbuf + c->rpos, c->rlen - c->rpos);
		c->rlen -= c->rpos - (uint32_t)keep;
		c->rpos = (uint32_t)keep;
	}
	if (c->rlen == c->rcap) {
		errno = ENOBUFS;
		return -1;
	}
	n = cw_conn_recv(c, c->rbuf + c->rlen, c->rcap - c->rlen, &c->x->s.in);
	if (n > 0)
		c->rlen += (uint32_t)n;
	return n;
}

/* Take up to want bytes: buffered first, else straight from the socket. */
static ssize_t take(struct mg_connection *c, char *buf, size_t want)
{
	if (c->rpos < c->rlen) {
		size_t have = c->rlen - c->rpos;
		size_t n = want < have ? want : have;

		memcpy(buf, c->rbuf + c->rpos, n);
		c->rpos += (uint32_t)n;
		return (ssize_t)n;
	}
	return cw_conn_recv(c, buf, want, &c->x->s.in);
}

static ssize_t read_length(struct mg_connection *c, char *buf, size_t len)
{
	struct cw_body *b = &c->x->s.body;
	size_t want = len;
	ssize_t n;

	if (b->left >= 0 && (unsigned long long)b->left < want)
		want = (size_t)b->left;
	n = take(c, buf, want);
	if (n == 0 && b->left < 0) {
		b->done = 1; /* a body that ends when the peer closes */
		return 0;
	}
	if (n <= 0) {
		c->x->s.must_close = 1;
		return -1;
	}
	if (b->left > 0) {
		b->left -= n;
		if (b->left == 0)
			b->done = 1;
	}
	return n;
}

/* One step of the chunk decoder st over p[0..n); a chunk whose size line
 * was just read is added to *framed and counts against the body limit at
 * once, before any of its bytes arrive. 0, or the status the body is
 * refused with. */
static int chunk_step(struct mg_connection *c, struct cw_chunked *st,
                      long long *framed, const char *p, size_t n, size_t *used)
{
	uint64_t before = st->data_left;

	if (cw_chunked_step(st, p, n, used) != 0)
		return 400;
	if (before == 0 && st->data_left > 0) {
		*framed += (long long)st->data_left;
		if (!c->is_client && *framed > cw_body_limit(c->ctx))
			return 413;
	}
	return 0;
}

static ssize_t read_chunked(struct mg_connection *c, char *buf, size_t len)
{
	struct cw_body *b = &c->x->s.body;

	while (!b->chunk.done) {
		size_t used = 0;
		int refused;

		if (b->chunk.data_left > 0) {
			size_t want = len;
			ssize_t n;

			if (b->chunk.data_left < want)
				want = (size_t)b->chunk.data_left;
			n = take(c, buf, want);
			if (n <= 0)
				break;
			b->chunk.data_left -= (uint64_t)n;
			return n;
		}
		if (c->rpos == c->rlen && fill(c) <= 0)
			break;
		refused =
		    chunk_step(c, &b->chunk, &b->framed, c->rbuf + c->rpos,
		               c->rlen - c->rpos, &used);
		if (refused != 0) {
			refuse_body(c, refused,
			            refused == 413 ? "Request body too large"
			                           : "Malformed chunked body");
			b->done = 1;
			return -1;
		}
		c->rpos += (uint32_t)used;
	}
	if (b->chunk.done) {
		b->done = 1;
		return 0;
	}
	c->x->s.must_close = 1;
	return -1;
}

static ssize_t read_some(struct mg_connection *c, char *buf, size_t len)
{
	struct cw_body *b = &c->x->s.body;
	ssize_t n;

	if (b->done)
		return 0;
	n = b->chunked ? read_chunked(c, buf, len) : read_length(c, buf, len);
	if (n > 0)
		b->read += n;
	return n;
}

/* The client said "Expect: 100-continue": it waits for us before sending
 * the body, so say so the first time the body is wanted. */
static int send_continue(struct mg_connection *c)
{
	c->x->s.body.continue_pending = 0;
	if (c->x->s.resp.state != CW_RESP_NONE)
		return 0;
	return cw_conn_send(c, continue_line, sizeof continue_line - 1,
	                    &c->x->s.out);
}

int mg_read(struct mg_connection *conn, void *buf, size_t len)
{
	size_t total = 0;

	if (conn == NULL || conn->x == NULL || (buf == NULL && len > 0))
		return -1;
	if (len > INT_MAX)
		len = INT_MAX;
	if (conn->x->s.body.continue_pending && send_continue(conn) != 0)
		return -1;
	while (total < len && !conn->x->s.body.done) {
		ssize_t n = read_some(conn, (char *)buf + total, len - total);

		if (n < 0)
			return total > 0 ? (int)total : -1;
		if (n == 0)
			break;
		total += (size_t)n;
	}
	return (int)total;
}

/* ---- receiving a body before the handler runs ---------------------------- */

/* Walk the chunk framing of what is buffered, from where the last look
 * ended: 0 the body is all here, < 0 more must come, > 0 refused. */
static int scan_chunked(struct mg_connection *c)
{
	struct cw_body *b = &c->x->s.body;
	struct cw_chunked *st = &b->scan;
	size_t pos = c->rpos + b->scan_pos;

	while (!st->done && pos < c->rlen) {
		size_t used = 0;
		int refused;

		if (st->data_left > 0) {
			size_t have = c->rlen - pos;
			size_t skip =
			    st->data_left < have ? (size_t)st->data_left : have;

			st->data_left -= skip;
			pos += skip;
			continue;
		}
		refused = chunk_step(c, st, &b->scan_framed, c->rbuf + pos,
		                     c->rlen - pos, &used);
		if (refused != 0)
			return refused;
		pos += used;
	}
	b->scan_pos = pos - c->rpos;
	return st->done ? 0 : -1;
}

/* Make room for cap bytes of input; the parsed head moves along if the
 * buffer does. 0, or the status to refuse the request with. */
static int make_room(struct mg_connection *c, size_t cap)
{
	const char *old = c->rbuf;
	size_t len = c->rcap;

	if (cw_conn_input_reserve(c, cap) != 0)
		return 500;
	if (c->rbuf != old)
		cw_exchange_rebase(c->x, old, len, c->rbuf);
	return 0;
}

int cw_body_preread(struct mg_connection *c)
{
	struct cw_body *b = &c->x->s.body;
	size_t limit = (size_t)c->ctx->opt.body_buffer_size;
	size_t have = c->rlen - c->rpos;
	int r;

	if (b->done || b->continue_pending)
		return 0;
	if (!b->chunked) {
		if ((unsigned long long)b->left <= have ||
		    (unsigned long long)b->left > limit)
			return 0;
		r = make_room(c, c->rpos + (size_t)b->left);
		return r != 0 ? r : -1;
	}
	r = scan_chunked(c);
	if (r >= 0)
		return r;
	/* more framing to come: receive up to the limit, then let the
	 * handler read the rest as it goes */
	if (have >= limit)
		return 0;
	r = make_room(c, c->rpos + limit);
	return r != 0 ? r : -1;
}

int cw_body_discard(struct mg_connection *c, long long limit)
{
	char sink[4096];
	long long total = 0;

	if (c->x->s.body.continue_pending) {
		/* never asked for: the client may not send it at all */
		return c->x->s.body.done ? 0 : -1;
	}
	while (!c->x->s.body.done && total <= limit) {
		ssize_t n = read_some(c, sink, sizeof sink);

		if (n <= 0)
			break;
		total += n;
	}
	return c->x->s.body.done ? 0 : -1;
}

long long mg_store_body(struct mg_connection *conn, const char *path)
{
	char buf[16384];
	long long total = 0;
	int fd, n;

	if (conn == NULL || path == NULL)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		cw_log_error(NULL, conn, "mg_store_body: %s: %s", path,
		             strerror(errno));
		return -1;
	}
	while ((n = mg_read(conn, buf, sizeof buf)) > 0) {
		if (write(fd, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
		total += n;
	}
	if (close(fd) != 0 || n < 0) {
		unlink(path);
		return -1;
	}
	return total;
}
