/* check_e2e_callbacks.c - every callback of struct mg_callbacks, held to
 * the contract of the API reference (docs: mg_callbacks), against a real
 * server on port 0 over real sockets:
 *  - around a request: begin_request, end_request, http_error, open_file;
 *  - around the server: init_context / exit_context, init_thread /
 *    exit_thread and mg_get_thread_pointer();
 *  - logging: log_message and log_access, with and without their files;
 *  - around a connection: init_connection, connection_close,
 *    connection_closed and the user connection data.
 * Each test starts its own server with only the callbacks it needs. The
 * callbacks record what they saw as text events; the test thread waits for
 * events on a condition variable (bounded) and inspects them. Stopping the
 * server before reading a log file makes every write to it final. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "civetweb.h"
#include "testlib.h"

/* ---- what the callbacks saw ---------------------------------------------- */

#define MAX_EVENTS 1024
#define EVENT_LEN  700

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int n;
	char ev[MAX_EVENTS][EVENT_LEN];
	int exited;      /* exit_context has run */
	int late;        /* callbacks that ran after exit_context */
	int client_flag; /* set by the test: the client saw what it waits for */
	int held;        /* the test thread holds mg_lock_context() */
} rec;

/* Per-test knobs, set before the server starts. */
static struct {
	int http_error_ret;
	int log_message_ret;
	int log_access_ret;
	int end_waits_for_client; /* end_request waits for client_flag */
	int close_probe;          /* connection_close(d) watch client_flag */
} cfg;

static struct mg_context *ctx;
static int port;
static char *dir; /* document root and log files */
static int user_marker;

static void ev(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void ev(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&rec.mu);
	if (rec.exited)
		rec.late++;
	if (rec.n < MAX_EVENTS) {
		char *e = rec.ev[rec.n++];

		va_start(ap, fmt);
		vsnprintf(e, EVENT_LEN, fmt, ap);
		va_end(ap);
		/* events stay printable text, whatever a callback was shown */
		for (unsigned char *p = (unsigned char *)e; *p != '\0'; p++)
			if (*p < 0x20 || *p >= 0x7f)
				*p = '?';
	}
	pthread_cond_broadcast(&rec.cv);
	pthread_mutex_unlock(&rec.mu);
}

static int matches(int i, const char *prefix)
{
	return strncmp(rec.ev[i], prefix, strlen(prefix)) == 0;
}

static int count_locked(const char *prefix)
{
	int c = 0;

	for (int i = 0; i < rec.n; i++)
		c += matches(i, prefix);
	return c;
}

static int ev_count(const char *prefix)
{
	int c;

	pthread_mutex_lock(&rec.mu);
	c = count_locked(prefix);
	pthread_mutex_unlock(&rec.mu);
	return c;
}

static void deadline_in(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Wait until n events start with prefix, at most ms. Returns the count. */
static int ev_wait(const char *prefix, int n, int ms)
{
	struct timespec ts;
	int c;

	deadline_in(&ts, ms);
	pthread_mutex_lock(&rec.mu);
	while (count_locked(prefix) < n &&
	       pthread_cond_timedwait(&rec.cv, &rec.mu, &ts) == 0)
		;
	c = count_locked(prefix);
	pthread_mutex_unlock(&rec.mu);
	return c;
}

/* Index of the nth (from 0) event starting with prefix, or -1; its text is
 * copied to out when out is not NULL. */
static int ev_find(const char *prefix, int nth, char *out, size_t cap)
{
	int found = -1;

	pthread_mutex_lock(&rec.mu);
	for (int i = 0; i < rec.n && found < 0; i++)
		if (matches(i, prefix) && nth-- == 0)
			found = i;
	if (out != NULL)
		snprintf(out, cap, "%s", found >= 0 ? rec.ev[found] : "");
	pthread_mutex_unlock(&rec.mu);
	return found;
}

/* The test thread tells a waiting callback that the client saw it. */
static void set_client_flag(void)
{
	pthread_mutex_lock(&rec.mu);
	rec.client_flag = 1;
	pthread_cond_broadcast(&rec.cv);
	pthread_mutex_unlock(&rec.mu);
}

/* In a callback: wait up to ms for client_flag; returns it. */
static int wait_client_flag(int ms)
{
	struct timespec ts;
	int f;

	deadline_in(&ts, ms);
	pthread_mutex_lock(&rec.mu);
	while (!rec.client_flag &&
	       pthread_cond_timedwait(&rec.cv, &rec.mu, &ts) == 0)
		;
	f = rec.client_flag;
	pthread_mutex_unlock(&rec.mu);
	return f;
}

static int held_now(void)
{
	int h;

	pthread_mutex_lock(&rec.mu);
	h = rec.held;
	pthread_mutex_unlock(&rec.mu);
	return h;
}

static const char *str(const char *s)
{
	return s != NULL ? s : "(null)";
}

/* ---- thread and connection records --------------------------------------- */

#define THREAD_MAGIC 0x7ead
#define MAX_THREADS  256

struct thread_rec {
	int magic;
	int type;
	pthread_t tid;
	int exits;
	int bad_type;     /* exit_thread got another type */
	int other_thread; /* exit_thread ran on another thread */
};

static struct thread_rec threads[MAX_THREADS];
static int nthreads;

static struct thread_rec *thread_rec_of(const void *p)
{
	for (int i = 0; i < nthreads; i++)
		if (p == &threads[i])
			return &threads[i];
	return NULL;
}

#define MAX_CONN_RECS 64

struct conn_rec {
	int id;
};

static struct conn_rec conn_recs[MAX_CONN_RECS];
static int nconn_recs;

static struct conn_rec *conn_rec_of(const void *p)
{
	for (int i = 0; i < nconn_recs; i++)
		if (p == &conn_recs[i])
			return &conn_recs[i];
	return NULL;
}

static int conn_data_id(const struct mg_connection *conn)
{
	struct conn_rec *r;

	pthread_mutex_lock(&rec.mu);
	r = conn_rec_of(mg_get_user_connection_data(conn));
	pthread_mutex_unlock(&rec.mu);
	return r != NULL ? r->id : -1;
}

/* ---- callbacks ----------------------------------------------------------- */

static const char begin_body[] = "from begin_request\n";
/* What begin_request writes when it handles a request. */
static const char begin_head[] = "HTTP/1.1 200 OK\r\nContent-Length: 19\r\n"
                                 "X-By: begin_request\r\n\r\n";

/* Handles the request when it carries "X-Ret: n" (n != 0), returning n. */
static int cb_begin_request(struct mg_connection *conn)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	const char *ret = mg_get_header(conn, "X-Ret");
	int n = ret != NULL ? atoi(ret) : 0;

	ev("begin %s %s", str(ri->request_method), str(ri->local_uri));
	if (n == 0)
		return 0;
	mg_printf(conn, "%s%s", begin_head, begin_body);
	return n;
}

static void cb_end_request(const struct mg_connection *conn, int status)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	int client = -1;

	if (cfg.end_waits_for_client)
		client = wait_client_flag(3000);
	ev("end %d %s %s HTTP/%s uri=%s client=%d", status,
	   str(ri->request_method), str(ri->local_uri), str(ri->http_version),
	   str(ri->request_uri), client);
	ev("end_local [%s]", str(ri->local_uri));
}

static void app_page(int status, char *head, size_t hcap, char *body,
                     size_t bcap)
{
	int n = snprintf(body, bcap, "app error page %d\n", status);

	snprintf(head, hcap,
	         "HTTP/1.1 %d App Error\r\nContent-Type: text/plain\r\n"
	         "Content-Length: %d\r\nX-App-Page: yes\r\n\r\n",
	         status, n);
}

static int cb_http_error(struct mg_connection *conn, int status,
                         const char *msg)
{
	ev("http_error %d msg=%s", status, str(msg));
	if (cfg.http_error_ret == 1) {
		char head[256], body[64];

		app_page(status, head, sizeof head, body, sizeof body);
		mg_printf(conn, "%s%s", head, body);
	}
	return cfg.http_error_ret;
}

static int from_init(struct mg_connection *conn, void *cbdata)
{
	(void)cbdata;
	mg_send_http_ok(conn, "text/plain", 18);
	mg_write(conn, "from init_context\n", 18);
	return 200;
}

static void cb_init_context(const struct mg_context *c)
{
	struct mg_server_port ports[4];
	int n = mg_get_server_ports(c, 4, ports);

	ev("init_context ports=%d port_set=%d user_data=%d", n,
	   n > 0 && ports[0].port > 0, mg_get_user_data(c) == &user_marker);
	/* registering handlers here is what init_context is for */
	mg_set_request_handler((struct mg_context *)c, "/from-init", from_init,
	                       NULL);
}

static void cb_exit_context(const struct mg_context *c)
{
	ev("exit_context user_data=%d", mg_get_user_data(c) == &user_marker);
	pthread_mutex_lock(&rec.mu);
	rec.exited = 1;
	pthread_mutex_unlock(&rec.mu);
}

static void *cb_init_thread(const struct mg_context *c, int type)
{
	struct thread_rec *t = NULL;

	(void)c;
	pthread_mutex_lock(&rec.mu);
	if (nthreads < MAX_THREADS) {
		t = &threads[nthreads++];
		t->magic = THREAD_MAGIC;
		t->type = type;
		t->tid = pthread_self();
	}
	pthread_mutex_unlock(&rec.mu);
	ev("init_thread %d", type);
	return t;
}

static void cb_exit_thread(const struct mg_context *c, int type, void *p)
{
	struct thread_rec *t;

	(void)c;
	pthread_mutex_lock(&rec.mu);
	t = thread_rec_of(p);
	if (t != NULL) {
		t->exits++;
		t->bad_type |= t->type != type;
		t->other_thread |= !pthread_equal(t->tid, pthread_self());
	}
	pthread_mutex_unlock(&rec.mu);
	if (t == NULL)
		ev("exit_thread unknown pointer type=%d", type);
	else
		ev("exit_thread %d", type);
}

static const struct mg_connection *_Atomic cry_conn;

static int cb_log_message(const struct mg_connection *conn, const char *msg)
{
	ev("log_message conn=%d %s", conn != NULL && conn == cry_conn,
	   str(msg));
	return cfg.log_message_ret;
}

static int cb_log_access(const struct mg_connection *conn, const char *msg)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);

	ev("log_access uri=%s|%s", str(ri->local_uri), str(msg));
	return cfg.log_access_ret;
}

/* A memory block with NULs inside: only data_len can say its size. */
static const char mem_block[] = "MEMORY\0BLOCK\0x";
#define MEM_LEN (sizeof mem_block - 1)

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && strcmp(s + n - t, tail) == 0;
}

static const char *cb_open_file(const struct mg_connection *conn,
                                const char *path, size_t *data_len)
{
	(void)conn;
	ev("open_file %s", str(path));
	if (path != NULL &&
	    (ends_with(path, "/virtual.txt") || ends_with(path, "/both.txt"))) {
		*data_len = MEM_LEN;
		return mem_block;
	}
	return NULL;
}

static int cb_init_connection(const struct mg_connection *conn, void **data)
{
	struct conn_rec *r = NULL;

	(void)conn;
	pthread_mutex_lock(&rec.mu);
	if (nconn_recs < MAX_CONN_RECS) {
		r = &conn_recs[nconn_recs];
		r->id = 100 + nconn_recs++;
	}
	pthread_mutex_unlock(&rec.mu);
	*data = r;
	ev("init_connection id=%d", r != NULL ? r->id : -1);
	return 0;
}

static void cb_connection_close(const struct mg_connection *conn)
{
	int held = held_now(), eof = -1;

	/* must stay 0: the socket is still open */
	if (cfg.close_probe)
		eof = wait_client_flag(300);
	ev("connection_close port=%d held=%d eof=%d data=%d",
	   mg_get_request_info(conn)->remote_port, held, eof,
	   conn_data_id(conn));
}

static void cb_connection_closed(const struct mg_connection *conn)
{
	int held = held_now(), eof = -1;

	/* must be 1: the socket is closed by now */
	if (cfg.close_probe)
		eof = wait_client_flag(3000);
	ev("connection_closed port=%d held=%d eof=%d",
	   mg_get_request_info(conn)->remote_port, held, eof);
}

/* ---- handlers ------------------------------------------------------------ */

static int h_ok(struct mg_connection *conn, void *cbdata)
{
	(void)cbdata;
	mg_send_http_ok(conn, "text/plain", 3);
	mg_write(conn, "ok\n", 3);
	return 200;
}

/* Records that it ran, then answers. */
static int h_record(struct mg_connection *conn, void *cbdata)
{
	(void)cbdata;
	ev("handler %s", mg_get_request_info(conn)->local_uri);
	mg_send_http_ok(conn, "text/plain", 8);
	mg_write(conn, "handler\n", 8);
	return 200;
}

static int h_teapot(struct mg_connection *conn, void *cbdata)
{
	(void)cbdata;
	mg_printf(conn, "HTTP/1.1 418 I'm a teapot\r\nContent-Length: 4\r\n"
	                "\r\ntea!");
	return 1; /* "handled": end_request must still see 418 */
}

static int h_senderr(struct mg_connection *conn, void *cbdata)
{
	(void)cbdata;
	mg_send_http_error(conn, 403, "denied %d", 7);
	return 403;
}

static int h_cry(struct mg_connection *conn, void *cbdata)
{
	(void)cbdata;
	cry_conn = conn;
	mg_cry(conn, "cry-marker-%d", 42);
	return h_ok(conn, NULL);
}

static int auth_deny(struct mg_connection *conn, void *cbdata)
{
	(void)cbdata;
	ev("auth %s", mg_get_request_info(conn)->local_uri);
	return 0;
}

/* Reports whether mg_get_thread_pointer() is this thread's init_thread. */
static int h_thread_pointer(struct mg_connection *conn, void *cbdata)
{
	const struct thread_rec *t = mg_get_thread_pointer(conn);
	char body[128];
	int n, ok, type;

	(void)cbdata;
	pthread_mutex_lock(&rec.mu);
	ok = t != NULL && thread_rec_of(t) == t && t->magic == THREAD_MAGIC &&
	     pthread_equal(t->tid, pthread_self());
	type = ok ? t->type : -1;
	pthread_mutex_unlock(&rec.mu);
	n = snprintf(body, sizeof body, "pointer=%s type=%d\n",
	             ok ? "mine" : "wrong", type);
	mg_send_http_ok(conn, "text/plain", n);
	mg_write(conn, body, (size_t)n);
	return 200;
}

/* Reports the connection data: its record id, and whether
 * request_info.conn_data agrees with mg_get_user_connection_data(). */
static int h_conn_data(struct mg_connection *conn, void *cbdata)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	char body[128];
	int n;

	(void)cbdata;
	n = snprintf(body, sizeof body, "id=%d ri_agrees=%d\n",
	             conn_data_id(conn),
	             ri->conn_data == mg_get_user_connection_data(conn));
	mg_send_http_ok(conn, "text/plain", n);
	mg_write(conn, body, (size_t)n);
	return 200;
}

static const char *const names[] = {"alpha", "beta", "gamma", "delta"};

/* /set?v=name stores a pointer to that name as connection data;
 * /get answers with the name stored on this connection, or "none". */
static int h_set(struct mg_connection *conn, void *cbdata)
{
	const char *q = mg_get_request_info(conn)->query_string;

	(void)cbdata;
	for (size_t i = 0; q != NULL && i < sizeof names / sizeof names[0]; i++)
		if (strncmp(q, "v=", 2) == 0 && strcmp(q + 2, names[i]) == 0)
			mg_set_user_connection_data(conn, (void *)names[i]);
	return h_ok(conn, NULL);
}

static int h_get(struct mg_connection *conn, void *cbdata)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	const char *v = mg_get_user_connection_data(conn), *name = "garbage";
	char body[128];
	int n;

	(void)cbdata;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (v == names[i])
			name = v;
	n = snprintf(body, sizeof body, "%s ri_agrees=%d\n",
	             v == NULL ? "none" : name, ri->conn_data == (void *)v);
	mg_send_http_ok(conn, "text/plain", n);
	mg_write(conn, body, (size_t)n);
	return 200;
}

/* ---- server and fixture -------------------------------------------------- */

static void add_handlers(void)
{
	mg_set_request_handler(ctx, "/ok", h_ok, NULL);
	mg_set_request_handler(ctx, "/teapot", h_teapot, NULL);
	mg_set_request_handler(ctx, "/senderr", h_senderr, NULL);
	mg_set_request_handler(ctx, "/cry", h_cry, NULL);
	mg_set_request_handler(ctx, "/threadptr", h_thread_pointer, NULL);
	mg_set_request_handler(ctx, "/data", h_conn_data, NULL);
	mg_set_request_handler(ctx, "/set", h_set, NULL);
	mg_set_request_handler(ctx, "/get", h_get, NULL);
}

static void start(const struct mg_callbacks *cb, const char **opts)
{
	ctx = tl_start(cb, &user_marker, opts, &port);
	add_handlers();
}

static void stop(void)
{
	if (ctx != NULL)
		mg_stop(ctx);
	ctx = NULL;
}

static void path_in_dir(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

/* The document root is made once per run, in the runner's process, so it
 * is removed even when a test fails in its own forked process. */
static void make_root(void)
{
	dir = tl_mkdtemp();
	tl_write_file(dir, "file.txt", "disk file\n", 10);
	tl_write_file(dir, "both.txt", "disk copy\n", 10);
	tl_write_file(dir, "real.txt", "real file on disk\n", 18);
}

static void remove_root(void)
{
	tl_rmdir(dir);
	free(dir);
	dir = NULL;
}

static void setup(void)
{
	char path[512];

	pthread_mutex_lock(&rec.mu);
	rec.n = 0;
	rec.exited = rec.late = rec.client_flag = rec.held = 0;
	nthreads = 0;
	memset(threads, 0, sizeof threads);
	nconn_recs = 0;
	memset(conn_recs, 0, sizeof conn_recs);
	pthread_mutex_unlock(&rec.mu);
	memset(&cfg, 0, sizeof cfg);
	cry_conn = NULL;
	ctx = NULL;
	/* each test starts with no log files */
	path_in_dir(path, sizeof path, "access.log");
	unlink(path);
	path_in_dir(path, sizeof path, "error.log");
	unlink(path);
}

static void teardown(void)
{
	stop();
}

/* The whole file (malloc'ed, NUL-terminated; "" if it does not exist). */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, 1);
	size_t len = 0;

	if (f == NULL)
		return buf;
	for (;;) {
		char chunk[4096];
		size_t n = fread(chunk, 1, sizeof chunk, f);

		if (n == 0)
			break;
		buf = realloc(buf, len + n + 1);
		memcpy(buf + len, chunk, n);
		len += n;
		buf[len] = '\0';
	}
	fclose(f);
	return buf;
}

/* Split text into lines in place; returns the count (at most max). */
static int split_lines(char *text, char **lines, int max)
{
	int n = 0;

	for (char *p = text; *p != '\0' && n < max;) {
		char *nl = strchr(p, '\n');

		lines[n++] = p;
		if (nl == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return n;
}

static int local_port(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;

	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	return ntohs(a.sin_port);
}

/* Send one request on fd and read its response; returns the status. */
static int exchange(int fd, const char *raw, struct tl_resp *r)
{
	char method[16] = "";

	sscanf(raw, "%15s", method);
	ck_assert_int_eq(tl_send(fd, raw), 0);
	return tl_read_response(fd, method, r);
}

/* Nothing more arrives on fd within ms (and it is not closed either). */
static void assert_nothing_more(int fd, int ms)
{
	char buf[256];
	size_t n = tl_read_all(fd, buf, sizeof buf - 1, ms);

	buf[n] = '\0';
	ck_assert_msg(n == 0, "unexpected bytes after the response: %s", buf);
}

/* CivetWeb's access log line. */
struct access_line {
	char addr[64], user[64], date[64], method[16], uri[256], version[8];
	int status;
	long long bytes;
	char referer[256], agent[256];
};

static int parse_access(const char *line, struct access_line *a)
{
	static const char re[] =
	    "^([0-9.]+) - ([^ ]+) \\[([0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:"
	    "[0-9]{2}:[0-9]{2}:[0-9]{2} [-+][0-9]{4})\\] "
	    "\"([A-Z]+) ([^ ]+) HTTP/([0-9.]+)\" ([0-9]+) ([0-9]+) "
	    "([^ ]+) (.+)$";
	regex_t rx;
	regmatch_t m[11];
	struct {
		char *dst;
		size_t cap;
	} f[11] = {
	    [1] = {a->addr, sizeof a->addr},
	    [2] = {a->user, sizeof a->user},
	    [3] = {a->date, sizeof a->date},
	    [4] = {a->method, sizeof a->method},
	    [5] = {a->uri, sizeof a->uri},
	    [6] = {a->version, sizeof a->version},
	    [9] = {a->referer, sizeof a->referer},
	    [10] = {a->agent, sizeof a->agent},
	};
	int ok;

	memset(a, 0, sizeof *a);
	ck_assert_int_eq(regcomp(&rx, re, REG_EXTENDED), 0);
	ok = regexec(&rx, line, 11, m, 0) == 0;
	regfree(&rx);
	if (!ok)
		return -1;
	for (int i = 1; i < 11; i++)
		if (f[i].dst != NULL)
			snprintf(f[i].dst, f[i].cap, "%.*s",
			         (int)(m[i].rm_eo - m[i].rm_so),
			         line + m[i].rm_so);
	a->status = atoi(line + m[7].rm_so);
	a->bytes = atoll(line + m[8].rm_so);
	return 0;
}

/* The message part of a "log_access uri=...|message" event. */
static const char *access_msg(const char *event)
{
	const char *bar = strchr(event, '|');

	return bar != NULL ? bar + 1 : "";
}

/* ---- begin_request ------------------------------------------------------- */

START_TEST(begin_request_zero_lets_handler_and_file_answer)
{
	struct mg_callbacks cb = {.begin_request = cb_begin_request};
	const char *opts[] = {"document_root", dir, NULL};
	struct tl_resp r;

	start(&cb, opts);
	ck_assert_int_eq(tl_get(port, "/ok", &r), 200);
	ck_assert_str_eq(r.body, "ok\n");
	tl_resp_free(&r);
	ck_assert_int_eq(tl_get(port, "/file.txt", &r), 200);
	ck_assert_str_eq(r.body, "disk file\n");
	tl_resp_free(&r);
	ck_assert_int_eq(ev_count("begin "), 2);
	ck_assert_int_ge(ev_find("begin GET /ok", 0, NULL, 0), 0);
	ck_assert_int_ge(ev_find("begin GET /file.txt", 0, NULL, 0), 0);
}
END_TEST

START_TEST(begin_request_nonzero_response_is_all_the_client_gets)
{
	struct mg_callbacks cb = {.begin_request = cb_begin_request};
	const char *opts[] = {"document_root", dir, "enable_keep_alive", "yes",
	                      NULL};
	static const int rets[] = {1, 200, 299, 999};
	struct tl_resp r;
	int fd;

	start(&cb, opts);
	/* a handler and a file on the same URI must both stay unused */
	mg_set_request_handler(ctx, "/file.txt", h_record, NULL);
	fd = tl_connect(port);
	for (size_t i = 0; i < sizeof rets / sizeof rets[0]; i++) {
		char req[128];

		snprintf(
		    req, sizeof req,
		    "GET /file.txt HTTP/1.1\r\nHost: x\r\nX-Ret: %d\r\n\r\n",
		    rets[i]);
		ck_assert_int_eq(exchange(fd, req, &r), 200);
		/* byte for byte what the callback wrote: nothing added */
		ck_assert_str_eq(r.head, begin_head);
		ck_assert_str_eq(r.body, begin_body);
		tl_resp_free(&r);
	}
	/* and nothing appended after it */
	assert_nothing_more(fd, 200);
	ck_assert_int_eq(ev_count("handler "), 0);
	/* the same connection, begin_request returning 0: the handler */
	ck_assert_int_eq(
	    exchange(fd, "GET /file.txt HTTP/1.1\r\nHost: x\r\n\r\n", &r), 200);
	ck_assert_str_eq(r.body, "handler\n");
	tl_resp_free(&r);
	ck_assert_int_eq(ev_count("handler "), 1);
	close(fd);
}
END_TEST

START_TEST(begin_request_return_value_is_the_access_log_status)
{
	struct mg_callbacks cb = {.begin_request = cb_begin_request,
	                          .log_access = cb_log_access};
	char logpath[512], *text, *lines[16], ev_text[EVENT_LEN];
	const char *opts[] = {"access_log_file", logpath, "enable_keep_alive",
	                      "yes", NULL};
	static const int rets[] = {1, 299, 999};
	struct access_line a;
	struct tl_resp r;
	int fd, n;

	path_in_dir(logpath, sizeof logpath, "access.log");
	start(&cb, opts);
	fd = tl_connect(port);
	for (size_t i = 0; i < 3; i++) {
		char req[128];

		snprintf(req, sizeof req,
		         "GET /ok HTTP/1.1\r\nHost: x\r\nX-Ret: %d\r\n\r\n",
		         rets[i]);
		ck_assert_int_eq(exchange(fd, req, &r), 200);
		tl_resp_free(&r);
	}
	close(fd);
	stop();
	/* the log_access callback's line */
	ck_assert_int_eq(ev_count("log_access "), 3);
	for (int i = 0; i < 3; i++) {
		ev_find("log_access ", i, ev_text, sizeof ev_text);
		ck_assert_msg(parse_access(access_msg(ev_text), &a) == 0,
		              "not an access line: %s", ev_text);
		ck_assert_int_eq(a.status, rets[i]);
	}
	/* the access_log_file's line */
	text = slurp(logpath);
	n = split_lines(text, lines, 16);
	ck_assert_int_eq(n, 3);
	for (int i = 0; i < n; i++) {
		ck_assert_msg(parse_access(lines[i], &a) == 0,
		              "not an access line: %s", lines[i]);
		ck_assert_int_eq(a.status, rets[i]);
	}
	free(text);
}
END_TEST

START_TEST(begin_request_is_called_before_authorization)
{
	struct mg_callbacks cb = {.begin_request = cb_begin_request};
	struct tl_resp r;

	start(&cb, NULL);
	mg_set_auth_handler(ctx, "/secret", auth_deny, NULL);
	mg_set_request_handler(ctx, "/secret", h_record, NULL);
	/* begin_request handles it: the auth handler is never asked */
	ck_assert_int_eq(tl_request(port,
	                            "GET /secret HTTP/1.1\r\nHost: x\r\n"
	                            "X-Ret: 200\r\nConnection: close\r\n\r\n",
	                            &r),
	                 200);
	ck_assert_str_eq(r.body, begin_body);
	tl_resp_free(&r);
	ck_assert_int_eq(ev_count("auth "), 0);
	ck_assert_int_eq(ev_count("handler "), 0);
	/* begin_request declines: authorization runs, after it, and denies
	 * (the request handler never runs) */
	ck_assert_int_ne(tl_get(port, "/secret", &r), 200);
	tl_resp_free(&r);
	ck_assert_int_eq(ev_count("auth "), 1);
	ck_assert_int_eq(ev_count("handler "), 0);
	ck_assert_int_lt(ev_find("begin GET /secret", 1, NULL, 0),
	                 ev_find("auth /secret", 0, NULL, 0));
}
END_TEST

/* ---- end_request --------------------------------------------------------- */

START_TEST(end_request_gets_the_status_sent_once_per_request)
{
	struct mg_callbacks cb = {.end_request = cb_end_request};
	const char *opts[] = {"document_root", dir, "enable_keep_alive", "yes",
	                      NULL};
	static const struct {
		const char *target;
		int status;
		const char *event;
	} reqs[] = {
	    {"/ok", 200, "end 200 GET /ok HTTP/1.1 uri=/ok "},
	    {"/teapot", 418, "end 418 GET /teapot HTTP/1.1 uri=/teapot "},
	    {"/missing.txt", 404,
	     "end 404 GET /missing.txt HTTP/1.1 uri=/missing.txt "},
	    {"/senderr", 403, "end 403 GET /senderr HTTP/1.1 uri=/senderr "},
	    {"/file.txt", 200, "end 200 GET /file.txt HTTP/1.1 uri=/file.txt "},
	};
	struct tl_resp r;
	int fd, n = (int)(sizeof reqs / sizeof reqs[0]);

	start(&cb, opts);
	fd = tl_connect(port);
	for (int i = 0; i < n; i++) {
		char req[256], got[EVENT_LEN];

		snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n",
		         reqs[i].target);
		ck_assert_int_eq(exchange(fd, req, &r), reqs[i].status);
		/* an error page the library makes ends the connection, as
		 * in CivetWeb (the handler's own 418 does not) */
		ck_assert_int_eq(r.closed, reqs[i].status == 403 ||
		                               reqs[i].status == 404);
		tl_resp_free(&r);
		if (r.closed) {
			close(fd);
			fd = tl_connect(port);
		}
		/* one call per request, in order, after its response */
		ck_assert_int_eq(ev_wait("end ", i + 1, 5000), i + 1);
		ev_find("end ", i, got, sizeof got);
		ck_assert_msg(
		    strncmp(got, reqs[i].event, strlen(reqs[i].event)) == 0,
		    "expected '%s...', got '%s'", reqs[i].event, got);
	}
	close(fd);
	stop();
	ck_assert_int_eq(ev_count("end "), n);
}
END_TEST

START_TEST(end_request_gets_400_for_a_request_with_a_bad_path)
{
	struct mg_callbacks cb = {.end_request = cb_end_request};
	const char *opts[] = {"document_root", dir, "enable_keep_alive", "yes",
	                      NULL};
	struct tl_resp r;
	char got[EVENT_LEN];
	int fd;

	start(&cb, opts);
	fd = tl_connect(port);
	/* a first request leaves its paths behind on the connection */
	ck_assert_int_eq(
	    exchange(fd, "GET /ok/first HTTP/1.1\r\nHost: x\r\n\r\n", &r), 200);
	tl_resp_free(&r);
	/* a decoded NUL in the path is refused with 400 */
	ck_assert_int_eq(
	    exchange(fd, "GET /a%00b HTTP/1.1\r\nHost: x\r\n\r\n", &r), 400);
	tl_resp_free(&r);
	close(fd);
	ck_assert_int_eq(ev_wait("end ", 2, 5000), 2);
	ev_find("end ", 1, got, sizeof got);
	ck_assert_msg(strncmp(got, "end 400 GET ", 12) == 0, "got '%s'", got);
	/* request_info describes this request, not the one before */
	ck_assert_msg(strstr(got, "uri=/a%00b ") != NULL, "got '%s'", got);
	ck_assert_msg(strstr(got, "/ok/first") == NULL,
	              "request_info of the previous request: '%s'", got);
}
END_TEST

START_TEST(end_request_info_of_a_refused_long_path_is_not_stale_memory)
{
	struct mg_callbacks cb = {.end_request = cb_end_request};
	const char *opts[] = {"enable_keep_alive", "yes", NULL};
	char req[8192], got[EVENT_LEN];
	struct tl_resp r;
	int fd, n;

	start(&cb, opts);
	fd = tl_connect(port);
	ck_assert_int_eq(
	    exchange(fd, "GET /ok/first HTTP/1.1\r\nHost: x\r\n\r\n", &r), 200);
	tl_resp_free(&r);
	/* a path far longer than the first one, refused for its NUL: the
	 * server needs more room to decode it than the first path took */
	n = snprintf(req, sizeof req, "GET /a");
	memset(req + n, 'a', 4000);
	n += 4000;
	snprintf(req + n, sizeof req - (size_t)n,
	         "%%00 HTTP/1.1\r\nHost: x\r\n\r\n");
	ck_assert_int_eq(exchange(fd, req, &r), 400);
	tl_resp_free(&r);
	close(fd);
	ck_assert_int_eq(ev_wait("end_local ", 2, 5000), 2);
	/* local_uri is this request's (or NULL), never what the previous
	 * request left behind */
	ev_find("end_local ", 1, got, sizeof got);
	ck_assert_msg(strcmp(got, "end_local [(null)]") == 0 ||
	                  strncmp(got, "end_local [/a", 13) == 0,
	              "local_uri of a refused request: '%.60s'", got);
}
END_TEST

START_TEST(end_request_runs_after_the_client_has_the_response)
{
	struct mg_callbacks cb = {.end_request = cb_end_request};
	struct tl_resp r;
	char got[EVENT_LEN];
	int fd;

	cfg.end_waits_for_client = 1;
	start(&cb, NULL);
	fd = tl_connect(port);
	/* end_request blocks until the client has read the whole response:
	 * were it called before the response went out, the read would stall
	 * and end_request would give up waiting (client=0) */
	ck_assert_int_eq(exchange(fd,
	                          "GET /ok HTTP/1.1\r\nHost: x\r\n"
	                          "Connection: close\r\n\r\n",
	                          &r),
	                 200);
	ck_assert_str_eq(r.body, "ok\n");
	tl_resp_free(&r);
	set_client_flag();
	ck_assert_int_eq(ev_wait("end ", 1, 5000), 1);
	ev_find("end ", 0, got, sizeof got);
	ck_assert_msg(strstr(got, " client=1") != NULL, "got '%s'", got);
	close(fd);
}
END_TEST

START_TEST(end_request_gets_sent_status_not_begin_request_return)
{
	struct mg_callbacks cb = {.begin_request = cb_begin_request,
	                          .end_request = cb_end_request};
	struct tl_resp r;
	char got[EVENT_LEN];

	start(&cb, NULL);
	/* begin_request writes a 200 response and returns 299 */
	ck_assert_int_eq(
	    tl_request(port,
	               "GET /ok HTTP/1.1\r\nHost: x\r\nX-Ret: 299\r\n"
	               "Connection: close\r\n\r\n",
	               &r),
	    200);
	tl_resp_free(&r);
	ck_assert_int_eq(ev_wait("end ", 1, 5000), 1);
	ev_find("end ", 0, got, sizeof got);
	ck_assert_msg(strncmp(got, "end 200 GET /ok ", 16) == 0, "got '%s'",
	              got);
}
END_TEST

/* ---- http_error ---------------------------------------------------------- */

/* Reads the application's page for status off a keep-alive fd. */
static void expect_app_page(int fd, const char *req, int status)
{
	char head[256], body[64];
	struct tl_resp r;

	app_page(status, head, sizeof head, body, sizeof body);
	ck_assert_int_eq(exchange(fd, req, &r), status);
	ck_assert_str_eq(r.head, head);
	ck_assert_str_eq(r.body, body);
	tl_resp_free(&r);
	assert_nothing_more(fd, 200);
}

START_TEST(http_error_returning_1_app_page_only_for_missing_file)
{
	struct mg_callbacks cb = {.http_error = cb_http_error};
	const char *opts[] = {"document_root", dir, "enable_keep_alive", "yes",
	                      NULL};
	struct tl_resp r;
	char got[EVENT_LEN];
	int fd;

	cfg.http_error_ret = 1;
	start(&cb, opts);
	fd = tl_connect(port);
	expect_app_page(fd, "GET /missing.txt HTTP/1.1\r\nHost: x\r\n\r\n",
	                404);
	ck_assert_int_eq(ev_count("http_error "), 1);
	ev_find("http_error 404 msg=", 0, got, sizeof got);
	ck_assert_msg(strlen(got) > strlen("http_error 404 msg="),
	              "no message: '%s'", got);
	/* the connection is still in step */
	ck_assert_int_eq(
	    exchange(fd, "GET /file.txt HTTP/1.1\r\nHost: x\r\n\r\n", &r), 200);
	ck_assert_str_eq(r.body, "disk file\n");
	tl_resp_free(&r);
	close(fd);
}
END_TEST

START_TEST(http_error_returning_1_app_page_only_for_send_http_error)
{
	struct mg_callbacks cb = {.http_error = cb_http_error};
	const char *opts[] = {"enable_keep_alive", "yes", NULL};
	struct tl_resp r;
	int fd;

	cfg.http_error_ret = 1;
	start(&cb, opts);
	fd = tl_connect(port);
	expect_app_page(fd, "GET /senderr HTTP/1.1\r\nHost: x\r\n\r\n", 403);
	ck_assert_int_eq(ev_count("http_error "), 1);
	ck_assert_int_ge(ev_find("http_error 403 msg=denied 7", 0, NULL, 0), 0);
	ck_assert_int_eq(
	    exchange(fd, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n", &r), 200);
	tl_resp_free(&r);
	close(fd);
}
END_TEST

/* The built-in page: the status, a body, and not the application's page. */
static void expect_builtin_page(const char *req, int status, const char *text)
{
	char head[256], body[64];
	struct tl_resp r;

	app_page(status, head, sizeof head, body, sizeof body);
	ck_assert_int_eq(tl_request(port, req, &r), status);
	ck_assert_ptr_null(tl_header(&r, "X-App-Page"));
	ck_assert_uint_gt(r.body_len, 0);
	ck_assert_str_ne(r.body, body);
	if (text != NULL)
		ck_assert_msg(strstr(r.body, text) != NULL,
		              "'%s' not in the page: %s", text, r.body);
	tl_resp_free(&r);
}

START_TEST(http_error_returning_0_builtin_page_for_missing_file)
{
	struct mg_callbacks cb = {.http_error = cb_http_error};
	const char *opts[] = {"document_root", dir, NULL};

	cfg.http_error_ret = 0;
	start(&cb, opts);
	expect_builtin_page("GET /missing.txt HTTP/1.1\r\nHost: x\r\n"
	                    "Connection: close\r\n\r\n",
	                    404, "404");
	ck_assert_int_eq(ev_count("http_error "), 1);
	ck_assert_int_ge(ev_find("http_error 404 msg=", 0, NULL, 0), 0);
}
END_TEST

START_TEST(http_error_returning_0_builtin_page_for_send_http_error)
{
	struct mg_callbacks cb = {.http_error = cb_http_error};

	cfg.http_error_ret = 0;
	start(&cb, NULL);
	/* mg_send_http_error's own text is the content of the page */
	expect_builtin_page("GET /senderr HTTP/1.1\r\nHost: x\r\n"
	                    "Connection: close\r\n\r\n",
	                    403, "denied 7");
	ck_assert_int_eq(ev_count("http_error "), 1);
	ck_assert_int_ge(ev_find("http_error 403 msg=denied 7", 0, NULL, 0), 0);
}
END_TEST

START_TEST(http_error_called_for_a_malformed_request)
{
	struct mg_callbacks cb = {.http_error = cb_http_error};
	char head[256], body[64];
	struct tl_resp r;

	cfg.http_error_ret = 1;
	start(&cb, NULL);
	app_page(400, head, sizeof head, body, sizeof body);
	ck_assert_int_eq(tl_request(port, "GARBAGE\r\n\r\n", &r), 400);
	ck_assert_str_eq(r.body, body);
	ck_assert_ptr_nonnull(tl_header(&r, "X-App-Page"));
	tl_resp_free(&r);
	ck_assert_int_eq(ev_count("http_error 400 "), 1);
}
END_TEST

START_TEST(http_error_called_before_any_error_sent_for_a_timed_out_request)
{
	struct mg_callbacks cb = {.http_error = cb_http_error};
	const char *opts[] = {"request_timeout_ms", "300", NULL};
	struct tl_resp r;
	int fd, st;

	cfg.http_error_ret = 0;
	start(&cb, opts);
	fd = tl_connect(port);
	/* a head that never ends */
	ck_assert_int_eq(tl_send(fd, "GET /ok HTTP/1.1\r\nHost: x\r\n"), 0);
	st = tl_read_response(fd, "GET", &r);
	tl_resp_free(&r);
	close(fd);
	/* closing without an answer is fine; an error page is an HTTP error
	 * sent to the client, so http_error must have been asked first */
	if (st >= 400) {
		char prefix[32];

		snprintf(prefix, sizeof prefix, "http_error %d ", st);
		ck_assert_msg(ev_count(prefix) == 1,
		              "%d sent without calling http_error", st);
	}
}
END_TEST

/* ---- init_context / exit_context ----------------------------------------- */

START_TEST(init_context_runs_once_before_the_first_request)
{
	struct mg_callbacks cb = {.init_context = cb_init_context,
	                          .begin_request = cb_begin_request};
	struct tl_resp r;
	char got[EVENT_LEN];

	start(&cb, NULL);
	ck_assert_int_eq(ev_count("init_context "), 1);
	ev_find("init_context ", 0, got, sizeof got);
	/* started and initialized: the listening port is known */
	ck_assert_str_eq(got, "init_context ports=1 port_set=1 user_data=1");
	/* the handler it registered answers the very first request */
	ck_assert_int_eq(tl_get(port, "/from-init", &r), 200);
	ck_assert_str_eq(r.body, "from init_context\n");
	tl_resp_free(&r);
	ck_assert_int_lt(ev_find("init_context ", 0, NULL, 0),
	                 ev_find("begin ", 0, NULL, 0));
	stop();
	ck_assert_int_eq(ev_count("init_context "), 1);
}
END_TEST

START_TEST(exit_context_runs_once_on_stop_and_no_callback_after_it)
{
	struct mg_callbacks cb = {.init_context = cb_init_context,
	                          .exit_context = cb_exit_context,
	                          .begin_request = cb_begin_request,
	                          .end_request = cb_end_request,
	                          .log_access = cb_log_access,
	                          .init_thread = cb_init_thread,
	                          .exit_thread = cb_exit_thread,
	                          .init_connection = cb_init_connection,
	                          .connection_close = cb_connection_close,
	                          .connection_closed = cb_connection_closed};
	const char *opts[] = {"enable_keep_alive", "yes",
	                      "keep_alive_timeout_ms", "10000", NULL};
	struct tl_resp r;
	char prefix[64];
	int fd, last;

	start(&cb, opts);
	/* an idle keep-alive connection is still open when the server stops */
	fd = tl_connect(port);
	ck_assert_int_eq(
	    exchange(fd, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n", &r), 200);
	tl_resp_free(&r);
	ck_assert_int_eq(ev_wait("end ", 1, 5000), 1);
	ck_assert_int_eq(ev_count("exit_context"), 0);
	stop();
	ck_assert_int_eq(ev_count("exit_context"), 1);
	ck_assert_int_eq(ev_count("exit_context user_data=1"), 1);
	pthread_mutex_lock(&rec.mu);
	last = rec.n - 1;
	ck_assert_int_eq(rec.late, 0);
	pthread_mutex_unlock(&rec.mu);
	ck_assert_int_eq(ev_find("exit_context", 0, NULL, 0), last);
	/* the open connection was closed, and reported, before that */
	snprintf(prefix, sizeof prefix, "connection_close port=%d ",
	         local_port(fd));
	ck_assert_int_eq(ev_count(prefix), 1);
	ck_assert_int_eq(ev_count("exit_thread "), ev_count("init_thread "));
	close(fd);
}
END_TEST

/* ---- init_thread / exit_thread ------------------------------------------- */

START_TEST(init_and_exit_thread_pair_up_by_pointer_type_and_thread)
{
	struct mg_callbacks cb = {.init_thread = cb_init_thread,
	                          .exit_thread = cb_exit_thread};
	const char *opts[] = {"num_threads", "3", NULL};
	struct tl_resp r;

	start(&cb, opts);
	ck_assert_int_eq(tl_get(port, "/ok", &r), 200);
	tl_resp_free(&r);
	stop();
	ck_assert_int_eq(ev_count("init_thread 0"), 1);
	ck_assert_int_eq(ev_count("init_thread 1"), 3); /* num_threads */
	ck_assert_int_ge(ev_count("init_thread 2"), 1);
	ck_assert_int_eq(ev_count("exit_thread unknown"), 0);
	ck_assert_int_eq(ev_count("exit_thread "), ev_count("init_thread "));
	for (int i = 0; i < nthreads; i++) {
		ck_assert_msg(threads[i].exits == 1,
		              "thread %d (type %d) exited %d times", i,
		              threads[i].type, threads[i].exits);
		ck_assert_msg(!threads[i].bad_type,
		              "thread %d: exit_thread type differs", i);
		ck_assert_msg(!threads[i].other_thread,
		              "thread %d: exit_thread on another thread", i);
	}
}
END_TEST

START_TEST(thread_pointer_in_handler_is_what_init_thread_returned)
{
	struct mg_callbacks cb = {.init_thread = cb_init_thread,
	                          .exit_thread = cb_exit_thread};
	const char *opts[] = {"num_threads", "4", "enable_keep_alive", "yes",
	                      NULL};
	int fds[4];

	start(&cb, opts);
	for (int i = 0; i < 4; i++)
		fds[i] = tl_connect(port);
	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < 4; i++) {
			struct tl_resp r;

			ck_assert_int_eq(
			    exchange(
			        fds[i],
			        "GET /threadptr HTTP/1.1\r\nHost: x\r\n\r\n",
			        &r),
			    200);
			ck_assert_str_eq(r.body, "pointer=mine type=1\n");
			tl_resp_free(&r);
		}
	}
	for (int i = 0; i < 4; i++)
		close(fds[i]);
}
END_TEST

/* ---- log_message --------------------------------------------------------- */

static void cry_and_stop(const char *logpath)
{
	struct mg_callbacks cb = {.log_message = cb_log_message};
	const char *opts[] = {"error_log_file", logpath, NULL};
	char got[EVENT_LEN];
	struct tl_resp r;

	start(&cb, opts);
	ck_assert_int_eq(tl_get(port, "/cry", &r), 200);
	tl_resp_free(&r);
	stop();
	/* the callback got the message, with the handler's connection */
	ck_assert_int_eq(ev_count("log_message conn=1 "), 1);
	ev_find("log_message conn=1 ", 0, got, sizeof got);
	ck_assert_msg(strstr(got, "cry-marker-42") != NULL, "got '%s'", got);
}

START_TEST(log_message_nonzero_keeps_the_line_out_of_error_log)
{
	char logpath[512], *text;

	path_in_dir(logpath, sizeof logpath, "error.log");
	cfg.log_message_ret = 1;
	cry_and_stop(logpath);
	text = slurp(logpath);
	ck_assert_msg(strstr(text, "cry-marker-42") == NULL,
	              "suppressed message written: %s", text);
	free(text);
}
END_TEST

START_TEST(log_message_zero_lets_the_line_into_error_log)
{
	char logpath[512], *text;

	path_in_dir(logpath, sizeof logpath, "error.log");
	cfg.log_message_ret = 0;
	cry_and_stop(logpath);
	text = slurp(logpath);
	ck_assert_msg(strstr(text, "cry-marker-42") != NULL,
	              "message missing from the error log: '%s'", text);
	free(text);
}
END_TEST

/* ---- log_access ---------------------------------------------------------- */

/* What one request's access line must say. */
struct want_access {
	const char *uri, *version;
	int status;
	const char *referer, *agent;
};

/* The one line of lines[n] for w's request (by URI and version: the
 * server may log two connections in either order); fails unless exactly
 * one matches. */
static const struct access_line *only_line_for(const struct access_line *lines,
                                               int n,
                                               const struct want_access *w)
{
	const struct access_line *found = NULL;
	int matches = 0;

	for (int i = 0; i < n; i++)
		if (strcmp(lines[i].uri, w->uri) == 0 &&
		    strcmp(lines[i].version, w->version) == 0) {
			found = &lines[i];
			matches++;
		}
	ck_assert_msg(matches == 1, "%d access lines for GET %s HTTP/%s",
	              matches, w->uri, w->version);
	return found;
}

/* The event's uri= (the connection's request) agrees with its line. */
static void assert_event_is_its_request(const char *event,
                                        const struct access_line *a)
{
	size_t n = strcspn(a->uri, "?");
	const char *uri = event + strlen("log_access uri=");

	ck_assert_msg(strncmp(uri, a->uri, n) == 0 && uri[n] == '|',
	              "callback's connection is not its line's: '%s'", event);
}

START_TEST(log_access_gets_one_civetweb_format_line_per_request)
{
	static const struct want_access want[] = {
	    {"/ok?x=1", "1.1", 200, "http://ref.example/page", "cbtest/1.0"},
	    {"/missing", "1.1", 404, "-", "-"},
	    {"/ok", "1.0", 200, "-", "-"},
	};
	struct mg_callbacks cb = {.log_access = cb_log_access};
	const char *opts[] = {"enable_keep_alive", "yes", NULL};
	struct tl_resp r[3];
	struct access_line lines[3];
	char got[EVENT_LEN];
	int fd;

	start(&cb, opts);
	fd = tl_connect(port);
	ck_assert_int_eq(exchange(fd,
	                          "GET /ok?x=1 HTTP/1.1\r\nHost: x\r\n"
	                          "Referer: http://ref.example/page\r\n"
	                          "User-Agent: cbtest/1.0\r\n\r\n",
	                          &r[0]),
	                 200);
	ck_assert_int_eq(
	    exchange(fd, "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n", &r[1]),
	    404);
	close(fd);
	fd = tl_connect(port);
	ck_assert_int_eq(exchange(fd, "GET /ok HTTP/1.0\r\n\r\n", &r[2]), 200);
	close(fd);
	ck_assert_int_eq(ev_wait("log_access ", 3, 5000), 3);
	stop();
	ck_assert_int_eq(ev_count("log_access "), 3);
	for (int i = 0; i < 3; i++) {
		ev_find("log_access ", i, got, sizeof got);
		ck_assert_msg(parse_access(access_msg(got), &lines[i]) == 0,
		              "not CivetWeb's access line: '%s'", got);
		assert_event_is_its_request(got, &lines[i]);
	}
	for (int i = 0; i < 3; i++) {
		const struct access_line *a = only_line_for(lines, 3, &want[i]);
		long long total =
		    (long long)(strlen(r[i].head) + r[i].body_len);

		ck_assert_str_eq(a->addr, "127.0.0.1");
		ck_assert_str_eq(a->user, "-");
		ck_assert_str_eq(a->method, "GET");
		ck_assert_int_eq(a->status, want[i].status);
		/* bytes sent: at least the body, at most all of it */
		ck_assert_int_ge(a->bytes, (long long)r[i].body_len);
		ck_assert_int_le(a->bytes, total);
		ck_assert_str_eq(a->referer, want[i].referer);
		ck_assert_str_eq(a->agent, want[i].agent);
		tl_resp_free(&r[i]);
	}
}
END_TEST

static void two_requests(void)
{
	struct tl_resp r;
	int fd = tl_connect(port);

	ck_assert_int_eq(
	    exchange(fd, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n", &r), 200);
	tl_resp_free(&r);
	ck_assert_int_eq(exchange(fd,
	                          "GET /teapot HTTP/1.1\r\nHost: x\r\n"
	                          "Connection: close\r\n\r\n",
	                          &r),
	                 418);
	tl_resp_free(&r);
	close(fd);
}

START_TEST(log_access_nonzero_keeps_the_line_out_of_access_log)
{
	struct mg_callbacks cb = {.log_access = cb_log_access};
	char logpath[512], *text;
	const char *opts[] = {"access_log_file", logpath, "enable_keep_alive",
	                      "yes", NULL};

	path_in_dir(logpath, sizeof logpath, "access.log");
	cfg.log_access_ret = 1;
	start(&cb, opts);
	two_requests();
	stop();
	ck_assert_int_eq(ev_count("log_access "), 2);
	text = slurp(logpath);
	ck_assert_msg(text[0] == '\0', "suppressed lines written: %s", text);
	free(text);
}
END_TEST

START_TEST(log_access_zero_lets_the_same_line_into_access_log)
{
	struct mg_callbacks cb = {.log_access = cb_log_access};
	char logpath[512], *text, *lines[8], got[EVENT_LEN];
	const char *opts[] = {"access_log_file", logpath, "enable_keep_alive",
	                      "yes", NULL};

	path_in_dir(logpath, sizeof logpath, "access.log");
	cfg.log_access_ret = 0;
	start(&cb, opts);
	two_requests();
	stop();
	ck_assert_int_eq(ev_count("log_access "), 2);
	text = slurp(logpath);
	ck_assert_int_eq(split_lines(text, lines, 8), 2);
	for (int i = 0; i < 2; i++) {
		ev_find("log_access ", i, got, sizeof got);
		ck_assert_str_eq(lines[i], access_msg(got));
	}
	free(text);
}
END_TEST

/* ---- open_file ----------------------------------------------------------- */

START_TEST(open_file_memory_block_is_served_instead_of_disk)
{
	struct mg_callbacks cb = {.open_file = cb_open_file};
	const char *opts[] = {"document_root", dir, NULL};
	char want[600], got[EVENT_LEN];
	struct tl_resp r;

	start(&cb, opts);
	/* not on disk at all */
	ck_assert_int_eq(tl_get(port, "/virtual.txt", &r), 200);
	ck_assert_uint_eq(r.body_len, MEM_LEN);
	ck_assert_int_eq(memcmp(r.body, mem_block, MEM_LEN), 0);
	ck_assert_str_eq(tl_header(&r, "Content-Length"), "14");
	tl_resp_free(&r);
	/* the callback was given the file's full path */
	snprintf(want, sizeof want, "open_file %s/virtual.txt", dir);
	ev_find("open_file ", 0, got, sizeof got);
	ck_assert_str_eq(got, want);
	/* on disk too: memory wins */
	ck_assert_int_eq(tl_get(port, "/both.txt", &r), 200);
	ck_assert_uint_eq(r.body_len, MEM_LEN);
	ck_assert_int_eq(memcmp(r.body, mem_block, MEM_LEN), 0);
	tl_resp_free(&r);
}
END_TEST

START_TEST(open_file_null_falls_back_to_the_disk_file)
{
	struct mg_callbacks cb = {.open_file = cb_open_file};
	const char *opts[] = {"document_root", dir, NULL};
	char want[600];
	struct tl_resp r;

	start(&cb, opts);
	ck_assert_int_eq(tl_get(port, "/real.txt", &r), 200);
	ck_assert_str_eq(r.body, "real file on disk\n");
	ck_assert_str_eq(tl_header(&r, "Content-Length"), "18");
	tl_resp_free(&r);
	snprintf(want, sizeof want, "open_file %s/real.txt", dir);
	ck_assert_int_ge(ev_find(want, 0, NULL, 0), 0);
	ck_assert_int_eq(tl_get(port, "/absent.txt", &r), 404);
	tl_resp_free(&r);
}
END_TEST

/* ---- connection_close / connection_closed -------------------------------- */

static const struct mg_callbacks close_cbs = {
    .connection_close = cb_connection_close,
    .connection_closed = cb_connection_closed};

static int wait_close_of(int p, int ms)
{
	char prefix[64];

	snprintf(prefix, sizeof prefix, "connection_close port=%d ", p);
	return ev_wait(prefix, 1, ms);
}

static int closes_of(const char *what, int p)
{
	char prefix[64];

	snprintf(prefix, sizeof prefix, "%s port=%d ", what, p);
	return ev_count(prefix);
}

START_TEST(connection_close_once_per_connection_however_it_ends)
{
	const char *opts[] = {"enable_keep_alive", "yes",
	                      "keep_alive_timeout_ms", "10000", NULL};
	struct tl_resp r;
	int a, b, c, pa, pb, pc;

	start(&close_cbs, opts);
	/* a: two requests, then the client closes */
	a = tl_connect(port);
	pa = local_port(a);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(
		    exchange(a, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n", &r),
		    200);
		tl_resp_free(&r);
	}
	close(a);
	ck_assert_int_eq(wait_close_of(pa, 5000), 1);
	/* b: the server closes after "Connection: close" */
	b = tl_connect(port);
	pb = local_port(b);
	ck_assert_int_eq(exchange(b,
	                          "GET /ok HTTP/1.1\r\nHost: x\r\n"
	                          "Connection: close\r\n\r\n",
	                          &r),
	                 200);
	tl_resp_free(&r);
	ck_assert_int_eq(tl_closed_within(b, 5000), 1);
	ck_assert_int_eq(wait_close_of(pb, 5000), 1);
	/* c: still open when the server stops */
	c = tl_connect(port);
	pc = local_port(c);
	ck_assert_int_eq(exchange(c, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n", &r),
	                 200);
	tl_resp_free(&r);
	stop();
	close(b);
	close(c);
	ck_assert_int_eq(closes_of("connection_close", pa), 1);
	ck_assert_int_eq(closes_of("connection_close", pb), 1);
	ck_assert_int_eq(closes_of("connection_close", pc), 1);
	ck_assert_int_eq(ev_count("connection_close "), 3);
	/* connection_closed: once each, after connection_close */
	ck_assert_int_eq(ev_count("connection_closed "), 3);
	for (int i = 0; i < 3; i++) {
		int p = i == 0 ? pa : i == 1 ? pb : pc;
		char p1[64], p2[64];

		snprintf(p1, sizeof p1, "connection_close port=%d ", p);
		snprintf(p2, sizeof p2, "connection_closed port=%d ", p);
		ck_assert_int_eq(closes_of("connection_closed", p), 1);
		ck_assert_int_lt(ev_find(p1, 0, NULL, 0),
		                 ev_find(p2, 0, NULL, 0));
	}
}
END_TEST

START_TEST(connection_close_before_and_connection_closed_after_the_socket)
{
	const char *opts[] = {"enable_keep_alive", "yes", NULL};
	struct tl_resp r;
	char got[EVENT_LEN], prefix[64];
	int fd, p;

	cfg.close_probe = 1;
	start(&close_cbs, opts);
	fd = tl_connect(port);
	p = local_port(fd);
	ck_assert_int_eq(exchange(fd,
	                          "GET /ok HTTP/1.1\r\nHost: x\r\n"
	                          "Connection: close\r\n\r\n",
	                          &r),
	                 200);
	tl_resp_free(&r);
	/* connection_close waits 300 ms for the client to see the close
	 * (it must not: the socket is still open); connection_closed waits
	 * for it (it must: the socket is closed by then) */
	ck_assert_int_eq(tl_closed_within(fd, 5000), 1);
	set_client_flag();
	close(fd);
	snprintf(prefix, sizeof prefix, "connection_closed port=%d ", p);
	ck_assert_int_eq(ev_wait(prefix, 1, 5000), 1);
	snprintf(prefix, sizeof prefix, "connection_close port=%d ", p);
	ev_find(prefix, 0, got, sizeof got);
	ck_assert_msg(strstr(got, " eof=0 ") != NULL,
	              "socket closed before connection_close: '%s'", got);
	snprintf(prefix, sizeof prefix, "connection_closed port=%d ", p);
	ev_find(prefix, 0, got, sizeof got);
	ck_assert_msg(strstr(got, " eof=1") != NULL,
	              "socket still open in connection_closed: '%s'", got);
}
END_TEST

START_TEST(connection_close_called_on_keep_alive_timeout)
{
	const char *opts[] = {"enable_keep_alive", "yes",
	                      "keep_alive_timeout_ms", "300", NULL};
	struct tl_resp r;
	int fd, p;

	start(&close_cbs, opts);
	fd = tl_connect(port);
	p = local_port(fd);
	ck_assert_int_eq(
	    exchange(fd, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n", &r), 200);
	tl_resp_free(&r);
	ck_assert_int_eq(closes_of("connection_close", p), 0);
	/* the client stays silent: the server closes it */
	ck_assert_int_eq(tl_closed_within(fd, 5000), 1);
	ck_assert_int_eq(wait_close_of(p, 5000), 1);
	close(fd);
	stop();
	ck_assert_int_eq(closes_of("connection_close", p), 1);
}
END_TEST

START_TEST(connection_close_called_with_the_context_mutex_held)
{
	const char *opts[] = {"enable_keep_alive", "yes",
	                      "keep_alive_timeout_ms", "10000", NULL};
	struct tl_resp r;
	char got[EVENT_LEN], prefix[64];
	int fd, p;

	start(&close_cbs, opts);
	fd = tl_connect(port);
	p = local_port(fd);
	ck_assert_int_eq(
	    exchange(fd, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n", &r), 200);
	tl_resp_free(&r);
	/* hold the context mutex while the connection closes */
	mg_lock_context(ctx);
	pthread_mutex_lock(&rec.mu);
	rec.held = 1;
	pthread_mutex_unlock(&rec.mu);
	close(fd);
	/* give the server time to notice (it must wait for the mutex): an
	 * absence, so it is watched for 300 ms; the held=0 checks below do
	 * not depend on that timing */
	usleep(300 * 1000);
	ck_assert_int_eq(closes_of("connection_close", p), 0);
	pthread_mutex_lock(&rec.mu);
	rec.held = 0;
	pthread_mutex_unlock(&rec.mu);
	mg_unlock_context(ctx);
	ck_assert_int_eq(wait_close_of(p, 5000), 1);
	snprintf(prefix, sizeof prefix, "connection_close port=%d ", p);
	ev_find(prefix, 0, got, sizeof got);
	ck_assert_msg(strstr(got, " held=0 ") != NULL, "got '%s'", got);
	snprintf(prefix, sizeof prefix, "connection_closed port=%d ", p);
	ck_assert_int_eq(ev_wait(prefix, 1, 5000), 1);
	ev_find(prefix, 0, got, sizeof got);
	ck_assert_msg(strstr(got, " held=0 ") != NULL, "got '%s'", got);
}
END_TEST

START_TEST(connection_close_called_for_a_connection_without_request)
{
	const char *opts[] = {"request_timeout_ms", "300", NULL};
	int fd, p;

	start(&close_cbs, opts);
	fd = tl_connect(port);
	p = local_port(fd);
	/* the client never sends anything; the server gives up on it */
	ck_assert_int_eq(tl_closed_within(fd, 5000), 1);
	close(fd);
	ck_assert_msg(wait_close_of(p, 3000) == 1,
	              "connection closed by the server without "
	              "connection_close");
	stop();
	ck_assert_int_eq(closes_of("connection_close", p), 1);
}
END_TEST

/* ---- init_connection and user connection data ---------------------------- */

START_TEST(init_connection_data_is_the_connection_data_of_its_requests)
{
	struct mg_callbacks cb = {.init_connection = cb_init_connection,
	                          .connection_close = cb_connection_close};
	const char *opts[] = {"enable_keep_alive", "yes",
	                      "keep_alive_timeout_ms", "10000", NULL};
	int fds[2], ids[2], pa;
	char prefix[64], got[EVENT_LEN];

	start(&cb, opts);
	fds[0] = tl_connect(port);
	fds[1] = tl_connect(port);
	pa = local_port(fds[0]);
	/* interleaved requests: each connection keeps its own data */
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 2; i++) {
			struct tl_resp r;
			int id, agrees;

			ck_assert_int_eq(
			    exchange(fds[i],
			             "GET /data HTTP/1.1\r\nHost: x\r\n\r\n",
			             &r),
			    200);
			ck_assert_int_eq(
			    sscanf(r.body, "id=%d ri_agrees=%d", &id, &agrees),
			    2);
			tl_resp_free(&r);
			ck_assert_int_ge(id, 100);
			ck_assert_int_eq(agrees, 1);
			if (round == 0)
				ids[i] = id;
			else
				ck_assert_int_eq(id, ids[i]);
		}
	}
	ck_assert_int_ne(ids[0], ids[1]);
	ck_assert_int_eq(ev_count("init_connection "), 2);
	/* still there when the connection closes (to be freed there) */
	close(fds[0]);
	ck_assert_int_eq(wait_close_of(pa, 5000), 1);
	snprintf(prefix, sizeof prefix, "connection_close port=%d ", pa);
	ev_find(prefix, 0, got, sizeof got);
	snprintf(prefix, sizeof prefix, " data=%d", ids[0]);
	ck_assert_msg(strstr(got, prefix) != NULL, "got '%s'", got);
	close(fds[1]);
}
END_TEST

/* GET path on fd: 200, with this body unless body is NULL. */
static void expect_get(int fd, const char *path, const char *body)
{
	char req[256];
	struct tl_resp r;

	snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
	ck_assert_int_eq(exchange(fd, req, &r), 200);
	if (body != NULL)
		ck_assert_str_eq(r.body, body);
	tl_resp_free(&r);
}

static int both_closed(void *arg)
{
	const int *p = arg;

	return closes_of("connection_closed", p[0]) == 1 &&
	       closes_of("connection_closed", p[1]) == 1;
}

START_TEST(user_connection_data_persists_and_is_per_connection)
{
	const char *opts[] = {"enable_keep_alive", "yes",
	                      "keep_alive_timeout_ms", "10000", NULL};
	int a, b, c, d, closed[2];

	start(&close_cbs, opts);
	a = tl_connect(port);
	b = tl_connect(port);
	closed[0] = local_port(a);
	closed[1] = local_port(b);
	expect_get(a, "/get", "none ri_agrees=1\n");
	expect_get(a, "/set?v=alpha", "ok\n");
	expect_get(b, "/set?v=beta", "ok\n");
	for (int i = 0; i < 3; i++) {
		expect_get(a, "/get", "alpha ri_agrees=1\n");
		expect_get(b, "/get", "beta ri_agrees=1\n");
	}
	/* a third connection has none of it */
	c = tl_connect(port);
	expect_get(c, "/get", "none ri_agrees=1\n");
	/* replaced on one connection only */
	expect_get(a, "/set?v=gamma", "ok\n");
	expect_get(a, "/get", "gamma ri_agrees=1\n");
	expect_get(b, "/get", "beta ri_agrees=1\n");
	/* a connection made after a closed one does not inherit its data */
	close(a);
	close(b);
	tl_wait_until(both_closed, closed, 5000,
	              "connection_closed for ports %d and %d", closed[0],
	              closed[1]);
	d = tl_connect(port);
	expect_get(d, "/get", "none ri_agrees=1\n");
	expect_get(c, "/get", "none ri_agrees=1\n");
	close(c);
	close(d);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_callbacks");
	TCase *tc = tcase_create("callbacks");

	tcase_add_unchecked_fixture(tc, make_root, remove_root);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, begin_request_zero_lets_handler_and_file_answer);
	tcase_add_test(tc,
	               begin_request_nonzero_response_is_all_the_client_gets);
	tcase_add_test(tc, begin_request_return_value_is_the_access_log_status);
	tcase_add_test(tc, begin_request_is_called_before_authorization);
	tcase_add_test(tc, end_request_gets_the_status_sent_once_per_request);
	tcase_add_test(tc, end_request_gets_400_for_a_request_with_a_bad_path);
	tcase_add_test(
	    tc, end_request_info_of_a_refused_long_path_is_not_stale_memory);
	tcase_add_test(tc, end_request_runs_after_the_client_has_the_response);
	tcase_add_test(tc,
	               end_request_gets_sent_status_not_begin_request_return);
	tcase_add_test(tc,
	               http_error_returning_1_app_page_only_for_missing_file);
	tcase_add_test(
	    tc, http_error_returning_1_app_page_only_for_send_http_error);
	tcase_add_test(tc,
	               http_error_returning_0_builtin_page_for_missing_file);
	tcase_add_test(tc,
	               http_error_returning_0_builtin_page_for_send_http_error);
	tcase_add_test(tc, http_error_called_for_a_malformed_request);
	tcase_add_test(
	    tc,
	    http_error_called_before_any_error_sent_for_a_timed_out_request);
	tcase_add_test(tc, init_context_runs_once_before_the_first_request);
	tcase_add_test(tc,
	               exit_context_runs_once_on_stop_and_no_callback_after_it);
	tcase_add_test(tc,
	               init_and_exit_thread_pair_up_by_pointer_type_and_thread);
	tcase_add_test(tc,
	               thread_pointer_in_handler_is_what_init_thread_returned);
	tcase_add_test(tc, log_message_nonzero_keeps_the_line_out_of_error_log);
	tcase_add_test(tc, log_message_zero_lets_the_line_into_error_log);
	tcase_add_test(tc,
	               log_access_gets_one_civetweb_format_line_per_request);
	tcase_add_test(tc, log_access_nonzero_keeps_the_line_out_of_access_log);
	tcase_add_test(tc, log_access_zero_lets_the_same_line_into_access_log);
	tcase_add_test(tc, open_file_memory_block_is_served_instead_of_disk);
	tcase_add_test(tc, open_file_null_falls_back_to_the_disk_file);
	tcase_add_test(tc,
	               connection_close_once_per_connection_however_it_ends);
	tcase_add_test(
	    tc, connection_close_before_and_connection_closed_after_the_socket);
	tcase_add_test(tc, connection_close_called_on_keep_alive_timeout);
	tcase_add_test(tc, connection_close_called_with_the_context_mutex_held);
	tcase_add_test(
	    tc, connection_close_called_for_a_connection_without_request);
	tcase_add_test(
	    tc, init_connection_data_is_the_connection_data_of_its_requests);
	tcase_add_test(tc, user_connection_data_persists_and_is_per_connection);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	pthread_condattr_t ca;
	SRunner *sr;
	int failed;

	pthread_mutex_init(&rec.mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&rec.cv, &ca);
	pthread_condattr_destroy(&ca);
	sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
