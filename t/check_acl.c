/* check_acl.c - unit tests for src/util/acl.c: access_control_list as
 * CivetWeb documents it (comma-separated +/- subnets, IPv4 and IPv6, no
 * list allows everyone, a list denies whoever no entry matches, the last
 * matching entry decides), and the entries that are refused. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "util/acl.h"

static struct sockaddr_in6 peer;

/* A peer address from text (IPv4 or IPv6). */
static const struct sockaddr *addr(const char *text)
{
	memset(&peer, 0, sizeof peer);
	if (strchr(text, ':') != NULL) {
		peer.sin6_family = AF_INET6;
		ck_assert_int_eq(inet_pton(AF_INET6, text, &peer.sin6_addr), 1);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)(void *)&peer;

		in->sin_family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, text, &in->sin_addr), 1);
	}
	return (const struct sockaddr *)(const void *)&peer;
}

static struct cw_acl *parse_ok(const char *list)
{
	struct cw_acl *acl = NULL;
	char err[256] = "";

	ck_assert_msg(cw_acl_parse(list, &acl, err, sizeof err) == 0,
	              "'%s' refused: %s", list, err);
	return acl;
}

/* The reason a list is refused (static buffer). */
static const char *refusal(const char *list)
{
	static char err[256];
	struct cw_acl *acl = (struct cw_acl *)&err; /* must become NULL */

	err[0] = '\0';
	ck_assert_msg(cw_acl_parse(list, &acl, err, sizeof err) == -1,
	              "'%s' accepted", list);
	ck_assert_ptr_null(acl);
	ck_assert_msg(err[0] != '\0', "no reason for '%s'", list);
	return err;
}

static int allows(const char *list, const char *who)
{
	struct cw_acl *acl = parse_ok(list);
	int r = cw_acl_allows(acl, addr(who));

	cw_acl_free(acl);
	return r;
}

START_TEST(test_acl_no_list_allows_everyone)
{
	struct cw_acl *acl = parse_ok(NULL);

	ck_assert_ptr_null(acl);
	ck_assert_int_eq(cw_acl_allows(NULL, addr("10.0.0.1")), 1);
	ck_assert_int_eq(cw_acl_allows(NULL, addr("2001:db8::1")), 1);
}
END_TEST

START_TEST(test_acl_a_list_denies_who_matches_no_entry)
{
	ck_assert_int_eq(allows("+192.168.0.0/16", "192.168.4.5"), 1);
	ck_assert_int_eq(allows("+192.168.0.0/16", "192.169.0.1"), 0);
	ck_assert_int_eq(allows("+192.168.0.0/16", "::1"), 0);
	/* an empty list is a list: nobody (CivetWeb's rule) */
	ck_assert_int_eq(allows("", "127.0.0.1"), 0);
	ck_assert_int_eq(allows(" , ,", "127.0.0.1"), 0);
}
END_TEST

START_TEST(test_acl_last_matching_entry_decides)
{
	const char *l = "-0.0.0.0/0,+10.0.0.0/8,-10.1.0.0/16,+10.1.2.3";

	ck_assert_int_eq(allows(l, "10.9.9.9"), 1);
	ck_assert_int_eq(allows(l, "10.1.9.9"), 0);
	ck_assert_int_eq(allows(l, "10.1.2.3"), 1);
	ck_assert_int_eq(allows(l, "11.0.0.1"), 0);
	/* the same entries the other way round: the broad deny wins */
	ck_assert_int_eq(allows("+10.1.2.3,-0.0.0.0/0", "10.1.2.3"), 0);
}
END_TEST

START_TEST(test_acl_single_address_without_prefix)
{
	ck_assert_int_eq(allows("+0.0.0.0/0,-1.2.3.4", "1.2.3.4"), 0);
	ck_assert_int_eq(allows("+0.0.0.0/0,-1.2.3.4", "1.2.3.5"), 1);
	ck_assert_int_eq(allows("+::1", "::1"), 1);
	ck_assert_int_eq(allows("+::1", "::2"), 0);
}
END_TEST

START_TEST(test_acl_prefix_lengths_not_on_byte_boundaries)
{
	ck_assert_int_eq(allows("+172.16.0.0/12", "172.31.255.255"), 1);
	ck_assert_int_eq(allows("+172.16.0.0/12", "172.32.0.0"), 0);
	ck_assert_int_eq(allows("+172.16.0.0/12", "172.15.255.255"), 0);
	ck_assert_int_eq(allows("+2001:db8::/29", "2001:dbf:ffff::1"), 1);
	ck_assert_int_eq(allows("+2001:db8::/29", "2001:dc0::1"), 0);
	ck_assert_int_eq(allows("+1.2.3.4/32", "1.2.3.4"), 1);
}
END_TEST

START_TEST(test_acl_ipv6_forms_with_and_without_brackets)
{
	ck_assert_int_eq(allows("+fe80::/64", "fe80::1234"), 1);
	ck_assert_int_eq(allows("+fe80::/64", "fe80:0:0:1::1"), 0);
	ck_assert_int_eq(allows("+[fe80::]/64", "fe80::1"), 1);
	ck_assert_int_eq(allows("+[::1]", "::1"), 1);
	ck_assert_int_eq(allows("+::/0", "2001:db8::1"), 1);
	/* an IPv6 entry says nothing about IPv4 clients and vice versa */
	ck_assert_int_eq(allows("+::/0", "127.0.0.1"), 0);
	ck_assert_int_eq(allows("+0.0.0.0/0", "::1"), 0);
}
END_TEST

START_TEST(test_acl_ipv4_entries_match_ipv4_mapped_clients)
{
	/* how a dual-stack port ([::]) sees an IPv4 client */
	ck_assert_int_eq(allows("+127.0.0.0/8", "::ffff:127.0.0.1"), 1);
	ck_assert_int_eq(allows("+127.0.0.0/8", "::ffff:10.0.0.1"), 0);
	ck_assert_int_eq(allows("+0.0.0.0/0,-10.0.0.0/8", "::ffff:10.2.3.4"),
	                 0);
}
END_TEST

START_TEST(test_acl_spaces_around_entries_are_ignored)
{
	ck_assert_int_eq(allows("  -0.0.0.0/0 ,\t+127.0.0.1  ", "127.0.0.1"),
	                 1);
	struct cw_acl *acl = parse_ok(" +1.2.3.4 ,, -::1 ");

	ck_assert_int_eq(cw_acl_count(acl), 2);
	cw_acl_free(acl);
}
END_TEST

START_TEST(test_acl_bad_entries_are_refused_with_the_entry_named)
{
	ck_assert_ptr_nonnull(strstr(refusal("+1.2.3.4,1.2.3.5"), "'1.2.3.5'"));
	ck_assert_ptr_nonnull(strstr(refusal("1.2.3.4"), "+ (allow)"));
	ck_assert_ptr_nonnull(
	    strstr(refusal("+1.2.3.4,-300.1.1.1"), "'-300.1.1.1'"));
	ck_assert_ptr_nonnull(strstr(refusal("+1.2.3.0/33"), "/0 to /32"));
	ck_assert_ptr_nonnull(strstr(refusal("+::/129"), "/0 to /128"));
	ck_assert_ptr_nonnull(strstr(refusal("+1.2.3.0/"), "prefix"));
	ck_assert_ptr_nonnull(strstr(refusal("+1.2.3.0/x"), "prefix"));
	ck_assert_ptr_nonnull(strstr(refusal("+10.1.2.3/8"), "beyond"));
	ck_assert_ptr_nonnull(strstr(refusal("+fe80::1/64"), "beyond"));
	refusal("+");
	refusal("-");
	refusal("+localhost");
	refusal("+1.2.3");
	refusal("+192.168/16"); /* CivetWeb 1.16 wants four octets too */
	refusal("+1.2.3.4.5");
	refusal("+ 1.2.3.4");
	refusal("+[::1");
	refusal("+[]");
	refusal("+fe80::1%eth0");
	refusal("+1:2");
}
END_TEST

START_TEST(test_acl_long_or_many_entries_are_bounded)
{
	char big[256], *many;
	size_t len = (CW_ACL_MAX_ENTRIES + 1) * 9;

	memset(big, '1', sizeof big - 1);
	big[0] = '+';
	big[sizeof big - 1] = '\0';
	refusal(big);
	many = malloc(len + 1);
	ck_assert_ptr_nonnull(many);
	many[0] = '\0';
	for (int i = 0; i <= CW_ACL_MAX_ENTRIES; i++)
		strcat(many, "+1.2.3.4,");
	ck_assert_ptr_nonnull(strstr(refusal(many), "entries"));
	many[strlen(many) - 9] = '\0'; /* exactly the maximum */
	{
		struct cw_acl *acl = parse_ok(many);

		ck_assert_int_eq(cw_acl_count(acl), CW_ACL_MAX_ENTRIES);
		cw_acl_free(acl);
	}
	free(many);
}
END_TEST

static Suite *acl_suite(void)
{
	Suite *s = suite_create("acl");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_acl_no_list_allows_everyone);
	tcase_add_test(tc, test_acl_a_list_denies_who_matches_no_entry);
	tcase_add_test(tc, test_acl_last_matching_entry_decides);
	tcase_add_test(tc, test_acl_single_address_without_prefix);
	tcase_add_test(tc, test_acl_prefix_lengths_not_on_byte_boundaries);
	tcase_add_test(tc, test_acl_ipv6_forms_with_and_without_brackets);
	tcase_add_test(tc, test_acl_ipv4_entries_match_ipv4_mapped_clients);
	tcase_add_test(tc, test_acl_spaces_around_entries_are_ignored);
	tcase_add_test(tc,
	               test_acl_bad_entries_are_refused_with_the_entry_named);
	tcase_add_test(tc, test_acl_long_or_many_entries_are_bounded);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(acl_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
