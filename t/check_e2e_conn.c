/* check_e2e_conn.c - the connection model: idle keep-alive connections hold
 * no thread (1,000 idle clients and a new one is answered at once; 10,000
 * idle clients in well under 100 MiB), timeouts bound every wait, a slow
 * handler does not stall other clients, slow clients do not hold threads,
 * deep pipelines, and mg_stop() with requests in flight. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "civetweb.h"
#include "testlib.h"

static const char hello_req[] = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";

static int hello(struct mg_connection *c, void *cb)
{
	(void)cb;
	mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nhi\n");
	return 200;
}

/* Handlers that have started / finished in this test. */
static atomic_int started, finished;

static void reset_counts(void)
{
	atomic_store(&started, 0);
	atomic_store(&finished, 0);
}

static int started_n(void *arg)
{
	return atomic_load(&started) >= *(int *)arg;
}

/* Wait until n handlers have started. */
static void wait_started(int n)
{
	tl_wait_until(started_n, &n, 5000, "%d handlers to start", n);
}

static int sleepy(struct mg_connection *c, void *cb)
{
	int ms = cb ? *(int *)cb : 1000;

	atomic_fetch_add(&started, 1);
	usleep((useconds_t)ms * 1000);
	mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nslept");
	atomic_fetch_add(&finished, 1);
	return 200;
}

static int ctx_stopping(void *arg)
{
	char info[2048];

	mg_get_context_info(arg, info, sizeof info);
	return strstr(info, "\"context\" : \"stopping\"") != NULL;
}

/* Answers once mg_stop() has begun (the context says it is stopping):
 * a request certainly in flight while the server stops. The body says
 * whether it saw the stop. */
static int until_stopping(struct mg_connection *c, void *cb)
{
	int saw;

	(void)cb;
	atomic_fetch_add(&started, 1);
	saw = tl_poll_until(ctx_stopping, mg_get_context(c), 10000) == 0;
	mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n%s",
	          saw ? "saw-s" : "no-st");
	atomic_fetch_add(&finished, 1);
	return 200;
}

/* Keeps its thread running (not sleeping) for 50 ms. */
static int spin(struct mg_connection *c, void *cb)
{
	long long end = tl_now_ms() + 50;

	(void)cb;
	atomic_fetch_add(&started, 1);
	while (tl_now_ms() < end)
		;
	mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nspun");
	return 200;
}

/* Reads the body the client announced; reports how mg_read ended. */
static int reader(struct mg_connection *c, void *cb)
{
	char buf[256];
	int n, total = 0;

	(void)cb;
	while ((n = mg_read(c, buf, sizeof buf)) > 0)
		total += n;
	mg_printf(c,
	          "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Read: %d\r\n"
	          "X-Last: %d\r\n\r\n",
	          total, n);
	return 200;
}

static struct mg_context *start(const char *threads, const char *ka_ms,
                                const char *req_ms, int *port)
{
	const char *opts[] = {"enable_keep_alive",
	                      "yes",
	                      "num_threads",
	                      threads,
	                      "keep_alive_timeout_ms",
	                      ka_ms,
	                      "request_timeout_ms",
	                      req_ms,
	                      NULL};
	struct mg_context *ctx = tl_start(NULL, NULL, opts, port);

	mg_set_request_handler(ctx, "/hello", hello, NULL);
	mg_set_request_handler(ctx, "/read", reader, NULL);
	return ctx;
}

/* Raise the soft descriptor limit to want (at most to the hard limit);
 * fail the test, saying why, when even that is not enough. */
static void need_fds(long want)
{
	struct rlimit rl;

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur < want) {
		rl.rlim_cur =
		    rl.rlim_max == RLIM_INFINITY || (long)rl.rlim_max > want
		        ? (rlim_t)want
		        : rl.rlim_max;
		ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	}
	ck_assert_msg(rl.rlim_cur == RLIM_INFINITY || (long)rl.rlim_cur >= want,
	              "needs %ld file descriptors, the hard limit is %lld "
	              "(raise it: ulimit -Hn)",
	              want, (long long)rl.rlim_max);
}

/* A number in mg_get_context_info(): "key" : N inside "section". */
static long long info_num(struct mg_context *ctx, const char *section,
                          const char *key)
{
	char info[2048], k[64];
	const char *p;

	mg_get_context_info(ctx, info, sizeof info);
	snprintf(k, sizeof k, "\"%s\"", section);
	p = strstr(info, k);
	ck_assert_msg(p != NULL, "no %s in %s", section, info);
	snprintf(k, sizeof k, "\"%s\" : ", key);
	p = strstr(p, k);
	ck_assert_msg(p != NULL, "no %s.%s in %s", section, key, info);
	return atoll(p + strlen(k));
}

struct accepted {
	struct mg_context *ctx;
	long long n;
};

static int accepted_n(void *arg)
{
	struct accepted *a = arg;

	return info_num(a->ctx, "connections", "total") >= a->n;
}

/* Open n keep-alive connections, each after one served request. */
static int *open_idle(int port, int n)
{
	int *fds = malloc((size_t)n * sizeof *fds);
	struct tl_resp r;

	for (int i = 0; i < n; i++) {
		fds[i] = tl_connect(port);
		ck_assert_int_eq(tl_send(fds[i], hello_req), 0);
		ck_assert_int_eq(tl_read_response(fds[i], "GET", &r), 200);
		tl_resp_free(&r);
	}
	return fds;
}

static void close_all(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
}

START_TEST(thousand_idle_clients_and_new_client_answered_at_once)
{
	int port, *fds;
	struct mg_context *ctx;
	struct tl_resp r;
	long long t0;

	need_fds(2200);
	ctx = start("4", "60000", "60000", &port);
	fds = open_idle(port, 1000);
	t0 = tl_now_ms();
	ck_assert_int_eq(tl_get(port, "/hello", &r), 200);
	ck_assert_int_lt(tl_now_ms() - t0, 1000);
	tl_resp_free(&r);
	/* and every idle client can still use its connection */
	for (int i = 0; i < 1000; i += 97) {
		ck_assert_int_eq(tl_send(fds[i], hello_req), 0);
		ck_assert_int_eq(tl_read_response(fds[i], "GET", &r), 200);
		tl_resp_free(&r);
	}
	close_all(fds, 1000);
	mg_stop(ctx);
}
END_TEST

/* The clients live in a child process, so that each process needs only
 * 10,000 descriptors and the parent's RSS is the server's alone. The child
 * is forked before the server starts: a child of a multi-threaded process
 * may find an allocator lock held forever. */
static pid_t idle_clients_child(int n, int port_pipe[2], int ready_pipe[2],
                                int go_pipe[2])
{
	pid_t pid = fork();
	char c = 'r';
	int port;

	ck_assert_int_ge(pid, 0);
	if (pid > 0)
		return pid;
	close(port_pipe[1]);
	close(ready_pipe[0]);
	close(go_pipe[1]);
	if (read(port_pipe[0], &port, sizeof port) != sizeof port)
		_exit(1);
	(void)open_idle(port, n);
	if (write(ready_pipe[1], &c, 1) != 1)
		_exit(1);
	if (read(go_pipe[0], &c, 1) < 0)
		_exit(1);
	_exit(0);
}

START_TEST(ten_thousand_idle_clients_stay_under_100_mib)
{
	int port, port_pipe[2], ready[2], go[2], status;
	struct mg_context *ctx;
	long before, after, limit = 100 * 1024;
	struct tl_resp r;
	char c;
	pid_t pid;

	need_fds(10300);
	ck_assert_int_eq(pipe(port_pipe), 0);
	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_eq(pipe(go), 0);
	pid = idle_clients_child(10000, port_pipe, ready, go);
	close(port_pipe[0]);
	close(ready[1]);
	close(go[0]);
	before = tl_rss_kib();
	ctx = start("8", "120000", "120000", &port);
	ck_assert_int_eq(write(port_pipe[1], &port, sizeof port), sizeof port);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	after = tl_rss_kib();
	fprintf(stderr,
	        "10000 idle connections: server RSS %ld KiB -> %ld KiB\n",
	        before, after);
#if defined(TL_ASAN) || defined(TL_TSAN)
	limit *= 4; /* shadow memory and quarantine */
#endif
	ck_assert_int_lt(after - before, limit);
	/* still answering at once */
	ck_assert_int_eq(tl_get(port, "/hello", &r), 200);
	tl_resp_free(&r);
	ck_assert_int_eq(write(go[1], "g", 1), 1);
	waitpid(pid, &status, 0);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	close(port_pipe[1]);
	close(ready[0]);
	close(go[1]);
	mg_stop(ctx);
}
END_TEST

START_TEST(idle_keep_alive_connection_closed_after_timeout)
{
	int port, fd;
	struct mg_context *ctx = start("2", "300", "5000", &port);
	struct tl_resp r;
	long long t0;

	fd = tl_connect(port);
	ck_assert_int_eq(tl_send(fd, hello_req), 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	tl_resp_free(&r);
	t0 = tl_now_ms();
	ck_assert_int_eq(tl_closed_within(fd, 3000), 1);
	ck_assert_int_ge(tl_now_ms() - t0, 250);
	close(fd);
	mg_stop(ctx);
}
END_TEST

START_TEST(small_body_that_stalls_gets_408_without_the_handler)
{
	int port, fd;
	struct mg_context *ctx = start("2", "5000", "500", &port);
	struct tl_resp r;

	fd = tl_connect(port);
	/* announce 10 bytes, send 3, then nothing: a body this small is
	 * received before the handler runs, so no handler waits for it */
	ck_assert_int_eq(tl_send(fd, "POST /read HTTP/1.1\r\nHost: x\r\n"
	                             "Content-Length: 10\r\n\r\nabc"),
	                 0);
	ck_assert_int_eq(tl_read_response(fd, "POST", &r), 408);
	ck_assert_ptr_null(tl_header(&r, "X-Read"));
	ck_assert_int_eq(r.closed, 1);
	tl_resp_free(&r);
	close(fd);
	ck_assert_int_eq(tl_get(port, "/hello", &r), 200);
	tl_resp_free(&r);
	mg_stop(ctx);
}
END_TEST

START_TEST(large_body_read_times_out_and_server_keeps_serving)
{
	int port, fd;
	struct mg_context *ctx = start("2", "5000", "500", &port);
	struct tl_resp r;

	fd = tl_connect(port);
	/* announce more than body_buffer_size, send 3, then nothing: the
	 * handler runs and its read fails after request_timeout_ms */
	ck_assert_int_eq(tl_send(fd, "POST /read HTTP/1.1\r\nHost: x\r\n"
	                             "Content-Length: 100000\r\n\r\nabc"),
	                 0);
	ck_assert_int_eq(tl_read_response(fd, "POST", &r), 200);
	ck_assert_str_eq(tl_header(&r, "X-Read"), "3");
	ck_assert_str_eq(tl_header(&r, "X-Last"), "-1");
	ck_assert_int_eq(r.closed, 1);
	tl_resp_free(&r);
	close(fd);
	ck_assert_int_eq(tl_get(port, "/hello", &r), 200);
	tl_resp_free(&r);
	mg_stop(ctx);
}
END_TEST

START_TEST(slow_clients_do_not_hold_threads)
{
	int port, fds[200];
	struct mg_context *ctx = start("2", "5000", "10000", &port);
	struct tl_resp r;
	long long t0;

	/* 200 clients each send half a request head and stop */
	for (int i = 0; i < 200; i++) {
		fds[i] = tl_connect(port);
		ck_assert_int_eq(tl_send(fds[i], "GET /hello HTTP/1.1\r\nHo"),
		                 0);
	}
	t0 = tl_now_ms();
	ck_assert_int_eq(tl_get(port, "/hello", &r), 200);
	ck_assert_int_lt(tl_now_ms() - t0, 1000);
	tl_resp_free(&r);
	/* the stalled ones can still finish their requests */
	ck_assert_int_eq(tl_send(fds[0], "st: x\r\n\r\n"), 0);
	ck_assert_int_eq(tl_read_response(fds[0], "GET", &r), 200);
	tl_resp_free(&r);
	for (int i = 0; i < 200; i++)
		close(fds[i]);
	mg_stop(ctx);
}
END_TEST

START_TEST(slow_handler_does_not_stall_other_clients)
{
	int port, fd, ms = 2000;
	struct mg_context *ctx = start("4", "5000", "10000", &port);
	struct tl_resp r;
	long long t0;

	mg_set_request_handler(ctx, "/sleep", sleepy, &ms);
	fd = tl_connect(port);
	ck_assert_int_eq(tl_send(fd, "GET /sleep HTTP/1.1\r\nHost: x\r\n\r\n"),
	                 0);
	wait_started(1);
	t0 = tl_now_ms();
	for (int i = 0; i < 100; i++) {
		ck_assert_int_eq(tl_get(port, "/hello", &r), 200);
		tl_resp_free(&r);
	}
	ck_assert_int_lt(tl_now_ms() - t0, 1500);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	ck_assert_str_eq(r.body, "slept");
	tl_resp_free(&r);
	close(fd);
	mg_stop(ctx);
}
END_TEST

/* One runner takes several ready connections in one epoll_wait; when the
 * first of them blocks in a slow handler, a spare must take the others. */
START_TEST(slow_handler_does_not_hold_connections_taken_with_it)
{
	int port, fds[9], ms = 2000;
	struct mg_context *ctx;
	struct accepted all9;
	struct tl_resp r;
	long long t0;

	setenv("CIVETD_RUNNERS", "1", 1);
	ctx = start("4", "5000", "10000", &port);
	unsetenv("CIVETD_RUNNERS");
	mg_set_request_handler(ctx, "/sleep", sleepy, &ms);
	mg_set_request_handler(ctx, "/spin", spin, NULL);
	for (int i = 0; i < 9; i++)
		fds[i] = tl_connect(port);
	all9.ctx = ctx;
	all9.n = 9;
	tl_wait_until(accepted_n, &all9, 5000, "9 accepted connections");
	/* while the only runner spins, the others become ready together,
	 * /sleep first (loopback delivers during send) */
	ck_assert_int_eq(
	    tl_send(fds[8], "GET /spin HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
	wait_started(1);
	t0 = tl_now_ms();
	ck_assert_int_eq(
	    tl_send(fds[0], "GET /sleep HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
	for (int i = 1; i < 8; i++)
		ck_assert_int_eq(tl_send(fds[i], hello_req), 0);
	for (int i = 1; i < 8; i++) {
		ck_assert_int_eq(tl_read_response(fds[i], "GET", &r), 200);
		tl_resp_free(&r);
	}
	ck_assert_int_lt(tl_now_ms() - t0, 1000);
	ck_assert_int_eq(tl_read_response(fds[0], "GET", &r), 200);
	ck_assert_str_eq(r.body, "slept");
	tl_resp_free(&r);
	for (int i = 0; i < 9; i++)
		close(fds[i]);
	mg_stop(ctx);
}
END_TEST

START_TEST(deep_pipeline_answered_in_order)
{
	int port, fd;
	struct mg_context *ctx = start("2", "5000", "10000", &port);
	char *req = malloc(100 * 64);
	struct tl_resp r;
	size_t len = 0;

	for (int i = 0; i < 100; i++)
		len += (size_t)sprintf(
		    req + len, "GET /hello?%d HTTP/1.1\r\nHost: x\r\n\r\n", i);
	fd = tl_connect(port);
	ck_assert_int_eq(tl_send_n(fd, req, len), 0);
	for (int i = 0; i < 100; i++) {
		ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
		ck_assert_str_eq(r.body, "hi\n");
		tl_resp_free(&r);
	}
	free(req);
	close(fd);
	mg_stop(ctx);
}
END_TEST

struct stopper {
	struct mg_context *ctx;
	int finished; /* handlers finished when mg_stop() returned */
};

static void *stop_thread(void *arg)
{
	struct stopper *s = arg;

	mg_stop(s->ctx);
	s->finished = atomic_load(&finished);
	return NULL;
}

START_TEST(stop_waits_for_requests_in_flight)
{
	int port, fd;
	struct mg_context *ctx = start("4", "5000", "10000", &port);
	struct stopper s = {ctx, -1};
	struct tl_resp r;
	pthread_t tid;

	mg_set_request_handler(ctx, "/until-stop", until_stopping, NULL);
	fd = tl_connect(port);
	ck_assert_int_eq(
	    tl_send(fd, "GET /until-stop HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
	wait_started(1);
	/* the handler answers only after mg_stop() has begun */
	pthread_create(&tid, NULL, stop_thread, &s);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	ck_assert_str_eq(r.body, "saw-s");
	tl_resp_free(&r);
	pthread_join(tid, NULL);
	/* and mg_stop() returned only after it had finished */
	ck_assert_int_eq(s.finished, 1);
	ck_assert_int_eq(tl_closed_within(fd, 2000), 1);
	close(fd);
}
END_TEST

START_TEST(stop_closes_idle_connections_and_releases_descriptors)
{
	int port, *fds, before = tl_count_fds();
	struct mg_context *ctx = start("2", "60000", "60000", &port);

	fds = open_idle(port, 50);
	mg_stop(ctx);
	for (int i = 0; i < 50; i++)
		ck_assert_int_eq(tl_closed_within(fds[i], 2000), 1);
	close_all(fds, 50);
	ck_assert_int_eq(tl_count_fds(), before);
}
END_TEST

struct load {
	int port;
	int requests;
	atomic_int ok;
};

static void *client_thread(void *arg)
{
	struct load *l = arg;
	int fd = tl_connect(l->port);
	struct tl_resp r;

	for (int i = 0; i < l->requests; i++) {
		if (tl_send(fd, hello_req) != 0 ||
		    tl_read_response(fd, "GET", &r) != 200)
			break;
		if (strcmp(r.body, "hi\n") == 0)
			atomic_fetch_add(&l->ok, 1);
		tl_resp_free(&r);
	}
	close(fd);
	return NULL;
}

START_TEST(concurrent_clients_all_served)
{
	struct load l = {0, 300, 0};
	struct mg_context *ctx = start("4", "5000", "10000", &l.port);
	pthread_t tids[32];

	for (int i = 0; i < 32; i++)
		pthread_create(&tids[i], NULL, client_thread, &l);
	for (int i = 0; i < 32; i++)
		pthread_join(tids[i], NULL);
	ck_assert_int_eq(atomic_load(&l.ok), 32 * 300);
	mg_stop(ctx);
}
END_TEST

START_TEST(client_vanishing_mid_response_does_not_hurt_server)
{
	char *dir = tl_mkdtemp(), *big = malloc(8 << 20);
	const char *opts[] = {"document_root",
	                      dir,
	                      "enable_keep_alive",
	                      "yes",
	                      "request_timeout_ms",
	                      "2000",
	                      NULL};
	struct mg_context *ctx;
	struct tl_resp r;
	int port, fd;
	char c;

	memset(big, 'x', 8 << 20);
	tl_write_file(dir, "big.bin", big, 8 << 20);
	ctx = tl_start(NULL, NULL, opts, &port);
	for (int i = 0; i < 5; i++) {
		fd = tl_connect(port);
		ck_assert_int_eq(
		    tl_send(fd, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
		/* the response has begun: the client vanishes in its middle */
		ck_assert_int_eq(recv(fd, &c, 1, 0), 1);
		close(fd);
	}
	ck_assert_int_eq(tl_get(port, "/big.bin", &r), 200);
	ck_assert_uint_eq(r.body_len, 8u << 20);
	tl_resp_free(&r);
	mg_stop(ctx);
	tl_rmdir(dir);
	free(dir);
	free(big);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_conn");
	TCase *tc = tcase_create("conn");

	tl_cleanup_fixture(tc);
	tcase_add_checked_fixture(tc, reset_counts, NULL);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc,
	               thousand_idle_clients_and_new_client_answered_at_once);
	tcase_add_test(tc, ten_thousand_idle_clients_stay_under_100_mib);
	tcase_add_test(tc, idle_keep_alive_connection_closed_after_timeout);
	tcase_add_test(tc, small_body_that_stalls_gets_408_without_the_handler);
	tcase_add_test(tc, large_body_read_times_out_and_server_keeps_serving);
	tcase_add_test(tc, slow_clients_do_not_hold_threads);
	tcase_add_test(tc, slow_handler_does_not_stall_other_clients);
	tcase_add_test(tc,
	               slow_handler_does_not_hold_connections_taken_with_it);
	tcase_add_test(tc, deep_pipeline_answered_in_order);
	tcase_add_test(tc, stop_waits_for_requests_in_flight);
	tcase_add_test(tc,
	               stop_closes_idle_connections_and_releases_descriptors);
	tcase_add_test(tc, concurrent_clients_all_served);
	tcase_add_test(tc, client_vanishing_mid_response_does_not_hurt_server);
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
