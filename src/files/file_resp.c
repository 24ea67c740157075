/* file_resp.c - answering with one file (see file_resp.h).
 *
 * One pass over the request headers collects what the answer depends on
 * (conditionals, Range, Origin); the response is then one of:
 *   304 / 412           the conditional headers decided (precond.c);
 *   416                 a Range none of whose ranges overlaps the file;
 *   206 single range    Content-Range, the range's bytes;
 *   206 multipart       multipart/byteranges, parts framed by range.c;
 *   200                 the whole file, Accept-Ranges: bytes.
 * A file's body is left to file_out.c, which writes what the socket takes
 * now and, once the handler has returned, parks the connection, not a
 * thread, for the rest; a handler that writes more after a file waits
 * for the file first. Memory files (the open_file callback) are written
 * while the handler waits: nothing says how long their memory lives. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "files/encoding.h"
#include "files/file_resp.h"
#include "files/precond.h"
#include "files/range.h"
#include "files/zcache.h"
#include "http/file_out.h"
#include "http/response.h"
#include "util/coding.h"
#include "util/mime.h"
#include "util/text.h"

/* ---- the request -------------------------------------------------------- */

/* What the request says that the answer depends on. */
struct req_facts {
	struct cw_precond cond;
	const char *range;
	const char *origin;
};

static void read_facts(const struct mg_connection *c, struct req_facts *q)
{
	memset(q, 0, sizeof *q);
	for (int i = 0; i < c->x->ri.num_headers; i++) {
		const char *n = c->x->ri.http_headers[i].name;
		const char *v = c->x->ri.http_headers[i].value;

		switch (n[0] | 0x20) {
		case 'i':
			if (strcasecmp(n, "If-None-Match") == 0)
				q->cond.if_none_match = v;
			else if (strcasecmp(n, "If-Modified-Since") == 0)
				q->cond.if_modified_since = v;
			else if (strcasecmp(n, "If-Match") == 0)
				q->cond.if_match = v;
			else if (strcasecmp(n, "If-Unmodified-Since") == 0)
				q->cond.if_unmodified_since = v;
			else if (strcasecmp(n, "If-Range") == 0)
				q->cond.if_range = v;
			break;
		case 'r':
			if (strcasecmp(n, "Range") == 0)
				q->range = v;
			break;
		case 'o':
			if (strcasecmp(n, "Origin") == 0)
				q->origin = v;
			break;
		default:
			break;
		}
	}
}

/* ---- the head ----------------------------------------------------------- */

/* The lines of a file response besides Date and Content-Length. */
struct file_head {
	const char *mime; /* NULL: no Content-Type (304) */
	const char *etag; /* NULL: no validators, not cacheable (errors) */
	time_t mtime;
	const char *origin; /* the request's Origin header, or NULL */
	const char *extra;  /* mg_send_mime_file2()'s lines, or "" */
	const char *range;  /* a Content-Range line, or NULL */
	int ranges;         /* Accept-Ranges: bytes */
	int cacheable;      /* without validators: static_file_max_age */
	const char *coding; /* Content-Encoding, or NULL */
	int vary;           /* Vary: Accept-Encoding */
};

/* Last-Modified text, cached per thread: requests for the same file
 * format the same date. */
static const char *http_date_of(time_t t)
{
	static __thread time_t cached;
	static __thread char text[40];

	if (t != cached || text[0] == '\0') {
		cw_http_date(t, text, sizeof text);
		cached = t;
	}
	return text;
}

static void put_cache_control(struct cw_text *t, const struct cw_options *o)
{
	const char *cc = o->value[CW_OPT_STATIC_FILE_CACHE_CONTROL];
	char age[48];

	if (cc != NULL && *cc != '\0') {
		cw_text_put(t, "Cache-Control: ");
		cw_text_put(t, cc);
		cw_text_put(t, "\r\n");
	} else if (o->static_file_max_age > 0) {
		size_t n = cw_fmt_dec(age, (unsigned)o->static_file_max_age);

		cw_text_put(t, "Cache-Control: max-age=");
		cw_text_put_n(t, age, n);
		cw_text_put(t, "\r\n");
	} else {
		cw_text_put(t, cw_no_cache_headers);
	}
}

static void put_line(struct cw_text *t, const char *name, const char *value)
{
	cw_text_put(t, name);
	cw_text_put(t, value);
	cw_text_put(t, "\r\n");
}

static size_t head_lines(const struct mg_connection *c,
                         const struct file_head *h, char *out, size_t cap)
{
	struct cw_text t = {out, cap, 0};

	if (h->mime != NULL)
		put_line(&t, "Content-Type: ", h->mime);
	if (h->etag != NULL) {
		put_line(&t, "Last-Modified: ", http_date_of(h->mtime));
		put_line(&t, "Etag: ", h->etag);
		put_cache_control(&t, cw_req_opts(c));
	} else if (h->cacheable) {
		put_cache_control(&t, cw_req_opts(c));
	} else {
		cw_text_put(&t, cw_no_cache_headers);
	}
	if (h->coding != NULL)
		put_line(&t, "Content-Encoding: ", h->coding);
	if (h->vary)
		cw_text_put(&t, "Vary: Accept-Encoding\r\n");
	if (h->range != NULL)
		cw_text_put(&t, h->range);
	if (h->ranges)
		cw_text_put(&t, "Accept-Ranges: bytes\r\n");
	if (h->origin != NULL) {
		char cors[CW_CORS_LINES_MAX];

		cw_resp_cors_lines(c, cors, sizeof cors);
		cw_text_put(&t, cors);
	}
	cw_text_put(&t, h->extra);
	return cw_text_end(&t);
}

/* Build and hold the head (length < 0: no Content-Length). 0 or -1. */
static int send_head(struct mg_connection *c, int status,
                     const struct file_head *h, long long length)
{
	char stack[1024], *buf = stack;
	size_t n = head_lines(c, h, stack, sizeof stack);
	int r;

	if (n >= sizeof stack) { /* a long Cache-Control or extra lines */
		buf = malloc(n + 1);
		if (buf == NULL)
			return -1;
		head_lines(c, h, buf, n + 1);
	}
	r = cw_resp_head(c, status, buf, length, 0);
	if (buf != stack)
		free(buf);
	return r;
}

/* ---- bodies ------------------------------------------------------------- */

/* len bytes of f from off. own: the library's answer, nothing follows. */
static int send_range(struct mg_connection *c, const struct cw_file *f,
                      long long off, long long len, int own)
{
	if (c->x->s.resp.no_body || len <= 0)
		return 0;
	if (f->mem != NULL) {
		struct iovec iov = {(void *)(f->mem + off), (size_t)len};

		return cw_resp_writev_body(c, &iov, 1);
	}
	return cw_file_out_begin(c, f->fd, f->data, (off_t)off, len, own);
}

static void free_text(void *owner, void *text)
{
	(void)owner;
	free(text);
}

/* A 206 multipart/byteranges body for n ranges: framing text from
 * range.c between the ranges of the file. */
static int send_multipart(struct mg_connection *c, const struct cw_file *f,
                          const struct cw_range *r, int n, const char *text,
                          const size_t *part, size_t text_len)
{
	struct cw_out_plan *p;

	if (c->x->s.resp.no_body)
		return 0;
	if (f->mem != NULL) {
		for (int i = 0; i <= n; i++) {
			size_t end = i < n ? part[i + 1] : text_len;
			struct iovec iov = {(void *)(text + part[i]),
			                    end - part[i]};

			if (cw_resp_writev_body(c, &iov, 1) != 0)
				return -1;
			if (i < n &&
			    send_range(c, f, r[i].first,
			               r[i].last - r[i].first + 1, 0) != 0)
				return -1;
		}
		return 0;
	}
	/* the plan owns a copy of the text and a duplicate of the file */
	p = cw_out_plan_new(n + 1);
	if (p == NULL)
		return -1;
	p->arg = malloc(text_len);
	if (p->arg == NULL || (p->fd = dup(f->fd)) < 0) {
		cw_out_plan_free(p);
		return -1;
	}
	memcpy(p->arg, text, text_len);
	p->release = free_text;
	for (int i = 0; i <= n; i++) {
		p->piece[i].mem = (char *)p->arg + part[i];
		p->piece[i].mem_len =
		    (i < n ? part[i + 1] : text_len) - part[i];
		p->piece[i].off = i < n ? (off_t)r[i].first : 0;
		p->piece[i].len = i < n ? r[i].last - r[i].first + 1 : 0;
	}
	return cw_file_out_plan(c, p,
	                        cw_range_multipart_length(r, n, text_len));
}

/* ---- the answer --------------------------------------------------------- */

/* CivetWeb's entity tag, "<mtime hex>.<size>", into out (80 bytes); a
 * compressed form has its coding after a dash, so every form has a tag
 * of its own. */
static void make_etag(char *out, time_t mtime, long long size, int coding)
{
	size_t n = 1;

	out[0] = '"';
	n += cw_fmt_hex(out + n, (unsigned long)mtime);
	out[n++] = '.';
	n += cw_fmt_dec(out + n, (unsigned long long)size);
	if (coding != 0) {
		const char *name = cw_coding_name(coding);

		out[n++] = '-';
		memcpy(out + n, name, strlen(name));
		n += strlen(name);
	}
	out[n++] = '"';
	out[n] = '\0';
}

static void release_copy(void *zc, void *entry)
{
	cw_zcache_release(zc, entry);
}

/* A boundary that the parts' bytes are all but certain not to contain:
 * 64 bits from a per-thread generator seeded by the clock and the
 * thread's stack address. */
static void make_boundary(char *out, size_t len)
{
	static __thread unsigned long long s;

	if (s == 0) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		s = ((unsigned long long)ts.tv_nsec << 20) ^
		    (unsigned long long)ts.tv_sec ^
		    (unsigned long long)(uintptr_t)&ts;
		s |= 1;
	}
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	snprintf(out, len, "%016llx", s);
}

/* 416, saying how long the file is. */
static void unsatisfiable(struct mg_connection *c, long long size)
{
	char line[64];

	snprintf(line, sizeof line, "Content-Range: bytes */%lld\r\n", size);
	cw_send_error_with(c, 416, line, "%s",
	                   "Requested range not satisfiable");
}

/* 206 with the ranges r[0..n) of f. */
static int answer_ranges(struct mg_connection *c, const struct cw_file *f,
                         struct file_head *h, const struct cw_range *r, int n,
                         int own)
{
	char line[96], boundary[24], mime[160], text[CW_RANGE_MAX * 200 + 64];
	size_t part[CW_RANGE_MAX + 1], len;

	if (n == 1) {
		snprintf(line, sizeof line,
		         "Content-Range: bytes %lld-%lld/%lld\r\n", r[0].first,
		         r[0].last, f->size);
		h->range = line;
		if (send_head(c, 206, h, r[0].last - r[0].first + 1) != 0)
			return -1;
		if (send_range(c, f, r[0].first, r[0].last - r[0].first + 1,
		               own) != 0)
			c->x->s.must_close = 1;
		return 0;
	}
	make_boundary(boundary, sizeof boundary);
	len = cw_range_multipart(r, n, f->size, h->mime, boundary, text,
	                         sizeof text, part);
	if (len == 0)
		return -1;
	snprintf(mime, sizeof mime, "multipart/byteranges; boundary=%s",
	         boundary);
	h->mime = mime;
	if (send_head(c, 206, h, cw_range_multipart_length(r, n, len)) != 0)
		return -1;
	if (send_multipart(c, f, r, n, text, part, len) != 0)
		c->x->s.must_close = 1;
	return 0;
}

static int answer_whole(struct mg_connection *c, const struct cw_file *f,
                        struct file_head *h, int own)
{
	if (send_head(c, 200, h, f->size) != 0)
		return -1;
	if (send_range(c, f, 0, f->size, own) != 0)
		c->x->s.must_close = 1;
	return 0;
}

static int is_get_or_head(const struct mg_connection *c)
{
	const char *m = c->x->ri.request_method;

	return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
}

/* A 200 with a compressed copy from the cache: the plan holds the entry
 * until its last byte is out. */
static int answer_copy(struct mg_connection *c, struct file_head *h,
                       struct cw_rep *rep)
{
	struct cw_out_plan *p;
	long long len = (long long)rep->z->len;

	if (send_head(c, 200, h, len) != 0)
		return -1;
	if (c->x->s.resp.no_body)
		return 0;
	p = cw_out_plan_new(1);
	if (p == NULL) {
		c->x->s.must_close = 1;
		return 0;
	}
	p->piece[0].mem = rep->z->data;
	p->piece[0].mem_len = rep->z->len;
	p->release = release_copy;
	p->owner = c->ctx->zcache;
	p->arg = (void *)rep->z;
	rep->z = NULL; /* the plan's now */
	if (cw_file_out_plan(c, p, len) != 0)
		c->x->s.must_close = 1;
	return 0;
}

/* The conditional headers first, then the body as the Range asks. */
static void answer_rep(struct mg_connection *c, const struct req_facts *q,
                       const struct cw_file *body, struct cw_rep *rep,
                       struct file_head *h, int own)
{
	struct cw_range r[CW_RANGE_MAX];
	const char *mime = h->mime;
	int n = 0, rc;

	h->mime = NULL; /* not on a 304 */
	switch (cw_precond_eval(&q->cond, h->etag, h->mtime, is_get_or_head(c),
	                        time(NULL))) {
	case CW_PRECOND_NOT_MODIFIED:
		h->coding = NULL;
		h->origin = NULL; /* CivetWeb's 304 carries no CORS */
		if (send_head(c, 304, h, -1) != 0)
			cw_send_error(c, 500, "%s", "Cannot make the head");
		return;
	case CW_PRECOND_FAILED:
		cw_send_error(c, 412, "%s", "Precondition failed");
		return;
	default:
		break;
	}
	h->mime = mime;
	if (rep->z != NULL) {
		if (answer_copy(c, h, rep) != 0)
			cw_send_error(c, 500, "%s", "Cannot make the head");
		return;
	}
	h->ranges = 1;
	if (q->range != NULL && strcmp(c->x->ri.request_method, "GET") == 0 &&
	    cw_precond_if_range(&q->cond, h->etag, h->mtime))
		n = cw_range_parse(q->range, body->size, r);
	if (n < 0) {
		unsatisfiable(c, body->size);
		return;
	}
	rc = n > 0 ? answer_ranges(c, body, h, r, n, own)
	           : answer_whole(c, body, h, own);
	if (rc != 0)
		cw_send_error(c, 500, "%s", "Cannot make the head");
}

void cw_file_answer(struct mg_connection *c, struct cw_file *f,
                    const char *path, const struct cw_file_how *how)
{
	struct req_facts q;
	struct file_head h;
	struct cw_rep rep;
	const struct cw_file *body = f;
	char etag[80], mbuf[256];

	read_facts(c, &q);
	memset(&h, 0, sizeof h);
	h.mime = how->mime != NULL
	             ? how->mime
	             : cw_mime_type(
	                   path, cw_req_opts(c)->value[CW_OPT_EXTRA_MIME_TYPES],
	                   mbuf, sizeof mbuf);
	if (how->coding != 0) {
		memset(&rep, 0, sizeof rep);
		rep.coding = how->coding;
		rep.vary = 1;
	} else {
		cw_rep_choose(c, f, path, how->base_len, h.mime,
		              q.range != NULL, how->own, &rep);
	}
	if (rep.refuse) {
		cw_send_error_with(c, 406, "Vary: Accept-Encoding\r\n", "%s",
		                   "No acceptable content coding");
		return;
	}
	if (rep.side_open)
		body = &rep.side;
	/* a copy's validators are the file's, tagged with the coding */
	make_etag(etag, body->mtime, body->size, rep.coding);
	h.etag = etag;
	h.mtime = body->mtime;
	h.origin = q.origin;
	h.extra = how->extra;
	h.vary = rep.vary;
	h.coding = rep.coding != 0 ? cw_coding_name(rep.coding) : NULL;
	answer_rep(c, &q, body, &rep, &h, how->own);
	cw_rep_release(c, &rep);
}

int cw_file_send_plain(struct mg_connection *c, struct cw_file *f,
                       const char *path, int status, const char *extra)
{
	struct file_head h;
	char mbuf[256];

	memset(&h, 0, sizeof h);
	h.extra = extra;
	h.origin = mg_get_header(c, "Origin"); /* an error_pages page */
	h.mime =
	    cw_mime_type(path, cw_req_opts(c)->value[CW_OPT_EXTRA_MIME_TYPES],
	                 mbuf, sizeof mbuf);
	if (send_head(c, status, &h, f->size) != 0)
		return -1;
	if (send_range(c, f, 0, f->size, 0) != 0)
		c->x->s.must_close = 1;
	return 0;
}

int cw_file_send_page(struct mg_connection *c, const char *mime,
                      const char *body, size_t len)
{
	struct file_head h;
	struct iovec iov = {(void *)body, len};

	memset(&h, 0, sizeof h);
	h.mime = mime;
	h.extra = "";
	h.cacheable = 1;
	if (send_head(c, 200, &h, (long long)len) != 0)
		return -1;
	if (!c->x->s.resp.no_body && cw_resp_writev_body(c, &iov, 1) != 0)
		c->x->s.must_close = 1;
	return 0;
}
