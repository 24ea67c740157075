/* trickle.c - a test-only transport that makes every connection as awkward
 * as a transport is allowed to be. Linked into a test program, it replaces
 * plain TCP for every connection the library makes or accepts (a
 * constructor runs before main), so that the same HTTP suites prove the
 * engine correct over any transport:
 *  - it takes all the input the socket has into a buffer of its own, so
 *    the socket shows nothing while input is waiting (as TLS holds
 *    decrypted records): whoever parks or polls while has_buffered_input
 *    says yes hangs;
 *  - it hands that input over one byte per call, and says "would block"
 *    between two bytes;
 *  - it sends at most a few bytes per call, so every write is partial;
 *  - it cannot send files, so every file is copied. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/server.h"
#include "net/transport.h"

#define HOLD     4096 /* input it may hold back */
#define MAX_SEND 61   /* bytes per send, at most */

struct trickle {
	char *buf;
	size_t pos, len;
	int eof;  /* the socket reached its end */
	int give; /* the next call hands over a byte (else: would block) */
};

static int trickle_open(struct mg_connection *c)
{
	c->xprt_data = calloc(1, sizeof(struct trickle));
	return c->xprt_data != NULL ? 0 : -1;
}

/* Take whatever the socket has. 0, or -1 on a socket error. */
static int hold_back(struct mg_connection *c, struct trickle *t)
{
	if (t->buf == NULL && (t->buf = malloc(HOLD)) == NULL)
		return -1;
	if (t->pos == t->len)
		t->pos = t->len = 0;
	while (!t->eof && t->len < HOLD) {
		ssize_t n = recv(c->fd, t->buf + t->len, HOLD - t->len, 0);

		if (n > 0) {
			t->len += (size_t)n;
		} else if (n == 0) {
			t->eof = 1;
		} else if (errno == EINTR) {
			continue;
		} else {
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		}
	}
	return 0;
}

static ssize_t trickle_recv(struct mg_connection *c, void *buf, size_t len)
{
	struct trickle *t = c->xprt_data;

	if (hold_back(c, t) != 0)
		return CW_IO_ERROR;
	if (t->pos == t->len) {
		free(t->buf);
		t->buf = NULL;
		t->pos = t->len = 0;
		return t->eof ? 0 : CW_IO_WANT_READ;
	}
	if (len == 0)
		return 0;
	t->give = !t->give;
	if (!t->give)
		return CW_IO_WANT_READ; /* while has_buffered_input says yes */
	*(char *)buf = t->buf[t->pos++];
	return 1;
}

static ssize_t trickle_sendv(struct mg_connection *c, const struct iovec *iov,
                             int iovcnt, int last)
{
	ssize_t n;

	(void)last;
	for (int i = 0; i < iovcnt; i++) {
		size_t want =
		    iov[i].iov_len < MAX_SEND ? iov[i].iov_len : MAX_SEND;

		if (want == 0)
			continue;
		do {
			n = send(c->fd, iov[i].iov_base, want, MSG_NOSIGNAL);
		} while (n < 0 && errno == EINTR);
		if (n >= 0)
			return n;
		return errno == EAGAIN || errno == EWOULDBLOCK
		           ? CW_IO_WANT_WRITE
		           : CW_IO_ERROR;
	}
	return 0;
}

static ssize_t trickle_sendfile(struct mg_connection *c, int fd, off_t *off,
                                size_t len)
{
	(void)c, (void)fd, (void)off, (void)len;
	return CW_IO_UNSUPPORTED;
}

static int trickle_shutdown_write(struct mg_connection *c)
{
	return shutdown(c->fd, SHUT_WR) == 0 ? 0 : CW_IO_ERROR;
}

static int trickle_has_buffered_input(const struct mg_connection *c)
{
	const struct trickle *t = c->xprt_data;

	return t->pos < t->len;
}

static void trickle_close(struct mg_connection *c)
{
	struct trickle *t = c->xprt_data;

	if (t != NULL)
		free(t->buf);
	free(t);
	c->xprt_data = NULL;
}

static const struct cw_transport trickle_transport = {
    .name = "trickle",
    .open = trickle_open,
    .recv = trickle_recv,
    .sendv = trickle_sendv,
    .sendfile = trickle_sendfile,
    .shutdown_write = trickle_shutdown_write,
    .has_buffered_input = trickle_has_buffered_input,
    .close = trickle_close,
};

__attribute__((constructor)) static void use_trickle(void)
{
	cw_transport_set_plain(&trickle_transport);
}
