/* check_e2e_api.c - the server-side API on a real server on port 0:
 * mg_start/mg_start2 and their errors, listening_ports forms and
 * mg_get_server_ports, mg_get_option, version, features, system and
 * context information, library init/exit, handlers set and removed while
 * serving, authorization handlers, locks, user data, helper threads,
 * request links, keep-alive control, and the options that shape serving. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "civetweb.h"
#include "testlib.h"

/* ---- helpers ------------------------------------------------------------- */

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* A client socket to addr ("127.0.0.1", "::1") and port, 10 s I/O
 * timeouts; -1 on failure (usable from any thread: no assertion). */
static int connect_to(const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct timeval tv = {10, 0};
	int fd;

	memset(&ss, 0, sizeof ss);
	if (strchr(addr, ':') != NULL) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;

		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((unsigned short)port);
		if (inet_pton(AF_INET6, addr, &a6->sin6_addr) != 1)
			return -1;
		len = sizeof *a6;
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;

		a4->sin_family = AF_INET;
		a4->sin_port = htons((unsigned short)port);
		if (inet_pton(AF_INET, addr, &a4->sin_addr) != 1)
			return -1;
		len = sizeof *a4;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&ss, len) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Send raw (which asks for Connection: close) and read until the server
 * closes. Returns the status or -1; *body points into buf. */
static int fetch(const char *addr, int port, const char *raw, char *buf,
                 size_t cap, const char **body)
{
	int fd = connect_to(addr, port), status = -1;
	size_t len = 0;
	ssize_t n;
	char *end;

	if (fd < 0)
		return -1;
	if (tl_send(fd, raw) != 0) {
		close(fd);
		return -1;
	}
	while (len + 1 < cap && (n = recv(fd, buf + len, cap - 1 - len, 0)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	end = strstr(buf, "\r\n\r\n");
	if (end == NULL || sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
		return -1;
	if (body != NULL)
		*body = end + 4;
	return status;
}

/* GET path from addr:port with Connection: close; status or -1. */
static int get_from(const char *addr, int port, const char *path)
{
	char raw[512], buf[8192];

	snprintf(raw, sizeof raw,
	         "GET %s HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
	         path);
	return fetch(addr, port, raw, buf, sizeof buf, NULL);
}

/* IPv6 loopback must be usable here (CI has it): fail, saying why, if
 * ::1 cannot be bound. */
static void need_ipv6(void)
{
	struct sockaddr_in6 a;
	int fd = socket(AF_INET6, SOCK_STREAM, 0), ok;

	ck_assert_msg(fd >= 0, "no IPv6 here: socket(AF_INET6): %s",
	              strerror(errno));
	memset(&a, 0, sizeof a);
	a.sin6_family = AF_INET6;
	a.sin6_addr = in6addr_loopback;
	ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
	ck_assert_msg(ok, "no IPv6 loopback here: cannot bind [::1]: %s",
	              strerror(errno));
	close(fd);
}

/* A socket listening on 127.0.0.1 at some port, to make that port busy. */
static int busy_port(int *port)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	ck_assert_int_ge(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* mg_start2 with the given options (NULL-terminated pairs); the error
 * goes into *e with text in buf. */
static struct mg_context *start2(const char **opts, struct mg_error_data *e,
                                 char *buf, size_t cap)
{
	struct mg_init_data init;
	static struct mg_callbacks none;

	memset(e, 0, sizeof *e);
	buf[0] = '\0';
	e->code = 12345;
	e->text = buf;
	e->text_buffer_size = cap;
	memset(&init, 0, sizeof init);
	init.callbacks = &none;
	init.configuration_options = opts;
	return mg_start2(&init, e);
}

/* Value of "section" : { ... "key" : N ... } in CivetWeb's JSON. */
static long long json_num(const char *json, const char *section,
                          const char *key)
{
	char s[64], k[64];
	const char *p;

	snprintf(s, sizeof s, "\"%s\"", section);
	snprintf(k, sizeof k, "\"%s\"", key);
	p = strstr(json, s);
	ck_assert_msg(p != NULL, "no %s in %s", s, json);
	p = strstr(p, k);
	ck_assert_msg(p != NULL, "no %s.%s in %s", s, k, json);
	p = strchr(p + strlen(k), ':');
	ck_assert_ptr_nonnull(p);
	return strtoll(p + 1, NULL, 10);
}

static long long context_num(struct mg_context *c, const char *section,
                             const char *key)
{
	char buf[4096];

	ck_assert_int_lt(mg_get_context_info(c, buf, sizeof buf),
	                 (int)sizeof buf);
	return json_num(buf, section, key);
}

static int file_contains(const char *path, const char *needle)
{
	char buf[16384];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

struct in_file {
	const char *path, *needle;
};

static int has_needle(void *arg)
{
	const struct in_file *w = arg;

	return file_contains(w->path, w->needle);
}

/* Wait up to 3 s for a file to contain needle (logs are written after
 * the response has gone out). */
static void file_gets(const char *path, const char *needle)
{
	struct in_file w = {path, needle};

	tl_wait_until(has_needle, &w, 3000, "'%s' in %s", needle, path);
}

/* ---- starting and failing to start --------------------------------------- */

START_TEST(start_with_unknown_option_returns_null)
{
	const char *opts[] = {"listening_ports", "127.0.0.1:0",
	                      "no_such_option", "1", NULL};
	struct mg_callbacks cb;

	memset(&cb, 0, sizeof cb);
	ck_assert_ptr_null(mg_start(&cb, NULL, opts));
}
END_TEST

START_TEST(start_with_bad_values_returns_null)
{
	const char *threads[] = {"listening_ports", "127.0.0.1:0",
	                         "num_threads", "0", NULL};
	const char *boolean[] = {"listening_ports", "127.0.0.1:0",
	                         "enable_keep_alive", "maybe", NULL};
	const char *number[] = {"listening_ports", "127.0.0.1:0",
	                        "request_timeout_ms", "soon", NULL};

	ck_assert_ptr_null(mg_start(NULL, NULL, threads));
	ck_assert_ptr_null(mg_start(NULL, NULL, boolean));
	ck_assert_ptr_null(mg_start(NULL, NULL, number));
}
END_TEST

START_TEST(start2_names_unknown_option_in_error)
{
	const char *opts[] = {"listening_ports", "127.0.0.1:0", "bogus_option",
	                      "1", NULL};
	struct mg_error_data e;
	char text[256];

	ck_assert_ptr_null(start2(opts, &e, text, sizeof text));
	ck_assert_uint_eq(e.code, MG_ERROR_DATA_CODE_INVALID_OPTION);
	ck_assert_msg(strstr(text, "bogus_option") != NULL, "text: %s", text);
}
END_TEST

START_TEST(start2_gives_option_and_reason_for_bad_value)
{
	const char *opts[] = {"listening_ports", "127.0.0.1:0",
	                      "max_request_size", "100", NULL};
	struct mg_error_data e;
	char text[256];

	ck_assert_ptr_null(start2(opts, &e, text, sizeof text));
	ck_assert_uint_eq(e.code, MG_ERROR_DATA_CODE_INVALID_OPTION);
	ck_assert_msg(strstr(text, "max_request_size") != NULL, "text: %s",
	              text);
	ck_assert_msg(strstr(text, "out of range") != NULL, "text: %s", text);
}
END_TEST

/* What log_message saw while a start failed. */
static char logged[512];
static struct mg_context *logged_ctx;
static void *logged_user_data;
static int logged_with_null_conn;

static int remember_log(const struct mg_connection *conn, const char *msg)
{
	if (conn == NULL) {
		logged_with_null_conn = 1;
		return 1;
	}
	if (logged[0] == '\0') {
		snprintf(logged, sizeof logged, "%s", msg);
		logged_ctx = mg_get_context(conn);
		logged_user_data = mg_get_user_data(logged_ctx);
	}
	return 1;
}

/* Start with opts, which must fail; log_message's first line and the
 * error text are left in logged and text. */
static void start_fails(const char **opts, struct mg_error_data *e, char *text,
                        size_t cap)
{
	struct mg_callbacks cb;
	struct mg_init_data init;
	static int user_data;

	memset(&cb, 0, sizeof cb);
	cb.log_message = remember_log;
	memset(e, 0, sizeof *e);
	e->text = text;
	e->text_buffer_size = cap;
	memset(&init, 0, sizeof init);
	init.callbacks = &cb;
	init.user_data = &user_data;
	init.configuration_options = opts;
	logged[0] = '\0';
	logged_ctx = NULL;
	logged_user_data = NULL;
	logged_with_null_conn = 0;
	ck_assert_ptr_null(mg_start2(&init, e));
	ck_assert_int_eq(logged_with_null_conn, 0);
	ck_assert_ptr_nonnull(logged_ctx);
	ck_assert_ptr_eq(logged_user_data, &user_data);
}

START_TEST(option_errors_are_logged_and_named_as_civetweb_does)
{
	const char *unknown[] = {"listening_ports", "127.0.0.1:0",
	                         "no_such_thing", "1", NULL};
	const char *missing[] = {"listening_ports", "127.0.0.1:0",
	                         "num_threads", NULL, NULL};
	const char *zero[] = {"listening_ports", "127.0.0.1:0", "num_threads",
	                      "0", NULL};
	const char *many[] = {"listening_ports", "127.0.0.1:0", "num_threads",
	                      "100000", NULL};
	const char *bad[] = {"listening_ports", "127.0.0.1:0",
	                     "enable_keep_alive", "maybe", NULL};
	struct mg_error_data e;
	char text[256];

	start_fails(unknown, &e, text, sizeof text);
	ck_assert_str_eq(logged, "Invalid option: no_such_thing");
	ck_assert_str_eq(text, "Invalid configuration option: no_such_thing");
	ck_assert_uint_eq(e.code, MG_ERROR_DATA_CODE_INVALID_OPTION);

	start_fails(missing, &e, text, sizeof text);
	ck_assert_msg(
	    strncmp(logged, "Invalid option value: num_threads", 33) == 0,
	    "logged: %s", logged);
	ck_assert_str_eq(text,
	                 "Invalid configuration option value: num_threads");

	start_fails(zero, &e, text, sizeof text);
	ck_assert_msg(strncmp(logged, "Invalid number of worker threads", 32) ==
	                  0,
	              "logged: %s", logged);
	start_fails(many, &e, text, sizeof text);
	ck_assert_msg(strncmp(logged, "Too many worker threads", 23) == 0,
	              "logged: %s", logged);
	start_fails(bad, &e, text, sizeof text);
	ck_assert_msg(
	    strncmp(logged, "Invalid option value: enable_keep_alive", 39) == 0,
	    "logged: %s", logged);
	ck_assert_msg(strstr(text, "expected yes or no") != NULL, "text: %s",
	              text);
}
END_TEST

START_TEST(start2_refuses_document_root_that_is_not_a_directory)
{
	const char *opts[] = {"listening_ports", "127.0.0.1:0", "document_root",
	                      "/nonexistent/civetd-root", NULL};
	struct mg_error_data e;
	char text[256];

	ck_assert_ptr_null(start2(opts, &e, text, sizeof text));
	ck_assert_uint_eq(e.code, MG_ERROR_DATA_CODE_INVALID_OPTION);
	ck_assert_msg(strstr(text, "document_root") != NULL, "text: %s", text);
}
END_TEST

START_TEST(start2_without_init_data_is_invalid_param)
{
	struct mg_error_data e;
	char text[128] = "";

	memset(&e, 0, sizeof e);
	e.text = text;
	e.text_buffer_size = sizeof text;
	ck_assert_ptr_null(mg_start2(NULL, &e));
	ck_assert_uint_eq(e.code, MG_ERROR_DATA_CODE_INVALID_PARAM);
	ck_assert_str_ne(text, "");
}
END_TEST

START_TEST(start2_error_text_fits_its_buffer)
{
	const char *opts[] = {"listening_ports", "127.0.0.1:0", "bogus_option",
	                      "1", NULL};
	struct mg_error_data e;
	char text[16];

	memset(text, 'x', sizeof text);
	ck_assert_ptr_null(start2(opts, &e, text, 8));
	ck_assert_uint_eq(e.code, MG_ERROR_DATA_CODE_INVALID_OPTION);
	ck_assert_uint_eq(strlen(text), 7);
	ck_assert_int_eq(text[8], 'x');
	/* no text buffer at all: the code still comes back */
	e.text = NULL;
	e.text_buffer_size = 0;
	e.code = 0;
	{
		struct mg_init_data init;

		memset(&init, 0, sizeof init);
		init.configuration_options = opts;
		ck_assert_ptr_null(mg_start2(&init, &e));
	}
	ck_assert_uint_eq(e.code, MG_ERROR_DATA_CODE_INVALID_OPTION);
	/* and no error data: just NULL */
	{
		struct mg_init_data init;

		memset(&init, 0, sizeof init);
		init.configuration_options = opts;
		ck_assert_ptr_null(mg_start2(&init, NULL));
	}
}
END_TEST

START_TEST(start2_success_clears_error)
{
	const char *opts[] = {"listening_ports", "127.0.0.1:0", NULL};
	struct mg_error_data e;
	char text[64];
	struct mg_context *c;

	c = start2(opts, &e, text, sizeof text);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(e.code, MG_ERROR_DATA_CODE_OK);
	ck_assert_str_eq(text, "");
	mg_stop(c);
}
END_TEST

START_TEST(port_in_use_fails_with_init_ports_failed)
{
	struct mg_error_data e;
	char text[256], spec[64], portstr[16];
	int bport, bfd = busy_port(&bport);
	const char *opts[] = {"listening_ports", spec, NULL};

	snprintf(spec, sizeof spec, "127.0.0.1:%d", bport);
	snprintf(portstr, sizeof portstr, "%d", bport);
	ck_assert_ptr_null(start2(opts, &e, text, sizeof text));
	ck_assert_uint_eq(e.code, MG_ERROR_DATA_CODE_INIT_PORTS_FAILED);
	ck_assert_msg(strstr(text, portstr) != NULL, "text: %s", text);
	ck_assert_msg(strstr(text, "in use") != NULL, "text: %s", text);
	/* plain mg_start says NULL too */
	ck_assert_ptr_null(mg_start(NULL, NULL, opts));
	close(bfd);
}
END_TEST

START_TEST(failed_start_leaves_no_descriptor_behind)
{
	struct mg_error_data e;
	char text[256], spec[64];
	int bport, bfd = busy_port(&bport), before;
	const char *opts[] = {"listening_ports", spec, NULL};

	/* the first port binds, the second fails: the first must go */
	snprintf(spec, sizeof spec, "127.0.0.1:0,127.0.0.1:%d", bport);
	before = tl_count_fds();
	for (int i = 0; i < 5; i++)
		ck_assert_ptr_null(start2(opts, &e, text, sizeof text));
	ck_assert_int_eq(tl_count_fds(), before);
	close(bfd);
}
END_TEST

/* ---- listening_ports and mg_get_server_ports ----------------------------- */

START_TEST(ipv4_loopback_port_zero_reports_real_port)
{
	const char *opts[] = {"listening_ports", "127.0.0.1:0", NULL};
	struct mg_server_port p[4];
	struct mg_context *c = mg_start(NULL, NULL, opts);

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(mg_get_server_ports(c, 4, p), 1);
	ck_assert_int_gt(p[0].port, 0);
	ck_assert_int_eq(p[0].protocol, 1);
	ck_assert_int_eq(p[0].is_ssl, 0);
	ck_assert_int_eq(p[0].is_redirect, 0);
	/* the port is the one really listening */
	ck_assert_int_eq(get_from("127.0.0.1", p[0].port, "/none"), 404);
	mg_stop(c);
}
END_TEST

/* Answers with a status no other server in the suite uses, so a test can
 * tell this server from another one that happens to hold the same port. */
static int marker_handler(struct mg_connection *c, void *cb)
{
	(void)cb;
	mg_printf(c, "HTTP/1.1 203 Marker\r\nContent-Length: 0\r\n\r\n");
	return 203;
}

START_TEST(ipv6_loopback_port_zero_serves)
{
	const char *opts[] = {"listening_ports", "[::1]:0", NULL};
	struct mg_server_port p[4];
	struct mg_context *c;

	need_ipv6();
	c = mg_start(NULL, NULL, opts);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(mg_get_server_ports(c, 4, p), 1);
	ck_assert_int_gt(p[0].port, 0);
	ck_assert_int_eq(p[0].protocol, 3); /* CivetWeb's, for IPv6 */
	mg_set_request_handler(c, "/marker", marker_handler, NULL);
	ck_assert_int_eq(get_from("::1", p[0].port, "/none"), 404);
	ck_assert_int_eq(get_from("::1", p[0].port, "/marker"), 203);
	/* IPv6 only: this server does not answer on IPv4 at that port (a
	 * parallel test's IPv4 server may hold the same number) */
	ck_assert_int_ne(get_from("127.0.0.1", p[0].port, "/marker"), 203);
	mg_stop(c);
}
END_TEST

START_TEST(two_ports_both_serve)
{
	const char *opts[] = {"listening_ports", "0,0", NULL};
	struct mg_server_port p[4];
	struct mg_context *c = mg_start(NULL, NULL, opts);

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(mg_get_server_ports(c, 4, p), 2);
	ck_assert_int_gt(p[0].port, 0);
	ck_assert_int_gt(p[1].port, 0);
	ck_assert_int_ne(p[0].port, p[1].port);
	ck_assert_int_eq(p[0].protocol, 1);
	ck_assert_int_eq(p[1].protocol, 1);
	ck_assert_int_eq(get_from("127.0.0.1", p[0].port, "/none"), 404);
	ck_assert_int_eq(get_from("127.0.0.1", p[1].port, "/none"), 404);
	/* a smaller array gets as many as fit */
	memset(p, 0, sizeof p);
	ck_assert_int_eq(mg_get_server_ports(c, 1, p), 1);
	ck_assert_int_gt(p[0].port, 0);
	ck_assert_int_eq(p[1].port, 0);
	mg_stop(c);
}
END_TEST

START_TEST(dual_stack_port_serves_ipv4_and_ipv6)
{
	const char *opts[] = {"listening_ports", "+0", NULL};
	struct mg_server_port p[4];
	struct mg_context *c;

	need_ipv6();
	c = mg_start(NULL, NULL, opts);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(mg_get_server_ports(c, 4, p), 1);
	ck_assert_int_eq(p[0].protocol, 3);
	ck_assert_int_eq(get_from("127.0.0.1", p[0].port, "/none"), 404);
	ck_assert_int_eq(get_from("::1", p[0].port, "/none"), 404);
	mg_stop(c);
}
END_TEST

START_TEST(optional_port_suffix_is_accepted)
{
	const char *opts[] = {"listening_ports", "127.0.0.1:0o", NULL};
	struct mg_server_port p[4];
	struct mg_context *c = mg_start(NULL, NULL, opts);

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(mg_get_server_ports(c, 4, p), 1);
	ck_assert_int_eq(get_from("127.0.0.1", p[0].port, "/none"), 404);
	mg_stop(c);
}
END_TEST

START_TEST(optional_busy_port_is_left_out)
{
	char spec[64];
	const char *opts[] = {"listening_ports", spec, NULL};
	struct mg_server_port p[4];
	struct mg_context *c;
	int bport, bfd = busy_port(&bport);

	snprintf(spec, sizeof spec, "127.0.0.1:0,127.0.0.1:%do", bport);
	c = mg_start(NULL, NULL, opts);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(mg_get_server_ports(c, 4, p), 1);
	ck_assert_int_ne(p[0].port, bport);
	ck_assert_int_eq(get_from("127.0.0.1", p[0].port, "/none"), 404);
	mg_stop(c);
	close(bfd);
}
END_TEST

/* A TLS port without a certificate: CivetWeb's code for a TLS set-up
 * that failed, and the option to set named. */
START_TEST(tls_port_without_certificate_gives_clear_error)
{
	const char *opts[] = {"listening_ports", "127.0.0.1:0s", NULL};
	struct mg_error_data e;
	char text[256];

	ck_assert_ptr_null(start2(opts, &e, text, sizeof text));
	ck_assert_uint_eq(e.code, MG_ERROR_DATA_CODE_INIT_TLS_FAILED);
	ck_assert_msg(strstr(text, "ssl_certificate") != NULL, "text: %s",
	              text);
}
END_TEST

/* A redirect port with no TLS port to send to serves as a plain port
 * (CivetWeb does the same). */
START_TEST(redirect_port_without_tls_port_serves)
{
	const char *opts[] = {"listening_ports", "127.0.0.1:0r", NULL};
	struct mg_server_port ports[2];
	struct mg_error_data e;
	struct tl_resp r;
	char text[256];
	struct mg_context *ctx = start2(opts, &e, text, sizeof text);

	ck_assert_msg(ctx != NULL, "%s", text);
	ck_assert_int_eq(mg_get_server_ports(ctx, 2, ports), 1);
	ck_assert_int_eq(ports[0].is_redirect, 1);
	ck_assert_int_eq(tl_get(ports[0].port, "/nothing-here", &r), 404);
	tl_resp_free(&r);
	mg_stop(ctx);
}
END_TEST

START_TEST(garbage_ports_give_error)
{
	static const char *const bad[] = {"garbage",    "80x",   "",   "99999",
	                                  "127.0.0.1:", "[::1]", "0sx"};
	struct mg_error_data e;
	char text[256];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *opts[] = {"listening_ports", bad[i], NULL};

		ck_assert_msg(start2(opts, &e, text, sizeof text) == NULL,
		              "'%s' was accepted", bad[i]);
		ck_assert_uint_eq(e.code, MG_ERROR_DATA_CODE_INVALID_OPTION);
		ck_assert_msg(strstr(text, "listening_ports") != NULL,
		              "'%s': text %s", bad[i], text);
	}
}
END_TEST

START_TEST(server_ports_refuses_bad_arguments)
{
	const char *opts[] = {"listening_ports", "127.0.0.1:0", NULL};
	struct mg_server_port p[2];
	struct mg_context *c = mg_start(NULL, NULL, opts);

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(mg_get_server_ports(c, 0, p), -1);
	ck_assert_int_eq(mg_get_server_ports(c, 2, NULL), -1);
	ck_assert_int_eq(mg_get_server_ports(NULL, 2, p), -1);
	mg_stop(c);
}
END_TEST

/* ---- what the library says about itself ---------------------------------- */

START_TEST(get_option_gives_values_defaults_and_unknowns)
{
	const char *opts[] = {"listening_ports",
	                      "127.0.0.1:0",
	                      "num_threads",
	                      "3",
	                      "enable_keep_alive",
	                      "yes",
	                      "additional_header",
	                      "X-A: 1",
	                      "additional_header",
	                      "X-B: 2",
	                      NULL};
	struct mg_context *c = mg_start(NULL, NULL, opts);

	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(mg_get_option(c, "listening_ports"), "127.0.0.1:0");
	ck_assert_str_eq(mg_get_option(c, "num_threads"), "3");
	ck_assert_str_eq(mg_get_option(c, "enable_keep_alive"), "yes");
	/* defaults */
	ck_assert_str_eq(mg_get_option(c, "request_timeout_ms"), "30000");
	ck_assert_str_eq(mg_get_option(c, "keep_alive_timeout_ms"), "500");
	ck_assert_str_eq(mg_get_option(c, "max_request_size"), "16384");
	ck_assert_str_eq(mg_get_option(c, "decode_url"), "yes");
	ck_assert_str_eq(mg_get_option(c, "authentication_domain"),
	                 "mydomain.com");
	/* valid but unset: "" */
	ck_assert_str_eq(mg_get_option(c, "document_root"), "");
	ck_assert_str_eq(mg_get_option(c, "run_as_user"), "");
	ck_assert_str_eq(mg_get_option(c, "error_log_file"), "");
	/* several additional_header lines accumulate */
	ck_assert_str_eq(mg_get_option(c, "additional_header"),
	                 "X-A: 1\r\nX-B: 2");
	/* unknown: NULL */
	ck_assert_ptr_null(mg_get_option(c, "no_such_option"));
	ck_assert_ptr_null(mg_get_option(c, "NUM_THREADS"));
	ck_assert_ptr_null(mg_get_option(c, NULL));
	mg_stop(c);
}
END_TEST

START_TEST(get_option_without_context)
{
	ck_assert_str_eq(mg_get_option(NULL, "num_threads"), "");
	ck_assert_ptr_null(mg_get_option(NULL, "no_such_option"));
}
END_TEST

START_TEST(valid_options_lists_names_types_and_defaults)
{
	const struct mg_option *o = mg_get_valid_options();
	int n = 0, found = 0;

	ck_assert_ptr_nonnull(o);
	for (; o[n].name != NULL; n++) {
		if (strcmp(o[n].name, "num_threads") == 0) {
			found++;
			ck_assert_int_eq(o[n].type, MG_CONFIG_TYPE_NUMBER);
			ck_assert_str_eq(o[n].default_value, "50");
		}
		if (strcmp(o[n].name, "additional_header") == 0) {
			found++;
			ck_assert_int_eq(o[n].type,
			                 MG_CONFIG_TYPE_STRING_MULTILINE);
		}
	}
	ck_assert_int_eq(found, 2);
	ck_assert_int_gt(n, 60);
	ck_assert_ptr_eq(mg_get_valid_options(), o);
}
END_TEST

START_TEST(version_is_1_16)
{
	ck_assert_str_eq(mg_version(), "1.16");
	ck_assert_str_eq(CIVETWEB_VERSION, "1.16");
}
END_TEST

START_TEST(check_feature_is_true_to_the_build)
{
	ck_assert_uint_ne(mg_check_feature(MG_FEATURES_FILES), 0);
	ck_assert_uint_ne(mg_check_feature(MG_FEATURES_IPV6), 0);
	ck_assert_uint_ne(mg_check_feature(MG_FEATURES_STATS), 0);
	ck_assert_uint_ne(mg_check_feature(MG_FEATURES_TLS), 0);
	ck_assert_uint_ne(mg_check_feature(MG_FEATURES_WEBSOCKET), 0);
	ck_assert_uint_eq(mg_check_feature(MG_FEATURES_LUA), 0);
	ck_assert_uint_eq(mg_check_feature(MG_FEATURES_CGI), 0);
	ck_assert_uint_eq(mg_check_feature(MG_FEATURES_SSJS), 0);
	ck_assert_uint_eq(mg_check_feature(MG_FEATURES_HTTP2), 0);
	ck_assert_uint_eq(mg_check_feature(MG_FEATURES_X_DOMAIN_SOCKET), 0);
	/* conditional requests (304) on static files: caching */
	ck_assert_uint_ne(mg_check_feature(MG_FEATURES_CACHE), 0);
	ck_assert_uint_eq(mg_check_feature(MG_FEATURES_ALL),
	                  MG_FEATURES_FILES | MG_FEATURES_IPV6 |
	                      MG_FEATURES_CACHE | MG_FEATURES_STATS |
	                      MG_FEATURES_TLS | MG_FEATURES_WEBSOCKET);
	/* a mask asks for several at once */
	ck_assert_uint_eq(mg_check_feature(MG_FEATURES_FILES | MG_FEATURES_LUA),
	                  MG_FEATURES_FILES);
}
END_TEST

START_TEST(system_info_is_json_and_reports_its_length)
{
	char buf[4096], small[16];
	int full = mg_get_system_info(NULL, 0);

	ck_assert_int_gt(full, 20);
	ck_assert_int_eq(mg_get_system_info(buf, sizeof buf), full);
	ck_assert_uint_eq(strlen(buf), (size_t)full);
	ck_assert_int_eq(buf[0], '{');
	ck_assert_ptr_nonnull(strstr(buf, "\"version\" : \"1.16\""));
	ck_assert_ptr_nonnull(strstr(buf, "\"os\""));
	ck_assert_ptr_nonnull(strstr(buf, "\"features\""));
	/* a short buffer: truncated, terminated, full length returned */
	memset(small, 'x', sizeof small);
	ck_assert_int_eq(mg_get_system_info(small, 8), full);
	ck_assert_uint_eq(strlen(small), 7);
	ck_assert_int_eq(strncmp(small, buf, 7), 0);
	ck_assert_int_eq(small[8], 'x');
}
END_TEST

static int counted_handler(struct mg_connection *c, void *cb)
{
	(void)cb;
	mg_send_http_ok(c, "text/plain", 5);
	mg_write(c, "hello", 5);
	return 200;
}

struct want_requests {
	struct mg_context *c;
	long long n;
};

static int requests_reach(void *arg)
{
	struct want_requests *w = arg;

	return context_num(w->c, "requests", "total") >= w->n;
}

START_TEST(context_info_counts_move_with_requests)
{
	int port;
	struct mg_context *c = tl_start(NULL, NULL, NULL, &port);
	struct want_requests w;
	long long req0, conn0, read0, written0;
	char buf[4096];

	mg_set_request_handler(c, "/count", counted_handler, NULL);
	ck_assert_int_gt(mg_get_context_info(c, buf, sizeof buf), 0);
	ck_assert_int_eq(buf[0], '{');
	ck_assert_ptr_nonnull(strstr(buf, "\"connections\""));
	ck_assert_ptr_nonnull(strstr(buf, "\"requests\""));
	ck_assert_ptr_nonnull(strstr(buf, "\"data\""));
	ck_assert_ptr_nonnull(strstr(buf, "\"time\""));
	ck_assert_ptr_nonnull(strstr(buf, "\"uptime\""));
	req0 = context_num(c, "requests", "total");
	conn0 = context_num(c, "connections", "total");
	read0 = context_num(c, "data", "read");
	written0 = context_num(c, "data", "written");
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(get_from("127.0.0.1", port, "/count"), 200);
	/* counted when the request ends, just after the response left */
	w.c = c;
	w.n = req0 + 5;
	tl_wait_until(requests_reach, &w, 3000, "requests.total %lld", w.n);
	ck_assert_int_eq(context_num(c, "requests", "total"), req0 + 5);
	ck_assert_int_eq(context_num(c, "connections", "total"), conn0 + 5);
	ck_assert_int_gt(context_num(c, "data", "read"), read0 + 5 * 40);
	ck_assert_int_gt(context_num(c, "data", "written"), written0 + 5 * 5);
	ck_assert_int_ge(context_num(c, "connections", "maxActive"), 1);
	ck_assert_int_ge(context_num(c, "connections", "active"), 0);
	mg_stop(c);
}
END_TEST

START_TEST(context_info_reports_length_for_null_and_short_buffers)
{
	int port;
	struct mg_context *c = tl_start(NULL, NULL, NULL, &port);
	char buf[4096], small[16];
	int full = mg_get_context_info(c, NULL, 0);

	ck_assert_int_gt(full, 20);
	ck_assert_int_eq(mg_get_context_info(c, buf, sizeof buf), full);
	ck_assert_uint_eq(strlen(buf), (size_t)full);
	memset(small, 'x', sizeof small);
	ck_assert_int_eq(mg_get_context_info(c, small, 10), full);
	ck_assert_uint_eq(strlen(small), 9);
	ck_assert_int_eq(small[10], 'x');
	/* no context: still JSON, and its length */
	ck_assert_int_gt(mg_get_context_info(NULL, buf, sizeof buf), 0);
	ck_assert_int_eq(buf[0], '{');
	mg_stop(c);
}
END_TEST

START_TEST(init_and_exit_library_return_values)
{
	/* forget initialisations other tests may have made in-process */
	for (int i = 0; i < 100 && mg_exit_library() != 0; i++)
		;
	ck_assert_uint_eq(mg_exit_library(), 0);
	ck_assert_uint_eq(mg_init_library(MG_FEATURES_FILES),
	                  MG_FEATURES_FILES);
	/* features not built are not initialised */
	ck_assert_uint_eq(mg_init_library(MG_FEATURES_LUA | MG_FEATURES_FILES),
	                  MG_FEATURES_FILES);
	ck_assert_uint_eq(mg_init_library(MG_FEATURES_DEFAULT), 0);
	/* one exit per init succeeds, the next one has nothing to undo */
	ck_assert_uint_eq(mg_exit_library(), 1);
	ck_assert_uint_eq(mg_exit_library(), 1);
	ck_assert_uint_eq(mg_exit_library(), 1);
	ck_assert_uint_eq(mg_exit_library(), 0);
}
END_TEST

/* ---- handlers on a running server ---------------------------------------- */

static struct mg_context *hctx;
static int hport;
static int user_data_mark;
static _Atomic int request_runs;
static _Atomic int auth_runs;

static char txt_a[] = "A", txt_b[] = "B", txt_secret[] = "secret";
static char txt_short[] = "short", txt_longer[] = "longer", txt_long[] = "long";
static char txt_json[] = "json", txt_open[] = "open", txt_kept[] = "kept";

static int body_handler(struct mg_connection *c, void *cb)
{
	const char *body = cb;

	atomic_fetch_add(&request_runs, 1);
	mg_send_http_ok(c, "text/plain", (long long)strlen(body));
	mg_write(c, body, strlen(body));
	return 200;
}

static int deny_silently(struct mg_connection *c, void *cb)
{
	(void)c;
	(void)cb;
	atomic_fetch_add(&auth_runs, 1);
	return 0;
}

static int deny_with_page(struct mg_connection *c, void *cb)
{
	(void)cb;
	atomic_fetch_add(&auth_runs, 1);
	mg_send_http_error(c, 403, "%s", "go away");
	return 0;
}

static int grant(struct mg_connection *c, void *cb)
{
	(void)c;
	(void)cb;
	atomic_fetch_add(&auth_runs, 1);
	return 1;
}

static void handlers_setup(void)
{
	const char *opts[] = {"num_threads",
	                      "8",
	                      "enable_keep_alive",
	                      "yes",
	                      "keep_alive_timeout_ms",
	                      "5000",
	                      NULL};

	atomic_store(&request_runs, 0);
	atomic_store(&auth_runs, 0);
	hctx = tl_start(NULL, &user_data_mark, opts, &hport);
}

static void handlers_teardown(void)
{
	mg_stop(hctx);
	hctx = NULL;
}

/* Client threads hammering GET /dyn, classifying every answer. */
struct load {
	int port;
	int allow_404;
	_Atomic int stop;
	_Atomic long a, b, not_found, errors, total;
	char last_error[256];
};

static void *load_client(void *arg)
{
	struct load *l = arg;
	char buf[8192];
	const char *body;

	for (int i = 0; i < 5000 && !atomic_load(&l->stop); i++) {
		int st = fetch("127.0.0.1", l->port,
		               "GET /dyn HTTP/1.1\r\nHost: t\r\n"
		               "Connection: close\r\n\r\n",
		               buf, sizeof buf, &body);

		atomic_fetch_add(&l->total, 1);
		if (st == 200 && strcmp(body, "A") == 0)
			atomic_fetch_add(&l->a, 1);
		else if (st == 200 && strcmp(body, "B") == 0)
			atomic_fetch_add(&l->b, 1);
		else if (st == 404 && l->allow_404)
			atomic_fetch_add(&l->not_found, 1);
		else if (atomic_fetch_add(&l->errors, 1) == 0)
			snprintf(l->last_error, sizeof l->last_error,
			         "status %d: %.200s", st, buf);
	}
	return NULL;
}

static void run_load(struct load *l, pthread_t *t, int n)
{
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, load_client, l),
		                 0);
}

static void stop_load(struct load *l, pthread_t *t, int n)
{
	atomic_store(&l->stop, 1);
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
}

struct more_answers {
	_Atomic long *count;
	long was;
};

static int count_grew(void *arg)
{
	struct more_answers *m = arg;

	return atomic_load(m->count) > m->was;
}

/* Serve body on /dyn (no handler: NULL), then wait until the load's
 * count of such answers grows: the clients have seen the change. */
static void switch_and_see(_Atomic long *count, char *body, const char *what)
{
	struct more_answers m = {count, atomic_load(count)};

	mg_set_request_handler(hctx, "/dyn", body ? body_handler : NULL, body);
	tl_wait_until(count_grew, &m, 5000, "a client to get %s", what);
}

START_TEST(request_handler_replaced_under_load_without_errors)
{
	static struct load l;
	pthread_t t[4];

	memset(&l, 0, sizeof l);
	l.port = hport;
	mg_set_request_handler(hctx, "/dyn", body_handler, txt_a);
	run_load(&l, t, 4);
	for (int i = 0; i < 40; i++) {
		switch_and_see(&l.b, txt_b, "B");
		switch_and_see(&l.a, txt_a, "A");
	}
	stop_load(&l, t, 4);
	ck_assert_msg(atomic_load(&l.errors) == 0, "%ld errors of %ld: %s",
	              atomic_load(&l.errors), atomic_load(&l.total),
	              l.last_error);
	ck_assert_int_gt(atomic_load(&l.a), 0);
	ck_assert_int_gt(atomic_load(&l.b), 0);
	ck_assert_int_eq(get_from("127.0.0.1", hport, "/dyn"), 200);
}
END_TEST

START_TEST(request_handler_removed_under_load_then_404)
{
	static struct load l;
	pthread_t t[4];
	char buf[4096];
	const char *body;

	memset(&l, 0, sizeof l);
	l.port = hport;
	l.allow_404 = 1;
	mg_set_request_handler(hctx, "/dyn", body_handler, txt_a);
	run_load(&l, t, 4);
	switch_and_see(&l.a, txt_a, "A");
	switch_and_see(&l.not_found, NULL, "404");
	/* from here on, nobody may get the removed handler */
	ck_assert_int_eq(fetch("127.0.0.1", hport,
	                       "GET /dyn HTTP/1.1\r\nHost: t\r\n"
	                       "Connection: close\r\n\r\n",
	                       buf, sizeof buf, &body),
	                 404);
	stop_load(&l, t, 4);
	ck_assert_msg(atomic_load(&l.errors) == 0, "%ld errors of %ld: %s",
	              atomic_load(&l.errors), atomic_load(&l.total),
	              l.last_error);
	ck_assert_int_gt(atomic_load(&l.a), 0);
	ck_assert_int_gt(atomic_load(&l.not_found), 0);
	ck_assert_int_eq(get_from("127.0.0.1", hport, "/dyn"), 404);
	ck_assert_int_eq(get_from("127.0.0.1", hport, "/dyn/sub"), 404);
}
END_TEST

START_TEST(most_specific_handler_answers_on_the_wire)
{
	mg_set_request_handler(hctx, "/s", body_handler, txt_short);
	mg_set_request_handler(hctx, "/s/long/er", body_handler, txt_longer);
	mg_set_request_handler(hctx, "/s/long", body_handler, txt_long);
	mg_set_request_handler(hctx, "**.json$", body_handler, txt_json);
	{
		struct tl_resp r;

		ck_assert_int_eq(tl_get(hport, "/s/long/er/x", &r), 200);
		ck_assert_str_eq(r.body, "longer");
		tl_resp_free(&r);
		ck_assert_int_eq(tl_get(hport, "/s/long/x", &r), 200);
		ck_assert_str_eq(r.body, "long");
		tl_resp_free(&r);
		ck_assert_int_eq(tl_get(hport, "/s/x.json", &r), 200);
		ck_assert_str_eq(r.body, "short");
		tl_resp_free(&r);
		ck_assert_int_eq(tl_get(hport, "/t/x.json", &r), 200);
		ck_assert_str_eq(r.body, "json");
		tl_resp_free(&r);
	}
}
END_TEST

START_TEST(auth_handler_denying_silently_gives_401)
{
	struct tl_resp r;

	mg_set_request_handler(hctx, "/sec", body_handler, txt_secret);
	mg_set_auth_handler(hctx, "/sec", deny_silently, NULL);
	ck_assert_int_eq(tl_get(hport, "/sec", &r), 401);
	ck_assert_ptr_null(strstr(r.body, "secret"));
	tl_resp_free(&r);
	ck_assert_int_eq(atomic_load(&auth_runs), 1);
	ck_assert_int_eq(atomic_load(&request_runs), 0);
}
END_TEST

START_TEST(auth_handler_denying_with_own_page_keeps_it)
{
	struct tl_resp r;

	mg_set_request_handler(hctx, "/sec", body_handler, txt_secret);
	mg_set_auth_handler(hctx, "/sec", deny_with_page, NULL);
	ck_assert_int_eq(tl_get(hport, "/sec", &r), 403);
	ck_assert_ptr_nonnull(strstr(r.body, "go away"));
	tl_resp_free(&r);
	ck_assert_int_eq(atomic_load(&request_runs), 0);
}
END_TEST

START_TEST(auth_handler_granting_runs_request_handler)
{
	struct tl_resp r;

	mg_set_request_handler(hctx, "/sec", body_handler, txt_secret);
	mg_set_auth_handler(hctx, "/sec", grant, NULL);
	ck_assert_int_eq(tl_get(hport, "/sec", &r), 200);
	ck_assert_str_eq(r.body, "secret");
	tl_resp_free(&r);
	ck_assert_int_eq(atomic_load(&auth_runs), 1);
	ck_assert_int_eq(atomic_load(&request_runs), 1);
}
END_TEST

START_TEST(auth_handler_covers_uris_below_it_only)
{
	struct tl_resp r;

	mg_set_request_handler(hctx, "/", body_handler, txt_open);
	mg_set_auth_handler(hctx, "/private", deny_silently, NULL);
	ck_assert_int_eq(tl_get(hport, "/private/doc", &r), 401);
	tl_resp_free(&r);
	ck_assert_int_eq(tl_get(hport, "/public/doc", &r), 200);
	ck_assert_str_eq(r.body, "open");
	tl_resp_free(&r);
	/* removing the auth handler opens it; the request handler stays */
	mg_set_auth_handler(hctx, "/private", NULL, NULL);
	ck_assert_int_eq(tl_get(hport, "/private/doc", &r), 200);
	tl_resp_free(&r);
}
END_TEST

/* Is thread tid of this process asleep (state S, as when it waits for a
 * lock)? */
static int thread_asleep(void *arg)
{
	char path[64], stat[512], *p;
	int asleep = 0;
	FILE *f;

	snprintf(path, sizeof path, "/proc/self/task/%d/stat", *(int *)arg);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	if (fgets(stat, sizeof stat, f) != NULL &&
	    (p = strrchr(stat, ')')) != NULL)
		asleep = p[1] == ' ' && p[2] == 'S';
	fclose(f);
	return asleep;
}

/* mg_lock_context: a handler that takes the context lock waits while the
 * application holds it. */
static _Atomic int lock_entered, lock_released_by_main, lock_tid;

static int locking_handler(struct mg_connection *c, void *cb)
{
	char body[32];
	int n;

	(void)cb;
	atomic_store(&lock_tid, (int)gettid());
	atomic_store(&lock_entered, 1);
	mg_lock_context(mg_get_context(c));
	n = snprintf(body, sizeof body, "released=%d",
	             atomic_load(&lock_released_by_main));
	mg_unlock_context(mg_get_context(c));
	mg_send_http_ok(c, "text/plain", n);
	mg_write(c, body, (size_t)n);
	return 200;
}

struct got {
	int port;
	const char *path;
	int status;
	char buf[4096];
	const char *body;
};

static void *get_thread(void *arg)
{
	struct got *g = arg;
	char raw[256];

	snprintf(raw, sizeof raw,
	         "GET %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
	         g->path);
	g->status =
	    fetch("127.0.0.1", g->port, raw, g->buf, sizeof g->buf, &g->body);
	return NULL;
}

static int is_set(void *arg)
{
	return atomic_load((_Atomic int *)arg) != 0;
}

START_TEST(context_lock_holds_off_handlers)
{
	struct got g;
	pthread_t t;
	int tid;

	memset(&g, 0, sizeof g);
	g.port = hport;
	g.path = "/locked";
	atomic_store(&lock_entered, 0);
	atomic_store(&lock_released_by_main, 0);
	mg_set_request_handler(hctx, "/locked", locking_handler, NULL);
	mg_lock_context(hctx);
	ck_assert_int_eq(pthread_create(&t, NULL, get_thread, &g), 0);
	tl_wait_until(is_set, &lock_entered, 5000, "the handler to start");
	tid = atomic_load(&lock_tid);
	tl_wait_until(thread_asleep, &tid, 5000,
	              "the handler's thread to wait for the lock");
	atomic_store(&lock_released_by_main, 1);
	mg_unlock_context(hctx);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(g.status, 200);
	ck_assert_str_eq(g.body, "released=1");
}
END_TEST

/* mg_lock_connection: another thread cannot take a connection's lock
 * while the handler holds it. */
struct conn_locker {
	struct mg_connection *c;
	_Atomic int tid; /* the other thread's, once it runs */
	_Atomic int got;
};

static void *take_conn_lock(void *arg)
{
	struct conn_locker *k = arg;

	atomic_store(&k->tid, (int)gettid());
	mg_lock_connection(k->c);
	atomic_store(&k->got, 1);
	mg_unlock_connection(k->c);
	return NULL;
}

/* Wait until k's thread sleeps (in mg_lock_connection): 1, or 0 if it
 * did not within 5 s (no assertion on a server thread: the handler's body
 * tells the test). */
static int waits_for_lock(struct conn_locker *k)
{
	int tid;

	if (tl_poll_until(is_set, &k->tid, 5000) != 0)
		return 0;
	tid = atomic_load(&k->tid);
	return tl_poll_until(thread_asleep, &tid, 5000) == 0;
}

static int conn_lock_handler(struct mg_connection *c, void *cb)
{
	struct conn_locker k;
	pthread_t t;
	int held_off, got_after;
	char body[64];
	int n;

	(void)cb;
	k.c = c;
	atomic_store(&k.tid, 0);
	atomic_store(&k.got, 0);
	mg_lock_connection(c);
	pthread_create(&t, NULL, take_conn_lock, &k);
	held_off = waits_for_lock(&k) && !atomic_load(&k.got);
	mg_unlock_connection(c);
	pthread_join(t, NULL);
	got_after = atomic_load(&k.got);
	n = snprintf(body, sizeof body, "held_off=%d got_after=%d", held_off,
	             got_after);
	mg_send_http_ok(c, "text/plain", n);
	mg_write(c, body, (size_t)n);
	return 200;
}

START_TEST(connection_lock_is_exclusive_in_handlers)
{
	struct tl_resp r;

	mg_set_request_handler(hctx, "/connlock", conn_lock_handler, NULL);
	ck_assert_int_eq(tl_get(hport, "/connlock", &r), 200);
	ck_assert_str_eq(r.body, "held_off=1 got_after=1");
	tl_resp_free(&r);
}
END_TEST

static int user_data_handler(struct mg_connection *c, void *cb)
{
	char body[128];
	int n;

	n = snprintf(body, sizeof body, "ctx=%d user=%d info=%d cb=%d",
	             mg_get_context(c) == hctx,
	             mg_get_user_context_data(c) == &user_data_mark,
	             mg_get_request_info(c)->user_data == &user_data_mark,
	             cb == &request_runs);
	mg_send_http_ok(c, "text/plain", n);
	mg_write(c, body, (size_t)n);
	return 200;
}

START_TEST(user_data_reachable_from_handlers)
{
	struct tl_resp r;

	ck_assert_ptr_eq(mg_get_user_data(hctx), &user_data_mark);
	ck_assert_ptr_null(mg_get_user_data(NULL));
	ck_assert_ptr_null(mg_get_context(NULL));
	ck_assert_ptr_null(mg_get_user_context_data(NULL));
	mg_set_request_handler(hctx, "/ud", user_data_handler, &request_runs);
	ck_assert_int_eq(tl_get(hport, "/ud", &r), 200);
	ck_assert_str_eq(r.body, "ctx=1 user=1 info=1 cb=1");
	tl_resp_free(&r);
}
END_TEST

static pthread_mutex_t thr_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t thr_cond = PTHREAD_COND_INITIALIZER;
static void *thr_arg_seen;
static int thr_done;

static void *helper_thread(void *arg)
{
	pthread_mutex_lock(&thr_lock);
	thr_arg_seen = arg;
	thr_done = 1;
	pthread_cond_signal(&thr_cond);
	pthread_mutex_unlock(&thr_lock);
	return NULL;
}

START_TEST(start_thread_runs_the_function)
{
	struct timespec until;
	int r = 0;

	pthread_mutex_lock(&thr_lock);
	thr_done = 0;
	thr_arg_seen = NULL;
	pthread_mutex_unlock(&thr_lock);
	ck_assert_int_eq(mg_start_thread(helper_thread, &user_data_mark), 0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&thr_lock);
	while (!thr_done && r == 0)
		r = pthread_cond_timedwait(&thr_cond, &thr_lock, &until);
	ck_assert_int_eq(thr_done, 1);
	ck_assert_ptr_eq(thr_arg_seen, &user_data_mark);
	pthread_mutex_unlock(&thr_lock);
	ck_assert_int_eq(mg_start_thread(NULL, NULL), -1);
}
END_TEST

static int link_handler(struct mg_connection *c, void *cb)
{
	char link[256] = "", tiny[8] = "";
	char body[512];
	int r, rt, n;

	(void)cb;
	r = mg_get_request_link(c, link, sizeof link);
	rt = mg_get_request_link(c, tiny, sizeof tiny);
	n = snprintf(body, sizeof body, "%d %s|%d", r, link, rt);
	mg_send_http_ok(c, "text/plain", n);
	mg_write(c, body, (size_t)n);
	return 200;
}

/* CivetWeb builds the link from the server's own identity, never from the
 * client's Host header: the authentication_domain while
 * enable_auth_domain_check is on (the default), else the address the
 * connection came in on; then ":port" unless it is the scheme's default,
 * then local_uri (no query string). A link too long for the buffer is -1.
 * (Recorded with CivetWeb 1.15: "http://mydomain.com:PORT/link/x".) */
START_TEST(request_link_is_built_like_civetweb)
{
	char raw[256], want[128], buf[4096];
	const char *body;
	const char *opts[] = {"enable_auth_domain_check", "no", NULL};
	struct mg_context *c2;
	int port2;

	mg_set_request_handler(hctx, "/link", link_handler, NULL);
	snprintf(raw, sizeof raw,
	         "GET /link/x?q=1 HTTP/1.1\r\nHost: other.example:9\r\n"
	         "Connection: close\r\n\r\n");
	ck_assert_int_eq(fetch("127.0.0.1", hport, raw, buf, sizeof buf, &body),
	                 200);
	snprintf(want, sizeof want, "0 http://mydomain.com:%d/link/x|-1",
	         hport);
	ck_assert_str_eq(body, want);

	c2 = tl_start(NULL, NULL, opts, &port2);
	mg_set_request_handler(c2, "/link", link_handler, NULL);
	ck_assert_int_eq(fetch("127.0.0.1", port2, raw, buf, sizeof buf, &body),
	                 200);
	snprintf(want, sizeof want, "0 http://127.0.0.1:%d/link/x|-1", port2);
	ck_assert_str_eq(body, want);
	mg_stop(c2);
}
END_TEST

static int no_keep_alive_handler(struct mg_connection *c, void *cb)
{
	(void)cb;
	mg_disable_connection_keep_alive(c);
	mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
	return 200;
}

START_TEST(disable_keep_alive_closes_the_connection)
{
	struct tl_resp r;
	int fd = tl_connect(hport);

	mg_set_request_handler(hctx, "/ka", body_handler, txt_kept);
	mg_set_request_handler(hctx, "/noka", no_keep_alive_handler, NULL);
	/* keep-alive works on this server ... */
	ck_assert_int_eq(tl_send(fd, "GET /ka HTTP/1.1\r\nHost: t\r\n\r\n"), 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	ck_assert_int_eq(r.closed, 0);
	tl_resp_free(&r);
	/* ... until a handler disables it for its connection */
	ck_assert_int_eq(tl_send(fd, "GET /noka HTTP/1.1\r\nHost: t\r\n\r\n"),
	                 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	ck_assert_str_eq(r.body, "ok");
	ck_assert_ptr_nonnull(tl_header(&r, "Connection"));
	ck_assert_str_eq(tl_header(&r, "Connection"), "close");
	tl_resp_free(&r);
	ck_assert_int_eq(tl_closed_within(fd, 3000), 1);
	close(fd);
}
END_TEST

/* ---- options that shape serving ------------------------------------------ */

static int send_ok_handler(struct mg_connection *c, void *cb)
{
	(void)cb;
	mg_send_http_ok(c, "text/plain", 2);
	mg_write(c, "ok", 2);
	return 200;
}

static int send_error_handler(struct mg_connection *c, void *cb)
{
	(void)cb;
	mg_send_http_error(c, 409, "%s", "conflict here");
	return 409;
}

START_TEST(additional_header_on_library_made_responses)
{
	char *dir = tl_mkdtemp();
	const char *opts[] = {"document_root",
	                      dir,
	                      "additional_header",
	                      "X-Test-A: one",
	                      "additional_header",
	                      "X-Test-B: two",
	                      NULL};
	static const char *const paths[] = {"/hello.txt", "/missing", "/ok",
	                                    "/err"};
	static const int want[] = {200, 404, 200, 409};
	struct mg_context *c;
	struct tl_resp r;
	int port;

	tl_write_file(dir, "hello.txt", "hello", 5);
	c = tl_start(NULL, NULL, opts, &port);
	mg_set_request_handler(c, "/ok", send_ok_handler, NULL);
	mg_set_request_handler(c, "/err", send_error_handler, NULL);
	for (size_t i = 0; i < 4; i++) {
		ck_assert_int_eq(tl_get(port, paths[i], &r), want[i]);
		ck_assert_msg(tl_header(&r, "X-Test-A") != NULL,
		              "%s: no X-Test-A in\n%s", paths[i], r.head);
		ck_assert_str_eq(tl_header(&r, "X-Test-A"), "one");
		ck_assert_msg(tl_header(&r, "X-Test-B") != NULL,
		              "%s: no X-Test-B in\n%s", paths[i], r.head);
		ck_assert_str_eq(tl_header(&r, "X-Test-B"), "two");
		tl_resp_free(&r);
	}
	ck_assert_int_eq(tl_get(port, "/hello.txt", &r), 200);
	ck_assert_str_eq(r.body, "hello");
	tl_resp_free(&r);
	mg_stop(c);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

/* num_threads: no more handlers run at once than threads. */
static _Atomic int blk_running, blk_max, blk_release, pool_threads;

static int blocking_handler(struct mg_connection *c, void *cb)
{
	int now = atomic_fetch_add(&blk_running, 1) + 1, m;

	(void)cb;
	while ((m = atomic_load(&blk_max)) < now &&
	       !atomic_compare_exchange_weak(&blk_max, &m, now))
		;
	tl_poll_until(is_set, &blk_release, 10000);
	atomic_fetch_sub(&blk_running, 1);
	mg_send_http_ok(c, "text/plain", 2);
	mg_write(c, "ok", 2);
	return 200;
}

static void *count_threads(const struct mg_context *c, int type)
{
	(void)c;
	if (type == 1)
		atomic_fetch_add(&pool_threads, 1);
	return NULL;
}

static int three_running(void *arg)
{
	(void)arg;
	return atomic_load(&blk_running) >= 3;
}

START_TEST(num_threads_caps_concurrent_handlers)
{
	const char *opts[] = {"num_threads", "3", NULL};
	struct mg_callbacks cb;
	struct mg_context *c;
	struct got g[4];
	pthread_t t[4];
	int port;

	memset(&cb, 0, sizeof cb);
	cb.init_thread = count_threads;
	atomic_store(&blk_running, 0);
	atomic_store(&blk_max, 0);
	atomic_store(&blk_release, 0);
	atomic_store(&pool_threads, 0);
	c = tl_start(&cb, NULL, opts, &port);
	ck_assert_str_eq(mg_get_option(c, "num_threads"), "3");
	mg_set_request_handler(c, "/block", blocking_handler, NULL);
	memset(g, 0, sizeof g);
	for (int i = 0; i < 4; i++) {
		g[i].port = port;
		g[i].path = "/block";
		ck_assert_int_eq(pthread_create(&t[i], NULL, get_thread, &g[i]),
		                 0);
	}
	/* every pool thread gets used ... */
	tl_wait_until(three_running, NULL, 5000, "3 handlers running");
	/* ... but the fourth request waits for one of them: nothing can
	 * signal an absence, so it is watched for 300 ms */
	sleep_ms(300);
	ck_assert_int_eq(atomic_load(&blk_running), 3);
	ck_assert_int_eq(atomic_load(&blk_max), 3);
	atomic_store(&blk_release, 1);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
		ck_assert_int_eq(g[i].status, 200);
	}
	ck_assert_int_eq(atomic_load(&blk_max), 3);
	ck_assert_int_eq(atomic_load(&pool_threads), 3);
	mg_stop(c);
}
END_TEST

START_TEST(request_timeout_closes_incomplete_request)
{
	const char *opts[] = {"request_timeout_ms", "500", NULL};
	int port, fd, fd2;
	struct mg_context *c = tl_start(NULL, NULL, opts, &port);
	long long t0;

	ck_assert_str_eq(mg_get_option(c, "request_timeout_ms"), "500");
	/* half a request head */
	fd = tl_connect(port);
	t0 = tl_now_ms();
	ck_assert_int_eq(tl_send(fd, "GET / HTTP/1.1\r\nHost: a\r\n"), 0);
	ck_assert_int_eq(tl_closed_within(fd, 5000), 1);
	ck_assert_int_ge(tl_now_ms() - t0, 300);
	close(fd);
	/* a connection that never sends anything */
	fd2 = tl_connect(port);
	t0 = tl_now_ms();
	ck_assert_int_eq(tl_closed_within(fd2, 5000), 1);
	ck_assert_int_ge(tl_now_ms() - t0, 300);
	close(fd2);
	mg_stop(c);
}
END_TEST

START_TEST(keep_alive_timeout_closes_idle_connection)
{
	const char *opts[] = {"enable_keep_alive",
	                      "yes",
	                      "keep_alive_timeout_ms",
	                      "300",
	                      "request_timeout_ms",
	                      "10000",
	                      NULL};
	int port, fd;
	struct mg_context *c = tl_start(NULL, NULL, opts, &port);
	struct tl_resp r;
	long long t0;

	mg_set_request_handler(c, "/ok", send_ok_handler, NULL);
	fd = tl_connect(port);
	ck_assert_int_eq(tl_send(fd, "GET /ok HTTP/1.1\r\nHost: a\r\n\r\n"), 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	ck_assert_int_eq(r.closed, 0);
	tl_resp_free(&r);
	t0 = tl_now_ms();
	ck_assert_int_eq(tl_closed_within(fd, 5000), 1);
	ck_assert_int_ge(tl_now_ms() - t0, 200);
	/* well below request_timeout_ms: it was the keep-alive timeout */
	ck_assert_int_lt(tl_now_ms() - t0, 5000);
	close(fd);
	mg_stop(c);
}
END_TEST

START_TEST(keep_alive_is_off_by_default)
{
	int port, fd;
	struct mg_context *c = tl_start(NULL, NULL, NULL, &port);
	struct tl_resp r;
	static const char *const reqs[] = {
	    "GET /ok HTTP/1.1\r\nHost: a\r\n\r\n",
	    "GET /missing HTTP/1.1\r\nHost: a\r\n\r\n",
	    "GET /ok HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n",
	    "GET /ok HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"};

	ck_assert_str_eq(mg_get_option(c, "enable_keep_alive"), "no");
	mg_set_request_handler(c, "/ok", send_ok_handler, NULL);
	for (size_t i = 0; i < 4; i++) {
		fd = tl_connect(port);
		ck_assert_int_eq(tl_send(fd, reqs[i]), 0);
		ck_assert_int_gt(tl_read_response(fd, "GET", &r), 0);
		ck_assert_msg(tl_header(&r, "Connection") != NULL,
		              "no Connection header in\n%s", r.head);
		ck_assert_str_eq(tl_header(&r, "Connection"), "close");
		tl_resp_free(&r);
		ck_assert_int_eq(tl_closed_within(fd, 3000), 1);
		close(fd);
	}
	mg_stop(c);
}
END_TEST

START_TEST(keep_alive_when_enabled_serves_several_requests)
{
	const char *opts[] = {"enable_keep_alive", "yes", NULL};
	int port, fd;
	struct mg_context *c = tl_start(NULL, NULL, opts, &port);
	struct tl_resp r;

	mg_set_request_handler(c, "/ok", send_ok_handler, NULL);
	fd = tl_connect(port);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(
		    tl_send(fd, "GET /ok HTTP/1.1\r\nHost: a\r\n\r\n"), 0);
		ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
		ck_assert_int_eq(r.closed, 0);
		tl_resp_free(&r);
	}
	close(fd);
	mg_stop(c);
}
END_TEST

START_TEST(max_request_size_gives_431_above_it)
{
	const char *opts[] = {"max_request_size", "2048", NULL};
	int port;
	struct mg_context *c = tl_start(NULL, NULL, opts, &port);
	struct tl_resp r;
	char req[8192], pad[4096];

	mg_set_request_handler(c, "/ok", send_ok_handler, NULL);
	memset(pad, 'a', 1000);
	pad[1000] = '\0';
	snprintf(req, sizeof req,
	         "GET /ok HTTP/1.1\r\nHost: a\r\nX-Pad: %s\r\n"
	         "Connection: close\r\n\r\n",
	         pad);
	ck_assert_int_eq(tl_request(port, req, &r), 200);
	tl_resp_free(&r);
	memset(pad, 'a', 3000);
	pad[3000] = '\0';
	snprintf(req, sizeof req,
	         "GET /ok HTTP/1.1\r\nHost: a\r\nX-Pad: %s\r\n"
	         "Connection: close\r\n\r\n",
	         pad);
	ck_assert_int_eq(tl_request(port, req, &r), 431);
	tl_resp_free(&r);
	mg_stop(c);
}
END_TEST

static int uri_handler(struct mg_connection *c, void *cb)
{
	const struct mg_request_info *ri = mg_get_request_info(c);
	char body[512];
	int n;

	(void)cb;
	n = snprintf(body, sizeof body, "%s", ri->local_uri);
	mg_send_http_ok(c, "text/plain", n);
	mg_write(c, body, (size_t)n);
	return 200;
}

START_TEST(decode_url_no_keeps_local_uri_encoded)
{
	const char *opts[] = {"decode_url", "no", NULL};
	int port;
	struct mg_context *c = tl_start(NULL, NULL, opts, &port);
	struct tl_resp r;

	mg_set_request_handler(c, "/raw", uri_handler, NULL);
	ck_assert_int_eq(tl_get(port, "/raw/a%20b%2Fc", &r), 200);
	ck_assert_str_eq(r.body, "/raw/a%20b%2Fc");
	tl_resp_free(&r);
	mg_stop(c);
	/* the default decodes */
	mg_set_request_handler(hctx, "/raw", uri_handler, NULL);
	ck_assert_int_eq(tl_get(hport, "/raw/a%20b", &r), 200);
	ck_assert_str_eq(r.body, "/raw/a b");
	tl_resp_free(&r);
}
END_TEST

START_TEST(listen_backlog_and_tcp_nodelay_are_accepted)
{
	const char *opts[] = {"listen_backlog", "4", "tcp_nodelay", "1", NULL};
	int port;
	struct mg_context *c = tl_start(NULL, NULL, opts, &port);
	struct tl_resp r;

	ck_assert_str_eq(mg_get_option(c, "listen_backlog"), "4");
	ck_assert_str_eq(mg_get_option(c, "tcp_nodelay"), "1");
	mg_set_request_handler(c, "/ok", send_ok_handler, NULL);
	for (int i = 0; i < 8; i++) {
		ck_assert_int_eq(tl_get(port, "/ok", &r), 200);
		tl_resp_free(&r);
	}
	mg_stop(c);
}
END_TEST

static int cry_handler(struct mg_connection *c, void *cb)
{
	(void)cb;
	mg_cry(c, "marker-%d from a handler", 42);
	mg_send_http_ok(c, "text/plain", 2);
	mg_write(c, "ok", 2);
	return 200;
}

START_TEST(error_and_access_logs_are_written)
{
	char *dir = tl_mkdtemp();
	char elog[512], alog[512];
	const char *opts[] = {
	    "error_log_file", elog, "access_log_file", alog, "cgi_timeout_ms",
	    "1000",           NULL};
	struct mg_context *c;
	struct tl_resp r;
	int port;

	snprintf(elog, sizeof elog, "%s/error.log", dir);
	snprintf(alog, sizeof alog, "%s/access.log", dir);
	c = tl_start(NULL, NULL, opts, &port);
	ck_assert_str_eq(mg_get_option(c, "error_log_file"), elog);
	/* an option accepted without effect is reported in the error log */
	file_gets(elog, "cgi_timeout_ms");
	mg_set_request_handler(c, "/cry", cry_handler, NULL);
	ck_assert_int_eq(tl_get(port, "/cry?x=1", &r), 200);
	tl_resp_free(&r);
	ck_assert_int_eq(tl_get(port, "/missing", &r), 404);
	tl_resp_free(&r);
	file_gets(elog, "marker-42 from a handler");
	file_gets(alog, "\"GET /cry?x=1 HTTP/1.1\" 200");
	file_gets(alog, "\"GET /missing HTTP/1.1\" 404");
	ck_assert_int_eq(file_contains(alog, "marker-42"), 0);
	mg_stop(c);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

START_TEST(unwritable_log_file_refuses_start)
{
	const char *opts[] = {"listening_ports", "127.0.0.1:0",
	                      "error_log_file", "/nonexistent/dir/error.log",
	                      NULL};
	struct mg_error_data e;
	char text[256];

	ck_assert_ptr_null(start2(opts, &e, text, sizeof text));
	ck_assert_uint_ne(e.code, MG_ERROR_DATA_CODE_OK);
	ck_assert_msg(strstr(text, "/nonexistent/dir/error.log") != NULL,
	              "text: %s", text);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_api");
	TCase *st = tcase_create("start");
	TCase *po = tcase_create("ports");
	TCase *in = tcase_create("info");
	TCase *hd = tcase_create("handlers");
	TCase *op = tcase_create("options");

	tl_cleanup_fixture(op); /* its temporary directories */
	tcase_set_timeout(st, 30);
	tcase_add_test(st, start_with_unknown_option_returns_null);
	tcase_add_test(st, start_with_bad_values_returns_null);
	tcase_add_test(st, start2_names_unknown_option_in_error);
	tcase_add_test(st, start2_gives_option_and_reason_for_bad_value);
	tcase_add_test(st,
	               start2_refuses_document_root_that_is_not_a_directory);
	tcase_add_test(st, start2_without_init_data_is_invalid_param);
	tcase_add_test(st, start2_error_text_fits_its_buffer);
	tcase_add_test(st, option_errors_are_logged_and_named_as_civetweb_does);
	tcase_add_test(st, start2_success_clears_error);
	tcase_add_test(st, port_in_use_fails_with_init_ports_failed);
	tcase_add_test(st, failed_start_leaves_no_descriptor_behind);
	tcase_add_test(st, unwritable_log_file_refuses_start);
	suite_add_tcase(s, st);

	tcase_set_timeout(po, 30);
	tcase_add_test(po, ipv4_loopback_port_zero_reports_real_port);
	tcase_add_test(po, ipv6_loopback_port_zero_serves);
	tcase_add_test(po, two_ports_both_serve);
	tcase_add_test(po, dual_stack_port_serves_ipv4_and_ipv6);
	tcase_add_test(po, optional_port_suffix_is_accepted);
	tcase_add_test(po, optional_busy_port_is_left_out);
	tcase_add_test(po, tls_port_without_certificate_gives_clear_error);
	tcase_add_test(po, redirect_port_without_tls_port_serves);
	tcase_add_test(po, garbage_ports_give_error);
	tcase_add_test(po, server_ports_refuses_bad_arguments);
	suite_add_tcase(s, po);

	tcase_set_timeout(in, 30);
	tcase_add_test(in, get_option_gives_values_defaults_and_unknowns);
	tcase_add_test(in, get_option_without_context);
	tcase_add_test(in, valid_options_lists_names_types_and_defaults);
	tcase_add_test(in, version_is_1_16);
	tcase_add_test(in, check_feature_is_true_to_the_build);
	tcase_add_test(in, system_info_is_json_and_reports_its_length);
	tcase_add_test(in, context_info_counts_move_with_requests);
	tcase_add_test(in,
	               context_info_reports_length_for_null_and_short_buffers);
	tcase_add_test(in, init_and_exit_library_return_values);
	suite_add_tcase(s, in);

	tcase_add_checked_fixture(hd, handlers_setup, handlers_teardown);
	tcase_set_timeout(hd, 60);
	tcase_add_test(hd, request_handler_replaced_under_load_without_errors);
	tcase_add_test(hd, request_handler_removed_under_load_then_404);
	tcase_add_test(hd, most_specific_handler_answers_on_the_wire);
	tcase_add_test(hd, auth_handler_denying_silently_gives_401);
	tcase_add_test(hd, auth_handler_denying_with_own_page_keeps_it);
	tcase_add_test(hd, auth_handler_granting_runs_request_handler);
	tcase_add_test(hd, auth_handler_covers_uris_below_it_only);
	tcase_add_test(hd, context_lock_holds_off_handlers);
	tcase_add_test(hd, connection_lock_is_exclusive_in_handlers);
	tcase_add_test(hd, user_data_reachable_from_handlers);
	tcase_add_test(hd, start_thread_runs_the_function);
	tcase_add_test(hd, request_link_is_built_like_civetweb);
	tcase_add_test(hd, disable_keep_alive_closes_the_connection);
	tcase_add_test(hd, decode_url_no_keeps_local_uri_encoded);
	suite_add_tcase(s, hd);

	tcase_set_timeout(op, 60);
	tcase_add_test(op, additional_header_on_library_made_responses);
	tcase_add_test(op, num_threads_caps_concurrent_handlers);
	tcase_add_test(op, request_timeout_closes_incomplete_request);
	tcase_add_test(op, keep_alive_timeout_closes_idle_connection);
	tcase_add_test(op, keep_alive_is_off_by_default);
	tcase_add_test(op, keep_alive_when_enabled_serves_several_requests);
	tcase_add_test(op, max_request_size_gives_431_above_it);
	tcase_add_test(op, listen_backlog_and_tcp_nodelay_are_accepted);
	tcase_add_test(op, error_and_access_logs_are_written);
	suite_add_tcase(s, op);
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
