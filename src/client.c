/* client.c - the client side of the API over plain TCP: mg_connect_client,
 * mg_download, mg_get_response, mg_close_connection.
 *
 * A client connection is a struct mg_connection with is_client set and its
 * own buffers; it belongs to the thread that made it. Request bytes go out
 * through mg_write/mg_printf unchanged; the response head is parsed with the
 * same strict parser as requests, and the body is read with mg_read through
 * body.c (Content-Length, chunked, or until the server closes). */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MG_EXPERIMENTAL_INTERFACES
#include "body.h"
#include "conn.h"

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

static int connect_timed(int fd, const struct addrinfo *ai, int timeout_ms)
{
	int err = 0;
	socklen_t len = sizeof err;

	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -1;
	if (cw_wait_fd(fd, POLLOUT, timeout_ms) != 0)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		return -1;
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

/* A connected, non-blocking socket to host:port, or -1 (ebuf says why). */
static int dial(const char *host, int port, struct sockaddr_storage *peer,
                socklen_t *peer_len, char *ebuf, size_t elen)
{
	struct addrinfo hints, *res, *ai;
	char service[8];
	int fd = -1, one = 1, r;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(service, sizeof service, "%d", port);
	r = getaddrinfo(host, service, &hints, &res);
	if (r != 0) {
		say(ebuf, elen, "cannot resolve %s: %s", host, gai_strerror(r));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family,
		            SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		if (connect_timed(fd, ai, client_ctx.opt.request_timeout_ms) ==
		    0) {
			memcpy(peer, ai->ai_addr, ai->ai_addrlen);
			*peer_len = ai->ai_addrlen;
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
			           sizeof one);
			break;
		}
		say(ebuf, elen, "cannot connect to %s:%d: %s", host, port,
		    strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static struct mg_connection *client_new(int fd,
                                        const struct sockaddr_storage *peer,
                                        socklen_t peer_len)
{
	struct mg_connection *c = calloc(1, sizeof *c);
	size_t cap = client_ctx.opt.max_request_size;

	if (c == NULL)
		return NULL;
	c->rbuf = malloc(cap + 1);
	if (c->rbuf == NULL) {
		free(c);
		return NULL;
	}
	c->rcap = cap;
	c->ctx = &client_ctx;
	c->fd = fd;
	c->is_client = 1;
	c->body_done = 1;
	c->out = &c->own_out;
	memcpy(&c->peer, peer, peer_len);
	c->peer_len = peer_len;
	pthread_mutex_init(&c->lock, NULL);
	cw_conn_describe_peer(c);
	return c;
}

struct mg_connection *mg_connect_client(const char *host, int port,
                                        int use_ssl, char *error_buffer,
                                        size_t error_buffer_size)
{
	struct sockaddr_storage peer;
	socklen_t peer_len = 0;
	struct mg_connection *c;
	int fd;

	pthread_once(&client_once, client_ctx_init);
	say(error_buffer, error_buffer_size, "%s", "");
	if (host == NULL || port <= 0 || port > 65535) {
		say(error_buffer, error_buffer_size, "invalid host or port");
		return NULL;
	}
	if (use_ssl) {
		say(error_buffer, error_buffer_size,
		    "TLS is not built into this civetd yet");
		return NULL;
	}
	fd = dial(host, port, &peer, &peer_len, error_buffer,
	          error_buffer_size);
	if (fd < 0)
		return NULL;
	c = client_new(fd, &peer, peer_len);
	if (c == NULL) {
		close(fd);
		say(error_buffer, error_buffer_size, "out of memory");
	}
	return c;
}

struct mg_connection *
mg_connect_client_secure(const struct mg_client_options *client_options,
                         char *error_buffer, size_t error_buffer_size)
{
	(void)client_options;
	say(error_buffer, error_buffer_size,
	    "TLS is not built into this civetd yet");
	return NULL;
}

/* Drop the previous response (head and read body) before the next. */
static void forget_previous(struct mg_connection *c)
{
	size_t rest = c->rlen > c->rpos ? c->rlen - c->rpos : 0;

	if (c->resp_info != NULL && rest > 0)
		memmove(c->rbuf, c->rbuf + c->rpos, rest);
	else if (c->resp_info == NULL)
		rest = c->rlen;
	c->rlen = rest;
	c->rpos = 0;
	c->head_end = 0;
}

static void fill_response_info(struct mg_connection *c,
                               struct cw_http_response *r)
{
	struct mg_response_info *ri = c->resp_info;

	ri->status_code = r->status;
	ri->status_text = r->reason;
	ri->http_version = r->version;
	ri->content_length = r->chunked ? -1 : r->content_length;
	ri->num_headers = r->num_headers;
	memcpy(ri->http_headers, r->headers,
	       (size_t)r->num_headers * sizeof r->headers[0]);
	/* older programs read the response through mg_get_request_info */
	c->ri.http_version = r->version;
	c->ri.content_length = ri->content_length;
	c->ri.num_headers = r->num_headers;
	memcpy(c->ri.http_headers, r->headers,
	       (size_t)r->num_headers * sizeof r->headers[0]);
}

int mg_get_response(struct mg_connection *conn, char *ebuf, size_t ebuf_len,
                    int timeout)
{
	struct cw_http_response r;
	int64_t deadline;

	if (conn == NULL || !conn->is_client) {
		say(ebuf, ebuf_len, "not a client connection");
		return -1;
	}
	if (conn->resp_info == NULL) {
		conn->resp_info = calloc(1, sizeof *conn->resp_info);
		if (conn->resp_info == NULL) {
			say(ebuf, ebuf_len, "out of memory");
			return -1;
		}
	} else {
		forget_previous(conn);
	}
	deadline = timeout >= 0 ? cw_now_ms() + timeout : -1;
	for (;;) {
		int h = cw_http_parse_response(conn->rbuf, conn->rlen,
		                               conn->rcap, &r);
		int wait = deadline < 0 ? -1 : (int)(deadline - cw_now_ms());
		ssize_t n;

		if (h > 0) {
			fill_response_info(conn, &r);
			cw_body_begin(conn, (size_t)h, r.content_length,
			              r.chunked, !r.chunked && r.content_length < 0);
			return 0;
		}
		if (h < 0 || conn->rlen == conn->rcap) {
			say(ebuf, ebuf_len, "malformed response");
			return -1;
		}
		n = cw_conn_recv(conn, conn->rbuf + conn->rlen,
		                 conn->rcap - conn->rlen, wait < 0 && deadline >= 0
		                                              ? 0
		                                              : wait);
		if (n <= 0) {
			say(ebuf, ebuf_len, "%s",
			    n == 0 ? "connection closed by server"
			           : "timeout or error reading response");
			return -1;
		}
		conn->rlen += (size_t)n;
	}
}

const struct mg_response_info *
mg_get_response_info(const struct mg_connection *conn)
{
	if (conn == NULL || !conn->is_client)
		return NULL;
	return conn->resp_info;
}

struct mg_connection *mg_download(const char *host, int port, int use_ssl,
                                  char *error_buffer, size_t error_buffer_size,
                                  const char *request_fmt, ...)
{
	struct mg_connection *c;
	char req[8192];
	va_list ap;
	int n;

	c = mg_connect_client(host, port, use_ssl, error_buffer,
	                      error_buffer_size);
	if (c == NULL)
		return NULL;
	va_start(ap, request_fmt);
	n = vsnprintf(req, sizeof req, request_fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof req) {
		say(error_buffer, error_buffer_size, "request too long");
	} else if (mg_write(c, req, (size_t)n) != n) {
		say(error_buffer, error_buffer_size, "cannot send request");
	} else if (mg_get_response(c, error_buffer, error_buffer_size,
	                           client_ctx.opt.request_timeout_ms) >= 0) {
		return c;
	}
	mg_close_connection(c);
	return NULL;
}

void mg_close_connection(struct mg_connection *conn)
{
	if (conn == NULL || !conn->is_client)
		return;
	if (conn->fd >= 0)
		close(conn->fd);
	free(conn->rbuf);
	free(conn->resp_info);
	free(conn->own_out.data);
	pthread_mutex_destroy(&conn->lock);
	free(conn);
}

struct mg_connection *mg_connect_client2(const char *host,
                                         const char *protocol, int port,
                                         const char *path,
                                         struct mg_init_data *init,
                                         struct mg_error_data *error)
{
	char ebuf[256] = "";
	struct mg_connection *c = NULL;

	(void)path, (void)init;
	if (protocol == NULL || strcmp(protocol, "http") == 0)
		c = mg_connect_client(host, port, 0, ebuf, sizeof ebuf);
	else
		snprintf(ebuf, sizeof ebuf,
		         "protocol %s is not built into this civetd yet",
		         protocol);
	if (c == NULL && error != NULL) {
		error->code = MG_ERROR_DATA_CODE_CONNECT_FAILED;
		say(error->text, error->text_buffer_size, "%s", ebuf);
	}
	return c;
}

int mg_get_response2(struct mg_connection *conn, struct mg_error_data *error,
                     int timeout)
{
	char ebuf[256] = "";
	int r = mg_get_response(conn, ebuf, sizeof ebuf, timeout);

	if (r < 0 && error != NULL) {
		error->code = MG_ERROR_DATA_CODE_OS_ERROR;
		say(error->text, error->text_buffer_size, "%s", ebuf);
	}
	return r;
}
