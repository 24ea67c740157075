/* http_parse.c - strict HTTP/1.x framing: request and response heads,
 * chunked bodies and request paths (the contract is in http_parse.h).
 *
 * This is the first code that reads bytes from the network, so it is the
 * server's security boundary, and three rules shape it:
 *
 *  - One message, one reading. Anything two implementations could frame
 *    differently (Content-Length beside Transfer-Encoding, obs-fold, a bare
 *    CR, a transfer coding we do not implement, two Hosts) is refused, never
 *    repaired, so that a proxy in front of us cannot be led to disagree
 *    about where a request ends.
 *  - Bounded. Only buf[0..min(len, max_head)) is read, counts are capped,
 *    numbers are checked before they can overflow, every loop advances.
 *  - Restartable. The connection code calls the head parsers again with
 *    more bytes until they answer, so they write nothing until the head is
 *    complete and accepted: positions are remembered as offsets and the
 *    NULs go in at the end (finish_request, finish_response). A "need more"
 *    answer leaves the buffer as it was.
 *
 * A request head is read in one pass, in steps: the request line, then each
 * header line, and each framing header (Host, Content-Length,
 * Transfer-Encoding, Connection, Expect) is judged as soon as its line end
 * arrives, so a refusal comes as early as the bytes allow. Response heads
 * share the header-line and framing steps. The chunked decoder is a
 * byte-at-a-time state machine, because chunk framing arrives in pieces of
 * any size. */
#include "http/http_parse.h"

#include <limits.h>
#include <string.h>

/* ---- characters ---------------------------------------------------------- */

/* Character classes, one bit each, for char_class[] below. */
enum {
	C_TCHAR = 1,  /* RFC 9110 token: methods and field names */
	C_FIELD = 2,  /* field value or reason: HTAB, SP, VCHAR, obs-text */
	C_TARGET = 4, /* in a request-target: VCHAR and obs-text (raw UTF-8) */
	C_HOST = 8,   /* RFC 3986 reg-name: unreserved and sub-delims */
	C_HEX = 16
};

/* One lookup per byte keeps the scanning loops branch-light. Generated from
 * the RFC 9110 / RFC 3986 definitions; NUL, CTLs and DEL are in no class. */
/* clang-format off */
static const unsigned char char_class[256] = {
	/* 00 */ 0,  0,  0,  0,  0,  0,  0,  0,  0,  2,  0,  0,  0,  0,  0,  0,
	/* 10 */ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	/* 20 */ 2,  15, 6,  7,  15, 7,  15, 15, 14, 14, 15, 15, 14, 15, 15, 6,
	/* 30 */ 31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 6,  14, 6,  14, 6,  6,
	/* 40 */ 6,  31, 31, 31, 31, 31, 31, 15, 15, 15, 15, 15, 15, 15, 15, 15,
	/* 50 */ 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 6,  6,  6,  7,  15,
	/* 60 */ 7,  31, 31, 31, 31, 31, 31, 15, 15, 15, 15, 15, 15, 15, 15, 15,
	/* 70 */ 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 6,  7,  6,  15, 0,
	/* 80 */ 6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,
	/* 90 */ 6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,
	/* a0 */ 6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,
	/* b0 */ 6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,
	/* c0 */ 6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,
	/* d0 */ 6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,
	/* e0 */ 6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,
	/* f0 */ 6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,
};
/* clang-format on */

static int has_class(char c, int cls)
{
	return char_class[(unsigned char)c] & cls;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* ASCII only: header names must not depend on the C locale. */
static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Is s[0..n) the lower-case literal lit, ignoring ASCII case? */
static int token_is(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lit[i] == '\0' || lower(s[i]) != lit[i])
			return 0;
	return lit[n] == '\0';
}

/* ---- hosts --------------------------------------------------------------- */

/* 1 to 5 digits, at most 65535. */
static int valid_port(const char *s, size_t n)
{
	unsigned long port = 0;
	size_t i;

	if (n == 0 || n > 5)
		return 0;
	for (i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return 0;
		port = port * 10 + (unsigned long)(s[i] - '0');
	}
	return port <= 65535;
}

/* Is s[0..n) a uri-host [":" port]: a reg-name or IPv4 address, or an IPv6
 * literal in brackets? Stricter than RFC 3986 on two points, because the
 * host ends up in logs, redirects and (virtual hosts) file paths:
 * percent-escapes are refused (real clients send IDNs as punycode) and so
 * is "..". An empty host is invalid here; the Host header allows it. */
static int valid_host(const char *s, size_t n, int need_port)
{
	size_t i = 0;

	if (n > 0 && s[0] == '[') {
		i = 1;
		while (i < n &&
		       (has_class(s[i], C_HEX) || s[i] == ':' || s[i] == '.'))
			i++;
		if (i == n || s[i] != ']' || i < 3)
			return 0;
		i++;
	} else {
		while (i < n && has_class(s[i], C_HOST)) {
			if (s[i] == '.' && i > 0 && s[i - 1] == '.')
				return 0;
			i++;
		}
		if (i == 0)
			return 0;
	}
	if (i == n)
		return !need_port;
	if (s[i] != ':')
		return 0;
	return valid_port(s + i + 1, n - i - 1);
}

/* ---- the head being parsed ----------------------------------------------- */

/* What a parsing step concluded. */
enum step { STEP_OK, STEP_MORE, STEP_ERROR };

/* What the framing headers said, for requests and responses alike. */
struct framing {
	long long content_length; /* -1 until a Content-Length is seen */
	int te_seen;
	int chunked;
	int conn_close;
	int conn_keep_alive;
	int conn_upgrade;
	int expect_continue;
	int host_count;
	char *host; /* the Host value, not yet NUL-terminated */
};

/* One head in the making: the bytes, a cursor, and the NULs to write once
 * the head is accepted. */
struct head {
	char *buf;
	size_t pos;   /* start of the next line */
	size_t end;   /* min(len, limit): nothing at or past it is read */
	size_t limit; /* max_head, capped so that the result fits an int */
	int is_request;
	int version_minor;
	int status; /* why a step said STEP_ERROR */
	int num_headers;
	struct mg_header *headers;
	size_t name_end[MG_MAX_HEADERS];  /* the ':' of each header */
	size_t value_end[MG_MAX_HEADERS]; /* just past each trimmed value */
	struct framing f;
};

static void head_init(struct head *h, char *buf, size_t len, size_t max_head,
                      int is_request, struct mg_header *headers)
{
	h->buf = buf;
	h->pos = 0;
	h->limit = max_head < (size_t)INT_MAX ? max_head : (size_t)INT_MAX;
	h->end = len < h->limit ? len : h->limit;
	h->is_request = is_request;
	h->version_minor = 0;
	h->status = 0;
	h->num_headers = 0;
	h->headers = headers;
	memset(&h->f, 0, sizeof(h->f));
	h->f.content_length = -1;
}

static enum step fail(struct head *h, int status)
{
	h->status = status;
	return STEP_ERROR;
}

/* Step over the line end at *p: CRLF, or a bare LF (RFC 9112 2.2 lets us
 * accept it in heads). Anything else there, a bare CR included, is what
 * ended the line's valid bytes, so it is an error. */
static enum step line_end(struct head *h, size_t *p)
{
	if (*p >= h->end)
		return STEP_MORE;
	if (h->buf[*p] == '\n') {
		*p += 1;
		return STEP_OK;
	}
	if (h->buf[*p] == '\r') {
		if (*p + 1 >= h->end)
			return STEP_MORE;
		if (h->buf[*p + 1] == '\n') {
			*p += 2;
			return STEP_OK;
		}
	}
	return fail(h, 400);
}

/* Step over 1+ bytes of class cls and the byte stop right after them. */
static enum step scan_run(struct head *h, size_t *p, int cls, char stop)
{
	size_t i = *p;

	while (i < h->end && has_class(h->buf[i], cls))
		i++;
	if (i == h->end)
		return STEP_MORE;
	if (i == *p || h->buf[i] != stop)
		return fail(h, 400);
	*p = i + 1;
	return STEP_OK;
}

/* "HTTP/" DIGIT "." DIGIT, checked byte by byte so that garbage is refused
 * before the line end arrives. */
static enum step scan_version(struct head *h, size_t *p, int *major, int *minor)
{
	static const char shape[] = "HTTP/9.9"; /* '9': any digit */
	size_t i;

	for (i = 0; i < sizeof(shape) - 1; i++) {
		char c;

		if (*p + i >= h->end)
			return STEP_MORE;
		c = h->buf[*p + i];
		if (shape[i] == '9' ? !is_digit(c) : c != shape[i])
			return fail(h, 400);
	}
	*major = h->buf[*p + 5] - '0';
	*minor = h->buf[*p + 7] - '0';
	*p += 8;
	return STEP_OK;
}

/* Empty lines before a start line are skipped (RFC 9112 2.2): some clients
 * send a stray CRLF after a body. */
static enum step skip_empty_lines(struct head *h)
{
	while (h->pos < h->end &&
	       (h->buf[h->pos] == '\r' || h->buf[h->pos] == '\n')) {
		enum step r = line_end(h, &h->pos);

		if (r != STEP_OK)
			return r;
	}
	return h->pos < h->end ? STEP_OK : STEP_MORE;
}

/* ---- framing headers ----------------------------------------------------- */

/* 1*DIGIT, or a list of equal ones ("5, 5": what a proxy that merged
 * duplicate headers sends). Returns -1 for anything else or on overflow. */
static long long parse_content_length(const char *v, size_t n)
{
	long long result = -1;
	size_t i = 0;

	for (;;) {
		long long x = 0;
		size_t start = i;

		for (; i < n && is_digit(v[i]); i++) {
			int d = v[i] - '0';

			if (x > (LLONG_MAX - d) / 10)
				return -1;
			x = x * 10 + d;
		}
		if (i == start || (result >= 0 && x != result))
			return -1;
		result = x;
		while (i < n && is_ows(v[i]))
			i++;
		if (i == n)
			return result;
		if (v[i] != ',')
			return -1;
		i++;
		while (i < n && is_ows(v[i]))
			i++;
	}
}

static enum step content_length_header(struct head *h, const char *v, size_t n)
{
	long long x = parse_content_length(v, n);

	if (x < 0 || h->f.te_seen)
		return fail(h, 400);
	if (h->f.content_length >= 0 && h->f.content_length != x)
		return fail(h, 400);
	h->f.content_length = x;
	return STEP_OK;
}

/* Only "chunked" alone: we implement no other coding, and a list would make
 * us guess which coding frames the body. */
static enum step transfer_encoding_header(struct head *h, const char *v,
                                          size_t n)
{
	if (h->version_minor == 0 || h->f.te_seen || h->f.content_length >= 0)
		return fail(h, 400);
	h->f.te_seen = 1;
	if (!token_is(v, n, "chunked"))
		return fail(h, 501);
	h->f.chunked = 1;
	return STEP_OK;
}

/* A comma-separated list of tokens; unknown ones are ignored. */
static void connection_header(struct framing *f, const char *v, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t start, end;

		while (i < n && (is_ows(v[i]) || v[i] == ','))
			i++;
		start = i;
		while (i < n && v[i] != ',')
			i++;
		end = i;
		while (end > start && is_ows(v[end - 1]))
			end--;
		if (token_is(v + start, end - start, "close"))
			f->conn_close = 1;
		else if (token_is(v + start, end - start, "keep-alive"))
			f->conn_keep_alive = 1;
		else if (token_is(v + start, end - start, "upgrade"))
			f->conn_upgrade = 1;
	}
}

/* Expect is an HTTP/1.1 mechanism; a 1.0 client's Expect is ignored. */
static enum step expect_header(struct head *h, const char *v, size_t n)
{
	if (h->version_minor == 0 || n == 0)
		return STEP_OK;
	if (!token_is(v, n, "100-continue"))
		return fail(h, 417);
	h->f.expect_continue = 1;
	return STEP_OK;
}

/* An empty Host is allowed: RFC 9112 3.2 asks for one when the target has
 * no authority. */
static enum step host_header(struct head *h, char *v, size_t n)
{
	if (++h->f.host_count > 1)
		return fail(h, 400);
	if (n > 0 && !valid_host(v, n, 0))
		return fail(h, 400);
	h->f.host = v;
	return STEP_OK;
}

/* Judge one header line that may affect framing. */
static enum step framing_header(struct head *h, const char *name, size_t nlen,
                                char *v, size_t vlen)
{
	switch (nlen) {
	case 4:
		if (h->is_request && token_is(name, nlen, "host"))
			return host_header(h, v, vlen);
		break;
	case 6:
		if (h->is_request && token_is(name, nlen, "expect"))
			return expect_header(h, v, vlen);
		break;
	case 10:
		if (token_is(name, nlen, "connection"))
			connection_header(&h->f, v, vlen);
		break;
	case 14:
		if (token_is(name, nlen, "content-length"))
			return content_length_header(h, v, vlen);
		break;
	case 17:
		if (token_is(name, nlen, "transfer-encoding"))
			return transfer_encoding_header(h, v, vlen);
		break;
	}
	return STEP_OK;
}

/* ---- header lines -------------------------------------------------------- */

/* One "name: value" line starting at *pos. */
static enum step parse_header_line(struct head *h, size_t *pos)
{
	size_t p = *pos, name = *pos, colon, value, vend;
	enum step r;
	int i;

	/* obs-fold (RFC 9112 5.2): unfolding it is a classic way to make two
	 * parsers see different headers, so it is refused outright. */
	if (is_ows(h->buf[p]))
		return fail(h, 400);
	if (h->num_headers == MG_MAX_HEADERS)
		return fail(h, 431);
	r = scan_run(h, &p, C_TCHAR, ':');
	if (r != STEP_OK)
		return r;
	colon = p - 1;
	while (p < h->end && is_ows(h->buf[p]))
		p++;
	value = p;
	while (p < h->end && has_class(h->buf[p], C_FIELD))
		p++;
	vend = p;
	while (vend > value && is_ows(h->buf[vend - 1]))
		vend--;
	r = line_end(h, &p);
	if (r != STEP_OK)
		return r;
	/* a value continued on the next line is refused before this line's
	 * value means anything (a folded Transfer-Encoding is 400, not 501) */
	if (p >= h->end)
		return STEP_MORE;
	if (is_ows(h->buf[p]))
		return fail(h, 400);

	i = h->num_headers++;
	h->headers[i].name = h->buf + name;
	h->headers[i].value = h->buf + value;
	h->name_end[i] = colon;
	h->value_end[i] = vend;
	r = framing_header(h, h->buf + name, colon - name, h->buf + value,
	                   vend - value);
	if (r != STEP_OK)
		return r;
	*pos = p;
	return STEP_OK;
}

/* Header lines up to and including the empty line that ends the head. */
static enum step parse_header_lines(struct head *h)
{
	for (;;) {
		size_t p = h->pos;
		enum step r;

		if (p >= h->end)
			return STEP_MORE;
		if (h->buf[p] == '\r' || h->buf[p] == '\n') {
			r = line_end(h, &p);
			if (r == STEP_OK)
				h->pos = p;
			return r;
		}
		r = parse_header_line(h, &p);
		if (r != STEP_OK)
			return r;
		h->pos = p;
	}
}

static void finish_headers(struct head *h)
{
	int i;

	for (i = 0; i < h->num_headers; i++) {
		h->buf[h->name_end[i]] = '\0';
		h->buf[h->value_end[i]] = '\0';
	}
}

/* ---- request line -------------------------------------------------------- */

enum target_form { FORM_ORIGIN, FORM_ABSOLUTE, FORM_AUTHORITY, FORM_ASTERISK };

/* Where the parts of the request line lie, as offsets into the buffer. */
struct request_line {
	size_t method, method_end;
	size_t target, target_end;       /* target_end: the SP after it */
	size_t authority, authority_end; /* absolute-form only */
	size_t path;                     /* start of the path */
	size_t query;                    /* the '?', or 0 if none */
	size_t version;                  /* the "1.x" after "HTTP/" */
	enum target_form form;
};

static void find_query(struct head *h, struct request_line *rl, size_t from)
{
	const char *q = memchr(h->buf + from, '?', rl->target_end - from);

	rl->query = q ? (size_t)(q - h->buf) : 0;
}

/* "http://authority[/path][?query]", scheme in any case; the authority
 * must be a valid host, with no userinfo. */
static enum step absolute_target(struct head *h, struct request_line *rl)
{
	const char *t = h->buf + rl->target;
	size_t n = rl->target_end - rl->target, a, e;

	if (n > 7 && token_is(t, 7, "http://"))
		a = rl->target + 7;
	else if (n > 8 && token_is(t, 8, "https://"))
		a = rl->target + 8;
	else
		return fail(h, 400);
	for (e = a; e < rl->target_end; e++)
		if (h->buf[e] == '/' || h->buf[e] == '?')
			break;
	if (!valid_host(h->buf + a, e - a, 0))
		return fail(h, 400);
	rl->form = FORM_ABSOLUTE;
	rl->authority = a;
	rl->authority_end = e;
	rl->path = e;
	find_query(h, rl, e);
	return STEP_OK;
}

/* Tell the four forms of RFC 9112 3.2 apart. CONNECT takes only
 * authority-form (host:port) and authority-form is only for CONNECT. */
static enum step classify_target(struct head *h, struct request_line *rl)
{
	const char *t = h->buf + rl->target;
	size_t n = rl->target_end - rl->target;

	rl->path = rl->target;
	rl->query = 0;
	rl->authority = rl->authority_end = 0;
	if (rl->method_end - rl->method == 7 &&
	    memcmp(h->buf + rl->method, "CONNECT", 7) == 0) {
		rl->form = FORM_AUTHORITY;
		return valid_host(t, n, 1) ? STEP_OK : fail(h, 400);
	}
	if (t[0] == '/') {
		rl->form = FORM_ORIGIN;
		find_query(h, rl, rl->target);
		return STEP_OK;
	}
	if (t[0] == '*') {
		rl->form = FORM_ASTERISK;
		return n == 1 ? STEP_OK : fail(h, 400);
	}
	return absolute_target(h, rl);
}

/* method SP request-target SP HTTP-version CRLF, with exactly one SP
 * between the parts. */
static enum step parse_request_line(struct head *h, struct request_line *rl)
{
	enum step r = skip_empty_lines(h);
	int major, minor;
	size_t p;

	if (r != STEP_OK)
		return r;
	p = rl->method = h->pos;
	r = scan_run(h, &p, C_TCHAR, ' ');
	if (r != STEP_OK)
		return r;
	rl->method_end = p - 1;
	rl->target = p;
	r = scan_run(h, &p, C_TARGET, ' ');
	if (r != STEP_OK)
		return r;
	rl->target_end = p - 1;
	r = classify_target(h, rl);
	if (r != STEP_OK)
		return r;
	rl->version = p + 5;
	r = scan_version(h, &p, &major, &minor);
	if (r == STEP_OK)
		r = line_end(h, &p);
	if (r != STEP_OK)
		return r;
	if (major != 1 || minor > 1)
		return fail(h, 505);
	h->version_minor = minor;
	h->pos = p;
	return STEP_OK;
}

/* ---- requests ------------------------------------------------------------ */

/* The head is accepted: write the NULs and fill in req.
 *
 * The bytes of a request line cannot hold the target as sent and, beside
 * it, its path, query and authority as separate C strings, so target is
 * cut where path ends (what CivetWeb's request_uri always held) and is the
 * same string as path. For absolute-form the authority is moved two bytes
 * left, over the "//", to make room for its NUL and for the "/" an empty
 * path becomes. */
static void finish_request(struct head *h, const struct request_line *rl,
                           struct cw_http_request *req)
{
	char *b = h->buf;
	size_t path_end = rl->query ? rl->query : rl->target_end;

	b[rl->method_end] = '\0';
	b[rl->version + 3] = '\0';
	req->method = b + rl->method;
	req->version = b + rl->version;
	req->version_minor = h->version_minor;
	req->path = b + rl->path;
	req->host = h->f.host;
	req->absolute = rl->form == FORM_ABSOLUTE;
	if (rl->form == FORM_ABSOLUTE) {
		size_t len = rl->authority_end - rl->authority;
		size_t host = rl->authority - 2;

		memmove(b + host, b + rl->authority, len);
		b[host + len] = '\0';
		if (rl->path == path_end) {
			b[path_end - 1] = '/';
			req->path = b + path_end - 1;
		}
		req->host = b + host;
	}
	b[path_end] = '\0';
	b[rl->target_end] = '\0';
	req->target = req->path;
	req->query = rl->query ? b + rl->query + 1 : NULL;

	finish_headers(h);
	req->num_headers = h->num_headers;
	req->content_length = h->f.content_length;
	req->chunked = h->f.chunked;
	req->conn_close = h->f.conn_close;
	req->conn_keep_alive = h->f.conn_keep_alive;
	req->conn_upgrade = h->f.conn_upgrade;
	req->expect_continue = h->f.expect_continue;
}

/* Bytes ran out before the head ended: read more if there is room, else
 * the head is too big (414 if even the start line did not fit). */
static enum step out_of_bytes(struct head *h, size_t len, int in_start_line)
{
	if (len < h->limit)
		return STEP_MORE;
	return fail(h, in_start_line ? 414 : 431);
}

/* Contract in http_parse.h. The caller owns buf and req; req's pointers
 * point into buf and live as long as it. Nothing is allocated. */
int cw_http_parse_request(char *buf, size_t len, size_t max_head,
                          struct cw_http_request *req, int *status)
{
	struct head h;
	struct request_line rl = {0}; /* zeroed for -Wmaybe-uninitialized */
	enum step r;
	int in_start_line;

	head_init(&h, buf, len, max_head, 1, req->headers);
	r = parse_request_line(&h, &rl);
	in_start_line = r == STEP_MORE;
	if (r == STEP_OK)
		r = parse_header_lines(&h);
	/* RFC 9112 3.2: Host is required in 1.1 even with an absolute-form
	 * target, whose authority then wins. */
	if (r == STEP_OK && h.version_minor == 1 && h.f.host_count == 0)
		r = fail(&h, 400);
	if (r == STEP_MORE)
		r = out_of_bytes(&h, len, in_start_line);
	if (r == STEP_MORE)
		return 0;
	if (r == STEP_ERROR) {
		*status = h.status;
		return -1;
	}
	finish_request(&h, &rl, req);
	return (int)h.pos;
}

/* ---- responses ----------------------------------------------------------- */

/* Offsets of the status line's parts. */
struct status_line {
	size_t version; /* the "1.x" */
	int status;
	size_t reason, reason_end;
};

/* HTTP-version SP 3DIGIT [SP reason] CRLF. The SP before an empty reason
 * is required by RFC 9112 but often missing, so it is optional. */
static enum step parse_status_line(struct head *h, struct status_line *sl)
{
	enum step r = skip_empty_lines(h);
	int major, minor, i;
	size_t p;

	if (r != STEP_OK)
		return r;
	p = h->pos;
	sl->version = p + 5;
	r = scan_version(h, &p, &major, &minor);
	if (r != STEP_OK)
		return r;
	if (major != 1 || minor > 1)
		return fail(h, 400);
	h->version_minor = minor;
	if (p >= h->end)
		return STEP_MORE;
	if (h->buf[p++] != ' ')
		return fail(h, 400);
	sl->status = 0;
	for (i = 0; i < 3; i++, p++) {
		if (p >= h->end)
			return STEP_MORE;
		if (!is_digit(h->buf[p]) || (i == 0 && h->buf[p] == '0'))
			return fail(h, 400);
		sl->status = sl->status * 10 + (h->buf[p] - '0');
	}
	if (p >= h->end)
		return STEP_MORE;
	if (h->buf[p] == ' ')
		p++;
	else if (h->buf[p] != '\r' && h->buf[p] != '\n')
		return fail(h, 400);
	sl->reason = p;
	while (p < h->end && has_class(h->buf[p], C_FIELD))
		p++;
	sl->reason_end = p;
	r = line_end(h, &p);
	if (r == STEP_OK)
		h->pos = p;
	return r;
}

/* Contract in http_parse.h. Same ownership as cw_http_parse_request. */
int cw_http_parse_response(char *buf, size_t len, size_t max_head,
                           struct cw_http_response *resp)
{
	struct head h;
	struct status_line sl = {0};
	enum step r;

	head_init(&h, buf, len, max_head, 0, resp->headers);
	r = parse_status_line(&h, &sl);
	if (r == STEP_OK)
		r = parse_header_lines(&h);
	if (r == STEP_MORE)
		r = out_of_bytes(&h, len, 0);
	if (r == STEP_MORE)
		return 0;
	if (r == STEP_ERROR) {
		resp->refused = h.status;
		return -1;
	}

	buf[sl.version + 3] = '\0';
	buf[sl.reason_end] = '\0';
	finish_headers(&h);
	resp->version = buf + sl.version;
	resp->status = sl.status;
	resp->reason = buf + sl.reason;
	resp->num_headers = h.num_headers;
	resp->content_length = h.f.content_length;
	resp->chunked = h.f.chunked;
	resp->conn_close = h.f.conn_close;
	return (int)h.pos;
}

/* ---- chunked bodies ------------------------------------------------------ */

#define CHUNK_LINE_MAX     4096u  /* size line with extensions */
#define CHUNK_TRAILERS_MAX 16384u /* all trailer lines together */
#define CHUNK_SIZE_MAX     ((uint64_t)1 << 62)

enum chunk_state {
	CS_SIZE_START = 0, /* first hex digit of a size (zeroed struct) */
	CS_SIZE,           /* more hex digits */
	CS_SIZE_BWS,       /* whitespace after the size: only before ';' */
	CS_EXT,            /* extensions, skipped up to the CR */
	CS_SIZE_LF,        /* the LF of the size line */
	CS_DATA_CR,        /* data taken, its CR expected */
	CS_DATA_LF,
	CS_TRAILER_START, /* a trailer line, or the CR of the last line */
	CS_TRAILER_NAME,
	CS_TRAILER_VALUE,
	CS_TRAILER_LF,
	CS_END_LF,
	CS_DONE,
	CS_ERROR
};

/* The decoder's working state, loaded from and stored back into the
 * private fields of struct cw_chunked around each call. */
struct chunk_regs {
	enum chunk_state kind;
	unsigned count; /* bytes of the size line, or of the trailers */
	uint64_t size;  /* the chunk size read so far */
};

static void chunk_load(const struct cw_chunked *c, struct chunk_regs *r)
{
	r->kind = (enum chunk_state)c->state;
	r->count = c->count;
	r->size = c->size;
}

static void chunk_store(struct cw_chunked *c, const struct chunk_regs *r)
{
	c->state = (int)r->kind;
	c->count = r->count;
	c->size = r->size;
}

/* Bytes of the size line (and of the trailers) are counted to bound them. */
static int chunk_count(struct chunk_regs *r, unsigned max)
{
	return ++r->count > max ? -1 : 0;
}

static int chunk_size_byte(struct chunk_regs *r, char ch)
{
	int d = hex_value(ch);

	if (r->kind == CS_SIZE_START) {
		if (d < 0)
			return -1;
		r->kind = CS_SIZE;
		r->size = (uint64_t)d;
		r->count = 1;
		return 0;
	}
	if (d >= 0) {
		if (r->size > (CHUNK_SIZE_MAX - (uint64_t)d) / 16)
			return -1;
		r->size = r->size * 16 + (uint64_t)d;
	} else if (ch == ';') {
		r->kind = CS_EXT;
	} else if (is_ows(ch)) {
		r->kind = CS_SIZE_BWS;
	} else if (ch == '\r') {
		r->kind = CS_SIZE_LF;
		return 0;
	} else {
		return -1;
	}
	return chunk_count(r, CHUNK_LINE_MAX);
}

/* Trailer fields are checked for shape (name ':' value, no obs-fold) and
 * thrown away. */
static int chunk_trailer_byte(struct chunk_regs *r, char ch)
{
	switch (r->kind) {
	case CS_TRAILER_START:
		if (ch == '\r') {
			r->kind = CS_END_LF;
			return 0;
		}
		if (!has_class(ch, C_TCHAR))
			return -1;
		r->kind = CS_TRAILER_NAME;
		break;
	case CS_TRAILER_NAME:
		if (ch == ':')
			r->kind = CS_TRAILER_VALUE;
		else if (!has_class(ch, C_TCHAR))
			return -1;
		break;
	case CS_TRAILER_VALUE:
		if (ch == '\r')
			r->kind = CS_TRAILER_LF;
		else if (!has_class(ch, C_FIELD))
			return -1;
		break;
	case CS_TRAILER_LF:
		if (ch != '\n')
			return -1;
		r->kind = CS_TRAILER_START;
		break;
	default:
		return -1;
	}
	return chunk_count(r, CHUNK_TRAILERS_MAX);
}

/* Feed one framing byte. Chunked framing needs CRLF: RFC 9112 allows the
 * bare-LF leniency only in heads, and lenient chunk lines are a known
 * smuggling vector, so a bare LF here is an error. */
static int chunk_byte(struct chunk_regs *r, char ch)
{
	switch (r->kind) {
	case CS_SIZE_START:
	case CS_SIZE:
		return chunk_size_byte(r, ch);
	case CS_SIZE_BWS:
		if (ch == ';')
			r->kind = CS_EXT;
		else if (!is_ows(ch))
			return -1;
		return chunk_count(r, CHUNK_LINE_MAX);
	case CS_EXT:
		if (ch == '\r') {
			r->kind = CS_SIZE_LF;
			return 0;
		}
		if (!has_class(ch, C_FIELD))
			return -1;
		return chunk_count(r, CHUNK_LINE_MAX);
	case CS_SIZE_LF:
		if (ch != '\n')
			return -1;
		r->kind = r->size > 0 ? CS_DATA_CR : CS_TRAILER_START;
		r->count = 0;
		return 0;
	case CS_DATA_CR:
		r->kind = CS_DATA_LF;
		return ch == '\r' ? 0 : -1;
	case CS_DATA_LF:
		r->kind = CS_SIZE_START;
		return ch == '\n' ? 0 : -1;
	case CS_END_LF:
		r->kind = CS_DONE;
		return ch == '\n' ? 0 : -1;
	default:
		return chunk_trailer_byte(r, ch);
	}
}

/* Contract in http_parse.h. The caller owns c and p; nothing is kept
 * pointing into p. */
int cw_chunked_step(struct cw_chunked *c, const char *p, size_t n, size_t *used)
{
	struct chunk_regs r;
	size_t i = 0;

	*used = 0;
	chunk_load(c, &r);
	if (r.kind == CS_ERROR)
		return -1;
	if (c->done || c->data_left > 0)
		return 0;
	while (i < n) {
		if (chunk_byte(&r, p[i]) < 0) {
			c->state = CS_ERROR;
			*used = i;
			return -1;
		}
		i++;
		if (r.kind == CS_DATA_CR && r.size > 0) {
			/* the size line is complete: hand the data over */
			c->data_left = r.size;
			r.size = 0;
			break;
		}
		if (r.kind == CS_DONE) {
			c->done = 1;
			break;
		}
	}
	chunk_store(c, &r);
	*used = i;
	return 0;
}

/* ---- paths --------------------------------------------------------------- */

/* In place, in the caller's string; never grows it. */
int cw_http_decode_path(char *path)
{
	size_t r = 0, w = 0;

	while (path[r] != '\0') {
		int hi, lo;

		/* path[r + 2] is only read once path[r + 1] is known not NUL */
		if (path[r] == '%' && (hi = hex_value(path[r + 1])) >= 0 &&
		    (lo = hex_value(path[r + 2])) >= 0) {
			if (hi == 0 && lo == 0)
				return -1;
			path[w++] = (char)(hi << 4 | lo);
			r += 3;
		} else {
			path[w++] = path[r++];
		}
	}
	path[w] = '\0';
	return w > (size_t)INT_MAX ? -1 : (int)w;
}

static int is_slash(char c)
{
	return c == '/' || c == '\\';
}

/* One pass, segment by segment. The output, path[0..w), is "" (the root)
 * or "/seg/seg"; it never outruns the input, since each segment read was
 * preceded by at least one slash that the output writes only once. */
int cw_http_normalize_path(char *path)
{
	size_t r = 0, w = 0;
	int trailing_slash = 0;

	if (!is_slash(path[0]))
		return -1;
	while (path[r] != '\0') {
		size_t seg, n;

		while (is_slash(path[r]))
			r++;
		for (seg = r; path[r] != '\0' && !is_slash(path[r]); r++)
			;
		n = r - seg;
		trailing_slash = 1;
		if (n == 0 || (n == 1 && path[seg] == '.'))
			continue;
		if (n == 2 && path[seg] == '.' && path[seg + 1] == '.') {
			if (w == 0)
				return -1; /* would climb above the root */
			while (path[--w] != '/')
				;
			continue;
		}
		path[w++] = '/';
		memmove(path + w, path + seg, n);
		w += n;
		trailing_slash = 0;
	}
	if (trailing_slash || w == 0)
		path[w++] = '/';
	path[w] = '\0';
	return 0;
}

/* ---- lookups ------------------------------------------------------------- */

/* Returns a pointer into the caller's header array, or NULL. */
const char *cw_http_header(const struct mg_header *h, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++) {
		const char *a = h[i].name, *b = name;

		while (*a != '\0' && lower(*a) == lower(*b)) {
			a++;
			b++;
		}
		if (*a == '\0' && *b == '\0')
			return h[i].value;
	}
	return NULL;
}
