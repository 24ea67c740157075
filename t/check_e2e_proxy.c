/* check_e2e_proxy.c - end-to-end: the PROXY protocol on `p` ports. Real
 * servers and sockets; a handler answers with the remote_addr and
 * remote_port it sees. The client a v1 or v2 header names is that
 * address (keep-alive requests included), in the access log and for
 * access_control_list too; LOCAL and UNKNOWN keep the real peer; the
 * request may come in the same write as the header or the header a byte
 * per write; a missing, bad, oversized or stalled header closes the
 * connection with nothing sent, a stalled one at request_timeout_ms and
 * without holding one of num_threads=2; a port without `p` never takes a
 * header (a PROXY line there is a bad request); over TLS (`sp`) the
 * header comes before the ClientHello, in the same segment; curl's
 * --haproxy-protocol is understood; the prefork daemon's workers read
 * headers on a `p` port, and a reload that drops the `p` keeps the socket
 * and stops reading them. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "civetweb.h"
#include "testlib.h"
#include "tlstest.h"

static const unsigned char sig[12] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                      0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

static const char get_who[] =
    "GET /who HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
static const char get_who_ka[] = "GET /who HTTP/1.1\r\nHost: localhost\r\n\r\n";

/* ---- the server ---------------------------------------------------------- */

/* "<remote_addr> <remote_port>". */
static int who(struct mg_connection *c, void *cb)
{
	const struct mg_request_info *ri = mg_get_request_info(c);
	char body[128];
	int n = snprintf(body, sizeof body, "%s %d", ri->remote_addr,
	                 ri->remote_port);

	(void)cb;
	mg_printf(c,
	          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	          "Content-Length: %d\r\n\r\n%s",
	          n, body);
	return 200;
}

/* A server on ports (a listening_ports value) with opts (pairs, may be
 * NULL) and /who; ports_out gets up to 2 bound ports, in order. */
static struct mg_context *start(const char *ports, const char **opts,
                                int ports_out[2])
{
	const char *all[40];
	struct mg_callbacks cb;
	struct mg_server_port sp[4];
	struct mg_context *ctx;
	int n = 0, got;

	all[n++] = "listening_ports";
	all[n++] = ports;
	for (int i = 0; opts != NULL && opts[i] != NULL && n < 36; i += 2) {
		all[n++] = opts[i];
		all[n++] = opts[i + 1];
	}
	all[n] = NULL;
	memset(&cb, 0, sizeof cb);
	ctx = mg_start(&cb, NULL, all);
	ck_assert_msg(ctx != NULL, "mg_start failed");
	mg_set_request_handler(ctx, "/who", who, NULL);
	got = mg_get_server_ports(ctx, 4, sp);
	ck_assert_int_ge(got, 1);
	ports_out[0] = sp[0].port;
	ports_out[1] = got > 1 ? sp[1].port : -1;
	return ctx;
}

/* ---- clients ------------------------------------------------------------- */

/* A version 2 header for a TCP client src:sport (IPv4 or IPv6 text) to
 * 192.0.2.200:443 or [2001:db8::200]:443, with tlv_len bytes of NOOP TLV
 * (0: none) into out; its length. */
static size_t v2_header(unsigned char *out, size_t cap, const char *src,
                        int sport, size_t tlv_len)
{
	int v6 = strchr(src, ':') != NULL;
	size_t alen = v6 ? 36 : 12, body = alen + (tlv_len ? 3 + tlv_len : 0);
	unsigned char *a = out + 16;

	ck_assert_uint_le(16 + body, cap);
	memset(out, 0, 16 + body);
	memcpy(out, sig, 12);
	out[12] = 0x21;
	out[13] = v6 ? 0x21 : 0x11;
	out[14] = (unsigned char)(body >> 8);
	out[15] = (unsigned char)body;
	ck_assert_int_eq(inet_pton(v6 ? AF_INET6 : AF_INET, src, a), 1);
	ck_assert_int_eq(inet_pton(v6 ? AF_INET6 : AF_INET,
	                           v6 ? "2001:db8::200" : "192.0.2.200",
	                           a + (v6 ? 16 : 4)),
	                 1);
	a[alen - 4] = (unsigned char)(sport >> 8);
	a[alen - 3] = (unsigned char)sport;
	a[alen - 2] = 443 >> 8;
	a[alen - 1] = 443 & 0xFF;
	if (tlv_len > 0) {
		a[alen] = 0x04; /* PP2_TYPE_NOOP */
		a[alen + 1] = (unsigned char)(tlv_len >> 8);
		a[alen + 2] = (unsigned char)tlv_len;
	}
	return 16 + body;
}

/* A LOCAL version 2 header (what a balancer's health check sends). */
static size_t v2_local(unsigned char *out)
{
	memcpy(out, sig, 12);
	out[12] = 0x20;
	out[13] = 0x00;
	out[14] = out[15] = 0;
	return 16;
}

/* Send head (n bytes) then text on one new connection, in one write;
 * read one response into r. Returns the status (-1: closed first). */
static int ask(int port, const void *head, size_t n, const char *text,
               struct tl_resp *r)
{
	char buf[70000];
	size_t len = strlen(text);
	int fd = tl_connect(port), status;

	ck_assert_uint_le(n + len, sizeof buf);
	memcpy(buf, head, n);
	memcpy(buf + n, text, len);
	ck_assert_int_eq(tl_send_n(fd, buf, n + len), 0);
	status = tl_read_response(fd, "GET", r);
	close(fd);
	return status;
}

static int ask_text(int port, const char *head, const char *text,
                    struct tl_resp *r)
{
	return ask(port, head, strlen(head), text, r);
}

/* Send bytes and expect the server to close without a byte (a reset
 * that cuts the send short is a close too). */
static void refused(int port, const void *bytes, size_t n)
{
	char buf[256];
	int fd = tl_connect(port);

	tl_send_n(fd, bytes, n);
	ck_assert_uint_eq(tl_read_all(fd, buf, sizeof buf, 10000), 0);
	ck_assert_msg(tl_closed_within(fd, 10000), "connection left open");
	close(fd);
}

static void assert_body(struct tl_resp *r, const char *want)
{
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(r->body, want);
	tl_resp_free(r);
}

/* ---- the client the header names ----------------------------------------- */

START_TEST(v1_tcp4_client_is_remote_addr_with_request_in_same_write)
{
	struct tl_resp r;
	int port[2];
	struct mg_context *ctx = start("127.0.0.1:0p", NULL, port);

	ask_text(port[0], "PROXY TCP4 192.0.2.1 198.51.100.2 56324 80\r\n",
	         get_who, &r);
	assert_body(&r, "192.0.2.1 56324");
	mg_stop(ctx);
}
END_TEST

START_TEST(v1_tcp6_client_is_remote_addr)
{
	struct tl_resp r;
	int port[2];
	struct mg_context *ctx = start("127.0.0.1:0p", NULL, port);

	ask_text(port[0], "PROXY TCP6 2001:db8::7 2001:db8::1 4242 443\r\n",
	         get_who, &r);
	assert_body(&r, "2001:db8::7 4242");
	mg_stop(ctx);
}
END_TEST

START_TEST(v2_inet_and_inet6_clients_are_remote_addr)
{
	unsigned char h[128];
	struct tl_resp r;
	int port[2];
	struct mg_context *ctx = start("127.0.0.1:0p", NULL, port);

	ask(port[0], h, v2_header(h, sizeof h, "203.0.113.9", 61000, 0),
	    get_who, &r);
	assert_body(&r, "203.0.113.9 61000");
	ask(port[0], h, v2_header(h, sizeof h, "2001:db8::42", 1, 7), get_who,
	    &r);
	assert_body(&r, "2001:db8::42 1");
	mg_stop(ctx);
}
END_TEST

START_TEST(v2_with_large_tlvs_is_taken_and_too_large_refused)
{
	static unsigned char h[70000];
	struct tl_resp r;
	int port[2];
	struct mg_context *ctx = start("127.0.0.1:0p", NULL, port);

	/* larger than one peek on the stack: taken whole all the same */
	ask(port[0], h, v2_header(h, sizeof h, "203.0.113.10", 5000, 4000),
	    get_who, &r);
	assert_body(&r, "203.0.113.10 5000");
	/* beyond the 16 KiB bound */
	refused(port[0], h,
	        v2_header(h, sizeof h, "203.0.113.10", 5000, 20000));
	mg_stop(ctx);
}
END_TEST

START_TEST(header_a_byte_per_write_then_request)
{
	static const char head[] =
	    "PROXY TCP4 192.0.2.77 198.51.100.2 1234 80\r\n";
	unsigned char v2h[64];
	size_t n = v2_header(v2h, sizeof v2h, "192.0.2.78", 4321, 0);
	struct tl_resp r;
	int port[2], fd;
	struct mg_context *ctx = start("127.0.0.1:0p", NULL, port);

	fd = tl_connect(port[0]);
	for (size_t i = 0; i < sizeof head - 1; i++)
		ck_assert_int_eq(tl_send_n(fd, head + i, 1), 0);
	ck_assert_int_eq(tl_send(fd, get_who), 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	close(fd);
	assert_body(&r, "192.0.2.77 1234");

	/* v2: the fixed part a byte at a time, the rest with the request */
	fd = tl_connect(port[0]);
	for (size_t i = 0; i < 16; i++)
		ck_assert_int_eq(tl_send_n(fd, v2h + i, 1), 0);
	ck_assert_int_eq(tl_send_n(fd, v2h + 16, n - 16), 0);
	ck_assert_int_eq(tl_send(fd, get_who), 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	close(fd);
	assert_body(&r, "192.0.2.78 4321");
	mg_stop(ctx);
}
END_TEST

START_TEST(keep_alive_requests_keep_the_client_and_a_second_header_is_400)
{
	static const char all[] =
	    "PROXY TCP4 192.0.2.5 198.51.100.2 999 80\r\n"
	    "GET /who HTTP/1.1\r\nHost: localhost\r\n\r\n"
	    "GET /who HTTP/1.1\r\nHost: localhost\r\n\r\n";
	const char *opts[] = {"enable_keep_alive", "yes", NULL};
	struct tl_resp r;
	int port[2], fd;
	struct mg_context *ctx = start("127.0.0.1:0p", opts, port);

	fd = tl_connect(port[0]);
	ck_assert_int_eq(tl_send(fd, all), 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	assert_body(&r, "192.0.2.5 999");
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	assert_body(&r, "192.0.2.5 999");
	ck_assert_int_eq(tl_send(fd, get_who_ka), 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	assert_body(&r, "192.0.2.5 999");
	/* the header is read once: another is no more than a bad request */
	ck_assert_int_eq(tl_send(fd, "PROXY TCP4 192.0.2.6 198.51.100.2 1 2\r\n"
	                             "GET /who HTTP/1.1\r\nHost: x\r\n\r\n"),
	                 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 400);
	tl_resp_free(&r);
	close(fd);
	mg_stop(ctx);
}
END_TEST

START_TEST(local_and_unknown_keep_the_real_peer)
{
	unsigned char h[16];
	struct tl_resp r;
	int port[2];
	struct mg_context *ctx = start("127.0.0.1:0p", NULL, port);

	ask(port[0], h, v2_local(h), get_who, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_msg(strncmp(r.body, "127.0.0.1 ", 10) == 0, "%s", r.body);
	tl_resp_free(&r);
	ask_text(port[0], "PROXY UNKNOWN\r\n", get_who, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_msg(strncmp(r.body, "127.0.0.1 ", 10) == 0, "%s", r.body);
	tl_resp_free(&r);
	mg_stop(ctx);
}
END_TEST

/* ---- refusals ------------------------------------------------------------ */

START_TEST(missing_or_bad_header_is_closed_with_nothing_sent)
{
	static const char *const bad[] = {
	    get_who,
	    "PROXY TCP4 bogus 198.51.100.2 1 2\r\nGET / HTTP/1.1\r\n\r\n",
	    "PROXY TCP4 192.0.2.1 198.51.100.2 1 2\nGET / HTTP/1.1\r\n\r\n",
	    "\r\n\r\n\0\r\nQUIT\n\x11\x11\0\0",
	    "\x16\x03\x01\x00\x05hello",
	};
	static const size_t len[] = {sizeof get_who - 1, 0, 0, 16, 10};
	int port[2];
	struct mg_context *ctx = start("127.0.0.1:0p", NULL, port);

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refused(port[0], bad[i], len[i] ? len[i] : strlen(bad[i]));
	/* and the server is none the worse */
	{
		struct tl_resp r;

		ask_text(port[0], "PROXY TCP4 192.0.2.1 198.51.100.2 7 80\r\n",
		         get_who, &r);
		assert_body(&r, "192.0.2.1 7");
	}
	mg_stop(ctx);
}
END_TEST

START_TEST(client_closing_in_the_header_is_closed)
{
	int port[2], fd;
	struct mg_context *ctx = start("127.0.0.1:0p", NULL, port);
	struct tl_resp r;
	char buf[64];

	fd = tl_connect(port[0]);
	ck_assert_int_eq(tl_send(fd, "PROXY TCP4 192.0"), 0);
	shutdown(fd, SHUT_WR);
	ck_assert_uint_eq(tl_read_all(fd, buf, sizeof buf, 10000), 0);
	close(fd);
	ask_text(port[0], "PROXY TCP4 192.0.2.1 198.51.100.2 8 80\r\n", get_who,
	         &r);
	assert_body(&r, "192.0.2.1 8");
	mg_stop(ctx);
}
END_TEST

START_TEST(stalled_headers_hold_no_thread_and_close_at_request_timeout)
{
	const char *opts[] = {"num_threads", "2", "request_timeout_ms", "1500",
	                      NULL};
	int port[2], stalled[6];
	long long opened;
	struct mg_context *ctx = start("127.0.0.1:0p", opts, port);

	opened = tl_now_ms();
	for (int i = 0; i < 6; i++) {
		stalled[i] = tl_connect(port[0]);
		ck_assert_int_eq(tl_send(stalled[i], i % 2
		                                         ? "PROXY TCP4 192"
		                                         : "\r\n\r\n\0\r\nQU"),
		                 0);
	}
	/* more stalled clients than threads, and others are served */
	for (int i = 0; i < 4; i++) {
		struct tl_resp r;
		char head[80], want[32];

		snprintf(head, sizeof head,
		         "PROXY TCP4 192.0.2.%d 198.51.100.2 %d 80\r\n", i + 1,
		         1000 + i);
		snprintf(want, sizeof want, "192.0.2.%d %d", i + 1, 1000 + i);
		ask_text(port[0], head, get_who, &r);
		assert_body(&r, want);
	}
	for (int i = 0; i < 6; i++) {
		char buf[16];

		ck_assert_uint_eq(
		    tl_read_all(stalled[i], buf, sizeof buf, 20000), 0);
		ck_assert_msg(tl_closed_within(stalled[i], 1000),
		              "stalled header %d left open", i);
		close(stalled[i]);
	}
	/* not before the deadline it was accepted with (the clock may
	 * round by a tick) */
	ck_assert_int_ge(tl_now_ms() - opened, 1400);
	mg_stop(ctx);
}
END_TEST

/* ---- access_control_list and the access log ------------------------------ */

START_TEST(acl_is_applied_to_the_proxied_client)
{
	const char *opts[] = {"access_control_list", "-0.0.0.0/0,+192.0.2.0/24",
	                      NULL};
	unsigned char h[64];
	struct tl_resp r;
	int port[2];
	struct mg_context *ctx = start("127.0.0.1:0p", opts, port);
	const char *deny = "PROXY TCP4 203.0.113.1 198.51.100.2 1 80\r\n";
	char raw[256];

	/* the real peer, 127.0.0.1, is denied; the header's client decides */
	ask_text(port[0], "PROXY TCP4 192.0.2.9 198.51.100.2 9 80\r\n", get_who,
	         &r);
	assert_body(&r, "192.0.2.9 9");
	ask(port[0], h, v2_header(h, sizeof h, "192.0.2.10", 10, 0), get_who,
	    &r);
	assert_body(&r, "192.0.2.10 10");
	snprintf(raw, sizeof raw, "%s%s", deny, get_who);
	refused(port[0], raw, strlen(raw));
	refused(port[0], h, v2_header(h, sizeof h, "198.51.100.77", 10, 0));
	/* LOCAL means the real peer, which the list denies */
	refused(port[0], h, v2_local(h));
	mg_stop(ctx);
}
END_TEST

struct logfile {
	const char *path;
	const char *want;
};

static int log_has(void *arg)
{
	const struct logfile *l = arg;
	char buf[4096];
	FILE *f = fopen(l->path, "r");
	size_t n;

	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, l->want) != NULL;
}

/* Lines of file path that hold want. */
static int count_lines(const char *path, const char *want)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	int n = 0;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f) != NULL)
		n += strstr(line, want) != NULL;
	fclose(f);
	return n;
}

START_TEST(error_log_names_who_sent_no_header)
{
	char *dir = tl_mkdtemp(), path[512];
	const char *opts[] = {"error_log_file", path, NULL};
	struct logfile l = {path, "sent no valid PROXY header: closed"};
	int port[2], fd;
	struct mg_context *ctx;

	snprintf(path, sizeof path, "%s/error.log", dir);
	ctx = start("127.0.0.1:0p", opts, port);
	/* a health check that connects and closes is not worth a line */
	fd = tl_connect(port[0]);
	close(fd);
	refused(port[0], get_who, strlen(get_who));
	tl_wait_until(log_has, &l, 10000, "'%s' in the error log", l.want);
	l.want = "127.0.0.1:";
	ck_assert(log_has(&l));
	mg_stop(ctx);
	ck_assert_int_eq(count_lines(path, "PROXY header"), 1);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

START_TEST(access_log_names_the_proxied_client)
{
	char *dir = tl_mkdtemp(), path[512];
	const char *opts[] = {"access_log_file", path, NULL};
	struct logfile l = {path, "192.0.2.33 - "};
	struct tl_resp r;
	int port[2];
	struct mg_context *ctx;

	snprintf(path, sizeof path, "%s/access.log", dir);
	ctx = start("127.0.0.1:0p", opts, port);
	ask_text(port[0], "PROXY TCP4 192.0.2.33 198.51.100.2 33 80\r\n",
	         get_who, &r);
	assert_body(&r, "192.0.2.33 33");
	tl_wait_until(log_has, &l, 10000, "'%s' in the access log", l.want);
	mg_stop(ctx);
	l.want = "127.0.0.1 - ";
	ck_assert_msg(!log_has(&l), "the real peer was logged");
	tl_rmdir(dir);
	free(dir);
}
END_TEST

/* ---- ports without p ----------------------------------------------------- */

START_TEST(port_without_p_never_takes_a_header)
{
	unsigned char h[64];
	struct tl_resp r;
	int port[2];
	struct mg_context *ctx = start("127.0.0.1:0p,127.0.0.1:0", NULL, port);

	ck_assert_int_gt(port[1], 0);
	ck_assert_int_eq(ask_text(port[1],
	                          "PROXY TCP4 192.0.2.1 198.51.100.2 1 80\r\n",
	                          get_who, &r),
	                 400);
	tl_resp_free(&r);
	/* a v2 header there is not a request either: refused, not trusted */
	ask(port[1], h, v2_header(h, sizeof h, "192.0.2.1", 1, 0), get_who, &r);
	ck_assert_msg(r.status == 400 || r.status == -1, "status %d", r.status);
	if (r.status == 400)
		tl_resp_free(&r);
	/* a plain request there is served, from the real peer */
	ck_assert_int_eq(tl_get(port[1], "/who", &r), 200);
	ck_assert_msg(strncmp(r.body, "127.0.0.1 ", 10) == 0, "%s", r.body);
	tl_resp_free(&r);
	/* and the p port beside it still wants its header */
	ask_text(port[0], "PROXY TCP4 192.0.2.2 198.51.100.2 2 80\r\n", get_who,
	         &r);
	assert_body(&r, "192.0.2.2 2");
	mg_stop(ctx);
}
END_TEST

/* ---- TLS ----------------------------------------------------------------- */

START_TEST(tls_port_with_p_takes_header_before_client_hello)
{
	char *dir = tl_mkdtemp(), body[128];
	const char *opts[] = {"ssl_certificate", NULL, NULL};
	unsigned char h[64];
	SSL_CTX *cctx;
	SSL *ssl;
	int port[2], fd;
	struct mg_context *ctx;

	tt_make_certs(dir);
	opts[1] = tt_path(dir, "server.pem");
	ctx = start("127.0.0.1:0sp", opts, port);
	cctx = tt_client_ctx(tt_path(dir, "ca.pem"), NULL);
	for (int v = 1; v <= 2; v++) {
		fd = tl_connect(port[0]);
		/* MSG_MORE: the header waits for the ClientHello, and both go
		 * out in one segment */
		if (v == 1) {
			static const char v1[] =
			    "PROXY TCP4 192.0.2.44 198.51.100.2 4444 443\r\n";

			ck_assert_int_eq(send(fd, v1, sizeof v1 - 1, MSG_MORE),
			                 (ssize_t)(sizeof v1 - 1));
		} else {
			size_t n =
			    v2_header(h, sizeof h, "2001:db8::44", 4445, 0);

			ck_assert_int_eq(send(fd, h, n, MSG_MORE), (ssize_t)n);
		}
		ssl = SSL_new(cctx);
		SSL_set_fd(ssl, fd);
		SSL_set_tlsext_host_name(ssl, "localhost");
		ck_assert_int_eq(SSL_connect(ssl), 1);
		ck_assert_int_eq(tt_send(ssl, get_who), 0);
		ck_assert_int_eq(tt_read_response(ssl, body, sizeof body), 200);
		ck_assert_str_eq(body, v == 1 ? "192.0.2.44 4444"
		                              : "2001:db8::44 4445");
		tt_close(ssl, fd);
	}
	/* without a header the handshake never starts */
	{
		int fd2;

		ssl = tt_connect(cctx, port[0], &fd2);
		ck_assert_ptr_null(ssl);
	}
	SSL_CTX_free(cctx);
	mg_stop(ctx);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

/* ---- curl, an independent sender ---------------------------------------- */

START_TEST(curl_haproxy_protocol_is_understood)
{
	char url[64], out[512];
	const char *argv[] = {"/usr/bin/curl",
	                      "-s",
	                      "--haproxy-protocol",
	                      "--max-time",
	                      "20",
	                      url,
	                      NULL};
	int port[2];
	struct mg_context *ctx = start("127.0.0.1:0p", NULL, port);

	if (access(argv[0], X_OK) != 0) {
		mg_stop(ctx);
		ck_abort_msg("curl is needed (bootstrap.sh installs it)");
	}
	snprintf(url, sizeof url, "http://127.0.0.1:%d/who", port[0]);
	ck_assert_int_eq(tl_run(argv, out, sizeof out), 0);
	/* curl names its own end of the connection */
	ck_assert_msg(strncmp(out, "127.0.0.1 ", 10) == 0 && atoi(out + 10) > 0,
	              "%s", out);
	mg_stop(ctx);
}
END_TEST

/* ---- the prefork daemon -------------------------------------------------- */

struct daemon {
	pid_t pid;
	char *dir;
	char conf[256], sock[256], alog[256];
};

static void write_conf(struct daemon *d, const char *ports)
{
	FILE *f = fopen(d->conf, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f,
	        "listening_ports %s\nnum_workers 2\nnum_threads 2\n"
	        "document_root %s\naccess_log_file %s\nadmin_socket %s\n"
	        "error_log_file %s/error.log\n",
	        ports, d->dir, d->alog, d->sock, d->dir);
	fclose(f);
}

static int ctl(struct daemon *d, const char *cmd, const char *arg, char *out,
               size_t len)
{
	const char *argv[] = {tl_env("CIVETCTL_BIN"),
	                      "-s",
	                      d->sock,
	                      (char *)cmd,
	                      (char *)arg,
	                      NULL};

	return tl_run(argv, out, len);
}

static int two_ready(void *arg)
{
	char js[65536];
	const char *p = js;
	int n = 0;

	if (ctl(arg, "status", "--json", js, sizeof js) != 0)
		return 0;
	while ((p = strstr(p, "\"state\": \"ready\"")) != NULL) {
		n++;
		p++;
	}
	return n == 2;
}

static void daemon_start(struct daemon *d, const char *ports)
{
	pid_t parent = getpid();

	memset(d, 0, sizeof *d);
	d->dir = tl_mkdtemp();
	snprintf(d->conf, sizeof d->conf, "%s/civetd.conf", d->dir);
	snprintf(d->sock, sizeof d->sock, "%s/admin.sock", d->dir);
	snprintf(d->alog, sizeof d->alog, "%s/access.log", d->dir);
	tl_write_file(d->dir, "index.html", "hi\n", 3);
	write_conf(d, ports);
	tl_env("CIVETD_BIN");
	d->pid = fork();
	ck_assert_int_ge(d->pid, 0);
	if (d->pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		execl(tl_env("CIVETD_BIN"), tl_env("CIVETD_BIN"), "-c", d->conf,
		      (char *)NULL);
		_exit(127);
	}
	setpgid(d->pid, d->pid);
	tl_track_group(d->pid);
	tl_wait_until(two_ready, d, 20000, "2 ready workers");
}

static int daemon_port(struct daemon *d)
{
	char js[65536];
	const char *p;

	ck_assert_int_eq(ctl(d, "status", "--json", js, sizeof js), 0);
	p = strstr(js, "\"ports\": [");
	ck_assert_ptr_nonnull(p);
	return atoi(p + 10);
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

START_TEST(prefork_workers_read_headers_and_a_reload_can_drop_p)
{
	static const char get_root[] =
	    "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
	struct daemon d;
	struct logfile l;
	struct tl_resp r;
	char out[4096];
	int port;

	daemon_start(&d, "127.0.0.1:0p");
	port = daemon_port(&d);
	/* whichever worker takes each connection reads its header */
	for (int i = 0; i < 8; i++) {
		ck_assert_int_eq(
		    ask_text(port,
		             "PROXY TCP4 192.0.2.123 198.51.100.2 123 80\r\n",
		             get_root, &r),
		    200);
		ck_assert_str_eq(r.body, "hi\n");
		tl_resp_free(&r);
	}
	refused(port, get_root, strlen(get_root));
	l.path = d.alog;
	l.want = "192.0.2.123 - ";
	tl_wait_until(log_has, &l, 10000, "'%s' in the access log", l.want);

	/* the same socket without p: headers are no longer read */
	write_conf(&d, "127.0.0.1:0");
	ck_assert_int_eq(ctl(&d, "reload", NULL, out, sizeof out), 0);
	ck_assert_int_eq(daemon_port(&d), port);
	ck_assert_int_eq(tl_get(port, "/", &r), 200);
	tl_resp_free(&r);
	ck_assert_int_eq(
	    ask_text(port, "PROXY TCP4 192.0.2.123 198.51.100.2 123 80\r\n",
	             get_root, &r),
	    400);
	tl_resp_free(&r);
	daemon_stop(&d);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_proxy");
	TCase *tc = tcase_create("client");
	TCase *no = tcase_create("refusals");
	TCase *tls = tcase_create("tls");
	TCase *pre = tcase_create("prefork");

	tcase_set_timeout(tc, 120);
	tcase_set_timeout(no, 120);
	tcase_set_timeout(tls, 120);
	tl_cleanup_fixture(tc);
	tl_cleanup_fixture(no);
	tl_cleanup_fixture(tls);
	tcase_set_timeout(pre, 120);
	tl_cleanup_fixture(pre);
	tcase_add_test(
	    tc, v1_tcp4_client_is_remote_addr_with_request_in_same_write);
	tcase_add_test(tc, v1_tcp6_client_is_remote_addr);
	tcase_add_test(tc, v2_inet_and_inet6_clients_are_remote_addr);
	tcase_add_test(tc, v2_with_large_tlvs_is_taken_and_too_large_refused);
	tcase_add_test(tc, header_a_byte_per_write_then_request);
	tcase_add_test(
	    tc, keep_alive_requests_keep_the_client_and_a_second_header_is_400);
	tcase_add_test(tc, local_and_unknown_keep_the_real_peer);
	tcase_add_test(tc, acl_is_applied_to_the_proxied_client);
	tcase_add_test(tc, access_log_names_the_proxied_client);
	tcase_add_test(no, missing_or_bad_header_is_closed_with_nothing_sent);
	tcase_add_test(no, client_closing_in_the_header_is_closed);
	tcase_add_test(no, error_log_names_who_sent_no_header);
	tcase_add_test(
	    no, stalled_headers_hold_no_thread_and_close_at_request_timeout);
	tcase_add_test(no, port_without_p_never_takes_a_header);
	tcase_add_test(tls, tls_port_with_p_takes_header_before_client_hello);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, no);
	tcase_add_test(tc, curl_haproxy_protocol_is_understood);
	tcase_add_test(pre,
	               prefork_workers_read_headers_and_a_reload_can_drop_p);
	suite_add_tcase(s, tls);
	suite_add_tcase(s, pre);
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
