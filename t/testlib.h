/* testlib.h - what the end-to-end suites share: start a server on port 0,
 * talk raw HTTP to it over real sockets, read responses strictly, and make
 * temporary document roots. */
#ifndef TESTLIB_H
#define TESTLIB_H

#include <stddef.h>

#include "civetweb.h"

/* A response as read off the wire. */
struct tl_resp {
	int status;
	char head[16384]; /* the head, NUL-terminated */
	char *body;       /* malloc'ed, NUL-terminated; tl_resp_free() */
	size_t body_len;
	int chunked; /* the body came chunked */
	int closed;  /* the server closed after this response */
};

/* Start a server on 127.0.0.1:0 with opts (NULL-terminated pairs, may be
 * NULL) plus "listening_ports" and the given callbacks. *port receives the
 * bound port. Aborts the test on failure. */
struct mg_context *tl_start(const struct mg_callbacks *cb, void *user_data,
                            const char **opts, int *port);

/* A blocking client socket to 127.0.0.1:port with 10 s I/O timeouts. */
int tl_connect(int port);

/* Send the whole string / buffer. 0 or -1. */
int tl_send(int fd, const char *s);
int tl_send_n(int fd, const void *p, size_t n);

/* Read one response (for a request of method; HEAD has no body).
 * Returns the status, or -1 if the connection closed or timed out before a
 * full head. */
int tl_read_response(int fd, const char *method, struct tl_resp *r);
void tl_resp_free(struct tl_resp *r);

/* Connect, send raw, read one response, close. Returns the status. */
int tl_request(int port, const char *raw, struct tl_resp *r);

/* GET path with Host and Connection: close. Returns the status. */
int tl_get(int port, const char *path, struct tl_resp *r);

/* Value of a response header (case-insensitive), copied into a static
 * per-thread buffer; NULL if absent. */
const char *tl_header(const struct tl_resp *r, const char *name);

/* Does the server close fd within ms milliseconds (EOF or reset)? */
int tl_closed_within(int fd, int ms);

/* Read everything until EOF or timeout into buf; returns bytes. */
size_t tl_read_all(int fd, char *buf, size_t cap, int ms);

/* A fresh temporary directory (removed by tl_rmdir). */
char *tl_mkdtemp(void);
void tl_rmdir(const char *dir);
void tl_write_file(const char *dir, const char *name, const char *data,
                   size_t len);

/* Milliseconds of a monotonic clock. */
long long tl_now_ms(void);

/* Number of open file descriptors / resident set size of this process. */
int tl_count_fds(void);
long tl_rss_kib(void);

#endif
