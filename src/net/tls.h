/* tls.h - TLS with OpenSSL: the server's TLS context (built from the ssl_*
 * options and the init_ssl/external_ssl_ctx callbacks, as CivetWeb builds
 * it), the TLS transport of the connections of an 's' port, and the
 * handshake protocol they start in. The handshake runs in the event set
 * like any other protocol: a client that stalls half-way holds no thread
 * and is closed at request_timeout_ms. */
#ifndef CW_NET_TLS_H
#define CW_NET_TLS_H

#include <stddef.h>

#include "core/domain.h"
#include "core/server.h"
#include "core/ticket_keys.h"
#include "net/proto.h"
#include "net/transport.h"

/* Build ctx->ssl_ctx if one of ctx's listeners is a TLS port (nothing
 * otherwise): external_ssl_ctx first (1: the application made the
 * context, and init_ssl is not called), else a context from the options,
 * init_ssl (1: the application set the certificate up), and the
 * ssl_certificate option. 0, or -1 with the reason in err. */
int cw_tls_context_init(struct mg_context *ctx, char *err, size_t errlen);

/* The TLS context of an extra domain (core/domain.h), on a server that
 * has TLS ports (nothing otherwise), made as the server's own is, with
 * the domain's options and the _domain callbacks naming it. 0, or -1 with
 * the reason in err. cw_tls_domain_free offers it to external_ssl_ctx
 * (and external_ssl_ctx_domain) and frees it unless they took it. */
int cw_tls_domain_init(struct mg_context *ctx, struct cw_domain *dom, char *err,
                       size_t errlen);
void cw_tls_domain_free(struct mg_context *ctx, struct cw_domain *dom);

/* ssl_short_trust on ssl_ctx (an SSL_CTX), whose certificate came from
 * pem: handshakes use pem's current contents (net/tls_trust.c). 0 or -1. */
int cw_tls_short_trust(struct mg_context *ctx, void *ssl_ctx, const char *pem);

/* err = what (and arg, if not NULL), then OpenSSL's reason for the
 * error it queued last, if any (the queue is cleared). Returns -1. */
int cw_tls_fail(char *err, size_t errlen, const char *what, const char *arg);

/* Would a TLS context from the options opt (no callbacks) be made? 0, or
 * -1 with the reason in err (certificate, key, chain, CA files, protocol,
 * ciphers, ticket key files): what `civetd -t` checks. */
int cw_tls_check(const struct cw_options *opt, char *err, size_t errlen);

/* Free ctx->ssl_ctx, telling external_ssl_ctx first (its 1 keeps
 * civetd from freeing it). Does nothing without one. */
void cw_tls_context_free(struct mg_context *ctx);

/* Encrypt the session tickets of ssl_ctx (an SSL_CTX) with keys, which
 * must live as long as it and are read for every ticket. 0 or -1. */
int cw_tls_tickets_install(void *ssl_ctx, const struct cw_ticket_keys *keys);

/* The transport of a TLS connection: records over the socket, through the
 * context's ssl_ctx. */
extern const struct cw_transport cw_tls_transport;

/* The protocol a TLS connection starts in: the handshake, then the
 * context's first protocol (HTTP/1). A plain HTTP request gets a plain
 * 400 and is closed. */
extern const struct cw_protocol cw_tls_handshake_protocol;

/* How a client connection speaks TLS (mg_connect_client_secure). */
struct cw_tls_client_opts {
	const char *host;        /* as dialled: an address or a name */
	const char *host_name;   /* SNI and the name to verify, or NULL */
	const char *client_cert; /* PEM with certificate and key, or NULL */
	const char *server_cert; /* PEM of trusted certificates: verify */
};

/* Make client connection c (on a connected socket) speak TLS: a context of
 * its own from o, and a handshake within timeout_ms. With server_cert the
 * server's certificate must chain to it and carry the name (host_name, or
 * else host); without, nothing is checked, as in CivetWeb. SNI names
 * host_name, or host when that is a name. 0, or with the reason in err
 * one of these (the caller frees c, and with it the transport's state): */
#define CW_TLS_CONNECT_ERROR     (-1) /* no session (or out of memory) */
#define CW_TLS_CLIENT_CERT_ERROR (-2) /* client_cert cannot be used */
#define CW_TLS_SERVER_CERT_ERROR (-3) /* server_cert unreadable, or refused */
int cw_tls_client_start(struct mg_connection *c,
                        const struct cw_tls_client_opts *o, int timeout_ms,
                        char *err, size_t errlen);

/* The peer's certificate of a TLS connection, as CivetWeb describes it
 * (subject, issuer, serial, SHA-1 fingerprint): 0, or -1 without one.
 * Each text is NUL-terminated and cut to its buffer. */
struct cw_tls_peer_cert {
	void *x509; /* the X509, valid while the connection lives */
	char subject[256];
	char issuer[256];
	char serial[128];
	char finger[64];
};
int cw_tls_peer_cert(const struct mg_connection *c,
                     struct cw_tls_peer_cert *pc);

#endif
