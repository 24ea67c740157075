/* check_e2e_metrics.c - the Prometheus exposition of a running prefork
 * server (civetd with 2 workers): `civetctl metrics` and the master's
 * metrics_listen endpoint give well-formed text format 0.0.4 (every line a
 * HELP, a TYPE or a sample of a family declared before it; histograms
 * cumulative, ending in +Inf equal to their count), counters that follow
 * the requests served, per worker and in total; a bad metrics_listen is
 * refused by `civetd -t` with the reason. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

extern char **environ;

struct srv {
	pid_t pid;
	char *dir;
	char conf[512], sock[512];
	int port, mport;
};

/* Both workers say they are ready in civetctl's metrics: the master
 * binds the port before its workers have started. */
static int workers_ready(void *arg)
{
	const struct srv *s = arg;
	const char *argv[] = {getenv("CIVETCTL_BIN"), "-s", s->sock, "metrics",
	                      NULL};
	static char out[1 << 20];

	return tl_run(argv, out, sizeof out) == 0 &&
	       strstr(out, "civetd_workers{state=\"ready\"} 2\n") != NULL;
}

static void start(struct srv *s)
{
	const char *bin = getenv("CIVETD_BIN");
	char dash_c[] = "-c";
	posix_spawnattr_t at;
	FILE *f;

	ck_assert_ptr_nonnull(bin);
	s->dir = tl_mkdtemp();
	s->port = tl_free_port();
	s->mport = tl_free_port();
	snprintf(s->conf, sizeof s->conf, "%s/civetd.conf", s->dir);
	snprintf(s->sock, sizeof s->sock, "%s/admin.sock", s->dir);
	tl_write_file(s->dir, "hello.txt", "hello\n", 6);
	f = fopen(s->conf, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
	        "listening_ports 127.0.0.1:%d\ndocument_root %s\n"
	        "num_workers 2\nnum_threads 4\nadmin_socket %s\n"
	        "metrics_listen 127.0.0.1:%d\n",
	        s->port, s->dir, s->sock, s->mport);
	fclose(f);
	{
		char *const argv[] = {(char *)bin, dash_c, s->conf, NULL};

		posix_spawnattr_init(&at);
		posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
		posix_spawnattr_setpgroup(&at, 0);
		ck_assert_int_eq(
		    posix_spawn(&s->pid, bin, NULL, &at, argv, environ), 0);
		posix_spawnattr_destroy(&at);
	}
	tl_track_group(s->pid);
	tl_wait_until(tl_listening, &s->port, 10000, "civetd on %d", s->port);
	tl_wait_until(tl_listening, &s->mport, 10000, "metrics on %d",
	              s->mport);
	tl_wait_until(workers_ready, s, 10000, "2 workers ready");
}

static void stop(struct srv *s)
{
	int st;

	kill(s->pid, SIGTERM);
	ck_assert_int_eq(waitpid(s->pid, &st, 0), s->pid);
	tl_untrack_group(s->pid);
	tl_rmdir(s->dir);
	free(s->dir);
}

/* ---- a validator of the text format -------------------------------------- */

#define MAX_FAMILIES 64

struct family {
	char name[96];
	char type[16];
};

/* The family a sample name belongs to (histograms: _bucket, _sum,
 * _count), or NULL. */
static const struct family *family_of(const struct family *f, int n,
                                      const char *name, size_t len)
{
	static const char *const suffixes[] = {"_bucket", "_sum", "_count"};

	for (int i = 0; i < n; i++) {
		size_t fl = strlen(f[i].name);

		if (len == fl && strncmp(name, f[i].name, len) == 0)
			return &f[i];
		if (strcmp(f[i].type, "histogram") != 0 || len <= fl ||
		    strncmp(name, f[i].name, fl) != 0)
			continue;
		for (int k = 0; k < 3; k++)
			if (len - fl == strlen(suffixes[k]) &&
			    strncmp(name + fl, suffixes[k], len - fl) == 0)
				return &f[i];
	}
	return NULL;
}

/* Check every line of text; the number of samples. */
static int validate(char *text)
{
	struct family fam[MAX_FAMILIES];
	int nf = 0, samples = 0;
	double last_bucket = -1;
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[96], type[16];
		size_t len;
		const char *v;
		char *end;
		double x;

		if (strncmp(line, "# HELP ", 7) == 0)
			continue;
		if (sscanf(line, "# TYPE %95s %15s", name, type) == 2) {
			ck_assert_int_lt(nf, MAX_FAMILIES);
			ck_assert_msg(strcmp(type, "counter") == 0 ||
			                  strcmp(type, "gauge") == 0 ||
			                  strcmp(type, "histogram") == 0,
			              "type: %s", line);
			snprintf(fam[nf].name, sizeof fam[nf].name, "%s", name);
			snprintf(fam[nf].type, sizeof fam[nf].type, "%s", type);
			nf++;
			continue;
		}
		ck_assert_msg(line[0] != '#', "stray comment: %s", line);
		len = strcspn(line, "{ ");
		ck_assert_msg(family_of(fam, nf, line, len) != NULL,
		              "sample of no declared family: %s", line);
		if (line[len] == '{') {
			const char *close = strchr(line, '}');

			ck_assert_msg(close != NULL && close[1] == ' ',
			              "labels: %s", line);
			v = close + 2;
		} else {
			v = line + len + 1;
		}
		x = strtod(v, &end);
		ck_assert_msg(end != v && *end == '\0' && x >= 0, "value: %s",
		              line);
		/* buckets count up to +Inf, which equals _count */
		if (strstr(line, "_bucket{") != NULL) {
			ck_assert_msg(x >= last_bucket ||
			                  strstr(line, "le=\"1e-06\""),
			              "buckets not cumulative: %s", line);
			last_bucket = x;
		} else if (strstr(line, "_count") != NULL) {
			ck_assert_msg(x == last_bucket, "count %g != +Inf %g",
			              x, last_bucket);
			last_bucket = -1;
		}
		samples++;
	}
	return samples;
}

/* The value of the sample line starting with prefix, or -1. */
static double sample(const char *text, const char *prefix)
{
	for (const char *p = text; (p = strstr(p, prefix)) != NULL; p++)
		if (p == text || p[-1] == '\n')
			return strtod(strchr(p, ' ') + 1, NULL);
	return -1;
}

/* Prometheus' own checker, where Debian's prometheus package is
 * installed, must accept text. */
static void promtool_accepts(const char *dir, const char *text)
{
	char path[600], cmd[1400], said[4096];
	const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	FILE *f;

	if (access("/usr/bin/promtool", X_OK) != 0) {
		printf("check_e2e_metrics: promtool check skipped, no "
		       "/usr/bin/promtool (Debian's prometheus)\n");
		return;
	}
	snprintf(path, sizeof path, "%s/metrics.txt", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	snprintf(cmd, sizeof cmd, "/usr/bin/promtool check metrics < '%s'",
	         path);
	ck_assert_msg(tl_run(argv, said, sizeof said) == 0, "promtool: %s",
	              said);
}

/* ---- tests -----------------------------------------------------------------
 */

START_TEST(test_civetctl_metrics)
{
	const char *ctl = getenv("CIVETCTL_BIN");
	static char out[1 << 20], copy[1 << 20];
	struct srv s;
	struct tl_resp r;
	double total;

	ck_assert_ptr_nonnull(ctl);
	start(&s);
	for (int i = 0; i < 20; i++) {
		ck_assert_int_eq(tl_get(s.port, "/hello.txt", &r), 200);
		tl_resp_free(&r);
	}
	ck_assert_int_eq(tl_get(s.port, "/missing", &r), 404);
	tl_resp_free(&r);
	{
		const char *argv[] = {ctl, "-s", s.sock, "metrics", NULL};

		ck_assert_int_eq(tl_run(argv, out, sizeof out), 0);
	}
	ck_assert_ptr_nonnull(
	    strstr(out, "civetd_workers{state=\"ready\"} 2\n"));
	total = sample(out, "civetd_server_requests_total{code=\"2xx\"}");
	ck_assert_msg(total >= 20, "2xx total %g", total);
	ck_assert_double_ge(
	    sample(out, "civetd_server_requests_total{code=\"4xx\"}"), 1);
	ck_assert_double_ge(sample(out, "civetd_server_request_duration_"
	                                "seconds_count"),
	                    21);
	ck_assert_ptr_nonnull(
	    strstr(out, "civetd_requests_total{worker=\"0\""));
	ck_assert_ptr_nonnull(
	    strstr(out, "civetd_requests_total{worker=\"1\""));
	memcpy(copy, out, sizeof copy);
	ck_assert_int_gt(validate(copy), 50);
	promtool_accepts(s.dir, out);
	stop(&s);
}
END_TEST

START_TEST(test_metrics_endpoint)
{
	struct srv s;
	struct tl_resp r;

	start(&s);
	ck_assert_int_eq(tl_get(s.port, "/hello.txt", &r), 200);
	tl_resp_free(&r);
	ck_assert_int_eq(tl_get(s.mport, "/metrics", &r), 200);
	ck_assert_str_eq(tl_header(&r, "Content-Type"),
	                 "text/plain; version=0.0.4");
	ck_assert_int_gt(validate(r.body), 50);
	tl_resp_free(&r);
	/* only /metrics; the site's files are not there */
	ck_assert_int_eq(tl_get(s.mport, "/hello.txt", &r), 404);
	tl_resp_free(&r);
	ck_assert_int_eq(
	    tl_ask(s.mport, "POST", "/metrics", "Content-Length: 0\r\n", &r),
	    501); /* GET and HEAD only: libevent's evhttp answers 501 */
	tl_resp_free(&r);
	stop(&s);
}
END_TEST

START_TEST(test_bad_metrics_listen_is_refused)
{
	const char *bin = getenv("CIVETD_BIN");
	char *dir = tl_mkdtemp(), conf[600], out[2048];
	const char *argv[] = {bin, "-t", "-c", conf, NULL};
	FILE *f;

	ck_assert_ptr_nonnull(bin);
	snprintf(conf, sizeof conf, "%s/bad.conf", dir);
	f = fopen(conf, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "listening_ports 127.0.0.1:1\nmetrics_listen 9113s\n");
	fclose(f);
	ck_assert_int_eq(tl_run(argv, out, sizeof out), 1);
	ck_assert_msg(strstr(out, "metrics_listen") != NULL, "said: %s", out);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

#define ADD(s, test, secs)                                                     \
	do {                                                                   \
		TCase *tc = tcase_create(#test);                               \
		tl_cleanup_fixture(tc);                                        \
		tcase_set_timeout(tc, secs);                                   \
		tcase_add_test(tc, test);                                      \
		suite_add_tcase(s, tc);                                        \
	} while (0)

int main(void)
{
	Suite *s = suite_create("e2e_metrics");
	SRunner *sr;
	int failed;

	ADD(s, test_civetctl_metrics, 60);
	ADD(s, test_metrics_endpoint, 60);
	ADD(s, test_bad_metrics_listen_is_refused, 30);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
