/* privdrop.h - run_as_user in the prefork server (master/privdrop.c). */
#ifndef CW_MASTER_PRIVDROP_H
#define CW_MASTER_PRIVDROP_H

#include <stddef.h>

#include "config.h"

struct cw_master;

/* Does cfg's run_as_user name a user? 0 (also when it is not set), or
 * -1 with "FILE:LINE: run_as_user: unknown user 'NAME'" in err. */
int cw_privdrop_check(const struct cw_config *cfg, char *err, size_t errlen);

/* Once the master has bound its sockets and opened its files as root:
 * give the log files and the admin socket to run_as_user, then become
 * it, so that every worker forked afterwards runs as it too. 0 (also
 * when there is no run_as_user, or the master already runs as it), or -1
 * with the reason (and where the option was set) in err. */
int cw_master_privdrop(struct cw_master *m, char *err, size_t errlen);

#endif
