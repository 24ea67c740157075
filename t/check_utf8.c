/* check_utf8.c - unit tests for src/util/utf8.c: valid UTF-8 passes and
 * invalid fails however it is split into pieces (every one and two split
 * points), including code points cut between pieces, and the word-at-a-
 * time ASCII path finds a bad byte at any position. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

struct sample {
	const char *bytes;
	size_t len;
};

#define S(x)                                                                   \
	{                                                                      \
		x, sizeof(x) - 1                                               \
	}

static const struct sample valid[] = {
    S(""),
    S("Hello, world"),
    S("\xc2\x80"),         /* U+0080, the smallest 2-byte */
    S("\xdf\xbf"),         /* U+07FF */
    S("\xe0\xa0\x80"),     /* U+0800, the smallest 3-byte */
    S("\xed\x9f\xbf"),     /* U+D7FF, just below the surrogates */
    S("\xee\x80\x80"),     /* U+E000, just above them */
    S("\xef\xbf\xbf"),     /* U+FFFF */
    S("\xf0\x90\x80\x80"), /* U+10000, the smallest 4-byte */
    S("\xf4\x8f\xbf\xbf"), /* U+10FFFF, the largest */
    S("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"), /* kosme */
    S("ascii then \xe2\x82\xac and \xf0\x9f\x98\x80 more ascii text"),
};

static const struct sample invalid[] = {
    S("\x80"), /* a lone continuation */
    S("\xbf"),
    S("\xc0\x80"),     /* overlong NUL */
    S("\xc1\xbf"),     /* overlong */
    S("\xe0\x80\x80"), /* overlong 3-byte */
    S("\xe0\x9f\xbf"),
    S("\xf0\x80\x80\x80"), /* overlong 4-byte */
    S("\xf0\x8f\xbf\xbf"),
    S("\xed\xa0\x80"),     /* U+D800, a surrogate */
    S("\xed\xbf\xbf"),     /* U+DFFF */
    S("\xf4\x90\x80\x80"), /* U+110000 */
    S("\xf5\x80\x80\x80"),
    S("\xff"),
    S("\xfe"),
    S("\xe2\x82"), /* truncated at the end */
    S("\xf0\x9f\x98"),
    S("\xc3"),
    S("\xe2\x41\x42"), /* a lead byte followed by ASCII */
    S("abc\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80xyz"),
};

/* Validate s in up to three pieces split at i and j (i <= j). */
static int check3(const struct sample *s, size_t i, size_t j)
{
	struct cw_utf8 u;
	int rc = 0;

	cw_utf8_init(&u);
	rc |= cw_utf8_feed(&u, s->bytes, i);
	rc |= cw_utf8_feed(&u, s->bytes + i, j - i);
	rc |= cw_utf8_feed(&u, s->bytes + j, s->len - j);
	return rc != 0 ? -1 : cw_utf8_end(&u);
}

START_TEST(test_valid_passes_split_anywhere)
{
	const struct sample *s = &valid[_i];
	size_t i, j;

	ck_assert_int_eq(cw_utf8_valid(s->bytes, s->len), 0);
	for (i = 0; i <= s->len; i++)
		for (j = i; j <= s->len; j++)
			ck_assert_msg(check3(s, i, j) == 0,
			              "sample %d split %zu,%zu", _i, i, j);
}
END_TEST

START_TEST(test_invalid_fails_split_anywhere)
{
	const struct sample *s = &invalid[_i];
	size_t i, j;

	ck_assert_int_eq(cw_utf8_valid(s->bytes, s->len), -1);
	for (i = 0; i <= s->len; i++)
		for (j = i; j <= s->len; j++)
			ck_assert_msg(check3(s, i, j) == -1,
			              "sample %d split %zu,%zu", _i, i, j);
}
END_TEST

START_TEST(test_byte_at_a_time)
{
	const char *t = "\xe2\x82\xac\xf0\x9f\x98\x80\xc3\xa9z";
	struct cw_utf8 u;
	size_t i;

	cw_utf8_init(&u);
	for (i = 0; t[i] != '\0'; i++)
		ck_assert_int_eq(cw_utf8_feed(&u, t + i, 1), 0);
	ck_assert_int_eq(cw_utf8_end(&u), 0);
}
END_TEST

START_TEST(test_truncated_sequence_fails_only_at_the_end)
{
	struct cw_utf8 u;

	cw_utf8_init(&u);
	ck_assert_int_eq(cw_utf8_feed(&u, "ok\xf0\x9f", 4), 0);
	ck_assert_int_eq(cw_utf8_end(&u), -1);
	ck_assert_int_eq(cw_utf8_feed(&u, "\x98\x80", 2), 0);
	ck_assert_int_eq(cw_utf8_end(&u), 0);
}
END_TEST

START_TEST(test_failure_is_sticky_until_init)
{
	struct cw_utf8 u;

	cw_utf8_init(&u);
	ck_assert_int_eq(cw_utf8_feed(&u, "\xc0\x80", 2), -1);
	ck_assert_int_eq(cw_utf8_feed(&u, "fine", 4), -1);
	ck_assert_int_eq(cw_utf8_end(&u), -1);
	cw_utf8_init(&u);
	ck_assert_int_eq(cw_utf8_feed(&u, "fine", 4), 0);
	ck_assert_int_eq(cw_utf8_end(&u), 0);
}
END_TEST

/* A bad byte, or a valid 2-byte sequence, at every position of a long
 * ASCII run: the word-at-a-time path must not skip over either. */
START_TEST(test_ascii_fast_path_every_position)
{
	char buf[80];
	size_t pos;

	for (pos = 0; pos + 2 <= sizeof(buf); pos++) {
		memset(buf, 'a', sizeof(buf));
		buf[pos] = (char)0x80;
		ck_assert_msg(cw_utf8_valid(buf, sizeof(buf)) == -1,
		              "bad byte at %zu", pos);
		buf[pos] = (char)0xc3;
		buf[pos + 1] = (char)0xa9;
		ck_assert_msg(cw_utf8_valid(buf, sizeof(buf)) == 0,
		              "good pair at %zu", pos);
		buf[pos + 1] = 'a';
		ck_assert_msg(cw_utf8_valid(buf, sizeof(buf)) == -1,
		              "cut pair at %zu", pos);
	}
	memset(buf, 'a', sizeof(buf));
	buf[sizeof(buf) - 1] = (char)0xe2;
	ck_assert_int_eq(cw_utf8_valid(buf, sizeof(buf)), -1);
}
END_TEST

/* Every code point encodes to bytes the validator accepts, and every
 * surrogate's encoding is refused. */
START_TEST(test_every_code_point)
{
	const unsigned long NONE = 0xffffffffUL;
	unsigned long cp, wrong = NONE;
	unsigned char b[4];
	size_t n;
	int want;

	for (cp = 0; cp <= 0x10ffff; cp++) {
		if (cp < 0x80) {
			b[0] = (unsigned char)cp;
			n = 1;
		} else if (cp < 0x800) {
			b[0] = (unsigned char)(0xc0 | (cp >> 6));
			b[1] = (unsigned char)(0x80 | (cp & 0x3f));
			n = 2;
		} else if (cp < 0x10000) {
			b[0] = (unsigned char)(0xe0 | (cp >> 12));
			b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
			b[2] = (unsigned char)(0x80 | (cp & 0x3f));
			n = 3;
		} else {
			b[0] = (unsigned char)(0xf0 | (cp >> 18));
			b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
			b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
			b[3] = (unsigned char)(0x80 | (cp & 0x3f));
			n = 4;
		}
		/* One assertion at the end: Check's are too slow per code
		 * point under the sanitizers. */
		want = (cp >= 0xd800 && cp <= 0xdfff) ? -1 : 0;
		if (cw_utf8_valid(b, n) != want && wrong == NONE)
			wrong = cp;
	}
	ck_assert_msg(wrong == NONE, "U+%lX", wrong);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("utf8");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_valid_passes_split_anywhere, 0,
	                    sizeof(valid) / sizeof(*valid));
	tcase_add_loop_test(tc, test_invalid_fails_split_anywhere, 0,
	                    sizeof(invalid) / sizeof(*invalid));
	tcase_add_test(tc, test_byte_at_a_time);
	tcase_add_test(tc, test_truncated_sequence_fails_only_at_the_end);
	tcase_add_test(tc, test_failure_is_sticky_until_init);
	tcase_add_test(tc, test_ascii_fast_path_every_position);
	tcase_add_test(tc, test_every_code_point);
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
