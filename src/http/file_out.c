/* file_out.c - responses that end with a file, written out by the
 * connection (see file_out.h).
 *
 * Nothing here waits: the head and the first block go in one non-blocking
 * write (a small file is then complete, in one system call, as before);
 * what the socket did not take stays in the exchange's output buffer, and
 * the rest of the file follows by the transport's sendfile, or block by
 * block through that buffer when the transport cannot send files. A
 * client that reads slowly therefore holds only its connection and its
 * exchange, never a thread.
 *
 * Under `throttle` every write is cut to the response's allowance (its
 * pace's token bucket); with none left the pump says so (3), and the
 * connection parks until the next allowance is due, the timer waking it:
 * a throttled download holds no thread either. A handler that writes
 * after its file (cw_file_out_drain) waits for the allowance in its own
 * thread, as its other writes do. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/file_out.h"
#include "http/zfilter.h"
#include "util/clock.h"

#define BLOCK (64 * 1024)

/* The pump's own code: the throttle's allowance is spent. */
#define THROTTLED (-100)

/* Bytes sent for this response: the access log's count. */
static void sent(struct mg_connection *c, size_t n)
{
	c->x->s.resp.bytes += (long long)n;
	c->x->s.out.bytes += (long long)n;
	if (c->x->s.out.limit.rate > 0)
		cw_tbucket_spend(&c->x->s.out.limit, n);
}

/* How many of want bytes may go now: all, unless throttled. */
static size_t allowance(struct mg_connection *c, size_t want)
{
	struct cw_tbucket *b = &c->x->s.out.limit;

	return b->rate > 0 ? cw_tbucket_allow(b, cw_now_ms(), want) : want;
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
		struct iovec iov = {b->data + r->out_pos,
		                    allowance(c, b->len - r->out_pos)};
		ssize_t n;

		if (iov.iov_len == 0)
			return THROTTLED;
		n = cw_conn_writev(c, &iov, 1);
		if (n <= 0)
			return n == 0 ? CW_IO_ERROR : (int)n;
		r->out_pos += (size_t)n;
		sent(c, (size_t)n);
	}
	b->len = r->out_pos = 0;
	return 0;
}

/* Keep what was not sent of the held head (the output buffer's first
 * head_len bytes) and of block[0..n), after `done` bytes went out, in the
 * output buffer, in place: no copy of either on the stack. */
static int keep_unsent(struct mg_connection *c, size_t head_len,
                       const char *block, size_t n, size_t done)
{
	struct cw_buf *b = &c->x->out;

	c->x->s.resp.out_pos = 0;
	if (done < head_len) {
		memmove(b->data, b->data + done, head_len - done);
		b->len = head_len - done;
		return cw_buf_add(b, block, n, 2 * BLOCK);
	}
	b->len = 0;
	return cw_buf_add(b, block + (done - head_len), n - (done - head_len),
	                  2 * BLOCK);
}

/* Is this the whole response of a connection that closes right after it,
 * with no application callback in between to delay the close? Then it
 * goes out with the close, in one packet with the FIN. */
static int closes_after(const struct mg_connection *c, int whole, int last)
{
	const struct mg_callbacks *cb = &c->ctx->cb;

	return whole && last && c->x->s.must_close && cb->end_request == NULL &&
	       cb->log_access == NULL;
}

int cw_file_out_begin(struct mg_connection *c, int fd, const char *data,
                      off_t off, long long len, int last)
{
	struct cw_resp *r = &c->x->s.resp;
	struct cw_buf *b = &c->x->out;
	char stack[BLOCK / 4];
	const char *block = data != NULL ? data + off : stack;
	struct iovec iov[2];
	/* A file larger than the block goes by sendfile from its first byte:
	 * copying a first block to send it with the head costs more than the
	 * one system call it saves (measured with 1 MiB files) */
	int by_sendfile = len > (long long)sizeof stack && c->xprt->zero_copy &&
	                  c->ctx->opt.allow_sendfile;
	/* The library's own answer, sendfile next at once (no pace): the head
	 * is held for the file's first bytes and both go in full segments.
	 * Sent alone, it is one small packet per response, and (measured with
	 * 1 MiB files on loopback) the file's segments then wait for
	 * acknowledgements in the client's context. */
	int hold = last && by_sendfile && c->x->s.out.limit.rate == 0;
	size_t want = by_sendfile                     ? 0
	              : len > (long long)sizeof stack ? sizeof stack
	                                              : (size_t)len;
	ssize_t n = 0, w;
	size_t total;

	if (r->no_body || len <= 0)
		return 0;
	if (cw_file_out_pending(c) && cw_file_out_drain(c) != 0)
		return -1;
	if (c->x->s.out.limit.rate > 0)
		want = 0; /* the head alone; the body at the allowance's pace */
	if (b->len + want > BLOCK) /* a large head: it goes first, alone */
		want = b->len < BLOCK ? BLOCK - b->len : 0;
	if (data != NULL)
		n = (ssize_t)want; /* in memory: no read */
	else if (want > 0 && (n = pread(fd, stack, want, off)) <= 0) {
		c->x->s.must_close = 1;
		return -1;
	}
	iov[0].iov_base = b->data;
	iov[0].iov_len = b->len; /* the held head */
	iov[1].iov_base = (void *)block;
	iov[1].iov_len = (size_t)n;
	total = b->len + (size_t)n;
	w = closes_after(c, n == len, last) || hold
	        ? cw_conn_writev_last(c, iov, 2)
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
	if (keep_unsent(c, iov[0].iov_len, block, (size_t)n,
	                w > 0 ? (size_t)w : 0) != 0 ||
	    (r->file_fd = dup(fd)) < 0) {
		c->x->s.must_close = 1;
		return -1;
	}
	r->file_off = off + n;
	r->file_left = len - n;
	r->file_copy = !c->ctx->opt.allow_sendfile;
	return 0;
}

struct cw_out_plan *cw_out_plan_new(int n)
{
	struct cw_out_plan *p =
	    calloc(1, sizeof *p + (size_t)n * sizeof p->piece[0]);

	if (p != NULL) {
		p->fd = -1;
		p->n = n;
	}
	return p;
}

void cw_out_plan_free(struct cw_out_plan *p)
{
	if (p == NULL)
		return;
	if (p->fd >= 0)
		close(p->fd);
	if (p->release != NULL)
		p->release(p->owner, p->arg);
	free(p);
}

void cw_file_out_drop(struct cw_resp *r)
{
	if (r->file_fd >= 0)
		close(r->file_fd);
	r->file_fd = -1;
	cw_out_plan_free(r->plan);
	r->plan = NULL;
	cw_zfilter_free(r);
}

int cw_file_out_plan(struct mg_connection *c, struct cw_out_plan *p,
                     long long len)
{
	struct cw_resp *r = &c->x->s.resp;

	if (r->no_body || len <= 0) {
		cw_out_plan_free(p);
		return 0;
	}
	/* the held head goes out with the first piece's memory */
	r->out_pos = 0;
	r->head_held = 0;
	r->body_sent += len;
	r->plan = p;
	r->file_fd = p->fd;
	p->fd = -1;
	r->file_left = 0;
	r->file_copy = !c->ctx->opt.allow_sendfile;
	return 0;
}

int cw_file_out_pending(const struct mg_connection *c)
{
	return c->x->s.resp.file_fd >= 0 || c->x->s.resp.plan != NULL;
}

/* The memory of the plan's next piece, with what waits in the output
 * buffer before it in the same write; then its file range becomes the
 * file part to send. 0 when done with it, else a CW_IO_* code. */
static int plan_step(struct mg_connection *c)
{
	struct cw_resp *r = &c->x->s.resp;
	struct cw_out_plan *p = r->plan;
	struct cw_out_piece *q = &p->piece[p->next];
	struct cw_buf *b = &c->x->out;

	while (p->mem_pos < q->mem_len) {
		struct iovec iov[2];
		int k = 0;
		size_t head = b->len - r->out_pos, allow;
		ssize_t n;

		if (head > 0) {
			iov[k].iov_base = b->data + r->out_pos;
			iov[k++].iov_len = head;
		}
		iov[k].iov_base = (char *)q->mem + p->mem_pos;
		iov[k++].iov_len = q->mem_len - p->mem_pos;
		if ((allow = allowance(c, head + iov[k - 1].iov_len)) == 0)
			return THROTTLED;
		if (allow <= head)
			iov[0].iov_len = allow, k = 1;
		else
			iov[k - 1].iov_len = allow - head;
		n = cw_conn_writev(c, iov, k);
		if (n <= 0)
			return n == 0 ? CW_IO_ERROR : (int)n;
		sent(c, (size_t)n);
		if ((size_t)n < head) {
			r->out_pos += (size_t)n;
			continue;
		}
		b->len = r->out_pos = 0;
		p->mem_pos += (size_t)n - head;
	}
	r->file_off = q->off;
	r->file_left = q->len;
	p->next++;
	p->mem_pos = 0;
	return 0;
}

/* A CW_IO_* code as cw_file_out_pump's result: 1, 2, or -1 to close. */
static int waits(int code)
{
	if (code == CW_IO_WANT_WRITE)
		return 1;
	if (code == THROTTLED)
		return 3;
	return code == CW_IO_WANT_READ ? 2 : -1;
}

static int plan_left(const struct cw_resp *r)
{
	return r->plan != NULL && r->plan->next < r->plan->n;
}

/* The next step of the file part: 0 done some, else a CW_IO_* code. */
static int file_step(struct mg_connection *c)
{
	struct cw_resp *r = &c->x->s.resp;
	ssize_t n;
	size_t want;

	if (r->file_copy)
		return refill(c) == 0 ? 0 : CW_IO_ERROR;
	want = allowance(c, r->file_left > (256 << 10) ? (256 << 10)
	                                               : (size_t)r->file_left);
	if (want == 0)
		return THROTTLED;
	n = cw_conn_sendfile(c, r->file_fd, &r->file_off, want);
	if (n > 0) {
		r->file_left -= n;
		sent(c, (size_t)n);
		return 0;
	}
	if (n == CW_IO_UNSUPPORTED) {
		r->file_copy = 1;
		return 0;
	}
	return n == 0 ? CW_IO_ERROR : (int)n;
}

int64_t cw_file_out_throttle_park(struct mg_connection *c)
{
	int64_t now = cw_now_ms();

	c->x->s.resp.throttled_at = now;
	return now + cw_tbucket_wait_ms(&c->x->s.out.limit, now, BLOCK);
}

int cw_file_out_throttle_resume(struct mg_connection *c)
{
	struct cw_resp *r = &c->x->s.resp;

	if (r->throttled_at == 0)
		return 0;
	/* the wait was the server's, not the client's: off the pace */
	if (c->x->s.out.start > 0)
		c->x->s.out.start += cw_now_ms() - r->throttled_at;
	r->throttled_at = 0;
	return 1;
}

int cw_file_out_pump(struct mg_connection *c)
{
	struct cw_resp *r = &c->x->s.resp;
	int f;

	if (r->throttled_at != 0)
		cw_file_out_throttle_resume(c);

	for (;;) {
		if (r->file_left == 0 && plan_left(r))
			f = plan_step(c); /* sends what is pending first */
		else if ((f = flush_pending(c)) == 0 && r->file_left > 0)
			f = file_step(c);
		else if (f == 0)
			break; /* all out */
		if (f != 0) {
			if (waits(f) > 0)
				return waits(f);
			break;
		}
	}
	if (r->file_left == 0 && !plan_left(r) && r->out_pos >= c->x->out.len) {
		cw_file_out_drop(r);
		return 0;
	}
	cw_file_out_drop(r);
	c->x->out.len = r->out_pos = 0;
	c->x->s.must_close = 1;
	return -1;
}

int cw_file_out_drain(struct mg_connection *c)
{
	for (;;) {
		int r = cw_file_out_pump(c);

		if (r <= 0)
			return r;
		if (r == 3
		        ? cw_conn_throttle_wait(c, &c->x->s.out, BLOCK) < 0
		        : cw_conn_wait(c, r == 2 ? CW_WANT_READ : CW_WANT_WRITE,
		                       &c->x->s.out) != 0) {
			cw_file_out_drop(&c->x->s.resp);
			c->x->out.len = c->x->s.resp.out_pos = 0;
			c->x->s.must_close = 1;
			return -1;
		}
	}
}
