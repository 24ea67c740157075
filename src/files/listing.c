/* listing.c - the page served for a directory that has no index file when
 * enable_directory_listing is yes.
 *
 * It shows what CivetWeb 1.16 shows: "Index of <uri>" as title and
 * heading, then a table whose Name, Modified and Size headings link to
 * "?n", "?d" and "?s" followed by a direction ('a' ascending, 'd'
 * descending: the headings offer 'a' while the page is sorted descending,
 * 'd' otherwise), a "Parent directory" row, and a row per entry:
 * directories first, then files, each group in the order the query's first
 * letter names (name when it names nothing else), ties broken by name, the
 * whole order reversed within each group when the second letter is 'd'.
 * Sizes read "[DIRECTORY]", bytes, or k/M/G with one decimal; dates are
 * local time as "DD-Mon-YYYY HH:MM". "." and ".." are never listed, and
 * neither is anything the caller's skip function hides
 * (hide_files_patterns).
 *
 * Where this departs from CivetWeb it is to be safe or to be honest:
 *  - Names and the uri are HTML-escaped in text (& < > " ', where CivetWeb
 *    escapes only & < >), and bytes that are not valid UTF-8 or are control
 *    characters are shown as U+FFFD, so no name can break the markup or
 *    smuggle bytes a browser would misread. Links carry the exact bytes,
 *    percent-encoded, relative to the page.
 *  - No "Parent directory" row on "/", where ".." leads back to itself.
 *  - An entry that cannot be stat'ed (gone since readdir, a dangling link)
 *    is left out rather than shown as an empty file of 1970: it cannot be
 *    served either.
 *  - Month names are English whatever the process locale is.
 *
 * Cost: one readdir pass with an fstatat() per entry, one qsort, one pass
 * of output. Memory stays within a small multiple of max: reading stops
 * with E2BIG as soon as the rows read so far could not fit, so a huge
 * directory asked for with a small max fails early. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "files/listing.h"

/* ---- reading the directory ----------------------------------------------- */

/* One entry to list. While the directory is read the name is an offset
 * into the names arena (which moves as it grows); name is set once all is
 * read. */
struct entry {
	const char *name;
	size_t off;
	off_t size;
	time_t mtime;
	int is_dir;
};

struct scan {
	struct entry *v;
	size_t n, cap;
	size_t ndirs;
	char *names; /* NUL-terminated names, back to back */
	size_t names_len, names_cap;
	char *path; /* dir and the current name, for the skip function */
	size_t path_cap;
	size_t need; /* lower bound of the output the rows will take */
};

/* The fixed parts of a row; the name goes in twice, the date and the size
 * once. Their sum bounds a row's length from below while reading. */
static const char row_href[] = "<tr><td><a href=\"";
static const char row_text[] = "\">";
static const char row_date[] = "</a></td><td>&nbsp;";
static const char row_size[] = "</td><td>&nbsp;&nbsp;";
static const char row_end[] = "</td></tr>\n";
#define ROW_FIXED                                                              \
	(sizeof row_href + sizeof row_text + sizeof row_date +                 \
	 sizeof row_size + sizeof row_end - 5)

/* Room for want elements of elem bytes in p (capacity *cap), doubling.
 * Returns the (maybe moved) block, or NULL with errno ENOMEM and p still
 * valid. */
static void *grow(void *p, size_t *cap, size_t want, size_t elem)
{
	size_t n = *cap != 0 ? *cap : 64;
	void *q;

	if (want <= *cap)
		return p;
	while (n < want) {
		if (n > SIZE_MAX / 2)
			goto nomem;
		n *= 2;
	}
	if (n > SIZE_MAX / elem)
		goto nomem;
	q = realloc(p, n * elem);
	if (q == NULL)
		goto nomem;
	*cap = n;
	return q;
nomem:
	errno = ENOMEM;
	return NULL;
}

static int set_path(struct scan *s, const char *dir, size_t dir_len,
                    const char *name, size_t len)
{
	char *p = grow(s->path, &s->path_cap, dir_len + len + 1, 1);

	if (p == NULL)
		return -1;
	s->path = p;
	memcpy(p, dir, dir_len);
	memcpy(p + dir_len, name, len + 1);
	return 0;
}

static int add_entry(struct scan *s, const char *name, size_t len,
                     const struct stat *st)
{
	struct entry *e;
	void *p;

	p = grow(s->v, &s->cap, s->n + 1, sizeof *s->v);
	if (p == NULL)
		return -1;
	s->v = p;
	p = grow(s->names, &s->names_cap, s->names_len + len + 1, 1);
	if (p == NULL)
		return -1;
	s->names = p;
	memcpy(s->names + s->names_len, name, len + 1);
	e = &s->v[s->n++];
	e->name = NULL;
	e->off = s->names_len;
	e->size = st->st_size;
	e->mtime = st->st_mtime;
	e->is_dir = S_ISDIR(st->st_mode) ? 1 : 0;
	s->ndirs += (size_t)e->is_dir;
	s->names_len += len + 1;
	return 0;
}

/* Read d (opened from dir) into s. room is what the output may still
 * take. 0, or -1 with errno. */
static int scan_dir(DIR *d, const char *dir, cw_listing_skip_fn skip, void *arg,
                    struct scan *s, size_t room)
{
	size_t dir_len = strlen(dir), len, i;
	struct dirent *de;
	struct stat st;

	for (;;) {
		errno = 0;
		de = readdir(d);
		if (de == NULL) {
			if (errno != 0)
				return -1;
			break;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		len = strlen(de->d_name);
		if (skip != NULL) {
			if (set_path(s, dir, dir_len, de->d_name, len) != 0)
				return -1;
			if (skip(arg, s->path))
				continue;
		}
		/* Links are followed, as CivetWeb's stat() does: a link to a
		 * directory is listed, and served, as a directory. */
		if (fstatat(dirfd(d), de->d_name, &st, 0) != 0)
			continue;
		s->need += ROW_FIXED + 2 * len;
		if (s->need > room) {
			errno = E2BIG;
			return -1;
		}
		if (add_entry(s, de->d_name, len, &st) != 0)
			return -1;
	}
	for (i = 0; i < s->n; i++)
		s->v[i].name = s->names + s->v[i].off;
	return 0;
}

static void scan_free(struct scan *s)
{
	free(s->v);
	free(s->names);
	free(s->path);
}

/* ---- sorting --------------------------------------------------------------
 * Each order puts directories first and breaks ties by name. Names are
 * unique within a directory, so every order is total and a descending
 * listing is exactly each group's ascending order reversed. */

static int dirs_first(const struct entry *a, const struct entry *b)
{
	return b->is_dir - a->is_dir;
}

static int by_name(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	int d = dirs_first(a, b);

	return d != 0 ? d : strcmp(a->name, b->name);
}

static int by_size(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	int d = dirs_first(a, b);

	if (d != 0)
		return d;
	if (a->size != b->size)
		return a->size < b->size ? -1 : 1;
	return strcmp(a->name, b->name);
}

static int by_date(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	int d = dirs_first(a, b);

	if (d != 0)
		return d;
	if (a->mtime != b->mtime)
		return a->mtime < b->mtime ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* The query's first letter chooses the order; any other letter, or none,
 * sorts by name (CivetWeb). */
static const struct {
	char key;
	int (*cmp)(const void *, const void *);
} orders[] = {
    {'n', by_name},
    {'d', by_date},
    {'s', by_size},
};

static void reverse(struct entry *v, size_t n)
{
	struct entry t;
	size_t i;

	for (i = 0; i < n / 2; i++) {
		t = v[i];
		v[i] = v[n - 1 - i];
		v[n - 1 - i] = t;
	}
}

static int descending(const char *query)
{
	return query != NULL && query[0] != '\0' && query[1] == 'd';
}

static void sort_entries(struct scan *s, const char *query)
{
	int (*cmp)(const void *, const void *) = by_name;
	size_t i;

	for (i = 0; query != NULL && i < sizeof orders / sizeof orders[0]; i++)
		if (query[0] == orders[i].key)
			cmp = orders[i].cmp;
	if (s->n > 1)
		qsort(s->v, s->n, sizeof *s->v, cmp);
	if (descending(query)) {
		reverse(s->v, s->ndirs);
		reverse(s->v + s->ndirs, s->n - s->ndirs);
	}
}

/* ---- writing the page ---------------------------------------------------- */

/* Appends to the caller's buffer up to max bytes in all; the first failure
 * is kept and makes later writes do nothing. */
struct out {
	struct cw_buf *b;
	size_t max;
	int err; /* 0, E2BIG or ENOMEM */
};

static void put_n(struct out *o, const char *s, size_t n)
{
	if (o->err != 0 || n == 0)
		return;
	if (n > o->max - o->b->len) {
		o->err = E2BIG;
		return;
	}
	if (cw_buf_add(o->b, s, n, o->max) != 0)
		o->err = ENOMEM;
}

static void put(struct out *o, const char *s)
{
	put_n(o, s, strlen(s));
}

/* Length of the well-formed UTF-8 sequence starting s[0..n) (s[0] >=
 * 0x80), or 0 if it is not one or is a C1 control. The limits on the
 * second byte rule out overlong forms, surrogates and code points past
 * U+10FFFF. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xc2)
		lo = 0xa0; /* U+0080..U+009F are controls */
	else if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* text as HTML character data or attribute value. */
static void put_html(struct out *o, const char *text)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	const unsigned char *s = (const unsigned char *)text;
	size_t n = strlen(text), i = 0, run = 0, k;
	const char *rep;

	while (i < n) {
		k = 1;
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			rep = NULL;
			if (s[i] >= 0x80)
				k = utf8_len(s + i, n - i);
			if (s[i] < 0x20 || s[i] == 0x7f || k == 0) {
				rep = replacement;
				k = 1;
			}
		}
		i += k;
		if (rep != NULL) {
			put_n(o, text + run, i - k - run);
			put(o, rep);
			run = i;
		}
	}
	put_n(o, text + run, n - run);
}

/* name as one path segment of a relative link. The bytes kept are those
 * mg_url_encode() keeps (util/codec.c), so links read as CivetWeb's; none
 * of them means anything in a path segment or a quoted attribute, and ':'
 * is encoded, so no name can read as a scheme. */
static void put_href(struct out *o, const char *name)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)name;
	size_t i, run = 0;
	char esc[3];

	for (i = 0; s[i] != '\0'; i++) {
		if ((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || strchr("._-$,;~()", s[i]))
			continue;
		put_n(o, name + run, i - run);
		esc[0] = '%';
		esc[1] = hex[s[i] >> 4];
		esc[2] = hex[s[i] & 0x0f];
		put_n(o, esc, 3);
		run = i + 1;
	}
	put_n(o, name + run, i - run);
}

static void format_size(char *buf, size_t cap, const struct entry *e)
{
	double size = (double)e->size;

	if (e->is_dir)
		snprintf(buf, cap, "[DIRECTORY]");
	else if (e->size < 1024)
		snprintf(buf, cap, "%d", (int)e->size);
	else if (e->size < 0x100000)
		snprintf(buf, cap, "%.1fk", size / 1024.0);
	else if (e->size < 0x40000000)
		snprintf(buf, cap, "%.1fM", size / 1048576.0);
	else
		snprintf(buf, cap, "%.1fG", size / 1073741824.0);
}

static void format_date(char *buf, size_t cap, time_t t)
{
	static const char month[12][4] = {"Jan", "Feb", "Mar", "Apr",
	                                  "May", "Jun", "Jul", "Aug",
	                                  "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL || tm.tm_mon < 0 || tm.tm_mon > 11) {
		snprintf(buf, cap, "01-Jan-1970 00:00");
		return;
	}
	snprintf(buf, cap, "%02d-%s-%04ld %02d:%02d", tm.tm_mday,
	         month[tm.tm_mon], (long)tm.tm_year + 1900, tm.tm_hour,
	         tm.tm_min);
}

static void put_row(struct out *o, const struct entry *e)
{
	const char *slash = e->is_dir ? "/" : "";
	char size[32], date[64];

	format_size(size, sizeof size, e);
	format_date(date, sizeof date, e->mtime);
	put(o, row_href);
	put_href(o, e->name);
	put(o, slash);
	put(o, row_text);
	put_html(o, e->name);
	put(o, slash);
	put(o, row_date);
	put(o, date);
	put(o, row_size);
	put(o, size);
	put(o, row_end);
}

static void put_page(struct out *o, const struct scan *s, const char *uri,
                     const char *query)
{
	const char flip = descending(query) ? 'a' : 'd';
	size_t i;

	put(o, "<!DOCTYPE html><html><head><title>Index of ");
	put_html(o, uri);
	put(o, "</title><style>th {text-align: left;}</style></head>"
	       "<body><h1>Index of ");
	put_html(o, uri);
	put(o, "</h1><pre><table cellpadding=\"0\"><tr><th><a href=\"?n");
	put_n(o, &flip, 1);
	put(o, "\">Name</a></th><th><a href=\"?d");
	put_n(o, &flip, 1);
	put(o, "\">Modified</a></th><th><a href=\"?s");
	put_n(o, &flip, 1);
	put(o, "\">Size</a></th></tr><tr><td colspan=\"3\"><hr></td></tr>");
	if (strcmp(uri, "/") != 0)
		put(o, "<tr><td><a href=\"..\">Parent directory</a></td>"
		       "<td>&nbsp;-</td><td>&nbsp;&nbsp;-</td></tr>\n");
	for (i = 0; i < s->n && o->err == 0; i++)
		put_row(o, &s->v[i]);
	put(o, "</table></pre></body></html>");
}

/* ---- the module's one entry point ---------------------------------------- */

int cw_listing_build(const char *dir, const char *uri, const char *query,
                     cw_listing_skip_fn skip, void *arg, struct cw_buf *out,
                     size_t max)
{
	struct out o = {out, max, 0};
	size_t start = out->len;
	struct scan s;
	int err = 0;
	DIR *d;

	if (out->len > max) {
		errno = E2BIG;
		return -1;
	}
	d = opendir(dir);
	if (d == NULL)
		return -1;
	memset(&s, 0, sizeof s);
	if (scan_dir(d, dir, skip, arg, &s, max - out->len) != 0)
		err = errno;
	closedir(d);
	if (err == 0) {
		sort_entries(&s, query);
		put_page(&o, &s, uri, query);
		err = o.err;
	}
	scan_free(&s);
	if (err != 0) {
		/* Nothing half-made is left for the caller to send. */
		out->len = start;
		if (out->data != NULL)
			out->data[start] = '\0';
		errno = err;
		return -1;
	}
	return 0;
}
