/* context.h - starting a context inside a prefork worker: on listening
 * sockets the master bound, with counters in the master's shared area. */
#ifndef CW_CONTEXT_H
#define CW_CONTEXT_H

#include "core/error_data.h"
#include "core/server.h"

/* What a prefork worker hands to its context; any field may be 0/NULL. */
struct cw_start_extra {
	const int *fds; /* listening sockets, in listening_ports order */
	int num_fds;
	struct cw_thread_block *blocks; /* per-thread counters */
	int nblocks;
	struct cw_conn_counters *conns;
	int runners_target;          /* pool threads waiting for events */
	int (*accept_ok)(void *arg); /* may this process accept now? */
	void *accept_arg;
	/* session ticket keys the master shares with its workers */
	const struct cw_ticket_keys *ticket_keys;
	/* digest nonces the master shares with its workers */
	struct cw_nonces *nonces;
};

/* Free every extra domain of ctx (api/domain.c), at mg_stop. */
void cw_domains_free(struct mg_context *ctx);

/* mg_start2() with extras (NULL: a plain single-process context). */
struct mg_context *cw_context_start(struct mg_init_data *init,
                                    struct mg_error_data *error,
                                    const struct cw_start_extra *extra);

#endif
