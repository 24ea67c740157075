/* check_throttle.c - unit tests for the `throttle` option: the rules
 * (util/throttle_rules.c: parsing, refusals, the last match winning, subnets
 * and URI patterns) and the token bucket that paces a transfer
 * (util/tbucket.c), with the clock passed in so nothing waits. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "core/options.h"
#include "util/tbucket.h"
#include "util/throttle_rules.h"

static struct sockaddr_in v4(const char *ip)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, ip, &a.sin_addr), 1);
	return a;
}

static struct sockaddr_in6 v6(const char *ip)
{
	struct sockaddr_in6 a;

	memset(&a, 0, sizeof a);
	a.sin6_family = AF_INET6;
	ck_assert_int_eq(inet_pton(AF_INET6, ip, &a.sin6_addr), 1);
	return a;
}

static struct cw_throttle_rules *parse_ok(const char *spec)
{
	struct cw_throttle_rules *r = NULL;
	char err[256] = "";

	ck_assert_msg(cw_throttle_parse(spec, &r, err, sizeof err) == 0,
	              "'%s' refused: %s", spec, err);
	return r;
}

/* The rate for a client at ip asking for uri. */
static int rate_of(const char *spec, const char *ip, const char *uri)
{
	struct cw_throttle_rules *r = parse_ok(spec);
	struct sockaddr_in a4;
	struct sockaddr_in6 a6;
	const struct sockaddr *peer = NULL;
	int rate;

	if (ip != NULL && strchr(ip, ':') != NULL) {
		a6 = v6(ip);
		peer = (const struct sockaddr *)&a6;
	} else if (ip != NULL) {
		a4 = v4(ip);
		peer = (const struct sockaddr *)&a4;
	}
	rate = cw_throttle_rate(r, peer, uri);
	cw_throttle_free(r);
	return rate;
}

/* Is spec refused, with a reason that names the option and contains
 * part? */
static void refused(const char *spec, const char *part)
{
	struct cw_throttle_rules *r = (void *)1;
	char err[256] = "";

	ck_assert_msg(cw_throttle_parse(spec, &r, err, sizeof err) == -1,
	              "'%s' accepted", spec);
	ck_assert_ptr_null(r);
	ck_assert_msg(strncmp(err, "throttle: ", 10) == 0, "err: %s", err);
	ck_assert_msg(strstr(err, part) != NULL, "'%s': err '%s' lacks '%s'",
	              spec, err, part);
}

START_TEST(rates_take_k_and_m_suffixes_and_fractions)
{
	ck_assert_int_eq(rate_of("*=100", "1.2.3.4", "/"), 100);
	ck_assert_int_eq(rate_of("*=1k", "1.2.3.4", "/"), 1024);
	ck_assert_int_eq(rate_of("*=2K", "1.2.3.4", "/"), 2048);
	ck_assert_int_eq(rate_of("*=1m", "1.2.3.4", "/"), 1048576);
	ck_assert_int_eq(rate_of("*=3M", "1.2.3.4", "/"), 3 * 1048576);
	ck_assert_int_eq(rate_of("*=1.5k", "1.2.3.4", "/"), 1536);
	ck_assert_int_eq(rate_of("*=.5k", "1.2.3.4", "/"), 512);
	/* truncated to whole bytes, as CivetWeb's (int) cast does */
	ck_assert_int_eq(rate_of("*=10.9", "1.2.3.4", "/"), 10);
	ck_assert_int_eq(rate_of("*=0.5", "1.2.3.4", "/"), 0);
	ck_assert_int_eq(rate_of("*=0", "1.2.3.4", "/"), 0);
	ck_assert_int_eq(rate_of(" * = 7k ", "1.2.3.4", "/"), 7168);
}
END_TEST

START_TEST(the_last_matching_rule_wins)
{
	/* the manual's example: everyone 1k, 10.0.0.0/8 unlimited */
	ck_assert_int_eq(rate_of("*=1k,10.0.0.0/8=0", "10.1.2.3", "/x"), 0);
	ck_assert_int_eq(rate_of("*=1k,10.0.0.0/8=0", "11.1.2.3", "/x"), 1024);
	/* the other order: * comes last and wins for everyone */
	ck_assert_int_eq(rate_of("10.0.0.0/8=0,*=1k", "10.1.2.3", "/x"), 1024);
	ck_assert_int_eq(rate_of("*=1k,/downloads/=5k,10.0.0.0/8=2k",
	                         "10.0.0.1", "/downloads/a"),
	                 2048);
	ck_assert_int_eq(rate_of("*=1k,10.0.0.0/8=2k,/downloads/=5k",
	                         "10.0.0.1", "/downloads/a"),
	                 5120);
	ck_assert_int_eq(
	    rate_of("*=1k,10.0.0.0/8=2k,/downloads/=5k", "10.0.0.1", "/other"),
	    2048);
}
END_TEST

START_TEST(no_match_is_unlimited)
{
	ck_assert_int_eq(rate_of("/downloads/=5k", "1.2.3.4", "/index.html"),
	                 0);
	ck_assert_int_eq(rate_of("10.0.0.0/8=5k", "192.168.0.1", "/"), 0);
	ck_assert_int_eq(cw_throttle_rate(NULL, NULL, "/"), 0);
	ck_assert_int_eq(rate_of("10.0.0.0/8=5k", NULL, "/"), 0);
	ck_assert_int_eq(rate_of("/a=5k", "1.2.3.4", NULL), 0);
}
END_TEST

START_TEST(uri_patterns_match_a_prefix_of_the_local_uri)
{
	ck_assert_int_eq(rate_of("/downloads/=5k", NULL, "/downloads/x.iso"),
	                 5120);
	ck_assert_int_eq(rate_of("/downloads/=5k", NULL, "/downloads"), 0);
	ck_assert_int_eq(rate_of("**.iso$=5k", NULL, "/a/b/c.iso"), 5120);
	ck_assert_int_eq(rate_of("**.iso$=5k", NULL, "/a/b/c.isox"), 0);
	ck_assert_int_eq(rate_of("/a/*/big=5k", NULL, "/a/b/big/1"), 5120);
	ck_assert_int_eq(rate_of("/a/*/big=5k", NULL, "/a/b/c/big"), 0);
	ck_assert_int_eq(rate_of("/x|/y=5k", NULL, "/y/1"), 5120);
	/* CivetWeb's patterns ignore case */
	ck_assert_int_eq(rate_of("/Downloads/=5k", NULL, "/downloads/1"), 5120);
}
END_TEST

START_TEST(subnets_match_ipv4_and_ipv6_clients)
{
	ck_assert_int_eq(rate_of("192.168.1.0/24=1k", "192.168.1.77", "/"),
	                 1024);
	ck_assert_int_eq(rate_of("192.168.1.0/24=1k", "192.168.2.77", "/"), 0);
	ck_assert_int_eq(rate_of("192.168.1.5=1k", "192.168.1.5", "/"), 1024);
	ck_assert_int_eq(rate_of("192.168.1.5=1k", "192.168.1.6", "/"), 0);
	ck_assert_int_eq(rate_of("0.0.0.0/0=1k", "8.8.8.8", "/"), 1024);
	ck_assert_int_eq(rate_of("10.1.2.3/12=1k", "10.15.0.1", "/"), 1024);
	ck_assert_int_eq(rate_of("10.1.2.3/12=1k", "10.16.0.1", "/"), 0);
	/* host bits in the rule are masked away */
	ck_assert_int_eq(rate_of("10.0.0.1/8=1k", "10.9.9.9", "/"), 1024);
	ck_assert_int_eq(rate_of("[2001:db8::]/32=1k", "2001:db8:1::5", "/"),
	                 1024);
	ck_assert_int_eq(rate_of("[2001:db8::]/32=1k", "2001:db9::5", "/"), 0);
	ck_assert_int_eq(rate_of("[::1]=1k", "::1", "/"), 1024);
	/* an IPv4 client on a dual-stack socket is still IPv4 */
	ck_assert_int_eq(rate_of("127.0.0.0/8=1k", "::ffff:127.0.0.1", "/"),
	                 1024);
	ck_assert_int_eq(rate_of("[::1]=1k", "127.0.0.1", "/"), 0);
	ck_assert_int_eq(rate_of("127.0.0.1=1k", "::1", "/"), 0);
}
END_TEST

START_TEST(empty_lists_and_entries_mean_nothing)
{
	struct cw_throttle_rules *r = (void *)1;
	char err[64];

	ck_assert_int_eq(cw_throttle_parse(NULL, &r, err, sizeof err), 0);
	ck_assert_ptr_null(r);
	r = (void *)1;
	ck_assert_int_eq(cw_throttle_parse("", &r, err, sizeof err), 0);
	ck_assert_ptr_null(r);
	r = parse_ok("*=1k,,/a=2k,");
	ck_assert_int_eq(cw_throttle_count(r), 2);
	cw_throttle_free(r);
}
END_TEST

START_TEST(bad_values_are_refused_with_the_entry_and_why)
{
	refused("*", "'*' has no '=rate'");
	refused("*=", "needs a rate");
	refused("=5k", "no key");
	refused("*=fast", "'*=fast' needs a rate");
	refused("*=-1", "needs a rate");
	refused("*=1x", "other than a number with k or m");
	refused("*=1kb", "other than a number with k or m");
	refused("*=1 k", "other than a number with k or m");
	refused("*=0x10", "needs a rate");
	refused("*=1e400", "needs a rate");
	refused("*=3000m", "above 2147483647");
	refused("*=1k,/a=oops", "'/a=oops'");
	refused("10.0.0.0/33=1k", "'10.0.0.0/33=1k' is not a valid subnet");
	refused("10.0.0/8=1k", "not a valid subnet");
	refused("256.0.0.0=1k", "not a valid subnet");
	refused("10.0.0.0/=1k", "not a valid subnet");
	refused("10.0.0.0/8x=1k", "not a valid subnet");
	refused("[::1=1k", "not a valid subnet");
	refused("[::1]/129=1k", "not a valid subnet");
	refused("[zz::1]=1k", "not a valid subnet");
}
END_TEST

START_TEST(oversized_lists_are_refused)
{
	size_t n = 2000;
	char *spec = malloc(n * 5 + 1), *p = spec;

	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s*=1", i ? "," : "");
	refused(spec, "more than");
	free(spec);
}
END_TEST

/* The option goes through the option table's checks: a bad value is
 * refused by cw_options_set (so mg_start, civetd -t and a reload refuse
 * it), a good one is parsed once into opt.throttle. */
START_TEST(option_is_checked_and_parsed_once)
{
	struct cw_options o;
	char err[256];

	memset(&o, 0, sizeof o);
	ck_assert(cw_options_implemented(CW_OPT_THROTTLE));
	ck_assert_int_eq(cw_options_set(&o, "throttle", "*=1k,10.0.0.0/40=0",
	                                err, sizeof err),
	                 -1);
	ck_assert_int_eq(o.err_kind, CW_OPT_ERR_VALUE);
	ck_assert_int_eq(o.err_id, CW_OPT_THROTTLE);
	ck_assert_ptr_nonnull(strstr(err, "10.0.0.0/40"));
	ck_assert_int_eq(cw_options_finish(&o, err, sizeof err), 0);
	ck_assert_ptr_null(o.throttle);
	ck_assert_int_eq(
	    cw_options_set(&o, "throttle", "*=1k,/big/=64k", err, sizeof err),
	    0);
	ck_assert_int_eq(cw_options_finish(&o, err, sizeof err), 0);
	ck_assert_int_eq(cw_throttle_count(o.throttle), 2);
	ck_assert_int_eq(cw_throttle_rate(o.throttle, NULL, "/big/f"), 65536);
	/* finishing again replaces, never leaks, the parsed rules */
	ck_assert_int_eq(cw_options_finish(&o, err, sizeof err), 0);
	cw_options_free(&o);
	ck_assert_ptr_null(o.throttle);
}
END_TEST

/* ---- the bucket ---------------------------------------------------------- */

START_TEST(bucket_without_rate_allows_everything)
{
	struct cw_tbucket b;

	cw_tbucket_start(&b, 0, 1000);
	ck_assert_uint_eq(cw_tbucket_allow(&b, 1000, 1 << 30), 1 << 30);
	cw_tbucket_spend(&b, 1 << 30);
	ck_assert_uint_eq(cw_tbucket_allow(&b, 1000, 5), 5);
	ck_assert_int_eq(cw_tbucket_wait_ms(&b, 1000, 5), 0);
}
END_TEST

START_TEST(bucket_starts_with_a_tenth_of_a_second)
{
	struct cw_tbucket b;

	cw_tbucket_start(&b, 10000, 5000);
	ck_assert_uint_eq(cw_tbucket_allow(&b, 5000, 1 << 20), 1000);
	ck_assert_uint_eq(cw_tbucket_allow(&b, 5000, 10), 10);
	cw_tbucket_spend(&b, 1000);
	ck_assert_uint_eq(cw_tbucket_allow(&b, 5000, 1 << 20), 0);
}
END_TEST

/* Over a simulated 3 s of writes as large as allowed, at whatever steps
 * the clock moves, the bytes sent stay at the rate. */
START_TEST(bucket_keeps_the_rate_over_time)
{
	static const int steps[] = {1, 7, 50, 61};
	const int rate = 65536;

	for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
		struct cw_tbucket b;
		long long total = 0;

		cw_tbucket_start(&b, rate, 0);
		for (int64_t t = 0; t <= 3000; t += steps[s]) {
			size_t n = cw_tbucket_allow(&b, t, 1 << 20);

			cw_tbucket_spend(&b, n);
			total += (long long)n;
		}
		/* 3 s at the rate plus the starting tenth, minus at most one
		 * step's worth of lag */
		ck_assert_int_le(total, rate * 31LL / 10 + 1);
		ck_assert_int_ge(total, rate * 31LL / 10 -
		                            (long long)rate * steps[s] / 1000 -
		                            1);
	}
}
END_TEST

START_TEST(bucket_saves_up_at_most_a_fifth_of_a_second)
{
	struct cw_tbucket b;

	cw_tbucket_start(&b, 10000, 0);
	cw_tbucket_spend(&b, cw_tbucket_allow(&b, 0, 1 << 20));
	/* an idle minute buys 0.2 s, not 60 s */
	ck_assert_uint_eq(cw_tbucket_allow(&b, 60000, 1 << 20), 2000);
}
END_TEST

START_TEST(bucket_debt_is_paid_back_by_waiting)
{
	struct cw_tbucket b;

	cw_tbucket_start(&b, 1000, 0);
	cw_tbucket_spend(&b, 100 + 400); /* 400 bytes beyond the credit */
	ck_assert_uint_eq(cw_tbucket_allow(&b, 0, 10), 0);
	/* 400 bytes of debt plus the 100-byte step: half a second */
	ck_assert_int_eq(cw_tbucket_wait_ms(&b, 0, 1 << 20), 500);
	ck_assert_uint_eq(cw_tbucket_allow(&b, 399, 10), 0);
	ck_assert_uint_eq(cw_tbucket_allow(&b, 500, 1 << 20), 100);
}
END_TEST

START_TEST(bucket_wait_is_for_a_useful_write)
{
	struct cw_tbucket b;

	cw_tbucket_start(&b, 1000, 0);
	cw_tbucket_spend(&b, 100);
	/* a step is a tenth of a second's worth, or what is left */
	ck_assert_int_eq(cw_tbucket_wait_ms(&b, 0, 1 << 20), 100);
	ck_assert_int_eq(cw_tbucket_wait_ms(&b, 0, 10), 10);
	ck_assert_int_eq(cw_tbucket_wait_ms(&b, 40, 1 << 20), 60);
	ck_assert_int_eq(cw_tbucket_wait_ms(&b, 100, 1 << 20), 0);
	/* a rate below 10 bytes/s still waits for a whole byte (it
	 * started with 0.2) */
	cw_tbucket_start(&b, 2, 0);
	cw_tbucket_spend(&b, cw_tbucket_allow(&b, 0, 100));
	ck_assert_int_eq(cw_tbucket_wait_ms(&b, 0, 100), 400);
}
END_TEST

static Suite *throttle_suite(void)
{
	Suite *s = suite_create("throttle");
	TCase *rules = tcase_create("rules");
	TCase *bucket = tcase_create("bucket");

	tcase_add_test(rules, rates_take_k_and_m_suffixes_and_fractions);
	tcase_add_test(rules, the_last_matching_rule_wins);
	tcase_add_test(rules, no_match_is_unlimited);
	tcase_add_test(rules, uri_patterns_match_a_prefix_of_the_local_uri);
	tcase_add_test(rules, subnets_match_ipv4_and_ipv6_clients);
	tcase_add_test(rules, empty_lists_and_entries_mean_nothing);
	tcase_add_test(rules, bad_values_are_refused_with_the_entry_and_why);
	tcase_add_test(rules, oversized_lists_are_refused);
	tcase_add_test(rules, option_is_checked_and_parsed_once);
	suite_add_tcase(s, rules);

	tcase_add_test(bucket, bucket_without_rate_allows_everything);
	tcase_add_test(bucket, bucket_starts_with_a_tenth_of_a_second);
	tcase_add_test(bucket, bucket_keeps_the_rate_over_time);
	tcase_add_test(bucket, bucket_saves_up_at_most_a_fifth_of_a_second);
	tcase_add_test(bucket, bucket_debt_is_paid_back_by_waiting);
	tcase_add_test(bucket, bucket_wait_is_for_a_useful_write);
	suite_add_tcase(s, bucket);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(throttle_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
