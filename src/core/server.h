/* core.h - the library's two central objects, struct mg_context (one
 * server) and struct mg_connection (one client connection), shared by the
 * core modules: pool.c runs threads over them, conn.c moves bytes, request.c
 * and response.c speak HTTP on them, context.c builds and tears them down.
 *
 * The connection model (see docs/design.md): a master thread accepts; every
 * accepted socket is registered, edge-triggered, in one epoll set; pool
 * threads wait on that set and each runs the connection it takes until the
 * connection has no complete request left, then parks it (it stays in the
 * set).
 * A parked connection holds no thread and, when its input buffer is empty,
 * no buffer either. Ownership of a connection changes hands only through a
 * compare-and-swap on its tag (generation and state in one word), so the
 * timer thread that closes idle connections and a pool thread woken for the
 * same connection can never both own it. */
#ifndef CW_CORE_H
#define CW_CORE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "civetweb.h"
#include "http/http_parse.h"
#include "core/options.h"
#include "core/stats.h"

struct cw_handlers;
struct cw_listener;

/* Connection states, in the low byte of mg_connection.tag. */
enum cw_conn_state {
	CW_CONN_FREE = 0,    /* slot unused */
	CW_CONN_PARKED = 1,  /* in the epoll set, owned by no thread */
	CW_CONN_ACTIVE = 2,  /* owned by the thread running it */
	CW_CONN_CLOSING = 3, /* owned by the thread closing it */
	CW_CONN_ARMING = 4,  /* being put into the epoll set: the timer may
	                      * not take it, an event may */
};

#define CW_TAG(gen, state) (((uint64_t)(gen) << 8) | (uint64_t)(state))
#define CW_TAG_GEN(tag)    ((uint32_t)((tag) >> 8))
#define CW_TAG_STATE(tag)  ((int)((tag)&0xff))

/* Where a response stands, for the output path (response.c). */
enum cw_resp_state {
	CW_RESP_NONE = 0, /* nothing written yet */
	CW_RESP_HEAD,     /* head bytes buffered, head not complete */
	CW_RESP_BODY,     /* head sent or held; body bytes may follow */
	CW_RESP_RAW,      /* not a parsable head: bytes pass through */
};

/* Growable byte buffer. */
struct cw_buf {
	char *data;
	size_t len;
	size_t cap;
};

/* What the output path knows about the response being written. */
struct cw_resp {
	int state;           /* enum cw_resp_state */
	int status;          /* status code sent (0 if none yet) */
	long long length;    /* Content-Length, -1 if none */
	long long body_sent; /* body bytes written so far */
	int chunked;         /* Transfer-Encoding: chunked */
	int chunked_api;     /* mg_send_chunk() was used */
	int chunked_done;    /* the last chunk was sent */
	int no_body;         /* HEAD request, or 1xx/204/304 */
	int head_held;       /* complete head waits in out for the body */
	int sealed;          /* the library answered; handler writes fail */
	long long bytes;     /* every byte sent for this response */
	/* mg_response_header_*() state */
	int hdr_building;
	int hdr_count;
};

struct mg_connection {
	struct mg_context *ctx;
	int fd;
	uint32_t slot;            /* index in ctx->conns */
	_Atomic uint64_t tag;     /* CW_TAG(generation, state) */
	_Atomic int64_t deadline; /* ms: when a parked connection expires */
	_Atomic int pending;      /* input arrived while it was ACTIVE */
	int64_t birth_ms;         /* accept time */
	int64_t req_start_ms;     /* first byte of the current request */
	int64_t parked_ms;        /* when it was last parked */
	const struct cw_listener *listener;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	int is_client;   /* made by mg_connect_client() */
	int initialized; /* init_connection has run */
	int lingering;   /* closing: draining client input */
	int timed_out;   /* its request head timed out: send 408 */

	/* Input: rbuf[rpos..rlen) are unread bytes; [0..head_end) the
	 * current request head, which never moves while it is in use. */
	char *rbuf;
	size_t rcap, rpos, rlen, head_end;

	/* The current request. */
	struct mg_request_info ri;
	int client_keep_alive; /* the client allows keep-alive */
	int must_close;        /* close after this response */
	int in_error;          /* guards http_error recursion */
	int log_status;        /* status for the access log, 0: sent */
	int requests;          /* requests served on this connection */

	/* Request body. */
	long long body_left; /* Content-Length bytes not yet read */
	int body_chunked;
	int body_done;
	int continue_pending; /* owe "100 Continue" before reading */
	long long body_read;
	struct cw_chunked chunk;

	/* Response. */
	struct cw_buf *out; /* pending output (thread's buffer) */
	struct cw_resp resp;

	/* Client side (mg_connect_client). */
	struct mg_response_info *resp_info;
	struct cw_buf own_out;

	void *conn_data;      /* mg_set_user_connection_data() */
	pthread_mutex_t lock; /* mg_lock_connection() */
};

/* The ready connections a pool thread took in one epoll_wait and has not
 * run yet (epoll data words; 0 = taken). */
#define CW_BATCH 16
struct cw_batch {
	_Atomic uint64_t ev[CW_BATCH];
} __attribute__((aligned(64)));

struct cw_listener {
	int fd;
	int port; /* actual port (after binding port 0) */
	int is_ssl;
	int is_redirect;
	int protocol;  /* 1 IPv4, 2 IPv6, 3 both */
	int inherited; /* fd handed in by the prefork master */
};

struct mg_context {
	struct mg_callbacks cb;
	void *user_data;
	struct cw_options opt;
	int64_t start_ms;
	time_t start_time;

	struct cw_listener *listeners;
	int num_listeners;
	int listeners_owned; /* close them on stop */

	int epfd;        /* connections, shared by pool threads */
	int accept_epfd; /* listeners, master thread only */
	int wakefd;      /* eventfd in both sets: stop */
	int drainfd;     /* eventfd in accept_epfd: drain */

	pthread_t master_tid;
	pthread_t timer_tid;
	pthread_t *pool_tids;
	pid_t *pool_ktids;        /* kernel thread ids, for the timer */
	struct cw_batch *batches; /* events each pool thread took */
	_Atomic int steal;        /* a stuck runner may hold events */
	int pool_size;
	/* Runners wait on epfd; the other pool threads are spares, asleep on
	 * spare_cond until a runner is stuck in a slow handler (pool.c). */
	int runners_target;
	_Atomic int runners;
	pthread_mutex_t spare_lock;
	pthread_cond_t spare_cond;
	int spare_tokens;
	int spares;
	/* Counters: one block per pool thread (shared memory in a prefork
	 * worker, else owned by the context). */
	struct cw_thread_block *tstats;
	int nblocks;
	int stats_owned;
	struct cw_conn_counters *conns_ctr;
	int conns_owned;

	/* Connection slots: chunks that never move, so a slot pointer stays
	 * valid for the context's life (a stale epoll event can always be
	 * checked against the slot's tag); free slots are a stack. */
	pthread_mutex_t slots_lock;
	struct mg_connection **chunks;
	_Atomic uint32_t nslots;
	uint32_t *free_slots;
	uint32_t nfree;

	struct cw_handlers *handlers;
	pthread_mutex_t user_lock; /* mg_lock_context() */

	_Atomic int stopping;   /* mg_stop() has begun */
	_Atomic int draining;   /* stop accepting, close when idle */
	_Atomic int accepting;  /* master thread is accepting */
	int64_t drain_grace_ms; /* idle time before a drain closes */

	struct cw_log *log;
	/* prefork: does this worker still take its share of connections? */
	int (*accept_ok)(void *arg);
	void *accept_arg;
};

/* Monotonic milliseconds (coarse clock: a vDSO read, no system call). */
int64_t cw_now_ms(void);

/* The calling pool thread's counter block, or NULL off the pool. */
struct cw_thread_block *cw_my_block(const struct mg_context *ctx);

#endif
