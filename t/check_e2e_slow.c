/* check_e2e_slow.c - slow and stalled clients cannot take the server:
 * small bodies arrive before the handler runs (no thread waits for them),
 * handlers' reads and writes fail below the minimum data rates, a
 * keep-alive connection whose next request waits is answered after a
 * stall of the server, and the framing details of a strict HTTP/1.1
 * reader. Real servers, real sockets. */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "civetweb.h"
#include "testlib.h"

static _Atomic int handler_calls;

/* Reads the whole body; answers its length and the Content-Length and
 * X-Tag header it saw (which must survive the body's arrival). */
static int body(struct mg_connection *c, void *cb)
{
	const struct mg_request_info *ri = mg_get_request_info(c);
	const char *tag = mg_get_header(c, "X-Tag");
	char buf[4096];
	long long total = 0;
	int n;

	(void)cb;
	atomic_fetch_add(&handler_calls, 1);
	while ((n = mg_read(c, buf, sizeof buf)) > 0)
		total += n;
	mg_printf(c,
	          "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Got: %lld\r\n"
	          "X-Last: %d\r\nX-Uri: %s\r\nX-Tag: %s\r\n\r\n",
	          total, n, ri->local_uri, tag ? tag : "-");
	return 200;
}

static int hello(struct mg_connection *c, void *cb)
{
	(void)cb;
	mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
	return 200;
}

/* Writes 64 MiB, or less when a write fails; says how it ended in the
 * error log through mg_cry (read back with log_message). */
static _Atomic long long big_written;
static _Atomic int big_failed;

static int big(struct mg_connection *c, void *cb)
{
	static char block[65536];
	long long total = 0;

	(void)cb;
	mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Length: %lld\r\n\r\n",
	          64LL << 20);
	while (total < (64LL << 20)) {
		if (mg_write(c, block, sizeof block) <= 0) {
			atomic_store(&big_failed, 1);
			break;
		}
		total += (long long)sizeof block;
	}
	atomic_store(&big_written, total);
	return 200;
}

/* mg_send_file() of the path given as the handler's data. */
static int send_file(struct mg_connection *c, void *path)
{
	mg_send_file(c, path);
	return 200;
}

static struct mg_context *start(const char **extra, int *port)
{
	const char *opts[32] = {
	    "enable_keep_alive",  "yes",  "num_threads",           "1",
	    "request_timeout_ms", "3000", "keep_alive_timeout_ms", "300"};
	int n = 8;
	struct mg_context *ctx;

	for (int i = 0; extra != NULL && extra[i] != NULL && n < 30; i++)
		opts[n++] = extra[i];
	opts[n] = NULL;
	ctx = tl_start(NULL, NULL, opts, port);
	mg_set_request_handler(ctx, "/body", body, NULL);
	mg_set_request_handler(ctx, "/hello", hello, NULL);
	mg_set_request_handler(ctx, "/big", big, NULL);
	atomic_store(&handler_calls, 0);
	atomic_store(&big_written, 0);
	atomic_store(&big_failed, 0);
	return ctx;
}

/* A GET /hello on a new connection answers within ms. */
static void assert_answers_within(int port, int ms)
{
	struct tl_resp r;
	long long t0 = tl_now_ms();

	ck_assert_int_eq(tl_get(port, "/hello", &r), 200);
	tl_resp_free(&r);
	ck_assert_int_lt(tl_now_ms() - t0, ms);
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* ---- bodies arrive before the handler runs ------------------------------ */

START_TEST(trickled_small_body_holds_no_thread)
{
	int port, fd;
	struct mg_context *ctx = start(NULL, &port);
	struct tl_resp r;

	fd = tl_connect(port);
	ck_assert_int_eq(tl_send(fd,
	                         "POST /body HTTP/1.1\r\nHost: x\r\n"
	                         "X-Tag: kept\r\nContent-Length: 10\r\n\r\n"),
	                 0);
	/* one byte every 150 ms: with one request thread, others are still
	 * answered at once, and the handler has not run yet */
	for (int i = 0; i < 10; i++) {
		ck_assert_int_eq(tl_send_n(fd, &"0123456789"[i], 1), 0);
		if (i % 3 == 0)
			assert_answers_within(port, 500);
		if (i < 9)
			ck_assert_int_eq(atomic_load(&handler_calls), 0);
		sleep_ms(150);
	}
	ck_assert_int_eq(tl_read_response(fd, "POST", &r), 200);
	ck_assert_str_eq(tl_header(&r, "X-Got"), "10");
	ck_assert_str_eq(tl_header(&r, "X-Tag"), "kept");
	ck_assert_str_eq(tl_header(&r, "X-Uri"), "/body");
	ck_assert_int_eq(atomic_load(&handler_calls), 1);
	tl_resp_free(&r);
	close(fd);
	mg_stop(ctx);
}
END_TEST

START_TEST(trickled_small_chunked_body_holds_no_thread)
{
	int port, fd;
	struct mg_context *ctx = start(NULL, &port);
	const char *chunks = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
	struct tl_resp r;

	fd = tl_connect(port);
	ck_assert_int_eq(tl_send(fd, "POST /body HTTP/1.1\r\nHost: x\r\n"
	                             "Transfer-Encoding: chunked\r\n\r\n"),
	                 0);
	for (size_t i = 0; i < strlen(chunks); i++) {
		ck_assert_int_eq(tl_send_n(fd, chunks + i, 1), 0);
		if (i % 8 == 0)
			assert_answers_within(port, 500);
		sleep_ms(20);
	}
	ck_assert_int_eq(tl_read_response(fd, "POST", &r), 200);
	ck_assert_str_eq(tl_header(&r, "X-Got"), "11");
	tl_resp_free(&r);
	close(fd);
	mg_stop(ctx);
}
END_TEST

START_TEST(body_that_grows_the_input_buffer_keeps_request_info)
{
	int port, fd;
	struct mg_context *ctx = start(NULL, &port);
	static char part[60000];
	struct tl_resp r;

	memset(part, 'b', sizeof part);
	fd = tl_connect(port);
	ck_assert_int_eq(tl_send(fd, "POST /body/x HTTP/1.1\r\nHost: x\r\n"
	                             "X-Tag: still-here\r\n"
	                             "Content-Length: 60000\r\n\r\n"),
	                 0);
	ck_assert_int_eq(tl_send_n(fd, part, 20000), 0);
	sleep_ms(100);
	ck_assert_int_eq(tl_send_n(fd, part, 40000), 0);
	ck_assert_int_eq(tl_read_response(fd, "POST", &r), 200);
	ck_assert_str_eq(tl_header(&r, "X-Got"), "60000");
	ck_assert_str_eq(tl_header(&r, "X-Tag"), "still-here");
	ck_assert_str_eq(tl_header(&r, "X-Uri"), "/body/x");
	tl_resp_free(&r);
	close(fd);
	mg_stop(ctx);
}
END_TEST

START_TEST(expect_continue_body_is_not_waited_for)
{
	int port, fd;
	struct mg_context *ctx = start(NULL, &port);
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
	struct tl_resp r;
	char line[64];
	size_t n;

	fd = tl_connect(port);
	ck_assert_int_eq(tl_send(fd, "POST /body HTTP/1.1\r\nHost: x\r\n"
	                             "Expect: 100-continue\r\n"
	                             "Content-Length: 4\r\n\r\n"),
	                 0);
	/* the handler runs at once and its read asks for the body */
	n = tl_read_all(fd, line, sizeof cont - 1, 2000);
	line[n] = '\0';
	ck_assert_str_eq(line, cont);
	ck_assert_int_eq(atomic_load(&handler_calls), 1);
	ck_assert_int_eq(tl_send(fd, "abcd"), 0);
	ck_assert_int_eq(tl_read_response(fd, "POST", &r), 200);
	ck_assert_str_eq(tl_header(&r, "X-Got"), "4");
	tl_resp_free(&r);
	close(fd);
	mg_stop(ctx);
}
END_TEST

/* ---- minimum data rates ------------------------------------------------- */

START_TEST(read_below_min_receive_rate_fails_and_is_counted)
{
	const char *opts[] = {"min_receive_rate", "4000", "body_buffer_size",
	                      "0", NULL};
	int port, fd;
	struct mg_context *ctx = start(opts, &port);
	struct tl_resp r;
	char info[4096];
	long long t0;

	fd = tl_connect(port);
	ck_assert_int_eq(tl_send(fd, "POST /body HTTP/1.1\r\nHost: x\r\n"
	                             "Content-Length: 100000\r\n\r\n"),
	                 0);
	/* 50 bytes every 100 ms (500 bytes/s, under 4000): each wait is
	 * short, but the whole read may take 3 s plus 1 s per 4000 bytes */
	t0 = tl_now_ms();
	for (int i = 0; i < 80; i++) {
		struct pollfd p = {fd, POLLIN, 0};

		if (tl_send(
		        fd,
		        "01234567890123456789012345678901234567890123456789") !=
		        0 ||
		    poll(&p, 1, 100) > 0)
			break;
	}
	ck_assert_int_eq(tl_read_response(fd, "POST", &r), 200);
	ck_assert_str_eq(tl_header(&r, "X-Last"), "-1");
	ck_assert_int_eq(r.closed, 1);
	tl_resp_free(&r);
	ck_assert_int_lt(tl_now_ms() - t0, 6500);
	close(fd);
	mg_get_context_info(ctx, info, sizeof info);
	ck_assert_msg(strstr(info, "\"tooSlow\" : 1") != NULL, "%s", info);
	mg_stop(ctx);
}
END_TEST

START_TEST(write_to_a_client_that_does_not_read_fails_and_is_counted)
{
	const char *opts[] = {"min_send_rate", "100000", NULL};
	int port, fd, buf = 4096;
	struct mg_context *ctx = start(opts, &port);
	char info[4096];
	long long t0;

	fd = tl_connect(port);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
	ck_assert_int_eq(tl_send(fd, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n"),
	                 0);
	t0 = tl_now_ms();
	/* never read: the handler's writes must fail within about
	 * request_timeout_ms and the connection must close */
	while (!atomic_load(&big_failed) && tl_now_ms() - t0 < 10000)
		sleep_ms(50);
	ck_assert_int_eq(atomic_load(&big_failed), 1);
	ck_assert_int_lt(atomic_load(&big_written), 64LL << 20);
	ck_assert_int_lt(tl_now_ms() - t0, 8000);
	close(fd);
	assert_answers_within(port, 1000);
	mg_get_context_info(ctx, info, sizeof info);
	ck_assert_msg(strstr(info, "\"tooSlow\" : 1") != NULL, "%s", info);
	mg_stop(ctx);
}
END_TEST

START_TEST(slow_reader_of_a_large_file_holds_no_thread)
{
	/* the client reads nothing for a few seconds: within the stall
	 * limit, request_timeout_ms. The keep-alive wait starts when the
	 * last byte is in the socket buffers, which still hold megabytes
	 * for the client to read: give it time for that on a busy machine */
	const char *opts[] = {"document_root",
	                      NULL,
	                      "request_timeout_ms",
	                      "15000",
	                      "keep_alive_timeout_ms",
	                      "10000",
	                      NULL};
	/* more than the socket buffers of both ends hold (4 + 6 MiB) */
	size_t size = 16 << 20;
	char *data = malloc(size);
	int port, fd;
	char *dir = tl_mkdtemp();
	struct mg_context *ctx;
	struct tl_resp r;

	for (size_t i = 0; i < size; i++)
		data[i] = (char)('a' + i % 26);
	tl_write_file(dir, "large.bin", data, size);
	opts[1] = dir;
	ctx = start(opts, &port);
	/* one request thread; this client asks for 16 MiB and reads nothing
	 * for a while */
	fd = tl_connect(port);
	ck_assert_int_eq(
	    tl_send(fd, "GET /large.bin HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
	sleep_ms(300);
	for (int i = 0; i < 5; i++)
		assert_answers_within(port, 500);
	/* then it reads it all, every byte in place */
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	ck_assert_uint_eq(r.body_len, size);
	ck_assert(memcmp(r.body, data, size) == 0);
	free(data);
	tl_resp_free(&r);
	/* and the connection carries the next request */
	ck_assert_int_eq(tl_send(fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"),
	                 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	tl_resp_free(&r);
	close(fd);
	mg_stop(ctx);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

static int count_threads(void)
{
	char line[256];
	int n = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return n;
}

/* Fifty clients ask for a 64 MiB file, from the document root and through
 * a handler's mg_send_file(), and read nothing: with two request threads
 * the server still answers at once, with no thread more than before, and
 * a reader that then reads gets every byte. */
START_TEST(fifty_slow_readers_of_a_64_mib_file_hold_no_thread)
{
	const char *opts[] = {"document_root",
	                      NULL,
	                      "num_threads",
	                      "2",
	                      "request_timeout_ms",
	                      "20000",
	                      "keep_alive_timeout_ms",
	                      "10000",
	                      NULL};
	size_t size = 64 << 20;
	char *data = malloc(size), path[1024];
	char *dir = tl_mkdtemp();
	int port, fds[50], threads;
	struct mg_context *ctx;
	struct tl_resp r;

	ck_assert_ptr_nonnull(data);
	for (size_t i = 0; i < size; i++)
		data[i] = (char)(i * 31 + (i >> 16));
	tl_write_file(dir, "large.bin", data, size);
	snprintf(path, sizeof path, "%s/large.bin", dir);
	opts[1] = dir;
	ctx = start(opts, &port);
	mg_set_request_handler(ctx, "/sent$", send_file, path);
	assert_answers_within(port, 1000);
	threads = count_threads();
	for (int i = 0; i < 50; i++) {
		fds[i] = tl_connect(port);
		ck_assert_int_eq(tl_send(fds[i], i % 2
		                                     ? "GET /sent HTTP/1.1\r\n"
		                                       "Host: x\r\n\r\n"
		                                     : "GET /large.bin HTTP/1.1"
		                                       "\r\nHost: x\r\n\r\n"),
		                 0);
	}
	sleep_ms(500);
	for (int i = 0; i < 5; i++)
		assert_answers_within(port, 500);
	ck_assert_int_eq(count_threads(), threads);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(tl_read_response(fds[i], "GET", &r), 200);
		ck_assert_uint_eq(r.body_len, size);
		ck_assert(memcmp(r.body, data, size) == 0);
		tl_resp_free(&r);
	}
	for (int i = 0; i < 50; i++)
		close(fds[i]);
	assert_answers_within(port, 1000);
	mg_stop(ctx);
	free(data);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

/* ---- a stalled server --------------------------------------------------- */

/* A server in a child process (so that it can be stopped): writes its
 * port to fd, then serves until killed. */
static void serve_in_child(int fd)
{
	int port;
	struct mg_context *ctx = start(NULL, &port);

	if (write(fd, &port, sizeof port) != sizeof port)
		_exit(1);
	for (;;)
		pause();
	mg_stop(ctx);
}

START_TEST(waiting_keep_alive_requests_survive_a_stall)
{
	int p[2], port = 0, fds[6];
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		serve_in_child(p[1]);
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &port, sizeof port), (ssize_t)sizeof port);
	for (int i = 0; i < 6; i++) {
		struct tl_resp r;

		fds[i] = tl_connect(port);
		ck_assert_int_eq(
		    tl_send(fds[i], "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"),
		    0);
		ck_assert_int_eq(tl_read_response(fds[i], "GET", &r), 200);
		tl_resp_free(&r);
	}
	/* stopped for longer than keep_alive_timeout_ms (300), while each
	 * connection's next request arrives */
	kill(pid, SIGSTOP);
	for (int i = 0; i < 6; i++)
		ck_assert_int_eq(
		    tl_send(fds[i], "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"),
		    0);
	sleep_ms(1000);
	kill(pid, SIGCONT);
	for (int i = 0; i < 6; i++) {
		struct tl_resp r;

		ck_assert_msg(tl_read_response(fds[i], "GET", &r) == 200,
		              "connection %d was not answered", i);
		tl_resp_free(&r);
		close(fds[i]);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
END_TEST

/* ---- framing details ---------------------------------------------------- */

START_TEST(empty_lines_between_keep_alive_requests_are_ignored)
{
	int port, fd;
	struct mg_context *ctx = start(NULL, &port);
	struct tl_resp r;

	fd = tl_connect(port);
	ck_assert_int_eq(tl_send(fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"),
	                 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	tl_resp_free(&r);
	/* a stray CRLF in a segment of its own, then the next request */
	ck_assert_int_eq(tl_send(fd, "\r\n"), 0);
	sleep_ms(50);
	ck_assert_int_eq(
	    tl_send(fd, "\r\n\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	ck_assert_int_eq(r.closed, 0);
	tl_resp_free(&r);
	close(fd);
	mg_stop(ctx);
}
END_TEST

/* A request of len bytes whose request line is line_len of them. */
static int oversized(int port, size_t line_len, size_t len)
{
	char *req = malloc(len + 16);
	struct tl_resp r;
	size_t n;
	int status;

	n = (size_t)sprintf(req, "GET /");
	memset(req + n, 'a', line_len - n - 11);
	n = line_len - 11;
	n += (size_t)sprintf(req + n, " HTTP/1.1\r\nHost: x\r\n");
	while (n + 12 < len) {
		size_t v = len - n - 12 < 1000 ? len - n - 12 : 1000;

		n += (size_t)sprintf(req + n, "X-Pad: ");
		memset(req + n, 'p', v);
		n += v;
		n += (size_t)sprintf(req + n, "\r\n");
	}
	memcpy(req + n, "\r\n", 3);
	status = tl_request(port, req, &r);
	tl_resp_free(&r);
	free(req);
	return status;
}

START_TEST(request_line_over_the_limit_is_414_and_head_over_it_431)
{
	int port;
	struct mg_context *ctx = start(NULL, &port);

	ck_assert_int_eq(oversized(port, 20000, 20010), 414);
	ck_assert_int_eq(oversized(port, 100, 20000), 431);
	ck_assert_int_eq(oversized(port, 100, 2000), 404);
	mg_stop(ctx);
}
END_TEST

START_TEST(obs_fold_in_transfer_encoding_is_400)
{
	int port;
	struct mg_context *ctx = start(NULL, &port);
	struct tl_resp r;

	ck_assert_int_eq(tl_request(port,
	                            "POST /body HTTP/1.1\r\nHost: x\r\n"
	                            "Transfer-Encoding:\r\n chunked\r\n\r\n"
	                            "0\r\n\r\n",
	                            &r),
	                 400);
	tl_resp_free(&r);
	ck_assert_int_eq(atomic_load(&handler_calls), 0);
	mg_stop(ctx);
}
END_TEST

START_TEST(chunk_over_max_body_size_is_413_at_its_size_line)
{
	const char *opts[] = {"max_body_size", "1000", NULL};
	int port, fd;
	struct mg_context *ctx = start(opts, &port);
	struct tl_resp r;
	long long t0;

	fd = tl_connect(port);
	/* only the size line: the 413 must not wait for 4 KiB of data */
	t0 = tl_now_ms();
	ck_assert_int_eq(tl_send(fd, "POST /body HTTP/1.1\r\nHost: x\r\n"
	                             "Transfer-Encoding: chunked\r\n\r\n"
	                             "1000\r\n"),
	                 0);
	ck_assert_int_eq(tl_read_response(fd, "POST", &r), 413);
	ck_assert_int_lt(tl_now_ms() - t0, 1500);
	ck_assert_int_eq(r.closed, 1);
	tl_resp_free(&r);
	ck_assert_int_eq(atomic_load(&handler_calls), 0);
	close(fd);
	mg_stop(ctx);
}
END_TEST

START_TEST(malformed_first_chunk_line_is_400_before_the_handler)
{
	int port;
	struct mg_context *ctx = start(NULL, &port);
	struct tl_resp r;

	/* a size that overflows, in the same segment as the head */
	ck_assert_int_eq(tl_request(port,
	                            "POST /body HTTP/1.1\r\nHost: x\r\n"
	                            "Transfer-Encoding: chunked\r\n\r\n"
	                            "fffffffffffffffffffff\r\nx\r\n0\r\n\r\n",
	                            &r),
	                 400);
	tl_resp_free(&r);
	ck_assert_int_eq(atomic_load(&handler_calls), 0);
	mg_stop(ctx);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_slow");
	TCase *body_tc = tcase_create("bodies");
	TCase *rate = tcase_create("rates");
	TCase *stall = tcase_create("stall");
	TCase *framing = tcase_create("framing");

	tcase_set_timeout(body_tc, 30);
	tcase_add_test(body_tc, trickled_small_body_holds_no_thread);
	tcase_add_test(body_tc, trickled_small_chunked_body_holds_no_thread);
	tcase_add_test(body_tc,
	               body_that_grows_the_input_buffer_keeps_request_info);
	tcase_add_test(body_tc, expect_continue_body_is_not_waited_for);
	suite_add_tcase(s, body_tc);
	tcase_set_timeout(rate, 30);
	tcase_add_test(rate, read_below_min_receive_rate_fails_and_is_counted);
	tcase_add_test(
	    rate, write_to_a_client_that_does_not_read_fails_and_is_counted);
	tcase_add_test(rate, slow_reader_of_a_large_file_holds_no_thread);
	tcase_add_test(rate,
	               fifty_slow_readers_of_a_64_mib_file_hold_no_thread);
	suite_add_tcase(s, rate);
	tcase_set_timeout(stall, 30);
	tcase_add_test(stall, waiting_keep_alive_requests_survive_a_stall);
	suite_add_tcase(s, stall);
	tcase_set_timeout(framing, 30);
	tcase_add_test(framing,
	               empty_lines_between_keep_alive_requests_are_ignored);
	tcase_add_test(framing,
	               request_line_over_the_limit_is_414_and_head_over_it_431);
	tcase_add_test(framing, obs_fold_in_transfer_encoding_is_400);
	tcase_add_test(framing,
	               chunk_over_max_body_size_is_413_at_its_size_line);
	tcase_add_test(framing,
	               malformed_first_chunk_line_is_400_before_the_handler);
	suite_add_tcase(s, framing);
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
