/* conn.c - connection slots, ownership, parking, and byte I/O.
 *
 * A connection object lives in a slot for the whole life of the context and
 * is reused; its tag (generation << 8 | state) changes on every hand-over.
 * Epoll events carry (generation << 32 | slot + 1), so an event that arrives
 * after the connection was closed, or closed and reused, fails the
 * compare-and-swap in cw_conn_claim() and is dropped. That is what lets
 * the timer thread close idle connections without any lock on the request
 * path.
 *
 * Parking costs no system call: the socket stays registered,
 * edge-triggered, from accept to close, and only a change of what it
 * waits for (input, writability) re-registers it. An event that arrives
 * while the connection is owned wakes a pool thread whose claim fails; that
 * thread raises c->pending. The owner parks by publishing PARKED and then
 * reading pending: both sides write before they read (sequentially
 * consistent), so either the owner sees the event and keeps the
 * connection, or the other thread sees PARKED and takes it. Threads that
 * post output to a connection they do not own (cw_conn_post) use the same
 * counter. */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/log.h"
#include "net/conn.h"
#include "util/buf.h"
#include "util/clock.h"

#define SLOT_CHUNK  256u
#define SLOT_CHUNKS 4096u /* up to 1M connections per context */

/* Output posted by threads that do not own the connection (under its
 * lock); n mirrors buf.len for a lock-free look at park time. */
struct cw_posted {
	struct cw_buf buf;
	_Atomic size_t n;
};

struct cw_slots {
	pthread_mutex_t lock;
	struct mg_connection *chunks[SLOT_CHUNKS];
	_Atomic uint32_t n; /* slots ever made */
	uint32_t *free;     /* stack of free slot numbers */
	uint32_t nfree;
	pthread_mutexattr_t conn_lock_attr; /* recursive, as CivetWeb's */
};

static struct cw_posted *posted_of(const struct mg_connection *c);

/* ---- slots --------------------------------------------------------------- */

int cw_conns_init(struct mg_context *ctx)
{
	struct cw_slots *s = calloc(1, sizeof *s);

	if (s == NULL)
		return -1;
	if (pthread_mutex_init(&s->lock, NULL) != 0) {
		free(s);
		return -1;
	}
	pthread_mutexattr_init(&s->conn_lock_attr);
	pthread_mutexattr_settype(&s->conn_lock_attr, PTHREAD_MUTEX_RECURSIVE);
	ctx->slots = s;
	return 0;
}

void cw_conns_free(struct mg_context *ctx)
{
	struct cw_slots *s = ctx->slots;
	uint32_t n;

	if (s == NULL)
		return;
	n = atomic_load(&s->n);
	for (uint32_t i = 0; i < n; i++) {
		struct mg_connection *c = cw_conn_at(ctx, i);

		pthread_mutex_destroy(&c->lock);
		free(c->rbuf);
		if (posted_of(c) != NULL)
			cw_buf_free(&posted_of(c)->buf);
		free(posted_of(c));
	}
	for (uint32_t i = 0; i < SLOT_CHUNKS; i++)
		free(s->chunks[i]);
	free(s->free);
	pthread_mutexattr_destroy(&s->conn_lock_attr);
	pthread_mutex_destroy(&s->lock);
	free(s);
	ctx->slots = NULL;
}

uint32_t cw_conns_count(const struct mg_context *ctx)
{
	return atomic_load_explicit(&ctx->slots->n, memory_order_acquire);
}

struct mg_connection *cw_conn_at(const struct mg_context *ctx, uint32_t slot)
{
	return &ctx->slots->chunks[slot / SLOT_CHUNK][slot % SLOT_CHUNK];
}

int64_t cw_conns_open(const struct mg_context *ctx)
{
	return atomic_load(&ctx->conns_ctr->open);
}

/* A never-used slot: grow the table by one (a new chunk every 256). Both
 * allocations a new chunk needs are made before either is kept. */
static struct mg_connection *grow_slot(struct cw_slots *s)
{
	uint32_t n = atomic_load(&s->n);
	struct mg_connection *c;

	if (n >= SLOT_CHUNK * SLOT_CHUNKS)
		return NULL;
	if (n % SLOT_CHUNK == 0) {
		struct mg_connection *chunk = calloc(SLOT_CHUNK, sizeof *chunk);
		uint32_t *nf =
		    chunk == NULL
		        ? NULL
		        : realloc(s->free, (n + SLOT_CHUNK) * sizeof *s->free);

		if (nf == NULL) {
			free(chunk);
			return NULL;
		}
		s->free = nf;
		s->chunks[n / SLOT_CHUNK] = chunk;
	}
	c = &s->chunks[n / SLOT_CHUNK][n % SLOT_CHUNK];
	c->slot = n;
	pthread_mutex_init(&c->lock, &s->conn_lock_attr);
	atomic_init(&c->tag, CW_TAG(0, CW_CONN_FREE));
	atomic_store_explicit(&s->n, n + 1, memory_order_release);
	return c;
}

static struct mg_connection *alloc_slot(struct cw_slots *s)
{
	struct mg_connection *c;

	pthread_mutex_lock(&s->lock);
	if (s->nfree > 0) {
		uint32_t i = s->free[--s->nfree];

		c = &s->chunks[i / SLOT_CHUNK][i % SLOT_CHUNK];
	} else {
		c = grow_slot(s);
	}
	pthread_mutex_unlock(&s->lock);
	return c;
}

static void free_slot(struct mg_connection *c)
{
	struct cw_slots *s = c->ctx->slots;
	uint64_t tag = atomic_load(&c->tag);

	atomic_store_explicit(&c->tag,
	                      CW_TAG(CW_TAG_GEN(tag) + 1, CW_CONN_FREE),
	                      memory_order_release);
	pthread_mutex_lock(&s->lock);
	s->free[s->nfree++] = c->slot;
	pthread_mutex_unlock(&s->lock);
}

/* Everything but the slot's identity (slot, tag, lock) starts afresh. */
static void reset(struct mg_connection *c, struct mg_context *ctx, int fd,
                  const struct sockaddr *peer, socklen_t peer_len)
{
	c->ctx = ctx;
	c->fd = fd;
	c->xprt = NULL;
	c->xprt_data = NULL;
	c->proto = NULL;
	c->x = NULL;
	c->ri = NULL;
	atomic_store_explicit(&c->pending, 0, memory_order_relaxed);
	c->events = 0;
	c->input_ms = 0;
	c->listener = NULL;
	memset(&c->peer, 0, sizeof c->peer);
	if (peer != NULL && peer_len <= sizeof c->peer)
		memcpy(&c->peer, peer, peer_len);
	c->rpos = c->rlen = 0;
	c->requests = 0;
	c->is_client = 0;
	c->initialized = 0;
	c->closing = 0;
	c->conn_data = NULL;
}

struct mg_connection *
cw_conn_new(struct mg_context *ctx, int fd, const struct cw_listener *l,
            const struct sockaddr *peer, socklen_t peer_len,
            const struct cw_transport *xprt, const struct cw_protocol *proto)
{
	struct mg_connection *c = alloc_slot(ctx->slots);
	uint64_t tag;
	int64_t open;

	if (c == NULL) {
		close(fd);
		return NULL;
	}
	tag = atomic_load(&c->tag);
	reset(c, ctx, fd, peer, peer_len);
	c->listener = l;
	c->xprt = xprt;
	c->proto = proto;
	atomic_store(&c->tag, CW_TAG(CW_TAG_GEN(tag), CW_CONN_ACTIVE));
	open = atomic_fetch_add(&ctx->conns_ctr->open, 1) + 1;
	if (open > atomic_load(&ctx->conns_ctr->max_open))
		atomic_store(&ctx->conns_ctr->max_open, open);
	atomic_fetch_add(&ctx->conns_ctr->accepted, 1);
	if (xprt->open != NULL && xprt->open(c) != 0) {
		cw_conn_close(c);
		return NULL;
	}
	return c;
}

struct mg_connection *cw_conn_new_client(struct mg_context *ctx, int fd,
                                         const struct sockaddr *peer,
                                         socklen_t peer_len)
{
	struct mg_connection *c = calloc(1, sizeof *c);
	pthread_mutexattr_t a;

	if (c == NULL) {
		close(fd);
		return NULL;
	}
	reset(c, ctx, fd, peer, peer_len);
	c->is_client = 1;
	c->xprt = cw_transport_plain();
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&c->lock, &a);
	pthread_mutexattr_destroy(&a);
	if (c->xprt->open != NULL && c->xprt->open(c) != 0) {
		pthread_mutex_destroy(&c->lock);
		close(fd);
		free(c);
		return NULL;
	}
	return c;
}

void cw_conn_free_client(struct mg_connection *c)
{
	if (c->xprt->close != NULL)
		c->xprt->close(c);
	if (c->fd >= 0)
		close(c->fd);
	free(c->rbuf);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* ---- parking ------------------------------------------------------------- */

static uint32_t events_of(int want)
{
	uint32_t ev = EPOLLRDHUP;

	if (want & CW_WANT_READ)
		ev |= EPOLLIN;
	if (want & CW_WANT_WRITE)
		ev |= EPOLLOUT;
	return ev;
}

static int epoll_arm(struct mg_connection *c, int op, uint32_t gen,
                     uint32_t events)
{
	struct epoll_event ev;

	ev.events = events | EPOLLET;
	/* slot + 1: an event word is never 0, which marks a taken entry
	 * (cw_conn_word makes the same word) */
	ev.data.u64 = ((uint64_t)gen << 32) | (c->slot + 1);
	return epoll_ctl(c->ctx->epfd, op, c->fd, &ev);
}

static void set_deadline(struct mg_connection *c, int64_t deadline)
{
	atomic_store_explicit(&c->parked, cw_now_ms(), memory_order_relaxed);
	atomic_store_explicit(&c->deadline, deadline, memory_order_relaxed);
}

/* PARKED was just published: take the connection back if an event came
 * meanwhile. 1 if taken back (pending is then cleared), else 0. */
static int take_back(struct mg_connection *c, uint32_t gen)
{
	uint64_t expect = CW_TAG(gen, CW_CONN_PARKED);

	if (atomic_load(&c->pending) == 0)
		return 0;
	if (!atomic_compare_exchange_strong(&c->tag, &expect,
	                                    CW_TAG(gen, CW_CONN_ACTIVE)))
		return 0;
	atomic_store(&c->pending, 0);
	return 1;
}

/* (Re-)register an owned connection. It is ARMING while epoll_ctl runs:
 * the timer cannot close it under us (so the fd we pass cannot have been
 * closed and reused), but a pool thread woken by the registration can
 * already claim it. Then ARMING becomes PARKED, unless a pool thread took
 * it meanwhile. 0, 1 (taken back: an event came), or -1 (not registered,
 * still ours). */
static int arm(struct mg_connection *c, int op, uint32_t events,
               int64_t deadline)
{
	uint32_t gen = CW_TAG_GEN(atomic_load(&c->tag));
	uint64_t expect = CW_TAG(gen, CW_CONN_ARMING);

	int r;

	set_deadline(c, deadline);
	c->events = events;
	atomic_store(&c->arming, 1);
	atomic_store_explicit(&c->tag, expect, memory_order_release);
	r = epoll_arm(c, op, gen, events);
	/* a thread that claimed it meanwhile may close it only from now on
	 * (cw_conn_close waits): the fd we passed was still its fd */
	atomic_store(&c->arming, 0);
	if (r != 0) {
		/* the old registration stands; ours again unless claimed */
		return atomic_compare_exchange_strong(
		           &c->tag, &expect, CW_TAG(gen, CW_CONN_ACTIVE))
		           ? -1
		           : 0;
	}
	if (!atomic_compare_exchange_strong(&c->tag, &expect,
	                                    CW_TAG(gen, CW_CONN_PARKED)))
		return 0;
	return take_back(c, gen);
}

static size_t posted_bytes(const struct mg_connection *c);

/* The events a connection that waits for want must be registered for:
 * those, and writability while output others posted is still to go.
 * -1 if that output cannot be written. */
static int needed_events(struct mg_connection *c, int want, uint32_t *events)
{
	*events = events_of(want);
	if (posted_bytes(c) > 0) {
		int r = cw_conn_flush_posted(c);

		if (r < 0)
			return -1;
		if (r == 1)
			*events |= EPOLLOUT;
	}
	return 0;
}

int cw_conn_park(struct mg_connection *c, int want, int64_t deadline)
{
	uint32_t events, gen;

	/* input the transport holds would never wake it: run on */
	if ((want & CW_WANT_READ) && c->xprt->has_buffered_input(c))
		return 1;
	if (needed_events(c, want, &events) != 0)
		return -1;
	/* A connection is registered the first time it has to wait, and
	 * again only for an event it is not registered for yet: one that
	 * waited for writability (a file going out) stays registered for
	 * both, which costs nothing (edge-triggered, writability is only
	 * reported after a write found the socket full). */
	if ((events & ~c->events) != 0)
		return arm(c, c->events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD,
		           c->events | events, deadline);
	gen = CW_TAG_GEN(atomic_load(&c->tag));
	set_deadline(c, deadline);
	atomic_store(&c->tag, CW_TAG(gen, CW_CONN_PARKED));
	return take_back(c, gen);
}

uint64_t cw_conn_word(const struct mg_connection *c)
{
	return ((uint64_t)CW_TAG_GEN(atomic_load(&c->tag)) << 32) |
	       (c->slot + 1);
}

void cw_conn_hold(struct mg_connection *c, int64_t deadline)
{
	set_deadline(c, deadline);
	atomic_store(&c->tag,
	             CW_TAG(CW_TAG_GEN(atomic_load(&c->tag)), CW_CONN_PARKED));
}

void cw_conn_release(struct mg_connection *c, int want, int64_t deadline)
{
	uint32_t events;
	int r;

	if (needed_events(c, want, &events) != 0) {
		cw_conn_close(c);
		return;
	}
	/* Registering anew reports whatever is ready now to a pool thread;
	 * input held by the transport, which the socket does not show, is
	 * reported through writability. */
	if ((want & CW_WANT_READ) && c->xprt->has_buffered_input(c))
		events |= EPOLLOUT;
	do
		r = arm(c, c->events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD,
		        c->events | events, deadline);
	while (r == 1);
	if (r < 0)
		cw_conn_close(c);
}

struct mg_connection *cw_conn_claim(struct mg_context *ctx, uint64_t data)
{
	uint32_t slot = (uint32_t)data - 1, gen = (uint32_t)(data >> 32);
	uint64_t expect = CW_TAG(gen, CW_CONN_PARKED);
	struct mg_connection *c;

	if (slot >= cw_conns_count(ctx))
		return NULL;
	c = cw_conn_at(ctx, slot);
	if (atomic_compare_exchange_strong(&c->tag, &expect,
	                                   CW_TAG(gen, CW_CONN_ACTIVE)))
		goto won;
	/* woken while its registration is still being made */
	expect = CW_TAG(gen, CW_CONN_ARMING);
	if (atomic_compare_exchange_strong(&c->tag, &expect,
	                                   CW_TAG(gen, CW_CONN_ACTIVE)))
		goto won;
	if (CW_TAG_GEN(expect) != gen)
		return NULL; /* stale: closed, perhaps reused */
	/* someone owns it: tell the owner an event came, then look again */
	atomic_fetch_add(&c->pending, 1);
	expect = CW_TAG(gen, CW_CONN_PARKED);
	if (!atomic_compare_exchange_strong(&c->tag, &expect,
	                                    CW_TAG(gen, CW_CONN_ACTIVE)))
		return NULL;
won:
	/* whatever it reads or writes from now on covers the events so far */
	atomic_store(&c->pending, 0);
	return c;
}

int cw_conn_seize(struct mg_connection *c, uint64_t tag)
{
	uint64_t expect = tag;

	if (CW_TAG_STATE(tag) != CW_CONN_PARKED)
		return 0;
	return atomic_compare_exchange_strong_explicit(
	    &c->tag, &expect, CW_TAG(CW_TAG_GEN(tag), CW_CONN_CLOSING),
	    memory_order_acquire, memory_order_relaxed);
}

void cw_conn_switch(struct mg_connection *c, const struct cw_protocol *p)
{
	c->proto = p;
}

/* ---- closing ------------------------------------------------------------- */

static void notify(struct mg_connection *c,
                   void (*cb)(const struct mg_connection *))
{
	struct mg_context *ctx = c->ctx;

	if (!c->initialized || cb == NULL)
		return;
	/* documented: called with the context mutex held */
	pthread_mutex_lock(&ctx->user_lock);
	cb(c);
	pthread_mutex_unlock(&ctx->user_lock);
}

static void apply_linger(struct mg_connection *c)
{
	int ms = c->ctx->opt.linger_timeout_ms;
	struct linger l;

	if (ms < -1)
		return;
	l.l_onoff = ms >= 0;
	l.l_linger = ms > 0 ? (ms + 999) / 1000 : 0;
	setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

void cw_conn_close(struct mg_connection *c)
{
	struct mg_context *ctx = c->ctx;

	if (c->proto != NULL && c->proto->release != NULL)
		c->proto->release(c);
	c->proto = NULL;
	notify(c, ctx->cb.connection_close);
	if (c->xprt != NULL && c->xprt->close != NULL)
		c->xprt->close(c);
	if (!c->closing)
		apply_linger(c);
	/* close() takes the fd out of the epoll set; never while another
	 * thread is still in epoll_ctl with it (arm) */
	while (atomic_load(&c->arming))
		sched_yield();
	close(c->fd);
	c->fd = -1;
	notify(c, ctx->cb.connection_closed);
	c->rpos = c->rlen = 0;
	cw_conn_input_detach(c, cw_thread_self());
	free(c->rbuf);
	c->rbuf = NULL;
	c->rcap = 0;
	if (posted_of(c) != NULL) {
		pthread_mutex_lock(&c->lock);
		cw_buf_free(&posted_of(c)->buf);
		atomic_store(&posted_of(c)->n, 0);
		pthread_mutex_unlock(&c->lock);
	}
	atomic_fetch_sub(&ctx->conns_ctr->open, 1);
	free_slot(c);
}

/* ---- input --------------------------------------------------------------- */

int cw_conn_input_attach(struct mg_connection *c, struct cw_thread *t)
{
	size_t need = c->ctx->opt.max_request_size + 1;

	if (c->rbuf != NULL)
		return 0;
	if (t != NULL && t->spare_rbuf != NULL) {
		c->rbuf = t->spare_rbuf;
		t->spare_rbuf = NULL;
	} else {
		c->rbuf = malloc(need);
		if (c->rbuf == NULL)
			return -1;
	}
	c->rcap = (uint32_t)(need - 1); /* one byte kept for a NUL */
	c->rpos = c->rlen = 0;
	return 0;
}

void cw_conn_input_detach(struct mg_connection *c, struct cw_thread *t)
{
	if (c->rbuf == NULL || c->rpos != c->rlen)
		return;
	/* only buffers of the standard size are kept for reuse */
	if (t != NULL && t->ctx == c->ctx && t->spare_rbuf == NULL &&
	    c->rcap == c->ctx->opt.max_request_size)
		t->spare_rbuf = c->rbuf;
	else
		free(c->rbuf);
	c->rbuf = NULL;
	c->rcap = c->rpos = c->rlen = 0;
}

int cw_conn_input_reserve(struct mg_connection *c, size_t cap)
{
	char *p;

	if (cap <= c->rcap)
		return 0;
	if (cap > UINT32_MAX - 1)
		return -1;
	p = realloc(c->rbuf, cap + 1);
	if (p == NULL)
		return -1;
	c->rbuf = p;
	c->rcap = (uint32_t)cap;
	return 0;
}

int cw_conn_input_waiting(const struct mg_connection *c)
{
	int avail = 0;

	return c->rpos != c->rlen || c->xprt->has_buffered_input(c) ||
	       (ioctl(c->fd, FIONREAD, &avail) == 0 && avail > 0);
}

/* ---- output from other threads ------------------------------------------ */

/* The connection's posted output, made on the first post (and kept for
 * the slot's life); NULL if none was ever posted. */
static struct cw_posted *posted_of(const struct mg_connection *c)
{
	return atomic_load_explicit(&((struct mg_connection *)c)->posted,
	                            memory_order_acquire);
}

static size_t posted_bytes(const struct mg_connection *c)
{
	struct cw_posted *p = posted_of(c);

	return p == NULL ? 0
	                 : atomic_load_explicit(&p->n, memory_order_acquire);
}

static size_t iov_total(const struct iovec *iov, int n)
{
	size_t total = 0;

	for (int i = 0; i < n; i++)
		total += iov[i].iov_len;
	return total;
}

/* Queue iov[0..n) whole behind what is posted (the caller may hold the
 * connection lock: it is recursive). */
static int append_posted(struct mg_connection *c, const struct iovec *iov,
                         int n, size_t max)
{
	struct cw_posted *p;
	size_t len = iov_total(iov, n);
	int r = -1;

	pthread_mutex_lock(&c->lock);
	p = posted_of(c);
	if (p == NULL && (p = calloc(1, sizeof *p)) != NULL)
		atomic_store_explicit(&c->posted, p, memory_order_release);
	if (p != NULL && p->buf.len + len <= max &&
	    cw_buf_reserve(&p->buf, len, max) == 0) {
		for (int i = 0; i < n; i++) {
			memcpy(p->buf.data + p->buf.len, iov[i].iov_base,
			       iov[i].iov_len);
			p->buf.len += iov[i].iov_len;
		}
		atomic_store_explicit(&p->n, p->buf.len, memory_order_release);
		r = 0;
	}
	pthread_mutex_unlock(&c->lock);
	return r;
}

int cw_conn_post(struct mg_connection *c, const void *data, size_t len,
                 size_t max)
{
	struct iovec iov = {(void *)data, len};

	return cw_conn_postv(c, &iov, 1, max);
}

int cw_conn_postv(struct mg_connection *c, const struct iovec *iov, int n,
                  size_t max)
{
	uint32_t gen;
	uint64_t expect;
	int r;

	if (append_posted(c, iov, n, max) != 0)
		return -1;
	/* the owner, if any, sees this when it parks; a parked connection
	 * is taken here and handed to a pool thread by registering it for
	 * writability, which reports at once */
	atomic_fetch_add(&c->pending, 1);
	gen = CW_TAG_GEN(atomic_load(&c->tag));
	expect = CW_TAG(gen, CW_CONN_PARKED);
	if (!atomic_compare_exchange_strong(&c->tag, &expect,
	                                    CW_TAG(gen, CW_CONN_ACTIVE)))
		return 0;
	atomic_store(&c->pending, 0);
	do
		r = arm(c, EPOLL_CTL_MOD, c->events | EPOLLOUT,
		        atomic_load(&c->deadline));
	while (r == 1);
	if (r < 0)
		cw_conn_close(c);
	return 0;
}

void cw_conn_post_expire(struct mg_connection *c)
{
	/* the deadline first: a parked connection is armed again with it */
	atomic_store(&c->deadline, cw_now_ms());
	(void)cw_conn_postv(c, NULL, 0, SIZE_MAX);
}

/* Skip n bytes at the front of iov[0..cnt) (a copy the caller owns);
 * returns the first entry with bytes left. */
static int iov_skip(struct iovec *iov, int cnt, size_t n)
{
	int i = 0;

	while (i < cnt && n >= iov[i].iov_len)
		n -= iov[i++].iov_len;
	if (i < cnt) {
		iov[i].iov_base = (char *)iov[i].iov_base + n;
		iov[i].iov_len -= n;
	}
	return i;
}

int cw_conn_send_queued(struct mg_connection *c, const struct iovec *iov, int n,
                        size_t max)
{
	struct iovec rest[CW_SEND_QUEUED_IOV];
	int first = 0, r = 0;

	if (n > CW_SEND_QUEUED_IOV)
		return -1;
	memcpy(rest, iov, (size_t)n * sizeof *iov);
	pthread_mutex_lock(&c->lock);
	if (posted_bytes(c) == 0) {
		ssize_t w = cw_conn_writev(c, rest, n);

		if (w >= 0)
			first = iov_skip(rest, n, (size_t)w);
		else if (w != CW_IO_WANT_WRITE && w != CW_IO_WANT_READ)
			r = -1;
	}
	if (r == 0 && first < n)
		r = append_posted(c, rest + first, n - first, max);
	pthread_mutex_unlock(&c->lock);
	return r;
}

int cw_conn_flush_posted(struct mg_connection *c)
{
	struct cw_posted *p = posted_of(c);
	int r = 0;

	if (p == NULL)
		return 0;
	pthread_mutex_lock(&c->lock);
	while (p->buf.len > 0) {
		struct iovec iov = {p->buf.data, p->buf.len};
		ssize_t n = cw_conn_writev(c, &iov, 1);

		if (n <= 0) {
			r = n == CW_IO_WANT_WRITE || n == CW_IO_WANT_READ ? 1
			                                                  : -1;
			break;
		}
		memmove(p->buf.data, p->buf.data + n, p->buf.len - (size_t)n);
		p->buf.len -= (size_t)n;
	}
	/* an idle connection keeps no output buffer */
	if (p->buf.len == 0)
		cw_buf_free(&p->buf);
	atomic_store_explicit(&p->n, p->buf.len, memory_order_release);
	pthread_mutex_unlock(&c->lock);
	return r;
}

/* ---- addresses ---------------------------------------------------------- */

void cw_conn_peer_text(const struct mg_connection *c, char *buf, size_t len,
                       int *port)
{
	buf[0] = '\0';
	*port = 0;
	if (c->peer.sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &c->peer.in.sin_addr, buf, (socklen_t)len);
		*port = ntohs(c->peer.in.sin_port);
	} else if (c->peer.sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &c->peer.in6.sin6_addr, buf,
		          (socklen_t)len);
		*port = ntohs(c->peer.in6.sin6_port);
	}
}

int cw_conn_local_addr(const struct mg_connection *c, union cw_sockaddr *a)
{
	socklen_t len = sizeof *a;

	return getsockname(c->fd, &a->sa, &len) == 0 ? 0 : -1;
}
