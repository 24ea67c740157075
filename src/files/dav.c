/* dav.c - PUT, DELETE and MKCOL on the document root (see dav.h).
 *
 * Every path is resolved from a descriptor of the root with openat2
 * RESOLVE_BENEATH, so neither ".." nor a symbolic link can take a write
 * outside it. A PUT is written to a temporary file beside its target and
 * renamed over it only once the whole body has arrived: a client that
 * goes away halfway leaves the old file as it was, and no partial file. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/log.h"
#include "files/dav.h"
#include "http/exchange.h"
#include "http/response.h"
#include "util/sysio.h"

#define PUT_BUF   (64 * 1024)
#define MAX_DEPTH 64 /* directories a DELETE descends */

static const char no_cache[] = "Cache-Control: no-cache, no-store, "
                               "must-revalidate, private, max-age=0\r\n"
                               "Pragma: no-cache\r\nExpires: 0\r\n";

/* rel (no leading '/') below dirfd, never out of it. */
static int open_beneath(int dirfd, const char *rel, int flags)
{
	struct open_how how;

	memset(&how, 0, sizeof how);
	how.flags = (unsigned long long)(flags | O_CLOEXEC);
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	return (int)syscall(SYS_openat2, dirfd, *rel ? rel : ".", &how,
	                    sizeof how);
}

/* Make each missing directory of rel below root, one part at a time,
 * each opened below the one before: the last one opened, or -1. */
static int make_dirs(int root, char *rel)
{
	int cur = dup(root);
	char *p = rel;

	while (cur >= 0) {
		char *s = strchr(p, '/');
		int next = -1;

		if (s != NULL)
			*s = '\0';
		if (mkdirat(cur, p, 0755) == 0 || errno == EEXIST)
			next = open_beneath(cur, p, O_PATH | O_DIRECTORY);
		close(cur);
		cur = next;
		if (s == NULL)
			break;
		*s = '/';
		p = s + 1;
	}
	return cur;
}

/* The directory that holds rel's last part, opened below the root
 * (made, with the ones above it, when make is set, as CivetWeb makes
 * them for a PUT); *name points at that last part. -1 with errno. */
static int open_parent(int root, char *rel, const char **name, int make)
{
	char *slash = strrchr(rel, '/');
	int fd;

	if (slash == NULL) {
		*name = rel;
		return dup(root);
	}
	*slash = '\0';
	*name = slash + 1;
	fd = open_beneath(root, rel, O_PATH | O_DIRECTORY);
	if (fd < 0 && errno == ENOENT && make)
		fd = make_dirs(root, rel);
	*slash = '/';
	return fd;
}

static void reply(struct mg_connection *c, int status)
{
	if (cw_resp_head(c, status, no_cache, status == 204 ? -1 : 0, 0) != 0)
		cw_send_error(c, 500, "%s", "Cannot make the head");
}

static int status_of_errno(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		return 409; /* a parent is missing or is a file */
	case EACCES:
	case EPERM:
	case EXDEV:
	case ELOOP:
		return 403;
	case ENAMETOOLONG:
		return 414;
	case ENOSPC:
	case EDQUOT:
		return 507;
	default:
		return 500;
	}
}

/* ---- PUT ----------------------------------------------------------------- */

/* A temporary name beside the target: ".name.put-XXXXXXXX". */
static int make_temp(int dir, const char *name, char *tmp, size_t cap)
{
	for (int tries = 0; tries < 8; tries++) {
		unsigned r = 0;
		int fd;

		if (cw_random_bytes(&r, sizeof r) != 0)
			r = (unsigned)getpid() * 2654435761u + (unsigned)tries;
		if (snprintf(tmp, cap, ".%.200s.put-%08x", name, r) >=
		    (int)cap) {
			errno = ENAMETOOLONG;
			return -1;
		}
		fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		            0644);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

/* The body into fd: 0 when all of it arrived, -1 (errno: EPIPE when the
 * client stopped sending) otherwise. */
static int copy_body(struct mg_connection *c, int fd)
{
	char *buf = malloc(PUT_BUF);
	int n = 0, r = -1;

	if (buf == NULL) {
		errno = ENOMEM;
		return -1;
	}
	while ((n = mg_read(c, buf, PUT_BUF)) > 0)
		if (cw_write_all(fd, buf, (size_t)n) != 0)
			break;
	if (n == 0 && c->x->s.body.done)
		r = 0;
	else if (n <= 0)
		errno = EPIPE;
	free(buf);
	return r;
}

static void put(struct mg_connection *c, int root, char *rel)
{
	char tmp[NAME_MAX + 1];
	const char *name;
	struct stat st;
	int dir, fd, existed, e, ok;

	if (mg_get_header(c, "Content-Range") != NULL) {
		/* a partial PUT would be taken for a whole file */
		cw_send_error(c, 400, "%s", "Content-Range in a PUT");
		return;
	}
	dir = open_parent(root, rel, &name, 1);
	if (dir < 0 || *name == '\0') {
		e = *name == '\0' ? EISDIR : errno;
		if (dir >= 0)
			close(dir);
		cw_send_error(c, e == EISDIR ? 405 : status_of_errno(e), "%s",
		              "Cannot write the file");
		return;
	}
	existed = fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (existed && S_ISDIR(st.st_mode)) {
		close(dir);
		reply(c, 200); /* CivetWeb: a directory is already there */
		return;
	}
	if (existed && !S_ISREG(st.st_mode)) {
		close(dir);
		cw_send_error(c, 403, "%s", "Not a regular file");
		return;
	}
	fd = make_temp(dir, name, tmp, sizeof tmp);
	if (fd < 0) {
		e = errno;
		close(dir);
		cw_send_error(c, status_of_errno(e), "%s",
		              "Cannot create the file");
		return;
	}
	ok = copy_body(c, fd) == 0;
	e = ok ? 0 : errno;
	if (close(fd) != 0 && ok) {
		ok = 0;
		e = errno;
	}
	if (ok && renameat(dir, tmp, dir, name) != 0) {
		ok = 0;
		e = errno;
	}
	if (!ok) {
		unlinkat(dir, tmp, 0);
		close(dir);
		if (e == EPIPE) { /* the client is gone or sent too little */
			c->x->s.must_close = 1;
			cw_log_error(c->ctx, c,
			             "PUT %s: the body was cut short",
			             c->x->ri.local_uri);
		}
		cw_send_error(c, e == EPIPE ? 400 : status_of_errno(e), "%s",
		              "Cannot store the file");
		return;
	}
	close(dir);
	reply(c, existed ? 200 : 201);
}

/* ---- DELETE and MKCOL ---------------------------------------------------- */

/* Remove everything inside the directory open on dfd (a descriptor of
 * its own; closed here), never following a link. */
static int empty_dir(int dfd, int depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	int r = 0;

	if (d == NULL) {
		close(dfd);
		return -1;
	}
	while (r == 0 && (de = readdir(d)) != NULL) {
		const char *n = de->d_name;
		int sub;

		if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), n, 0) == 0)
			continue;
		if ((errno != EISDIR && errno != EPERM) || depth >= MAX_DEPTH) {
			r = -1;
			break;
		}
		sub = openat(dirfd(d), n,
		             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0 || empty_dir(sub, depth + 1) != 0 ||
		    unlinkat(dirfd(d), n, AT_REMOVEDIR) != 0)
			r = -1;
		else
			rewinddir(d);
	}
	closedir(d);
	return r;
}

static void delete (struct mg_connection *c, int root, char *rel)
{
	const char *name;
	struct stat st;
	int dir = open_parent(root, rel, &name, 0), sub, e = 0;

	if (dir < 0 || *name == '\0' ||
	    fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (dir >= 0)
			close(dir);
		cw_send_error(c, *rel == '\0' ? 403 : 404, "%s",
		              "Cannot delete: not found");
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		/* a collection goes with all it holds (RFC 4918 9.6.1) */
		sub = openat(dir, name,
		             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0 || empty_dir(sub, 0) != 0 ||
		    unlinkat(dir, name, AT_REMOVEDIR) != 0)
			e = errno ? errno : EIO;
	} else if (unlinkat(dir, name, 0) != 0) {
		e = errno;
	}
	close(dir);
	if (e != 0)
		cw_send_error(
		    c, status_of_errno(e) == 409 ? 500 : status_of_errno(e),
		    "%s", "Cannot delete");
	else
		reply(c, 204);
}

static void mkcol(struct mg_connection *c, int root, char *rel)
{
	const char *name;
	int dir, e;

	if (c->x->ri.content_length > 0 || c->x->req.chunked) {
		cw_send_error(c, 415, "%s", "MKCOL takes no body");
		return;
	}
	dir = open_parent(root, rel, &name, 0);
	if (dir < 0 || *name == '\0') {
		e = *name == '\0' ? EEXIST : errno;
		if (dir >= 0)
			close(dir);
		cw_send_error(c, e == EEXIST ? 405 : status_of_errno(e), "%s",
		              "Cannot make the collection");
		return;
	}
	e = mkdirat(dir, name, 0755) == 0 ? 0 : errno;
	close(dir);
	if (e == 0)
		reply(c, 201);
	else
		cw_send_error(c, e == EEXIST ? 405 : status_of_errno(e), "%s",
		              "Cannot make the collection");
}

void cw_dav_serve(struct mg_connection *c, const char *root, const char *uri)
{
	const char *m = c->x->ri.request_method;
	char rel[PATH_MAX];
	size_t n;
	int rfd;

	while (*uri == '/')
		uri++;
	n = strlen(uri);
	if (n >= sizeof rel) {
		cw_send_error(c, 414, "%s", "Path too long");
		return;
	}
	memcpy(rel, uri, n + 1);
	while (n > 0 && rel[n - 1] == '/')
		rel[--n] = '\0'; /* "dir/" names dir */
	rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0) {
		cw_send_error(c, 500, "%s", "No document root");
		return;
	}
	if (strcmp(m, "PUT") == 0)
		put(c, rfd, rel);
	else if (strcmp(m, "DELETE") == 0)
		delete (c, rfd, rel);
	else
		mkcol(c, rfd, rel);
	close(rfd);
}
