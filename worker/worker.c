/* worker.c - a worker process.
 *
 * Forked by the master, it keeps only what it needs (the listening
 * sockets, its control channel, stdio), starts one library context on the
 * inherited sockets - init_context runs here, once per worker process - and
 * then its main thread only watches: the control channel (drain, stop,
 * reopen), signals, the heartbeat in its slot, and the request count for
 * recycling. Request threads count straight into the slot, which lives in
 * memory shared with the master, so even a worker killed by SIGKILL has its
 * counts in the totals.
 *
 * Draining: the context stops accepting at once; a keep-alive connection is
 * answered "Connection: close" at its next response and an idle one is
 * closed after a short grace period (never while input is arriving); the
 * worker exits when its last connection is gone or at
 * worker_shutdown_timeout_ms, whichever comes first. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api/context.h"
#include "core/admin_proto.h"
#include "core/log.h"
#include "net/pool.h"
#include "util/clock.h"
#include "worker.h"

#define TICK_MS 100

static volatile sig_atomic_t got_drain, got_quit, got_reopen;

static void on_signal(int sig)
{
	int saved = errno;

	if (sig == SIGTERM || sig == SIGINT)
		got_drain = 1;
	else if (sig == SIGQUIT)
		got_quit = 1;
	else if (sig == SIGUSR1)
		got_reopen = 1;
	errno = saved;
}

static void set_signals(void)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGQUIT, SIGUSR1};
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL); /* the master's: a binary upgrade */
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_signal;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* The master's admin socket, its clients and its event loop's descriptors
 * must not live on in a worker: close every descriptor but stdio, the
 * listening sockets and the control channel. */
static void close_other_fds(const struct cw_worker_spec *s)
{
	int keep[CW_MAX_LISTENERS + 1], n = 0, from = 3;

	keep[n++] = s->ctl_fd;
	for (int i = 0; i < s->num_listen_fds && n < CW_MAX_LISTENERS + 1; i++)
		keep[n++] = s->listen_fds[i];
	qsort(keep, (size_t)n, sizeof keep[0], cmp_int);
	for (int i = 0; i < n; i++) {
		if (keep[i] > from)
			close_range((unsigned)from, (unsigned)keep[i] - 1, 0);
		if (keep[i] >= from)
			from = keep[i] + 1;
	}
	close_range((unsigned)from, ~0u, 0);
}

/* A worker takes new connections while it holds no more than its share
 * of its generation's open connections. The workers share one listening
 * socket, and the kernel wakes whichever waits first, so without this one
 * worker can end up with most clients (and one CPU's worth of runners). */
static int within_share(void *arg)
{
	const struct cw_worker_spec *s = arg;
	int64_t mine =
	    atomic_load_explicit(&s->slot->conns.open, memory_order_relaxed);
	int64_t sum = 0, avg;
	int n = 0;

	for (int i = 0; i < CW_STATS_SLOTS; i++) {
		const struct cw_worker_slot *o = &s->area->slots[i];

		if (atomic_load_explicit(&o->state, memory_order_relaxed) !=
		        CW_WORKER_READY ||
		    o->generation != s->slot->generation)
			continue;
		sum +=
		    atomic_load_explicit(&o->conns.open, memory_order_relaxed);
		n++;
	}
	if (n <= 1)
		return 1;
	avg = sum / n;
	return mine <= avg + (avg / 4 > 8 ? avg / 4 : 8);
}

/* A worker that cannot start says why where civetd logs (error_log_file
 * if the configuration names one, else standard error), and to the master
 * (which gives the reason to a reload that waits for this worker). */
static void report(const struct cw_worker_spec *s, const char *why)
{
	const char *path = NULL;
	char line[700];
	int fd = 2, n;

	n = snprintf(line, sizeof line, "%c%s", CW_CTL_FAILED, why);
	if (send(s->ctl_fd, line,
	         (size_t)n < sizeof line ? (size_t)n : sizeof line - 1,
	         MSG_NOSIGNAL) < 0)
		n = 0;

	for (int i = 0; s->options != NULL && s->options[i] != NULL; i += 2)
		if (strcmp(s->options[i], "error_log_file") == 0)
			path = s->options[i + 1];
	if (path != NULL && *path != '\0')
		fd =
		    open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	n = snprintf(line, sizeof line, "[worker %d] cannot start: %s\n",
	             (int)getpid(), why);
	if (fd >= 0 && write(fd, line, (size_t)n) < 0)
		n = 0;
	if (fd > 2)
		close(fd);
}

static struct mg_context *start_context(const struct cw_worker_spec *s)
{
	char text[512] = "";
	struct mg_error_data err = {0, 0, text, sizeof text};
	struct mg_init_data init = {s->callbacks, s->user_data, s->options};
	struct cw_start_extra extra;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct mg_context *ctx;

	memset(&extra, 0, sizeof extra);
	extra.fds = s->listen_fds;
	extra.num_fds = s->num_listen_fds;
	extra.blocks = s->slot->threads;
	extra.nblocks = CW_STATS_THREADS;
	extra.conns = &s->slot->conns;
	extra.accept_ok = within_share;
	extra.accept_arg = (void *)s;
	extra.ticket_keys = s->ticket_keys;
	extra.nonces = s->nonces;
	extra.runners_target = (int)((cpus + s->num_workers - 1) /
	                             (s->num_workers > 0 ? s->num_workers : 1));
	ctx = cw_context_start(&init, &err, &extra);
	if (ctx == NULL)
		report(s, text);
	return ctx;
}

/* add_domain: each file's domain is added as a CivetWeb program's main()
 * adds it after mg_start. One that cannot be added fails the worker with
 * the reason (a reload is then refused with it). */
static int add_domains(const struct cw_worker_spec *s, struct mg_context *ctx)
{
	char text[512] = "", why[600];
	struct mg_error_data err = {0, 0, text, sizeof text};

	if (s->num_domains > 0 && s->domains == NULL) {
		report(s, "add_domain: out of memory");
		return -1;
	}
	for (int i = 0; i < s->num_domains; i++) {
		if (mg_start_domain2(ctx, (const char **)s->domains[i], &err) >
		    0)
			continue;
		snprintf(why, sizeof why, "add_domain: %s", text);
		report(s, why);
		return -1;
	}
	return 0;
}

/* The heartbeat stops while every request thread is stuck in one request
 * for longer than the hang timeout: the master then replaces us. */
static void heartbeat(const struct cw_worker_spec *s, struct mg_context *ctx)
{
	int all_busy;
	int64_t oldest = cw_pool_oldest_busy(ctx, &all_busy);
	int64_t now = cw_pool_clock_ms();

	atomic_store(&s->slot->oldest_busy, oldest);
	if (all_busy && oldest != 0 && now - oldest > s->hang_timeout_ms)
		return;
	atomic_store(&s->slot->heartbeat, cw_now_ms());
}

/* Recycle after max_requests, give or take 10 %, so that workers started
 * together do not all restart together. */
static long recycle_point(const struct cw_worker_spec *s)
{
	long jitter;

	if (s->max_requests <= 0)
		return 0;
	srand((unsigned)getpid() ^ (unsigned)time(NULL));
	jitter = s->max_requests / 10;
	return s->max_requests - jitter +
	       (jitter > 0 ? rand() % (2 * jitter + 1) : 0);
}

enum { RUN, DRAIN, QUIT };

static int read_control(const struct cw_worker_spec *s, struct mg_context *ctx)
{
	char msg[16];
	ssize_t n = recv(s->ctl_fd, msg, sizeof msg, MSG_DONTWAIT);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		return QUIT; /* the master is gone: no worker outlives it */
	if (n <= 0)
		return RUN;
	switch (msg[0]) {
	case CW_CTL_DRAIN:
		return DRAIN;
	case CW_CTL_STOP:
		return QUIT;
	case CW_CTL_REOPEN:
		cw_log_reopen(ctx);
		return RUN;
	default:
		return RUN;
	}
}

static int grace_ms(const struct mg_context *ctx)
{
	int ka = ctx->opt.keep_alive_timeout_ms;

	return ka > 0 && ka < 1000 ? ka : 1000;
}

static int wait_loop(const struct cw_worker_spec *s, struct mg_context *ctx)
{
	long recycle_at = recycle_point(s);
	int64_t drain_end = 0;
	int asked = 0, mode = RUN;

	for (;;) {
		struct pollfd p = {s->ctl_fd, POLLIN, 0};
		int r;

		poll(&p, 1, TICK_MS);
		heartbeat(s, ctx);
		if (got_reopen) {
			got_reopen = 0;
			cw_log_reopen(ctx);
		}
		r = p.revents ? read_control(s, ctx) : RUN;
		if (r == QUIT || got_quit)
			return QUIT;
		if ((r == DRAIN || got_drain) && mode == RUN) {
			mode = DRAIN;
			/* shown as draining once it no longer accepts and its
			 * responses end keep-alive */
			cw_pool_drain(ctx, grace_ms(ctx));
			atomic_store(&s->slot->state, CW_WORKER_DRAINING);
			drain_end = cw_now_ms() + s->shutdown_timeout_ms;
		}
		if (mode == DRAIN && (cw_pool_open_connections(ctx) == 0 ||
		                      cw_now_ms() >= drain_end))
			return DRAIN;
		if (mode == RUN && recycle_at > 0 && !asked &&
		    cw_pool_requests(ctx) >= (uint64_t)recycle_at) {
			char m = CW_CTL_RECYCLE;

			asked = send(s->ctl_fd, &m, 1, MSG_NOSIGNAL) == 1;
		}
	}
}

void cw_worker_run(const struct cw_worker_spec *s)
{
	struct mg_context *ctx;
	char ready = CW_CTL_READY;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != s->master_pid)
		_exit(1);
	close_other_fds(s);
	set_signals();
	ctx = start_context(s);
	if (ctx == NULL)
		_exit(2);
	if (add_domains(s, ctx) != 0) {
		mg_stop(ctx);
		_exit(2);
	}
	atomic_store(&s->slot->heartbeat, cw_now_ms());
	atomic_store(&s->slot->state, CW_WORKER_READY);
	if (send(s->ctl_fd, &ready, 1, MSG_NOSIGNAL) != 1)
		_exit(3);
	if (wait_loop(s, ctx) == QUIT)
		_exit(0);
	mg_stop(ctx);
	_exit(0);
}
