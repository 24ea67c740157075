/* tcp.c - the plain TCP transport: each operation is one system call on
 * the connection's non-blocking socket. */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include "core/server.h"
#include "net/transport.h"

static ssize_t would_block(int want)
{
	return errno == EAGAIN || errno == EWOULDBLOCK ? want : CW_IO_ERROR;
}

static ssize_t tcp_recv(struct mg_connection *c, void *buf, size_t len)
{
	ssize_t n;

	do {
		n = recv(c->fd, buf, len, 0);
	} while (n < 0 && errno == EINTR);
	return n >= 0 ? n : would_block(CW_IO_WANT_READ);
}

static ssize_t tcp_sendv(struct mg_connection *c, const struct iovec *iov,
                         int iovcnt, int last)
{
	struct msghdr mh;
	ssize_t n;

	memset(&mh, 0, sizeof mh);
	mh.msg_iov = (struct iovec *)iov;
	mh.msg_iovlen = (size_t)iovcnt;
	do {
		/* MSG_MORE: the data waits for the FIN of the close that
		 * follows, and both go in one segment */
		n = sendmsg(c->fd, &mh, MSG_NOSIGNAL | (last ? MSG_MORE : 0));
	} while (n < 0 && errno == EINTR);
	return n >= 0 ? n : would_block(CW_IO_WANT_WRITE);
}

static ssize_t tcp_sendfile(struct mg_connection *c, int fd, off_t *off,
                            size_t len)
{
	ssize_t n;

	do {
		n = sendfile(c->fd, fd, off, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EINVAL || errno == ENOSYS))
		return CW_IO_UNSUPPORTED;
	return n >= 0 ? n : would_block(CW_IO_WANT_WRITE);
}

static int tcp_shutdown_write(struct mg_connection *c)
{
	return shutdown(c->fd, SHUT_WR) == 0 ? 0 : CW_IO_ERROR;
}

static int tcp_has_buffered_input(const struct mg_connection *c)
{
	(void)c;
	return 0;
}

const struct cw_transport cw_tcp_transport = {
    .name = "tcp",
    .open = NULL,
    .recv = tcp_recv,
    .sendv = tcp_sendv,
    .sendfile = tcp_sendfile,
    .zero_copy = 1,
    .shutdown_write = tcp_shutdown_write,
    .has_buffered_input = tcp_has_buffered_input,
    .close = NULL,
};

static const struct cw_transport *_Atomic plain = &cw_tcp_transport;

const struct cw_transport *cw_transport_plain(void)
{
	return atomic_load_explicit(&plain, memory_order_relaxed);
}

void cw_transport_set_plain(const struct cw_transport *t)
{
	atomic_store(&plain, t != NULL ? t : &cw_tcp_transport);
}
