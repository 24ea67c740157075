/* tls_ctx.c - the TLS contexts of a server: one for the context's own
 * options, one for each domain mg_start_domain added (chosen by the name
 * the client sends, SNI), made once per context (in a prefork worker: once
 * per worker process) in the order CivetWeb makes them:
 *   1. external_ssl_ctx(&ssl_ctx, user_data), then (if it gave 0)
 *      external_ssl_ctx_domain(domain, &ssl_ctx, user_data): -1 fails, 1
 *      means the application made the context (nothing else is done), 0
 *      goes on;
 *   2. a context from the options: minimum protocol (ssl_protocol_version,
 *      CivetWeb's numbering), resumption, ALPN, SNI;
 *   3. init_ssl(ssl_ctx, user_data), then (if it gave 0)
 *      init_ssl_domain(domain, ssl_ctx, user_data): -1 fails, 1 means the
 *      application set the certificate up and nothing more is done, 0 goes
 *      on;
 *   4. ssl_certificate (certificate and key, PEM), ssl_certificate_chain,
 *      client verification (ssl_verify_peer, ssl_ca_file/_path,
 *      ssl_default_verify_paths, ssl_verify_depth), ssl_cipher_list. */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/domain.h"
#include "core/log.h"
#include "net/listen.h"
#include "net/tls.h"

/* What one context is made for: the server's own options or a domain's. */
struct dom {
	struct mg_context *ctx;
	const struct cw_options *o;
	const char *name; /* its authentication_domain */
};

static const char *opt(const struct dom *d, enum cw_opt_id id)
{
	const char *v = cw_options_get(d->o, id);

	return v != NULL && *v != '\0' ? v : NULL;
}

int cw_tls_fail(char *err, size_t errlen, const char *what, const char *arg)
{
	unsigned long e = ERR_get_error();
	char reason[256] = "";

	if (e != 0)
		ERR_error_string_n(e, reason, sizeof reason);
	ERR_clear_error();
	snprintf(err, errlen, "%s%s%s%s%s", what, arg ? " " : "",
	         arg ? arg : "", e ? ": " : "", reason);
	return -1;
}

static int uses_tls(const struct mg_context *ctx)
{
	for (int i = 0; i < ctx->num_listeners; i++)
		if (ctx->listeners[i].is_ssl)
			return 1;
	return 0;
}

/* ssl_protocol_version: 0 all, 1 SSL3+, 2 TLS1.0+, 3 TLS1.1+, 4 TLS1.2+,
 * 5 TLS1.3 only (OpenSSL 3 has no SSL 2, and refuses SSL 3 anyway). */
static int set_protocols(SSL_CTX *s, const struct dom *ctx, char *err,
                         size_t errlen)
{
	static const int min[] = {0,
	                          SSL3_VERSION,
	                          TLS1_VERSION,
	                          TLS1_1_VERSION,
	                          TLS1_2_VERSION,
	                          TLS1_3_VERSION};
	const char *v = opt(ctx, CW_OPT_SSL_PROTOCOL_VERSION);
	long n = v != NULL ? strtol(v, NULL, 10) : 4;

	if (n < 0 || n > 5) {
		snprintf(err, errlen,
		         "ssl_protocol_version: %ld is not one of 0 to 5", n);
		return -1;
	}
	if (!SSL_CTX_set_min_proto_version(s, min[n]))
		return cw_tls_fail(err, errlen, "ssl_protocol_version:", v);
	return 0;
}

/* ALPN: HTTP/1.1 is what this server speaks; a client offering only
 * others goes on without ALPN, as the RFC lets a server do. */
static int select_alpn(SSL *ssl, const unsigned char **out,
                       unsigned char *outlen, const unsigned char *in,
                       unsigned inlen, void *arg)
{
	static const unsigned char h1[] = "\x08http/1.1";
	unsigned char *sel;

	(void)ssl;
	(void)arg;
	if (SSL_select_next_proto(&sel, outlen, h1, sizeof h1 - 1, in, inlen) !=
	    OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

/* Resumption: session tickets (one per handshake) that live
 * cw_ticket_lifetime(), encrypted with the master's shared keys, the
 * context's ssl_ticket_key_file or OpenSSL's own; and, when
 * ssl_cache_timeout > 0, a session cache in this process for clients
 * without tickets. */
static int set_resumption(SSL_CTX *s, const struct dom *d, long timeout,
                          char *err, size_t errlen)
{
	struct mg_context *ctx = d->ctx;
	const char *files = opt(d, CW_OPT_SSL_TICKET_KEY_FILE);

	SSL_CTX_set_timeout(
	    s, cw_ticket_lifetime(opt(d, CW_OPT_SSL_CACHE_TIMEOUT)));
	SSL_CTX_set_num_tickets(s, 1);
	SSL_CTX_set_session_cache_mode(s, timeout > 0 ? SSL_SESS_CACHE_SERVER
	                                              : SSL_SESS_CACHE_OFF);
	SSL_CTX_set_session_id_context(s, (const unsigned char *)"civetd", 6);
	if (ctx->ticket_keys == NULL && files != NULL) {
		ctx->own_ticket_keys = calloc(1, sizeof *ctx->own_ticket_keys);
		if (ctx->own_ticket_keys == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (cw_ticket_keys_load(ctx->own_ticket_keys, files, err,
		                        errlen) != 0)
			return -1;
		ctx->ticket_keys = ctx->own_ticket_keys;
	}
	if (ctx->ticket_keys != NULL &&
	    cw_tls_tickets_install(s, ctx->ticket_keys) != 0)
		return cw_tls_fail(err, errlen,
		                   "cannot set the session ticket keys", NULL);
	return 0;
}

/* SNI: a client naming a domain added with mg_start_domain gets that
 * domain's context (its certificate); any other name, or none, keeps the
 * server's own. */
static int select_domain(SSL *ssl, int *alert, void *arg)
{
	const struct mg_context *ctx = arg;
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	const struct cw_domain *d;

	(void)alert;
	if (name == NULL)
		return SSL_TLSEXT_ERR_NOACK;
	d = cw_domain_find(ctx, name, strlen(name));
	if (d != NULL && d->ssl_ctx != NULL)
		SSL_set_SSL_CTX(ssl, d->ssl_ctx);
	return SSL_TLSEXT_ERR_OK;
}

static int configure(SSL_CTX *s, const struct dom *d, char *err, size_t errlen)
{
	const char *cache = opt(d, CW_OPT_SSL_CACHE_TIMEOUT);
	long timeout = cache != NULL ? strtol(cache, NULL, 10) : -1;

	if (set_protocols(s, d, err, errlen) != 0)
		return -1;
	/* no renegotiation (a client could make the server work for it at
	 * will), a peer that closes without close_notify is just EOF */
	SSL_CTX_set_options(
	    s, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
	           SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_COMPRESSION);
	if (set_resumption(s, d, timeout, err, errlen) != 0)
		return -1;
	SSL_CTX_set_alpn_select_cb(s, select_alpn, NULL);
	SSL_CTX_set_tlsext_servername_callback(s, select_domain);
	SSL_CTX_set_tlsext_servername_arg(s, d->ctx);
	return 0;
}

static int set_ciphers(SSL_CTX *s, const struct dom *d, char *err,
                       size_t errlen)
{
	const char *ciphers = opt(d, CW_OPT_SSL_CIPHER_LIST);

	if (ciphers != NULL && !SSL_CTX_set_cipher_list(s, ciphers))
		return cw_tls_fail(err, errlen, "ssl_cipher_list: cannot use",
		                   ciphers);
	/* Without a list, TLS 1.2 gets forward-secret AEAD ciphers only (no
	 * CBC, which scanners flag for Lucky13), unless older protocols
	 * were asked for: they have no such ciphers. */
	if (ciphers == NULL &&
	    SSL_CTX_get_min_proto_version(s) >= TLS1_2_VERSION)
		SSL_CTX_set_cipher_list(
		    s, "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20");
	return 0;
}

static int load_certificate(SSL_CTX *s, const struct dom *ctx, char *err,
                            size_t errlen)
{
	const char *pem = opt(ctx, CW_OPT_SSL_CERTIFICATE);
	const char *chain = opt(ctx, CW_OPT_SSL_CERTIFICATE_CHAIN);

	if (pem == NULL) {
		snprintf(err, errlen,
		         "ssl_certificate: not set, and a "
		         "listening port is a TLS port");
		return -1;
	}
	if (!SSL_CTX_use_certificate_chain_file(s, chain ? chain : pem))
		return cw_tls_fail(err, errlen,
		                   "ssl_certificate: cannot read the "
		                   "certificate in",
		                   chain ? chain : pem);
	if (!SSL_CTX_use_PrivateKey_file(s, pem, SSL_FILETYPE_PEM))
		return cw_tls_fail(
		    err, errlen,
		    ERR_GET_REASON(ERR_peek_error()) ==
		            X509_R_KEY_VALUES_MISMATCH
		        ? "ssl_certificate: the key does not match the "
		          "certificate in"
		        : "ssl_certificate: cannot read the private key "
		          "in",
		    pem);
	if (!SSL_CTX_check_private_key(s))
		return cw_tls_fail(
		    err, errlen,
		    "ssl_certificate: the key does not match the "
		    "certificate in",
		    pem);
	return 0;
}

static int load_verification(SSL_CTX *s, const struct dom *ctx, char *err,
                             size_t errlen)
{
	const char *peer = opt(ctx, CW_OPT_SSL_VERIFY_PEER);
	const char *file = opt(ctx, CW_OPT_SSL_CA_FILE);
	const char *path = opt(ctx, CW_OPT_SSL_CA_PATH);
	const char *defaults = opt(ctx, CW_OPT_SSL_DEFAULT_VERIFY_PATHS);
	const char *depth = opt(ctx, CW_OPT_SSL_VERIFY_DEPTH);
	int yes = peer != NULL && strcmp(peer, "yes") == 0;
	int optional = peer != NULL && strcmp(peer, "optional") == 0;

	if (!yes && !optional)
		return 0;
	if ((file != NULL || path != NULL) &&
	    !SSL_CTX_load_verify_locations(s, file, path))
		return cw_tls_fail(err, errlen,
		                   "ssl_ca_file/ssl_ca_path: cannot load",
		                   file != NULL ? file : path);
	if (file != NULL) {
		STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(file);

		if (names != NULL)
			SSL_CTX_set_client_CA_list(s, names);
	}
	if ((defaults == NULL || strcmp(defaults, "yes") == 0) &&
	    !SSL_CTX_set_default_verify_paths(s))
		return cw_tls_fail(err, errlen, "ssl_default_verify_paths:",
		                   "cannot load the default locations");
	SSL_CTX_set_verify(
	    s, SSL_VERIFY_PEER | (yes ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
	    NULL);
	SSL_CTX_set_verify_depth(s, depth != NULL ? atoi(depth) : 9);
	return 0;
}

static int short_trust(const struct dom *d)
{
	const char *v = opt(d, CW_OPT_SSL_SHORT_TRUST);

	return v != NULL && strcmp(v, "yes") == 0;
}

/* init_ssl, then (if it gave 0) init_ssl_domain: their result, -1 with
 * the reason in err. */
static int app_init(SSL_CTX *s, const struct dom *d, char *err, size_t errlen)
{
	const struct mg_callbacks *cb = &d->ctx->cb;
	void *ud = d->ctx->user_data;
	int r = cb->init_ssl != NULL ? cb->init_ssl(s, ud) : 0;

	if (r == 0 && cb->init_ssl_domain != NULL)
		r = cb->init_ssl_domain(d->name, s, ud);
	if (r < 0)
		snprintf(err, errlen, "init_ssl callback returned error: %d",
		         r);
	return r < 0 ? -1 : r;
}

/* Steps 2 to 4 on a new context s. */
static int build(SSL_CTX *s, const struct dom *d, char *err, size_t errlen)
{
	int r;

	if (configure(s, d, err, errlen) != 0)
		return -1;
	r = app_init(s, d, err, errlen);
	if (r != 0)
		return r < 0 ? -1 : 0;
	if (load_certificate(s, d, err, errlen) != 0 ||
	    load_verification(s, d, err, errlen) != 0)
		return -1;
	if (short_trust(d) &&
	    cw_tls_short_trust(d->ctx, s, opt(d, CW_OPT_SSL_CERTIFICATE)) != 0)
		return cw_tls_fail(err, errlen,
		                   "ssl_short_trust: cannot set up", NULL);
	return set_ciphers(s, d, err, errlen);
}

/* external_ssl_ctx, then (if it gave 0) external_ssl_ctx_domain, for
 * making (*slot NULL) or freeing the context in *slot: their result. */
static int app_external(const struct dom *d, void **slot)
{
	const struct mg_callbacks *cb = &d->ctx->cb;
	void *ud = d->ctx->user_data;
	int r =
	    cb->external_ssl_ctx != NULL ? cb->external_ssl_ctx(slot, ud) : 0;

	if (r == 0 && cb->external_ssl_ctx_domain != NULL)
		r = cb->external_ssl_ctx_domain(d->name, slot, ud);
	return r;
}

/* Make d's context into *slot: 0, or -1 with the reason in err. */
static int make(const struct dom *d, void **slot, char *err, size_t errlen)
{
	void *made = NULL;
	SSL_CTX *s;
	int r = app_external(d, &made);

	if (r < 0) {
		snprintf(err, errlen,
		         "external_ssl_ctx callback returned error: %d", r);
		return -1;
	}
	if (r > 0) {
		if (made == NULL) {
			snprintf(err, errlen,
			         "external_ssl_ctx returned 1 without a "
			         "context");
			return -1;
		}
		*slot = made;
		return 0;
	}
	s = SSL_CTX_new(TLS_server_method());
	if (s == NULL)
		return cw_tls_fail(err, errlen, "cannot make a TLS context",
		                   NULL);
	*slot = s;
	return build(s, d, err, errlen);
}

/* Offer *slot to the application, then free it unless it took it. */
static void release(const struct dom *d, void **slot)
{
	void *s = *slot;

	if (s == NULL)
		return;
	if (app_external(d, &s) == 0)
		SSL_CTX_free(*slot);
	*slot = NULL;
}

int cw_tls_context_init(struct mg_context *ctx, char *err, size_t errlen)
{
	struct dom d = {
	    ctx, &ctx->opt,
	    cw_options_get(&ctx->opt, CW_OPT_AUTHENTICATION_DOMAIN)};

	if (!uses_tls(ctx))
		return 0;
	if (make(&d, &ctx->ssl_ctx, err, errlen) != 0) {
		cw_tls_context_free(ctx);
		return -1;
	}
	return 0;
}

int cw_tls_domain_init(struct mg_context *ctx, struct cw_domain *dom, char *err,
                       size_t errlen)
{
	struct dom d = {
	    ctx, &dom->opt,
	    cw_options_get(&dom->opt, CW_OPT_AUTHENTICATION_DOMAIN)};

	if (ctx->ssl_ctx == NULL)
		return 0;
	if (make(&d, &dom->ssl_ctx, err, errlen) != 0) {
		cw_tls_domain_free(ctx, dom);
		return -1;
	}
	return 0;
}

void cw_tls_domain_free(struct mg_context *ctx, struct cw_domain *dom)
{
	struct dom d = {
	    ctx, &dom->opt,
	    cw_options_get(&dom->opt, CW_OPT_AUTHENTICATION_DOMAIN)};

	release(&d, &dom->ssl_ctx);
}

/* Wipe and free the keys ssl_ticket_key_file gave the context. */
static void free_own_keys(struct mg_context *ctx)
{
	if (ctx->own_ticket_keys == NULL)
		return;
	OPENSSL_cleanse(ctx->own_ticket_keys, sizeof *ctx->own_ticket_keys);
	free(ctx->own_ticket_keys);
	ctx->own_ticket_keys = NULL;
	ctx->ticket_keys = NULL;
}

int cw_tls_check(const struct cw_options *opt, char *err, size_t errlen)
{
	struct mg_context *ctx = calloc(1, sizeof *ctx);
	SSL_CTX *s = SSL_CTX_new(TLS_server_method());
	int r = -1;

	if (ctx == NULL || s == NULL) {
		snprintf(err, errlen, "cannot make a TLS context");
	} else {
		struct dom d = {ctx, opt, ""};

		r = build(s, &d, err, errlen);
	}
	SSL_CTX_free(s);
	if (ctx != NULL)
		free_own_keys(ctx);
	free(ctx);
	return r;
}

void cw_tls_context_free(struct mg_context *ctx)
{
	struct dom d = {
	    ctx, &ctx->opt,
	    cw_options_get(&ctx->opt, CW_OPT_AUTHENTICATION_DOMAIN)};

	release(&d, &ctx->ssl_ctx);
	free_own_keys(ctx);
}
