/* file_out.h - a response that ends with a file, written out by the
 * connection itself (http1.c's file protocol) without a thread waiting on
 * the socket: the document root's files. */
#ifndef CW_HTTP_FILE_OUT_H
#define CW_HTTP_FILE_OUT_H

#include "http/exchange.h"

/* The response's head is built and held (cw_resp_head); len bytes of
 * file fd from off are its body. As much as the socket takes now goes at
 * once, in one write with the head when it fits; the rest is left to
 * cw_file_out_pump with a duplicate of fd the response owns (the caller
 * keeps fd). Returns 0 or -1 (the response failed; the connection will
 * close). */
int cw_file_out_begin(struct mg_connection *c, int fd, off_t off,
                      long long len);

/* Is some of a response left for cw_file_out_pump? */
int cw_file_out_pending(const struct mg_connection *c);

/* Write out as much of it as the socket takes now, without waiting.
 * 0: all of it is out; 1: the socket is full (wait for writability);
 * 2: the transport waits for input first; -1: failed (close). */
int cw_file_out_pump(struct mg_connection *c);

#endif
