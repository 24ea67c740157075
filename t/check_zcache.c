/* check_zcache.c - unit tests for src/files/zcache.c: a file is
 * compressed once and then served from memory, the bytes decode to the
 * file, a changed file (content, size, mtime to the nanosecond, inode) is
 * compressed again, the budget holds with least recently used entries
 * dropped first, an entry held by a caller outlives its eviction, a file
 * that does not compress is tried only once, and eight threads sharing a
 * small cache get correct bytes (run under ASan and TSan by CI). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files/zcache.h"
#include "testlib.h"
#include "util/buf.h"
#include "util/coding.h"
#include "util/zcodec.h"
#include "zdecode.h"

#define ZS       CW_CODING_ZSTD
#define GZ       CW_CODING_GZIP
#define MAX_FILE ((size_t)16 << 20)

/* A file of the test directory, open for reading, with its fstat. */
struct tfile {
	char path[512];
	int fd;
	struct stat st;
};

static uint64_t rnd_state;

/* xorshift64*: its bytes do not repeat within any test's sizes. */
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return (uint32_t)((rnd_state * 2685821657736338717ULL) >> 32);
}

/* n bytes of text varied by seed: compresses well. */
static char *make_text(size_t n, uint32_t seed)
{
	static const char *const words[] = {
	    "static ", "files ", "are ",    "compressed ",
	    "once ",   "and ",   "served ", "from ",
	    "memory ", "until ", "they ",   "change.\n"};
	char *p = malloc(n + 1);
	size_t i = 0;

	ck_assert_ptr_nonnull(p);
	rnd_state = seed + 1;
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

static char *make_random(size_t n, uint32_t seed)
{
	char *p = malloc(n);
	size_t i;

	ck_assert_ptr_nonnull(p);
	rnd_state = seed + 1;
	for (i = 0; i < n; i++)
		p[i] = (char)(rnd() & 0xff);
	return p;
}

static void topen(struct tfile *f, const char *dir, const char *name,
                  const char *data, size_t len)
{
	snprintf(f->path, sizeof(f->path), "%s/%s", dir, name);
	tl_write_file(dir, name, data, len);
	f->fd = open(f->path, O_RDONLY);
	ck_assert_int_ge(f->fd, 0);
	ck_assert_int_eq(fstat(f->fd, &f->st), 0);
}

/* Rewrite f in place (same inode) and fstat it again. */
static void trewrite(struct tfile *f, const char *data, size_t len)
{
	int fd = open(f->path, O_WRONLY | O_TRUNC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
	ck_assert_int_eq(fstat(f->fd, &f->st), 0);
}

/* Set f's mtime to sec.nsec and fstat it again. */
static void tset_mtime(struct tfile *f, time_t sec, long nsec)
{
	struct timespec ts[2] = {{0, UTIME_OMIT}, {sec, nsec}};

	ck_assert_int_eq(futimens(f->fd, ts), 0);
	ck_assert_int_eq(fstat(f->fd, &f->st), 0);
}

static void tclose(struct tfile *f)
{
	close(f->fd);
}

static const struct cw_zentry *get(struct cw_zcache *zc, struct tfile *f,
                                   int coding)
{
	return cw_zcache_get(zc, f->path, f->fd, &f->st, coding, 6, MAX_FILE);
}

/* e decodes (as coding) to exactly data[0..len). */
static void assert_decodes_to(const struct cw_zentry *e, int coding,
                              const char *data, size_t len)
{
	struct cw_buf plain = {0};

	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(zdec_all(coding, e->data, e->len, &plain), 0);
	ck_assert_uint_eq(plain.len, len);
	ck_assert(memcmp(plain.data, data, len) == 0);
	cw_buf_free(&plain);
}

static struct cw_zcache_stats stats(struct cw_zcache *zc)
{
	struct cw_zcache_stats s;

	cw_zcache_stats(zc, &s);
	return s;
}

START_TEST(test_zcache_hit_after_miss_returns_the_same_bytes)
{
	char *dir = tl_mkdtemp(), *text = make_text(200000, 1);
	struct cw_zcache *zc = cw_zcache_new(8 << 20);
	const struct cw_zentry *e1, *e2, *g;
	struct tfile f;

	ck_assert_ptr_nonnull(zc);
	topen(&f, dir, "a.txt", text, 200000);
	e1 = get(zc, &f, ZS);
	assert_decodes_to(e1, ZS, text, 200000);
	ck_assert_uint_lt(e1->len, 200000 / 4);
	ck_assert_uint_eq(stats(zc).misses, 1);
	ck_assert_uint_eq(stats(zc).hits, 0);

	e2 = get(zc, &f, ZS);
	ck_assert_ptr_eq(e2, e1);
	ck_assert_ptr_eq(e2->data, e1->data);
	ck_assert_uint_eq(stats(zc).misses, 1);
	ck_assert_uint_eq(stats(zc).hits, 1);

	/* the gzip form is an entry of its own */
	g = get(zc, &f, GZ);
	ck_assert_ptr_ne(g, e1);
	assert_decodes_to(g, GZ, text, 200000);
	ck_assert_uint_eq(stats(zc).misses, 2);
	ck_assert_uint_eq(stats(zc).entries, 2);
	ck_assert_uint_ge(stats(zc).bytes, e1->len + g->len);

	cw_zcache_release(zc, e1);
	cw_zcache_release(zc, e2);
	cw_zcache_release(zc, g);
	/* released entries stay cached */
	e1 = get(zc, &f, ZS);
	ck_assert_ptr_nonnull(e1);
	ck_assert_uint_eq(stats(zc).hits, 2);
	cw_zcache_release(zc, e1);
	cw_zcache_release(zc, NULL);

	tclose(&f);
	cw_zcache_free(zc);
	free(text);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

START_TEST(test_zcache_changed_file_is_compressed_again)
{
	char *dir = tl_mkdtemp();
	char *t1 = make_text(50000, 1), *t2 = make_text(50000, 2);
	char *t3 = make_text(60000, 3), *t4 = make_text(60000, 4);
	struct cw_zcache *zc = cw_zcache_new(8 << 20);
	const struct cw_zentry *old, *e;
	struct tfile f, g;

	topen(&f, dir, "a.txt", t1, 50000);
	tset_mtime(&f, 1000000000, 5);
	old = get(zc, &f, ZS);
	assert_decodes_to(old, ZS, t1, 50000);

	/* same size, same second: only the nanoseconds tell */
	trewrite(&f, t2, 50000);
	tset_mtime(&f, 1000000000, 6);
	e = get(zc, &f, ZS);
	ck_assert_uint_eq(stats(zc).misses, 2);
	assert_decodes_to(e, ZS, t2, 50000);
	/* the entry held from before still has the old content */
	assert_decodes_to(old, ZS, t1, 50000);
	cw_zcache_release(zc, old);
	cw_zcache_release(zc, e);
	ck_assert_uint_eq(stats(zc).entries, 1);

	/* a different size, the mtime put back as it was */
	trewrite(&f, t3, 60000);
	tset_mtime(&f, 1000000000, 6);
	e = get(zc, &f, ZS);
	ck_assert_uint_eq(stats(zc).misses, 3);
	assert_decodes_to(e, ZS, t3, 60000);
	cw_zcache_release(zc, e);

	/* another inode under the same path, everything else equal */
	topen(&g, dir, "b.txt", t4, 60000);
	tset_mtime(&g, 1000000000, 6);
	ck_assert_int_eq(rename(g.path, f.path), 0);
	snprintf(g.path, sizeof(g.path), "%s", f.path);
	e = get(zc, &g, ZS);
	ck_assert_uint_eq(stats(zc).misses, 4);
	assert_decodes_to(e, ZS, t4, 60000);
	cw_zcache_release(zc, e);
	/* and nothing changed: a hit */
	e = get(zc, &g, ZS);
	ck_assert_uint_eq(stats(zc).misses, 4);
	ck_assert_uint_eq(stats(zc).hits, 1);
	cw_zcache_release(zc, e);
	ck_assert_uint_eq(stats(zc).entries, 1);

	tclose(&f);
	tclose(&g);
	cw_zcache_free(zc);
	free(t1);
	free(t2);
	free(t3);
	free(t4);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

START_TEST(test_zcache_eviction_keeps_the_budget_dropping_lru_first)
{
	char *dir = tl_mkdtemp();
	struct cw_zcache *zc;
	struct tfile f[10];
	char *text[10];
	size_t one, max;
	int i;

	/* Measure one entry's charge, then allow about four. */
	for (i = 0; i < 10; i++) {
		char name[32];

		snprintf(name, sizeof(name), "f%d.txt", i);
		text[i] = make_text(100000, (uint32_t)i + 10);
		topen(&f[i], dir, name, text[i], 100000);
	}
	zc = cw_zcache_new(64 << 20);
	cw_zcache_release(zc, get(zc, &f[0], ZS));
	one = stats(zc).bytes;
	cw_zcache_free(zc);
	max = one * 4 + one / 2;
	zc = cw_zcache_new(max);

	for (i = 0; i < 10; i++) {
		const struct cw_zentry *e = get(zc, &f[i], ZS);

		assert_decodes_to(e, ZS, text[i], 100000);
		cw_zcache_release(zc, e);
		/* f[0] is used all along: it is never the oldest */
		cw_zcache_release(zc, get(zc, &f[0], ZS));
		ck_assert_uint_le(stats(zc).bytes, max);
	}
	ck_assert_uint_le(stats(zc).entries, 4);
	ck_assert_uint_ge(stats(zc).evictions, 5);
	ck_assert_uint_eq(stats(zc).misses, 10);

	/* f[0] and the newest stayed; the first ones went */
	cw_zcache_release(zc, get(zc, &f[0], ZS));
	cw_zcache_release(zc, get(zc, &f[9], ZS));
	ck_assert_uint_eq(stats(zc).misses, 10);
	cw_zcache_release(zc, get(zc, &f[1], ZS));
	ck_assert_uint_eq(stats(zc).misses, 11);
	ck_assert_uint_le(stats(zc).bytes, max);

	/* an entry larger than the whole budget is not kept */
	cw_zcache_free(zc);
	zc = cw_zcache_new(one / 2);
	ck_assert_ptr_null(get(zc, &f[2], ZS));
	ck_assert_uint_le(stats(zc).bytes, one / 2);

	for (i = 0; i < 10; i++) {
		tclose(&f[i]);
		free(text[i]);
	}
	cw_zcache_free(zc);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

START_TEST(test_zcache_evicted_entry_stays_valid_until_released)
{
	char *dir = tl_mkdtemp();
	char *ta = make_text(100000, 1), *tb = make_text(100000, 2);
	struct cw_zcache *zc;
	const struct cw_zentry *held;
	struct tfile a, b;
	size_t one;

	topen(&a, dir, "a.txt", ta, 100000);
	topen(&b, dir, "b.txt", tb, 100000);
	zc = cw_zcache_new(64 << 20);
	cw_zcache_release(zc, get(zc, &a, GZ));
	one = stats(zc).bytes;
	cw_zcache_free(zc);

	/* room for one entry: b pushes out a while a is held */
	zc = cw_zcache_new(one + one / 2);
	held = get(zc, &a, GZ);
	ck_assert_ptr_nonnull(held);
	cw_zcache_release(zc, get(zc, &b, GZ));
	ck_assert_uint_eq(stats(zc).evictions, 1);
	ck_assert_uint_eq(stats(zc).entries, 1);
	/* a is gone from the cache (a miss again) yet the held entry,
	 * released only now, still reads as a's stream */
	cw_zcache_release(zc, get(zc, &a, GZ));
	ck_assert_uint_eq(stats(zc).misses, 3);
	assert_decodes_to(held, GZ, ta, 100000);
	cw_zcache_release(zc, held);

	tclose(&a);
	tclose(&b);
	cw_zcache_free(zc);
	free(ta);
	free(tb);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

START_TEST(test_zcache_incompressible_file_is_tried_once)
{
	char *dir = tl_mkdtemp();
	char *r1 = make_random(100000, 5), *r2 = make_random(100000, 6);
	struct cw_zcache *zc = cw_zcache_new(8 << 20);
	struct tfile f;
	int i;

	topen(&f, dir, "r.bin", r1, 100000);
	tset_mtime(&f, 1000000000, 0);
	ck_assert_ptr_null(get(zc, &f, ZS));
	ck_assert_uint_eq(stats(zc).misses, 1);
	for (i = 0; i < 5; i++)
		ck_assert_ptr_null(get(zc, &f, ZS));
	ck_assert_uint_eq(stats(zc).misses, 1);
	ck_assert_uint_eq(stats(zc).skips, 5);
	ck_assert_uint_eq(stats(zc).hits, 0);
	/* the verdict is small, but charged */
	ck_assert_uint_eq(stats(zc).entries, 1);
	ck_assert_uint_gt(stats(zc).bytes, 0);
	ck_assert_uint_lt(stats(zc).bytes, 1024);

	/* per coding, and until the file changes */
	ck_assert_ptr_null(get(zc, &f, GZ));
	ck_assert_uint_eq(stats(zc).misses, 2);
	trewrite(&f, r2, 100000);
	tset_mtime(&f, 1000000001, 0);
	ck_assert_ptr_null(get(zc, &f, ZS));
	ck_assert_uint_eq(stats(zc).misses, 3);
	ck_assert_ptr_null(get(zc, &f, ZS));
	ck_assert_uint_eq(stats(zc).misses, 3);

	tclose(&f);
	cw_zcache_free(zc);
	free(r1);
	free(r2);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

START_TEST(test_zcache_barely_compressible_file_is_not_kept)
{
	/* 95% random, 5% zeros: about 95% of the size, not enough */
	char *dir = tl_mkdtemp(), *data = make_random(100000, 9);
	struct cw_zcache *zc = cw_zcache_new(8 << 20);
	const struct cw_zentry *e;
	struct tfile f;

	memset(data, 0, 5000);
	topen(&f, dir, "m.bin", data, 100000);
	ck_assert_ptr_null(get(zc, &f, GZ));
	/* 30% zeros is: about 71% */
	memset(data, 0, 30000);
	trewrite(&f, data, 100000);
	tset_mtime(&f, 1000000002, 0);
	e = get(zc, &f, GZ);
	assert_decodes_to(e, GZ, data, 100000);
	ck_assert_uint_lt(e->len * 10, 100000 * 9);
	cw_zcache_release(zc, e);

	tclose(&f);
	cw_zcache_free(zc);
	free(data);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

START_TEST(test_zcache_refuses_what_it_does_not_compress)
{
	char *dir = tl_mkdtemp(), *text = make_text(100000, 1);
	struct cw_zcache *zc = cw_zcache_new(8 << 20);
	const struct cw_zentry *e;
	struct tfile f, empty;
	struct stat dst;
	int dfd;

	topen(&f, dir, "a.txt", text, 100000);
	/* larger than max_file */
	ck_assert_ptr_null(
	    cw_zcache_get(zc, f.path, f.fd, &f.st, ZS, 6, 99999));
	e = cw_zcache_get(zc, f.path, f.fd, &f.st, ZS, 6, 100000);
	ck_assert_ptr_nonnull(e);
	cw_zcache_release(zc, e);
	ck_assert_uint_eq(stats(zc).misses, 1);
	/* empty */
	topen(&empty, dir, "empty", "", 0);
	ck_assert_ptr_null(get(zc, &empty, ZS));
	/* not a regular file */
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(dfd, 0);
	ck_assert_int_eq(fstat(dfd, &dst), 0);
	ck_assert_ptr_null(cw_zcache_get(zc, dir, dfd, &dst, ZS, 6, MAX_FILE));
	close(dfd);
	/* codings it has no compressor for */
	errno = 0;
	ck_assert_ptr_null(get(zc, &f, CW_CODING_BR));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(get(zc, &f, CW_CODING_IDENTITY));
	ck_assert_uint_eq(stats(zc).misses, 1);

	/* a stat that no longer matches the file: nothing is kept */
	f.st.st_mtim.tv_nsec ^= 1;
	errno = 0;
	ck_assert_ptr_null(get(zc, &f, GZ));
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_uint_eq(stats(zc).entries, 1);

	cw_zcache_release(zc, cw_zcache_get(zc, f.path, f.fd, &f.st, ZS, 6,
	                                    MAX_FILE)); /* stale stat again */
	ck_assert_uint_eq(stats(zc).entries, 1);
	tclose(&f);
	tclose(&empty);
	cw_zcache_free(zc);
	free(text);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

/* ---- threads ------------------------------------------------------------ */

#define NTHREADS 8
#define NGETS    2000
#define NFILES   16

struct shared {
	struct cw_zcache *zc;
	struct tfile f[NFILES];
	/* what a single-threaded cache produced for each file and coding */
	struct cw_buf want[NFILES][2];
	char *text[NFILES];
	size_t text_len[NFILES];
	int failures;
};

struct worker {
	struct shared *sh;
	uint32_t seed;
	int failures;
};

static int coding_at(int k)
{
	return k == 0 ? ZS : GZ;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	const struct cw_zentry *keep = NULL;
	int keep_i = 0, keep_k = 0, n;
	uint32_t s = w->seed;

	for (n = 0; n < NGETS; n++) {
		const struct cw_zentry *e;
		int i, k;

		s = s * 1103515245u + 12345u;
		/* a few files much more often than the rest, like a site */
		i = (int)((s >> 8) % 4 == 0 ? (s >> 12) % NFILES
		                            : (s >> 12) % 4);
		k = (int)((s >> 20) & 1);
		e = cw_zcache_get(sh->zc, sh->f[i].path, sh->f[i].fd,
		                  &sh->f[i].st, coding_at(k), 6, MAX_FILE);
		if (e == NULL || e->len != sh->want[i][k].len ||
		    memcmp(e->data, sh->want[i][k].data, e->len) != 0) {
			w->failures++;
			cw_zcache_release(sh->zc, e);
			continue;
		}
		/* hold one entry across other gets now and then, so that
		 * evictions meet held entries */
		if ((s >> 24) % 8 == 0) {
			if (keep != NULL &&
			    memcmp(keep->data, sh->want[keep_i][keep_k].data,
			           keep->len) != 0)
				w->failures++;
			cw_zcache_release(sh->zc, keep);
			keep = e;
			keep_i = i;
			keep_k = k;
		} else {
			cw_zcache_release(sh->zc, e);
		}
	}
	cw_zcache_release(sh->zc, keep);
	return NULL;
}

START_TEST(test_zcache_threads_share_one_cache)
{
	char *dir = tl_mkdtemp();
	struct shared *sh = calloc(1, sizeof(*sh));
	struct worker w[NTHREADS];
	pthread_t th[NTHREADS];
	struct cw_zcache *ref = cw_zcache_new(64 << 20);
	struct cw_zcache_stats st;
	size_t total = 0;
	int i, k;

	ck_assert_ptr_nonnull(sh);
	for (i = 0; i < NFILES; i++) {
		char name[32];

		snprintf(name, sizeof(name), "t%d.txt", i);
		sh->text_len[i] = 2000 + (size_t)i * 1500;
		sh->text[i] = make_text(sh->text_len[i], (uint32_t)i + 100);
		topen(&sh->f[i], dir, name, sh->text[i], sh->text_len[i]);
		for (k = 0; k < 2; k++) {
			const struct cw_zentry *e = cw_zcache_get(
			    ref, sh->f[i].path, sh->f[i].fd, &sh->f[i].st,
			    coding_at(k), 6, MAX_FILE);

			assert_decodes_to(e, coding_at(k), sh->text[i],
			                  sh->text_len[i]);
			ck_assert_int_eq(cw_buf_add(&sh->want[i][k], e->data,
			                            e->len, 1 << 30),
			                 0);
			cw_zcache_release(ref, e);
		}
	}
	total = stats(ref).bytes;
	cw_zcache_free(ref);

	/* about a third of everything fits: eviction runs all along */
	sh->zc = cw_zcache_new(total / 3);
	for (i = 0; i < NTHREADS; i++) {
		w[i].sh = sh;
		w[i].seed = (uint32_t)i * 7919u + 1;
		w[i].failures = 0;
		ck_assert_int_eq(
		    pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
		ck_assert_int_eq(w[i].failures, 0);
	}
	cw_zcache_stats(sh->zc, &st);
	ck_assert_uint_eq(st.hits + st.misses, (uint64_t)NTHREADS * NGETS);
	ck_assert_uint_gt(st.hits, st.misses);
	ck_assert_uint_gt(st.evictions, 0);
	ck_assert_uint_le(st.bytes, total / 3);

	cw_zcache_free(sh->zc);
	for (i = 0; i < NFILES; i++) {
		tclose(&sh->f[i]);
		free(sh->text[i]);
		cw_buf_free(&sh->want[i][0]);
		cw_buf_free(&sh->want[i][1]);
	}
	free(sh);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

static Suite *zcache_suite(void)
{
	Suite *s = suite_create("zcache");
	TCase *tc = tcase_create("cache");
	TCase *th = tcase_create("threads");

	tl_cleanup_fixture(tc);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_zcache_hit_after_miss_returns_the_same_bytes);
	tcase_add_test(tc, test_zcache_changed_file_is_compressed_again);
	tcase_add_test(
	    tc, test_zcache_eviction_keeps_the_budget_dropping_lru_first);
	tcase_add_test(tc,
	               test_zcache_evicted_entry_stays_valid_until_released);
	tcase_add_test(tc, test_zcache_incompressible_file_is_tried_once);
	tcase_add_test(tc, test_zcache_barely_compressible_file_is_not_kept);
	tcase_add_test(tc, test_zcache_refuses_what_it_does_not_compress);
	suite_add_tcase(s, tc);

	tl_cleanup_fixture(th);
	tcase_set_timeout(th, 120);
	tcase_add_test(th, test_zcache_threads_share_one_cache);
	suite_add_tcase(s, th);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(zcache_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
