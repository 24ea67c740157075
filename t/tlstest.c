/* tlstest.c - keys, certificates and a TLS client for the TLS suites (see
 * tlstest.h). */
#include <check.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "tlstest.h"

const char *tt_path(const char *dir, const char *name)
{
	static __thread char path[512];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return path;
}

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *e;

	X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	ck_assert_ptr_nonnull(e);
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
}

/* A certificate for key k named cn, signed by (issuer, ikey), or
 * self-signed when issuer is NULL. */
static X509 *make_cert(EVP_PKEY *k, const char *cn, X509 *issuer,
                       EVP_PKEY *ikey, long serial, const char *san)
{
	X509 *x = X509_new();

	ck_assert_ptr_nonnull(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, k);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "O", MBSTRING_ASC,
	                           (const unsigned char *)"civetd tests", -1,
	                           -1, 0);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
	                           (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x));
	add_ext(x, issuer ? issuer : x, NID_basic_constraints,
	        issuer ? "critical,CA:FALSE" : "critical,CA:TRUE");
	if (san != NULL)
		add_ext(x, issuer ? issuer : x, NID_subject_alt_name, san);
	ck_assert_int_gt(X509_sign(x, ikey ? ikey : k, EVP_sha256()), 0);
	return x;
}

static void write_pem(const char *path, X509 *x, EVP_PKEY *k)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(PEM_write_X509(f, x), 1);
	if (k != NULL)
		ck_assert_int_eq(
		    PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL), 1);
	fclose(f);
}

void tt_make_certs(const char *dir)
{
	EVP_PKEY *cak = EVP_EC_gen("P-256"), *sk = EVP_EC_gen("P-256");
	EVP_PKEY *clk = EVP_EC_gen("P-256"), *ok = EVP_EC_gen("P-256");
	X509 *ca, *srv, *cl, *other;

	ck_assert(cak && sk && clk && ok);
	ca = make_cert(cak, "civetd test CA", NULL, NULL, 1, NULL);
	srv = make_cert(sk, "localhost", ca, cak, 2,
	                "DNS:localhost,IP:127.0.0.1");
	cl = make_cert(clk, "test client", ca, cak, 0x1234abcd, NULL);
	other = make_cert(ok, "localhost", NULL, NULL, 7,
	                  "DNS:localhost,IP:127.0.0.1");
	write_pem(tt_path(dir, "ca.pem"), ca, NULL);
	write_pem(tt_path(dir, "server.pem"), srv, sk);
	write_pem(tt_path(dir, "client.pem"), cl, clk);
	write_pem(tt_path(dir, "other.pem"), other, ok);
	X509_free(ca);
	X509_free(srv);
	X509_free(cl);
	X509_free(other);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(sk);
	EVP_PKEY_free(clk);
	EVP_PKEY_free(ok);
}

void tt_replace_file(const char *from, const char *to)
{
	static char buf[16384];
	char tmp[600];
	FILE *in = fopen(from, "r"), *out;
	size_t n;

	snprintf(tmp, sizeof tmp, "%s.new", to);
	out = fopen(tmp, "w");
	ck_assert(in != NULL && out != NULL);
	n = fread(buf, 1, sizeof buf, in);
	ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
	fclose(in);
	fclose(out);
	ck_assert_int_eq(rename(tmp, to), 0);
}

SSL_CTX *tt_client_ctx(const char *ca_file, const char *cert_file)
{
	SSL_CTX *c = SSL_CTX_new(TLS_client_method());

	ck_assert_ptr_nonnull(c);
	if (ca_file != NULL) {
		ck_assert_int_eq(
		    SSL_CTX_load_verify_locations(c, ca_file, NULL), 1);
		SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
	}
	if (cert_file != NULL) {
		ck_assert_int_eq(SSL_CTX_use_certificate_file(c, cert_file,
		                                              SSL_FILETYPE_PEM),
		                 1);
		ck_assert_int_eq(
		    SSL_CTX_use_PrivateKey_file(c, cert_file, SSL_FILETYPE_PEM),
		    1);
	}
	return c;
}

SSL *tt_connect(SSL_CTX *ctx, int port, int *fd)
{
	SSL *ssl;

	*fd = tl_connect(port);
	ck_assert_int_ge(*fd, 0);
	ssl = SSL_new(ctx);
	ck_assert_ptr_nonnull(ssl);
	SSL_set_fd(ssl, *fd);
	SSL_set_tlsext_host_name(ssl, "localhost");
	if (SSL_connect(ssl) != 1) {
		ERR_clear_error();
		SSL_free(ssl);
		close(*fd);
		*fd = -1;
		return NULL;
	}
	return ssl;
}

int tt_send(SSL *ssl, const char *s)
{
	size_t len = strlen(s), n;

	return SSL_write_ex(ssl, s, len, &n) == 1 && n == len ? 0 : -1;
}

size_t tt_read_all(SSL *ssl, char *buf, size_t cap, int *notified)
{
	size_t got = 0, n;

	if (notified != NULL)
		*notified = 0;
	while (got + 1 < cap && SSL_read_ex(ssl, buf + got, cap - 1 - got, &n))
		got += n;
	if (notified != NULL)
		*notified = SSL_get_error(ssl, 0) == SSL_ERROR_ZERO_RETURN;
	ERR_clear_error();
	buf[got] = '\0';
	return got;
}

/* Read until the head is complete; returns its length (the bytes after
 * it are the body's start), -1 on error. */
static int read_head(SSL *ssl, char *buf, size_t cap, size_t *got)
{
	size_t n;
	char *end;

	*got = 0;
	while ((end = strstr(buf, "\r\n\r\n")) == NULL) {
		if (*got + 1 >= cap ||
		    !SSL_read_ex(ssl, buf + *got, cap - 1 - *got, &n))
			return -1;
		*got += n;
		buf[*got] = '\0';
	}
	return (int)(end + 4 - buf);
}

int tt_read_response(SSL *ssl, char *body, size_t cap)
{
	static __thread char buf[65536];
	size_t got, n, have;
	const char *cl;
	long long len;
	int head, status;

	buf[0] = '\0';
	head = read_head(ssl, buf, sizeof buf, &got);
	if (head < 0 || sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
		return -1;
	cl = strcasestr(buf, "\r\nContent-Length:");
	len = cl != NULL && cl < buf + head ? atoll(cl + 17) : 0;
	have = got - (size_t)head;
	if (cap > 0) {
		size_t k = have < cap - 1 ? have : cap - 1;

		memcpy(body, buf + head, k);
		body[k] = '\0';
	}
	while ((long long)have < len) {
		char chunk[16384];
		size_t want = (size_t)(len - (long long)have);

		if (!SSL_read_ex(ssl, chunk,
		                 want < sizeof chunk ? want : sizeof chunk, &n))
			return -1;
		if (have < cap - 1) {
			size_t k = n < cap - 1 - have ? n : cap - 1 - have;

			memcpy(body + have, chunk, k);
			body[have + k] = '\0';
		}
		have += n;
	}
	return status;
}

void tt_close(SSL *ssl, int fd)
{
	if (ssl != NULL) {
		SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	ERR_clear_error();
	if (fd >= 0)
		close(fd);
}
