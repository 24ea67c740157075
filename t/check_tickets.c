/* check_tickets.c - session ticket keys (core/ticket_keys.h) and the
 * ticket callback that uses them (net/tls_tickets.c): a ticket made before
 * a rotation still resumes after it (and is replaced), not after a second
 * one; key files in nginx's two sizes; readers see whole keys. Handshakes
 * run in memory between a client and a server SSL. */
#include <check.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ticket_keys.h"
#include "net/tls.h"
#include "testlib.h"
#include "tlstest.h"

static char *dir;
static struct cw_ticket_keys keys;
static SSL_CTX *server_ctx, *client_ctx;

static void setup(void)
{
	dir = tl_mkdtemp();
	tt_make_certs(dir);
	memset(&keys, 0, sizeof keys);
	server_ctx = SSL_CTX_new(TLS_server_method());
	ck_assert_int_eq(SSL_CTX_use_certificate_chain_file(
	                     server_ctx, tt_path(dir, "server.pem")),
	                 1);
	ck_assert_int_eq(SSL_CTX_use_PrivateKey_file(server_ctx,
	                                             tt_path(dir, "server.pem"),
	                                             SSL_FILETYPE_PEM),
	                 1);
	SSL_CTX_set_session_cache_mode(server_ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_session_id_context(server_ctx, (const unsigned char *)"t",
	                               1);
	SSL_CTX_set_num_tickets(server_ctx, 1);
	ck_assert_int_eq(cw_tls_tickets_install(server_ctx, &keys), 0);
	client_ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_session_cache_mode(client_ctx, SSL_SESS_CACHE_CLIENT);
}

static void teardown(void)
{
	SSL_CTX_free(server_ctx);
	SSL_CTX_free(client_ctx);
	tl_rmdir(dir);
	free(dir);
}

/* One connection in memory, resuming sess if given: 1 if it resumed. The
 * session to resume next (with the ticket this connection got) in *next. */
static int handshake(int version, SSL_SESSION *sess, SSL_SESSION **next)
{
	SSL *c = SSL_new(client_ctx), *s = SSL_new(server_ctx);
	BIO *cb, *sb;
	char byte;
	size_t n;
	int cdone = 0, sdone = 0, reused;

	ck_assert_int_eq(BIO_new_bio_pair(&cb, 0, &sb, 0), 1);
	SSL_set_bio(c, cb, cb);
	SSL_set_bio(s, sb, sb);
	SSL_set_max_proto_version(c, version);
	if (sess != NULL)
		SSL_set_session(c, sess);
	SSL_set_connect_state(c);
	SSL_set_accept_state(s);
	for (int i = 0; i < 100 && !(cdone && sdone); i++) {
		if (!cdone)
			cdone = SSL_do_handshake(c) == 1;
		if (!sdone)
			sdone = SSL_do_handshake(s) == 1;
	}
	ck_assert(cdone && sdone);
	/* TLS 1.3 tickets come after the handshake: a byte brings them */
	ck_assert_int_eq(SSL_write_ex(s, "x", 1, &n), 1);
	ck_assert_int_eq(SSL_read_ex(c, &byte, 1, &n), 1);
	reused = SSL_session_reused(c);
	*next = SSL_get1_session(c);
	/* a session whose connection was not shut down properly is not
	 * resumable */
	SSL_shutdown(c);
	SSL_free(c);
	SSL_free(s);
	ERR_clear_error();
	return reused;
}

static void across_rotations(int version)
{
	SSL_SESSION *first, *second, *third, *again;

	ck_assert_int_eq(cw_ticket_keys_rotate(&keys), 0);
	ck_assert_int_eq(handshake(version, NULL, &first), 0);
	/* one rotation: the old key still decrypts, a new ticket comes */
	ck_assert_int_eq(cw_ticket_keys_rotate(&keys), 0);
	ck_assert_int_eq(handshake(version, first, &second), 1);
	/* two: the first ticket's key is gone, the renewed one resumes */
	ck_assert_int_eq(cw_ticket_keys_rotate(&keys), 0);
	ck_assert_int_eq(handshake(version, first, &again), 0);
	ck_assert_int_eq(handshake(version, second, &third), 1);
	SSL_SESSION_free(first);
	SSL_SESSION_free(second);
	SSL_SESSION_free(third);
	SSL_SESSION_free(again);
}

START_TEST(ticket_survives_one_rotation_tls13)
{
	across_rotations(TLS1_3_VERSION);
}
END_TEST

START_TEST(ticket_survives_one_rotation_tls12)
{
	across_rotations(TLS1_2_VERSION);
}
END_TEST

START_TEST(rotation_keeps_two_keys_newest_first)
{
	struct cw_ticket_keys copy;
	unsigned char first[16];

	ck_assert_int_eq(cw_ticket_keys_rotate(&keys), 0);
	ck_assert_int_eq(keys.n, 1);
	memcpy(first, keys.k[0].name, 16);
	ck_assert_int_eq(cw_ticket_keys_rotate(&keys), 0);
	ck_assert_int_eq(cw_ticket_keys_rotate(&keys), 0);
	ck_assert_int_eq(keys.n, 2);
	ck_assert(memcmp(keys.k[0].name, keys.k[1].name, 16) != 0);
	ck_assert(memcmp(keys.k[1].name, first, 16) != 0);
	cw_ticket_keys_read(&keys, &copy);
	ck_assert_int_eq(copy.n, 2);
	ck_assert(memcmp(copy.k, keys.k, sizeof copy.k) == 0);
	ck_assert_uint_eq(copy.seq % 2, 0);
}
END_TEST

static void write_bytes(const char *path, size_t n, int seed)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i < n; i++)
		fputc((seed + (int)i * 7) & 0xff, f);
	fclose(f);
}

START_TEST(key_files_in_both_sizes_and_errors)
{
	char a[600], b[600], list[1300], err[300];
	SSL_SESSION *s1, *s2;

	snprintf(a, sizeof a, "%s", tt_path(dir, "a.key"));
	snprintf(b, sizeof b, "%s", tt_path(dir, "b.key"));
	write_bytes(a, 80, 1);
	write_bytes(b, 48, 2);
	snprintf(list, sizeof list, "%s,%s", b, a);
	ck_assert_int_eq(cw_ticket_keys_load(&keys, list, err, sizeof err), 0);
	ck_assert_int_eq(keys.n, 2);
	ck_assert_int_eq(keys.k[0].aes128, 1);
	ck_assert_int_eq(keys.k[1].aes128, 0);
	/* nginx's layout: name, then HMAC key, then AES key */
	ck_assert_int_eq(keys.k[1].name[0], 1);
	ck_assert_int_eq(keys.k[1].hmac[0], (1 + 16 * 7) & 0xff);
	ck_assert_int_eq(keys.k[1].aes[0], (1 + 48 * 7) & 0xff);
	ck_assert_int_eq(keys.rotating, 0);
	/* the first (48 bytes, AES-128) encrypts; tickets work */
	ck_assert_int_eq(handshake(TLS1_3_VERSION, NULL, &s1), 0);
	ck_assert_int_eq(handshake(TLS1_3_VERSION, s1, &s2), 1);
	SSL_SESSION_free(s1);
	SSL_SESSION_free(s2);
	/* sizes other than 80 and 48, and missing files, are refused */
	write_bytes(b, 64, 3);
	ck_assert_int_eq(cw_ticket_keys_load(&keys, b, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "80 or 48 bytes"));
	ck_assert_int_eq(
	    cw_ticket_keys_load(&keys, "/nonexistent/k", err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/k"));
	/* a refused load leaves the keys as they were */
	ck_assert_int_eq(keys.n, 2);
}
END_TEST

START_TEST(lifetime_follows_ssl_cache_timeout)
{
	ck_assert_int_eq(cw_ticket_lifetime(NULL), 300);
	ck_assert_int_eq(cw_ticket_lifetime("-1"), 300);
	ck_assert_int_eq(cw_ticket_lifetime("0"), 300);
	ck_assert_int_eq(cw_ticket_lifetime("3600"), 3600);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tickets");
	TCase *tc = tcase_create("tickets");
	SRunner *sr;
	int failed;

	tl_cleanup_fixture(tc);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ticket_survives_one_rotation_tls13);
	tcase_add_test(tc, ticket_survives_one_rotation_tls12);
	tcase_add_test(tc, rotation_keeps_two_keys_newest_first);
	tcase_add_test(tc, key_files_in_both_sizes_and_errors);
	tcase_add_test(tc, lifetime_follows_ssl_cache_timeout);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
