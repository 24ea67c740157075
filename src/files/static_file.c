/* static_file.c - finding a request's file: the document root, the
 * fallback root, url_rewrite_patterns, index files, directory listings,
 * error_pages, and the mg_send_*file() API. file_resp.c answers with the
 * file once found.
 *
 * Why no request can read a file outside document_root:
 *  - request.c percent-decodes local_uri (a decoded NUL is refused: 400)
 *    and normalizes it: '\' counts as '/', repeated slashes collapse, "."
 *    and ".." segments are resolved, and a ".." that would climb above "/"
 *    is refused (400). find() checks again that no ".." segment is left,
 *    and a rewrite's join must not make one, so the guarantee does not
 *    rest on one function alone; a path longer than PATH_MAX is 404.
 *  - The path therefore names something lexically below its base (the
 *    root, the fallback root or a rewrite target). The file is opened
 *    with openat2(RESOLVE_BENEATH) from the base: a symbolic link that
 *    stays below it is followed, one that leads out (absolute, or by
 *    "..") is refused with 403, unless allow_symlinks_outside_root says
 *    links may lead anywhere (as nginx and CivetWeb do by default).
 *  - Only regular files are sent. A file is opened with O_NONBLOCK (a FIFO
 *    or device cannot stall the thread) and checked with fstat() on that
 *    same descriptor, so what was checked is what is sent; anything else
 *    is 403.
 *  - hide_files_patterns, and "**.htpasswd$" always, are matched against
 *    the full path (as in CivetWeb) of the file, of each index file
 *    candidate and of each listed entry; a hidden file is 404, as if
 *    absent, and is never listed.
 *  - A file that cgi_pattern or cgi2_pattern names is a script CivetWeb
 *    would run: civetd has no CGI, and sending its source could hand out
 *    what it hides (passwords in a PHP file), so it is 403, not sent.
 *
 * A hot small file costs a lookup in the open-file cache (fcache.c), which
 * holds its content, and one sendmsg (head and body together, see
 * file_out.c), with no allocation and no read; a large file goes by
 * sendfile() after its first block, written out by the connection. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "files/auth.h"
#include "files/dav.h"
#include "files/fcache.h"
#include "files/file_resp.h"
#include "files/listing.h"
#include "files/static_file.h"
#include "files/zcache.h"
#include "http/file_out.h"
#include "http/response.h"
#include "util/coding.h"
#include "util/match.h"
#include "util/text.h"

/* The largest directory listing page made. */
#define LISTING_MAX (16 << 20)

static const char allow_line[] = "Allow: GET, HEAD, OPTIONS\r\n";
static const char allow_write_line[] =
    "Allow: GET, HEAD, OPTIONS, PUT, DELETE, MKCOL\r\n";

/* The methods the document root takes: the writing ones too once
 * put_delete_auth_file is set. */
static const char *allow_of(const struct mg_connection *c)
{
	return cw_req_opts(c)->value[CW_OPT_PUT_DELETE_AUTH_FILE] != NULL
	           ? allow_write_line
	           : allow_line;
}

static int ends_with_nocase(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

static int is_hidden(const struct cw_options *o, const char *path)
{
	const char *pat = o->value[CW_OPT_HIDE_FILES_PATTERNS];

	if (ends_with_nocase(path, ".htpasswd"))
		return 1;
	return pat != NULL && *pat != '\0' && cw_match_str(pat, path) > 0;
}

/* A script CivetWeb would run (cgi_pattern, cgi2_pattern): never sent. */
static int is_script(const struct cw_options *o, const char *path)
{
	const char *pat[] = {cw_options_get(o, CW_OPT_CGI_PATTERN),
	                     cw_options_get(o, CW_OPT_CGI2_PATTERN)};

	for (int i = 0; i < 2; i++)
		if (*pat[i] != '\0' && cw_match_str(pat[i], path) > 0)
			return 1;
	return 0;
}

/* ---- error pages --------------------------------------------------------- */

/* Try dir/name + each extension of index_files ("index.html" gives
 * ".html"), in order. 1 if a page was sent. */
static int try_error_page(struct mg_connection *c, const char *dir,
                          const char *name, int status, const char *extra)
{
	const char *list = cw_options_get(cw_req_opts(c), CW_OPT_INDEX_FILES);
	const char *sep = dir[strlen(dir) - 1] == '/' ? "" : "/", *item;
	char path[PATH_MAX];
	size_t n;

	while ((item = cw_list_next(&list, &n)) != NULL) {
		const char *dot = memchr(item, '.', n);
		struct cw_file f;
		int len, r;

		if (dot == NULL)
			continue;
		len = snprintf(path, sizeof path, "%s%s%s%.*s", dir, sep, name,
		               (int)(item + n - dot), dot);
		if (len < 0 || (size_t)len >= sizeof path ||
		    cw_file_open(c, path, 0, &f) != 0 || f.is_dir)
			continue;
		r = cw_file_send_plain(c, &f, path, status, extra);
		cw_file_close(c, &f);
		return r == 0;
	}
	return 0;
}

/* error404.*, then error4xx.*, then error.* from error_pages, sent with
 * the error's status and no caching. extra: header lines or "". */
static int error_page(struct mg_connection *c, int status, const char *extra)
{
	const char *dir = cw_req_opts(c)->value[CW_OPT_ERROR_PAGES];
	char name[3][16];

	if (dir == NULL || *dir == '\0' || status < 400 || status > 999)
		return 0;
	snprintf(name[0], sizeof name[0], "error%03d", status);
	snprintf(name[1], sizeof name[1], "error%dxx", status / 100);
	snprintf(name[2], sizeof name[2], "error");
	for (int i = 0; i < 3; i++)
		if (try_error_page(c, dir, name[i], status, extra))
			return 1;
	return 0;
}

int cw_static_error_page(struct mg_connection *c, int status, const char *extra)
{
	return error_page(c, status, extra);
}

/* A 405 carries Allow (RFC 9110 15.5.6), in every page civetd makes. */
static void method_not_allowed(struct mg_connection *c)
{
	cw_send_error_with(c, 405, allow_of(c), "%.200s method not allowed",
	                   c->x->ri.request_method);
}

/* ---- the document root --------------------------------------------------- */

static int has_dot_dot_segment(const char *p)
{
	for (const char *s = p; (s = strstr(s, "..")) != NULL; s += 2)
		if ((s == p || s[-1] == '/' || s[-1] == '\\') &&
		    (s[2] == '\0' || s[2] == '/' || s[2] == '\\'))
			return 1;
	return 0;
}

/* Where a request's file is looked for: a base directory (document_root,
 * fallback_document_root, or a url_rewrite_patterns target) and the rest
 * of the URI below it. path is base + rest, what hide_files_patterns,
 * mime types and the open_file callback see. */
struct place {
	char path[PATH_MAX];
	size_t base_len; /* path[0..base_len) is the base */
	int confined;    /* nothing may lead out of the base */
};

/* path = base[0..blen) + rest. 0, or -1 when too long. */
static int place_set(struct place *pl, const char *base, size_t blen,
                     const char *rest)
{
	size_t rl = strlen(rest);

	pl->confined = 0;
	if (blen + rl >= sizeof pl->path)
		return -1;
	memcpy(pl->path, base, blen);
	memcpy(pl->path + blen, rest, rl + 1);
	pl->base_len = blen;
	return 0;
}

/* The document root (or the fallback root) with the request's path. */
static int place_in_root(struct place *pl, const char *root, const char *uri)
{
	size_t rl;

	if (root == NULL || *root == '\0')
		return -1;
	rl = strlen(root);
	while (rl > 1 && root[rl - 1] == '/')
		rl--;
	return place_set(pl, root, rl, uri);
}

/* The first url_rewrite_patterns entry ("uri_pattern=path") whose
 * pattern matches uri: path + what follows the match, as CivetWeb
 * builds it. 1 if one matched (pl set), 0 if none, -1 if the result is
 * refused (too long, or a ".." segment from the join). */
static int place_rewritten(const struct mg_connection *c, struct place *pl,
                           const char *uri)
{
	const char *list = cw_req_opts(c)->value[CW_OPT_URL_REWRITE_PATTERNS];
	const char *item;
	size_t n;

	if (list == NULL)
		return 0;
	while ((item = cw_list_next(&list, &n)) != NULL) {
		const char *eq = memchr(item, '=', n);
		ptrdiff_t m;

		if (eq == NULL)
			continue;
		m = cw_match(item, (size_t)(eq - item), uri, NULL);
		if (m <= 0)
			continue;
		if (has_dot_dot_segment(uri + m))
			return -1;
		return place_set(pl, eq + 1, (size_t)(item + n - eq - 1),
		                 uri + m) == 0
		           ? 1
		           : -1;
	}
	return 0;
}

/* Confine the lookup to the base, unless allow_symlinks_outside_root
 * says links may lead anywhere. A base that is not a directory (a
 * rewrite to a file) needs no confinement: it is what the configuration
 * names. */
static void place_confine(const struct mg_connection *c, struct place *pl)
{
	pl->confined = !cw_options_flag(cw_req_opts(c),
	                                CW_OPT_ALLOW_SYMLINKS_OUTSIDE_ROOT) &&
	               pl->path[pl->base_len] != '\0';
}

static int place_open(struct mg_connection *c, struct place *pl,
                      struct cw_file *f)
{
	return cw_file_open(c, pl->path, pl->confined ? pl->base_len : 0, f);
}

/* Open the first index_files name present in the directory pl names
 * (its path ends with '/'), skipping hidden names and directories. On
 * failure the path is left as it was. */
static int open_index(struct mg_connection *c, struct place *pl,
                      struct cw_file *f)
{
	const char *list = cw_options_get(cw_req_opts(c), CW_OPT_INDEX_FILES);
	const char *item;
	size_t base = strlen(pl->path), n;

	while ((item = cw_list_next(&list, &n)) != NULL) {
		if (base + n >= sizeof pl->path)
			continue;
		memcpy(pl->path + base, item, n);
		pl->path[base + n] = '\0';
		if (!is_hidden(cw_req_opts(c), pl->path) &&
		    !is_script(cw_req_opts(c), pl->path) &&
		    place_open(c, pl, f) == 0 && !f->is_dir)
			return 0;
	}
	pl->path[base] = '\0';
	return -1;
}

/* "Location: <local_uri>/[?query]" into out; returns the length needed.
 * Built from the normalized path, so it is always a local path: "//x"
 * became "/x" and cannot turn into a protocol-relative URL. */
static size_t location_line(const struct mg_connection *c, char *out,
                            size_t cap)
{
	const struct cw_options *o = cw_req_opts(c);
	struct cw_text t = {out, cap, 0};

	cw_text_put(&t, "Location: ");
	cw_text_put_uri(&t, c->x->ri.local_uri, 0, !o->decode_url);
	cw_text_put(&t, "/");
	if (c->x->ri.query_string != NULL) {
		cw_text_put(&t, "?");
		cw_text_put_uri(&t, c->x->ri.query_string, 1,
		                !o->decode_query_string);
	}
	cw_text_put(&t, "\r\n");
	{ /* a redirect: CivetWeb's carries the CORS lines */
		char cors[CW_CORS_LINES_MAX];

		cw_resp_cors_lines(c, cors, sizeof cors);
		cw_text_put(&t, cors);
	}
	return cw_text_end(&t);
}

static void redirect_to_dir(struct mg_connection *c)
{
	char stack[1024], *buf = stack;
	size_t n = location_line(c, stack, sizeof stack);

	if (n >= sizeof stack) {
		buf = malloc(n + 1);
		if (buf == NULL) {
			cw_send_error(c, 500, "%s", "Out of memory");
			return;
		}
		location_line(c, buf, n + 1);
	}
	if (cw_resp_head(c, 301, buf, 0, 0) != 0)
		cw_send_error(c, 500, "%s", "Cannot make the head");
	if (buf != stack)
		free(buf);
}

static int listing_skips(void *arg, const char *path)
{
	return is_hidden(arg, path);
}

/* The listing of the directory at path (ends with '/'), as CivetWeb
 * shows it; hidden files are left out. A directory whose page would pass
 * LISTING_MAX is refused rather than built. */
static void send_listing(struct mg_connection *c, const char *path)
{
	struct cw_buf page = {NULL, 0, 0};
	const struct cw_options *o = cw_req_opts(c);

	if (cw_listing_build(path, c->x->ri.local_uri, c->x->ri.query_string,
	                     listing_skips, (void *)o, &page,
	                     LISTING_MAX) != 0) {
		int e = errno;

		cw_send_error(c, e == E2BIG ? 403 : cw_file_status_of_errno(e),
		              "%s",
		              e == E2BIG ? "Directory too large to list"
		                         : "Cannot list the directory");
	} else if (cw_file_send_page(c, "text/html; charset=utf-8", page.data,
	                             page.len) != 0) {
		cw_send_error(c, 500, "%s", "Cannot make the head");
	}
	cw_buf_free(&page);
}

/* pl names a directory: 1 if f now holds its index file (and pl its
 * name), 0 if a response (redirect, listing, 403) was sent instead. */
static int resolve_dir(struct mg_connection *c, struct place *pl,
                       struct cw_file *f)
{
	const char *uri = c->x->ri.local_uri;
	size_t n = strlen(pl->path);

	if (uri[strlen(uri) - 1] != '/') {
		redirect_to_dir(c);
		return 0;
	}
	if (n == 0 || pl->path[n - 1] != '/') {
		if (n + 1 >= sizeof pl->path) {
			cw_send_error(c, 404, "%s", "Not found");
			return 0;
		}
		pl->path[n] = '/';
		pl->path[n + 1] = '\0';
	}
	if (open_index(c, pl, f) == 0)
		return 1;
	if (cw_options_flag(cw_req_opts(c), CW_OPT_ENABLE_DIRECTORY_LISTING))
		send_listing(c, pl->path);
	else
		cw_send_error(c, 403, "%s", "Directory listing denied");
	return 0;
}

static void send_open_error(struct mg_connection *c, int err)
{
	int status = cw_file_status_of_errno(err);

	cw_send_error(c, status, "%s",
	              status == 403   ? "Access denied"
	              : status == 404 ? "Not found"
	                              : "Cannot open file");
}

/* Open what pl names. 0, or -1 with errno. */
static int open_place(struct mg_connection *c, struct place *pl,
                      struct cw_file *f)
{
	if (is_hidden(cw_req_opts(c), pl->path)) {
		errno = ENOENT;
		return -1;
	}
	place_confine(c, pl);
	if (place_open(c, pl, f) != 0)
		return -1;
	if (!f->is_dir && is_script(cw_req_opts(c), pl->path)) {
		cw_file_close(c, f);
		errno = EACCES;
		return -1;
	}
	return 0;
}

/* Find the request's file: a rewrite target, else the document root,
 * else (not found there) the fallback root. 0 with f open, or -1 with
 * errno. */
static int find(struct mg_connection *c, struct place *pl, struct cw_file *f)
{
	const struct cw_options *o = cw_req_opts(c);
	const char *uri = c->x->ri.local_uri;
	int r;

	if (uri == NULL || uri[0] != '/' || has_dot_dot_segment(uri)) {
		errno = ENOENT;
		return -1;
	}
	r = place_rewritten(c, pl, uri);
	if (r != 0) {
		if (r < 0) {
			errno = ENOENT;
			return -1;
		}
		return open_place(c, pl, f);
	}
	if (place_in_root(pl, o->value[CW_OPT_DOCUMENT_ROOT], uri) != 0) {
		errno = ENOENT;
		return -1;
	}
	if (open_place(c, pl, f) == 0)
		return 0;
	r = errno;
	if (r != ENOENT ||
	    place_in_root(pl, o->value[CW_OPT_FALLBACK_DOCUMENT_ROOT], uri) !=
	        0) {
		errno = r;
		return -1;
	}
	return open_place(c, pl, f);
}

/* CivetWeb's rule for a missing file: its ".gz" is sent instead when the
 * client takes gzip (with the missing file's type). 0 with f open. */
static int find_gzip(struct mg_connection *c, struct place *pl,
                     struct cw_file *f)
{
	const char *ae = mg_get_header(c, "Accept-Encoding");
	size_t n = strlen(pl->path);

	if (ae == NULL || n + 4 > sizeof pl->path ||
	    is_script(cw_req_opts(c), pl->path) ||
	    cw_coding_choose(ae, 1u << CW_CODING_GZIP) != CW_CODING_GZIP)
		return -1;
	memcpy(pl->path + n, ".gz", 4);
	if (!is_hidden(cw_req_opts(c), pl->path) && place_open(c, pl, f) == 0) {
		pl->path[n] = '\0';
		if (!f->is_dir)
			return 0;
		cw_file_close(c, f);
	}
	pl->path[n] = '\0';
	errno = ENOENT;
	return -1;
}

/* PUT, DELETE, MKCOL (authorized against put_delete_auth_file before
 * this): on the document root only, never on a hidden name (a PUT of
 * .htpasswd would hand out the keys). */
static void serve_write(struct mg_connection *c)
{
	const char *root = cw_req_opts(c)->value[CW_OPT_DOCUMENT_ROOT];
	const char *uri = c->x->ri.local_uri;
	struct place pl;

	if (uri == NULL || uri[0] != '/' || has_dot_dot_segment(uri) ||
	    place_in_root(&pl, root, uri) != 0) {
		cw_send_error(c, 404, "%s", "Not found");
		return;
	}
	if (is_hidden(cw_req_opts(c), pl.path)) {
		cw_send_error(c, 403, "%s", "Access denied");
		return;
	}
	cw_dav_serve(c, root, uri);
}

void cw_static_serve(struct mg_connection *c)
{
	struct cw_file_how how = {NULL, "", 1, 0, 0};
	const char *m = c->x->ri.request_method;
	struct place pl;
	struct cw_file f;

	if (cw_auth_is_write(m) &&
	    cw_req_opts(c)->value[CW_OPT_PUT_DELETE_AUTH_FILE] != NULL) {
		serve_write(c);
		return;
	}
	if (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0) {
		if (strcmp(m, "OPTIONS") == 0)
			cw_resp_head(c, 200, allow_of(c), 0, 0);
		else
			method_not_allowed(c);
		return;
	}
	if (find(c, &pl, &f) != 0) {
		if (errno != ENOENT || find_gzip(c, &pl, &f) != 0) {
			send_open_error(c, errno);
			return;
		}
		how.coding = CW_CODING_GZIP;
	}
	how.base_len = pl.confined ? pl.base_len : 0;
	if (!f.is_dir || resolve_dir(c, &pl, &f))
		cw_file_answer(c, &f, pl.path, &how);
	cw_file_close(c, &f);
}

/* ---- the context's caches ----------------------------------------------- */

int cw_static_start(struct mg_context *ctx)
{
	int max = atoi(cw_options_get(&ctx->opt, CW_OPT_OPEN_FILE_CACHE_SIZE));
	long long zmax;
	struct rlimit rl;

	/* cached descriptors must leave most of the limit to connections */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && (rlim_t)max > rl.rlim_cur / 4)
		max = (int)(rl.rlim_cur / 4);
	if (max > 0 && (ctx->file_cache = cw_fcache_new(max)) == NULL)
		return -1;
	zmax = atoll(cw_options_get(&ctx->opt, CW_OPT_COMPRESSION_CACHE_SIZE));
	if (zmax > 0 && (ctx->zcache = cw_zcache_new((size_t)zmax)) == NULL)
		return -1;
	return 0;
}

void cw_static_stop(struct mg_context *ctx)
{
	cw_zcache_free(ctx->zcache);
	ctx->zcache = NULL;
	cw_fcache_free(ctx->file_cache);
	ctx->file_cache = NULL;
}

/* ---- the public API ------------------------------------------------------ */

/* The application's header lines, each ended by CRLF; returns the length
 * needed. Empty lines, and lines that are not "Name: value", are dropped:
 * they would end the head early or break it. */
static size_t header_lines(const char *s, char *out, size_t cap)
{
	struct cw_text t = {out, cap, 0};

	while (*s != '\0') {
		size_t n = strcspn(s, "\r\n"), name = strcspn(s, ":"), i;

		for (i = 0; i < name && i < n; i++)
			if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
				break;
		if (name < n && name > 0 && i == name) {
			cw_text_put_n(&t, s, n);
			cw_text_put(&t, "\r\n");
		}
		s += n;
		s += strspn(s, "\r\n");
	}
	return cw_text_end(&t);
}

/* A directory given to mg_send_mime_file2(): its listing, as CivetWeb
 * sends it, or 403 when listings are off. */
static void send_api_directory(struct mg_connection *conn, const char *path)
{
	char dir[PATH_MAX];
	size_t n = strlen(path);

	if (!cw_options_flag(cw_req_opts(conn),
	                     CW_OPT_ENABLE_DIRECTORY_LISTING)) {
		cw_send_error(conn, 403, "%s",
		              "Error: Directory listing denied");
		return;
	}
	if (n + 2 > sizeof dir) {
		cw_send_error(conn, 404, "%s", "Error: File not found");
		return;
	}
	memcpy(dir, path, n + 1);
	if (n == 0 || dir[n - 1] != '/')
		memcpy(dir + n, "/", 2);
	send_listing(conn, dir);
}

static void send_api_file(struct mg_connection *conn, const char *path,
                          const char *mime_type, const char *extra)
{
	struct cw_file f;
	struct cw_file_how how = {NULL, extra, 0, 0, 0};

	if (cw_file_open_fresh(conn, path, &f) != 0) {
		int status = cw_file_status_of_errno(errno);

		cw_send_error(conn, status, "%s",
		              status == 404 ? "Error: File not found"
		                            : "Error: Cannot send file");
		return;
	}
	if (f.is_dir) {
		send_api_directory(conn, path);
		return;
	}
	if (mime_type != NULL && *mime_type != '\0')
		how.mime = mime_type;
	cw_file_answer(conn, &f, path, &how);
	cw_file_close(conn, &f);
}

/* As CivetWeb: 404 if the file is not found, else 304 or 200 with the
 * static-file headers and the additional lines; a directory's listing
 * (403 when enable_directory_listing is off); 403 for a file it may not
 * read.
 * hide_files_patterns do not apply: the application chose the path. */
void mg_send_mime_file2(struct mg_connection *conn, const char *path,
                        const char *mime_type, const char *additional_headers)
{
	char stack[1024], *extra = stack;
	size_t n;

	if (conn == NULL || path == NULL || conn->is_client || conn->x == NULL)
		return;
	stack[0] = '\0';
	if (additional_headers != NULL &&
	    (n = header_lines(additional_headers, stack, sizeof stack)) >=
	        sizeof stack) {
		extra = malloc(n + 1);
		if (extra == NULL) {
			cw_send_error(conn, 500, "%s", "Out of memory");
			return;
		}
		header_lines(additional_headers, extra, n + 1);
	}
	send_api_file(conn, path, mime_type, extra);
	if (extra != stack)
		free(extra);
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

/* The file's bytes as handler writes (through the response's compression
 * filter). 0 or -1. */
static int write_through(struct mg_connection *conn, const struct cw_file *f)
{
	char buf[16384];
	long long off = 0;

	while (off < f->size) {
		ssize_t n = pread(f->fd, buf, sizeof buf, (off_t)off);

		if (n <= 0 || cw_resp_write(conn, buf, (size_t)n) < 0)
			return -1;
		off += n;
	}
	return 0;
}

/* As CivetWeb: 0 when the file was sent, -1 if it cannot be opened (here
 * also: is a directory, or sending failed). The caller sent the head. */
int mg_send_file_body(struct mg_connection *conn, const char *path)
{
	struct cw_file f;
	int r = 0;

	if (conn == NULL || path == NULL || conn->is_client || conn->x == NULL)
		return -1;
	if (cw_file_open_fresh(conn, path, &f) != 0 || f.is_dir)
		return -1;
	if (f.size > 0 && f.mem != NULL) {
		struct iovec iov = {(void *)f.mem, (size_t)f.size};

		r = cw_resp_writev_body(conn, &iov, 1);
	} else if (f.size > 0 && conn->x->s.resp.zf != NULL) {
		r = write_through(conn, &f); /* a compressed response */
	} else if (f.size > 0) {
		r = conn->x->s.resp.state == CW_RESP_BODY
		        ? cw_file_out_begin(conn, f.fd, f.data, 0, f.size, 0)
		        : cw_resp_send_fd(conn, f.fd, 0, f.size);
	}
	cw_file_close(conn, &f);
	return r;
}
