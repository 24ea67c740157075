/* http_parse.h - strict HTTP/1.x message parsing: request heads, response
 * heads, chunked bodies and request-target paths.
 *
 * Everything here is pure: no I/O, no allocation, no context. Parsers work
 * in place on the caller's buffer (they write NULs so that names and values
 * become C strings) and refuse anything ambiguous, the way nginx does:
 * a request that two servers could frame differently is an error, never a
 * guess. The connection code feeds them bytes and turns their verdicts into
 * status codes. */
#ifndef CW_HTTP_PARSE_H
#define CW_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "civetweb.h"

/* A parsed request head. Pointers point into the parsed buffer. */
struct cw_http_request {
	char *method;      /* token, e.g. "GET" */
	char *target;      /* request-target up to the query, as CivetWeb's
	                    * request_uri: "/a%20b" for "/a%20b?x=1"; for an
	                    * absolute-form target only its path */
	char *path;        /* path part of target, NOT decoded; for an
	                    * absolute-form target the path after the authority
	                    * ("/" if empty); for "*" it is "*" */
	char *query;       /* after '?', or NULL */
	char *host;        /* Host header value, or the authority of an
	                    * absolute-form target (which takes precedence) */
	int absolute;      /* the target was absolute-form (http://host/...) */
	char *version;     /* "1.0" or "1.1" */
	int version_minor; /* 0 or 1 */
	int num_headers;
	struct mg_header headers[MG_MAX_HEADERS];
	long long content_length; /* -1 if no Content-Length */
	int chunked;              /* Transfer-Encoding: chunked */
	int conn_close;           /* Connection: close */
	int conn_keep_alive;      /* Connection: keep-alive */
	int conn_upgrade;         /* Connection: upgrade (token present) */
	int expect_continue;      /* Expect: 100-continue */
};

/* Parse a request head from buf[0..len). In place: writes NULs.
 * Leading empty lines (CRLF or LF) before the request line are skipped.
 * Line ends are CRLF; a bare LF is accepted as a line end; a bare CR is an
 * error.
 *
 * Returns:
 *   > 0  the head is complete; the value is its length in bytes including
 *        the blank line (and any skipped leading empty lines): the body, or
 *        the next pipelined request, starts at buf + value;
 *   0    the head is incomplete and len < max_head: read more;
 *   -1   the request is refused; *status says how:
 *        400 malformed (bad request line, bad method or target characters,
 *            whitespace before a colon, obsolete line folding, NUL or bare CR
 *            anywhere, control characters in a value, no Host in HTTP/1.1,
 *            more than one Host, an invalid Host, Content-Length that is not
 *            a decimal number or overflows, differing Content-Lengths,
 *            Content-Length together with Transfer-Encoding,
 *            Transfer-Encoding in HTTP/1.0, more than one Transfer-Encoding)
 *        414 the request line alone does not fit in max_head
 *        417 an Expect other than 100-continue
 *        431 the head does not fit in max_head, or more than MG_MAX_HEADERS
 *            header lines
 *        501 a Transfer-Encoding other than exactly "chunked"
 *        505 a well-formed HTTP version other than 1.0 and 1.1
 *
 * Only buf[0..min(len, max_head)) is examined. On -1 the buffer contents
 * are unspecified. */
int cw_http_parse_request(char *buf, size_t len, size_t max_head,
                          struct cw_http_request *req, int *status);

/* A parsed response head (client side, mg_get_response()). */
struct cw_http_response {
	char *version; /* "1.0", "1.1" */
	int status;    /* 100..999 */
	char *reason;  /* may be "" */
	int num_headers;
	struct mg_header headers[MG_MAX_HEADERS];
	long long content_length; /* -1 if none */
	int chunked;
	int conn_close;
	int refused; /* after -1: 431 too large or too many header lines,
	              * else the status a request would get (400...) */
};

/* Parse a response head in place. Same return convention as
 * cw_http_parse_request (> 0 length, 0 need more, -1 malformed, with the
 * reason in resp->refused), with the same strictness on framing
 * headers. */
int cw_http_parse_response(char *buf, size_t len, size_t max_head,
                           struct cw_http_response *resp);

/* Incremental decoder for a chunked body (RFC 9112 section 7.1).
 * Zero-initialise before the first call. */
struct cw_chunked {
	uint64_t data_left; /* data bytes of the current chunk not yet taken */
	int done; /* 1 once the last chunk and trailers are consumed */
	/* private */
	int state;
	unsigned count; /* bytes of the size line, or of the trailers */
	uint64_t size;  /* the chunk size read so far */
};

/* Consume framing bytes (chunk-size lines, extensions, the CRLF after chunk
 * data, trailers) from p[0..n). Stops as soon as one of these holds:
 *   - c->data_left > 0: the next c->data_left bytes of input are data; the
 *     caller takes up to that many, subtracts what it took from
 *     c->data_left, and calls again for what follows;
 *   - c->done: the body has ended; *used bytes of p belonged to it, the
 *     rest is the next request;
 *   - all n bytes were consumed: read more input.
 * Returns 0, with *used = bytes consumed, or -1 on malformed framing:
 * a non-hex size, a size over 2^62, a size line or extension longer than
 * 4096 bytes, more than 16384 bytes of trailers, a missing CRLF after data,
 * a bare CR, or a NUL. */
int cw_chunked_step(struct cw_chunked *c, const char *p, size_t n,
                    size_t *used);

/* Percent-decode a request path in place ("%41" -> "A"; '+' stays '+').
 * An invalid escape ("%zz", a lone '%') is kept as it is.
 * Returns the new length, or -1 if the decoded path contains a NUL byte. */
int cw_http_decode_path(char *path);

/* Remove dot segments from an absolute path in place (RFC 3986 5.2.4):
 * "/a/./b/../c" -> "/a/c". Backslashes are treated as slashes first and
 * runs of slashes are collapsed. Returns 0, or -1 if the path does not start
 * with '/' or a ".." would climb above the root ("/../x"). */
int cw_http_normalize_path(char *path);

/* Case-insensitive search of a header in a parsed header array. */
const char *cw_http_header(const struct mg_header *h, int n, const char *name);

#endif
