/* reload.c - reloads that drop nothing.
 *
 * 1. The configuration is read and validated again; a bad one is refused
 *    with file:line: reason and nothing else changes.
 * 2. The listening sockets still configured are kept (same descriptors, so
 *    the kernel's accept queues are never closed); new ones are bound.
 * 3. Generation G+1 is forked on them. Only when every new worker has said
 *    READY is generation G told to drain; if a new worker fails to start,
 *    the new generation is killed and G serves on as if nothing happened.
 * 4. When the last worker of G has exited, sockets no longer configured are
 *    closed and the reload answers. One reload at a time: never more than
 *    two generations alive.
 * Under systemd a reload says RELOADING=1 when it starts and READY=1 when
 * it ends, done or refused (notify.c): the service serves on either way. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "master.h"
#include "net/listen.h"
#include "util/clock.h"

#define START_TIMEOUT_MS 30000

void cw_listen_spec_key(const struct cw_listen_spec *s, char *key, size_t len)
{
	snprintf(key, len, "%s|%d|%d|%d|%d|%d", s->host, s->port, s->ipv6,
	         s->dual, s->is_ssl, s->is_redirect);
}

static int find_key(const struct cw_listen_set *ls, const char *key)
{
	for (int i = 0; ls != NULL && i < ls->n; i++)
		if (strcmp(ls->keys[i], key) == 0)
			return ls->fds[i];
	return -1;
}

static void close_new(struct cw_listen_set *out,
                      const struct cw_listen_set *reuse)
{
	for (int i = 0; i < out->n; i++)
		if (find_key(reuse, out->keys[i]) != out->fds[i])
			close(out->fds[i]);
	out->n = 0;
}

int cw_listen_set_open(const struct cw_config *cfg,
                       const struct cw_listen_set *reuse,
                       struct cw_listen_set *out, char *err, size_t errlen)
{
	struct cw_listen_spec *specs;
	int n;

	memset(out, 0, sizeof *out);
	if (cw_listen_parse(cw_config_get(cfg, CW_OPT_LISTENING_PORTS), &specs,
	                    &n, err, errlen) != 0)
		return -1;
	for (int i = 0; i < n && i < CW_MAX_LISTENERS; i++) {
		struct cw_listener *l;
		int count, fd;

		cw_listen_spec_key(&specs[i], out->keys[out->n],
		                   sizeof out->keys[0]);
		fd = find_key(reuse, out->keys[out->n]);
		if (fd < 0) {
			if (cw_listen_open(&specs[i], 1,
			                   cfg->opt.listen_backlog, &l, &count,
			                   err, errlen) != 0) {
				close_new(out, reuse);
				free(specs);
				return -1;
			}
			if (count == 0) { /* optional and not available */
				cw_listen_close(l, count, 1);
				continue;
			}
			fd = l[0].fd;
			cw_listen_close(l, count, 0);
		}
		out->fds[out->n++] = fd;
	}
	free(specs);
	return 0;
}

void cw_listen_set_close_unused(const struct cw_listen_set *old,
                                const struct cw_listen_set *now)
{
	for (int i = 0; i < old->n; i++) {
		int used = 0;

		for (int j = 0; j < now->n; j++)
			used |= now->fds[j] == old->fds[i];
		if (!used)
			close(old->fds[i]);
	}
}

static void record(struct cw_master *m, int ok, const char *msg)
{
	struct cw_stats_area *a = m->area;

	snprintf(a->last_reload_error, sizeof a->last_reload_error, "%s",
	         ok ? "" : msg);
	atomic_store(&a->last_reload_ok, ok);
	atomic_store(&a->last_reload_time, (int64_t)time(NULL));
	if (ok)
		atomic_fetch_add(&a->reloads, 1);
}

static void finish(struct cw_master *m, int ok, const char *msg)
{
	struct cw_reload *r = m->reload;
	char line[320];

	m->reload = NULL;
	record(m, ok, msg);
	cw_master_log(m, "reload %s: %s", ok ? "done" : "failed", msg);
	m->notify.ready_sent = 1;
	cw_master_status_line(m, line, sizeof line);
	cw_notify_ready(&m->notify, line);
	if (r->done != NULL)
		r->done(r->arg, ok, msg);
	cw_config_free(&r->cfg);
	free(r);
}

void cw_reload_begin(struct cw_master *m, cw_done_fn done, void *arg)
{
	struct cw_reload *r;
	char err[1024];
	int want;

	if (m->reload != NULL || m->stopping) {
		done(arg, 0,
		     m->stopping ? "the server is stopping"
		                 : "busy: a reload is already running");
		return;
	}
	if (cw_upgrade_busy(m, err, sizeof err)) {
		done(arg, 0, err);
		return;
	}
	r = calloc(1, sizeof *r);
	if (r == NULL) {
		done(arg, 0, "out of memory");
		return;
	}
	r->done = done;
	r->arg = arg;
	m->reload = r;
	cw_notify_reloading(&m->notify);
	if (cw_config_load(m->base_opts, &r->cfg, err, sizeof err) != 0 ||
	    cw_master_keys_check(&r->cfg, err, sizeof err) != 0 ||
	    cw_metrics_check(cw_config_get(&r->cfg, CW_OPT_METRICS_LISTEN), err,
	                     sizeof err) != 0 ||
	    cw_listen_set_open(&r->cfg, &m->ls, &r->ls, err, sizeof err) != 0) {
		finish(m, 0, err);
		return;
	}
	r->gen = m->gen + 1;
	r->deadline = cw_now_ms() + START_TIMEOUT_MS;
	want = cw_master_workers_option(&r->cfg);
	cw_master_log(m, "reload: starting generation %llu (%d workers)",
	              (unsigned long long)r->gen, want);
	for (int i = 0; i < want; i++) {
		if (cw_master_spawn(m, r->gen, &r->cfg, &r->ls) != 0) {
			cw_master_send(m, r->gen, 'S');
			close_new(&r->ls, &m->ls);
			finish(m, 0, "cannot start the new workers");
			return;
		}
	}
}

static int old_left(const struct cw_master *m)
{
	return cw_proctab_count_other(&m->procs, m->gen);
}

static void drained(struct cw_master *m)
{
	struct cw_reload *r = m->reload;
	char msg[64];

	/* r->ls holds the sockets of the old generation now */
	cw_listen_set_close_unused(&r->ls, &m->ls);
	snprintf(msg, sizeof msg, "generation %llu serving",
	         (unsigned long long)m->gen);
	finish(m, 1, msg);
}

/* The new configuration's ticket keys (checked when the reload began). */
static void apply_keys(struct cw_master *m)
{
	char err[512];

	if (cw_master_keys_apply(m, &m->cfg, err, sizeof err) != 0)
		cw_master_log(m, "reload: session ticket keys unchanged: %s",
		              err);
	if (cw_metrics_listen(m, cw_config_get(&m->cfg, CW_OPT_METRICS_LISTEN),
	                      err, sizeof err) != 0)
		cw_master_log(m, "reload: metrics listener unchanged: %s", err);
}

/* Every new worker is ready: the new generation takes over. */
static void switch_over(struct cw_master *m)
{
	struct cw_reload *r = m->reload;
	struct cw_config old_cfg = m->cfg;
	struct cw_listen_set old_ls = m->ls;
	uint64_t old_gen = m->gen;

	m->cfg = r->cfg;
	m->ls = r->ls;
	m->gen = r->gen;
	apply_keys(m);
	m->want = cw_master_workers_option(&m->cfg);
	m->gave_up = 0;
	m->failures = 0;
	atomic_store(&m->area->generation, m->gen);
	r->cfg = old_cfg;
	r->ls = old_ls;
	r->draining = 1;
	cw_master_send(m, old_gen, 'D');
	if (old_left(m) == 0)
		drained(m);
}

void cw_reload_worker_ready(struct cw_master *m, struct cw_worker *w)
{
	struct cw_reload *r = m->reload;

	if (r == NULL || r->draining || w->gen != r->gen)
		return;
	if (cw_proctab_count(&m->procs, r->gen, 1) >=
	    cw_master_workers_option(&r->cfg))
		switch_over(m);
}

static void abort_reload(struct cw_master *m, const char *why)
{
	struct cw_reload *r = m->reload;

	for (struct cw_worker *w = cw_proctab_first(&m->procs); w != NULL;
	     w = cw_proctab_next(w))
		if (w->gen == r->gen)
			kill(w->pid, SIGKILL);
	close_new(&r->ls, &m->ls);
	finish(m, 0, why);
}

void cw_reload_worker_gone(struct cw_master *m, struct cw_worker *w,
                           int before_ready)
{
	struct cw_reload *r = m->reload;

	if (r == NULL)
		return;
	if (!r->draining && w->gen == r->gen) {
		char why[400];

		if (w->failure[0] != '\0')
			snprintf(why, sizeof why,
			         "a new worker cannot start: %s", w->failure);
		else
			snprintf(why, sizeof why, "%s",
			         before_ready ? "a new worker exited before it "
			                        "was ready (see the error log)"
			                      : "a new worker exited");
		abort_reload(m, why);
		return;
	}
	/* w is still linked: the old generation is gone when only it is left */
	if (r->draining && w->gen != m->gen && old_left(m) == 1)
		drained(m);
}

void cw_reload_tick(struct cw_master *m)
{
	struct cw_reload *r = m->reload;

	if (r != NULL && !r->draining && cw_now_ms() > r->deadline)
		abort_reload(m, "the new workers did not get ready in time");
}
