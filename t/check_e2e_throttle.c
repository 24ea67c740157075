/* check_e2e_throttle.c - the `throttle` option over real sockets: a bad
 * value refuses to start (mg_start2 and civetd -t); a document-root file
 * and a handler's mg_write output arrive at the configured rate; the rule
 * is chosen per request by the client's subnet and the URI, the last
 * match winning, for a handler's mg_send_file too; a keep-alive
 * connection goes on after a throttled file; and a throttled download
 * waits for its allowance parked, so another client is served meanwhile
 * by the only request thread.
 *
 * The rate tests are the one timing assertion the feature asks for: over
 * about 3 s the rate must be within 20 % of the configured one. The rule
 * tests tell a throttled response from a free one by how much of it
 * arrives in half a second: at 1 KiB/s under 2 KiB, free all of 64 KiB. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "civetweb.h"
#include "testlib.h"
#include "tlstest.h"

extern char **environ;

#define RATE      65536         /* bytes per second of the rate tests */
#define RATE_SIZE (3 * RATE)    /* about 3 s of it */
#define FREE_SIZE (64 * 1024)   /* the rule tests' file */
#define BIG_SIZE  (1024 * 1024) /* 16 s at RATE */

static char *root;
static struct mg_context *ctx;
static int port;

static void make_root(void)
{
	char *data = malloc(BIG_SIZE), dir[600];

	ck_assert_ptr_nonnull(data);
	for (size_t i = 0; i < BIG_SIZE; i++)
		data[i] = (char)('a' + i % 26);
	root = tl_mkdtemp();
	snprintf(dir, sizeof dir, "%s/slow", root);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	tl_write_file(root, "rate.bin", data, RATE_SIZE);
	tl_write_file(root, "free.bin", data, FREE_SIZE);
	tl_write_file(root, "free.txt", data, FREE_SIZE);
	tl_write_file(root, "slow/free.bin", data, FREE_SIZE);
	tl_write_file(root, "slow/free.txt", data, FREE_SIZE);
	tl_write_file(root, "slow/big.bin", data, BIG_SIZE);
	free(data);
}

static void remove_root(void)
{
	tl_rmdir(root);
	free(root);
	root = NULL;
}

static int hello(struct mg_connection *c, void *cbdata)
{
	(void)cbdata;
	mg_send_http_ok(c, "text/plain", 6);
	mg_write(c, "hello\n", 6);
	return 200;
}

/* RATE_SIZE bytes in 16 KiB mg_write calls, after a head of its own. */
static int stream(struct mg_connection *c, void *cbdata)
{
	static char block[16384];

	(void)cbdata;
	memset(block, 'z', sizeof block);
	mg_printf(c,
	          "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream"
	          "\r\nContent-Length: %d\r\n\r\n",
	          RATE_SIZE);
	for (int left = RATE_SIZE; left > 0; left -= (int)sizeof block)
		if (mg_write(c, block, sizeof block) != (int)sizeof block)
			return 500;
	return 200;
}

/* The 64 KiB file through mg_send_file: the connection writes it. */
static int send_file(struct mg_connection *c, void *cbdata)
{
	char path[600];

	(void)cbdata;
	snprintf(path, sizeof path, "%s/free.bin", root);
	mg_send_file(c, path);
	return 200;
}

/* A server on the temporary root with these throttle rules and options. */
static void start(const char *throttle, const char **more)
{
	const char *opts[32];
	int n = 0;

	opts[n++] = "document_root";
	opts[n++] = root;
	opts[n++] = "enable_keep_alive";
	opts[n++] = "yes";
	opts[n++] = "throttle";
	opts[n++] = throttle;
	for (int i = 0; more != NULL && more[i] != NULL && n < 30; i++)
		opts[n++] = more[i];
	opts[n] = NULL;
	ctx = tl_start(NULL, NULL, opts, &port);
	mg_set_request_handler(ctx, "/hello", hello, NULL);
	mg_set_request_handler(ctx, "/stream", stream, NULL);
	mg_set_request_handler(ctx, "/sendfile", send_file, NULL);
}

static void stop(void)
{
	mg_stop(ctx);
	ctx = NULL;
}

/* Bytes that arrive on fd within ms (or until it closes). */
static size_t bytes_within(int fd, int ms)
{
	long long end = tl_now_ms() + ms;
	char buf[65536];
	size_t total = 0;

	for (;;) {
		long long left = end - tl_now_ms();
		struct pollfd p = {fd, POLLIN, 0};
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return total;
		n = recv(fd, buf, sizeof buf, 0);
		if (n <= 0)
			return total;
		total += (size_t)n;
	}
}

/* GET path on a new connection; the bytes that came in half a second. */
static size_t first_half_second(const char *path)
{
	int fd = tl_connect(port);
	char req[512];
	size_t n;

	snprintf(req, sizeof req,
	         "GET %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
	         path);
	ck_assert_int_eq(tl_send(fd, req), 0);
	n = bytes_within(fd, 500);
	close(fd);
	return n;
}

static void assert_throttled(const char *path)
{
	size_t n = first_half_second(path);

	ck_assert_msg(n < 2048, "%s: %zu bytes in 0.5 s, not throttled", path,
	              n);
}

static void assert_free(const char *path)
{
	size_t n = first_half_second(path);

	ck_assert_msg(n > FREE_SIZE, "%s: %zu bytes in 0.5 s, throttled", path,
	              n);
}

/* ---- refusals ------------------------------------------------------------ */

static char logged[512];

static int remember_log(const struct mg_connection *c, const char *msg)
{
	(void)c;
	if (logged[0] == '\0')
		snprintf(logged, sizeof logged, "%s", msg);
	return 1;
}

START_TEST(bad_throttle_refuses_to_start_with_the_reason)
{
	const char *opts[] = {"listening_ports", "127.0.0.1:0", "throttle",
	                      "*=1k,10.0.0.0/33=0", NULL};
	struct mg_callbacks cb;
	struct mg_init_data init;
	struct mg_error_data e;
	char text[256] = "";

	memset(&cb, 0, sizeof cb);
	cb.log_message = remember_log;
	memset(&init, 0, sizeof init);
	init.callbacks = &cb;
	init.configuration_options = opts;
	memset(&e, 0, sizeof e);
	e.text = text;
	e.text_buffer_size = sizeof text;
	logged[0] = '\0';
	ck_assert_ptr_null(mg_start2(&init, &e));
	ck_assert_uint_eq(e.code, MG_ERROR_DATA_CODE_INVALID_OPTION);
	ck_assert_msg(strncmp(logged, "Invalid option value: throttle", 30) ==
	                  0,
	              "logged: %s", logged);
	ck_assert_msg(strstr(text, "'10.0.0.0/33=0' is not a valid subnet"),
	              "text: %s", text);
}
END_TEST

/* civetd -t on a configuration: its exit status, its words in out. */
static int check_mode(const char *conf, char *out, size_t len)
{
	const char *bin = getenv("CIVETD_BIN");
	const char *argv[] = {bin, "-t", "-c", conf, NULL};
	ck_assert_msg(bin != NULL, "CIVETD_BIN is not set (make check)");
	return tl_run(argv, out, len);
}

START_TEST(civetd_check_mode_refuses_a_bad_throttle)
{
	char *dir = tl_mkdtemp(), conf[600], out[2048];
	FILE *f;

	snprintf(conf, sizeof conf, "%s/civetd.conf", dir);
	f = fopen(conf, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "listening_ports 127.0.0.1:1\nthrottle *=1k,/big/=2q\n");
	fclose(f);
	ck_assert_int_eq(check_mode(conf, out, sizeof out), 1);
	ck_assert_msg(strstr(out, "throttle") && strstr(out, "/big/=2q"), "%s",
	              out);
	f = fopen(conf, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "listening_ports 127.0.0.1:1\n"
	           "throttle *=1k,10.0.0.0/8=0,/big/=2.5m\n");
	fclose(f);
	ck_assert_msg(check_mode(conf, out, sizeof out) == 0, "%s", out);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

/* ---- the rate ----------------------------------------------------------- */

/* GET path in full; the rate it came at (bytes per second). */
static double measured_rate(const char *path)
{
	struct tl_resp r;
	long long t0 = tl_now_ms(), ms;

	ck_assert_int_eq(tl_ask(port, "GET", path, NULL, &r), 200);
	ms = tl_now_ms() - t0;
	ck_assert_uint_eq(r.body_len, RATE_SIZE);
	tl_resp_free(&r);
	return (double)RATE_SIZE * 1000.0 / (double)(ms > 0 ? ms : 1);
}

START_TEST(static_file_arrives_at_the_rate)
{
	double rate;

	start("*=64k", NULL);
	rate = measured_rate("/rate.bin");
	stop();
	ck_assert_msg(rate >= RATE * 0.8 && rate <= RATE * 1.2,
	              "%.0f bytes/s for a throttle of %d", rate, RATE);
}
END_TEST

START_TEST(handler_output_arrives_at_the_rate)
{
	double rate;

	start("*=64k", NULL);
	rate = measured_rate("/stream");
	stop();
	ck_assert_msg(rate >= RATE * 0.8 && rate <= RATE * 1.2,
	              "%.0f bytes/s for a throttle of %d", rate, RATE);
}
END_TEST

/* ---- which rule ---------------------------------------------------------- */

START_TEST(subnet_rule_last_match_wins)
{
	/* the manual's example: everyone limited, one subnet free */
	start("*=1k,127.0.0.0/8=0", NULL);
	assert_free("/free.bin");
	stop();
	start("127.0.0.0/8=0,*=1k", NULL);
	assert_throttled("/free.bin");
	stop();
	start("*=1k,10.0.0.0/8=0", NULL);
	assert_throttled("/free.bin");
	stop();
	start("*=0,127.0.0.1/32=1k", NULL);
	assert_throttled("/free.bin");
	stop();
}
END_TEST

START_TEST(uri_rule_last_match_wins)
{
	start("/slow/=1k,**.bin$=0", NULL);
	assert_free("/free.txt");
	assert_free("/slow/free.bin");
	assert_throttled("/slow/free.txt");
	stop();
	start("**.bin$=0,/slow/=1k", NULL);
	assert_throttled("/slow/free.bin");
	assert_free("/free.bin");
	stop();
	/* the handler's output too */
	start("*=0,/stream=1k", NULL);
	assert_throttled("/stream");
	assert_free("/free.bin");
	stop();
}
END_TEST

/* The rule is chosen for every request, not once per connection. */
START_TEST(rule_is_chosen_per_request_on_one_connection)
{
	struct tl_resp r;
	int fd;

	start("/slow/=1k", NULL);
	fd = tl_connect(port);
	ck_assert_int_eq(
	    tl_send(fd, "GET /free.bin HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	ck_assert_uint_eq(r.body_len, FREE_SIZE);
	ck_assert(!r.closed);
	tl_resp_free(&r);
	ck_assert_int_eq(
	    tl_send(fd, "GET /slow/free.bin HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
	ck_assert_uint_lt(bytes_within(fd, 500), 2048);
	close(fd);
	stop();
}
END_TEST

START_TEST(handler_mg_send_file_is_throttled)
{
	start("/sendfile=1k", NULL);
	assert_throttled("/sendfile");
	stop();
	start("/other=1k", NULL);
	assert_free("/sendfile");
	stop();
}
END_TEST

/* A throttled file leaves the connection ready for the next request. */
START_TEST(keep_alive_goes_on_after_a_throttled_file)
{
	struct tl_resp r;
	int fd;

	start("*=128k", NULL);
	fd = tl_connect(port);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(
		    tl_send(fd, "GET /free.bin HTTP/1.1\r\nHost: t\r\n\r\n"),
		    0);
		ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
		ck_assert_uint_eq(r.body_len, FREE_SIZE);
		ck_assert(!r.closed);
		tl_resp_free(&r);
	}
	ck_assert_int_eq(tl_send(fd, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"),
	                 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	ck_assert_str_eq(r.body, "hello\n");
	tl_resp_free(&r);
	close(fd);
	stop();
}
END_TEST

/* Over TLS (which cannot send files: blocks are encrypted from a buffer,
 * and a write that must wait is retried with the same bytes) a throttled
 * file and a throttled handler's output arrive whole and intact. */
START_TEST(throttled_responses_over_tls_arrive_intact)
{
	static const char *const paths[] = {"/free.bin", "/stream"};
	char *certs = tl_mkdtemp(), *got = malloc(RATE_SIZE + 4096);
	const char *opts[] = {"listening_ports",
	                      "127.0.0.1:0s",
	                      "ssl_certificate",
	                      NULL,
	                      "document_root",
	                      root,
	                      "throttle",
	                      "*=256k",
	                      NULL};
	struct mg_server_port ports[2];
	SSL_CTX *cctx;

	tt_make_certs(certs);
	opts[3] = tt_path(certs, "server.pem");
	ctx = mg_start(NULL, NULL, opts);
	ck_assert_ptr_nonnull(ctx);
	mg_set_request_handler(ctx, "/stream", stream, NULL);
	ck_assert_int_ge(mg_get_server_ports(ctx, 2, ports), 1);
	cctx = tt_client_ctx(NULL, NULL);
	for (int i = 0; i < 2; i++) {
		size_t size = i == 0 ? FREE_SIZE : RATE_SIZE, n;
		char req[256];
		const char *body;
		int fd;
		SSL *ssl = tt_connect(cctx, ports[0].port, &fd);

		ck_assert_ptr_nonnull(ssl);
		snprintf(req, sizeof req,
		         "GET %s HTTP/1.1\r\nHost: t\r\n"
		         "Connection: close\r\n\r\n",
		         paths[i]);
		ck_assert_int_eq(tt_send(ssl, req), 0);
		n = tt_read_all(ssl, got, RATE_SIZE + 4096, NULL);
		tt_close(ssl, fd);
		body = strstr(got, "\r\n\r\n");
		ck_assert_ptr_nonnull(body);
		body += 4;
		ck_assert_uint_eq(n - (size_t)(body - got), size);
		for (size_t k = 0; k < size; k++)
			ck_assert_int_eq(body[k],
			                 i == 0 ? (char)('a' + k % 26) : 'z');
	}
	SSL_CTX_free(cctx);
	stop();
	tl_rmdir(certs);
	free(certs);
	free(got);
}
END_TEST

/* ---- no thread held ------------------------------------------------------ */

START_TEST(throttled_download_holds_no_thread)
{
	const char *one[] = {"num_threads", "1", NULL};
	char buf[4096];
	struct tl_resp r;
	size_t got;
	int fd;

	start("/slow/=64k", one);
	fd = tl_connect(port);
	ck_assert_int_eq(tl_send(fd, "GET /slow/big.bin HTTP/1.1\r\nHost: t\r\n"
	                             "Connection: close\r\n\r\n"),
	                 0);
	ck_assert_int_gt(recv(fd, buf, sizeof buf, 0), 0); /* it runs */
	/* 16 s of download to go; the one request thread answers another
	 * client meanwhile (the socket would time out after 10 s) */
	ck_assert_int_eq(tl_get(port, "/hello", &r), 200);
	ck_assert_str_eq(r.body, "hello\n");
	tl_resp_free(&r);
	ck_assert_int_eq(tl_get(port, "/free.bin", &r), 200);
	ck_assert_uint_eq(r.body_len, FREE_SIZE);
	tl_resp_free(&r);
	got = bytes_within(fd, 100);
	ck_assert_msg(got < BIG_SIZE / 2, "the download is over (%zu)", got);
	close(fd);
	stop();
}
END_TEST

static Suite *throttle_suite(void)
{
	Suite *s = suite_create("e2e_throttle");
	TCase *refuse = tcase_create("refuse");
	TCase *rate = tcase_create("rate");
	TCase *rules = tcase_create("rules");
	TCase *threads = tcase_create("threads");

	tcase_add_unchecked_fixture(rate, make_root, remove_root);
	tcase_add_unchecked_fixture(rules, make_root, remove_root);
	tcase_add_unchecked_fixture(threads, make_root, remove_root);
	tcase_set_timeout(rate, 30);
	tcase_set_timeout(rules, 30);
	tcase_set_timeout(threads, 30);
	tl_cleanup_fixture(refuse);
	tl_cleanup_fixture(rate);
	tl_cleanup_fixture(threads);

	tcase_add_test(refuse, bad_throttle_refuses_to_start_with_the_reason);
	tcase_add_test(refuse, civetd_check_mode_refuses_a_bad_throttle);
	suite_add_tcase(s, refuse);
	tcase_add_test(rate, static_file_arrives_at_the_rate);
	tcase_add_test(rate, handler_output_arrives_at_the_rate);
	suite_add_tcase(s, rate);
	tcase_add_test(rules, subnet_rule_last_match_wins);
	tcase_add_test(rules, uri_rule_last_match_wins);
	tcase_add_test(rules, rule_is_chosen_per_request_on_one_connection);
	tcase_add_test(rules, handler_mg_send_file_is_throttled);
	tcase_add_test(rules, keep_alive_goes_on_after_a_throttled_file);
	suite_add_tcase(s, rules);
	tcase_add_test(threads, throttled_download_holds_no_thread);
	tcase_add_test(threads, throttled_responses_over_tls_arrive_intact);
	suite_add_tcase(s, threads);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(throttle_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
