/* static_file.c - files from the document root, the open_file callback's
 * memory files, error_pages, and the mg_send_*file() API.
 *
 * Why no request can read a file outside document_root:
 *  - request.c percent-decodes local_uri (a decoded NUL is refused: 400)
 *    and normalizes it: '\' counts as '/', repeated slashes collapse, "."
 *    and ".." segments are resolved, and a ".." that would climb above "/"
 *    is refused (400). build_path() checks again that no ".." segment is
 *    left, so the guarantee does not rest on one function alone, then
 *    joins root and path; a path longer than PATH_MAX is 404.
 *  - The path therefore names something lexically below the root.
 *    Symbolic links are followed, as nginx and CivetWeb do by default: a
 *    link inside the root was made by whoever can write the root, who can
 *    as well copy the file there; a site that must not follow links must
 *    not contain them.
 *  - Only regular files are sent. A file is opened with O_NONBLOCK (a FIFO
 *    or device cannot stall the thread) and checked with fstat() on that
 *    same descriptor, so what was checked is what is sent; anything else
 *    is 403.
 *  - hide_files_patterns, and "**.htpasswd$" always, are matched against
 *    the full path (as in CivetWeb) of the file and of each index file
 *    candidate; a hidden file is 404, as if absent.
 *
 * The path of a small file is open, fstat, pread, one sendmsg (head and
 * body together, see response.c), close, with no allocation; a large file
 * goes by sendfile() after its first block. Conditional requests
 * (If-None-Match, If-Modified-Since) and CORS cost one pass over the
 * request headers. Ranges, directory listings and compression belong to
 * later work; until then a directory without an index file is 403. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "files/static_file.h"
#include "http/file_out.h"
#include "http/response.h"
#include "util/match.h"
#include "util/mime.h"

static const char allow_line[] = "Allow: GET, HEAD, OPTIONS\r\n";

/* ---- text building ------------------------------------------------------- */

/* Appends into p[0..cap); len counts what was asked for, so len >= cap
 * after the fact means "did not fit, need len + 1 bytes". Once a piece
 * does not fit, no later piece is written. */
struct text {
	char *p;
	size_t cap;
	size_t len;
};

static void put_n(struct text *t, const char *s, size_t n)
{
	if (t->len + n < t->cap)
		memcpy(t->p + t->len, s, n);
	t->len += n;
}

static void put(struct text *t, const char *s)
{
	put_n(t, s, strlen(s));
}

static size_t text_end(struct text *t)
{
	if (t->len < t->cap)
		t->p[t->len] = '\0';
	return t->len;
}

/* Percent-encode what may not stand in a Location header. keep_pct: the
 * text is still encoded (decode_url off), so '%' is left alone. */
static void put_uri(struct text *t, const char *s, int in_query, int keep_pct)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;
		char esc[3];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') ||
		    strchr("-._~!$&'()*+,;=:@/", ch) != NULL ||
		    (ch == '?' && in_query) || (ch == '%' && keep_pct)) {
			put_n(t, s, 1);
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[ch >> 4];
		esc[2] = hex[ch & 15];
		put_n(t, esc, 3);
	}
}

/* ---- files --------------------------------------------------------------- */

/* A file to send: a descriptor, or memory from the open_file callback. */
struct file_src {
	int fd;          /* -1 for memory files and directories */
	const char *mem; /* open_file's block, or NULL */
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

/* 0: found (f filled; a directory is found with is_dir set and no
 * descriptor kept); -1: errno says why (ENOENT, EACCES, ...). A file that
 * is neither regular nor a directory is EACCES. */
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
			f->mtime = c->ctx->start_time; /* a stable validator */
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
	f->mtime = st.st_mtime;
	if (S_ISREG(st.st_mode)) {
		f->size = (long long)st.st_size;
		return 0;
	}
	src_close(f);
	if (S_ISDIR(st.st_mode)) {
		f->is_dir = 1;
		return 0;
	}
	errno = EACCES;
	return -1;
}

static int status_of_errno(int e)
{
	switch (e) {
	case EACCES:
	case EPERM:
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

/* ---- response heads ------------------------------------------------------ */

/* What the request says about caching and origin. */
struct req_facts {
	const char *if_none_match;
	const char *if_modified_since;
	const char *origin;
};

static void read_facts(const struct mg_connection *c, struct req_facts *q)
{
	memset(q, 0, sizeof *q);
	for (int i = 0; i < c->x->ri.num_headers; i++) {
		const char *n = c->x->ri.http_headers[i].name;
		const char *v = c->x->ri.http_headers[i].value;

		if (n[0] == 'I' || n[0] == 'i') {
			if (strcasecmp(n, "If-None-Match") == 0)
				q->if_none_match = v;
			else if (strcasecmp(n, "If-Modified-Since") == 0)
				q->if_modified_since = v;
		} else if ((n[0] == 'O' || n[0] == 'o') &&
		           strcasecmp(n, "Origin") == 0) {
			q->origin = v;
		}
	}
}

/* The lines of a file response besides Date and Content-Length. */
struct file_head {
	const char *mime;   /* NULL: no Content-Type (304) */
	const char *etag;   /* NULL: no validators, not cacheable (errors) */
	const char *origin; /* the request's Origin header, or NULL */
	const char *extra;  /* mg_send_mime_file2()'s lines, or "" */
	int deferrable;     /* the file ends the response (send_body) */
};

/* Last-Modified text, cached per thread: requests for the same file
 * format the same date. */
static const char *http_date_of(time_t t)
{
	static __thread time_t cached;
	static __thread char text[40];

	if (t != cached || text[0] == '\0') {
		cw_http_date(t, text, sizeof text);
		cached = t;
	}
	return text;
}

static void put_cache_control(struct text *t, const struct cw_options *o)
{
	const char *cc = o->value[CW_OPT_STATIC_FILE_CACHE_CONTROL];
	char age[48];

	if (cc != NULL && *cc != '\0') {
		put(t, "Cache-Control: ");
		put(t, cc);
		put(t, "\r\n");
	} else if (o->static_file_max_age > 0) {
		snprintf(age, sizeof age, "Cache-Control: max-age=%d\r\n",
		         o->static_file_max_age);
		put(t, age);
	} else {
		put(t, cw_no_cache_headers);
	}
}

static size_t head_lines(const struct mg_connection *c,
                         const struct file_src *f, const struct file_head *h,
                         char *out, size_t cap)
{
	struct text t = {out, cap, 0};

	if (h->mime != NULL) {
		put(&t, "Content-Type: ");
		put(&t, h->mime);
		put(&t, "\r\n");
	}
	if (h->etag != NULL) {
		put(&t, "Last-Modified: ");
		put(&t, http_date_of(f->mtime));
		put(&t, "\r\nEtag: ");
		put(&t, h->etag);
		put(&t, "\r\n");
		put_cache_control(&t, cw_req_opts(c));
	} else {
		put(&t, cw_no_cache_headers);
	}
	if (h->origin != NULL) {
		const char *allow = cw_options_get(
		    cw_req_opts(c), CW_OPT_ACCESS_CONTROL_ALLOW_ORIGIN);

		if (*allow != '\0') {
			put(&t, "Access-Control-Allow-Origin: ");
			put(&t, allow);
			put(&t, "\r\n");
		}
	}
	put(&t, h->extra);
	return text_end(&t);
}

/* Build and hold the head (length < 0: no Content-Length). 0 or -1. */
static int send_head(struct mg_connection *c, int status,
                     const struct file_src *f, const struct file_head *h,
                     long long length)
{
	char stack[1024], *buf = stack;
	size_t n = head_lines(c, f, h, stack, sizeof stack);
	int r;

	if (n >= sizeof stack) { /* a long Cache-Control or extra lines */
		buf = malloc(n + 1);
		if (buf == NULL)
			return -1;
		head_lines(c, f, h, buf, n + 1);
	}
	r = cw_resp_head(c, status, buf, length, 0);
	if (buf != stack)
		free(buf);
	return r;
}

/* The body of a file. A file that ends the response of a request the
 * library answers itself (deferrable) is left for the connection to write
 * out once it no longer fits in the socket; one sent for a handler is
 * written while the handler waits. */
static int send_body(struct mg_connection *c, const struct file_src *f,
                     int deferrable)
{
	if (f->mem != NULL) {
		struct iovec iov = {(void *)f->mem, (size_t)f->size};

		return cw_resp_writev_body(c, &iov, 1);
	}
	if (deferrable)
		return cw_file_out_begin(c, f->fd, 0, f->size);
	return cw_resp_send_fd(c, f->fd, 0, f->size);
}

/* -1 if the head could not be made (nothing was sent); a body that fails
 * half-way only closes the connection. */
static int send_file(struct mg_connection *c, const struct file_src *f,
                     int status, const struct file_head *h)
{
	if (send_head(c, status, f, h, f->size) != 0)
		return -1;
	if (!c->x->s.resp.no_body && f->size > 0 &&
	    send_body(c, f, h->deferrable) != 0)
		c->x->s.must_close = 1;
	return 0;
}

/* ---- conditional requests ------------------------------------------------ */

/* Is etag (quoted) in an If-None-Match list? Weak comparison: "W/" is
 * ignored, as RFC 9110 asks for If-None-Match. */
static int etag_listed(const char *p, const char *etag)
{
	size_t elen = strlen(etag);

	for (;;) {
		p += strspn(p, " \t,");
		if (*p == '\0')
			return 0;
		if (*p == '*')
			return 1;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (*p == '"') {
			const char *end = strchr(p + 1, '"');

			if (end == NULL)
				return 0;
			if ((size_t)(end + 1 - p) == elen &&
			    memcmp(p, etag, elen) == 0)
				return 1;
			p = end + 1;
		}
		p += strcspn(p, ",");
	}
}

/* IMF-fixdate, RFC 850 and asctime dates (RFC 9110 5.6.7); -1 if none. */
static time_t parse_http_date(const char *s)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char mon[4] = "";
	int d, y, hh, mm, ss, m;
	struct tm tm;

	if (sscanf(s, "%*[^,], %2d %3s %4d %2d:%2d:%2d", &d, mon, &y, &hh, &mm,
	           &ss) != 6 &&
	    sscanf(s, "%*[^,], %2d-%3s-%4d %2d:%2d:%2d", &d, mon, &y, &hh, &mm,
	           &ss) != 6 &&
	    sscanf(s, "%*3s %3s %2d %2d:%2d:%2d %4d", mon, &d, &hh, &mm, &ss,
	           &y) != 6)
		return -1;
	for (m = 0; m < 12 && strncasecmp(months + 3 * m, mon, 3) != 0; m++)
		;
	if (y < 100)
		y += y < 70 ? 2000 : 1900;
	if (m == 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60 ||
	    y < 1970)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m;
	tm.tm_mday = d;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	return timegm(&tm);
}

/* RFC 9110 13.2.2: If-None-Match decides when present; otherwise
 * If-Modified-Since, unless its date is invalid or in the future. */
static int not_modified(const struct req_facts *q, const char *etag,
                        time_t mtime)
{
	time_t since;

	if (q->if_none_match != NULL)
		return etag_listed(q->if_none_match, etag);
	if (q->if_modified_since == NULL)
		return 0;
	since = parse_http_date(q->if_modified_since);
	return since >= 0 && mtime <= since && since <= time(NULL);
}

/* A found regular or memory file, for a GET or HEAD: 304 or 200. mime
 * NULL: by the file name's extension. */
static void answer_file(struct mg_connection *c, const struct file_src *f,
                        const char *path, const char *mime, const char *extra,
                        int deferrable)
{
	struct req_facts q;
	struct file_head h;
	char etag[64], mbuf[256];

	read_facts(c, &q);
	snprintf(etag, sizeof etag, "\"%lx.%lld\"", (unsigned long)f->mtime,
	         f->size);
	h.mime = mime;
	h.etag = etag;
	h.origin = q.origin;
	h.extra = extra;
	h.deferrable = deferrable;
	if (not_modified(&q, etag, f->mtime)) {
		h.mime = NULL;
		if (send_head(c, 304, f, &h, -1) != 0)
			cw_send_error(c, 500, "%s", "Cannot make the head");
		return;
	}
	if (h.mime == NULL)
		h.mime = cw_mime_type(
		    path, cw_req_opts(c)->value[CW_OPT_EXTRA_MIME_TYPES], mbuf,
		    sizeof mbuf);
	if (send_file(c, f, 200, &h) != 0)
		cw_send_error(c, 500, "%s", "Cannot make the head");
}

/* ---- option lists -------------------------------------------------------- */

/* The next entry of a comma-separated option list, blanks trimmed: its
 * start, with its length in *len; NULL at the end. */
static const char *next_item(const char **list, size_t *len)
{
	for (;;) {
		const char *s = *list + strspn(*list, " \t");
		size_t n = strcspn(s, ",");

		if (*s == '\0')
			return NULL;
		*list = s + n + (s[n] == ',');
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n > 0) {
			*len = n;
			return s;
		}
	}
}

/* ---- error pages --------------------------------------------------------- */

/* Try dir/name + each extension of index_files ("index.html" gives
 * ".html"), in order. 1 if a page was sent. */
static int try_error_page(struct mg_connection *c, const char *dir,
                          const char *name, int status, const char *extra)
{
	const char *list = cw_options_get(cw_req_opts(c), CW_OPT_INDEX_FILES);
	const char *sep = dir[strlen(dir) - 1] == '/' ? "" : "/", *item;
	char path[PATH_MAX], mbuf[256];
	size_t n;

	while ((item = next_item(&list, &n)) != NULL) {
		const char *dot = memchr(item, '.', n);
		struct file_head h = {NULL, NULL, NULL, extra, 0};
		struct file_src f;
		int len, r;

		if (dot == NULL)
			continue;
		len = snprintf(path, sizeof path, "%s%s%s%.*s", dir, sep, name,
		               (int)(item + n - dot), dot);
		if (len < 0 || (size_t)len >= sizeof path ||
		    src_open(c, path, &f) != 0 || f.is_dir)
			continue;
		h.mime = cw_mime_type(
		    path, cw_req_opts(c)->value[CW_OPT_EXTRA_MIME_TYPES], mbuf,
		    sizeof mbuf);
		r = send_file(c, &f, status, &h);
		src_close(&f);
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
	cw_send_error_with(c, 405, allow_line, "%.200s method not allowed",
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

static int build_path(const struct mg_connection *c, const char *uri, char *out,
                      size_t len)
{
	const char *root = cw_req_opts(c)->value[CW_OPT_DOCUMENT_ROOT];
	size_t rl;
	int n;

	if (root == NULL || *root == '\0' || uri == NULL || uri[0] != '/' ||
	    has_dot_dot_segment(uri))
		return -1;
	rl = strlen(root);
	while (rl > 1 && root[rl - 1] == '/')
		rl--;
	n = snprintf(out, len, "%.*s%s", (int)rl, root, uri);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

/* Open the first index_files name present in the directory path (which
 * ends with '/'), skipping hidden names and directories. On failure path
 * is left as it was. */
static int open_index(struct mg_connection *c, char *path, size_t cap,
                      struct file_src *f)
{
	const char *list = cw_options_get(cw_req_opts(c), CW_OPT_INDEX_FILES);
	const char *item;
	size_t base = strlen(path), n;

	while ((item = next_item(&list, &n)) != NULL) {
		if (base + n >= cap)
			continue;
		memcpy(path + base, item, n);
		path[base + n] = '\0';
		if (!is_hidden(cw_req_opts(c), path) &&
		    src_open(c, path, f) == 0 && !f->is_dir)
			return 0;
	}
	path[base] = '\0';
	return -1;
}

/* "Location: <local_uri>/[?query]" into out; returns the length needed.
 * Built from the normalized path, so it is always a local path: "//x"
 * became "/x" and cannot turn into a protocol-relative URL. */
static size_t location_line(const struct mg_connection *c, char *out,
                            size_t cap)
{
	const struct cw_options *o = cw_req_opts(c);
	struct text t = {out, cap, 0};

	put(&t, "Location: ");
	put_uri(&t, c->x->ri.local_uri, 0, !o->decode_url);
	put(&t, "/");
	if (c->x->ri.query_string != NULL) {
		put(&t, "?");
		put_uri(&t, c->x->ri.query_string, 1, !o->decode_query_string);
	}
	put(&t, "\r\n");
	return text_end(&t);
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

/* path names a directory: 1 if f now holds its index file (and path its
 * name), 0 if a response (redirect, 403) was sent instead. */
static int resolve_dir(struct mg_connection *c, char *path, size_t cap,
                       struct file_src *f)
{
	const char *uri = c->x->ri.local_uri;

	if (uri[strlen(uri) - 1] != '/') {
		redirect_to_dir(c);
		return 0;
	}
	if (open_index(c, path, cap, f) != 0) {
		cw_send_error(c, 403, "%s", "Directory listing denied");
		return 0;
	}
	return 1;
}

static void send_open_error(struct mg_connection *c, int err)
{
	int status = status_of_errno(err);

	cw_send_error(c, status, "%s",
	              status == 403   ? "Access denied"
	              : status == 404 ? "Not found"
	                              : "Cannot open file");
}

static void serve_path(struct mg_connection *c, char *path, size_t cap)
{
	struct file_src f;

	if (is_hidden(cw_req_opts(c), path)) {
		cw_send_error(c, 404, "%s", "Not found");
		return;
	}
	if (src_open(c, path, &f) != 0) {
		send_open_error(c, errno);
		return;
	}
	if (f.is_dir && !resolve_dir(c, path, cap, &f))
		return;
	answer_file(c, &f, path, NULL, "", 1);
	src_close(&f);
}

void cw_static_serve(struct mg_connection *c)
{
	const char *m = c->x->ri.request_method;
	char path[PATH_MAX];

	if (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0) {
		if (strcmp(m, "OPTIONS") == 0)
			cw_resp_head(c, 200, allow_line, 0, 0);
		else
			method_not_allowed(c);
		return;
	}
	if (build_path(c, c->x->ri.local_uri, path, sizeof path) != 0) {
		cw_send_error(c, 404, "%s", "Not found");
		return;
	}
	serve_path(c, path, sizeof path);
}

/* ---- the public API ------------------------------------------------------ */

/* The application's header lines, each ended by CRLF; returns the length
 * needed. Empty lines, and lines that are not "Name: value", are dropped:
 * they would end the head early or break it. */
static size_t header_lines(const char *s, char *out, size_t cap)
{
	struct text t = {out, cap, 0};

	while (*s != '\0') {
		size_t n = strcspn(s, "\r\n"), name = strcspn(s, ":"), i;

		for (i = 0; i < name && i < n; i++)
			if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
				break;
		if (name < n && name > 0 && i == name) {
			put_n(&t, s, n);
			put(&t, "\r\n");
		}
		s += n;
		s += strspn(s, "\r\n");
	}
	return text_end(&t);
}

static void send_api_file(struct mg_connection *conn, const char *path,
                          const char *mime_type, const char *extra)
{
	struct file_src f;

	if (src_open(conn, path, &f) != 0 || f.is_dir) {
		int status = f.is_dir ? 403 : status_of_errno(errno);

		cw_send_error(conn, status, "%s",
		              status == 404 ? "Error: File not found"
		                            : "Error: Cannot send file");
		return;
	}
	answer_file(conn, &f, path,
	            mime_type != NULL && *mime_type != '\0' ? mime_type : NULL,
	            extra, 0);
	src_close(&f);
}

/* As CivetWeb: 404 if the file is not found, else 304 or 200 with the
 * static-file headers and the additional lines. civetd answers 403 for a
 * directory (listings are not built yet) or a file it may not read.
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

/* As CivetWeb: 0 when the file was sent, -1 if it cannot be opened (here
 * also: is a directory, or sending failed). The caller sent the head. */
int mg_send_file_body(struct mg_connection *conn, const char *path)
{
	struct file_src f;
	int r;

	if (conn == NULL || path == NULL || conn->is_client || conn->x == NULL)
		return -1;
	if (src_open(conn, path, &f) != 0 || f.is_dir)
		return -1;
	r = f.size > 0 ? send_body(conn, &f, 0) : 0;
	src_close(&f);
	return r;
}
