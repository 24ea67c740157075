/* server.h - the library's central objects: struct mg_context (one server),
 * struct mg_connection (one client connection) and struct cw_thread (a
 * thread of the library). Every layer sees them; each layer owns its own
 * part and reaches the parts of the layers above only through opaque
 * pointers and operation tables:
 *
 *   api     mg_start/mg_stop build and tear a context down
 *   files   the document root; registered as the context's fallbacks
 *   http    HTTP/1: requests (struct cw_exchange, lent per request),
 *           responses, bodies, the client side
 *   net     sockets, transports (c->xprt), the slot table, the threads,
 *           the connection's protocol (c->proto)
 *   core    options, logging, handler registry, statistics
 *   util    text and byte helpers
 *
 * A connection holds only what an idle socket needs (slot, ownership tag,
 * deadline, transport, protocol, peer, unread input, user data): the state
 * of a running request is an exchange the running thread lends it and takes
 * back when the connection parks, so an idle keep-alive connection costs a
 * few hundred bytes and no thread. */
#ifndef CW_CORE_SERVER_H
#define CW_CORE_SERVER_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include "civetweb.h"
#include "core/options.h"
#include "core/stats.h"

struct cw_handlers;
struct cw_listener;
struct cw_log;
struct cw_slots;
struct cw_pool;
struct cw_transport;
struct cw_protocol;
struct cw_exchange;
struct cw_posted;
struct cw_ticket_keys;
struct cw_nonces;
struct cw_domain;

/* Connection states, in the low byte of mg_connection.tag. Ownership of a
 * connection changes hands only through a compare-and-swap on the tag
 * (net/conn.c explains the protocol). */
enum cw_conn_state {
	CW_CONN_FREE = 0,    /* slot unused */
	CW_CONN_PARKED = 1,  /* in the epoll set, owned by no thread */
	CW_CONN_ACTIVE = 2,  /* owned by the thread running it */
	CW_CONN_CLOSING = 3, /* owned by the timer or the closing thread */
	CW_CONN_ARMING = 4,  /* its registration is being changed: the timer
	                      * may not take it, an event may */
};

#define CW_TAG(gen, state) (((uint64_t)(gen) << 8) | (uint64_t)(state))
#define CW_TAG_GEN(tag)    ((uint32_t)((tag) >> 8))
#define CW_TAG_STATE(tag)  ((int)((tag)&0xff))

/* A peer address (IPv4 or IPv6), without sockaddr_storage's 128 bytes. */
union cw_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

struct mg_connection {
	struct mg_context *ctx;
	const struct cw_transport *xprt;  /* how bytes move (net/transport.h) */
	void *xprt_data;                  /* the transport's state, or NULL */
	const struct cw_protocol *proto;  /* what a ready connection runs */
	struct cw_exchange *x;            /* the request running, lent */
	void *proto_data;                 /* the protocol's state (WebSocket) */
	const struct mg_request_info *ri; /* x's request info, or NULL */
	int fd;
	uint32_t slot;            /* index in the slot table */
	_Atomic uint64_t tag;     /* CW_TAG(generation, state) */
	_Atomic int64_t deadline; /* ms: when a parked connection expires */
	_Atomic int64_t parked;   /* ms: when it was last parked */
	_Atomic int pending;      /* events that came while it was owned */
	uint32_t events;          /* epoll events it is registered for */
	int64_t input_ms;         /* first byte of the unread input */
	const struct cw_listener *listener;
	union cw_sockaddr peer;
	/* Unread input: rbuf[rpos..rlen). No buffer while idle. */
	char *rbuf;
	uint32_t rcap, rpos, rlen;
	uint32_t requests;        /* requests begun on this connection */
	unsigned is_client : 1;   /* made by mg_connect_client() */
	unsigned initialized : 1; /* init_connection has run */
	unsigned closing : 1;     /* write side shut, draining input */
	void *conn_data;          /* mg_set_user_connection_data() */
	struct cw_posted *_Atomic posted; /* output other threads posted */
	_Atomic int arming;               /* inside epoll_ctl for it (conn.c) */
	pthread_mutex_t lock;             /* mg_lock_connection(); recursive */
	/* A client connection's extra state and its teardown, which
	 * mg_close_connection runs first (the WebSocket client's reader,
	 * http/ws_client.c): 0 lets it free the connection, 1 means the
	 * teardown frees it later. NULL on other connections. */
	void *client_ext;
	int (*client_teardown)(struct mg_connection *c);
};

/* What the layers above http provide to it (the files layer registers the
 * document root and the error pages when a context starts). */
enum cw_auth_to {
	CW_AUTH_TO_FILES,            /* the document root */
	CW_AUTH_TO_HANDLER,          /* a request handler */
	CW_AUTH_FILES_AFTER_HANDLER, /* the files, after a handler declined */
};

struct cw_fallbacks {
	/* Answer a request no handler took. */
	void (*serve)(struct mg_connection *c);
	/* May the request go on (protect_uri, global_auth_file,
	 * .htpasswd, put_delete_auth_file)? 1 yes, 0 no: a 401 was sent.
	 * to: enum cw_auth_to, who is to answer it. */
	int (*authorize)(struct mg_connection *c, int to);
	/* Send the error_pages page for status; 1 if one was sent. */
	int (*error_page)(struct mg_connection *c, int status,
	                  const char *extra);
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
	void *ssl_ctx;       /* SSL_CTX of the TLS ports (net/tls.h), or NULL */
	/* Session ticket keys: the prefork master's (shared), the context's
	 * own (ssl_ticket_key_file), or NULL: OpenSSL's. */
	const struct cw_ticket_keys *ticket_keys;
	struct cw_ticket_keys *own_ticket_keys;
	/* Digest nonces (core/nonces.h): the master's, shared by its
	 * workers, or the context's own (nonces_owned). */
	struct cw_nonces *nonces;
	int nonces_owned;
	/* Extra domains (core/domain.h): appended under domain_lock. */
	struct cw_domain *_Atomic domains;
	int num_domains;
	pthread_mutex_t domain_lock;
	/* The protocol a new server connection starts in (http/http1.c). */
	const struct cw_protocol *first_proto;
	struct cw_fallbacks fallbacks;
	/* The files layer's caches, shared by the context's threads: open
	 * files (files/fcache.h) and compressed copies (files/zcache.h). */
	struct cw_fcache *file_cache;
	struct cw_zcache *zcache;

	int epfd;               /* connections, shared by the pool threads */
	struct cw_pool *pool;   /* the threads (net/pool.c) */
	struct cw_slots *slots; /* the connection slots (net/conn.c) */

	/* Counters: one block per pool thread (shared memory in a prefork
	 * worker, else owned by the context). */
	struct cw_thread_block *tstats;
	int nblocks;
	int stats_owned;
	struct cw_conn_counters *conns_ctr;
	int conns_owned;

	struct cw_handlers *handlers;
	pthread_mutex_t user_lock; /* mg_lock_context() */

	_Atomic int stopping;  /* mg_stop() has begun */
	_Atomic int draining;  /* stop accepting, close when idle */
	_Atomic int accepting; /* the master thread is accepting */

	struct cw_log *log;
	/* prefork: does this worker still take its share of connections? */
	int (*accept_ok)(void *arg);
	void *accept_arg;
	int runners_target; /* pool threads waiting for events, 0: CPUs */
};

/* A thread of the library: a pool thread, the master or timer thread, or
 * an application thread running a client connection. */
struct cw_thread {
	struct mg_context *ctx;
	int index;      /* pool index, -1 for other threads */
	int type;       /* init_thread: 0 master, 1 pool, 2 timer */
	void *user_ptr; /* what init_thread returned */
	struct cw_thread_block *stats; /* its counter block, or NULL */
	char *spare_rbuf; /* an input buffer for the next connection */
	struct cw_exchange *spare_x; /* an exchange for the next request */
	/* How spare_x is freed when the thread ends (set by its owner). */
	void (*spare_x_free)(struct cw_exchange *x);
};

/* The calling thread's cw_thread, or NULL. */
struct cw_thread *cw_thread_self(void);
void cw_thread_set_self(struct cw_thread *t);

/* The calling thread's counter block if it is a pool thread of ctx, else
 * NULL. */
struct cw_thread_block *cw_thread_stats(const struct mg_context *ctx);

#endif
