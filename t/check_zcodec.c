/* check_zcodec.c - unit tests for src/util/zcodec.c: what the zstd and
 * gzip encoders write is decoded by the libraries' own decoders (zstd's
 * limited to the 8 MiB window HTTP allows) back to exactly the input, in
 * one shot and in many small pieces, where every flush must leave a
 * prefix that decodes to everything given so far; output limits fail with
 * E2BIG and leave the buffer as it was. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "util/buf.h"
#include "util/coding.h"
#include "util/zcodec.h"
#include "zdecode.h"

#define MIB   ((size_t)1 << 20)
#define NOMAX ((size_t)1 << 30)

static const int codings[] = {CW_CODING_ZSTD, CW_CODING_GZIP};

static uint64_t rnd_state;

/* xorshift64*: its bytes do not repeat within any test's sizes. */
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return (uint32_t)((rnd_state * 2685821657736338717ULL) >> 32);
}

/* n bytes of English-like text: words from a small vocabulary. */
static char *make_text(size_t n)
{
	static const char *const words[] = {
	    "the ",  "server ", "sends ", "a ",      "compressed ", "response ",
	    "body ", "to ",     "every ", "client ", "that ",       "asks ",
	    "for ",  "it, ",    "and ",   "caches ", "static ",     "files.\n"};
	char *p = malloc(n + 1);
	size_t i = 0;

	ck_assert_ptr_nonnull(p);
	rnd_state = 42;
	while (i < n) {
		const char *w = words[rnd() % (sizeof(words) / sizeof(*words))];
		size_t k = strlen(w);

		if (k > n - i)
			k = n - i;
		memcpy(p + i, w, k);
		i += k;
	}
	p[n] = '\0';
	return p;
}

static char *make_random(size_t n)
{
	char *p = malloc(n + 1);
	size_t i;

	ck_assert_ptr_nonnull(p);
	rnd_state = 7;
	for (i = 0; i < n; i++)
		p[i] = (char)(rnd() & 0xff);
	return p;
}

/* in compressed in one shot decodes back to in. Returns the compressed
 * size. */
static size_t one_shot_round_trip(int coding, int level, const char *in,
                                  size_t len)
{
	struct cw_buf z = {0}, plain = {0};
	size_t zlen;

	ck_assert_int_eq(cw_zcompress(coding, level, in, len, &z, NOMAX), 0);
	ck_assert_int_eq(zdec_all(coding, z.data, z.len, &plain), 0);
	ck_assert_uint_eq(plain.len, len);
	ck_assert(len == 0 || memcmp(plain.data, in, len) == 0);
	zlen = z.len;
	cw_buf_free(&z);
	cw_buf_free(&plain);
	return zlen;
}

START_TEST(test_zcodec_empty_input_round_trips)
{
	int c = codings[_i];
	struct cw_zenc *z = cw_zenc_new(c, 6);
	struct cw_buf out = {0}, plain = {0};

	ck_assert_uint_gt(one_shot_round_trip(c, 6, "", 0), 0);
	/* and as a stream finished without any input */
	ck_assert_ptr_nonnull(z);
	ck_assert_int_eq(cw_zenc_run(z, NULL, 0, 0, 1, &out, NOMAX), 0);
	ck_assert_int_eq(zdec_all(c, out.data, out.len, &plain), 0);
	ck_assert_uint_eq(plain.len, 0);
	cw_zenc_free(z);
	cw_buf_free(&out);
	cw_buf_free(&plain);
}
END_TEST

START_TEST(test_zcodec_one_byte_round_trips)
{
	one_shot_round_trip(codings[_i], 6, "x", 1);
	one_shot_round_trip(codings[_i], 1, "\0", 1);
}
END_TEST

START_TEST(test_zcodec_one_mib_of_text_round_trips_and_shrinks)
{
	char *text = make_text(MIB);
	int level;

	for (level = 1; level <= 9; level += 4) {
		size_t zlen =
		    one_shot_round_trip(codings[_i], level, text, MIB);

		ck_assert_uint_lt(zlen, MIB / 4);
	}
	free(text);
}
END_TEST

START_TEST(test_zcodec_random_bytes_round_trip)
{
	char *data = make_random(256 * 1024);
	size_t zlen = one_shot_round_trip(codings[_i], 6, data, 256 * 1024);

	/* incompressible: the stream is about as large as the input */
	ck_assert_uint_gt(zlen, 255 * 1024);
	free(data);
}
END_TEST

/* Feed len bytes of in to a fresh encoder in pieces of 1 to ~5000 bytes,
 * flushing every few pieces; at each flush the output so far must decode
 * to exactly the input so far. */
static void pieces_round_trip(int coding, int level, const char *in, size_t len)
{
	struct cw_zenc *z = cw_zenc_new(coding, level);
	struct zdec *d = zdec_new(coding);
	struct cw_buf out = {0}, plain = {0};
	size_t pos = 0, fed = 0, flushes = 0;

	ck_assert_ptr_nonnull(z);
	rnd_state = 99;
	while (pos < len) {
		size_t n = 1 + rnd() % (rnd() % 4 == 0 ? 5000 : 64);
		int flush = rnd() % 5 == 0;

		if (n > len - pos)
			n = len - pos;
		ck_assert_int_eq(
		    cw_zenc_run(z, in + pos, n, flush, 0, &out, NOMAX), 0);
		pos += n;
		if (!flush)
			continue;
		flushes++;
		ck_assert_int_eq(
		    zdec_feed(d, out.data + fed, out.len - fed, &plain), 0);
		fed = out.len;
		ck_assert_uint_eq(plain.len, pos);
		ck_assert(memcmp(plain.data, in, pos) == 0);
		ck_assert(!zdec_ended(d));
	}
	ck_assert(len < 100000 || flushes > 10);
	/* a flush with nothing new in it is harmless */
	ck_assert_int_eq(cw_zenc_run(z, NULL, 0, 1, 0, &out, NOMAX), 0);
	ck_assert_int_eq(cw_zenc_run(z, NULL, 0, 1, 0, &out, NOMAX), 0);
	ck_assert_int_eq(cw_zenc_run(z, NULL, 0, 0, 1, &out, NOMAX), 0);
	ck_assert_int_eq(zdec_feed(d, out.data + fed, out.len - fed, &plain),
	                 0);
	ck_assert(zdec_ended(d));
	ck_assert_uint_eq(plain.len, len);
	ck_assert(memcmp(plain.data, in, len) == 0);
	/* a finished stream takes no more input */
	ck_assert_int_eq(cw_zenc_run(z, "x", 1, 0, 0, &out, NOMAX), -1);
	ck_assert_int_eq(errno, EINVAL);
	zdec_free(d);
	cw_zenc_free(z);
	cw_buf_free(&out);
	cw_buf_free(&plain);
}

START_TEST(test_zcodec_flushed_prefixes_decode_to_the_input_so_far)
{
	char *text = make_text(MIB);
	char *data = make_random(200 * 1024);

	pieces_round_trip(codings[_i], 6, text, MIB);
	pieces_round_trip(codings[_i], 1, data, 200 * 1024);
	pieces_round_trip(codings[_i], 9, "hello", 5);
	free(text);
	free(data);
}
END_TEST

START_TEST(test_zcodec_unflushed_stream_round_trips)
{
	/* level 9 and no size given: zstd's own window must stay within
	 * what the decoder accepts for HTTP */
	char *text = make_text(MIB);
	struct cw_zenc *z = cw_zenc_new(codings[_i], 9);
	struct cw_buf out = {0}, plain = {0};
	size_t pos;

	ck_assert_ptr_nonnull(z);
	for (pos = 0; pos < MIB; pos += 4096)
		ck_assert_int_eq(
		    cw_zenc_run(z, text + pos, 4096, 0, 0, &out, NOMAX), 0);
	ck_assert_int_eq(cw_zenc_run(z, NULL, 0, 0, 1, &out, NOMAX), 0);
	ck_assert_int_eq(zdec_all(codings[_i], out.data, out.len, &plain), 0);
	ck_assert_uint_eq(plain.len, MIB);
	ck_assert(memcmp(plain.data, text, MIB) == 0);
	cw_zenc_free(z);
	cw_buf_free(&out);
	cw_buf_free(&plain);
	free(text);
}
END_TEST

START_TEST(test_zcodec_reset_encoder_compresses_the_next_stream)
{
	int c = codings[_i];
	struct cw_zenc *z = cw_zenc_new(c, 3);
	struct cw_buf out = {0}, plain = {0};
	char *text = make_text(10000);
	int round;

	ck_assert_ptr_nonnull(z);
	ck_assert_int_eq(cw_zenc_coding(z), c);
	for (round = 0; round < 3; round++) {
		size_t len = 10000 - (size_t)round * 3000;

		out.len = 0;
		ck_assert_int_eq(
		    cw_zenc_run(z, text + round, len, 0, 1, &out, NOMAX), 0);
		ck_assert_int_eq(zdec_all(c, out.data, out.len, &plain), 0);
		ck_assert_uint_eq(plain.len, len);
		ck_assert(memcmp(plain.data, text + round, len) == 0);
		ck_assert_int_eq(cw_zenc_reset(z), 0);
	}
	/* a stream abandoned half-way is forgotten by reset */
	out.len = 0;
	ck_assert_int_eq(cw_zenc_run(z, "junk", 4, 1, 0, &out, NOMAX), 0);
	ck_assert_int_eq(cw_zenc_reset(z), 0);
	out.len = 0;
	ck_assert_int_eq(cw_zenc_run(z, "fine", 4, 0, 1, &out, NOMAX), 0);
	ck_assert_int_eq(zdec_all(c, out.data, out.len, &plain), 0);
	ck_assert_uint_eq(plain.len, 4);
	ck_assert(memcmp(plain.data, "fine", 4) == 0);
	cw_zenc_free(z);
	cw_buf_free(&out);
	cw_buf_free(&plain);
	free(text);
}
END_TEST

START_TEST(test_zcodec_output_is_appended)
{
	int c = codings[_i];
	struct cw_buf out = {0}, plain = {0};

	ck_assert_int_eq(cw_buf_add(&out, "HEAD", 4, NOMAX), 0);
	ck_assert_int_eq(cw_zcompress(c, 6, "body", 4, &out, NOMAX), 0);
	ck_assert(memcmp(out.data, "HEAD", 4) == 0);
	ck_assert_int_eq(zdec_all(c, out.data + 4, out.len - 4, &plain), 0);
	ck_assert_uint_eq(plain.len, 4);
	ck_assert(memcmp(plain.data, "body", 4) == 0);
	cw_buf_free(&out);
	cw_buf_free(&plain);
}
END_TEST

START_TEST(test_zcodec_output_limit_fails_with_e2big)
{
	int c = codings[_i];
	char *text = make_text(100000);
	char *data = make_random(100000);
	struct cw_buf out = {0};
	struct cw_zenc *z;
	size_t exact;

	/* exactly the stream's length is enough, one byte less is not */
	ck_assert_int_eq(cw_zcompress(c, 6, text, 100000, &out, NOMAX), 0);
	exact = out.len;
	cw_buf_free(&out);
	ck_assert_int_eq(cw_zcompress(c, 6, text, 100000, &out, exact), 0);
	ck_assert_uint_eq(out.len, exact);
	cw_buf_free(&out);
	errno = 0;
	ck_assert_int_eq(cw_zcompress(c, 6, text, 100000, &out, exact - 1), -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_uint_eq(out.len, 0);

	/* the limit counts what out held before */
	ck_assert_int_eq(cw_buf_add(&out, "0123456789", 10, NOMAX), 0);
	errno = 0;
	ck_assert_int_eq(cw_zcompress(c, 6, text, 100000, &out, exact + 9), -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_uint_eq(out.len, 10);
	ck_assert_int_eq(cw_zcompress(c, 6, text, 100000, &out, exact + 10), 0);
	cw_buf_free(&out);

	/* random bytes stop early under a 90% limit */
	errno = 0;
	ck_assert_int_eq(cw_zcompress(c, 6, data, 100000, &out, 90000), -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_uint_eq(out.len, 0);
	ck_assert_int_eq(cw_zcompress(c, 6, data, 100000, &out, 0), -1);
	ck_assert_int_eq(errno, E2BIG);
	cw_buf_free(&out);

	/* streaming: the run that would pass max fails */
	z = cw_zenc_new(c, 6);
	ck_assert_ptr_nonnull(z);
	errno = 0;
	ck_assert_int_eq(cw_zenc_run(z, data, 100000, 1, 0, &out, 5000), -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_uint_le(out.len, 5000);
	cw_zenc_free(z);
	cw_buf_free(&out);
	free(text);
	free(data);
}
END_TEST

START_TEST(test_zcodec_levels_are_clamped)
{
	char *text = make_text(50000);

	one_shot_round_trip(codings[_i], 0, text, 50000);
	one_shot_round_trip(codings[_i], -5, text, 50000);
	one_shot_round_trip(codings[_i], 100, text, 50000);
	free(text);
}
END_TEST

START_TEST(test_zcodec_other_codings_are_refused)
{
	struct cw_buf out = {0};

	errno = 0;
	ck_assert_ptr_null(cw_zenc_new(CW_CODING_BR, 6));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(cw_zenc_new(CW_CODING_IDENTITY, 6));
	ck_assert_ptr_null(cw_zenc_new(CW_CODING_COUNT, 6));
	ck_assert_int_eq(cw_zcompress(CW_CODING_BR, 6, "x", 1, &out, NOMAX),
	                 -1);
	ck_assert_uint_eq(out.len, 0);
	cw_zenc_free(NULL);
}
END_TEST

START_TEST(test_zcodec_zstd_one_shot_records_the_content_size)
{
	char *text = make_text(70000);
	struct cw_buf out = {0}, plain = {0};
	struct cw_zenc *z;

	ck_assert_int_eq(
	    cw_zcompress(CW_CODING_ZSTD, 6, text, 70000, &out, NOMAX), 0);
	ck_assert_uint_eq(ZSTD_getFrameContentSize(out.data, out.len), 70000);
	cw_buf_free(&out);

	/* a streaming encoder told the size records it too, and a stream of
	 * another length is refused */
	z = cw_zenc_new(CW_CODING_ZSTD, 6);
	ck_assert_int_eq(cw_zenc_set_size(z, 70000), 0);
	ck_assert_int_eq(cw_zenc_run(z, text, 30000, 1, 0, &out, NOMAX), 0);
	ck_assert_int_eq(cw_zenc_run(z, text + 30000, 40000, 0, 1, &out, NOMAX),
	                 0);
	ck_assert_uint_eq(ZSTD_getFrameContentSize(out.data, out.len), 70000);
	ck_assert_int_eq(zdec_all(CW_CODING_ZSTD, out.data, out.len, &plain),
	                 0);
	ck_assert_uint_eq(plain.len, 70000);
	ck_assert_int_eq(cw_zenc_reset(z), 0);
	ck_assert_int_eq(cw_zenc_set_size(z, 10), 0);
	ck_assert_int_eq(cw_zenc_run(z, text, 5, 0, 0, &out, NOMAX), 0);
	ck_assert_int_eq(cw_zenc_run(z, text, 6, 0, 1, &out, NOMAX), -1);
	cw_zenc_free(z);
	cw_buf_free(&out);
	cw_buf_free(&plain);
	free(text);
}
END_TEST

static Suite *zcodec_suite(void)
{
	Suite *s = suite_create("zcodec");
	TCase *rt = tcase_create("round_trip");
	TCase *lim = tcase_create("limits");
	int n = sizeof(codings) / sizeof(codings[0]);

	/* each test runs once per coding, _i indexing codings[] */
	tcase_set_timeout(rt, 60);
	tcase_add_loop_test(rt, test_zcodec_empty_input_round_trips, 0, n);
	tcase_add_loop_test(rt, test_zcodec_one_byte_round_trips, 0, n);
	tcase_add_loop_test(
	    rt, test_zcodec_one_mib_of_text_round_trips_and_shrinks, 0, n);
	tcase_add_loop_test(rt, test_zcodec_random_bytes_round_trip, 0, n);
	tcase_add_loop_test(
	    rt, test_zcodec_flushed_prefixes_decode_to_the_input_so_far, 0, n);
	tcase_add_loop_test(rt, test_zcodec_unflushed_stream_round_trips, 0, n);
	tcase_add_loop_test(
	    rt, test_zcodec_reset_encoder_compresses_the_next_stream, 0, n);
	tcase_add_loop_test(rt, test_zcodec_output_is_appended, 0, n);
	tcase_add_loop_test(rt, test_zcodec_levels_are_clamped, 0, n);
	suite_add_tcase(s, rt);

	tcase_add_loop_test(lim, test_zcodec_output_limit_fails_with_e2big, 0,
	                    n);
	tcase_add_test(lim, test_zcodec_other_codings_are_refused);
	tcase_add_test(lim, test_zcodec_zstd_one_shot_records_the_content_size);
	suite_add_tcase(s, lim);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(zcodec_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
