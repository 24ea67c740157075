/* check_listing.c - unit tests for src/files/listing.c: the directory
 * listing page. Each test lists a fresh temporary directory of files with
 * known sizes and times (TZ is UTC, so dates are fixed) and checks the
 * bytes: CivetWeb's layout, order, size and date formats, and that names
 * are escaped in text and encoded in links. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "files/listing.h"
#include "util/buf.h"

#define T0  1700000000 /* 14-Nov-2023 22:13:20 UTC */
#define BIG ((size_t)64 << 20)

static char root[64];  /* the directory under test, no trailing '/' */
static char rootd[80]; /* the same with '/', as the listing takes it */

static void set_mtime(const char *path, time_t t)
{
	struct timespec ts[2] = {{t, 0}, {t, 0}};

	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void make_file(const char *name, off_t size, time_t t)
{
	char path[512];
	int fd;

	snprintf(path, sizeof path, "%s/%s", root, name);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	/* Sparse: a 1.5 GB file costs nothing. */
	ck_assert_int_eq(ftruncate(fd, size), 0);
	ck_assert_int_eq(close(fd), 0);
	set_mtime(path, t);
}

static void make_dir(const char *name, time_t t)
{
	char path[512];

	snprintf(path, sizeof path, "%s/%s", root, name);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	set_mtime(path, t);
}

/* Removes what nftw() walks; root itself stays while emptying. */
static int emptying;

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	if (emptying && ftw->level == 0)
		return 0;
	return remove(path);
}

/* Once per TCase, in the runner: a failed test runs no teardown, so the
 * tree goes when its TCase ends, whatever the tests left in it. */
static void make_root(void)
{
	snprintf(root, sizeof root, "/tmp/check_listing.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(rootd, sizeof rootd, "%s/", root);
}

static void remove_root(void)
{
	emptying = 0;
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The common directory, made afresh for each test (in its own process):
 * two empty subdirectories (of equal size on any file system) and five
 * files whose names, sizes and times each sort differently, plus one the
 * skip function hides. */
static void setup(void)
{
	emptying = 1;
	ck_assert_int_eq(nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	make_dir("sub", T0 + 180);
	make_dir("zdir", T0 + 60);
	make_file("c.bin", 1572864, T0);
	make_file("a b&c?d#e%f.txt", 1, T0 + 60);
	make_file("b.txt", 10, T0 + 120);
	make_file("a.txt", 2000, T0 + 240);
	make_file("<script>.txt", 0, T0 + 300);
	make_file(".hidden", 5, T0);
}

/* Hides ".hidden" (as hide_files_patterns would) and counts the calls
 * that got the full path of it. */
struct skip_log {
	int calls;
	int full_path_seen;
};

static int skip_hidden(void *arg, const char *path)
{
	struct skip_log *log = arg;
	char want[128];
	size_t n = strlen(path);

	snprintf(want, sizeof want, "%s.hidden", rootd);
	if (log != NULL) {
		log->calls++;
		if (strcmp(path, want) == 0)
			log->full_path_seen++;
	}
	return n >= 8 && strcmp(path + n - 8, "/.hidden") == 0;
}

/* The listing of root as uri with query, which must succeed. */
static char *list(const char *uri, const char *query)
{
	struct cw_buf b = {NULL, 0, 0};

	ck_assert_int_eq(
	    cw_listing_build(rootd, uri, query, skip_hidden, NULL, &b, BIG), 0);
	ck_assert_ptr_nonnull(b.data);
	return b.data;
}

/* The links of the entry rows, in order, comma-separated (the parent
 * row's ".." left out). */
static char *order(const char *page)
{
	static const char tag[] = "<tr><td><a href=\"";
	static char res[4096];
	const char *p = page, *q;
	size_t len = 0;

	res[0] = '\0';
	while ((p = strstr(p, tag)) != NULL) {
		p += sizeof tag - 1;
		q = strchr(p, '"');
		ck_assert_ptr_nonnull(q);
		if (!(q - p == 2 && strncmp(p, "..", 2) == 0)) {
			ck_assert_uint_lt(len + (size_t)(q - p) + 2,
			                  sizeof res);
			if (len > 0)
				res[len++] = ',';
			memcpy(res + len, p, (size_t)(q - p));
			len += (size_t)(q - p);
			res[len] = '\0';
		}
		p = q;
	}
	return res;
}

/* The whole row whose link is href, or "" if there is none. */
static char *row(const char *page, const char *href)
{
	static char res[2048];
	char start[1024];
	const char *p, *end;

	snprintf(start, sizeof start, "<tr><td><a href=\"%s\">", href);
	res[0] = '\0';
	p = strstr(page, start);
	if (p == NULL)
		return res;
	end = strstr(p, "</tr>\n");
	ck_assert_ptr_nonnull(end);
	ck_assert_uint_lt((size_t)(end - p) + 6, sizeof res);
	memcpy(res, p, (size_t)(end - p) + 6);
	res[end - p + 6] = '\0';
	return res;
}

START_TEST(test_listing_page_is_civetweb_layout_byte_for_byte)
{
	char *page = list("/files/", NULL);

	ck_assert_str_eq(
	    page,
	    "<!DOCTYPE html><html><head><title>Index of /files/</title>"
	    "<style>th {text-align: left;}</style></head>"
	    "<body><h1>Index of /files/</h1><pre><table cellpadding=\"0\">"
	    "<tr><th><a href=\"?nd\">Name</a></th>"
	    "<th><a href=\"?dd\">Modified</a></th>"
	    "<th><a href=\"?sd\">Size</a></th></tr>"
	    "<tr><td colspan=\"3\"><hr></td></tr>"
	    "<tr><td><a href=\"..\">Parent directory</a></td>"
	    "<td>&nbsp;-</td><td>&nbsp;&nbsp;-</td></tr>\n"
	    "<tr><td><a href=\"sub/\">sub/</a></td>"
	    "<td>&nbsp;14-Nov-2023 22:16</td>"
	    "<td>&nbsp;&nbsp;[DIRECTORY]</td></tr>\n"
	    "<tr><td><a href=\"zdir/\">zdir/</a></td>"
	    "<td>&nbsp;14-Nov-2023 22:14</td>"
	    "<td>&nbsp;&nbsp;[DIRECTORY]</td></tr>\n"
	    "<tr><td><a href=\"%3cscript%3e.txt\">&lt;script&gt;.txt</a></td>"
	    "<td>&nbsp;14-Nov-2023 22:18</td><td>&nbsp;&nbsp;0</td></tr>\n"
	    "<tr><td><a href=\"a%20b%26c%3fd%23e%25f.txt\">"
	    "a b&amp;c?d#e%f.txt</a></td>"
	    "<td>&nbsp;14-Nov-2023 22:14</td><td>&nbsp;&nbsp;1</td></tr>\n"
	    "<tr><td><a href=\"a.txt\">a.txt</a></td>"
	    "<td>&nbsp;14-Nov-2023 22:17</td><td>&nbsp;&nbsp;2.0k</td></tr>\n"
	    "<tr><td><a href=\"b.txt\">b.txt</a></td>"
	    "<td>&nbsp;14-Nov-2023 22:15</td><td>&nbsp;&nbsp;10</td></tr>\n"
	    "<tr><td><a href=\"c.bin\">c.bin</a></td>"
	    "<td>&nbsp;14-Nov-2023 22:13</td><td>&nbsp;&nbsp;1.5M</td></tr>\n"
	    "</table></pre></body></html>");
	free(page);
}
END_TEST

START_TEST(test_listing_directories_first_then_names_by_default)
{
	static const char want[] =
	    "sub/,zdir/,%3cscript%3e.txt,a%20b%26c%3fd%23e%25f.txt,a.txt,"
	    "b.txt,c.bin";
	/* No query, an empty one, "n", "na", and a letter that names no
	 * order all sort by name ascending. */
	static const char *const queries[] = {NULL, "", "n", "na", "x", "xa"};
	size_t i;

	for (i = 0; i < sizeof queries / sizeof queries[0]; i++) {
		char *page = list("/", queries[i]);

		ck_assert_str_eq(order(page), want);
		free(page);
	}
}
END_TEST

START_TEST(test_listing_name_descending_keeps_directories_first)
{
	char *page = list("/", "nd");

	ck_assert_str_eq(order(page), "zdir/,sub/,c.bin,b.txt,a.txt,"
	                              "a%20b%26c%3fd%23e%25f.txt,"
	                              "%3cscript%3e.txt");
	free(page);
}
END_TEST

START_TEST(test_listing_size_sort_both_directions_ties_by_name)
{
	char *page = list("/", "sa");

	/* The two empty directories have the same size: by name. */
	ck_assert_str_eq(order(page), "sub/,zdir/,%3cscript%3e.txt,"
	                              "a%20b%26c%3fd%23e%25f.txt,b.txt,a.txt,"
	                              "c.bin");
	free(page);
	page = list("/", "s");
	ck_assert_str_eq(order(page), "sub/,zdir/,%3cscript%3e.txt,"
	                              "a%20b%26c%3fd%23e%25f.txt,b.txt,a.txt,"
	                              "c.bin");
	free(page);
	page = list("/", "sd");
	ck_assert_str_eq(order(page), "zdir/,sub/,c.bin,a.txt,b.txt,"
	                              "a%20b%26c%3fd%23e%25f.txt,"
	                              "%3cscript%3e.txt");
	free(page);
}
END_TEST

START_TEST(test_listing_date_sort_both_directions)
{
	char *page = list("/", "da");

	ck_assert_str_eq(order(page), "zdir/,sub/,c.bin,"
	                              "a%20b%26c%3fd%23e%25f.txt,b.txt,a.txt,"
	                              "%3cscript%3e.txt");
	free(page);
	page = list("/", "dd");
	ck_assert_str_eq(order(page), "sub/,zdir/,%3cscript%3e.txt,a.txt,"
	                              "b.txt,a%20b%26c%3fd%23e%25f.txt,c.bin");
	free(page);
}
END_TEST

START_TEST(test_listing_date_ties_sort_by_name)
{
	char *page;

	make_file("y.txt", 7, T0 + 120);
	make_file("x.txt", 7, T0 + 120);
	page = list("/", "da");
	ck_assert_ptr_nonnull(strstr(order(page), ",b.txt,x.txt,y.txt,"));
	free(page);
	page = list("/", "dd");
	ck_assert_ptr_nonnull(strstr(order(page), ",y.txt,x.txt,b.txt,"));
	free(page);
}
END_TEST

START_TEST(test_listing_heading_links_flip_the_direction)
{
	char *page = list("/", "nd");

	ck_assert_ptr_nonnull(strstr(page, "<a href=\"?na\">Name</a>"));
	ck_assert_ptr_nonnull(strstr(page, "<a href=\"?da\">Modified</a>"));
	ck_assert_ptr_nonnull(strstr(page, "<a href=\"?sa\">Size</a>"));
	free(page);
	/* Every heading offers the flip of the current direction, whichever
	 * column is sorted (CivetWeb). */
	page = list("/", "sa");
	ck_assert_ptr_nonnull(strstr(page, "<a href=\"?nd\">Name</a>"));
	ck_assert_ptr_nonnull(strstr(page, "<a href=\"?dd\">Modified</a>"));
	ck_assert_ptr_nonnull(strstr(page, "<a href=\"?sd\">Size</a>"));
	free(page);
	page = list("/", "dd");
	ck_assert_ptr_nonnull(strstr(page, "<a href=\"?sa\">Size</a>"));
	free(page);
}
END_TEST

START_TEST(test_listing_names_escaped_in_text_and_encoded_in_links)
{
	char *page;

	make_file("it's \"q\".txt", 3, T0);
	make_file("javascript:alert(1)", 3, T0);
	make_file("~ok_-$,;().txt", 3, T0);
	make_dir("d<&>", T0);
	page = list("/", NULL);
	ck_assert_str_eq(row(page, "it%27s%20%22q%22.txt"),
	                 "<tr><td><a href=\"it%27s%20%22q%22.txt\">"
	                 "it&#39;s &quot;q&quot;.txt</a></td>"
	                 "<td>&nbsp;14-Nov-2023 22:13</td>"
	                 "<td>&nbsp;&nbsp;3</td></tr>\n");
	/* ':' is encoded: no name can read as a scheme. */
	ck_assert_str_ne(row(page, "javascript%3aalert(1)"), "");
	ck_assert_ptr_null(strstr(page, "href=\"javascript:"));
	/* What mg_url_encode keeps, a link keeps. */
	ck_assert_str_ne(row(page, "~ok_-$,;().txt"), "");
	/* A directory links with a trailing '/', encoded before it. */
	ck_assert_ptr_nonnull(
	    strstr(page, "<a href=\"d%3c%26%3e/\">d&lt;&amp;&gt;/</a>"));
	/* No raw markup from any name reaches the page. */
	ck_assert_ptr_null(strstr(page, "<script>"));
	ck_assert_ptr_null(strstr(page, "it's"));
	free(page);
}
END_TEST

START_TEST(test_listing_invalid_utf8_and_controls_show_as_replacement)
{
	char *page;

	make_file("bad\xff\x01.txt", 1, T0);
	make_file("nl\nx\x1b\x7f", 1, T0);
	make_file("ov\xc0\xaf", 1, T0);      /* overlong '/' */
	make_file("sur\xed\xa0\x80", 1, T0); /* a surrogate */
	make_file("c1\xc2\x85", 1, T0);      /* NEL, a C1 control */
	make_file("cut\xe2\x82", 1, T0);     /* truncated sequence */
	make_file("\xc3\xa9t\xc3\xa9\xf0\x9f\x98\x80\xc2\xa0", 1, T0);
	page = list("/", NULL);
	ck_assert_ptr_nonnull(strstr(page,
	                             "<a href=\"bad%ff%01.txt\">"
	                             "bad\xef\xbf\xbd\xef\xbf\xbd.txt</a>"));
	ck_assert_ptr_nonnull(
	    strstr(page, "<a href=\"nl%0ax%1b%7f\">"
	                 "nl\xef\xbf\xbdx\xef\xbf\xbd\xef\xbf\xbd</a>"));
	ck_assert_ptr_nonnull(strstr(
	    page, "<a href=\"ov%c0%af\">ov\xef\xbf\xbd\xef\xbf\xbd</a>"));
	ck_assert_ptr_nonnull(
	    strstr(page, "<a href=\"sur%ed%a0%80\">"
	                 "sur\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd</a>"));
	ck_assert_ptr_nonnull(strstr(
	    page, "<a href=\"c1%c2%85\">c1\xef\xbf\xbd\xef\xbf\xbd</a>"));
	ck_assert_ptr_nonnull(strstr(
	    page, "<a href=\"cut%e2%82\">cut\xef\xbf\xbd\xef\xbf\xbd</a>"));
	/* Well-formed UTF-8 (2, 3 and 4 bytes, and U+00A0) is shown as is. */
	ck_assert_ptr_nonnull(
	    strstr(page, "<a href=\"%c3%a9t%c3%a9%f0%9f%98%80%c2%a0\">"
	                 "\xc3\xa9t\xc3\xa9\xf0\x9f\x98\x80\xc2\xa0</a>"));
	free(page);
}
END_TEST

START_TEST(test_listing_uri_escaped_in_title_and_heading)
{
	char *page = list("/<a&b>\"'\xff/", NULL);

	ck_assert_ptr_nonnull(
	    strstr(page, "<title>Index of /&lt;a&amp;b&gt;&quot;&#39;"
	                 "\xef\xbf\xbd/</title>"));
	ck_assert_ptr_nonnull(strstr(page,
	                             "<h1>Index of /&lt;a&amp;b&gt;&quot;&#39;"
	                             "\xef\xbf\xbd/</h1>"));
	ck_assert_ptr_null(strstr(page, "<a&b>"));
	free(page);
}
END_TEST

START_TEST(test_listing_sizes_in_bytes_k_m_g_with_one_decimal)
{
	static const struct {
		const char *name;
		off_t size;
		const char *shown;
	} sizes[] = {
	    {"s0", 0, "0"},
	    {"s1023", 1023, "1023"},
	    {"s1024", 1024, "1.0k"},
	    {"s1536", 1536, "1.5k"},
	    {"s1048575", 1048575, "1024.0k"},
	    {"s1048576", 1048576, "1.0M"},
	    {"s5767168", 5767168, "5.5M"},
	    {"s1073741823", 1073741823, "1024.0M"},
	    {"s1073741824", 1073741824, "1.0G"},
	    {"s1610612736", 1610612736, "1.5G"},
	};
	char want[128], *page;
	size_t i;

	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		make_file(sizes[i].name, sizes[i].size, T0);
	page = list("/", NULL);
	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		snprintf(want, sizeof want, "<td>&nbsp;&nbsp;%s</td></tr>\n",
		         sizes[i].shown);
		ck_assert_ptr_nonnull(strstr(row(page, sizes[i].name), want));
	}
	ck_assert_ptr_nonnull(strstr(row(page, "sub/"), "[DIRECTORY]"));
	free(page);
}
END_TEST

START_TEST(test_listing_dates_are_day_month_year_hour_minute)
{
	char *page;

	make_file("epoch", 1, 0);
	make_file("feb", 1, 981173106); /* 2001-02-03 04:05:06 UTC */
	page = list("/", NULL);
	ck_assert_ptr_nonnull(
	    strstr(row(page, "epoch"), "<td>&nbsp;01-Jan-1970 00:00</td>"));
	ck_assert_ptr_nonnull(
	    strstr(row(page, "feb"), "<td>&nbsp;03-Feb-2001 04:05</td>"));
	free(page);
}
END_TEST

START_TEST(test_listing_parent_row_everywhere_but_root)
{
	char *page = list("/", NULL);

	ck_assert_ptr_null(strstr(page, "Parent directory"));
	ck_assert_ptr_null(strstr(page, "href=\"..\""));
	free(page);
	page = list("/a/b/", NULL);
	ck_assert_ptr_nonnull(
	    strstr(page, "<tr><td colspan=\"3\"><hr></td></tr>"
	                 "<tr><td><a href=\"..\">Parent directory</a></td>"
	                 "<td>&nbsp;-</td><td>&nbsp;&nbsp;-</td></tr>\n"
	                 "<tr><td><a href=\"sub/\">"));
	free(page);
}
END_TEST

START_TEST(test_listing_skipped_names_absent_and_skip_gets_full_path)
{
	struct cw_buf b = {NULL, 0, 0};
	struct skip_log log = {0, 0};

	ck_assert_int_eq(
	    cw_listing_build(rootd, "/", NULL, skip_hidden, &log, &b, BIG), 0);
	ck_assert_ptr_null(strstr(b.data, "hidden"));
	ck_assert_int_eq(log.full_path_seen, 1);
	/* Every entry but "." and ".." is offered to skip. */
	ck_assert_int_eq(log.calls, 8);
	cw_buf_free(&b);
	/* Without a skip function the hidden file is listed. */
	ck_assert_int_eq(
	    cw_listing_build(rootd, "/", NULL, NULL, NULL, &b, BIG), 0);
	ck_assert_str_ne(row(b.data, ".hidden"), "");
	ck_assert_ptr_null(strstr(b.data, "href=\".\""));
	ck_assert_ptr_null(strstr(b.data, "href=\"./\""));
	ck_assert_ptr_null(strstr(b.data, "href=\"../\""));
	cw_buf_free(&b);
}
END_TEST

START_TEST(test_listing_dangling_link_left_out)
{
	char path[512];
	char *page;

	snprintf(path, sizeof path, "%s/gone", root);
	ck_assert_int_eq(symlink("/nonexistent/target", path), 0);
	snprintf(path, sizeof path, "%s/tosub", root);
	ck_assert_int_eq(symlink("sub", path), 0);
	page = list("/", NULL);
	ck_assert_ptr_null(strstr(page, "gone"));
	/* A link to a directory is listed as one, among the directories. */
	ck_assert_str_eq(order(page),
	                 "sub/,tosub/,zdir/,%3cscript%3e.txt,"
	                 "a%20b%26c%3fd%23e%25f.txt,a.txt,b.txt,c.bin");
	free(page);
}
END_TEST

START_TEST(test_listing_max_is_exact_and_e2big_leaves_out_unchanged)
{
	static const char head[] = "HTTP/1.1 200 OK\r\n\r\n";
	struct cw_buf b = {NULL, 0, 0};
	size_t full;

	ck_assert_int_eq(
	    cw_listing_build(rootd, "/", NULL, skip_hidden, NULL, &b, BIG), 0);
	full = b.len;
	cw_buf_free(&b);

	/* Exactly enough fits. */
	ck_assert_int_eq(
	    cw_listing_build(rootd, "/", NULL, skip_hidden, NULL, &b, full), 0);
	ck_assert_uint_eq(b.len, full);
	cw_buf_free(&b);

	/* One byte less, or far less, is E2BIG with nothing appended. */
	ck_assert_int_eq(cw_buf_add(&b, head, sizeof head - 1, BIG), 0);
	errno = 0;
	ck_assert_int_eq(cw_listing_build(rootd, "/", NULL, skip_hidden, NULL,
	                                  &b, sizeof head - 1 + full - 1),
	                 -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_uint_eq(b.len, sizeof head - 1);
	ck_assert_str_eq(b.data, head);
	errno = 0;
	ck_assert_int_eq(
	    cw_listing_build(rootd, "/", NULL, skip_hidden, NULL, &b, 100), -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_str_eq(b.data, head);

	/* With room, the page is appended after what was there. */
	ck_assert_int_eq(cw_listing_build(rootd, "/", NULL, skip_hidden, NULL,
	                                  &b, sizeof head - 1 + full),
	                 0);
	ck_assert_uint_eq(b.len, sizeof head - 1 + full);
	ck_assert_int_eq(strncmp(b.data, head, sizeof head - 1), 0);
	ck_assert_int_eq(
	    strncmp(b.data + sizeof head - 1, "<!DOCTYPE html>", 15), 0);
	cw_buf_free(&b);
}
END_TEST

START_TEST(test_listing_missing_directory_is_enoent)
{
	struct cw_buf b = {NULL, 0, 0};
	char path[128];

	snprintf(path, sizeof path, "%s/nope/", root);
	errno = 0;
	ck_assert_int_eq(
	    cw_listing_build(path, "/nope/", NULL, NULL, NULL, &b, BIG), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_ptr_null(b.data);
}
END_TEST

#define MANY 100000

START_TEST(test_listing_hundred_thousand_entries_sorted_within_max)
{
	struct cw_buf b = {NULL, 0, 0};
	char name[32];
	const char *p;
	size_t rows = 0;
	int i, fd, dfd;

	dfd = open(root, O_DIRECTORY | O_RDONLY);
	ck_assert_int_ge(dfd, 0);
	/* Created in an order readdir will not give back sorted. */
	for (i = 0; i < MANY; i++) {
		snprintf(name, sizeof name, "f%06d", (i * 7919) % MANY);
		fd = openat(dfd, name, O_CREAT | O_WRONLY, 0644);
		ck_assert_int_ge(fd, 0);
		close(fd);
	}
	close(dfd);

	/* A small max fails early, before reading everything into memory. */
	errno = 0;
	ck_assert_int_eq(
	    cw_listing_build(rootd, "/", NULL, skip_hidden, NULL, &b, 4096),
	    -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_ptr_null(b.data);

	ck_assert_int_eq(
	    cw_listing_build(rootd, "/", NULL, skip_hidden, NULL, &b, BIG), 0);
	ck_assert_uint_le(b.len, BIG);
	p = strstr(b.data, "<tr><td><a href=\"c.bin\">");
	ck_assert_ptr_nonnull(p);
	for (i = 0; i < MANY; i++) {
		char want[64];

		snprintf(want, sizeof want, "<tr><td><a href=\"f%06d\">", i);
		p = strstr(p, want);
		ck_assert_msg(p != NULL, "row %d missing or out of order", i);
		rows++;
	}
	ck_assert_uint_eq(rows, MANY);
	cw_buf_free(&b);
}
END_TEST

static Suite *listing_suite(void)
{
	Suite *s = suite_create("listing");
	TCase *page = tcase_create("page");
	TCase *order_tc = tcase_create("order");
	TCase *escape = tcase_create("escape");
	TCase *limits = tcase_create("limits");

	tcase_add_unchecked_fixture(page, make_root, remove_root);
	tcase_add_checked_fixture(page, setup, NULL);
	tcase_add_test(page,
	               test_listing_page_is_civetweb_layout_byte_for_byte);
	tcase_add_test(page,
	               test_listing_sizes_in_bytes_k_m_g_with_one_decimal);
	tcase_add_test(page, test_listing_dates_are_day_month_year_hour_minute);
	tcase_add_test(page, test_listing_parent_row_everywhere_but_root);
	tcase_add_test(
	    page, test_listing_skipped_names_absent_and_skip_gets_full_path);
	tcase_add_test(page, test_listing_dangling_link_left_out);
	suite_add_tcase(s, page);

	tcase_add_unchecked_fixture(order_tc, make_root, remove_root);
	tcase_add_checked_fixture(order_tc, setup, NULL);
	tcase_add_test(order_tc,
	               test_listing_directories_first_then_names_by_default);
	tcase_add_test(order_tc,
	               test_listing_name_descending_keeps_directories_first);
	tcase_add_test(order_tc,
	               test_listing_size_sort_both_directions_ties_by_name);
	tcase_add_test(order_tc, test_listing_date_sort_both_directions);
	tcase_add_test(order_tc, test_listing_date_ties_sort_by_name);
	tcase_add_test(order_tc, test_listing_heading_links_flip_the_direction);
	suite_add_tcase(s, order_tc);

	tcase_add_unchecked_fixture(escape, make_root, remove_root);
	tcase_add_checked_fixture(escape, setup, NULL);
	tcase_add_test(escape,
	               test_listing_names_escaped_in_text_and_encoded_in_links);
	tcase_add_test(
	    escape, test_listing_invalid_utf8_and_controls_show_as_replacement);
	tcase_add_test(escape, test_listing_uri_escaped_in_title_and_heading);
	suite_add_tcase(s, escape);

	tcase_add_unchecked_fixture(limits, make_root, remove_root);
	tcase_add_checked_fixture(limits, setup, NULL);
	tcase_set_timeout(limits, 300);
	tcase_add_test(
	    limits, test_listing_max_is_exact_and_e2big_leaves_out_unchanged);
	tcase_add_test(limits, test_listing_missing_directory_is_enoent);
	tcase_add_test(limits,
	               test_listing_hundred_thousand_entries_sorted_within_max);
	suite_add_tcase(s, limits);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	/* Dates are local time: make them the same on every machine. */
	setenv("TZ", "UTC", 1);
	tzset();
	sr = srunner_create(listing_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
