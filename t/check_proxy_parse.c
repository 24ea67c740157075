/* check_proxy_parse.c - unit tests for src/util/proxy_parse.c, the PROXY
 * protocol header (HAProxy's versions 1 and 2): every form gives its
 * addresses and its exact length, with the client's bytes after it left
 * alone; every malformation is refused, and as early as its first wrong
 * byte where it can be; every input is tried as each of its prefixes (a
 * header split at every byte: all but the whole say "need more"). */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/proxy_parse.h"

static const unsigned char sig[12] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                      0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

/* ---- helpers ------------------------------------------------------------ */

/* A whole header of len bytes: each shorter prefix needs more, the whole
 * is done with its length, and so is the whole followed by a request. */
static struct cw_proxy_hdr whole(const void *p, size_t len)
{
	const unsigned char *b = p;
	unsigned char more[70000];
	struct cw_proxy_hdr h;

	for (size_t k = 0; k < len; k++)
		ck_assert_msg(cw_proxy_parse(b, k, &h) == CW_PROXY_NEED_MORE,
		              "prefix of %zu of %zu bytes", k, len);
	ck_assert_int_eq(cw_proxy_parse(b, len, &h), CW_PROXY_DONE);
	ck_assert_uint_eq(h.len, len);
	ck_assert_uint_le(len + 18, sizeof more);
	memcpy(more, b, len);
	memcpy(more + len, "GET / HTTP/1.1\r\n\r\n", 18);
	ck_assert_int_eq(cw_proxy_parse(more, len + 18, &h), CW_PROXY_DONE);
	ck_assert_uint_eq(h.len, len);
	return h;
}

static struct cw_proxy_hdr whole_text(const char *s)
{
	return whole(s, strlen(s));
}

/* Refused: no prefix is a whole header, the whole is bad, and the first
 * bad prefix is the one of first_bad bytes (0: only the whole). */
static void refused_at(const void *p, size_t len, size_t first_bad)
{
	struct cw_proxy_hdr h;
	size_t at = 0;

	for (size_t k = 1; k <= len; k++) {
		int r = cw_proxy_parse(p, k, &h);

		ck_assert_msg(r != CW_PROXY_DONE, "done at %zu of %zu", k, len);
		if (r == CW_PROXY_BAD && at == 0)
			at = k;
		if (at != 0)
			ck_assert_msg(r == CW_PROXY_BAD,
			              "bad at %zu but not at %zu", at, k);
	}
	ck_assert_msg(at != 0, "never refused (%zu bytes)", len);
	if (first_bad != 0)
		ck_assert_uint_eq(at, first_bad);
}

static void refused_text(const char *s)
{
	refused_at(s, strlen(s), 0);
}

static void assert_v4(const union cw_proxy_addr *a, const char *ip, int port)
{
	char text[INET_ADDRSTRLEN];

	ck_assert_int_eq(a->sa.sa_family, AF_INET);
	inet_ntop(AF_INET, &a->in.sin_addr, text, sizeof text);
	ck_assert_str_eq(text, ip);
	ck_assert_int_eq(ntohs(a->in.sin_port), port);
}

static void assert_v6(const union cw_proxy_addr *a, const char *ip, int port)
{
	char text[INET6_ADDRSTRLEN];

	ck_assert_int_eq(a->sa.sa_family, AF_INET6);
	inet_ntop(AF_INET6, &a->in6.sin6_addr, text, sizeof text);
	ck_assert_str_eq(text, ip);
	ck_assert_int_eq(ntohs(a->in6.sin6_port), port);
}

/* A version 2 header: signature, ver_cmd, fam, the body's length, body. */
static size_t v2(unsigned char *out, unsigned char ver_cmd, unsigned char fam,
                 const void *body, size_t blen)
{
	memcpy(out, sig, 12);
	out[12] = ver_cmd;
	out[13] = fam;
	out[14] = (unsigned char)(blen >> 8);
	out[15] = (unsigned char)blen;
	if (blen > 0)
		memcpy(out + 16, body, blen);
	return 16 + blen;
}

/* The INET block of 192.0.2.1:56324 -> 198.51.100.2:443, then extra. */
static size_t inet_body(unsigned char *b, const void *extra, size_t elen)
{
	static const unsigned char a[12] = {192, 0, 2,    1,    198,  51,
	                                    100, 2, 0xDC, 0x04, 0x01, 0xBB};

	memcpy(b, a, 12);
	if (elen > 0)
		memcpy(b + 12, extra, elen);
	return 12 + elen;
}

/* ---- version 1 ---------------------------------------------------------- */

START_TEST(test_v1_tcp4_gives_both_addresses)
{
	struct cw_proxy_hdr h =
	    whole_text("PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n");

	ck_assert_int_eq(h.version, 1);
	ck_assert_int_eq(h.keep_peer, 0);
	assert_v4(&h.src, "192.0.2.1", 56324);
	assert_v4(&h.dst, "198.51.100.2", 443);
}
END_TEST

START_TEST(test_v1_tcp6_gives_both_addresses)
{
	struct cw_proxy_hdr h =
	    whole_text("PROXY TCP6 2001:db8::1 2001:db8::2 0 65535\r\n");

	ck_assert_int_eq(h.keep_peer, 0);
	assert_v6(&h.src, "2001:db8::1", 0);
	assert_v6(&h.dst, "2001:db8::2", 65535);
	h = whole_text("PROXY TCP6 ::ffff:192.0.2.1 ::1 1 2\r\n");
	assert_v6(&h.src, "::ffff:192.0.2.1", 1);
}
END_TEST

START_TEST(test_v1_unknown_keeps_peer)
{
	struct cw_proxy_hdr h = whole_text("PROXY UNKNOWN\r\n");

	ck_assert_int_eq(h.keep_peer, 1);
	ck_assert_int_eq(h.version, 1);
	/* the spec's longest header: the rest of an UNKNOWN line is ignored */
	h = whole_text("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 "
	               "65535\r\n");
	ck_assert_int_eq(h.keep_peer, 1);
}
END_TEST

START_TEST(test_v1_longest_is_107_bytes)
{
	char line[200];

	memset(line, 'x', sizeof line);
	memcpy(line, "PROXY UNKNOWN ", 14);
	memcpy(line + 105, "\r\n", 2);
	whole(line, 107);
	/* one more byte of line: refused when the 107th byte is not LF */
	memcpy(line + 105, "x\r\n", 3);
	refused_at(line, 108, 107);
	/* no CR at all: refused once 107 bytes have come */
	memset(line + 14, 'x', sizeof line - 14);
	refused_at(line, sizeof line, 107);
}
END_TEST

START_TEST(test_v1_malformed_lines_are_refused)
{
	static const char *const bad[] = {
	    "PROXY TCP4 192.0.2.1 198.51.100.2 1 2\n",    /* bare LF */
	    "PROXY TCP4 192.0.2.1 198.51.100.2 1 2\rX",   /* CR, no LF */
	    "PROXY TCP4 192.0.2.1  198.51.100.2 1 2\r\n", /* two spaces */
	    "PROXY TCP4 192.0.2.1 198.51.100.2 1 2 \r\n", /* trailing space */
	    "PROXY  TCP4 192.0.2.1 198.51.100.2 1 2\r\n",
	    "PROXY TCP4 192.0.2.1 198.51.100.2 1\r\n",     /* a field short */
	    "PROXY TCP4 192.0.2.1 198.51.100.2 1 2 3\r\n", /* one too many */
	    "PROXY TCP5 192.0.2.1 198.51.100.2 1 2\r\n",
	    "PROXY tcp4 192.0.2.1 198.51.100.2 1 2\r\n",
	    "PROXY TCP4 2001:db8::1 198.51.100.2 1 2\r\n", /* family mix */
	    "PROXY TCP6 192.0.2.1 2001:db8::2 1 2\r\n",
	    "PROXY TCP4 192.0.2.256 198.51.100.2 1 2\r\n",
	    "PROXY TCP4 192.0.2 198.51.100.2 1 2\r\n",
	    "PROXY TCP4 example.com 198.51.100.2 1 2\r\n",
	    "PROXY TCP6 2001:db8:::1 2001:db8::2 1 2\r\n",
	    "PROXY TCP4 192.0.2.1 198.51.100.2 65536 2\r\n",
	    "PROXY TCP4 192.0.2.1 198.51.100.2 1 099999\r\n",
	    "PROXY TCP4 192.0.2.1 198.51.100.2 01 2\r\n", /* leading zero */
	    "PROXY TCP4 192.0.2.1 198.51.100.2 -1 2\r\n",
	    "PROXY TCP4 192.0.2.1 198.51.100.2 1a 2\r\n",
	    "PROXY TCP4\r\n",
	    "PROXY \r\n",
	    "PROXY UNKNOWNX\r\n",
	    "PROXY\r\n",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refused_text(bad[i]);
}
END_TEST

START_TEST(test_not_a_header_is_refused_at_first_wrong_byte)
{
	refused_at("GET / HTTP/1.1\r\n\r\n", 18, 1);
	refused_at("proxy TCP4 1.2.3.4 1.2.3.4 1 2\r\n", 32, 1);
	refused_at("PROXZ", 5, 5);
	refused_at("PROXY\r\n", 7, 6);
	refused_at("\x16\x03\x01\x02\x00", 5, 1); /* a TLS ClientHello */
	refused_at("\r\n\r\n\0\r\nQUIX\n", 12, 11);
}
END_TEST

/* ---- version 2 ---------------------------------------------------------- */

START_TEST(test_v2_inet_gives_both_addresses)
{
	unsigned char b[64], body[32];
	size_t n = v2(b, 0x21, 0x11, body, inet_body(body, NULL, 0));
	struct cw_proxy_hdr h = whole(b, n);

	ck_assert_uint_eq(n, 28);
	ck_assert_int_eq(h.version, 2);
	ck_assert_int_eq(h.keep_peer, 0);
	assert_v4(&h.src, "192.0.2.1", 56324);
	assert_v4(&h.dst, "198.51.100.2", 443);
	/* a datagram transport is a valid header as well */
	h = whole(b, v2(b, 0x21, 0x12, body, 12));
	assert_v4(&h.src, "192.0.2.1", 56324);
}
END_TEST

START_TEST(test_v2_inet6_gives_both_addresses)
{
	unsigned char b[64], body[36];
	struct cw_proxy_hdr h;

	memset(body, 0, sizeof body);
	inet_pton(AF_INET6, "2001:db8::1", body);
	inet_pton(AF_INET6, "2001:db8::2", body + 16);
	body[32] = 0x30, body[33] = 0x39; /* 12345 */
	body[34] = 0x00, body[35] = 0x50; /* 80 */
	h = whole(b, v2(b, 0x21, 0x21, body, 36));
	assert_v6(&h.src, "2001:db8::1", 12345);
	assert_v6(&h.dst, "2001:db8::2", 80);
}
END_TEST

START_TEST(test_v2_tlvs_are_skipped)
{
	/* ALPN "h2", AUTHORITY "example.com", an empty NOOP */
	static const unsigned char tlvs[] = {
	    0x01, 0x00, 0x02, 'h', '2', 0x02, 0x00, 0x0B, 'e',  'x',  'a',
	    'm',  'p',  'l',  'e', '.', 'c',  'o',  'm',  0x04, 0x00, 0x00};
	unsigned char b[128], body[64];
	size_t n = v2(b, 0x21, 0x11, body, inet_body(body, tlvs, sizeof tlvs));
	struct cw_proxy_hdr h = whole(b, n);

	ck_assert_uint_eq(h.len, 16 + 12 + sizeof tlvs);
	assert_v4(&h.src, "192.0.2.1", 56324);
}
END_TEST

START_TEST(test_v2_long_header_needs_its_whole_length)
{
	static unsigned char b[16 + 65535], body[65535];
	struct cw_proxy_hdr h;
	size_t n;

	/* one NOOP TLV filling the largest body there can be */
	inet_body(body, NULL, 0);
	body[12] = 0x04;
	body[13] = (unsigned char)((65535 - 15) >> 8);
	body[14] = (unsigned char)(65535 - 15);
	n = v2(b, 0x21, 0x11, body, 65535);
	ck_assert_int_eq(cw_proxy_parse(b, 16, &h), CW_PROXY_NEED_MORE);
	ck_assert_uint_eq(h.len, n);
	ck_assert_int_eq(cw_proxy_parse(b, n - 1, &h), CW_PROXY_NEED_MORE);
	ck_assert_int_eq(cw_proxy_parse(b, n, &h), CW_PROXY_DONE);
	ck_assert_uint_eq(h.len, n);
	/* and the length is unknown before the fixed part is whole */
	ck_assert_int_eq(cw_proxy_parse(b, 15, &h), CW_PROXY_NEED_MORE);
	ck_assert_uint_eq(h.len, 0);
}
END_TEST

START_TEST(test_v2_local_keeps_peer_whatever_follows)
{
	unsigned char b[64];
	struct cw_proxy_hdr h = whole(b, v2(b, 0x20, 0x00, NULL, 0));

	ck_assert_int_eq(h.keep_peer, 1);
	ck_assert_int_eq(h.version, 2);
	/* LOCAL: the family and the block are ignored, not checked */
	h = whole(b, v2(b, 0x20, 0xFF, "junk!", 5));
	ck_assert_int_eq(h.keep_peer, 1);
	ck_assert_uint_eq(h.len, 21);
}
END_TEST

START_TEST(test_v2_unspec_and_unix_keep_peer)
{
	unsigned char b[300], body[216];
	struct cw_proxy_hdr h;

	h = whole(b, v2(b, 0x21, 0x00, NULL, 0));
	ck_assert_int_eq(h.keep_peer, 1);
	memset(body, 0, sizeof body);
	memcpy(body, "/run/haproxy.sock", 17);
	h = whole(b, v2(b, 0x21, 0x31, body, 216));
	ck_assert_int_eq(h.keep_peer, 1);
	h = whole(b, v2(b, 0x21, 0x32, body, 216));
	ck_assert_int_eq(h.keep_peer, 1);
}
END_TEST

START_TEST(test_v2_bad_version_command_family_refused_at_their_byte)
{
	static const unsigned char ver_cmd[] = {0x11, 0x31, 0x01, 0x22, 0x2F};
	static const unsigned char fam[] = {0x10, 0x13, 0x20, 0x23,
	                                    0x33, 0x41, 0x01, 0xFF};
	unsigned char b[64], body[32];
	size_t blen = inet_body(body, NULL, 0);

	for (size_t i = 0; i < sizeof ver_cmd; i++)
		refused_at(b, v2(b, ver_cmd[i], 0x11, body, blen), 13);
	for (size_t i = 0; i < sizeof fam; i++)
		refused_at(b, v2(b, 0x21, fam[i], body, blen), 14);
}
END_TEST

START_TEST(test_v2_signature_refused_at_each_wrong_byte)
{
	unsigned char b[64], body[32];
	size_t n = v2(b, 0x21, 0x11, body, inet_body(body, NULL, 0));

	for (size_t i = 0; i < 12; i++) {
		unsigned char c[64];

		memcpy(c, b, n);
		c[i] ^= 0x20;
		/* a wrong first byte may still begin "PROXY " (it cannot
		 * here: 0x2D is '-'), so each is refused at its own byte */
		refused_at(c, n, i + 1);
	}
}
END_TEST

START_TEST(test_v2_short_address_block_refused)
{
	unsigned char b[128], body[64];

	memset(body, 0, sizeof body);
	refused_at(b, v2(b, 0x21, 0x11, body, 11), 27);
	refused_at(b, v2(b, 0x21, 0x21, body, 35), 51);
	refused_at(b, v2(b, 0x21, 0x31, body, 40), 56);
	refused_at(b, v2(b, 0x21, 0x11, body, 0), 16);
}
END_TEST

START_TEST(test_v2_tlv_outside_length_refused)
{
	static const unsigned char overflow[] = {0x01, 0x00, 0x05, 'h', '2'};
	static const unsigned char stub[] = {0x01, 0x00};
	static const unsigned char second[] = {0x04, 0x00, 0x00, 0x01};
	unsigned char b[128], body[64];
	size_t n;

	n = v2(b, 0x21, 0x11, body, inet_body(body, overflow, sizeof overflow));
	refused_at(b, n, n);
	n = v2(b, 0x21, 0x11, body, inet_body(body, stub, sizeof stub));
	refused_at(b, n, n);
	n = v2(b, 0x21, 0x11, body, inet_body(body, second, sizeof second));
	refused_at(b, n, n);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("proxy_parse");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_v1_tcp4_gives_both_addresses);
	tcase_add_test(tc, test_v1_tcp6_gives_both_addresses);
	tcase_add_test(tc, test_v1_unknown_keeps_peer);
	tcase_add_test(tc, test_v1_longest_is_107_bytes);
	tcase_add_test(tc, test_v1_malformed_lines_are_refused);
	tcase_add_test(tc, test_not_a_header_is_refused_at_first_wrong_byte);
	tcase_add_test(tc, test_v2_inet_gives_both_addresses);
	tcase_add_test(tc, test_v2_inet6_gives_both_addresses);
	tcase_add_test(tc, test_v2_tlvs_are_skipped);
	tcase_add_test(tc, test_v2_long_header_needs_its_whole_length);
	tcase_add_test(tc, test_v2_local_keeps_peer_whatever_follows);
	tcase_add_test(tc, test_v2_unspec_and_unix_keep_peer);
	tcase_add_test(
	    tc, test_v2_bad_version_command_family_refused_at_their_byte);
	tcase_add_test(tc, test_v2_signature_refused_at_each_wrong_byte);
	tcase_add_test(tc, test_v2_short_address_block_refused);
	tcase_add_test(tc, test_v2_tlv_outside_length_refused);
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
