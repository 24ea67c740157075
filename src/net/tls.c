/* tls.c - the TLS transport and the handshake protocol (see tls.h).
 *
 * OpenSSL reads and writes the socket through a small BIO of ours, so that
 * it never raises SIGPIPE and so that the transport knows when the socket
 * may still hold input: OpenSSL reads ahead, and a connection parked in
 * the (edge-triggered) event set while a read of the socket came back full
 * could wait for an event that never comes. has_buffered_input says "yes"
 * until a read has found the socket empty. The server's context is built
 * in tls_ctx.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/log.h"
#include "net/conn.h"
#include "net/tls.h"
#include "util/clock.h"

/* A TLS connection's state (c->xprt_data). */
struct cw_tls {
	SSL *ssl;
	SSL_CTX *own_ctx;    /* a client connection's context */
	int64_t deadline;    /* the handshake's, 0 until it starts */
	unsigned more : 1;   /* the socket or OpenSSL may hold input */
	unsigned full : 1;   /* the last socket read filled its buffer */
	unsigned failed : 1; /* a fatal error: no close_notify */
	unsigned shut : 1;   /* close_notify sent */
};

/* ---- the socket BIO --------------------------------------------------------
 */

static int sock_read(BIO *b, char *buf, int len)
{
	struct mg_connection *c = BIO_get_data(b);
	struct cw_tls *t = c->xprt_data;
	ssize_t n;

	BIO_clear_retry_flags(b);
	do {
		n = recv(c->fd, buf, (size_t)len, 0);
	} while (n < 0 && errno == EINTR);
	t->full = n == len;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		BIO_set_retry_read(b);
	return (int)n;
}

static int sock_write(BIO *b, const char *buf, int len)
{
	struct mg_connection *c = BIO_get_data(b);
	ssize_t n;

	BIO_clear_retry_flags(b);
	do {
		n = send(c->fd, buf, (size_t)len, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		BIO_set_retry_write(b);
	return (int)n;
}

static long sock_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int sock_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static BIO_METHOD *sock_method;
static pthread_once_t sock_once = PTHREAD_ONCE_INIT;

static void make_sock_method(void)
{
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
	                             "civetd socket");

	if (m == NULL || !BIO_meth_set_read(m, sock_read) ||
	    !BIO_meth_set_write(m, sock_write) ||
	    !BIO_meth_set_ctrl(m, sock_ctrl) ||
	    !BIO_meth_set_create(m, sock_create)) {
		BIO_meth_free(m);
		m = NULL;
	}
	sock_method = m;
}

/* ---- the transport ------------------------------------------------------- */

/* The TLS state of c over context sctx, in c->xprt_data: 0 or -1. */
static int attach(struct mg_connection *c, SSL_CTX *sctx)
{
	const long modes = SSL_MODE_ENABLE_PARTIAL_WRITE |
	                   SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
	                   SSL_MODE_RELEASE_BUFFERS;
	struct cw_tls *t;
	BIO *bio;

	pthread_once(&sock_once, make_sock_method);
	if (sctx == NULL || sock_method == NULL)
		return -1;
	t = calloc(1, sizeof *t);
	if (t == NULL)
		return -1;
	t->ssl = SSL_new(sctx);
	bio = BIO_new(sock_method);
	if (t->ssl == NULL || bio == NULL) {
		BIO_free(bio);
		SSL_free(t->ssl);
		free(t);
		return -1;
	}
	BIO_set_data(bio, c);
	SSL_set_bio(t->ssl, bio, bio);
	/* whatever context the application made: one read takes a record
	 * and more, writes may be partial and retried from a new place */
	SSL_set_read_ahead(t->ssl, 1);
	SSL_set_mode(t->ssl, modes);
	c->xprt_data = t;
	return 0;
}

static int tls_open(struct mg_connection *c)
{
	if (attach(c, c->ctx != NULL ? c->ctx->ssl_ctx : NULL) != 0)
		return -1;
	SSL_set_accept_state(((struct cw_tls *)c->xprt_data)->ssl);
	return 0;
}

/* What OpenSSL's result r of an operation means to the caller. */
static ssize_t result_of(struct cw_tls *t, int r)
{
	switch (SSL_get_error(t->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		t->more = 0;
		return CW_IO_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return CW_IO_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		t->more = 0;
		return 0;
	case SSL_ERROR_SYSCALL:
		t->failed = 1;
		if (errno == 0)
			errno = ECONNRESET;
		return CW_IO_ERROR;
	default:
		t->failed = 1;
		errno = EPROTO;
		return CW_IO_ERROR;
	}
}

/* After input came: may more be waiting without an event to say so? */
static void note_input(struct cw_tls *t)
{
	t->more = SSL_has_pending(t->ssl) || t->full;
}

static ssize_t tls_recv(struct mg_connection *c, void *buf, size_t len)
{
	struct cw_tls *t = c->xprt_data;
	size_t n = 0;

	ERR_clear_error();
	if (SSL_read_ex(t->ssl, buf, len, &n) == 1) {
		note_input(t);
		return (ssize_t)n;
	}
	return result_of(t, 0);
}

/* One SSL_write of the first bytes of iov: the pieces of a short vector
 * (a head and a small body) are gathered into one record. A write that
 * must wait is retried by the caller with the same bytes first, as
 * OpenSSL requires. */
static ssize_t tls_sendv(struct mg_connection *c, const struct iovec *iov,
                         int iovcnt, int last)
{
	struct cw_tls *t = c->xprt_data;
	char gather[16384];
	const void *p = iov[0].iov_base;
	size_t len = iov[0].iov_len, n = 0;

	(void)last;
	if (iovcnt > 1 && len < sizeof gather) {
		len = 0;
		for (int i = 0; i < iovcnt && len < sizeof gather; i++) {
			size_t k = iov[i].iov_len;

			if (k > sizeof gather - len)
				k = sizeof gather - len;
			memcpy(gather + len, iov[i].iov_base, k);
			len += k;
		}
		p = gather;
	}
	if (len == 0)
		return 0;
	ERR_clear_error();
	if (SSL_write_ex(t->ssl, p, len, &n) == 1)
		return (ssize_t)n;
	return result_of(t, 0);
}

static ssize_t tls_sendfile(struct mg_connection *c, int fd, off_t *off,
                            size_t len)
{
	(void)c;
	(void)fd;
	(void)off;
	(void)len;
	return CW_IO_UNSUPPORTED;
}

/* close_notify once, if the session is up and healthy; never waits. */
static void send_close_notify(struct cw_tls *t)
{
	if (t->shut || t->failed || !SSL_is_init_finished(t->ssl))
		return;
	t->shut = 1;
	ERR_clear_error();
	if (SSL_shutdown(t->ssl) < 0)
		ERR_clear_error();
}

static int tls_shutdown_write(struct mg_connection *c)
{
	send_close_notify(c->xprt_data);
	return shutdown(c->fd, SHUT_WR) == 0 ? 0 : CW_IO_ERROR;
}

static int tls_has_buffered_input(const struct mg_connection *c)
{
	const struct cw_tls *t = c->xprt_data;

	return t->more || SSL_pending(t->ssl) > 0;
}

static void tls_close(struct mg_connection *c)
{
	struct cw_tls *t = c->xprt_data;

	if (t == NULL)
		return;
	send_close_notify(t);
	SSL_free(t->ssl);
	SSL_CTX_free(t->own_ctx);
	free(t);
	c->xprt_data = NULL;
}

const struct cw_transport cw_tls_transport = {
    .name = "tls",
    .open = tls_open,
    .recv = tls_recv,
    .sendv = tls_sendv,
    .sendfile = tls_sendfile,
    .shutdown_write = tls_shutdown_write,
    .has_buffered_input = tls_has_buffered_input,
    .close = tls_close,
};

/* ---- the handshake protocol ---------------------------------------------- */

/* A plain HTTP request on a TLS port gets a plain answer, as nginx gives
 * one: written straight to the socket, there being no session. */
static void answer_plain_http(struct mg_connection *c)
{
	static const char reply[] =
	    "HTTP/1.1 400 Bad Request\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: 51\r\n"
	    "Connection: close\r\n\r\n"
	    "This port speaks HTTPS: use https:// to reach it.\r\n";

	if (send(c->fd, reply, sizeof reply - 1, MSG_NOSIGNAL) < 0)
		errno = 0;
}

static int plain_http_error(void)
{
	unsigned long e = ERR_peek_error();

	return ERR_GET_LIB(e) == ERR_LIB_SSL &&
	       (ERR_GET_REASON(e) == SSL_R_HTTP_REQUEST ||
	        ERR_GET_REASON(e) == SSL_R_HTTPS_PROXY_REQUEST);
}

static void handshake_failed(struct mg_connection *c, struct cw_tls *t)
{
	if (plain_http_error())
		answer_plain_http(c);
	ERR_clear_error();
	t->failed = 1;
	cw_conn_close(c);
}

static void handshake_run(struct mg_connection *c, struct cw_thread *th)
{
	struct cw_tls *t = c->xprt_data;
	int r;

	if (t->deadline == 0)
		t->deadline = cw_now_ms() + c->ctx->opt.request_timeout_ms;
	for (;;) {
		ERR_clear_error();
		r = SSL_do_handshake(t->ssl);
		if (r == 1)
			break;
		r = (int)result_of(t, r);
		if (r != CW_IO_WANT_READ && r != CW_IO_WANT_WRITE) {
			handshake_failed(c, t);
			return;
		}
		r = cw_conn_park(
		    c, r == CW_IO_WANT_READ ? CW_WANT_READ : CW_WANT_WRITE,
		    t->deadline);
		if (r == 0)
			return;
		if (r < 0) {
			cw_conn_close(c);
			return;
		}
	}
	note_input(t);
	cw_conn_switch(c, c->ctx->first_proto);
	c->proto->run(c, th);
}

const struct cw_protocol cw_tls_handshake_protocol = {
    .name = "tls-handshake",
    .run = handshake_run,
    .expire = cw_conn_close,
    .drain = cw_conn_close,
    .release = NULL,
};

/* ---- the client side ------------------------------------------------------
 */

static int is_address(const char *host)
{
	unsigned char a[16];

	return inet_pton(AF_INET, host, a) == 1 ||
	       inet_pton(AF_INET6, host, a) == 1 || host[0] == '[';
}

static SSL_CTX *client_ctx(const struct cw_tls_client_opts *o, int *kind,
                           char *err, size_t errlen)
{
	SSL_CTX *s = SSL_CTX_new(TLS_client_method());

	if (s == NULL) {
		cw_tls_fail(err, errlen, "cannot make a TLS context", NULL);
		return NULL;
	}
	if (o->client_cert != NULL &&
	    (!SSL_CTX_use_certificate_chain_file(s, o->client_cert) ||
	     !SSL_CTX_use_PrivateKey_file(s, o->client_cert,
	                                  SSL_FILETYPE_PEM))) {
		cw_tls_fail(err, errlen, "cannot use the client certificate",
		            o->client_cert);
		*kind = CW_TLS_CLIENT_CERT_ERROR;
		SSL_CTX_free(s);
		return NULL;
	}
	if (o->server_cert != NULL &&
	    !SSL_CTX_load_verify_locations(s, o->server_cert, NULL)) {
		cw_tls_fail(err, errlen, "cannot load the server certificate",
		            o->server_cert);
		*kind = CW_TLS_SERVER_CERT_ERROR;
		SSL_CTX_free(s);
		return NULL;
	}
	SSL_CTX_set_verify(
	    s, o->server_cert ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
	return s;
}

/* SNI, and the name the certificate must carry. */
static int set_names(SSL *ssl, const struct cw_tls_client_opts *o)
{
	const char *name = o->host_name != NULL ? o->host_name : o->host;
	const char *p = name + (name[0] == '[');
	char bare[64];

	if (o->host_name != NULL || !is_address(o->host))
		SSL_set_tlsext_host_name(ssl, name);
	if (o->server_cert == NULL)
		return 0;
	if (!is_address(name))
		return SSL_set1_host(ssl, name) == 1 ? 0 : -1;
	snprintf(bare, sizeof bare, "%.*s", (int)strcspn(p, "]"), p);
	return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), bare) == 1
	           ? 0
	           : -1;
}

static int client_handshake(struct mg_connection *c, struct cw_tls *t,
                            int timeout_ms, char *err, size_t errlen)
{
	struct cw_pace pace;
	long v;

	cw_pace_init(&pace, timeout_ms, 0, 0);
	for (;;) {
		int r;

		ERR_clear_error();
		r = SSL_do_handshake(t->ssl);
		if (r == 1)
			return 0;
		r = (int)result_of(t, r);
		if (r != CW_IO_WANT_READ && r != CW_IO_WANT_WRITE)
			break;
		if (cw_conn_wait(
		        c, r == CW_IO_WANT_READ ? CW_WANT_READ : CW_WANT_WRITE,
		        &pace) != 0) {
			snprintf(err, errlen,
			         "TLS handshake: no answer in %d ms",
			         timeout_ms);
			return -1;
		}
	}
	v = SSL_get_verify_result(t->ssl);
	if (v != X509_V_OK) {
		ERR_clear_error();
		snprintf(err, errlen,
		         "TLS handshake: server certificate refused: %s",
		         X509_verify_cert_error_string(v));
		return CW_TLS_SERVER_CERT_ERROR;
	}
	return cw_tls_fail(err, errlen, "TLS handshake failed", NULL);
}

int cw_tls_client_start(struct mg_connection *c,
                        const struct cw_tls_client_opts *o, int timeout_ms,
                        char *err, size_t errlen)
{
	int kind = CW_TLS_CONNECT_ERROR;
	SSL_CTX *s = client_ctx(o, &kind, err, errlen);
	struct cw_tls *t;

	if (s == NULL)
		return kind;
	/* TLS takes over the socket from the plain transport */
	if (c->xprt->close != NULL)
		c->xprt->close(c);
	c->xprt_data = NULL;
	c->xprt = &cw_tls_transport;
	if (attach(c, s) != 0) {
		SSL_CTX_free(s);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	t = c->xprt_data;
	t->own_ctx = s;
	SSL_set_connect_state(t->ssl);
	if (set_names(t->ssl, o) != 0)
		return cw_tls_fail(err, errlen, "cannot check the name",
		                   o->host);
	return client_handshake(c, t, timeout_ms, err, errlen);
}

/* ---- the peer's certificate ---------------------------------------------- */

static void hex_of(const unsigned char *v, unsigned n, char *out, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t o = 0;

	for (unsigned i = 0; i < n && o + 2 < len; i++) {
		out[o++] = digits[v[i] >> 4];
		out[o++] = digits[v[i] & 15];
	}
	out[o] = '\0';
}

static void serial_of(X509 *x, char *out, size_t len)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(x), NULL);
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;

	snprintf(out, len, "%s", hex != NULL ? hex : "");
	OPENSSL_free(hex);
	BN_free(bn);
}

int cw_tls_peer_cert(const struct mg_connection *c, struct cw_tls_peer_cert *pc)
{
	const struct cw_tls *t =
	    c->xprt == &cw_tls_transport ? c->xprt_data : NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	X509 *x;

	memset(pc, 0, sizeof *pc);
	if (t == NULL || (x = SSL_get1_peer_certificate(t->ssl)) == NULL)
		return -1;
	X509_NAME_oneline(X509_get_subject_name(x), pc->subject,
	                  (int)sizeof pc->subject);
	X509_NAME_oneline(X509_get_issuer_name(x), pc->issuer,
	                  (int)sizeof pc->issuer);
	serial_of(x, pc->serial, sizeof pc->serial);
	if (X509_digest(x, EVP_sha1(), md, &mdlen) == 1)
		hex_of(md, mdlen, pc->finger, sizeof pc->finger);
	X509_free(x);
	pc->x509 = SSL_get0_peer_certificate(t->ssl);
	return 0;
}
