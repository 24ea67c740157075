/* check_handlers.c - the URI handler registry (src/handlers.c): which
 * handler a URI gets (exact, then the longest '/'-bounded prefix, then the
 * pattern matching the most), replacing and removing handlers, removal
 * waiting for running handlers, and handler types kept apart. */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/handlers.h"

static struct cw_handlers *hs;

/* Tags handed to handlers as cbdata, so a lookup says which one it found. */
static char tag_a, tag_b, tag_c, tag_d;

static int req_cb(struct mg_connection *c, void *cbdata)
{
	(void)c;
	(void)cbdata;
	return 1;
}

static int auth_cb(struct mg_connection *c, void *cbdata)
{
	(void)c;
	(void)cbdata;
	return 1;
}

static void set_req(const char *uri, void *cbdata)
{
	struct cw_handler t;

	memset(&t, 0, sizeof t);
	t.type = CW_HANDLER_REQUEST;
	t.request = req_cb;
	t.cbdata = cbdata;
	ck_assert_int_eq(cw_handlers_set(hs, uri, &t), 0);
}

static void set_auth(const char *uri, void *cbdata)
{
	struct cw_handler t;

	memset(&t, 0, sizeof t);
	t.type = CW_HANDLER_AUTH;
	t.auth = auth_cb;
	t.cbdata = cbdata;
	ck_assert_int_eq(cw_handlers_set(hs, uri, &t), 0);
}

static int remove_type(const char *uri, int type)
{
	struct cw_handler t;

	memset(&t, 0, sizeof t);
	t.type = type;
	return cw_handlers_set(hs, uri, &t);
}

/* The cbdata of the request handler found for uri, NULL if none. */
static void *found(const char *uri)
{
	struct cw_handler *h = cw_handlers_find(hs, CW_HANDLER_REQUEST, uri);
	void *d;

	if (h == NULL)
		return NULL;
	d = h->cbdata;
	cw_handlers_release(hs, h);
	return d;
}

static void *found_type(const char *uri, int type)
{
	struct cw_handler *h = cw_handlers_find(hs, type, uri);
	void *d;

	if (h == NULL)
		return NULL;
	d = h->cbdata;
	cw_handlers_release(hs, h);
	return d;
}

static void setup(void)
{
	hs = cw_handlers_new();
	ck_assert_ptr_nonnull(hs);
}

static void teardown(void)
{
	cw_handlers_free(hs);
	hs = NULL;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* ---- matching ------------------------------------------------------------ */

START_TEST(empty_registry_finds_nothing)
{
	ck_assert_ptr_null(found("/"));
	ck_assert_ptr_null(found("/anything"));
	ck_assert_int_eq(cw_handlers_any(hs, CW_HANDLER_REQUEST), 0);
	ck_assert_ptr_null(cw_handlers_find(hs, CW_HANDLER_REQUEST, NULL));
}
END_TEST

START_TEST(exact_beats_prefix_beats_pattern_in_any_order)
{
	/* the least specific first, so registration order cannot explain
	 * the winner */
	set_req("**", &tag_c);
	set_req("/api", &tag_b);
	set_req("/api/v1", &tag_a);
	ck_assert_ptr_eq(found("/api/v1"), &tag_a);
	ck_assert_ptr_eq(found("/api/v1/x"), &tag_a);
	ck_assert_ptr_eq(found("/api/v2"), &tag_b);
	ck_assert_ptr_eq(found("/api"), &tag_b);
	ck_assert_ptr_eq(found("/other"), &tag_c);
}
END_TEST

START_TEST(exact_beats_prefix_registered_earlier)
{
	set_req("/x", &tag_a);
	set_req("/x/y", &tag_b);
	ck_assert_ptr_eq(found("/x/y"), &tag_b);
	ck_assert_ptr_eq(found("/x"), &tag_a);
}
END_TEST

START_TEST(prefix_beats_pattern_registered_earlier)
{
	set_req("/x/**", &tag_a);
	set_req("/x", &tag_b);
	ck_assert_ptr_eq(found("/x/y"), &tag_b);
}
END_TEST

START_TEST(longest_prefix_wins_regardless_of_registration_order)
{
	set_req("/a", &tag_a);
	set_req("/a/b/c", &tag_c);
	set_req("/a/b", &tag_b);
	ck_assert_ptr_eq(found("/a/b/c/d"), &tag_c);
	ck_assert_ptr_eq(found("/a/b/x"), &tag_b);
	ck_assert_ptr_eq(found("/a/x"), &tag_a);
	ck_assert_ptr_eq(found("/a/b/cd"), &tag_b);
}
END_TEST

START_TEST(longest_prefix_wins_when_registered_longest_first)
{
	set_req("/a/b/c", &tag_c);
	set_req("/a/b", &tag_b);
	set_req("/a", &tag_a);
	ck_assert_ptr_eq(found("/a/b/c/d"), &tag_c);
	ck_assert_ptr_eq(found("/a/b/x"), &tag_b);
	ck_assert_ptr_eq(found("/a/x"), &tag_a);
}
END_TEST

START_TEST(plain_uri_matches_itself_and_below)
{
	set_req("/a", &tag_a);
	ck_assert_ptr_eq(found("/a"), &tag_a);
	ck_assert_ptr_eq(found("/a/"), &tag_a);
	ck_assert_ptr_eq(found("/a/b"), &tag_a);
	ck_assert_ptr_eq(found("/a/b/c.txt"), &tag_a);
	ck_assert_ptr_null(found("/"));
	ck_assert_ptr_null(found("/b"));
	ck_assert_ptr_null(found("/xa"));
}
END_TEST

/* CivetWeb's third pass uses the registered URI as a prefix pattern, so
 * "/a" serves "/ab" too; civetd does the same (documented in handlers.c). */
START_TEST(plain_uri_matches_longer_name_like_civetweb)
{
	set_req("/a", &tag_a);
	ck_assert_ptr_eq(found("/ab"), &tag_a);
	ck_assert_ptr_eq(found("/abc/d"), &tag_a);
}
END_TEST

START_TEST(exact_or_bounded_match_beats_name_prefix)
{
	set_req("/a", &tag_a);
	set_req("/ab", &tag_b);
	ck_assert_ptr_eq(found("/ab"), &tag_b);
	ck_assert_ptr_eq(found("/ab/x"), &tag_b);
	ck_assert_ptr_eq(found("/abc"), &tag_b); /* longer pattern match */
	ck_assert_ptr_eq(found("/a/x"), &tag_a);
}
END_TEST

START_TEST(dollar_gives_a_strict_boundary)
{
	set_req("/a$", &tag_a);
	ck_assert_ptr_eq(found("/a"), &tag_a);
	ck_assert_ptr_null(found("/ab"));
	ck_assert_ptr_null(found("/a/b"));
}
END_TEST

START_TEST(pattern_pass_is_case_insensitive_like_civetweb)
{
	set_req("/api", &tag_a);
	ck_assert_ptr_eq(found("/API/x"), &tag_a);
	/* but an exact, case-sensitive match of another handler wins */
	set_req("/API/x", &tag_b);
	ck_assert_ptr_eq(found("/API/x"), &tag_b);
	ck_assert_ptr_eq(found("/api/x"), &tag_a);
}
END_TEST

START_TEST(trailing_slash_uri_is_a_prefix_of_its_subtree)
{
	set_req("/d/", &tag_a);
	set_req("/d", &tag_b);
	ck_assert_ptr_eq(found("/d/x"), &tag_a); /* longer prefix */
	ck_assert_ptr_eq(found("/d/"), &tag_a);  /* exact */
	ck_assert_ptr_eq(found("/d"), &tag_b);
}
END_TEST

START_TEST(root_uri_catches_everything_else)
{
	set_req("/", &tag_a);
	set_req("/x", &tag_b);
	ck_assert_ptr_eq(found("/"), &tag_a);
	ck_assert_ptr_eq(found("/y/z"), &tag_a);
	ck_assert_ptr_eq(found("/x/z"), &tag_b);
}
END_TEST

START_TEST(star_stays_within_one_segment)
{
	set_req("/x/*.txt$", &tag_a);
	ck_assert_ptr_eq(found("/x/file.txt"), &tag_a);
	ck_assert_ptr_null(found("/x/y/file.txt"));
	ck_assert_ptr_null(found("/x/file.txt.bak"));
}
END_TEST

START_TEST(double_star_crosses_segments)
{
	set_req("**.txt$", &tag_a);
	ck_assert_ptr_eq(found("/x/y/file.txt"), &tag_a);
	ck_assert_ptr_eq(found("/file.txt"), &tag_a);
	ck_assert_ptr_null(found("/file.txt/more"));
}
END_TEST

START_TEST(question_mark_is_one_char_but_not_slash)
{
	set_req("/d/????.css$", &tag_a);
	ck_assert_ptr_eq(found("/d/abcd.css"), &tag_a);
	ck_assert_ptr_null(found("/d/abc.css"));
	ck_assert_ptr_null(found("/d/abcde.css"));
	ck_assert_ptr_null(found("/d/ab/d.css"));
}
END_TEST

START_TEST(bar_separates_alternatives)
{
	set_req("/one$|/two$|**.png$", &tag_a);
	ck_assert_ptr_eq(found("/one"), &tag_a);
	ck_assert_ptr_eq(found("/two"), &tag_a);
	ck_assert_ptr_eq(found("/img/x.png"), &tag_a);
	ck_assert_ptr_null(found("/three"));
	ck_assert_ptr_null(found("/one/x"));
}
END_TEST

START_TEST(pattern_matching_more_characters_wins)
{
	/* "/a*" stops at the first '/', "/a**" takes the whole path */
	set_req("/a*", &tag_a);
	set_req("/a**", &tag_b);
	ck_assert_ptr_eq(found("/abc/def"), &tag_b);
}
END_TEST

START_TEST(equal_pattern_matches_go_to_the_first_registered)
{
	set_req("/p**", &tag_a);
	set_req("**.css$", &tag_b);
	ck_assert_ptr_eq(found("/p/x.css"), &tag_a);
}
END_TEST

/* ---- replacing and removing -------------------------------------------- */

START_TEST(setting_same_uri_replaces_the_handler)
{
	set_req("/r", &tag_a);
	set_req("/r", &tag_b);
	ck_assert_ptr_eq(found("/r"), &tag_b);
	/* one entry only: one removal leaves nothing */
	ck_assert_int_eq(remove_type("/r", CW_HANDLER_REQUEST), 0);
	ck_assert_ptr_null(found("/r"));
	ck_assert_int_eq(cw_handlers_any(hs, CW_HANDLER_REQUEST), 0);
}
END_TEST

START_TEST(replacing_keeps_the_registration_position)
{
	/* equal pattern matches go to the first registered; a replaced
	 * handler keeps its place in that order */
	set_req("/p**", &tag_a);
	set_req("**.css$", &tag_b);
	set_req("/p**", &tag_c);
	ck_assert_ptr_eq(found("/p/x.css"), &tag_c);
}
END_TEST

START_TEST(null_handler_removes_only_that_uri)
{
	set_req("/keep", &tag_a);
	set_req("/drop", &tag_b);
	ck_assert_int_eq(remove_type("/drop", CW_HANDLER_REQUEST), 0);
	ck_assert_ptr_null(found("/drop"));
	ck_assert_ptr_eq(found("/keep"), &tag_a);
	ck_assert_int_eq(cw_handlers_any(hs, CW_HANDLER_REQUEST), 1);
}
END_TEST

START_TEST(removing_prefix_falls_back_to_shorter_prefix)
{
	set_req("/a", &tag_a);
	set_req("/a/b", &tag_b);
	ck_assert_ptr_eq(found("/a/b/c"), &tag_b);
	ck_assert_int_eq(remove_type("/a/b", CW_HANDLER_REQUEST), 0);
	ck_assert_ptr_eq(found("/a/b/c"), &tag_a);
}
END_TEST

START_TEST(removing_unknown_uri_is_harmless)
{
	set_req("/x", &tag_a);
	ck_assert_int_eq(remove_type("/nope", CW_HANDLER_REQUEST), 0);
	ck_assert_int_eq(remove_type("/x", CW_HANDLER_AUTH), 0);
	ck_assert_ptr_eq(found("/x"), &tag_a);
}
END_TEST

START_TEST(null_uri_is_refused)
{
	struct cw_handler t;

	memset(&t, 0, sizeof t);
	t.type = CW_HANDLER_REQUEST;
	t.request = req_cb;
	ck_assert_int_eq(cw_handlers_set(hs, NULL, &t), -1);
	ck_assert_int_eq(cw_handlers_any(hs, CW_HANDLER_REQUEST), 0);
}
END_TEST

START_TEST(registered_uri_is_copied)
{
	char uri[8] = "/copy";

	set_req(uri, &tag_a);
	strcpy(uri, "/gone");
	ck_assert_ptr_eq(found("/copy"), &tag_a);
	ck_assert_ptr_null(found("/gone"));
}
END_TEST

START_TEST(types_are_independent)
{
	set_auth("/p", &tag_a);
	set_req("/p", &tag_b);
	ck_assert_ptr_eq(found_type("/p", CW_HANDLER_AUTH), &tag_a);
	ck_assert_ptr_eq(found_type("/p", CW_HANDLER_REQUEST), &tag_b);
	ck_assert_ptr_null(found_type("/p", CW_HANDLER_WEBSOCKET));
	/* removing the request handler leaves the auth handler */
	ck_assert_int_eq(remove_type("/p", CW_HANDLER_REQUEST), 0);
	ck_assert_ptr_null(found_type("/p", CW_HANDLER_REQUEST));
	ck_assert_ptr_eq(found_type("/p/q", CW_HANDLER_AUTH), &tag_a);
	ck_assert_int_eq(cw_handlers_any(hs, CW_HANDLER_REQUEST), 0);
	ck_assert_int_eq(cw_handlers_any(hs, CW_HANDLER_AUTH), 1);
	/* replacing the auth handler does not create a request handler */
	set_auth("/p", &tag_c);
	ck_assert_ptr_eq(found_type("/p", CW_HANDLER_AUTH), &tag_c);
	ck_assert_ptr_null(found_type("/p", CW_HANDLER_REQUEST));
}
END_TEST

/* ---- removal while a handler runs -------------------------------------- */

struct runner {
	_Atomic int holding;  /* the "request" holds the handler */
	_Atomic int let_go;   /* the test says: finish now */
	_Atomic int released; /* set just before it lets go */
	void *tag;            /* what the running request found */
};

static void *run_request(void *arg)
{
	struct runner *r = arg;
	struct cw_handler *h =
	    cw_handlers_find(hs, CW_HANDLER_REQUEST, "/slow");

	r->tag = h != NULL ? h->cbdata : NULL;
	atomic_store(&r->holding, 1);
	/* runs until the test has seen what it checks meanwhile (10 s at
	 * most: no assertion on this thread) */
	for (int i = 0; i < 10000 && !atomic_load(&r->let_go); i++)
		sleep_ms(1);
	/* the handler's data must still be valid while it runs */
	if (h != NULL && h->cbdata != r->tag)
		r->tag = NULL;
	atomic_store(&r->released, 1);
	if (h != NULL)
		cw_handlers_release(hs, h);
	return NULL;
}

struct changer {
	struct cw_handler tmpl;
	_Atomic int done;
	int released_when_done; /* the runner had let go when set() returned */
	struct runner *r;
};

static void *change_handler(void *arg)
{
	struct changer *ch = arg;

	cw_handlers_set(hs, "/slow", &ch->tmpl);
	ch->released_when_done = atomic_load(&ch->r->released);
	atomic_store(&ch->done, 1);
	return NULL;
}

static void wait_flag(_Atomic int *flag)
{
	for (int i = 0; i < 5000 && !atomic_load(flag); i++)
		sleep_ms(1);
	ck_assert_int_eq(atomic_load(flag), 1);
}

START_TEST(removal_waits_until_running_handler_returns)
{
	struct runner r = {0, 0, 0, NULL};
	struct changer ch;
	pthread_t rt, ct;
	int i;

	set_req("/slow", &tag_a);
	ck_assert_int_eq(pthread_create(&rt, NULL, run_request, &r), 0);
	wait_flag(&r.holding);
	ck_assert_ptr_eq(r.tag, &tag_a);

	memset(&ch, 0, sizeof ch);
	ch.tmpl.type = CW_HANDLER_REQUEST; /* no callback: removal */
	ch.r = &r;
	ck_assert_int_eq(pthread_create(&ct, NULL, change_handler, &ch), 0);
	/* new lookups stop seeing the handler at once ... */
	for (i = 0; i < 5000 && found("/slow") != NULL; i++)
		sleep_ms(1);
	ck_assert_ptr_null(found("/slow"));
	/* ... while the removal itself still waits for the running one */
	ck_assert_int_eq(atomic_load(&ch.done), 0);
	atomic_store(&r.let_go, 1);
	ck_assert_int_eq(pthread_join(rt, NULL), 0);
	ck_assert_int_eq(pthread_join(ct, NULL), 0);
	ck_assert_int_eq(ch.done, 1);
	ck_assert_int_eq(ch.released_when_done, 1);
	ck_assert_ptr_eq(r.tag, &tag_a);
}
END_TEST

START_TEST(replacement_serves_new_handler_while_old_one_finishes)
{
	struct runner r = {0, 0, 0, NULL};
	struct changer ch;
	pthread_t rt, ct;
	int i;

	set_req("/slow", &tag_a);
	ck_assert_int_eq(pthread_create(&rt, NULL, run_request, &r), 0);
	wait_flag(&r.holding);

	memset(&ch, 0, sizeof ch);
	ch.tmpl.type = CW_HANDLER_REQUEST;
	ch.tmpl.request = req_cb;
	ch.tmpl.cbdata = &tag_b;
	ch.r = &r;
	ck_assert_int_eq(pthread_create(&ct, NULL, change_handler, &ch), 0);
	for (i = 0; i < 5000 && found("/slow") != &tag_b; i++)
		sleep_ms(1);
	ck_assert_ptr_eq(found("/slow"), &tag_b);
	ck_assert_int_eq(atomic_load(&ch.done), 0);
	atomic_store(&r.let_go, 1);
	ck_assert_int_eq(pthread_join(rt, NULL), 0);
	ck_assert_int_eq(pthread_join(ct, NULL), 0);
	ck_assert_int_eq(ch.released_when_done, 1);
	ck_assert_ptr_eq(r.tag, &tag_a);
	ck_assert_ptr_eq(found("/slow"), &tag_b);
}
END_TEST

START_TEST(removal_of_idle_handler_does_not_wait)
{
	set_req("/idle", &tag_a);
	/* a held-and-released lookup leaves no reference behind */
	ck_assert_ptr_eq(found("/idle"), &tag_a);
	ck_assert_int_eq(remove_type("/idle", CW_HANDLER_REQUEST), 0);
	ck_assert_ptr_null(found("/idle"));
}
END_TEST

/* Lookups on several threads while the handlers change under them: every
 * lookup returns a live entry or none (the sanitizers and valgrind catch a
 * use after free). */
static _Atomic int stress_stop;
static _Atomic long stress_bad;

static void *stress_lookup(void *arg)
{
	static const char *const uris[] = {"/s", "/s/t", "/s/t/u", "/x.png",
	                                   "/other"};
	long n = 0;

	(void)arg;
	while (!atomic_load(&stress_stop)) {
		const char *u = uris[n++ % 5];
		struct cw_handler *h =
		    cw_handlers_find(hs, CW_HANDLER_REQUEST, u);

		if (h == NULL)
			continue;
		if (h->cbdata != &tag_a && h->cbdata != &tag_b &&
		    h->cbdata != &tag_c && h->cbdata != &tag_d)
			atomic_fetch_add(&stress_bad, 1);
		if (h->request != req_cb || h->uri == NULL ||
		    h->uri_len != strlen(h->uri))
			atomic_fetch_add(&stress_bad, 1);
		cw_handlers_release(hs, h);
	}
	return NULL;
}

START_TEST(concurrent_lookups_survive_changes)
{
	pthread_t t[4];

	atomic_store(&stress_stop, 0);
	atomic_store(&stress_bad, 0);
	set_req("/s", &tag_a);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(
		    pthread_create(&t[i], NULL, stress_lookup, NULL), 0);
	for (int round = 0; round < 2000; round++) {
		set_req("/s/t", round % 2 ? &tag_b : &tag_c);
		set_req("**.png$", &tag_d);
		if (round % 3 == 0)
			remove_type("/s/t", CW_HANDLER_REQUEST);
		if (round % 5 == 0)
			remove_type("**.png$", CW_HANDLER_REQUEST);
	}
	atomic_store(&stress_stop, 1);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
	ck_assert_int_eq(atomic_load(&stress_bad), 0);
	ck_assert_ptr_eq(found("/s"), &tag_a);
}
END_TEST

/* Replacing the only handler of a type must never leave a moment in which
 * lookups find none (the cheap "any handler?" check included). */
static _Atomic long hidden, hidden_lookups;

static void *lookup_only(void *arg)
{
	(void)arg;
	while (!atomic_load(&stress_stop)) {
		struct cw_handler *h =
		    cw_handlers_find(hs, CW_HANDLER_REQUEST, "/only");

		atomic_fetch_add(&hidden_lookups, 1);
		if (h == NULL)
			atomic_fetch_add(&hidden, 1);
		else
			cw_handlers_release(hs, h);
	}
	return NULL;
}

START_TEST(replacement_never_hides_the_handler)
{
	pthread_t t[3];

	atomic_store(&stress_stop, 0);
	atomic_store(&hidden, 0);
	atomic_store(&hidden_lookups, 0);
	set_req("/only", &tag_a);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, lookup_only, NULL),
		                 0);
	for (int round = 0; round < 50000; round++)
		set_req("/only", round % 2 ? &tag_a : &tag_b);
	atomic_store(&stress_stop, 1);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
	ck_assert_msg(atomic_load(&hidden) == 0,
	              "%ld of %ld lookups found no handler",
	              atomic_load(&hidden), atomic_load(&hidden_lookups));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("handlers");
	TCase *m = tcase_create("matching");
	TCase *c = tcase_create("changes");
	TCase *t = tcase_create("threads");

	tcase_add_checked_fixture(m, setup, teardown);
	tcase_add_test(m, empty_registry_finds_nothing);
	tcase_add_test(m, exact_beats_prefix_beats_pattern_in_any_order);
	tcase_add_test(m, exact_beats_prefix_registered_earlier);
	tcase_add_test(m, prefix_beats_pattern_registered_earlier);
	tcase_add_test(m, longest_prefix_wins_regardless_of_registration_order);
	tcase_add_test(m, longest_prefix_wins_when_registered_longest_first);
	tcase_add_test(m, plain_uri_matches_itself_and_below);
	tcase_add_test(m, plain_uri_matches_longer_name_like_civetweb);
	tcase_add_test(m, exact_or_bounded_match_beats_name_prefix);
	tcase_add_test(m, dollar_gives_a_strict_boundary);
	tcase_add_test(m, pattern_pass_is_case_insensitive_like_civetweb);
	tcase_add_test(m, trailing_slash_uri_is_a_prefix_of_its_subtree);
	tcase_add_test(m, root_uri_catches_everything_else);
	tcase_add_test(m, star_stays_within_one_segment);
	tcase_add_test(m, double_star_crosses_segments);
	tcase_add_test(m, question_mark_is_one_char_but_not_slash);
	tcase_add_test(m, bar_separates_alternatives);
	tcase_add_test(m, pattern_matching_more_characters_wins);
	tcase_add_test(m, equal_pattern_matches_go_to_the_first_registered);
	suite_add_tcase(s, m);

	tcase_add_checked_fixture(c, setup, teardown);
	tcase_add_test(c, setting_same_uri_replaces_the_handler);
	tcase_add_test(c, replacing_keeps_the_registration_position);
	tcase_add_test(c, null_handler_removes_only_that_uri);
	tcase_add_test(c, removing_prefix_falls_back_to_shorter_prefix);
	tcase_add_test(c, removing_unknown_uri_is_harmless);
	tcase_add_test(c, null_uri_is_refused);
	tcase_add_test(c, registered_uri_is_copied);
	tcase_add_test(c, types_are_independent);
	suite_add_tcase(s, c);

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, removal_waits_until_running_handler_returns);
	tcase_add_test(t,
	               replacement_serves_new_handler_while_old_one_finishes);
	tcase_add_test(t, removal_of_idle_handler_does_not_wait);
	tcase_add_test(t, concurrent_lookups_survive_changes);
	tcase_add_test(t, replacement_never_hides_the_handler);
	suite_add_tcase(s, t);
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
