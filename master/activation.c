/* activation.c - systemd socket activation: listening sockets that the
 * service manager bound and passed to civetd (descriptors 3, 4, ... with
 * their count in LISTEN_FDS and the receiving pid in LISTEN_PID), used
 * instead of binding.
 *
 * A passed socket is matched to a listening_ports entry by its address
 * (getsockname against the address the entry would bind), not by its
 * position or name: the unit's ListenStream= lines and the configuration
 * then may list them in any order, and an entry with no socket passed
 * for it is simply bound as usual. What a passed socket carries stays as
 * systemd set it (its backlog, its options). The matched sockets become
 * the reuse set of the first cw_listen_set_open(), the same path a reload
 * takes to keep its sockets, so that reloads keep them too. A passed
 * socket nothing matches is closed, and the log says which. This runs
 * before the master opens any descriptor but its log, so that a
 * LISTEN_FDS that counts too far cannot reach one of its own. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "master.h"
#include "net/listen.h"

#define FIRST_FD 3
#define MAX_FDS  1024 /* more than anyone passes; bounds the loop */

/* LISTEN_FDS if LISTEN_PID names this process, else 0. */
static int passed_count(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	char *end;
	long p, n;

	if (pid == NULL || fds == NULL)
		return 0;
	errno = 0;
	p = strtol(pid, &end, 10);
	if (errno != 0 || *end != '\0' || p != (long)getpid())
		return 0;
	n = strtol(fds, &end, 10);
	if (errno != 0 || *end != '\0' || n <= 0)
		return 0;
	return n > MAX_FDS ? MAX_FDS : (int)n;
}

static void describe(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)ss;

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
		snprintf(buf, len, "%s:%d", host, ntohs(a->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)ss;

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
		snprintf(buf, len, "[%s]:%d", host, ntohs(a->sin6_port));
	} else {
		snprintf(buf, len, "a socket of family %d", ss->ss_family);
	}
}

static int same_address(const struct sockaddr_storage *a,
                        const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a,
		                         *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a,
		                          *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       memcmp(&x->sin6_addr, &y->sin6_addr,
		              sizeof x->sin6_addr) == 0;
	}
	return 0;
}

/* Is fd a listening stream socket? Its address into *ss. */
static int listening_stream(int fd, struct sockaddr_storage *ss)
{
	socklen_t len = sizeof(int), alen = sizeof *ss;
	int type = 0, acc = 0;

	memset(ss, 0, sizeof *ss);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
	    type != SOCK_STREAM)
		return 0;
	len = sizeof acc;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) != 0 ||
	    acc == 0)
		return 0;
	return getsockname(fd, (struct sockaddr *)ss, &alen) == 0;
}

/* The first entry not taken yet that binds the address ss, or -1. */
static int find_spec(const struct cw_listen_spec *specs, int n,
                     const char *taken, const struct sockaddr_storage *ss)
{
	for (int i = 0; i < n && i < CW_MAX_LISTENERS; i++) {
		struct sockaddr_storage want;
		socklen_t len;

		if (!taken[i] &&
		    cw_listen_resolve(&specs[i], &want, &len) == 0 &&
		    same_address(&want, ss))
			return i;
	}
	return -1;
}

/* Keep fd for entry spec, or say why not and close it. */
static void adopt(struct cw_master *m, int fd, const struct cw_listen_spec *s,
                  struct cw_listen_set *passed)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) {
		cw_master_log(m, "socket activation: fd %d: %s: closed", fd,
		              strerror(errno));
		close(fd);
		return;
	}
	passed->fds[passed->n] = fd;
	cw_listen_spec_key(s, passed->keys[passed->n], sizeof passed->keys[0]);
	passed->n++;
}

void cw_activation_take(struct cw_master *m, const struct cw_config *cfg,
                        struct cw_listen_set *passed)
{
	int n = passed_count(), nspecs = 0;
	struct cw_listen_spec *specs = NULL;
	char taken[CW_MAX_LISTENERS] = {0}, err[256];

	memset(passed, 0, sizeof *passed);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (n == 0)
		return;
	if (cw_listen_parse(cw_config_get(cfg, CW_OPT_LISTENING_PORTS), &specs,
	                    &nspecs, err, sizeof err) != 0)
		nspecs = 0; /* cannot happen: the configuration was validated */
	for (int fd = FIRST_FD; fd < FIRST_FD + n; fd++) {
		struct sockaddr_storage ss;
		struct stat st;
		char where[80];
		int i;

		if (fstat(fd, &st) != 0)
			continue; /* not open: nothing to adopt or close */
		if (!S_ISSOCK(st.st_mode)) {
			/* LISTEN_FDS counted too far: not ours to close */
			cw_master_log(
			    m,
			    "socket activation: fd %d is not a socket: "
			    "left alone",
			    fd);
			continue;
		}
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
		if (!listening_stream(fd, &ss)) {
			cw_master_log(m,
			              "socket activation: fd %d is not a "
			              "listening stream socket: closed",
			              fd);
			close(fd);
			continue;
		}
		describe(&ss, where, sizeof where);
		i = find_spec(specs, nspecs, taken, &ss);
		if (i < 0) {
			cw_master_log(m,
			              "socket activation: fd %d (%s) matches "
			              "no listening_ports entry: closed",
			              fd, where);
			close(fd);
			continue;
		}
		taken[i] = 1;
		cw_master_log(m, "socket activation: fd %d (%s) adopted", fd,
		              where);
		adopt(m, fd, &specs[i], passed);
	}
	free(specs);
}
