/* check_multipart.c - unit tests for src/util/multipart.c, the streaming
 * multipart/form-data parser: boundaries from Content-Type, part headers
 * (names, file names, RFC 5987 filename*=), data with delimiter look-alikes,
 * and the same body pushed in every read size and split at every byte,
 * which must give the same fields. Errors: malformed, oversized,
 * truncated. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/multipart.h"

/* What a parse produced, as text: "{name|filename|has}data}" per part,
 * then "END" or "ERR:reason", or "TRUNC" if finish failed. */
struct transcript {
	char *s;
	size_t len, cap;
};

static void put(struct transcript *t, const char *p, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->s = realloc(t->s, t->cap);
		ck_assert_ptr_nonnull(t->s);
	}
	memcpy(t->s + t->len, p, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void puts_t(struct transcript *t, const char *s)
{
	put(t, s, strlen(s));
}

/* Push body[0..len) in reads of at most step bytes, or split once at
 * split (step 0); the transcript is the caller's to free. */
static char *parse(const char *boundary, const char *body, size_t len,
                   size_t step, size_t split)
{
	struct cw_multipart *mp = malloc(sizeof *mp);
	struct transcript t = {NULL, 0, 0};
	size_t off = 0;
	int done = 0;

	ck_assert_ptr_nonnull(mp);
	ck_assert_int_eq(cw_mp_init(mp, boundary), 0);
	puts_t(&t, "");
	while (off < len && !done) {
		size_t n =
		    step ? step : (off < split ? split - off : len - off);
		size_t pos = 0;

		if (n > len - off)
			n = len - off;
		while (pos < n && !done) {
			const char *d;
			size_t used, dl;
			enum cw_mp_event ev = cw_mp_push(
			    mp, body + off + pos, n - pos, &used, &d, &dl);

			ck_assert_uint_le(used, n - pos);
			pos += used;
			switch (ev) {
			case CW_MP_PART:
				puts_t(&t, "{");
				puts_t(&t, mp->name);
				puts_t(&t, "|");
				puts_t(&t, mp->filename);
				puts_t(&t, mp->has_filename ? "|1}" : "|0}");
				break;
			case CW_MP_DATA:
				ck_assert_uint_gt(dl, 0);
				put(&t, d, dl);
				break;
			case CW_MP_PART_END:
				puts_t(&t, "}");
				break;
			case CW_MP_END:
				puts_t(&t, "END");
				done = 1;
				break;
			case CW_MP_ERROR:
				puts_t(&t, "ERR:");
				puts_t(&t, cw_mp_error(mp));
				done = 1;
				break;
			case CW_MP_MORE:
				ck_assert_uint_eq(pos, n);
				break;
			}
		}
		off += n;
	}
	if (!done && cw_mp_finish(mp) != 0)
		puts_t(&t, "TRUNC");
	free(mp);
	return t.s;
}

static char *parse_whole(const char *boundary, const char *body)
{
	return parse(boundary, body, strlen(body), 0, strlen(body));
}

#define B "XyZ"
static const char two_fields[] =
    "--" B "\r\n"
    "Content-Disposition: form-data; name=\"text\"\r\n"
    "\r\n"
    "hello\r\n-- world\r\n--XyY not it\r\n--Xy\r\n"
    "--" B "\r\n"
    "Content-Disposition: form-data; name=\"file\"; "
    "filename=\"a b.txt\"\r\n"
    "Content-Type: application/octet-stream\r\n"
    "\r\n"
    "\r\r\n\r\n-\r\n--\r\n--X\r\n--Xy\0bin\r"
    "\r\n--" B "--\r\n";
static const char two_fields_out[] =
    "{text||0}hello\r\n-- world\r\n--XyY not it\r\n--Xy}"
    "{file|a b.txt|1}\r\r\n\r\n-\r\n--\r\n--X\r\n--Xy\0bin\r}END";

START_TEST(test_two_fields_whole)
{
	char *out = parse(B, two_fields, sizeof two_fields - 1, 0,
	                  sizeof two_fields - 1);

	ck_assert_int_eq(memcmp(out, two_fields_out, sizeof two_fields_out), 0);
	free(out);
}
END_TEST

/* Delimiters, CRs and the look-alikes land on every read boundary. */
START_TEST(test_every_read_size_gives_the_same_fields)
{
	size_t step;

	for (step = 1; step <= sizeof two_fields - 1; step++) {
		char *out =
		    parse(B, two_fields, sizeof two_fields - 1, step, 0);

		ck_assert_msg(
		    memcmp(out, two_fields_out, sizeof two_fields_out) == 0,
		    "read size %zu", step);
		free(out);
	}
}
END_TEST

START_TEST(test_every_split_point_gives_the_same_fields)
{
	size_t split;

	for (split = 0; split <= sizeof two_fields - 1; split++) {
		char *out =
		    parse(B, two_fields, sizeof two_fields - 1, 0, split);

		ck_assert_msg(
		    memcmp(out, two_fields_out, sizeof two_fields_out) == 0,
		    "split at %zu", split);
		free(out);
	}
}
END_TEST

START_TEST(test_boundary_from_content_type)
{
	char b[CW_MP_BOUNDARY_MAX + 1];
	char longb[128];

	ck_assert_int_eq(
	    cw_mp_boundary("multipart/form-data; boundary=abc", b, sizeof b),
	    0);
	ck_assert_str_eq(b, "abc");
	ck_assert_int_eq(cw_mp_boundary("Multipart/Form-Data;charset=utf-8;"
	                                " BOUNDARY=\"a:b c?\"; x=y",
	                                b, sizeof b),
	                 0);
	ck_assert_str_eq(b, "a:b c?");
	ck_assert_int_eq(
	    cw_mp_boundary("multipart/form-data;boundary=---x1", b, sizeof b),
	    0);
	ck_assert_str_eq(b, "---x1");
	ck_assert_int_eq(
	    cw_mp_boundary("multipart/mixed; boundary=abc", b, sizeof b), -1);
	ck_assert_int_eq(cw_mp_boundary("multipart/form-data", b, sizeof b),
	                 -1);
	ck_assert_int_eq(
	    cw_mp_boundary("multipart/form-data; boundary=", b, sizeof b), -1);
	ck_assert_int_eq(
	    cw_mp_boundary("multipart/form-data; boundary=\"ab", b, sizeof b),
	    -1);
	snprintf(longb, sizeof longb, "multipart/form-data; boundary=%071d", 0);
	ck_assert_int_eq(cw_mp_boundary(longb, b, sizeof b), -1);
	snprintf(longb, sizeof longb, "multipart/form-data; boundary=%070d", 0);
	ck_assert_int_eq(cw_mp_boundary(longb, b, sizeof b), 0);
	ck_assert_uint_eq(strlen(b), 70);
}
END_TEST

START_TEST(test_init_refuses_bad_boundaries)
{
	struct cw_multipart *mp = malloc(sizeof *mp);

	ck_assert_int_eq(cw_mp_init(mp, ""), -1);
	ck_assert_int_eq(cw_mp_init(mp, "a\rb"), -1);
	ck_assert_int_eq(cw_mp_init(mp, "a\"b"), -1);
	ck_assert_int_eq(cw_mp_init(mp, "ends in space "), -1);
	ck_assert_int_eq(cw_mp_init(mp, "'()+_,-./:=? x"), 0);
	free(mp);
}
END_TEST

START_TEST(test_preamble_padding_epilogue_and_empty_part)
{
	char *out =
	    parse_whole("b1", "This is the preamble.\r\n--b1 \t\r\n"
	                      "content-disposition:form-data;name=e\r\n\r\n"
	                      "\r\n--b1\r\n"
	                      "Content-Disposition: form-data; name=x\r\n\r\n1"
	                      "\r\n--b1--\r\nepilogue\r\n--b1\r\ngarbage");

	ck_assert_str_eq(out, "{e||0}}{x||0}1}END");
	free(out);
}
END_TEST

START_TEST(test_names_are_percent_decoded_plus_kept)
{
	char *out = parse_whole(
	    "b1", "--b1\r\nContent-Disposition: form-data; "
	          "name=\"a%22b+c\"; filename=\"C:\\dir\\x%0Ay.txt\"\r\n\r\n"
	          "\r\n--b1--");

	ck_assert_str_eq(out, "{a\"b+c|C:\\dir\\x\ny.txt|1}}END");
	free(out);
}
END_TEST

START_TEST(test_filename_star_wins_and_is_decoded)
{
	char *out = parse_whole(
	    "b1", "--b1\r\nContent-Disposition: form-data; name=f; "
	          "filename=\"plain.txt\"; "
	          "filename*=UTF-8''%E2%82%AC%20rates.txt\r\n\r\nx"
	          "\r\n--b1\r\nContent-Disposition: form-data; "
	          "filename*=iso-8859-1'en'caf%E9.txt; name=g; "
	          "filename=\"ignored\"\r\n\r\ny"
	          "\r\n--b1\r\nContent-Disposition: form-data; name=h; "
	          "filename*=koi8-r''%C1; filename=fallback.txt\r\n\r\nz"
	          "\r\n--b1--");

	ck_assert_str_eq(out, "{f|\xe2\x82\xac rates.txt|1}x}"
	                      "{g|caf\xc3\xa9.txt|1}y}"
	                      "{h|fallback.txt|1}z}END");
	free(out);
}
END_TEST

START_TEST(test_name_not_confused_with_filename)
{
	char *out = parse_whole("b1", "--b1\r\nContent-Disposition: form-data;"
	                              " filename=\"f.txt\"; name=\"n\"\r\n\r\n"
	                              "\r\n--b1--");

	ck_assert_str_eq(out, "{n|f.txt|1}}END");
	free(out);
}
END_TEST

static void expect_error(const char *body, const char *why)
{
	char *out = parse_whole("b1", body);
	char want[256];

	snprintf(want, sizeof want, "ERR:%s", why);
	ck_assert_msg(strstr(out, want) != NULL, "%s: got %s", why, out);
	free(out);
}

START_TEST(test_malformed_parts_are_errors)
{
	expect_error("--b1\r\nContent-Type: text/plain\r\n\r\nx\r\n--b1--",
	             "multipart part without Content-Disposition");
	expect_error("--b1\r\nContent-Disposition: form-data\r\n\r\nx",
	             "multipart part without a field name");
	expect_error("--b1\r\nContent-Disposition: form-data; name=\"x\r\n\r\n",
	             "malformed Content-Disposition in a part");
	expect_error("--b1\r\nno colon here\r\n\r\n", "malformed part header");
	expect_error("--b1\r\n : x\r\n\r\n", "malformed part header");
	expect_error("--b1x\r\n", "malformed multipart delimiter line");
	expect_error("--b1-x", "malformed multipart delimiter line");
	expect_error("--b1\r\r", "malformed multipart delimiter line");
	expect_error("--b1\r\nContent-Disposition: form-data; name=a%00b\r\n"
	             "\r\n",
	             "multipart field name too long or invalid");
}
END_TEST

START_TEST(test_limits_are_errors)
{
	size_t n = CW_MP_PREAMBLE_MAX + 100, i;
	char *body = malloc(n + 1);
	char *out;

	memcpy(body, "--b1\r\nX-Long: ", 14);
	for (i = 14; i < n; i++)
		body[i] = 'a';
	body[n] = '\0';
	expect_error(body, "multipart part header too large");
	for (i = 0; i < n; i++)
		body[i] = 'p';
	expect_error(body, "no multipart boundary where the body starts");
	/* a name just fits, one more byte does not */
	out = malloc(CW_MP_NAME_MAX + 200);
	i = (size_t)snprintf(out, CW_MP_NAME_MAX + 200,
	                     "--b1\r\nContent-Disposition: form-data; "
	                     "name=%0*d\r\n\r\n\r\n--b1--",
	                     CW_MP_NAME_MAX - 1, 0);
	free(body);
	body = parse_whole("b1", out);
	ck_assert_ptr_nonnull(strstr(body, "}END"));
	free(body);
	snprintf(out, CW_MP_NAME_MAX + 200,
	         "--b1\r\nContent-Disposition: form-data; "
	         "name=%0*d\r\n\r\n\r\n--b1--",
	         CW_MP_NAME_MAX, 0);
	expect_error(out, "multipart field name too long or invalid");
	free(out);
}
END_TEST

START_TEST(test_truncated_bodies)
{
	const char *cases[] = {
	    "",
	    "--b1",
	    "--b1\r\n",
	    "--b1\r\nContent-Disposition: form-data;",
	    "--b1\r\nContent-Disposition: form-data; name=a\r\n\r\ndata",
	    "--b1\r\nContent-Disposition: form-data; name=a\r\n\r\ndata\r\n--b",
	    "--b1\r\nContent-Disposition: form-data; name=a\r\n\r\nd\r\n--b1",
	    "--b1\r\nContent-Disposition: form-data; name=a\r\n\r\nd\r\n--b1-",
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *out = parse_whole("b1", cases[i]);
		size_t n = strlen(out);

		ck_assert_msg(n >= 5 && strcmp(out + n - 5, "TRUNC") == 0,
		              "case %zu: %s", i, out);
		free(out);
	}
}
END_TEST

/* A held-back partial delimiter that turns out to be data comes back
 * whole, and the real delimiter right after it still counts. */
START_TEST(test_held_bytes_are_returned_as_data)
{
	static const char body[] = "--b1\r\nContent-Disposition: form-data; "
	                           "name=a\r\n\r\n\r\n--b\r\n--b1--";
	size_t split = (size_t)(strstr(body, "\r\n\r\n") - body) + 8;
	char *out = parse("b1", body, sizeof body - 1, 0, split);

	ck_assert_str_eq(out, "{a||0}\r\n--b}END");
	free(out);
}
END_TEST

/* Random parts whose data is made of the delimiter's own bytes (so near
 * misses are everywhere), pushed in random read sizes: each part's data
 * comes back exactly. */
START_TEST(test_random_bodies_in_random_reads)
{
	static const char alphabet[] = "\r\n-bB1";
	unsigned seed = 12345;
	int round;

	for (round = 0; round < 200; round++) {
		struct transcript body = {NULL, 0, 0}, want = {NULL, 0, 0};
		int parts = 1 + (int)(rand_r(&seed) % 4), i;
		char *out;

		puts_t(&body, "");
		puts_t(&want, "");
		for (i = 0; i < parts; i++) {
			size_t n = rand_r(&seed) % 300, k;
			char data[300];

			for (k = 0; k < n; k++)
				data[k] = alphabet[rand_r(&seed) % 6];
			/* the data may not hold the delimiter itself */
			for (k = 0; k + 5 <= n; k++) {
				if (memcmp(data + k, "\r\n--b", 5) == 0)
					data[k + 4] = 'B';
			}
			puts_t(&body, "--b\r\nContent-Disposition: form-data; "
			              "name=p\r\n\r\n");
			put(&body, data, n);
			puts_t(&body, "\r\n");
			puts_t(&want, "{p||0}");
			put(&want, data, n);
			puts_t(&want, "}");
		}
		puts_t(&body, "--b--");
		puts_t(&want, "END");
		out = parse("b", body.s, body.len, 1 + rand_r(&seed) % 97, 0);
		ck_assert_msg(memcmp(out, want.s, want.len + 1) == 0,
		              "round %d", round);
		free(out);
		free(body.s);
		free(want.s);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("multipart");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_two_fields_whole);
	tcase_add_test(tc, test_every_read_size_gives_the_same_fields);
	tcase_add_test(tc, test_every_split_point_gives_the_same_fields);
	tcase_add_test(tc, test_boundary_from_content_type);
	tcase_add_test(tc, test_init_refuses_bad_boundaries);
	tcase_add_test(tc, test_preamble_padding_epilogue_and_empty_part);
	tcase_add_test(tc, test_names_are_percent_decoded_plus_kept);
	tcase_add_test(tc, test_filename_star_wins_and_is_decoded);
	tcase_add_test(tc, test_name_not_confused_with_filename);
	tcase_add_test(tc, test_malformed_parts_are_errors);
	tcase_add_test(tc, test_limits_are_errors);
	tcase_add_test(tc, test_truncated_bodies);
	tcase_add_test(tc, test_held_bytes_are_returned_as_data);
	tcase_add_test(tc, test_random_bodies_in_random_reads);
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
