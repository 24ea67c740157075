/* check_codec.c - unit tests for src/codec.c: URL coding, base64, MD5 and
 * the case-insensitive comparisons. Expected values are CivetWeb's (probed
 * against the real library where it exports the function, from the 1.16
 * documentation otherwise). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "civetweb.h"
#include "util/codec.h"
#include "util/siphash.h"

/* A byte no function under test writes on its own: shows what was left
 * alone. */
#define UNTOUCHED 0x5a

START_TEST(test_url_decode_copies_plain_text)
{
	char buf[16];

	ck_assert_int_eq(mg_url_decode("abc", 3, buf, sizeof(buf), 0), 3);
	ck_assert_str_eq(buf, "abc");
}
END_TEST

START_TEST(test_url_decode_percent_escapes_any_hex_case)
{
	char buf[16];

	ck_assert_int_eq(mg_url_decode("%41%4a%4A%7e", 12, buf, 16, 0), 4);
	ck_assert_str_eq(buf, "AJJ~");
	ck_assert_int_eq(mg_url_decode("%E2%82%AC", 9, buf, 16, 1), 3);
	ck_assert_str_eq(buf, "\xe2\x82\xac");
}
END_TEST

START_TEST(test_url_decode_plus_is_space_only_in_form_mode)
{
	char buf[16];

	ck_assert_int_eq(mg_url_decode("a+b%20c", 7, buf, 16, 0), 5);
	ck_assert_str_eq(buf, "a+b c");
	ck_assert_int_eq(mg_url_decode("a+b%20c", 7, buf, 16, 1), 5);
	ck_assert_str_eq(buf, "a b c");
	ck_assert_int_eq(mg_url_decode("%2B", 3, buf, 16, 1), 1);
	ck_assert_str_eq(buf, "+");
}
END_TEST

START_TEST(test_url_decode_keeps_incomplete_escapes_literally)
{
	char buf[16];

	ck_assert_int_eq(mg_url_decode("a%2", 3, buf, 16, 0), 3);
	ck_assert_str_eq(buf, "a%2");
	ck_assert_int_eq(mg_url_decode("a%", 2, buf, 16, 0), 2);
	ck_assert_str_eq(buf, "a%");
	ck_assert_int_eq(mg_url_decode("a%zz", 4, buf, 16, 0), 4);
	ck_assert_str_eq(buf, "a%zz");
	ck_assert_int_eq(mg_url_decode("%%41", 4, buf, 16, 0), 2);
	ck_assert_str_eq(buf, "%A");
	/* the escape is cut by src_len, so it is not one */
	ck_assert_int_eq(mg_url_decode("a%41", 3, buf, 16, 0), 3);
	ck_assert_str_eq(buf, "a%4");
}
END_TEST

START_TEST(test_url_decode_reads_only_src_len_bytes)
{
	char buf[16];
	const char src[3] = {'a', 'b', 'c'}; /* not NUL-terminated */

	ck_assert_int_eq(mg_url_decode("abcdef", 3, buf, 16, 0), 3);
	ck_assert_str_eq(buf, "abc");
	ck_assert_int_eq(mg_url_decode(src, 3, buf, 16, 0), 3);
	ck_assert_str_eq(buf, "abc");
	ck_assert_int_eq(mg_url_decode("abc", 0, buf, 16, 0), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(mg_url_decode("abc", -1, buf, 16, 0), 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_url_decode_escaped_nul_counts_in_length)
{
	char buf[16];

	ck_assert_int_eq(mg_url_decode("%00x", 4, buf, 16, 0), 2);
	ck_assert_int_eq(buf[0], '\0');
	ck_assert_int_eq(buf[1], 'x');
	ck_assert_int_eq(buf[2], '\0');
}
END_TEST

START_TEST(test_url_decode_too_small_returns_minus_one_terminated)
{
	char buf[8];

	memset(buf, UNTOUCHED, sizeof(buf));
	ck_assert_int_eq(mg_url_decode("abc", 3, buf, 3, 0), -1);
	ck_assert_str_eq(buf, "ab");
	ck_assert_int_eq(buf[3], UNTOUCHED);
	ck_assert_int_eq(mg_url_decode("%41%42", 6, buf, 2, 0), -1);
	ck_assert_str_eq(buf, "A");
	ck_assert_int_eq(mg_url_decode("abc", 3, buf, 1, 0), -1);
	ck_assert_str_eq(buf, "");
	/* exactly enough room for the text and its NUL */
	ck_assert_int_eq(mg_url_decode("%41%42", 6, buf, 3, 0), 2);
	ck_assert_str_eq(buf, "AB");
}
END_TEST

/* The request code decodes query strings in their own buffer. */
START_TEST(test_url_decode_works_in_place)
{
	char q[] = "a%20b+c%2B%zz";
	int n = (int)strlen(q);

	ck_assert_int_eq(mg_url_decode(q, n, q, n + 1, 1), 9);
	ck_assert_str_eq(q, "a b c+%zz");
}
END_TEST

START_TEST(test_url_decode_bad_arguments_write_nothing)
{
	char buf[4];

	memset(buf, UNTOUCHED, sizeof(buf));
	ck_assert_int_eq(mg_url_decode("abc", 3, buf, 0, 0), -1);
	ck_assert_int_eq(mg_url_decode("abc", 3, buf, -5, 0), -1);
	ck_assert_int_eq(buf[0], UNTOUCHED);
	ck_assert_int_eq(mg_url_decode("abc", 3, NULL, 10, 0), -1);
	ck_assert_int_eq(mg_url_decode(NULL, 3, buf, 4, 0), -1);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_url_encode_leaves_civetweb_safe_set_alone)
{
	char buf[64];
	const char *safe = "azAZ09._-$,;~()";

	ck_assert_int_eq(mg_url_encode(safe, buf, sizeof(buf)),
	                 (int)strlen(safe));
	ck_assert_str_eq(buf, safe);
}
END_TEST

START_TEST(test_url_encode_escapes_with_lowercase_hex)
{
	char buf[128];

	ck_assert_int_eq(
	    mg_url_encode(" !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", buf, 128), 81);
	ck_assert_str_eq(buf, "%20%21%22%23$%25%26%27()%2a%2b,-.%2f%3a;%3c"
	                      "%3d%3e%3f%40%5b%5c%5d%5e_%60%7b%7c%7d~");
	ck_assert_int_eq(mg_url_encode("\x7f\x80\xff\x01", buf, 128), 12);
	ck_assert_str_eq(buf, "%7f%80%ff%01");
	ck_assert_int_eq(mg_url_encode("a%b/c&d.e", buf, 128), 15);
	ck_assert_str_eq(buf, "a%25b%2fc%26d.e");
}
END_TEST

START_TEST(test_url_encode_too_small_keeps_whole_escapes)
{
	char buf[8];

	ck_assert_int_eq(mg_url_encode("a b", buf, 3), -1);
	ck_assert_str_eq(buf, "a");
	ck_assert_int_eq(mg_url_encode("a b", buf, 4), -1);
	ck_assert_str_eq(buf, "a");
	ck_assert_int_eq(mg_url_encode("a b", buf, 5), -1);
	ck_assert_str_eq(buf, "a%20");
	ck_assert_int_eq(mg_url_encode("a b", buf, 6), 5);
	ck_assert_str_eq(buf, "a%20b");
	ck_assert_int_eq(mg_url_encode("%%%", buf, 4), -1);
	ck_assert_str_eq(buf, "%25");
	ck_assert_int_eq(mg_url_encode("abc", buf, 3), -1);
	ck_assert_str_eq(buf, "ab");
}
END_TEST

START_TEST(test_url_encode_empty_and_bad_arguments)
{
	char buf[4];

	ck_assert_int_eq(mg_url_encode("", buf, 1), 0);
	ck_assert_str_eq(buf, "");
	memset(buf, UNTOUCHED, sizeof(buf));
	ck_assert_int_eq(mg_url_encode("abc", buf, 0), -1);
	ck_assert_int_eq(buf[0], UNTOUCHED);
	ck_assert_int_eq(mg_url_encode("abc", NULL, 10), -1);
	ck_assert_int_eq(mg_url_encode(NULL, buf, sizeof(buf)), -1);
	ck_assert_str_eq(buf, "");
}
END_TEST

static void check_b64_encode(const char *in, const char *want)
{
	char buf[64];
	size_t len = sizeof(buf);

	memset(buf, UNTOUCHED, sizeof(buf));
	ck_assert_int_eq(
	    mg_base64_encode((const unsigned char *)in, strlen(in), buf, &len),
	    -1);
	ck_assert_str_eq(buf, want);
	ck_assert_uint_eq(len, strlen(want) + 1);
}

START_TEST(test_base64_encode_pads_to_groups_of_four)
{
	check_b64_encode("", "");
	check_b64_encode("f", "Zg==");
	check_b64_encode("fo", "Zm8=");
	check_b64_encode("foo", "Zm9v");
	check_b64_encode("foob", "Zm9vYg==");
	check_b64_encode("fooba", "Zm9vYmE=");
	check_b64_encode("foobar", "Zm9vYmFy");
	check_b64_encode("abcdefghijklmnopqrstuvwxyz",
	                 "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo=");
}
END_TEST

START_TEST(test_base64_encode_uses_plus_and_slash_for_binary)
{
	const unsigned char a[] = {0xff, 0xfe, 0x00}, b[] = {0xfb, 0xff};
	char buf[16];
	size_t len = sizeof(buf);

	ck_assert_int_eq(mg_base64_encode(a, sizeof(a), buf, &len), -1);
	ck_assert_str_eq(buf, "//4A");
	len = sizeof(buf);
	ck_assert_int_eq(mg_base64_encode(b, sizeof(b), buf, &len), -1);
	ck_assert_str_eq(buf, "+/8=");
}
END_TEST

START_TEST(test_base64_encode_too_small_reports_needed_size)
{
	char buf[8];
	size_t len = 4;

	memset(buf, UNTOUCHED, sizeof(buf));
	ck_assert_int_eq(
	    mg_base64_encode((const unsigned char *)"a", 1, buf, &len), 0);
	ck_assert_uint_eq(len, 5);
	ck_assert_int_eq(buf[0], '\0');
	ck_assert_int_eq(buf[1], UNTOUCHED);
	/* size query: no buffer at all */
	len = 0;
	ck_assert_int_eq(
	    mg_base64_encode((const unsigned char *)"abcd", 4, NULL, &len), 0);
	ck_assert_uint_eq(len, 9);
	/* exact fit */
	len = 5;
	ck_assert_int_eq(
	    mg_base64_encode((const unsigned char *)"a", 1, buf, &len), -1);
	ck_assert_str_eq(buf, "YQ==");
	ck_assert_uint_eq(len, 5);
}
END_TEST

START_TEST(test_base64_encode_null_dst_len_trusts_caller)
{
	char buf[16];

	ck_assert_int_eq(
	    mg_base64_encode((const unsigned char *)"ab", 2, buf, NULL), -1);
	ck_assert_str_eq(buf, "YWI=");
}
END_TEST

START_TEST(test_base64_decode_returns_bytes_and_length_with_nul)
{
	unsigned char buf[64];
	size_t len = sizeof(buf);
	const char *enc = "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo=";

	ck_assert_int_eq(mg_base64_decode(enc, strlen(enc), buf, &len), -1);
	ck_assert_uint_eq(len, 27);
	ck_assert_str_eq((char *)buf, "abcdefghijklmnopqrstuvwxyz");
	len = sizeof(buf);
	ck_assert_int_eq(mg_base64_decode("Zm9vYmE=", 8, buf, &len), -1);
	ck_assert_uint_eq(len, 6);
	ck_assert_str_eq((char *)buf, "fooba");
	len = sizeof(buf);
	ck_assert_int_eq(mg_base64_decode("Zg==", 4, buf, &len), -1);
	ck_assert_uint_eq(len, 2);
	ck_assert_str_eq((char *)buf, "f");
}
END_TEST

START_TEST(test_base64_decode_reports_invalid_char_position)
{
	unsigned char buf[16];
	size_t len;
	struct {
		const char *in;
		int pos;
	} bad[] = {
	    {"AAA*AAA", 3}, {"*AAA", 0}, {"=AAA", 0},   {"Y=AA", 1},
	    {"YQ", 2},      {"YQ=", 3},  {"YQ==\n", 4}, {"YWJj YQ==", 4},
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = sizeof(buf);
		ck_assert_int_eq(
		    mg_base64_decode(bad[i].in, strlen(bad[i].in), buf, &len),
		    bad[i].pos);
		ck_assert_uint_eq(len, 0);
	}
}
END_TEST

START_TEST(test_base64_decode_too_small_reports_needed_size)
{
	unsigned char buf[8];
	size_t len = 3;

	memset(buf, UNTOUCHED, sizeof(buf));
	ck_assert_int_eq(mg_base64_decode("YWJj", 4, buf, &len), 0);
	ck_assert_uint_eq(len, 4);
	ck_assert_int_eq(memcmp(buf, "abc", 3), 0);
	ck_assert_int_eq(buf[3], UNTOUCHED);
	len = 0;
	ck_assert_int_eq(mg_base64_decode("YWJj", 4, NULL, &len), 0);
	ck_assert_uint_eq(len, 4);
	len = 4;
	ck_assert_int_eq(mg_base64_decode("YWJj", 4, buf, &len), -1);
	ck_assert_str_eq((char *)buf, "abc");
}
END_TEST

START_TEST(test_base64_decode_padding_rules)
{
	unsigned char buf[16];
	size_t len = sizeof(buf);

	/* CivetWeb goes on decoding after a padded group */
	ck_assert_int_eq(mg_base64_decode("YQ==YWI=", 8, buf, &len), -1);
	ck_assert_uint_eq(len, 4);
	ck_assert_str_eq((char *)buf, "aab");
	/* a pad in third place ends the group: the fourth is not used */
	len = sizeof(buf);
	ck_assert_int_eq(mg_base64_decode("YQ=x", 4, buf, &len), -1);
	ck_assert_str_eq((char *)buf, "a");
	len = sizeof(buf);
	ck_assert_int_eq(mg_base64_decode("", 0, buf, &len), -1);
	ck_assert_uint_eq(len, 1);
	ck_assert_str_eq((char *)buf, "");
}
END_TEST

START_TEST(test_base64_round_trip_of_every_byte_value)
{
	unsigned char in[256], out[260];
	char enc[400];
	size_t len = sizeof(enc), i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)i;
	ck_assert_int_eq(mg_base64_encode(in, sizeof(in), enc, &len), -1);
	ck_assert_uint_eq(len, 345);
	len = sizeof(out);
	ck_assert_int_eq(mg_base64_decode(enc, strlen(enc), out, &len), -1);
	ck_assert_uint_eq(len, 257);
	ck_assert_int_eq(memcmp(in, out, sizeof(in)), 0);
}
END_TEST

START_TEST(test_md5_hashes_concatenated_strings)
{
	char buf[33];

	memset(buf, UNTOUCHED, sizeof(buf));
	ck_assert_ptr_eq(mg_md5(buf, NULL), buf);
	ck_assert_str_eq(buf, "d41d8cd98f00b204e9800998ecf8427e");
	mg_md5(buf, "The quick brown fox jumps over the lazy dog.", NULL);
	ck_assert_str_eq(buf, "e4d909c290d0fb1ca068ffaddf22cbd0");
	mg_md5(buf, "", "The qu", "ick bro", "", "wn fox ju", "m",
	       "ps over the la", "", "", "zy dog.", "", NULL);
	ck_assert_str_eq(buf, "e4d909c290d0fb1ca068ffaddf22cbd0");
	mg_md5(buf, "user", ":", "realm", ":", "pass", NULL);
	ck_assert_str_eq(buf, "8493fbc53ba582fb4c044c456bdc40eb");
}
END_TEST

START_TEST(test_md5_hex_hashes_exact_bytes)
{
	char out[33];

	cw_md5_hex("abc", 3, out);
	ck_assert_str_eq(out, "900150983cd24fb0d6963f7d28e17f72");
	cw_md5_hex("a\0b", 3, out);
	ck_assert_str_eq(out, "70350f6027bce3713f6b76473084309b");
	cw_md5_hex("", 0, out);
	ck_assert_str_eq(out, "d41d8cd98f00b204e9800998ecf8427e");
}
END_TEST

START_TEST(test_strcasecmp_returns_folded_difference)
{
	ck_assert_int_eq(mg_strcasecmp("Hello", "hELLO"), 0);
	ck_assert_int_eq(mg_strcasecmp("a", "c"), -2);
	ck_assert_int_eq(mg_strcasecmp("ABC", "abd"), -1);
	ck_assert_int_eq(mg_strcasecmp("abc", "ab"), 'c');
	ck_assert_int_eq(mg_strcasecmp("", "a"), -'a');
	ck_assert_int_eq(mg_strcasecmp("", ""), 0);
	/* only ASCII letters fold, as in CivetWeb's C locale */
	ck_assert_int_eq(mg_strcasecmp("\xe4", "\xc4"), 0xe4 - 0xc4);
	ck_assert_int_lt(mg_strcasecmp("A", "b"), 0);
	ck_assert_int_gt(mg_strcasecmp("b", "A"), 0);
}
END_TEST

START_TEST(test_strncasecmp_compares_at_most_len)
{
	ck_assert_int_eq(mg_strncasecmp("abc", "abd", 2), 0);
	ck_assert_int_eq(mg_strncasecmp("abc", "abd", 3), -1);
	ck_assert_int_eq(mg_strncasecmp("abc", "abcd", 3), 0);
	ck_assert_int_ne(mg_strncasecmp("abc", "abcd", 4), 0);
	ck_assert_int_eq(mg_strncasecmp("x", "y", 0), 0);
	ck_assert_int_eq(mg_strncasecmp("ab", "AB", 100), 0);
	ck_assert_int_lt(mg_strncasecmp("xAx", "xbx", 3), 0);
	ck_assert_int_gt(mg_strncasecmp("xBx", "xax", 3), 0);
}
END_TEST

START_TEST(test_strcasecmp_null_sorts_first)
{
	ck_assert_int_eq(mg_strcasecmp(NULL, NULL), 0);
	ck_assert_int_lt(mg_strcasecmp(NULL, "a"), 0);
	ck_assert_int_gt(mg_strcasecmp("a", NULL), 0);
	ck_assert_int_lt(mg_strncasecmp(NULL, "a", 1), 0);
}
END_TEST

START_TEST(test_memcaseeq_compares_n_bytes_ignoring_case)
{
	ck_assert_int_eq(cw_memcaseeq("Content-Type", "content-type", 12), 0);
	ck_assert_int_ne(cw_memcaseeq("abc", "abd", 3), 0);
	ck_assert_int_eq(cw_memcaseeq("abc", "abd", 2), 0);
	ck_assert_int_eq(cw_memcaseeq("x", "y", 0), 0);
	/* NUL is an ordinary byte here */
	ck_assert_int_eq(cw_memcaseeq("a\0B", "A\0b", 3), 0);
	ck_assert_int_ne(cw_memcaseeq("a\0b", "a\0c", 3), 0);
	ck_assert_int_ne(cw_memcaseeq("[", "{", 1), 0);
}
END_TEST

START_TEST(test_hex_value_accepts_only_hex_digits)
{
	int c, want;

	for (c = -1; c < 300; c++) {
		if (c >= '0' && c <= '9')
			want = c - '0';
		else if (c >= 'a' && c <= 'f')
			want = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			want = c - 'A' + 10;
		else
			want = -1;
		ck_assert_int_eq(cw_hex_value(c), want);
	}
}
END_TEST

/* The reference vectors of the SipHash paper (appendix A): key 00..0f,
 * messages 00..(n-1). */
START_TEST(test_siphash_matches_the_reference_vectors)
{
	unsigned char key[16], msg[64];

	for (int i = 0; i < 16; i++)
		key[i] = (unsigned char)i;
	for (int i = 0; i < 64; i++)
		msg[i] = (unsigned char)i;
	ck_assert_uint_eq(cw_siphash(key, msg, 0), 0x726fdb47dd0e0e31ull);
	ck_assert_uint_eq(cw_siphash(key, msg, 1), 0x74f839c593dc67fdull);
	ck_assert_uint_eq(cw_siphash(key, msg, 15), 0xa129ca6149be45e5ull);
	ck_assert_uint_eq(cw_siphash(key, msg, 63), 0x958a324ceb064572ull);
	key[0] ^= 1; /* another key, another hash */
	ck_assert_uint_ne(cw_siphash(key, msg, 15), 0xa129ca6149be45e5ull);
}
END_TEST

static Suite *codec_suite(void)
{
	Suite *s = suite_create("codec");
	TCase *url = tcase_create("url");
	TCase *b64 = tcase_create("base64");
	TCase *md5 = tcase_create("md5");
	TCase *cmp = tcase_create("compare");

	tcase_add_test(url, test_url_decode_copies_plain_text);
	tcase_add_test(url, test_url_decode_percent_escapes_any_hex_case);
	tcase_add_test(url, test_url_decode_plus_is_space_only_in_form_mode);
	tcase_add_test(url, test_url_decode_keeps_incomplete_escapes_literally);
	tcase_add_test(url, test_url_decode_reads_only_src_len_bytes);
	tcase_add_test(url, test_url_decode_escaped_nul_counts_in_length);
	tcase_add_test(url,
	               test_url_decode_too_small_returns_minus_one_terminated);
	tcase_add_test(url, test_url_decode_works_in_place);
	tcase_add_test(url, test_url_decode_bad_arguments_write_nothing);
	tcase_add_test(url, test_url_encode_leaves_civetweb_safe_set_alone);
	tcase_add_test(url, test_url_encode_escapes_with_lowercase_hex);
	tcase_add_test(url, test_url_encode_too_small_keeps_whole_escapes);
	tcase_add_test(url, test_url_encode_empty_and_bad_arguments);
	suite_add_tcase(s, url);

	tcase_add_test(b64, test_base64_encode_pads_to_groups_of_four);
	tcase_add_test(b64, test_base64_encode_uses_plus_and_slash_for_binary);
	tcase_add_test(b64, test_base64_encode_too_small_reports_needed_size);
	tcase_add_test(b64, test_base64_encode_null_dst_len_trusts_caller);
	tcase_add_test(b64,
	               test_base64_decode_returns_bytes_and_length_with_nul);
	tcase_add_test(b64, test_base64_decode_reports_invalid_char_position);
	tcase_add_test(b64, test_base64_decode_too_small_reports_needed_size);
	tcase_add_test(b64, test_base64_decode_padding_rules);
	tcase_add_test(b64, test_base64_round_trip_of_every_byte_value);
	suite_add_tcase(s, b64);

	tcase_add_test(md5, test_md5_hashes_concatenated_strings);
	tcase_add_test(md5, test_md5_hex_hashes_exact_bytes);
	tcase_add_test(md5, test_siphash_matches_the_reference_vectors);
	suite_add_tcase(s, md5);

	tcase_add_test(cmp, test_strcasecmp_returns_folded_difference);
	tcase_add_test(cmp, test_strncasecmp_compares_at_most_len);
	tcase_add_test(cmp, test_strcasecmp_null_sorts_first);
	tcase_add_test(cmp, test_memcaseeq_compares_n_bytes_ignoring_case);
	tcase_add_test(cmp, test_hex_value_accepts_only_hex_digits);
	suite_add_tcase(s, cmp);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(codec_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
