/* ws_client.c - the WebSocket client of the API: mg_connect_websocket_client
 * and its _extensions / _secure variants, and mg_websocket_client_write.
 *
 * A WebSocket client connection is an HTTP client connection (client.c)
 * that sent an upgrade request and got a 101 that passed the RFC 6455
 * checks (util/ws_handshake.h). From then on a reader thread of its own
 * parses the server's frames with the strict parser in client role
 * (util/ws_frame.h), inflates them when permessage-deflate was agreed
 * (util/ws_deflate.h), and hands every frame to data_func as CivetWeb's
 * client does: one call per frame, bits the frame's first byte, control
 * frames included. It answers PING with PONG and CLOSE with a close frame,
 * fails a protocol error with the parser's code, and calls close_func once
 * when it ends, whatever the reason.
 *
 * Locking: every write (the application's, the reader's PONG and close
 * replies) holds the connection lock (c->lock, recursive, which
 * mg_lock_connection takes too), so frames never interleave. Over TLS the
 * reader also reads under the lock, because one SSL object must not be
 * in SSL_read and SSL_write at once; it waits for input in poll() without
 * the lock and then reads without blocking. Over plain TCP the reader
 * needs no lock to read: only it reads.
 *
 * mg_close_connection (client.c) calls the teardown hook set here first:
 * it asks the reader to close (a close frame 1000, then at most
 * CLOSE_WAIT_MS for the server's), joins it and frees the state. Called
 * from inside data_func or close_func (the reader itself) it cannot join;
 * the reader then frees everything when it returns. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/server.h"
#include "net/io.h"
#include "net/transport.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/sysio.h"
#include "util/utf8.h"
#include "util/ws_deflate.h"
#include "util/ws_frame.h"
#include "util/ws_handshake.h"

/* The longest wait for the 101 (CivetWeb's client waits its request
 * timeout; a client has no options, so the bound client.c uses). */
#define HANDSHAKE_TIMEOUT_MS 10000
/* After our close frame, how long to wait for the server's. */
#define CLOSE_WAIT_MS 2000
/* The largest message (compressed or not) and inflated frame accepted:
 * a server cannot make the client allocate more than this. */
#define MAX_MESSAGE (64u << 20)
/* The upgrade request, with path, host, origin and extensions. */
#define REQUEST_MAX 8192
/* Payload bytes masked per send (a stack buffer, no allocation). */
#define SEND_CHUNK 16384

struct ws_client {
	struct mg_connection *c;
	mg_websocket_data_handler data_func;
	mg_websocket_close_handler close_func;
	void *user;
	/* The connection's context while it is a WebSocket: a copy of the
	 * clients' shared one whose user_data is user, because CivetWeb's
	 * handlers find their data with mg_get_user_data(mg_get_context(c)).
	 * base is the shared context, put back before the connection goes. */
	struct mg_context *own_ctx, *base_ctx;
	pthread_t reader;
	int wake;         /* eventfd: mg_close_connection wakes the reader */
	_Atomic int stop; /* the application closes: send 1000, end */
	_Atomic int orphaned; /* closed from the reader: it frees at its end */
	int locked_reads;     /* TLS: reads under c->lock */
	int quiet;            /* closing: no more frames to data_func */
	int close_sent;       /* under c->lock */
	int64_t close_by;     /* ms: end if the server's close is not in */
	uint64_t prng;        /* masking keys, under c->lock */
	int deflate;          /* permessage-deflate agreed */
	struct cw_ws_deflate z; /* both directions, under c->lock */
	struct cw_ws_parser p;  /* the reader's */
	struct cw_utf8 utf8;    /* compressed text, checked after inflating */
	unsigned char bits;     /* the first byte of the frame collected */
	struct cw_buf frame;    /* its payload (inflated), the reader's */
	struct cw_buf zout;     /* a compressed message to send, under lock */
	unsigned char in[16384];
};

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

/* xorshift64*: a fresh masking key per frame without a system call. Masks
 * only keep proxies from reading frames as HTTP (RFC 6455 10.3); the seed
 * comes from the kernel's random source. */
static uint32_t next_mask(struct ws_client *w)
{
	w->prng ^= w->prng >> 12;
	w->prng ^= w->prng << 25;
	w->prng ^= w->prng >> 27;
	return (uint32_t)((w->prng * 0x2545F4914F6CDD1DULL) >> 32);
}

/* ---- writing (under c->lock) ----------------------------------------------
 */

/* Send one masked frame: header, then the payload masked a chunk at a time
 * into a stack buffer. 0 or -1. */
static int send_frame(struct ws_client *w, unsigned flags, unsigned opcode,
                      const void *data, size_t len, size_t *hlen)
{
	unsigned char out[CW_WS_HEADER_MAX + SEND_CHUNK];
	uint32_t m = next_mask(w);
	unsigned char key[4] = {(unsigned char)(m >> 24),
	                        (unsigned char)(m >> 16),
	                        (unsigned char)(m >> 8), (unsigned char)m};
	struct cw_pace pace;
	size_t h = cw_ws_write_header(out, CW_WS_FIN | flags, opcode, len, key);
	size_t done = 0;

	if (h == 0)
		return -1;
	if (hlen != NULL)
		*hlen = h;
	cw_pace_init(&pace, w->c->ctx->opt.request_timeout_ms, 0, 0);
	do {
		size_t n = len - done < SEND_CHUNK ? len - done : SEND_CHUNK;

		if (n > 0)
			cw_ws_mask(out + h, (const unsigned char *)data + done,
			           n, key, done);
		if (cw_conn_send(w->c, out, h + n, &pace) != 0)
			return -1;
		done += n;
		h = 0;
	} while (done < len);
	return 0;
}

/* Our close frame, once; then wait at most CLOSE_WAIT_MS for the server's.
 * code 0: an empty close payload. */
static void send_close(struct ws_client *w, unsigned code)
{
	unsigned char payload[CW_WS_CONTROL_MAX];
	size_t n = cw_ws_close_payload(payload, code, NULL, 0);

	pthread_mutex_lock(&w->c->lock);
	if (!w->close_sent) {
		w->close_sent = 1;
		(void)send_frame(w, 0, CW_WS_OP_CLOSE, payload, n, NULL);
	}
	pthread_mutex_unlock(&w->c->lock);
	w->quiet = 1;
	if (w->close_by == 0)
		w->close_by = cw_now_ms() + CLOSE_WAIT_MS;
}

/* ---- reading (the reader thread) ----------------------------------------- */

/* Hand one frame to data_func, NUL-terminated. A 0 from it closes. */
static void deliver(struct ws_client *w, unsigned char bits, char *data,
                    size_t len)
{
	char empty[1] = {0};

	if (w->quiet || w->data_func == NULL)
		return;
	if (data == NULL)
		data = empty;
	else
		data[len] = '\0'; /* cw_buf keeps room for it */
	if (w->data_func(w->c, bits, data, len, w->user) == 0)
		send_close(w, CW_WS_CLOSE_NORMAL);
}

/* A piece of a data frame: collect (inflate) it; at the frame's end hand
 * it over. 0, or the close code to fail with. */
static unsigned on_data(struct ws_client *w, const struct cw_ws_event *ev)
{
	size_t before = w->frame.len;

	if (w->quiet)
		return 0;
	if (ev->compressed) {
		int r;

		pthread_mutex_lock(&w->c->lock);
		r = cw_ws_decompress(&w->z, ev->data, ev->len, ev->message_end,
		                     &w->frame);
		pthread_mutex_unlock(&w->c->lock);
		if (r != 0)
			return r < 0 ? 1011 : (unsigned)r;
		if (ev->opcode == CW_WS_OP_TEXT &&
		    cw_utf8_feed(&w->utf8, w->frame.data + before,
		                 w->frame.len - before) != 0)
			return CW_WS_CLOSE_BAD_DATA;
		if (ev->message_end && ev->opcode == CW_WS_OP_TEXT) {
			if (cw_utf8_end(&w->utf8) != 0)
				return CW_WS_CLOSE_BAD_DATA;
			cw_utf8_init(&w->utf8);
		}
	} else if (cw_buf_add(&w->frame, ev->data, ev->len, MAX_MESSAGE) != 0) {
		return CW_WS_CLOSE_TOO_BIG;
	}
	if (ev->frame_end) {
		deliver(w, w->bits, w->frame.data, w->frame.len);
		w->frame.len = 0;
	}
	return 0;
}

/* A whole control frame. 1 when the connection ends (a CLOSE), else 0. */
static int on_control(struct ws_client *w, const struct cw_ws_event *ev)
{
	unsigned op = ev->opcode;
	unsigned char payload[CW_WS_CONTROL_MAX + 1];
	size_t n;

	if (op == CW_WS_OP_CLOSE) {
		unsigned code = ev->close_code == 1005 ? 0 : ev->close_code;

		/* data_func sees the payload as sent: code, then reason */
		n = cw_ws_close_payload(payload, code, (const char *)ev->data,
		                        ev->len);
		deliver(w, CW_WS_FIN | CW_WS_OP_CLOSE, (char *)payload, n);
		send_close(w, code);
		return 1;
	}
	memcpy(payload, ev->data, ev->len);
	if (op == CW_WS_OP_PING) {
		pthread_mutex_lock(&w->c->lock);
		if (!w->close_sent)
			(void)send_frame(w, 0, CW_WS_OP_PONG, payload, ev->len,
			                 NULL);
		pthread_mutex_unlock(&w->c->lock);
	}
	deliver(w, (unsigned char)(CW_WS_FIN | op), (char *)payload, ev->len);
	return 0;
}

/* Parse n bytes of input. 0 to go on, 1 when the connection ends. */
static int consume(struct ws_client *w, size_t n)
{
	size_t off = 0;

	for (;;) {
		struct cw_ws_event ev;
		unsigned fail = 0;

		off += cw_ws_parse(&w->p, w->in + off, n - off, &ev);
		switch (ev.type) {
		case CW_WS_EV_MORE:
			return 0;
		case CW_WS_EV_FRAME:
			w->bits = ev.frame->bits;
			w->frame.len = 0;
			break;
		case CW_WS_EV_DATA:
			fail = on_data(w, &ev);
			break;
		case CW_WS_EV_CONTROL:
			if (on_control(w, &ev))
				return 1;
			break;
		case CW_WS_EV_ERROR:
			fail = ev.close_code;
			break;
		}
		if (fail != 0) {
			send_close(w, fail);
			return 1;
		}
	}
}

/* Without waiting: > 0 bytes into w->in, 0 end, or a CW_IO_* code. */
static ssize_t take(struct ws_client *w)
{
	ssize_t n;

	if (!w->locked_reads)
		return cw_conn_take(w->c, w->in, sizeof w->in);
	pthread_mutex_lock(&w->c->lock);
	n = cw_conn_take(w->c, w->in, sizeof w->in);
	pthread_mutex_unlock(&w->c->lock);
	return n;
}

/* Wait for the socket (want: POLLIN or POLLOUT) or a wake-up, at most a
 * second (a TLS record a writer's SSL_write pulled in gets read then),
 * and less once a close deadline runs. */
static void wait_ready(struct ws_client *w, short want)
{
	struct pollfd p[2] = {{w->c->fd, want, 0}, {w->wake, POLLIN, 0}};
	int ms = 1000;

	if (w->close_by != 0) {
		int64_t left = w->close_by - cw_now_ms();

		ms = left <= 0 ? 0 : left < ms ? (int)left : ms;
	}
	if (poll(p, 2, ms) > 0 && (p[1].revents & POLLIN)) {
		uint64_t v;

		if (read(w->wake, &v, sizeof v) < 0 && errno != EAGAIN)
			return;
	}
}

/* The reader's loop, until the connection ends for any reason. */
static void run(struct ws_client *w)
{
	for (;;) {
		ssize_t n;

		if (atomic_load(&w->stop) && !w->quiet)
			send_close(w, CW_WS_CLOSE_NORMAL);
		if (w->close_by != 0 && cw_now_ms() >= w->close_by)
			return;
		n = take(w);
		if (n > 0) {
			if (consume(w, (size_t)n))
				return;
			continue;
		}
		if (n == 0 || n == CW_IO_ERROR)
			return;
		wait_ready(w, n == CW_IO_WANT_WRITE ? POLLOUT : POLLIN);
	}
}

static void destroy(struct ws_client *w)
{
	if (w->own_ctx != NULL) {
		w->c->ctx = w->base_ctx;
		pthread_mutex_destroy(&w->own_ctx->user_lock);
		pthread_mutex_destroy(&w->own_ctx->domain_lock);
		free(w->own_ctx);
	}
	if (w->deflate)
		cw_ws_deflate_free(&w->z);
	cw_buf_free(&w->frame);
	cw_buf_free(&w->zout);
	close(w->wake);
	free(w);
}

static void *reader_main(void *arg)
{
	struct ws_client *w = arg;
	struct mg_connection *c = w->c;

	run(w);
	/* the conversation is over: say so (a FIN, or close_notify and a
	 * FIN), so the server need not wait for mg_close_connection */
	pthread_mutex_lock(&c->lock);
	w->close_sent = 1;
	if (c->xprt->shutdown_write != NULL)
		(void)c->xprt->shutdown_write(c);
	pthread_mutex_unlock(&c->lock);
	if (w->close_func != NULL)
		w->close_func(c, w->user);
	if (atomic_load(&w->orphaned)) {
		/* mg_close_connection came from a callback: finish it here */
		pthread_detach(pthread_self());
		c->client_ext = NULL;
		c->client_teardown = NULL;
		destroy(w);
		mg_close_connection(c);
	}
	return NULL;
}

/* mg_close_connection's first step (client.c calls it through the hook).
 * 0: the connection may be freed now; 1: the reader frees it later. */
static int teardown(struct mg_connection *c)
{
	struct ws_client *w = c->client_ext;
	uint64_t one = 1;

	if (w == NULL)
		return 0;
	atomic_store(&w->stop, 1);
	if (pthread_equal(pthread_self(), w->reader)) {
		atomic_store(&w->orphaned, 1);
		return 1;
	}
	if (write(w->wake, &one, sizeof one) < 0 && errno != EAGAIN)
		(void)0; /* the reader still sees stop within a second */
	pthread_join(w->reader, NULL);
	c->client_ext = NULL;
	c->client_teardown = NULL;
	destroy(w);
	return 0;
}

/* ---- the opening handshake ------------------------------------------------
 */

static const char *header(const struct mg_response_info *ri, const char *name)
{
	for (int i = 0; i < ri->num_headers; i++)
		if (strcasecmp(ri->http_headers[i].name, name) == 0)
			return ri->http_headers[i].value;
	return NULL;
}

/* Send the upgrade request. 0 or -1. */
static int send_upgrade(struct mg_connection *c, const char *host, int port,
                        int tls, const char *path, const char *origin,
                        const char *ext, const char *key)
{
	char req[REQUEST_MAX];
	int v6 = strchr(host, ':') != NULL && host[0] != '[';
	int def = port == (tls ? 443 : 80);
	char portbuf[16] = "";
	int n;

	if (!def)
		snprintf(portbuf, sizeof portbuf, ":%d", port);
	n = snprintf(req, sizeof req,
	             "GET %s HTTP/1.1\r\nHost: %s%s%s%s\r\n"
	             "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	             "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
	             "%s%s%s%s%s%s\r\n",
	             path, v6 ? "[" : "", host, v6 ? "]" : "", portbuf, key,
	             ext ? "Sec-WebSocket-Extensions: " : "", ext ? ext : "",
	             ext ? "\r\n" : "", origin ? "Origin: " : "",
	             origin ? origin : "", origin ? "\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof req || strpbrk(path, "\r\n") ||
	    (origin && strpbrk(origin, "\r\n")) ||
	    (ext && strpbrk(ext, "\r\n")))
		return -1;
	return mg_write(c, req, (size_t)n) == n ? 0 : -1;
}

/* Check the 101 against the key and the extensions offered: 0, or -1 with
 * the reason in ebuf. *deflate/params: what was agreed. */
static int check_answer(struct mg_connection *c, const char *key,
                        const char *ext, int *deflate,
                        struct cw_ws_deflate_params *params, char *ebuf,
                        size_t elen)
{
	const struct mg_response_info *ri = mg_get_response_info(c);

	if (ri->status_code != 101) {
		say(ebuf, elen, "Unexpected server reply (%d %s)",
		    ri->status_code, ri->status_text ? ri->status_text : "");
		return -1;
	}
	if (!cw_ws_client_response_ok(key, header(ri, "Upgrade"),
	                              header(ri, "Connection"),
	                              header(ri, "Sec-WebSocket-Accept"))) {
		say(ebuf, elen,
		    "Unexpected server reply (invalid WebSocket handshake)");
		return -1;
	}
	*deflate = cw_ws_deflate_client_check(
	    ext, header(ri, "Sec-WebSocket-Extensions"), params);
	if (*deflate < 0) {
		say(ebuf, elen,
		    "Unexpected server reply (Sec-WebSocket-Extensions not "
		    "offered or invalid)");
		return -1;
	}
	return 0;
}

/* The client's state for a connection whose handshake passed. NULL when
 * out of memory. */
static struct ws_client *client_state(struct mg_connection *c, int deflate,
                                      const struct cw_ws_deflate_params *dp)
{
	struct ws_client *w = calloc(1, sizeof *w);

	if (w == NULL)
		return NULL;
	w->c = c;
	w->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->wake < 0 || cw_random_bytes(&w->prng, sizeof w->prng) != 0) {
		if (w->wake >= 0)
			close(w->wake);
		free(w);
		return NULL;
	}
	w->prng |= 1; /* xorshift must not start at 0 */
	w->locked_reads = c->xprt != &cw_tcp_transport;
	w->deflate = deflate > 0;
	cw_ws_parser_init(&w->p, CW_WS_CLIENT, MAX_MESSAGE, w->deflate);
	cw_utf8_init(&w->utf8);
	if (w->deflate &&
	    cw_ws_deflate_init(&w->z, dp, CW_WS_CLIENT, 6, MAX_MESSAGE) != 0) {
		close(w->wake);
		free(w);
		return NULL;
	}
	return w;
}

/* Upgrade the HTTP client connection c and start its reader. c, or NULL
 * with c closed and the reason in ebuf. */
static struct mg_connection *
upgrade(struct mg_connection *c, const struct mg_client_options *o, int tls,
        char *ebuf, size_t elen, const char *path, const char *origin,
        const char *ext, mg_websocket_data_handler data_func,
        mg_websocket_close_handler close_func, void *user)
{
	unsigned char raw[16];
	char key[32];
	size_t klen = sizeof key;
	struct cw_ws_deflate_params dp;
	struct ws_client *w;
	int deflate = 0;

	if (cw_random_bytes(raw, sizeof raw) != 0 ||
	    mg_base64_encode(raw, sizeof raw, key, &klen) != -1) {
		say(ebuf, elen, "Unexpected error (no random key)");
		goto fail;
	}
	if (send_upgrade(c, o->host, o->port, tls, path, origin, ext, key) !=
	    0) {
		say(ebuf, elen, "Error sending request");
		goto fail;
	}
	if (mg_get_response(c, ebuf, elen, HANDSHAKE_TIMEOUT_MS) < 0)
		goto fail;
	if (check_answer(c, key, ext, &deflate, &dp, ebuf, elen) != 0)
		goto fail;
	w = client_state(c, deflate, &dp);
	if (w == NULL) {
		say(ebuf, elen, "Out of memory");
		goto fail;
	}
	w->data_func = data_func;
	w->close_func = close_func;
	w->user = user;
	w->own_ctx = malloc(sizeof *w->own_ctx);
	if (w->own_ctx == NULL) {
		destroy(w);
		say(ebuf, elen, "Out of memory");
		goto fail;
	}
	/* everything it points to stays the shared context's */
	memcpy(w->own_ctx, c->ctx, sizeof *w->own_ctx);
	pthread_mutex_init(&w->own_ctx->user_lock, NULL);
	pthread_mutex_init(&w->own_ctx->domain_lock, NULL);
	w->own_ctx->user_data = user;
	w->base_ctx = c->ctx;
	c->ctx = w->own_ctx;
	c->client_ext = w;
	c->client_teardown = teardown;
	if (pthread_create(&w->reader, NULL, reader_main, w) != 0) {
		c->client_ext = NULL;
		c->client_teardown = NULL;
		destroy(w);
		say(ebuf, elen, "Cannot start the WebSocket reader thread");
		goto fail;
	}
	return c;
fail:
	mg_close_connection(c);
	return NULL;
}

static struct mg_connection *
connect_ws(const struct mg_client_options *o, int tls, int secure, char *ebuf,
           size_t elen, const char *path, const char *origin, const char *ext,
           mg_websocket_data_handler data_func,
           mg_websocket_close_handler close_func, void *user)
{
	struct mg_connection *c;

	say(ebuf, elen, "%s", "");
	if (o == NULL || o->host == NULL || path == NULL) {
		say(ebuf, elen, "Parameter error");
		return NULL;
	}
	c = secure ? mg_connect_client_secure(o, ebuf, elen)
	           : mg_connect_client(o->host, o->port, tls, ebuf, elen);
	if (c == NULL) {
		if (ebuf != NULL && elen > 0 && ebuf[0] == '\0')
			say(ebuf, elen, "Unexpected error");
		return NULL;
	}
	return upgrade(c, o, tls, ebuf, elen, path, origin, ext, data_func,
	               close_func, user);
}

/* The caller owns the connection returned and frees it with
 * mg_close_connection() (also after the server closed); data_func and
 * close_func run on the connection's reader thread. */
struct mg_connection *mg_connect_websocket_client(
    const char *host, int port, int use_ssl, char *error_buffer,
    size_t error_buffer_size, const char *path, const char *origin,
    mg_websocket_data_handler data_func, mg_websocket_close_handler close_func,
    void *user_data)
{
	struct mg_client_options o = {host, port, NULL, NULL, NULL};

	return connect_ws(&o, use_ssl, 0, error_buffer, error_buffer_size, path,
	                  origin, NULL, data_func, close_func, user_data);
}

struct mg_connection *mg_connect_websocket_client_extensions(
    const char *host, int port, int use_ssl, char *error_buffer,
    size_t error_buffer_size, const char *path, const char *origin,
    const char *extensions, mg_websocket_data_handler data_func,
    mg_websocket_close_handler close_func, void *user_data)
{
	struct mg_client_options o = {host, port, NULL, NULL, NULL};

	return connect_ws(&o, use_ssl, 0, error_buffer, error_buffer_size, path,
	                  origin, extensions, data_func, close_func, user_data);
}

struct mg_connection *mg_connect_websocket_client_secure(
    const struct mg_client_options *client_options, char *error_buffer,
    size_t error_buffer_size, const char *path, const char *origin,
    mg_websocket_data_handler data_func, mg_websocket_close_handler close_func,
    void *user_data)
{
	return connect_ws(client_options, 1, 1, error_buffer, error_buffer_size,
	                  path, origin, NULL, data_func, close_func, user_data);
}

struct mg_connection *mg_connect_websocket_client_secure_extensions(
    const struct mg_client_options *client_options, char *error_buffer,
    size_t error_buffer_size, const char *path, const char *origin,
    const char *extensions, mg_websocket_data_handler data_func,
    mg_websocket_close_handler close_func, void *user_data)
{
	return connect_ws(client_options, 1, 1, error_buffer, error_buffer_size,
	                  path, origin, extensions, data_func, close_func,
	                  user_data);
}

/* A data message is compressed when permessage-deflate was agreed. */
static int write_locked(struct ws_client *w, int opcode, const char *data,
                        size_t len, size_t *hlen)
{
	int compress = w->deflate &&
	               (opcode == CW_WS_OP_TEXT || opcode == CW_WS_OP_BINARY);

	if (opcode == CW_WS_OP_CLOSE) {
		if (w->close_sent)
			return -1;
		w->close_sent = 1;
	}
	if (!compress)
		return send_frame(w, 0, (unsigned)opcode, data, len, hlen);
	w->zout.len = 0;
	if (cw_ws_compress(&w->z, data, len, 1, &w->zout, MAX_MESSAGE) != 0)
		return -1;
	return send_frame(w, CW_WS_RSV1, (unsigned)opcode, w->zout.data,
	                  w->zout.len, hlen);
}

/* As CivetWeb: the payload length on success (the header's length for an
 * empty payload), -1 on failure. Safe from any thread. */
int mg_websocket_client_write(struct mg_connection *conn, int opcode,
                              const char *data, size_t data_len)
{
	struct ws_client *w;
	size_t hlen = 0;
	int r;

	if (conn == NULL || !conn->is_client || conn->client_ext == NULL ||
	    opcode < 0 || opcode > 15 || (data == NULL && data_len > 0) ||
	    data_len > INT_MAX)
		return -1;
	w = conn->client_ext;
	pthread_mutex_lock(&conn->lock);
	r = write_locked(w, opcode, data, data_len, &hlen);
	pthread_mutex_unlock(&conn->lock);
	if (r != 0)
		return -1;
	return data_len > 0 ? (int)data_len : (int)hlen;
}
