/* check_json.c - the JSON writer of the access log (src/util/json.c):
 * what each kind of byte becomes, strict UTF-8 (overlong forms,
 * surrogates, code points above U+10FFFF and cut sequences are bytes to
 * escape, not characters), strings cut to their room at a whole escape or
 * character, and a raw piece that does not fit is left out whole. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

static char buf[256];
static struct cw_json j;

static const char *str(const char *s, size_t n, size_t max)
{
	cw_json_init(&j, buf, sizeof buf - 1);
	cw_json_str(&j, s, n, max);
	buf[j.len] = '\0';
	return buf;
}

#define STR(lit) str(lit, sizeof lit - 1, 1000)

START_TEST(ascii_quotes_backslashes_and_controls)
{
	ck_assert_str_eq(STR("plain text"), "\"plain text\"");
	ck_assert_str_eq(STR("a\"b\\c"), "\"a\\\"b\\\\c\"");
	ck_assert_str_eq(STR("\n\r\t\b\f"), "\"\\n\\r\\t\\b\\f\"");
	ck_assert_str_eq(STR("\x01\x1f\x7f"), "\"\\u0001\\u001f\\u007f\"");
	ck_assert_str_eq(str("a\0b", 3, 1000), "\"a\\u0000b\"");
	ck_assert_str_eq(str(NULL, 0, 1000), "null");
}
END_TEST

START_TEST(valid_utf8_is_kept)
{
	ck_assert_str_eq(STR("\xc3\xa9"), "\"\xc3\xa9\"");         /* é */
	ck_assert_str_eq(STR("\xe2\x82\xac"), "\"\xe2\x82\xac\""); /* € */
	ck_assert_str_eq(STR("\xf0\x9f\x98\x80"),
	                 "\"\xf0\x9f\x98\x80\""); /* 😀 */
	ck_assert_str_eq(STR("\xf4\x8f\xbf\xbf"),
	                 "\"\xf4\x8f\xbf\xbf\""); /* U+10FFFF */
}
END_TEST

START_TEST(invalid_utf8_bytes_are_escaped_one_by_one)
{
	ck_assert_str_eq(STR("\xff"), "\"\\u00ff\"");
	ck_assert_str_eq(STR("\xc0\x80"), "\"\\u00c0\\u0080\""); /* overlong */
	ck_assert_str_eq(STR("\xe0\x80\xaf"),
	                 "\"\\u00e0\\u0080\\u00af\""); /* overlong */
	ck_assert_str_eq(STR("\xed\xa0\x80"),
	                 "\"\\u00ed\\u00a0\\u0080\""); /* surrogate */
	ck_assert_str_eq(STR("\xf4\x90\x80\x80"),
	                 "\"\\u00f4\\u0090\\u0080\\u0080\""); /* > U+10FFFF */
	ck_assert_str_eq(STR("\xc3"), "\"\\u00c3\""); /* cut at the end */
	ck_assert_str_eq(STR("\xe2\x82x"), "\"\\u00e2\\u0082x\"");
	ck_assert_str_eq(STR("\x80\xc3\xa9"), "\"\\u0080\xc3\xa9\"");
}
END_TEST

START_TEST(long_strings_are_cut_at_a_whole_piece)
{
	/* room 5: two quotes and 3 bytes; "ab" then \" would not fit */
	ck_assert_str_eq(str("ab\"cd", 5, 5), "\"ab\"");
	ck_assert_str_eq(str("ab\"cd", 5, 6), "\"ab\\\"\"");
	ck_assert_str_eq(str("abcd", 4, 6), "\"abcd\"");
	/* a 3-byte character that does not fit is left out whole */
	ck_assert_str_eq(str("a\xe2\x82\xac", 4, 5), "\"a\"");
	ck_assert_str_eq(str("\xff", 1, 7), "\"\"");
	ck_assert_int_eq(j.overflow, 0);
}
END_TEST

START_TEST(objects_and_overflow)
{
	char small[8];

	cw_json_init(&j, buf, sizeof buf);
	cw_json_raw(&j, "{", 1);
	cw_json_key(&j, "a", 1);
	cw_json_int(&j, -42);
	cw_json_key(&j, "b", 0);
	cw_json_str(&j, "x", 1, 100);
	cw_json_raw(&j, "}", 1);
	buf[j.len] = '\0';
	ck_assert_str_eq(buf, "{\"a\":-42,\"b\":\"x\"}");
	ck_assert_int_eq(j.overflow, 0);
	cw_json_init(&j, small, sizeof small);
	cw_json_raw(&j, "1234567", 7);
	cw_json_raw(&j, "89", 2);
	ck_assert_int_eq(j.len, 7);
	ck_assert_int_eq(j.overflow, 1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("json");

	tcase_add_test(tc, ascii_quotes_backslashes_and_controls);
	tcase_add_test(tc, valid_utf8_is_kept);
	tcase_add_test(tc, invalid_utf8_bytes_are_escaped_one_by_one);
	tcase_add_test(tc, long_strings_are_cut_at_a_whole_piece);
	tcase_add_test(tc, objects_and_overflow);
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
