/* file_out.c - responses that end with a file, written out by the
 * connection (see file_out.h).
 *
 * Nothing here waits: the head and the first block go in one non-blocking
 * write (a small file is then complete, in one system call, as before);
 * what the socket did not take stays in the exchange's output buffer, and
 * the rest of the file follows by the transport's sendfile, or block by
 * block through that buffer when the transport cannot send files. A
 * client that reads slowly therefore holds only its connection and its
 * exchange, never a thread. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "http/file_out.h"

#define BLOCK (64 * 1024)

/* Bytes sent for this response: the access log's count. */
static void sent(struct mg_connection *c, size_t n)
{
	c->x->s.resp.bytes += (long long)n;
	c->x->s.out.bytes += (long long)n;
}

/* Read the next block of the file into the (empty) output buffer. */
static int refill(struct mg_connection *c)
{
	struct cw_resp *r = &c->x->s.resp;
	struct cw_buf *b = &c->x->out;
	size_t want = r->file_left > BLOCK ? BLOCK : (size_t)r->file_left;
	ssize_t n;

	b->len = r->out_pos = 0;
	if (cw_buf_reserve(b, want, BLOCK) != 0)
		return -1;
	n = pread(r->file_fd, b->data, want, r->file_off);
	if (n <= 0)
		return -1;
	b->len = (size_t)n;
	r->file_off += n;
	r->file_left -= n;
	return 0;
}

/* Send what waits in the output buffer. 0 all of it, else a CW_IO_*. */
static int flush_pending(struct mg_connection *c)
{
	struct cw_resp *r = &c->x->s.resp;
	struct cw_buf *b = &c->x->out;

	while (r->out_pos < b->len) {
		struct iovec iov = {b->data + r->out_pos, b->len - r->out_pos};
		ssize_t n = cw_conn_writev(c, &iov, 1);

		if (n <= 0)
			return n == 0 ? CW_IO_ERROR : (int)n;
		r->out_pos += (size_t)n;
		sent(c, (size_t)n);
	}
	b->len = r->out_pos = 0;
	return 0;
}

/* Keep the unsent tail of iov[0..n) (after `done` bytes) in the output
 * buffer. */
static int keep_unsent(struct mg_connection *c, const struct iovec *iov, int n,
                       size_t done)
{
	struct cw_buf *b = &c->x->out;
	char tmp[BLOCK];
	size_t len = 0;

	for (int i = 0; i < n; i++) {
		size_t skip = done < iov[i].iov_len ? done : iov[i].iov_len;

		memcpy(tmp + len, (char *)iov[i].iov_base + skip,
		       iov[i].iov_len - skip);
		len += iov[i].iov_len - skip;
		done -= skip;
	}
	b->len = c->x->s.resp.out_pos = 0;
	return cw_buf_add(b, tmp, len, 2 * BLOCK);
}

/* Is this the whole response of a connection that closes right after it,
 * with no application callback in between to delay the close? Then it
 * goes out with the close, in one packet with the FIN. */
static int closes_after(const struct mg_connection *c, int whole)
{
	const struct mg_callbacks *cb = &c->ctx->cb;

	return whole && c->x->s.must_close && cb->end_request == NULL &&
	       cb->log_access == NULL;
}

int cw_file_out_begin(struct mg_connection *c, int fd, off_t off, long long len)
{
	struct cw_resp *r = &c->x->s.resp;
	struct cw_buf *b = &c->x->out;
	char block[BLOCK / 4];
	struct iovec iov[2];
	ssize_t n, w;
	size_t total;

	if (r->no_body || len <= 0)
		return 0;
	n = pread(fd, block,
	          len > (long long)sizeof block ? sizeof block : (size_t)len,
	          off);
	if (n <= 0 || b->len + (size_t)n > BLOCK) {
		c->x->s.must_close = 1;
		return -1;
	}
	iov[0].iov_base = b->data;
	iov[0].iov_len = b->len; /* the held head */
	iov[1].iov_base = block;
	iov[1].iov_len = (size_t)n;
	total = b->len + (size_t)n;
	w = closes_after(c, n == len) ? cw_conn_writev_last(c, iov, 2)
	                              : cw_conn_writev(c, iov, 2);
	if (w < 0 && w != CW_IO_WANT_WRITE && w != CW_IO_WANT_READ) {
		c->x->s.must_close = 1;
		return -1;
	}
	if (w > 0)
		sent(c, (size_t)w);
	r->head_held = 0;
	r->body_sent += len; /* all of it is on its way */
	if (w == (ssize_t)total && n == len) {
		b->len = 0;
		return 0;
	}
	if (keep_unsent(c, iov, 2, w > 0 ? (size_t)w : 0) != 0 ||
	    (r->file_fd = dup(fd)) < 0) {
		c->x->s.must_close = 1;
		return -1;
	}
	r->file_off = off + n;
	r->file_left = len - n;
	r->file_copy = !c->ctx->opt.allow_sendfile;
	return 0;
}

int cw_file_out_pending(const struct mg_connection *c)
{
	return c->x->s.resp.file_fd >= 0;
}

int cw_file_out_pump(struct mg_connection *c)
{
	struct cw_resp *r = &c->x->s.resp;

	for (;;) {
		int f = flush_pending(c);
		ssize_t n;

		if (f == CW_IO_WANT_WRITE || f == CW_IO_WANT_READ)
			return f == CW_IO_WANT_WRITE ? 1 : 2;
		if (f != 0)
			break;
		if (r->file_left == 0)
			break;
		if (r->file_copy) {
			if (refill(c) != 0)
				break;
			continue;
		}
		n = cw_conn_sendfile(c, r->file_fd, &r->file_off,
		                     r->file_left > (1 << 20)
		                         ? (1 << 20)
		                         : (size_t)r->file_left);
		if (n > 0) {
			r->file_left -= n;
			sent(c, (size_t)n);
		} else if (n == CW_IO_UNSUPPORTED) {
			r->file_copy = 1;
		} else if (n == CW_IO_WANT_WRITE || n == CW_IO_WANT_READ) {
			return n == CW_IO_WANT_WRITE ? 1 : 2;
		} else {
			break;
		}
	}
	close(r->file_fd);
	r->file_fd = -1;
	if (r->file_left > 0 || r->out_pos < c->x->out.len) {
		c->x->out.len = r->out_pos = 0;
		c->x->s.must_close = 1;
		return -1;
	}
	return 0;
}
