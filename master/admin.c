/* admin.c - the admin socket: a Unix socket the master listens on for
 * civetctl (protocol in admin_proto.h and docs/admin.md).
 *
 * Who may talk to it: the socket file is mode 0600 inside a directory only
 * its owner can write (checked, and created 0700 if missing), and every
 * connection's peer credentials (SO_PEERCRED) must be root or the master's
 * own user; anyone else gets "ERR permission denied" and nothing more.
 * Workers never inherit it (they close every descriptor they do not need).
 * Commands come from one keyword table, as in HAProxy's CLI. A binary
 * upgrade hands the listening socket to the new master, which accepts on
 * it once its workers are ready, while this one stops accepting and
 * leaves it the socket file: no unlink, no moment without a listener. */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "civetd.h"
#include "core/admin_proto.h"
#include "master.h"
#include "util/buf.h"
#include "util/clock.h"

#define MAX_REPLY (4 << 20)

struct cw_admin_conn {
	struct cw_admin *admin;
	struct bufferevent *bev;
	unsigned long id;
	int answered;
	struct cw_admin_conn *next;
};

struct cw_admin {
	struct cw_master *m;
	struct evconnlistener *listener;
	char *path;
	int fd;
	int owns_file; /* removes the socket file at close */
	unsigned long next_id;
	struct cw_admin_conn *conns;
};

/* ---- the socket file ----------------------------------------------------- */

static int check_dir(const char *path, char *err, size_t errlen)
{
	char copy[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct stat st;
	char *dir;

	snprintf(copy, sizeof copy, "%s", path);
	dir = dirname(copy);
	if (stat(dir, &st) != 0) {
		if (errno != ENOENT || mkdir(dir, 0700) != 0 ||
		    stat(dir, &st) != 0) {
			snprintf(err, errlen, "admin_socket: %s: %s", dir,
			         strerror(errno));
			return -1;
		}
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022) != 0) {
		snprintf(
		    err, errlen,
		    "admin_socket: directory %s must be owned by uid %d and "
		    "writable by its owner only",
		    dir, (int)geteuid());
		return -1;
	}
	return 0;
}

/* A socket file left by a civetd that died may be replaced; a live one not. */
static int clear_stale(const struct sockaddr_un *sa, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if (lstat(sa->sun_path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen,
		         "admin_socket: %s exists and is not a "
		         "socket",
		         sa->sun_path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 &&
	    connect(fd, (const struct sockaddr *)sa, sizeof *sa) == 0) {
		close(fd);
		snprintf(err, errlen,
		         "admin_socket: %s is in use by a running server",
		         sa->sun_path);
		return -1;
	}
	if (fd >= 0)
		close(fd);
	return unlink(sa->sun_path);
}

static int bind_socket(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	mode_t old;
	int fd;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa.sun_path) {
		snprintf(err, errlen, "admin_socket: path too long");
		return -1;
	}
	strcpy(sa.sun_path, path);
	if (check_dir(path, err, errlen) != 0 ||
	    clear_stale(&sa, err, errlen) != 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	old = umask(077);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		umask(old);
		goto fail;
	}
	umask(old);
	if (chmod(path, 0600) != 0 || listen(fd, 64) != 0)
		goto fail;
	return fd;
fail:
	snprintf(err, errlen, "admin_socket: %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* ---- connections -------------------------------------------------------- */

static void conn_free(struct cw_admin_conn *c)
{
	struct cw_admin_conn **pp = &c->admin->conns;

	while (*pp != c)
		pp = &(*pp)->next;
	*pp = c->next;
	bufferevent_free(c->bev);
	free(c);
}

static void on_written(struct bufferevent *bev, void *arg)
{
	struct cw_admin_conn *c = arg;

	(void)bev;
	if (c->answered)
		conn_free(c);
}

/* Queue the answer; the connection closes once it is written. Out of
 * memory, c is closed at once without an answer (civetctl says so): in
 * every case the caller must not touch c after the call. */
static void reply(struct cw_admin_conn *c, int ok, const char *reason,
                  const char *payload, size_t len)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	int rc = ok ? evbuffer_add_printf(out, "OK\n")
	            : evbuffer_add_printf(out, "ERR %s\n", reason);

	if (rc >= 0 && payload != NULL && len > 0)
		rc = evbuffer_add(out, payload, len);
	c->answered = 1;
	bufferevent_disable(c->bev, EV_READ);
	if (rc < 0 || bufferevent_enable(c->bev, EV_WRITE) != 0) {
		cw_master_log(c->admin->m, "admin: out of memory, dropping a "
		                           "client");
		conn_free(c);
	}
}

/* Reply with b, built by the caller, unless building it failed. */
static void reply_buf(struct cw_admin_conn *c, int built, struct cw_buf *b)
{
	if (built != 0)
		reply(c, 0, "out of memory", NULL, 0);
	else
		reply(c, 1, NULL, b->data, b->len);
	cw_buf_free(b);
}

static struct cw_admin_conn *find_conn(struct cw_admin *a, unsigned long id)
{
	for (struct cw_admin_conn *c = a->conns; c != NULL; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

/* ---- commands ----------------------------------------------------------- */

struct cmd {
	const char *name;
	const char *usage;
	const char *help;
	void (*run)(struct cw_admin_conn *c, const char *args);
};

static void cmd_status(struct cw_admin_conn *c, const char *args)
{
	struct cw_buf b = {NULL, 0, 0};
	int rc = strcmp(args, "json") == 0 ? cw_status_json(c->admin->m, &b)
	                                   : cw_status_text(c->admin->m, &b);

	reply_buf(c, rc, &b);
}

static void cmd_metrics(struct cw_admin_conn *c, const char *args)
{
	struct cw_buf b = {NULL, 0, 0};

	(void)args;
	reply_buf(c, cw_metrics_text(c->admin->m, &b), &b);
}

static void reload_done(void *arg, int ok, const char *msg)
{
	struct cw_admin *a = ((void **)arg)[0];
	unsigned long id = (unsigned long)(uintptr_t)((void **)arg)[1];
	struct cw_admin_conn *c = find_conn(a, id);
	char line[1200];
	int n;

	free(arg);
	if (c == NULL)
		return; /* civetctl went away: the reload happened anyway */
	n = snprintf(line, sizeof line, "%s\n", msg);
	reply(c, ok, msg, ok ? line : NULL, ok ? (size_t)n : 0);
}

static void cmd_reload(struct cw_admin_conn *c, const char *args)
{
	void **arg = malloc(2 * sizeof *arg);

	(void)args;
	if (arg == NULL) {
		reply(c, 0, "out of memory", NULL, 0);
		return;
	}
	arg[0] = c->admin;
	arg[1] = (void *)(uintptr_t)c->id;
	cw_reload_begin(c->admin->m, reload_done, arg);
}

/* "upgrade [PATH]": answers when the new master serves, or why not. */
static void cmd_upgrade(struct cw_admin_conn *c, const char *args)
{
	void **arg = malloc(2 * sizeof *arg);

	if (arg == NULL) {
		reply(c, 0, "out of memory", NULL, 0);
		return;
	}
	arg[0] = c->admin;
	arg[1] = (void *)(uintptr_t)c->id;
	cw_upgrade_begin(c->admin->m, *args != '\0' ? args : NULL, reload_done,
	                 arg);
}

static void cmd_stop(struct cw_admin_conn *c, const char *args)
{
	struct cw_master *m = c->admin->m;

	(void)args;
	reply(c, 1, NULL, "stopping\n", 9);
	cw_master_stop(m, 0);
}

static void cmd_reopen(struct cw_admin_conn *c, const char *args)
{
	(void)args;
	raise(SIGUSR1);
	reply(c, 1, NULL, "logs reopened\n", 14);
}

static void cmd_workers(struct cw_admin_conn *c, const char *args)
{
	char *end;
	long n = strtol(args, &end, 10);
	char msg[160];
	int len;

	if (*args == '\0' || *end != '\0' || n < 1 || n > CW_STATS_SLOTS / 2) {
		reply(c, 0, "usage: workers N (1..32)", NULL, 0);
		return;
	}
	if (c->admin->m->reload != NULL) {
		reply(c, 0, "busy: a reload is running", NULL, 0);
		return;
	}
	if (cw_upgrade_busy(c->admin->m, msg, sizeof msg)) {
		reply(c, 0, msg, NULL, 0);
		return;
	}
	cw_master_scale(c->admin->m, (int)n);
	len = snprintf(msg, sizeof msg, "scaling to %ld workers\n", n);
	reply(c, 1, NULL, msg, (size_t)len);
}

static void cmd_config(struct cw_admin_conn *c, const char *args)
{
	const struct mg_option *t = cw_options_table();
	struct cw_config *cfg = &c->admin->m->cfg;
	struct cw_buf b = {NULL, 0, 0};
	int rc = 0;

	(void)args;
	if (cfg->file != NULL)
		rc |= cw_buf_printf(&b, MAX_REPLY, "# from %s\n", cfg->file);
	for (int i = 0; t[i].name != NULL; i++) {
		const char *v = cw_options_get(&cfg->opt, (enum cw_opt_id)i);

		if (*v != '\0')
			rc |= cw_buf_printf(&b, MAX_REPLY, "%s %s\n", t[i].name,
			                    v);
	}
	reply_buf(c, rc, &b);
}

static void cmd_version(struct cw_admin_conn *c, const char *args)
{
	char line[128];
	int n = snprintf(line, sizeof line, "civetd %s (CivetWeb API %s)\n",
	                 civetd_version(), mg_version());

	(void)args;
	reply(c, 1, NULL, line, (size_t)n);
}

static void cmd_help(struct cw_admin_conn *c, const char *args);

static const struct cmd commands[] = {
    {CW_CMD_STATUS, "[json]", "workers, counters and the last reload",
     cmd_status},
    {CW_CMD_METRICS, "", "the counters in Prometheus' text format",
     cmd_metrics},
    {CW_CMD_RELOAD, "", "re-read the configuration, replace the workers",
     cmd_reload},
    {CW_CMD_UPGRADE, "[PATH]", "run a new binary, hand everything over",
     cmd_upgrade},
    {CW_CMD_STOP, "", "graceful stop", cmd_stop},
    {CW_CMD_REOPEN, "", "reopen the log files", cmd_reopen},
    {CW_CMD_WORKERS, "N", "run N workers", cmd_workers},
    {CW_CMD_CONFIG, "", "the options in effect", cmd_config},
    {CW_CMD_VERSION, "", "the server's version", cmd_version},
    {CW_CMD_HELP, "", "this list", cmd_help},
};

static void cmd_help(struct cw_admin_conn *c, const char *args)
{
	struct cw_buf b = {NULL, 0, 0};
	int rc = 0;

	(void)args;
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		rc |= cw_buf_printf(&b, MAX_REPLY, "%-8s %-7s %s\n",
		                    commands[i].name, commands[i].usage,
		                    commands[i].help);
	reply_buf(c, rc, &b);
}

static void dispatch(struct cw_admin_conn *c, char *line)
{
	char *args = line + strcspn(line, " ");

	if (*args != '\0')
		*args++ = '\0';
	while (*args == ' ')
		args++;
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(line, commands[i].name) == 0) {
			commands[i].run(c, args);
			return;
		}
	}
	reply(c, 0, "unknown command (try: help)", NULL, 0);
}

static void on_read(struct bufferevent *bev, void *arg)
{
	struct cw_admin_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len;
	char *line;

	if (c->answered)
		return;
	line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF);
	if (line == NULL) {
		if (evbuffer_get_length(in) > CW_ADMIN_MAX_LINE)
			reply(c, 0, "request line too long", NULL, 0);
		return;
	}
	bufferevent_disable(bev, EV_READ);
	dispatch(c, line);
	free(line);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		conn_free(arg);
}

static int peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof cred;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		return 0;
	return cred.uid == 0 || cred.uid == geteuid();
}

/* Turn a client away with a one-line answer (the socket is fresh, so the
 * line fits its buffer) and close it. -1 if the answer could not be sent. */
static int refuse(int fd, const char *line)
{
	ssize_t n = send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);

	close(fd);
	return n < 0 ? -1 : 0;
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd,
                      struct sockaddr *sa, int salen, void *arg)
{
	struct cw_admin *a = arg;
	struct cw_admin_conn *c;
	struct timeval read_tv = {10, 0};

	(void)l, (void)sa, (void)salen;
	if (!peer_allowed(fd)) {
		if (refuse(fd, "ERR permission denied\n") != 0)
			cw_master_log(a->m, "admin: refused a peer");
		return;
	}
	c = calloc(1, sizeof *c);
	if (c != NULL)
		c->bev = bufferevent_socket_new(a->m->base, fd,
		                                BEV_OPT_CLOSE_ON_FREE);
	if (c == NULL || c->bev == NULL) {
		cw_master_log(a->m, "admin: out of memory, refusing a client");
		free(c);
		(void)refuse(fd, "ERR out of memory\n");
		return;
	}
	c->admin = a;
	c->id = ++a->next_id;
	c->next = a->conns;
	a->conns = c;
	bufferevent_setcb(c->bev, on_read, on_written, on_event, c);
	if (bufferevent_set_timeouts(c->bev, &read_tv, NULL) != 0 ||
	    bufferevent_enable(c->bev, EV_READ | EV_WRITE) != 0) {
		cw_master_log(a->m, "admin: cannot watch a client");
		conn_free(c);
	}
}

/* Watch fd (a listening socket bound to path), enabled or not yet. */
static int start(struct cw_master *m, const char *path, int fd, int enabled,
                 char *err, size_t errlen)
{
	struct cw_admin *a = calloc(1, sizeof *a);

	if (a == NULL) {
		snprintf(err, errlen, "admin_socket: out of memory");
		close(fd);
		return -1;
	}
	a->m = m;
	a->fd = fd;
	a->owns_file = enabled;
	a->path = strdup(path);
	a->listener = a->path == NULL
	                  ? NULL
	                  : evconnlistener_new(
	                        m->base, on_accept, a,
	                        LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC |
	                            (enabled ? 0 : LEV_OPT_DISABLED),
	                        -1, fd);
	if (a->listener == NULL) {
		snprintf(err, errlen, "admin_socket: cannot listen: %s",
		         a->path == NULL ? "out of memory" : strerror(errno));
		close(fd);
		free(a->path);
		free(a);
		return -1;
	}
	m->admin = a;
	return 0;
}

int cw_admin_open(struct cw_master *m, const char *path, char *err,
                  size_t errlen)
{
	int fd = bind_socket(path, err, errlen);

	if (fd < 0)
		return -1;
	if (start(m, path, fd, 1, err, errlen) != 0) {
		unlink(path);
		return -1;
	}
	return 0;
}

int cw_admin_adopt(struct cw_master *m, const char *path, int fd, char *err,
                   size_t errlen)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) {
		snprintf(err, errlen, "admin_socket: passed socket: %s",
		         strerror(errno));
		close(fd);
		return -1;
	}
	return start(m, path, fd, 0, err, errlen);
}

void cw_admin_enable(struct cw_master *m)
{
	if (m->admin == NULL || m->admin->owns_file)
		return;
	m->admin->owns_file = 1;
	if (evconnlistener_enable(m->admin->listener) != 0)
		cw_master_log(m, "admin: cannot accept on the passed socket");
}

void cw_admin_hand_over(struct cw_master *m)
{
	struct cw_admin *a = m->admin;

	if (a == NULL || a->listener == NULL)
		return;
	evconnlistener_free(a->listener);
	a->listener = NULL;
	a->fd = -1;
	a->owns_file = 0;
}

int cw_admin_fd(const struct cw_master *m)
{
	return m->admin != NULL && m->admin->listener != NULL ? m->admin->fd
	                                                      : -1;
}

/* An answer queued in the connection's buffer goes out now if the socket
 * takes it: the loop will not run again to write it. */
static void flush_answer(struct cw_admin_conn *c)
{
	if (c->answered)
		(void)evbuffer_write(bufferevent_get_output(c->bev),
		                     bufferevent_getfd(c->bev));
}

void cw_admin_close(struct cw_master *m)
{
	struct cw_admin *a = m->admin;

	if (a == NULL)
		return;
	while (a->conns != NULL) {
		flush_answer(a->conns);
		conn_free(a->conns);
	}
	if (a->listener != NULL)
		evconnlistener_free(a->listener);
	if (a->owns_file)
		unlink(a->path);
	free(a->path);
	free(a);
	m->admin = NULL;
}
