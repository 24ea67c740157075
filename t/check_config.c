/* check_config.c - the prefork server's configuration: CivetWeb's file
 * format, command-line overrides, and errors that name the file and line
 * (or the command line) and the reason. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static char path[64];

static void write_conf(const char *text)
{
	FILE *f;

	strcpy(path, "/tmp/civetd-conf-XXXXXX");
	ck_assert_int_ge(mkstemp(path), 0);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static int load(const char **base, struct cw_config *c, char *err)
{
	return cw_config_load(base, c, err, 512);
}

START_TEST(file_then_overrides_win)
{
	struct cw_config c;
	char err[512];
	const char *base[] = {"config_file", path, "num_threads", "7", NULL};

	write_conf("# comment\n\nlistening_ports 127.0.0.1:0\n"
	           "num_threads   3\n  document_root /tmp  \n");
	ck_assert_int_eq(load(base, &c, err), 0);
	ck_assert_str_eq(cw_config_get(&c, CW_OPT_NUM_THREADS), "7");
	ck_assert_str_eq(cw_config_get(&c, CW_OPT_DOCUMENT_ROOT), "/tmp");
	ck_assert_str_eq(cw_config_get(&c, CW_OPT_ENABLE_KEEP_ALIVE), "no");
	ck_assert_str_eq(c.file, path);
	/* the list for the workers' contexts ends with the override */
	ck_assert_ptr_nonnull(c.kv);
	ck_assert_ptr_null(c.kv[2 * c.n]);
	cw_config_free(&c);
	unlink(path);
}
END_TEST

START_TEST(unknown_option_names_file_and_line)
{
	struct cw_config c;
	char err[512], want[128];
	const char *base[] = {"config_file", path, NULL};

	write_conf("listening_ports 8080\n# x\nnot_an_option 1\n");
	ck_assert_int_eq(load(base, &c, err), -1);
	snprintf(want, sizeof want, "%s:3: unknown option 'not_an_option'",
	         path);
	ck_assert_str_eq(err, want);
	unlink(path);
}
END_TEST

START_TEST(bad_value_names_file_line_and_option)
{
	struct cw_config c;
	char err[512], want[128];
	const char *base[] = {"config_file", path, NULL};

	write_conf("num_threads 0\n");
	ck_assert_int_eq(load(base, &c, err), -1);
	snprintf(want, sizeof want, "%s:1: num_threads", path);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
	unlink(path);
}
END_TEST

START_TEST(option_without_value_is_refused)
{
	struct cw_config c;
	char err[512], want[128];
	const char *base[] = {"config_file", path, NULL};

	write_conf("listening_ports 8080\ndocument_root\n");
	ck_assert_int_eq(load(base, &c, err), -1);
	snprintf(want, sizeof want, "%s:2: option 'document_root' has no value",
	         path);
	ck_assert_str_eq(err, want);
	unlink(path);
}
END_TEST

START_TEST(bad_listening_ports_names_its_line)
{
	struct cw_config c;
	char err[512], want[128];
	const char *base[] = {"config_file", path, NULL};

	write_conf("num_workers 2\nlistening_ports 80x80\n");
	ck_assert_int_eq(load(base, &c, err), -1);
	snprintf(want, sizeof want, "%s:2: listening_ports", path);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
	unlink(path);
}
END_TEST

START_TEST(command_line_errors_say_command_line)
{
	struct cw_config c;
	char err[512];
	const char *base[] = {"num_workers", "lots", NULL};
	const char *unknown[] = {"bogus", "1", NULL};

	ck_assert_int_eq(load(base, &c, err), -1);
	ck_assert_msg(strncmp(err, "command line: num_workers", 25) == 0, "%s",
	              err);
	ck_assert_int_eq(load(unknown, &c, err), -1);
	ck_assert_msg(strstr(err, "command line") && strstr(err, "bogus"), "%s",
	              err);
}
END_TEST

START_TEST(missing_file_is_an_error)
{
	struct cw_config c;
	char err[512];
	const char *base[] = {"config_file", "/nonexistent/civetd.conf", NULL};

	ck_assert_int_eq(load(base, &c, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/civetd.conf"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, file_then_overrides_win);
	tcase_add_test(tc, unknown_option_names_file_and_line);
	tcase_add_test(tc, bad_value_names_file_line_and_option);
	tcase_add_test(tc, option_without_value_is_refused);
	tcase_add_test(tc, bad_listening_ports_names_its_line);
	tcase_add_test(tc, command_line_errors_say_command_line);
	tcase_add_test(tc, missing_file_is_an_error);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
