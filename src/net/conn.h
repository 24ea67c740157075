/* conn.h - connections: their slots, who owns them, parking them in the
 * epoll set between requests, closing them, and moving bytes over their
 * sockets with a deadline on every wait.
 *
 * All socket I/O of the library goes through cw_conn_recv/cw_conn_send so
 * that a transport layer (TLS) can be put under it in one place. */
#ifndef CW_CONN_H
#define CW_CONN_H

#include <sys/uio.h>

#include "core/server.h"

/* Per-thread state of a pool thread (and of threads that run client
 * connections): buffers lent to the connection it runs. */
struct cw_thread {
	struct mg_context *ctx;
	int index;         /* pool index, -1 for other threads */
	int type;          /* init_thread type: 0 master, 1 pool, 2 timer */
	void *user_ptr;    /* what init_thread returned */
	char *spare_rbuf;  /* an input buffer ready for the next connection */
	struct cw_buf out; /* output buffer lent to the running connection */
	char *scratch;     /* decoded paths of the running request */
	size_t scratch_cap;
};

/* The calling thread's cw_thread, or NULL. */
struct cw_thread *cw_thread_self(void);
void cw_thread_set_self(struct cw_thread *t);

/* Slot table. cw_conn_new takes ownership of fd and returns an ACTIVE
 * connection owned by the caller, or NULL (fd closed) on exhaustion. */
int cw_conns_init(struct mg_context *ctx);
void cw_conns_free(struct mg_context *ctx);
struct mg_connection *cw_conn_new(struct mg_context *ctx, int fd,
                                  const struct cw_listener *l,
                                  const struct sockaddr_storage *peer,
                                  socklen_t peer_len);
uint32_t cw_conns_count(const struct mg_context *ctx);
struct mg_connection *cw_conn_at(const struct mg_context *ctx, uint32_t slot);

/* Give up an ACTIVE connection until it is readable or until deadline
 * (ms). Returns 0: parked, the caller must not touch it any more; 1: input
 * may have arrived meanwhile and the caller still owns it (read again). */
int cw_conn_park(struct mg_connection *c, int64_t deadline);

/* Park an owned connection from outside a pool thread (the timer): its
 * registration is renewed, so a pool thread is woken if input waits.
 * 0, or -1 (the caller still owns it). */
int cw_conn_handoff(struct mg_connection *c, int64_t deadline);

/* A closing connection (write side shut): read and drop its input until
 * EOF or the deadline, without holding a thread. */
void cw_conn_linger(struct mg_connection *c, int64_t deadline);

/* Park until the socket is writable (at once, normally): hands an owned
 * connection to a pool thread. 0, or -1 if it could not be armed. */
int cw_conn_park_writable(struct mg_connection *c);

/* First registration of a new connection (ACTIVE -> PARKED). */
int cw_conn_register(struct mg_connection *c, int64_t deadline);

/* Turn epoll event data into an owned (ACTIVE) connection, or NULL if the
 * event is stale (the connection was closed or reused meanwhile). */
struct mg_connection *cw_conn_claim(struct mg_context *ctx, uint64_t data);

/* Try to take a PARKED connection for closing (timer, stop). */
int cw_conn_seize(struct mg_connection *c, uint64_t tag);

/* Close an owned connection: callbacks, socket, slot. If graceful, the
 * client's unread input is drained first (lingering close) so that the
 * response just sent is not lost to a reset. */
void cw_conn_close(struct mg_connection *c, int graceful);

/* Lend/return the thread's buffers to a connection it runs. */
int cw_conn_attach(struct mg_connection *c, struct cw_thread *t);
void cw_conn_detach(struct mg_connection *c, struct cw_thread *t);

/* Non-blocking receive: > 0 bytes, 0 EOF, -1 with errno (EAGAIN...). */
ssize_t cw_conn_recv_nb(struct mg_connection *c, void *buf, size_t len);

/* Receive, waiting at most timeout_ms (< 0: forever) for data:
 * > 0 bytes, 0 EOF, -1 error or timeout (errno ETIMEDOUT). */
ssize_t cw_conn_recv(struct mg_connection *c, void *buf, size_t len,
                     int timeout_ms);

/* Send every byte of iov, waiting at most timeout_ms for each stall.
 * 0 on success, -1 on error (the connection is then unusable). */
int cw_conn_sendv(struct mg_connection *c, struct iovec *iov, int iovcnt,
                  int timeout_ms);
int cw_conn_send(struct mg_connection *c, const void *buf, size_t len,
                 int timeout_ms);

/* Wait until fd is ready for events (POLLIN/POLLOUT) or timeout. */
int cw_wait_fd(int fd, short events, int timeout_ms);

/* Format the peer address into ri.remote_addr / remote_port. */
void cw_conn_describe_peer(struct mg_connection *c);

#endif
