/* privdrop.h - run_as_user: becoming that user once the sockets are
 * bound and the files opened, as CivetWeb's mg_start does (the library,
 * api/context.c) and as the prefork master does before it forks workers
 * (master/privdrop.c). */
#ifndef CW_CORE_PRIVDROP_H
#define CW_CORE_PRIVDROP_H

#include <stddef.h>
#include <sys/types.h>

/* A user to become, as the password database has it. Plain data. */
struct cw_user {
	char name[64];
	uid_t uid;
	gid_t gid;
};

/* Look name up: 0, or -1 with "run_as_user: unknown user 'NAME'" (or the
 * lookup's error) in err. */
int cw_privdrop_lookup(const char *name, struct cw_user *u, char *err,
                       size_t errlen);

/* Is the process already running as u (real and effective uid)? Then
 * there is nothing to do, as CivetWeb does nothing. */
int cw_privdrop_is_user(const struct cw_user *u);

/* Become u for good: its supplementary groups (initgroups), its group,
 * then its uid, real, effective and saved. 0 (also when already u), or
 * -1 with "run_as_user NAME: setgid: Operation not permitted" and the
 * like in err (a process that is not root cannot change user; CivetWeb's
 * mg_start fails then too). */
int cw_privdrop_become(const struct cw_user *u, char *err, size_t errlen);

#endif
