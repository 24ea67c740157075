/* master.c - the prefork master: civetd_run().
 *
 * The master validates the configuration, binds every listening socket
 * once, creates the shared statistics area, forks the workers, and then
 * lives on a libevent loop: signals, the admin socket, one event per
 * worker control channel and a 250 ms tick. It never runs a request
 * handler. Workers that die are reaped (SIGCHLD), their counts folded into
 * the totals, and replaced; a worker that dies before it is ready is
 * respawned with an exponential backoff, and after MAX_FAILURES in a row
 * the master stops trying and says so in the status until the next reload
 * or scale command. A worker whose heartbeat stops is killed and replaced.
 * Signals: TERM/INT graceful stop, QUIT immediate stop, HUP reload, USR1
 * reopen logs, USR2 binary upgrade (upgrade.c). The workers' records live in
 * the process table (proctab.c); this file decides when they come and go. Under
 * systemd it says READY=1 once every worker of the first generation is ready,
 * STOPPING=1 when it starts to stop, and keeps STATUS= current
 * (notify.c; reloads say RELOADING=1 in reload.c). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api/context.h"
#include "civetd.h"
#include "core/admin_proto.h"
#include "master.h"
#include "net/listen.h"
#include "net/tls.h"
#include "privdrop.h"
#include "util/clock.h"

#define TICK_MS        250
#define MAX_FAILURES   8
#define MAX_BACKOFF_MS 10000

/* ---- logging ------------------------------------------------------------ */

void cw_master_log(struct cw_master *m, const char *fmt, ...)
{
	char line[1200];
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;
	int n;

	gmtime_r(&now, &tm);
	n = snprintf(line, sizeof line,
	             "[%04d-%02d-%02dT%02d:%02d:%02dZ] [master %d] ",
	             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	             tm.tm_min, tm.tm_sec, (int)getpid());
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof line - 2)
		n = (int)sizeof line - 2;
	line[n++] = '\n';
	if (m->log.fd >= 0)
		cw_log_file_write(&m->log, line, (size_t)n);
	else if (write(2, line, (size_t)n) < 0)
		return;
}

/* error_log_file, at start and on SIGUSR1 (a reload may have named
 * another one). Like the workers' logs it follows its path on its own
 * when renamed or removed. A file that cannot be opened leaves the log
 * where it was (standard error at first). */
static void open_log(struct cw_master *m)
{
	const char *path = cw_config_get(&m->cfg, CW_OPT_ERROR_LOG_FILE);
	struct cw_log_file f;
	char err[256];

	if (*path == '\0')
		return;
	if (m->log.fd >= 0 && strcmp(m->log.path, path) == 0) {
		(void)cw_log_file_reopen(&m->log);
		return;
	}
	if (cw_log_file_open(&f, path, err, sizeof err) != 0)
		return;
	cw_log_file_close(&m->log);
	m->log = f;
}

/* ---- workers ------------------------------------------------------------- */

int cw_master_workers_option(const struct cw_config *cfg)
{
	const char *v = cw_config_get(cfg, CW_OPT_NUM_WORKERS);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (*v != '\0')
		return atoi(v);
	return cpus > 0 ? (int)cpus : 1;
}

static void on_control(evutil_socket_t fd, short what, void *arg);

/* The add_domain configurations as name/value lists (in the child, just
 * after fork: never freed, the process ends with them). */
static const char *const *const *domain_options(const struct cw_config *cfg)
{
	const char ***v = calloc((size_t)cfg->n_domains + 1, sizeof *v);

	for (int i = 0; v != NULL && i < cfg->n_domains; i++)
		v[i] = cfg->domains[i].kv;
	return (const char *const *const *)v;
}

static void child(struct cw_master *m, const struct cw_config *cfg,
                  const struct cw_listen_set *ls, struct cw_worker_slot *slot,
                  int ctl)
{
	struct cw_worker_spec s;

	if (m->metrics_fd >= 0) /* the master's alone */
		close(m->metrics_fd);
	memset(&s, 0, sizeof s);
	s.callbacks = m->cb;
	s.user_data = m->user_data;
	s.options = cfg->kv;
	s.domains = domain_options(cfg);
	s.num_domains = cfg->n_domains;
	s.listen_fds = ls->fds;
	s.num_listen_fds = ls->n;
	s.slot = slot;
	s.area = m->area;
	s.ticket_keys = m->keys;
	s.nonces = m->nonces;
	s.ctl_fd = ctl;
	s.master_pid = m->pid;
	s.num_workers = m->want > 0 ? m->want : 1;
	s.shutdown_timeout_ms =
	    atoi(cw_config_get(cfg, CW_OPT_WORKER_SHUTDOWN_TIMEOUT_MS));
	s.hang_timeout_ms =
	    atoi(cw_config_get(cfg, CW_OPT_WORKER_HANG_TIMEOUT_MS));
	s.max_requests =
	    atol(cw_config_get(cfg, CW_OPT_MAX_REQUESTS_PER_WORKER));
	cw_worker_run(&s);
}

/* Record and watch the master's end ctl of a new control channel. Takes
 * ctl: on failure (out of memory) it is closed and NULL returned. Done
 * before the fork, so that a failure never leaves a child behind. */
static struct cw_worker *add_worker(struct cw_master *m, int idx, uint64_t gen,
                                    int ctl)
{
	struct cw_worker *w = cw_proctab_add(&m->procs, m, idx, gen, ctl);

	if (w == NULL) {
		close(ctl);
		return NULL;
	}
	w->ev = event_new(m->base, ctl, EV_READ | EV_PERSIST, on_control, w);
	if (w->ev == NULL || event_add(w->ev, NULL) != 0) {
		cw_proctab_remove(&m->procs, w);
		return NULL;
	}
	return w;
}

int cw_master_spawn(struct cw_master *m, uint64_t gen,
                    const struct cw_config *cfg, const struct cw_listen_set *ls)
{
	int idx = cw_proctab_free_slot(m->area), sv[2], saved;
	struct cw_worker_slot *slot;
	struct cw_worker *w;
	pid_t pid;

	if (idx < 0) {
		cw_master_log(m, "no free worker slot");
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		cw_master_log(m, "cannot start a worker: socketpair: %s",
		              strerror(errno));
		return -1;
	}
	w = add_worker(m, idx, gen, sv[0]);
	if (w == NULL) {
		cw_master_log(m, "cannot start a worker: out of memory");
		close(sv[1]);
		return -1;
	}
	/* a compare and swap: during an upgrade another master claims too */
	w->slot = idx = cw_stats_claim_slot(m->area, gen);
	if (idx < 0) {
		cw_master_log(m, "no free worker slot");
		close(sv[1]);
		cw_proctab_remove(&m->procs, w);
		return -1;
	}
	slot = &m->area->slots[idx];
	pid = fork();
	saved = errno;
	if (pid == 0) {
		close(sv[0]);
		child(m, cfg, ls, slot, sv[1]);
	}
	close(sv[1]);
	if (pid < 0) {
		cw_master_log(m, "cannot start a worker: fork: %s",
		              strerror(saved));
		atomic_store(&slot->state, CW_WORKER_FREE);
		cw_proctab_remove(&m->procs, w);
		return -1;
	}
	slot->pid = pid;
	w->pid = pid;
	w->spawned_ms = cw_now_ms();
	return 0;
}

static void send_one(struct cw_worker *w, char msg)
{
	if (send(w->ctl, &msg, 1, MSG_NOSIGNAL | MSG_DONTWAIT) != 1)
		kill(w->pid, msg == CW_CTL_STOP ? SIGKILL : SIGTERM);
}

static void drain_one(struct cw_master *m, struct cw_worker *w)
{
	if (w->draining)
		return;
	w->draining = 1;
	w->recycling = 0;
	w->drain_deadline =
	    cw_now_ms() +
	    atoi(cw_config_get(&m->cfg, CW_OPT_WORKER_SHUTDOWN_TIMEOUT_MS)) +
	    2000;
	atomic_store(&m->area->slots[w->slot].state, CW_WORKER_DRAINING);
	send_one(w, CW_CTL_DRAIN);
}

void cw_master_send(struct cw_master *m, uint64_t gen, char msg)
{
	for (struct cw_worker *w = cw_proctab_first(&m->procs); w != NULL;
	     w = cw_proctab_next(w)) {
		if (gen != 0 && w->gen != gen)
			continue;
		if (msg == CW_CTL_DRAIN)
			drain_one(m, w);
		else
			send_one(w, msg);
	}
}

/* A worker asked to be recycled: its replacement starts first, and it
 * drains once the replacement is ready. */
static void recycle(struct cw_master *m, struct cw_worker *w)
{
	if (m->reload != NULL || m->stopping || w->draining || w->recycling ||
	    m->up.run != NULL)
		return;
	w->recycling = 1;
	if (cw_master_spawn(m, w->gen, &m->cfg, &m->ls) != 0)
		w->recycling = 0;
}

static void drain_recycled(struct cw_master *m)
{
	for (struct cw_worker *w = cw_proctab_first(&m->procs); w != NULL;
	     w = cw_proctab_next(w))
		if (w->recycling &&
		    cw_proctab_count(&m->procs, m->gen, 1) >= m->want)
			drain_one(m, w);
}

/* READY=1, once: when the first generation is complete (a reload that
 * ends before that says READY=1 itself). */
static void notify_if_ready(struct cw_master *m)
{
	char line[320];

	if (m->notify.ready_sent || m->reload != NULL ||
	    cw_proctab_count(&m->procs, m->gen, 1) < m->want)
		return;
	m->notify.ready_sent = 1;
	cw_upgrade_ready(m); /* started by an upgrade: the old master goes */
	cw_master_status_line(m, line, sizeof line);
	cw_notify_ready(&m->notify, line);
}

static void on_control(evutil_socket_t fd, short what, void *arg)
{
	struct cw_worker *w = arg;
	char msg[sizeof w->failure + 1];
	ssize_t n = recv(fd, msg, sizeof msg - 1, MSG_DONTWAIT);

	(void)what;
	if (n <= 0) {
		/* closed: the worker is exiting; SIGCHLD does the rest */
		event_del(w->ev);
		return;
	}
	if (msg[0] == CW_CTL_READY) {
		w->ready = 1;
		w->m->failures = 0;
		cw_reload_worker_ready(w->m, w);
		drain_recycled(w->m);
		notify_if_ready(w->m);
	} else if (msg[0] == CW_CTL_FAILED) {
		msg[n] = '\0';
		snprintf(w->failure, sizeof w->failure, "%s", msg + 1);
	} else if (msg[0] == CW_CTL_RECYCLE) {
		cw_master_log(w->m, "worker %d reached max_requests_per_worker",
		              (int)w->pid);
		recycle(w->m, w);
	}
}

/* ---- reaping ------------------------------------------------------------ */

static void describe_exit(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
}

/* A worker of the current generation died on its own: respawn it, at once
 * if it had been serving, after a growing backoff if it never got ready. */
static void plan_respawn(struct cw_master *m, int before_ready, const char *why)
{
	int64_t backoff;

	if (!before_ready) {
		m->next_spawn_ms = cw_now_ms();
		return;
	}
	m->failures++;
	snprintf(m->last_failure, sizeof m->last_failure,
	         "worker failed to start (%s)", why);
	if (m->failures >= MAX_FAILURES) {
		m->gave_up = 1;
		cw_master_log(m,
		              "workers keep failing at start-up (%s); not "
		              "respawning until reload or 'workers N'",
		              why);
		return;
	}
	backoff = 100LL << (m->failures - 1);
	m->next_spawn_ms =
	    cw_now_ms() + (backoff > MAX_BACKOFF_MS ? MAX_BACKOFF_MS : backoff);
}

static void reaped(struct cw_master *m, struct cw_worker *w, int status)
{
	int before_ready = !w->ready, expected = w->draining || m->stopping;
	char why[64];

	describe_exit(status, why, sizeof why);
	if (!expected)
		cw_master_log(m, "worker %d (generation %llu) %s%s",
		              (int)w->pid, (unsigned long long)w->gen, why,
		              before_ready ? " before it was ready" : "");
	cw_stats_fold(m->area, &m->area->slots[w->slot]);
	cw_reload_worker_gone(m, w, before_ready);
	if (!expected && w->gen == m->gen && !w->recycling &&
	    (m->reload == NULL || w->gen != m->reload->gen))
		plan_respawn(m, before_ready,
		             w->failure[0] != '\0' ? w->failure : why);
	if (!expected && before_ready)
		cw_upgrade_worker_failed(m, w->failure[0] != '\0' ? w->failure
		                                                  : why);
	cw_proctab_remove(&m->procs, w);
}

static void reap(struct cw_master *m)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct cw_worker *w = cw_proctab_by_pid(&m->procs, pid);

		if (w != NULL)
			reaped(m, w, status);
		else
			cw_upgrade_reaped(m, pid, status);
	}
}

/* ---- the tick: respawns, hung workers, deadlines, rates ----------------- */

static void respawn_missing(struct cw_master *m)
{
	int have = cw_proctab_count(&m->procs, m->gen, 0);

	if (m->stopping || m->gave_up || m->reload != NULL ||
	    m->up.run != NULL || cw_now_ms() < m->next_spawn_ms)
		return;
	while (have < m->want &&
	       cw_master_spawn(m, m->gen, &m->cfg, &m->ls) == 0)
		have++;
}

static void check_worker(struct cw_master *m, struct cw_worker *w, int64_t now,
                         int hang_ms)
{
	struct cw_worker_slot *s = &m->area->slots[w->slot];

	if (w->ready && !w->draining &&
	    now - atomic_load(&s->heartbeat) > hang_ms) {
		cw_master_log(m,
		              "worker %d stopped its heartbeat (hung for %d "
		              "ms): killing it",
		              (int)w->pid, hang_ms);
		kill(w->pid, SIGKILL);
	} else if (w->draining && w->drain_deadline != 0 &&
	           now > w->drain_deadline) {
		kill(w->pid, SIGKILL);
	} else if (!w->ready && now - w->spawned_ms > 30000) {
		cw_master_log(m, "worker %d not ready after 30 s: killing it",
		              (int)w->pid);
		kill(w->pid, SIGKILL);
	}
}

static void sample_rates(struct cw_master *m, int64_t now)
{
	static int64_t last;
	double dt = (double)(now - last) / 1000.0;

	if (now - last < 1000)
		return;
	for (struct cw_worker *w = cw_proctab_first(&m->procs); w != NULL;
	     w = cw_proctab_next(w)) {
		struct cw_totals t;

		memset(&t, 0, sizeof t);
		cw_stats_sum(m->area->slots[w->slot].threads, CW_STATS_THREADS,
		             NULL, &t);
		w->rate = last == 0 || t.requests < w->rate_req
		              ? 0
		              : (double)(t.requests - w->rate_req) / dt;
		w->rate_req = t.requests;
	}
	last = now;
}

void cw_master_status_line(struct cw_master *m, char *buf, size_t len)
{
	const struct cw_stats_area *a = m->area;
	double rate = 0;
	int n;

	for (struct cw_worker *w = cw_proctab_first(&m->procs); w != NULL;
	     w = cw_proctab_next(w))
		rate += w->rate;
	n = snprintf(buf, len,
	             "%d of %d workers ready (generation %llu), "
	             "%.1f requests/s",
	             cw_proctab_count(&m->procs, m->gen, 1), m->want,
	             (unsigned long long)m->gen, rate);
	if (n < 0 || (size_t)n >= len)
		return;
	if (m->gave_up)
		snprintf(buf + n, len - (size_t)n, "; %s", m->last_failure);
	else if (atomic_load(&a->last_reload_time) != 0 &&
	         !atomic_load(&a->last_reload_ok))
		snprintf(buf + n, len - (size_t)n, "; last reload failed: %s",
		         a->last_reload_error);
}

/* STATUS=, at most once a second and only when it changed. */
static void notify_status(struct cw_master *m)
{
	char line[320];

	if (m->notify.fd < 0 || !m->notify.ready_sent || m->stopping)
		return;
	cw_master_status_line(m, line, sizeof line);
	cw_notify_status(&m->notify, line, 1000);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct cw_master *m = arg;
	int64_t now = cw_now_ms();
	int hang = atoi(cw_config_get(&m->cfg, CW_OPT_WORKER_HANG_TIMEOUT_MS));

	(void)fd, (void)what;
	reap(m);
	for (struct cw_worker *w = cw_proctab_first(&m->procs); w != NULL;
	     w = cw_proctab_next(w))
		check_worker(m, w, now, hang > 0 ? hang : 60000);
	respawn_missing(m);
	cw_reload_tick(m);
	cw_upgrade_tick(m);
	sample_rates(m, now);
	notify_status(m);
	cw_master_keys_tick(m, now);
	if (m->stopping && cw_proctab_empty(&m->procs))
		event_base_loopbreak(m->base);
	if (m->stopping && now > m->stop_deadline)
		for (struct cw_worker *w = cw_proctab_first(&m->procs);
		     w != NULL; w = cw_proctab_next(w))
			kill(w->pid, SIGKILL);
}

/* ---- stop, scale, signals ----------------------------------------------- */

void cw_master_stop(struct cw_master *m, int immediate)
{
	if (m->stopping >= (immediate ? 2 : 1))
		return;
	m->stopping = immediate ? 2 : 1;
	m->stop_deadline =
	    cw_now_ms() +
	    (immediate ? 1000
	               : atoi(cw_config_get(
	                     &m->cfg, CW_OPT_WORKER_SHUTDOWN_TIMEOUT_MS)) +
	                     3000);
	cw_master_log(m, "%s stop", immediate ? "immediate" : "graceful");
	cw_upgrade_abort(m, "the server is stopping");
	cw_notify_stopping(&m->notify);
	cw_master_send(m, 0, immediate ? CW_CTL_STOP : CW_CTL_DRAIN);
	if (cw_proctab_empty(&m->procs))
		event_base_loopbreak(m->base);
}

void cw_master_scale(struct cw_master *m, int n)
{
	int have = cw_proctab_count(&m->procs, m->gen, 0);

	m->want = n;
	m->gave_up = 0;
	m->failures = 0;
	m->next_spawn_ms = 0;
	for (struct cw_worker *w = cw_proctab_first(&m->procs);
	     w != NULL && have > n; w = cw_proctab_next(w)) {
		if (w->gen == m->gen && !w->draining && !w->recycling) {
			drain_one(m, w);
			have--;
		}
	}
	respawn_missing(m);
}

static void reload_logged(void *arg, int ok, const char *msg)
{
	struct cw_master *m = arg;

	cw_master_log(m, "reload (SIGHUP) %s%s%s", ok ? "done" : "failed",
	              *msg ? ": " : "", msg);
}

static void upgrade_logged(void *arg, int ok, const char *msg)
{
	struct cw_master *m = arg;

	cw_master_log(m, "upgrade (SIGUSR2) %s%s%s", ok ? "done" : "failed",
	              *msg ? ": " : "", msg);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct cw_master *m = arg;

	(void)what;
	switch (sig) {
	case SIGCHLD:
		reap(m);
		respawn_missing(m);
		if (m->stopping && cw_proctab_empty(&m->procs))
			event_base_loopbreak(m->base);
		break;
	case SIGTERM:
	case SIGINT:
		cw_master_stop(m, 0);
		break;
	case SIGQUIT:
		cw_master_stop(m, 1);
		break;
	case SIGHUP:
		cw_reload_begin(m, reload_logged, m);
		break;
	case SIGUSR1:
		open_log(m);
		cw_master_send(m, 0, CW_CTL_REOPEN);
		break;
	case SIGUSR2:
		cw_upgrade_begin(m, NULL, upgrade_logged, m);
		break;
	default:
		break;
	}
}

static int add_events(struct cw_master *m)
{
	static const int sigs[] = {SIGCHLD, SIGTERM, SIGINT, SIGQUIT,
	                           SIGHUP,  SIGUSR1, SIGUSR2};
	struct timeval tv = {0, TICK_MS * 1000};

	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		m->sig[i] = evsignal_new(m->base, sigs[i], on_signal, m);
		if (m->sig[i] == NULL || event_add(m->sig[i], NULL) != 0)
			return -1;
		m->nsig++;
	}
	m->tick = event_new(m->base, -1, EV_PERSIST, on_tick, m);
	if (m->tick == NULL || event_add(m->tick, &tv) != 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* ---- civetd_run --------------------------------------------------------- */

/* With a TLS port, can its context be made from the options? Not
 * checked when the application sets TLS up itself (init_ssl,
 * external_ssl_ctx): that happens in the workers. */
static int check_tls(const struct cw_config *cfg, const struct mg_callbacks *cb,
                     char *err, size_t errlen)
{
	struct cw_listen_spec *specs;
	int n, tls = 0;

	if (cb != NULL &&
	    (cb->init_ssl != NULL || cb->external_ssl_ctx != NULL))
		return 0;
	if (cw_listen_parse(cw_config_get(cfg, CW_OPT_LISTENING_PORTS), &specs,
	                    &n, err, errlen) != 0)
		return -1;
	for (int i = 0; i < n; i++)
		tls |= specs[i].is_ssl;
	free(specs);
	return tls ? cw_tls_check(&cfg->opt, err, errlen) : 0;
}

int civetd_check_config(const struct mg_init_data *init,
                        struct mg_error_data *error)
{
	struct cw_config cfg;
	char err[1024];

	if (init == NULL) {
		cw_set_error(error, MG_ERROR_DATA_CODE_INVALID_PARAM,
		             "no init data");
		return -1;
	}
	if (cw_config_load(init->configuration_options, &cfg, err,
	                   sizeof err) != 0) {
		cw_set_error(error, MG_ERROR_DATA_CODE_INVALID_OPTION, err);
		return -1;
	}
	if (cw_metrics_check(cw_config_get(&cfg, CW_OPT_METRICS_LISTEN), err,
	                     sizeof err) != 0) {
		cw_config_free(&cfg);
		cw_set_error(error, MG_ERROR_DATA_CODE_INVALID_OPTION, err);
		return -1;
	}
	if (cw_privdrop_check(&cfg, err, sizeof err) != 0) {
		cw_config_free(&cfg);
		cw_set_error(error, MG_ERROR_DATA_CODE_INVALID_OPTION, err);
		return -1;
	}
	if (cw_master_keys_check(&cfg, err, sizeof err) != 0 ||
	    check_tls(&cfg, init->callbacks, err, sizeof err) != 0) {
		cw_config_free(&cfg);
		cw_set_error(error, MG_ERROR_DATA_CODE_INIT_TLS_FAILED, err);
		return -1;
	}
	cw_config_free(&cfg);
	cw_set_error(error, MG_ERROR_DATA_CODE_OK, "");
	return 0;
}

int cw_master_write_pid_file(struct cw_master *m, char *err, size_t errlen)
{
	const char *path = cw_config_get(&m->cfg, CW_OPT_PID_FILE);
	char line[32];
	int fd, n;

	if (*path == '\0')
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "pid_file %s: %s", path, strerror(errno));
		return -1;
	}
	n = snprintf(line, sizeof line, "%d\n", (int)getpid());
	if (write(fd, line, (size_t)n) != n) {
		snprintf(err, errlen, "pid_file %s: cannot write", path);
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	if (m->pid_file != NULL) /* written again: a failed upgrade */
		return 0;
	m->pid_file = strdup(path); /* teardown removes the file */
	if (m->pid_file == NULL) {
		unlink(path);
		snprintf(err, errlen, "pid_file %s: out of memory", path);
		return -1;
	}
	return 0;
}

/* Bind listening_ports, taking the sockets systemd passed for entries it
 * has them for (activation.c). */
static int open_listeners(struct cw_master *m, char *err, size_t errlen)
{
	const struct cw_listen_set *handed = cw_upgrade_listeners(m);
	struct cw_listen_set passed;
	int rc;

	cw_activation_take(m, &m->cfg, &passed);
	if (handed != NULL) { /* an upgrade's: the previous master's sockets */
		cw_listen_set_close_unused(&passed, handed);
		passed = *handed;
	}
	rc = cw_listen_set_open(&m->cfg, &passed, &m->ls, err, errlen);
	cw_listen_set_close_unused(&passed, &m->ls);
	return rc;
}

/* The admin socket: the one a previous master handed over, else bound. */
static int open_admin(struct cw_master *m, const char *path, char *err,
                      size_t errlen)
{
	int fd = cw_upgrade_take_admin(m, path);

	return fd >= 0 ? cw_admin_adopt(m, path, fd, err, errlen)
	               : cw_admin_open(m, path, err, errlen);
}

static int setup(struct cw_master *m, const struct mg_init_data *init,
                 char *err, size_t errlen)
{
	const char *admin;

	if (cw_config_load(init->configuration_options, &m->cfg, err, errlen) !=
	    0)
		return MG_ERROR_DATA_CODE_INVALID_OPTION;
	open_log(m);
	/* before anything else takes a descriptor: those from 3 on may be
	 * sockets systemd passed */
	if (open_listeners(m, err, errlen) != 0)
		return MG_ERROR_DATA_CODE_INIT_PORTS_FAILED;
	if (cw_notify_open(&m->notify, err, errlen) != 0)
		cw_master_log(m, "%s: not notifying the service manager", err);
	m->want = cw_master_workers_option(&m->cfg);
	m->area = cw_upgrade_stats_area(m);
	m->base = event_base_new();
	if (m->area == NULL || m->base == NULL || add_events(m) != 0) {
		snprintf(err, errlen, "cannot set up the master: %s",
		         strerror(errno));
		return MG_ERROR_DATA_CODE_OS_ERROR;
	}
	admin = cw_config_get(&m->cfg, CW_OPT_ADMIN_SOCKET);
	if (*admin != '\0' && open_admin(m, admin, err, errlen) != 0)
		return MG_ERROR_DATA_CODE_OS_ERROR;
	if (cw_master_keys_apply(m, &m->cfg, err, errlen) != 0)
		return MG_ERROR_DATA_CODE_INIT_TLS_FAILED;
	if ((m->nonces = cw_nonces_new_shared()) == NULL) {
		snprintf(err, errlen, "cannot map the digest nonces");
		return MG_ERROR_DATA_CODE_OS_ERROR;
	}
	if (cw_metrics_listen(m, cw_config_get(&m->cfg, CW_OPT_METRICS_LISTEN),
	                      err, errlen) != 0)
		return MG_ERROR_DATA_CODE_INIT_PORTS_FAILED;
	if (cw_master_write_pid_file(m, err, errlen) != 0)
		return MG_ERROR_DATA_CODE_OS_ERROR;
	cw_upgrade_setup_done(m);
	if (cw_master_privdrop(m, err, errlen) != 0) /* run_as_user */
		return MG_ERROR_DATA_CODE_OS_ERROR;
	return 0;
}

static void teardown(struct cw_master *m)
{
	cw_proctab_clear(&m->procs);
	cw_admin_close(m);
	cw_metrics_close(m);
	cw_upgrade_free(m); /* its events first: the base goes next */
	for (int i = 0; i < m->nsig; i++)
		event_free(m->sig[i]);
	if (m->tick != NULL)
		event_free(m->tick);
	if (m->base != NULL)
		event_base_free(m->base);
	for (int i = 0; i < m->ls.n; i++)
		close(m->ls.fds[i]);
	if (m->pid_file != NULL) {
		if (!m->up.handed_over) /* else the new master's */
			unlink(m->pid_file);
		free(m->pid_file);
	}
	cw_stats_area_free(m->area);
	cw_master_keys_free(m);
	cw_nonces_free_shared(m->nonces);
	cw_config_free(&m->cfg);
	cw_log_file_close(&m->log);
	cw_notify_close(&m->notify);
}

int civetd_run(const struct mg_init_data *init, struct mg_error_data *error)
{
	struct cw_master m;
	char err[1024] = "";
	unsigned code;

	memset(&m, 0, sizeof m);
	m.log.fd = -1;
	m.metrics_fd = -1;
	m.notify.fd = -1;
	m.start_ms = cw_now_ms();
	m.pid = getpid();
	cw_upgrade_init(&m);
	cw_set_error(error, MG_ERROR_DATA_CODE_OK, "");
	if (init == NULL) {
		cw_set_error(error, MG_ERROR_DATA_CODE_INVALID_PARAM,
		             "no init data");
		return -1;
	}
	m.cb = init->callbacks;
	m.user_data = init->user_data;
	m.base_opts = init->configuration_options;
	code = (unsigned)setup(&m, init, err, sizeof err);
	if (code != 0) {
		cw_set_error(error, code, err);
		teardown(&m);
		return -1;
	}
	/* after an upgrade the generations go on from the previous master's */
	m.gen = atomic_load(&m.area->generation) + 1;
	atomic_store(&m.area->generation, m.gen);
	cw_master_log(&m, "civetd %s: %d workers, listening on %s",
	              CIVETD_VERSION, m.want,
	              cw_config_get(&m.cfg, CW_OPT_LISTENING_PORTS));
	respawn_missing(&m);
	event_base_dispatch(m.base);
	reap(&m);
	cw_master_log(&m, "stopped");
	teardown(&m);
	return 0;
}
