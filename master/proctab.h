/* proctab.h - the master's process table: one record per live worker
 * process (its slot in the stats area, pid, generation, control channel
 * and the master's view of its state), as HAProxy keeps its proc list.
 * The process cycle (master.c), reloads (reload.c) and the status
 * (status.c) read and change the table only through these functions; the
 * table knows nothing of fork, signals or reloads. Single-threaded: only
 * the master's event loop touches it. */
#ifndef CW_PROCTAB_H
#define CW_PROCTAB_H

#include <stdint.h>
#include <sys/types.h>

#include "core/stats.h"

struct cw_master;
struct event;

struct cw_worker {
	struct cw_master *m;
	int slot;
	pid_t pid; /* 0 until the fork has happened */
	uint64_t gen;
	int ctl;          /* master's end of the control channel */
	struct event *ev; /* watches ctl; NULL until the caller sets it */
	int ready;        /* said READY on the control channel */
	int draining;     /* told to drain; exits on its own */
	int recycling;    /* replacement started; drains when it is ready */
	int64_t spawned_ms;
	int64_t drain_deadline;
	uint64_t rate_req; /* requests at the last rate sample */
	double rate;       /* requests per second */
	char failure[320]; /* why it could not start, as it said, or "" */
	struct cw_worker *next;
};

struct cw_proctab {
	struct cw_worker *head; /* newest first */
};

/* Iteration, newest first: for (w = cw_proctab_first(t); w != NULL;
 * w = cw_proctab_next(w)). The loop must not remove the record it stands
 * on (find, then remove after the loop). NULL at the end. */
struct cw_worker *cw_proctab_first(const struct cw_proctab *t);
struct cw_worker *cw_proctab_next(const struct cw_worker *w);

/* Add a record for a worker about to be forked into stats slot `slot` of
 * generation `gen`, with the master's end of its control channel `ctl`.
 * The record starts with pid 0, no event, and every flag clear; m is
 * stored as its back pointer. Returns the record, owned by the table and
 * freed by cw_proctab_remove() or cw_proctab_clear(), which also close
 * ctl; on allocation failure returns NULL and ctl stays the caller's. */
struct cw_worker *cw_proctab_add(struct cw_proctab *t, struct cw_master *m,
                                 int slot, uint64_t gen, int ctl);

/* Unlink w (which must be in t) and free it with what it owns: its event
 * (w->ev, if set) and its control channel (w->ctl). w is invalid after. */
void cw_proctab_remove(struct cw_proctab *t, struct cw_worker *w);

/* Remove every record, as cw_proctab_remove() does. t is empty after. */
void cw_proctab_clear(struct cw_proctab *t);

/* The record of the worker with this pid, or NULL. pid must not be 0. */
struct cw_worker *cw_proctab_by_pid(struct cw_proctab *t, pid_t pid);

/* The record of the worker in this stats slot, or NULL. */
const struct cw_worker *cw_proctab_by_slot(const struct cw_proctab *t,
                                           int slot);

/* How many workers serve or are about to: of generation gen (0: any),
 * neither draining nor being recycled, and if ready_only, ready. */
int cw_proctab_count(const struct cw_proctab *t, uint64_t gen, int ready_only);

/* How many workers are of any generation but gen, whatever their state. */
int cw_proctab_count_other(const struct cw_proctab *t, uint64_t gen);

/* 1 if no worker process is alive (as far as the table knows), else 0. */
int cw_proctab_empty(const struct cw_proctab *t);

/* A stats slot for a new worker: the first one whose state in the shared
 * area is FREE, or -1 if all are taken. Does not claim it. */
int cw_proctab_free_slot(const struct cw_stats_area *area);

#endif
