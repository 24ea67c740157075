/* check_e2e_log.c - access_log_file and error_log_file stay open and
 * follow their path: a server on port 0 writes its logs into a temporary
 * directory, the test renames or removes a log file behind its back (a
 * rotation without a signal), and a little over a second later the next
 * lines are in a fresh file at the configured path while the earlier ones
 * stay in the renamed file. Also: many threads logging across a rename
 * lose no line. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "civetweb.h"
#include "testlib.h"

/* Past the once-a-second check, with room for a slow machine. */
#define PAST_CHECK_US 1300000
#define WAIT_MS       5000

static struct mg_context *ctx;
static int port;
static char *dir;
static char access_path[512], error_path[512];

static void path_in_dir(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

/* Cries its query string into the error log, then answers. */
static int h_cry(struct mg_connection *conn, void *cbdata)
{
	const char *q = mg_get_request_info(conn)->query_string;

	(void)cbdata;
	mg_cry(conn, "cry-%s", q != NULL ? q : "");
	mg_send_http_ok(conn, "text/plain", 3);
	mg_write(conn, "ok\n", 3);
	return 200;
}

static void setup(void)
{
	struct mg_callbacks cb;
	const char *opts[] = {"access_log_file", access_path, "error_log_file",
	                      error_path, NULL};

	dir = tl_mkdtemp();
	path_in_dir(access_path, sizeof access_path, "access.log");
	path_in_dir(error_path, sizeof error_path, "error.log");
	memset(&cb, 0, sizeof cb);
	ctx = tl_start(&cb, NULL, opts, &port);
	mg_set_request_handler(ctx, "/cry", h_cry, NULL);
}

static void teardown(void)
{
	mg_stop(ctx);
	tl_rmdir(dir);
	free(dir);
}

/* The file's contents ("" if it does not exist); the caller frees. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	do {
		if (len + 4096 + 1 > cap) {
			cap = (len + 4096 + 1) * 2;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
		n = f != NULL ? fread(buf + len, 1, cap - len - 1, f) : 0;
		len += n;
	} while (n > 0);
	buf[len] = '\0';
	if (f != NULL)
		fclose(f);
	return buf;
}

static int has(const char *path, const char *text)
{
	char *s = slurp(path);
	int yes = strstr(s, text) != NULL;

	free(s);
	return yes;
}

static int count_lines(const char *path)
{
	char *s = slurp(path);
	int n = 0;

	for (char *p = s; *p; p++)
		n += *p == '\n';
	free(s);
	return n;
}

/* The line is written after the response: wait for it, boundedly. */
static int appears(const char *path, const char *text)
{
	long long end = tl_now_ms() + WAIT_MS;

	while (!has(path, text)) {
		if (tl_now_ms() > end)
			return 0;
		usleep(5000);
	}
	return 1;
}

static void get(const char *uri)
{
	struct tl_resp r;

	tl_get(port, uri, &r);
	tl_resp_free(&r);
}

START_TEST(renamed_access_log_is_followed_by_a_fresh_file)
{
	char old[600];

	snprintf(old, sizeof old, "%s.1", access_path);
	get("/before-rename");
	ck_assert(appears(access_path, "/before-rename"));
	ck_assert_int_eq(rename(access_path, old), 0);
	usleep(PAST_CHECK_US);
	get("/after-rename");
	ck_assert_msg(appears(access_path, "/after-rename"),
	              "the line after the rename is not at the path");
	get("/after-rename-2");
	ck_assert(appears(access_path, "/after-rename-2"));
	/* the earlier line stays in the renamed file, the later ones not */
	ck_assert(has(old, "/before-rename"));
	ck_assert(!has(old, "/after-rename"));
	ck_assert(!has(access_path, "/before-rename"));
}
END_TEST

START_TEST(removed_access_log_is_recreated)
{
	struct stat st;

	get("/before-rm");
	ck_assert(appears(access_path, "/before-rm"));
	ck_assert_int_eq(unlink(access_path), 0);
	usleep(PAST_CHECK_US);
	get("/after-rm");
	ck_assert_msg(appears(access_path, "/after-rm"),
	              "the line after the removal is lost");
	ck_assert(!has(access_path, "/before-rm"));
	ck_assert_int_eq(stat(access_path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
}
END_TEST

START_TEST(error_log_follows_renames_and_removals)
{
	char old[600];

	snprintf(old, sizeof old, "%s.1", error_path);
	get("/cry?first");
	ck_assert(appears(error_path, "cry-first"));
	ck_assert_int_eq(rename(error_path, old), 0);
	usleep(PAST_CHECK_US);
	get("/cry?second");
	ck_assert_msg(appears(error_path, "cry-second"),
	              "mg_cry after the rename is not at the path");
	ck_assert(has(old, "cry-first"));
	ck_assert(!has(old, "cry-second"));
	ck_assert_int_eq(unlink(error_path), 0);
	usleep(PAST_CHECK_US);
	get("/cry?third");
	ck_assert_msg(appears(error_path, "cry-third"),
	              "mg_cry after the removal is lost");
	ck_assert(!has(error_path, "cry-second"));
}
END_TEST

START_TEST(a_file_put_at_the_path_takes_over)
{
	char old[600];
	FILE *f;

	/* logrotate's "create": rename, then a new file at the path */
	snprintf(old, sizeof old, "%s.1", access_path);
	get("/one");
	ck_assert(appears(access_path, "/one"));
	ck_assert_int_eq(rename(access_path, old), 0);
	f = fopen(access_path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("# rotated\n", f);
	fclose(f);
	usleep(PAST_CHECK_US);
	get("/two");
	ck_assert(appears(access_path, "/two"));
	ck_assert(has(access_path, "# rotated\n"));
	ck_assert(!has(old, "/two"));
}
END_TEST

/* ---- many writers across a rename ------------------------------------ */

struct load {
	long long until_ms;
	int done;
};

static void *client(void *arg)
{
	struct load *l = arg;

	while (tl_now_ms() < l->until_ms) {
		struct tl_resp r;

		if (tl_get(port, "/x", &r) > 0)
			__atomic_fetch_add(&l->done, 1, __ATOMIC_RELAXED);
		tl_resp_free(&r);
		usleep(
		    1000); /* busy enough, without starving parallel suites */
	}
	return NULL;
}

START_TEST(no_line_is_lost_when_threads_log_across_a_rename)
{
	struct load l = {tl_now_ms() + 2500, 0};
	pthread_t t[4];
	char old[600];
	long long end;
	int lines = 0;

	snprintf(old, sizeof old, "%s.1", access_path);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, client, &l), 0);
	usleep(700000);
	ck_assert_int_eq(rename(access_path, old), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_gt(l.done, 0);
	/* every request has its line, in one file or the other */
	end = tl_now_ms() + WAIT_MS;
	do {
		lines = count_lines(old) + count_lines(access_path);
		if (lines >= l.done)
			break;
		usleep(10000);
	} while (tl_now_ms() < end);
	ck_assert_int_eq(lines, l.done);
	ck_assert_int_gt(count_lines(old), 0);
	ck_assert_int_gt(count_lines(access_path), 0);
}
END_TEST

/* mg_start refusing an option value writes why to error_log_file, as
 * CivetWeb does (it has read the whole list by then), and creates no
 * access log. */
START_TEST(refused_start_is_written_to_the_error_log)
{
	char *d = tl_mkdtemp(), epath[512], apath[512];
	const char *opts[] = {"listening_ports",
	                      "bad !",
	                      "error_log_file",
	                      epath,
	                      "access_log_file",
	                      apath,
	                      NULL};
	struct mg_callbacks cb;
	struct stat st;

	snprintf(epath, sizeof epath, "%s/error.log", d);
	snprintf(apath, sizeof apath, "%s/access.log", d);
	memset(&cb, 0, sizeof cb);
	ck_assert_ptr_null(mg_start(&cb, NULL, opts));
	ck_assert_msg(has(epath, "listening_ports"), "error log: [%s]", epath);
	ck_assert_int_ne(stat(apath, &st), 0);
	tl_rmdir(d);
	free(d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("e2e_log");
	TCase *tc = tcase_create("e2e_log");
	TCase *tf = tcase_create("e2e_log_start");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, renamed_access_log_is_followed_by_a_fresh_file);
	tcase_add_test(tc, removed_access_log_is_recreated);
	tcase_add_test(tc, error_log_follows_renames_and_removals);
	tcase_add_test(tc, a_file_put_at_the_path_takes_over);
	tcase_add_test(tc, no_line_is_lost_when_threads_log_across_a_rename);
	suite_add_tcase(s, tc);
	tcase_add_test(tf, refused_start_is_written_to_the_error_log);
	suite_add_tcase(s, tf);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
