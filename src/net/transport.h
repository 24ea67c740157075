/* transport.h - how a connection's bytes move: a table of operations per
 * connection (c->xprt, with its state in c->xprt_data). Plain TCP
 * (net/tcp.c) is the first transport; TLS is another. Everything above
 * this layer moves bytes through net/conn.h, which calls these; nothing
 * above net/ touches a socket.
 *
 * Every operation is non-blocking. Besides a count, it may return
 *   CW_IO_WANT_READ   nothing can move until the socket is readable
 *   CW_IO_WANT_WRITE  nothing can move until the socket is writable
 * and either can come from either direction: a TLS transport may need to
 * write (a handshake, a renegotiation) while its caller reads, so the
 * caller waits for what the transport asks for, not for what it wanted.
 * A transport may hold input the socket no longer shows (decrypted
 * records): has_buffered_input says so, and nobody may wait on the socket
 * for input while it is true (an edge-triggered registration would never
 * fire for it). */
#ifndef CW_NET_TRANSPORT_H
#define CW_NET_TRANSPORT_H

#include <sys/types.h>
#include <sys/uio.h>

struct mg_connection;

#define CW_IO_ERROR       (-1) /* errno says why; the connection is dead */
#define CW_IO_WANT_READ   (-2)
#define CW_IO_WANT_WRITE  (-3)
#define CW_IO_UNSUPPORTED (-4) /* sendfile: copy the file instead */

struct cw_transport {
	const char *name;
	/* Set up the transport's state on a new connection whose fd is
	 * c->fd. 0, or -1 (the connection is then closed). May be NULL. */
	int (*open)(struct mg_connection *c);
	/* > 0 bytes received, 0 end of input, or a CW_IO_* code. */
	ssize_t (*recv)(struct mg_connection *c, void *buf, size_t len);
	/* > 0 bytes sent (possibly fewer than asked), or a CW_IO_* code.
	 * last: more output or the close follows at once, so the
	 * transport may hold these bytes to go out with it (one packet
	 * fewer); any other write, or the close, sends them. */
	ssize_t (*sendv)(struct mg_connection *c, const struct iovec *iov,
	                 int iovcnt, int last);
	/* Send up to len bytes of file fd from *off (advanced): > 0 bytes,
	 * a CW_IO_* code, or CW_IO_UNSUPPORTED when this transport cannot
	 * send a file by itself. */
	ssize_t (*sendfile)(struct mg_connection *c, int fd, off_t *off,
	                    size_t len);
	/* sendfile goes from the page cache to the socket without a copy:
	 * a large file is better not read into a block first. */
	int zero_copy;
	/* No more output (a TLS close_notify, a TCP FIN). 0 or CW_IO_*. */
	int (*shutdown_write)(struct mg_connection *c);
	/* Does the transport hold input a recv would return at once? Must
	 * not make a system call: it is asked before every wait. */
	int (*has_buffered_input)(const struct mg_connection *c);
	/* Free the transport's state; the caller closes the socket. */
	void (*close)(struct mg_connection *c);
};

/* Plain TCP. */
extern const struct cw_transport cw_tcp_transport;

/* The transport new plain connections get: cw_tcp_transport, unless a
 * test has put another in its place (the unit suites run the HTTP engine
 * over a transport that trickles bytes). */
const struct cw_transport *cw_transport_plain(void);
void cw_transport_set_plain(const struct cw_transport *t);

#endif
