/* check_e2e_access.c - end-to-end: access_control_list (clients it
 * denies are closed before a byte is read or sent, IPv4 and IPv6, the
 * last matching entry deciding, bad lists refusing the start), CORS
 * (preflights for files and handlers, the headers of cross-origin
 * responses) and additional_header / strict_transport_security_max_age
 * on every kind of response the server makes. Clients reach the server
 * from 127.0.0.1, from other loopback addresses (127.0.0.2, ...) bound
 * before connecting, and from ::1. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "tlstest.h"

extern char **environ;

/* ---- clients ------------------------------------------------------------- */

static void timeouts(int fd)
{
	struct timeval tv = {10, 0};
	int one = 1;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* A client from the loopback address src (127.x.y.z) to 127.0.0.1:port. */
static int connect_from(const char *src, int port)
{
	struct sockaddr_in a, b;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	timeouts(fd);
	memset(&b, 0, sizeof b);
	b.sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, src, &b.sin_addr), 1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&b, sizeof b), 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	return fd;
}

/* A client to [::1]:port. */
static int connect6(int port)
{
	struct sockaddr_in6 a;
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	timeouts(fd);
	memset(&a, 0, sizeof a);
	a.sin6_family = AF_INET6;
	a.sin6_port = htons((unsigned short)port);
	a.sin6_addr = in6addr_loopback;
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	return fd;
}

/* Can this machine listen on ::1? */
static int have_ipv6_loopback(void)
{
	struct sockaddr_in6 a;
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;

	if (fd < 0)
		return 0;
	memset(&a, 0, sizeof a);
	a.sin6_family = AF_INET6;
	a.sin6_addr = in6addr_loopback;
	ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
	close(fd);
	return ok;
}

static const char get_hello[] =
    "GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

/* Send a request on fd and read what comes back until the server closes:
 * the bytes received, -1 if it did not close within 10 s. */
static long answer_bytes(int fd)
{
	char buf[4096];
	long total = 0;

	tl_send(fd, get_hello);
	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		ssize_t n;

		if (poll(&p, 1, 10000) <= 0)
			return -1;
		n = recv(fd, buf, sizeof buf, 0);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return total;
		if (n < 0)
			return -1;
		total += n;
	}
}

/* The status of GET /hello on fd ("HTTP/1.1 200 ..."), 0 if none. */
static int hello_status(int fd)
{
	char buf[4096];
	size_t n;

	tl_send(fd, get_hello);
	n = tl_read_all(fd, buf, sizeof buf - 1, 10000);
	buf[n] = '\0';
	close(fd);
	return n > 12 && strncmp(buf, "HTTP/1.1 ", 9) == 0 ? atoi(buf + 9) : 0;
}

static long denied_bytes(int fd)
{
	long n = answer_bytes(fd);

	close(fd);
	return n;
}

/* ---- the server ---------------------------------------------------------- */

static int handler_calls;
static char *root; /* the document root of the CORS and header tests */

/* /hello: 200 "hello"; /h/NAME: the response kinds handlers make. */
static int hello(struct mg_connection *c, void *cbdata)
{
	(void)cbdata;
	__atomic_add_fetch(&handler_calls, 1, __ATOMIC_SEQ_CST);
	mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
	return 200;
}

static int kinds(struct mg_connection *c, void *cbdata)
{
	const char *uri = mg_get_request_info(c)->local_uri;

	(void)cbdata;
	__atomic_add_fetch(&handler_calls, 1, __ATOMIC_SEQ_CST);
	if (strcmp(uri, "/h/ok") == 0) {
		mg_send_http_ok(c, "text/plain", 2);
		mg_write(c, "ok", 2);
		return 200;
	}
	if (strcmp(uri, "/h/error") == 0) {
		mg_send_http_error(c, 403, "%s", "no");
		return 403;
	}
	if (strcmp(uri, "/h/redirect") == 0) {
		mg_send_http_redirect(c, "/elsewhere", 302);
		return 302;
	}
	if (strcmp(uri, "/h/file") == 0) {
		char path[600];

		snprintf(path, sizeof path, "%s/f.txt", root);
		mg_send_file(c, path);
		return 200;
	}
	/* /h/own: the handler's own head, which CivetWeb leaves alone */
	mg_response_header_start(c, 200);
	mg_response_header_add(c, "Content-Length", "3", -1);
	mg_response_header_send(c);
	mg_write(c, "own", 3);
	return 200;
}

static char log_seen[1024];

static int keep_log(const struct mg_connection *c, const char *msg)
{
	(void)c;
	if (strstr(msg, "not allowed") != NULL && log_seen[0] == '\0')
		snprintf(log_seen, sizeof log_seen, "%s", msg);
	return 1;
}

/* A server with opts, /hello and /h/ handlers; ports[0..] its ports. */
static struct mg_context *start(const char **opts, int *ports, int nports)
{
	struct mg_server_port sp[4];
	struct mg_callbacks cb;
	struct mg_context *ctx;
	int port, n;

	memset(&cb, 0, sizeof cb);
	cb.log_message = keep_log;
	log_seen[0] = '\0';
	handler_calls = 0;
	ctx = tl_start(&cb, NULL, opts, &port);
	mg_set_request_handler(ctx, "/hello", hello, NULL);
	mg_set_request_handler(ctx, "/h", kinds, NULL);
	n = mg_get_server_ports(ctx, 4, sp);
	ck_assert_int_ge(n, nports);
	for (int i = 0; i < nports; i++)
		ports[i] = sp[i].port;
	return ctx;
}

/* ---- access_control_list ------------------------------------------------- */

START_TEST(acl_denied_client_is_closed_without_a_byte_others_go_on)
{
	const char *opts[] = {"access_control_list", "-0.0.0.0/0,+127.0.0.1",
	                      NULL};
	int port;
	struct mg_context *ctx = start(opts, &port, 1);

	ck_assert_int_eq(denied_bytes(connect_from("127.0.0.2", port)), 0);
	ck_assert_int_eq(hello_status(connect_from("127.0.0.1", port)), 200);
	ck_assert_int_eq(denied_bytes(connect_from("127.0.0.3", port)), 0);
	ck_assert_int_eq(hello_status(connect_from("127.0.0.1", port)), 200);
	/* the denied requests never reached a handler */
	ck_assert_int_eq(handler_calls, 2);
	mg_stop(ctx);
	ck_assert_msg(strstr(log_seen, "127.0.0.2 is not allowed to connect"),
	              "log: %s", log_seen);
}
END_TEST

START_TEST(acl_last_matching_entry_decides)
{
	const char *deny_one[] = {"access_control_list",
	                          "+127.0.0.0/8,-127.0.0.2", NULL};
	const char *allow_all[] = {"access_control_list",
	                           "-127.0.0.2,+127.0.0.0/8", NULL};
	int port;
	struct mg_context *ctx = start(deny_one, &port, 1);

	ck_assert_int_eq(denied_bytes(connect_from("127.0.0.2", port)), 0);
	ck_assert_int_eq(hello_status(connect_from("127.0.0.3", port)), 200);
	mg_stop(ctx);
	ctx = start(allow_all, &port, 1);
	ck_assert_int_eq(hello_status(connect_from("127.0.0.2", port)), 200);
	mg_stop(ctx);
}
END_TEST

START_TEST(acl_ipv6_clients_allowed_and_denied)
{
	const char *v4_only[] = {"listening_ports", "127.0.0.1:0,[::1]:0",
	                         "access_control_list", "+127.0.0.1,-::/0",
	                         NULL};
	const char *v6_only[] = {"listening_ports", "127.0.0.1:0,[::1]:0",
	                         "access_control_list", "+[::1]/128", NULL};
	int ports[2];
	struct mg_context *ctx;

	if (!have_ipv6_loopback()) {
		fprintf(stderr, "skipped: no ::1 here\n");
		return;
	}
	ctx = start(v4_only, ports, 2);
	ck_assert_int_eq(hello_status(connect_from("127.0.0.1", ports[0])),
	                 200);
	ck_assert_int_eq(denied_bytes(connect6(ports[1])), 0);
	mg_stop(ctx);
	ctx = start(v6_only, ports, 2);
	ck_assert_int_eq(hello_status(connect6(ports[1])), 200);
	ck_assert_int_eq(denied_bytes(connect_from("127.0.0.1", ports[0])), 0);
	mg_stop(ctx);
}
END_TEST

/* mg_start2 with opts must fail; the error left in e and text. */
static void start_refused(const char **opts, struct mg_error_data *e,
                          char *text, size_t cap)
{
	struct mg_init_data init;

	memset(e, 0, sizeof *e);
	e->text = text;
	e->text_buffer_size = cap;
	memset(&init, 0, sizeof init);
	init.configuration_options = opts;
	ck_assert_ptr_null(mg_start2(&init, e));
}

START_TEST(acl_invalid_lists_refuse_the_start_with_the_reason)
{
	const char *bad_entry[] = {"listening_ports", "127.0.0.1:0",
	                           "access_control_list", "+127.0.0.1,10.0.0.1",
	                           NULL};
	const char *bad_net[] = {"listening_ports", "127.0.0.1:0",
	                         "access_control_list", "-::1/200", NULL};
	struct mg_error_data e;
	char text[512];

	start_refused(bad_entry, &e, text, sizeof text);
	ck_assert_uint_eq(e.code, MG_ERROR_DATA_CODE_INIT_ACL_FAILED);
	ck_assert_msg(strstr(text, "Failed to setup access control list") &&
	                  strstr(text, "'10.0.0.1'"),
	              "text: %s", text);
	start_refused(bad_net, &e, text, sizeof text);
	ck_assert_uint_eq(e.code, MG_ERROR_DATA_CODE_INIT_ACL_FAILED);
	ck_assert_msg(strstr(text, "'-::1/200'"), "text: %s", text);
	ck_assert_ptr_null(mg_start(NULL, NULL, bad_entry));
}
END_TEST

START_TEST(acl_daemon_check_names_file_line_and_entry)
{
	const char *bin = getenv("CIVETD_BIN");
	char *dir = tl_mkdtemp(), conf[300], out[2048];
	const char *argv[] = {bin, "-t", "-c", conf, NULL};
	FILE *f;

	ck_assert_ptr_nonnull(bin);
	snprintf(conf, sizeof conf, "%s/acl.conf", dir);
	f = fopen(conf, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "listening_ports 127.0.0.1:1\n"
	           "access_control_list -0.0.0.0/0,+127.0.0.1\n");
	fclose(f);
	ck_assert_int_eq(tl_run(argv, out, sizeof out), 0);
	f = fopen(conf, "w");
	fprintf(f, "listening_ports 127.0.0.1:1\n\n"
	           "access_control_list -0.0.0.0/0,+127.0.0.256\n");
	fclose(f);
	ck_assert_int_eq(tl_run(argv, out, sizeof out), 1);
	ck_assert_msg(strstr(out, "acl.conf:3: access_control_list: "
	                          "'+127.0.0.256'"),
	              "%s", out);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

static const char *admin_sock;

static int admin_answers(void *arg)
{
	const char *argv[] = {getenv("CIVETCTL_BIN"), "-s", admin_sock,
	                      "status", NULL};
	char out[8192];

	(void)arg;
	return tl_run(argv, out, sizeof out) == 0;
}

START_TEST(acl_daemon_reload_with_a_bad_list_is_refused_where_it_is)
{
	const char *bin = getenv("CIVETD_BIN"), *ctl = getenv("CIVETCTL_BIN");
	char *dir = tl_mkdtemp(), conf[300], sock[300], out[4096];
	const char *argv[] = {bin, "-c", conf, NULL};
	const char *reload[] = {ctl, "-s", sock, "reload", NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	pid_t pid;
	int status;
	FILE *f;

	ck_assert_ptr_nonnull(bin);
	ck_assert_ptr_nonnull(ctl);
	snprintf(conf, sizeof conf, "%s/acl.conf", dir);
	snprintf(sock, sizeof sock, "%s/admin.sock", dir);
	f = fopen(conf, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
	        "listening_ports 127.0.0.1:0\nnum_workers 1\n"
	        "num_threads 2\nadmin_socket %s\n"
	        "access_control_list +127.0.0.1\n",
	        sock);
	fclose(f);
	posix_spawn_file_actions_init(&fa); /* the master logs to stderr */
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_init(&at);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	ck_assert_int_eq(
	    posix_spawn(&pid, bin, &fa, &at, (char *const *)argv, environ), 0);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	tl_track_group(pid);
	admin_sock = sock;
	tl_wait_until(admin_answers, NULL, 10000, "civetd's admin socket");
	f = fopen(conf, "a");
	fprintf(f, "access_control_list +127.0.0.1/24\n");
	fclose(f);
	ck_assert_int_eq(tl_run(reload, out, sizeof out), 1);
	ck_assert_msg(strstr(out, "acl.conf:6: access_control_list: "
	                          "'+127.0.0.1/24'"),
	              "%s", out);
	kill(pid, SIGTERM);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	tl_untrack_group(pid);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

/* ---- CORS ---------------------------------------------------------------- */

static const char **with_root(const char **extra)
{
	static const char *o[32];
	int n = 0;

	o[n++] = "document_root";
	o[n++] = root;
	for (int i = 0; extra != NULL && extra[i] != NULL && n < 30; i++)
		o[n++] = extra[i];
	o[n] = NULL;
	return o;
}

static void make_root(void)
{
	char sub[512];

	root = tl_mkdtemp();
	tl_write_file(root, "f.txt", "0123456789", 10);
	snprintf(sub, sizeof sub, "%s/dir", root);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	tl_write_file(sub, "a.txt", "a", 1);
}

static void drop_root(void)
{
	tl_rmdir(root);
	free(root);
	root = NULL;
}

static const char preflight[] =
    "Origin: http://app.example\r\n"
    "Access-Control-Request-Method: PUT\r\n"
    "Access-Control-Request-Headers: X-One, X-Two\r\n";

static void expect(const struct tl_resp *r, const char *name, const char *v)
{
	const char *got = tl_header(r, name);

	if (v == NULL) {
		ck_assert_msg(got == NULL, "%s: %s (none expected)", name, got);
		return;
	}
	ck_assert_msg(got != NULL && strcmp(got, v) == 0, "%s: %s, not %s",
	              name, got ? got : "(none)", v);
}

START_TEST(cors_preflight_for_a_file_grants_what_is_asked)
{
	struct tl_resp r;
	int port;
	struct mg_context *ctx;

	make_root();
	ctx = start(with_root(NULL), &port, 1);
	ck_assert_int_eq(tl_ask(port, "OPTIONS", "/f.txt", preflight, &r), 200);
	expect(&r, "Access-Control-Allow-Origin", "*");
	expect(&r, "Access-Control-Allow-Methods", "PUT");
	expect(&r, "Access-Control-Allow-Headers", "X-One, X-Two");
	expect(&r, "Access-Control-Max-Age", "60");
	expect(&r, "Content-Length", "0");
	ck_assert_uint_eq(r.body_len, 0);
	tl_resp_free(&r);
	/* without Access-Control-Request-Headers: none granted */
	ck_assert_int_eq(tl_ask(port, "OPTIONS", "/f.txt",
	                        "Origin: http://app.example\r\n"
	                        "Access-Control-Request-Method: GET\r\n",
	                        &r),
	                 200);
	expect(&r, "Access-Control-Allow-Methods", "GET");
	expect(&r, "Access-Control-Allow-Headers", NULL);
	tl_resp_free(&r);
	mg_stop(ctx);
	drop_root();
}
END_TEST

START_TEST(cors_preflight_with_configured_lists)
{
	const char *o[] = {"access_control_allow_origin",
	                   "https://app.example",
	                   "access_control_allow_methods",
	                   "GET, POST",
	                   "access_control_allow_headers",
	                   "X-Only",
	                   "access_control_max_age",
	                   "600",
	                   "access_control_allow_credentials",
	                   "true",
	                   NULL};
	struct tl_resp r;
	int port;
	struct mg_context *ctx;

	make_root();
	ctx = start(with_root(o), &port, 1);
	ck_assert_int_eq(tl_ask(port, "OPTIONS", "/f.txt", preflight, &r), 200);
	expect(&r, "Access-Control-Allow-Origin", "https://app.example");
	expect(&r, "Access-Control-Allow-Methods", "GET, POST");
	expect(&r, "Access-Control-Allow-Headers", "X-Only");
	expect(&r, "Access-Control-Max-Age", "600");
	expect(&r, "Access-Control-Allow-Credentials", "true");
	tl_resp_free(&r);
	mg_stop(ctx);
	drop_root();
}
END_TEST

START_TEST(cors_preflight_for_a_handler_is_answered_before_it)
{
	const char *no_methods[] = {"access_control_allow_methods", "", NULL};
	struct tl_resp r;
	int port;
	struct mg_context *ctx = start(NULL, &port, 1);

	ck_assert_int_eq(tl_ask(port, "OPTIONS", "/hello", preflight, &r), 200);
	expect(&r, "Access-Control-Allow-Methods", "PUT");
	ck_assert_uint_eq(r.body_len, 0);
	tl_resp_free(&r);
	ck_assert_int_eq(handler_calls, 0);
	/* an OPTIONS that is no preflight goes to the handler */
	ck_assert_int_eq(tl_ask(port, "OPTIONS", "/hello",
	                        "Origin: http://app.example\r\n", &r),
	                 200);
	ck_assert_str_eq(r.body, "hello");
	tl_resp_free(&r);
	ck_assert_int_eq(handler_calls, 1);
	mg_stop(ctx);
	/* access_control_allow_methods empty: the server leaves them alone */
	ctx = start(no_methods, &port, 1);
	ck_assert_int_eq(tl_ask(port, "OPTIONS", "/hello", preflight, &r), 200);
	ck_assert_str_eq(r.body, "hello");
	expect(&r, "Access-Control-Allow-Methods", NULL);
	tl_resp_free(&r);
	mg_stop(ctx);
}
END_TEST

START_TEST(cors_origin_on_static_files_errors_and_api_responses)
{
	const char *o[] = {"access_control_expose_headers", "Content-Range",
	                   NULL};
	const char *origin = "Origin: http://app.example\r\n";
	const char *targets[] = {"/f.txt",   "/nothing",    "/h/ok",
	                         "/h/error", "/h/redirect", "/h/file"};
	const int statuses[] = {200, 404, 200, 403, 302, 200};
	struct tl_resp r;
	int port;
	struct mg_context *ctx;

	make_root();
	ctx = start(with_root(o), &port, 1);
	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(tl_ask(port, "GET", targets[i], origin, &r),
		                 statuses[i]);
		expect(&r, "Access-Control-Allow-Origin", "*");
		expect(&r, "Access-Control-Expose-Headers", "Content-Range");
		tl_resp_free(&r);
		/* no Origin, no CORS */
		ck_assert_int_eq(tl_ask(port, "GET", targets[i], NULL, &r),
		                 statuses[i]);
		expect(&r, "Access-Control-Allow-Origin", NULL);
		tl_resp_free(&r);
	}
	ck_assert_int_eq(
	    tl_ask(port, "GET", "/f.txt",
	           "Origin: http://app.example\r\nRange: bytes=2-3\r\n", &r),
	    206);
	expect(&r, "Access-Control-Allow-Origin", "*");
	tl_resp_free(&r);
	/* a directory's redirect too, as CivetWeb's mg_send_http_redirect */
	ck_assert_int_eq(tl_ask(port, "GET", "/dir", origin, &r), 301);
	expect(&r, "Access-Control-Allow-Origin", "*");
	tl_resp_free(&r);
	mg_stop(ctx);
	drop_root();
}
END_TEST

START_TEST(cors_origin_off_when_allow_origin_is_empty)
{
	const char *o[] = {"access_control_allow_origin", "", NULL};
	struct tl_resp r;
	int port;
	struct mg_context *ctx;

	make_root();
	ctx = start(with_root(o), &port, 1);
	ck_assert_int_eq(
	    tl_ask(port, "GET", "/f.txt", "Origin: http://app.example\r\n", &r),
	    200);
	expect(&r, "Access-Control-Allow-Origin", NULL);
	tl_resp_free(&r);
	/* and no preflight answered by the server: the document root's 200 */
	ck_assert_int_eq(tl_ask(port, "OPTIONS", "/f.txt", preflight, &r), 200);
	expect(&r, "Access-Control-Allow-Methods", NULL);
	ck_assert_ptr_nonnull(tl_header(&r, "Allow"));
	tl_resp_free(&r);
	mg_stop(ctx);
	drop_root();
}
END_TEST

/* ---- additional_header and HSTS ------------------------------------------ */

START_TEST(additional_header_on_every_response_the_server_makes)
{
	const char *o[] = {"additional_header",
	                   "X-Frame-Options: SAMEORIGIN",
	                   "additional_header",
	                   "X-Two: 2",
	                   "strict_transport_security_max_age",
	                   "3600",
	                   NULL};
	struct {
		const char *method, *target, *extra;
		int status;
	} k[] = {
	    {"GET", "/f.txt", NULL, 200},
	    {"HEAD", "/f.txt", NULL, 200},
	    {"GET", "/f.txt", "Range: bytes=0-1\r\n", 206},
	    {"GET", "/f.txt", "Range: bytes=0-1,4-5\r\n", 206},
	    {"GET", "/f.txt", "Range: bytes=50-60\r\n", 416},
	    {"GET", "/f.txt", "If-Match: \"nope\"\r\n", 412},
	    {"GET", "/dir/", NULL, 200},
	    {"GET", "/dir", NULL, 301},
	    {"GET", "/missing", NULL, 404},
	    {"DELETE", "/f.txt", NULL, 405},
	    {"OPTIONS", "/f.txt", NULL, 200},
	    {"OPTIONS", "/f.txt", preflight, 200},
	    {"GET", "/h/ok", NULL, 200},
	    {"GET", "/h/error", NULL, 403},
	    {"GET", "/h/redirect", NULL, 302},
	    {"GET", "/h/file", NULL, 200},
	};
	char etag[64], date[64], inm[128];
	struct tl_resp r;
	int port;
	struct mg_context *ctx;

	make_root();
	ctx = start(with_root(o), &port, 1);
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
		ck_assert_int_eq(
		    tl_ask(port, k[i].method, k[i].target, k[i].extra, &r),
		    k[i].status);
		ck_assert_msg(tl_header(&r, "X-Frame-Options") != NULL &&
		                  tl_header(&r, "X-Two") != NULL,
		              "%s %s: %s", k[i].method, k[i].target, r.head);
		/* a plain connection: no Strict-Transport-Security */
		expect(&r, "Strict-Transport-Security", NULL);
		tl_resp_free(&r);
	}
	tl_file_validators(root, "f.txt", etag, sizeof etag, date, sizeof date,
	                   NULL);
	snprintf(inm, sizeof inm, "If-None-Match: %s\r\n", etag);
	ck_assert_int_eq(tl_ask(port, "GET", "/f.txt", inm, &r), 304);
	expect(&r, "X-Frame-Options", "SAMEORIGIN");
	tl_resp_free(&r);
	/* a handler's own head is its own, as in CivetWeb */
	ck_assert_int_eq(tl_ask(port, "GET", "/h/own", NULL, &r), 200);
	expect(&r, "X-Frame-Options", NULL);
	tl_resp_free(&r);
	mg_stop(ctx);
	drop_root();
}
END_TEST

/* GET target over TLS to port; the raw response in buf. */
static void tls_get(SSL_CTX *sc, int port, const char *target, char *buf,
                    size_t cap)
{
	char req[256];
	int fd;
	SSL *ssl = tt_connect(sc, port, &fd);

	ck_assert_ptr_nonnull(ssl);
	snprintf(req, sizeof req,
	         "GET %s HTTP/1.1\r\nHost: localhost\r\n"
	         "Connection: close\r\n\r\n",
	         target);
	ck_assert_int_eq(tt_send(ssl, req), 0);
	tt_read_all(ssl, buf, cap, NULL);
	tt_close(ssl, fd);
}

START_TEST(hsts_only_over_tls_and_on_the_tls_redirect)
{
	const char *o[] = {"listening_ports",
	                   "127.0.0.1:0s,127.0.0.1:0r",
	                   "ssl_certificate",
	                   NULL,
	                   "additional_header",
	                   "X-Frame-Options: DENY",
	                   "strict_transport_security_max_age",
	                   "3600",
	                   NULL};
	char buf[8192];
	int ports[2];
	struct tl_resp r;
	struct mg_context *ctx;
	SSL_CTX *sc;

	make_root();
	tt_make_certs(root);
	o[3] = tt_path(root, "server.pem");
	ctx = start(with_root(o), ports, 2);
	sc = tt_client_ctx(NULL, NULL);
	tls_get(sc, ports[0], "/f.txt", buf, sizeof buf);
	ck_assert_msg(strstr(buf, "HTTP/1.1 200 ") == buf &&
	                  strstr(buf, "\r\nStrict-Transport-Security: "
	                              "max-age=3600\r\n") &&
	                  strstr(buf, "\r\nX-Frame-Options: DENY\r\n"),
	              "%s", buf);
	tls_get(sc, ports[0], "/missing", buf, sizeof buf);
	ck_assert_msg(strstr(buf, "HTTP/1.1 404 ") == buf &&
	                  strstr(buf, "\r\nStrict-Transport-Security: "
	                              "max-age=3600\r\n"),
	              "%s", buf);
	SSL_CTX_free(sc);
	/* the plain redirect port: 308 with the lines, without HSTS */
	ck_assert_int_eq(tl_ask(ports[1], "GET", "/f.txt", NULL, &r), 308);
	expect(&r, "X-Frame-Options", "DENY");
	expect(&r, "Strict-Transport-Security", NULL);
	ck_assert_ptr_nonnull(tl_header(&r, "Location"));
	tl_resp_free(&r);
	mg_stop(ctx);
	drop_root();
}
END_TEST

static Suite *access_suite(void)
{
	Suite *s = suite_create("e2e_access");
	TCase *acl = tcase_create("acl");
	TCase *cors = tcase_create("cors");
	TCase *hdr = tcase_create("headers");

	tcase_set_timeout(acl, 60);
	tcase_set_timeout(cors, 60);
	tcase_set_timeout(hdr, 60);
	tl_cleanup_fixture(acl);
	tl_cleanup_fixture(cors);
	tl_cleanup_fixture(hdr);
	tcase_add_test(acl,
	               acl_denied_client_is_closed_without_a_byte_others_go_on);
	tcase_add_test(acl, acl_last_matching_entry_decides);
	tcase_add_test(acl, acl_ipv6_clients_allowed_and_denied);
	tcase_add_test(acl, acl_invalid_lists_refuse_the_start_with_the_reason);
	tcase_add_test(acl, acl_daemon_check_names_file_line_and_entry);
	tcase_add_test(
	    acl, acl_daemon_reload_with_a_bad_list_is_refused_where_it_is);
	tcase_add_test(cors, cors_preflight_for_a_file_grants_what_is_asked);
	tcase_add_test(cors, cors_preflight_with_configured_lists);
	tcase_add_test(cors,
	               cors_preflight_for_a_handler_is_answered_before_it);
	tcase_add_test(cors,
	               cors_origin_on_static_files_errors_and_api_responses);
	tcase_add_test(cors, cors_origin_off_when_allow_origin_is_empty);
	tcase_add_test(hdr,
	               additional_header_on_every_response_the_server_makes);
	tcase_add_test(hdr, hsts_only_over_tls_and_on_the_tls_redirect);
	suite_add_tcase(s, acl);
	suite_add_tcase(s, cors);
	suite_add_tcase(s, hdr);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(access_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
