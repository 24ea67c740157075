/* check_ws_frame.c - unit tests for src/util/ws_frame.c: RFC 6455 5.7's
 * example frames parse to their messages, and every rule of strict
 * parsing (masking by role, reserved bits and opcodes, control frames,
 * fragmentation, lengths, the message bound, close payloads, UTF-8 of
 * text) gives its close code; each input gives the same transcript of
 * events pushed whole, split at every byte boundary, and a byte at a
 * time. The header writer reproduces the RFC's bytes. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/ws_frame.h"

#define NOMAX 0
#define BIG   (SIZE_MAX / 2)

static const unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};

/* ---- building input ------------------------------------------------------ */

/* One frame appended to b: masked with key when masked. */
static void frame(struct cw_buf *b, unsigned first, uint64_t len,
                  const void *payload, int masked)
{
	unsigned char h[CW_WS_HEADER_MAX];
	size_t n = cw_ws_write_header(h, first & 0xf0, first & 0x0f, len,
	                              masked ? key : NULL);

	if (n == 0 && len < 65536) {
		/* A frame the writer refuses to make (a fragmented or long
		 * control frame): put its header together by hand. */
		h[0] = (unsigned char)first;
		h[1] = (unsigned char)((masked ? 0x80 : 0) |
		                       (len < 126 ? len : 126));
		n = 2;
		if (len >= 126) {
			h[2] = (unsigned char)(len >> 8);
			h[3] = (unsigned char)len;
			n = 4;
		}
		memcpy(h + n, key, 4);
		n += masked ? 4 : 0;
	}
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(cw_buf_add(b, h, n, BIG), 0);
	ck_assert_int_eq(cw_buf_add(b, payload, (size_t)len, BIG), 0);
	if (masked)
		cw_ws_mask((unsigned char *)b->data + b->len - len,
		           (unsigned char *)b->data + b->len - len, (size_t)len,
		           key, 0);
}

/* A masked (client) frame, as a server receives it. */
static void cframe(struct cw_buf *b, unsigned first, const char *payload)
{
	frame(b, first, strlen(payload), payload, 1);
}

static void raw(struct cw_buf *b, const void *bytes, size_t n)
{
	ck_assert_int_eq(cw_buf_add(b, bytes, n, BIG), 0);
}

/* ---- running the parser ----------------------------------------------------
 */

struct run {
	enum cw_ws_role role;
	uint64_t max;
	int deflate;
};

static const struct run server = {CW_WS_SERVER, NOMAX, 0};
static const struct run client = {CW_WS_CLIENT, NOMAX, 0};

static uint32_t fnv(uint32_t h, const unsigned char *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/* A transcript of the events, independent of how the input was split:
 * frames (their first byte), whole messages (opcode, compression, length,
 * content: hex when short, else a hash), control frames, the error. The
 * last message's bytes are kept in msg. */
struct transcript {
	struct cw_buf t;
	struct cw_buf msg;
	int open;
	unsigned error;
};

static void note_event(struct transcript *tr, const struct cw_ws_event *ev)
{
	size_t i;

	switch (ev->type) {
	case CW_WS_EV_FRAME:
		cw_buf_printf(&tr->t, BIG, "F%02x;", ev->frame->bits);
		if (!tr->open)
			tr->msg.len = 0;
		tr->open = 1;
		break;
	case CW_WS_EV_DATA:
		ck_assert_int_eq(cw_buf_add(&tr->msg, ev->data, ev->len, BIG),
		                 0);
		if (!ev->message_end)
			break;
		cw_buf_printf(&tr->t, BIG, "M%u%s:%zu:", ev->opcode,
		              ev->compressed ? "z" : "", tr->msg.len);
		if (tr->msg.len <= 32) {
			for (i = 0; i < tr->msg.len; i++)
				cw_buf_printf(&tr->t, BIG, "%02x",
				              (unsigned char)tr->msg.data[i]);
		} else {
			cw_buf_printf(&tr->t, BIG, "#%08x",
			              fnv(2166136261u,
			                  (unsigned char *)tr->msg.data,
			                  tr->msg.len));
		}
		cw_buf_printf(&tr->t, BIG, ";");
		tr->open = 0;
		break;
	case CW_WS_EV_CONTROL:
		cw_buf_printf(&tr->t, BIG, "C%u:%u:", ev->opcode,
		              ev->close_code);
		for (i = 0; i < ev->len; i++)
			cw_buf_printf(&tr->t, BIG, "%02x", ev->data[i]);
		cw_buf_printf(&tr->t, BIG, ";");
		break;
	case CW_WS_EV_ERROR:
		tr->error = ev->close_code;
		cw_buf_printf(&tr->t, BIG, "E%u;", ev->close_code);
		break;
	case CW_WS_EV_MORE:
		break;
	}
}

/* Push piece into p until it asks for more; 0, or -1 after an error. */
static int push(struct cw_ws_parser *p, unsigned char *piece, size_t n,
                struct transcript *tr)
{
	struct cw_ws_event ev;
	size_t off = 0, used;

	do {
		used = cw_ws_parse(p, piece + off, n - off, &ev);
		ck_assert_uint_le(used, n - off);
		off += used;
		note_event(tr, &ev);
		if (ev.type == CW_WS_EV_ERROR)
			return -1;
	} while (ev.type != CW_WS_EV_MORE);
	ck_assert_uint_eq(off, n);
	return 0;
}

/* Parse in[0..n) cut at the given points (ascending), into tr. */
static void run_cuts(const struct run *r, const struct cw_buf *in,
                     const size_t *cuts, size_t ncuts, struct transcript *tr)
{
	unsigned char *copy = malloc(in->len + 1);
	struct cw_ws_parser p;
	size_t start = 0, i;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, in->data, in->len);
	memset(tr, 0, sizeof(*tr));
	cw_ws_parser_init(&p, r->role, r->max, r->deflate);
	for (i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : in->len;

		if (push(&p, copy + start, end - start, tr) != 0)
			break;
		start = end;
	}
	free(copy);
}

static const char *text_of(const struct transcript *tr)
{
	return tr->t.data ? tr->t.data : "";
}

static void transcript_free(struct transcript *tr)
{
	cw_buf_free(&tr->t);
	cw_buf_free(&tr->msg);
}

/* Parse in whole, then split at every boundary (all of them for small
 * input, the first and last 40 otherwise), then a byte at a time; every
 * run must give the same transcript, which is compared with want. */
static void expect(const struct run *r, struct cw_buf *in, const char *want)
{
	struct transcript whole, split;
	size_t i, *cuts;

	run_cuts(r, in, NULL, 0, &whole);
	ck_assert_str_eq(text_of(&whole), want);
	for (i = 1; i < in->len; i++) {
		if (in->len > 2048 && i > 40 && i < in->len - 40)
			continue;
		run_cuts(r, in, &i, 1, &split);
		ck_assert_msg(strcmp(text_of(&split), want) == 0,
		              "split at %zu: %s", i, text_of(&split));
		transcript_free(&split);
	}
	cuts = malloc((in->len + 1) * sizeof(*cuts));
	ck_assert_ptr_nonnull(cuts);
	for (i = 1; i < in->len; i++)
		cuts[i - 1] = i;
	run_cuts(r, in, cuts, in->len ? in->len - 1 : 0, &split);
	ck_assert_msg(strcmp(text_of(&split), want) == 0, "byte at a time: %s",
	              text_of(&split));
	free(cuts);
	transcript_free(&split);
	transcript_free(&whole);
	cw_buf_free(in);
}

/* ---- RFC 6455 5.7 -----------------------------------------------------------
 */

START_TEST(test_rfc_unmasked_hello)
{
	struct cw_buf in = {0};

	raw(&in, "\x81\x05\x48\x65\x6c\x6c\x6f", 7);
	expect(&client, &in, "F81;M1:5:48656c6c6f;");
}
END_TEST

START_TEST(test_rfc_masked_hello)
{
	struct cw_buf in = {0};

	raw(&in, "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11);
	expect(&server, &in, "F81;M1:5:48656c6c6f;");
}
END_TEST

START_TEST(test_rfc_fragmented_hello)
{
	struct cw_buf in = {0};

	raw(&in, "\x01\x03\x48\x65\x6c\x80\x02\x6c\x6f", 9);
	expect(&client, &in, "F01;F80;M1:5:48656c6c6f;");
}
END_TEST

START_TEST(test_rfc_ping_and_masked_pong)
{
	struct cw_buf in = {0};

	raw(&in, "\x89\x05\x48\x65\x6c\x6c\x6f", 7);
	expect(&client, &in, "C9:0:48656c6c6f;");
	raw(&in, "\x8a\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11);
	expect(&server, &in, "C10:0:48656c6c6f;");
}
END_TEST

/* 256 bytes take the 16-bit length, 64 KiB the 64-bit one. */
START_TEST(test_rfc_256_and_64k_binary)
{
	static unsigned char big[65536];
	struct cw_buf in = {0};
	char want[64];
	size_t i;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)(i * 7 + 3);
	raw(&in, "\x82\x7e\x01\x00", 4);
	raw(&in, big, 256);
	snprintf(want, sizeof(want), "F82;M2:256:#%08x;",
	         fnv(2166136261u, big, 256));
	expect(&client, &in, want);
	raw(&in, "\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10);
	raw(&in, big, sizeof(big));
	snprintf(want, sizeof(want), "F82;M2:65536:#%08x;",
	         fnv(2166136261u, big, sizeof(big)));
	expect(&client, &in, want);
	frame(&in, 0x82, sizeof(big), big, 1);
	expect(&server, &in, want);
}
END_TEST

/* ---- the writer -------------------------------------------------------------
 */

START_TEST(test_writer_reproduces_rfc_headers)
{
	unsigned char h[CW_WS_HEADER_MAX];

	ck_assert_uint_eq(
	    cw_ws_write_header(h, CW_WS_FIN, CW_WS_OP_TEXT, 5, NULL), 2);
	ck_assert_int_eq(memcmp(h, "\x81\x05", 2), 0);
	ck_assert_uint_eq(
	    cw_ws_write_header(h, CW_WS_FIN, CW_WS_OP_TEXT, 5, key), 6);
	ck_assert_int_eq(memcmp(h, "\x81\x85\x37\xfa\x21\x3d", 6), 0);
	ck_assert_uint_eq(cw_ws_write_header(h, 0, CW_WS_OP_TEXT, 3, NULL), 2);
	ck_assert_int_eq(memcmp(h, "\x01\x03", 2), 0);
	ck_assert_uint_eq(
	    cw_ws_write_header(h, CW_WS_FIN, CW_WS_OP_CONT, 2, NULL), 2);
	ck_assert_int_eq(memcmp(h, "\x80\x02", 2), 0);
	ck_assert_uint_eq(
	    cw_ws_write_header(h, CW_WS_FIN, CW_WS_OP_BINARY, 256, NULL), 4);
	ck_assert_int_eq(memcmp(h, "\x82\x7e\x01\x00", 4), 0);
	ck_assert_uint_eq(
	    cw_ws_write_header(h, CW_WS_FIN, CW_WS_OP_BINARY, 65536, NULL), 10);
	ck_assert_int_eq(
	    memcmp(h, "\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10), 0);
	ck_assert_uint_eq(cw_ws_write_header(h, CW_WS_FIN | CW_WS_RSV1,
	                                     CW_WS_OP_TEXT, 7, NULL),
	                  2);
	ck_assert_int_eq(h[0], 0xc1);
}
END_TEST

START_TEST(test_writer_length_forms_at_their_edges)
{
	unsigned char h[CW_WS_HEADER_MAX];

	ck_assert_uint_eq(cw_ws_write_header(h, CW_WS_FIN, 2, 125, NULL), 2);
	ck_assert_int_eq(h[1], 125);
	ck_assert_uint_eq(cw_ws_write_header(h, CW_WS_FIN, 2, 126, NULL), 4);
	ck_assert_int_eq(memcmp(h + 1, "\x7e\x00\x7e", 3), 0);
	ck_assert_uint_eq(cw_ws_write_header(h, CW_WS_FIN, 2, 65535, key), 8);
	ck_assert_int_eq(memcmp(h + 1, "\xfe\xff\xff", 3), 0);
	ck_assert_int_eq(memcmp(h + 4, key, 4), 0);
	ck_assert_uint_eq(
	    cw_ws_write_header(h, CW_WS_FIN, 2, UINT64_MAX >> 1, key), 14);
	ck_assert_int_eq(
	    memcmp(h + 1, "\xff\x7f\xff\xff\xff\xff\xff\xff\xff", 9), 0);
	ck_assert_uint_eq(
	    cw_ws_write_header(h, CW_WS_FIN, 2, (uint64_t)1 << 63, NULL), 0);
}
END_TEST

START_TEST(test_writer_refuses_what_the_parser_would)
{
	unsigned char h[CW_WS_HEADER_MAX];

	ck_assert_uint_eq(cw_ws_write_header(h, CW_WS_FIN, 16, 0, NULL), 0);
	ck_assert_uint_eq(
	    cw_ws_write_header(h, CW_WS_FIN, CW_WS_OP_PING, 126, NULL), 0);
	ck_assert_uint_eq(cw_ws_write_header(h, 0, CW_WS_OP_CLOSE, 2, NULL), 0);
	ck_assert_uint_eq(
	    cw_ws_write_header(h, CW_WS_FIN, CW_WS_OP_PONG, 125, NULL), 2);
}
END_TEST

/* Masking in pieces at running offsets equals masking at once, and
 * masking twice gives the input back. */
START_TEST(test_mask_in_pieces)
{
	unsigned char in[100], once[100], parts[100];
	size_t i, cut;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 31);
	cw_ws_mask(once, in, sizeof(in), key, 0);
	for (i = 0; i < sizeof(in); i++)
		ck_assert_int_eq(once[i], in[i] ^ key[i % 4]);
	for (cut = 0; cut <= sizeof(in); cut++) {
		cw_ws_mask(parts, in, cut, key, 0);
		cw_ws_mask(parts + cut, in + cut, sizeof(in) - cut, key, cut);
		ck_assert_int_eq(memcmp(parts, once, sizeof(in)), 0);
		cw_ws_mask(parts, parts, sizeof(in), key, 0);
		ck_assert_int_eq(memcmp(parts, in, sizeof(in)), 0);
	}
}
END_TEST

START_TEST(test_close_payload)
{
	unsigned char out[CW_WS_CONTROL_MAX];
	char reason[200];
	size_t n, i;

	ck_assert_uint_eq(cw_ws_close_payload(out, 0, "x", 1), 0);
	ck_assert_uint_eq(cw_ws_close_payload(out, 1001, "going away", 10), 12);
	ck_assert_int_eq(memcmp(out, "\x03\xe9going away", 12), 0);
	/* 100 two-byte characters: cut to 123 bytes, then to a boundary. */
	for (i = 0; i < 200; i += 2)
		memcpy(reason + i, "\xc3\xa9", 2);
	n = cw_ws_close_payload(out, 1000, reason, sizeof(reason));
	ck_assert_uint_eq(n, 2 + 122);
	ck_assert_int_eq(cw_utf8_valid(out + 2, n - 2), 0);
}
END_TEST

/* ---- strict parsing ----------------------------------------------------- */

START_TEST(test_server_requires_masked_frames)
{
	struct cw_buf in = {0};

	frame(&in, 0x81, 2, "hi", 0);
	expect(&server, &in, "E1002;");
	frame(&in, 0x89, 0, "", 0);
	expect(&server, &in, "E1002;");
}
END_TEST

START_TEST(test_client_requires_unmasked_frames)
{
	struct cw_buf in = {0};

	cframe(&in, 0x81, "hi");
	expect(&client, &in, "E1002;");
	frame(&in, 0x81, 2, "hi", 0);
	expect(&client, &in, "F81;M1:2:6869;");
}
END_TEST

START_TEST(test_reserved_bits_without_extension)
{
	static const unsigned bits[] = {0x40, 0x20, 0x10, 0x70};
	struct cw_buf in = {0};
	size_t i;

	for (i = 0; i < 4; i++) {
		cframe(&in, 0x81 | bits[i], "hi");
		expect(&server, &in, "E1002;");
		cframe(&in, 0x89 | bits[i], "hi");
		expect(&server, &in, "E1002;");
	}
}
END_TEST

START_TEST(test_rsv1_only_on_first_data_frame_with_deflate)
{
	static const struct run pmd = {CW_WS_SERVER, NOMAX, 1};
	struct cw_buf in = {0};

	cframe(&in, 0xc1, "zz");
	expect(&pmd, &in, "Fc1;M1z:2:7a7a;");
	cframe(&in, 0x42, "z");
	cframe(&in, 0x80, "y");
	expect(&pmd, &in, "F42;F80;M2z:2:7a79;");
	cframe(&in, 0x02, "z");
	cframe(&in, 0xc0, "y");
	expect(&pmd, &in, "F02;E1002;");
	cframe(&in, 0xc9, "");
	expect(&pmd, &in, "E1002;");
	cframe(&in, 0xa1, "zz");
	expect(&pmd, &in, "E1002;");
	cframe(&in, 0x91, "zz");
	expect(&pmd, &in, "E1002;");
	/* A compressed text message is not UTF-8-checked by the parser. */
	cframe(&in, 0xc1, "\xff");
	expect(&pmd, &in, "Fc1;M1z:1:ff;");
}
END_TEST

START_TEST(test_reserved_opcodes)
{
	struct cw_buf in = {0};
	unsigned op;

	for (op = 0; op < 16; op++) {
		if (op <= 2 || (op >= 8 && op <= 10))
			continue;
		cframe(&in, 0x80 | op, "");
		expect(&server, &in, "E1002;");
	}
}
END_TEST

START_TEST(test_control_frames_must_be_whole_and_short)
{
	struct cw_buf in = {0};
	char p125[126], p126[127];

	memset(p125, 'p', 125);
	p125[125] = '\0';
	memset(p126, 'p', 126);
	p126[126] = '\0';
	cframe(&in, 0x09, "");
	expect(&server, &in, "E1002;");
	cframe(&in, 0x0a, "x");
	expect(&server, &in, "E1002;");
	cframe(&in, 0x08, "");
	expect(&server, &in, "E1002;");
	cframe(&in, 0x89, p126);
	expect(&server, &in, "E1002;");
	/* 125 bytes in the 16-bit form is still over the 7-bit field. */
	raw(&in, "\x89\xfe\x00\x7d", 4);
	raw(&in, key, 4);
	raw(&in, p125, 125);
	expect(&server, &in, "E1002;");
}
END_TEST

START_TEST(test_ping_of_125_bytes_is_fine)
{
	struct cw_buf in = {0};
	char p[126], want[300];
	size_t i, n;

	memset(p, 'p', 125);
	p[125] = '\0';
	cframe(&in, 0x89, p);
	n = (size_t)snprintf(want, sizeof(want), "C9:0:");
	for (i = 0; i < 125; i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n, "70");
	snprintf(want + n, sizeof(want) - n, ";");
	expect(&server, &in, want);
}
END_TEST

START_TEST(test_fragmentation_rules)
{
	struct cw_buf in = {0};

	cframe(&in, 0x80, "x");
	expect(&server, &in, "E1002;");
	cframe(&in, 0x00, "x");
	expect(&server, &in, "E1002;");
	cframe(&in, 0x01, "a");
	cframe(&in, 0x81, "b");
	expect(&server, &in, "F01;E1002;");
	cframe(&in, 0x02, "a");
	cframe(&in, 0x02, "b");
	expect(&server, &in, "F02;E1002;");
	/* After a message ends, a continuation is again out of place. */
	cframe(&in, 0x81, "a");
	cframe(&in, 0x80, "b");
	expect(&server, &in, "F81;M1:1:61;E1002;");
}
END_TEST

START_TEST(test_control_frames_between_fragments)
{
	struct cw_buf in = {0};

	cframe(&in, 0x01, "Hel");
	cframe(&in, 0x89, "ping");
	cframe(&in, 0x00, "");
	cframe(&in, 0x8a, "");
	cframe(&in, 0x80, "lo");
	cframe(&in, 0x82, "\x01");
	expect(&server, &in,
	       "F01;C9:0:70696e67;F00;C10:0:;F80;M1:5:48656c6c6f;F82;M2:1:01;");
}
END_TEST

START_TEST(test_empty_frames_and_messages)
{
	struct cw_buf in = {0};

	cframe(&in, 0x81, "");
	cframe(&in, 0x02, "");
	cframe(&in, 0x80, "");
	expect(&server, &in, "F81;M1:0:;F02;F80;M2:0:;");
}
END_TEST

START_TEST(test_64bit_length_with_top_bit)
{
	struct cw_buf in = {0};

	raw(&in, "\x82\xff\x80\x00\x00\x00\x00\x00\x00\x01", 10);
	raw(&in, key, 4);
	expect(&server, &in, "E1002;");
	raw(&in, "\x82\x7f\xff\xff\xff\xff\xff\xff\xff\xff", 10);
	expect(&client, &in, "E1002;");
}
END_TEST

START_TEST(test_message_size_bound)
{
	static const struct run small = {CW_WS_SERVER, 10, 0};
	struct cw_buf in = {0};

	cframe(&in, 0x81, "0123456789");
	expect(&small, &in, "F81;M1:10:30313233343536373839;");
	cframe(&in, 0x81, "0123456789a");
	expect(&small, &in, "E1009;");
	cframe(&in, 0x01, "01234");
	cframe(&in, 0x00, "56789");
	cframe(&in, 0x80, "a");
	expect(&small, &in, "F01;F00;E1009;");
	/* The bound is per message, and control frames do not count. */
	cframe(&in, 0x01, "01234");
	cframe(&in, 0x89, "0123456789abc");
	cframe(&in, 0x80, "56789");
	cframe(&in, 0x82, "0123456789");
	expect(&small, &in,
	       "F01;C9:0:30313233343536373839616263;F80;"
	       "M1:10:30313233343536373839;F82;M2:10:30313233343536373839;");
	/* A huge announced length fails before its payload arrives. */
	raw(&in, "\x82\xff\x00\x00\x00\x01\x00\x00\x00\x00", 10);
	raw(&in, key, 4);
	expect(&small, &in, "E1009;");
}
END_TEST

static void close_frame(struct cw_buf *in, unsigned code, const char *reason)
{
	unsigned char p[CW_WS_CONTROL_MAX];
	size_t n = strlen(reason);

	p[0] = (unsigned char)(code >> 8);
	p[1] = (unsigned char)code;
	memcpy(p + 2, reason, n);
	frame(in, 0x88, n + 2, p, 1);
}

START_TEST(test_close_codes)
{
	struct cw_buf in = {0};
	char want[64];
	unsigned code;

	for (code = 0; code < 65536; code += (code < 5100 ? 1 : 97)) {
		int ok = (code >= 1000 && code <= 1003) ||
		         (code >= 1007 && code <= 1014) ||
		         (code >= 3000 && code <= 4999);

		ck_assert_int_eq(cw_ws_close_code_valid(code), ok);
		close_frame(&in, code, "");
		if (ok)
			snprintf(want, sizeof(want), "C8:%u:;", code);
		else
			snprintf(want, sizeof(want), "E1002;");
		if (code % 500 == 0 || (code >= 1000 && code <= 1016))
			expect(&server, &in, want);
		else {
			struct transcript tr;

			run_cuts(&server, &in, NULL, 0, &tr);
			ck_assert_str_eq(text_of(&tr), want);
			transcript_free(&tr);
			cw_buf_free(&in);
		}
	}
}
END_TEST

START_TEST(test_close_payloads)
{
	struct cw_buf in = {0};

	cframe(&in, 0x88, "");
	expect(&server, &in, "C8:1005:;");
	cframe(&in, 0x88, "\x03");
	expect(&server, &in, "E1002;");
	close_frame(&in, 1000, "bye \xc3\xa9");
	expect(&server, &in, "C8:1000:62796520c3a9;");
	close_frame(&in, 1000, "bye \xc3");
	expect(&server, &in, "E1007;");
	close_frame(&in, 1001, "\xed\xa0\x80");
	expect(&server, &in, "E1007;");
	close_frame(&in, 1005, "");
	expect(&server, &in, "E1002;");
	close_frame(&in, 1006, "x");
	expect(&server, &in, "E1002;");
	close_frame(&in, 1015, "");
	expect(&server, &in, "E1002;");
}
END_TEST

START_TEST(test_text_utf8_across_fragments)
{
	struct cw_buf in = {0};

	/* U+20AC split across two frames with a ping between. */
	cframe(&in, 0x01, "\xe2");
	cframe(&in, 0x89, "");
	cframe(&in, 0x80, "\x82\xac");
	expect(&server, &in, "F01;C9:0:;F80;M1:3:e282ac;");
	cframe(&in, 0x01, "\xe2\x82");
	cframe(&in, 0x80, "");
	expect(&server, &in, "F01;F80;E1007;");
	cframe(&in, 0x81, "ok\xc0\xaf");
	expect(&server, &in, "F81;E1007;");
	cframe(&in, 0x01, "ok");
	cframe(&in, 0x80, "\xed\xa0\x80");
	expect(&server, &in, "F01;F80;E1007;");
	/* Each message starts afresh: an open sequence does not leak. */
	cframe(&in, 0x81, "\xf0\x9f\x98\x80");
	cframe(&in, 0x81, "\xc3\xa9");
	expect(&server, &in, "F81;M1:4:f09f9880;F81;M1:2:c3a9;");
	/* Binary is not text. */
	cframe(&in, 0x82, "\xff\xfe");
	expect(&server, &in, "F82;M2:2:fffe;");
}
END_TEST

START_TEST(test_error_is_sticky)
{
	struct cw_ws_parser p;
	struct cw_ws_event ev;
	unsigned char bad[] = {0x83, 0x80, 1, 2, 3, 4};
	unsigned char good[] = {0x81, 0x80, 1, 2, 3, 4};

	cw_ws_parser_init(&p, CW_WS_SERVER, NOMAX, 0);
	cw_ws_parse(&p, bad, sizeof(bad), &ev);
	ck_assert_int_eq(ev.type, CW_WS_EV_ERROR);
	ck_assert_uint_eq(ev.close_code, 1002);
	ck_assert_uint_eq(cw_ws_parse(&p, good, sizeof(good), &ev), 0);
	ck_assert_int_eq(ev.type, CW_WS_EV_ERROR);
	ck_assert_uint_eq(ev.close_code, 1002);
}
END_TEST

/* The DATA pieces point into the caller's buffer, unmasked there. */
START_TEST(test_payload_unmasked_in_place)
{
	unsigned char in[] = {0x82, 0x83,        0x37,        0xfa,       0x21,
	                      0x3d, 0x01 ^ 0x37, 0x02 ^ 0xfa, 0x03 ^ 0x21};
	struct cw_ws_parser p;
	struct cw_ws_event ev;
	size_t used;

	cw_ws_parser_init(&p, CW_WS_SERVER, NOMAX, 0);
	used = cw_ws_parse(&p, in, sizeof(in), &ev);
	ck_assert_int_eq(ev.type, CW_WS_EV_FRAME);
	ck_assert_uint_eq(used, 6);
	ck_assert_int_eq(ev.frame->masked, 1);
	ck_assert_uint_eq(ev.frame->len, 3);
	used += cw_ws_parse(&p, in + used, sizeof(in) - used, &ev);
	ck_assert_int_eq(ev.type, CW_WS_EV_DATA);
	ck_assert_ptr_eq(ev.data, in + 6);
	ck_assert_int_eq(memcmp(in + 6, "\x01\x02\x03", 3), 0);
	ck_assert_int_eq(ev.frame_end && ev.message_end, 1);
	ck_assert_uint_eq(used, sizeof(in));
	ck_assert_uint_eq(cw_ws_parse(&p, in, 0, &ev), 0);
	ck_assert_int_eq(ev.type, CW_WS_EV_MORE);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ws_frame");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_rfc_unmasked_hello);
	tcase_add_test(tc, test_rfc_masked_hello);
	tcase_add_test(tc, test_rfc_fragmented_hello);
	tcase_add_test(tc, test_rfc_ping_and_masked_pong);
	tcase_add_test(tc, test_rfc_256_and_64k_binary);
	tcase_add_test(tc, test_writer_reproduces_rfc_headers);
	tcase_add_test(tc, test_writer_length_forms_at_their_edges);
	tcase_add_test(tc, test_writer_refuses_what_the_parser_would);
	tcase_add_test(tc, test_mask_in_pieces);
	tcase_add_test(tc, test_close_payload);
	tcase_add_test(tc, test_server_requires_masked_frames);
	tcase_add_test(tc, test_client_requires_unmasked_frames);
	tcase_add_test(tc, test_reserved_bits_without_extension);
	tcase_add_test(tc, test_rsv1_only_on_first_data_frame_with_deflate);
	tcase_add_test(tc, test_reserved_opcodes);
	tcase_add_test(tc, test_control_frames_must_be_whole_and_short);
	tcase_add_test(tc, test_ping_of_125_bytes_is_fine);
	tcase_add_test(tc, test_fragmentation_rules);
	tcase_add_test(tc, test_control_frames_between_fragments);
	tcase_add_test(tc, test_empty_frames_and_messages);
	tcase_add_test(tc, test_64bit_length_with_top_bit);
	tcase_add_test(tc, test_message_size_bound);
	tcase_add_test(tc, test_close_codes);
	tcase_add_test(tc, test_close_payloads);
	tcase_add_test(tc, test_text_utf8_across_fragments);
	tcase_add_test(tc, test_error_is_sticky);
	tcase_add_test(tc, test_payload_unmasked_in_place);
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
