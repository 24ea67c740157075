/* check_e2e_health.c - health_check_uri, the endpoint a load balancer
 * polls: answered by the worker itself (200 "ok", no-store) before
 * begin_request, handlers, authorization and the files, never shown to a
 * callback, counted like any request; 503 "draining" with Connection:
 * close once the context drains, also on a keep-alive connection that
 * was open before. First with the library (mg_start; the drain started
 * as a prefork worker starts it, cw_pool_drain, which is why this suite
 * links the library's objects), then with the prefork daemon across a
 * reload: the old worker says 503 on a connection it still holds while a
 * new connection gets 200 from the new generation. */
#include <check.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "civetweb.h"
#include "net/pool.h"
#include "testlib.h"

/* ---- the library ------------------------------------------------------ */

static _Atomic int begins, ends, logged, handled;

static int cb_begin(struct mg_connection *c)
{
	(void)c;
	atomic_fetch_add(&begins, 1);
	return 0;
}

static void cb_end(const struct mg_connection *c, int status)
{
	(void)c;
	(void)status;
	atomic_fetch_add(&ends, 1);
}

static int cb_log(const struct mg_connection *c, const char *line)
{
	(void)c;
	(void)line;
	atomic_fetch_add(&logged, 1);
	return 1;
}

/* A handler on the same URI: it must never run for a GET or HEAD. */
static int h_app(struct mg_connection *c, void *cbdata)
{
	(void)cbdata;
	atomic_fetch_add(&handled, 1);
	mg_send_http_ok(c, "text/plain", 4);
	mg_write(c, "app\n", 4);
	return 200;
}

/* Refuses everyone: the health answer must not depend on it. */
static int h_deny(struct mg_connection *c, void *cbdata)
{
	(void)c;
	(void)cbdata;
	return 0;
}

static struct mg_context *start_lib(int *port, const char *uri)
{
	struct mg_callbacks cb;
	const char *opts[] = {"health_check_uri",
	                      uri,
	                      "enable_keep_alive",
	                      "yes",
	                      "keep_alive_timeout_ms",
	                      "60000",
	                      NULL};
	struct mg_context *ctx;

	atomic_store(&begins, 0);
	atomic_store(&ends, 0);
	atomic_store(&logged, 0);
	atomic_store(&handled, 0);
	memset(&cb, 0, sizeof cb);
	cb.begin_request = cb_begin;
	cb.end_request = cb_end;
	cb.log_access = cb_log;
	ctx = tl_start(&cb, NULL, opts, port);
	mg_set_request_handler(ctx, uri, h_app, NULL);
	mg_set_auth_handler(ctx, "/", h_deny, NULL);
	return ctx;
}

static long long requests_of(const struct mg_context *ctx)
{
	char info[2048];
	const char *p;

	mg_get_context_info(ctx, info, sizeof info);
	p = strstr(info, "\"requests\" : {\n\"total\" : ");
	ck_assert_ptr_nonnull(p);
	return atoll(p + strlen("\"requests\" : {\n\"total\" : "));
}

struct want_requests {
	struct mg_context *ctx;
	long long n;
};

static int requests_reach(void *arg)
{
	struct want_requests *w = arg;

	return requests_of(w->ctx) >= w->n;
}

START_TEST(get_is_answered_ok_by_the_server_itself)
{
	struct tl_resp r;
	int port;
	struct mg_context *ctx = start_lib(&port, "/healthz");
	struct want_requests w = {ctx, 2};

	ck_assert_int_eq(tl_ask(port, "GET", "/healthz", NULL, &r), 200);
	ck_assert_str_eq(r.body, "ok\n");
	ck_assert_str_eq(tl_header(&r, "Content-Type"), "text/plain");
	ck_assert_str_eq(tl_header(&r, "Cache-Control"), "no-store");
	ck_assert_str_eq(tl_header(&r, "Content-Length"), "3");
	tl_resp_free(&r);
	/* a query string is the balancer's business: still the endpoint */
	ck_assert_int_eq(tl_ask(port, "GET", "/healthz?probe=1", NULL, &r),
	                 200);
	ck_assert_str_eq(r.body, "ok\n");
	tl_resp_free(&r);
	/* counted as requests, never shown to a callback or the handler */
	tl_wait_until(requests_reach, &w, 5000, "2 requests counted");
	ck_assert_int_eq(atomic_load(&begins), 0);
	ck_assert_int_eq(atomic_load(&ends), 0);
	ck_assert_int_eq(atomic_load(&logged), 0);
	ck_assert_int_eq(atomic_load(&handled), 0);
	mg_stop(ctx);
}
END_TEST

START_TEST(head_has_the_headers_and_no_body)
{
	struct tl_resp r;
	int port;
	struct mg_context *ctx = start_lib(&port, "/healthz");
	int fd = tl_connect(port);

	tl_send(fd, "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	ck_assert_int_eq(tl_read_response(fd, "HEAD", &r), 200);
	ck_assert_str_eq(tl_header(&r, "Content-Length"), "3");
	ck_assert_str_eq(tl_header(&r, "Cache-Control"), "no-store");
	ck_assert_uint_eq(r.body_len, 0);
	tl_resp_free(&r);
	/* nothing after the head: the next response follows at once */
	tl_send(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	ck_assert_str_eq(r.body, "ok\n");
	ck_assert_ptr_null(tl_header(&r, "Connection"));
	tl_resp_free(&r);
	close(fd);
	mg_stop(ctx);
}
END_TEST

START_TEST(only_get_and_head_of_exactly_that_path)
{
	struct tl_resp r;
	int port;
	struct mg_context *ctx = start_lib(&port, "/healthz");

	/* anything else goes the usual way: the auth handler refuses it */
	ck_assert_int_eq(tl_ask(port, "GET", "/healthz/", NULL, &r), 401);
	tl_resp_free(&r);
	ck_assert_int_eq(tl_ask(port, "GET", "/Healthz", NULL, &r), 401);
	tl_resp_free(&r);
	ck_assert_int_eq(tl_ask(port, "GET", "/health%7a", NULL, &r), 401);
	tl_resp_free(&r);
	ck_assert_int_eq(
	    tl_ask(port, "POST", "/healthz", "Content-Length: 0\r\n", &r), 401);
	tl_resp_free(&r);
	ck_assert_int_ge(atomic_load(&begins), 4);
	ck_assert_int_eq(atomic_load(&handled), 0);
	mg_stop(ctx);
}
END_TEST

START_TEST(off_by_default)
{
	struct tl_resp r;
	int port;
	struct mg_context *ctx = tl_start(NULL, NULL, NULL, &port);

	ck_assert_int_eq(tl_get(port, "/healthz", &r), 404);
	tl_resp_free(&r);
	mg_stop(ctx);
}
END_TEST

START_TEST(a_uri_that_is_not_a_path_is_refused)
{
	char text[256] = "";
	struct mg_error_data err = {0, 0, text, sizeof text};
	const char *opts[] = {"listening_ports", "127.0.0.1:0",
	                      "health_check_uri", "healthz", NULL};
	struct mg_callbacks cb;
	struct mg_init_data init = {&cb, NULL, opts};

	memset(&cb, 0, sizeof cb);
	ck_assert_ptr_null(mg_start2(&init, &err));
	ck_assert_msg(strstr(text, "health_check_uri") != NULL, "%s", text);
}
END_TEST

/* A keep-alive connection open (and idle) before the drain: its next
 * health request says 503 and the connection closes. The grace period
 * is long here so the idle connection is certainly still open. */
START_TEST(draining_answers_503_and_closes_a_kept_alive_connection)
{
	struct tl_resp r;
	int port;
	struct mg_context *ctx = start_lib(&port, "/healthz");
	int fd = tl_connect(port);

	tl_send(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	ck_assert_int_eq(r.closed, 0);
	tl_resp_free(&r);
	cw_pool_drain(ctx, 60000);
	tl_send(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 503);
	ck_assert_str_eq(r.body, "draining\n");
	ck_assert_str_eq(tl_header(&r, "Connection"), "close");
	ck_assert_str_eq(tl_header(&r, "Cache-Control"), "no-store");
	tl_resp_free(&r);
	ck_assert_int_eq(tl_closed_within(fd, 5000), 1);
	close(fd);
	ck_assert_int_eq(atomic_load(&handled), 0);
	mg_stop(ctx);
}
END_TEST

/* ---- the prefork daemon ----------------------------------------------- */

struct daemon {
	pid_t pid;
	char *dir;
	char conf[512], sock[512], access[512];
	int port;
};

static int ctl(struct daemon *d, const char *cmd, const char *arg, char *out,
               size_t len)
{
	const char *argv[] = {
	    tl_env("CIVETCTL_BIN"), "-s", d->sock, cmd, arg, NULL};

	return tl_run(argv, out, len);
}

/* Workers of generation gen in state (civetctl status --json). */
static int workers_in(const char *js, int gen, const char *state)
{
	char want[64];
	const char *p = js;
	int n = 0;

	snprintf(want, sizeof want, "\"state\": \"%s\"", state);
	while ((p = strstr(p, "{\"slot\"")) != NULL) {
		const char *end = strchr(p, '}'),
		           *g = strstr(p, "\"generation\": ");
		const char *st = strstr(p, want);

		if (g != NULL && g < end && atoi(g + 14) == gen && st != NULL &&
		    st < end)
			n++;
		p = end;
	}
	return n;
}

struct want_workers {
	struct daemon *d;
	int gen;
	const char *state;
};

static int has_worker(void *arg)
{
	struct want_workers *w = arg;
	char js[65536];

	return ctl(w->d, "status", "--json", js, sizeof js) == 0 &&
	       workers_in(js, w->gen, w->state) == 1;
}

static void wait_worker(struct daemon *d, int gen, const char *state)
{
	struct want_workers w = {d, gen, state};

	tl_wait_until(has_worker, &w, 15000, "a worker of generation %d %s",
	              gen, state);
}

static void daemon_start(struct daemon *d)
{
	FILE *f;
	char js[65536];
	const char *p;

	memset(d, 0, sizeof *d);
	d->dir = tl_mkdtemp();
	snprintf(d->conf, sizeof d->conf, "%s/civetd.conf", d->dir);
	snprintf(d->sock, sizeof d->sock, "%s/run/admin.sock", d->dir);
	snprintf(d->access, sizeof d->access, "%s/access.log", d->dir);
	f = fopen(d->conf, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
	        "listening_ports 127.0.0.1:0\nnum_workers 1\nnum_threads 2\n"
	        "enable_keep_alive yes\nkeep_alive_timeout_ms 30000\n"
	        "admin_socket %s\nworker_shutdown_timeout_ms 20000\n"
	        "health_check_uri /healthz\naccess_log_file %s\n"
	        "access_log_format json\nerror_log_file %s/error.log\n",
	        d->sock, d->access, d->dir);
	fclose(f);
	tl_env("CIVETD_BIN");
	d->pid = fork();
	ck_assert_int_ge(d->pid, 0);
	if (d->pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execl(tl_env("CIVETD_BIN"), tl_env("CIVETD_BIN"), "-c", d->conf,
		      (char *)NULL);
		_exit(127);
	}
	setpgid(d->pid, d->pid);
	tl_track_group(d->pid);
	wait_worker(d, 1, "ready");
	ck_assert_int_eq(ctl(d, "status", "--json", js, sizeof js), 0);
	p = strstr(js, "\"ports\": [");
	ck_assert_ptr_nonnull(p);
	d->port = atoi(p + 10);
	ck_assert_int_gt(d->port, 0);
}

static void daemon_stop(struct daemon *d)
{
	int st;

	kill(d->pid, SIGTERM);
	ck_assert_int_eq(waitpid(d->pid, &st, 0), d->pid);
	tl_untrack_group(d->pid);
	tl_rmdir(d->dir);
	free(d->dir);
}

/* The pid of the worker that wrote the access line for status (the
 * last such line), from the JSON log. */
static int pid_of_last(const char *path, int status)
{
	char line[8192], want[32];
	FILE *f = fopen(path, "r");
	int pid = 0;

	ck_assert_ptr_nonnull(f);
	snprintf(want, sizeof want, "\"status\":%d,", status);
	while (fgets(line, sizeof line, f) != NULL) {
		const char *p = strstr(line, "\"pid\":");

		if (strstr(line, want) != NULL && p != NULL)
			pid = atoi(p + 6);
	}
	fclose(f);
	return pid;
}

static int lines_with(const char *path, const char *what)
{
	char line[8192];
	FILE *f = fopen(path, "r");
	int n = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		n += strstr(line, what) != NULL;
	fclose(f);
	return n;
}

struct want_lines {
	const char *path;
	const char *what;
	int n;
};

static int lines_reach(void *arg)
{
	struct want_lines *w = arg;

	return lines_with(w->path, w->what) >= w->n;
}

/* The old worker drains while it holds a keep-alive connection whose
 * next request has begun to arrive (a connection whose client is
 * sending is never closed as idle); a fresh connection meanwhile goes
 * to the new generation and gets 200; then the old connection's
 * request completes and the old worker answers it 503 and closes. */
START_TEST(reload_old_worker_says_503_new_generation_200)
{
	struct daemon d;
	struct tl_resp r;
	struct want_lines two_ok = {NULL, "\"status\":200,", 2};
	struct want_lines one_503 = {NULL, "\"status\":503,", 1};
	char out[4096];
	int fd, old_pid, new_pid;
	pid_t reloader;

	daemon_start(&d);
	two_ok.path = one_503.path = d.access;
	fd = tl_connect(d.port);
	tl_send(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	ck_assert_int_eq(r.closed, 0);
	tl_resp_free(&r);
	tl_send(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n");
	/* civetctl reload returns when the old generation is gone: run it
	 * on the side */
	reloader = fork();
	ck_assert_int_ge(reloader, 0);
	if (reloader == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(ctl(&d, "reload", NULL, out, sizeof out));
	}
	wait_worker(&d, 1, "draining");
	wait_worker(&d, 2, "ready");
	ck_assert_int_eq(tl_ask(d.port, "GET", "/healthz", NULL, &r), 200);
	ck_assert_str_eq(r.body, "ok\n");
	tl_resp_free(&r);
	tl_send(fd, "\r\n");
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 503);
	ck_assert_str_eq(r.body, "draining\n");
	ck_assert_str_eq(tl_header(&r, "Connection"), "close");
	tl_resp_free(&r);
	ck_assert_int_eq(tl_closed_within(fd, 10000), 1);
	close(fd);
	{
		int st;

		ck_assert_int_eq(waitpid(reloader, &st, 0), reloader);
		ck_assert_int_eq(WEXITSTATUS(st), 0);
	}
	tl_wait_until(lines_reach, &two_ok, 5000, "two 200 lines");
	tl_wait_until(lines_reach, &one_503, 5000, "one 503 line");
	old_pid = pid_of_last(d.access, 503);
	new_pid = pid_of_last(d.access, 200);
	ck_assert_int_gt(old_pid, 0);
	ck_assert_int_gt(new_pid, 0);
	ck_assert_int_ne(old_pid, new_pid);
	daemon_stop(&d);
}
END_TEST

static TCase *own_case(Suite *s, const char *name, int timeout)
{
	TCase *tc = tcase_create(name);

	tl_cleanup_fixture(tc);
	tcase_set_timeout(tc, timeout);
	suite_add_tcase(s, tc);
	return tc;
}

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_health");

	tcase_add_test(own_case(s, "get", 30),
	               get_is_answered_ok_by_the_server_itself);
	tcase_add_test(own_case(s, "head", 30),
	               head_has_the_headers_and_no_body);
	tcase_add_test(own_case(s, "exact", 30),
	               only_get_and_head_of_exactly_that_path);
	tcase_add_test(own_case(s, "off", 30), off_by_default);
	tcase_add_test(own_case(s, "refused", 30),
	               a_uri_that_is_not_a_path_is_refused);
	tcase_add_test(own_case(s, "drain", 30),
	               draining_answers_503_and_closes_a_kept_alive_connection);
	tcase_add_test(own_case(s, "reload", 90),
	               reload_old_worker_says_503_new_generation_200);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
