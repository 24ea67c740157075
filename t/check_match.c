/* check_match.c - unit tests for src/match.c: CivetWeb's glob patterns
 * through mg_match(), cw_match() and cw_match_str(). Expected values come
 * from CivetWeb's documentation (UserManual, mg_match.md) and the pattern
 * cases of its own unit tests. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#define MG_EXPERIMENTAL_INTERFACES
#include "civetweb.h"
#include "util/match.h"

static ptrdiff_t m(const char *pat, const char *str)
{
	return mg_match(pat, str, NULL);
}

START_TEST(test_match_literal_is_a_prefix_match)
{
	ck_assert_int_eq(m("/api", "/api"), 4);
	ck_assert_int_eq(m("/a/", "/a/b/c"), 3);
	ck_assert_int_eq(m("/a/", "/ab/c"), -1);
	ck_assert_int_eq(m("/foo", "/foobar"), 4);
	ck_assert_int_eq(m("/foo", "/fo"), -1);
	ck_assert_int_eq(m("", "abc"), 0);
	ck_assert_int_eq(m("", ""), 0);
}
END_TEST

START_TEST(test_match_single_star_stops_at_slash)
{
	ck_assert_int_eq(m("/*/", "/ab/c"), 4);
	ck_assert_int_eq(m("/*", "/a/b/c"), 2);
	ck_assert_int_eq(m("*/*", "/a/b/c"), 2);
	ck_assert_int_eq(m("*", "/hello/"), 0);
	ck_assert_int_eq(m("/*.js$", "/x/y.js"), -1);
	ck_assert_int_eq(m("/*.js$", "/y.js"), 5);
	ck_assert_int_eq(m("/api/*/*.cgi$", "/api/resourcetype/name.cgi"), 26);
	ck_assert_int_eq(m("*.*", "a.b.c"), 5);
}
END_TEST

START_TEST(test_match_double_star_crosses_slashes)
{
	ck_assert_int_eq(m("**", "/a/b/c"), 6);
	ck_assert_int_eq(m("**/", "/a/b/c"), 5);
	ck_assert_int_eq(m("/a/**.cgi", "/a/bar/x.cgi"), 12);
	ck_assert_int_eq(m("/a/**.cgi", "/foo/bar/x.cgi"), -1);
	ck_assert_int_eq(m("**.cgi$", "anywhere/anyname.cgi"), 20);
	ck_assert_int_eq(m("**", ""), 0);
}
END_TEST

START_TEST(test_match_dollar_anchors_the_end)
{
	ck_assert_int_eq(m("$", ""), 0);
	ck_assert_int_eq(m("$", "x"), -1);
	ck_assert_int_eq(m("*$", "x"), 1);
	ck_assert_int_eq(m("/$", "/"), 1);
	ck_assert_int_eq(m("**/$", "/a/b/c"), -1);
	ck_assert_int_eq(m("**/$", "/a/b/"), 5);
	ck_assert_int_eq(m("**.cgi$", "x.cgi.bak"), -1);
	ck_assert_int_eq(m("**.cgi", "x.cgi.bak"), 5);
	/* '$' ends the pattern wherever it stands (CivetWeb) */
	ck_assert_int_eq(m("a$b", "a"), 1);
}
END_TEST

START_TEST(test_match_question_mark_is_one_char_but_slash)
{
	ck_assert_int_eq(m("/data/????.css$", "/data/abcd.css"), 14);
	ck_assert_int_eq(m("/data/????.css$", "/data/abc.css"), -1);
	ck_assert_int_eq(m("/data/????.css$", "/data/ab/d.css"), -1);
	ck_assert_int_eq(m("a?c", "abc"), 3);
	ck_assert_int_eq(m("?", "/"), -1);
	ck_assert_int_eq(m("?", ""), -1);
	ck_assert_int_eq(m("??", "a"), -1);
	ck_assert_int_eq(m("?", "?"), 1);
}
END_TEST

START_TEST(test_match_first_matching_alternative_wins)
{
	ck_assert_int_eq(m("a|b|cd", "cdef"), 2);
	ck_assert_int_eq(m("a|b|c?", "cdef"), 2);
	ck_assert_int_eq(m("a|?|cd", "cdef"), 1);
	ck_assert_int_eq(m("**.foo|**.bar", "a.bar"), 5);
	ck_assert_int_eq(m("**.a$|**.b$", "/a/b.b/"), -1);
	ck_assert_int_eq(m("**.a$|**.b$", "/a/b.b"), 6);
	ck_assert_int_eq(m("/*.jpg$|/*.jpeg$", "/x.jpeg"), 7);
	ck_assert_int_eq(m("secret.txt|**.hide", "secret.txt"), 10);
	ck_assert_int_eq(m("secret.txt|**.hide", "a/b.hide"), 8);
	/* an empty alternative matches 0 characters, and wins */
	ck_assert_int_eq(m("|abc", "abc"), 0);
	ck_assert_int_eq(m("x|", "abc"), 0);
	ck_assert_int_eq(m("x|y", "abc"), -1);
}
END_TEST

START_TEST(test_match_ignores_case_unless_asked)
{
	struct mg_match_context mcx;

	ck_assert_int_eq(m("**o$", "HELLO"), 5);
	ck_assert_int_eq(m("**.a$|**.b$", "/a/B.A"), 6);
	memset(&mcx, 0, sizeof(mcx));
	mcx.case_sensitive = 1;
	ck_assert_int_eq(mg_match("/API", "/api", &mcx), -1);
	ck_assert_int_eq(mg_match("**.A$", "x.a", &mcx), -1);
	ck_assert_int_eq(mg_match("/api", "/api", &mcx), 4);
	mcx.case_sensitive = 0;
	ck_assert_int_eq(mg_match("/API", "/api", &mcx), 4);
	ck_assert_int_eq(cw_match_str("/API", "/api"), 4);
}
END_TEST

START_TEST(test_match_captures_documented_examples)
{
	struct mg_match_context mcx;
	const char *s1 = "anywhere/anyname.cgi", *s2 = "ABC/DEFG";

	memset(&mcx, 0, sizeof(mcx));
	ck_assert_int_eq(mg_match("**.cgi$", s1, &mcx), 20);
	ck_assert_uint_eq(mcx.num_matches, 1);
	ck_assert_ptr_eq(mcx.match[0].str, s1);
	ck_assert_uint_eq(mcx.match[0].len, 16);

	mcx.case_sensitive = 0;
	ck_assert_int_eq(mg_match("a?*/?*g", s2, &mcx), 8);
	ck_assert_uint_eq(mcx.num_matches, 2);
	ck_assert_ptr_eq(mcx.match[0].str, s2 + 1);
	ck_assert_uint_eq(mcx.match[0].len, 2);
	ck_assert_ptr_eq(mcx.match[1].str, s2 + 4);
	ck_assert_uint_eq(mcx.match[1].len, 3);
	ck_assert_ptr_null(mcx.match[2].str);
}
END_TEST

START_TEST(test_match_captures_one_per_separated_wildcard)
{
	struct mg_match_context mcx;
	const char *s = "/api/users/42.json";

	memset(&mcx, 0, sizeof(mcx));
	ck_assert_int_eq(mg_match("/api/*/*.json$", s, &mcx), 18);
	ck_assert_uint_eq(mcx.num_matches, 2);
	ck_assert_ptr_eq(mcx.match[0].str, s + 5);
	ck_assert_uint_eq(mcx.match[0].len, 5);
	ck_assert_ptr_eq(mcx.match[1].str, s + 11);
	ck_assert_uint_eq(mcx.match[1].len, 2);
}
END_TEST

START_TEST(test_match_failed_attempts_leave_no_captures)
{
	struct mg_match_context mcx;
	const char *s = "xab";

	memset(&mcx, 0, sizeof(mcx));
	/* '*' first tries "xa", then "x": only the second attempt counts,
	 * and "?*" join into one capture, "xa" */
	ck_assert_int_eq(mg_match("*?b", s, &mcx), 3);
	ck_assert_uint_eq(mcx.num_matches, 1);
	ck_assert_ptr_eq(mcx.match[0].str, s);
	ck_assert_uint_eq(mcx.match[0].len, 2);
	/* the first alternative fails after capturing; the second wins */
	ck_assert_int_eq(mg_match("*?z|**", "abc", &mcx), 3);
	ck_assert_uint_eq(mcx.num_matches, 1);
	ck_assert_uint_eq(mcx.match[0].len, 3);
}
END_TEST

START_TEST(test_match_no_match_clears_context)
{
	struct mg_match_context mcx;
	size_t i;

	memset(&mcx, 0x5a, sizeof(mcx));
	mcx.case_sensitive = 0;
	ck_assert_int_eq(mg_match("/a/*.x$", "/a/b.y", &mcx), -1);
	ck_assert_uint_eq(mcx.num_matches, 0);
	for (i = 0; i < MG_MATCH_CONTEXT_MAX_MATCHES; i++) {
		ck_assert_ptr_null(mcx.match[i].str);
		ck_assert_uint_eq(mcx.match[i].len, 0);
	}
}
END_TEST

START_TEST(test_match_captures_stop_at_context_size)
{
	struct mg_match_context mcx;
	char pat[128] = "", str[128] = "";
	int i;

	for (i = 0; i < 40; i++) {
		strcat(pat, "?/");
		strcat(str, "x/");
	}
	memset(&mcx, 0, sizeof(mcx));
	ck_assert_int_eq(mg_match(pat, str, &mcx), 80);
	ck_assert_uint_eq(mcx.num_matches, MG_MATCH_CONTEXT_MAX_MATCHES);
	ck_assert_ptr_eq(mcx.match[31].str, str + 62);
}
END_TEST

START_TEST(test_match_null_arguments_do_not_match)
{
	struct mg_match_context mcx;

	memset(&mcx, 0x5a, sizeof(mcx));
	ck_assert_int_eq(mg_match(NULL, "x", &mcx), -1);
	ck_assert_uint_eq(mcx.num_matches, 0);
	ck_assert_int_eq(mg_match("x", NULL, NULL), -1);
	ck_assert_int_eq(cw_match_str(NULL, "x"), -1);
	ck_assert_int_eq(cw_match_str("x", NULL), -1);
	ck_assert_int_eq(cw_match(NULL, 0, "x", NULL), -1);
}
END_TEST

START_TEST(test_cw_match_uses_only_pat_len_bytes)
{
	/* pattern is not NUL-terminated at pat_len */
	ck_assert_int_eq(cw_match("abX", 2, "abc", NULL), 2);
	ck_assert_int_eq(cw_match("a|b", 1, "b", NULL), -1);
	ck_assert_int_eq(cw_match("**.html", 3, "x.htm", NULL), 2);
	/* a NUL inside the pattern never matches the string's end */
	ck_assert_int_eq(cw_match("a\0b", 3, "a", NULL), -1);
	ck_assert_int_eq(cw_match("", 0, "a", NULL), 0);
}
END_TEST

START_TEST(test_match_too_many_backtracking_stars_do_not_match)
{
	char pat[512] = "", str[256];

	memset(str, 'a', 200);
	str[200] = '\0';
	while (strlen(pat) < 2 * 100)
		strcat(pat, "*a");
	/* 100 stars each followed by 'a': refused, promptly, without
	 * recursing 100 deep */
	ck_assert_int_eq(m(pat, str), -1);
	/* the same pattern with fewer stars still matches */
	pat[2 * 10] = '\0';
	ck_assert_int_eq(m(pat, str), 200);
	/* the refusal only affects its own alternative */
	pat[0] = '\0';
	while (strlen(pat) < 2 * 100)
		strcat(pat, "*a");
	strcat(pat, "|aa");
	ck_assert_int_eq(m(pat, str), 2);
}
END_TEST

static Suite *match_suite(void)
{
	Suite *s = suite_create("match");
	TCase *syntax = tcase_create("syntax");
	TCase *captures = tcase_create("captures");
	TCase *edges = tcase_create("edges");

	tcase_add_test(syntax, test_match_literal_is_a_prefix_match);
	tcase_add_test(syntax, test_match_single_star_stops_at_slash);
	tcase_add_test(syntax, test_match_double_star_crosses_slashes);
	tcase_add_test(syntax, test_match_dollar_anchors_the_end);
	tcase_add_test(syntax, test_match_question_mark_is_one_char_but_slash);
	tcase_add_test(syntax, test_match_first_matching_alternative_wins);
	tcase_add_test(syntax, test_match_ignores_case_unless_asked);
	suite_add_tcase(s, syntax);

	tcase_add_test(captures, test_match_captures_documented_examples);
	tcase_add_test(captures,
	               test_match_captures_one_per_separated_wildcard);
	tcase_add_test(captures, test_match_failed_attempts_leave_no_captures);
	tcase_add_test(captures, test_match_no_match_clears_context);
	tcase_add_test(captures, test_match_captures_stop_at_context_size);
	suite_add_tcase(s, captures);

	tcase_add_test(edges, test_match_null_arguments_do_not_match);
	tcase_add_test(edges, test_cw_match_uses_only_pat_len_bytes);
	tcase_add_test(edges,
	               test_match_too_many_backtracking_stars_do_not_match);
	suite_add_tcase(s, edges);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(match_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
