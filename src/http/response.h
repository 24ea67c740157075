/* response.h - the output path of a request: everything a handler writes
 * (mg_write, mg_printf, mg_send_chunk, mg_response_header_*, ...) and every
 * response the library makes itself (errors, files, redirects). */
#ifndef CW_RESPONSE_H
#define CW_RESPONSE_H

#include <stdarg.h>
#include <sys/uio.h>

#include "http/exchange.h"

/* The header lines that forbid caching, as CivetWeb sends them. */
extern const char cw_no_cache_headers[];

/* Limit on a response head the library will hold and inspect. */
#define CW_MAX_RESPONSE_HEAD (64 * 1024)

/* Write bytes as mg_write() does: returns len, or -1 on error. */
int cw_resp_write(struct mg_connection *c, const void *data, size_t len);

/* Write body bytes given as an iovec after the head (one system call when
 * possible). Returns 0 or -1. */
int cw_resp_writev_body(struct mg_connection *c, struct iovec *iov, int n);

/* Write len bytes of file fd from offset off as body bytes (the first
 * block joins a held head; the rest goes by the transport's file sending
 * when allow_sendfile_call is on), waiting for the client within the
 * response's pace. Returns 0 or -1. */
int cw_resp_send_fd(struct mg_connection *c, int fd, off_t off, long long len);

/* The request's handling is over: send what is held, and decide whether
 * the connection can carry another request (c->must_close). */
void cw_resp_finish(struct mg_connection *c);

/* The request turned out invalid while the handler ran (a malformed or
 * oversized body): answer status now if nothing was sent yet, make later
 * handler writes fail, and close the connection afterwards. */
void cw_resp_fail_request(struct mg_connection *c, int status, const char *why);

/* Has any byte of a response been produced (sent or held)? */
int cw_resp_started(const struct mg_connection *c);

/* Build a response head in the output buffer: status line, Date, the
 * additional_header lines, extra (already "Name: value\r\n" lines, may be
 * NULL), Content-Length when length >= 0 (else chunked when chunked), and
 * the blank line. The head is held until the first body byte (or finish).
 * Returns 0 or -1. */
int cw_resp_head(struct mg_connection *c, int status, const char *extra,
                 long long length, int chunked);

/* Send an error response: the http_error callback, else an error page from
 * error_pages, else the built-in text page. fmt may be NULL. If a response
 * has already started, the connection is only marked to close. */
void cw_send_error(struct mg_connection *c, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void cw_send_error_v(struct mg_connection *c, int status, const char *extra,
                     const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

/* cw_send_error with extra header lines ("Name: value\r\n"...) in the
 * pages civetd makes (e.g. Allow for 405). */
void cw_send_error_with(struct mg_connection *c, int status, const char *extra,
                        const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "Sat, 28 Nov 2026 12:34:29 GMT" for now (cached per second). */
const char *cw_http_date_now(void);
void cw_http_date(time_t t, char *buf, size_t len);

/* Room for the CORS lines of a response (each option value is at most
 * CW_CORS_VALUE_MAX bytes). */
#define CW_CORS_LINES_MAX 1800

/* The CORS lines CivetWeb puts on the responses it makes for a request
 * with a non-empty Origin (files, error pages, mg_send_http_ok,
 * redirects): Access-Control-Allow-Origin when
 * access_control_allow_origin is set, and civetd's
 * Access-Control-Expose-Headers and Access-Control-Allow-Credentials when
 * those are set. Writes them into out ("" when none apply) and returns
 * their length. */
size_t cw_resp_cors_lines(const struct mg_connection *c, char *out, size_t cap);

/* Choose the request's `throttle` rate (the last rule matching its
 * client and local URI, as CivetWeb does per request) and start its
 * response's allowance. Only called when the option has rules. */
void cw_resp_choose_throttle(struct mg_connection *c);

/* Would a response now keep the connection open? */
int cw_resp_keep_alive(const struct mg_connection *c);

#endif
