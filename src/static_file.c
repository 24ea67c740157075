/* static_file.c - files from the document root.
 *
 * The path is document_root + local_uri, and local_uri has already been
 * percent-decoded (a decoded NUL is refused) and stripped of dot segments
 * with backslashes read as slashes (a ".." that would climb above "/" is
 * refused), so a path built here cannot leave the root. Files are opened
 * with O_NONBLOCK and must be regular files (a FIFO would block a thread).
 * A small file goes out with its head in one send(); a large one goes out
 * with sendfile() after the head and the first block.
 * Ranges, conditional requests, directory listings and compression belong
 * to the static-files work that follows; until then a directory without an
 * index file is 403. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "match.h"
#include "mime.h"
#include "response.h"
#include "static_file.h"

/* A file to send: a descriptor, or memory from the open_file callback. */
struct file_src {
	int fd;
	const char *mem;
	long long size;
	time_t mtime;
	int is_dir;
};

static void src_close(struct file_src *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

/* 0: found (f filled); -1: errno says why (ENOENT, EACCES, ...). */
static int src_open(struct mg_connection *c, const char *path,
                    struct file_src *f)
{
	struct stat st;

	memset(f, 0, sizeof *f);
	f->fd = -1;
	if (c->ctx->cb.open_file != NULL) {
		size_t len = 0;
		const char *m = c->ctx->cb.open_file(c, path, &len);

		if (m != NULL) {
			f->mem = m;
			f->size = (long long)len;
			f->mtime = c->ctx->start_time;
			return 0;
		}
	}
	f->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (f->fd < 0)
		return -1;
	if (fstat(f->fd, &st) != 0) {
		src_close(f);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		src_close(f);
		f->is_dir = 1;
		f->mtime = st.st_mtime;
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		src_close(f);
		errno = EACCES;
		return -1;
	}
	f->size = (long long)st.st_size;
	f->mtime = st.st_mtime;
	return 0;
}

static int is_hidden(const struct mg_context *ctx, const char *path)
{
	const char *pat = ctx->opt.value[CW_OPT_HIDE_FILES_PATTERNS];
	const char *base = strrchr(path, '/');

	base = base != NULL ? base + 1 : path;
	if (strcmp(base, ".htpasswd") == 0)
		return 1;
	if (pat == NULL || *pat == '\0')
		return 0;
	return cw_match_str(pat, base) >= 0 || cw_match_str(pat, path) > 0;
}

/* ---- sending ------------------------------------------------------------ */

static void cache_headers(const struct mg_context *ctx, char *out, size_t len)
{
	const char *cc = ctx->opt.value[CW_OPT_STATIC_FILE_CACHE_CONTROL];

	if (cc != NULL && *cc != '\0')
		snprintf(out, len, "Cache-Control: %s\r\n", cc);
	else if (ctx->opt.static_file_max_age > 0)
		snprintf(out, len, "Cache-Control: max-age=%d\r\n",
		         ctx->opt.static_file_max_age);
	else
		snprintf(out, len,
		         "Cache-Control: no-cache, no-store, must-revalidate, "
		         "private, max-age=0\r\nPragma: no-cache\r\nExpires: "
		         "0\r\n");
}

static int send_body(struct mg_connection *c, struct file_src *f)
{
	if (f->mem != NULL) {
		struct iovec iov = {(void *)f->mem, (size_t)f->size};

		return cw_resp_writev_body(c, &iov, 1);
	}
	return cw_resp_send_fd(c, f->fd, 0, f->size);
}

static void send_file(struct mg_connection *c, struct file_src *f,
                      const char *path, int status, const char *mime,
                      const char *extra)
{
	char head[1024], date[40], cache[200], mbuf[128];

	if (mime == NULL)
		mime = cw_mime_type(path,
		                    c->ctx->opt.value[CW_OPT_EXTRA_MIME_TYPES],
		                    mbuf, sizeof mbuf);
	cw_http_date(f->mtime, date, sizeof date);
	cache_headers(c->ctx, cache, sizeof cache);
	snprintf(head, sizeof head,
	         "Content-Type: %s\r\nLast-Modified: %s\r\n"
	         "Etag: \"%lx.%llx\"\r\n%s%s",
	         mime, date, (unsigned long)f->mtime,
	         (unsigned long long)f->size, cache, extra ? extra : "");
	if (cw_resp_head(c, status, head, f->size, 0) == 0 &&
	    !c->resp.no_body && f->size > 0 && send_body(c, f) != 0)
		c->must_close = 1;
}

/* ---- paths ---------------------------------------------------------------- */

static int build_path(const struct mg_connection *c, const char *uri,
                      char *out, size_t len)
{
	const char *root = c->ctx->opt.value[CW_OPT_DOCUMENT_ROOT];
	size_t rl;
	int n;

	if (root == NULL || *root == '\0' || uri == NULL || uri[0] != '/')
		return -1;
	rl = strlen(root);
	while (rl > 1 && root[rl - 1] == '/')
		rl--;
	n = snprintf(out, len, "%.*s%s", (int)rl, root, uri);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

/* Try each index_files name in dir (path ends with '/'). */
static int open_index(struct mg_connection *c, char *path, size_t cap,
                      struct file_src *f)
{
	const char *list = cw_options_get(&c->ctx->opt, CW_OPT_INDEX_FILES);
	size_t base = strlen(path);

	while (*list) {
		size_t n = strcspn(list, ",");

		if (n > 0 && base + n < cap) {
			memcpy(path + base, list, n);
			path[base + n] = '\0';
			if (src_open(c, path, f) == 0) {
				if (!f->is_dir)
					return 0;
			}
		}
		list += n;
		list += *list == ',';
	}
	path[base] = '\0';
	return -1;
}

static void redirect_to_dir(struct mg_connection *c)
{
	char loc[PATH_MAX + 64];
	const char *q = c->ri.query_string;

	snprintf(loc, sizeof loc, "Location: %s/%s%s\r\n", c->ri.request_uri,
	         q ? "?" : "", q ? q : "");
	if (strpbrk(loc + 10, "\r\n") != loc + strlen(loc) - 2) {
		cw_send_error(c, 400, "Bad path");
		return;
	}
	cw_resp_head(c, 301, loc, 0, 0);
}

static void serve_path(struct mg_connection *c, char *path, size_t cap)
{
	struct file_src f;
	int is_index = 0;

	if (is_hidden(c->ctx, path) || src_open(c, path, &f) != 0) {
		int e = errno;

		cw_send_error(c, e == EACCES ? 403 : 404, "%s",
		              e == EACCES ? "Access denied" : "Not found");
		return;
	}
	if (f.is_dir) {
		size_t n = strlen(path);

		if (c->ri.local_uri[strlen(c->ri.local_uri) - 1] != '/') {
			redirect_to_dir(c);
			return;
		}
		if (n + 1 >= cap || open_index(c, path, cap, &f) != 0) {
			cw_send_error(c, 403, "Directory listing denied");
			return;
		}
		is_index = 1;
	}
	(void)is_index;
	send_file(c, &f, path, 200, NULL, NULL);
	src_close(&f);
}

void cw_static_serve(struct mg_connection *c)
{
	const char *m = c->ri.request_method;
	char path[PATH_MAX];

	if (strcmp(m, "OPTIONS") == 0) {
		cw_resp_head(c, 200, "Allow: GET, HEAD, OPTIONS\r\n", 0, 0);
		return;
	}
	if (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0) {
		cw_send_error(c, 405, "Method %s not allowed", m);
		return;
	}
	if (build_path(c, c->ri.local_uri, path, sizeof path) != 0) {
		cw_send_error(c, 404, "Not found");
		return;
	}
	serve_path(c, path, sizeof path);
}

int cw_static_error_page(struct mg_connection *c, int status)
{
	const char *dir = c->ctx->opt.value[CW_OPT_ERROR_PAGES];
	const char *list = cw_options_get(&c->ctx->opt, CW_OPT_INDEX_FILES);
	char names[3][16], path[PATH_MAX];
	struct file_src f;

	if (dir == NULL || *dir == '\0' || status < 100 || status > 999)
		return 0;
	snprintf(names[0], sizeof names[0], "error%03d", status);
	snprintf(names[1], sizeof names[1], "error%dxx", status / 100);
	snprintf(names[2], sizeof names[2], "error");
	for (int i = 0; i < 3; i++) {
		for (const char *p = list; *p;) {
			size_t n = strcspn(p, ",");
			const char *dot = memchr(p, '.', n);

			if (dot != NULL &&
			    snprintf(path, sizeof path, "%s%s%s%.*s", dir,
			             dir[strlen(dir) - 1] == '/' ? "" : "/",
			             names[i], (int)(p + n - dot),
			             dot) < (int)sizeof path &&
			    src_open(c, path, &f) == 0) {
				if (!f.is_dir) {
					send_file(c, &f, path, status, NULL,
					          NULL);
					src_close(&f);
					return 1;
				}
			}
			p += n;
			p += *p == ',';
		}
	}
	return 0;
}

/* ---- the public API ----------------------------------------------------------- */

void mg_send_mime_file2(struct mg_connection *conn, const char *path,
                        const char *mime_type, const char *additional_headers)
{
	struct file_src f;
	char extra[2048] = "";

	if (conn == NULL || path == NULL || conn->is_client)
		return;
	if (src_open(conn, path, &f) != 0 || f.is_dir) {
		cw_send_error(conn, 404, "File not found");
		return;
	}
	if (additional_headers != NULL && *additional_headers != '\0') {
		size_t n = strlen(additional_headers);

		if (n + 3 < sizeof extra &&
		    strpbrk(additional_headers, "\0") == NULL) {
			memcpy(extra, additional_headers, n);
			if (n < 2 || memcmp(extra + n - 2, "\r\n", 2) != 0) {
				memcpy(extra + n, "\r\n", 3);
			}
		}
	}
	send_file(conn, &f, path, 200, mime_type, extra);
	src_close(&f);
}

void mg_send_mime_file(struct mg_connection *conn, const char *path,
                       const char *mime_type)
{
	mg_send_mime_file2(conn, path, mime_type, NULL);
}

void mg_send_file(struct mg_connection *conn, const char *path)
{
	mg_send_mime_file2(conn, path, NULL, NULL);
}

int mg_send_file_body(struct mg_connection *conn, const char *path)
{
	struct file_src f;
	int r;

	if (conn == NULL || path == NULL)
		return -1;
	if (src_open(conn, path, &f) != 0 || f.is_dir)
		return -1;
	r = f.size > 0 ? send_body(conn, &f) : 0;
	src_close(&f);
	return r;
}
