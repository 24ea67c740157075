/* conn.c - connection slots, ownership and socket I/O.
 *
 * A connection object lives in a slot for the whole life of the context and
 * is reused; its tag (generation << 8 | state) changes on every hand-over.
 * Epoll events carry (generation << 32 | slot + 1), so an event that arrives
 * after the connection was closed, or closed and reused, fails the
 * compare-and-swap in cw_conn_claim() and is dropped. That is what lets
 * the timer thread close idle connections without any lock on the request
 * path. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/conn.h"
#include "core/log.h"

#define CW_SLOT_CHUNK  256u
#define CW_SLOT_CHUNKS 4096u /* up to 1M connections per context */

static __thread struct cw_thread *self;

struct cw_thread *cw_thread_self(void)
{
	return self;
}

void cw_thread_set_self(struct cw_thread *t)
{
	self = t;
}

int64_t cw_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cw_conns_init(struct mg_context *ctx)
{
	ctx->chunks = calloc(CW_SLOT_CHUNKS, sizeof *ctx->chunks);
	if (ctx->chunks == NULL)
		return -1;
	atomic_init(&ctx->nslots, 0);
	return pthread_mutex_init(&ctx->slots_lock, NULL) == 0 ? 0 : -1;
}

void cw_conns_free(struct mg_context *ctx)
{
	uint32_t n = atomic_load(&ctx->nslots);

	if (ctx->chunks == NULL)
		return;
	for (uint32_t i = 0; i < n; i++) {
		struct mg_connection *c = cw_conn_at(ctx, i);

		pthread_mutex_destroy(&c->lock);
		free(c->rbuf);
	}
	for (uint32_t i = 0; i < CW_SLOT_CHUNKS; i++)
		free(ctx->chunks[i]);
	free(ctx->chunks);
	free(ctx->free_slots);
	ctx->chunks = NULL;
	pthread_mutex_destroy(&ctx->slots_lock);
}

uint32_t cw_conns_count(const struct mg_context *ctx)
{
	return atomic_load_explicit(&ctx->nslots, memory_order_acquire);
}

struct mg_connection *cw_conn_at(const struct mg_context *ctx, uint32_t slot)
{
	return &ctx->chunks[slot / CW_SLOT_CHUNK][slot % CW_SLOT_CHUNK];
}

/* A never-used slot: grow the table by one (a new chunk every 256). */
static struct mg_connection *grow_slot(struct mg_context *ctx)
{
	uint32_t n = atomic_load(&ctx->nslots);
	uint32_t *nf;
	struct mg_connection *c;

	if (n >= CW_SLOT_CHUNK * CW_SLOT_CHUNKS)
		return NULL;
	if (n % CW_SLOT_CHUNK == 0) {
		struct mg_connection *chunk =
		    calloc(CW_SLOT_CHUNK, sizeof *chunk);

		if (chunk == NULL)
			return NULL;
		ctx->chunks[n / CW_SLOT_CHUNK] = chunk;
		/* room to push every slot back onto the free stack */
		nf = realloc(ctx->free_slots,
		             (n + CW_SLOT_CHUNK) * sizeof *ctx->free_slots);
		if (nf == NULL)
			return NULL;
		ctx->free_slots = nf;
	}
	c = cw_conn_at(ctx, n);
	c->slot = n;
	pthread_mutex_init(&c->lock, NULL);
	atomic_init(&c->tag, CW_TAG(0, CW_CONN_FREE));
	atomic_store_explicit(&ctx->nslots, n + 1, memory_order_release);
	return c;
}

static struct mg_connection *alloc_slot(struct mg_context *ctx)
{
	struct mg_connection *c;

	pthread_mutex_lock(&ctx->slots_lock);
	if (ctx->nfree > 0)
		c = cw_conn_at(ctx, ctx->free_slots[--ctx->nfree]);
	else
		c = grow_slot(ctx);
	pthread_mutex_unlock(&ctx->slots_lock);
	return c;
}

static void free_slot(struct mg_connection *c)
{
	struct mg_context *ctx = c->ctx;
	uint64_t tag = atomic_load(&c->tag);

	atomic_store_explicit(&c->tag,
	                      CW_TAG(CW_TAG_GEN(tag) + 1, CW_CONN_FREE),
	                      memory_order_release);
	pthread_mutex_lock(&ctx->slots_lock);
	ctx->free_slots[ctx->nfree++] = c->slot;
	pthread_mutex_unlock(&ctx->slots_lock);
}

struct mg_connection *cw_conn_new(struct mg_context *ctx, int fd,
                                  const struct cw_listener *l,
                                  const struct sockaddr_storage *peer,
                                  socklen_t peer_len)
{
	struct mg_connection *c = alloc_slot(ctx);
	uint64_t tag;
	int64_t open;

	if (c == NULL) {
		close(fd);
		return NULL;
	}
	tag = atomic_load(&c->tag);
	/* reset everything between the identity fields and the lock */
	c->ctx = ctx;
	c->fd = fd;
	c->birth_ms = cw_now_ms();
	c->req_start_ms = 0;
	c->listener = l;
	memcpy(&c->peer, peer, peer_len);
	c->peer_len = peer_len;
	c->is_client = 0;
	c->initialized = 0;
	c->lingering = 0;
	c->timed_out = 0;
	atomic_store(&c->pending, 0);
	c->rpos = c->rlen = c->head_end = 0;
	memset(&c->ri, 0, sizeof c->ri);
	c->must_close = 0;
	c->requests = 0;
	c->conn_data = NULL;
	c->out = NULL;
	c->resp_info = NULL;
	atomic_store(&c->tag, CW_TAG(CW_TAG_GEN(tag), CW_CONN_ACTIVE));
	open = atomic_fetch_add(&ctx->conns_ctr->open, 1) + 1;
	if (open > atomic_load(&ctx->conns_ctr->max_open))
		atomic_store(&ctx->conns_ctr->max_open, open);
	atomic_fetch_add(&ctx->conns_ctr->accepted, 1);
	return c;
}

static int epoll_arm(struct mg_context *ctx, int fd, uint32_t slot, int op,
                     uint32_t gen, uint32_t events)
{
	struct epoll_event ev;

	ev.events = events | EPOLLET;
	/* slot + 1: an event word is never 0, which marks a taken entry */
	ev.data.u64 = ((uint64_t)gen << 32) | (slot + 1);
	return epoll_ctl(ctx->epfd, op, fd, &ev);
}

/* Register (or re-register) an owned connection in the epoll set. The
 * connection is ARMING while epoll_ctl runs: the timer cannot close it
 * under us (so the fd we pass cannot have been closed and reused), but a
 * pool thread woken by the registration can already claim it. Then ARMING
 * becomes PARKED, unless a pool thread took it meanwhile. */
static int arm(struct mg_connection *c, int op, int64_t deadline,
               uint32_t events)
{
	struct mg_context *ctx = c->ctx;
	uint32_t gen = CW_TAG_GEN(atomic_load(&c->tag));
	uint64_t expect = CW_TAG(gen, CW_CONN_ARMING);
	int fd = c->fd;

	c->parked_ms = cw_now_ms();
	atomic_store_explicit(&c->deadline, deadline, memory_order_relaxed);
	atomic_store_explicit(&c->tag, expect, memory_order_release);
	if (epoll_arm(ctx, fd, c->slot, op, gen, events) != 0) {
		/* nobody can have been woken for it: it is ours again */
		atomic_store(&c->tag, CW_TAG(gen, CW_CONN_ACTIVE));
		return -1;
	}
	atomic_compare_exchange_strong_explicit(
	    &c->tag, &expect, CW_TAG(gen, CW_CONN_PARKED), memory_order_release,
	    memory_order_relaxed);
	return 0;
}

int cw_conn_register(struct mg_connection *c, int64_t deadline)
{
	return arm(c, EPOLL_CTL_ADD, deadline, EPOLLIN | EPOLLRDHUP);
}

/* Parking costs no system call: the socket stays registered,
 * edge-triggered, from accept to close. Input that arrives while the
 * connection is ACTIVE wakes a pool thread whose claim fails; that thread
 * raises c->pending and looks again. Here the owner publishes PARKED and
 * then looks at pending: with both sides writing before they read
 * (sequentially consistent), input is never left unseen - either we see
 * pending and take the connection back, or the other thread sees PARKED
 * and takes it. */
int cw_conn_park(struct mg_connection *c, int64_t deadline)
{
	uint32_t gen = CW_TAG_GEN(atomic_load(&c->tag));
	uint64_t expect = CW_TAG(gen, CW_CONN_PARKED);

	c->parked_ms = cw_now_ms();
	atomic_store_explicit(&c->deadline, deadline, memory_order_relaxed);
	atomic_store(&c->tag, expect);
	if (atomic_load(&c->pending) == 0)
		return 0;
	return atomic_compare_exchange_strong(&c->tag, &expect,
	                                      CW_TAG(gen, CW_CONN_ACTIVE));
}

int cw_conn_handoff(struct mg_connection *c, int64_t deadline)
{
	return arm(c, EPOLL_CTL_MOD, deadline, EPOLLIN | EPOLLRDHUP);
}

int cw_conn_park_writable(struct mg_connection *c)
{
	return arm(c, EPOLL_CTL_MOD, cw_now_ms() + 2000, EPOLLOUT);
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
		return c;
	/* woken while its registration is still being made */
	expect = CW_TAG(gen, CW_CONN_ARMING);
	if (atomic_compare_exchange_strong(&c->tag, &expect,
	                                   CW_TAG(gen, CW_CONN_ACTIVE)))
		return c;
	if (CW_TAG_GEN(expect) != gen)
		return NULL; /* stale: closed, perhaps reused */
	/* someone runs it: tell the owner input came, then look again */
	atomic_fetch_add(&c->pending, 1);
	expect = CW_TAG(gen, CW_CONN_PARKED);
	if (atomic_compare_exchange_strong(&c->tag, &expect,
	                                   CW_TAG(gen, CW_CONN_ACTIVE)))
		return c;
	return NULL;
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

static void notify_close(struct mg_connection *c)
{
	struct mg_context *ctx = c->ctx;

	if (!c->initialized)
		return;
	if (ctx->cb.connection_close != NULL) {
		/* documented: called with the context mutex held */
		pthread_mutex_lock(&ctx->user_lock);
		ctx->cb.connection_close(c);
		pthread_mutex_unlock(&ctx->user_lock);
	}
}

static void notify_closed(struct mg_connection *c)
{
	struct mg_context *ctx = c->ctx;

	if (!c->initialized || ctx->cb.connection_closed == NULL)
		return;
	pthread_mutex_lock(&ctx->user_lock);
	ctx->cb.connection_closed(c);
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

/* Graceful close: stop sending, then park to read and discard whatever the
 * client still sends, for up to two seconds; the final close happens when
 * the client closes or the deadline passes. */
static int start_lingering(struct mg_connection *c)
{
	if (shutdown(c->fd, SHUT_WR) != 0)
		return -1;
	c->lingering = 1;
	c->rpos = c->rlen = 0;
	cw_conn_linger(c, cw_now_ms() + 2000);
	return 0;
}

void cw_conn_linger(struct mg_connection *c, int64_t deadline)
{
	char sink[4096];

	do {
		ssize_t n;

		atomic_store(&c->pending, 0);
		while ((n = cw_conn_recv_nb(c, sink, sizeof sink)) > 0)
			;
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
			cw_conn_close(c, 0);
			return;
		}
	} while (cw_conn_park(c, deadline));
}

void cw_conn_close(struct mg_connection *c, int graceful)
{
	struct mg_context *ctx = c->ctx;
	struct cw_thread *t = cw_thread_self();

	if (graceful && !c->lingering && !atomic_load(&ctx->stopping) &&
	    c->ctx->opt.linger_timeout_ms < -1) {
		if (t != NULL && t->ctx == ctx)
			cw_conn_detach(c, t);
		if (start_lingering(c) == 0)
			return;
	}
	notify_close(c);
	if (!c->lingering)
		apply_linger(c);
	/* close() removes the fd from the epoll set */
	close(c->fd);
	c->fd = -1;
	notify_closed(c);
	if (t != NULL && t->ctx == ctx)
		cw_conn_detach(c, t);
	free(c->rbuf);
	c->rbuf = NULL;
	c->rcap = 0;
	atomic_fetch_sub(&ctx->conns_ctr->open, 1);
	free_slot(c);
}

int cw_conn_attach(struct mg_connection *c, struct cw_thread *t)
{
	size_t need = c->ctx->opt.max_request_size + 1;

	if (c->rbuf == NULL) {
		if (t->spare_rbuf != NULL) {
			c->rbuf = t->spare_rbuf;
			t->spare_rbuf = NULL;
		} else {
			c->rbuf = malloc(need);
			if (c->rbuf == NULL)
				return -1;
		}
		c->rcap = need - 1; /* one byte kept for a terminating NUL */
		c->rpos = c->rlen = 0;
	}
	c->out = &t->out;
	c->out->len = 0;
	return 0;
}

void cw_conn_detach(struct mg_connection *c, struct cw_thread *t)
{
	c->out = NULL;
	if (c->rbuf != NULL && c->rpos == c->rlen) {
		if (t->spare_rbuf == NULL)
			t->spare_rbuf = c->rbuf;
		else
			free(c->rbuf);
		c->rbuf = NULL;
		c->rcap = c->rpos = c->rlen = 0;
	}
}

int cw_wait_fd(int fd, short events, int timeout_ms)
{
	struct pollfd p;
	int r;

	p.fd = fd;
	p.events = events;
	do {
		r = poll(&p, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	if (r == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	return r < 0 ? -1 : 0;
}

ssize_t cw_conn_recv_nb(struct mg_connection *c, void *buf, size_t len)
{
	ssize_t n;

	do {
		n = recv(c->fd, buf, len, 0);
	} while (n < 0 && errno == EINTR);
	return n;
}

ssize_t cw_conn_recv(struct mg_connection *c, void *buf, size_t len,
                     int timeout_ms)
{
	for (;;) {
		ssize_t n = cw_conn_recv_nb(c, buf, len);

		if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			return n;
		if (cw_wait_fd(c->fd, POLLIN, timeout_ms) != 0)
			return -1;
	}
}

int cw_conn_sendv(struct mg_connection *c, struct iovec *iov, int iovcnt,
                  int timeout_ms)
{
	struct msghdr mh;

	memset(&mh, 0, sizeof mh);
	while (iovcnt > 0) {
		ssize_t n;

		if (iov->iov_len == 0) {
			iov++;
			iovcnt--;
			continue;
		}
		mh.msg_iov = iov;
		mh.msg_iovlen = (size_t)iovcnt;
		n = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if ((errno != EAGAIN && errno != EWOULDBLOCK) ||
			    cw_wait_fd(c->fd, POLLOUT, timeout_ms) != 0)
				return -1;
			continue;
		}
		while (n > 0 && iovcnt > 0) {
			size_t take =
			    (size_t)n < iov->iov_len ? (size_t)n : iov->iov_len;
			iov->iov_base = (char *)iov->iov_base + take;
			iov->iov_len -= take;
			n -= (ssize_t)take;
			if (iov->iov_len == 0) {
				iov++;
				iovcnt--;
			}
		}
	}
	return 0;
}

int cw_conn_send(struct mg_connection *c, const void *buf, size_t len,
                 int timeout_ms)
{
	struct iovec iov;

	iov.iov_base = (void *)buf;
	iov.iov_len = len;
	return cw_conn_sendv(c, &iov, 1, timeout_ms);
}

void cw_conn_describe_peer(struct mg_connection *c)
{
	char *dst = c->ri.remote_addr;
	size_t cap = sizeof c->ri.remote_addr;

	dst[0] = '\0';
	c->ri.remote_port = 0;
	if (c->peer.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)&c->peer;

		inet_ntop(AF_INET, &a->sin_addr, dst, (socklen_t)cap);
		c->ri.remote_port = ntohs(a->sin_port);
	} else if (c->peer.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)&c->peer;

		inet_ntop(AF_INET6, &a->sin6_addr, dst, (socklen_t)cap);
		c->ri.remote_port = ntohs(a->sin6_port);
	}
}
