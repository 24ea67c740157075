/* check_e2e_tls.c - HTTPS as CivetWeb documents it: 's' ports, handlers and
 * files over TLS, keep-alive and pipelining, the init_ssl and
 * external_ssl_ctx callbacks with each of their return values, client
 * certificates, protocol versions, plain HTTP sent to a TLS port,
 * handshakes that stall without holding a thread, close_notify. Keys and
 * certificates are made by the test; real servers, real sockets. */
#define MG_EXPERIMENTAL_INTERFACES
#include <check.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "civetweb.h"
#include "testlib.h"
#include "tlstest.h"

static char *dir; /* certificates and the document root */
/* listening_ports of start_tls: a TLS port and a plain one */
static const char *ports_opt = "127.0.0.1:0s,127.0.0.1:0";

static void make_dir(void)
{
	dir = tl_mkdtemp();
	tt_make_certs(dir);
}

static void drop_dir(void)
{
	tl_rmdir(dir);
	free(dir);
}

/* Says whether the request came over TLS, and the client certificate. */
static int info(struct mg_connection *c, void *cb)
{
	const struct mg_request_info *ri = mg_get_request_info(c);
	const struct mg_client_cert *cc = ri->client_cert;

	(void)cb;
	mg_printf(c,
	          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	          "X-Subject: %s\r\nX-Issuer: %s\r\nX-Serial: %s\r\n"
	          "X-Finger: %s\r\nX-X509: %d\r\nContent-Length: %d\r\n\r\n"
	          "ssl=%d",
	          cc ? cc->subject : "-", cc ? cc->issuer : "-",
	          cc ? cc->serial : "-", cc ? cc->finger : "-",
	          cc != NULL && cc->peer_cert != NULL, 5, ri->is_ssl);
	return 200;
}

static int link_handler(struct mg_connection *c, void *cb)
{
	char link[256] = "";

	(void)cb;
	mg_get_request_link(c, link, sizeof link);
	mg_send_http_ok(c, "text/plain", (long long)strlen(link));
	mg_write(c, link, strlen(link));
	return 200;
}

/* Reads the body and answers its length. */
static int echo_len(struct mg_connection *c, void *cb)
{
	char buf[8192];
	long long total = 0;
	int n;

	(void)cb;
	while ((n = mg_read(c, buf, sizeof buf)) > 0)
		total += n;
	mg_printf(c,
	          "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Got: %lld\r\n\r\n",
	          total);
	return 200;
}

/* Start a server on a TLS port and a plain port (both 127.0.0.1, port
 * 0); extra: more option pairs. NULL if mg_start refused (errbuf says
 * why). */
static struct mg_context *start_tls(const struct mg_callbacks *cb, void *ud,
                                    const char **extra, int *tls_port,
                                    int *plain_port, char *errbuf,
                                    size_t errlen)
{
	const char *opts[64];
	struct mg_callbacks none;
	struct mg_init_data init;
	struct mg_error_data err;
	struct mg_server_port ports[4];
	struct mg_context *ctx;
	int n = 0, k;

	opts[n++] = "listening_ports";
	opts[n++] = ports_opt;
	opts[n++] = "document_root";
	opts[n++] = dir;
	opts[n++] = "enable_keep_alive";
	opts[n++] = "yes";
	for (int i = 0; extra != NULL && extra[i] != NULL && n < 60; i++)
		opts[n++] = extra[i];
	opts[n] = NULL;
	memset(&none, 0, sizeof none);
	memset(&init, 0, sizeof init);
	init.callbacks = cb ? cb : &none;
	init.user_data = ud;
	init.configuration_options = opts;
	memset(&err, 0, sizeof err);
	err.text = errbuf;
	err.text_buffer_size = errlen;
	errbuf[0] = '\0';
	ctx = mg_start2(&init, &err);
	if (ctx == NULL)
		return NULL;
	mg_set_request_handler(ctx, "/info", info, NULL);
	mg_set_request_handler(ctx, "/link", link_handler, NULL);
	mg_set_request_handler(ctx, "/echo", echo_len, NULL);
	k = mg_get_server_ports(ctx, 4, ports);
	ck_assert_int_eq(k, 2);
	for (int i = 0; i < k; i++)
		*(ports[i].is_ssl ? tls_port : plain_port) = ports[i].port;
	return ctx;
}

static struct mg_context *start_ok(const char **extra, int *tls_port)
{
	char err[256];
	int plain;
	struct mg_context *ctx =
	    start_tls(NULL, NULL, extra, tls_port, &plain, err, sizeof err);

	ck_assert_msg(ctx != NULL, "mg_start failed: %s", err);
	return ctx;
}

static const char *server_pem(void)
{
	static char path[512];

	snprintf(path, sizeof path, "%s", tt_path(dir, "server.pem"));
	return path;
}

/* GET path over a verified TLS connection; the body into body. */
static int https_get(int port, const char *path, char *body, size_t cap)
{
	SSL_CTX *cc = tt_client_ctx(tt_path(dir, "ca.pem"), NULL);
	char req[512];
	int fd, status;
	SSL *ssl = tt_connect(cc, port, &fd);

	ck_assert_msg(ssl != NULL, "TLS handshake failed");
	snprintf(req, sizeof req,
	         "GET %s HTTP/1.1\r\nHost: localhost\r\n"
	         "Connection: close\r\n\r\n",
	         path);
	ck_assert_int_eq(tt_send(ssl, req), 0);
	status = tt_read_response(ssl, body, cap);
	tt_close(ssl, fd);
	SSL_CTX_free(cc);
	return status;
}

START_TEST(handler_over_tls_sees_is_ssl_and_https_link)
{
	const char *extra[] = {"ssl_certificate", server_pem(), NULL};
	char body[256];
	int port;
	struct mg_context *ctx = start_ok(extra, &port);

	ck_assert_int_eq(https_get(port, "/info", body, sizeof body), 200);
	ck_assert_str_eq(body, "ssl=1");
	ck_assert_int_eq(https_get(port, "/link", body, sizeof body), 200);
	ck_assert_msg(strncmp(body, "https://", 8) == 0, "link %s", body);
	ck_assert_uint_ne(mg_check_feature(MG_FEATURES_TLS), 0);
	mg_stop(ctx);
}
END_TEST

START_TEST(large_file_and_large_body_over_tls)
{
	const char *extra[] = {"ssl_certificate", server_pem(), NULL};
	size_t big = 3 * 1024 * 1024 + 17, n = 0;
	char *data = malloc(big), *got = malloc(big + 1), *req = malloc(300000);
	SSL_CTX *cc = tt_client_ctx(tt_path(dir, "ca.pem"), NULL);
	int port, fd;
	struct mg_context *ctx = start_ok(extra, &port);
	SSL *ssl;

	for (size_t i = 0; i < big; i++)
		data[i] = (char)('a' + (i * 7919) % 26);
	tl_write_file(dir, "big.txt", data, big);
	ck_assert_int_eq(https_get(port, "/big.txt", got, big + 1), 200);
	ck_assert_int_eq(memcmp(got, data, big), 0);

	/* a 256 KiB body, read by the handler with mg_read */
	ssl = tt_connect(cc, port, &fd);
	ck_assert_ptr_nonnull(ssl);
	n = (size_t)snprintf(req, 300000,
	                     "POST /echo HTTP/1.1\r\nHost: x\r\n"
	                     "Content-Length: 262144\r\n\r\n");
	memset(req + n, 'b', 262144);
	req[n + 262144] = '\0';
	ck_assert_int_eq(tt_send(ssl, req), 0);
	ck_assert_int_eq(tt_read_response(ssl, got, 64), 200);
	tt_close(ssl, fd);
	ck_assert_int_eq(https_get(port, "/info", got, 64), 200);
	SSL_CTX_free(cc);
	mg_stop(ctx);
	free(data);
	free(got);
	free(req);
}
END_TEST

static int count_of(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

START_TEST(keep_alive_and_pipelined_requests_over_tls)
{
	const char *extra[] = {"ssl_certificate", server_pem(), NULL};
	SSL_CTX *cc = tt_client_ctx(tt_path(dir, "ca.pem"), NULL);
	static char all[65536];
	char body[64];
	int port, fd, notified;
	struct mg_context *ctx = start_ok(extra, &port);
	SSL *ssl = tt_connect(cc, port, &fd);

	ck_assert_ptr_nonnull(ssl);
	/* one at a time on one connection */
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(
		    tt_send(ssl, "GET /info HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
		ck_assert_int_eq(tt_read_response(ssl, body, sizeof body), 200);
		ck_assert_str_eq(body, "ssl=1");
	}
	/* three in one record, the last asking to close */
	ck_assert_int_eq(tt_send(ssl, "GET /info HTTP/1.1\r\nHost: x\r\n\r\n"
	                              "GET /info HTTP/1.1\r\nHost: x\r\n\r\n"
	                              "GET /info HTTP/1.1\r\nHost: x\r\n"
	                              "Connection: close\r\n\r\n"),
	                 0);
	tt_read_all(ssl, all, sizeof all, &notified);
	ck_assert_int_eq(count_of(all, "HTTP/1.1 200 OK"), 3);
	ck_assert_int_eq(count_of(all, "ssl=1"), 3);
	/* the server ended the session properly */
	ck_assert_int_eq(notified, 1);
	tt_close(ssl, fd);
	SSL_CTX_free(cc);
	mg_stop(ctx);
}
END_TEST

START_TEST(plain_http_to_tls_port_gets_400_and_close)
{
	const char *extra[] = {"ssl_certificate", server_pem(), NULL};
	struct tl_resp r;
	int port;
	struct mg_context *ctx = start_ok(extra, &port);

	ck_assert_int_eq(
	    tl_request(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", &r), 400);
	ck_assert_int_eq(r.closed, 1);
	ck_assert_ptr_nonnull(strstr(r.body, "HTTPS"));
	tl_resp_free(&r);
	/* and TLS clients are still served */
	{
		char body[64];

		ck_assert_int_eq(https_get(port, "/info", body, sizeof body),
		                 200);
	}
	mg_stop(ctx);
}
END_TEST

/* 100 clients that send the start of a ClientHello and stall must not
 * keep a server with two threads from serving others, and are closed at
 * request_timeout_ms. */
START_TEST(stalled_handshakes_hold_no_thread)
{
	const char *extra[] = {
	    "ssl_certificate",    server_pem(), "num_threads", "2",
	    "request_timeout_ms", "1500",       NULL};
	static const char partial[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc";
	int fds[100], port;
	char body[64];
	struct mg_context *ctx = start_ok(extra, &port);
	long long t0;

	for (int i = 0; i < 100; i++) {
		fds[i] = tl_connect(port);
		ck_assert_int_eq(tl_send_n(fds[i], partial, sizeof partial - 1),
		                 0);
	}
	t0 = tl_now_ms();
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(https_get(port, "/info", body, sizeof body),
		                 200);
	/* served while all 100 are still open: well inside their timeout */
	ck_assert_int_lt(tl_now_ms() - t0, 1500);
	for (int i = 0; i < 100; i++) {
		ck_assert_msg(tl_closed_within(fds[i], 6000),
		              "stalled handshake %d not closed", i);
		close(fds[i]);
	}
	mg_stop(ctx);
}
END_TEST

START_TEST(missing_or_bad_certificate_refuses_to_start)
{
	const char *bad_key[] = {"ssl_certificate", NULL, NULL};
	char err[256], mixed[600];
	int tp, pp;
	FILE *f;

	ck_assert_ptr_null(
	    start_tls(NULL, NULL, NULL, &tp, &pp, err, sizeof err));
	ck_assert_msg(strstr(err, "ssl_certificate") != NULL, "error: %s", err);
	/* the server's certificate with another key */
	snprintf(mixed, sizeof mixed, "%s", tt_path(dir, "mixed.pem"));
	f = fopen(mixed, "w");
	ck_assert_ptr_nonnull(f);
	{
		static char a[8192], b[8192];
		FILE *s = fopen(server_pem(), "r"),
		     *o = fopen(tt_path(dir, "other.pem"), "r");
		size_t na = fread(a, 1, sizeof a - 1, s),
		       nb = fread(b, 1, sizeof b - 1, o);
		char *ka = strstr(a, "-----BEGIN PRIVATE KEY"),
		     *kb = strstr(b, "-----BEGIN PRIVATE KEY");

		ck_assert(na > 0 && nb > 0 && ka && kb);
		fwrite(a, 1, (size_t)(ka - a), f);
		fwrite(kb, 1, strlen(kb), f);
		fclose(s);
		fclose(o);
	}
	fclose(f);
	bad_key[1] = mixed;
	ck_assert_ptr_null(
	    start_tls(NULL, NULL, bad_key, &tp, &pp, err, sizeof err));
	ck_assert_msg(strstr(err, "does not match") != NULL, "error: %s", err);
}
END_TEST

/* ---- init_ssl and external_ssl_ctx ------------------------------------- */

static _Atomic int init_calls, ext_create, ext_free;
static void *seen_ud;
static int init_ret, ext_ret;
static SSL_CTX *app_ctx;

static int cb_init_ssl(void *ssl_ctx, void *ud)
{
	atomic_fetch_add(&init_calls, 1);
	seen_ud = ud;
	if (init_ret == 1) { /* the application sets the certificate up */
		ck_assert_int_eq(SSL_CTX_use_certificate_chain_file(
		                     ssl_ctx, tt_path(dir, "server.pem")),
		                 1);
		ck_assert_int_eq(
		    SSL_CTX_use_PrivateKey_file(
		        ssl_ctx, tt_path(dir, "server.pem"), SSL_FILETYPE_PEM),
		    1);
	}
	return init_ret;
}

static int cb_external(void **ssl_ctx, void *ud)
{
	seen_ud = ud;
	if (*ssl_ctx != NULL) {
		atomic_fetch_add(&ext_free, 1);
		if (*ssl_ctx == app_ctx) {
			SSL_CTX_free(app_ctx);
			app_ctx = NULL;
			return 1; /* the application freed its own */
		}
		return 0;
	}
	atomic_fetch_add(&ext_create, 1);
	if (ext_ret == 1) {
		app_ctx = SSL_CTX_new(TLS_server_method());
		SSL_CTX_use_certificate_chain_file(app_ctx,
		                                   tt_path(dir, "server.pem"));
		SSL_CTX_use_PrivateKey_file(app_ctx, tt_path(dir, "server.pem"),
		                            SSL_FILETYPE_PEM);
		*ssl_ctx = app_ctx;
	}
	return ext_ret;
}

static void reset_calls(int iret, int eret)
{
	init_calls = ext_create = ext_free = 0;
	seen_ud = NULL;
	init_ret = iret;
	ext_ret = eret;
}

START_TEST(init_ssl_return_values)
{
	const char *with_cert[] = {"ssl_certificate", server_pem(), NULL};
	struct mg_callbacks cb;
	char err[256], body[64];
	int tp, pp, ud = 42;
	struct mg_context *ctx;

	memset(&cb, 0, sizeof cb);
	cb.init_ssl = cb_init_ssl;
	/* 0: civetd loads ssl_certificate */
	reset_calls(0, 0);
	ctx = start_tls(&cb, &ud, with_cert, &tp, &pp, err, sizeof err);
	ck_assert_msg(ctx != NULL, "%s", err);
	ck_assert_int_eq(init_calls, 1);
	ck_assert_ptr_eq(seen_ud, &ud);
	ck_assert_int_eq(https_get(tp, "/info", body, sizeof body), 200);
	mg_stop(ctx);
	/* 1: the callback did it; no ssl_certificate option needed */
	reset_calls(1, 0);
	ctx = start_tls(&cb, &ud, NULL, &tp, &pp, err, sizeof err);
	ck_assert_msg(ctx != NULL, "%s", err);
	ck_assert_int_eq(init_calls, 1);
	ck_assert_int_eq(https_get(tp, "/info", body, sizeof body), 200);
	mg_stop(ctx);
	/* -1: the start fails */
	reset_calls(-1, 0);
	ck_assert_ptr_null(
	    start_tls(&cb, &ud, with_cert, &tp, &pp, err, sizeof err));
	ck_assert_int_eq(init_calls, 1);
	ck_assert_msg(strstr(err, "init_ssl") != NULL, "%s", err);
}
END_TEST

START_TEST(external_ssl_ctx_return_values)
{
	const char *with_cert[] = {"ssl_certificate", server_pem(), NULL};
	struct mg_callbacks cb;
	char err[256], body[64];
	int tp, pp, ud = 7;
	struct mg_context *ctx;

	memset(&cb, 0, sizeof cb);
	cb.init_ssl = cb_init_ssl;
	cb.external_ssl_ctx = cb_external;
	/* 1: the application's context; init_ssl is not called; it is
	 * offered back to be freed at mg_stop */
	reset_calls(0, 1);
	ctx = start_tls(&cb, &ud, NULL, &tp, &pp, err, sizeof err);
	ck_assert_msg(ctx != NULL, "%s", err);
	ck_assert_int_eq(ext_create, 1);
	ck_assert_int_eq(init_calls, 0);
	ck_assert_ptr_eq(seen_ud, &ud);
	ck_assert_int_eq(https_get(tp, "/info", body, sizeof body), 200);
	mg_stop(ctx);
	ck_assert_int_eq(ext_free, 1);
	ck_assert_ptr_null(app_ctx);
	/* 0: civetd makes it, init_ssl runs, and it is offered at stop */
	reset_calls(0, 0);
	ctx = start_tls(&cb, &ud, with_cert, &tp, &pp, err, sizeof err);
	ck_assert_msg(ctx != NULL, "%s", err);
	ck_assert_int_eq(ext_create, 1);
	ck_assert_int_eq(init_calls, 1);
	ck_assert_int_eq(https_get(tp, "/info", body, sizeof body), 200);
	mg_stop(ctx);
	ck_assert_int_eq(ext_free, 1);
	/* -1: the start fails, init_ssl never runs */
	reset_calls(0, -1);
	ck_assert_ptr_null(
	    start_tls(&cb, &ud, with_cert, &tp, &pp, err, sizeof err));
	ck_assert_int_eq(init_calls, 0);
	ck_assert_msg(strstr(err, "external_ssl_ctx") != NULL, "%s", err);
}
END_TEST

START_TEST(no_tls_port_calls_no_tls_callback)
{
	const char *opts[] = {"listening_ports", "127.0.0.1:0", NULL};
	struct mg_callbacks cb;
	struct mg_context *ctx;

	memset(&cb, 0, sizeof cb);
	cb.init_ssl = cb_init_ssl;
	cb.external_ssl_ctx = cb_external;
	reset_calls(-1, -1);
	ctx = mg_start(&cb, NULL, opts);
	ck_assert_ptr_nonnull(ctx);
	mg_stop(ctx);
	ck_assert_int_eq(init_calls + ext_create + ext_free, 0);
}
END_TEST

/* ---- client certificates, protocol versions ---------------------------- */

START_TEST(client_certificate_required)
{
	const char *extra[] = {"ssl_certificate",
	                       server_pem(),
	                       "ssl_verify_peer",
	                       "yes",
	                       "ssl_ca_file",
	                       NULL,
	                       "ssl_default_verify_paths",
	                       "no",
	                       NULL};
	char ca[512];
	SSL_CTX *with, *without;
	int port, fd;
	struct mg_context *ctx;
	SSL *ssl;

	snprintf(ca, sizeof ca, "%s", tt_path(dir, "ca.pem"));
	extra[5] = ca;
	ctx = start_ok(extra, &port);
	with = tt_client_ctx(ca, tt_path(dir, "client.pem"));
	without = tt_client_ctx(ca, NULL);
	ssl = tt_connect(with, port, &fd);
	ck_assert_ptr_nonnull(ssl);
	ck_assert_int_eq(tt_send(ssl, "GET /info HTTP/1.1\r\nHost: x\r\n\r\n"),
	                 0);
	{
		static char all[8192];

		tt_send(ssl, "GET /info HTTP/1.1\r\nHost: x\r\n"
		             "Connection: close\r\n\r\n");
		tt_read_all(ssl, all, sizeof all, NULL);
		ck_assert_ptr_nonnull(
		    strstr(all, "X-Subject: /O=civetd tests/CN=test client"));
		ck_assert_ptr_nonnull(
		    strstr(all, "X-Issuer: /O=civetd tests/CN=civetd test CA"));
		ck_assert_ptr_nonnull(strstr(all, "X-Serial: 1234ABCD"));
		ck_assert_ptr_nonnull(strstr(all, "X-X509: 1"));
		/* a SHA-1 fingerprint: 40 hex digits */
		{
			const char *f = strstr(all, "X-Finger: ");

			ck_assert_ptr_nonnull(f);
			ck_assert_int_eq(
			    (int)strspn(f + 10, "0123456789abcdef"), 40);
		}
	}
	tt_close(ssl, fd);
	/* without a certificate: no request gets through (TLS 1.3 reports
	 * the refusal on the first read) */
	ssl = tt_connect(without, port, &fd);
	if (ssl != NULL) {
		static char all[4096];

		tt_send(ssl, "GET /info HTTP/1.1\r\nHost: x\r\n\r\n");
		tt_read_all(ssl, all, sizeof all, NULL);
		ck_assert_ptr_null(strstr(all, "200 OK"));
		tt_close(ssl, fd);
	}
	SSL_CTX_free(with);
	SSL_CTX_free(without);
	mg_stop(ctx);
}
END_TEST

START_TEST(client_certificate_optional_and_absent)
{
	const char *extra[] = {"ssl_certificate",
	                       server_pem(),
	                       "ssl_verify_peer",
	                       "optional",
	                       "ssl_ca_file",
	                       NULL,
	                       "ssl_default_verify_paths",
	                       "no",
	                       NULL};
	char ca[512], body[64];
	int port;
	struct mg_context *ctx;

	snprintf(ca, sizeof ca, "%s", tt_path(dir, "ca.pem"));
	extra[5] = ca;
	ctx = start_ok(extra, &port);
	/* no certificate: served, and client_cert is NULL */
	{
		SSL_CTX *cc = tt_client_ctx(ca, NULL);
		static char all[8192];
		int fd;
		SSL *ssl = tt_connect(cc, port, &fd);

		ck_assert_ptr_nonnull(ssl);
		tt_send(ssl, "GET /info HTTP/1.1\r\nHost: x\r\n"
		             "Connection: close\r\n\r\n");
		tt_read_all(ssl, all, sizeof all, NULL);
		ck_assert_ptr_nonnull(strstr(all, "200 OK"));
		ck_assert_ptr_nonnull(strstr(all, "X-Subject: -"));
		tt_close(ssl, fd);
		SSL_CTX_free(cc);
	}
	mg_stop(ctx);
	/* no verification at all (the default): a certificate is not
	 * asked for, client_cert is NULL */
	{
		const char *plain[] = {"ssl_certificate", server_pem(), NULL};

		ctx = start_ok(plain, &port);
		ck_assert_int_eq(https_get(port, "/info", body, sizeof body),
		                 200);
		mg_stop(ctx);
	}
}
END_TEST

START_TEST(protocol_version_5_refuses_tls12)
{
	const char *extra[] = {"ssl_certificate", server_pem(),
	                       "ssl_protocol_version", "5", NULL};
	SSL_CTX *c12 = tt_client_ctx(NULL, NULL);
	char body[64];
	int port, fd;
	struct mg_context *ctx = start_ok(extra, &port);
	SSL *ssl;

	SSL_CTX_set_max_proto_version(c12, TLS1_2_VERSION);
	ssl = tt_connect(c12, port, &fd);
	ck_assert_ptr_null(ssl);
	ck_assert_int_eq(https_get(port, "/info", body, sizeof body), 200);
	SSL_CTX_free(c12);
	mg_stop(ctx);
	/* and the default (4) takes TLS 1.2 */
	{
		const char *def[] = {"ssl_certificate", server_pem(), NULL};

		c12 = tt_client_ctx(NULL, NULL);
		SSL_CTX_set_max_proto_version(c12, TLS1_2_VERSION);
		ctx = start_ok(def, &port);
		ssl = tt_connect(c12, port, &fd);
		ck_assert_ptr_nonnull(ssl);
		ck_assert_int_eq(SSL_version(ssl), TLS1_2_VERSION);
		tt_close(ssl, fd);
		SSL_CTX_free(c12);
		mg_stop(ctx);
	}
}
END_TEST

START_TEST(bad_protocol_version_and_cipher_list_refuse_to_start)
{
	const char *v9[] = {"ssl_certificate", server_pem(),
	                    "ssl_protocol_version", "9", NULL};
	const char *ciphers[] = {"ssl_certificate", server_pem(),
	                         "ssl_cipher_list", "NO-SUCH-CIPHER", NULL};
	char err[256];
	int tp, pp;

	ck_assert_ptr_null(
	    start_tls(NULL, NULL, v9, &tp, &pp, err, sizeof err));
	ck_assert_msg(strstr(err, "ssl_protocol_version") != NULL, "%s", err);
	ck_assert_ptr_null(
	    start_tls(NULL, NULL, ciphers, &tp, &pp, err, sizeof err));
	ck_assert_msg(strstr(err, "ssl_cipher_list") != NULL, "%s", err);
}
END_TEST

/* ---- resumption -------------------------------------------------------- */

/* Connect with sess (may be NULL), GET /info, close: 1 if the handshake
 * resumed. *sess becomes the session to use next. */
static int connect_resume(int port, SSL_CTX *cc, SSL_SESSION **sess)
{
	static char all[4096];
	int fd, reused;
	SSL *ssl;

	fd = tl_connect(port);
	ssl = SSL_new(cc);
	ck_assert_ptr_nonnull(ssl);
	SSL_set_fd(ssl, fd);
	if (*sess != NULL)
		SSL_set_session(ssl, *sess);
	ck_assert_int_eq(SSL_connect(ssl), 1);
	reused = SSL_session_reused(ssl);
	ck_assert_int_eq(tt_send(ssl, "GET /info HTTP/1.1\r\nHost: x\r\n"
	                              "Connection: close\r\n\r\n"),
	                 0);
	tt_read_all(ssl, all, sizeof all, NULL);
	ck_assert_ptr_nonnull(strstr(all, "ssl=1"));
	SSL_SESSION_free(*sess);
	*sess = SSL_get1_session(ssl);
	tt_close(ssl, fd);
	return reused;
}

static void write_key_file(const char *path, size_t n, unsigned char seed)
{
	unsigned char key[80];
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i < sizeof key; i++)
		key[i] = (unsigned char)(seed + i * 13);
	ck_assert_uint_eq(fwrite(key, 1, n, f), n);
	fclose(f);
}

/* TLS 1.3 and 1.2 both: every connection after the first resumes, one
 * after another (TLS 1.3 tickets are single-use: each resumption must
 * hand out a new one). */
START_TEST(sessions_resume_again_and_again)
{
	const char *extra[] = {"ssl_certificate", server_pem(), NULL};
	int port, versions[] = {TLS1_3_VERSION, TLS1_2_VERSION};
	struct mg_context *ctx = start_ok(extra, &port);

	for (int v = 0; v < 2; v++) {
		SSL_CTX *cc = tt_client_ctx(tt_path(dir, "ca.pem"), NULL);
		SSL_SESSION *sess = NULL;

		SSL_CTX_set_max_proto_version(cc, versions[v]);
		ck_assert_int_eq(connect_resume(port, cc, &sess), 0);
		for (int i = 0; i < 5; i++)
			ck_assert_msg(connect_resume(port, cc, &sess) == 1,
			              "TLS %x: connection %d did not resume",
			              versions[v], i + 2);
		SSL_SESSION_free(sess);
		SSL_CTX_free(cc);
	}
	mg_stop(ctx);
}
END_TEST

/* Two servers reading the same ssl_ticket_key_file resume each other's
 * sessions (machines behind one load balancer); a third with another key
 * does a full handshake. Both of nginx's sizes (80 and 48 bytes). */
START_TEST(ticket_key_file_shared_by_two_servers)
{
	char k80[512], k48[512], other[512];
	const char *a_opts[] = {"ssl_certificate", server_pem(),
	                        "ssl_ticket_key_file", k80, NULL};
	const char *c_opts[] = {"ssl_certificate", server_pem(),
	                        "ssl_ticket_key_file", other, NULL};
	SSL_CTX *cc = tt_client_ctx(tt_path(dir, "ca.pem"), NULL);
	SSL_SESSION *sess = NULL;
	int pa, pb, pc;
	struct mg_context *a, *b, *c;

	snprintf(k80, sizeof k80, "%s", tt_path(dir, "t80.key"));
	snprintf(k48, sizeof k48, "%s", tt_path(dir, "t48.key"));
	snprintf(other, sizeof other, "%s", tt_path(dir, "other.key"));
	write_key_file(k80, 80, 1);
	write_key_file(k48, 48, 2);
	write_key_file(other, 80, 99);
	for (int round = 0; round < 2; round++) {
		a_opts[3] = round == 0 ? k80 : k48;
		a = start_ok(a_opts, &pa);
		b = start_ok(a_opts, &pb);
		c = start_ok(c_opts, &pc);
		ck_assert_int_eq(connect_resume(pa, cc, &sess), 0);
		ck_assert_int_eq(connect_resume(pb, cc, &sess), 1);
		ck_assert_int_eq(connect_resume(pa, cc, &sess), 1);
		ck_assert_int_eq(connect_resume(pc, cc, &sess), 0);
		SSL_SESSION_free(sess);
		sess = NULL;
		mg_stop(a);
		mg_stop(b);
		mg_stop(c);
	}
	SSL_CTX_free(cc);
}
END_TEST

START_TEST(bad_ticket_key_file_refuses_to_start)
{
	char k[512];
	const char *opts[] = {"ssl_certificate", server_pem(),
	                      "ssl_ticket_key_file", k, NULL};
	char err[256];
	int tp, pp;

	snprintf(k, sizeof k, "%s", tt_path(dir, "short.key"));
	write_key_file(k, 32, 1);
	ck_assert_ptr_null(
	    start_tls(NULL, NULL, opts, &tp, &pp, err, sizeof err));
	ck_assert_msg(strstr(err, "ssl_ticket_key_file") && strstr(err, k) &&
	                  strstr(err, "80 or 48 bytes"),
	              "%s", err);
	snprintf(k, sizeof k, "%s", tt_path(dir, "missing.key"));
	ck_assert_ptr_null(
	    start_tls(NULL, NULL, opts, &tp, &pp, err, sizeof err));
	ck_assert_msg(strstr(err, "missing.key") != NULL, "%s", err);
}
END_TEST

/* A redirect port sends every request to the same URI on the TLS port
 * (308, as CivetWeb), before any callback runs, and closes. */
static _Atomic int begun;

static int count_begin(struct mg_connection *c)
{
	(void)c;
	atomic_fetch_add(&begun, 1);
	return 0;
}

START_TEST(redirect_port_sends_to_the_tls_port)
{
	const char *extra[] = {"ssl_certificate", server_pem(), NULL};
	struct mg_callbacks cb;
	struct tl_resp r;
	char err[256], want[256], body[64];
	int tp, rp;
	struct mg_context *ctx;

	memset(&cb, 0, sizeof cb);
	cb.begin_request = count_begin;
	ports_opt = "127.0.0.1:0s,127.0.0.1:0r";
	ctx = start_tls(&cb, NULL, extra, &tp, &rp, err, sizeof err);
	ports_opt = "127.0.0.1:0s,127.0.0.1:0";
	ck_assert_msg(ctx != NULL, "%s", err);
	ck_assert_int_eq(tl_request(rp,
	                            "GET /info?a=1&b=%20 HTTP/1.1\r\n"
	                            "Host: localhost:9\r\n\r\n",
	                            &r),
	                 308);
	snprintf(want, sizeof want, "https://localhost:%d/info?a=1&b=%%20", tp);
	ck_assert_str_eq(tl_header(&r, "Location"), want);
	ck_assert_int_eq(r.closed, 1);
	tl_resp_free(&r);
	/* no Host (HTTP/1.0): the address the client reached */
	ck_assert_int_eq(tl_request(rp, "GET /x HTTP/1.0\r\n\r\n", &r), 308);
	snprintf(want, sizeof want, "https://127.0.0.1:%d/x", tp);
	ck_assert_str_eq(tl_header(&r, "Location"), want);
	tl_resp_free(&r);
	ck_assert_int_eq(atomic_load(&begun), 0);
	/* the TLS port itself serves */
	ck_assert_int_eq(https_get(tp, "/info", body, sizeof body), 200);
	mg_stop(ctx);
}
END_TEST

/* ---- the client side ---------------------------------------------------- */

/* GET /info over client connection c: the status, the body into body. */
static int client_get(struct mg_connection *c, char *body, size_t cap)
{
	char ebuf[128];
	int n, got = 0;

	mg_printf(c, "GET /info HTTP/1.1\r\nHost: localhost\r\n\r\n");
	if (mg_get_response(c, ebuf, sizeof ebuf, 10000) < 0)
		return -1;
	while ((n = mg_read(c, body + got, cap - 1 - (size_t)got)) > 0)
		got += n;
	body[got] = '\0';
	return mg_get_response_info(c)->status_code;
}

START_TEST(client_api_over_tls)
{
	const char *extra[] = {"ssl_certificate", server_pem(), NULL};
	char ebuf[256], body[64], ca[512];
	int port;
	struct mg_context *ctx = start_ok(extra, &port);
	struct mg_client_options o = {"127.0.0.1", port, NULL, NULL, NULL};
	struct mg_connection *c;

	snprintf(ca, sizeof ca, "%s", tt_path(dir, "ca.pem"));
	/* use_ssl: TLS without checks, keep-alive on the connection */
	c = mg_connect_client("127.0.0.1", port, 1, ebuf, sizeof ebuf);
	ck_assert_msg(c != NULL, "%s", ebuf);
	ck_assert_int_eq(client_get(c, body, sizeof body), 200);
	ck_assert_str_eq(body, "ssl=1");
	ck_assert_int_eq(client_get(c, body, sizeof body), 200);
	mg_close_connection(c);
	/* mg_download */
	c = mg_download("127.0.0.1", port, 1, ebuf, sizeof ebuf, "%s",
	                "GET /info HTTP/1.0\r\n\r\n");
	ck_assert_msg(c != NULL, "%s", ebuf);
	ck_assert_int_eq(mg_get_response_info(c)->status_code, 200);
	mg_close_connection(c);
	/* verified: the CA, and the address the certificate names */
	o.server_cert = ca;
	c = mg_connect_client_secure(&o, ebuf, sizeof ebuf);
	ck_assert_msg(c != NULL, "%s", ebuf);
	ck_assert_int_eq(client_get(c, body, sizeof body), 200);
	mg_close_connection(c);
	/* verified by name */
	o.host_name = "localhost";
	c = mg_connect_client_secure(&o, ebuf, sizeof ebuf);
	ck_assert_msg(c != NULL, "%s", ebuf);
	mg_close_connection(c);
	/* https with mg_connect_client2 */
	{
		char text[256];
		struct mg_error_data err = {0, 0, text, sizeof text};

		c = mg_connect_client2("127.0.0.1", "https", port, "/", NULL,
		                       &err);
		ck_assert_msg(c != NULL, "%s", text);
		ck_assert_int_eq(client_get(c, body, sizeof body), 200);
		mg_close_connection(c);
	}
	mg_stop(ctx);
}
END_TEST

START_TEST(client_refuses_wrong_name_and_untrusted_certificate)
{
	const char *extra[] = {"ssl_certificate", server_pem(), NULL};
	char ebuf[256], ca[512], other[512];
	int port;
	struct mg_context *ctx = start_ok(extra, &port);
	struct mg_client_options o = {"127.0.0.1", port, NULL, NULL,
	                              "www.example.org"};

	snprintf(ca, sizeof ca, "%s", tt_path(dir, "ca.pem"));
	snprintf(other, sizeof other, "%s", tt_path(dir, "other.pem"));
	o.server_cert = ca;
	ck_assert_ptr_null(mg_connect_client_secure(&o, ebuf, sizeof ebuf));
	ck_assert_msg(strstr(ebuf, "hostname mismatch") != NULL, "%s", ebuf);
	/* a CA that did not sign the server's certificate */
	o.host_name = "localhost";
	o.server_cert = other;
	ck_assert_ptr_null(mg_connect_client_secure(&o, ebuf, sizeof ebuf));
	ck_assert_msg(strstr(ebuf, "certificate refused") != NULL, "%s", ebuf);
	/* a server certificate file that does not exist */
	o.server_cert = "/nonexistent/ca.pem";
	ck_assert_ptr_null(mg_connect_client_secure(&o, ebuf, sizeof ebuf));
	ck_assert_msg(strstr(ebuf, "/nonexistent/ca.pem") != NULL, "%s", ebuf);
	mg_stop(ctx);
}
END_TEST

START_TEST(client_presents_its_certificate)
{
	const char *extra[] = {"ssl_certificate",
	                       server_pem(),
	                       "ssl_verify_peer",
	                       "yes",
	                       "ssl_ca_file",
	                       NULL,
	                       "ssl_default_verify_paths",
	                       "no",
	                       NULL};
	char ebuf[256], ca[512], cert[512], head[1024];
	struct mg_client_options o = {"127.0.0.1", 0, NULL, NULL, "localhost"};
	struct mg_connection *c;
	const struct mg_response_info *ri;
	int port;
	struct mg_context *ctx;

	snprintf(ca, sizeof ca, "%s", tt_path(dir, "ca.pem"));
	snprintf(cert, sizeof cert, "%s", tt_path(dir, "client.pem"));
	extra[5] = ca;
	ctx = start_ok(extra, &port);
	o.port = port;
	o.server_cert = ca;
	o.client_cert = cert;
	c = mg_connect_client_secure(&o, ebuf, sizeof ebuf);
	ck_assert_msg(c != NULL, "%s", ebuf);
	mg_printf(c, "GET /info HTTP/1.1\r\nHost: localhost\r\n\r\n");
	ck_assert_int_ge(mg_get_response(c, ebuf, sizeof ebuf, 10000), 0);
	ri = mg_get_response_info(c);
	ck_assert_int_eq(ri->status_code, 200);
	snprintf(head, sizeof head, "%s", mg_get_header(c, "X-Subject"));
	ck_assert_str_eq(head, "/O=civetd tests/CN=test client");
	mg_close_connection(c);
	mg_stop(ctx);
}
END_TEST

/* strict_transport_security_max_age: on the responses civetd makes
 * (files, errors), not on what a handler writes itself, as CivetWeb. */
START_TEST(strict_transport_security_on_server_responses)
{
	const char *extra[] = {"ssl_certificate", server_pem(),
	                       "strict_transport_security_max_age", "31536000",
	                       NULL};
	SSL_CTX *cc = tt_client_ctx(tt_path(dir, "ca.pem"), NULL);
	static char all[8192];
	int port, fd;
	struct mg_context *ctx;
	SSL *ssl;

	tl_write_file(dir, "page.txt", "page", 4);
	ctx = start_ok(extra, &port);
	ssl = tt_connect(cc, port, &fd);
	ck_assert_ptr_nonnull(ssl);
	tt_send(ssl, "GET /page.txt HTTP/1.1\r\nHost: x\r\n\r\n"
	             "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n");
	tt_read_all(ssl, all, sizeof all, NULL);
	ck_assert_int_eq(
	    count_of(all, "Strict-Transport-Security: max-age=31536000\r\n"),
	    2);
	tt_close(ssl, fd);
	ssl = tt_connect(cc, port, &fd);
	tt_send(ssl, "GET /info HTTP/1.1\r\nHost: x\r\n"
	             "Connection: close\r\n\r\n");
	tt_read_all(ssl, all, sizeof all, NULL);
	ck_assert_ptr_nonnull(strstr(all, "ssl=1"));
	ck_assert_ptr_null(strstr(all, "Strict-Transport-Security"));
	tt_close(ssl, fd);
	mg_stop(ctx);
	/* -1: none */
	{
		const char *off[] = {"ssl_certificate", server_pem(),
		                     "strict_transport_security_max_age", "-1",
		                     NULL};

		ctx = start_ok(off, &port);
		ssl = tt_connect(cc, port, &fd);
		tt_send(ssl, "GET /page.txt HTTP/1.1\r\nHost: x\r\n"
		             "Connection: close\r\n\r\n");
		tt_read_all(ssl, all, sizeof all, NULL);
		ck_assert_ptr_nonnull(strstr(all, "200 OK"));
		ck_assert_ptr_null(strstr(all, "Strict-Transport-Security"));
		tt_close(ssl, fd);
		mg_stop(ctx);
	}
	SSL_CTX_free(cc);
}
END_TEST

/* TLS 1.2 without ssl_cipher_list: AEAD ciphers only; a list given is
 * used as it is. */
START_TEST(default_ciphers_are_aead_only)
{
	const char *def[] = {"ssl_certificate", server_pem(), NULL};
	const char *all[] = {"ssl_certificate", server_pem(), "ssl_cipher_list",
	                     "ALL", NULL};
	int port, fd;
	struct mg_context *ctx;
	SSL_CTX *cbc = tt_client_ctx(NULL, NULL);
	SSL *ssl;

	SSL_CTX_set_max_proto_version(cbc, TLS1_2_VERSION);
	ck_assert_int_eq(SSL_CTX_set_cipher_list(cbc, "ECDHE-ECDSA-AES128-SHA"),
	                 1);
	ctx = start_ok(def, &port);
	ck_assert_ptr_null(tt_connect(cbc, port, &fd));
	mg_stop(ctx);
	ctx = start_ok(all, &port);
	ssl = tt_connect(cbc, port, &fd);
	ck_assert_ptr_nonnull(ssl);
	tt_close(ssl, fd);
	mg_stop(ctx);
	SSL_CTX_free(cbc);
}
END_TEST

/* ---- domains and SNI ----------------------------------------------------- */

/* A handshake naming sni (NULL: none); the serial number of the
 * certificate the server sent, -1 on failure. */
static long serial_for(int port, const char *sni)
{
	SSL_CTX *cc = tt_client_ctx(NULL, NULL);
	int fd = tl_connect(port);
	SSL *ssl = SSL_new(cc);
	X509 *x = NULL;
	long v = -1;

	SSL_set_fd(ssl, fd);
	if (sni != NULL)
		SSL_set_tlsext_host_name(ssl, sni);
	if (SSL_connect(ssl) == 1 && (x = SSL_get1_peer_certificate(ssl)))
		v = ASN1_INTEGER_get(X509_get_serialNumber(x));
	X509_free(x);
	tt_close(ssl, fd);
	SSL_CTX_free(cc);
	return v;
}

static const char *pem_of(const char *name)
{
	static char path[4][512];
	static int next;
	char *p = path[next++ % 4];

	snprintf(p, 512, "%s", tt_path(dir, name));
	return p;
}

/* mg_start_domain adds a domain with its own certificate, chosen by SNI,
 * and its own document root, chosen by Host. */
START_TEST(domains_have_their_certificate_and_document_root)
{
	const char *extra[] = {"ssl_certificate", server_pem(), NULL};
	char *root2 = tl_mkdtemp(), body[64];
	const char *dom[] = {"authentication_domain",
	                     "other.test",
	                     "ssl_certificate",
	                     pem_of("other.pem"),
	                     "document_root",
	                     root2,
	                     NULL};
	SSL_CTX *cc = tt_client_ctx(NULL, NULL);
	static char all[8192];
	int port, fd;
	struct mg_context *ctx = start_ok(extra, &port);
	SSL *ssl;

	tl_write_file(root2, "only-there.txt", "there", 5);
	ck_assert_int_eq(mg_start_domain(ctx, dom), 1);
	ck_assert_int_eq(serial_for(port, "other.test"), 7);
	ck_assert_int_eq(serial_for(port, "OTHER.test"), 7);
	ck_assert_int_eq(serial_for(port, "localhost"), 2);
	ck_assert_int_eq(serial_for(port, "unknown.test"), 2);
	ck_assert_int_eq(serial_for(port, NULL), 2);
	/* Host picks the domain's options: its document root */
	ssl = tt_connect(cc, port, &fd);
	tt_send(ssl, "GET /only-there.txt HTTP/1.1\r\nHost: other.test:443\r\n"
	             "\r\nGET /only-there.txt HTTP/1.1\r\nHost: localhost\r\n"
	             "Connection: close\r\n\r\n");
	tt_read_all(ssl, all, sizeof all, NULL);
	tt_close(ssl, fd);
	ck_assert_ptr_nonnull(strstr(all, "200 OK"));
	ck_assert_ptr_nonnull(strstr(all, "\r\n\r\nthere"));
	ck_assert_ptr_nonnull(strstr(all, "404"));
	/* handlers are the server's, whatever the domain */
	ck_assert_int_eq(https_get(port, "/info", body, sizeof body), 200);
	SSL_CTX_free(cc);
	mg_stop(ctx);
	tl_rmdir(root2);
	free(root2);
}
END_TEST

START_TEST(start_domain_return_values)
{
	const char *extra[] = {"ssl_certificate", server_pem(), NULL};
	const char *ok1[] = {"authentication_domain", "a.test",
	                     "ssl_certificate", pem_of("other.pem"), NULL};
	const char *ok2[] = {"authentication_domain", "b.test", NULL};
	const char *missing[] = {"document_root", ".", NULL};
	const char *dup[] = {"authentication_domain", "A.TEST", NULL};
	const char *dup_main[] = {"authentication_domain", "mydomain.com",
	                          NULL};
	const char *bad[] = {"authentication_domain", "c.test",
	                     "no_such_option", "1", NULL};
	const char *badtls[] = {"authentication_domain", "d.test",
	                        "ssl_certificate", pem_of("gone.pem"), NULL};
	char text[256];
	struct mg_error_data e = {0, 0, text, sizeof text};
	int port;
	struct mg_context *ctx = start_ok(extra, &port);

	ck_assert_int_eq(mg_start_domain(NULL, ok1), -1);
	ck_assert_int_eq(mg_start_domain(ctx, NULL), -1);
	ck_assert_int_eq(mg_start_domain(ctx, ok1), 1);
	/* b.test inherits the server's ssl_certificate */
	ck_assert_int_eq(mg_start_domain(ctx, ok2), 2);
	ck_assert_int_eq(serial_for(port, "b.test"), 2);
	ck_assert_int_eq(mg_start_domain2(ctx, missing, &e), -4);
	ck_assert_uint_eq(e.code, MG_ERROR_DATA_CODE_MISSING_OPTION);
	ck_assert_int_eq(mg_start_domain2(ctx, dup, &e), -5);
	ck_assert_uint_eq(e.code, MG_ERROR_DATA_CODE_DUPLICATE_DOMAIN);
	ck_assert_int_eq(mg_start_domain(ctx, dup_main), -5);
	ck_assert_int_eq(mg_start_domain2(ctx, bad, &e), -2);
	ck_assert_uint_eq(e.code, MG_ERROR_DATA_CODE_INVALID_OPTION);
	ck_assert_int_eq(mg_start_domain2(ctx, badtls, &e), -3);
	ck_assert_uint_eq(e.code, MG_ERROR_DATA_CODE_INIT_TLS_FAILED);
	ck_assert_msg(strstr(text, "gone.pem") != NULL, "%s", text);
	/* the failures added nothing: the next one is 3 */
	{
		const char *ok3[] = {"authentication_domain", "e.test", NULL};

		ck_assert_int_eq(mg_start_domain(ctx, ok3), 3);
	}
	mg_stop(ctx);
}
END_TEST

static _Atomic int dom_calls;
static char dom_names[4][64];

static int cb_init_ssl_domain(const char *server_domain, void *ssl_ctx,
                              void *ud)
{
	int i = atomic_fetch_add(&dom_calls, 1);

	(void)ssl_ctx;
	(void)ud;
	if (i < 4)
		snprintf(dom_names[i], sizeof dom_names[i], "%s",
		         server_domain);
	return 0;
}

/* init_ssl_domain is asked for every context, naming its domain (the
 * server's own is its authentication_domain). */
START_TEST(init_ssl_domain_names_each_domain)
{
	const char *extra[] = {"ssl_certificate", server_pem(), NULL};
	const char *dom[] = {"authentication_domain", "other.test", NULL};
	struct mg_callbacks cb;
	char err[256];
	int tp, pp;
	struct mg_context *ctx;

	memset(&cb, 0, sizeof cb);
	cb.init_ssl_domain = cb_init_ssl_domain;
	atomic_store(&dom_calls, 0);
	ctx = start_tls(&cb, NULL, extra, &tp, &pp, err, sizeof err);
	ck_assert_msg(ctx != NULL, "%s", err);
	ck_assert_int_eq(mg_start_domain(ctx, dom), 1);
	ck_assert_int_eq(atomic_load(&dom_calls), 2);
	ck_assert_str_eq(dom_names[0], "mydomain.com");
	ck_assert_str_eq(dom_names[1], "other.test");
	mg_stop(ctx);
}
END_TEST

/* ---- ssl_short_trust ------------------------------------------------------
 */

static int short_port;

static int serves_serial_7(void *arg)
{
	(void)arg;
	return serial_for(short_port, "localhost") == 7;
}

static _Atomic int trust_logged;

static int log_trust(const struct mg_connection *c, const char *msg)
{
	(void)c;
	if (strstr(msg, "ssl_short_trust") != NULL)
		atomic_fetch_add(&trust_logged, 1);
	return 1;
}

/* A handshake (which looks at the file again), then: was it logged? */
static int trust_logged_once(void *arg)
{
	(void)arg;
	serial_for(short_port, "localhost");
	return atomic_load(&trust_logged) > 0;
}

/* The certificate file replaced while the server runs: new handshakes get
 * the new certificate within a couple of seconds; a broken replacement is
 * logged and the last good one stays. */
START_TEST(short_trust_takes_up_a_replaced_certificate)
{
	char live[512];
	const char *extra[] = {"ssl_certificate", live, "ssl_short_trust",
	                       "yes", NULL};
	struct mg_callbacks cb;
	char err[256];
	int pp;
	struct mg_context *ctx;
	FILE *f;

	snprintf(live, sizeof live, "%s", tt_path(dir, "live.pem"));
	tt_replace_file(server_pem(), live);
	memset(&cb, 0, sizeof cb);
	cb.log_message = log_trust;
	atomic_store(&trust_logged, 0);
	ctx = start_tls(&cb, NULL, extra, &short_port, &pp, err, sizeof err);
	ck_assert_msg(ctx != NULL, "%s", err);
	ck_assert_int_eq(serial_for(short_port, "localhost"), 2);
	tt_replace_file(tt_path(dir, "other.pem"), live);
	tl_wait_until(serves_serial_7, NULL, 5000,
	              "the replaced certificate to be served");
	/* a file that is no certificate: logged, the good one stays */
	f = fopen(live, "w");
	fputs("not a certificate\n", f);
	fclose(f);
	tl_wait_until(trust_logged_once, NULL, 5000,
	              "the broken certificate to be logged");
	ck_assert_int_eq(serial_for(short_port, "localhost"), 7);
	mg_stop(ctx);
}
END_TEST

/* ALPN: http/1.1 when offered (room for h2 later); a client offering
 * only other protocols goes on without one. */
START_TEST(alpn_selects_http11)
{
	const char *extra[] = {"ssl_certificate", server_pem(), NULL};
	static const unsigned char both[] = "\x02h2\x08http/1.1";
	static const unsigned char h2[] = "\x02h2";
	const unsigned char *sel;
	unsigned len;
	int port, fd;
	struct mg_context *ctx = start_ok(extra, &port);
	SSL_CTX *cc = tt_client_ctx(NULL, NULL);
	SSL *ssl;

	SSL_CTX_set_alpn_protos(cc, both, sizeof both - 1);
	ssl = tt_connect(cc, port, &fd);
	ck_assert_ptr_nonnull(ssl);
	SSL_get0_alpn_selected(ssl, &sel, &len);
	ck_assert_uint_eq(len, 8);
	ck_assert(memcmp(sel, "http/1.1", 8) == 0);
	tt_close(ssl, fd);
	SSL_CTX_set_alpn_protos(cc, h2, sizeof h2 - 1);
	ssl = tt_connect(cc, port, &fd);
	ck_assert_ptr_nonnull(ssl);
	SSL_get0_alpn_selected(ssl, &sel, &len);
	ck_assert_uint_eq(len, 0);
	tt_close(ssl, fd);
	SSL_CTX_free(cc);
	mg_stop(ctx);
}
END_TEST

/* The 's' suffix with the other forms: IPv6, optional. */
START_TEST(tls_port_forms)
{
	const char *extra[] = {"ssl_certificate", server_pem(), NULL};
	struct mg_server_port ports[4];
	char err[256];
	int tp, pp, n;
	struct mg_context *ctx;

	ports_opt = "[::1]:0s,127.0.0.1:0so";
	ctx = start_tls(NULL, NULL, extra, &tp, &pp, err, sizeof err);
	ports_opt = "127.0.0.1:0s,127.0.0.1:0";
	ck_assert_msg(ctx != NULL, "%s", err);
	n = mg_get_server_ports(ctx, 4, ports);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(ports[0].is_ssl, 1);
	ck_assert_int_eq(ports[0].protocol, 3);
	ck_assert_int_eq(ports[1].is_ssl, 1);
	{
		char body[64];

		ck_assert_int_eq(
		    https_get(ports[1].port, "/info", body, sizeof body), 200);
	}
	mg_stop(ctx);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_tls");
	struct {
		const char *name;
		const TTest *test;
	} tests[] = {
	    {"https", handler_over_tls_sees_is_ssl_and_https_link},
	    {"large", large_file_and_large_body_over_tls},
	    {"keepalive", keep_alive_and_pipelined_requests_over_tls},
	    {"plain", plain_http_to_tls_port_gets_400_and_close},
	    {"stalled", stalled_handshakes_hold_no_thread},
	    {"badcert", missing_or_bad_certificate_refuses_to_start},
	    {"init_ssl", init_ssl_return_values},
	    {"external", external_ssl_ctx_return_values},
	    {"notls", no_tls_port_calls_no_tls_callback},
	    {"clientcert", client_certificate_required},
	    {"optional", client_certificate_optional_and_absent},
	    {"version", protocol_version_5_refuses_tls12},
	    {"badopts", bad_protocol_version_and_cipher_list_refuse_to_start},
	    {"resume", sessions_resume_again_and_again},
	    {"keyfile", ticket_key_file_shared_by_two_servers},
	    {"badkeyfile", bad_ticket_key_file_refuses_to_start},
	    {"redirect", redirect_port_sends_to_the_tls_port},
	    {"client", client_api_over_tls},
	    {"clientrefuses",
	     client_refuses_wrong_name_and_untrusted_certificate},
	    {"clientcert", client_presents_its_certificate},
	    {"hsts", strict_transport_security_on_server_responses},
	    {"ciphers", default_ciphers_are_aead_only},
	    {"domains", domains_have_their_certificate_and_document_root},
	    {"domainrv", start_domain_return_values},
	    {"domaincb", init_ssl_domain_names_each_domain},
	    {"shorttrust", short_trust_takes_up_a_replaced_certificate},
	    {"alpn", alpn_selects_http11},
	    {"portforms", tls_port_forms},
	};

	for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
		TCase *tc = tcase_create(tests[i].name);

		tl_cleanup_fixture(tc);
		tcase_add_checked_fixture(tc, make_dir, drop_dir);
		tcase_set_timeout(tc, 60);
		tcase_add_test(tc, tests[i].test);
		suite_add_tcase(s, tc);
	}
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
