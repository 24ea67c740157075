/* master.h - the prefork master: its state, shared by master.c (process
 * cycle: spawn, reap, respawn, signals, stop), proctab.c (the table of
 * worker processes), reload.c (zero-downtime reloads), admin.c (the admin
 * socket) and status.c (what `civetctl status` shows). Everything here
 * runs on the master's one event-loop thread. */
#ifndef CW_MASTER_H
#define CW_MASTER_H

#include <event2/event.h>
#include <stdint.h>
#include <sys/types.h>

#include "civetweb.h"
#include "config.h"
#include "core/log.h"
#include "core/nonces.h"
#include "core/stats.h"
#include "core/ticket_keys.h"
#include "notify.h"
#include "proctab.h"
#include "util/buf.h"
#include "worker.h"

/* Listening sockets in listening_ports order, with a key per socket so a
 * reload can reuse the ones it still has. */
struct cw_listen_set {
	int n;
	int fds[CW_MAX_LISTENERS];
	char keys[CW_MAX_LISTENERS][320];
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
struct cw_listen_spec;
struct cw_upgrade_run;

/* Binary upgrades (upgrade.c): what this master needs to start its
 * successor, what it inherited from its predecessor, and the upgrade it
 * runs, if any. */
struct cw_upgrade {
	char exe[4096]; /* this program, resolved at start ("": unknown) */
	char **argv;    /* its arguments, from /proc/self/cmdline */
	int stats_fd;   /* the stats area's memfd, -1 */
	/* from the previous master (started by an upgrade) */
	int inherited;
	pid_t prev_pid; /* while it lives (it drains), else 0 */
	int chan;       /* to it, -1 */
	struct event *chan_ev;
	int real_stderr; /* standard error to restore once set up, -1 */
	int admin_fd, metrics_fd;
	char admin_path[108], metrics_addr[300];
	struct cw_listen_set *listen; /* passed listening sockets */
	int told_ready;
	int sweep; /* slots of a gone master to fold */
	/* the upgrade this master runs */
	struct cw_upgrade_run *run;
	int handed_over; /* the new master serves: leave it the files */
};

struct evhttp;

struct cw_master {
	struct event_base *base;
	const struct mg_callbacks *cb;
	void *user_data;
	const char **base_opts;
	struct cw_config cfg;    /* in effect */
	struct cw_listen_set ls; /* in effect */
	struct cw_stats_area *area;
	struct cw_ticket_keys *keys; /* shared with the workers (keys.c) */
	int64_t keys_rotated_ms;
	struct cw_nonces *nonces; /* digest nonces, shared with the workers */
	struct cw_proctab procs;  /* live worker processes */
	uint64_t gen;
	int want;     /* workers wanted in the current generation */
	int failures; /* consecutive start-up failures */
	int gave_up;  /* stopped respawning after failures */
	char last_failure[400];
	int64_t next_spawn_ms;
	struct cw_reload *reload;
	int stopping; /* 0, 1 graceful, 2 immediate */
	int64_t stop_deadline;
	int64_t start_ms;
	struct cw_log_file log; /* error_log_file; fd -1: stderr */
	char *pid_file;
	struct cw_admin *admin;
	struct event *tick;
	struct evhttp *metrics; /* metrics_listen's server (metrics.c) */
	int metrics_fd;         /* its socket, closed in every worker */
	char metrics_addr[300]; /* what it listens on, "": nothing */
	struct event *sig[8];
	int nsig;
	struct cw_notify notify; /* systemd's NOTIFY_SOCKET (notify.c) */
	pid_t pid;               /* the master's own */
	struct cw_upgrade up;    /* binary upgrades (upgrade.c) */
};

/* ---- master.c: the process cycle ---- */

/* Write one line, "[time] [master pid] " + the formatted text + newline,
 * to error_log_file (m->log) or, without one, to standard error. Lines
 * are truncated to about 1 KB. Never fails visibly. */
void cw_master_log(struct cw_master *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Fork one worker of generation gen that serves cfg on the sockets ls
 * (both owned by the caller and only read; the child gets copies). On
 * success the worker has a free stats slot, a record in m->procs (the
 * table owns it and its control channel) and a watched control channel,
 * and 0 is returned. -1 if no slot is free, or a socketpair, allocation
 * or fork fails: the reason is logged, nothing is left behind (no record,
 * no descriptor, the slot still free) and no child runs. */
int cw_master_spawn(struct cw_master *m, uint64_t gen,
                    const struct cw_config *cfg,
                    const struct cw_listen_set *ls);

/* Send control message msg (a CW_CTL_* byte) to every worker of
 * generation gen, 0 meaning all. CW_CTL_DRAIN also marks each one
 * draining with a deadline (a worker already draining is skipped). A
 * worker whose channel does not take the byte gets a signal instead:
 * SIGKILL for CW_CTL_STOP, SIGTERM otherwise. */
void cw_master_send(struct cw_master *m, uint64_t gen, char msg);

/* Stop the server: drain every worker (graceful) or tell each to stop
 * now (immediate), then leave the event loop once all are gone, killing
 * stragglers after the shutdown timeout. Calling it again can only
 * escalate graceful to immediate. Returns at once; the loop does the
 * rest. */
void cw_master_stop(struct cw_master *m, int immediate);

/* Run n workers in the current generation (n >= 1, checked by the
 * caller): drain the surplus, start the missing ones, and forget earlier
 * start-up failures (respawning resumes if it had stopped). */
void cw_master_scale(struct cw_master *m, int n);

/* The num_workers option of cfg, or the number of online CPUs if it is
 * not set (at least 1). */
int cw_master_workers_option(const struct cw_config *cfg);

/* What the service manager shows (STATUS=): the ready workers of the
 * current generation, requests per second, and the last reload's error
 * if it failed. Written into buf (len bytes, NUL-terminated). */
void cw_master_status_line(struct cw_master *m, char *buf, size_t len);

/* ---- keys.c: session ticket keys ---- */

/* Can cfg's ssl_ticket_key_file be read (or is it unset)? 0, or -1 with
 * the file and the reason in err. Changes nothing. */
int cw_master_keys_check(const struct cw_config *cfg, char *err, size_t errlen);

/* Make m->keys hold cfg's keys: those of ssl_ticket_key_file, or (unset)
 * rotating keys of its own, made now unless it already has them. Maps
 * the shared memory the first time. 0, or -1 with the reason in err (the
 * keys then are as they were). */
int cw_master_keys_apply(struct cw_master *m, const struct cw_config *cfg,
                         char *err, size_t errlen);

/* From the master's tick: rotate keys of its own once a ticket lifetime
 * has passed since the last rotation. */
void cw_master_keys_tick(struct cw_master *m, int64_t now);

/* Wipe and unmap the keys. */
void cw_master_keys_free(struct cw_master *m);

/* ---- reload.c ---- */

/* Fill *out with a socket per listening_ports entry of cfg, in order (at
 * most CW_MAX_LISTENERS; an optional port that cannot be had is skipped),
 * taking the descriptor from reuse (may be NULL) when reuse has the same
 * key, binding a new one otherwise. *out is the caller's; the descriptors
 * in it that are not in reuse are new and the caller's to close. On
 * error: -1 with the reason in err, every socket this call bound closed
 * again, reuse untouched. */
int cw_listen_set_open(const struct cw_config *cfg,
                       const struct cw_listen_set *reuse,
                       struct cw_listen_set *out, char *err, size_t errlen);

/* The key of a listening_ports entry in a cw_listen_set: the same key,
 * the same socket. */
void cw_listen_spec_key(const struct cw_listen_spec *s, char *key, size_t len);

/* Close each descriptor of old that now does not hold. */
void cw_listen_set_close_unused(const struct cw_listen_set *old,
                                const struct cw_listen_set *now);

/* Start a reload (see reload.c). done(arg, ok, msg) is called exactly
 * once: at once if the reload cannot start (one already runs, the server
 * is stopping, the configuration is invalid, no new worker can be
 * spawned, out of memory), else when the new generation serves and the
 * old one is gone, or when the reload is abandoned. arg belongs to the
 * caller (done may free it); msg is valid only during the call. */
void cw_reload_begin(struct cw_master *m, cw_done_fn done, void *arg);

/* The process cycle's hooks into a running reload; each does nothing when
 * no reload runs. w said READY: */
void cw_reload_worker_ready(struct cw_master *m, struct cw_worker *w);
/* w exited and was reaped, and is still in the table (before_ready: it
 * never said READY). May finish the reload, calling its done function: */
void cw_reload_worker_gone(struct cw_master *m, struct cw_worker *w,
                           int before_ready);
/* The periodic tick: abandons a reload whose workers are late. */
void cw_reload_tick(struct cw_master *m);

/* ---- activation.c: sockets passed by systemd ---- */

/* Take the listening sockets systemd passed (LISTEN_FDS, LISTEN_PID; the
 * variables are unset either way) and fill *passed with those whose
 * address is that of a listening_ports entry of cfg, keyed like
 * cw_listen_set_open() keys them, to be given to it as its reuse set.
 * Each other passed descriptor is closed, with a log line. *passed is
 * the caller's; its descriptors are the caller's to close (those that
 * cw_listen_set_open() did not take: cw_listen_set_close_unused()). */
void cw_activation_take(struct cw_master *m, const struct cw_config *cfg,
                        struct cw_listen_set *passed);

/* ---- upgrade.c: binary upgrades ---- */

/* At the start of civetd_run: note this program's path and arguments,
 * and take what a previous master handed over (environment variables,
 * unset either way). Never fails: without /proc the upgrade command
 * says why it cannot run. */
void cw_upgrade_init(struct cw_master *m);

/* The passed listening sockets, keyed as cw_listen_set_open() keys
 * them, for the first cw_listen_set_open() (NULL if none were passed:
 * socket activation then). The set stays upgrade.c's. */
const struct cw_listen_set *cw_upgrade_listeners(struct cw_master *m);

/* The stats area: the previous master's if it handed one of this layout
 * over, else a new one. NULL on failure. */
struct cw_stats_area *cw_upgrade_stats_area(struct cw_master *m);

/* The descriptor of the passed admin socket if it is bound to path (the
 * caller takes it), else -1. */
int cw_upgrade_take_admin(struct cw_master *m, const char *path);

/* The descriptor of the passed metrics listener if it listens on addr
 * (the caller takes it), else -1. */
int cw_upgrade_take_metrics(struct cw_master *m, const char *addr);

/* The master is set up (sockets, admin, pid file): standard error goes
 * back where it was; the previous master stops capturing it. */
void cw_upgrade_setup_done(struct cw_master *m);

/* Every worker of the first generation is ready: a master started by an
 * upgrade tells the previous one (which then drains and exits) and, under
 * systemd, says MAINPID=. */
void cw_upgrade_ready(struct cw_master *m);

/* A worker of the first generation failed before it was ready (why): a
 * master started by an upgrade that is not ready yet tells the previous
 * one, which gives up on it at once instead of waiting for the timeout. */
void cw_upgrade_worker_failed(struct cw_master *m, const char *why);

/* Start an upgrade to the binary path (NULL: this program). done(arg, ok,
 * msg) is called exactly once: at once if it cannot start, else when the
 * new master's workers are all ready (ok; this master then drains and
 * exits) or it failed (the reason; this master serves on). */
void cw_upgrade_begin(struct cw_master *m, const char *path, cw_done_fn done,
                      void *arg);

/* Why a reload or an upgrade cannot start now because of an upgrade
 * (copied into why), or 0 if nothing is in the way. */
int cw_upgrade_busy(const struct cw_master *m, char *why, size_t len);

/* pid was reaped and is none of this master's workers: the new master of
 * an upgrade, or a worker of a master that died. */
void cw_upgrade_reaped(struct cw_master *m, pid_t pid, int status);

/* From the tick: the new master's deadline, slots left by a gone master. */
void cw_upgrade_tick(struct cw_master *m);

/* The server stops: an upgrade that runs is abandoned (its new master
 * killed). */
void cw_upgrade_abort(struct cw_master *m, const char *why);

/* Release what upgrade.c holds (at teardown). */
void cw_upgrade_free(struct cw_master *m);

/* ---- master.c: the pid file ---- */

/* Write this master's pid to pid_file (unset: nothing). 0, or -1 with
 * the reason in err. */
int cw_master_write_pid_file(struct cw_master *m, char *err, size_t errlen);

/* ---- admin.c ---- */

/* Listen for civetctl on the Unix socket path (directory and stale-file
 * checks in admin.c). On success m->admin holds the listener, owned by m
 * and freed by cw_admin_close(). On error: -1 with the reason in err and
 * no socket file or descriptor left behind. */
int cw_admin_open(struct cw_master *m, const char *path, char *err,
                  size_t errlen);

/* The same over fd, a socket a previous master bound to path and handed
 * over (taken: closed on failure), accepting nothing until
 * cw_admin_enable(); the socket file is left alone at close until then. */
int cw_admin_adopt(struct cw_master *m, const char *path, int fd, char *err,
                   size_t errlen);
void cw_admin_enable(struct cw_master *m);

/* Stop accepting (the new master of an upgrade accepts now) and leave
 * the socket file to it; connections already accepted are answered. */
void cw_admin_hand_over(struct cw_master *m);

/* The admin listener's descriptor, -1 without one. */
int cw_admin_fd(const struct cw_master *m);

/* Close every admin connection (unanswered ones get no answer) and the
 * listener, and remove the socket file. Safe if cw_admin_open() was never
 * called or failed. */
void cw_admin_close(struct cw_master *m);

/* ---- status.c ---- */

/* Append the status (master, each worker by slot, totals) to out, as one
 * JSON object and a newline, or as a table for people. out is the
 * caller's, to cw_buf_free() in every case. 0, or -1 if some of it could
 * not be appended (out of memory): the contents are then incomplete and
 * must not be sent. */
int cw_status_json(struct cw_master *m, struct cw_buf *out);
int cw_status_text(struct cw_master *m, struct cw_buf *out);
/* A worker slot's counters; the server's (exited workers folded in, plus
 * every live slot); a worker state's name. */
void cw_status_slot_totals(const struct cw_worker_slot *s, struct cw_totals *t);
void cw_status_totals(const struct cw_master *m, struct cw_totals *t);
const char *cw_status_state_name(int state);

/* ---- metrics.c: Prometheus text exposition ---- */

/* The stats area as Prometheus text (format 0.0.4): per worker (labels
 * worker, the slot, and pid) and for the server. 0, or -1 out of memory. */
int cw_metrics_text(struct cw_master *m, struct cw_buf *out);
/* Serve GET /metrics on metrics_listen (host:port, empty: none) from the
 * master's event loop; called at start and after each reload. 0, or -1
 * with the reason in err. */
int cw_metrics_listen(struct cw_master *m, const char *addr, char *err,
                      size_t errlen);
void cw_metrics_close(struct cw_master *m);
/* Is addr a metrics_listen value ("" or one host:port)? 0, or -1 with
 * the reason. */
int cw_metrics_check(const char *addr, char *err, size_t errlen);

/* ---- status_page.c: the live status page (status_page_uri) ---- */

struct evhttp_request;

/* Answer req if its path is status_page_uri (the HTML page) or that
 * followed by ".json" (cw_status_json's object): 1 when answered, 0 when
 * the path is neither (or the option is empty) and req is untouched. */
int cw_status_page_serve(struct cw_master *m, struct evhttp_request *req);
/* The page: self-contained HTML, CSS and script (status_page_html.c). */
extern const char cw_status_page_html[];
extern const size_t cw_status_page_html_len;

#endif
