/* exchange.h - the state of one HTTP request/response on a connection:
 * the parsed head and mg_request_info, the body being read, the response
 * being written. A pool thread owns one exchange and lends it to the
 * connection it runs (c->x), so an idle connection has none; a connection
 * that must wait in the middle of a request (its body is still arriving, a
 * large file is still going out) keeps the exchange while it is parked,
 * and the thread makes itself another. A client connection
 * (mg_connect_client) owns its exchange.
 *
 * Everything that belongs to one request starts afresh in one place,
 * cw_exchange_begin(). */
#ifndef CW_HTTP_EXCHANGE_H
#define CW_HTTP_EXCHANGE_H

#include <stdint.h>
#include <sys/types.h>

#include "core/server.h"
#include "http/http_parse.h"
#include "net/conn.h"
#include "net/tls.h"
#include "util/buf.h"

/* Where a response stands, for the output path (response.c). */
enum cw_resp_state {
	CW_RESP_NONE = 0, /* nothing written yet */
	CW_RESP_HEAD,     /* head bytes buffered, head not complete */
	CW_RESP_BODY,     /* head sent or held; body bytes may follow */
	CW_RESP_RAW,      /* not a parsable head: bytes pass through */
};

/* The request body being read (body.c). */
struct cw_body {
	long long left;   /* Content-Length bytes not yet read, -1: to EOF */
	long long read;   /* body bytes handed out so far */
	long long framed; /* chunk sizes announced so far (chunked) */
	int chunked;
	int done;
	int continue_pending; /* owe "100 Continue" before reading */
	struct cw_chunked chunk;
	/* Looking ahead at chunked framing already buffered (preread). */
	struct cw_chunked scan;
	size_t scan_pos;       /* bytes after rpos looked at */
	long long scan_framed; /* chunk sizes seen by the look-ahead */
};

struct cw_out_plan; /* file_out.h */
struct cw_zfilter;  /* zfilter.h */

/* The response being written (response.c). */
struct cw_resp {
	int state;           /* enum cw_resp_state */
	int status;          /* status code sent (0 if none yet) */
	long long length;    /* Content-Length, -1 if none */
	long long body_sent; /* body bytes written so far */
	long long bytes;     /* every byte sent for this response */
	int chunked;         /* Transfer-Encoding: chunked */
	int chunked_api;     /* mg_send_chunk() was used */
	int chunked_done;    /* the last chunk was sent */
	int no_body;         /* HEAD request, or 1xx/204/304 */
	int head_held;       /* complete head waits in out for the body */
	int sealed;          /* the library answered; handler writes fail */
	int hdr_building;    /* mg_response_header_start() was called */
	int hdr_count;
	/* A file the connection writes out by itself after the handler has
	 * returned (file_out.c), or -1; out[out_pos..) is still to go
	 * before it. */
	int file_fd;
	off_t file_off;
	long long file_left;
	size_t out_pos;
	int file_copy; /* the transport cannot send files: copy blocks */
	/* ms it parked for its `throttle` allowance, 0: it did not */
	int64_t throttled_at;
	struct cw_out_plan *plan; /* a body in pieces (file_out.h), or NULL */
	/* Compression of what the handler writes (zfilter.h). */
	struct cw_zfilter *zf;
	int may_compress;    /* a head from the handler or mg_send_http_ok */
	int compress_wanted; /* civetd_compress_response() was called */
	int api_chunked;     /* mg_send_http_ok made a chunked head */
};

/* Per-request state that starts at zero (cw_exchange_begin). */
struct cw_req_state {
	struct cw_body body;
	struct cw_resp resp;
	size_t head_len;       /* rbuf[0..head_len) is the head, kept intact */
	int client_keep_alive; /* the client allows keep-alive */
	int must_close;        /* close after this response */
	int in_error;          /* guards http_error recursion */
	int log_status;        /* status for the access log, 0: sent */
	int internal; /* answered by the library alone (health): no callback */
	int auth_stale;    /* a right digest on a stale nonce (http/digest.c) */
	int64_t t0_us;     /* when the request began, for the statistics */
	struct cw_pace in; /* the body's reads inside the handler */
	struct cw_pace out; /* the response's writes inside the handler */
};

struct cw_exchange {
	struct cw_req_state s;
	struct cw_http_request req; /* the parsed head (pointers into rbuf) */
	struct mg_request_info ri;  /* filled from req */
	struct cw_buf out;          /* the response head being collected */
	char *scratch;              /* decoded paths of ri */
	size_t scratch_cap;
	struct mg_response_info *resp_info; /* client side */
	/* The options the request is served with: its domain's (Host), or
	 * the server's; see cw_req_opts. */
	const struct cw_options *opts;
	/* The TLS client's certificate (ri.client_cert points here). */
	struct mg_client_cert cert;
	struct cw_tls_peer_cert cert_text;
	char remote_user[256]; /* ri.remote_user after digest authentication */
};

/* The options c's request is served with (core/domain.h). */
static inline const struct cw_options *
cw_req_opts(const struct mg_connection *c)
{
	return c->x != NULL && c->x->opts != NULL ? c->x->opts : &c->ctx->opt;
}

/* Lend the calling thread's exchange to c (or make one) unless c has one.
 * 0, or -1 when out of memory. */
int cw_exchange_lend(struct mg_connection *c, struct cw_thread *t);

/* Take c's exchange back into the thread (or free it): c has no request
 * running any more. */
void cw_exchange_return(struct mg_connection *c, struct cw_thread *t);

/* A new exchange, for a client connection; freed by cw_exchange_free. */
struct cw_exchange *cw_exchange_new(void);
void cw_exchange_free(struct cw_exchange *x);

/* Start a request on c's exchange: every per-request field reset, the
 * paces of the handler's reads and writes set from the options. */
void cw_exchange_begin(struct mg_connection *c);

/* The input buffer holding the parsed head moved from old (len bytes) to
 * now: every pointer of the parsed head and of mg_request_info into it
 * follows. */
void cw_exchange_rebase(struct cw_exchange *x, const char *old, size_t len,
                        const char *now);

#endif
