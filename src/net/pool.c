/* pool.c - the threads that run a server context.
 *
 * Why this shape (docs/design.md has the measurements): CivetWeb ties a
 * thread to a connection, so num_threads caps the number of clients. Here
 * every connection is registered (edge-triggered) in one epoll set; one
 * runner thread per CPU waits on it, takes a batch of ready connections,
 * and runs each to completion (handlers may block), then parks it, which
 * costs no system call (conn.c). There is no hand-off queue and no wake-up
 * of a second thread per request. The other pool threads are spares, woken
 * only while a runner is asleep in a slow handler. The master thread only
 * accepts, so a handler that blocks can never stop new clients from being
 * accepted, and the timer thread enforces the deadlines of parked
 * connections by scanning the slot table. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "net/conn.h"
#include "core/log.h"
#include "net/pool.h"
#include "http/request.h"

#define WAKE_DATA     UINT64_MAX
#define DRAIN_DATA    (UINT64_MAX - 1)
#define TIMER_TICK_MS 50

static __thread int pool_index = -1;

struct cw_thread_block *cw_my_block(const struct mg_context *ctx)
{
	if (pool_index < 0 || ctx->tstats == NULL)
		return NULL;
	return &ctx->tstats[pool_index % ctx->nblocks];
}

static void thread_begin(struct cw_thread *t, struct mg_context *ctx, int type,
                         int index)
{
	memset(t, 0, sizeof *t);
	t->ctx = ctx;
	t->type = type;
	t->index = index;
	pool_index = index;
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
	free(t->out.data);
	free(t->scratch);
	cw_thread_set_self(NULL);
}

/* ---- master thread: accept ------------------------------------------ */

static void configure_socket(struct mg_context *ctx, int fd)
{
	int one = 1;

	/* Always: civetd coalesces its own writes, so Nagle's algorithm only
	 * adds the 40 ms delayed-ACK stall CivetWeb is known for. */
	(void)ctx;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static void accept_one(struct mg_context *ctx, const struct cw_listener *l,
                       int fd, struct sockaddr_storage *ss, socklen_t len)
{
	struct mg_connection *c;

	configure_socket(ctx, fd);
	c = cw_conn_new(ctx, fd, l, ss, len);
	if (c == NULL) {
		cw_log_error(ctx, NULL, "connection table full, dropping");
		return;
	}
	cw_request_first_contact(c);
	if (cw_conn_register(c, cw_now_ms() + ctx->opt.request_timeout_ms) !=
	    0) {
		cw_log_error(ctx, NULL, "epoll_ctl: %s", strerror(errno));
		cw_conn_close(c, 0);
	}
}

/* In a prefork worker: may this process take more connections, or has it
 * more than its share? */
static int may_accept(struct mg_context *ctx)
{
	return ctx->accept_ok == NULL || ctx->accept_ok(ctx->accept_arg);
}

static void accept_batch(struct mg_context *ctx, const struct cw_listener *l)
{
	for (int i = 0; i < 64 && may_accept(ctx); i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof ss;
		int fd = accept4(l->fd, (struct sockaddr *)&ss, &len,
		                 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			accept_one(ctx, l, fd, &ss, len);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			/* out of descriptors: back off instead of spinning */
			cw_log_error(ctx, NULL, "accept: %s", strerror(errno));
			usleep(10000);
		}
		return;
	}
}

static int add_listeners(struct mg_context *ctx, int op)
{
	for (int i = 0; i < ctx->num_listeners; i++) {
		struct epoll_event ev;

		/* EPOLLEXCLUSIVE: with several worker processes on the same
		 * socket, one connection wakes one process */
		ev.events =
		    EPOLLIN | (op == EPOLL_CTL_ADD ? EPOLLEXCLUSIVE : 0);
		ev.data.u64 = (uint64_t)i;
		if (epoll_ctl(ctx->accept_epfd, op, ctx->listeners[i].fd,
		              op == EPOLL_CTL_DEL ? NULL : &ev) != 0)
			return -1;
	}
	return 0;
}

/* Prefork workers share each listening socket, and the kernel wakes the
 * first process queued on it: left alone, one worker would take most of
 * the clients (and its runners one CPU). A worker that holds more than its
 * share of connections re-registers its listeners, which puts it at the
 * back of the socket's wait queue, and leaves the connections already
 * queued alone for a millisecond: the next connection to arrive wakes
 * another worker, which takes them all. If none does, this worker takes
 * them after the millisecond: accepting never stalls. */
static void balance(struct mg_context *ctx)
{
	struct timespec ms = {0, 1000000};

	if (may_accept(ctx))
		return;
	add_listeners(ctx, EPOLL_CTL_DEL);
	nanosleep(&ms, NULL);
	add_listeners(ctx, EPOLL_CTL_ADD);
}

static void *master_main(void *arg)
{
	struct mg_context *ctx = arg;
	struct cw_thread t;
	struct epoll_event evs[16];

	thread_begin(&t, ctx, 0, -1);
	while (!atomic_load(&ctx->stopping)) {
		int n;

		if (atomic_load(&ctx->draining) &&
		    atomic_load(&ctx->accepting)) {
			add_listeners(ctx, EPOLL_CTL_DEL);
			atomic_store(&ctx->accepting, 0);
		}
		n = epoll_wait(ctx->accept_epfd, evs, 16, TIMER_TICK_MS * 2);
		for (int i = 0; i < n && atomic_load(&ctx->accepting); i++) {
			if (evs[i].data.u64 == WAKE_DATA ||
			    evs[i].data.u64 == DRAIN_DATA)
				continue;
			accept_batch(ctx, &ctx->listeners[evs[i].data.u64]);
		}
		if (n > 0 && ctx->accept_ok != NULL &&
		    atomic_load(&ctx->accepting))
			balance(ctx);
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

/* Precise milliseconds for busy_since (the coarse clock's 4 ms steps would
 * call a runner stuck after a 1 ms request). */
static int64_t precise_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int become_runner(struct mg_context *ctx)
{
	pthread_mutex_lock(&ctx->spare_lock);
	ctx->spares++;
	while (ctx->spare_tokens == 0 && !atomic_load(&ctx->stopping))
		pthread_cond_wait(&ctx->spare_cond, &ctx->spare_lock);
	ctx->spares--;
	if (ctx->spare_tokens > 0)
		ctx->spare_tokens--;
	pthread_mutex_unlock(&ctx->spare_lock);
	if (atomic_load(&ctx->stopping))
		return -1;
	atomic_fetch_add(&ctx->runners, 1);
	return 0;
}

/* A runner steps down when there are more runners than wanted. */
static int step_down(struct mg_context *ctx)
{
	int n = atomic_load(&ctx->runners);

	while (n > ctx->runners_target) {
		if (atomic_compare_exchange_weak(&ctx->runners, &n, n - 1))
			return 1;
	}
	return 0;
}

/* One ready connection: claim it (unless the event is stale) and run it. */
static void run_one(struct mg_context *ctx, struct cw_thread *t, uint64_t data)
{
	_Atomic int64_t *busy = &cw_my_block(ctx)->busy_since;
	struct mg_connection *c = cw_conn_claim(ctx, data);

	if (c == NULL)
		return;
	atomic_store_explicit(busy, precise_ms(), memory_order_relaxed);
	cw_request_serve(c, t);
	atomic_store_explicit(busy, 0, memory_order_relaxed);
}

/* A runner stuck in a slow handler may hold events it took in its batch
 * and has not run yet; a spare woken for it takes them first. Each entry
 * is taken with an atomic exchange, so the runner and a thief never both
 * get one (and the connection's own claim arbitrates again). */
static void steal(struct mg_context *ctx, struct cw_thread *t)
{
	for (int j = 0; j < ctx->pool_size; j++) {
		if (j == t->index)
			continue;
		for (int k = 0; k < CW_BATCH; k++) {
			uint64_t data = atomic_exchange_explicit(
			    &ctx->batches[j].ev[k], 0, memory_order_acquire);

			if (data != 0 && data != WAKE_DATA)
				run_one(ctx, t, data);
		}
	}
}

/* Take up to CW_BATCH ready connections per epoll_wait (one system call
 * for many requests under load) and run them in turn. */
static void run_events(struct mg_context *ctx, struct cw_thread *t)
{
	struct cw_batch *mine = &ctx->batches[t->index];
	struct epoll_event ev[CW_BATCH];

	for (;;) {
		int n;

		if (atomic_load_explicit(&ctx->steal, memory_order_relaxed) &&
		    atomic_exchange(&ctx->steal, 0))
			steal(ctx, t);
		n = epoll_wait(ctx->epfd, ev, CW_BATCH, 200);
		if (n < 0 && errno != EINTR)
			return;
		if (n <= 0) {
			if (step_down(ctx))
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
		if (step_down(ctx))
			return;
	}
}

static void *pool_main(void *arg)
{
	struct cw_thread t;
	struct mg_context *ctx;
	int index, runner;

	ctx = ((void **)arg)[0];
	index = (int)(intptr_t)((void **)arg)[1];
	free(arg);
	thread_begin(&t, ctx, 1, index);
	ctx->pool_ktids[index] = gettid();
	runner = index < ctx->runners_target;
	if (runner)
		atomic_fetch_add(&ctx->runners, 1);
	while (!atomic_load(&ctx->stopping)) {
		if (!runner && become_runner(ctx) != 0)
			break;
		run_events(ctx, &t);
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
	char path[64], buf[256], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p == NULL || p[1] == '\0' || (p[2] != 'R');
}

/* Timer thread: wake spares while runners are stuck. Returns whether any
 * runner is busy (then the timer ticks fast). */
static int watch_runners(struct mg_context *ctx, int64_t now)
{
	int stuck = 0, busy = 0, want;

	for (int i = 0; i < ctx->pool_size && i < ctx->nblocks; i++) {
		int64_t since = atomic_load_explicit(&ctx->tstats[i].busy_since,
		                                     memory_order_relaxed);

		if (since == 0)
			continue;
		busy++;
		if (now - since >= STUCK_MS &&
		    is_sleeping(ctx->pool_ktids[i])) {
			stuck++;
			/* its batch may hold connections nobody runs */
			atomic_store(&ctx->steal, 1);
		}
	}
	want = ctx->runners_target - (atomic_load(&ctx->runners) - stuck);
	if (want > 0) {
		pthread_mutex_lock(&ctx->spare_lock);
		if (want > ctx->spares - ctx->spare_tokens)
			want = ctx->spares - ctx->spare_tokens;
		for (int i = 0; i < want; i++) {
			ctx->spare_tokens++;
			pthread_cond_signal(&ctx->spare_cond);
		}
		pthread_mutex_unlock(&ctx->spare_lock);
	}
	return busy;
}

/* ---- timer thread: deadlines -------------------------------------------- */

/* Is the client possibly sending right now? Closing then would reset it. */
static int has_pending_input(const struct mg_connection *c)
{
	int avail = 0;

	return c->rpos != c->rlen ||
	       (ioctl(c->fd, FIONREAD, &avail) == 0 && avail > 0);
}

static void expire(struct mg_connection *c, int64_t now, int draining,
                   int64_t grace)
{
	uint64_t tag = atomic_load_explicit(&c->tag, memory_order_acquire);
	int64_t deadline;
	int idle_drain;

	if (CW_TAG_STATE(tag) != CW_CONN_PARKED)
		return;
	deadline = atomic_load_explicit(&c->deadline, memory_order_relaxed);
	/* draining: a keep-alive connection idle for the grace period goes */
	idle_drain = draining && !c->lingering && c->rpos == c->rlen &&
	             now - c->parked_ms >= grace;
	if (now < deadline && !idle_drain)
		return;
	if (!cw_conn_seize(c, tag))
		return;
	if (now < deadline && has_pending_input(c)) {
		/* a request is arriving: let a pool thread answer it */
		if (cw_conn_handoff(c, deadline) != 0)
			cw_conn_close(c, 0);
		return;
	}
	cw_request_timeout(c);
}

static void scan(struct mg_context *ctx)
{
	uint32_t n = cw_conns_count(ctx);
	int64_t now = cw_now_ms();
	int draining = atomic_load(&ctx->draining);

	for (uint32_t i = 0; i < n; i++)
		expire(cw_conn_at(ctx, i), now, draining, ctx->drain_grace_ms);
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
		busy = watch_runners(ctx, precise_ms());
		if (now - last_scan >= TIMER_TICK_MS) {
			scan(ctx);
			last_scan = now;
		}
	}
	thread_end(&t);
	return NULL;
}

/* ---- start and stop ---------------------------------------------------------
 */

static int make_sets(struct mg_context *ctx)
{
	struct epoll_event ev;

	ctx->epfd = epoll_create1(EPOLL_CLOEXEC);
	ctx->accept_epfd = epoll_create1(EPOLL_CLOEXEC);
	ctx->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ctx->drainfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ctx->epfd < 0 || ctx->accept_epfd < 0 || ctx->wakefd < 0 ||
	    ctx->drainfd < 0)
		return -1;
	ev.events = EPOLLIN;
	ev.data.u64 = WAKE_DATA;
	if (epoll_ctl(ctx->epfd, EPOLL_CTL_ADD, ctx->wakefd, &ev) != 0 ||
	    epoll_ctl(ctx->accept_epfd, EPOLL_CTL_ADD, ctx->wakefd, &ev) != 0)
		return -1;
	ev.data.u64 = DRAIN_DATA;
	if (epoll_ctl(ctx->accept_epfd, EPOLL_CTL_ADD, ctx->drainfd, &ev) != 0)
		return -1;
	return add_listeners(ctx, EPOLL_CTL_ADD);
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

int cw_pool_start(struct mg_context *ctx, char *err, size_t errlen)
{
	int n = ctx->opt.num_threads;

	ctx->epfd = ctx->accept_epfd = ctx->wakefd = ctx->drainfd = -1;
	if (make_sets(ctx) != 0) {
		snprintf(err, errlen, "cannot create event sets: %s",
		         strerror(errno));
		return -1;
	}
	ctx->pool_tids = calloc((size_t)n, sizeof *ctx->pool_tids);
	ctx->pool_ktids = calloc((size_t)n, sizeof *ctx->pool_ktids);
	ctx->batches = aligned_alloc(64, (size_t)n * sizeof *ctx->batches);
	if (ctx->batches != NULL)
		memset(ctx->batches, 0, (size_t)n * sizeof *ctx->batches);
	if (ctx->tstats == NULL) {
		ctx->tstats =
		    aligned_alloc(64, (size_t)n * sizeof *ctx->tstats);
		ctx->nblocks = n;
		ctx->stats_owned = 1;
		if (ctx->tstats != NULL)
			memset(ctx->tstats, 0, (size_t)n * sizeof *ctx->tstats);
	}
	if (ctx->pool_tids == NULL || ctx->pool_ktids == NULL ||
	    ctx->batches == NULL || ctx->tstats == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_mutex_init(&ctx->spare_lock, NULL);
	pthread_cond_init(&ctx->spare_cond, NULL);
	if (getenv("CIVETD_RUNNERS") != NULL) /* benchmarks of the model */
		ctx->runners_target = atoi(getenv("CIVETD_RUNNERS"));
	if (ctx->runners_target <= 0)
		ctx->runners_target = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (ctx->runners_target < 1)
		ctx->runners_target = 1;
	if (ctx->runners_target > n)
		ctx->runners_target = n;
	for (int i = 0; i < n; i++) {
		void **arg = malloc(2 * sizeof *arg);

		if (arg == NULL)
			break;
		arg[0] = ctx;
		arg[1] = (void *)(intptr_t)i;
		if (spawn(&ctx->pool_tids[i], pool_main, arg) != 0) {
			free(arg);
			break;
		}
		ctx->pool_size++;
	}
	if (ctx->pool_size != n ||
	    spawn(&ctx->timer_tid, timer_main, ctx) != 0) {
		snprintf(err, errlen, "cannot start threads: %s",
		         strerror(errno));
		cw_pool_stop(ctx);
		return -1;
	}
	atomic_store(&ctx->accepting, 1);
	if (spawn(&ctx->master_tid, master_main, ctx) != 0) {
		atomic_store(&ctx->accepting, 0);
		snprintf(err, errlen, "cannot start threads: %s",
		         strerror(errno));
		cw_pool_stop(ctx);
		return -1;
	}
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
			cw_conn_close(c, 0);
	}
}

void cw_pool_stop(struct mg_context *ctx)
{
	uint64_t one = 1;
	int had_master =
	    atomic_load(&ctx->accepting) || atomic_load(&ctx->draining);

	atomic_store(&ctx->stopping, 1);
	if (ctx->wakefd >= 0 && write(ctx->wakefd, &one, sizeof one) < 0)
		cw_log_error(ctx, NULL, "wake: %s", strerror(errno));
	if (ctx->tstats != NULL) {
		pthread_mutex_lock(&ctx->spare_lock);
		pthread_cond_broadcast(&ctx->spare_cond);
		pthread_mutex_unlock(&ctx->spare_lock);
	}
	if (had_master && ctx->master_tid)
		pthread_join(ctx->master_tid, NULL);
	if (ctx->timer_tid)
		pthread_join(ctx->timer_tid, NULL);
	for (int i = 0; i < ctx->pool_size; i++)
		pthread_join(ctx->pool_tids[i], NULL);
	if (ctx->chunks != NULL)
		close_leftovers(ctx);
	if (ctx->epfd >= 0)
		close(ctx->epfd);
	if (ctx->accept_epfd >= 0)
		close(ctx->accept_epfd);
	if (ctx->wakefd >= 0)
		close(ctx->wakefd);
	if (ctx->drainfd >= 0)
		close(ctx->drainfd);
	ctx->epfd = ctx->accept_epfd = ctx->wakefd = ctx->drainfd = -1;
	free(ctx->pool_tids);
	free(ctx->pool_ktids);
	free(ctx->batches);
	ctx->pool_tids = NULL;
	ctx->pool_ktids = NULL;
	ctx->batches = NULL;
	ctx->pool_size = 0;
	if (ctx->tstats != NULL) {
		pthread_cond_destroy(&ctx->spare_cond);
		pthread_mutex_destroy(&ctx->spare_lock);
	}
}

/* Returns once the master thread has stopped accepting: a connection it
 * accepts afterwards cannot exist, so "no connection open" really means
 * the worker may exit without resetting anybody. */
void cw_pool_drain(struct mg_context *ctx, int grace_ms)
{
	uint64_t one = 1;

	ctx->drain_grace_ms = grace_ms;
	atomic_store(&ctx->draining, 1);
	if (write(ctx->drainfd, &one, sizeof one) < 0)
		cw_log_error(ctx, NULL, "drain: %s", strerror(errno));
	for (int i = 0; i < 2000 && atomic_load(&ctx->accepting); i++)
		usleep(1000);
}

int64_t cw_pool_oldest_busy(const struct mg_context *ctx, int *all_busy)
{
	int64_t oldest = 0;
	int busy = 0,
	    n = ctx->pool_size < ctx->nblocks ? ctx->pool_size : ctx->nblocks;

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
	return precise_ms();
}

int64_t cw_pool_open_connections(const struct mg_context *ctx)
{
	return atomic_load(&ctx->conns_ctr->open);
}

static void *detached_main(void *arg)
{
	void **a = arg;
	void *(*fn)(void *) = (void *(*)(void *))a[0];
	void *p = a[1];

	free(a);
	return fn(p);
}

int cw_pool_detached_thread(void *(*fn)(void *), void *arg)
{
	pthread_t tid;
	pthread_attr_t attr;
	void **a = malloc(2 * sizeof *a);
	int r;

	if (a == NULL)
		return -1;
	a[0] = (void *)fn;
	a[1] = arg;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&tid, &attr, detached_main, a);
	pthread_attr_destroy(&attr);
	if (r != 0)
		free(a);
	return r;
}
