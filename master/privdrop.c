/* privdrop.c - run_as_user in the prefork server.
 *
 * The master starts as root, binds listening_ports (ports below 1024
 * too), opens error_log_file, the admin socket, the metrics listener and
 * the pid file, and then becomes the user before it forks a worker, so
 * no worker ever runs as root. What the workers open themselves, the log
 * files, the master creates first and gives to the user, and the admin
 * socket becomes the user's, so that root and that user can talk to it
 * (admin.c accepts peers of uid 0 and of the master's own uid, which is
 * the user's from then on). The drop itself is core/privdrop.c, the
 * library's. After it the master can no longer bind a port below 1024 or
 * open a file only root may: a reload that needs one is refused with the
 * system's reason, and the workers of the old configuration serve on. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/privdrop.h"
#include "master.h"
#include "privdrop.h"

/* Where run_as_user was set ("FILE:LINE" or "command line"). */
static const char *origin_of(const struct cw_config *cfg)
{
	const char *at = "configuration";

	for (int i = 0; i < cfg->n; i++)
		if (strcmp(cfg->names[i], "run_as_user") == 0)
			at = cfg->origins[i];
	return at;
}

static int lookup(const struct cw_config *cfg, struct cw_user *u, char *err,
                  size_t errlen)
{
	char why[256];

	if (cw_privdrop_lookup(cw_config_get(cfg, CW_OPT_RUN_AS_USER), u, why,
	                       sizeof why) == 0)
		return 0;
	snprintf(err, errlen, "%s: %s", origin_of(cfg), why);
	return -1;
}

int cw_privdrop_check(const struct cw_config *cfg, char *err, size_t errlen)
{
	struct cw_user u;

	if (*cw_config_get(cfg, CW_OPT_RUN_AS_USER) == '\0')
		return 0;
	return lookup(cfg, &u, err, errlen);
}

/* A log file the workers will open: created if missing, and the user's. */
static int give_file(const char *path, const struct cw_user *u, char *err,
                     size_t errlen)
{
	int fd;

	if (*path == '\0')
		return 0;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	          0644);
	if (fd < 0 || fchown(fd, u->uid, u->gid) != 0) {
		snprintf(err, errlen, "run_as_user %s: %s: %s", u->name, path,
		         strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* The admin socket becomes the user's. Its directory stays as it is (it
 * may be /run): if the user cannot pass through it, only root can reach
 * the socket, and the log says so. */
static int give_admin_socket(struct cw_master *m, const struct cw_user *u,
                             char *err, size_t errlen)
{
	const char *path = cw_config_get(&m->cfg, CW_OPT_ADMIN_SOCKET);
	char copy[512];
	struct stat st;

	if (*path == '\0')
		return 0;
	if (chown(path, u->uid, u->gid) != 0) {
		snprintf(err, errlen, "run_as_user %s: admin_socket %s: %s",
		         u->name, path, strerror(errno));
		return -1;
	}
	snprintf(copy, sizeof copy, "%s", path);
	if (stat(dirname(copy), &st) == 0 && st.st_uid != u->uid &&
	    (st.st_mode & S_IXOTH) == 0 &&
	    !(st.st_gid == u->gid && (st.st_mode & S_IXGRP)))
		cw_master_log(m,
		              "admin_socket: user %s cannot pass through %s: "
		              "only root can use civetctl",
		              u->name, copy);
	return 0;
}

int cw_master_privdrop(struct cw_master *m, char *err, size_t errlen)
{
	struct cw_user u;
	char why[512];

	if (*cw_config_get(&m->cfg, CW_OPT_RUN_AS_USER) == '\0')
		return 0;
	if (lookup(&m->cfg, &u, err, errlen) != 0)
		return -1;
	if (cw_privdrop_is_user(&u))
		return 0;
	if (give_file(cw_config_get(&m->cfg, CW_OPT_ACCESS_LOG_FILE), &u, why,
	              sizeof why) != 0 ||
	    give_file(cw_config_get(&m->cfg, CW_OPT_ERROR_LOG_FILE), &u, why,
	              sizeof why) != 0 ||
	    /* an upgraded binary runs as the user and writes it again */
	    give_file(cw_config_get(&m->cfg, CW_OPT_PID_FILE), &u, why,
	              sizeof why) != 0 ||
	    give_admin_socket(m, &u, why, sizeof why) != 0 ||
	    cw_privdrop_become(&u, why, sizeof why) != 0) {
		snprintf(err, errlen, "%s: %s", origin_of(&m->cfg), why);
		return -1;
	}
	cw_master_log(m, "running as user %s (uid %d, gid %d)", u.name,
	              (int)u.uid, (int)u.gid);
	return 0;
}
