/* client.c - the client side of the API over plain TCP: mg_connect_client,
 * mg_download, mg_get_response, mg_get_response_info, mg_close_connection
 * and the experimental mg_connect_client2 / mg_get_response2.
 *
 * A client connection is a struct mg_connection with is_client set and its
 * own buffers; it belongs to the thread that made it and lives outside any
 * server context (it reads the library defaults from a private one). Request
 * bytes go out through mg_write/mg_printf unchanged; the response head is
 * parsed with the same strict parser as requests, and the body is read with
 * mg_read through body.c (Content-Length, chunked, or until the server
 * closes). One connection can carry several exchanges: each mg_get_response
 * first skips whatever the caller left unread of the previous body.
 *
 * Return values follow CivetWeb (1.15 observed): mg_get_response gives 1 on
 * success and -1 on failure, with a reason in ebuf (cleared on success). */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define MG_EXPERIMENTAL_INTERFACES
#include "http/body.h"
#include "net/dial.h"
#include "util/clock.h"

/* How long a TCP connect may take: a client has no options of its own, and
 * an unreachable host must not hold the caller for the kernel's minutes. */
#define CONNECT_TIMEOUT_MS 10000

/* Client connections read the library defaults (timeouts, sizes). */
static struct mg_context client_ctx;
static pthread_once_t client_once = PTHREAD_ONCE_INIT;

static void client_ctx_init(void)
{
	char err[128];

	cw_options_parse(&client_ctx.opt, NULL, err, sizeof err);
	pthread_mutex_init(&client_ctx.user_lock, NULL);
}

static void say(char *ebuf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(char *ebuf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (ebuf == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(ebuf, len, fmt, ap);
	va_end(ap);
}

/* Why a connect failed, for mg_connect_client2's error codes. */
struct why {
	unsigned code; /* MG_ERROR_DATA_CODE_* */
	unsigned sub;  /* errno, or 0 */
};

static void set_why(struct why *w, unsigned code, unsigned sub)
{
	w->code = code;
	w->sub = sub;
}

/* A client connection on a connected socket, with its own exchange and
 * input buffer; NULL when out of memory (fd is then closed). */
static struct mg_connection *client_new(int fd, const union cw_sockaddr *peer)
{
	struct mg_connection *c =
	    cw_conn_new_client(&client_ctx, fd, &peer->sa, sizeof *peer);

	if (c == NULL)
		return NULL;
	c->x = cw_exchange_new();
	if (c->x == NULL || cw_conn_input_attach(c, NULL) != 0) {
		cw_exchange_free(c->x);
		cw_conn_free_client(c);
		return NULL;
	}
	cw_exchange_begin(c);
	c->x->s.body.done = 1;
	/* a client waits for its server as CivetWeb's does: request_timeout_ms
	 * per wait, no minimum rate */
	c->x->s.in.min_rate = c->x->s.out.min_rate = 0;
	return c;
}

/* Speak TLS on new client connection c as o says (NULL: no checks). 0,
 * or -1 with c freed and the reason in ebuf. */
static int start_tls(struct mg_connection *c, const char *host,
                     const struct mg_client_options *o, char *ebuf, size_t elen,
                     struct why *w)
{
	struct cw_tls_client_opts t = {host, NULL, NULL, NULL};
	char err[300];

	if (o != NULL) {
		t.host_name = o->host_name;
		t.client_cert = o->client_cert;
		t.server_cert = o->server_cert;
	}
	int r = cw_tls_client_start(c, &t, CONNECT_TIMEOUT_MS, err, sizeof err);

	if (r == 0)
		return 0;
	say(ebuf, elen, "%s", err);
	set_why(w,
	        r == CW_TLS_CLIENT_CERT_ERROR
	            ? MG_ERROR_DATA_CODE_TLS_CLIENT_CERT_ERROR
	        : r == CW_TLS_SERVER_CERT_ERROR
	            ? MG_ERROR_DATA_CODE_TLS_SERVER_CERT_ERROR
	            : MG_ERROR_DATA_CODE_TLS_CONNECT_ERROR,
	        0);
	cw_exchange_free(c->x);
	c->x = NULL;
	cw_conn_free_client(c);
	return -1;
}

static struct mg_connection *connect_client(const char *host, int port,
                                            int use_ssl,
                                            const struct mg_client_options *o,
                                            char *ebuf, size_t elen,
                                            struct why *w)
{
	union cw_sockaddr peer;
	struct cw_dial_error de;
	struct mg_connection *c;
	int fd;

	pthread_once(&client_once, client_ctx_init);
	say(ebuf, elen, "%s", "");
	set_why(w, MG_ERROR_DATA_CODE_OK, 0);
	if (host == NULL) {
		say(ebuf, elen, "NULL host");
		set_why(w, MG_ERROR_DATA_CODE_INVALID_PARAM, 0);
		return NULL;
	}
	if (port <= 0 || port > 65535) {
		say(ebuf, elen, "invalid port %d", port);
		set_why(w, MG_ERROR_DATA_CODE_INVALID_PARAM, 0);
		return NULL;
	}
	fd = cw_dial(host, port, CONNECT_TIMEOUT_MS, &peer, &de);
	if (fd < 0) {
		say(ebuf, elen, "%s", de.text);
		set_why(w, de.code, de.sub);
		return NULL;
	}
	c = client_new(fd, &peer);
	if (c == NULL) {
		say(ebuf, elen, "out of memory");
		set_why(w, MG_ERROR_DATA_CODE_OUT_OF_MEMORY, ENOMEM);
		return NULL;
	}
	if (use_ssl && start_tls(c, host, o, ebuf, elen, w) != 0)
		return NULL;
	return c;
}

/* The caller owns the connection returned and frees it with
 * mg_close_connection(). */
struct mg_connection *mg_connect_client(const char *host, int port, int use_ssl,
                                        char *error_buffer,
                                        size_t error_buffer_size)
{
	struct why w;

	return connect_client(host, port, use_ssl, NULL, error_buffer,
	                      error_buffer_size, &w);
}

struct mg_connection *
mg_connect_client_secure(const struct mg_client_options *client_options,
                         char *error_buffer, size_t error_buffer_size)
{
	struct why w;

	if (client_options == NULL) {
		say(error_buffer, error_buffer_size, "NULL client options");
		return NULL;
	}
	return connect_client(client_options->host, client_options->port, 1,
	                      client_options, error_buffer, error_buffer_size,
	                      &w);
}

/* Before the next response: skip what the caller left unread of the
 * previous body (so its bytes are not taken for the next head), then move
 * the bytes already received behind it to the start of the buffer. */
static int finish_previous(struct mg_connection *c)
{
	size_t rest;

	if (!c->x->s.body.done && cw_body_discard(c, LLONG_MAX) != 0)
		return -1;
	rest = c->rlen > c->rpos ? c->rlen - c->rpos : 0;
	if (rest > 0 && c->rpos > 0)
		memmove(c->rbuf, c->rbuf + c->rpos, rest);
	c->rlen = (uint32_t)rest;
	c->rpos = 0;
	c->x->s.head_len = 0;
	return 0;
}

/* No response (yet, or after a failure): an empty info, no body. Its
 * strings would otherwise point into bytes that have moved. */
static void clear_response_info(struct mg_connection *c)
{
	memset(c->x->resp_info, 0, sizeof *c->x->resp_info);
	c->x->resp_info->content_length = -1;
	c->x->s.body.done = 1;
}

static void fill_response_info(struct mg_connection *c,
                               struct cw_http_response *r)
{
	struct mg_response_info *ri = c->x->resp_info;

	ri->status_code = r->status;
	ri->status_text = r->reason;
	ri->http_version = r->version;
	ri->content_length = r->chunked ? -1 : r->content_length;
	ri->num_headers = r->num_headers;
	memcpy(ri->http_headers, r->headers,
	       (size_t)r->num_headers * sizeof r->headers[0]);
}

/* RFC 9112 6.3: 1xx, 204 and 304 responses end with their head, whatever
 * their headers say; others without framing end when the server closes. */
static void begin_body(struct mg_connection *c, size_t head_len,
                       const struct cw_http_response *r)
{
	int bodiless = r->status < 200 || r->status == 204 || r->status == 304;

	if (bodiless)
		cw_body_begin(c, head_len, 0, 0, 0);
	else
		cw_body_begin(c, head_len, r->content_length, r->chunked,
		              !r->chunked && r->content_length < 0);
}

/* Say why the head could not be completed: n is what the last read
 * returned (0: the server closed, -1: errno). */
static int head_failed(const struct mg_connection *conn, ssize_t n, char *ebuf,
                       size_t ebuf_len, unsigned *sub)
{
	int err = errno;

	*sub = n == 0 ? ECONNRESET : (unsigned)err;
	say(ebuf, ebuf_len, "%s (%s)",
	    conn->rlen == 0 ? "no data received" : "incomplete response",
	    n == 0             ? "connection closed"
	    : err == ETIMEDOUT ? "timeout"
	                       : strerror(err));
	return -1;
}

/* Wait for more of a response head until deadline (ms, < 0: none).
 * 0, or -1 with ebuf and *sub set. */
static int receive_more(struct mg_connection *conn, int64_t deadline,
                        char *ebuf, size_t ebuf_len, unsigned *sub)
{
	struct cw_pace pace;
	int wait = -1;
	ssize_t n;

	if (deadline >= 0) {
		int64_t left = deadline - cw_now_ms();

		wait = left > 0 ? (left < INT_MAX ? (int)left : INT_MAX) : 0;
	}
	cw_pace_init(&pace, wait, 0, 0);
	n = cw_conn_recv(conn, conn->rbuf + conn->rlen, conn->rcap - conn->rlen,
	                 &pace);
	if (n <= 0)
		return head_failed(conn, n, ebuf, ebuf_len, sub);
	conn->rlen += (uint32_t)n;
	return 0;
}

/* Receive and parse the next response head within timeout ms (< 0: no
 * limit). 1, or -1 with ebuf set and *sub an errno describing the failure
 * (ETIMEDOUT, ECONNRESET for a close, EPROTO, EMSGSIZE...). */
static int get_response(struct mg_connection *conn, char *ebuf, size_t ebuf_len,
                        int timeout, unsigned *sub)
{
	struct cw_http_response r;
	int64_t deadline;
	int tried = 0;

	say(ebuf, ebuf_len, "%s", "");
	*sub = EINVAL;
	if (conn == NULL || !conn->is_client) {
		say(ebuf, ebuf_len, "%s",
		    conn == NULL ? "NULL connection"
		                 : "not a client connection");
		return -1;
	}
	if (conn->x->resp_info == NULL) {
		conn->x->resp_info = calloc(1, sizeof *conn->x->resp_info);
		if (conn->x->resp_info == NULL) {
			say(ebuf, ebuf_len, "out of memory");
			*sub = ENOMEM;
			return -1;
		}
	}
	if (finish_previous(conn) != 0) {
		*sub = (unsigned)errno;
		clear_response_info(conn);
		say(ebuf, ebuf_len,
		    "cannot skip the unread body of the previous response");
		return -1;
	}
	clear_response_info(conn);
	deadline = timeout >= 0 ? cw_now_ms() + timeout : -1;
	for (;;) {
		int h = cw_http_parse_response(conn->rbuf, conn->rlen,
		                               conn->rcap, &r);

		if (h > 0) {
			fill_response_info(conn, &r);
			begin_body(conn, (size_t)h, &r);
			return 1;
		}
		if (h < 0) {
			int big = conn->rlen >= conn->rcap || r.refused == 431;

			*sub = big ? EMSGSIZE : EPROTO;
			say(ebuf, ebuf_len, "%s",
			    big ? "response head too large" : "bad response");
			conn->rlen = 0; /* never parse these bytes again */
			return -1;
		}
		/* a server trickling bytes must not stretch the wait */
		if (tried && deadline >= 0 && cw_now_ms() >= deadline) {
			errno = ETIMEDOUT;
			return head_failed(conn, -1, ebuf, ebuf_len, sub);
		}
		if (receive_more(conn, deadline, ebuf, ebuf_len, sub) != 0)
			return -1;
		tried = 1;
	}
}

int mg_get_response(struct mg_connection *conn, char *ebuf, size_t ebuf_len,
                    int timeout)
{
	unsigned sub;

	return get_response(conn, ebuf, ebuf_len, timeout, &sub);
}

/* NULL until mg_get_response has been called on conn; afterwards the last
 * response (all zero after a failed one). Valid until the next
 * mg_get_response or mg_close_connection. */
const struct mg_response_info *
mg_get_response_info(const struct mg_connection *conn)
{
	if (conn == NULL || !conn->is_client)
		return NULL;
	return conn->x->resp_info;
}

/* The caller owns the connection returned (positioned at the response
 * body, ready for mg_read) and frees it with mg_close_connection(). */
struct mg_connection *mg_download(const char *host, int port, int use_ssl,
                                  char *error_buffer, size_t error_buffer_size,
                                  const char *request_fmt, ...)
{
	struct mg_connection *c;
	char *req = NULL;
	va_list ap;
	int n;

	c = mg_connect_client(host, port, use_ssl, error_buffer,
	                      error_buffer_size);
	if (c == NULL)
		return NULL;
	va_start(ap, request_fmt);
	n = vasprintf(&req, request_fmt, ap);
	va_end(ap);
	if (n < 0) {
		req = NULL;
		say(error_buffer, error_buffer_size, "out of memory");
	} else if (mg_write(c, req, (size_t)n) != n) {
		say(error_buffer, error_buffer_size, "cannot send request: %s",
		    strerror(errno));
	} else if (mg_get_response(c, error_buffer, error_buffer_size,
	                           client_ctx.opt.request_timeout_ms) > 0) {
		free(req);
		return c;
	}
	free(req);
	mg_close_connection(c);
	return NULL;
}

void mg_close_connection(struct mg_connection *conn)
{
	if (conn == NULL || !conn->is_client)
		return;
	if (conn->client_teardown != NULL && conn->client_teardown(conn) != 0)
		return;
	cw_exchange_free(conn->x);
	conn->x = NULL;
	cw_conn_free_client(conn);
}

static void error_reset(struct mg_error_data *error)
{
	if (error == NULL)
		return;
	error->code = MG_ERROR_DATA_CODE_OK;
	error->code_sub = 0;
	say(error->text, error->text_buffer_size, "%s", "");
}

static void error_set(struct mg_error_data *error, unsigned code, unsigned sub,
                      const char *text)
{
	if (error == NULL)
		return;
	error->code = code;
	error->code_sub = sub;
	say(error->text, error->text_buffer_size, "%s", text);
}

/* Like mg_connect_client, for protocol "http" or "https" (any case; TLS
 * without certificate checks, as mg_connect_client's use_ssl). path and
 * init are not used by an HTTP connection. "ws" and "wss" are refused
 * with MG_ERROR_DATA_CODE_INVALID_PARAM: WebSocket connections are opened
 * by mg_connect_websocket_client* (ws_client.c). */
struct mg_connection *mg_connect_client2(const char *host, const char *protocol,
                                         int port, const char *path,
                                         struct mg_init_data *init,
                                         struct mg_error_data *error)
{
	char ebuf[256];
	struct mg_connection *c;
	struct why w;

	(void)path, (void)init;
	error_reset(error);
	if (host == NULL || protocol == NULL) {
		error_set(error, MG_ERROR_DATA_CODE_INVALID_PARAM, 0,
		          "invalid parameters: host and protocol are needed");
		return NULL;
	}
	if (strcasecmp(protocol, "wss") == 0 ||
	    strcasecmp(protocol, "ws") == 0) {
		error_set(error, MG_ERROR_DATA_CODE_INVALID_PARAM, 0,
		          "ws and wss: use mg_connect_websocket_client");
		return NULL;
	}
	if (strcasecmp(protocol, "http") != 0 &&
	    strcasecmp(protocol, "https") != 0) {
		snprintf(ebuf, sizeof ebuf,
		         "protocol %s is not supported by this civetd",
		         protocol);
		error_set(error, MG_ERROR_DATA_CODE_INVALID_PARAM, 0, ebuf);
		return NULL;
	}
	c = connect_client(host, port, strcasecmp(protocol, "https") == 0, NULL,
	                   ebuf, sizeof ebuf, &w);
	if (c == NULL)
		error_set(error, w.code, w.sub, ebuf);
	return c;
}

int mg_get_response2(struct mg_connection *conn, struct mg_error_data *error,
                     int timeout)
{
	char ebuf[256];
	unsigned sub;
	int r;

	error_reset(error);
	r = get_response(conn, ebuf, sizeof ebuf, timeout, &sub);
	if (r < 0)
		error_set(error,
		          conn == NULL || !conn->is_client
		              ? MG_ERROR_DATA_CODE_INVALID_PARAM
		              : MG_ERROR_DATA_CODE_OS_ERROR,
		          sub, ebuf);
	return r;
}
