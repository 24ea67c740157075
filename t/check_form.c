/* check_form.c - unit tests for src/form.c: mg_get_var(), mg_get_var2(),
 * mg_get_cookie() and mg_split_form_urlencoded(). Expected values are
 * those of CivetWeb (probed against the real library), the cookie "buffer
 * too small" code (-3) included, though CivetWeb's header comment says
 * -2. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "civetweb.h"

#define UNTOUCHED 0x5a

static const char short_query[] = "key1=1&key2=2&key3=3";
static const char long_query[] = "key1=1&key2=2&key3&key4=4&key5=&key6&"
                                 "key7=this+is+it&key8=8&key9&&key10=&&"
                                 "key7=that+is+it&key12=12";

static int get_var2(const char *data, const char *name, char *dst,
                    size_t dst_len, size_t occurrence)
{
	return mg_get_var2(data, strlen(data), name, dst, dst_len, occurrence);
}

START_TEST(test_get_var_finds_first_middle_and_last_field)
{
	char buf[32];

	ck_assert_int_eq(get_var2(short_query, "key1", buf, 32, 0), 1);
	ck_assert_str_eq(buf, "1");
	ck_assert_int_eq(get_var2(short_query, "key2", buf, 32, 0), 1);
	ck_assert_str_eq(buf, "2");
	ck_assert_int_eq(get_var2(short_query, "key3", buf, 32, 0), 1);
	ck_assert_str_eq(buf, "3");
	ck_assert_int_eq(mg_get_var(short_query, strlen(short_query), "key2",
	                            buf, sizeof(buf)),
	                 1);
	ck_assert_str_eq(buf, "2");
}
END_TEST

START_TEST(test_get_var_decodes_plus_and_percent)
{
	char buf[32];

	ck_assert_int_eq(get_var2(long_query, "key7", buf, 32, 0), 10);
	ck_assert_str_eq(buf, "this is it");
	ck_assert_int_eq(get_var2("a=he%20lo+x%2B", "a", buf, 32, 0), 8);
	ck_assert_str_eq(buf, "he lo x+");
	ck_assert_int_eq(get_var2("a=%zz", "a", buf, 32, 0), 3);
	ck_assert_str_eq(buf, "%zz");
}
END_TEST

START_TEST(test_get_var2_selects_occurrence_by_index)
{
	char buf[32];

	ck_assert_int_eq(get_var2(long_query, "key7", buf, 32, 1), 10);
	ck_assert_str_eq(buf, "that is it");
	ck_assert_int_eq(get_var2("a=1&b=2&a=3", "a", buf, 32, 0), 1);
	ck_assert_str_eq(buf, "1");
	ck_assert_int_eq(get_var2("a=1&b=2&a=3", "a", buf, 32, 1), 1);
	ck_assert_str_eq(buf, "3");
	memset(buf, UNTOUCHED, sizeof(buf));
	ck_assert_int_eq(get_var2("a=1&b=2&a=3", "a", buf, 32, 2), -1);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(get_var2(short_query, "key1", buf, 32, 1), -1);
}
END_TEST

START_TEST(test_get_var_name_matches_whole_field_name_any_case)
{
	char buf[32];

	ck_assert_int_eq(get_var2("xa=1&a=2", "a", buf, 32, 0), 1);
	ck_assert_str_eq(buf, "2");
	ck_assert_int_eq(get_var2("ab=1&a=2", "a", buf, 32, 0), 1);
	ck_assert_str_eq(buf, "2");
	ck_assert_int_eq(get_var2("a=1", "ab", buf, 32, 0), -1);
	ck_assert_int_eq(get_var2("a=1&b=2", "A", buf, 32, 0), 1);
	ck_assert_str_eq(buf, "1");
	/* a field ends at '&' only; ';' is part of the value */
	ck_assert_int_eq(get_var2("a=1;b=2", "b", buf, 32, 0), -1);
	ck_assert_int_eq(get_var2("a=1;b=2", "a", buf, 32, 0), 5);
	ck_assert_str_eq(buf, "1;b=2");
	ck_assert_int_eq(get_var2("=x&a=1", "", buf, 32, 0), 1);
	ck_assert_str_eq(buf, "x");
}
END_TEST

START_TEST(test_get_var_field_without_equals_is_not_found)
{
	char buf[32];

	memset(buf, UNTOUCHED, sizeof(buf));
	ck_assert_int_eq(get_var2(long_query, "key6", buf, 32, 0), -1);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(get_var2(long_query, "key5", buf, 32, 0), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(get_var2(long_query, "notfound", buf, 32, 0), -1);
	ck_assert_int_eq(get_var2("a", "a", buf, 32, 0), -1);
}
END_TEST

START_TEST(test_get_var_reads_only_data_len_bytes)
{
	char buf[32];
	const char raw[3] = {'a', '=', '1'}; /* not NUL-terminated */
	const char *q = "key1=1&key2=2&key3=3&notfound=here";

	ck_assert_int_eq(mg_get_var2(q, strlen(short_query), "notfound", buf,
	                             sizeof(buf), 0),
	                 -1);
	ck_assert_int_eq(mg_get_var2(raw, sizeof(raw), "a", buf, 32, 0), 1);
	ck_assert_str_eq(buf, "1");
	ck_assert_int_eq(mg_get_var2("a=123", 4, "a", buf, 32, 0), 2);
	ck_assert_str_eq(buf, "12");
}
END_TEST

START_TEST(test_get_var_too_small_buffer_returns_minus_two)
{
	char buf[8];

	memset(buf, UNTOUCHED, sizeof(buf));
	ck_assert_int_eq(get_var2("a=hello", "a", buf, 5, 0), -2);
	ck_assert_str_eq(buf, "hell");
	ck_assert_int_eq(buf[5], UNTOUCHED);
	ck_assert_int_eq(get_var2("a=hello", "a", buf, 6, 0), 5);
	ck_assert_str_eq(buf, "hello");
	ck_assert_int_lt(get_var2("key=toooooooooolong", "key", buf, 4, 0), 0);
}
END_TEST

START_TEST(test_get_var_null_or_empty_arguments)
{
	char buf[8];

	ck_assert_int_eq(mg_get_var2("", 0, "notfound", NULL, 999, 0), -2);
	memset(buf, UNTOUCHED, sizeof(buf));
	ck_assert_int_eq(mg_get_var2("a=1", 3, "a", buf, 0, 0), -2);
	ck_assert_int_eq(buf[0], UNTOUCHED);
	ck_assert_int_eq(mg_get_var2(NULL, 3, "a", buf, 8, 0), -1);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(mg_get_var2("a=1", 3, NULL, buf, 8, 0), -1);
	ck_assert_int_eq(mg_get_var2("a=1", 0, "a", buf, 8, 0), -1);
	ck_assert_int_eq(mg_get_var(NULL, 0, "a", buf, 8), -1);
}
END_TEST

static const char long_cookie[] = "key1=1; key2=2; key3; key4=4; key5=; "
                                  "key6; key7=this+is+it; key8=8; key9";

START_TEST(test_get_cookie_finds_first_middle_and_last)
{
	char buf[32];

	ck_assert_int_eq(
	    mg_get_cookie("key1=1; key2=2; key3=3", "key1", buf, sizeof(buf)),
	    1);
	ck_assert_str_eq(buf, "1");
	ck_assert_int_eq(
	    mg_get_cookie("key1=1; key2=2; key3=3", "key2", buf, sizeof(buf)),
	    1);
	ck_assert_str_eq(buf, "2");
	ck_assert_int_eq(
	    mg_get_cookie("key1=1; key2=2; key3=3", "key3", buf, sizeof(buf)),
	    1);
	ck_assert_str_eq(buf, "3");
	/* no decoding of cookie values */
	ck_assert_int_eq(mg_get_cookie(long_cookie, "key7", buf, sizeof(buf)),
	                 10);
	ck_assert_str_eq(buf, "this+is+it");
}
END_TEST

START_TEST(test_get_cookie_name_that_prefixes_another_name)
{
	char buf[32];

	ck_assert_int_eq(mg_get_cookie("key1=1; key=2", "key", buf, 32), 1);
	ck_assert_str_eq(buf, "2");
	ck_assert_int_eq(mg_get_cookie("xkey=1; key=2", "key", buf, 32), 1);
	ck_assert_str_eq(buf, "2");
	ck_assert_int_eq(mg_get_cookie("key=1; key1=2", "key1", buf, 32), 1);
	ck_assert_str_eq(buf, "2");
	ck_assert_int_eq(mg_get_cookie("keyy=1; a=key=3", "key", buf, 32), -1);
	ck_assert_int_eq(mg_get_cookie("A=1; b=2", "a", buf, 32), 1);
	ck_assert_str_eq(buf, "1");
}
END_TEST

START_TEST(test_get_cookie_strips_quotes_and_trailing_semicolon)
{
	char buf[32];

	ck_assert_int_eq(mg_get_cookie("key=\"quoted\"; x=1", "key", buf, 32),
	                 6);
	ck_assert_str_eq(buf, "quoted");
	ck_assert_int_eq(mg_get_cookie("key=\"\"", "key", buf, 32), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(mg_get_cookie("key=\"", "key", buf, 32), 1);
	ck_assert_str_eq(buf, "\"");
	ck_assert_int_eq(mg_get_cookie("key=;", "key", buf, 32), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(mg_get_cookie("a=1;  key=v w", "key", buf, 32), 1);
	ck_assert_str_eq(buf, "v");
}
END_TEST

START_TEST(test_get_cookie_pairs_are_separated_by_semicolon_space)
{
	char buf[32];

	/* CivetWeb: a name must follow a space; a value ends at a space */
	ck_assert_int_eq(mg_get_cookie("a=1;b=2", "b", buf, 32), -1);
	ck_assert_int_eq(mg_get_cookie("a=1;b=2", "a", buf, 32), 5);
	ck_assert_str_eq(buf, "1;b=2");
	ck_assert_int_eq(mg_get_cookie(" key=1", "key", buf, 32), 1);
	ck_assert_str_eq(buf, "1");
}
END_TEST

START_TEST(test_get_cookie_name_without_value_is_not_found)
{
	char buf[32];

	memset(buf, UNTOUCHED, sizeof(buf));
	ck_assert_int_eq(mg_get_cookie(long_cookie, "key6", buf, 32), -1);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(mg_get_cookie(long_cookie, "key9", buf, 32), -1);
	ck_assert_int_eq(mg_get_cookie(long_cookie, "key5", buf, 32), 0);
	ck_assert_int_eq(mg_get_cookie(long_cookie, "notfound", buf, 32), -1);
	ck_assert_int_eq(mg_get_cookie("", "notfound", buf, 32), -1);
	ck_assert_int_eq(mg_get_cookie("key", "key", buf, 32), -1);
}
END_TEST

START_TEST(test_get_cookie_too_small_buffer_returns_minus_three)
{
	char buf[8];

	memset(buf, UNTOUCHED, sizeof(buf));
	ck_assert_int_eq(mg_get_cookie("key=hello", "key", buf, 5), -3);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(buf[1], UNTOUCHED);
	ck_assert_int_eq(mg_get_cookie("key=hello", "key", buf, 6), 5);
	ck_assert_str_eq(buf, "hello");
	ck_assert_int_eq(mg_get_cookie("key=toooooooooolong", "key", buf, 4),
	                 -3);
}
END_TEST

START_TEST(test_get_cookie_null_or_empty_arguments)
{
	char buf[8];

	ck_assert_int_eq(mg_get_cookie("", "notfound", NULL, 999), -2);
	memset(buf, UNTOUCHED, sizeof(buf));
	ck_assert_int_eq(mg_get_cookie("a=1", "a", buf, 0), -2);
	ck_assert_int_eq(buf[0], UNTOUCHED);
	ck_assert_int_eq(mg_get_cookie(NULL, "a", buf, 8), -1);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(mg_get_cookie("a=1", NULL, buf, 8), -1);
	/* an empty name only matches a pair that starts with '=' (CivetWeb
	 * loops forever on the first case) */
	ck_assert_int_eq(mg_get_cookie("a=1; b=2", "", buf, 8), -1);
	ck_assert_int_eq(mg_get_cookie("a=1; =x", "", buf, 8), 1);
	ck_assert_str_eq(buf, "x");
}
END_TEST

START_TEST(test_split_form_documented_example)
{
	char data[] = "keyName1=value1&keyName2=value2&keyName3=value3";
	const char split[] = "keyName1\0value1\0keyName2\0value2\0"
	                     "keyName3\0value3";
	struct mg_header f[4];

	ck_assert_int_eq(mg_split_form_urlencoded(data, f, 4), 3);
	ck_assert_str_eq(f[0].name, "keyName1");
	ck_assert_str_eq(f[0].value, "value1");
	ck_assert_str_eq(f[1].name, "keyName2");
	ck_assert_str_eq(f[1].value, "value2");
	ck_assert_str_eq(f[2].name, "keyName3");
	ck_assert_str_eq(f[2].value, "value3");
	ck_assert_int_eq(memcmp(data, split, sizeof(split)), 0);
	ck_assert_ptr_eq(f[0].name, data);
}
END_TEST

START_TEST(test_split_form_decodes_names_and_values)
{
	char data[] = "key=v+l1&key2=v%20l2&a+b%3D=c%26d";
	struct mg_header f[4];

	ck_assert_int_eq(mg_split_form_urlencoded(data, f, 4), 3);
	ck_assert_str_eq(f[0].value, "v l1");
	ck_assert_str_eq(f[1].value, "v l2");
	ck_assert_str_eq(f[2].name, "a b=");
	ck_assert_str_eq(f[2].value, "c&d");
}
END_TEST

START_TEST(test_split_form_field_without_equals_has_null_value)
{
	char data[] = "k1=v1&k2=v2&k3=&k4&k5=v5";
	struct mg_header f[8];

	ck_assert_int_eq(mg_split_form_urlencoded(data, f, 8), 5);
	ck_assert_str_eq(f[2].name, "k3");
	ck_assert_str_eq(f[2].value, "");
	ck_assert_str_eq(f[3].name, "k4");
	ck_assert_ptr_null(f[3].value);
	ck_assert_str_eq(f[4].name, "k5");
	ck_assert_str_eq(f[4].value, "v5");
}
END_TEST

START_TEST(test_split_form_empty_fields_and_trailing_ampersand)
{
	char d1[] = "a=1&&b=2", d2[] = "a=1&", d3[] = "=", d4[] = "a=b=c";
	struct mg_header f[4];

	ck_assert_int_eq(mg_split_form_urlencoded(d1, f, 4), 3);
	ck_assert_str_eq(f[1].name, "");
	ck_assert_ptr_null(f[1].value);
	ck_assert_str_eq(f[2].name, "b");
	ck_assert_int_eq(mg_split_form_urlencoded(d2, f, 4), 1);
	ck_assert_int_eq(mg_split_form_urlencoded(d3, f, 4), 1);
	ck_assert_str_eq(f[0].name, "");
	ck_assert_str_eq(f[0].value, "");
	ck_assert_int_eq(mg_split_form_urlencoded(d4, f, 4), 1);
	ck_assert_str_eq(f[0].value, "b=c");
}
END_TEST

START_TEST(test_split_form_skips_leading_blanks)
{
	char data[] = "  a=1&\tb=2& ";
	struct mg_header f[4];

	ck_assert_int_eq(mg_split_form_urlencoded(data, f, 4), 2);
	ck_assert_str_eq(f[0].name, "a");
	ck_assert_str_eq(f[1].name, "b");
	ck_assert_str_eq(f[1].value, "2");
}
END_TEST

START_TEST(test_split_form_stops_when_array_is_full)
{
	char data[] = "a=1&b=2&c=3";
	struct mg_header f[3];

	memset(f, 0, sizeof(f));
	ck_assert_int_eq(mg_split_form_urlencoded(data, f, 2), 2);
	ck_assert_str_eq(f[0].name, "a");
	ck_assert_str_eq(f[1].name, "b");
	ck_assert_str_eq(f[1].value, "2");
	ck_assert_ptr_null(f[2].name);
	ck_assert_str_eq(data + 8, "c=3");
}
END_TEST

START_TEST(test_split_form_counts_fields_without_array)
{
	char data[] = "a=1&b=2&c=3", empty[] = "", trailing[] = "a&";

	ck_assert_int_eq(mg_split_form_urlencoded(data, NULL, 0), 3);
	ck_assert_str_eq(data, "a=1&b=2&c=3");
	ck_assert_int_eq(mg_split_form_urlencoded(empty, NULL, 0), 0);
	ck_assert_int_eq(mg_split_form_urlencoded(trailing, NULL, 0), 2);
}
END_TEST

START_TEST(test_split_form_parameter_errors)
{
	char data[] = "a=1", empty[] = "";
	struct mg_header f[2];

	ck_assert_int_eq(mg_split_form_urlencoded(NULL, f, 2), -1);
	ck_assert_int_eq(mg_split_form_urlencoded(NULL, NULL, 0), -1);
	ck_assert_int_eq(mg_split_form_urlencoded(data, NULL, 3), -1);
	ck_assert_int_eq(mg_split_form_urlencoded(data, f, 0), -1);
	ck_assert_str_eq(data, "a=1");
	ck_assert_int_eq(mg_split_form_urlencoded(empty, f, 2), 0);
}
END_TEST

static Suite *form_suite(void)
{
	Suite *s = suite_create("form");
	TCase *var = tcase_create("get_var");
	TCase *cookie = tcase_create("get_cookie");
	TCase *split = tcase_create("split_form_urlencoded");

	tcase_add_test(var, test_get_var_finds_first_middle_and_last_field);
	tcase_add_test(var, test_get_var_decodes_plus_and_percent);
	tcase_add_test(var, test_get_var2_selects_occurrence_by_index);
	tcase_add_test(var,
	               test_get_var_name_matches_whole_field_name_any_case);
	tcase_add_test(var, test_get_var_field_without_equals_is_not_found);
	tcase_add_test(var, test_get_var_reads_only_data_len_bytes);
	tcase_add_test(var, test_get_var_too_small_buffer_returns_minus_two);
	tcase_add_test(var, test_get_var_null_or_empty_arguments);
	suite_add_tcase(s, var);

	tcase_add_test(cookie, test_get_cookie_finds_first_middle_and_last);
	tcase_add_test(cookie, test_get_cookie_name_that_prefixes_another_name);
	tcase_add_test(cookie,
	               test_get_cookie_strips_quotes_and_trailing_semicolon);
	tcase_add_test(cookie,
	               test_get_cookie_pairs_are_separated_by_semicolon_space);
	tcase_add_test(cookie, test_get_cookie_name_without_value_is_not_found);
	tcase_add_test(cookie,
	               test_get_cookie_too_small_buffer_returns_minus_three);
	tcase_add_test(cookie, test_get_cookie_null_or_empty_arguments);
	suite_add_tcase(s, cookie);

	tcase_add_test(split, test_split_form_documented_example);
	tcase_add_test(split, test_split_form_decodes_names_and_values);
	tcase_add_test(split,
	               test_split_form_field_without_equals_has_null_value);
	tcase_add_test(split,
	               test_split_form_empty_fields_and_trailing_ampersand);
	tcase_add_test(split, test_split_form_skips_leading_blanks);
	tcase_add_test(split, test_split_form_stops_when_array_is_full);
	tcase_add_test(split, test_split_form_counts_fields_without_array);
	tcase_add_test(split, test_split_form_parameter_errors);
	suite_add_tcase(s, split);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(form_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
