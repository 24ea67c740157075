/* check_e2e_compress.c - compressed static files over real sockets, each
 * body decoded with libzstd or zlib and compared with the file: copies
 * compressed on the fly (zstd first, gzip for the others, q-values,
 * identity;q=0), the cache and its invalidation, precompressed sidecars
 * (.zst, .br, .gz) with ranges on their bytes, CivetWeb's file.gz for a
 * missing file, and what is never compressed (small files, other types,
 * incompressible data, ranges, compression off). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civetd.h"
#include "civetweb.h"
#include "testlib.h"
#include "util/coding.h"
#include "util/zcodec.h"
#include "zdecode.h"

#define TEXT_SIZE (100 * 1024)

static char *root;
static char *text; /* TEXT_SIZE bytes of text, also text.txt */
static struct cw_buf side_zst, side_gz; /* side.txt's sidecars */
static const char side_br[] = "not really brotli, but the .br sidecar";
static const char side_plain[] = "the side file, uncompressed\n";

static struct mg_context *ctx;
static int port;

static void make_text(char *p, size_t n)
{
	static const char *const words[] = {
	    "server", "request", "header", "body", "file", "range", "cache",
	    "zstd",   "gzip",    "worker", "the",  "of",   "and",   "to"};
	size_t i = 0;
	unsigned k = 7;

	while (i < n) {
		const char *w;
		size_t wl;

		k = k * 1103515245u + 12345u;
		w = words[(k >> 16) % (sizeof words / sizeof words[0])];
		wl = strlen(w);
		for (size_t j = 0; j < wl && i < n; j++)
			p[i++] = w[j];
		if (i < n)
			p[i++] = (k & 0x300) == 0 ? '\n' : ' ';
	}
}

static void make_tree(void)
{
	char rnd[8192];
	FILE *f;

	root = tl_mkdtemp();
	text = malloc(TEXT_SIZE);
	ck_assert_ptr_nonnull(text);
	make_text(text, TEXT_SIZE);
	tl_write_file(root, "text.txt", text, TEXT_SIZE);
	tl_write_file(root, "small.txt", text, 100);
	tl_write_file(root, "image.png", text, 8192); /* not a text type */
	f = fopen("/dev/urandom", "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(rnd, 1, sizeof rnd, f), sizeof rnd);
	fclose(f);
	tl_write_file(root, "random.txt", rnd, sizeof rnd);
	tl_write_file(root, "side.txt", side_plain, strlen(side_plain));
	ck_assert_int_eq(cw_zcompress(CW_CODING_ZSTD, 3, side_plain,
	                              strlen(side_plain), &side_zst, 1 << 20),
	                 0);
	ck_assert_int_eq(cw_zcompress(CW_CODING_GZIP, 6, side_plain,
	                              strlen(side_plain), &side_gz, 1 << 20),
	                 0);
	tl_write_file(root, "side.txt.zst", side_zst.data, side_zst.len);
	tl_write_file(root, "side.txt.gz", side_gz.data, side_gz.len);
	tl_write_file(root, "side.txt.br", side_br, strlen(side_br));
	tl_write_file(root, "gone.txt.gz", side_gz.data, side_gz.len);
}

static void remove_tree(void)
{
	tl_rmdir(root);
	free(root);
	free(text);
	cw_buf_free(&side_zst);
	cw_buf_free(&side_gz);
}

/* ---- handlers ------------------------------------------------------------ */

/* The text with its own Content-Length head, written in pieces. */
static int dyn_printf(struct mg_connection *c, void *arg)
{
	(void)arg;
	mg_printf(c,
	          "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8"
	          "\r\nContent-Length: %d\r\n\r\n",
	          TEXT_SIZE);
	for (size_t off = 0; off < TEXT_SIZE; off += 7000)
		mg_write(c, text + off,
		         TEXT_SIZE - off < 7000 ? TEXT_SIZE - off : 7000);
	return 200;
}

/* mg_send_http_ok with no length, then chunks. */
static int dyn_chunks(struct mg_connection *c, void *arg)
{
	(void)arg;
	mg_send_http_ok(c, "application/json", -1);
	for (size_t off = 0; off < TEXT_SIZE; off += 10000)
		mg_send_chunk(c, text + off,
		              TEXT_SIZE - off < 10000
		                  ? (unsigned)(TEXT_SIZE - off)
		                  : 10000u);
	mg_send_chunk(c, "", 0);
	return 200;
}

/* Asks for compression itself (the server's option is off). */
static int dyn_asks(struct mg_connection *c, void *arg)
{
	int before = civetd_compress_response(c), after;

	(void)arg;
	mg_send_http_ok(c, "text/html", TEXT_SIZE);
	mg_write(c, text, TEXT_SIZE);
	after = civetd_compress_response(c); /* too late */
	return before == 0 && after == -1 ? 200 : 500;
}

/* Frames its own chunks: left alone. */
static int dyn_own_chunks(struct mg_connection *c, void *arg)
{
	(void)arg;
	mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	             "Transfer-Encoding: chunked\r\n\r\n");
	mg_printf(c, "%x\r\n", 2000);
	mg_write(c, text, 2000);
	mg_printf(c, "\r\n0\r\n\r\n");
	return 200;
}

/* Not compressed: too small, or not a text type. */
static int dyn_small(struct mg_connection *c, void *arg)
{
	(void)arg;
	mg_send_http_ok(c, "text/plain", 100);
	mg_write(c, text, 100);
	return 200;
}

static int dyn_image(struct mg_connection *c, void *arg)
{
	(void)arg;
	mg_send_http_ok(c, "image/png", 8192);
	mg_write(c, text, 8192);
	return 200;
}

/* mg_send_file() of side.txt: the application's file, no sidecar. */
static int send_side(struct mg_connection *c, void *arg)
{
	char p[1024];

	(void)arg;
	snprintf(p, sizeof p, "%s/side.txt", root);
	mg_send_file(c, p);
	return 200;
}

static struct mg_context *start_with(const char *compression,
                                     const char *dynamic, int *p)
{
	const char *opts[] = {"document_root",
	                      root,
	                      "compression",
	                      compression,
	                      "compression_dynamic",
	                      dynamic,
	                      "enable_keep_alive",
	                      "yes",
	                      NULL};
	struct mg_context *c = tl_start(NULL, NULL, opts, p);

	mg_set_request_handler(c, "/dyn/printf$", dyn_printf, NULL);
	mg_set_request_handler(c, "/dyn/chunks$", dyn_chunks, NULL);
	mg_set_request_handler(c, "/dyn/asks$", dyn_asks, NULL);
	mg_set_request_handler(c, "/dyn/own$", dyn_own_chunks, NULL);
	mg_set_request_handler(c, "/dyn/small$", dyn_small, NULL);
	mg_set_request_handler(c, "/dyn/image$", dyn_image, NULL);
	mg_set_request_handler(c, "/dyn/side$", send_side, NULL);
	return c;
}

static struct mg_context *start(const char *compression, int *p)
{
	return start_with(compression, "yes", p);
}

static void setup(void)
{
	ctx = start("yes", &port);
}

static void teardown(void)
{
	mg_stop(ctx);
}

/* GET (or method) target with extra header lines on port p. */
static int ask_on(int p, const char *method, const char *target,
                  const char *extra, struct tl_resp *r)
{
	return tl_ask(p, method, target, extra, r);
}

static int get_ae(const char *target, const char *ae, struct tl_resp *r)
{
	char line[512] = "";

	if (ae != NULL)
		snprintf(line, sizeof line, "Accept-Encoding: %s\r\n", ae);
	return ask_on(port, "GET", target, line, r);
}

/* The body of r decoded as its Content-Encoding says must be want. */
static void expect_decoded(const struct tl_resp *r, const char *coding,
                           const void *want, size_t len)
{
	const char *ce = tl_header(r, "Content-Encoding");
	struct cw_buf out = {NULL, 0, 0};
	int k = strcmp(coding, "zstd") == 0 ? CW_CODING_ZSTD : CW_CODING_GZIP;

	ck_assert_ptr_nonnull(ce);
	ck_assert_str_eq(ce, coding);
	ck_assert_int_eq(zdec_all(k, r->body, r->body_len, &out), 0);
	ck_assert_uint_eq(out.len, len);
	ck_assert(memcmp(out.data, want, len) == 0);
	cw_buf_free(&out);
}

/* The coding chosen for ae on text.txt ("identity" when none). */
static void expect_coding(const char *ae, const char *coding)
{
	struct tl_resp r;

	ck_assert_int_eq(get_ae("/text.txt", ae, &r), 200);
	if (strcmp(coding, "identity") == 0) {
		ck_assert_ptr_null(tl_header(&r, "Content-Encoding"));
		ck_assert_uint_eq(r.body_len, TEXT_SIZE);
		ck_assert(memcmp(r.body, text, TEXT_SIZE) == 0);
	} else {
		expect_decoded(&r, coding, text, TEXT_SIZE);
	}
	ck_assert_str_eq(tl_header(&r, "Vary"), "Accept-Encoding");
	tl_resp_free(&r);
}

START_TEST(text_is_compressed_with_zstd_and_the_cache_gives_the_same_bytes)
{
	struct tl_resp a, b;
	char etag[128];

	ck_assert_int_eq(get_ae("/text.txt", "gzip, deflate, br, zstd", &a),
	                 200);
	expect_decoded(&a, "zstd", text, TEXT_SIZE);
	ck_assert_str_eq(tl_header(&a, "Content-Type"), "text/plain");
	ck_assert_uint_lt(a.body_len, TEXT_SIZE / 2);
	snprintf(etag, sizeof etag, "%s", tl_header(&a, "Etag"));
	ck_assert_ptr_nonnull(strstr(etag, "-zstd\""));
	ck_assert_int_eq(get_ae("/text.txt", "zstd", &b), 200);
	ck_assert_uint_eq(b.body_len, a.body_len);
	ck_assert(memcmp(a.body, b.body, a.body_len) == 0);
	ck_assert_str_eq(tl_header(&b, "Etag"), etag);
	tl_resp_free(&a);
	tl_resp_free(&b);
}
END_TEST

START_TEST(accept_encoding_q_values_choose_the_coding)
{
	expect_coding("gzip, deflate", "gzip");
	expect_coding("gzip;q=1, zstd;q=0.5", "gzip");
	expect_coding("zstd;q=0.2, gzip;q=0.1", "zstd");
	expect_coding("ZSTD", "zstd");
	expect_coding("zstd;q=0, gzip;q=0", "identity");
	expect_coding("*;q=0.1", "zstd");
	expect_coding("identity", "identity");
	expect_coding("identity;q=0, gzip", "gzip");
	expect_coding(NULL, "identity");
}
END_TEST

START_TEST(identity_excluded_with_nothing_else_is_406)
{
	struct tl_resp r;

	ck_assert_int_eq(get_ae("/image.png", "identity;q=0", &r), 406);
	tl_resp_free(&r);
	ck_assert_int_eq(get_ae("/image.png", "gzip, identity;q=0", &r), 406);
	tl_resp_free(&r);
	ck_assert_int_eq(get_ae("/image.png", "gzip", &r), 200);
	ck_assert_ptr_null(tl_header(&r, "Content-Encoding"));
	tl_resp_free(&r);
}
END_TEST

START_TEST(small_files_other_types_and_random_data_are_not_compressed)
{
	const char *targets[] = {"/small.txt", "/image.png", "/random.txt"};
	struct tl_resp r;

	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < 3; i++) {
			ck_assert_int_eq(get_ae(targets[i], "zstd, gzip", &r),
			                 200);
			ck_assert_ptr_null(tl_header(&r, "Content-Encoding"));
			tl_resp_free(&r);
		}
	}
	/* an image has no Vary: nothing would be chosen differently */
	ck_assert_int_eq(get_ae("/image.png", "zstd", &r), 200);
	ck_assert_ptr_null(tl_header(&r, "Vary"));
	tl_resp_free(&r);
}
END_TEST

START_TEST(a_range_is_never_served_compressed)
{
	struct tl_resp r;

	ck_assert_int_eq(
	    ask_on(port, "GET", "/text.txt",
	           "Accept-Encoding: zstd\r\nRange: bytes=10-19\r\n", &r),
	    206);
	ck_assert_ptr_null(tl_header(&r, "Content-Encoding"));
	ck_assert_uint_eq(r.body_len, 10);
	ck_assert(memcmp(r.body, text + 10, 10) == 0);
	tl_resp_free(&r);
}
END_TEST

START_TEST(head_and_conditional_requests_use_the_compressed_form)
{
	struct tl_resp r, h;
	char etag[128], line[256];

	ck_assert_int_eq(get_ae("/text.txt", "zstd", &r), 200);
	snprintf(etag, sizeof etag, "%s", tl_header(&r, "Etag"));
	ck_assert_int_eq(
	    ask_on(port, "HEAD", "/text.txt", "Accept-Encoding: zstd\r\n", &h),
	    200);
	ck_assert_uint_eq(h.body_len, 0);
	ck_assert_uint_eq((size_t)atol(tl_header(&h, "Content-Length")),
	                  r.body_len);
	tl_resp_free(&h);
	tl_resp_free(&r);
	snprintf(line, sizeof line,
	         "Accept-Encoding: zstd\r\nIf-None-Match: %s\r\n", etag);
	ck_assert_int_eq(ask_on(port, "GET", "/text.txt", line, &r), 304);
	ck_assert_str_eq(tl_header(&r, "Vary"), "Accept-Encoding");
	tl_resp_free(&r);
	/* the zstd tag does not match the gzip form */
	snprintf(line, sizeof line,
	         "Accept-Encoding: gzip\r\nIf-None-Match: %s\r\n", etag);
	ck_assert_int_eq(ask_on(port, "GET", "/text.txt", line, &r), 200);
	expect_decoded(&r, "gzip", text, TEXT_SIZE);
	tl_resp_free(&r);
}
END_TEST

START_TEST(sidecars_are_sent_as_they_are_with_the_original_type)
{
	struct tl_resp r;
	char tags[3][128];

	ck_assert_int_eq(get_ae("/side.txt", "gzip, zstd, br", &r), 200);
	ck_assert_str_eq(tl_header(&r, "Content-Encoding"), "zstd");
	ck_assert_str_eq(tl_header(&r, "Content-Type"), "text/plain");
	ck_assert_str_eq(tl_header(&r, "Vary"), "Accept-Encoding");
	ck_assert_uint_eq(r.body_len, side_zst.len);
	ck_assert(memcmp(r.body, side_zst.data, side_zst.len) == 0);
	snprintf(tags[0], sizeof tags[0], "%s", tl_header(&r, "Etag"));
	tl_resp_free(&r);
	ck_assert_int_eq(get_ae("/side.txt", "br;q=0.9, gzip;q=0.5", &r), 200);
	ck_assert_str_eq(tl_header(&r, "Content-Encoding"), "br");
	ck_assert_str_eq(r.body, side_br);
	snprintf(tags[1], sizeof tags[1], "%s", tl_header(&r, "Etag"));
	tl_resp_free(&r);
	ck_assert_int_eq(get_ae("/side.txt", "gzip", &r), 200);
	expect_decoded(&r, "gzip", side_plain, strlen(side_plain));
	snprintf(tags[2], sizeof tags[2], "%s", tl_header(&r, "Etag"));
	tl_resp_free(&r);
	ck_assert_str_ne(tags[0], tags[1]);
	ck_assert_str_ne(tags[1], tags[2]);
	ck_assert_int_eq(get_ae("/side.txt", NULL, &r), 200);
	ck_assert_str_eq(r.body, side_plain);
	tl_resp_free(&r);
}
END_TEST

START_TEST(send_file_sends_the_named_file_not_its_sidecar)
{
	struct tl_resp r;

	ck_assert_int_eq(get_ae("/dyn/side", "zstd, gzip", &r), 200);
	ck_assert_ptr_null(tl_header(&r, "Content-Encoding"));
	ck_assert_str_eq(r.body, side_plain);
	tl_resp_free(&r);
}
END_TEST

START_TEST(ranges_of_a_sidecar_are_ranges_of_its_bytes)
{
	struct tl_resp r;
	char cr[64];

	ck_assert_int_eq(ask_on(port, "GET", "/side.txt",
	                        "Accept-Encoding: gzip\r\nRange: bytes=0-9\r\n",
	                        &r),
	                 206);
	ck_assert_str_eq(tl_header(&r, "Content-Encoding"), "gzip");
	snprintf(cr, sizeof cr, "bytes 0-9/%zu", side_gz.len);
	ck_assert_str_eq(tl_header(&r, "Content-Range"), cr);
	ck_assert_uint_eq(r.body_len, 10);
	ck_assert(memcmp(r.body, side_gz.data, 10) == 0);
	tl_resp_free(&r);
}
END_TEST

/* As CivetWeb: a missing file whose .gz exists is that, for gzip clients,
 * compression on or off. */
START_TEST(a_missing_file_is_its_gz_for_gzip_clients)
{
	struct tl_resp r;
	int p2;
	struct mg_context *c2 = start("no", &p2);

	ck_assert_int_eq(
	    ask_on(p2, "GET", "/gone.txt", "Accept-Encoding: gzip\r\n", &r),
	    200);
	ck_assert_str_eq(tl_header(&r, "Content-Type"), "text/plain");
	expect_decoded(&r, "gzip", side_plain, strlen(side_plain));
	tl_resp_free(&r);
	ck_assert_int_eq(ask_on(p2, "GET", "/gone.txt", NULL, &r), 404);
	tl_resp_free(&r);
	mg_stop(c2);
}
END_TEST

START_TEST(compression_off_sends_files_as_they_are)
{
	struct tl_resp r;
	int p2;
	struct mg_context *c2 = start("no", &p2);

	ck_assert_int_eq(ask_on(p2, "GET", "/text.txt",
	                        "Accept-Encoding: zstd, gzip\r\n", &r),
	                 200);
	ck_assert_ptr_null(tl_header(&r, "Content-Encoding"));
	ck_assert_ptr_null(tl_header(&r, "Vary"));
	ck_assert_uint_eq(r.body_len, TEXT_SIZE);
	tl_resp_free(&r);
	ck_assert_int_eq(ask_on(p2, "GET", "/side.txt",
	                        "Accept-Encoding: zstd, gzip\r\n", &r),
	                 200);
	ck_assert_str_eq(r.body, side_plain);
	tl_resp_free(&r);
	mg_stop(c2);
}
END_TEST

struct change {
	const char *want;
	size_t len;
};

static int decodes_to(void *arg)
{
	const struct change *w = arg;
	struct tl_resp r;
	struct cw_buf out = {NULL, 0, 0};
	int ok = get_ae("/changing.txt", "zstd", &r) == 200 &&
	         tl_header(&r, "Content-Encoding") != NULL &&
	         zdec_all(CW_CODING_ZSTD, r.body, r.body_len, &out) == 0 &&
	         out.len == w->len && memcmp(out.data, w->want, w->len) == 0;

	tl_resp_free(&r);
	cw_buf_free(&out);
	return ok;
}

START_TEST(a_changed_file_is_compressed_again)
{
	char *second = malloc(TEXT_SIZE);
	struct change one = {text, TEXT_SIZE / 2};
	struct change two = {second, TEXT_SIZE};

	ck_assert_ptr_nonnull(second);
	make_text(second, TEXT_SIZE);
	memcpy(second, "CHANGED", 7);
	tl_write_file(root, "changing.txt", text, TEXT_SIZE / 2);
	tl_wait_until(decodes_to, &one, 2000, "the first version");
	tl_write_file(root, "changing.txt", second, TEXT_SIZE);
	tl_wait_until(decodes_to, &two, 2000, "the second version");
	free(second);
}
END_TEST

/* ---- handler output ------------------------------------------------------ */

START_TEST(handler_output_is_compressed_and_chunked)
{
	struct tl_resp r;

	ck_assert_int_eq(get_ae("/dyn/printf", "zstd", &r), 200);
	ck_assert(r.chunked);
	ck_assert_ptr_null(tl_header(&r, "Content-Length"));
	ck_assert_str_eq(tl_header(&r, "Vary"), "Accept-Encoding");
	expect_decoded(&r, "zstd", text, TEXT_SIZE);
	tl_resp_free(&r);
	ck_assert_int_eq(get_ae("/dyn/chunks", "gzip", &r), 200);
	ck_assert(r.chunked);
	expect_decoded(&r, "gzip", text, TEXT_SIZE);
	tl_resp_free(&r);
	/* without Accept-Encoding: as written */
	ck_assert_int_eq(get_ae("/dyn/printf", NULL, &r), 200);
	ck_assert_ptr_null(tl_header(&r, "Content-Encoding"));
	ck_assert_uint_eq(r.body_len, TEXT_SIZE);
	ck_assert(memcmp(r.body, text, TEXT_SIZE) == 0);
	tl_resp_free(&r);
}
END_TEST

START_TEST(compressed_handler_responses_keep_the_connection)
{
	int fd = tl_connect(port);
	struct tl_resp r;

	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(
		    tl_send(fd, "GET /dyn/chunks HTTP/1.1\r\nHost: x\r\n"
		                "Accept-Encoding: zstd\r\n\r\n"),
		    0);
		ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
		expect_decoded(&r, "zstd", text, TEXT_SIZE);
		ck_assert(!r.closed);
		tl_resp_free(&r);
	}
	close(fd);
}
END_TEST

START_TEST(what_does_not_qualify_is_sent_as_written)
{
	const char *targets[] = {"/dyn/own", "/dyn/small", "/dyn/image"};
	struct tl_resp r;

	for (size_t i = 0; i < 3; i++) {
		ck_assert_int_eq(get_ae(targets[i], "zstd, gzip", &r), 200);
		ck_assert_msg(tl_header(&r, "Content-Encoding") == NULL, "%s",
		              targets[i]);
		tl_resp_free(&r);
	}
	ck_assert_int_eq(get_ae("/dyn/own", "zstd", &r), 200);
	ck_assert_uint_eq(r.body_len, 2000);
	ck_assert(memcmp(r.body, text, 2000) == 0);
	tl_resp_free(&r);
}
END_TEST

START_TEST(a_handler_can_ask_for_compression_when_the_option_is_off)
{
	struct tl_resp r;
	int p2;
	struct mg_context *c2 = start_with("no", "no", &p2);

	ck_assert_int_eq(
	    ask_on(p2, "GET", "/dyn/asks", "Accept-Encoding: gzip\r\n", &r),
	    200);
	expect_decoded(&r, "gzip", text, TEXT_SIZE);
	tl_resp_free(&r);
	/* the others are not compressed */
	ck_assert_int_eq(
	    ask_on(p2, "GET", "/dyn/printf", "Accept-Encoding: gzip\r\n", &r),
	    200);
	ck_assert_ptr_null(tl_header(&r, "Content-Encoding"));
	ck_assert_uint_eq(r.body_len, TEXT_SIZE);
	tl_resp_free(&r);
	mg_stop(c2);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_compress");
	TCase *tc = tcase_create("compress");

	tcase_add_unchecked_fixture(tc, make_tree, remove_tree);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(
	    tc,
	    text_is_compressed_with_zstd_and_the_cache_gives_the_same_bytes);
	tcase_add_test(tc, accept_encoding_q_values_choose_the_coding);
	tcase_add_test(tc, identity_excluded_with_nothing_else_is_406);
	tcase_add_test(
	    tc, small_files_other_types_and_random_data_are_not_compressed);
	tcase_add_test(tc, a_range_is_never_served_compressed);
	tcase_add_test(tc,
	               head_and_conditional_requests_use_the_compressed_form);
	tcase_add_test(tc,
	               sidecars_are_sent_as_they_are_with_the_original_type);
	tcase_add_test(tc, ranges_of_a_sidecar_are_ranges_of_its_bytes);
	tcase_add_test(tc, send_file_sends_the_named_file_not_its_sidecar);
	tcase_add_test(tc, a_missing_file_is_its_gz_for_gzip_clients);
	tcase_add_test(tc, compression_off_sends_files_as_they_are);
	tcase_add_test(tc, a_changed_file_is_compressed_again);
	tcase_add_test(tc, handler_output_is_compressed_and_chunked);
	tcase_add_test(tc, compressed_handler_responses_keep_the_connection);
	tcase_add_test(tc, what_does_not_qualify_is_sent_as_written);
	tcase_add_test(
	    tc, a_handler_can_ask_for_compression_when_the_option_is_off);
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
