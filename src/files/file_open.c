/* file_open.c - opening a file to send (see file_open.h): the open_file
 * callback's memory, the open-file cache, or the file system, confined
 * below a base directory with openat2(RESOLVE_BENEATH). */
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

#include "files/fcache.h"
#include "files/file_open.h"

void cw_file_close(struct mg_connection *c, struct cw_file *f)
{
	if (f->ent != NULL)
		cw_fcache_release(c->ctx->file_cache, f->ent);
	else if (f->fd >= 0)
		close(f->fd);
	f->ent = NULL;
	f->data = NULL;
	f->fd = -1;
}

int cw_file_status_of_errno(int e)
{
	switch (e) {
	case EACCES:
	case EPERM:
	case EXDEV: /* a link out of the root */
		return 403;
	case EMFILE:
	case ENFILE:
	case ENOMEM:
	case EIO:
		return 500;
	default:
		return 404;
	}
}

#define OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)

/* rel below base_fd, refusing any way out of it (RESOLVE_BENEATH); on a
 * kernel without openat2, the resolved path is compared instead. */
static int open_below(int base_fd, const char *rel, const char *path)
{
	struct open_how how;
	char real[PATH_MAX], base[PATH_MAX], link[64];
	int fd;
	size_t n;

	memset(&how, 0, sizeof how);
	how.flags = (unsigned long long)OPEN_FLAGS;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	while (*rel == '/')
		rel++;
	fd = (int)syscall(SYS_openat2, base_fd, *rel ? rel : ".", &how,
	                  sizeof how);
	if (fd >= 0 || errno != ENOSYS)
		return fd;
	fd = open(path, OPEN_FLAGS);
	if (fd < 0)
		return -1;
	snprintf(link, sizeof link, "/proc/self/fd/%d", base_fd);
	if (realpath(path, real) == NULL || realpath(link, base) == NULL) {
		close(fd);
		return -1;
	}
	n = strlen(base);
	if (strncmp(real, base, n) != 0 ||
	    (real[n] != '/' && real[n] != '\0' && n > 1)) {
		close(fd);
		errno = EXDEV;
		return -1;
	}
	return fd;
}

/* The opener of the open-file cache: arg is the base length. */
static int open_path(void *arg, const char *path)
{
	size_t base_len = *(const size_t *)arg;
	char base[PATH_MAX];
	int dir, fd, e;

	if (base_len == 0)
		return open(path, OPEN_FLAGS);
	if (base_len >= sizeof base) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(base, path, base_len);
	base[base_len] = '\0';
	dir = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -1;
	fd = open_below(dir, path + base_len, path);
	e = errno;
	close(dir);
	errno = e;
	return fd;
}

/* f from an entry of the open-file cache (held by f from here, unless
 * it is a directory: that holds nothing, so a caller that drops it
 * without a close loses nothing). */
static int from_entry(struct mg_connection *c, const struct cw_fentry *e,
                      struct cw_file *f)
{
	if (e->err != 0) {
		int err = e->err;

		cw_fcache_release(c->ctx->file_cache, e);
		errno = err;
		return -1;
	}
	f->fd = e->fd;
	f->data = e->data;
	f->is_dir = e->is_dir;
	f->size = e->is_dir ? 0 : e->size;
	f->mtime = e->mtime;
	f->mtime_ns = e->mtime_ns;
	f->dev = e->dev;
	f->ino = e->ino;
	if (e->is_dir)
		cw_fcache_release(c->ctx->file_cache, e);
	else
		f->ent = e;
	return 0;
}

static int open_file(struct mg_connection *c, const char *path, size_t base_len,
                     struct cw_fcache *fc, int use_cb, struct cw_file *f)
{
	const struct cw_fentry *e;
	struct stat st;

	memset(f, 0, sizeof *f);
	f->fd = -1;
	if (use_cb && c->ctx->cb.open_file != NULL) {
		size_t len = 0;
		const char *m = c->ctx->cb.open_file(c, path, &len);

		if (m != NULL) {
			f->mem = m;
			f->size = (long long)len;
			f->mtime = c->ctx->start_time; /* a stable validator */
			return 0;
		}
	}
	e = cw_fcache_get(fc, path, (int)base_len, open_path, &base_len);
	if (e != NULL)
		return from_entry(c, e, f);
	f->fd = open_path(&base_len, path);
	if (f->fd < 0)
		return -1;
	if (fstat(f->fd, &st) != 0) {
		cw_file_close(c, f);
		return -1;
	}
	f->mtime = st.st_mtim.tv_sec;
	f->mtime_ns = st.st_mtim.tv_nsec;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	if (S_ISREG(st.st_mode)) {
		f->size = (long long)st.st_size;
		return 0;
	}
	cw_file_close(c, f);
	if (S_ISDIR(st.st_mode)) {
		f->is_dir = 1;
		return 0;
	}
	errno = EACCES;
	return -1;
}

int cw_file_open(struct mg_connection *c, const char *path, size_t base_len,
                 struct cw_file *f)
{
	return open_file(c, path, base_len, c->ctx->file_cache, 1, f);
}

int cw_file_open_own(struct mg_connection *c, const char *path, size_t base_len,
                     struct cw_file *f)
{
	return open_file(c, path, base_len, c->ctx->file_cache, 0, f);
}

int cw_file_open_fresh(struct mg_connection *c, const char *path,
                       struct cw_file *f)
{
	return open_file(c, path, 0, NULL, 1, f);
}
