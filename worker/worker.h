/* worker.h - a worker process of the prefork server: one library context on
 * the sockets the master bound, counters in the master's shared area, and a
 * control channel from the master. */
#ifndef CW_WORKER_H
#define CW_WORKER_H

#include <sys/types.h>

#include "civetweb.h"
#include "core/stats.h"
#include "core/ticket_keys.h"

#define CW_MAX_LISTENERS 64

/* Everything a worker needs, prepared by the master before fork. */
struct cw_worker_spec {
	const struct mg_callbacks *callbacks;
	void *user_data;
	const char **options; /* name/value pairs for the context */
	/* add_domain: name/value pairs for mg_start_domain, each */
	const char *const *const *domains;
	int num_domains;
	const int *listen_fds;
	int num_listen_fds;
	struct cw_worker_slot *slot; /* in the shared area */
	struct cw_stats_area *area;  /* to see the other workers */
	/* session ticket keys, shared with the master */
	const struct cw_ticket_keys *ticket_keys;
	struct cw_nonces *nonces; /* digest nonces, shared with the master */
	int ctl_fd;               /* the worker's end of the channel */
	pid_t master_pid;
	int num_workers;         /* for the number of runner threads */
	int shutdown_timeout_ms; /* drain bound */
	int hang_timeout_ms;     /* stop the heartbeat when all stuck */
	long max_requests;       /* recycle after about this many, 0 never */
};

/* Run the worker in the freshly forked child. Never returns. */
void cw_worker_run(const struct cw_worker_spec *spec) __attribute__((noreturn));

#endif
