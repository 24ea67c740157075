/* check_e2e_static.c - what the document root does beyond plain GETs,
 * over real sockets: byte ranges (single, suffix, open, multiple,
 * unsatisfiable, If-Range) and every conditional header, each with exact
 * statuses, headers and bytes; url_rewrite_patterns and
 * fallback_document_root, including traversal attempts through them. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "civetweb.h"
#include "testlib.h"

static const char abc[] = "abcdefghijklmnopqrstuvwxyz0123456789"; /* 36 */

#define BIG_SIZE (3 * 1024 * 1024)

static char *parent; /* temp dir: www/, fallback/, rewrite/, secret.txt */
static char root[512], fallback[512], rewrite[512];
static unsigned char *big;

static struct mg_context *ctx;
static int port;

/* ---- the tree ------------------------------------------------------------ */

static void make_dir(const char *path)
{
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

static void make_tree(void)
{
	char p[1024];

	parent = tl_mkdtemp();
	snprintf(root, sizeof root, "%s/www", parent);
	snprintf(fallback, sizeof fallback, "%s/fallback", parent);
	snprintf(rewrite, sizeof rewrite, "%s/rewrite", parent);
	make_dir(root);
	make_dir(fallback);
	make_dir(rewrite);
	tl_write_file(parent, "secret.txt", "SECRET\n", 7);
	tl_write_file(root, "abc.txt", abc, strlen(abc));
	tl_write_file(root, "empty.txt", "", 0);
	tl_write_file(root, "both.txt", "from the root\n", 14);
	tl_write_file(fallback, "both.txt", "from the fallback\n", 18);
	tl_write_file(fallback, "only.txt", "only in the fallback\n", 21);
	tl_write_file(rewrite, "doc.txt", "rewritten\n", 10);
	snprintf(p, sizeof p, "%s/list", root);
	make_dir(p);
	snprintf(p, sizeof p, "%s/list/sub", root);
	make_dir(p);
	snprintf(p, sizeof p, "%s/withindex", root);
	make_dir(p);
	tl_write_file(root, "withindex/index.html", "the index\n", 10);
	tl_write_file(root, "list/<script>.txt", "script\n", 7);
	tl_write_file(root, "list/a.txt", "a\n", 2);
	tl_write_file(root, "list/.htpasswd", "u:r:h\n", 6);
	tl_write_file(root, "list/x.secret", "hidden\n", 7);
	big = malloc(BIG_SIZE);
	ck_assert_ptr_nonnull(big);
	for (size_t i = 0; i < BIG_SIZE; i++)
		big[i] = (unsigned char)(i * 7 + (i >> 13));
	tl_write_file(root, "big.bin", (const char *)big, BIG_SIZE);
}

static void remove_tree(void)
{
	tl_rmdir(parent);
	free(parent);
	free(big);
}

static const char *memfile(const struct mg_connection *c, const char *path,
                           size_t *len)
{
	(void)c;
	if (strstr(path, "/mem/abc.txt") == NULL)
		return NULL;
	*len = strlen(abc);
	return abc;
}

/* mg_send_file() of the list/ directory. */
static int send_dir(struct mg_connection *c, void *arg)
{
	char p[1024];

	(void)arg;
	snprintf(p, sizeof p, "%s/list", root);
	mg_send_file(c, p);
	return 200;
}

/* Writes api.txt anew (by rename, as tools do) with the query string
 * in it, then sends it: the application's file, just written. */
static int write_and_send(struct mg_connection *c, void *arg)
{
	const char *q = mg_get_request_info(c)->query_string;
	char tmp[1024], p[1024], text[64];

	(void)arg;
	snprintf(text, sizeof text, "version %s\n", q ? q : "-");
	tl_write_file(parent, "api.tmp", text, strlen(text));
	snprintf(tmp, sizeof tmp, "%s/api.tmp", parent);
	snprintf(p, sizeof p, "%s/api.txt", parent);
	if (rename(tmp, p) != 0)
		return 500;
	mg_send_file(c, p);
	return 200;
}

static int open_to_all(struct mg_connection *c, void *cbdata)
{
	(void)c, (void)cbdata;
	return 1;
}

static void setup(void)
{
	char rw[1200];
	const char *opts[] = {"document_root",
	                      root,
	                      "fallback_document_root",
	                      fallback,
	                      "url_rewrite_patterns",
	                      rw,
	                      "enable_keep_alive",
	                      "yes",
	                      "num_threads",
	                      "4",
	                      "hide_files_patterns",
	                      "**.secret$",
	                      NULL};
	struct mg_callbacks cb;

	memset(&cb, 0, sizeof cb);
	cb.open_file = memfile;
	snprintf(rw, sizeof rw, "/rw/=%s/,/one=%s/doc.txt", rewrite, rewrite);
	ctx = tl_start(&cb, NULL, opts, &port);
	/* list/.htpasswd is there to be hidden; authentication has a suite
	 * of its own (check_e2e_auth.c) */
	mg_set_auth_handler(ctx, "/list", open_to_all, NULL);
	mg_set_request_handler(ctx, "/api/dir$", send_dir, NULL);
	mg_set_request_handler(ctx, "/api/fresh$", write_and_send, NULL);
}

static void teardown(void)
{
	mg_stop(ctx);
}

/* ---- requests ------------------------------------------------------------ */

/* GET (or method) target with extra header lines. Returns the status. */
static int ask(const char *method, const char *target, const char *extra,
               struct tl_resp *r)
{
	return tl_ask(port, method, target, extra, r);
}

static int get_range(const char *target, const char *range, struct tl_resp *r)
{
	char line[512];

	snprintf(line, sizeof line, "Range: %s\r\n", range);
	return ask("GET", target, line, r);
}

/* A single range of abc.txt: 206, Content-Range and exactly those bytes. */
static void expect_range(const char *range, long first, long last)
{
	struct tl_resp r;
	char cr[64], cl[32];

	ck_assert_int_eq(get_range("/abc.txt", range, &r), 206);
	snprintf(cr, sizeof cr, "bytes %ld-%ld/36", first, last);
	snprintf(cl, sizeof cl, "%ld", last - first + 1);
	ck_assert_str_eq(tl_header(&r, "Content-Range"), cr);
	ck_assert_str_eq(tl_header(&r, "Content-Length"), cl);
	ck_assert_str_eq(tl_header(&r, "Content-Type"), "text/plain");
	ck_assert_uint_eq(r.body_len, (size_t)(last - first + 1));
	ck_assert(memcmp(r.body, abc + first, r.body_len) == 0);
	tl_resp_free(&r);
}

/* The Range is ignored: 200 with the whole file. */
static void expect_whole(const char *range)
{
	struct tl_resp r;

	ck_assert_int_eq(get_range("/abc.txt", range, &r), 200);
	ck_assert_ptr_null(tl_header(&r, "Content-Range"));
	ck_assert_str_eq(r.body, abc);
	tl_resp_free(&r);
}

static void validators(const char *name, char *etag, size_t elen, char *date,
                       size_t dlen, time_t *mtime)
{
	tl_file_validators(root, name, etag, elen, date, dlen, mtime);
}

static void http_date(time_t t, char *out, size_t len)
{
	tl_http_date(t, out, len);
}

/* ---- ranges -------------------------------------------------------------- */

START_TEST(single_ranges_are_206_with_content_range_and_exact_bytes)
{
	expect_range("bytes=0-4", 0, 4);
	expect_range("bytes=35-35", 35, 35);
	expect_range("bytes=30-", 30, 35);     /* open */
	expect_range("bytes=-3", 33, 35);      /* suffix */
	expect_range("bytes=-100", 0, 35);     /* suffix beyond the start */
	expect_range("bytes=10-1000", 10, 35); /* last beyond the end */
	expect_range("BYTES = 2-3", 2, 3);     /* unit case, blanks */
	expect_range("bytes=0-1,2-5", 0, 5);   /* adjacent: merged */
	expect_range("bytes=3-8,0-5", 0, 8);   /* overlapping: merged */
	expect_range("bytes=40-50,5-6", 5, 6); /* only one is satisfiable */
	expect_range("bytes=,,1-2,", 1, 2);    /* empty list elements */
}
END_TEST

START_TEST(whole_file_has_accept_ranges)
{
	struct tl_resp r;

	ck_assert_int_eq(ask("GET", "/abc.txt", NULL, &r), 200);
	ck_assert_str_eq(tl_header(&r, "Accept-Ranges"), "bytes");
	ck_assert_str_eq(tl_header(&r, "Content-Length"), "36");
	tl_resp_free(&r);
}
END_TEST

START_TEST(unsatisfiable_range_is_416_with_the_length)
{
	const char *bad[] = {"bytes=36-", "bytes=100-200", "bytes=-0",
	                     "bytes=36-40,50-"};
	struct tl_resp r;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(get_range("/abc.txt", bad[i], &r), 416);
		ck_assert_str_eq(tl_header(&r, "Content-Range"), "bytes */36");
		tl_resp_free(&r);
	}
	/* an empty file has no byte to give */
	ck_assert_int_eq(get_range("/empty.txt", "bytes=0-", &r), 416);
	ck_assert_str_eq(tl_header(&r, "Content-Range"), "bytes */0");
	tl_resp_free(&r);
}
END_TEST

START_TEST(malformed_or_foreign_ranges_are_ignored)
{
	expect_whole("bytes=5-2");
	expect_whole("items=0-1");
	expect_whole("bytes=x-y");
	expect_whole("bytes=1-2;3-4");
	expect_whole("bytes=");
	expect_whole("bytes=--1");
	expect_whole("bytes=99999999999999999999-");
	/* more than 16 separate ranges: cheaper to send it all */
	expect_whole("bytes=0-0,2-2,4-4,6-6,8-8,10-10,12-12,14-14,16-16,18-18,"
	             "20-20,22-22,24-24,26-26,28-28,30-30,32-32");
}
END_TEST

/* Split a multipart/byteranges body on its boundary and check each part's
 * headers and bytes against data. */
static void expect_parts(const struct tl_resp *r, const char *mime,
                         const unsigned char *data, long long size,
                         const long long (*want)[2], int n)
{
	const char *ct = tl_header(r, "Content-Type");
	const char *p = r->body, *end = r->body + r->body_len;
	char boundary[128], delim[160], cr[128], head[512];

	ck_assert_ptr_nonnull(ct);
	ck_assert_int_eq(
	    sscanf(ct, "multipart/byteranges; boundary=%127s", boundary), 1);
	snprintf(delim, sizeof delim, "\r\n--%s\r\n", boundary);
	for (int i = 0; i < n; i++) {
		long long len = want[i][1] - want[i][0] + 1;

		ck_assert_int_eq(strncmp(p, delim, strlen(delim)), 0);
		p += strlen(delim);
		snprintf(cr, sizeof cr, "bytes %lld-%lld/%lld", want[i][0],
		         want[i][1], size);
		snprintf(head, sizeof head,
		         "Content-Type: %s\r\nContent-Range: %s\r\n\r\n", mime,
		         cr);
		ck_assert_int_eq(strncmp(p, head, strlen(head)), 0);
		p += strlen(head);
		ck_assert(end - p >= len);
		ck_assert(memcmp(p, data + want[i][0], (size_t)len) == 0);
		p += len;
	}
	snprintf(delim, sizeof delim, "\r\n--%s--\r\n", boundary);
	ck_assert_uint_eq((size_t)(end - p), strlen(delim));
	ck_assert_int_eq(memcmp(p, delim, strlen(delim)), 0);
}

START_TEST(several_ranges_are_multipart_byteranges_in_order)
{
	static const long long want[3][2] = {{0, 1}, {5, 6}, {30, 35}};
	struct tl_resp r;
	char cl[32];

	ck_assert_int_eq(get_range("/abc.txt", "bytes=30-,5-6,0-1", &r), 206);
	ck_assert_ptr_null(tl_header(&r, "Content-Range"));
	snprintf(cl, sizeof cl, "%zu", r.body_len);
	ck_assert_str_eq(tl_header(&r, "Content-Length"), cl);
	expect_parts(&r, "text/plain", (const unsigned char *)abc, 36, want, 3);
	tl_resp_free(&r);
}
END_TEST

START_TEST(multipart_ranges_of_a_large_file_are_byte_exact)
{
	static const long long want[3][2] = {
	    {0, 99999}, {1048576, 2097151}, {BIG_SIZE - 10, BIG_SIZE - 1}};
	struct tl_resp r;

	ck_assert_int_eq(
	    get_range("/big.bin", "bytes=0-99999,1048576-2097151,-10", &r),
	    206);
	expect_parts(&r, "application/octet-stream", big, BIG_SIZE, want, 3);
	tl_resp_free(&r);
	/* and one large range */
	ck_assert_int_eq(get_range("/big.bin", "bytes=1000-", &r), 206);
	ck_assert_uint_eq(r.body_len, BIG_SIZE - 1000);
	ck_assert(memcmp(r.body, big + 1000, r.body_len) == 0);
	tl_resp_free(&r);
}
END_TEST

START_TEST(ranges_of_open_file_memory_files)
{
	static const long long want[2][2] = {{1, 2}, {34, 35}};
	struct tl_resp r;

	ck_assert_int_eq(get_range("/mem/abc.txt", "bytes=1-2,-2", &r), 206);
	expect_parts(&r, "text/plain", (const unsigned char *)abc, 36, want, 2);
	tl_resp_free(&r);
	ck_assert_int_eq(get_range("/mem/abc.txt", "bytes=3-5", &r), 206);
	ck_assert_str_eq(r.body, "def");
	tl_resp_free(&r);
}
END_TEST

START_TEST(head_ignores_range)
{
	struct tl_resp r;

	ck_assert_int_eq(ask("HEAD", "/abc.txt", "Range: bytes=0-4\r\n", &r),
	                 200);
	ck_assert_str_eq(tl_header(&r, "Content-Length"), "36");
	ck_assert_uint_eq(r.body_len, 0);
	tl_resp_free(&r);
}
END_TEST

START_TEST(if_range_applies_range_only_to_the_same_version)
{
	char etag[64], date[64], line[512], other[64];
	time_t mtime;
	struct tl_resp r;

	validators("abc.txt", etag, sizeof etag, date, sizeof date, &mtime);
	snprintf(line, sizeof line, "Range: bytes=0-1\r\nIf-Range: %s\r\n",
	         etag);
	ck_assert_int_eq(ask("GET", "/abc.txt", line, &r), 206);
	ck_assert_str_eq(r.body, "ab");
	tl_resp_free(&r);
	snprintf(line, sizeof line, "Range: bytes=0-1\r\nIf-Range: %s\r\n",
	         date);
	ck_assert_int_eq(ask("GET", "/abc.txt", line, &r), 206);
	tl_resp_free(&r);
	/* another tag, a weak tag, another date: the whole file */
	ck_assert_int_eq(ask("GET", "/abc.txt",
	                     "Range: bytes=0-1\r\nIf-Range: \"1.2\"\r\n", &r),
	                 200);
	ck_assert_str_eq(r.body, abc);
	tl_resp_free(&r);
	snprintf(line, sizeof line, "Range: bytes=0-1\r\nIf-Range: W/%s\r\n",
	         etag);
	ck_assert_int_eq(ask("GET", "/abc.txt", line, &r), 200);
	tl_resp_free(&r);
	http_date(mtime - 10, other, sizeof other);
	snprintf(line, sizeof line, "Range: bytes=0-1\r\nIf-Range: %s\r\n",
	         other);
	ck_assert_int_eq(ask("GET", "/abc.txt", line, &r), 200);
	tl_resp_free(&r);
}
END_TEST

/* ---- conditional requests ------------------------------------------------ */

/* GET abc.txt with one header line made from fmt and value. */
static int cond(const char *fmt, const char *value, struct tl_resp *r)
{
	char line[512];

	snprintf(line, sizeof line, fmt, value);
	return ask("GET", "/abc.txt", line, r);
}

static void expect_cond(const char *fmt, const char *value, int status)
{
	struct tl_resp r;

	ck_assert_int_eq(cond(fmt, value, &r), status);
	if (status == 304)
		ck_assert_uint_eq(r.body_len, 0);
	if (status == 200)
		ck_assert_str_eq(r.body, abc);
	tl_resp_free(&r);
}

START_TEST(if_none_match_lists_star_and_weak_tags_give_304)
{
	char etag[64], date[64], list[256];
	struct tl_resp r;

	validators("abc.txt", etag, sizeof etag, date, sizeof date, NULL);
	expect_cond("If-None-Match: %s\r\n", etag, 304);
	expect_cond("If-None-Match: %s\r\n", "*", 304);
	snprintf(list, sizeof list, "\"x\", W/%s, \"y\"", etag);
	expect_cond("If-None-Match: %s\r\n", list, 304);
	expect_cond("If-None-Match: %s\r\n", "\"other\", \"tags\"", 200);
	/* the 304 keeps the validators */
	ck_assert_int_eq(cond("If-None-Match: %s\r\n", etag, &r), 304);
	ck_assert_str_eq(tl_header(&r, "Etag"), etag);
	ck_assert_str_eq(tl_header(&r, "Last-Modified"), date);
	ck_assert_ptr_null(tl_header(&r, "Content-Type"));
	tl_resp_free(&r);
}
END_TEST

START_TEST(if_modified_since_gives_304_unless_newer_or_in_the_future)
{
	char etag[64], date[64], d[64];
	time_t mtime;

	validators("abc.txt", etag, sizeof etag, date, sizeof date, &mtime);
	expect_cond("If-Modified-Since: %s\r\n", date, 304);
	http_date(mtime - 100, d, sizeof d);
	expect_cond("If-Modified-Since: %s\r\n", d, 200);
	http_date(time(NULL) + 3600, d, sizeof d);
	expect_cond("If-Modified-Since: %s\r\n", d, 200);
	expect_cond("If-Modified-Since: %s\r\n", "not a date", 200);
	/* If-None-Match decides when both are present */
	snprintf(d, sizeof d, "%s", date);
	{
		char line[512];
		struct tl_resp r;

		snprintf(
		    line, sizeof line,
		    "If-None-Match: \"other\"\r\nIf-Modified-Since: %s\r\n", d);
		ck_assert_int_eq(ask("GET", "/abc.txt", line, &r), 200);
		tl_resp_free(&r);
	}
}
END_TEST

START_TEST(if_match_and_if_unmodified_since_give_412)
{
	char etag[64], date[64], d[64], weak[80];
	time_t mtime;

	validators("abc.txt", etag, sizeof etag, date, sizeof date, &mtime);
	expect_cond("If-Match: %s\r\n", etag, 200);
	expect_cond("If-Match: %s\r\n", "*", 200);
	expect_cond("If-Match: %s\r\n", "\"other\"", 412);
	snprintf(weak, sizeof weak, "W/%s", etag); /* strong comparison */
	expect_cond("If-Match: %s\r\n", weak, 412);
	expect_cond("If-Unmodified-Since: %s\r\n", date, 200);
	http_date(mtime - 100, d, sizeof d);
	expect_cond("If-Unmodified-Since: %s\r\n", d, 412);
	expect_cond("If-Unmodified-Since: %s\r\n", "garbage", 200);
	{
		/* If-Match wins over If-Unmodified-Since and comes before
		 * If-None-Match */
		char line[512];
		struct tl_resp r;

		snprintf(line, sizeof line,
		         "If-Match: %s\r\nIf-Unmodified-Since: %s\r\n", etag,
		         d);
		ck_assert_int_eq(ask("GET", "/abc.txt", line, &r), 200);
		tl_resp_free(&r);
		snprintf(line, sizeof line,
		         "If-Match: \"x\"\r\nIf-None-Match: %s\r\n", etag);
		ck_assert_int_eq(ask("GET", "/abc.txt", line, &r), 412);
		tl_resp_free(&r);
	}
}
END_TEST

/* ---- where files are found ----------------------------------------------- */

START_TEST(fallback_root_serves_what_the_root_lacks)
{
	struct tl_resp r;

	ck_assert_int_eq(ask("GET", "/both.txt", NULL, &r), 200);
	ck_assert_str_eq(r.body, "from the root\n");
	tl_resp_free(&r);
	ck_assert_int_eq(ask("GET", "/only.txt", NULL, &r), 200);
	ck_assert_str_eq(r.body, "only in the fallback\n");
	tl_resp_free(&r);
	ck_assert_int_eq(ask("GET", "/none.txt", NULL, &r), 404);
	tl_resp_free(&r);
}
END_TEST

START_TEST(rewrite_patterns_map_uris_to_other_paths)
{
	struct tl_resp r;

	ck_assert_int_eq(ask("GET", "/rw/doc.txt", NULL, &r), 200);
	ck_assert_str_eq(r.body, "rewritten\n");
	tl_resp_free(&r);
	ck_assert_int_eq(ask("GET", "/one", NULL, &r), 200);
	ck_assert_str_eq(r.body, "rewritten\n");
	tl_resp_free(&r);
}
END_TEST

/* The secret beside the roots must never come out: not through the
 * rewrite target, not through the fallback root, raw or encoded. */
START_TEST(traversal_through_rewrites_and_fallback_fails)
{
	const char *targets[] = {
	    "/rw/../secret.txt",          "/rw/..%2fsecret.txt",
	    "/rw/%2e%2e/secret.txt",      "/rw/..%5csecret.txt",
	    "/only.txt/../../secret.txt", "/%2e%2e/secret.txt",
	    "/rw/../../secret.txt",       "/rw//..//secret.txt",
	    "/one/../secret.txt",         "/one../secret.txt",
	};
	struct tl_resp r;

	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
		int st = ask("GET", targets[i], NULL, &r);

		ck_assert_msg(strstr(r.body ? r.body : "", "SECRET") == NULL,
		              "%s gave the secret (%d)", targets[i], st);
		ck_assert_msg(st >= 400, "%s: %d", targets[i], st);
		tl_resp_free(&r);
	}
}
END_TEST

/* ---- directory listings ------------------------------------------------- */

START_TEST(directory_listing_is_sorted_escaped_and_hides_hidden_files)
{
	struct tl_resp r;
	const char *sub, *a, *script;

	ck_assert_int_eq(ask("GET", "/list/", NULL, &r), 200);
	ck_assert_str_eq(tl_header(&r, "Content-Type"),
	                 "text/html; charset=utf-8");
	ck_assert_ptr_nonnull(strstr(r.body, "Index of /list/"));
	sub = strstr(r.body, "href=\"sub/\"");
	script = strstr(r.body, "href=\"%3cscript%3e.txt\"");
	a = strstr(r.body, "href=\"a.txt\"");
	ck_assert_ptr_nonnull(sub);
	ck_assert_ptr_nonnull(script);
	ck_assert_ptr_nonnull(a);
	ck_assert(sub < script && script < a); /* directories first, names */
	ck_assert_ptr_nonnull(strstr(r.body, "&lt;script&gt;.txt</a>"));
	ck_assert_ptr_null(strstr(r.body, "<script>"));
	ck_assert_ptr_null(strstr(r.body, "htpasswd"));
	ck_assert_ptr_null(strstr(r.body, "secret"));
	tl_resp_free(&r);
	/* the link leads to the file */
	ck_assert_int_eq(ask("GET", "/list/%3cscript%3e.txt", NULL, &r), 200);
	ck_assert_str_eq(r.body, "script\n");
	tl_resp_free(&r);
	/* sorted by size, descending, on request */
	ck_assert_int_eq(ask("GET", "/list/?sd", NULL, &r), 200);
	ck_assert(strstr(r.body, "%3cscript%3e.txt") <
	          strstr(r.body, "href=\"a.txt\""));
	tl_resp_free(&r);
}
END_TEST

START_TEST(send_file_of_a_directory_sends_its_listing)
{
	struct tl_resp r;

	ck_assert_int_eq(ask("GET", "/api/dir", NULL, &r), 200);
	ck_assert_str_eq(tl_header(&r, "Content-Type"),
	                 "text/html; charset=utf-8");
	ck_assert_ptr_nonnull(strstr(r.body, "href=\"a.txt\""));
	ck_assert_ptr_null(strstr(r.body, "htpasswd"));
	tl_resp_free(&r);
}
END_TEST

START_TEST(index_file_wins_over_the_listing)
{
	struct tl_resp r;

	ck_assert_int_eq(ask("GET", "/withindex/", NULL, &r), 200);
	ck_assert_str_eq(r.body, "the index\n");
	tl_resp_free(&r);
}
END_TEST

START_TEST(hidden_files_stay_hidden_through_encoded_names)
{
	const char *targets[] = {"/list/.htpasswd",  "/list/%2ehtpasswd",
	                         "/list/.HTPASSWD",  "/list/x.secret",
	                         "/list/x.%73ecret", "/list//x.secret",
	                         "/list/./x.secret", "/list/sub/../x.secret"};
	struct tl_resp r;

	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
		ck_assert_int_eq(ask("GET", targets[i], NULL, &r), 404);
		tl_resp_free(&r);
	}
}
END_TEST

/* ---- the open-file cache ------------------------------------------------ */

struct want_body {
	const char *target;
	int status;
	const char *body;
};

static int body_is(void *arg)
{
	const struct want_body *w = arg;
	struct tl_resp r;
	int ok = ask("GET", w->target, NULL, &r) == w->status &&
	         (w->body == NULL || strcmp(r.body, w->body) == 0);

	tl_resp_free(&r);
	return ok;
}

/* Within a little more than the cache's second, whatever happened. */
static void expect_soon(const char *target, int status, const char *body)
{
	struct want_body w = {target, status, body};

	tl_wait_until(body_is, &w, 1500, "%s to be %d %s", target, status,
	              body ? body : "");
}

START_TEST(replaced_changed_removed_and_new_files_are_seen_within_a_second)
{
	char p[1024], q[1024];

	tl_write_file(root, "fresh.txt", "one\n", 4);
	expect_soon("/fresh.txt", 200, "one\n");
	/* replaced by rename, as deploy tools do */
	tl_write_file(root, "fresh.tmp", "two\n", 4);
	snprintf(p, sizeof p, "%s/fresh.tmp", root);
	snprintf(q, sizeof q, "%s/fresh.txt", root);
	ck_assert_int_eq(rename(p, q), 0);
	expect_soon("/fresh.txt", 200, "two\n");
	/* rewritten in place, another size */
	tl_write_file(root, "fresh.txt", "three!\n", 7);
	expect_soon("/fresh.txt", 200, "three!\n");
	/* rewritten in place, the same size (the cache holds its content) */
	tl_write_file(root, "fresh.txt", "THREE!\n", 7);
	expect_soon("/fresh.txt", 200, "THREE!\n");
	/* removed */
	ck_assert_int_eq(unlink(q), 0);
	expect_soon("/fresh.txt", 404, NULL);
	/* created after a 404 */
	tl_write_file(root, "fresh.txt", "four\n", 5);
	expect_soon("/fresh.txt", 200, "four\n");
}
END_TEST

/* mg_send_file() is not served from the open-file cache: the application
 * may have just written the file. */
START_TEST(send_file_sends_what_the_application_just_wrote)
{
	struct tl_resp r;
	char want[64];

	for (int i = 0; i < 5; i++) {
		char target[64];

		snprintf(target, sizeof target, "/api/fresh?%d", i);
		snprintf(want, sizeof want, "version %d\n", i);
		ck_assert_int_eq(ask("GET", target, NULL, &r), 200);
		ck_assert_str_eq(r.body, want);
		tl_resp_free(&r);
	}
}
END_TEST

/* civetd has no CGI: a file CivetWeb would run (cgi_pattern's default
 * **.cgi$|**.pl$|**.php$) is refused, never sent as its source; as an
 * index file it is passed over. A missing one stays 404. */
START_TEST(scripts_cgi_pattern_names_are_refused_not_sent)
{
	static const char src[] = "<?php $password = 's3cret'; ?>\n";
	char dir[1024];
	struct tl_resp r;

	tl_write_file(root, "page.php", src, sizeof src - 1);
	tl_write_file(root, "run.cgi", src, sizeof src - 1);
	snprintf(dir, sizeof dir, "%s/phpdir", root);
	ck_assert_int_eq(mkdir(dir, 0755) == 0 || errno == EEXIST, 1);
	tl_write_file(dir, "index.php", src, sizeof src - 1);
	ck_assert_int_eq(ask("GET", "/page.php", NULL, &r), 403);
	ck_assert_ptr_null(strstr(r.body, "s3cret"));
	tl_resp_free(&r);
	ck_assert_int_eq(ask("HEAD", "/run.cgi", NULL, &r), 403);
	tl_resp_free(&r);
	ck_assert_int_eq(ask("GET", "/missing.php", NULL, &r), 404);
	tl_resp_free(&r);
	/* the listing (enable_directory_listing's default), not the index */
	ck_assert_int_eq(ask("GET", "/phpdir/", NULL, &r), 200);
	ck_assert_ptr_nonnull(strstr(r.body, "index.php"));
	ck_assert_ptr_null(strstr(r.body, "s3cret"));
	tl_resp_free(&r);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_static");
	TCase *tc = tcase_create("static");

	tcase_add_unchecked_fixture(tc, make_tree, remove_tree);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(
	    tc, single_ranges_are_206_with_content_range_and_exact_bytes);
	tcase_add_test(tc, whole_file_has_accept_ranges);
	tcase_add_test(tc, unsatisfiable_range_is_416_with_the_length);
	tcase_add_test(tc, malformed_or_foreign_ranges_are_ignored);
	tcase_add_test(tc, several_ranges_are_multipart_byteranges_in_order);
	tcase_add_test(tc, multipart_ranges_of_a_large_file_are_byte_exact);
	tcase_add_test(tc, ranges_of_open_file_memory_files);
	tcase_add_test(tc, head_ignores_range);
	tcase_add_test(tc, if_range_applies_range_only_to_the_same_version);
	tcase_add_test(tc, if_none_match_lists_star_and_weak_tags_give_304);
	tcase_add_test(
	    tc, if_modified_since_gives_304_unless_newer_or_in_the_future);
	tcase_add_test(tc, if_match_and_if_unmodified_since_give_412);
	tcase_add_test(tc, fallback_root_serves_what_the_root_lacks);
	tcase_add_test(tc, rewrite_patterns_map_uris_to_other_paths);
	tcase_add_test(tc, traversal_through_rewrites_and_fallback_fails);
	tcase_add_test(
	    tc,
	    replaced_changed_removed_and_new_files_are_seen_within_a_second);
	tcase_add_test(
	    tc, directory_listing_is_sorted_escaped_and_hides_hidden_files);
	tcase_add_test(tc, index_file_wins_over_the_listing);
	tcase_add_test(tc, send_file_of_a_directory_sends_its_listing);
	tcase_add_test(tc, send_file_sends_what_the_application_just_wrote);
	tcase_add_test(tc, scripts_cgi_pattern_names_are_refused_not_sent);
	tcase_add_test(tc, hidden_files_stay_hidden_through_encoded_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
