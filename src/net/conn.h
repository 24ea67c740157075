/* conn.h - connections: their slots, who owns them, parking them in the
 * epoll set in their protocol, closing them, their input buffer, and every
 * byte they send or receive (through their transport), with a bound on
 * every wait.
 *
 * With net/io.h (moving the bytes), the only place of the library that
 * touches a connection's socket. */
#ifndef CW_NET_CONN_H
#define CW_NET_CONN_H

#include <sys/uio.h>

#include "core/server.h"
#include "net/io.h"
#include "net/proto.h"
#include "net/transport.h"

/* ---- slots and ownership ------------------------------------------------ */

/* The slot table of a context. 0 or -1 (out of memory). */
int cw_conns_init(struct mg_context *ctx);
void cw_conns_free(struct mg_context *ctx);

/* A connection for an accepted socket, ACTIVE and owned by the caller, in
 * protocol proto over transport xprt; NULL on exhaustion (fd is then
 * closed). The connection owns fd from here on. */
struct mg_connection *
cw_conn_new(struct mg_context *ctx, int fd, const struct cw_listener *l,
            const struct sockaddr *peer, socklen_t peer_len,
            const struct cw_transport *xprt, const struct cw_protocol *proto);

/* The same for a client connection (mg_connect_client): not in a slot;
 * calloc'ed, freed by cw_conn_free_client(); NULL when out of memory (fd
 * is then closed). */
struct mg_connection *cw_conn_new_client(struct mg_context *ctx, int fd,
                                         const struct sockaddr *peer,
                                         socklen_t peer_len);
void cw_conn_free_client(struct mg_connection *c);

uint32_t cw_conns_count(const struct mg_context *ctx);
struct mg_connection *cw_conn_at(const struct mg_context *ctx, uint32_t slot);

/* Connections open now, and ever accepted. */
int64_t cw_conns_open(const struct mg_context *ctx);

/* Give up an owned connection until it is ready for want (CW_WANT_*) or
 * until deadline (ms), when its protocol's expire runs. Returns 0: parked,
 * the caller must not touch it any more; 1: an event (input, or output
 * posted by another thread) came meanwhile and the caller still owns it;
 * -1: it could not be registered (the caller still owns it and should
 * close it). Costs no system call unless want changes; a new connection
 * is registered in the epoll set the first time it parks. A connection
 * that wants input while its transport holds some is not parked (1). */
int cw_conn_park(struct mg_connection *c, int want, int64_t deadline);

/* Park an owned connection from a thread that must not run it (the
 * timer): it is registered anew, so whatever is ready now (input, the
 * writability a 408 waits for) wakes a pool thread at once. Closes the
 * connection if it cannot be registered. */
void cw_conn_release(struct mg_connection *c, int want, int64_t deadline);

/* The word that names the connection in epoll events and to
 * cw_conn_claim (its generation and slot). */
uint64_t cw_conn_word(const struct mg_connection *c);

/* Give up an owned connection that is not registered in the epoll set
 * (a new one): it is PARKED, with a deadline, and only a claim with its
 * word (which the caller keeps somewhere another thread can find it)
 * takes it. */
void cw_conn_hold(struct mg_connection *c, int64_t deadline);

/* Turn epoll event data into an owned (ACTIVE) connection, or NULL if the
 * event is stale (the connection was closed or reused meanwhile) or the
 * connection is owned by another thread (which is told to look again). */
struct mg_connection *cw_conn_claim(struct mg_context *ctx, uint64_t data);

/* Take a PARKED connection whose tag is tag, for the timer or for stop:
 * 1 if taken (it is then CLOSING and owned by the caller), else 0. */
int cw_conn_seize(struct mg_connection *c, uint64_t tag);

/* Run c in protocol p from now on (the one place a protocol changes). */
void cw_conn_switch(struct mg_connection *c, const struct cw_protocol *p);

/* Close an owned connection now: the protocol's release, the
 * connection_close/connection_closed callbacks, the transport, the
 * socket, the slot. */
void cw_conn_close(struct mg_connection *c);

/* ---- input --------------------------------------------------------------- */

/* Give the connection an input buffer (the thread's spare, or a new one)
 * of max_request_size bytes if it has none. 0 or -1. */
int cw_conn_input_attach(struct mg_connection *c, struct cw_thread *t);

/* Give an empty input buffer back to the thread (an idle connection
 * keeps none); a buffer with unread bytes stays. */
void cw_conn_input_detach(struct mg_connection *c, struct cw_thread *t);

/* Make the input buffer hold at least cap bytes (keeping its contents).
 * 0 or -1. */
int cw_conn_input_reserve(struct mg_connection *c, size_t cap);

/* Is input waiting: unread in the buffer, held by the transport, or
 * arrived on the socket? (The last costs a system call.) */
int cw_conn_input_waiting(const struct mg_connection *c);

/* Queue output for the connection from any thread (the connection lock is
 * taken): a pool thread is woken to write it out, before it runs the
 * connection's protocol again, in whatever protocol it is parked. At most
 * max bytes may wait: -1 (nothing queued) beyond that, or when out of
 * memory. 0 on success. */
int cw_conn_post(struct mg_connection *c, const void *data, size_t len,
                 size_t max);

/* cw_conn_post for a message in pieces: posted whole, never interleaved
 * with another thread's. */
int cw_conn_postv(struct mg_connection *c, const struct iovec *iov, int n,
                  size_t max);

/* From any thread: the connection is to end whatever its socket's state
 * (a writer gave up on a peer that does not read, so writability may
 * never come): a parked one goes to its protocol's expire at the timer's
 * next tick, a running one sees pending work when it parks. */
void cw_conn_post_expire(struct mg_connection *c);

/* Send from the thread that runs the connection, without waiting: what
 * the socket does not take now is queued behind the posted output (at
 * most max bytes may wait in all) and goes out, in order, when the
 * connection parks and the socket takes it. Up to CW_SEND_QUEUED_IOV
 * pieces. 0, or -1 (the queue would pass max, or the connection failed:
 * close it). */
#define CW_SEND_QUEUED_IOV 4
int cw_conn_send_queued(struct mg_connection *c, const struct iovec *iov, int n,
                        size_t max);

/* Write out what other threads posted, without waiting. 0: all written
 * (or none was waiting), 1: some must wait for writability, -1: error. */
int cw_conn_flush_posted(struct mg_connection *c);

/* The peer's address as text, and its port. */
void cw_conn_peer_text(const struct mg_connection *c, char *buf, size_t len,
                       int *port);

/* The local address the connection arrived on. 0 or -1. */
int cw_conn_local_addr(const struct mg_connection *c, union cw_sockaddr *a);

#endif
