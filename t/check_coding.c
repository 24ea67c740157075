/* check_coding.c - unit tests for src/util/coding.c: the content coding
 * chosen for an Accept-Encoding value, as RFC 9110 12.5.3 has a server
 * choose it, and the names that go into Content-Encoding. */
#include <check.h>
#include <stdlib.h>

#include "util/coding.h"

#define Z   (1u << CW_CODING_ZSTD)
#define B   (1u << CW_CODING_BR)
#define G   (1u << CW_CODING_GZIP)
#define ALL (Z | B | G)

enum {
	ID = CW_CODING_IDENTITY,
	ZS = CW_CODING_ZSTD,
	BR = CW_CODING_BR,
	GZ = CW_CODING_GZIP
};

static int choose(const char *ae, unsigned offered)
{
	return cw_coding_choose(ae, offered);
}

START_TEST(test_coding_names_are_the_http_tokens)
{
	ck_assert_str_eq(cw_coding_name(CW_CODING_ZSTD), "zstd");
	ck_assert_str_eq(cw_coding_name(CW_CODING_BR), "br");
	ck_assert_str_eq(cw_coding_name(CW_CODING_GZIP), "gzip");
	ck_assert_str_eq(cw_coding_name(CW_CODING_IDENTITY), "identity");
	ck_assert_ptr_null(cw_coding_name(CW_CODING_COUNT));
}
END_TEST

START_TEST(test_coding_absent_header_means_identity)
{
	ck_assert_int_eq(choose(NULL, ALL), ID);
	ck_assert_int_eq(choose(NULL, 0), ID);
}
END_TEST

START_TEST(test_coding_empty_header_means_identity)
{
	/* RFC 9110: an empty value means no coding is wanted. */
	ck_assert_int_eq(choose("", ALL), ID);
	ck_assert_int_eq(choose("  ", ALL), ID);
	ck_assert_int_eq(choose(" , ,", ALL), ID);
}
END_TEST

START_TEST(test_coding_higher_q_wins)
{
	ck_assert_int_eq(choose("gzip;q=0.5, zstd;q=0.4", Z | G), GZ);
	ck_assert_int_eq(choose("gzip;q=0.4, zstd;q=0.5", Z | G), ZS);
	ck_assert_int_eq(choose("gzip;q=1, zstd;q=0.999", Z | G), GZ);
	ck_assert_int_eq(choose("br;q=0.9, gzip;q=0.8, zstd;q=0.1", ALL), BR);
	ck_assert_int_eq(choose("gzip;q=0.001", G), GZ);
	ck_assert_int_eq(choose("zstd;q=1.000", Z), ZS);
}
END_TEST

START_TEST(test_coding_ties_go_to_zstd_then_br_then_gzip)
{
	ck_assert_int_eq(choose("gzip, deflate, br, zstd", ALL), ZS);
	ck_assert_int_eq(choose("gzip, br", ALL), BR);
	ck_assert_int_eq(choose("gzip;q=0.5, br;q=0.5", ALL), BR);
	ck_assert_int_eq(choose("gzip;q=0.5, zstd;q=0.5", ALL), ZS);
	ck_assert_int_eq(choose("gzip, zstd", G), GZ);
	/* identity named at the same weight as a coding loses the tie */
	ck_assert_int_eq(choose("identity, gzip", G), GZ);
}
END_TEST

START_TEST(test_coding_offered_mask_is_respected)
{
	ck_assert_int_eq(choose("zstd, br, gzip", G), GZ);
	ck_assert_int_eq(choose("zstd, br, gzip", Z), ZS);
	ck_assert_int_eq(choose("zstd, br, gzip", 0), ID);
	ck_assert_int_eq(choose("br", Z | G), ID);
	/* bits beyond the known codings mean nothing */
	ck_assert_int_eq(choose("zstd", ~Z), ID);
	ck_assert_int_eq(choose("gzip", 1u << CW_CODING_IDENTITY), ID);
}
END_TEST

START_TEST(test_coding_q_zero_excludes)
{
	ck_assert_int_eq(choose("gzip;q=0", G), ID);
	ck_assert_int_eq(choose("gzip;q=0.000, zstd", Z | G), ZS);
	ck_assert_int_eq(choose("zstd;q=0, gzip;q=0.1", Z | G), GZ);
	ck_assert_int_eq(choose("zstd;q=0.", Z), ID);
}
END_TEST

START_TEST(test_coding_star_covers_the_unnamed)
{
	ck_assert_int_eq(choose("*", G), GZ);
	ck_assert_int_eq(choose("*", ALL), ZS);
	ck_assert_int_eq(choose("*", 0), ID);
	ck_assert_int_eq(choose("zstd;q=0, *", Z | G), GZ);
	ck_assert_int_eq(choose("gzip;q=0.2, *;q=0.5", Z | G), ZS);
	/* "*" weighs identity too: it beats a coding named lower */
	ck_assert_int_eq(choose("gzip;q=0.3, *;q=0.5", G), ID);
	/* a named coding keeps its own weight over the star's */
	ck_assert_int_eq(choose("*;q=0.1, gzip", Z | G), GZ);
}
END_TEST

START_TEST(test_coding_identity_excluded)
{
	ck_assert_int_eq(choose("identity;q=0", 0), -1);
	ck_assert_int_eq(choose("identity;q=0", G), -1);
	ck_assert_int_eq(choose("identity;q=0, gzip", G), GZ);
	ck_assert_int_eq(choose("identity;q=0, br", Z | G), -1);
	ck_assert_int_eq(choose("*;q=0", 0), -1);
	ck_assert_int_eq(choose("*;q=0", ALL), -1);
	ck_assert_int_eq(choose("*;q=0, gzip", G), GZ);
	ck_assert_int_eq(choose("gzip;q=0, *;q=0", G), -1);
	/* identity named explicitly is more specific than "*;q=0" */
	ck_assert_int_eq(choose("*;q=0, identity", ALL), ID);
	ck_assert_int_eq(choose("*;q=0, identity;q=0.5", 0), ID);
}
END_TEST

START_TEST(test_coding_unnamed_identity_yields_to_any_accepted_coding)
{
	ck_assert_int_eq(choose("gzip;q=0.001", G), GZ);
	ck_assert_int_eq(choose("gzip;q=0.5", Z), ID);
	ck_assert_int_eq(choose("identity;q=0.5, gzip;q=0.4", G), ID);
	ck_assert_int_eq(choose("identity;q=0.4, gzip;q=0.5", G), GZ);
}
END_TEST

START_TEST(test_coding_names_are_case_insensitive)
{
	ck_assert_int_eq(choose("GZIP", G), GZ);
	ck_assert_int_eq(choose("ZsTd", Z), ZS);
	ck_assert_int_eq(choose("Br;Q=0.5", B), BR);
	ck_assert_int_eq(choose("IDENTITY;Q=0", 0), -1);
	ck_assert_int_eq(choose("x-gzip", G), GZ);
	ck_assert_int_eq(choose("X-GZIP;q=0.3, zstd;q=0.2", Z | G), GZ);
}
END_TEST

START_TEST(test_coding_whitespace_is_tolerated)
{
	ck_assert_int_eq(choose("  gzip  ", G), GZ);
	ck_assert_int_eq(choose("\tgzip\t;\tq=0.5\t,\tzstd ; q=0.4 ", Z | G),
	                 GZ);
	ck_assert_int_eq(choose("gzip;q = 0.5,zstd;q= 0.4", Z | G), GZ);
	ck_assert_int_eq(choose(",,gzip,,", G), GZ);
}
END_TEST

START_TEST(test_coding_malformed_items_are_ignored)
{
	/* a bad q drops its item, not the header */
	ck_assert_int_eq(choose("zstd;q=2, gzip", Z | G), GZ);
	ck_assert_int_eq(choose("zstd;q=abc, gzip", Z | G), GZ);
	ck_assert_int_eq(choose("zstd;q=0.5555, gzip;q=0.1", Z | G), GZ);
	ck_assert_int_eq(choose("zstd;q=, gzip;q=0.1", Z | G), GZ);
	ck_assert_int_eq(choose("zstd;q=-1, gzip;q=0.1", Z | G), GZ);
	ck_assert_int_eq(choose("zstd;q=.5, gzip;q=0.1", Z | G), GZ);
	ck_assert_int_eq(choose("zstd;;, gzip;q=0.1", Z | G), GZ);
	ck_assert_int_eq(choose("zstd gzip, br", ALL), BR);
	ck_assert_int_eq(choose("@@@, gzip", G), GZ);
	ck_assert_int_eq(choose(";q=1, gzip", G), GZ);
	ck_assert_int_eq(choose("zstd;q=\"0.5, gzip", Z | G), GZ);
	/* so a malformed exclusion excludes nothing */
	ck_assert_int_eq(choose("identity;q=x", 0), ID);
	/* other parameters are allowed and ignored, quoted or not */
	ck_assert_int_eq(choose("zstd;level=3;q=0.2, gzip;q=0.1", Z | G), ZS);
	ck_assert_int_eq(choose("zstd;x=\"a,b\";q=0.2, gzip;q=0.1", Z | G), ZS);
	/* unknown codings are not offered */
	ck_assert_int_eq(choose("compress, deflate, gzipx", ALL), ID);
}
END_TEST

START_TEST(test_coding_name_given_twice_keeps_higher_weight)
{
	ck_assert_int_eq(choose("gzip;q=0, gzip;q=0.5", G), GZ);
	ck_assert_int_eq(choose("gzip;q=0.9, x-gzip;q=0.1, zstd;q=0.5", Z | G),
	                 GZ);
}
END_TEST

static Suite *coding_suite(void)
{
	Suite *s = suite_create("coding");
	TCase *tc = tcase_create("choose");

	tcase_add_test(tc, test_coding_names_are_the_http_tokens);
	tcase_add_test(tc, test_coding_absent_header_means_identity);
	tcase_add_test(tc, test_coding_empty_header_means_identity);
	tcase_add_test(tc, test_coding_higher_q_wins);
	tcase_add_test(tc, test_coding_ties_go_to_zstd_then_br_then_gzip);
	tcase_add_test(tc, test_coding_offered_mask_is_respected);
	tcase_add_test(tc, test_coding_q_zero_excludes);
	tcase_add_test(tc, test_coding_star_covers_the_unnamed);
	tcase_add_test(tc, test_coding_identity_excluded);
	tcase_add_test(
	    tc, test_coding_unnamed_identity_yields_to_any_accepted_coding);
	tcase_add_test(tc, test_coding_names_are_case_insensitive);
	tcase_add_test(tc, test_coding_whitespace_is_tolerated);
	tcase_add_test(tc, test_coding_malformed_items_are_ignored);
	tcase_add_test(tc, test_coding_name_given_twice_keeps_higher_weight);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(coding_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
