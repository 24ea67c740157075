/* body.c - reading a message body.
 *
 * Bytes already in the connection's input buffer are taken first; then
 * large reads go straight from the socket into the caller's buffer (no
 * copy). Chunk framing is decoded by cw_chunked_step() over the input
 * buffer, which only ever grows behind the request head, so the head's
 * strings stay valid while the handler reads. mg_read() fills the caller's
 * buffer as far as the body allows, as CivetWeb's does. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "http/body.h"
#include "net/conn.h"
#include "core/log.h"
#include "http/response.h"

static const char continue_line[] = "HTTP/1.1 100 Continue\r\n\r\n";

void cw_body_begin(struct mg_connection *c, size_t head_len, long long length,
                   int chunked, int until_close)
{
	c->head_end = head_len;
	c->rpos = head_len;
	memset(&c->chunk, 0, sizeof c->chunk);
	c->body_chunked = chunked;
	c->body_read = 0;
	if (chunked)
		c->body_left = 0;
	else if (until_close)
		c->body_left = -1;
	else
		c->body_left = length > 0 ? length : 0;
	c->body_done = !chunked && c->body_left == 0;
}

long long cw_body_limit(const struct mg_context *ctx)
{
	return ctx->opt.max_body_size > 0 ? ctx->opt.max_body_size
	                                  : CW_DEFAULT_MAX_BODY;
}

static int timeout_of(const struct mg_connection *c)
{
	int ms = c->ctx != NULL ? c->ctx->opt.request_timeout_ms : 30000;

	return ms > 0 ? ms : -1;
}

static void count_in(struct mg_connection *c, size_t n)
{
	struct cw_thread_block *b = c->is_client ? NULL : cw_my_block(c->ctx);

	if (b != NULL)
		atomic_fetch_add_explicit(&b->bytes_in, n,
		                          memory_order_relaxed);
}

/* Read more input behind the unread bytes, keeping rbuf[0..head_end). */
static ssize_t fill(struct mg_connection *c)
{
	ssize_t n;

	if (c->rpos == c->rlen)
		c->rpos = c->rlen = c->head_end;
	if (c->rlen == c->rcap && c->rpos > c->head_end) {
		memmove(c->rbuf + c->head_end, c->rbuf + c->rpos,
		        c->rlen - c->rpos);
		c->rlen -= c->rpos - c->head_end;
		c->rpos = c->head_end;
	}
	if (c->rlen == c->rcap) {
		errno = ENOBUFS;
		return -1;
	}
	n = cw_conn_recv(c, c->rbuf + c->rlen, c->rcap - c->rlen,
	                 timeout_of(c));
	if (n > 0) {
		c->rlen += (size_t)n;
		count_in(c, (size_t)n);
	}
	return n;
}

/* Take up to want bytes: buffered first, else straight from the socket. */
static ssize_t take(struct mg_connection *c, char *buf, size_t want)
{
	ssize_t n;

	if (c->rpos < c->rlen) {
		size_t have = c->rlen - c->rpos;

		n = (ssize_t)(want < have ? want : have);
		memcpy(buf, c->rbuf + c->rpos, (size_t)n);
		c->rpos += (size_t)n;
		return n;
	}
	n = cw_conn_recv(c, buf, want, timeout_of(c));
	if (n > 0)
		count_in(c, (size_t)n);
	return n;
}

static ssize_t read_length(struct mg_connection *c, char *buf, size_t len)
{
	size_t want = len;
	ssize_t n;

	if (c->body_left >= 0 && (unsigned long long)c->body_left < want)
		want = (size_t)c->body_left;
	n = take(c, buf, want);
	if (n == 0 && c->body_left < 0) {
		c->body_done = 1; /* a body that ends when the peer closes */
		return 0;
	}
	if (n <= 0) {
		c->must_close = 1;
		return -1;
	}
	if (c->body_left > 0) {
		c->body_left -= n;
		if (c->body_left == 0)
			c->body_done = 1;
	}
	return n;
}

static ssize_t read_chunked(struct mg_connection *c, char *buf, size_t len)
{
	while (!c->chunk.done) {
		size_t used = 0;
		ssize_t n;

		if (c->chunk.data_left > 0) {
			size_t want = len;

			if (c->chunk.data_left < want)
				want = (size_t)c->chunk.data_left;
			n = take(c, buf, want);
			if (n <= 0)
				break;
			c->chunk.data_left -= (uint64_t)n;
			return n;
		}
		if (c->rpos == c->rlen && fill(c) <= 0)
			break;
		if (cw_chunked_step(&c->chunk, c->rbuf + c->rpos,
		                    c->rlen - c->rpos, &used) != 0) {
			if (!c->is_client)
				cw_resp_fail_request(c, 400,
				                     "Malformed chunked body");
			break;
		}
		c->rpos += used;
	}
	if (c->chunk.done) {
		c->body_done = 1;
		return 0;
	}
	c->must_close = 1;
	return -1;
}

static ssize_t read_some(struct mg_connection *c, char *buf, size_t len)
{
	ssize_t n;

	if (c->body_done)
		return 0;
	n = c->body_chunked ? read_chunked(c, buf, len)
	                    : read_length(c, buf, len);
	if (n > 0)
		c->body_read += n;
	if (n > 0 && c->body_chunked && !c->is_client &&
	    c->body_read > cw_body_limit(c->ctx)) {
		cw_resp_fail_request(c, 413, "Request body too large");
		c->body_done = 1;
		return -1;
	}
	return n;
}

/* The client said "Expect: 100-continue": it waits for us before sending
 * the body, so say so the first time the body is wanted. */
static int send_continue(struct mg_connection *c)
{
	c->continue_pending = 0;
	if (c->resp.state != CW_RESP_NONE)
		return 0;
	return cw_conn_send(c, continue_line, sizeof continue_line - 1,
	                    timeout_of(c));
}

int mg_read(struct mg_connection *conn, void *buf, size_t len)
{
	size_t total = 0;

	if (conn == NULL || (buf == NULL && len > 0))
		return -1;
	if (len > INT_MAX)
		len = INT_MAX;
	if (conn->continue_pending && send_continue(conn) != 0)
		return -1;
	while (total < len && !conn->body_done) {
		ssize_t n = read_some(conn, (char *)buf + total, len - total);

		if (n < 0)
			return total > 0 ? (int)total : -1;
		if (n == 0)
			break;
		total += (size_t)n;
	}
	return (int)total;
}

int cw_body_discard(struct mg_connection *c, long long limit)
{
	char sink[4096];
	long long total = 0;

	if (c->continue_pending) {
		/* never asked for: the client may not send it at all */
		return c->body_done ? 0 : -1;
	}
	while (!c->body_done && total <= limit) {
		ssize_t n = read_some(c, sink, sizeof sink);

		if (n <= 0)
			break;
		total += n;
	}
	return c->body_done ? 0 : -1;
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
