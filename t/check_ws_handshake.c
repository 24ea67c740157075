/* check_ws_handshake.c - unit tests for src/util/ws_handshake.c: which
 * requests are WebSocket upgrades (tokens in any case and position), which
 * are bad (400) and which need the version header, the key rules, RFC 6455
 * 1.3's Sec-WebSocket-Accept example, subprotocol choice, and the
 * permessage-deflate offers accepted, declined and answered (RFC 7692). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "util/ws_handshake.h"

static const char rfc_key[] = "dGhlIHNhbXBsZSBub25jZQ==";

static struct cw_ws_request good(void)
{
	struct cw_ws_request r = {"GET",     "1.1", "websocket",
	                          "Upgrade", "13",  rfc_key};
	return r;
}

START_TEST(test_rfc_accept_key)
{
	char out[CW_WS_ACCEPT_SIZE];

	ck_assert_int_eq(cw_ws_accept_key(rfc_key, out), 0);
	ck_assert_str_eq(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	ck_assert_uint_eq(strlen(out), CW_WS_ACCEPT_LEN);
}
END_TEST

START_TEST(test_accept_key_refuses_huge_keys)
{
	char key[300], out[CW_WS_ACCEPT_SIZE];

	memset(key, 'A', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	ck_assert_int_eq(cw_ws_accept_key(key, out), -1);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_valid_request)
{
	struct cw_ws_request r = good();

	ck_assert_int_eq(cw_ws_handshake_check(&r), CW_WS_HS_OK);
}
END_TEST

START_TEST(test_upgrade_token_anywhere_any_case)
{
	static const char *const yes[] = {"WebSocket", "WEBSOCKET",
	                                  "h2c, websocket", " foo ,WebSocket ",
	                                  "websocket,\tfoo"};
	static const char *const no[] = {"", "h2c", "websockets", "web socket",
	                                 "websocket/13"};
	struct cw_ws_request r = good();
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(*yes); i++) {
		r.upgrade = yes[i];
		ck_assert_msg(cw_ws_handshake_check(&r) == CW_WS_HS_OK, "%s",
		              yes[i]);
	}
	for (i = 0; i < sizeof(no) / sizeof(*no); i++) {
		r.upgrade = no[i];
		ck_assert_msg(cw_ws_handshake_check(&r) == CW_WS_HS_NONE, "%s",
		              no[i]);
	}
	r.upgrade = NULL;
	ck_assert_int_eq(cw_ws_handshake_check(&r), CW_WS_HS_NONE);
}
END_TEST

START_TEST(test_connection_token_anywhere_any_case)
{
	static const char *const yes[] = {"upgrade", "UPGRADE",
	                                  "keep-alive, Upgrade", "Upgrade , x"};
	static const char *const no[] = {"keep-alive", "Upgraded", "close", ""};
	struct cw_ws_request r = good();
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(*yes); i++) {
		r.connection = yes[i];
		ck_assert_msg(cw_ws_handshake_check(&r) == CW_WS_HS_OK, "%s",
		              yes[i]);
	}
	for (i = 0; i < sizeof(no) / sizeof(*no); i++) {
		r.connection = no[i];
		ck_assert_msg(cw_ws_handshake_check(&r) == CW_WS_HS_BAD, "%s",
		              no[i]);
	}
	r.connection = NULL;
	ck_assert_int_eq(cw_ws_handshake_check(&r), CW_WS_HS_BAD);
}
END_TEST

START_TEST(test_method_and_http_version)
{
	struct cw_ws_request r = good();

	r.method = "POST";
	ck_assert_int_eq(cw_ws_handshake_check(&r), CW_WS_HS_BAD);
	r.method = "get";
	ck_assert_int_eq(cw_ws_handshake_check(&r), CW_WS_HS_BAD);
	r = good();
	r.http_version = "1.0";
	ck_assert_int_eq(cw_ws_handshake_check(&r), CW_WS_HS_BAD);
	r.http_version = "1.1x";
	ck_assert_int_eq(cw_ws_handshake_check(&r), CW_WS_HS_BAD);
	r.http_version = "-1.1";
	ck_assert_int_eq(cw_ws_handshake_check(&r), CW_WS_HS_BAD);
	r.http_version = "1.2";
	ck_assert_int_eq(cw_ws_handshake_check(&r), CW_WS_HS_OK);
	r.http_version = NULL;
	ck_assert_int_eq(cw_ws_handshake_check(&r), CW_WS_HS_BAD);
}
END_TEST

START_TEST(test_version_13_only)
{
	static const char *const no[] = {"8", "12", "14", "13 ", "013", ""};
	struct cw_ws_request r = good();
	size_t i;

	for (i = 0; i < sizeof(no) / sizeof(*no); i++) {
		r.version = no[i];
		ck_assert_msg(cw_ws_handshake_check(&r) == CW_WS_HS_BAD_VERSION,
		              "%s", no[i]);
	}
	r.version = NULL;
	ck_assert_int_eq(cw_ws_handshake_check(&r), CW_WS_HS_BAD_VERSION);
}
END_TEST

START_TEST(test_key_must_be_16_bytes_of_base64)
{
	static const char *const no[] = {
	    "dGhlIHNhbXBsZSBub25jZQ",       /* unpadded */
	    "dGhlIHNhbXBsZSBu",             /* 12 bytes */
	    "dGhlIHNhbXBsZSBub25jZQ==AAAA", /* 19 bytes */
	    "dGhlIHNhbXBsZSBub25jZSE=",     /* 17 bytes */
	    "dGhlIHNhbXBsZSBub25j====",     /* padding in the middle */
	    "dGhlIHNhbXBsZ!Bub25jZQ==",     /* not base64 */
	    "dGhl==NhbXBsZSBub25jZQ==",     /* pads inside */
	    " dGhlIHNhbXBsZSBub25jZQ==",    /* stray space */
	    ""};
	struct cw_ws_request r = good();
	size_t i;

	ck_assert_int_eq(cw_ws_key_valid(rfc_key), 1);
	ck_assert_int_eq(cw_ws_key_valid("AAAAAAAAAAAAAAAAAAAAAA=="), 1);
	for (i = 0; i < sizeof(no) / sizeof(*no); i++) {
		ck_assert_msg(cw_ws_key_valid(no[i]) == 0, "%s", no[i]);
		r.key = no[i];
		ck_assert_int_eq(cw_ws_handshake_check(&r), CW_WS_HS_BAD);
	}
	ck_assert_int_eq(cw_ws_key_valid(NULL), 0);
	r.key = NULL;
	ck_assert_int_eq(cw_ws_handshake_check(&r), CW_WS_HS_BAD);
}
END_TEST

START_TEST(test_subprotocol_in_client_order)
{
	static const char *const mine[] = {"superchat", "chat"};

	ck_assert_str_eq(cw_ws_choose_subprotocol("chat, superchat", mine, 2),
	                 "chat");
	ck_assert_ptr_eq(cw_ws_choose_subprotocol("chat, superchat", mine, 2),
	                 mine[1]);
	ck_assert_str_eq(cw_ws_choose_subprotocol(" x ,superchat", mine, 2),
	                 "superchat");
	ck_assert_ptr_null(cw_ws_choose_subprotocol("Chat, x", mine, 2));
	ck_assert_ptr_null(cw_ws_choose_subprotocol("cha, chats", mine, 2));
	ck_assert_ptr_null(cw_ws_choose_subprotocol("", mine, 2));
	ck_assert_ptr_null(cw_ws_choose_subprotocol(",,", mine, 2));
	ck_assert_ptr_null(cw_ws_choose_subprotocol(NULL, mine, 2));
	ck_assert_ptr_null(cw_ws_choose_subprotocol("chat", mine, 0));
}
END_TEST

/* ---- permessage-deflate ------------------------------------------------ */

static void accepts(const char *offer, const char *resp, int snc, int cnc,
                    int sbits, int cbits)
{
	struct cw_ws_deflate_params p;
	char out[128];

	ck_assert_msg(cw_ws_deflate_negotiate(offer, &p, out, sizeof(out)) == 1,
	              "declined: %s", offer);
	ck_assert_str_eq(out, resp);
	ck_assert_int_eq(p.server_no_context, snc);
	ck_assert_int_eq(p.client_no_context, cnc);
	ck_assert_int_eq(p.server_bits, sbits);
	ck_assert_int_eq(p.client_bits, cbits);
}

static void declines(const char *offer)
{
	struct cw_ws_deflate_params p;
	char out[128];

	ck_assert_msg(cw_ws_deflate_negotiate(offer, &p, out, sizeof(out)) == 0,
	              "accepted: %s", offer);
	ck_assert_str_eq(out, "");
}

START_TEST(test_deflate_plain_offers)
{
	accepts("permessage-deflate", "permessage-deflate", 0, 0, 15, 15);
	/* What browsers send: no value, so nothing to answer for it. */
	accepts("permessage-deflate; client_max_window_bits",
	        "permessage-deflate", 0, 0, 15, 15);
	accepts("PerMessage-Deflate ;Client_Max_Window_Bits",
	        "permessage-deflate", 0, 0, 15, 15);
}
END_TEST

START_TEST(test_deflate_parameters_answered)
{
	accepts("permessage-deflate; client_max_window_bits=10",
	        "permessage-deflate; client_max_window_bits=10", 0, 0, 15, 10);
	accepts("permessage-deflate; server_max_window_bits=12; "
	        "server_no_context_takeover; client_no_context_takeover",
	        "permessage-deflate; server_no_context_takeover; "
	        "client_no_context_takeover; server_max_window_bits=12",
	        1, 1, 12, 15);
	accepts("permessage-deflate; server_max_window_bits=\"9\"; "
	        "client_max_window_bits=\"8\"",
	        "permessage-deflate; server_max_window_bits=9; "
	        "client_max_window_bits=8",
	        0, 0, 9, 8);
	accepts("permessage-deflate;server_max_window_bits = 15",
	        "permessage-deflate; server_max_window_bits=15", 0, 0, 15, 15);
}
END_TEST

START_TEST(test_deflate_malformed_offers_declined)
{
	static const char *const bad[] = {
	    "permessage-deflate; server_max_window_bits",
	    "permessage-deflate; server_max_window_bits=7",
	    "permessage-deflate; server_max_window_bits=16",
	    "permessage-deflate; server_max_window_bits=08",
	    "permessage-deflate; server_max_window_bits=1a",
	    "permessage-deflate; server_max_window_bits=",
	    "permessage-deflate; server_max_window_bits=\"10",
	    "permessage-deflate; client_max_window_bits=99999999999",
	    "permessage-deflate; client_max_window_bits=7",
	    "permessage-deflate; foo",
	    "permessage-deflate; client_no_context_takeover; "
	    "client_no_context_takeover",
	    "permessage-deflate; client_max_window_bits; "
	    "client_max_window_bits=9",
	    "permessage-deflate; server_max_window_bits=9; "
	    "server_max_window_bits=9",
	    "permessage-deflate; server_no_context_takeover=1",
	    "permessage-deflate; client_no_context_takeover=\"\"",
	    "permessage-deflate;",
	    "permessage-deflate; ;",
	    "permessage-deflate; server_max_window_bits=10 junk",
	    "permessage-deflate junk",
	    /* zlib has no 256-byte deflate window */
	    "permessage-deflate; server_max_window_bits=8",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		declines(bad[i]);
}
END_TEST

START_TEST(test_deflate_first_acceptable_offer_wins)
{
	accepts("permessage-deflate; foo, permessage-deflate; "
	        "client_max_window_bits",
	        "permessage-deflate", 0, 0, 15, 15);
	accepts("permessage-deflate; server_max_window_bits=8, "
	        "permessage-deflate; server_max_window_bits=9",
	        "permessage-deflate; server_max_window_bits=9", 0, 0, 9, 15);
	accepts("x-webkit-deflate-frame, permessage-deflate",
	        "permessage-deflate", 0, 0, 15, 15);
	accepts("foo; bar=\"a, permessage-deflate\", permessage-deflate; "
	        "server_no_context_takeover",
	        "permessage-deflate; server_no_context_takeover", 1, 0, 15, 15);
	accepts(",, permessage-deflate ,", "permessage-deflate", 0, 0, 15, 15);
}
END_TEST

START_TEST(test_deflate_no_offer)
{
	declines(NULL);
	declines("");
	declines("x-foo; a=1");
	declines("permessage-deflat");
	declines("\"permessage-deflate\"");
}
END_TEST

START_TEST(test_deflate_response_must_fit)
{
	struct cw_ws_deflate_params p;
	char out[20];

	ck_assert_int_eq(
	    cw_ws_deflate_negotiate("permessage-deflate", &p, out, sizeof(out)),
	    1);
	ck_assert_int_eq(cw_ws_deflate_negotiate("permessage-deflate; "
	                                         "server_no_context_takeover",
	                                         &p, out, sizeof(out)),
	                 0);
	ck_assert_str_eq(out, "");
}
END_TEST

/* ---- the client's end -------------------------------------------------- */

START_TEST(test_client_checks_the_accept)
{
	const char *a = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

	ck_assert_int_eq(
	    cw_ws_client_response_ok(rfc_key, "websocket", "Upgrade", a), 1);
	ck_assert_int_eq(
	    cw_ws_client_response_ok(rfc_key, "WebSocket", "upgrade", a), 1);
	ck_assert_int_eq(
	    cw_ws_client_response_ok(rfc_key, "websocket", "Upgrade",
	                             "s3pPLMBiTxaQ9kYGzzhZRbK+xOo"),
	    0);
	ck_assert_int_eq(cw_ws_client_response_ok("AAAAAAAAAAAAAAAAAAAAAA==",
	                                          "websocket", "Upgrade", a),
	                 0);
	ck_assert_int_eq(cw_ws_client_response_ok(rfc_key, "h2c", "Upgrade", a),
	                 0);
	ck_assert_int_eq(
	    cw_ws_client_response_ok(rfc_key, "websocket", "close", a), 0);
	ck_assert_int_eq(
	    cw_ws_client_response_ok(rfc_key, "websocket", "Upgrade", NULL), 0);
}
END_TEST

static int client_check(const char *offer, const char *resp,
                        struct cw_ws_deflate_params *p)
{
	return cw_ws_deflate_client_check(offer, resp, p);
}

START_TEST(test_client_deflate_answers_accepted)
{
	const char *bare = "permessage-deflate; client_max_window_bits";
	struct cw_ws_deflate_params p;

	ck_assert_int_eq(client_check(bare, "permessage-deflate", &p), 1);
	ck_assert_int_eq(p.server_bits, 15);
	ck_assert_int_eq(p.client_bits, 15);
	ck_assert_int_eq(p.server_no_context || p.client_no_context, 0);
	ck_assert_int_eq(client_check(bare,
	                              "permessage-deflate; "
	                              "client_max_window_bits=10; "
	                              "server_max_window_bits=12; "
	                              "client_no_context_takeover",
	                              &p),
	                 1);
	ck_assert_int_eq(p.client_bits, 10);
	ck_assert_int_eq(p.server_bits, 12);
	ck_assert_int_eq(p.client_no_context, 1);
	ck_assert_int_eq(
	    client_check("permessage-deflate; server_max_window_bits=10; "
	                 "server_no_context_takeover",
	                 "permessage-deflate; server_no_context_takeover; "
	                 "server_max_window_bits=9",
	                 &p),
	    1);
	ck_assert_int_eq(p.server_bits, 9);
	ck_assert_int_eq(p.server_no_context, 1);
	/* What our own negotiation answers, a client accepts. */
	{
		struct cw_ws_deflate_params srv;
		char resp[128];
		const char *offer = "permessage-deflate; "
		                    "client_max_window_bits=11; "
		                    "server_max_window_bits=10";

		ck_assert_int_eq(
		    cw_ws_deflate_negotiate(offer, &srv, resp, sizeof(resp)),
		    1);
		ck_assert_int_eq(client_check(offer, resp, &p), 1);
		ck_assert_int_eq(memcmp(&p, &srv, sizeof(p)), 0);
	}
}
END_TEST

START_TEST(test_client_deflate_not_taken)
{
	struct cw_ws_deflate_params p;

	ck_assert_int_eq(client_check("permessage-deflate", NULL, &p), 0);
	ck_assert_int_eq(client_check("permessage-deflate", "", &p), 0);
	ck_assert_int_eq(client_check(NULL, NULL, &p), 0);
}
END_TEST

START_TEST(test_client_deflate_bad_answers_fail)
{
	static const char *const bad[] = {
	    "x-foo",
	    "permessage-deflate, permessage-deflate",
	    "permessage-deflate; foo",
	    "permessage-deflate; server_max_window_bits",
	    "permessage-deflate; server_max_window_bits=16",
	    "permessage-deflate; client_max_window_bits",
	    "permessage-deflate; client_max_window_bits=8",
	    "permessage-deflate; client_max_window_bits=13",
	    "permessage-deflate; server_no_context_takeover=1",
	    "permessage-deflate junk",
	};
	const char *offer = "permessage-deflate; client_max_window_bits=12";
	struct cw_ws_deflate_params p;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_msg(client_check(offer, bad[i], &p) == -1, "%s",
		              bad[i]);
	/* Not offered at all, or a window the offer did not allow. */
	ck_assert_int_eq(client_check(NULL, "permessage-deflate", &p), -1);
	ck_assert_int_eq(client_check("permessage-deflate",
	                              "permessage-deflate; "
	                              "client_max_window_bits=10",
	                              &p),
	                 -1);
	ck_assert_int_eq(
	    client_check("permessage-deflate; server_max_window_bits=10",
	                 "permessage-deflate", &p),
	    -1);
	ck_assert_int_eq(
	    client_check("permessage-deflate; server_max_window_bits=10",
	                 "permessage-deflate; server_max_window_bits=11", &p),
	    -1);
	ck_assert_int_eq(
	    client_check("permessage-deflate; server_no_context_takeover",
	                 "permessage-deflate", &p),
	    -1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ws_handshake");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_rfc_accept_key);
	tcase_add_test(tc, test_accept_key_refuses_huge_keys);
	tcase_add_test(tc, test_valid_request);
	tcase_add_test(tc, test_upgrade_token_anywhere_any_case);
	tcase_add_test(tc, test_connection_token_anywhere_any_case);
	tcase_add_test(tc, test_method_and_http_version);
	tcase_add_test(tc, test_version_13_only);
	tcase_add_test(tc, test_key_must_be_16_bytes_of_base64);
	tcase_add_test(tc, test_subprotocol_in_client_order);
	tcase_add_test(tc, test_deflate_plain_offers);
	tcase_add_test(tc, test_deflate_parameters_answered);
	tcase_add_test(tc, test_deflate_malformed_offers_declined);
	tcase_add_test(tc, test_deflate_first_acceptable_offer_wins);
	tcase_add_test(tc, test_deflate_no_offer);
	tcase_add_test(tc, test_deflate_response_must_fit);
	tcase_add_test(tc, test_client_checks_the_accept);
	tcase_add_test(tc, test_client_deflate_answers_accepted);
	tcase_add_test(tc, test_client_deflate_not_taken);
	tcase_add_test(tc, test_client_deflate_bad_answers_fail);
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
