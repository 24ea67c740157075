/* pool.h - the threads of a server context: the master thread (type 0)
 * accepts, the pool threads (type 1) run connections that have input, the
 * timer thread (type 2) closes connections whose deadline has passed. */
#ifndef CW_POOL_H
#define CW_POOL_H

#include "core/server.h"

/* Create the epoll sets and start every thread. -1 with a reason. */
int cw_pool_start(struct mg_context *ctx, char *err, size_t errlen);

/* Stop accepting, let requests in flight finish, join every thread and
 * close every remaining connection. */
void cw_pool_stop(struct mg_context *ctx);

/* Begin draining: stop accepting now; keep-alive connections are closed
 * at their next response or once idle for grace_ms. */
void cw_pool_drain(struct mg_context *ctx, int grace_ms);

/* Number of connections still open (parked or active). */
int64_t cw_pool_open_connections(const struct mg_context *ctx);

/* The oldest request still running: the ms (precise clock) it started,
 * and whether every pool thread is running one (no thread is free). */
int64_t cw_pool_oldest_busy(const struct mg_context *ctx, int *all_busy);

/* Requests finished so far. */
uint64_t cw_pool_requests(const struct mg_context *ctx);

/* Milliseconds of the clock busy times are measured with. */
int64_t cw_pool_clock_ms(void);

/* access_control_list: may a client at sa connect? 1, or 0 with the
 * refusal logged as CivetWeb logs it. */
int cw_pool_admits(struct mg_context *ctx, const struct sockaddr *sa);

/* mg_start_thread(): a detached thread. */
int cw_pool_detached_thread(void *(*fn)(void *), void *arg);

#endif
