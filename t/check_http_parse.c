/* check_http_parse.c - the Check suite for src/http_parse.c: request heads,
 * response heads, chunked bodies, request paths.
 *
 * The parser is the server's security boundary, so most tests are refusals:
 * each names the input class and asserts the exact verdict (return value
 * and status), and the accepted cases assert every parsed field. Every
 * input is parsed from a heap copy of exactly its length, with no NUL after
 * it, so that AddressSanitizer or valgrind reports any read past the end.
 * The last test case feeds deterministic random mutations of valid messages
 * and checks only invariants that keep memory safe and framing consistent.
 *
 * Build and run (until the autotools build picks it up):
 *   gcc -std=gnu11 -D_GNU_SOURCE -Isrc -o check_http_parse \
 *       t/check_http_parse.c src/http_parse.c $(pkg-config --cflags --libs
 * check)
 */
#include <check.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_parse.h"

#define HEAD_MAX 8192

/* A string literal and its length, NULs included. */
#define LIT(s) (s), (sizeof(s) - 1)

#define H11 "GET / HTTP/1.1\r\nHost: example.com\r\n"
#define P11 "POST / HTTP/1.1\r\nHost: example.com\r\n"

/* ---- helpers ------------------------------------------------------------- */

static char *dup_exact(const char *s, size_t n)
{
	char *p = malloc(n > 0 ? n : 1);

	ck_assert_ptr_nonnull(p);
	memcpy(p, s, n);
	return p;
}

/* One request parse: the copy that was parsed and what came back. */
struct parsed {
	char *buf;
	int ret;
	int status;
	struct cw_http_request req;
};

static void parse_req_n(struct parsed *p, const char *s, size_t n,
                        size_t max_head)
{
	p->buf = dup_exact(s, n);
	p->status = 0;
	p->ret =
	    cw_http_parse_request(p->buf, n, max_head, &p->req, &p->status);
}

static void parse_req(struct parsed *p, const char *s)
{
	parse_req_n(p, s, strlen(s), HEAD_MAX);
}

static void parsed_free(struct parsed *p)
{
	free(p->buf);
}

/* The verdict on a request head: 200 if accepted as a whole, 206 if accepted
 * with bytes left over, 0 if more bytes are needed, else the refusal
 * status. */
static int verdict_n(const char *s, size_t n, size_t max_head)
{
	struct parsed p;
	int v;

	parse_req_n(&p, s, n, max_head);
	if (p.ret > 0)
		v = (size_t)p.ret == n ? 200 : 206;
	else if (p.ret == 0)
		v = 0;
	else
		v = p.ret == -1 ? p.status : -999;
	parsed_free(&p);
	return v;
}

static int verdict(const char *s)
{
	return verdict_n(s, strlen(s), HEAD_MAX);
}

/* A request input with the verdict it must get. */
struct vector {
	const char *in;
	size_t n;
	int want;
};
#define V(s, want)                                                             \
	{                                                                      \
		LIT(s), (want)                                                 \
	}

static void check_vectors(const struct vector *v, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		int got = verdict_n(v[i].in, v[i].n, HEAD_MAX);

		ck_assert_msg(got == v[i].want,
		              "vector %zu (%.*s): got %d, want %d", i,
		              (int)v[i].n, v[i].in, got, v[i].want);
	}
}

#define CHECK_VECTORS(table)                                                   \
	check_vectors(table, sizeof(table) / sizeof(table[0]))

/* One response parse. */
struct rparsed {
	char *buf;
	int ret;
	struct cw_http_response resp;
};

static void parse_resp_n(struct rparsed *p, const char *s, size_t n,
                         size_t max_head)
{
	p->buf = dup_exact(s, n);
	p->ret = cw_http_parse_response(p->buf, n, max_head, &p->resp);
}

static int resp_ret(const char *s)
{
	struct rparsed p;
	int ret;

	parse_resp_n(&p, s, strlen(s), HEAD_MAX);
	ret = p.ret;
	free(p.buf);
	return ret;
}

/* Decode a chunked body, handing the decoder `step` bytes at a time, each
 * piece in its own exact-size heap copy. Returns 1 when the body ended, 0
 * if the input ran out first, -1 on a framing error. The data goes to out
 * (as much as fits; *outlen counts all of it), *consumed is the length of
 * the body including its framing. */
static int dechunk(const char *in, size_t n, size_t step, char *out,
                   size_t outcap, size_t *outlen, size_t *consumed)
{
	struct cw_chunked c;
	size_t off = 0, avail = 0;

	memset(&c, 0, sizeof(c));
	*outlen = 0;
	*consumed = 0;
	while (!c.done) {
		size_t used;
		char *piece;
		int rc;

		if (off == avail) {
			if (avail == n)
				return 0;
			avail = avail + step < n ? avail + step : n;
		}
		if (c.data_left > 0) {
			size_t take = avail - off;

			if (take > c.data_left)
				take = (size_t)c.data_left;
			if (*outlen + take <= outcap)
				memcpy(out + *outlen, in + off, take);
			*outlen += take;
			off += take;
			c.data_left -= take;
			continue;
		}
		piece = dup_exact(in + off, avail - off);
		rc = cw_chunked_step(&c, piece, avail - off, &used);
		free(piece);
		if (rc < 0)
			return -1;
		ck_assert_int_eq(rc, 0);
		ck_assert_uint_le(used, avail - off);
		/* the contract: it stops early only for data or the end */
		if (!c.done && c.data_left == 0)
			ck_assert_uint_eq(used, avail - off);
		off += used;
	}
	*consumed = off;
	return 1;
}

/* Deterministic xorshift64* for the mutation tests. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* ---- request line -------------------------------------------------------- */

START_TEST(request_simple_get_all_fields)
{
	static const char in[] = "GET /index.html HTTP/1.1\r\n"
	                         "Host: example.com\r\n"
	                         "User-Agent: check\r\n\r\n";
	struct parsed p;

	parse_req(&p, in);
	ck_assert_int_eq(p.ret, (int)strlen(in));
	ck_assert_str_eq(p.req.method, "GET");
	ck_assert_str_eq(p.req.target, "/index.html");
	ck_assert_str_eq(p.req.path, "/index.html");
	ck_assert_ptr_null(p.req.query);
	ck_assert_pstr_eq(p.req.host, "example.com");
	ck_assert_str_eq(p.req.version, "1.1");
	ck_assert_int_eq(p.req.version_minor, 1);
	ck_assert_int_eq(p.req.num_headers, 2);
	ck_assert_str_eq(p.req.headers[0].name, "Host");
	ck_assert_str_eq(p.req.headers[0].value, "example.com");
	ck_assert_str_eq(p.req.headers[1].name, "User-Agent");
	ck_assert_str_eq(p.req.headers[1].value, "check");
	ck_assert_int_eq(p.req.content_length, -1);
	ck_assert_int_eq(p.req.chunked, 0);
	ck_assert_int_eq(p.req.conn_close, 0);
	ck_assert_int_eq(p.req.conn_keep_alive, 0);
	ck_assert_int_eq(p.req.conn_upgrade, 0);
	ck_assert_int_eq(p.req.expect_continue, 0);
	parsed_free(&p);
}
END_TEST

START_TEST(request_query_split_from_path_undecoded)
{
	struct parsed p;

	parse_req(&p, "GET /a%20b?x=1&y=%41 HTTP/1.1\r\nHost: h\r\n\r\n");
	ck_assert_int_gt(p.ret, 0);
	ck_assert_str_eq(p.req.path, "/a%20b");
	ck_assert_pstr_eq(p.req.query, "x=1&y=%41");
	/* target is cut where the path ends (see the report in http_parse.c) */
	ck_assert_str_eq(p.req.target, "/a%20b");
	parsed_free(&p);
}
END_TEST

START_TEST(request_empty_query_is_empty_string)
{
	struct parsed p;

	parse_req(&p, "GET /a? HTTP/1.1\r\nHost: h\r\n\r\n");
	ck_assert_int_gt(p.ret, 0);
	ck_assert_str_eq(p.req.path, "/a");
	ck_assert_pstr_eq(p.req.query, "");
	parsed_free(&p);
}
END_TEST

START_TEST(request_second_question_mark_stays_in_query)
{
	struct parsed p;

	parse_req(&p, "GET /a?b?c HTTP/1.1\r\nHost: h\r\n\r\n");
	ck_assert_str_eq(p.req.path, "/a");
	ck_assert_pstr_eq(p.req.query, "b?c");
	parsed_free(&p);
}
END_TEST

START_TEST(request_http10_without_host_accepted)
{
	struct parsed p;

	parse_req(&p, "GET / HTTP/1.0\r\n\r\n");
	ck_assert_int_eq(p.ret, 18);
	ck_assert_str_eq(p.req.version, "1.0");
	ck_assert_int_eq(p.req.version_minor, 0);
	ck_assert_ptr_null(p.req.host);
	ck_assert_int_eq(p.req.num_headers, 0);
	parsed_free(&p);
}
END_TEST

START_TEST(request_http11_without_host_400)
{
	ck_assert_int_eq(verdict("GET / HTTP/1.1\r\n\r\n"), 400);
	ck_assert_int_eq(verdict("GET / HTTP/1.1\r\nX-Host: a\r\n\r\n"), 400);
}
END_TEST

START_TEST(request_leading_empty_lines_skipped_and_counted)
{
	static const char in[] = "\r\n\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n";
	struct parsed p;

	parse_req(&p, in);
	ck_assert_int_eq(p.ret, (int)strlen(in));
	ck_assert_str_eq(p.req.method, "GET");
	ck_assert_ptr_eq(p.req.method, p.buf + 5);
	parsed_free(&p);
}
END_TEST

START_TEST(request_bare_lf_line_ends_accepted)
{
	static const char in[] = "GET / HTTP/1.1\nHost: h\nX: y\n\n";
	struct parsed p;

	parse_req(&p, in);
	ck_assert_int_eq(p.ret, (int)strlen(in));
	ck_assert_str_eq(p.req.version, "1.1");
	ck_assert_int_eq(p.req.num_headers, 2);
	ck_assert_str_eq(p.req.headers[1].value, "y");
	parsed_free(&p);
}
END_TEST

START_TEST(request_any_token_method_accepted)
{
	struct parsed p;

	parse_req(&p, "M-SEARCH * HTTP/1.1\r\nHost: h\r\n\r\n");
	ck_assert_str_eq(p.req.method, "M-SEARCH");
	parsed_free(&p);
	ck_assert_int_eq(verdict("PROPFIND / HTTP/1.1\r\nHost: h\r\n\r\n"),
	                 200);
	ck_assert_int_eq(verdict("get / HTTP/1.1\r\nHost: h\r\n\r\n"), 200);
	ck_assert_int_eq(
	    verdict("X!#$%&'*+.^_`|~9 / HTTP/1.1\r\nHost: h\r\n\r\n"), 200);
}
END_TEST

START_TEST(request_method_non_token_400)
{
	static const struct vector v[] = {
	    V("GE(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GE\"T / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("G\x80T / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GE:T / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V(" / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("\tGET / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	};

	CHECK_VECTORS(v);
}
END_TEST

START_TEST(request_separators_must_be_one_space_400)
{
	static const struct vector v[] = {
	    V("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GET /  HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GET /\tHTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 400),
	    V(" GET / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GET / HTTP/1.1\t\r\nHost: h\r\n\r\n", 400),
	};

	CHECK_VECTORS(v);
}
END_TEST

START_TEST(request_versions_10_and_11_accepted)
{
	ck_assert_int_eq(verdict("GET / HTTP/1.0\r\n\r\n"), 200);
	ck_assert_int_eq(verdict("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), 200);
}
END_TEST

START_TEST(request_wellformed_other_versions_505)
{
	static const struct vector v[] = {
	    V("GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505),
	    V("GET / HTTP/1.2\r\nHost: h\r\n\r\n", 505),
	    V("GET / HTTP/3.0\r\nHost: h\r\n\r\n", 505),
	    V("GET / HTTP/0.9\r\nHost: h\r\n\r\n", 505),
	    V("GET / HTTP/9.9\r\n\r\n", 505),
	};

	CHECK_VECTORS(v);
}
END_TEST

START_TEST(request_malformed_versions_400)
{
	static const struct vector v[] = {
	    V("GET / HTTP/1\r\nHost: h\r\n\r\n", 400),
	    V("GET / HTTP/1.1x\r\nHost: h\r\n\r\n", 400),
	    V("GET / http/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GET / HTTP/11.1\r\nHost: h\r\n\r\n", 400),
	    V("GET / HTTP/1.10\r\nHost: h\r\n\r\n", 400),
	    V("GET / HTTP/1.\r\nHost: h\r\n\r\n", 400),
	    V("GET / HTTP/1,1\r\nHost: h\r\n\r\n", 400),
	    V("GET / HTTPS/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GET / HTTP/2\r\nHost: h\r\n\r\n", 400),
	    V("GET / \r\nHost: h\r\n\r\n", 400),
	    V("GET /\r\nHost: h\r\n\r\n", 400),
	    V("GET\r\n\r\n", 400),
	};

	CHECK_VECTORS(v);
}
END_TEST

START_TEST(request_target_controls_and_del_400)
{
	static const struct vector v[] = {
	    V("GET /a\x00 HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GET /a\x01 HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GET /a\x1f HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GET /a\x7f HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GET /a\r HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GET /a\n HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	};

	CHECK_VECTORS(v);
}
END_TEST

START_TEST(request_target_raw_utf8_accepted)
{
	struct parsed p;

	parse_req(&p, "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n");
	ck_assert_int_gt(p.ret, 0);
	ck_assert_str_eq(p.req.path, "/caf\xc3\xa9");
	parsed_free(&p);
}
END_TEST

START_TEST(request_absolute_form_authority_overrides_host)
{
	struct parsed p;

	parse_req(&p, "GET http://example.org:8080/p/q?x=1 HTTP/1.1\r\n"
	              "Host: other.example\r\n\r\n");
	ck_assert_int_gt(p.ret, 0);
	ck_assert_pstr_eq(p.req.host, "example.org:8080");
	ck_assert_str_eq(p.req.path, "/p/q");
	ck_assert_pstr_eq(p.req.query, "x=1");
	ck_assert_str_eq(p.req.target, "/p/q");
	ck_assert_str_eq(p.req.headers[0].value, "other.example");
	parsed_free(&p);
}
END_TEST

START_TEST(request_absolute_form_scheme_case_insensitive_https)
{
	struct parsed p;

	parse_req(&p, "GET HTTPS://Example.org/ HTTP/1.1\r\nHost: x\r\n\r\n");
	ck_assert_int_gt(p.ret, 0);
	ck_assert_pstr_eq(p.req.host, "Example.org");
	ck_assert_str_eq(p.req.path, "/");
	parsed_free(&p);
}
END_TEST

START_TEST(request_absolute_form_empty_path_becomes_slash)
{
	struct parsed p;

	parse_req(&p, "GET http://h HTTP/1.1\r\nHost: h\r\n\r\n");
	ck_assert_int_gt(p.ret, 0);
	ck_assert_pstr_eq(p.req.host, "h");
	ck_assert_str_eq(p.req.path, "/");
	ck_assert_ptr_null(p.req.query);
	parsed_free(&p);

	parse_req(&p,
	          "GET http://host.example?a=b HTTP/1.1\r\nHost: h\r\n\r\n");
	ck_assert_int_gt(p.ret, 0);
	ck_assert_pstr_eq(p.req.host, "host.example");
	ck_assert_str_eq(p.req.path, "/");
	ck_assert_pstr_eq(p.req.query, "a=b");
	parsed_free(&p);
}
END_TEST

START_TEST(request_absolute_form_ipv6_authority)
{
	struct parsed p;

	parse_req(&p, "GET http://[::1]:81/x HTTP/1.1\r\nHost: h\r\n\r\n");
	ck_assert_int_gt(p.ret, 0);
	ck_assert_pstr_eq(p.req.host, "[::1]:81");
	ck_assert_str_eq(p.req.path, "/x");
	parsed_free(&p);
}
END_TEST

START_TEST(request_absolute_form_still_requires_host_header)
{
	ck_assert_int_eq(verdict("GET http://h/ HTTP/1.1\r\n\r\n"), 400);
	ck_assert_int_eq(verdict("GET http://h/ HTTP/1.0\r\n\r\n"), 200);
}
END_TEST

START_TEST(request_absolute_form_bad_scheme_or_authority_400)
{
	static const struct vector v[] = {
	    V("GET ftp://h/ HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GET http:/h/ HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GET http:// HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GET http:///p HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GET http://u:p@h/ HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GET http://h:99999/ HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GET http://h:/ HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GET http://[::1/ HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GET http://a..b/ HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GET http://h#f HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GET httpx://h/ HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GET index.html HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	};

	CHECK_VECTORS(v);
}
END_TEST

START_TEST(request_asterisk_form)
{
	struct parsed p;

	parse_req(&p, "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n");
	ck_assert_int_gt(p.ret, 0);
	ck_assert_str_eq(p.req.target, "*");
	ck_assert_str_eq(p.req.path, "*");
	ck_assert_ptr_null(p.req.query);
	parsed_free(&p);
	ck_assert_int_eq(verdict("OPTIONS *x HTTP/1.1\r\nHost: h\r\n\r\n"),
	                 400);
	ck_assert_int_eq(verdict("OPTIONS ** HTTP/1.1\r\nHost: h\r\n\r\n"),
	                 400);
}
END_TEST

START_TEST(request_connect_authority_form)
{
	struct parsed p;

	parse_req(&p, "CONNECT example.org:443 HTTP/1.1\r\n"
	              "Host: example.org:443\r\n\r\n");
	ck_assert_int_gt(p.ret, 0);
	ck_assert_str_eq(p.req.method, "CONNECT");
	ck_assert_str_eq(p.req.target, "example.org:443");
	ck_assert_str_eq(p.req.path, "example.org:443");
	ck_assert_pstr_eq(p.req.host, "example.org:443");
	parsed_free(&p);
}
END_TEST

START_TEST(request_authority_form_misuse_400)
{
	static const struct vector v[] = {
	    V("CONNECT example.org HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("CONNECT / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("CONNECT http://h:1/ HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V("GET example.org:443 HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	};

	CHECK_VECTORS(v);
}
END_TEST

/* ---- header lines -------------------------------------------------------- */

START_TEST(header_names_values_and_count)
{
	struct parsed p;

	parse_req(&p, H11 "Accept: */*\r\nX-Empty:\r\nX-Last: z\r\n\r\n");
	ck_assert_int_gt(p.ret, 0);
	ck_assert_int_eq(p.req.num_headers, 4);
	ck_assert_str_eq(p.req.headers[1].name, "Accept");
	ck_assert_str_eq(p.req.headers[1].value, "*/*");
	ck_assert_str_eq(p.req.headers[2].name, "X-Empty");
	ck_assert_str_eq(p.req.headers[2].value, "");
	ck_assert_str_eq(p.req.headers[3].value, "z");
	parsed_free(&p);
}
END_TEST

START_TEST(header_ows_trimmed_internal_kept)
{
	struct parsed p;

	parse_req(&p, H11 "A: \t  x  y \t \r\nB:no-space\r\nC:   \r\n\r\n");
	ck_assert_int_gt(p.ret, 0);
	ck_assert_str_eq(p.req.headers[1].value, "x  y");
	ck_assert_str_eq(p.req.headers[2].value, "no-space");
	ck_assert_str_eq(p.req.headers[3].value, "");
	parsed_free(&p);
}
END_TEST

START_TEST(header_value_htab_and_obs_text_allowed)
{
	struct parsed p;

	parse_req(&p, H11 "A: a\tb\r\nB: \x80\xff\xc3\xa9\r\n\r\n");
	ck_assert_int_gt(p.ret, 0);
	ck_assert_str_eq(p.req.headers[1].value, "a\tb");
	ck_assert_str_eq(p.req.headers[2].value, "\x80\xff\xc3\xa9");
	parsed_free(&p);
}
END_TEST

START_TEST(header_name_must_be_token_then_colon_400)
{
	static const struct vector v[] = {
	    V(H11 "X-A : b\r\n\r\n", 400), V(H11 "X-A\t: b\r\n\r\n", 400),
	    V(H11 ": b\r\n\r\n", 400),     V(H11 "X(A): b\r\n\r\n", 400),
	    V(H11 "X A: b\r\n\r\n", 400),  V(H11 "X\x80: b\r\n\r\n", 400),
	    V(H11 "NoColon\r\n\r\n", 400), V(H11 "X\x00: b\r\n\r\n", 400),
	};

	CHECK_VECTORS(v);
}
END_TEST

START_TEST(header_value_nul_cr_ctl_del_400)
{
	static const struct vector v[] = {
	    V(H11 "A: a\x00"
	          "b\r\n\r\n",
	      400),
	    V(H11 "A: a\rb\r\n\r\n", 400),
	    V(H11 "A: a\r\r\n\r\n", 400),
	    V(H11 "A: a\x01"
	          "b\r\n\r\n",
	      400),
	    V(H11 "A: a\x1b"
	          "b\r\n\r\n",
	      400),
	    V(H11 "A: a\x7f"
	          "b\r\n\r\n",
	      400),
	    V(H11 "A: \x0b"
	          "b\r\n\r\n",
	      400),
	};

	CHECK_VECTORS(v);
}
END_TEST

START_TEST(header_obs_fold_400)
{
	static const struct vector v[] = {
	    V(H11 "A: a\r\n b\r\n\r\n", 400),
	    V(H11 "A: a\r\n\tb\r\n\r\n", 400),
	    V("GET / HTTP/1.1\r\n Host: h\r\n\r\n", 400),
	    V(H11 " \r\n\r\n", 400),
	};

	CHECK_VECTORS(v);
}
END_TEST

START_TEST(header_lookup_case_insensitive)
{
	struct parsed p;

	parse_req(&p, H11 "Content-Type: text/plain\r\nX-a: 1\r\n\r\n");
	ck_assert_pstr_eq(
	    cw_http_header(p.req.headers, p.req.num_headers, "content-type"),
	    "text/plain");
	ck_assert_pstr_eq(
	    cw_http_header(p.req.headers, p.req.num_headers, "HOST"),
	    "example.com");
	ck_assert_pstr_eq(
	    cw_http_header(p.req.headers, p.req.num_headers, "x-A"), "1");
	ck_assert_ptr_null(
	    cw_http_header(p.req.headers, p.req.num_headers, "X-Missing"));
	ck_assert_ptr_null(
	    cw_http_header(p.req.headers, p.req.num_headers, "Content"));
	ck_assert_ptr_null(
	    cw_http_header(p.req.headers, p.req.num_headers, "Content-Type-X"));
	ck_assert_ptr_null(cw_http_header(p.req.headers, 0, "Host"));
	parsed_free(&p);
}
END_TEST

/* ---- Host ---------------------------------------------------------------- */

START_TEST(host_valid_forms_accepted)
{
	static const char *const hosts[] = {
	    "example.com",   "example.com:8080",
	    "1.2.3.4",       "1.2.3.4:80",
	    "[::1]",         "[::1]:8080",
	    "[2001:db8::1]", "[::ffff:1.2.3.4]",
	    "localhost",     "a-b.c_d~e",
	    "x:0",           "x:65535",
	    "EXAMPLE.COM",   "",
	};
	size_t i;

	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		char in[256];
		struct parsed p;

		snprintf(in, sizeof(in), "GET / HTTP/1.1\r\nHost: %s\r\n\r\n",
		         hosts[i]);
		parse_req(&p, in);
		ck_assert_msg(p.ret > 0, "host '%s' refused (%d)", hosts[i],
		              p.status);
		ck_assert_pstr_eq(p.req.host, hosts[i]);
		parsed_free(&p);
	}
}
END_TEST

START_TEST(host_invalid_forms_400)
{
	static const char *const hosts[] = {
	    "exa mple.com", "a/b",      "a\\b", "a:",   "a:99999", "a:65536",
	    "a:80x",        "a:-1",     ":80",  "[::1", "[]",      "[:]",
	    "[::1]x",       "[::1]:",   "a..b", "%41",  "a@b",     "a:80:80",
	    "[zz::1]",      "a\"b",     "a<b",  "a?b",  "a#b",     "\xc3\xa9",
	    "[v1.x]",       "a:123456",
	};
	size_t i;

	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		char in[256];

		snprintf(in, sizeof(in), "GET / HTTP/1.1\r\nHost: %s\r\n\r\n",
		         hosts[i]);
		ck_assert_msg(verdict(in) == 400, "host '%s' got %d", hosts[i],
		              verdict(in));
	}
}
END_TEST

START_TEST(host_duplicate_400)
{
	ck_assert_int_eq(verdict(H11 "Host: example.com\r\n\r\n"), 400);
	ck_assert_int_eq(verdict(H11 "host: other\r\n\r\n"), 400);
	ck_assert_int_eq(
	    verdict("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
}
END_TEST

START_TEST(host_optional_in_http10_but_validated)
{
	struct parsed p;

	parse_req(&p, "GET / HTTP/1.0\r\nHOST: a.example\r\n\r\n");
	ck_assert_pstr_eq(p.req.host, "a.example");
	parsed_free(&p);
	ck_assert_int_eq(verdict("GET / HTTP/1.0\r\nHost: a/b\r\n\r\n"), 400);
}
END_TEST

/* ---- Content-Length ------------------------------------------------------ */

START_TEST(content_length_parsed)
{
	struct parsed p;

	parse_req(&p, P11 "Content-Length: 5\r\n\r\nhello");
	ck_assert_int_eq(p.ret, (int)strlen(P11) + 21);
	ck_assert_int_eq(p.req.content_length, 5);
	ck_assert_int_eq(p.req.chunked, 0);
	ck_assert_mem_eq(p.buf + p.ret, "hello", 5);
	parsed_free(&p);
}
END_TEST

START_TEST(content_length_zero_and_leading_zeros)
{
	struct parsed p;

	parse_req(&p, P11 "content-length: 0\r\n\r\n");
	ck_assert_int_eq(p.req.content_length, 0);
	parsed_free(&p);
	parse_req(&p, P11 "Content-Length: 000012\r\n\r\n");
	ck_assert_int_eq(p.req.content_length, 12);
	parsed_free(&p);
}
END_TEST

START_TEST(content_length_max_long_long_accepted)
{
	struct parsed p;

	parse_req(&p, P11 "Content-Length: 9223372036854775807\r\n\r\n");
	ck_assert_int_gt(p.ret, 0);
	ck_assert(p.req.content_length == LLONG_MAX);
	parsed_free(&p);
}
END_TEST

START_TEST(content_length_overflow_400)
{
	static const struct vector v[] = {
	    V(P11 "Content-Length: 9223372036854775808\r\n\r\n", 400),
	    V(P11 "Content-Length: 18446744073709551616\r\n\r\n", 400),
	    V(P11 "Content-Length: 99999999999999999999999999999\r\n\r\n", 400),
	};

	CHECK_VECTORS(v);
}
END_TEST

START_TEST(content_length_not_decimal_400)
{
	static const struct vector v[] = {
	    V(P11 "Content-Length: +5\r\n\r\n", 400),
	    V(P11 "Content-Length: -5\r\n\r\n", 400),
	    V(P11 "Content-Length: 5 5\r\n\r\n", 400),
	    V(P11 "Content-Length: 0x5\r\n\r\n", 400),
	    V(P11 "Content-Length: 5a\r\n\r\n", 400),
	    V(P11 "Content-Length: 1e3\r\n\r\n", 400),
	    V(P11 "Content-Length: 5.0\r\n\r\n", 400),
	    V(P11 "Content-Length: \r\n\r\n", 400),
	    V(P11 "Content-Length: five\r\n\r\n", 400),
	    V(P11 "Content-Length: 5;x\r\n\r\n", 400),
	};

	CHECK_VECTORS(v);
}
END_TEST

START_TEST(content_length_equal_duplicates_accepted)
{
	struct parsed p;

	parse_req(&p, P11 "Content-Length: 5\r\nContent-Length: 5\r\n\r\n");
	ck_assert_int_gt(p.ret, 0);
	ck_assert_int_eq(p.req.content_length, 5);
	parsed_free(&p);
	parse_req(&p, P11 "Content-Length: 5, 5,5\r\n\r\n");
	ck_assert_int_gt(p.ret, 0);
	ck_assert_int_eq(p.req.content_length, 5);
	parsed_free(&p);
}
END_TEST

START_TEST(content_length_differing_or_empty_list_items_400)
{
	static const struct vector v[] = {
	    V(P11 "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", 400),
	    V(P11 "Content-Length: 5, 6\r\n\r\n", 400),
	    V(P11 "Content-Length: 5,,5\r\n\r\n", 400),
	    V(P11 "Content-Length: 5,\r\n\r\n", 400),
	    V(P11 "Content-Length: ,5\r\n\r\n", 400),
	    V(P11 "Content-Length: 5\r\nContent-Length: 5, 7\r\n\r\n", 400),
	};

	CHECK_VECTORS(v);
}
END_TEST

/* ---- Transfer-Encoding, Connection, Expect ------------------------------- */

START_TEST(transfer_encoding_chunked_sets_flag)
{
	static const char *const values[] = {"chunked", "CHUNKED", "Chunked",
	                                     "\tchunked \t"};
	size_t i;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char in[256];
		struct parsed p;

		snprintf(in, sizeof(in), P11 "Transfer-Encoding: %s\r\n\r\n",
		         values[i]);
		parse_req(&p, in);
		ck_assert_int_eq(p.ret, (int)strlen(in));
		ck_assert_int_eq(p.req.chunked, 1);
		ck_assert_int_eq(p.req.content_length, -1);
		parsed_free(&p);
	}
}
END_TEST

START_TEST(transfer_encoding_other_codings_501)
{
	static const struct vector v[] = {
	    V(P11 "Transfer-Encoding: gzip, chunked\r\n\r\n", 501),
	    V(P11 "Transfer-Encoding: chunked, gzip\r\n\r\n", 501),
	    V(P11 "Transfer-Encoding: chunked,chunked\r\n\r\n", 501),
	    V(P11 "Transfer-Encoding: identity\r\n\r\n", 501),
	    V(P11 "Transfer-Encoding: xchunked\r\n\r\n", 501),
	    V(P11 "Transfer-Encoding: chunkedx\r\n\r\n", 501),
	    V(P11 "Transfer-Encoding: chunk\r\n\r\n", 501),
	    V(P11 "Transfer-Encoding: gzip\r\n\r\n", 501),
	    V(P11 "Transfer-Encoding: \"chunked\"\r\n\r\n", 501),
	    V(P11 "Transfer-Encoding: chunked;q=1\r\n\r\n", 501),
	    V(P11 "Transfer-Encoding: \r\n\r\n", 501),
	};

	CHECK_VECTORS(v);
}
END_TEST

START_TEST(transfer_encoding_conflicts_400)
{
	static const struct vector v[] = {
	    V(P11 "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
	      400),
	    V(P11 "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
	      400),
	    V(P11 "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"
	          "\r\n",
	      400),
	    V("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
	    V(P11 "Content-Length: 5\r\nTransfer-Encoding: gzip\r\n\r\n", 400),
	};

	CHECK_VECTORS(v);
}
END_TEST

START_TEST(connection_tokens_set_flags)
{
	static const struct {
		const char *value;
		int close, keep_alive, upgrade;
	} cases[] = {
	    {"close", 1, 0, 0},
	    {"Close", 1, 0, 0},
	    {"keep-alive", 0, 1, 0},
	    {"Keep-Alive", 0, 1, 0},
	    {"Upgrade", 0, 0, 1},
	    {"keep-alive, Upgrade", 0, 1, 1},
	    {" , close ,, upgrade ,", 1, 0, 1},
	    {"closed", 0, 0, 0},
	    {"x-close", 0, 0, 0},
	    {"", 0, 0, 0},
	    {"TE, close", 1, 0, 0},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char in[256];
		struct parsed p;

		snprintf(in, sizeof(in), H11 "Connection: %s\r\n\r\n",
		         cases[i].value);
		parse_req(&p, in);
		ck_assert_int_gt(p.ret, 0);
		ck_assert_msg(p.req.conn_close == cases[i].close &&
		                  p.req.conn_keep_alive ==
		                      cases[i].keep_alive &&
		                  p.req.conn_upgrade == cases[i].upgrade,
		              "Connection: %s", cases[i].value);
		parsed_free(&p);
	}
}
END_TEST

START_TEST(connection_several_headers_combine)
{
	struct parsed p;

	parse_req(&p,
	          H11 "Connection: keep-alive\r\nConnection: close\r\n\r\n");
	ck_assert_int_eq(p.req.conn_keep_alive, 1);
	ck_assert_int_eq(p.req.conn_close, 1);
	parsed_free(&p);
}
END_TEST

START_TEST(expect_100_continue_any_case)
{
	struct parsed p;

	parse_req(&p, P11 "Expect: 100-continue\r\n\r\n");
	ck_assert_int_gt(p.ret, 0);
	ck_assert_int_eq(p.req.expect_continue, 1);
	parsed_free(&p);
	parse_req(&p, P11 "Expect:  100-CONTINUE \r\n\r\n");
	ck_assert_int_eq(p.req.expect_continue, 1);
	parsed_free(&p);
}
END_TEST

START_TEST(expect_other_value_417)
{
	static const struct vector v[] = {
	    V(P11 "Expect: foo\r\n\r\n", 417),
	    V(P11 "Expect: 100-continuex\r\n\r\n", 417),
	    V(P11 "Expect: 100-continue, foo\r\n\r\n", 417),
	    V(P11 "Expect: 200-ok\r\n\r\n", 417),
	};

	CHECK_VECTORS(v);
}
END_TEST

START_TEST(expect_ignored_in_http10_and_when_empty)
{
	struct parsed p;

	parse_req(&p, "POST / HTTP/1.0\r\nExpect: foo\r\n\r\n");
	ck_assert_int_gt(p.ret, 0);
	ck_assert_int_eq(p.req.expect_continue, 0);
	parsed_free(&p);
	parse_req(&p, "POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n");
	ck_assert_int_gt(p.ret, 0);
	ck_assert_int_eq(p.req.expect_continue, 0);
	parsed_free(&p);
	ck_assert_int_eq(verdict(P11 "Expect:\r\n\r\n"), 200);
}
END_TEST

/* ---- smuggling ----------------------------------------------------------- */

START_TEST(smuggling_vectors_refused)
{
	static const struct vector v[] = {
	    /* both framings */
	    V(P11 "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
	      400),
	    V(P11 "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
	      400),
	    V(P11 "Transfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n",
	      400),
	    /* Transfer-Encoding spelled so that some parser misses it */
	    V(P11 "Transfer-Encoding : chunked\r\n\r\n", 400),
	    V(P11 "Transfer-Encoding\t: chunked\r\n\r\n", 400),
	    V(P11 " Transfer-Encoding: chunked\r\n\r\n", 400),
	    V(P11 "Transfer-Encoding: chunked\x0b\r\n\r\n", 400),
	    V(P11 "Transfer-Encoding: \x0c"
	          "chunked\r\n\r\n",
	      400),
	    V(P11 "Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n",
	      400),
	    V(P11 "Transfer-Encoding: chunked, identity\r\n\r\n", 501),
	    V(P11 "Transfer-Encoding: chunked garbage\r\n\r\n", 501),
	    V(P11 "Transfer-Encoding: xchunked\r\n\r\n", 501),
	    V("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n"
	      "Content-Length: 5\r\n\r\n",
	      400),
	    /* Content-Length that some parser reads differently */
	    V(P11 "Content-Length: +5\r\n\r\n", 400),
	    V(P11 "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", 400),
	    V(P11 "Content-Length: 5, 6\r\n\r\n", 400),
	    V(P11 "Content-Length: 0x10\r\n\r\n", 400),
	    V(P11 "Content-Length: 5\x00\r\n\r\n", 400),
	    V(P11 "Content-Length : 5\r\n\r\n", 400),
	    V(P11 "Content-Length: 18446744073709551621\r\n\r\n", 400),
	    /* line structure */
	    V(P11 "X: y\r\n Transfer-Encoding: chunked\r\n\r\n", 400),
	    V(P11 "X: y\r\n\tContent-Length: 5\r\n\r\n", 400),
	    V(P11 "X: a\rContent-Length: 5\r\n\r\n", 400),
	    V(P11 "X: a\r\rTransfer-Encoding: chunked\r\n\r\n", 400),
	    V("POST / HTTP/1.1\rHost: h\r\n\r\n", 400),
	    V(P11 "X\x00Y: z\r\n\r\n", 400),
	    V(P11 "X: a\x00\r\nContent-Length: 5\r\n\r\n", 400),
	    V("GET /\x00 HTTP/1.1\r\nHost: h\r\n\r\n", 400),
	    V(P11 "\r\r\n", 400),
	    /* Host confusion */
	    V(P11 "Host: evil.example\r\n\r\n", 400),
	    V("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
	    V("GET / HTTP/1.1\r\nHost: a/../b\r\n\r\n", 400),
	    /* the same without tricks: accepted */
	    V(P11 "Content-Length: 5\r\n\r\n", 200),
	    V(P11 "Transfer-Encoding: chunked\r\n\r\n", 200),
	    V(P11 "X: a\nContent-Length: 5\n\n", 200),
	};

	CHECK_VECTORS(v);
}
END_TEST

/* ---- limits -------------------------------------------------------------- */

/* A request with Host and `extra` more header lines. */
static size_t build_many_headers(char *buf, size_t cap, int extra)
{
	size_t n = (size_t)snprintf(buf, cap, "GET / HTTP/1.1\r\nHost: h\r\n");
	int i;

	for (i = 0; i < extra; i++)
		n += (size_t)snprintf(buf + n, cap - n, "X-H%d: %d\r\n", i, i);
	n += (size_t)snprintf(buf + n, cap - n, "\r\n");
	return n;
}

START_TEST(limits_64_header_lines_accepted)
{
	char in[4096];
	size_t n = build_many_headers(in, sizeof(in), MG_MAX_HEADERS - 1);
	struct parsed p;

	parse_req_n(&p, in, n, HEAD_MAX);
	ck_assert_int_eq(p.ret, (int)n);
	ck_assert_int_eq(p.req.num_headers, MG_MAX_HEADERS);
	ck_assert_str_eq(p.req.headers[MG_MAX_HEADERS - 1].name, "X-H62");
	ck_assert_str_eq(p.req.headers[MG_MAX_HEADERS - 1].value, "62");
	parsed_free(&p);
}
END_TEST

START_TEST(limits_65_header_lines_431)
{
	char in[4096];
	size_t n = build_many_headers(in, sizeof(in), MG_MAX_HEADERS);

	ck_assert_int_eq(verdict_n(in, n, HEAD_MAX), 431);
	/* refused as soon as the 65th line starts, without its line end */
	n = build_many_headers(in, sizeof(in), MG_MAX_HEADERS - 1);
	memcpy(in + n - 2, "Y", 1);
	ck_assert_int_eq(verdict_n(in, n - 1, HEAD_MAX), 431);
}
END_TEST

START_TEST(limits_head_of_exactly_max_head_accepted)
{
	static const char in[] = H11 "X: 0123456789\r\n\r\nBODY";
	size_t head = strlen(in) - 4;
	struct parsed p;

	parse_req_n(&p, in, strlen(in), head);
	ck_assert_int_eq(p.ret, (int)head);
	ck_assert_mem_eq(p.buf + head, "BODY", 4);
	parsed_free(&p);
	ck_assert_int_eq(verdict_n(in, head, head), 200);
}
END_TEST

START_TEST(limits_head_one_byte_over_max_head_431)
{
	static const char in[] = H11 "X: 0123456789\r\n\r\n";
	size_t head = strlen(in);

	ck_assert_int_eq(verdict_n(in, head, head - 1), 431);
	ck_assert_int_eq(verdict_n(in, head - 1, head - 1), 431);
	/* fewer bytes than max_head: just wait */
	ck_assert_int_eq(verdict_n(in, head - 2, head - 1), 0);
}
END_TEST

START_TEST(limits_request_line_over_max_head_414)
{
	static const char in[] = "GET /0123456789012345678901234567890123456789"
	                         " HTTP/1.1\r\nHost: h\r\n\r\n";
	size_t line = strlen("GET /0123456789012345678901234567890123456789"
	                     " HTTP/1.1\r\n");

	ck_assert_int_eq(verdict_n(in, strlen(in), 20), 414);
	ck_assert_int_eq(verdict_n(in, 20, 20), 414);
	ck_assert_int_eq(verdict_n(in, 19, 20), 0);
	/* the CR fits but not its LF: still the request line */
	ck_assert_int_eq(verdict_n(in, strlen(in), line - 1), 414);
	/* the line fits exactly, the headers do not */
	ck_assert_int_eq(verdict_n(in, strlen(in), line), 431);
	ck_assert_int_eq(verdict_n(in, strlen(in), line + 3), 431);
}
END_TEST

START_TEST(limits_leading_empty_lines_count_toward_max_head)
{
	static const char in[] = "\r\n\r\n\r\n\r\nGET / HTTP/1.0\r\n\r\n";

	ck_assert_int_eq(verdict_n(in, strlen(in), strlen(in)), 200);
	ck_assert_int_eq(verdict_n(in, strlen(in), 8), 414);
	ck_assert_int_eq(verdict_n(in, strlen(in), strlen(in) - 1), 431);
}
END_TEST

START_TEST(limits_only_first_max_head_bytes_examined)
{
	/* after max_head come bytes that would be refused if read */
	static const char in[] = "GET / HTTP/1.0\r\n\r\n\x00\r\x01";

	ck_assert_int_eq(verdict_n(in, sizeof(in) - 1, 18), 206);
	ck_assert_int_eq(verdict_n(in, 10, 0), 414);
	ck_assert_int_eq(verdict_n(in, 0, HEAD_MAX), 0);
	ck_assert_int_eq(verdict_n("\r\n", 2, HEAD_MAX), 0);
}
END_TEST

/* ---- pipelining and incremental input ------------------------------------ */

START_TEST(pipelined_two_requests_return_points_at_second)
{
	static const char first[] = "GET /one HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char in[] = "GET /one HTTP/1.1\r\nHost: h\r\n\r\n"
	                         "GET /two HTTP/1.1\r\nHost: h\r\n\r\n";
	struct parsed p;
	struct cw_http_request req2;
	int status = 0, ret2;

	parse_req(&p, in);
	ck_assert_int_eq(p.ret, (int)strlen(first));
	ck_assert_str_eq(p.req.path, "/one");
	ret2 = cw_http_parse_request(p.buf + p.ret, strlen(in) - (size_t)p.ret,
	                             HEAD_MAX, &req2, &status);
	ck_assert_int_eq(ret2, (int)(strlen(in) - strlen(first)));
	ck_assert_str_eq(req2.path, "/two");
	/* the first request's strings survive parsing the second */
	ck_assert_str_eq(p.req.path, "/one");
	parsed_free(&p);
}
END_TEST

START_TEST(pipelined_body_then_next_request)
{
	static const char in[] = P11 "Content-Length: 3\r\n\r\nabc"
	                             "GET /next HTTP/1.0\r\n\r\n";
	struct parsed p;
	struct cw_http_request req2;
	int status = 0, ret2;
	size_t rest;

	parse_req(&p, in);
	ck_assert_int_eq(p.ret, (int)strlen(P11 "Content-Length: 3\r\n\r\n"));
	ck_assert_int_eq(p.req.content_length, 3);
	ck_assert_mem_eq(p.buf + p.ret, "abc", 3);
	rest = strlen(in) - (size_t)p.ret - 3;
	ret2 = cw_http_parse_request(p.buf + p.ret + 3, rest, HEAD_MAX, &req2,
	                             &status);
	ck_assert_int_eq(ret2, (int)rest);
	ck_assert_str_eq(req2.path, "/next");
	parsed_free(&p);
}
END_TEST

static const char *const valid_requests[] = {
    "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
    "\r\n\nGET /a?b HTTP/1.1\nHost: h\nX:\n\n",
    P11 "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n",
    P11 "Content-Length: 10, 10\r\nConnection: close\r\n\r\n",
    "GET http://h:1/p?q HTTP/1.1\r\nHost: x\r\nA:  b  \r\n\r\n",
    "OPTIONS * HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
    "CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n",
    "GET / HTTP/1.0\r\n\r\n",
};

START_TEST(incremental_every_prefix_needs_more)
{
	size_t i, k;

	for (i = 0; i < sizeof(valid_requests) / sizeof(valid_requests[0]);
	     i++) {
		const char *in = valid_requests[i];
		size_t n = strlen(in);

		for (k = 0; k < n; k++)
			ck_assert_msg(verdict_n(in, k, HEAD_MAX) == 0,
			              "request %zu prefix %zu not 0", i, k);
		ck_assert_int_eq(verdict_n(in, n, HEAD_MAX), 200);
	}
}
END_TEST

START_TEST(incremental_need_more_leaves_buffer_untouched)
{
	size_t i, k;

	for (i = 0; i < sizeof(valid_requests) / sizeof(valid_requests[0]);
	     i++) {
		const char *in = valid_requests[i];

		for (k = 0; k < strlen(in); k++) {
			struct parsed p;

			parse_req_n(&p, in, k, HEAD_MAX);
			ck_assert_int_eq(p.ret, 0);
			ck_assert_msg(memcmp(p.buf, in, k) == 0,
			              "request %zu prefix %zu modified", i, k);
			parsed_free(&p);
		}
	}
}
END_TEST

START_TEST(incremental_body_bytes_not_modified)
{
	static const char in[] = P11 "Content-Length: 4\r\n\r\n\r\n\x00:";
	struct parsed p;

	parse_req_n(&p, LIT(in), HEAD_MAX);
	ck_assert_int_eq(p.ret, (int)sizeof(in) - 5);
	ck_assert_mem_eq(p.buf + p.ret, "\r\n\x00:", 4);
	parsed_free(&p);
}
END_TEST

/* For refusals, every prefix must say "need more" until the offending bytes
 * arrive and then the same refusal for every longer prefix: the verdict
 * never depends on how the input was split. */
START_TEST(incremental_verdict_is_monotonic_for_refusals)
{
	static const struct vector v[] = {
	    V(P11 "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
	      400),
	    V(P11 "Transfer-Encoding: gzip\r\n\r\n", 501),
	    V(P11 "Expect: nope\r\n\r\n", 417),
	    V("GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505),
	    V(P11 "X: a\r\n b\r\n\r\n", 400),
	    V("GET / HTTP/1.1\r\n\r\n", 400),
	};
	size_t i, k;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int seen = 0;

		for (k = 0; k <= v[i].n; k++) {
			int got = verdict_n(v[i].in, k, HEAD_MAX);

			if (got != 0)
				seen = 1;
			ck_assert_msg(got == (seen ? v[i].want : 0),
			              "vector %zu prefix %zu: got %d", i, k,
			              got);
		}
		ck_assert_int_eq(seen, 1);
	}
}
END_TEST

START_TEST(early_refusal_without_line_end)
{
	ck_assert_int_eq(verdict_n(LIT("GET /\x00"), HEAD_MAX), 400);
	ck_assert_int_eq(verdict_n(LIT("GET\x00"), HEAD_MAX), 400);
	ck_assert_int_eq(verdict_n(LIT("GET / HTTQ"), HEAD_MAX), 400);
	ck_assert_int_eq(verdict_n(LIT("GET / HTTP/1.1x"), HEAD_MAX), 400);
	ck_assert_int_eq(verdict_n(LIT("GET / HTTP/1.1\r\r"), HEAD_MAX), 400);
	ck_assert_int_eq(verdict_n(LIT("\r\r"), HEAD_MAX), 400);
	ck_assert_int_eq(verdict_n(LIT(H11 "X: a\x00"), HEAD_MAX), 400);
	ck_assert_int_eq(verdict_n(LIT(H11 "X : "), HEAD_MAX), 400);
	ck_assert_int_eq(verdict_n(LIT(H11 "X: a\r\n "), HEAD_MAX), 400);
	ck_assert_int_eq(verdict_n(LIT("GET http://a..b/ "), HEAD_MAX), 400);
	/* well-formed so far: wait */
	ck_assert_int_eq(verdict_n(LIT("GET / HTTP/2.0"), HEAD_MAX), 0);
	ck_assert_int_eq(verdict_n(LIT(H11 "X: a\r"), HEAD_MAX), 0);
}
END_TEST

/* ---- responses ----------------------------------------------------------- */

START_TEST(response_all_fields)
{
	static const char in[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	                         "Server: x\r\n\r\nhello";
	struct rparsed p;

	parse_resp_n(&p, LIT(in), HEAD_MAX);
	ck_assert_int_eq(p.ret, (int)sizeof(in) - 6);
	ck_assert_str_eq(p.resp.version, "1.1");
	ck_assert_int_eq(p.resp.status, 200);
	ck_assert_str_eq(p.resp.reason, "OK");
	ck_assert_int_eq(p.resp.num_headers, 2);
	ck_assert_str_eq(p.resp.headers[1].name, "Server");
	ck_assert_str_eq(p.resp.headers[1].value, "x");
	ck_assert_int_eq(p.resp.content_length, 5);
	ck_assert_int_eq(p.resp.chunked, 0);
	ck_assert_int_eq(p.resp.conn_close, 0);
	ck_assert_mem_eq(p.buf + p.ret, "hello", 5);
	free(p.buf);
}
END_TEST

START_TEST(response_reason_forms)
{
	struct rparsed p;

	parse_resp_n(&p, LIT("HTTP/1.1 200\r\n\r\n"), HEAD_MAX);
	ck_assert_int_eq(p.ret, 16);
	ck_assert_int_eq(p.resp.status, 200);
	ck_assert_str_eq(p.resp.reason, "");
	ck_assert_str_eq(p.resp.version, "1.1");
	free(p.buf);
	parse_resp_n(&p, LIT("HTTP/1.0 404 \r\n\r\n"), HEAD_MAX);
	ck_assert_int_eq(p.resp.status, 404);
	ck_assert_str_eq(p.resp.reason, "");
	ck_assert_str_eq(p.resp.version, "1.0");
	free(p.buf);
	parse_resp_n(&p, LIT("HTTP/1.1 503 Service  Unavailable\xe9\n\n"),
	             HEAD_MAX);
	ck_assert_int_eq(p.resp.status, 503);
	ck_assert_str_eq(p.resp.reason, "Service  Unavailable\xe9");
	free(p.buf);
}
END_TEST

START_TEST(response_framing_flags)
{
	struct rparsed p;

	parse_resp_n(&p,
	             LIT("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n"
	                 "Connection: close\r\n\r\n"),
	             HEAD_MAX);
	ck_assert_int_gt(p.ret, 0);
	ck_assert_int_eq(p.resp.chunked, 1);
	ck_assert_int_eq(p.resp.content_length, -1);
	ck_assert_int_eq(p.resp.conn_close, 1);
	free(p.buf);
	parse_resp_n(&p,
	             LIT("HTTP/1.1 101 Switching Protocols\r\n"
	                 "Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n"),
	             HEAD_MAX);
	ck_assert_int_eq(p.resp.status, 101);
	ck_assert_int_eq(p.resp.conn_close, 0);
	free(p.buf);
}
END_TEST

START_TEST(response_malformed_refused)
{
	static const char *const bad[] = {
	    "HTTP/1.1 20 OK\r\n\r\n",
	    "HTTP/1.1 2000 OK\r\n\r\n",
	    "HTTP/1.1 099 X\r\n\r\n",
	    "HTTP/1.1 2x0 OK\r\n\r\n",
	    "HTTP/1.1  200 OK\r\n\r\n",
	    "HTTP/1.1\t200 OK\r\n\r\n",
	    "HTTP/2.0 200 OK\r\n\r\n",
	    "HTTP/1.2 200 OK\r\n\r\n",
	    "http/1.1 200 OK\r\n\r\n",
	    "HTTP/1.1 200 O\x01K\r\n\r\n",
	    "HTTP/1.1 200 OK\rX\r\n\r\n",
	    ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	     "Transfer-Encoding: chunked\r\n\r\n"),
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
	    "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nX : a\r\n\r\n",
	    "ICY 200 OK\r\n\r\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(resp_ret(bad[i]) == -1, "response %zu accepted",
		              i);
}
END_TEST

START_TEST(response_incremental_and_too_big)
{
	static const char in[] = "HTTP/1.1 204 No Content\r\nDate: x\r\n\r\n";
	size_t k, n = strlen(in);

	for (k = 0; k < n; k++) {
		struct rparsed p;

		parse_resp_n(&p, in, k, HEAD_MAX);
		ck_assert_msg(p.ret == 0, "prefix %zu: %d", k, p.ret);
		ck_assert(memcmp(p.buf, in, k) == 0);
		free(p.buf);
	}
	ck_assert_int_eq(resp_ret(in), (int)n);
	{
		struct rparsed p;

		parse_resp_n(&p, in, n, n - 1);
		ck_assert_int_eq(p.ret, -1);
		free(p.buf);
		parse_resp_n(&p, in, n, n);
		ck_assert_int_eq(p.ret, (int)n);
		free(p.buf);
	}
}
END_TEST

START_TEST(response_too_many_headers_refused)
{
	char in[4096];
	size_t n = (size_t)snprintf(in, sizeof(in), "HTTP/1.1 200 OK\r\n");
	struct rparsed p;
	int i;

	for (i = 0; i < MG_MAX_HEADERS; i++)
		n += (size_t)snprintf(in + n, sizeof(in) - n, "X-%d: y\r\n", i);
	memcpy(in + n, "\r\n", 2);
	parse_resp_n(&p, in, n + 2, HEAD_MAX);
	ck_assert_int_eq(p.ret, (int)n + 2);
	ck_assert_int_eq(p.resp.num_headers, MG_MAX_HEADERS);
	free(p.buf);
	memcpy(in + n, "Y: z\r\n\r\n", 8);
	parse_resp_n(&p, in, n + 8, HEAD_MAX);
	ck_assert_int_eq(p.ret, -1);
	free(p.buf);
}
END_TEST

/* ---- chunked bodies ------------------------------------------------------ */

struct chunk_case {
	const char *in;
	size_t n;
	const char *data; /* expected data, or NULL if refused */
	size_t data_len;
	size_t body_len; /* bytes that belong to the body */
};
#define CHUNK_OK(s, d, body)                                                   \
	{                                                                      \
		LIT(s), (d), sizeof(d) - 1, (body)                             \
	}
#define CHUNK_BAD(s)                                                           \
	{                                                                      \
		LIT(s), NULL, 0, 0                                             \
	}

static const struct chunk_case chunk_cases[] = {
    CHUNK_OK("5\r\nhello\r\n0\r\n\r\n", "hello", 15),
    CHUNK_OK("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world", 26),
    CHUNK_OK("A\r\n0123456789\r\n0\r\n\r\n", "0123456789", 20),
    CHUNK_OK("a\r\n0123456789\r\n0\r\n\r\n", "0123456789", 20),
    CHUNK_OK("0005\r\nhello\r\n000\r\n\r\n", "hello", 20),
    CHUNK_OK("5;name=value\r\nhello\r\n0;last\r\n\r\n", "hello", 31),
    CHUNK_OK("5 ;x\r\nhello\r\n0\t; y=\"a;b\"\r\n\r\n", "hello", 28),
    CHUNK_OK("0\r\n\r\n", "", 5),
    CHUNK_OK("0\r\nX-Trailer: v\r\nY:\r\n\r\n", "", 23),
    CHUNK_OK("5\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\n", "hello", 15),
    CHUNK_OK("1\r\n\r\r\n0\r\n\r\n", "\r", 11),
    CHUNK_OK("3\r\n\x00\n\x00\r\n0\r\n\r\n", "\x00\n\x00", 13),
    CHUNK_OK("1\r\na\r\n1\r\nb\r\n1\r\nc\r\n0\r\n\r\n", "abc", 23),
    CHUNK_BAD("g\r\n"),
    CHUNK_BAD("\r\n"),
    CHUNK_BAD(";x\r\n"),
    CHUNK_BAD("-5\r\nhello\r\n"),
    CHUNK_BAD("+5\r\nhello\r\n"),
    CHUNK_BAD("0x5\r\nhello\r\n"),
    CHUNK_BAD(" 5\r\nhello\r\n"),
    CHUNK_BAD("5 \r\nhello\r\n0\r\n\r\n"),
    CHUNK_BAD("5 5\r\nhello\r\n"),
    CHUNK_BAD("5\r\nhelloX\r\n0\r\n\r\n"),
    CHUNK_BAD("5\r\nhello\n0\r\n\r\n"),
    CHUNK_BAD("5\r\nhello\r0\r\n\r\n"),
    CHUNK_BAD("5\rhello\r\n0\r\n\r\n"),
    CHUNK_BAD("5\nhello\r\n0\r\n\r\n"),
    CHUNK_BAD("5\r\nhello\r\n0\r\n\n"),
    CHUNK_BAD("5\r\nhello\r\n0\n\r\n"),
    CHUNK_BAD("5\x00\r\nhello\r\n"),
    CHUNK_BAD("5;a\x00"
              "b\r\nhello\r\n"),
    CHUNK_BAD("5;a\nb\r\nhello\r\n"),
    CHUNK_BAD("5;a\rb\r\nhello\r\n"),
    CHUNK_BAD("5;a\x01\r\nhello\r\n"),
    CHUNK_BAD("4000000000000001\r\n"),
    CHUNK_BAD("10000000000000000\r\n"),
    CHUNK_BAD("FFFFFFFFFFFFFFFFFFFF\r\n"),
    CHUNK_BAD("0\r\n X: y\r\n\r\n"),
    CHUNK_BAD("0\r\nX y\r\n\r\n"),
    CHUNK_BAD("0\r\n: y\r\n\r\n"),
    CHUNK_BAD("0\r\nX : y\r\n\r\n"),
    CHUNK_BAD("0\r\nX: a\rb\r\n\r\n"),
    CHUNK_BAD("0\r\nX: a\nb\r\n\r\n"),
    CHUNK_BAD("0\r\nX: \x01\r\n\r\n"),
    CHUNK_BAD("0\r\nX: a\x00\r\n\r\n"),
    CHUNK_BAD("0\r\n\rX"),
};

START_TEST(chunked_examples_whole_and_in_pieces_agree)
{
	static const size_t steps[] = {1, 2, 3, 7, 1000};
	size_t i, s;

	for (i = 0; i < sizeof(chunk_cases) / sizeof(chunk_cases[0]); i++) {
		const struct chunk_case *cc = &chunk_cases[i];

		for (s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
			char out[64];
			size_t outlen, consumed;
			int rc = dechunk(cc->in, cc->n, steps[s], out,
			                 sizeof(out), &outlen, &consumed);

			if (cc->data == NULL) {
				ck_assert_msg(rc == -1, "case %zu step %zu: %d",
				              i, steps[s], rc);
				continue;
			}
			ck_assert_msg(rc == 1, "case %zu step %zu: %d", i,
			              steps[s], rc);
			ck_assert_uint_eq(outlen, cc->data_len);
			ck_assert_mem_eq(out, cc->data, cc->data_len);
			ck_assert_uint_eq(consumed, cc->body_len);
		}
	}
}
END_TEST

START_TEST(chunked_truncated_valid_body_needs_more)
{
	static const char in[] = "5;e=1\r\nhello\r\n0\r\nT: v\r\n\r\n";
	size_t k;

	for (k = 0; k < sizeof(in) - 1; k++) {
		char out[16];
		size_t outlen, consumed;

		ck_assert_int_eq(
		    dechunk(in, k, 1, out, sizeof(out), &outlen, &consumed), 0);
		ck_assert_int_eq(
		    dechunk(in, k, k + 1, out, sizeof(out), &outlen, &consumed),
		    0);
	}
}
END_TEST

START_TEST(chunked_reports_data_left_and_stops_there)
{
	struct cw_chunked c;
	size_t used;

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(cw_chunked_step(&c, LIT("1a;x\r\nDATA"), &used), 0);
	ck_assert_uint_eq(used, 6);
	ck_assert(c.data_left == 26);
	ck_assert_int_eq(c.done, 0);
	/* data pending: nothing more is consumed until the caller takes it */
	ck_assert_int_eq(cw_chunked_step(&c, LIT("\r\n0\r\n"), &used), 0);
	ck_assert_uint_eq(used, 0);
	c.data_left = 0;
	ck_assert_int_eq(cw_chunked_step(&c, LIT("\r\n0\r\n\r\nNEXT"), &used),
	                 0);
	ck_assert_uint_eq(used, 7);
	ck_assert_int_eq(c.done, 1);
	/* done: nothing more is consumed */
	ck_assert_int_eq(cw_chunked_step(&c, LIT("NEXT"), &used), 0);
	ck_assert_uint_eq(used, 0);
}
END_TEST

START_TEST(chunked_size_limit_is_2_pow_62)
{
	struct cw_chunked c;
	size_t used;

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(
	    cw_chunked_step(&c, LIT("4000000000000000\r\n"), &used), 0);
	ck_assert(c.data_left == (uint64_t)1 << 62);
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(
	    cw_chunked_step(&c, LIT("3FFFFFFFFFFFFFFF\r\n"), &used), 0);
	ck_assert(c.data_left == ((uint64_t)1 << 62) - 1);
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(
	    cw_chunked_step(&c, LIT("4000000000000001\r\n"), &used), -1);
	/* a big size split over calls survives between them */
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(cw_chunked_step(&c, LIT("00003fff"), &used), 0);
	ck_assert_int_eq(cw_chunked_step(&c, LIT("ffffffff"), &used), 0);
	ck_assert(c.data_left == 0);
	ck_assert_int_eq(cw_chunked_step(&c, LIT("ffff\r\n"), &used), 0);
	ck_assert(c.data_left == 0x3fffffffffffffffULL);
}
END_TEST

/* A size line "1;" + ext_len bytes of extension. */
static char *long_ext_body(size_t ext_len, size_t *n)
{
	char *b = malloc(ext_len + 32);
	size_t k = 0;

	ck_assert_ptr_nonnull(b);
	b[k++] = '1';
	b[k++] = ';';
	memset(b + k, 'e', ext_len);
	k += ext_len;
	memcpy(b + k, "\r\nx\r\n0\r\n\r\n", 10);
	*n = k + 10;
	return b;
}

START_TEST(chunked_size_line_over_4096_refused)
{
	char out[4];
	size_t n, outlen, consumed;
	char *b = long_ext_body(4094, &n); /* line of exactly 4096 bytes */

	ck_assert_int_eq(
	    dechunk(b, n, 1000, out, sizeof(out), &outlen, &consumed), 1);
	free(b);
	b = long_ext_body(4095, &n);
	ck_assert_int_eq(
	    dechunk(b, n, 1000, out, sizeof(out), &outlen, &consumed), -1);
	ck_assert_int_eq(dechunk(b, n, 1, out, sizeof(out), &outlen, &consumed),
	                 -1);
	free(b);
	/* leading zeros count too */
	b = malloc(5000 + 16);
	ck_assert_ptr_nonnull(b);
	memset(b, '0', 5000);
	memcpy(b + 5000, "1\r\nx\r\n0\r\n\r\n", 11);
	ck_assert_int_eq(
	    dechunk(b, 5011, 512, out, sizeof(out), &outlen, &consumed), -1);
	free(b);
}
END_TEST

/* "0\r\n" then `lines` trailer lines of 100 bytes, then the final CRLF. */
static char *trailer_body(size_t lines, size_t *n)
{
	char *b = malloc(lines * 100 + 8);
	size_t k = 0, i;

	ck_assert_ptr_nonnull(b);
	memcpy(b, "0\r\n", 3);
	k = 3;
	for (i = 0; i < lines; i++) {
		memcpy(b + k, "T: ", 3);
		memset(b + k + 3, 'v', 95);
		memcpy(b + k + 98, "\r\n", 2);
		k += 100;
	}
	memcpy(b + k, "\r\n", 2);
	*n = k + 2;
	return b;
}

START_TEST(chunked_trailers_over_16384_refused)
{
	char out[4];
	size_t n, outlen, consumed;
	char *b = trailer_body(163, &n);

	ck_assert_int_eq(
	    dechunk(b, n, 333, out, sizeof(out), &outlen, &consumed), 1);
	ck_assert_uint_eq(consumed, n);
	free(b);
	b = trailer_body(164, &n);
	ck_assert_int_eq(
	    dechunk(b, n, 333, out, sizeof(out), &outlen, &consumed), -1);
	free(b);
}
END_TEST

START_TEST(chunked_error_is_sticky)
{
	struct cw_chunked c;
	size_t used;

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(cw_chunked_step(&c, LIT("5x"), &used), -1);
	ck_assert_uint_eq(used, 1);
	ck_assert_int_eq(cw_chunked_step(&c, LIT("5\r\n"), &used), -1);
	ck_assert_int_eq(cw_chunked_step(&c, "", 0, &used), -1);
}
END_TEST

START_TEST(chunked_empty_input_consumes_nothing)
{
	struct cw_chunked c;
	size_t used = 99;

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(cw_chunked_step(&c, "", 0, &used), 0);
	ck_assert_uint_eq(used, 0);
	ck_assert_int_eq(c.done, 0);
	ck_assert(c.data_left == 0);
}
END_TEST

/* ---- paths --------------------------------------------------------------- */

START_TEST(decode_path_escapes)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"/a%41b", "/aAb"}, {"/%2e%2E", "/.."},  {"/a+b", "/a+b"},
	    {"/%zz", "/%zz"},   {"/%", "/%"},        {"/%4", "/%4"},
	    {"/%%41", "/%A"},   {"/%2F%5c", "//\\"}, {"/%c3%a9", "/\xc3\xa9"},
	    {"", ""},           {"%41%42", "AB"},    {"/%4g", "/%4g"},
	    {"/%g4", "/%g4"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[64];
		int n;

		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		n = cw_http_decode_path(buf);
		ck_assert_msg(strcmp(buf, cases[i].out) == 0, "'%s' -> '%s'",
		              cases[i].in, buf);
		ck_assert_int_eq(n, (int)strlen(cases[i].out));
	}
}
END_TEST

START_TEST(decode_path_nul_refused)
{
	char a[] = "/a%00b", b[] = "/%00", c[] = "%00";

	ck_assert_int_eq(cw_http_decode_path(a), -1);
	ck_assert_int_eq(cw_http_decode_path(b), -1);
	ck_assert_int_eq(cw_http_decode_path(c), -1);
}
END_TEST

START_TEST(normalize_path_cases)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"/", "/"},
	    {"/a/b", "/a/b"},
	    {"/a//b", "/a/b"},
	    {"/a/.", "/a/"},
	    {"/.", "/"},
	    {"/a/./b", "/a/b"},
	    {"/a/b/../c", "/a/c"},
	    {"/a/..", "/"},
	    {"/a/../", "/"},
	    {"//", "/"},
	    {"/a/", "/a/"},
	    {"///a///", "/a/"},
	    {"\\a\\b", "/a/b"},
	    {"/a\\..\\b", "/b"},
	    {"/..a/b..", "/..a/b.."},
	    {"/.../x", "/.../x"},
	    {"/a/.b", "/a/.b"},
	    {"/a/b/c/../../d", "/a/d"},
	    {"/./././", "/"},
	    {"/a/b/..", "/a/"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[64];

		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		ck_assert_int_eq(cw_http_normalize_path(buf), 0);
		ck_assert_msg(strcmp(buf, cases[i].out) == 0, "'%s' -> '%s'",
		              cases[i].in, buf);
	}
}
END_TEST

START_TEST(normalize_path_refusals)
{
	static const char *const bad[] = {
	    "/..",     "/../",          "/../etc/passwd", "/a/../../b", "/./..",
	    "//..//x", "\\..\\x",       "..\\..\\x",      "../x",       "a/b",
	    "",        "/a/b/../../..",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char buf[64];

		snprintf(buf, sizeof(buf), "%s", bad[i]);
		ck_assert_msg(cw_http_normalize_path(buf) == -1,
		              "'%s' accepted", bad[i]);
	}
}
END_TEST

/* What a file handler does with a request path: decode, then normalize. */
static int decode_normalize(const char *in, char *out, size_t cap)
{
	snprintf(out, cap, "%s", in);
	if (cw_http_decode_path(out) < 0)
		return -1;
	return cw_http_normalize_path(out);
}

START_TEST(traversal_attempts_refused_after_decoding)
{
	static const char *const bad[] = {
	    "/../etc/passwd", "/a/../../b",         "/%2e%2e/x",
	    "/%2E%2E/x",      "/a/%2e%2e/%2e%2e/b", "/.%2e/x",
	    "/%2e./x",        "/a/..%2f..%2fx",     "/..%5c..%5cx",
	    "/%5c..%5cx",     "\\..\\..\\x",        "..\\..\\x",
	    "/%00",           "/a%00.html",         "/a/%2e%2e%2f%2e%2e%2fetc",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char buf[64];

		ck_assert_msg(decode_normalize(bad[i], buf, sizeof(buf)) == -1,
		              "'%s' -> '%s'", bad[i], buf);
	}
}
END_TEST

START_TEST(dot_segments_inside_root_resolved_after_decoding)
{
	char buf[64];

	ck_assert_int_eq(decode_normalize("/a/%2e%2e/b", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/b");
	ck_assert_int_eq(
	    decode_normalize("/a/b/%2e%2e%2f%2e/c", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/a/c");
	ck_assert_int_eq(decode_normalize("/a%2f%2fb", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/a/b");
}
END_TEST

/* ---- random mutations ---------------------------------------------------- */

static size_t mutate(uint64_t *rng, const char *seed, size_t n, char *out,
                     size_t cap)
{
	static const char interesting[] =
	    "\r\n\0 \t:;,/?%.-*[]@\\0159aAfFxX\x7f"
	    "\x80\xff";
	int k, rounds = 1 + (int)(rng_next(rng) % 4);

	memcpy(out, seed, n);
	for (k = 0; k < rounds; k++) {
		size_t pos = n ? (size_t)(rng_next(rng) % n) : 0;
		char c =
		    (rng_next(rng) & 1)
		        ? interesting[rng_next(rng) % (sizeof(interesting) - 1)]
		        : (char)rng_next(rng);

		switch (rng_next(rng) % 5) {
		case 0:
			if (n)
				out[pos] = c;
			break;
		case 1:
			if (n + 1 < cap) {
				memmove(out + pos + 1, out + pos, n - pos);
				out[pos] = c;
				n++;
			}
			break;
		case 2:
			if (n) {
				memmove(out + pos, out + pos + 1, n - pos - 1);
				n--;
			}
			break;
		case 3: { /* copy a slice over another place */
			size_t from = n ? (size_t)(rng_next(rng) % n) : 0;
			size_t len = (size_t)(rng_next(rng) % 16);

			if (len > n - from)
				len = n - from;
			if (pos + len > n)
				len = n - pos;
			memmove(out + pos, out + from, len);
			break;
		}
		default:
			n = pos;
			break;
		}
	}
	return n;
}

/* s lies inside the head and is NUL-terminated inside it. */
static void assert_in_head(const char *s, const char *buf, int ret)
{
	ck_assert(s >= buf && s < buf + ret);
	ck_assert_ptr_nonnull(memchr(s, '\0', (size_t)(buf + ret - s)));
}

static int request_verdict(const char *in, size_t n, size_t max_head,
                           int *status)
{
	char *b = dup_exact(in, n);
	struct cw_http_request req;
	int ret, i;

	*status = 0;
	ret = cw_http_parse_request(b, n, max_head, &req, status);
	ck_assert_int_ge(ret, -1);
	ck_assert_int_le(ret, (int)(n < max_head ? n : max_head));
	if (ret == -1)
		ck_assert_msg(*status == 400 || *status == 414 ||
		                  *status == 417 || *status == 431 ||
		                  *status == 501 || *status == 505,
		              "status %d", *status);
	if (ret == 0) {
		ck_assert_uint_lt(n, max_head);
		ck_assert(memcmp(b, in, n) == 0);
	}
	if (ret > 0) {
		assert_in_head(req.method, b, ret);
		assert_in_head(req.target, b, ret);
		assert_in_head(req.path, b, ret);
		assert_in_head(req.version, b, ret);
		if (req.query)
			assert_in_head(req.query, b, ret);
		if (req.host)
			assert_in_head(req.host, b, ret);
		ck_assert(req.num_headers >= 0 &&
		          req.num_headers <= MG_MAX_HEADERS);
		for (i = 0; i < req.num_headers; i++) {
			assert_in_head(req.headers[i].name, b, ret);
			assert_in_head(req.headers[i].value, b, ret);
			ck_assert(strpbrk(req.headers[i].value, "\r\n") ==
			          NULL);
		}
		ck_assert(req.content_length >= -1);
		ck_assert(!(req.chunked && req.content_length >= 0));
		ck_assert(req.version_minor == 0 || req.host != NULL);
		ck_assert(strpbrk(req.path, " \r\n\t") == NULL);
		ck_assert(memcmp(b + ret, in + ret, n - (size_t)ret) == 0);
	}
	free(b);
	return ret;
}

static const char *const request_seeds[] = {
    "GET /index.html?a=b HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n",
    P11 "Content-Length: 5\r\n\r\nhello",
    P11 "Transfer-Encoding: chunked\r\nConnection: keep-alive, Upgrade\r\n\r\n"
        "5\r\nhello\r\n0\r\n\r\n",
    "GET http://user.example:8080/p?q HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
    "OPTIONS * HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n",
    "CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n",
    "\r\nGET / HTTP/1.0\nX:  a  \nContent-Length: 1, 1\n\n",
    "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n",
};

START_TEST(fuzz_request_mutations_keep_invariants)
{
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	char buf[512];
	int iter;

	for (iter = 0; iter < 6000; iter++) {
		const char *seed =
		    request_seeds[iter % (int)(sizeof(request_seeds) /
		                               sizeof(request_seeds[0]))];
		size_t n = mutate(&rng, seed, strlen(seed), buf, sizeof(buf));
		size_t max_head =
		    (iter & 1) ? HEAD_MAX : 1 + rng_next(&rng) % 128;
		size_t k = n ? (size_t)(rng_next(&rng) % (n + 1)) : 0;
		int full_status, part_status;
		int full = request_verdict(buf, n, max_head, &full_status);
		int part = request_verdict(buf, k, max_head, &part_status);

		/* a prefix agrees with the whole: need more, the same refusal,
		 * or (if it holds the whole head) the same head */
		if (k >= max_head)
			continue;
		if (part == -1)
			ck_assert(full == -1 && full_status == part_status);
		else if (part > 0)
			ck_assert_int_eq(full, part);
		else if (full > 0)
			ck_assert_uint_gt((size_t)full, k);
	}
}
END_TEST

START_TEST(fuzz_response_mutations_keep_invariants)
{
	static const char *const seeds[] = {
	    ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	     "Connection: close\r\n\r\nhello"),
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	    "HTTP/1.0 404\nX: y\n\n",
	};
	uint64_t rng = 42;
	char buf[512];
	int iter, i;

	for (iter = 0; iter < 3000; iter++) {
		const char *seed = seeds[iter % 3];
		size_t n = mutate(&rng, seed, strlen(seed), buf, sizeof(buf));
		size_t max_head =
		    (iter & 1) ? HEAD_MAX : 1 + rng_next(&rng) % 96;
		char *b = dup_exact(buf, n);
		struct cw_http_response resp;
		int ret = cw_http_parse_response(b, n, max_head, &resp);

		ck_assert_int_ge(ret, -1);
		ck_assert_int_le(ret, (int)(n < max_head ? n : max_head));
		if (ret == 0)
			ck_assert(memcmp(b, buf, n) == 0);
		if (ret > 0) {
			assert_in_head(resp.version, b, ret);
			assert_in_head(resp.reason, b, ret);
			ck_assert(resp.status >= 100 && resp.status <= 999);
			ck_assert(!(resp.chunked && resp.content_length >= 0));
			for (i = 0; i < resp.num_headers; i++) {
				assert_in_head(resp.headers[i].name, b, ret);
				assert_in_head(resp.headers[i].value, b, ret);
			}
		}
		free(b);
	}
}
END_TEST

START_TEST(fuzz_chunked_mutations_piecewise_agrees)
{
	static const char *const seeds[] = {
	    "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
	    "a;x=\"y\"\r\n0123456789\r\n0\r\nT: v\r\n\r\nNEXT",
	    "0000f\r\n0123456789abcde\r\n0;z\r\n\r\n",
	};
	uint64_t rng = 7;
	char buf[256];
	int iter;

	for (iter = 0; iter < 3000; iter++) {
		const char *seed = seeds[iter % 3];
		size_t n = mutate(&rng, seed, strlen(seed), buf, sizeof(buf));
		size_t step = 1 + (size_t)(rng_next(&rng) % 9);
		char out1[256], out2[256];
		size_t len1, len2, used1, used2;
		int r1 = dechunk(buf, n, n ? n : 1, out1, sizeof(out1), &len1,
		                 &used1);
		int r2 =
		    dechunk(buf, n, step, out2, sizeof(out2), &len2, &used2);

		ck_assert_int_eq(r1, r2);
		if (r1 == 1) {
			ck_assert_uint_eq(used1, used2);
			ck_assert_uint_le(used1, n);
			ck_assert_uint_eq(len1, len2);
			ck_assert_mem_eq(out1, out2,
			                 len1 <= sizeof(out1) ? len1 : 0);
		}
	}
}
END_TEST

START_TEST(fuzz_paths_keep_invariants)
{
	static const char alphabet[] = "/\\.%2eE5cCfF0a";
	uint64_t rng = 1234;
	int iter;

	for (iter = 0; iter < 6000; iter++) {
		char buf[40];
		size_t n = (size_t)(rng_next(&rng) % (sizeof(buf) - 1)), i;
		int len;

		for (i = 0; i < n; i++)
			buf[i] =
			    alphabet[rng_next(&rng) % (sizeof(alphabet) - 1)];
		buf[n] = '\0';
		len = cw_http_decode_path(buf);
		if (len < 0)
			continue;
		ck_assert_int_eq(len, (int)strlen(buf));
		ck_assert_uint_le((size_t)len, n);
		if (cw_http_normalize_path(buf) < 0)
			continue;
		ck_assert_int_eq(buf[0], '/');
		ck_assert_ptr_null(strstr(buf, "//"));
		ck_assert_ptr_null(strstr(buf, "/./"));
		ck_assert_ptr_null(strstr(buf, "/../"));
		ck_assert_ptr_null(strchr(buf, '\\'));
		n = strlen(buf);
		ck_assert(!(n >= 2 && strcmp(buf + n - 2, "/.") == 0));
		ck_assert(!(n >= 3 && strcmp(buf + n - 3, "/..") == 0));
	}
}
END_TEST

/* ---- the suite ----------------------------------------------------------- */

static Suite *http_parse_suite(void)
{
	Suite *s = suite_create("http_parse");
	TCase *tc;

	tc = tcase_create("request_line");
	tcase_add_test(tc, request_simple_get_all_fields);
	tcase_add_test(tc, request_query_split_from_path_undecoded);
	tcase_add_test(tc, request_empty_query_is_empty_string);
	tcase_add_test(tc, request_second_question_mark_stays_in_query);
	tcase_add_test(tc, request_http10_without_host_accepted);
	tcase_add_test(tc, request_http11_without_host_400);
	tcase_add_test(tc, request_leading_empty_lines_skipped_and_counted);
	tcase_add_test(tc, request_bare_lf_line_ends_accepted);
	tcase_add_test(tc, request_any_token_method_accepted);
	tcase_add_test(tc, request_method_non_token_400);
	tcase_add_test(tc, request_separators_must_be_one_space_400);
	tcase_add_test(tc, request_versions_10_and_11_accepted);
	tcase_add_test(tc, request_wellformed_other_versions_505);
	tcase_add_test(tc, request_malformed_versions_400);
	tcase_add_test(tc, request_target_controls_and_del_400);
	tcase_add_test(tc, request_target_raw_utf8_accepted);
	tcase_add_test(tc, request_absolute_form_authority_overrides_host);
	tcase_add_test(tc, request_absolute_form_scheme_case_insensitive_https);
	tcase_add_test(tc, request_absolute_form_empty_path_becomes_slash);
	tcase_add_test(tc, request_absolute_form_ipv6_authority);
	tcase_add_test(tc, request_absolute_form_still_requires_host_header);
	tcase_add_test(tc, request_absolute_form_bad_scheme_or_authority_400);
	tcase_add_test(tc, request_asterisk_form);
	tcase_add_test(tc, request_connect_authority_form);
	tcase_add_test(tc, request_authority_form_misuse_400);
	suite_add_tcase(s, tc);

	tc = tcase_create("headers");
	tcase_add_test(tc, header_names_values_and_count);
	tcase_add_test(tc, header_ows_trimmed_internal_kept);
	tcase_add_test(tc, header_value_htab_and_obs_text_allowed);
	tcase_add_test(tc, header_name_must_be_token_then_colon_400);
	tcase_add_test(tc, header_value_nul_cr_ctl_del_400);
	tcase_add_test(tc, header_obs_fold_400);
	tcase_add_test(tc, header_lookup_case_insensitive);
	tcase_add_test(tc, host_valid_forms_accepted);
	tcase_add_test(tc, host_invalid_forms_400);
	tcase_add_test(tc, host_duplicate_400);
	tcase_add_test(tc, host_optional_in_http10_but_validated);
	suite_add_tcase(s, tc);

	tc = tcase_create("framing");
	tcase_add_test(tc, content_length_parsed);
	tcase_add_test(tc, content_length_zero_and_leading_zeros);
	tcase_add_test(tc, content_length_max_long_long_accepted);
	tcase_add_test(tc, content_length_overflow_400);
	tcase_add_test(tc, content_length_not_decimal_400);
	tcase_add_test(tc, content_length_equal_duplicates_accepted);
	tcase_add_test(tc, content_length_differing_or_empty_list_items_400);
	tcase_add_test(tc, transfer_encoding_chunked_sets_flag);
	tcase_add_test(tc, transfer_encoding_other_codings_501);
	tcase_add_test(tc, transfer_encoding_conflicts_400);
	tcase_add_test(tc, connection_tokens_set_flags);
	tcase_add_test(tc, connection_several_headers_combine);
	tcase_add_test(tc, expect_100_continue_any_case);
	tcase_add_test(tc, expect_other_value_417);
	tcase_add_test(tc, expect_ignored_in_http10_and_when_empty);
	tcase_add_test(tc, smuggling_vectors_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits_and_streaming");
	tcase_add_test(tc, limits_64_header_lines_accepted);
	tcase_add_test(tc, limits_65_header_lines_431);
	tcase_add_test(tc, limits_head_of_exactly_max_head_accepted);
	tcase_add_test(tc, limits_head_one_byte_over_max_head_431);
	tcase_add_test(tc, limits_request_line_over_max_head_414);
	tcase_add_test(tc, limits_leading_empty_lines_count_toward_max_head);
	tcase_add_test(tc, limits_only_first_max_head_bytes_examined);
	tcase_add_test(tc, pipelined_two_requests_return_points_at_second);
	tcase_add_test(tc, pipelined_body_then_next_request);
	tcase_add_test(tc, incremental_every_prefix_needs_more);
	tcase_add_test(tc, incremental_need_more_leaves_buffer_untouched);
	tcase_add_test(tc, incremental_body_bytes_not_modified);
	tcase_add_test(tc, incremental_verdict_is_monotonic_for_refusals);
	tcase_add_test(tc, early_refusal_without_line_end);
	suite_add_tcase(s, tc);

	tc = tcase_create("response");
	tcase_add_test(tc, response_all_fields);
	tcase_add_test(tc, response_reason_forms);
	tcase_add_test(tc, response_framing_flags);
	tcase_add_test(tc, response_malformed_refused);
	tcase_add_test(tc, response_incremental_and_too_big);
	tcase_add_test(tc, response_too_many_headers_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("chunked");
	tcase_add_test(tc, chunked_examples_whole_and_in_pieces_agree);
	tcase_add_test(tc, chunked_truncated_valid_body_needs_more);
	tcase_add_test(tc, chunked_reports_data_left_and_stops_there);
	tcase_add_test(tc, chunked_size_limit_is_2_pow_62);
	tcase_add_test(tc, chunked_size_line_over_4096_refused);
	tcase_add_test(tc, chunked_trailers_over_16384_refused);
	tcase_add_test(tc, chunked_error_is_sticky);
	tcase_add_test(tc, chunked_empty_input_consumes_nothing);
	suite_add_tcase(s, tc);

	tc = tcase_create("paths");
	tcase_add_test(tc, decode_path_escapes);
	tcase_add_test(tc, decode_path_nul_refused);
	tcase_add_test(tc, normalize_path_cases);
	tcase_add_test(tc, normalize_path_refusals);
	tcase_add_test(tc, traversal_attempts_refused_after_decoding);
	tcase_add_test(tc, dot_segments_inside_root_resolved_after_decoding);
	suite_add_tcase(s, tc);

	/* slow under valgrind: a generous timeout */
	tc = tcase_create("mutations");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, fuzz_request_mutations_keep_invariants);
	tcase_add_test(tc, fuzz_response_mutations_keep_invariants);
	tcase_add_test(tc, fuzz_chunked_mutations_piecewise_agrees);
	tcase_add_test(tc, fuzz_paths_keep_invariants);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(http_parse_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
