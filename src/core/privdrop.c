/* privdrop.c - giving up root for run_as_user (privdrop.h).
 *
 * CivetWeb's rule: an unknown user fails the start; a process already
 * running as the user does nothing; otherwise the group goes first, then
 * the uid (after setuid the process could no longer change its group). A
 * process that is not root and not the user fails with the system's
 * reason instead of going on with privileges it was told to drop.
 * civetd takes the user's supplementary groups (initgroups) where
 * CivetWeb clears them (setgroups(0)): a site's files are often readable
 * through a group such as www-data. Nothing here is undone: the saved
 * set-user-ID goes too, which the check after setuid makes sure of. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/privdrop.h"

int cw_privdrop_lookup(const char *name, struct cw_user *u, char *err,
                       size_t errlen)
{
	struct passwd pw, *found = NULL;
	char buf[4096];
	int rc;

	memset(u, 0, sizeof *u);
	rc = getpwnam_r(name, &pw, buf, sizeof buf, &found);
	if (found == NULL) {
		if (rc == 0 || rc == ENOENT || rc == ESRCH)
			snprintf(err, errlen,
			         "run_as_user: unknown user '%.60s'", name);
		else
			snprintf(err, errlen,
			         "run_as_user: looking up '%.60s': %s", name,
			         strerror(rc));
		return -1;
	}
	if (strlen(name) >= sizeof u->name) {
		snprintf(err, errlen, "run_as_user: name too long");
		return -1;
	}
	snprintf(u->name, sizeof u->name, "%s", name);
	u->uid = pw.pw_uid;
	u->gid = pw.pw_gid;
	return 0;
}

int cw_privdrop_is_user(const struct cw_user *u)
{
	return getuid() == u->uid && geteuid() == u->uid;
}

static int failed(const struct cw_user *u, const char *what, char *err,
                  size_t errlen)
{
	snprintf(err, errlen, "run_as_user %s: %s: %s", u->name, what,
	         strerror(errno));
	return -1;
}

int cw_privdrop_become(const struct cw_user *u, char *err, size_t errlen)
{
	if (cw_privdrop_is_user(u))
		return 0;
	if (initgroups(u->name, u->gid) != 0)
		return failed(u, "initgroups", err, errlen);
	if (setgid(u->gid) != 0)
		return failed(u, "setgid", err, errlen);
	if (setuid(u->uid) != 0)
		return failed(u, "setuid", err, errlen);
	/* root's saved uid must be gone too: no way back */
	if (u->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		errno = EPERM;
		return failed(u, "root could be regained", err, errlen);
	}
	return 0;
}
