/* file_out.h - a response that ends with a file, written out by the
 * connection itself (http1.c's file protocol) without a thread waiting on
 * the socket: the document root's files. */
#ifndef CW_HTTP_FILE_OUT_H
#define CW_HTTP_FILE_OUT_H

#include "http/exchange.h"

/* The response's head is complete (held, or sent); len bytes of file fd
 * from off follow it. As much as the socket takes now goes at once, in one
 * write with the head when it fits; the rest is left to cw_file_out_pump
 * (after the handler returns) or to cw_file_out_drain (when the handler
 * writes more) with a duplicate of fd the response owns (the caller keeps
 * fd). last: nothing can follow (the library's own answer), so a
 * connection that closes after it may send its FIN with the bytes.
 * data: the whole file in memory (the open-file cache's copy), read there
 * instead of fd for what goes at once, or NULL.
 * Returns 0 or -1 (the response failed; the connection will close). */
int cw_file_out_begin(struct mg_connection *c, int fd, const char *data,
                      off_t off, long long len, int last);

/* A body planned in pieces, each some memory bytes followed by a range of
 * the plan's file: a multipart/byteranges body (part headers between file
 * ranges) or a body held in memory (a cached compressed file). The plan
 * owns fd (closed with it, -1 for none) and calls release(owner, arg), if
 * set, once its memory is no longer needed. */
struct cw_out_piece {
	const char *mem;
	size_t mem_len;
	off_t off;
	long long len;
};

struct cw_out_plan {
	int fd;
	void (*release)(void *owner, void *arg);
	void *owner;
	void *arg;
	int n;    /* pieces */
	int next; /* the piece whose memory goes next */
	size_t mem_pos;
	struct cw_out_piece piece[];
};

/* A plan with room for n pieces (zeroed, fd -1). NULL on ENOMEM. */
struct cw_out_plan *cw_out_plan_new(int n);

/* Release what the plan holds and free it (NULL is ignored). */
void cw_out_plan_free(struct cw_out_plan *p);

/* As cw_file_out_begin for a planned body of len bytes in all: the
 * response owns p from here, whatever the result (on failure it is freed
 * and the connection will close). 0 or -1. */
int cw_file_out_plan(struct mg_connection *c, struct cw_out_plan *p,
                     long long len);

/* Close and free what r holds for its output (its file, its plan, its
 * compression filter). */
void cw_file_out_drop(struct cw_resp *r);

/* Write out what is pending, waiting for the socket within the
 * response's pace: a handler writes more after a file. 0, or -1 (the
 * connection will close). */
int cw_file_out_drain(struct mg_connection *c);

/* Is some of a response left for cw_file_out_pump? */
int cw_file_out_pending(const struct mg_connection *c);

/* Write out as much of it as the socket takes now, without waiting.
 * 0: all of it is out; 1: the socket is full (wait for writability);
 * 2: the transport waits for input first; 3: the `throttle` allowance is
 * spent (park until cw_file_out_throttle_park's time); -1: failed
 * (close). */
int cw_file_out_pump(struct mg_connection *c);

/* The connection parks for its next allowance (after the pump said 3):
 * returns when it is due (ms), and remembers that it waits for it. */
int64_t cw_file_out_throttle_park(struct mg_connection *c);

/* Was it parked for its allowance? Then it no longer is, and the wait is
 * taken off the response's pace (the client did not make it wait): 1.
 * Else 0. */
int cw_file_out_throttle_resume(struct mg_connection *c);

#endif
