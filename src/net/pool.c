/* pool.c - the threads that run a server context.
 *
 * Why this shape (docs/design.md has the measurements): CivetWeb ties a
 * thread to a connection, so num_threads caps the number of clients. Here
 * every connection is registered (edge-triggered) in one epoll set; one
 * runner thread per CPU waits on it, takes a batch of ready connections,
 * and runs each in its protocol (c->proto), which may block in a handler
 * and ends by parking the connection (no system call, see conn.c) or
 * closing it. The listening sockets are in the same set: the runner that
 * accepts a connection runs it at once, as nginx does, so a new
 * connection costs no hand-off to another thread, and one whose request
 * is already there is answered without ever being registered. There is no
 * hand-off queue and no wake-up of a second thread per request. The other
 * pool threads are spares, woken only while a runner is asleep in a slow
 * handler (so a blocking handler cannot stop accepting for more than a few
 * milliseconds either). The master thread owns the listeners'
 * registration (drain, balance between worker processes), and the timer
 * thread enforces the deadlines of parked connections by scanning the slot
 * table and calling their protocol's expire. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/log.h"
#include "net/conn.h"
#include "net/listen.h"
#include "net/pool.h"
#include "util/acl.h"
#include "util/clock.h"

#define WAKE_DATA     UINT64_MAX
#define DRAIN_DATA    (UINT64_MAX - 1)
#define RELISTEN_DATA (UINT64_MAX - 2)
#define TIMER_TICK_MS 50

/* Listener i in the connections' set: a word whose low half, which is a
 * slot + 1 for a connection, is 0. */
#define LISTENER_DATA(i)  ((uint64_t)((i) + 1) << 32)
#define IS_LISTENER(data) (((data)&0xffffffffu) == 0 && (data) != 0)
#define LISTENER_OF(data) ((int)((data) >> 32) - 1)

/* The ready connections a pool thread took in one epoll_wait and has not
 * run yet (epoll data words; 0 = taken). */
#define BATCH 16
struct batch {
	_Atomic uint64_t ev[BATCH];
} __attribute__((aligned(64)));

struct cw_pool {
	int accept_epfd; /* the master thread's set: stop, drain, relisten */
	int wakefd;      /* eventfd in both sets: stop */
	int drainfd;     /* eventfd in accept_epfd: drain */
	int relistenfd;  /* eventfd in accept_epfd: listen again */
	/* Whether the listeners are in the connections' set (under
	 * listen_lock), how long to stay out when a runner takes them out,
	 * and how many runners are inside accept(). */
	pthread_mutex_t listen_lock;
	int listening;
	_Atomic int relisten_ms;
	_Atomic int in_accept;
	_Atomic int take_anyway; /* the next accept ignores the share */
	pthread_t master_tid, timer_tid;
	int have_master, have_timer;
	pthread_t *tids;
	_Atomic pid_t *ktids;  /* kernel thread ids, for the timer */
	struct batch *batches; /* events each pool thread took */
	struct batch *fresh;   /* connections each pool thread accepted */
	_Atomic int steal;     /* a stuck runner may hold events */
	int size;              /* pool threads started */
	/* Runners wait on epfd; the other pool threads are spares, asleep on
	 * spare_cond until a runner is stuck in a slow handler. */
	int runners_target;
	_Atomic int runners;
	_Atomic int
	    stuck; /* runners asleep in a slow request (the timer's count) */
	pthread_mutex_t spare_lock;
	pthread_cond_t spare_cond;
	int spare_tokens;
	int spares;
	_Atomic int64_t drain_grace_ms; /* idle time before a drain closes */
};

static void thread_begin(struct cw_thread *t, struct mg_context *ctx, int type,
                         int index)
{
	memset(t, 0, sizeof *t);
	t->ctx = ctx;
	t->type = type;
	t->index = index;
	if (index >= 0 && ctx->tstats != NULL)
		t->stats = &ctx->tstats[index % ctx->nblocks];
	cw_thread_set_self(t);
	if (ctx->cb.init_thread != NULL)
		t->user_ptr = ctx->cb.init_thread(ctx, type);
}

static void thread_end(struct cw_thread *t)
{
	struct mg_context *ctx = t->ctx;

	if (ctx->cb.exit_thread != NULL)
		ctx->cb.exit_thread(ctx, t->type, t->user_ptr);
	free(t->spare_rbuf);
	if (t->spare_x != NULL && t->spare_x_free != NULL)
		t->spare_x_free(t->spare_x);
	cw_thread_set_self(NULL);
}

/* ---- listeners ----------------------------------------------------------- */

/* Put the listeners into the connections' set, or take them out. With
 * EPOLLEXCLUSIVE, several worker processes on one socket get one wake-up
 * per connection. Caller holds listen_lock. */
static int register_listeners(struct mg_context *ctx, int op)
{
	for (int i = 0; i < ctx->num_listeners; i++) {
		struct epoll_event ev;

		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.u64 = LISTENER_DATA(i);
		if (epoll_ctl(ctx->epfd, op, ctx->listeners[i].fd,
		              op == EPOLL_CTL_DEL ? NULL : &ev) != 0)
			return -1;
	}
	return 0;
}

static void set_listening(struct mg_context *ctx, int on)
{
	struct cw_pool *p = ctx->pool;

	pthread_mutex_lock(&p->listen_lock);
	if (p->listening != on &&
	    register_listeners(ctx, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL) == 0)
		p->listening = on;
	pthread_mutex_unlock(&p->listen_lock);
}

/* A runner takes this process's listeners out of the set for ms: it has
 * more than its share of connections (another worker should take the
 * next ones), or it ran out of descriptors. The master thread puts them
 * back, which also queues this process behind the others on the socket. */
static void pause_listening(struct mg_context *ctx, int ms)
{
	uint64_t one = 1;

	atomic_store(&ctx->pool->relisten_ms, ms);
	set_listening(ctx, 0);
	if (write(ctx->pool->relistenfd, &one, sizeof one) < 0)
		cw_log_error(ctx, NULL, "relisten: %s", strerror(errno));
}

/* In a prefork worker: may this process take more connections, or has it
 * more than its share? */
static int may_accept(struct mg_context *ctx)
{
	return ctx->accept_ok == NULL || ctx->accept_ok(ctx->accept_arg);
}

/* ---- accepting, in the runners ------------------------------------------ */

/* The init_connection callback, once per accepted connection. */
static void greet(struct mg_connection *c)
{
	struct mg_context *ctx = c->ctx;

	c->initialized = 1;
	if (ctx->cb.init_connection != NULL) {
		void *data = NULL;

		ctx->cb.init_connection(c, &data);
		c->conn_data = data;
	}
}

int cw_pool_admits(struct mg_context *ctx, const struct sockaddr *sa)
{
	char text[INET6_ADDRSTRLEN] = "?";

	if (cw_acl_allows(ctx->opt.acl, sa))
		return 1;
	if (sa->sa_family == AF_INET)
		inet_ntop(
		    AF_INET,
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
		    text, sizeof text);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(
		    AF_INET6,
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		    text, sizeof text);
	cw_log_error(ctx, NULL, "%s is not allowed to connect", text);
	return 0;
}

/* access_control_list: a client it denies is closed at once, before
 * anything is read or sent, as CivetWeb does (and logged, as CivetWeb
 * logs it). On a PROXY port the client is the one the header names, so
 * the list is applied once the header has come (net/proxy.c). 1 if fd
 * may be served. */
static int admitted(struct mg_context *ctx, const struct cw_listener *l, int fd,
                    const struct sockaddr *sa)
{
	if (l->is_proxy || cw_pool_admits(ctx, sa))
		return 1;
	close(fd);
	return 0;
}

/* One accept4(), unless the context is draining, and the connection for
 * what it accepted (NULL: nothing). The drain waits for every runner to
 * leave here, and a connection is counted open before its runner leaves,
 * so a draining worker never exits with one it has just accepted. */
static struct mg_connection *accept_one(struct mg_context *ctx,
                                        const struct cw_listener *l)
{
	const struct cw_transport *xprt =
	    l->xprt != NULL ? l->xprt : cw_transport_plain();
	struct cw_pool *p = ctx->pool;
	struct mg_connection *c = NULL;
	union cw_sockaddr peer;
	socklen_t len = sizeof peer;
	int fd = -1;

	atomic_fetch_add(&p->in_accept, 1);
	if (!atomic_load(&ctx->draining))
		fd = accept4(l->fd, &peer.sa, &len,
		             SOCK_NONBLOCK | SOCK_CLOEXEC);
	else
		errno = EAGAIN;
	if (fd >= 0 && !admitted(ctx, l, fd, &peer.sa)) {
		errno = EINTR; /* try the next one */
	} else if (fd >= 0) {
		c = cw_conn_new(ctx, fd, l, &peer.sa, len, xprt,
		                l->proto != NULL ? l->proto : ctx->first_proto);
		if (c == NULL) {
			cw_log_error(ctx, NULL, "cannot take a connection: %s",
			             "connection table full or out of memory");
			errno = EINTR; /* try the next one */
		}
	}
	atomic_fetch_sub(&p->in_accept, 1);
	return c;
}

/* Accept up to max connections into cs. Returns how many; *more says
 * whether the queue may hold more (it was not found empty). */
static int accept_some(struct mg_context *ctx, const struct cw_listener *l,
                       int anyway, struct mg_connection **cs, int max,
                       int *more)
{
	int k = 0;

	*more = 0;
	while (k < max) {
		if (!anyway && !may_accept(ctx)) {
			pause_listening(ctx, 1);
			return k;
		}
		cs[k] = accept_one(ctx, l);
		if (cs[k] != NULL) {
			k++;
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			/* out of descriptors: stop for a while, not spin */
			cw_log_error(ctx, NULL, "accept: %s", strerror(errno));
			pause_listening(ctx, 10);
		}
		return k;
	}
	*more = 1;
	return k;
}

/* Take what the listener has queued, a few at a time, then run each: by
 * the time the last of a few is accepted, the first ones' requests have
 * usually arrived, so fewer must be registered and waited for. Until it
 * runs, each new connection is parked (unregistered) and named in this
 * thread's fresh batch, where a spare takes it if this runner gets stuck
 * in the one before: an accepted connection never waits on a slow one. */
static void accept_from(struct mg_context *ctx, struct cw_thread *t, int i)
{
	const struct cw_listener *l = &ctx->listeners[i];
	struct batch *mine = &ctx->pool->fresh[t->index];
	int anyway = atomic_exchange(&ctx->pool->take_anyway, 0), more = 1;

	for (int round = 0; round < 8 && more; round++) {
		struct mg_connection *cs[8];
		int k = accept_some(ctx, l, anyway, cs, 8, &more);
		int64_t deadline = cw_now_ms() + ctx->opt.request_timeout_ms;

		for (int n = 0; n < k; n++) {
			greet(cs[n]);
			atomic_store(&mine->ev[n], cw_conn_word(cs[n]));
			cw_conn_hold(cs[n], deadline);
		}
		for (int n = 0; n < k; n++) {
			uint64_t w = atomic_exchange(&mine->ev[n], 0);
			struct mg_connection *c =
			    w != 0 ? cw_conn_claim(ctx, w) : NULL;

			if (c != NULL)
				c->proto->run(c, t);
		}
	}
}

/* ---- master thread: the listeners' registration ------------------------- */

/* Connections still queued on the shared socket when this worker stops
 * listening may be ones whose wake-up came here (the kernel wakes one
 * worker per connection, EPOLLEXCLUSIVE): nobody else would be woken for
 * them, so this worker takes them, registered for a runner to serve. */
static void take_queued(struct mg_context *ctx)
{
	for (int i = 0; i < ctx->num_listeners; i++) {
		const struct cw_listener *l = &ctx->listeners[i];
		const struct cw_transport *xprt =
		    l->xprt != NULL ? l->xprt : cw_transport_plain();

		for (int n = 0; n < 1024; n++) {
			union cw_sockaddr peer;
			socklen_t len = sizeof peer;
			int fd = accept4(l->fd, &peer.sa, &len,
			                 SOCK_NONBLOCK | SOCK_CLOEXEC);
			struct mg_connection *c;

			if (fd < 0 && errno == EINTR)
				continue;
			if (fd < 0)
				break;
			if (!admitted(ctx, l, fd, &peer.sa))
				continue;
			c = cw_conn_new(ctx, fd, l, &peer.sa, len, xprt,
			                l->proto != NULL ? l->proto
			                                 : ctx->first_proto);
			if (c == NULL)
				continue;
			greet(c);
			cw_conn_release(c, CW_WANT_READ,
			                cw_now_ms() +
			                    ctx->opt.request_timeout_ms);
		}
	}
}

/* Draining: no runner accepts any more once the listeners are out of the
 * set and none is still inside accept(); what is still queued is taken
 * (see take_queued), and after that nothing is accepted. */
static void stop_accepting(struct mg_context *ctx)
{
	set_listening(ctx, 0);
	while (atomic_load(&ctx->pool->in_accept) > 0)
		sched_yield();
	take_queued(ctx);
	atomic_store(&ctx->accepting, 0);
}

static void drain_eventfd(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof v) < 0 && errno != EAGAIN)
		return;
}

static void *master_main(void *arg)
{
	struct mg_context *ctx = arg;
	struct cw_pool *p = ctx->pool;
	struct cw_thread t;
	struct epoll_event evs[4];

	thread_begin(&t, ctx, 0, -1);
	while (!atomic_load(&ctx->stopping)) {
		int n = epoll_wait(p->accept_epfd, evs, 4, TIMER_TICK_MS * 2);

		if (atomic_load(&ctx->draining) && atomic_load(&ctx->accepting))
			stop_accepting(ctx);
		for (int i = 0; i < n; i++) {
			struct timespec ts = {0, 0};

			if (evs[i].data.u64 == DRAIN_DATA)
				drain_eventfd(p->drainfd);
			if (evs[i].data.u64 != RELISTEN_DATA)
				continue;
			drain_eventfd(p->relistenfd);
			ts.tv_nsec = atomic_load(&p->relisten_ms) * 1000000L;
			nanosleep(&ts, NULL);
			if (atomic_load(&ctx->draining))
				continue;
			/* what is queued by now no other worker took: the next
			 * round takes it whatever the share (never stall) */
			atomic_store(&p->take_anyway, 1);
			set_listening(ctx, 1);
		}
	}
	thread_end(&t);
	return NULL;
}

/* ---- pool threads: run connections ------------------------------------ */

/* Only runners_target threads (one per CPU) wait on the epoll set. With
 * more waiters every arriving request would wake a sleeping thread - a
 * context switch per request - while a runner that just finished would
 * have taken it without sleeping. The other threads are spares: the timer
 * thread wakes one when a runner has been stuck in a request long enough
 * to matter (a slow handler), and a surplus runner goes back to sleep. */
#define STUCK_MS 3

static int become_runner(struct cw_pool *p, struct mg_context *ctx)
{
	pthread_mutex_lock(&p->spare_lock);
	p->spares++;
	while (p->spare_tokens == 0 && !atomic_load(&ctx->stopping))
		pthread_cond_wait(&p->spare_cond, &p->spare_lock);
	p->spares--;
	if (p->spare_tokens > 0)
		p->spare_tokens--;
	pthread_mutex_unlock(&p->spare_lock);
	if (atomic_load(&ctx->stopping))
		return -1;
	atomic_fetch_add(&p->runners, 1);
	return 0;
}

/* A runner steps down when there are more runners than wanted, not
 * counting those stuck in a slow request (the spare that stands in for
 * one stays until it is free again). */
static int step_down(struct cw_pool *p)
{
	int n = atomic_load(&p->runners);

	while (n - atomic_load(&p->stuck) > p->runners_target) {
		if (atomic_compare_exchange_weak(&p->runners, &n, n - 1))
			return 1;
	}
	return 0;
}

/* One ready event: a listener (accept and run what comes), or a
 * connection (claim it, unless the event is stale, and run it in its
 * protocol). */
static void run_one(struct mg_context *ctx, struct cw_thread *t, uint64_t data)
{
	_Atomic int64_t *busy = &t->stats->busy_since;
	struct mg_connection *c = NULL;

	if (!IS_LISTENER(data) && (c = cw_conn_claim(ctx, data)) == NULL)
		return;
	atomic_store_explicit(busy, cw_clock_ms(), memory_order_relaxed);
	if (c == NULL)
		accept_from(ctx, t, LISTENER_OF(data));
	else if (atomic_load_explicit(&ctx->stopping, memory_order_relaxed))
		cw_conn_close(c);
	else
		c->proto->run(c, t);
	atomic_store_explicit(busy, 0, memory_order_relaxed);
}

/* A runner stuck in a slow handler may hold events it took in its batch
 * and has not run yet; a spare woken for it takes them first. Each entry
 * is taken with an atomic exchange, so the runner and a thief never both
 * get one (and the connection's own claim arbitrates again). */
static void steal(struct mg_context *ctx, struct cw_thread *t)
{
	struct cw_pool *p = ctx->pool;

	for (int j = 0; j < p->size; j++) {
		if (j == t->index)
			continue;
		for (int k = 0; k < 2 * BATCH; k++) {
			_Atomic uint64_t *e = k < BATCH
			                          ? &p->batches[j].ev[k]
			                          : &p->fresh[j].ev[k - BATCH];
			uint64_t data = atomic_exchange_explicit(
			    e, 0, memory_order_acquire);

			if (data != 0 && data != WAKE_DATA)
				run_one(ctx, t, data);
		}
	}
}

/* Take up to BATCH ready connections per epoll_wait (one system call for
 * many requests under load) and run them in turn. */
static void run_events(struct mg_context *ctx, struct cw_thread *t)
{
	struct cw_pool *p = ctx->pool;
	struct batch *mine = &p->batches[t->index];
	struct epoll_event ev[BATCH];

	for (;;) {
		int n;

		if (atomic_load_explicit(&p->steal, memory_order_relaxed) &&
		    atomic_exchange(&p->steal, 0))
			steal(ctx, t);
		n = epoll_wait(ctx->epfd, ev, BATCH, 200);
		if (n < 0 && errno != EINTR)
			return;
		if (n <= 0) {
			if (step_down(p))
				return;
			continue;
		}
		for (int i = 0; i < n; i++) {
			if (ev[i].data.u64 == WAKE_DATA)
				return;
			atomic_store_explicit(&mine->ev[i], ev[i].data.u64,
			                      memory_order_release);
		}
		for (int i = 0; i < n; i++) {
			uint64_t data = atomic_exchange_explicit(
			    &mine->ev[i], 0, memory_order_acquire);

			if (data != 0)
				run_one(ctx, t, data);
		}
		if (step_down(p))
			return;
	}
}

struct pool_arg {
	struct mg_context *ctx;
	int index;
};

static void *pool_main(void *arg)
{
	struct pool_arg a = *(struct pool_arg *)arg;
	struct cw_pool *p = a.ctx->pool;
	struct cw_thread t;
	int runner;

	free(arg);
	thread_begin(&t, a.ctx, 1, a.index);
	atomic_store(&p->ktids[a.index], gettid());
	runner = a.index < p->runners_target;
	if (runner)
		atomic_fetch_add(&p->runners, 1);
	while (!atomic_load(&a.ctx->stopping)) {
		if (!runner && become_runner(p, a.ctx) != 0)
			break;
		run_events(a.ctx, &t);
		runner = 0;
	}
	thread_end(&t);
	return NULL;
}

/* Is the thread asleep in the kernel (a blocking handler), rather than
 * running or waiting for a CPU? Only a sleeping runner needs a spare to
 * stand in for it: another thread could not make a busy CPU go faster,
 * and a runner that was merely preempted would churn spares. */
static int is_sleeping(pid_t tid)
{
	char path[64], buf[256], *q;
	ssize_t n;
	int fd;

	if (tid == 0)
		return 0; /* not started yet */
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 1;
	buf[n] = '\0';
	q = strrchr(buf, ')');
	return q == NULL || q[1] == '\0' || (q[2] != 'R');
}

/* Timer thread: wake spares while runners are stuck. Returns whether any
 * runner is busy (then the timer ticks fast). */
static int watch_runners(struct mg_context *ctx, int64_t now)
{
	struct cw_pool *p = ctx->pool;
	int stuck = 0, busy = 0, want;

	for (int i = 0; i < p->size && i < ctx->nblocks; i++) {
		int64_t since = atomic_load_explicit(&ctx->tstats[i].busy_since,
		                                     memory_order_relaxed);

		if (since == 0)
			continue;
		busy++;
		if (now - since >= STUCK_MS &&
		    is_sleeping(atomic_load(&p->ktids[i]))) {
			stuck++;
			/* its batch may hold connections nobody runs */
			atomic_store(&p->steal, 1);
		}
	}
	atomic_store(&p->stuck, stuck);
	want = p->runners_target - (atomic_load(&p->runners) - stuck);
	if (want > 0) {
		pthread_mutex_lock(&p->spare_lock);
		if (want > p->spares - p->spare_tokens)
			want = p->spares - p->spare_tokens;
		for (int i = 0; i < want; i++) {
			p->spare_tokens++;
			pthread_cond_signal(&p->spare_cond);
		}
		pthread_mutex_unlock(&p->spare_lock);
	}
	return busy;
}

/* ---- timer thread: deadlines -------------------------------------------- */

/* A parked connection whose deadline passed goes to its protocol's
 * expire; while draining, one parked for the grace period goes to its
 * protocol's drain. Either runs here, owning the connection. */
static void expire(struct mg_connection *c, int64_t now, int draining,
                   int64_t grace)
{
	uint64_t tag = atomic_load_explicit(&c->tag, memory_order_acquire);
	int due, drain;

	if (CW_TAG_STATE(tag) != CW_CONN_PARKED)
		return;
	due = now >= atomic_load_explicit(&c->deadline, memory_order_relaxed);
	drain = !due && draining &&
	        now - atomic_load_explicit(&c->parked, memory_order_relaxed) >=
	            grace;
	if ((!due && !drain) || !cw_conn_seize(c, tag))
		return;
	if (due) {
		c->proto->expire(c);
	} else if (c->proto->drain != NULL) {
		c->proto->drain(c);
	} else {
		cw_conn_release(
		    c, (c->events & EPOLLOUT) ? CW_WANT_WRITE : CW_WANT_READ,
		    atomic_load(&c->deadline));
	}
}

static void scan(struct mg_context *ctx)
{
	uint32_t n = cw_conns_count(ctx);
	int64_t now = cw_now_ms();
	int draining = atomic_load(&ctx->draining);
	int64_t grace = atomic_load(&ctx->pool->drain_grace_ms);

	for (uint32_t i = 0; i < n; i++)
		expire(cw_conn_at(ctx, i), now, draining, grace);
}

static void *timer_main(void *arg)
{
	struct mg_context *ctx = arg;
	struct cw_thread t;
	int64_t last_scan = 0;
	int busy = 0;

	thread_begin(&t, ctx, 2, -1);
	while (!atomic_load(&ctx->stopping)) {
		struct timespec ts = {0, (busy ? 3 : 10) * 1000000L};
		int64_t now;

		nanosleep(&ts, NULL);
		now = cw_now_ms();
		busy = watch_runners(ctx, cw_clock_ms());
		if (now - last_scan >= TIMER_TICK_MS) {
			scan(ctx);
			last_scan = now;
		}
	}
	thread_end(&t);
	return NULL;
}

/* ---- start and stop ------------------------------------------------------ */

static int add_event(int epfd, int fd, uint64_t data)
{
	struct epoll_event ev;

	ev.events = EPOLLIN;
	ev.data.u64 = data;
	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

static int make_sets(struct mg_context *ctx)
{
	struct cw_pool *p = ctx->pool;

	ctx->epfd = epoll_create1(EPOLL_CLOEXEC);
	p->accept_epfd = epoll_create1(EPOLL_CLOEXEC);
	p->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	p->drainfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	p->relistenfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ctx->epfd < 0 || p->accept_epfd < 0 || p->wakefd < 0 ||
	    p->drainfd < 0 || p->relistenfd < 0)
		return -1;
	if (add_event(ctx->epfd, p->wakefd, WAKE_DATA) != 0 ||
	    add_event(p->accept_epfd, p->wakefd, WAKE_DATA) != 0 ||
	    add_event(p->accept_epfd, p->drainfd, DRAIN_DATA) != 0 ||
	    add_event(p->accept_epfd, p->relistenfd, RELISTEN_DATA) != 0)
		return -1;
	set_listening(ctx, 1);
	return ctx->pool->listening ? 0 : -1;
}

static int spawn(pthread_t *tid, void *(*fn)(void *), void *arg)
{
	pthread_attr_t a;
	int r;

	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 256 * 1024);
	r = pthread_create(tid, &a, fn, arg);
	pthread_attr_destroy(&a);
	return r;
}

static int alloc_pool(struct mg_context *ctx, int n)
{
	struct cw_pool *p = calloc(1, sizeof *p);

	if (p == NULL)
		return -1;
	ctx->pool = p;
	p->accept_epfd = p->wakefd = p->drainfd = p->relistenfd = -1;
	pthread_mutex_init(&p->spare_lock, NULL);
	pthread_mutex_init(&p->listen_lock, NULL);
	pthread_cond_init(&p->spare_cond, NULL);
	p->tids = calloc((size_t)n, sizeof *p->tids);
	p->ktids = calloc((size_t)n, sizeof *p->ktids);
	p->batches = aligned_alloc(64, (size_t)n * sizeof *p->batches);
	if (p->batches != NULL)
		memset(p->batches, 0, (size_t)n * sizeof *p->batches);
	p->fresh = aligned_alloc(64, (size_t)n * sizeof *p->fresh);
	if (p->fresh != NULL)
		memset(p->fresh, 0, (size_t)n * sizeof *p->fresh);
	if (ctx->tstats == NULL) {
		ctx->tstats =
		    aligned_alloc(64, (size_t)n * sizeof *ctx->tstats);
		ctx->nblocks = n;
		ctx->stats_owned = 1;
		if (ctx->tstats != NULL)
			memset(ctx->tstats, 0, (size_t)n * sizeof *ctx->tstats);
	}
	return p->tids == NULL || p->ktids == NULL || p->batches == NULL ||
	               p->fresh == NULL || ctx->tstats == NULL
	           ? -1
	           : 0;
}

static int runners_wanted(const struct mg_context *ctx, int n)
{
	int r = ctx->runners_target;

	if (getenv("CIVETD_RUNNERS") != NULL) /* benchmarks of the model */
		r = atoi(getenv("CIVETD_RUNNERS"));
	if (r <= 0)
		r = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (r < 1)
		r = 1;
	return r > n ? n : r;
}

static int start_pool_threads(struct mg_context *ctx, int n)
{
	struct cw_pool *p = ctx->pool;

	for (int i = 0; i < n; i++) {
		struct pool_arg *a = malloc(sizeof *a);

		if (a == NULL)
			return -1;
		a->ctx = ctx;
		a->index = i;
		if (spawn(&p->tids[i], pool_main, a) != 0) {
			free(a);
			return -1;
		}
		p->size++;
	}
	return 0;
}

int cw_pool_start(struct mg_context *ctx, char *err, size_t errlen)
{
	int n = ctx->opt.num_threads;
	struct cw_pool *p;

	ctx->epfd = -1;
	if (alloc_pool(ctx, n) != 0) {
		snprintf(err, errlen, "out of memory");
		cw_pool_stop(ctx);
		return -1;
	}
	p = ctx->pool;
	if (make_sets(ctx) != 0) {
		snprintf(err, errlen, "cannot create event sets: %s",
		         strerror(errno));
		cw_pool_stop(ctx);
		return -1;
	}
	p->runners_target = runners_wanted(ctx, n);
	if (start_pool_threads(ctx, n) != 0 ||
	    spawn(&p->timer_tid, timer_main, ctx) != 0) {
		snprintf(err, errlen, "cannot start threads: %s",
		         strerror(errno));
		cw_pool_stop(ctx);
		return -1;
	}
	p->have_timer = 1;
	atomic_store(&ctx->accepting, 1);
	if (spawn(&p->master_tid, master_main, ctx) != 0) {
		atomic_store(&ctx->accepting, 0);
		snprintf(err, errlen, "cannot start threads: %s",
		         strerror(errno));
		cw_pool_stop(ctx);
		return -1;
	}
	p->have_master = 1;
	return 0;
}

/* Close what is still parked once no thread runs any more. */
static void close_leftovers(struct mg_context *ctx)
{
	uint32_t n = cw_conns_count(ctx);

	for (uint32_t i = 0; i < n; i++) {
		struct mg_connection *c = cw_conn_at(ctx, i);
		uint64_t tag = atomic_load(&c->tag);

		if (cw_conn_seize(c, tag))
			cw_conn_close(c);
	}
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void cw_pool_stop(struct mg_context *ctx)
{
	struct cw_pool *p = ctx->pool;
	uint64_t one = 1;

	atomic_store(&ctx->stopping, 1);
	if (p == NULL)
		return;
	if (p->wakefd >= 0 && write(p->wakefd, &one, sizeof one) < 0)
		cw_log_error(ctx, NULL, "wake: %s", strerror(errno));
	pthread_mutex_lock(&p->spare_lock);
	pthread_cond_broadcast(&p->spare_cond);
	pthread_mutex_unlock(&p->spare_lock);
	if (p->have_master)
		pthread_join(p->master_tid, NULL);
	if (p->have_timer)
		pthread_join(p->timer_tid, NULL);
	for (int i = 0; i < p->size; i++)
		pthread_join(p->tids[i], NULL);
	if (ctx->slots != NULL)
		close_leftovers(ctx);
	close_fd(&ctx->epfd);
	close_fd(&p->accept_epfd);
	close_fd(&p->wakefd);
	close_fd(&p->drainfd);
	close_fd(&p->relistenfd);
	free(p->tids);
	free(p->ktids);
	free(p->batches);
	free(p->fresh);
	pthread_cond_destroy(&p->spare_cond);
	pthread_mutex_destroy(&p->spare_lock);
	pthread_mutex_destroy(&p->listen_lock);
	free(p);
	ctx->pool = NULL;
}

/* Returns once the master thread has stopped accepting: a connection it
 * accepts afterwards cannot exist, so "no connection open" really means
 * the worker may exit without resetting anybody. */
void cw_pool_drain(struct mg_context *ctx, int grace_ms)
{
	uint64_t one = 1;

	atomic_store(&ctx->pool->drain_grace_ms, grace_ms);
	atomic_store(&ctx->draining, 1);
	if (write(ctx->pool->drainfd, &one, sizeof one) < 0)
		cw_log_error(ctx, NULL, "drain: %s", strerror(errno));
	for (int i = 0; i < 2000 && atomic_load(&ctx->accepting); i++)
		usleep(1000);
}

int64_t cw_pool_oldest_busy(const struct mg_context *ctx, int *all_busy)
{
	int64_t oldest = 0;
	int busy = 0,
	    n = ctx->pool->size < ctx->nblocks ? ctx->pool->size : ctx->nblocks;

	for (int i = 0; i < n; i++) {
		int64_t since = atomic_load_explicit(&ctx->tstats[i].busy_since,
		                                     memory_order_relaxed);

		if (since == 0)
			continue;
		busy++;
		if (oldest == 0 || since < oldest)
			oldest = since;
	}
	*all_busy = n > 0 && busy == n;
	return oldest;
}

uint64_t cw_pool_requests(const struct mg_context *ctx)
{
	uint64_t n = 0;

	for (int i = 0; i < ctx->nblocks; i++)
		n += atomic_load_explicit(&ctx->tstats[i].requests,
		                          memory_order_relaxed);
	return n;
}

int64_t cw_pool_clock_ms(void)
{
	return cw_clock_ms();
}

int64_t cw_pool_open_connections(const struct mg_context *ctx)
{
	return cw_conns_open(ctx);
}

struct detached {
	void *(*fn)(void *);
	void *arg;
};

static void *detached_main(void *arg)
{
	struct detached d = *(struct detached *)arg;

	free(arg);
	return d.fn(d.arg);
}

int cw_pool_detached_thread(void *(*fn)(void *), void *arg)
{
	pthread_t tid;
	pthread_attr_t attr;
	struct detached *d = malloc(sizeof *d);
	int r;

	if (d == NULL)
		return -1;
	d->fn = fn;
	d->arg = arg;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&tid, &attr, detached_main, d);
	pthread_attr_destroy(&attr);
	if (r != 0)
		free(d);
	return r;
}
