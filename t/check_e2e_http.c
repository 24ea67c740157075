/* check_e2e_http.c - HTTP/1.1 on the wire: handlers answering, keep-alive,
 * pipelining, chunked bodies both ways, HEAD, 100-continue, HTTP/1.0,
 * absolute-form targets, and every framing error the server must refuse. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civetweb.h"
#include "testlib.h"

static struct mg_context *ctx;
static int port;

static int hello(struct mg_connection *c, void *cb)
{
	static const char body[] = "Hello, world!\n";

	(void)cb;
	mg_printf(c,
	          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	          "Content-Length: %d\r\n\r\n%s",
	          (int)strlen(body), body);
	return 200;
}

/* Echo the request body back with its length and the method. */
static int echo(struct mg_connection *c, void *cb)
{
	char buf[65536];
	size_t len = 0;
	int n;

	(void)cb;
	while (len < sizeof buf &&
	       (n = mg_read(c, buf + len, sizeof buf - len)) > 0)
		len += (size_t)n;
	mg_printf(c,
	          "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nX-Method: %s\r\n"
	          "\r\n",
	          len, mg_get_request_info(c)->request_method);
	mg_write(c, buf, len);
	return 200;
}

/* A chunked response made of mg_send_chunk() pieces. */
static int chunks(struct mg_connection *c, void *cb)
{
	(void)cb;
	mg_send_http_ok(c, "text/plain", -1);
	mg_send_chunk(c, "one,", 4);
	mg_send_chunk(c, "two,", 4);
	mg_send_chunk(c, "three", 5);
	mg_send_chunk(c, "", 0);
	return 200;
}

/* Reports request_info fields as the body. */
static int info(struct mg_connection *c, void *cb)
{
	const struct mg_request_info *ri = mg_get_request_info(c);
	char body[2048];
	int n;

	(void)cb;
	n = snprintf(
	    body, sizeof body,
	    "method=%s\nrequest_uri=%s\nlocal_uri=%s\n"
	    "local_uri_raw=%s\nquery=%s\nversion=%s\n"
	    "content_length=%lld\nheaders=%d\nhost=%s\n",
	    ri->request_method, ri->request_uri, ri->local_uri,
	    ri->local_uri_raw, ri->query_string ? ri->query_string : "(null)",
	    ri->http_version, ri->content_length, ri->num_headers,
	    mg_get_header(c, "Host") ? mg_get_header(c, "Host") : "(null)");
	mg_send_http_ok(c, "text/plain", n);
	mg_write(c, body, (size_t)n);
	return 200;
}

/* Writes a response without any length: the server must close. */
static int unframed(struct mg_connection *c, void *cb)
{
	(void)cb;
	mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"
	             "no length here");
	return 200;
}

/* mg_response_header_*: each step's return value goes into a header. */
static int headers_api(struct mg_connection *c, void *cb)
{
	int before = mg_response_header_add(c, "X-Early", "1", -1);
	int start = mg_response_header_start(c, 201);
	int a = mg_response_header_add(c, "X-A", "1", -1);
	int b = mg_response_header_add(c, "X-B", "abcdef", 3);
	int bad = mg_response_header_add(c, "X-Bad", "a\r\nInjected: 1", -1);
	int lines = mg_response_header_add_lines(c, "X-C: c\r\nX-D: d\r\n");
	int len = mg_response_header_add(c, "Content-Length", "2", -1);
	char summary[64];
	int sent, again;

	(void)cb;
	snprintf(summary, sizeof summary, "%d,%d,%d,%d,%d,%d,%d", before, start,
	         a, b, bad, lines, len);
	mg_response_header_add(c, "X-Steps", summary, -1);
	sent = mg_response_header_send(c);
	again = mg_response_header_start(c, 200);
	mg_printf(c, "%d%d", sent == 0, again == -3);
	return 201;
}

static int redirect(struct mg_connection *c, void *cb)
{
	(void)cb;
	if (mg_send_http_redirect(c, "/x", 200) != -2)
		return 500; /* 200 is not a redirect: parameter error */
	return mg_send_http_redirect(c, "/new?a=1", 302) > 0 ? 302 : 500;
}

static char store_path[64];

static int store(struct mg_connection *c, void *cb)
{
	long long n;

	(void)cb;
	n = mg_store_body(c, store_path);
	mg_printf(c,
	          "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Stored: %lld\r\n"
	          "\r\n",
	          n);
	return 200;
}

static int teapot(struct mg_connection *c, void *cb)
{
	(void)cb;
	return mg_send_http_error(c, 418, "short and %s", "stout") == 0 ? 418
	                                                                : 500;
}

static void setup(void)
{
	const char *opts[] = {"enable_keep_alive",
	                      "yes",
	                      "keep_alive_timeout_ms",
	                      "5000",
	                      "request_timeout_ms",
	                      "2000",
	                      "num_threads",
	                      "4",
	                      NULL};

	ctx = tl_start(NULL, NULL, opts, &port);
	mg_set_request_handler(ctx, "/hello", hello, NULL);
	mg_set_request_handler(ctx, "/echo", echo, NULL);
	mg_set_request_handler(ctx, "/chunks", chunks, NULL);
	mg_set_request_handler(ctx, "/info", info, NULL);
	mg_set_request_handler(ctx, "/unframed", unframed, NULL);
	mg_set_request_handler(ctx, "/headers", headers_api, NULL);
	mg_set_request_handler(ctx, "/redirect", redirect, NULL);
	mg_set_request_handler(ctx, "/store", store, NULL);
	mg_set_request_handler(ctx, "/teapot", teapot, NULL);
}

static void teardown(void)
{
	mg_stop(ctx);
}

START_TEST(handler_answers_get)
{
	struct tl_resp r;

	ck_assert_int_eq(tl_get(port, "/hello", &r), 200);
	ck_assert_str_eq(r.body, "Hello, world!\n");
	ck_assert_str_eq(tl_header(&r, "Content-Type"), "text/plain");
	tl_resp_free(&r);
}
END_TEST

START_TEST(keep_alive_serves_many_requests_on_one_connection)
{
	int fd = tl_connect(port);
	struct tl_resp r;

	for (int i = 0; i < 50; i++) {
		ck_assert_int_eq(
		    tl_send(fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
		ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
		ck_assert_str_eq(r.body, "Hello, world!\n");
		ck_assert_ptr_null(tl_header(&r, "Connection"));
		tl_resp_free(&r);
	}
	close(fd);
}
END_TEST

START_TEST(pipelined_requests_answered_in_order)
{
	int fd = tl_connect(port);
	struct tl_resp r;

	ck_assert_int_eq(tl_send(fd,
	                         "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
	                         "POST /echo HTTP/1.1\r\nHost: x\r\n"
	                         "Content-Length: 5\r\n\r\nabcde"
	                         "GET /info?q=1 HTTP/1.1\r\nHost: x\r\n\r\n"),
	                 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	ck_assert_str_eq(r.body, "Hello, world!\n");
	tl_resp_free(&r);
	ck_assert_int_eq(tl_read_response(fd, "POST", &r), 200);
	ck_assert_str_eq(r.body, "abcde");
	tl_resp_free(&r);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	ck_assert_ptr_nonnull(strstr(r.body, "query=q=1\n"));
	tl_resp_free(&r);
	close(fd);
}
END_TEST

START_TEST(chunked_request_body_is_decoded)
{
	struct tl_resp r;

	ck_assert_int_eq(
	    tl_request(port,
	               "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	               "Transfer-Encoding: chunked\r\n\r\n"
	               "5\r\nhello\r\n1;ext=1\r\n,\r\n6\r\n world\r\n"
	               "0\r\nTrailer: x\r\n\r\n",
	               &r),
	    200);
	ck_assert_str_eq(r.body, "hello, world");
	tl_resp_free(&r);
}
END_TEST

START_TEST(chunked_response_from_send_chunk)
{
	struct tl_resp r;

	ck_assert_int_eq(tl_get(port, "/chunks", &r), 200);
	ck_assert_int_eq(r.chunked, 1);
	ck_assert_str_eq(r.body, "one,two,three");
	tl_resp_free(&r);
}
END_TEST

START_TEST(head_gets_headers_without_body)
{
	int fd = tl_connect(port);
	struct tl_resp r;

	/* the handler writes a body; HEAD must not carry it */
	ck_assert_int_eq(tl_send(fd, "HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n"
	                             "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"),
	                 0);
	ck_assert_int_eq(tl_read_response(fd, "HEAD", &r), 200);
	ck_assert_str_eq(tl_header(&r, "Content-Length"), "14");
	ck_assert_uint_eq(r.body_len, 0);
	tl_resp_free(&r);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	ck_assert_str_eq(r.body, "Hello, world!\n");
	tl_resp_free(&r);
	close(fd);
}
END_TEST

START_TEST(expect_100_continue_gets_interim_response)
{
	int fd = tl_connect(port);
	char buf[256];
	size_t n;
	struct tl_resp r;

	ck_assert_int_eq(tl_send(fd, "POST /echo HTTP/1.1\r\nHost: x\r\n"
	                             "Content-Length: 4\r\n"
	                             "Expect: 100-continue\r\n\r\n"),
	                 0);
	n = tl_read_all(fd, buf, 25, 2000);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "HTTP/1.1 100 Continue\r\n\r\n");
	ck_assert_int_eq(tl_send(fd, "body"), 0);
	ck_assert_int_eq(tl_read_response(fd, "POST", &r), 200);
	ck_assert_str_eq(r.body, "body");
	tl_resp_free(&r);
	close(fd);
}
END_TEST

START_TEST(http10_closes_unless_keep_alive_asked)
{
	int fd;
	struct tl_resp r;

	ck_assert_int_eq(tl_request(port, "GET /hello HTTP/1.0\r\n\r\n", &r),
	                 200);
	ck_assert_int_eq(r.closed, 1);
	tl_resp_free(&r);

	fd = tl_connect(port);
	ck_assert_int_eq(tl_send(fd, "GET /hello HTTP/1.0\r\n"
	                             "Connection: keep-alive\r\n\r\n"),
	                 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	ck_assert_str_eq(tl_header(&r, "Connection"), "keep-alive");
	tl_resp_free(&r);
	ck_assert_int_eq(tl_send(fd, "GET /hello HTTP/1.0\r\n\r\n"), 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	ck_assert_int_eq(r.closed, 1);
	tl_resp_free(&r);
	close(fd);
}
END_TEST

START_TEST(absolute_form_target_is_accepted)
{
	struct tl_resp r;

	/* the host is authentication_domain (enable_auth_domain_check) */
	ck_assert_int_eq(
	    tl_request(port,
	               "GET http://mydomain.com/info?a=b HTTP/1.1\r\n"
	               "Host: example.com\r\nConnection: close\r\n\r\n",
	               &r),
	    200);
	ck_assert_ptr_nonnull(strstr(r.body, "local_uri=/info\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "query=a=b\n"));
	tl_resp_free(&r);
	/* another host's: not this server's request */
	ck_assert_int_eq(
	    tl_request(port,
	               "GET http://example.com/info HTTP/1.1\r\n"
	               "Host: example.com\r\nConnection: close\r\n\r\n",
	               &r),
	    400);
	tl_resp_free(&r);
}
END_TEST

START_TEST(request_info_has_decoded_and_raw_paths)
{
	struct tl_resp r;

	ck_assert_int_eq(tl_get(port, "/info/a%20b/../c?x=%20", &r), 200);
	ck_assert_ptr_nonnull(strstr(r.body, "request_uri=/info/a%20b/../c\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "local_uri_raw=/info/a b/../c\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "local_uri=/info/c\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "query=x=%20\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "version=1.1\n"));
	tl_resp_free(&r);
}
END_TEST

START_TEST(response_without_length_closes_connection)
{
	int fd = tl_connect(port);
	struct tl_resp r;

	ck_assert_int_eq(
	    tl_send(fd, "GET /unframed HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	ck_assert_str_eq(tl_header(&r, "Connection"), "close");
	ck_assert_str_eq(r.body, "no length here");
	tl_resp_free(&r);
	close(fd);
}
END_TEST

START_TEST(response_header_functions_build_the_response)
{
	struct tl_resp r;

	ck_assert_int_eq(tl_get(port, "/headers", &r), 201);
	/* add before start: -3; start, adds: 0; CR/LF in a value: -1;
	 * two lines added: 2 */
	ck_assert_str_eq(tl_header(&r, "X-Steps"), "-3,0,0,0,-1,2,0");
	ck_assert_str_eq(tl_header(&r, "X-A"), "1");
	ck_assert_str_eq(tl_header(&r, "X-B"), "abc");
	ck_assert_str_eq(tl_header(&r, "X-C"), "c");
	ck_assert_str_eq(tl_header(&r, "X-D"), "d");
	ck_assert_ptr_null(tl_header(&r, "Injected"));
	ck_assert_ptr_nonnull(tl_header(&r, "Date"));
	/* send returned 0; a second start after sending: -3 */
	ck_assert_str_eq(r.body, "11");
	tl_resp_free(&r);
}
END_TEST

START_TEST(redirect_sends_location_and_no_body)
{
	int fd = tl_connect(port);
	struct tl_resp r;

	ck_assert_int_eq(tl_send(fd, "GET /redirect HTTP/1.1\r\nHost: x\r\n\r\n"
	                             "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"),
	                 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 302);
	ck_assert_str_eq(tl_header(&r, "Location"), "/new?a=1");
	ck_assert_str_eq(tl_header(&r, "Content-Length"), "0");
	tl_resp_free(&r);
	/* the connection carries on */
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	tl_resp_free(&r);
	close(fd);
}
END_TEST

START_TEST(store_body_writes_the_whole_body_to_a_file)
{
	char *dir = tl_mkdtemp(), req[256], *body = malloc(100000), *got;
	int fd = tl_connect(port), n;
	struct tl_resp r;
	FILE *f;

	snprintf(store_path, sizeof store_path, "%s/body", dir);
	for (int i = 0; i < 100000; i++)
		body[i] = (char)('A' + i % 23);
	n = snprintf(req, sizeof req,
	             "POST /store HTTP/1.1\r\nHost: x\r\nContent-Length: "
	             "100000\r\n\r\n");
	ck_assert_int_eq(tl_send_n(fd, req, (size_t)n), 0);
	ck_assert_int_eq(tl_send_n(fd, body, 100000), 0);
	ck_assert_int_eq(tl_read_response(fd, "POST", &r), 200);
	ck_assert_str_eq(tl_header(&r, "X-Stored"), "100000");
	tl_resp_free(&r);
	got = malloc(100001);
	f = fopen(store_path, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(got, 1, 100001, f), 100000);
	fclose(f);
	ck_assert_int_eq(memcmp(got, body, 100000), 0);
	free(got);
	free(body);
	close(fd);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

START_TEST(send_http_error_from_a_handler)
{
	struct tl_resp r;

	ck_assert_int_eq(tl_get(port, "/teapot", &r), 418);
	ck_assert_ptr_nonnull(strstr(r.body, "Error 418"));
	ck_assert_ptr_nonnull(strstr(r.body, "short and stout"));
	tl_resp_free(&r);
}
END_TEST

/* ---- refusals --------------------------------------------------------- */

static void expect_refusal(const char *raw, int status)
{
	int fd = tl_connect(port);
	struct tl_resp r;

	ck_assert_int_eq(tl_send(fd, raw), 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), status);
	ck_assert_int_eq(r.closed, 1);
	tl_resp_free(&r);
	ck_assert_int_eq(tl_closed_within(fd, 3000), 1);
	close(fd);
}

START_TEST(missing_host_in_http11_is_400)
{
	expect_refusal("GET /hello HTTP/1.1\r\n\r\n", 400);
}
END_TEST

START_TEST(two_hosts_are_400)
{
	expect_refusal("GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
	               400);
}
END_TEST

START_TEST(space_before_colon_is_400)
{
	expect_refusal("GET /hello HTTP/1.1\r\nHost : a\r\n\r\n", 400);
}
END_TEST

START_TEST(obsolete_line_folding_is_400)
{
	expect_refusal("GET /hello HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n",
	               400);
}
END_TEST

START_TEST(content_length_with_transfer_encoding_is_400)
{
	expect_refusal("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
	               "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	               400);
}
END_TEST

START_TEST(differing_content_lengths_are_400)
{
	expect_refusal("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
	               "Content-Length: 4\r\n\r\nabcd",
	               400);
}
END_TEST

START_TEST(overflowing_chunk_size_is_400)
{
	int fd = tl_connect(port);
	struct tl_resp r;

	ck_assert_int_eq(tl_send(fd, "POST /echo HTTP/1.1\r\nHost: a\r\n"
	                             "Transfer-Encoding: chunked\r\n\r\n"
	                             "fffffffffffffffffffff\r\n"),
	                 0);
	/* the handler's mg_read fails and the client gets 400 */
	ck_assert_int_eq(tl_read_response(fd, "POST", &r), 400);
	ck_assert_int_eq(r.closed, 1);
	tl_resp_free(&r);
	ck_assert_int_eq(tl_closed_within(fd, 3000), 1);
	close(fd);
}
END_TEST

START_TEST(nul_in_header_is_400)
{
	int fd = tl_connect(port);
	struct tl_resp r;
	static const char req[] =
	    "GET /hello HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n";

	ck_assert_int_eq(tl_send_n(fd, req, sizeof req - 1), 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 400);
	tl_resp_free(&r);
	close(fd);
}
END_TEST

START_TEST(unknown_http_version_is_505)
{
	expect_refusal("GET /hello HTTP/2.0\r\nHost: a\r\n\r\n", 505);
}
END_TEST

START_TEST(oversized_head_is_431)
{
	static const char start[] = "GET /hello HTTP/1.1\r\nHost: a\r\nX-Big: ";
	char *req = malloc(40000);
	size_t n = sizeof start - 1;

	memcpy(req, start, n);
	memset(req + n, 'a', 30000);
	strcpy(req + n + 30000, "\r\n\r\n");
	expect_refusal(req, 431);
	free(req);
}
END_TEST

/* A request line that cannot be one (here the start of a TLS ClientHello,
 * which has no line end) is refused at once, not at request_timeout_ms. */
START_TEST(binary_before_any_line_end_is_400_at_once)
{
	static const char hello[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc";
	long long t0 = tl_now_ms();
	struct tl_resp r;
	int fd = tl_connect(port);

	ck_assert_int_eq(tl_send_n(fd, hello, sizeof hello - 1), 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 400);
	ck_assert_int_lt(tl_now_ms() - t0, 5000);
	tl_resp_free(&r);
	close(fd);
	/* a method sent a byte at a time is still waited for */
	fd = tl_connect(port);
	ck_assert_int_eq(tl_send(fd, "GE"), 0);
	ck_assert_int_eq(tl_closed_within(fd, 300), 0);
	ck_assert_int_eq(tl_send(fd, "T /hello HTTP/1.1\r\nHost: a\r\n\r\n"),
	                 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	tl_resp_free(&r);
	close(fd);
}
END_TEST

START_TEST(oversized_body_is_413)
{
	expect_refusal("POST /echo HTTP/1.1\r\nHost: a\r\n"
	               "Content-Length: 99999999999\r\n\r\n",
	               413);
}
END_TEST

START_TEST(server_keeps_serving_after_bad_requests)
{
	struct tl_resp r;

	for (int i = 0; i < 20; i++)
		expect_refusal("GARBAGE\r\n\r\n", 400);
	ck_assert_int_eq(tl_get(port, "/hello", &r), 200);
	tl_resp_free(&r);
}
END_TEST

START_TEST(partial_request_times_out_with_408)
{
	int fd = tl_connect(port);
	struct tl_resp r;
	long long t0 = tl_now_ms();

	ck_assert_int_eq(tl_send(fd, "GET /hello HTTP/1.1\r\nHost: a\r\n"), 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 408);
	tl_resp_free(&r);
	ck_assert_int_ge(tl_now_ms() - t0, 1500);
	ck_assert_int_eq(tl_closed_within(fd, 3000), 1);
	close(fd);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_http");
	TCase *tc = tcase_create("http");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, handler_answers_get);
	tcase_add_test(tc, keep_alive_serves_many_requests_on_one_connection);
	tcase_add_test(tc, pipelined_requests_answered_in_order);
	tcase_add_test(tc, chunked_request_body_is_decoded);
	tcase_add_test(tc, chunked_response_from_send_chunk);
	tcase_add_test(tc, head_gets_headers_without_body);
	tcase_add_test(tc, expect_100_continue_gets_interim_response);
	tcase_add_test(tc, http10_closes_unless_keep_alive_asked);
	tcase_add_test(tc, absolute_form_target_is_accepted);
	tcase_add_test(tc, request_info_has_decoded_and_raw_paths);
	tcase_add_test(tc, response_without_length_closes_connection);
	tcase_add_test(tc, response_header_functions_build_the_response);
	tcase_add_test(tc, redirect_sends_location_and_no_body);
	tcase_add_test(tc, store_body_writes_the_whole_body_to_a_file);
	tcase_add_test(tc, send_http_error_from_a_handler);
	tcase_add_test(tc, missing_host_in_http11_is_400);
	tcase_add_test(tc, two_hosts_are_400);
	tcase_add_test(tc, space_before_colon_is_400);
	tcase_add_test(tc, obsolete_line_folding_is_400);
	tcase_add_test(tc, content_length_with_transfer_encoding_is_400);
	tcase_add_test(tc, differing_content_lengths_are_400);
	tcase_add_test(tc, overflowing_chunk_size_is_400);
	tcase_add_test(tc, nul_in_header_is_400);
	tcase_add_test(tc, unknown_http_version_is_505);
	tcase_add_test(tc, oversized_head_is_431);
	tcase_add_test(tc, binary_before_any_line_end_is_400_at_once);
	tcase_add_test(tc, oversized_body_is_413);
	tcase_add_test(tc, server_keeps_serving_after_bad_requests);
	tcase_add_test(tc, partial_request_times_out_with_408);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
