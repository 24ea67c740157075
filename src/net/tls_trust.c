/* tls_trust.c - ssl_short_trust: certificates that are replaced while the
 * server runs. Before each handshake (at most once a second) the
 * ssl_certificate file's modification time is looked at; when it changed,
 * the file is read again (certificate, chain, key, which must match) and
 * new handshakes use it. A file that cannot be read, or whose key does not
 * match, is logged and the certificate in use stays. The context itself is
 * never changed while other threads handshake with it: each new session
 * gets the current certificate set on it. */
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"
#include "net/tls.h"
#include "util/clock.h"

struct trust {
	pthread_mutex_t lock;
	struct mg_context *ctx; /* for the log */
	char *pem;
	struct timespec mtime;
	int64_t checked_ms;
	X509 *cert; /* NULL: the context's own */
	EVP_PKEY *key;
	STACK_OF(X509) * chain;
};

static int trust_index = -1;
static pthread_once_t trust_once = PTHREAD_ONCE_INIT;

static void drop(struct trust *t)
{
	X509_free(t->cert);
	EVP_PKEY_free(t->key);
	sk_X509_pop_free(t->chain, X509_free);
	t->cert = NULL;
	t->key = NULL;
	t->chain = NULL;
}

static void free_trust(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
                       long argl, void *argp)
{
	struct trust *t = ptr;

	(void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
	if (t == NULL)
		return;
	drop(t);
	free(t->pem);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static void make_index(void)
{
	trust_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, free_trust);
}

/* Read pem: its first certificate, the ones after it, and its key. */
static int read_pem(const char *pem, X509 **cert, STACK_OF(X509) * *chain,
                    EVP_PKEY **key)
{
	FILE *f = fopen(pem, "r");
	X509 *x;

	*cert = NULL;
	*key = NULL;
	*chain = sk_X509_new_null();
	if (f == NULL || *chain == NULL)
		goto fail;
	*cert = PEM_read_X509(f, NULL, NULL, NULL);
	while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL)
		sk_X509_push(*chain, x);
	ERR_clear_error();
	rewind(f);
	*key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	f = NULL;
	if (*cert != NULL && *key != NULL &&
	    X509_check_private_key(*cert, *key) == 1)
		return 0;
fail:
	if (f != NULL)
		fclose(f);
	X509_free(*cert);
	EVP_PKEY_free(*key);
	sk_X509_pop_free(*chain, X509_free);
	*cert = NULL;
	*key = NULL;
	*chain = NULL;
	ERR_clear_error();
	return -1;
}

/* With t->lock held: read the file again if it changed. */
static void refresh(struct trust *t)
{
	int64_t now = cw_now_ms();
	struct stat st;
	X509 *cert;
	EVP_PKEY *key;
	STACK_OF(X509) * chain;

	if (now - t->checked_ms < 1000)
		return;
	t->checked_ms = now;
	if (stat(t->pem, &st) != 0 || (st.st_mtim.tv_sec == t->mtime.tv_sec &&
	                               st.st_mtim.tv_nsec == t->mtime.tv_nsec))
		return;
	t->mtime = st.st_mtim;
	if (read_pem(t->pem, &cert, &chain, &key) != 0) {
		cw_log_error(t->ctx, NULL,
		             "ssl_short_trust: %s cannot be used (unreadable, "
		             "or its key does not match); the certificate in "
		             "use stays",
		             t->pem);
		return;
	}
	drop(t);
	t->cert = cert;
	t->key = key;
	t->chain = chain;
}

static int set_current(SSL *ssl, void *arg)
{
	struct trust *t = arg;
	int ok = 1;

	pthread_mutex_lock(&t->lock);
	refresh(t);
	if (t->cert != NULL)
		ok = SSL_use_cert_and_key(ssl, t->cert, t->key, t->chain, 1);
	pthread_mutex_unlock(&t->lock);
	return ok == 1 ? 1 : 0;
}

int cw_tls_short_trust(struct mg_context *ctx, void *ssl_ctx, const char *pem)
{
	struct trust *t;
	struct stat st;

	pthread_once(&trust_once, make_index);
	t = calloc(1, sizeof *t);
	if (trust_index < 0 || t == NULL || (t->pem = strdup(pem)) == NULL) {
		free(t);
		return -1;
	}
	pthread_mutex_init(&t->lock, NULL);
	t->ctx = ctx;
	if (stat(pem, &st) == 0)
		t->mtime = st.st_mtim;
	t->checked_ms = cw_now_ms();
	if (!SSL_CTX_set_ex_data(ssl_ctx, trust_index, t)) {
		free_trust(NULL, t, NULL, 0, 0, NULL);
		return -1;
	}
	SSL_CTX_set_cert_cb(ssl_ctx, set_current, t);
	return 0;
}
