/* master.h - the prefork master: its state, shared by master.c (process
 * cycle: spawn, reap, respawn, signals, stop), reload.c (zero-downtime
 * reloads) and admin.c (the admin socket). */
#ifndef CW_MASTER_H
#define CW_MASTER_H

#include <event2/event.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/buf.h"
#include "civetweb.h"
#include "config.h"
#include "core/stats.h"
#include "worker.h"

/* Listening sockets in listening_ports order, with a key per socket so a
 * reload can reuse the ones it still has. */
struct cw_listen_set {
	int n;
	int fds[CW_MAX_LISTENERS];
	char keys[CW_MAX_LISTENERS][320];
};

struct cw_master;

struct cw_worker {
	struct cw_master *m;
	int slot;
	pid_t pid;
	uint64_t gen;
	int ctl; /* master's end of the control channel */
	struct event *ev;
	int ready;
	int draining;
	int recycling; /* replacement started; drains when it is ready */
	int64_t spawned_ms;
	int64_t drain_deadline;
	uint64_t rate_req; /* requests at the last rate sample */
	double rate;       /* requests per second */
	struct cw_worker *next;
};

/* Called when a reload or a scale change finishes: ok, and a message. */
typedef void (*cw_done_fn)(void *arg, int ok, const char *msg);

struct cw_reload {
	struct cw_config cfg;
	struct cw_listen_set ls;
	uint64_t gen;
	int draining; /* phase 2: the old generation drains */
	int64_t deadline;
	cw_done_fn done;
	void *arg;
};

struct cw_admin;

struct cw_master {
	struct event_base *base;
	const struct mg_callbacks *cb;
	void *user_data;
	const char **base_opts;
	struct cw_config cfg;    /* in effect */
	struct cw_listen_set ls; /* in effect */
	struct cw_stats_area *area;
	struct cw_worker *workers;
	uint64_t gen;
	int want;     /* workers wanted in the current generation */
	int failures; /* consecutive start-up failures */
	int gave_up;  /* stopped respawning after failures */
	char last_failure[160];
	int64_t next_spawn_ms;
	struct cw_reload *reload;
	int stopping; /* 0, 1 graceful, 2 immediate */
	int64_t stop_deadline;
	int64_t start_ms;
	int log_fd; /* -1: stderr */
	char *pid_file;
	struct cw_admin *admin;
	struct event *tick;
	struct event *sig[8];
	int nsig;
};

/* master.c */
void cw_master_log(struct cw_master *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int cw_master_spawn(struct cw_master *m, uint64_t gen,
                    const struct cw_config *cfg,
                    const struct cw_listen_set *ls);
void cw_master_send(struct cw_master *m, uint64_t gen, char msg);
int cw_master_count(const struct cw_master *m, uint64_t gen, int ready_only);
void cw_master_stop(struct cw_master *m, int immediate);
void cw_master_scale(struct cw_master *m, int n);
int cw_master_workers_option(const struct cw_config *cfg);

/* reload.c */
int cw_listen_set_open(const struct cw_config *cfg,
                       const struct cw_listen_set *reuse,
                       struct cw_listen_set *out, char *err, size_t errlen);
void cw_listen_set_close_unused(const struct cw_listen_set *old,
                                const struct cw_listen_set *now);
void cw_reload_begin(struct cw_master *m, cw_done_fn done, void *arg);
void cw_reload_worker_ready(struct cw_master *m, struct cw_worker *w);
void cw_reload_worker_gone(struct cw_master *m, struct cw_worker *w,
                           int before_ready);
void cw_reload_tick(struct cw_master *m);

/* admin.c */
int cw_admin_open(struct cw_master *m, const char *path, char *err,
                  size_t errlen);
void cw_admin_close(struct cw_master *m);
void cw_status_json(struct cw_master *m, struct cw_buf *out);
void cw_status_text(struct cw_master *m, struct cw_buf *out);

#endif
