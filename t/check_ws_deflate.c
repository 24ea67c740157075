/* check_ws_deflate.c - unit tests for src/util/ws_deflate.c: RFC 7692
 * 7.2.3's examples compress to and inflate from their exact bytes (split
 * at every byte boundary), with and without context takeover; messages
 * round-trip between a server and a client end in random pieces and
 * window sizes; a small message that inflates past the bound stops with
 * 1009 without the output growing past it; corrupt input gives 1007. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/ws_deflate.h"

#define BIG   (SIZE_MAX / 2)
#define CHUNK 16384

static const struct cw_ws_deflate_params defaults = {0, 0, 15, 15};
static const struct cw_ws_deflate_params no_context = {1, 1, 15, 15};

static uint64_t rnd_state;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return (uint32_t)((rnd_state * 2685821657736338717ULL) >> 32);
}

/* n bytes of text-like data: words from a small vocabulary. */
static char *make_text(size_t n, uint64_t seed)
{
	static const char *const words[] = {
	    "socket ", "frame ",    "mask ",  "the ",
	    "server ", "echoes ",   "every ", "message ",
	    "back ",   "quickly, ", "and ",   "closes.\n"};
	char *p = malloc(n + 1);
	size_t i = 0;

	ck_assert_ptr_nonnull(p);
	rnd_state = seed;
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

static void compress_is(struct cw_ws_deflate *d, const char *msg,
                        const void *want, size_t want_len)
{
	struct cw_buf out = {0};

	ck_assert_int_eq(cw_ws_compress(d, msg, strlen(msg), 1, &out, BIG), 0);
	ck_assert_uint_eq(out.len, want_len);
	ck_assert_int_eq(memcmp(out.data, want, want_len), 0);
	cw_buf_free(&out);
}

/* Inflate one message given as in[0..n), cut at every point (and whole),
 * on fresh server-side states: each must give want. */
static void inflates_to(const void *in, size_t n, const char *want)
{
	size_t cut;

	for (cut = 0; cut <= n; cut++) {
		struct cw_ws_deflate d;
		struct cw_buf out = {0};

		ck_assert_int_eq(
		    cw_ws_deflate_init(&d, &defaults, CW_WS_SERVER, 6, 0), 0);
		ck_assert_int_eq(cw_ws_decompress(&d, in, cut, 0, &out), 0);
		ck_assert_int_eq(cw_ws_decompress(&d, (const char *)in + cut,
		                                  n - cut, 1, &out),
		                 0);
		ck_assert_uint_eq(out.len, strlen(want));
		ck_assert_int_eq(
		    memcmp(out.data ? out.data : "", want, out.len), 0);
		cw_buf_free(&out);
		cw_ws_deflate_free(&d);
	}
}

START_TEST(test_rfc_hello_compressed)
{
	static const unsigned char hello[] = {0xf2, 0x48, 0xcd, 0xc9,
	                                      0xc9, 0x07, 0x00};
	struct cw_ws_deflate d;

	ck_assert_int_eq(cw_ws_deflate_init(&d, &defaults, CW_WS_SERVER, 6, 0),
	                 0);
	compress_is(&d, "Hello", hello, sizeof(hello));
	cw_ws_deflate_free(&d);
	inflates_to(hello, sizeof(hello), "Hello");
}
END_TEST

/* 7.2.3.2: the second "Hello" refers back into the first. */
START_TEST(test_rfc_context_takeover)
{
	static const unsigned char first[] = {0xf2, 0x48, 0xcd, 0xc9,
	                                      0xc9, 0x07, 0x00};
	static const unsigned char second[] = {0xf2, 0x00, 0x11, 0x00, 0x00};
	struct cw_ws_deflate d;
	struct cw_buf out = {0};

	ck_assert_int_eq(cw_ws_deflate_init(&d, &defaults, CW_WS_SERVER, 6, 0),
	                 0);
	compress_is(&d, "Hello", first, sizeof(first));
	compress_is(&d, "Hello", second, sizeof(second));
	cw_ws_deflate_free(&d);

	ck_assert_int_eq(cw_ws_deflate_init(&d, &defaults, CW_WS_SERVER, 6, 0),
	                 0);
	ck_assert_int_eq(cw_ws_decompress(&d, first, sizeof(first), 1, &out),
	                 0);
	ck_assert_int_eq(cw_ws_decompress(&d, second, sizeof(second), 1, &out),
	                 0);
	ck_assert_uint_eq(out.len, 10);
	ck_assert_int_eq(memcmp(out.data, "HelloHello", 10), 0);
	cw_buf_free(&out);
	cw_ws_deflate_free(&d);
}
END_TEST

/* Without context takeover every message stands alone: the compressor
 * repeats itself, and the inflater cannot follow a reference back. */
START_TEST(test_no_context_takeover)
{
	static const unsigned char hello[] = {0xf2, 0x48, 0xcd, 0xc9,
	                                      0xc9, 0x07, 0x00};
	static const unsigned char second[] = {0xf2, 0x00, 0x11, 0x00, 0x00};
	struct cw_ws_deflate d;
	struct cw_buf out = {0};

	ck_assert_int_eq(
	    cw_ws_deflate_init(&d, &no_context, CW_WS_SERVER, 6, 0), 0);
	compress_is(&d, "Hello", hello, sizeof(hello));
	compress_is(&d, "Hello", hello, sizeof(hello));
	ck_assert_int_eq(cw_ws_decompress(&d, hello, sizeof(hello), 1, &out),
	                 0);
	ck_assert_int_eq(cw_ws_decompress(&d, second, sizeof(second), 1, &out),
	                 CW_WS_CLOSE_BAD_DATA);
	cw_buf_free(&out);
	cw_ws_deflate_free(&d);
}
END_TEST

/* Only the side that asked for no context resets. */
START_TEST(test_no_context_is_per_direction)
{
	static const struct cw_ws_deflate_params server_only = {1, 0, 15, 15};
	static const unsigned char hello[] = {0xf2, 0x48, 0xcd, 0xc9,
	                                      0xc9, 0x07, 0x00};
	static const unsigned char second[] = {0xf2, 0x00, 0x11, 0x00, 0x00};
	struct cw_ws_deflate d;
	struct cw_buf out = {0};

	ck_assert_int_eq(
	    cw_ws_deflate_init(&d, &server_only, CW_WS_SERVER, 6, 0), 0);
	compress_is(&d, "Hello", hello, sizeof(hello));
	compress_is(&d, "Hello", hello, sizeof(hello));
	ck_assert_int_eq(cw_ws_decompress(&d, hello, sizeof(hello), 1, &out),
	                 0);
	ck_assert_int_eq(cw_ws_decompress(&d, second, sizeof(second), 1, &out),
	                 0);
	cw_buf_free(&out);
	cw_ws_deflate_free(&d);
	/* The client end of the same agreement keeps its context. */
	ck_assert_int_eq(
	    cw_ws_deflate_init(&d, &server_only, CW_WS_CLIENT, 6, 0), 0);
	compress_is(&d, "Hello", hello, sizeof(hello));
	compress_is(&d, "Hello", second, sizeof(second));
	cw_ws_deflate_free(&d);
}
END_TEST

START_TEST(test_rfc_other_encodings)
{
	/* 7.2.3.3: a stored block. */
	static const unsigned char stored[] = {
	    0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00};
	/* 7.2.3.4: BFINAL set. */
	static const unsigned char final[] = {0xf3, 0x48, 0xcd, 0xc9,
	                                      0xc9, 0x07, 0x00, 0x00};
	/* 7.2.3.5: two blocks in one message. */
	static const unsigned char two[] = {0xf2, 0x48, 0x05, 0x00, 0x00,
	                                    0x00, 0xff, 0xff, 0xca, 0xc9,
	                                    0xc9, 0x07, 0x00};

	inflates_to(stored, sizeof(stored), "Hello");
	inflates_to(final, sizeof(final), "Hello");
	inflates_to(two, sizeof(two), "Hello");
}
END_TEST

/* 7.2.3.6: an empty message is a single 00 byte. */
START_TEST(test_rfc_empty_message)
{
	static const unsigned char empty[] = {0x00};
	struct cw_ws_deflate d;

	ck_assert_int_eq(cw_ws_deflate_init(&d, &defaults, CW_WS_SERVER, 6, 0),
	                 0);
	compress_is(&d, "", empty, 1);
	cw_ws_deflate_free(&d);
	inflates_to(empty, 1, "");
}
END_TEST

/* After a message with BFINAL, the next one starts a new stream. */
START_TEST(test_message_after_bfinal)
{
	static const unsigned char final[] = {0xf3, 0x48, 0xcd, 0xc9,
	                                      0xc9, 0x07, 0x00};
	static const unsigned char hello[] = {0xf2, 0x48, 0xcd, 0xc9,
	                                      0xc9, 0x07, 0x00};
	struct cw_ws_deflate d;
	struct cw_buf out = {0};

	ck_assert_int_eq(cw_ws_deflate_init(&d, &defaults, CW_WS_SERVER, 6, 0),
	                 0);
	ck_assert_int_eq(cw_ws_decompress(&d, final, sizeof(final), 1, &out),
	                 0);
	ck_assert_int_eq(cw_ws_decompress(&d, hello, sizeof(hello), 1, &out),
	                 0);
	ck_assert_uint_eq(out.len, 10);
	ck_assert_int_eq(memcmp(out.data, "HelloHello", 10), 0);
	cw_buf_free(&out);
	cw_ws_deflate_free(&d);
}
END_TEST

/* Compress messages in random pieces on one end, inflate them in other
 * random pieces on the other, for the window sizes and context modes. */
static void round_trip(const struct cw_ws_deflate_params *p, uint64_t seed)
{
	struct cw_ws_deflate srv, cli;
	size_t sizes[] = {0, 1, 100, 5000, 70000, 300000};
	size_t m;

	ck_assert_int_eq(cw_ws_deflate_init(&srv, p, CW_WS_SERVER, 6, 0), 0);
	ck_assert_int_eq(cw_ws_deflate_init(&cli, p, CW_WS_CLIENT, 3, 0), 0);
	for (m = 0; m < sizeof(sizes) / sizeof(*sizes); m++) {
		char *msg = make_text(sizes[m], seed + m);
		struct cw_buf z = {0}, back = {0};
		size_t off = 0, n;

		do {
			n = rnd() % 9000;
			if (n > sizes[m] - off)
				n = sizes[m] - off;
			ck_assert_int_eq(cw_ws_compress(&srv, msg + off, n,
			                                off + n == sizes[m], &z,
			                                BIG),
			                 0);
			off += n;
		} while (off < sizes[m]);
		if (sizes[m] > 1000)
			ck_assert_uint_lt(z.len, sizes[m] / 2);
		for (off = 0; off < z.len || off == 0;) {
			n = 1 + rnd() % 3000;
			if (n > z.len - off)
				n = z.len - off;
			ck_assert_int_eq(cw_ws_decompress(&cli, z.data + off, n,
			                                  off + n == z.len,
			                                  &back),
			                 0);
			off += n;
			if (z.len == 0)
				break;
		}
		ck_assert_uint_eq(back.len, sizes[m]);
		ck_assert_int_eq(
		    memcmp(back.data ? back.data : "", msg, sizes[m]), 0);
		cw_buf_free(&z);
		cw_buf_free(&back);
		free(msg);
	}
	cw_ws_deflate_free(&srv);
	cw_ws_deflate_free(&cli);
}

START_TEST(test_round_trips)
{
	static const struct cw_ws_deflate_params ps[] = {
	    {0, 0, 15, 15}, {1, 1, 15, 15}, {0, 1, 9, 15},
	    {1, 0, 12, 9},  {0, 0, 9, 9},   {1, 1, 10, 11}};

	round_trip(&ps[_i], 1000 + (uint64_t)_i);
}
END_TEST

/* 8 MiB of zeros is a few KiB compressed: inflating it against a 1 MiB
 * bound stops at the bound, having written at most one chunk past it. */
START_TEST(test_decompression_bomb_stops_at_the_bound)
{
	size_t n = 8u << 20, max = 1u << 20;
	char *zeros = calloc(1, n);
	struct cw_ws_deflate d;
	struct cw_buf z = {0}, out = {0};

	ck_assert_ptr_nonnull(zeros);
	ck_assert_int_eq(cw_ws_deflate_init(&d, &defaults, CW_WS_SERVER, 9, 0),
	                 0);
	ck_assert_int_eq(cw_ws_compress(&d, zeros, n, 1, &z, BIG), 0);
	ck_assert_uint_lt(z.len, 64 * 1024);
	cw_ws_deflate_free(&d);
	ck_assert_int_eq(
	    cw_ws_deflate_init(&d, &defaults, CW_WS_CLIENT, 6, max), 0);
	ck_assert_int_eq(cw_ws_decompress(&d, z.data, z.len, 1, &out),
	                 CW_WS_CLOSE_TOO_BIG);
	ck_assert_uint_le(out.len, max + CHUNK);
	/* Exactly at the bound is fine. */
	cw_buf_free(&out);
	cw_ws_deflate_free(&d);
	ck_assert_int_eq(cw_ws_deflate_init(&d, &defaults, CW_WS_CLIENT, 6, n),
	                 0);
	ck_assert_int_eq(cw_ws_decompress(&d, z.data, z.len, 1, &out), 0);
	ck_assert_uint_eq(out.len, n);
	cw_buf_free(&out);
	cw_buf_free(&z);
	cw_ws_deflate_free(&d);
	free(zeros);
}
END_TEST

/* The bound counts a message across its pieces, and starts again for the
 * next one. */
START_TEST(test_bound_is_per_message_across_pieces)
{
	char *text = make_text(3000, 7);
	struct cw_ws_deflate srv, cli;
	struct cw_buf z = {0}, out = {0};
	size_t half;

	ck_assert_int_eq(
	    cw_ws_deflate_init(&srv, &no_context, CW_WS_SERVER, 6, 0), 0);
	ck_assert_int_eq(
	    cw_ws_deflate_init(&cli, &no_context, CW_WS_CLIENT, 6, 3000), 0);
	ck_assert_int_eq(cw_ws_compress(&srv, text, 3000, 1, &z, BIG), 0);
	half = z.len / 2;
	ck_assert_int_eq(cw_ws_decompress(&cli, z.data, half, 0, &out), 0);
	out.len = 0; /* the caller took what came so far */
	ck_assert_int_eq(
	    cw_ws_decompress(&cli, z.data + half, z.len - half, 1, &out), 0);
	out.len = 0;
	ck_assert_int_eq(cw_ws_decompress(&cli, z.data, z.len, 1, &out), 0);
	z.len = 0;
	text[2999] = '\0';
	ck_assert_int_eq(cw_ws_compress(&srv, text, 3000, 0, &z, BIG), 0);
	ck_assert_int_eq(cw_ws_compress(&srv, "x", 1, 1, &z, BIG), 0);
	out.len = 0;
	ck_assert_int_eq(cw_ws_decompress(&cli, z.data, z.len, 1, &out),
	                 CW_WS_CLOSE_TOO_BIG);
	cw_buf_free(&z);
	cw_buf_free(&out);
	cw_ws_deflate_free(&srv);
	cw_ws_deflate_free(&cli);
	free(text);
}
END_TEST

START_TEST(test_corrupt_input)
{
	static const unsigned char junk[] = {0xff, 0xff, 0xff, 0xff, 0x12};
	struct cw_ws_deflate d;
	struct cw_buf out = {0};
	static const unsigned char hello[] = {0xf2, 0x48, 0xcd, 0xc9,
	                                      0xc9, 0x07, 0x00};
	size_t cut;

	ck_assert_int_eq(cw_ws_deflate_init(&d, &defaults, CW_WS_SERVER, 6, 0),
	                 0);
	ck_assert_int_eq(cw_ws_decompress(&d, junk, sizeof(junk), 1, &out),
	                 CW_WS_CLOSE_BAD_DATA);
	cw_buf_free(&out);
	cw_ws_deflate_free(&d);
	/* A message cut inside its deflate block is caught when the tail
	 * goes in (the last 00 only starts the flush's own empty block). */
	for (cut = 1; cut < sizeof(hello) - 1; cut++) {
		ck_assert_int_eq(
		    cw_ws_deflate_init(&d, &defaults, CW_WS_SERVER, 6, 0), 0);
		ck_assert_msg(cw_ws_decompress(&d, hello, cut, 1, &out) ==
		                  CW_WS_CLOSE_BAD_DATA,
		              "cut at %zu", cut);
		cw_buf_free(&out);
		cw_ws_deflate_free(&d);
	}
}
END_TEST

START_TEST(test_compress_output_bound)
{
	char *text = make_text(100000, 3);
	struct cw_ws_deflate d;
	struct cw_buf z = {0};

	ck_assert_int_eq(cw_ws_deflate_init(&d, &defaults, CW_WS_SERVER, 6, 0),
	                 0);
	ck_assert_int_eq(cw_ws_compress(&d, text, 100000, 1, &z, 100), -1);
	ck_assert_uint_le(z.len, 100);
	/* The compressor was reset and works again. */
	z.len = 0;
	compress_is(
	    &d, "Hello",
	    (const unsigned char[]){0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00},
	    7);
	cw_buf_free(&z);
	cw_ws_deflate_free(&d);
	free(text);
}
END_TEST

START_TEST(test_init_refuses_an_8_bit_deflate_window)
{
	static const struct cw_ws_deflate_params p8 = {0, 0, 15, 8};
	struct cw_ws_deflate d;

	/* The server only inflates with the client's 8 bits: fine. */
	ck_assert_int_eq(cw_ws_deflate_init(&d, &p8, CW_WS_SERVER, 6, 0), 0);
	cw_ws_deflate_free(&d);
	ck_assert_int_eq(cw_ws_deflate_init(&d, &p8, CW_WS_CLIENT, 6, 0), -1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ws_deflate");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_rfc_hello_compressed);
	tcase_add_test(tc, test_rfc_context_takeover);
	tcase_add_test(tc, test_no_context_takeover);
	tcase_add_test(tc, test_no_context_is_per_direction);
	tcase_add_test(tc, test_rfc_other_encodings);
	tcase_add_test(tc, test_rfc_empty_message);
	tcase_add_test(tc, test_message_after_bfinal);
	tcase_add_loop_test(tc, test_round_trips, 0, 6);
	tcase_add_test(tc, test_decompression_bomb_stops_at_the_bound);
	tcase_add_test(tc, test_bound_is_per_message_across_pieces);
	tcase_add_test(tc, test_corrupt_input);
	tcase_add_test(tc, test_compress_output_bound);
	tcase_add_test(tc, test_init_refuses_an_8_bit_deflate_window);
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
