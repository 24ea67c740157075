/* tlstest.h - what the TLS suites share: keys and certificates made at test
 * time (none is committed), and a blocking TLS client over real sockets. */
#ifndef TLSTEST_H
#define TLSTEST_H

#include <openssl/ssl.h>
#include <stddef.h>

/* Write into dir: ca.pem (a CA certificate), server.pem (a certificate
 * for CN=localhost, DNS:localhost, IP:127.0.0.1, signed by the CA, then
 * its key), client.pem (CN=test client, signed by the CA, then its key)
 * and other.pem (a self-signed certificate and key that the CA did not
 * sign). Aborts the test on failure. */
void tt_make_certs(const char *dir);

/* dir/name, in a static per-thread buffer. */
const char *tt_path(const char *dir, const char *name);

/* Replace file to with a copy of from, by a rename (a new inode and
 * modification time, as a deploy tool does). */
void tt_replace_file(const char *from, const char *to);

/* A TLS client context: trusts ca_file if given (and then verifies the
 * server), presents cert_file (certificate and key) if given. */
SSL_CTX *tt_client_ctx(const char *ca_file, const char *cert_file);

/* Connect to 127.0.0.1:port and complete a handshake (10 s timeouts).
 * NULL if the handshake fails; *fd gets the socket (closed on failure). */
SSL *tt_connect(SSL_CTX *ctx, int port, int *fd);

/* Send the whole string over TLS. 0 or -1. */
int tt_send(SSL *ssl, const char *s);

/* Read until the peer closes (close_notify or EOF) or 10 s pass; up to
 * cap - 1 bytes, NUL-terminated. Returns the bytes read. *notified (may
 * be NULL) is set when the peer sent close_notify. */
size_t tt_read_all(SSL *ssl, char *buf, size_t cap, int *notified);

/* Read one HTTP response with a Content-Length body: its status, the body
 * copied into body (NUL-terminated, cut to cap). -1 on error. */
int tt_read_response(SSL *ssl, char *body, size_t cap);

/* Close the session and the socket. */
void tt_close(SSL *ssl, int fd);

#endif
