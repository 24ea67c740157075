/* io.c - moving a connection's bytes through its transport: without
 * waiting (for the event-driven protocols), and waiting within a pace (for
 * handlers, which block). The one place traffic is counted for the
 * statistics, and where a client too slow for its pace is counted. A
 * pace may carry a `throttle` rate: the blocking sends then go out one
 * allowance at a time, the handler's thread sleeping in between. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/io.h"
#include "util/clock.h"

static void count(struct mg_connection *c, size_t in, size_t out)
{
	struct cw_thread_block *b;

	if (c->is_client || (b = cw_thread_stats(c->ctx)) == NULL)
		return;
	if (in > 0)
		atomic_fetch_add_explicit(&b->bytes_in, in,
		                          memory_order_relaxed);
	if (out > 0)
		atomic_fetch_add_explicit(&b->bytes_out, out,
		                          memory_order_relaxed);
}

ssize_t cw_conn_read(struct mg_connection *c, void *buf, size_t len)
{
	ssize_t n = c->xprt->recv(c, buf, len);

	if (n > 0) {
		count(c, (size_t)n, 0);
		/* a full read may leave more in the socket, and no new edge
		 * will come for it: the next park must look again */
		if ((size_t)n == len)
			atomic_store(&c->pending, 1);
	}
	return n;
}

ssize_t cw_conn_take(struct mg_connection *c, void *buf, size_t len)
{
	if (c->rpos < c->rlen) {
		size_t n = c->rlen - c->rpos < len ? c->rlen - c->rpos : len;

		memcpy(buf, c->rbuf + c->rpos, n);
		c->rpos += (uint32_t)n;
		if (c->rpos == c->rlen)
			c->rpos = c->rlen = 0;
		return (ssize_t)n;
	}
	return cw_conn_read(c, buf, len);
}

/* Below the transport: what precedes its bytes on the socket (a PROXY
 * header before a TLS ClientHello) is read without reading past it. */
ssize_t cw_conn_peek_raw(struct mg_connection *c, void *buf, size_t len)
{
	ssize_t n;

	do
		n = recv(c->fd, buf, len, MSG_PEEK);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return CW_IO_WANT_READ;
	return n < 0 ? CW_IO_ERROR : n;
}

int cw_conn_skip_raw(struct mg_connection *c, size_t len)
{
	char scrap[512];

	while (len > 0) {
		size_t want = len < sizeof scrap ? len : sizeof scrap;
		ssize_t n = recv(c->fd, scrap, want, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		count(c, (size_t)n, 0);
		len -= (size_t)n;
	}
	return 0;
}

static ssize_t writev_counted(struct mg_connection *c, const struct iovec *iov,
                              int iovcnt, int last)
{
	ssize_t n = c->xprt->sendv(c, iov, iovcnt, last);

	if (n > 0)
		count(c, 0, (size_t)n);
	return n;
}

ssize_t cw_conn_writev(struct mg_connection *c, const struct iovec *iov,
                       int iovcnt)
{
	return writev_counted(c, iov, iovcnt, 0);
}

ssize_t cw_conn_writev_last(struct mg_connection *c, const struct iovec *iov,
                            int iovcnt)
{
	return writev_counted(c, iov, iovcnt, 1);
}

ssize_t cw_conn_sendfile(struct mg_connection *c, int fd, off_t *off,
                         size_t len)
{
	ssize_t n = c->xprt->sendfile(c, fd, off, len);

	if (n > 0)
		count(c, 0, (size_t)n);
	return n;
}

void cw_pace_init(struct cw_pace *p, int stall_ms, int grace_ms, int min_rate)
{
	p->start = 0;
	p->bytes = 0;
	p->stall_ms = stall_ms;
	p->grace_ms = grace_ms;
	p->min_rate = min_rate;
	p->failed = 0;
	cw_tbucket_start(&p->limit, 0, 0);
}

int64_t cw_pace_deadline(const struct cw_pace *p, int64_t now)
{
	int64_t d = p->stall_ms >= 0 ? now + p->stall_ms : INT64_MAX;

	if (p->min_rate > 0 && p->start > 0) {
		int64_t r =
		    p->start + p->grace_ms + p->bytes * 1000 / p->min_rate;

		if (r < d)
			d = r;
	}
	return d;
}

/* The client stalled, or fell below the minimum rate: the transfer fails,
 * the connection will close, and it is counted. */
static void too_slow(struct mg_connection *c)
{
	if (!c->is_client && c->ctx->conns_ctr != NULL)
		atomic_fetch_add(&c->ctx->conns_ctr->too_slow, 1);
}

/* poll() for want until deadline (ms, INT64_MAX: none): 1 ready, 0 timed
 * out, -1 error. */
static int poll_until(int fd, int want, int64_t deadline)
{
	struct pollfd p;

	p.fd = fd;
	p.events = (short)((want & CW_WANT_READ ? POLLIN : 0) |
	                   (want & CW_WANT_WRITE ? POLLOUT : 0));
	for (;;) {
		int64_t left =
		    deadline == INT64_MAX ? -1 : deadline - cw_now_ms();
		int r;

		if (deadline != INT64_MAX && left <= 0)
			return 0;
		r = poll(&p, 1,
		         left < 0          ? -1
		         : left > 86400000 ? 86400000
		                           : (int)left);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

int cw_conn_wait(struct mg_connection *c, int want, struct cw_pace *pace)
{
	int64_t now = cw_now_ms(), stall, rate = INT64_MAX, deadline;
	int r;

	if (pace->failed) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (pace->start == 0)
		pace->start = now;
	stall = pace->stall_ms >= 0 ? now + pace->stall_ms : INT64_MAX;
	if (pace->min_rate > 0)
		rate = pace->start + pace->grace_ms +
		       pace->bytes * 1000 / pace->min_rate;
	deadline = rate < stall ? rate : stall;
	r = poll_until(c->fd, want, deadline);
	if (r != 0)
		return r > 0 ? 0 : -1;
	too_slow(c);
	pace->failed = 1;
	errno = ETIMEDOUT;
	return -1;
}

/* After a would-block result: wait for what the transport asked for.
 * For input, nobody may wait on the socket while the transport holds
 * some. */
static int wait_for(struct mg_connection *c, ssize_t code, struct cw_pace *pace)
{
	if (code == CW_IO_WANT_READ && c->xprt->has_buffered_input(c))
		return 0;
	if (code == CW_IO_WANT_READ || code == CW_IO_WANT_WRITE)
		return cw_conn_wait(
		    c, code == CW_IO_WANT_READ ? CW_WANT_READ : CW_WANT_WRITE,
		    pace);
	return -1;
}

ssize_t cw_conn_recv(struct mg_connection *c, void *buf, size_t len,
                     struct cw_pace *pace)
{
	for (;;) {
		ssize_t n = cw_conn_read(c, buf, len);

		if (n > 0) {
			pace->bytes += n;
			return n;
		}
		if (n == 0)
			return 0;
		if (wait_for(c, n, pace) != 0)
			return -1;
	}
}

/* Drop n sent bytes from the front of iov[*k..cnt). */
static void consume_iov(struct iovec *iov, int cnt, int *k, size_t n)
{
	while (n > 0 && *k < cnt) {
		size_t take = n < iov[*k].iov_len ? n : iov[*k].iov_len;

		iov[*k].iov_base = (char *)iov[*k].iov_base + take;
		iov[*k].iov_len -= take;
		n -= take;
		if (iov[*k].iov_len == 0)
			(*k)++;
	}
	while (*k < cnt && iov[*k].iov_len == 0)
		(*k)++;
}

static int sendv_all(struct mg_connection *c, struct iovec *iov, int iovcnt,
                     struct cw_pace *pace)
{
	int k = 0;

	consume_iov(iov, iovcnt, &k, 0);
	while (k < iovcnt) {
		ssize_t n = cw_conn_writev(c, iov + k, iovcnt - k);

		if (n > 0) {
			pace->bytes += n;
			consume_iov(iov, iovcnt, &k, (size_t)n);
			continue;
		}
		if (n == 0 || wait_for(c, n, pace) != 0)
			return -1;
	}
	return 0;
}

static int send_all(struct mg_connection *c, const void *buf, size_t len,
                    struct cw_pace *pace)
{
	struct iovec iov;

	iov.iov_base = (void *)buf;
	iov.iov_len = len;
	return sendv_all(c, &iov, 1, pace);
}

ssize_t cw_conn_throttle_wait(struct mg_connection *c, struct cw_pace *pace,
                              size_t want)
{
	for (;;) {
		int64_t now = cw_now_ms(), ms;
		size_t n = cw_tbucket_allow(&pace->limit, now, want);
		struct timespec ts;

		if (n > 0)
			return (ssize_t)n;
		if (atomic_load(&c->ctx->stopping)) {
			errno = ECANCELED;
			return -1;
		}
		ms = cw_tbucket_wait_ms(&pace->limit, now, want);
		ms = ms < 1 ? 1 : ms > 50 ? 50 : ms;
		ts.tv_sec = 0;
		ts.tv_nsec = ms * 1000000L;
		nanosleep(&ts, NULL);
		if (pace->start > 0)
			pace->start += cw_now_ms() - now;
	}
}

/* The first bytes of iov[0..cnt), at most max of them, in part[0..8).
 * Returns how many entries part holds; *len says how many bytes. */
static int cut_iov(const struct iovec *iov, int cnt, size_t max,
                   struct iovec *part, size_t *len)
{
	int m = 0;

	*len = 0;
	for (int i = 0; i < cnt && m < 8 && *len < max; i++) {
		size_t take =
		    iov[i].iov_len < max - *len ? iov[i].iov_len : max - *len;

		if (take == 0)
			continue;
		part[m].iov_base = iov[i].iov_base;
		part[m++].iov_len = take;
		*len += take;
	}
	return m;
}

/* Send at the pace's limit: each allowance in full, then wait for the
 * next. */
static int sendv_limited(struct mg_connection *c, struct iovec *iov, int iovcnt,
                         struct cw_pace *pace)
{
	int k = 0;

	consume_iov(iov, iovcnt, &k, 0);
	while (k < iovcnt) {
		struct iovec part[8];
		size_t left = 0, len;
		ssize_t n;
		int m;

		for (int i = k; i < iovcnt; i++)
			left += iov[i].iov_len;
		n = cw_conn_throttle_wait(c, pace, left);
		if (n < 0)
			return -1;
		m = cut_iov(iov + k, iovcnt - k, (size_t)n, part, &len);
		if (sendv_all(c, part, m, pace) != 0)
			return -1;
		cw_tbucket_spend(&pace->limit, len);
		consume_iov(iov, iovcnt, &k, len);
	}
	return 0;
}

int cw_conn_sendv(struct mg_connection *c, struct iovec *iov, int iovcnt,
                  struct cw_pace *pace)
{
	if (pace->limit.rate > 0)
		return sendv_limited(c, iov, iovcnt, pace);
	return sendv_all(c, iov, iovcnt, pace);
}

int cw_conn_send(struct mg_connection *c, const void *buf, size_t len,
                 struct cw_pace *pace)
{
	struct iovec iov;

	iov.iov_base = (void *)buf;
	iov.iov_len = len;
	return cw_conn_sendv(c, &iov, 1, pace);
}

/* A transport that cannot send files gets them copied block by block. */
static int copy_file(struct mg_connection *c, int fd, off_t off, long long len,
                     struct cw_pace *pace)
{
	char block[16384];

	while (len > 0) {
		size_t want =
		    len > (long long)sizeof block ? sizeof block : (size_t)len;
		ssize_t n = pread(fd, block, want, off);

		if (n <= 0 || send_all(c, block, (size_t)n, pace) != 0)
			return -1;
		off += n;
		len -= n;
	}
	return 0;
}

static int send_file_all(struct mg_connection *c, int fd, off_t off,
                         long long len, struct cw_pace *pace)
{
	while (len > 0) {
		size_t want = len > (1 << 20) ? (1 << 20) : (size_t)len;
		ssize_t n = cw_conn_sendfile(c, fd, &off, want);

		if (n > 0) {
			len -= n;
			pace->bytes += n;
			continue;
		}
		if (n == CW_IO_UNSUPPORTED)
			return copy_file(c, fd, off, len, pace);
		if (n == 0 || wait_for(c, n, pace) != 0)
			return -1;
	}
	return 0;
}

int cw_conn_send_file(struct mg_connection *c, int fd, off_t off, long long len,
                      struct cw_pace *pace)
{
	if (pace->limit.rate <= 0)
		return send_file_all(c, fd, off, len, pace);
	while (len > 0) {
		ssize_t n = cw_conn_throttle_wait(
		    c, pace, len > (1 << 20) ? (1 << 20) : (size_t)len);

		if (n < 0 || send_file_all(c, fd, off, n, pace) != 0)
			return -1;
		cw_tbucket_spend(&pace->limit, (size_t)n);
		off += n;
		len -= n;
	}
	return 0;
}
