/* check_e2e_jsonlog.c - access_log_format json: every line of
 * access_log_file is one JSON object that Python's json module parses,
 * with the right values, whatever the client sent (quotes, backslashes,
 * percent-encoded control characters and newlines, raw 0xff bytes,
 * very long headers, a head that never parsed); the log_access callback
 * still gets CivetWeb's line, as its contract says. Python prints each
 * parsed object again (sorted keys, ASCII escapes), so the test compares
 * what a log shipper would read, not the bytes civetd wrote. */
#include <arpa/inet.h>
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "civetweb.h"
#include "testlib.h"

static struct mg_context *ctx;
static int port;
static char *dir;
static char access_path[512];
static char callback_line[4096]; /* under line_lock */
static pthread_mutex_t line_lock = PTHREAD_MUTEX_INITIALIZER;

static int cb_log(const struct mg_connection *c, const char *line)
{
	(void)c;
	pthread_mutex_lock(&line_lock);
	snprintf(callback_line, sizeof callback_line, "%s", line);
	pthread_mutex_unlock(&line_lock);
	return 0; /* the file gets its line too */
}

static void start(int with_callback)
{
	struct mg_callbacks cb;
	const char *opts[] = {"access_log_file", access_path,
	                      "access_log_format", "json", NULL};

	dir = tl_mkdtemp();
	snprintf(access_path, sizeof access_path, "%s/access.log", dir);
	memset(&cb, 0, sizeof cb);
	if (with_callback)
		cb.log_access = cb_log;
	ctx = tl_start(&cb, NULL, opts, &port);
}

static void stop(void)
{
	mg_stop(ctx);
	tl_rmdir(dir);
	free(dir);
}

/* The log as Python's json module reads it: one line per object, keys
 * sorted, non-ASCII as \uXXXX. Fails the test if any line is not strict
 * UTF-8 or does not parse. */
static void parsed_log(char *out, size_t len)
{
	char cmd[1024];
	const char *argv[] = {"/bin/sh", "-c", cmd, NULL};

	snprintf(cmd, sizeof cmd,
	         "/usr/bin/python3 -c 'import json,sys; "
	         "[print(json.dumps(json.loads(l.decode(\"utf-8\")), "
	         "sort_keys=True)) for l in sys.stdin.buffer]' < %s",
	         access_path);
	ck_assert_msg(tl_run(argv, out, len) == 0, "python3 says: %s", out);
}

static int lines_in_log(void)
{
	FILE *f = fopen(access_path, "r");
	int n = 0, ch;

	if (f == NULL)
		return 0;
	while ((ch = fgetc(f)) != EOF)
		n += ch == '\n';
	fclose(f);
	return n;
}

static int log_has(void *arg)
{
	return lines_in_log() >= *(int *)arg;
}

static void wait_lines(int n)
{
	tl_wait_until(log_has, &n, 5000, "%d lines in the access log", n);
}

static void expect(const char *text, const char *want)
{
	ck_assert_msg(strstr(text, want) != NULL, "'%s' not in: %s", want,
	              text);
}

static void send_raw(const char *raw)
{
	struct tl_resp r;

	tl_request(port, raw, &r);
	tl_resp_free(&r);
}

START_TEST(hostile_values_come_out_as_valid_json_with_their_values)
{
	char out[65536], want[128];
	struct sockaddr_in me;
	socklen_t mlen = sizeof me;
	struct tl_resp r;
	int fd;

	start(0);
	fd = tl_connect(port);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&me, &mlen), 0);
	tl_send(fd, "GET /j\"q\\%01%0a\xff?k=\"v\"%01 HTTP/1.1\r\n"
	            "Host: example.test\r\n"
	            "User-Agent: UA \"x\" \\ \xff \xc3\xa9\r\n"
	            "Referer: http://r/\"\r\n"
	            "Connection: close\r\n\r\n");
	ck_assert_int_gt(tl_read_response(fd, "GET", &r), 0);
	tl_resp_free(&r);
	close(fd);
	wait_lines(1);
	parsed_log(out, sizeof out);
	expect(out, "\"uri\": \"/j\\\"q\\\\%01%0a\\u00ff\"");
	/* the path as served: decoded, and '\\' normalized to '/' */
	expect(out, "\"path\": \"/j\\\"q/\\u0001\\n\\u00ff\"");
	expect(out, "\"query\": \"k=\\\"v\\\"%01\"");
	expect(out, "\"user_agent\": \"UA \\\"x\\\" \\\\ \\u00ff \\u00e9\"");
	expect(out, "\"referer\": \"http://r/\\\"\"");
	expect(out, "\"host\": \"example.test\"");
	expect(out, "\"method\": \"GET\"");
	expect(out, "\"protocol\": \"HTTP/1.1\"");
	expect(out, "\"remote_addr\": \"127.0.0.1\"");
	snprintf(want, sizeof want, "\"remote_port\": %d",
	         (int)ntohs(me.sin_port));
	expect(out, want);
	snprintf(want, sizeof want, "\"pid\": %d", (int)getpid());
	expect(out, want);
	expect(out, "\"status\": 404");
	expect(out, "\"tls\": false");
	expect(out, "\"user\": null");
	expect(out, "\"duration_us\": ");
	stop();
}
END_TEST

START_TEST(time_is_rfc3339_utc_with_milliseconds)
{
	char out[8192];
	const char *t;
	int y, mo, d, h, mi, s, ms;
	char z;

	start(0);
	send_raw("GET /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
	wait_lines(1);
	parsed_log(out, sizeof out);
	t = strstr(out, "\"time\": \"");
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(sscanf(t + 9, "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &y, &mo,
	                        &d, &h, &mi, &s, &ms, &z),
	                 8);
	ck_assert_int_eq(z, 'Z');
	ck_assert_int_ge(y, 2024);
	ck_assert_int_eq(t[9 + 24], '"');
	expect(out, "\"bytes_sent\": ");
	expect(out, "\"referer\": null");
	expect(out, "\"user_agent\": null");
	stop();
}
END_TEST

/* 3000 quotes escape to 6000 bytes: cut to the field's room at a whole
 * escape, the line still parses, and the fields after it are there. */
START_TEST(very_long_values_are_cut_and_stay_valid)
{
	static char raw[8192], ua[3001];
	char out[65536];

	memset(ua, '"', 3000);
	ua[3000] = '\0';
	snprintf(raw, sizeof raw,
	         "GET /long HTTP/1.1\r\nHost: h\r\nUser-Agent: %s\r\n"
	         "Connection: close\r\n\r\n",
	         ua);
	start(0);
	send_raw(raw);
	wait_lines(1);
	parsed_log(out, sizeof out);
	expect(out, "\"user_agent\": \"\\\"\\\"");
	expect(out, "\"host\": \"h\"");
	expect(out, "\"tls\": false");
	/* 1024 bytes of room: the quotes, and 511 escaped quotes */
	{
		const char *p = strstr(out, "\"user_agent\": \"") + 15;
		int n = 0;

		while (p[0] == '\\' && p[1] == '"') {
			n++;
			p += 2;
		}
		ck_assert_int_eq(n, 511);
		ck_assert_int_eq(*p, '"');
	}
	stop();
}
END_TEST

START_TEST(a_head_that_never_parsed_is_logged_too)
{
	char out[8192];

	start(0);
	send_raw("BAD\x01 REQUEST\r\n\r\n");
	wait_lines(1);
	parsed_log(out, sizeof out);
	expect(out, "\"status\": 400");
	expect(out, "\"method\": null");
	expect(out, "\"protocol\": null");
	stop();
}
END_TEST

START_TEST(log_access_callback_still_gets_civetweb_format)
{
	char out[8192], line[sizeof callback_line];

	start(1);
	send_raw(
	    "GET /cb?a=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
	wait_lines(1);
	pthread_mutex_lock(&line_lock);
	memcpy(line, callback_line, sizeof line);
	pthread_mutex_unlock(&line_lock);
	ck_assert_msg(strncmp(line, "127.0.0.1 - - [", 15) == 0, "%s", line);
	expect(line, "\"GET /cb?a=1 HTTP/1.1\" 404 ");
	parsed_log(out, sizeof out);
	expect(out, "\"uri\": \"/cb\"");
	expect(out, "\"query\": \"a=1\"");
	stop();
}
END_TEST

START_TEST(default_format_is_civetweb)
{
	struct mg_callbacks cb;
	const char *opts[] = {"access_log_file", access_path, NULL};
	char line[4096] = "";
	FILE *f;

	dir = tl_mkdtemp();
	snprintf(access_path, sizeof access_path, "%s/access.log", dir);
	memset(&cb, 0, sizeof cb);
	ctx = tl_start(&cb, NULL, opts, &port);
	send_raw("GET /d HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
	wait_lines(1);
	f = fopen(access_path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
	fclose(f);
	ck_assert_msg(strncmp(line, "127.0.0.1 - - [", 15) == 0, "%s", line);
	stop();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_jsonlog");
	TCase *tc = tcase_create("json");

	tl_cleanup_fixture(tc);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc,
	               hostile_values_come_out_as_valid_json_with_their_values);
	tcase_add_test(tc, time_is_rfc3339_utc_with_milliseconds);
	tcase_add_test(tc, very_long_values_are_cut_and_stay_valid);
	tcase_add_test(tc, a_head_that_never_parsed_is_logged_too);
	tcase_add_test(tc, log_access_callback_still_gets_civetweb_format);
	tcase_add_test(tc, default_format_is_civetweb);
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
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
