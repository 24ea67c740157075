/* context.h - starting a context on listening sockets handed over by the
 * prefork master, instead of binding its own. */
#ifndef CW_CONTEXT_H
#define CW_CONTEXT_H

#include "core.h"

/* Listening sockets bound by someone else, in listening_ports order. */
struct civetd_inherited {
	const int *fds;
	int num_fds;
};

/* mg_start2() with optional inherited sockets (NULL: bind them). */
struct mg_context *cw_context_start(struct mg_init_data *init,
                                    struct mg_error_data *error,
                                    const struct civetd_inherited *inh);

#endif
