/* testlib.h - what the end-to-end suites share: start a server on port 0,
 * talk raw HTTP to it over real sockets, read responses strictly, make
 * temporary document roots, wait for conditions with a deadline, and clean
 * up after a test even when it fails. */
#ifndef TESTLIB_H
#define TESTLIB_H

#include <check.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "civetweb.h"

/* The sanitizer this was built with, if any: GCC defines __SANITIZE_*__,
 * clang answers __has_feature(). Memory bounds allow for their shadow
 * memory and quarantine. */
#if defined(__SANITIZE_ADDRESS__)
#define TL_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__)
#define TL_TSAN 1
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TL_ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define TL_TSAN 1
#endif
#endif

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

/* An environment variable make check sets (CIVETD_BIN, CIVETCTL_BIN, ...):
 * the test fails if it is missing. */
const char *tl_env(const char *name);

/* A TCP port on 127.0.0.1 that was free a moment ago (for a daemon that
 * binds it itself), and whether something accepts on *(int *)port now
 * (a condition for tl_wait_until). */
int tl_free_port(void);
int tl_listening(void *port);

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

/* method target with Host, Connection: close and the extra header lines
 * ("Name: value\r\n"..., may be NULL) on a new connection; the status. */
int tl_ask(int port, const char *method, const char *target, const char *extra,
           struct tl_resp *r);

/* GET path with Host and Connection: close. Returns the status. */
int tl_get(int port, const char *path, struct tl_resp *r);

/* Value of a response header (case-insensitive), copied into a static
 * per-thread buffer; NULL if absent. */
const char *tl_header(const struct tl_resp *r, const char *name);

/* Does the server close fd within ms milliseconds (EOF or reset)? */
int tl_closed_within(int fd, int ms);

/* Read everything until EOF or timeout into buf; returns bytes. */
size_t tl_read_all(int fd, char *buf, size_t cap, int ms);

/* A fresh temporary directory (malloc'ed name; removed by tl_rmdir, or by
 * the cleanup fixture if the test fails first). */
char *tl_mkdtemp(void);
void tl_rmdir(const char *dir);
void tl_write_file(const char *dir, const char *name, const char *data,
                   size_t len);

/* The validators civetd sends for the file dir/name: its entity tag
 * (CivetWeb's "<mtime hex>.<size>") and Last-Modified date; *mtime gets
 * its modification time when not NULL. Fails the test if it is missing. */
void tl_file_validators(const char *dir, const char *name, char *etag,
                        size_t elen, char *date, size_t dlen, time_t *mtime);

/* The IMF-fixdate of t, as in Date and Last-Modified. */
void tl_http_date(time_t t, char *out, size_t len);

/* Milliseconds of a monotonic clock. */
long long tl_now_ms(void);

/* Poll cond(arg) until it returns nonzero, for at most ms milliseconds:
 * 0, or -1 when the deadline passed first. The way to wait for something
 * a test cannot be told about directly, instead of sleeping and hoping it
 * has happened by then. Uses no assertion (safe in fixtures). */
int tl_poll_until(int (*cond)(void *arg), void *arg, int ms);

/* The same, failing the test when the deadline passes with "timed out
 * after MS ms waiting for " and the condition described by fmt. */
void tl_wait_until(int (*cond)(void *arg), void *arg, int ms, const char *fmt,
                   ...) __attribute__((format(printf, 4, 5)));

/* Cleanup that runs even when a test fails. In Check's fork mode a failed
 * assertion ends the test's process with _exit(), so a checked teardown
 * never runs; an unchecked one runs in the runner's process whatever the
 * test did. tl_cleanup_fixture() adds such a fixture to tc: after the test
 * case it kills the process groups recorded with tl_track_group() (and not
 * yet forgotten with tl_untrack_group()) and removes the directories that
 * tl_mkdtemp() made and tl_rmdir() did not remove. The records live in
 * memory shared with the forked test process. For cleanup after every
 * test, give each test its own TCase. */
void tl_cleanup_fixture(TCase *tc);
void tl_track_group(pid_t pgid);
void tl_untrack_group(pid_t pgid);

/* Run argv (argv[0] a path) with its stdout and stderr into out (len
 * bytes, NUL-ended); its exit status, 128 if it did not exit. */
int tl_run(const char *const argv[], char *out, size_t len);

/* tl_run of civetctl (CIVETCTL_BIN) -s sock cmd [arg]. */
int tl_civetctl(const char *sock, const char *cmd, const char *arg, char *out,
                size_t len);

/* Number of open file descriptors / resident set size of this process. */
int tl_count_fds(void);
long tl_rss_kib(void);

#endif
