/* io.h - moving a connection's bytes (net/io.c): through its transport,
 * without waiting or within a pace, counted for the statistics. */
#ifndef CW_NET_IO_H
#define CW_NET_IO_H

#include <sys/uio.h>

#include "core/server.h"
#include "net/transport.h"
#include "util/tbucket.h"

/* What a parked connection, or a wait, waits for. */
#define CW_WANT_READ  1
#define CW_WANT_WRITE 2

/* Without waiting: > 0 bytes, 0 end of input, or a CW_IO_* code. */
ssize_t cw_conn_read(struct mg_connection *c, void *buf, size_t len);
ssize_t cw_conn_writev(struct mg_connection *c, const struct iovec *iov,
                       int iovcnt);
ssize_t cw_conn_sendfile(struct mg_connection *c, int fd, off_t *off,
                         size_t len);

/* cw_conn_writev for bytes the transport may hold until the next write
 * or the close, to go out with them: the last bytes before the connection
 * closes, or a head the file's first bytes follow at once. */
ssize_t cw_conn_writev_last(struct mg_connection *c, const struct iovec *iov,
                            int iovcnt);

/* Without waiting, the connection's unread input first (what the
 * protocol before left in its buffer), then the transport's: as
 * cw_conn_read. */
ssize_t cw_conn_take(struct mg_connection *c, void *buf, size_t len);

/* The socket's own input, under the transport (for what precedes the
 * transport's first byte, net/proxy.c). cw_conn_peek_raw leaves it there:
 * > 0 bytes, 0 end of input, CW_IO_WANT_READ or CW_IO_ERROR.
 * cw_conn_skip_raw takes len bytes that a peek showed (counted as input):
 * 0 or -1. */
ssize_t cw_conn_peek_raw(struct mg_connection *c, void *buf, size_t len);
int cw_conn_skip_raw(struct mg_connection *c, size_t len);

/* The limit of a blocking transfer, which grows with its progress (as
 * Apache's mod_reqtimeout MinRate): no single wait may pass stall_ms, and
 * with a min_rate the whole transfer may take grace_ms plus one second
 * for every min_rate bytes moved. A client slower than that gets its call
 * failed with ETIMEDOUT and is counted in the statistics. */
struct cw_pace {
	int64_t start;   /* ms of the first wait, 0: none yet */
	long long bytes; /* moved since the first wait */
	int stall_ms;    /* longest single wait, < 0: no limit */
	int grace_ms;    /* with min_rate */
	int min_rate;    /* bytes per second, 0: no minimum */
	int failed;      /* a wait timed out: later ones fail at once */
	/* `throttle`: the rate the transfer may not pass (rate 0: none).
	 * Time spent waiting for it does not count against min_rate. */
	struct cw_tbucket limit;
};

/* A pace with these limits and no progress yet. */
void cw_pace_init(struct cw_pace *p, int stall_ms, int grace_ms, int min_rate);

/* The ms by which the next wait must end (INT64_MAX: none). */
int64_t cw_pace_deadline(const struct cw_pace *p, int64_t now);

/* A throttled transfer (pace->limit.rate > 0) on a thread that may
 * block: sleep, in steps of at most 50 ms, until some of want bytes may
 * go, and return how many (> 0). The sleep is taken off the pace's
 * min_rate clock. -1 (errno ECANCELED) when the context stops meanwhile. */
ssize_t cw_conn_throttle_wait(struct mg_connection *c, struct cw_pace *pace,
                              size_t want);

/* Receive, waiting within pace: > 0 bytes, 0 end of input, -1 error or
 * timeout (errno ETIMEDOUT). */
ssize_t cw_conn_recv(struct mg_connection *c, void *buf, size_t len,
                     struct cw_pace *pace);

/* Send every byte, waiting within pace (and at its limit's rate). 0, or -1 (the
 * connection is then unusable). iov is consumed. */
int cw_conn_sendv(struct mg_connection *c, struct iovec *iov, int iovcnt,
                  struct cw_pace *pace);
int cw_conn_send(struct mg_connection *c, const void *buf, size_t len,
                 struct cw_pace *pace);

/* Send len bytes of file fd from off, waiting within pace; a transport
 * that cannot send files gets them copied. 0 or -1. */
int cw_conn_send_file(struct mg_connection *c, int fd, off_t off, long long len,
                      struct cw_pace *pace);

/* Wait until the socket is ready for want (CW_WANT_*), within pace. */
int cw_conn_wait(struct mg_connection *c, int want, struct cw_pace *pace);

#endif
