/* check_e2e_client.c - the client API (mg_connect_client, mg_download,
 * mg_get_response, mg_get_response_info, mg_read on a client connection,
 * mg_connect_client2 / mg_get_response2) against two kinds of servers:
 * our own, started with tl_start, for well-formed Content-Length, chunked,
 * unframed, large and keep-alive exchanges; and a small raw socket server
 * thread in this file, for the odd and hostile answers our server would
 * never give (malformed status lines, huge heads, silence, trickles,
 * closes in the middle of a body). */
#define MG_EXPERIMENTAL_INTERFACES
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "civetweb.h"
#include "testlib.h"

#define LARGE_BODY    (4u * 1024 * 1024)
#define LARGE_CHUNKED (1u * 1024 * 1024 + 12345)

/* ---- our own server ------------------------------------------------------ */

static struct mg_context *ctx;
static int port;

static const char hello_body[] = "Hello, world!\n";

/* Byte i of the large bodies: a period (251) prime to every buffer and
 * chunk size used, so a lost, doubled or shifted block shows. */
static char pattern(size_t i)
{
	return (char)('A' + (i % 251) % 26);
}

static int hello(struct mg_connection *c, void *cb)
{
	(void)cb;
	mg_printf(c,
	          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	          "X-Custom: yes\r\nContent-Length: %d\r\n\r\n%s",
	          (int)strlen(hello_body), hello_body);
	return 200;
}

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

static int unframed(struct mg_connection *c, void *cb)
{
	(void)cb;
	mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"
	             "no length here, the server closes");
	return 200;
}

static int large(struct mg_connection *c, void *cb)
{
	char block[65536];
	size_t sent = 0;

	(void)cb;
	mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Length: %u\r\n\r\n",
	          LARGE_BODY);
	while (sent < LARGE_BODY) {
		size_t n = LARGE_BODY - sent < sizeof block ? LARGE_BODY - sent
		                                            : sizeof block;

		for (size_t i = 0; i < n; i++)
			block[i] = pattern(sent + i);
		if (mg_write(c, block, n) != (int)n)
			break;
		sent += n;
	}
	return 200;
}

static int large_chunked(struct mg_connection *c, void *cb)
{
	char block[10007];
	size_t sent = 0;

	(void)cb;
	mg_send_http_ok(c, "application/octet-stream", -1);
	while (sent < LARGE_CHUNKED) {
		size_t n = LARGE_CHUNKED - sent < sizeof block
		               ? LARGE_CHUNKED - sent
		               : sizeof block;

		for (size_t i = 0; i < n; i++)
			block[i] = pattern(sent + i);
		if (mg_send_chunk(c, block, (unsigned)n) < 0)
			break;
		sent += n;
	}
	mg_send_chunk(c, "", 0);
	return 200;
}

/* Echo the request body, and say which client port it came from, so a
 * client can tell that its requests shared one connection. */
static int echo(struct mg_connection *c, void *cb)
{
	const struct mg_request_info *ri = mg_get_request_info(c);
	char buf[32768];
	size_t len = 0;
	int n;

	(void)cb;
	while (len < sizeof buf &&
	       (n = mg_read(c, buf + len, sizeof buf - len)) > 0)
		len += (size_t)n;
	mg_printf(c,
	          "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nX-Method: %s\r\n"
	          "X-Remote-Port: %d\r\n\r\n",
	          len, ri->request_method, ri->remote_port);
	mg_write(c, buf, len);
	return 200;
}

static void setup(void)
{
	const char *opts[] = {"enable_keep_alive",
	                      "yes",
	                      "keep_alive_timeout_ms",
	                      "5000",
	                      "request_timeout_ms",
	                      "5000",
	                      "num_threads",
	                      "4",
	                      NULL};

	ctx = tl_start(NULL, NULL, opts, &port);
	mg_set_request_handler(ctx, "/hello", hello, NULL);
	mg_set_request_handler(ctx, "/chunks", chunks, NULL);
	mg_set_request_handler(ctx, "/unframed", unframed, NULL);
	mg_set_request_handler(ctx, "/large", large, NULL);
	mg_set_request_handler(ctx, "/large_chunked", large_chunked, NULL);
	mg_set_request_handler(ctx, "/echo", echo, NULL);
}

static void teardown(void)
{
	mg_stop(ctx);
}

/* ---- client helpers ------------------------------------------------------ */

static struct mg_connection *connect_to(int p)
{
	char ebuf[256];
	struct mg_connection *c;

	c = mg_connect_client("127.0.0.1", p, 0, ebuf, sizeof ebuf);
	ck_assert_msg(c != NULL, "mg_connect_client: %s", ebuf);
	return c;
}

/* Read the whole body into a malloc'ed, NUL-terminated buffer, in reads of
 * at most step bytes. *last gets the mg_read value that ended it. */
static char *read_body(struct mg_connection *c, size_t step, size_t *len,
                       int *last)
{
	size_t cap = 1024, have = 0;
	char *buf = malloc(cap + 1);
	int n;

	ck_assert_ptr_nonnull(buf);
	for (;;) {
		size_t want = step;

		if (cap - have < want) {
			cap = (cap + want) * 2;
			buf = realloc(buf, cap + 1);
			ck_assert_ptr_nonnull(buf);
		}
		n = mg_read(c, buf + have, want);
		if (n <= 0)
			break;
		ck_assert_int_le(n, (int)want);
		have += (size_t)n;
	}
	buf[have] = '\0';
	*len = have;
	if (last != NULL)
		*last = n;
	return buf;
}

static void check_pattern(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != pattern(i))
			ck_abort_msg("body byte %zu is %d, expected %d", i,
			             buf[i], pattern(i));
}

/* ---- tests against our own server ---------------------------------------- */

START_TEST(get_response_returns_1_and_fills_response_info)
{
	struct mg_connection *c = connect_to(port);
	const struct mg_response_info *ri;
	char ebuf[128];
	size_t len;
	int found = 0;
	char *body;

	ck_assert_int_gt(mg_printf(c, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"),
	                 0);
	memset(ebuf, 'x', sizeof ebuf);
	ck_assert_int_eq(mg_get_response(c, ebuf, sizeof ebuf, 5000), 1);
	ck_assert_str_eq(ebuf, "");
	ri = mg_get_response_info(c);
	ck_assert_ptr_nonnull(ri);
	ck_assert_int_eq(ri->status_code, 200);
	ck_assert_str_eq(ri->status_text, "OK");
	ck_assert_str_eq(ri->http_version, "1.1");
	ck_assert_int_eq(ri->content_length, (long long)strlen(hello_body));
	ck_assert_int_ge(ri->num_headers, 3);
	for (int i = 0; i < ri->num_headers; i++)
		if (strcasecmp(ri->http_headers[i].name, "X-Custom") == 0 &&
		    strcmp(ri->http_headers[i].value, "yes") == 0)
			found = 1;
	ck_assert_msg(found, "X-Custom missing from http_headers");
	ck_assert_str_eq(mg_get_header(c, "Content-Type"), "text/plain");
	ck_assert_str_eq(mg_get_header(c, "x-custom"), "yes");
	ck_assert_ptr_null(mg_get_header(c, "X-Absent"));
	body = read_body(c, 4096, &len, NULL);
	ck_assert_str_eq(body, hello_body);
	free(body);
	mg_close_connection(c);
}
END_TEST

START_TEST(response_info_is_null_before_any_response)
{
	struct mg_connection *c = connect_to(port);

	ck_assert_ptr_null(mg_get_response_info(c));
	ck_assert_ptr_null(mg_get_response_info(NULL));
	mg_close_connection(c);
}
END_TEST

/* CivetWeb (1.15 observed, 1.16 by its header comment) answers
 * mg_get_request_info with NULL on a client connection: the response is
 * read through mg_get_response_info. */
START_TEST(request_info_is_null_on_client_connection)
{
	struct mg_connection *c = connect_to(port);

	ck_assert_int_gt(mg_printf(c, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"),
	                 0);
	ck_assert_int_eq(mg_get_response(c, NULL, 0, 5000), 1);
	ck_assert_ptr_null(mg_get_request_info(c));
	mg_close_connection(c);
}
END_TEST

START_TEST(chunked_response_is_decoded_by_mg_read)
{
	struct mg_connection *c = connect_to(port);
	const struct mg_response_info *ri;
	size_t len;
	int last;
	char *body;

	mg_printf(c, "GET /chunks HTTP/1.1\r\nHost: x\r\n\r\n");
	ck_assert_int_eq(mg_get_response(c, NULL, 0, 5000), 1);
	ri = mg_get_response_info(c);
	ck_assert_int_eq(ri->status_code, 200);
	ck_assert_int_eq(ri->content_length, -1);
	ck_assert_str_eq(mg_get_header(c, "Transfer-Encoding"), "chunked");
	/* tiny reads cross every chunk boundary */
	body = read_body(c, 3, &len, &last);
	ck_assert_str_eq(body, "one,two,three");
	ck_assert_int_eq(last, 0);
	ck_assert_int_eq(mg_read(c, &len, 1), 0);
	free(body);
	mg_close_connection(c);
}
END_TEST

START_TEST(unframed_response_is_read_until_server_closes)
{
	struct mg_connection *c = connect_to(port);
	long long t0 = tl_now_ms();
	size_t len;
	int last;
	char *body;

	mg_printf(c, "GET /unframed HTTP/1.1\r\nHost: x\r\n\r\n");
	ck_assert_int_eq(mg_get_response(c, NULL, 0, 5000), 1);
	ck_assert_int_eq(mg_get_response_info(c)->content_length, -1);
	body = read_body(c, 7, &len, &last);
	ck_assert_str_eq(body, "no length here, the server closes");
	ck_assert_int_eq(last, 0); /* documented: 0 = closed by the peer */
	ck_assert_int_lt(tl_now_ms() - t0, 4000);
	free(body);
	mg_close_connection(c);
}
END_TEST

START_TEST(large_content_length_body_arrives_intact)
{
	struct mg_connection *c = connect_to(port);
	size_t len;
	int last;
	char *body;

	mg_printf(c, "GET /large HTTP/1.1\r\nHost: x\r\n\r\n");
	ck_assert_int_eq(mg_get_response(c, NULL, 0, 5000), 1);
	ck_assert_int_eq(mg_get_response_info(c)->content_length, LARGE_BODY);
	body = read_body(c, 100000, &len, &last);
	ck_assert_uint_eq(len, LARGE_BODY);
	ck_assert_int_eq(last, 0);
	check_pattern(body, len);
	free(body);
	mg_close_connection(c);
}
END_TEST

START_TEST(large_chunked_body_arrives_intact)
{
	struct mg_connection *c = connect_to(port);
	size_t len;
	int last;
	char *body;

	mg_printf(c, "GET /large_chunked HTTP/1.1\r\nHost: x\r\n\r\n");
	ck_assert_int_eq(mg_get_response(c, NULL, 0, 5000), 1);
	body = read_body(c, 65536, &len, &last);
	ck_assert_uint_eq(len, LARGE_CHUNKED);
	ck_assert_int_eq(last, 0);
	check_pattern(body, len);
	free(body);
	mg_close_connection(c);
}
END_TEST

START_TEST(mg_read_fills_the_whole_buffer_when_body_allows)
{
	struct mg_connection *c = connect_to(port);
	char *buf = malloc(LARGE_BODY);

	mg_printf(c, "GET /large HTTP/1.1\r\nHost: x\r\n\r\n");
	ck_assert_int_eq(mg_get_response(c, NULL, 0, 5000), 1);
	/* CivetWeb's mg_read waits until len bytes or the body's end */
	ck_assert_int_eq(mg_read(c, buf, 1000000), 1000000);
	ck_assert_int_eq(mg_read(c, buf + 1000000, LARGE_BODY - 1000000),
	                 LARGE_BODY - 1000000);
	ck_assert_int_eq(mg_read(c, buf, 1), 0);
	check_pattern(buf, LARGE_BODY);
	free(buf);
	mg_close_connection(c);
}
END_TEST

START_TEST(keep_alive_connection_carries_several_exchanges)
{
	struct mg_connection *c = connect_to(port);
	char first_port[16] = "", payload[64];
	size_t len;
	char *body;

	for (int i = 0; i < 6; i++) {
		const char *rp;
		int n = snprintf(payload, sizeof payload, "exchange %d", i);

		if (i % 3 == 2) {
			/* a chunked and a plain response in between */
			mg_printf(c, "GET /%s HTTP/1.1\r\nHost: x\r\n\r\n",
			          i == 2 ? "chunks" : "hello");
			ck_assert_int_eq(mg_get_response(c, NULL, 0, 5000), 1);
			body = read_body(c, 5, &len, NULL);
			ck_assert_str_eq(body,
			                 i == 2 ? "one,two,three" : hello_body);
			free(body);
			continue;
		}
		mg_printf(c,
		          "POST /echo HTTP/1.1\r\nHost: x\r\n"
		          "Content-Length: %d\r\n\r\n",
		          n);
		ck_assert_int_eq(mg_write(c, payload, (size_t)n), n);
		ck_assert_int_eq(mg_get_response(c, NULL, 0, 5000), 1);
		ck_assert_int_eq(mg_get_response_info(c)->status_code, 200);
		ck_assert_str_eq(mg_get_header(c, "X-Method"), "POST");
		rp = mg_get_header(c, "X-Remote-Port");
		ck_assert_ptr_nonnull(rp);
		if (i == 0)
			snprintf(first_port, sizeof first_port, "%s", rp);
		else
			ck_assert_str_eq(rp, first_port); /* same connection */
		body = read_body(c, 4096, &len, NULL);
		ck_assert_str_eq(body, payload);
		free(body);
	}
	mg_close_connection(c);
}
END_TEST

START_TEST(unread_body_is_skipped_before_next_response)
{
	struct mg_connection *c = connect_to(port);
	char some[10];
	size_t len;
	char *body;

	mg_printf(c, "GET /large HTTP/1.1\r\nHost: x\r\n\r\n");
	ck_assert_int_eq(mg_get_response(c, NULL, 0, 5000), 1);
	ck_assert_int_eq(mg_read(c, some, sizeof some), (int)sizeof some);
	mg_printf(c, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
	ck_assert_int_eq(mg_get_response(c, NULL, 0, 5000), 1);
	ck_assert_int_eq(mg_get_response_info(c)->status_code, 200);
	body = read_body(c, 4096, &len, NULL);
	ck_assert_str_eq(body, hello_body);
	free(body);
	mg_close_connection(c);
}
END_TEST

START_TEST(download_returns_connection_ready_for_mg_read)
{
	char ebuf[128];
	struct mg_connection *c;
	size_t len;
	char *body;

	memset(ebuf, 'x', sizeof ebuf);
	c = mg_download(
	    "127.0.0.1", port, 0, ebuf, sizeof ebuf,
	    "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
	    "/hello");
	ck_assert_msg(c != NULL, "mg_download: %s", ebuf);
	ck_assert_str_eq(ebuf, "");
	ck_assert_int_eq(mg_get_response_info(c)->status_code, 200);
	body = read_body(c, 4096, &len, NULL);
	ck_assert_str_eq(body, hello_body);
	free(body);
	mg_close_connection(c);
}
END_TEST

START_TEST(download_of_missing_page_returns_the_404)
{
	char ebuf[128];
	struct mg_connection *c;

	c = mg_download("127.0.0.1", port, 0, ebuf, sizeof ebuf, "%s",
	                "GET /nowhere HTTP/1.0\r\n\r\n");
	ck_assert_msg(c != NULL, "mg_download: %s", ebuf);
	ck_assert_int_eq(mg_get_response_info(c)->status_code, 404);
	mg_close_connection(c);
}
END_TEST

START_TEST(download_with_long_request_is_sent_whole)
{
	static char pad[20000];
	char ebuf[128];
	struct mg_connection *c;
	size_t len;
	char *body;

	memset(pad, 'p', sizeof pad - 1);
	c = mg_download(
	    "127.0.0.1", port, 0, ebuf, sizeof ebuf,
	    "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	    "Content-Length: %zu\r\n\r\n%s",
	    strlen(pad), pad);
	ck_assert_msg(c != NULL, "mg_download: %s", ebuf);
	body = read_body(c, 65536, &len, NULL);
	ck_assert_uint_eq(len, strlen(pad));
	ck_assert_str_eq(body, pad);
	free(body);
	mg_close_connection(c);
}
END_TEST

START_TEST(localhost_name_is_resolved)
{
	char ebuf[128];
	struct mg_connection *c;

	/* localhost may resolve to ::1 first: every address is tried */
	c = mg_connect_client("localhost", port, 0, ebuf, sizeof ebuf);
	ck_assert_msg(c != NULL, "mg_connect_client: %s", ebuf);
	mg_printf(c, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
	ck_assert_int_eq(mg_get_response(c, ebuf, sizeof ebuf, 5000), 1);
	mg_close_connection(c);
}
END_TEST

/* An IPv6 literal in brackets, as in a URL (CivetWeb accepts it), and
 * without them. */
START_TEST(bracketed_ipv6_literal_connects)
{
	const char *opts[] = {"listening_ports", "[::1]:0", NULL};
	struct mg_server_port ports[2];
	struct mg_context *v6 = mg_start(NULL, NULL, opts);
	const char *hosts[] = {"[::1]", "::1"};
	char ebuf[128];

	ck_assert_msg(v6 != NULL, "cannot listen on [::1]: IPv6 loopback "
	                          "is needed for this test");
	ck_assert_int_eq(mg_get_server_ports(v6, 2, ports), 1);
	mg_set_request_handler(v6, "/hello", hello, NULL);
	for (int i = 0; i < 2; i++) {
		struct mg_connection *c = mg_connect_client(
		    hosts[i], ports[0].port, 0, ebuf, sizeof ebuf);

		ck_assert_msg(c != NULL, "%s: %s", hosts[i], ebuf);
		mg_printf(c, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
		ck_assert_int_eq(mg_get_response(c, ebuf, sizeof ebuf, 5000),
		                 1);
		ck_assert_int_eq(mg_get_response_info(c)->status_code, 200);
		mg_close_connection(c);
	}
	mg_stop(v6);
}
END_TEST

START_TEST(connect_client2_and_get_response2_speak_http)
{
	char text[128];
	unsigned sub;
	struct mg_error_data err = {99, 99, text, sizeof text};
	struct mg_connection *c;

	c = mg_connect_client2("127.0.0.1", "HTTP", port, "/", NULL, &err);
	ck_assert_msg(c != NULL, "mg_connect_client2: %s", text);
	ck_assert_uint_eq(err.code, MG_ERROR_DATA_CODE_OK);
	ck_assert_str_eq(text, "");
	mg_printf(c, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
	err.code = 99;
	ck_assert_int_ge(mg_get_response2(c, &err, 5000), 0);
	ck_assert_uint_eq(err.code, MG_ERROR_DATA_CODE_OK);
	ck_assert_int_eq(mg_get_response_info(c)->status_code, 200);
	/* silence: no request was sent, so no response comes */
	ck_assert_int_lt(mg_get_response2(c, &err, 200), 0);
	sub = err.code_sub;
	ck_assert_uint_eq(err.code, MG_ERROR_DATA_CODE_OS_ERROR);
	ck_assert_uint_eq(sub, ETIMEDOUT);
	ck_assert_str_ne(text, "");
	mg_close_connection(c);
}
END_TEST

/* ---- a raw server for odd answers ------------------------------------- */

struct raw {
	int lfd, port;
	pthread_t tid;
	const char *parts[4]; /* sent in turn once the request head is in */
	size_t lens[4];       /* 0: strlen(parts[i]) */
	int delay_ms;         /* before the first part */
	int gap_ms;           /* between parts, or bytes when trickling */
	int trickle;          /* send parts[0] one byte per gap_ms */
	int hold_ms;          /* then wait this long for the client to close */
	int no_read;          /* do not wait for a request */
};

static void pause_ms(int ms)
{
	if (ms > 0)
		poll(NULL, 0, ms);
}

/* Read until the end of a request head (or 3 s, or EOF). */
static void raw_read_head(int fd)
{
	char buf[4096];
	size_t have = 0;
	struct pollfd p = {fd, POLLIN, 0};

	while (have < sizeof buf - 1 && poll(&p, 1, 3000) == 1) {
		ssize_t n = recv(fd, buf + have, sizeof buf - 1 - have, 0);

		if (n <= 0)
			return;
		have += (size_t)n;
		buf[have] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL)
			return;
	}
}

static int raw_send(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);

		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static void *raw_main(void *arg)
{
	struct raw *r = arg;
	struct pollfd p = {r->lfd, POLLIN, 0};
	struct timeval tv = {5, 0};
	char sink[4096];
	int fd, i;

	if (poll(&p, 1, 5000) != 1)
		return NULL;
	fd = accept(r->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (!r->no_read)
		raw_read_head(fd);
	pause_ms(r->delay_ms);
	for (i = 0; i < 4 && r->parts[i] != NULL; i++) {
		size_t n = r->lens[i] ? r->lens[i] : strlen(r->parts[i]);

		if (i > 0)
			pause_ms(r->gap_ms);
		if (r->trickle && i == 0) {
			size_t k;

			for (k = 0; k < n; k++) {
				if (raw_send(fd, r->parts[0] + k, 1) != 0)
					break;
				pause_ms(r->gap_ms);
			}
			if (k < n)
				break;
		} else if (raw_send(fd, r->parts[i], n) != 0) {
			break;
		}
	}
	/* hold the connection until the client closes or hold_ms pass */
	p.fd = fd;
	if (r->hold_ms > 0 && poll(&p, 1, r->hold_ms) == 1)
		while (recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0)
			;
	close(fd);
	return NULL;
}

/* Start a raw server on 127.0.0.1:0 answering once with r's parts. */
static void raw_start(struct raw *r)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof a;

	r->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(r->lfd, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(r->lfd, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(listen(r->lfd, 4), 0);
	ck_assert_int_eq(getsockname(r->lfd, (struct sockaddr *)&a, &alen), 0);
	r->port = ntohs(a.sin_port);
	ck_assert_int_eq(pthread_create(&r->tid, NULL, raw_main, r), 0);
}

static void raw_stop(struct raw *r)
{
	pthread_join(r->tid, NULL);
	close(r->lfd);
}

/* Connect to a raw server and send a GET. */
static struct mg_connection *raw_client(struct raw *r)
{
	struct mg_connection *c = connect_to(r->port);

	ck_assert_int_gt(mg_printf(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
	return c;
}

/* ---- tests against the raw server ---------------------------------------- */

START_TEST(response_head_fields_are_exposed)
{
	struct raw r = {.parts = {"HTTP/1.0 201 Created Here\r\n"
	                          "X-One: 1\r\n"
	                          "x-two:   two words  \r\n"
	                          "Content-Length: 3\r\n\r\nabc"},
	                .hold_ms = 3000};
	const struct mg_response_info *ri;
	struct mg_connection *c;
	size_t len;
	char *body;

	raw_start(&r);
	c = raw_client(&r);
	ck_assert_int_eq(mg_get_response(c, NULL, 0, 3000), 1);
	ri = mg_get_response_info(c);
	ck_assert_int_eq(ri->status_code, 201);
	ck_assert_str_eq(ri->status_text, "Created Here");
	ck_assert_str_eq(ri->http_version, "1.0");
	ck_assert_int_eq(ri->content_length, 3);
	ck_assert_int_eq(ri->num_headers, 3);
	ck_assert_str_eq(ri->http_headers[0].name, "X-One");
	ck_assert_str_eq(ri->http_headers[0].value, "1");
	ck_assert_str_eq(ri->http_headers[1].name, "x-two");
	ck_assert_str_eq(mg_get_header(c, "X-TWO"), "two words");
	ck_assert_str_eq(mg_get_header(c, "content-length"), "3");
	body = read_body(c, 100, &len, NULL);
	ck_assert_str_eq(body, "abc");
	free(body);
	mg_close_connection(c);
	raw_stop(&r);
}
END_TEST

START_TEST(head_split_over_many_writes_is_assembled)
{
	struct raw r = {.parts = {"HTTP/1.1 20", "0 OK\r\nContent-Le",
	                          "ngth: 2\r\n\r", "\nok"},
	                .gap_ms = 40,
	                .hold_ms = 3000};
	struct mg_connection *c;
	size_t len;
	char *body;

	raw_start(&r);
	c = raw_client(&r);
	ck_assert_int_eq(mg_get_response(c, NULL, 0, 3000), 1);
	ck_assert_int_eq(mg_get_response_info(c)->status_code, 200);
	body = read_body(c, 100, &len, NULL);
	ck_assert_str_eq(body, "ok");
	free(body);
	mg_close_connection(c);
	raw_stop(&r);
}
END_TEST

START_TEST(malformed_status_line_fails_with_message)
{
	static const char *bad[] = {
	    "HTTP/1.1 abc OK\r\n\r\n",       /* status not a number */
	    "HTTP/1.1 20 OK\r\n\r\n",        /* two digits */
	    "hello world\r\n\r\n",           /* not HTTP at all */
	    "HTTP/1.1 200 OK\rX: y\r\n\r\n", /* bare CR */
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct raw r = {.parts = {bad[i]}, .hold_ms = 3000};
		const struct mg_response_info *ri;
		struct mg_connection *c;
		char ebuf[128] = "";
		long long t0;

		raw_start(&r);
		c = raw_client(&r);
		t0 = tl_now_ms();
		ck_assert_int_lt(mg_get_response(c, ebuf, sizeof ebuf, 3000),
		                 0);
		ck_assert_int_lt(tl_now_ms() - t0, 2500);
		ck_assert_msg(ebuf[0] != '\0', "no message for %s", bad[i]);
		/* CivetWeb keeps an (empty) info after a failure */
		ri = mg_get_response_info(c);
		ck_assert_ptr_nonnull(ri);
		ck_assert_int_eq(ri->status_code, 0);
		ck_assert_int_eq(ri->num_headers, 0);
		mg_close_connection(c);
		raw_stop(&r);
	}
}
END_TEST

START_TEST(oversized_response_head_fails_with_message)
{
	size_t cap = 64 * 1024, n;
	char *big = malloc(cap + 64);
	struct raw r = {.hold_ms = 3000};
	struct mg_connection *c;
	char ebuf[128] = "";
	long long t0;

	n = (size_t)sprintf(big, "HTTP/1.1 200 OK\r\n");
	while (n < cap)
		n += (size_t)sprintf(big + n, "X-Pad-%06zu: %s\r\n", n,
		                     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	n += (size_t)sprintf(big + n, "\r\n");
	r.parts[0] = big;
	r.lens[0] = n;
	raw_start(&r);
	c = raw_client(&r);
	t0 = tl_now_ms();
	ck_assert_int_lt(mg_get_response(c, ebuf, sizeof ebuf, 3000), 0);
	ck_assert_int_lt(tl_now_ms() - t0, 2500);
	ck_assert_msg(strstr(ebuf, "too large") != NULL, "ebuf: %s", ebuf);
	mg_close_connection(c);
	raw_stop(&r);
	free(big);
}
END_TEST

START_TEST(silent_server_times_out_within_the_timeout)
{
	struct raw r = {.hold_ms = 5000};
	struct mg_connection *c;
	char ebuf[128] = "";
	long long t0, took;

	raw_start(&r);
	c = raw_client(&r);
	t0 = tl_now_ms();
	ck_assert_int_lt(mg_get_response(c, ebuf, sizeof ebuf, 300), 0);
	took = tl_now_ms() - t0;
	ck_assert_int_ge(took, 250);
	ck_assert_int_lt(took, 2000);
	ck_assert_msg(strstr(ebuf, "timeout") != NULL, "ebuf: %s", ebuf);
	/* a zero timeout polls once and fails at once */
	t0 = tl_now_ms();
	ck_assert_int_lt(mg_get_response(c, ebuf, sizeof ebuf, 0), 0);
	ck_assert_int_lt(tl_now_ms() - t0, 200);
	mg_close_connection(c);
	raw_stop(&r);
}
END_TEST

START_TEST(trickling_server_does_not_stretch_the_timeout)
{
	static char slow[400];
	struct raw r = {.trickle = 1, .gap_ms = 20, .hold_ms = 100};
	struct mg_connection *c;
	char ebuf[128] = "";
	long long t0, took;

	snprintf(slow, sizeof slow, "HTTP/1.1 200 OK\r\nX-Slow: %0300d\r\n\r\n",
	         0);
	r.parts[0] = slow;
	raw_start(&r);
	c = raw_client(&r);
	t0 = tl_now_ms();
	ck_assert_int_lt(mg_get_response(c, ebuf, sizeof ebuf, 300), 0);
	took = tl_now_ms() - t0;
	ck_assert_int_lt(took, 2000); /* the whole head takes 6 s */
	ck_assert_msg(strstr(ebuf, "timeout") != NULL, "ebuf: %s", ebuf);
	mg_close_connection(c);
	raw_stop(&r);
}
END_TEST

START_TEST(negative_timeout_waits_for_a_late_response)
{
	struct raw r = {
	    .parts = {"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"},
	    .delay_ms = 400,
	    .hold_ms = 3000};
	struct mg_connection *c;
	long long t0;

	raw_start(&r);
	c = raw_client(&r);
	t0 = tl_now_ms();
	ck_assert_int_eq(mg_get_response(c, NULL, 0, -1), 1);
	ck_assert_int_ge(tl_now_ms() - t0, 350);
	ck_assert_int_eq(mg_get_response_info(c)->status_code, 200);
	mg_close_connection(c);
	raw_stop(&r);
}
END_TEST

START_TEST(server_closing_without_answer_fails_with_message)
{
	struct raw r = {.hold_ms = 0};
	struct mg_connection *c;
	char ebuf[128] = "";
	long long t0;

	raw_start(&r);
	c = raw_client(&r);
	t0 = tl_now_ms();
	ck_assert_int_lt(mg_get_response(c, ebuf, sizeof ebuf, 5000), 0);
	ck_assert_int_lt(tl_now_ms() - t0, 3000);
	ck_assert_msg(strstr(ebuf, "closed") != NULL, "ebuf: %s", ebuf);
	mg_close_connection(c);
	raw_stop(&r);
}
END_TEST

START_TEST(server_closing_inside_head_fails_with_message)
{
	struct raw r = {.parts = {"HTTP/1.1 200 OK\r\nContent-Le"}};
	struct mg_connection *c;
	char ebuf[128] = "";

	raw_start(&r);
	c = raw_client(&r);
	ck_assert_int_lt(mg_get_response(c, ebuf, sizeof ebuf, 5000), 0);
	ck_assert_msg(strstr(ebuf, "incomplete") != NULL, "ebuf: %s", ebuf);
	mg_close_connection(c);
	raw_stop(&r);
}
END_TEST

START_TEST(server_closing_mid_body_makes_mg_read_fail)
{
	struct raw r = {.parts = {"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"
	                          "\r\n0123456789"}};
	struct mg_connection *c;
	long long t0;
	size_t len;
	int last;
	char *body;

	raw_start(&r);
	c = raw_client(&r);
	ck_assert_int_eq(mg_get_response(c, NULL, 0, 3000), 1);
	t0 = tl_now_ms();
	body = read_body(c, 1000, &len, &last);
	ck_assert_int_lt(tl_now_ms() - t0, 3000);
	ck_assert_str_eq(body, "0123456789");
	ck_assert_int_lt(last, 0); /* 90 bytes never came: an error */
	ck_assert_int_lt(mg_read(c, body, 1), 0);
	free(body);
	mg_close_connection(c);
	raw_stop(&r);
}
END_TEST

START_TEST(server_closing_mid_chunk_makes_mg_read_fail)
{
	struct raw r = {.parts = {"HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	                          "chunked\r\n\r\n5\r\nhello\r\n64\r\n0123"}};
	struct mg_connection *c;
	long long t0;
	size_t len;
	int last;
	char *body;

	raw_start(&r);
	c = raw_client(&r);
	ck_assert_int_eq(mg_get_response(c, NULL, 0, 3000), 1);
	t0 = tl_now_ms();
	body = read_body(c, 1000, &len, &last);
	ck_assert_int_lt(tl_now_ms() - t0, 3000);
	ck_assert_str_eq(body, "hello0123");
	ck_assert_int_lt(last, 0);
	free(body);
	mg_close_connection(c);
	raw_stop(&r);
}
END_TEST

START_TEST(malformed_chunk_makes_mg_read_fail)
{
	struct raw r = {.parts = {"HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	                          "chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"},
	                .hold_ms = 3000};
	struct mg_connection *c;
	char buf[64];

	raw_start(&r);
	c = raw_client(&r);
	ck_assert_int_eq(mg_get_response(c, NULL, 0, 3000), 1);
	ck_assert_int_lt(mg_read(c, buf, sizeof buf), 0);
	mg_close_connection(c);
	raw_stop(&r);
}
END_TEST

START_TEST(bodiless_statuses_end_with_their_head)
{
	/* the server keeps the connection open: a client waiting for a body
	 * to end at close would hang */
	struct raw r = {.parts = {"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n"
	                          "\r\n"},
	                .hold_ms = 5000};
	struct mg_connection *c;
	char buf[16];
	long long t0;

	raw_start(&r);
	c = raw_client(&r);
	ck_assert_int_eq(mg_get_response(c, NULL, 0, 3000), 1);
	ck_assert_int_eq(mg_get_response_info(c)->status_code, 304);
	t0 = tl_now_ms();
	ck_assert_int_eq(mg_read(c, buf, sizeof buf), 0);
	ck_assert_int_lt(tl_now_ms() - t0, 1000);
	mg_close_connection(c);
	raw_stop(&r);
}
END_TEST

START_TEST(interim_response_comes_before_the_final_one)
{
	struct raw r = {
	    .parts = {"HTTP/1.1 100 Continue\r\n\r\n"
	              "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"},
	    .hold_ms = 3000};
	struct mg_connection *c;
	char buf[16];

	raw_start(&r);
	c = raw_client(&r);
	ck_assert_int_eq(mg_get_response(c, NULL, 0, 3000), 1);
	ck_assert_int_eq(mg_get_response_info(c)->status_code, 100);
	ck_assert_int_eq(mg_read(c, buf, sizeof buf), 0);
	ck_assert_int_eq(mg_get_response(c, NULL, 0, 3000), 1);
	ck_assert_int_eq(mg_get_response_info(c)->status_code, 200);
	ck_assert_str_eq(mg_get_response_info(c)->status_text, "OK");
	ck_assert_int_eq(mg_read(c, buf, sizeof buf), 2);
	ck_assert_int_eq(memcmp(buf, "ok", 2), 0);
	mg_close_connection(c);
	raw_stop(&r);
}
END_TEST

START_TEST(ambiguous_framing_is_refused)
{
	struct raw r = {.parts = {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	                          "Transfer-Encoding: chunked\r\n\r\n"
	                          "5\r\nhello\r\n0\r\n\r\n"},
	                .hold_ms = 3000};
	struct mg_connection *c;
	char ebuf[128] = "";

	raw_start(&r);
	c = raw_client(&r);
	ck_assert_int_lt(mg_get_response(c, ebuf, sizeof ebuf, 3000), 0);
	ck_assert_str_ne(ebuf, "");
	mg_close_connection(c);
	raw_stop(&r);
}
END_TEST

START_TEST(failed_response_leaves_no_stale_headers)
{
	struct raw r = {.parts = {"HTTP/1.1 200 OK\r\nX-Old: 1\r\n"
	                          "Content-Length: 0\r\n\r\n",
	                          "garbage\r\n\r\n"},
	                .gap_ms = 50,
	                .hold_ms = 3000};
	struct mg_connection *c;

	raw_start(&r);
	c = raw_client(&r);
	ck_assert_int_eq(mg_get_response(c, NULL, 0, 3000), 1);
	ck_assert_str_eq(mg_get_header(c, "X-Old"), "1");
	ck_assert_int_lt(mg_get_response(c, NULL, 0, 3000), 0);
	ck_assert_ptr_null(mg_get_header(c, "X-Old"));
	ck_assert_int_eq(mg_get_response_info(c)->status_code, 0);
	ck_assert_int_eq(mg_get_response_info(c)->content_length, -1);
	mg_close_connection(c);
	raw_stop(&r);
}
END_TEST

START_TEST(download_of_bad_response_fails_with_message)
{
	struct raw r = {.parts = {"SMTP ready\r\n\r\n"}, .hold_ms = 3000};
	struct mg_connection *c;
	char ebuf[128] = "";

	raw_start(&r);
	c = mg_download("127.0.0.1", r.port, 0, ebuf, sizeof ebuf, "%s",
	                "GET / HTTP/1.0\r\n\r\n");
	ck_assert_ptr_null(c);
	ck_assert_str_ne(ebuf, "");
	raw_stop(&r);
}
END_TEST

/* ---- connecting ------------------------------------------------------- */

/* A port on which nothing listens: bound (so nobody else takes it) but
 * not listening, so connecting is refused. */
static int closed_port(int *fd)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof a;

	*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(*fd, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(*fd, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(getsockname(*fd, (struct sockaddr *)&a, &alen), 0);
	return ntohs(a.sin_port);
}

START_TEST(connect_to_closed_port_fails_with_message)
{
	char ebuf[128], want[16];
	int fd, p = closed_port(&fd);

	memset(ebuf, 0, sizeof ebuf);
	ck_assert_ptr_null(
	    mg_connect_client("127.0.0.1", p, 0, ebuf, sizeof ebuf));
	snprintf(want, sizeof want, "%d", p);
	ck_assert_msg(strstr(ebuf, want) != NULL, "ebuf: %s", ebuf);
	ck_assert_msg(strstr(ebuf, "refused") != NULL, "ebuf: %s", ebuf);
	/* mg_download fails the same way */
	memset(ebuf, 0, sizeof ebuf);
	ck_assert_ptr_null(mg_download("127.0.0.1", p, 0, ebuf, sizeof ebuf,
	                               "%s", "GET / HTTP/1.0\r\n\r\n"));
	ck_assert_str_ne(ebuf, "");
	close(fd);
}
END_TEST

START_TEST(unresolvable_host_fails_with_message)
{
	char ebuf[128] = "";

	ck_assert_ptr_null(mg_connect_client("no-such-host.invalid", 80, 0,
	                                     ebuf, sizeof ebuf));
	ck_assert_msg(strstr(ebuf, "no-such-host.invalid") != NULL, "ebuf: %s",
	              ebuf);
}
END_TEST

/* TLS to a server that speaks plain HTTP: each call fails at once with
 * the handshake's reason (the TLS cases that work are check_e2e_tls's). */
START_TEST(use_ssl_to_plain_server_fails_cleanly_with_reason)
{
	struct mg_client_options o = {"127.0.0.1", 0, NULL, NULL, NULL};
	char ebuf[256] = "";
	/* a ClientHello is no request head: the server answers 408 soon */
	const char *opts[] = {"request_timeout_ms", "300", NULL};
	int plain;
	struct mg_context *srv = tl_start(NULL, NULL, opts, &plain);

	ck_assert_ptr_null(
	    mg_connect_client("127.0.0.1", plain, 1, ebuf, sizeof ebuf));
	ck_assert_msg(strstr(ebuf, "TLS handshake") != NULL, "ebuf: %s", ebuf);
	ebuf[0] = '\0';
	o.port = plain;
	ck_assert_ptr_null(mg_connect_client_secure(&o, ebuf, sizeof ebuf));
	ck_assert_msg(strstr(ebuf, "TLS handshake") != NULL, "ebuf: %s", ebuf);
	ebuf[0] = '\0';
	ck_assert_ptr_null(mg_download("127.0.0.1", plain, 1, ebuf, sizeof ebuf,
	                               "%s", "GET / HTTP/1.0\r\n\r\n"));
	ck_assert_msg(strstr(ebuf, "TLS handshake") != NULL, "ebuf: %s", ebuf);
	{
		char text[256];
		struct mg_error_data err = {0, 0, text, sizeof text};

		ck_assert_ptr_null(mg_connect_client2("127.0.0.1", "https",
		                                      plain, "/", NULL, &err));
		ck_assert_uint_eq(err.code,
		                  MG_ERROR_DATA_CODE_TLS_CONNECT_ERROR);
		ck_assert_msg(strstr(text, "TLS handshake") != NULL, "%s",
		              text);
	}
	mg_stop(srv);
}
END_TEST

START_TEST(invalid_arguments_fail_with_message)
{
	char ebuf[128];
	char tiny[8];

	memset(ebuf, 0, sizeof ebuf);
	ck_assert_ptr_null(mg_connect_client(NULL, 80, 0, ebuf, sizeof ebuf));
	ck_assert_str_ne(ebuf, "");
	memset(ebuf, 0, sizeof ebuf);
	ck_assert_ptr_null(
	    mg_connect_client("127.0.0.1", 0, 0, ebuf, sizeof ebuf));
	ck_assert_str_ne(ebuf, "");
	memset(ebuf, 0, sizeof ebuf);
	ck_assert_ptr_null(
	    mg_connect_client("127.0.0.1", 70000, 0, ebuf, sizeof ebuf));
	ck_assert_str_ne(ebuf, "");
	/* no buffer, or a tiny one: still safe, truncated and terminated */
	ck_assert_ptr_null(mg_connect_client(NULL, 80, 0, NULL, 0));
	memset(tiny, 'x', sizeof tiny);
	ck_assert_ptr_null(
	    mg_connect_client("127.0.0.1", 0, 0, tiny, sizeof tiny));
	ck_assert_uint_eq(strlen(tiny), sizeof tiny - 1);
	memset(ebuf, 0, sizeof ebuf);
	ck_assert_int_lt(mg_get_response(NULL, ebuf, sizeof ebuf, 100), 0);
	ck_assert_str_ne(ebuf, "");
	mg_close_connection(NULL);
}
END_TEST

START_TEST(connect_client2_reports_error_codes)
{
	char text[128];
	struct mg_error_data err = {0, 0, text, sizeof text};
	int fd, p = closed_port(&fd);

	ck_assert_ptr_null(
	    mg_connect_client2("127.0.0.1", NULL, p, "/", NULL, &err));
	ck_assert_uint_eq(err.code, MG_ERROR_DATA_CODE_INVALID_PARAM);
	ck_assert_ptr_null(
	    mg_connect_client2("127.0.0.1", "gopher", p, "/", NULL, &err));
	ck_assert_uint_eq(err.code, MG_ERROR_DATA_CODE_INVALID_PARAM);
	ck_assert_str_ne(text, "");
	ck_assert_ptr_null(
	    mg_connect_client2("127.0.0.1", "https", p, "/", NULL, &err));
	ck_assert_uint_eq(err.code, MG_ERROR_DATA_CODE_CONNECT_FAILED);
	ck_assert_ptr_null(
	    mg_connect_client2("127.0.0.1", "http", p, "/", NULL, &err));
	ck_assert_uint_eq(err.code, MG_ERROR_DATA_CODE_CONNECT_FAILED);
	ck_assert_uint_eq(err.code_sub, ECONNREFUSED);
	ck_assert_str_ne(text, "");
	ck_assert_ptr_null(mg_connect_client2("no-such-host.invalid", "http",
	                                      80, "/", NULL, &err));
	ck_assert_uint_eq(err.code, MG_ERROR_DATA_CODE_HOST_NOT_FOUND);
	/* a NULL error structure is allowed */
	ck_assert_ptr_null(
	    mg_connect_client2("127.0.0.1", "http", p, "/", NULL, NULL));
	ck_assert_int_lt(mg_get_response2(NULL, &err, 10), 0);
	ck_assert_uint_eq(err.code, MG_ERROR_DATA_CODE_INVALID_PARAM);
	close(fd);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_client");
	TCase *own = tcase_create("own_server");
	TCase *raw = tcase_create("raw_server");
	TCase *conn = tcase_create("connect");

	tcase_add_checked_fixture(own, setup, teardown);
	tcase_set_timeout(own, 30);
	tcase_add_test(own, get_response_returns_1_and_fills_response_info);
	tcase_add_test(own, response_info_is_null_before_any_response);
	tcase_add_test(own, request_info_is_null_on_client_connection);
	tcase_add_test(own, chunked_response_is_decoded_by_mg_read);
	tcase_add_test(own, unframed_response_is_read_until_server_closes);
	tcase_add_test(own, large_content_length_body_arrives_intact);
	tcase_add_test(own, large_chunked_body_arrives_intact);
	tcase_add_test(own, mg_read_fills_the_whole_buffer_when_body_allows);
	tcase_add_test(own, keep_alive_connection_carries_several_exchanges);
	tcase_add_test(own, unread_body_is_skipped_before_next_response);
	tcase_add_test(own, download_returns_connection_ready_for_mg_read);
	tcase_add_test(own, download_of_missing_page_returns_the_404);
	tcase_add_test(own, download_with_long_request_is_sent_whole);
	tcase_add_test(own, localhost_name_is_resolved);
	tcase_add_test(own, bracketed_ipv6_literal_connects);
	tcase_add_test(own, connect_client2_and_get_response2_speak_http);
	suite_add_tcase(s, own);

	tcase_set_timeout(raw, 30);
	tcase_add_test(raw, response_head_fields_are_exposed);
	tcase_add_test(raw, head_split_over_many_writes_is_assembled);
	tcase_add_test(raw, malformed_status_line_fails_with_message);
	tcase_add_test(raw, oversized_response_head_fails_with_message);
	tcase_add_test(raw, silent_server_times_out_within_the_timeout);
	tcase_add_test(raw, trickling_server_does_not_stretch_the_timeout);
	tcase_add_test(raw, negative_timeout_waits_for_a_late_response);
	tcase_add_test(raw, server_closing_without_answer_fails_with_message);
	tcase_add_test(raw, server_closing_inside_head_fails_with_message);
	tcase_add_test(raw, server_closing_mid_body_makes_mg_read_fail);
	tcase_add_test(raw, server_closing_mid_chunk_makes_mg_read_fail);
	tcase_add_test(raw, malformed_chunk_makes_mg_read_fail);
	tcase_add_test(raw, bodiless_statuses_end_with_their_head);
	tcase_add_test(raw, interim_response_comes_before_the_final_one);
	tcase_add_test(raw, ambiguous_framing_is_refused);
	tcase_add_test(raw, failed_response_leaves_no_stale_headers);
	tcase_add_test(raw, download_of_bad_response_fails_with_message);
	suite_add_tcase(s, raw);

	tcase_set_timeout(conn, 30);
	tcase_add_test(conn, connect_to_closed_port_fails_with_message);
	tcase_add_test(conn, unresolvable_host_fails_with_message);
	tcase_add_test(conn, use_ssl_to_plain_server_fails_cleanly_with_reason);
	tcase_add_test(conn, invalid_arguments_fail_with_message);
	tcase_add_test(conn, connect_client2_reports_error_codes);
	suite_add_tcase(s, conn);
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
