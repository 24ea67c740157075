/* response.c - the output path.
 *
 * CivetWeb handlers write raw HTTP (mg_printf("HTTP/1.1 200 OK\r\n...")),
 * so the library reads what they write: the response head is collected in
 * the thread's output buffer until its blank line, inspected once (status,
 * Content-Length, chunked, Connection), and only then sent. That gives:
 *  - the status for end_request, the access log and the statistics;
 *  - framing we can trust: a response without a length, or whose body falls
 *    short of its Content-Length, closes the connection instead of
 *    desynchronising the client;
 *  - "Connection: close" put into the head whenever the connection will
 *    close (keep-alive off, draining, client asked), so clients such as
 *    load balancers and benchmarks never reuse a connection we close;
 *  - one send() for head and first body bytes, with TCP_NODELAY on, which is
 *    why there is no Nagle/delayed-ACK stall.
 * Body bytes are written through at once (streaming handlers rely on it). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "civetd.h"
#include "core/log.h"
#include "http/file_out.h"
#include "http/response.h"
#include "http/zfilter.h"
#include "net/conn.h"
#include "net/listen.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/codec.h"
#include "util/text.h"
#include "util/throttle_rules.h"

const char cw_no_cache_headers[] =
    "Cache-Control: no-cache, no-store, must-revalidate, private, "
    "max-age=0\r\nPragma: no-cache\r\nExpires: 0\r\n";

/* ---- dates ------------------------------------------------------------ */

void cw_http_date(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

const char *cw_http_date_now(void)
{
	static __thread time_t cached;
	static __thread char text[40];
	time_t now = time(NULL);

	if (now != cached) {
		cw_http_date(now, text, sizeof text);
		cached = now;
	}
	return text;
}

/* ---- state -------------------------------------------------------------- */

int cw_resp_started(const struct mg_connection *c)
{
	const struct cw_exchange *x = c->x;

	return x->s.resp.state != CW_RESP_NONE || x->s.resp.bytes > 0 ||
	       x->out.len > 0;
}

int cw_resp_keep_alive(const struct mg_connection *c)
{
	const struct mg_context *ctx = c->ctx;

	return ctx->opt.enable_keep_alive && c->x->s.client_keep_alive &&
	       !c->x->s.must_close && !c->is_client &&
	       !atomic_load_explicit(&ctx->draining, memory_order_relaxed) &&
	       !atomic_load_explicit(&ctx->stopping, memory_order_relaxed);
}

void cw_resp_choose_throttle(struct mg_connection *c)
{
	struct cw_exchange *x = c->x;
	int rate = cw_throttle_rate(c->ctx->opt.throttle, &c->peer.sa,
	                            x->ri.local_uri);

	cw_tbucket_start(&x->s.out.limit, rate, cw_now_ms());
}

/* Bytes of this response, for the access log (the statistics count
 * traffic in net/conn.c). */
static void count_out(struct mg_connection *c, size_t n)
{
	c->x->s.resp.bytes += (long long)n;
}

/* Send the held output followed by iov[0..n). */
static int flush_with(struct mg_connection *c, const struct iovec *extra, int n)
{
	struct iovec iov[8];
	size_t total = 0;
	int k = 0;

	/* a file the handler sent goes out first, in full */
	if (cw_file_out_pending(c) && cw_file_out_drain(c) != 0)
		return -1;
	if (c->x->out.len > 0) {
		iov[k].iov_base = c->x->out.data;
		iov[k++].iov_len = c->x->out.len;
	}
	for (int i = 0; i < n && k < 8; i++)
		iov[k++] = extra[i];
	for (int i = 0; i < k; i++)
		total += iov[i].iov_len;
	c->x->out.len = 0;
	c->x->s.resp.head_held = 0;
	if (total == 0)
		return 0;
	if (cw_conn_sendv(c, iov, k, &c->x->s.out) != 0) {
		c->x->s.must_close = 1;
		return -1;
	}
	count_out(c, total);
	return 0;
}

/* ---- reading the head a handler wrote ---------------------------------- */

struct head_facts {
	int status;
	long long length;
	int chunked;
	int close;
	int keep_alive;
	int bad;
	const char *ctype; /* Content-Type value, for the compression filter */
	size_t ctype_len;
	int encoded; /* a Content-Encoding line */
};

/* Position just past the blank line ending a head, or 0. */
static size_t head_end(const char *p, size_t len, size_t from)
{
	for (size_t i = from; i < len; i++) {
		if (p[i] != '\n')
			continue;
		if (i >= 1 && p[i - 1] == '\n')
			return i + 1;
		if (i >= 2 && p[i - 1] == '\r' && p[i - 2] == '\n')
			return i + 1;
	}
	return 0;
}

static int token_in(const char *v, size_t len, const char *tok)
{
	size_t tl = strlen(tok);

	for (size_t i = 0; i + tl <= len; i++)
		if (cw_memcaseeq(v + i, tok, tl) == 0)
			return 1;
	return 0;
}

static void inspect_line(const char *line, size_t len, struct head_facts *f)
{
	const char *colon = memchr(line, ':', len), *v;
	size_t nlen, vlen;

	if (colon == NULL)
		return;
	nlen = (size_t)(colon - line);
	v = colon + 1;
	vlen = len - nlen - 1;
	while (vlen > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	if (nlen == 14 && cw_memcaseeq(line, "Content-Length", 14) == 0) {
		long long n = 0;
		size_t i = 0;

		for (;
		     i < vlen && v[i] >= '0' && v[i] <= '9' && n < (1LL << 58);
		     i++)
			n = n * 10 + (v[i] - '0');
		if (i == 0 || (i < vlen && v[i] != ' ' && v[i] != '\t') ||
		    (f->length >= 0 && f->length != n))
			f->bad = 1;
		f->length = n;
	} else if (nlen == 17 &&
	           cw_memcaseeq(line, "Transfer-Encoding", 17) == 0) {
		f->chunked = token_in(v, vlen, "chunked");
	} else if (nlen == 10 && cw_memcaseeq(line, "Connection", 10) == 0) {
		f->close |= token_in(v, vlen, "close");
		f->keep_alive |= token_in(v, vlen, "keep-alive");
	} else if (nlen == 12 && cw_memcaseeq(line, "Content-Type", 12) == 0) {
		f->ctype = v;
		f->ctype_len = vlen;
	} else if (nlen == 16 &&
	           cw_memcaseeq(line, "Content-Encoding", 16) == 0) {
		f->encoded = 1;
	}
}

static void inspect_head(const char *h, size_t len, struct head_facts *f)
{
	const char *p, *end = h + len, *eol;

	memset(f, 0, sizeof *f);
	f->length = -1;
	if (len < 12 || memcmp(h, "HTTP/1.", 7) != 0 || h[8] != ' ' ||
	    h[9] < '1' || h[9] > '9' || h[10] < '0' || h[10] > '9' ||
	    h[11] < '0' || h[11] > '9') {
		f->bad = 1;
		return;
	}
	f->status = (h[9] - '0') * 100 + (h[10] - '0') * 10 + (h[11] - '0');
	p = memchr(h, '\n', len);
	while (p != NULL && ++p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			break;
		inspect_line(
		    p, (size_t)(eol - p) - (eol > p && eol[-1] == '\r'), f);
		p = eol;
	}
}

/* Replace every Connection header of the head out[0..*hlen) by one with
 * value; the bytes after the head move along. */
static int set_connection(struct mg_connection *c, size_t *hlen,
                          const char *value)
{
	struct cw_buf *b = &c->x->out;
	char line[40];
	size_t pos, add, term;
	char *p = memchr(b->data, '\n', *hlen);

	while (p != NULL && (size_t)(p + 1 - b->data) < *hlen) {
		char *start = p + 1,
		     *eol =
		         memchr(start, '\n', *hlen - (size_t)(start - b->data));
		size_t n;

		if (eol == NULL)
			break;
		n = (size_t)(eol + 1 - start);
		if (n > 11 && cw_memcaseeq(start, "Connection:", 11) == 0) {
			memmove(start, eol + 1,
			        b->len - (size_t)(eol + 1 - b->data));
			b->len -= n;
			*hlen -= n;
			continue;
		}
		p = eol;
	}
	add = (size_t)snprintf(line, sizeof line, "Connection: %s\r\n", value);
	if (cw_buf_reserve(b, add, CW_MAX_RESPONSE_HEAD * 2) != 0)
		return -1;
	term = b->data[*hlen - 2] == '\r' ? 2 : 1;
	pos = *hlen - term;
	memmove(b->data + pos + add, b->data + pos, b->len - pos);
	memcpy(b->data + pos, line, add);
	b->len += add;
	*hlen += add;
	return 0;
}

static int is_head_request(const struct mg_connection *c)
{
	const char *m = c->x->ri.request_method;

	return m != NULL && m[0] == 'H' && strcmp(m, "HEAD") == 0;
}

static int process_head(struct mg_connection *c, size_t hlen);

/* An interim 1xx head: send it, then read what follows as a new head. */
static int interim_head(struct mg_connection *c, size_t hlen)
{
	struct cw_buf *b = &c->x->out;
	size_t rest = b->len - hlen, end;
	struct iovec iov;

	iov.iov_base = b->data;
	iov.iov_len = hlen;
	if (cw_conn_sendv(c, &iov, 1, &c->x->s.out) != 0) {
		c->x->s.must_close = 1;
		return -1;
	}
	count_out(c, hlen);
	memmove(b->data, b->data + hlen, rest);
	b->len = rest;
	c->x->s.resp.state = rest ? CW_RESP_HEAD : CW_RESP_NONE;
	end = rest ? head_end(b->data, rest, 0) : 0;
	return end ? process_head(c, end) : 0;
}

/* Set up the compression filter if the response qualifies (zfilter.c);
 * the head is then chunked and unlimited. 0, or -1 (out of memory). */
static int start_filter(struct mg_connection *c, size_t *hlen,
                        struct head_facts *f)
{
	struct cw_resp *r = &c->x->s.resp;
	struct cw_zhead zh = {f->status, r->no_body,   f->chunked, f->length,
	                      f->ctype,  f->ctype_len, f->encoded};
	int z = cw_zfilter_begin(c, cw_req_opts(c), hlen, &zh);

	if (z < 0) {
		c->x->s.must_close = 1;
		return -1;
	}
	if (z > 0) {
		r->length = f->length = -1;
		r->chunked = f->chunked = 1;
	}
	return 0;
}

/* Body bytes written with the head (out[hlen..)) go through the filter:
 * the head stays, their chunks follow it. 0 or -1. */
static int filter_buffered(struct mg_connection *c, size_t hlen)
{
	struct cw_buf *b = &c->x->out;
	size_t n = b->len - hlen;
	char *raw = malloc(n);
	const char *chunks;
	size_t clen;
	int r;

	if (raw == NULL)
		return -1;
	memcpy(raw, b->data + hlen, n);
	b->len = hlen;
	r = cw_zfilter_put(c, raw, n, 0, 0, &chunks, &clen);
	free(raw);
	if (r == 0 && clen > 0)
		r = cw_buf_add(b, chunks, clen, CW_MAX_RESPONSE_HEAD + clen);
	return r;
}

static int process_head(struct mg_connection *c, size_t hlen)
{
	struct cw_resp *r = &c->x->s.resp;
	struct head_facts f;
	size_t body;
	int framed;

	inspect_head(c->x->out.data, hlen, &f);
	if (f.status >= 100 && f.status < 200 && f.status != 101 && !f.bad)
		return interim_head(c, hlen);
	if (f.status == 101) {
		r->state = CW_RESP_RAW;
		r->status = 101;
		return flush_with(c, NULL, 0);
	}
	r->status = f.status;
	r->length = f.length;
	r->chunked = f.chunked;
	r->no_body = is_head_request(c) || f.status == 204 || f.status == 304;
	if (r->may_compress && !f.bad && start_filter(c, &hlen, &f) != 0)
		return -1;
	framed = r->no_body || f.chunked || f.length >= 0;
	if (f.bad || !framed || f.close || !cw_resp_keep_alive(c)) {
		c->x->s.must_close = 1;
		if (!f.close && set_connection(c, &hlen, "close") != 0)
			return -1;
	} else if (c->x->ri.http_version != NULL &&
	           strcmp(c->x->ri.http_version, "1.0") == 0 && !f.keep_alive) {
		if (set_connection(c, &hlen, "keep-alive") != 0)
			return -1;
	}
	r->state = CW_RESP_BODY;
	body = c->x->out.len - hlen;
	if (r->no_body)
		c->x->out.len = hlen;
	else
		r->body_sent += (long long)body;
	if (r->zf != NULL && body > 0 && filter_buffered(c, hlen) != 0)
		return -1;
	if (r->length >= 0 && r->body_sent > r->length)
		c->x->s.must_close = 1;
	if (body > 0 || r->no_body || r->chunked || r->length <= 0)
		return flush_with(c, NULL, 0);
	r->head_held = 1;
	return 0;
}

/* Bytes that do not form a response head pass through untouched; the
 * connection cannot be reused after them. */
static int go_raw(struct mg_connection *c, const void *data, size_t len)
{
	struct iovec iov;

	c->x->s.resp.state = CW_RESP_RAW;
	c->x->s.must_close = 1;
	iov.iov_base = (void *)data;
	iov.iov_len = len;
	return flush_with(c, &iov, data != NULL ? 1 : 0);
}

static int write_head_bytes(struct mg_connection *c, const char *data,
                            size_t len)
{
	struct cw_buf *b = &c->x->out;
	size_t from = b->len > 3 ? b->len - 3 : 0, end;

	c->x->s.resp.may_compress = 1; /* the handler's own head */
	if (b->len == 0 && data[0] != 'H')
		return go_raw(c, data, len);
	if (cw_buf_add(b, data, len, CW_MAX_RESPONSE_HEAD) != 0)
		return go_raw(c, data, len);
	if (b->len >= 5 && memcmp(b->data, "HTTP/", 5) != 0)
		return go_raw(c, NULL, 0);
	c->x->s.resp.state = CW_RESP_HEAD;
	end = head_end(b->data, b->len, from);
	if (end == 0)
		return 0;
	return process_head(c, end);
}

/* data through the compression filter, and what it gives out. */
static int write_filtered(struct mg_connection *c, const void *data, size_t len,
                          int flush, int finish)
{
	const char *chunks;
	struct iovec iov;
	size_t n;

	if (cw_zfilter_put(c, data, len, flush, finish, &chunks, &n) != 0) {
		c->x->s.must_close = 1;
		return -1;
	}
	if (n == 0 && !(c->x->s.resp.head_held || c->x->out.len > 0))
		return 0;
	iov.iov_base = (void *)chunks;
	iov.iov_len = n;
	return flush_with(c, &iov, 1);
}

static int write_body(struct mg_connection *c, const void *data, size_t len)
{
	struct cw_resp *r = &c->x->s.resp;
	struct iovec iov;

	if (r->no_body)
		return 0;
	r->body_sent += (long long)len;
	if (r->length >= 0 && r->body_sent > r->length)
		c->x->s.must_close = 1;
	if (r->zf != NULL)
		return write_filtered(c, data, len, 0, 0);
	iov.iov_base = (void *)data;
	iov.iov_len = len;
	return flush_with(c, &iov, 1);
}

int cw_resp_write(struct mg_connection *c, const void *data, size_t len)
{
	int r;

	if (len == 0)
		return 0;
	if (c->x == NULL || c->x->s.resp.sealed)
		return -1;
	switch (c->x->s.resp.state) {
	case CW_RESP_BODY:
		r = write_body(c, data, len);
		break;
	case CW_RESP_RAW: {
		struct iovec iov = {(void *)data, len};

		r = flush_with(c, &iov, 1);
		break;
	}
	default:
		r = write_head_bytes(c, data, len);
		break;
	}
	return r == 0 ? (int)(len > INT32_MAX ? INT32_MAX : len) : -1;
}

int cw_resp_writev_body(struct mg_connection *c, struct iovec *iov, int n)
{
	size_t total = 0;

	if (c->x->s.resp.sealed)
		return -1;
	if (c->x->s.resp.zf != NULL) {
		for (int i = 0; i < n; i++)
			if (write_body(c, iov[i].iov_base, iov[i].iov_len) != 0)
				return -1;
		return 0;
	}
	for (int i = 0; i < n; i++)
		total += iov[i].iov_len;
	if (c->x->s.resp.no_body)
		return 0;
	c->x->s.resp.body_sent += (long long)total;
	return flush_with(c, iov, n);
}

/* Write len bytes of fd from off as body bytes, the first block by way of
 * the output path (it may complete a held head). Returns the bytes left
 * after that block (the rest goes by the transport's file sending), or -1. */
static long long first_block(struct mg_connection *c, int fd, off_t *off,
                             long long len)
{
	char block[16384];
	size_t want =
	    len > (long long)sizeof block ? sizeof block : (size_t)len;
	ssize_t n = pread(fd, block, want, *off);

	if (n <= 0) {
		c->x->s.must_close = 1;
		return -1;
	}
	*off += n;
	if (c->x->s.resp.state != CW_RESP_BODY) {
		if (cw_resp_write(c, block, (size_t)n) < 0)
			return -1;
	} else {
		struct iovec iov = {block, (size_t)n};

		if (cw_resp_writev_body(c, &iov, 1) != 0)
			return -1;
	}
	return len - n;
}

/* The rest after the first block, waiting for the client within the
 * response's pace; copied block by block when sendfile is off. */
static int send_rest(struct mg_connection *c, int fd, off_t off, long long len)
{
	struct cw_resp *r = &c->x->s.resp;
	int64_t before = c->x->s.out.bytes;
	int rc;

	if (!c->ctx->opt.allow_sendfile || c->is_client) {
		while (len > 0) {
			long long left = first_block(c, fd, &off, len);

			if (left < 0)
				return -1;
			len = left;
		}
		return 0;
	}
	rc = cw_conn_send_file(c, fd, off, len, &c->x->s.out);
	r->body_sent += c->x->s.out.bytes - before;
	count_out(c, (size_t)(c->x->s.out.bytes - before));
	if (rc != 0)
		c->x->s.must_close = 1;
	return rc;
}

int cw_resp_send_fd(struct mg_connection *c, int fd, off_t off, long long len)
{
	if (c->x->s.resp.state == CW_RESP_BODY && c->x->s.resp.no_body)
		return 0; /* HEAD: nothing to read */
	if (len <= 0)
		return 0;
	len = first_block(c, fd, &off, len);
	if (len < 0)
		return -1;
	if (len == 0 || c->x->s.resp.no_body)
		return 0;
	return send_rest(c, fd, off, len);
}

void cw_resp_fail_request(struct mg_connection *c, int status, const char *why)
{
	c->x->s.must_close = 1;
	if (c->x->s.resp.sealed)
		return;
	if (!cw_resp_started(c)) {
		cw_send_error(c, status, "%s", why);
		cw_resp_finish(c);
	}
	c->x->s.resp.sealed = 1;
}

void cw_resp_finish(struct mg_connection *c)
{
	struct cw_resp *r = &c->x->s.resp;

	if (c->x == NULL)
		return;
	switch (r->state) {
	case CW_RESP_NONE:
		/* nothing (or only an interim head) was sent */
		c->x->s.must_close = 1;
		break;
	case CW_RESP_HEAD:
		go_raw(c, NULL, 0);
		break;
	case CW_RESP_RAW:
		c->x->s.must_close = 1;
		break;
	default:
		if (r->zf != NULL && !cw_zfilter_done(r) &&
		    write_filtered(c, NULL, 0, 0, 1) == 0)
			r->chunked_done = 1;
		cw_zfilter_free(r);
		if (r->head_held || c->x->out.len > 0)
			flush_with(c, NULL, 0);
		if (r->no_body)
			break;
		if (r->length >= 0 && r->body_sent != r->length)
			c->x->s.must_close = 1;
		if (r->chunked_api && !r->chunked_done)
			c->x->s.must_close = 1;
		break;
	}
}

/* ---- heads the library builds ------------------------------------------ */

/* "HTTP/1.1 <status> <reason>\r\nDate: <now>\r\n", by hand: it is made
 * for every response the library sends. */
static int head_start(struct cw_buf *b, int status, const char *reason)
{
	const char *date = cw_http_date_now();
	size_t rl = strlen(reason), dl = strlen(date), n;
	char *p;

	if (cw_buf_reserve(b, 40 + rl + dl, CW_MAX_RESPONSE_HEAD) != 0)
		return -1;
	p = b->data + b->len;
	memcpy(p, "HTTP/1.1 ", 9);
	n = 9;
	if (status < 0) /* as "%d" would: what the application asked */
		p[n++] = '-';
	n += cw_fmt_dec(p + n, status < 0 ? 0ULL - (unsigned long long)status
	                                  : (unsigned long long)status);
	p[n++] = ' ';
	memcpy(p + n, reason, rl);
	n += rl;
	memcpy(p + n, "\r\nDate: ", 8);
	n += 8;
	memcpy(p + n, date, dl);
	n += dl;
	memcpy(p + n, "\r\n", 2);
	b->len += n + 2;
	return 0;
}

int cw_resp_head(struct mg_connection *c, int status, const char *extra,
                 long long length, int chunked)
{
	struct cw_buf *b = &c->x->out;
	const char *add = c->ctx->opt.additional_headers;
	const char *hsts = c->ctx->opt.hsts_header;
	int r;

	if (b == NULL || c->x->s.resp.state != CW_RESP_NONE)
		return -1;
	b->len = 0;
	r = head_start(b, status, mg_get_response_code_text(c, status));
	/* as CivetWeb, HSTS first; only over TLS (RFC 6797 7.2) */
	if (r == 0 && hsts != NULL && c->listener != NULL &&
	    c->listener->is_ssl)
		r = cw_buf_add(b, hsts, strlen(hsts), CW_MAX_RESPONSE_HEAD);
	if (r == 0 && add != NULL)
		r = cw_buf_add(b, add, strlen(add), CW_MAX_RESPONSE_HEAD);
	if (r == 0 && extra != NULL)
		r = cw_buf_add(b, extra, strlen(extra), CW_MAX_RESPONSE_HEAD);
	if (r == 0 && length >= 0) {
		char line[48] = "Content-Length: ";
		size_t n =
		    16 + cw_fmt_dec(line + 16, (unsigned long long)length);

		memcpy(line + n, "\r\n", 2);
		r = cw_buf_add(b, line, n + 2, CW_MAX_RESPONSE_HEAD);
	} else if (r == 0 && chunked) {
		r = cw_buf_add(b, "Transfer-Encoding: chunked\r\n", 28,
		               CW_MAX_RESPONSE_HEAD);
	}
	if (r == 0)
		r = cw_buf_add(b, "\r\n", 2, CW_MAX_RESPONSE_HEAD);
	if (r != 0) {
		b->len = 0;
		return -1;
	}
	c->x->s.resp.state = CW_RESP_HEAD;
	return process_head(c, b->len);
}

static void builtin_error(struct mg_connection *c, int status, const char *msg,
                          const char *extra)
{
	char body[1200], head[1024 + CW_CORS_LINES_MAX],
	    cors[CW_CORS_LINES_MAX];
	int n;

	n = snprintf(body, sizeof body, "Error %d: %s\n%s", status,
	             mg_get_response_code_text(c, status), msg);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof body)
		n = (int)sizeof body - 1;
	if (status == 304 || status == 204 || (status >= 100 && status < 200))
		n = -1;
	/* as CivetWeb: the built-in error page ends the connection */
	c->x->s.must_close = 1;
	cw_resp_cors_lines(c, cors, sizeof cors);
	snprintf(head, sizeof head, "%.1000s%s%s%s", extra, cw_no_cache_headers,
	         cors,
	         n >= 0 ? "Content-Type: text/plain; charset=utf-8\r\n" : "");
	if (cw_resp_head(c, status, head, n >= 0 ? n : -1, 0) == 0 && n > 0)
		cw_resp_write(c, body, (size_t)n);
}

void cw_send_error_v(struct mg_connection *c, int status, const char *extra,
                     const char *fmt, va_list ap)
{
	struct mg_context *ctx = c->ctx;
	char msg[1024] = "";

	if (c->x->s.resp.state != CW_RESP_NONE || c->x == NULL) {
		c->x->s.must_close = 1;
		return;
	}
	if (fmt != NULL)
		vsnprintf(msg, sizeof msg, fmt, ap);
	if (status >= 400 && c->x->s.body.left != 0)
		c->x->s.must_close =
		    1; /* an unread body would be taken for a request */
	if (!c->x->s.in_error && ctx->cb.http_error != NULL) {
		int handled;

		c->x->s.in_error = 1;
		handled = ctx->cb.http_error(c, status, msg);
		c->x->s.in_error = 0;
		/* 1: the application sent its own page */
		if (handled == 1 || cw_resp_started(c))
			return;
	}
	if (extra == NULL)
		extra = "";
	if (!c->x->s.in_error && ctx->fallbacks.error_page != NULL &&
	    ctx->fallbacks.error_page(c, status, extra))
		return;
	builtin_error(c, status, msg, extra);
}

void cw_send_error(struct mg_connection *c, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cw_send_error_v(c, status, NULL, fmt, ap);
	va_end(ap);
}

void cw_send_error_with(struct mg_connection *c, int status, const char *extra,
                        const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cw_send_error_v(c, status, extra, fmt, ap);
	va_end(ap);
}

/* ---- the public API ------------------------------------------------------ */

int mg_write(struct mg_connection *conn, const void *buf, size_t len)
{
	if (conn == NULL || conn->x == NULL || (buf == NULL && len > 0))
		return -1;
	if (conn->is_client) {
		if (cw_conn_send(conn, buf, len, &conn->x->s.out) != 0)
			return -1;
		return (int)len;
	}
	return cw_resp_write(conn, buf, len);
}

int mg_printf(struct mg_connection *conn, const char *fmt, ...)
{
	char stack[2048], *p = stack;
	va_list ap;
	int n, r;

	va_start(ap, fmt);
	n = vsnprintf(stack, sizeof stack, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof stack) {
		p = malloc((size_t)n + 1);
		if (p == NULL)
			return -1;
		va_start(ap, fmt);
		vsnprintf(p, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	r = mg_write(conn, p, (size_t)n);
	if (p != stack)
		free(p);
	return r;
}

int mg_send_chunk(struct mg_connection *conn, const char *chunk,
                  unsigned int chunk_len)
{
	char size[16];
	struct iovec iov[3];
	int n;

	if (conn == NULL || conn->x == NULL || (chunk == NULL && chunk_len > 0))
		return -1;
	n = snprintf(size, sizeof size, "%x\r\n", chunk_len);
	if (conn->is_client || conn->x->s.resp.state != CW_RESP_BODY) {
		/* no head seen: write the framing like any other bytes */
		if (mg_write(conn, size, (size_t)n) != n ||
		    (chunk_len > 0 &&
		     mg_write(conn, chunk, chunk_len) != (int)chunk_len) ||
		    mg_write(conn, "\r\n", 2) != 2)
			return -1;
		return n + (int)chunk_len + 2;
	}
	conn->x->s.resp.chunked_api = 1;
	if (conn->x->s.resp.zf != NULL) {
		/* each chunk is flushed: what came so far is decodable */
		if (conn->x->s.resp.sealed ||
		    cw_zfilter_done(&conn->x->s.resp) ||
		    write_filtered(conn, chunk, chunk_len, 1, chunk_len == 0) !=
		        0)
			return -1;
		conn->x->s.resp.body_sent += chunk_len;
		if (chunk_len == 0)
			conn->x->s.resp.chunked_done = 1;
		return n + (int)chunk_len + 2;
	}
	if (chunk_len == 0)
		conn->x->s.resp.chunked_done = 1;
	iov[0].iov_base = size;
	iov[0].iov_len = (size_t)n;
	iov[1].iov_base = (void *)chunk;
	iov[1].iov_len = chunk_len;
	iov[2].iov_base = (void *)"\r\n";
	iov[2].iov_len = 2;
	if (cw_resp_writev_body(conn, iov, 3) != 0)
		return -1;
	return n + (int)chunk_len + 2;
}

size_t cw_resp_cors_lines(const struct mg_connection *c, char *out, size_t cap)
{
	const struct cw_options *o = cw_req_opts(c);
	const char *allow =
	    cw_options_get(o, CW_OPT_ACCESS_CONTROL_ALLOW_ORIGIN);
	const char *expose =
	    cw_options_get(o, CW_OPT_ACCESS_CONTROL_EXPOSE_HEADERS);
	const char *cred =
	    cw_options_get(o, CW_OPT_ACCESS_CONTROL_ALLOW_CREDENTIALS);
	const char *origin = mg_get_header(c, "Origin");
	int n;

	out[0] = '\0';
	if (*allow == '\0' || origin == NULL || *origin == '\0')
		return 0;
	n = snprintf(out, cap,
	             "Access-Control-Allow-Origin: %s\r\n%s%s%s%s%s%s", allow,
	             *expose ? "Access-Control-Expose-Headers: " : "", expose,
	             *expose ? "\r\n" : "",
	             *cred ? "Access-Control-Allow-Credentials: " : "", cred,
	             *cred ? "\r\n" : "");
	if (n < 0 || (size_t)n >= cap) { /* the option values are bounded */
		out[0] = '\0';
		return 0;
	}
	return (size_t)n;
}

int mg_send_http_ok(struct mg_connection *conn, const char *mime_type,
                    long long content_length)
{
	char extra[1024 + CW_CORS_LINES_MAX], cors[CW_CORS_LINES_MAX];

	if (conn == NULL || conn->x == NULL || conn->is_client)
		return -1;
	if (mime_type == NULL || *mime_type == '\0')
		mime_type = "text/html";
	cw_resp_cors_lines(conn, cors, sizeof cors);
	snprintf(extra, sizeof extra, "%s%sContent-Type: %.900s\r\n",
	         cw_no_cache_headers, cors, mime_type);
	conn->x->s.resp.may_compress = 1;
	conn->x->s.resp.api_chunked = content_length < 0;
	if (cw_resp_head(conn, 200, extra, content_length,
	                 content_length < 0) != 0)
		return -1;
	return 0;
}

int mg_send_http_error(struct mg_connection *conn, int status_code,
                       const char *fmt, ...)
{
	va_list ap;

	if (conn == NULL || conn->x == NULL || conn->is_client ||
	    status_code < 100 || status_code > 999)
		return -1;
	if (conn->x->s.resp.state != CW_RESP_NONE)
		return -2;
	va_start(ap, fmt);
	cw_send_error_v(conn, status_code, NULL, fmt, ap);
	va_end(ap);
	return 0;
}

int mg_send_http_redirect(struct mg_connection *conn, const char *target_url,
                          int redirect_code)
{
	char extra[4200 + CW_CORS_LINES_MAX];
	size_t n;

	if (redirect_code == 0)
		redirect_code = 307;
	if (redirect_code != 301 && redirect_code != 302 &&
	    redirect_code != 303 && redirect_code != 307 &&
	    redirect_code != 308)
		return -2;
	if (conn == NULL || conn->x == NULL || conn->is_client)
		return -1;
	if (target_url == NULL || *target_url == '\0')
		target_url = "/";
	if (strpbrk(target_url, "\r\n") != NULL || strlen(target_url) > 4096)
		return -2;
	n = (size_t)snprintf(extra, sizeof extra, "Location: %s\r\n",
	                     target_url);
	cw_resp_cors_lines(conn, extra + n, sizeof extra - n);
	if (cw_resp_head(conn, redirect_code, extra, 0, 0) != 0)
		return -1;
	cw_resp_finish(conn);
	return (int)conn->x->s.resp.bytes > 0 ? (int)conn->x->s.resp.bytes : -1;
}

/* ---- mg_response_header_*() ---------------------------------------------- */

int mg_response_header_start(struct mg_connection *conn, int status)
{
	struct cw_buf *b;

	if (conn == NULL || conn->x == NULL || status < 100 || status > 999)
		return -1;
	if (conn->is_client)
		return -2;
	if (conn->x->s.resp.state != CW_RESP_NONE ||
	    conn->x->s.resp.hdr_building)
		return -3;
	b = &conn->x->out;
	b->len = 0;
	if (cw_buf_printf(b, CW_MAX_RESPONSE_HEAD, "HTTP/1.1 %d %s\r\n", status,
	                  mg_get_response_code_text(conn, status)) != 0)
		return -5;
	conn->x->s.resp.hdr_building = 1;
	conn->x->s.resp.hdr_count = 0;
	return 0;
}

static int valid_header_text(const char *s, size_t n, int is_name)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\r' || ch == '\n' || ch == '\0' ||
		    (is_name && (ch <= ' ' || ch == ':' || ch >= 0x7f)))
			return 0;
	}
	return !is_name || n > 0;
}

int mg_response_header_add(struct mg_connection *conn, const char *header,
                           const char *value, int value_len)
{
	size_t vlen;

	if (conn == NULL || conn->x == NULL || header == NULL || value == NULL)
		return -1;
	if (conn->is_client)
		return -2;
	if (!conn->x->s.resp.hdr_building)
		return -3;
	if (conn->x->s.resp.hdr_count >= MG_MAX_HEADERS)
		return -4;
	vlen = value_len < 0 ? strlen(value) : (size_t)value_len;
	if (!valid_header_text(header, strlen(header), 1) ||
	    !valid_header_text(value, vlen, 0))
		return -1;
	if (cw_buf_printf(&conn->x->out, CW_MAX_RESPONSE_HEAD, "%s: %.*s\r\n",
	                  header, (int)vlen, value) != 0)
		return -5;
	conn->x->s.resp.hdr_count++;
	return 0;
}

int mg_response_header_add_lines(struct mg_connection *conn,
                                 const char *http1_headers)
{
	const char *p = http1_headers;
	int count = 0;

	if (conn == NULL || conn->x == NULL || http1_headers == NULL)
		return -1;
	while (*p) {
		size_t len = strcspn(p, "\r\n");
		const char *colon = memchr(p, ':', len);

		if (len > 0) {
			char name[256];
			const char *v;
			size_t nlen;
			int r;

			if (colon == NULL ||
			    (nlen = (size_t)(colon - p)) == 0 ||
			    nlen >= sizeof name)
				return -1;
			memcpy(name, p, nlen);
			name[nlen] = '\0';
			v = colon + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			r = mg_response_header_add(conn, name, v,
			                           (int)(p + len - v));
			if (r < 0)
				return r;
			count++;
		}
		p += len;
		p += strspn(p, "\r\n");
	}
	return count;
}

int mg_response_header_send(struct mg_connection *conn)
{
	struct cw_buf *b;

	if (conn == NULL || conn->x == NULL)
		return -1;
	if (conn->is_client)
		return -2;
	if (!conn->x->s.resp.hdr_building)
		return -3;
	b = &conn->x->out;
	conn->x->s.resp.hdr_building = 0;
	if (strstr(b->data, "\nDate:") == NULL &&
	    cw_buf_printf(b, CW_MAX_RESPONSE_HEAD, "Date: %s\r\n",
	                  cw_http_date_now()) != 0)
		return -4;
	if (cw_buf_add(b, "\r\n", 2, CW_MAX_RESPONSE_HEAD) != 0)
		return -4;
	conn->x->s.resp.state = CW_RESP_HEAD;
	return process_head(conn, b->len) == 0 ? 0 : -4;
}

int civetd_compress_response(struct mg_connection *conn)
{
	if (conn == NULL || conn->x == NULL || conn->is_client ||
	    cw_resp_started(conn))
		return -1;
	conn->x->s.resp.compress_wanted = 1;
	return 0;
}
