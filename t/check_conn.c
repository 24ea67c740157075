/* check_conn.c - the connection layer under the HTTP engine: a protocol
 * other than HTTP/1 taking over a connection after a request (as
 * WebSocket will), parking in it, and output posted to a parked
 * connection from a thread that does not own it (as mg_websocket_write
 * from an application thread will). Runs a real server and talks to it
 * over sockets; links the library's internals. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civetweb.h"
#include "net/conn.h"
#include "testlib.h"
#include "util/clock.h"

static struct mg_connection *_Atomic grabbed;

/* ---- an echo protocol ---------------------------------------------------- */

static _Atomic int echo_runs;

/* Echo every byte back, upper-cased, until the client closes. */
static void echo_run(struct mg_connection *c, struct cw_thread *t)
{
	char buf[256];

	(void)t;
	atomic_fetch_add(&echo_runs, 1);
	for (;;) {
		ssize_t n = cw_conn_take(c, buf, sizeof buf);

		if (n > 0) {
			struct iovec iov = {buf, (size_t)n};

			for (ssize_t i = 0; i < n; i++)
				if (buf[i] >= 'a' && buf[i] <= 'z')
					buf[i] = (char)(buf[i] - 32);
			if (cw_conn_writev(c, &iov, 1) != n)
				break;
			continue;
		}
		if (n == CW_IO_WANT_READ && c->xprt->has_buffered_input(c))
			continue;
		if (n == CW_IO_WANT_READ) {
			int r =
			    cw_conn_park(c, CW_WANT_READ, cw_now_ms() + 5000);

			if (r == 0)
				return;
			if (r == 1)
				continue;
		}
		break;
	}
	cw_conn_close(c);
}

static const struct cw_protocol echo_protocol = {
    .name = "echo",
    .run = echo_run,
    .expire = cw_conn_close,
    .drain = NULL,
    .release = NULL,
};

/* ---- handlers ----------------------------------------------------------- */

static int grab(struct mg_connection *c, void *cb)
{
	(void)cb;
	atomic_store(&grabbed, c);
	mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
	return 200;
}

/* Answers 101, then the connection belongs to the echo protocol. */
static int upgrade(struct mg_connection *c, void *cb)
{
	(void)cb;
	atomic_store(&grabbed, c);
	mg_printf(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\n"
	             "Connection: Upgrade\r\n\r\n");
	cw_conn_switch(c, &echo_protocol);
	return 101;
}

static struct mg_context *start(int *port)
{
	const char *opts[] = {"enable_keep_alive",
	                      "yes",
	                      "keep_alive_timeout_ms",
	                      "10000",
	                      "num_threads",
	                      "2",
	                      NULL};
	struct mg_context *ctx = tl_start(NULL, NULL, opts, port);

	mg_set_request_handler(ctx, "/grab", grab, NULL);
	mg_set_request_handler(ctx, "/upgrade", upgrade, NULL);
	atomic_store(&grabbed, NULL);
	atomic_store(&echo_runs, 0);
	return ctx;
}

/* Read exactly n bytes within ms, or fail the test. */
static void expect_bytes(int fd, const char *want, int ms)
{
	size_t n = strlen(want), got = 0;
	char buf[256];
	long long end = tl_now_ms() + ms;

	ck_assert_uint_lt(n, sizeof buf);
	while (got < n && tl_now_ms() < end) {
		ssize_t r = read(fd, buf + got, n - got);

		if (r <= 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	ck_assert_msg(got == n && memcmp(buf, want, n) == 0,
	              "expected '%s', got '%s'", want, buf);
}

/* Read a 101 head (which has no body to frame) up to its blank line. */
static void expect_101(int fd)
{
	char head[1024];
	size_t n = 0;

	while (n < sizeof head - 1 &&
	       (n < 4 || memcmp(head + n - 4, "\r\n\r\n", 4) != 0)) {
		if (read(fd, head + n, 1) != 1)
			break;
		n++;
	}
	head[n] = '\0';
	ck_assert_msg(strncmp(head, "HTTP/1.1 101 ", 13) == 0 && n >= 4 &&
	                  memcmp(head + n - 4, "\r\n\r\n", 4) == 0,
	              "not a 101 head: '%s'", head);
}

static void *post_from_thread(void *arg)
{
	const char *text = arg;

	return (void *)(intptr_t)cw_conn_post(atomic_load(&grabbed), text,
	                                      strlen(text), 1 << 20);
}

/* cw_conn_post from a thread the library does not know. */
static int post_from_another_thread(const char *text)
{
	pthread_t tid;
	void *r;

	ck_assert_int_eq(
	    pthread_create(&tid, NULL, post_from_thread, (void *)text), 0);
	pthread_join(tid, &r);
	return (int)(intptr_t)r;
}

/* ---- tests -------------------------------------------------------------- */

START_TEST(output_posted_to_a_parked_keep_alive_connection_is_sent)
{
	int port, fd;
	struct mg_context *ctx = start(&port);
	struct tl_resp r;

	fd = tl_connect(port);
	ck_assert_int_eq(tl_send(fd, "GET /grab HTTP/1.1\r\nHost: x\r\n\r\n"),
	                 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	tl_resp_free(&r);
	/* the connection is parked in HTTP/1 now, owned by no thread */
	ck_assert_int_eq(post_from_another_thread("posted one\n"), 0);
	expect_bytes(fd, "posted one\n", 3000);
	ck_assert_int_eq(post_from_another_thread("posted two\n"), 0);
	expect_bytes(fd, "posted two\n", 3000);
	/* and it still serves requests */
	ck_assert_int_eq(tl_send(fd, "GET /grab HTTP/1.1\r\nHost: x\r\n\r\n"),
	                 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	tl_resp_free(&r);
	close(fd);
	mg_stop(ctx);
}
END_TEST

START_TEST(posting_more_than_the_limit_is_refused)
{
	int port, fd;
	struct mg_context *ctx = start(&port);
	struct tl_resp r;
	char big[4096];

	fd = tl_connect(port);
	ck_assert_int_eq(tl_send(fd, "GET /grab HTTP/1.1\r\nHost: x\r\n\r\n"),
	                 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	tl_resp_free(&r);
	memset(big, 'x', sizeof big);
	ck_assert_int_eq(cw_conn_post(atomic_load(&grabbed), big, sizeof big,
	                              sizeof big - 1),
	                 -1);
	close(fd);
	mg_stop(ctx);
}
END_TEST

START_TEST(a_protocol_switched_to_after_a_request_runs_the_connection)
{
	int port, fd;
	struct mg_context *ctx = start(&port);

	fd = tl_connect(port);
	ck_assert_int_eq(
	    tl_send(fd, "GET /upgrade HTTP/1.1\r\nHost: x\r\n\r\nearly"), 0);
	expect_101(fd);
	/* input pipelined behind the request belongs to the new protocol */
	expect_bytes(fd, "EARLY", 3000);
	/* the connection parks in the echo protocol between messages */
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(tl_send(fd, "ping"), 0);
		expect_bytes(fd, "PING", 3000);
	}
	ck_assert_int_ge(atomic_load(&echo_runs), 1);
	close(fd);
	mg_stop(ctx);
}
END_TEST

START_TEST(output_posted_to_a_connection_parked_in_another_protocol_is_sent)
{
	int port, fd;
	struct mg_context *ctx = start(&port);

	fd = tl_connect(port);
	ck_assert_int_eq(
	    tl_send(fd, "GET /upgrade HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
	expect_101(fd);
	ck_assert_int_eq(post_from_another_thread("pushed"), 0);
	expect_bytes(fd, "pushed", 3000);
	/* the protocol goes on as before */
	ck_assert_int_eq(tl_send(fd, "abc"), 0);
	expect_bytes(fd, "ABC", 3000);
	close(fd);
	mg_stop(ctx);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("conn");
	TCase *tc = tcase_create("conn");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc,
	               output_posted_to_a_parked_keep_alive_connection_is_sent);
	tcase_add_test(tc, posting_more_than_the_limit_is_refused);
	tcase_add_test(
	    tc, a_protocol_switched_to_after_a_request_runs_the_connection);
	tcase_add_test(
	    tc,
	    output_posted_to_a_connection_parked_in_another_protocol_is_sent);
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
