/* zcache.c - the compressed static file cache (see zcache.h).
 *
 * A hash table of (path, coding) finds an entry, a doubly linked list
 * orders entries from most to least recently used, and one mutex guards
 * both and every reference count. A hit is a hash of the path (computed
 * before taking the lock), a chain walk, a compare of the file's identity
 * with what was compressed, and a move to the front of the list: no
 * allocation and no system call. A miss reads and compresses the file
 * with the lock released, so one large file does not stall the other
 * threads' hits; when two threads miss the same file at once both
 * compress it, and the second to come back adopts the first one's entry.
 *
 * The 90% rule is enforced by the compressor's output limit: once the
 * stream would pass it the compressor stops (E2BIG), so an incompressible
 * file costs one pass that ends early, and the verdict is kept as an entry
 * without data until the file changes or the entry is evicted. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files/zcache.h"
#include "util/buf.h"
#include "util/coding.h"
#include "util/zcodec.h"

#define ZC_MIN_BUCKETS 64

struct zc_node {
	struct cw_zentry pub; /* first, so an entry is its node */
	struct zc_node *chain;
	struct zc_node *newer, *older;
	unsigned refs; /* 1 for the cache while cached, 1 per holder */
	int cached;
	int coding;
	int level;
	uint64_t hash;
	/* The file as it was when compressed. */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	size_t charge; /* against max_bytes */
	char path[];
};

struct cw_zcache {
	pthread_mutex_t lock;
	struct zc_node **buckets;
	size_t nbuckets; /* a power of two */
	struct zc_node *newest, *oldest;
	size_t max_bytes;
	struct cw_zcache_stats st;
};

/* FNV-1a over the path, then the coding: cheap, and paths of one site
 * differ enough for it. */
static uint64_t zc_hash(const char *path, int coding)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *path != '\0'; path++)
		h = (h ^ (unsigned char)*path) * 1099511628211ULL;
	return (h ^ (unsigned)coding) * 1099511628211ULL;
}

static int zc_same_file(const struct zc_node *n, const struct stat *st,
                        int level)
{
	return n->dev == st->st_dev && n->ino == st->st_ino &&
	       n->size == st->st_size &&
	       n->mtime.tv_sec == st->st_mtim.tv_sec &&
	       n->mtime.tv_nsec == st->st_mtim.tv_nsec && n->level == level;
}

/* Bytes charged for an entry apart from its data. */
static size_t zc_overhead(const char *path)
{
	return sizeof(struct zc_node) + strlen(path) + 1;
}

static void zc_node_free(struct zc_node *n)
{
	free((void *)n->pub.data);
	free(n);
}

static struct zc_node *zc_find(struct cw_zcache *zc, uint64_t hash,
                               const char *path, int coding)
{
	struct zc_node *n = zc->buckets[hash & (zc->nbuckets - 1)];

	for (; n != NULL; n = n->chain)
		if (n->hash == hash && n->coding == coding &&
		    strcmp(n->path, path) == 0)
			return n;
	return NULL;
}

static void lru_unlink(struct cw_zcache *zc, struct zc_node *n)
{
	if (n->newer != NULL)
		n->newer->older = n->older;
	else
		zc->newest = n->older;
	if (n->older != NULL)
		n->older->newer = n->newer;
	else
		zc->oldest = n->newer;
	n->newer = n->older = NULL;
}

static void lru_push(struct cw_zcache *zc, struct zc_node *n)
{
	n->older = zc->newest;
	n->newer = NULL;
	if (zc->newest != NULL)
		zc->newest->newer = n;
	else
		zc->oldest = n;
	zc->newest = n;
}

static void lru_touch(struct cw_zcache *zc, struct zc_node *n)
{
	if (zc->newest != n) {
		lru_unlink(zc, n);
		lru_push(zc, n);
	}
}

/* Take n out of the cache and drop the cache's reference; under the lock.
 * Its memory goes now unless a holder still has it. */
static void zc_remove(struct cw_zcache *zc, struct zc_node *n)
{
	struct zc_node **pp = &zc->buckets[n->hash & (zc->nbuckets - 1)];

	while (*pp != n)
		pp = &(*pp)->chain;
	*pp = n->chain;
	lru_unlink(zc, n);
	n->cached = 0;
	zc->st.entries--;
	zc->st.bytes -= n->charge;
	if (--n->refs == 0)
		zc_node_free(n);
}

/* Double the table when it is fuller than one entry a bucket. Failing to
 * grow only makes chains longer, so it is not an error. */
static void zc_grow(struct cw_zcache *zc)
{
	size_t i, nb = zc->nbuckets * 2;
	struct zc_node **b;

	if (zc->st.entries <= zc->nbuckets)
		return;
	b = calloc(nb, sizeof(*b));
	if (b == NULL)
		return;
	for (i = 0; i < zc->nbuckets; i++) {
		struct zc_node *n = zc->buckets[i], *next;

		for (; n != NULL; n = next) {
			next = n->chain;
			n->chain = b[n->hash & (nb - 1)];
			b[n->hash & (nb - 1)] = n;
		}
	}
	free(zc->buckets);
	zc->buckets = b;
	zc->nbuckets = nb;
}

/* Put n in the cache (the cache's reference is n's first) and evict the
 * least recently used entries beyond the budget; under the lock. */
static void zc_insert(struct cw_zcache *zc, struct zc_node *n)
{
	struct zc_node **head;

	n->refs = 1;
	n->cached = 1;
	zc->st.entries++;
	zc->st.bytes += n->charge;
	zc_grow(zc);
	head = &zc->buckets[n->hash & (zc->nbuckets - 1)];
	n->chain = *head;
	*head = n;
	lru_push(zc, n);
	while (zc->st.bytes > zc->max_bytes && zc->oldest != n) {
		zc_remove(zc, zc->oldest);
		zc->st.evictions++;
	}
}

/* Read the whole file at fd (st_size bytes) into a new buffer, and check
 * it did not change meanwhile: the entry would otherwise be kept under an
 * identity its content does not have. NULL on error or change. */
static char *zc_read(int fd, const struct stat *st)
{
	size_t size = (size_t)st->st_size, got = 0;
	struct stat now;
	char *data = malloc(size);

	if (data == NULL)
		return NULL;
	while (got < size) {
		ssize_t r = pread(fd, data + got, size - got, (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0) /* shorter than its fstat: it is being changed */
			goto changed;
		got += (size_t)r;
	}
	if (fstat(fd, &now) != 0)
		goto fail;
	if (now.st_size != st->st_size || now.st_ino != st->st_ino ||
	    now.st_dev != st->st_dev ||
	    now.st_mtim.tv_sec != st->st_mtim.tv_sec ||
	    now.st_mtim.tv_nsec != st->st_mtim.tv_nsec)
		goto changed;
	return data;
changed:
	errno = EAGAIN;
fail:
	free(data);
	return NULL;
}

/* A new, uncached node for the file: its compressed form, or the verdict
 * that compressing does not pay (pub.data NULL). NULL on error. */
static struct zc_node *zc_compress(const struct cw_zcache *zc, const char *path,
                                   int fd, const struct stat *st, int coding,
                                   int level, uint64_t hash)
{
	size_t plen = strlen(path), overhead = zc_overhead(path);
	size_t size = (size_t)st->st_size, limit;
	struct cw_buf out = {NULL, 0, 0};
	struct zc_node *n;
	char *raw;

	/* Below 90%: len * 10 < size * 9. Never more than the budget
	 * leaves, so a file the cache could not keep stops early too. */
	limit = (size_t)(((uint64_t)size * 9 - 1) / 10);
	if (limit > zc->max_bytes - overhead)
		limit = zc->max_bytes - overhead;
	n = calloc(1, sizeof(*n) + plen + 1);
	raw = n != NULL ? zc_read(fd, st) : NULL;
	if (raw == NULL)
		goto fail;
	errno = 0;
	if (cw_zcompress(coding, level, raw, size, &out, limit) != 0) {
		if (errno != E2BIG)
			goto fail;
		cw_buf_free(&out);
	} else {
		/* Give back the worst-case room reserved for the stream. */
		char *fit = realloc(out.data, out.len + 1);

		n->pub.data = fit != NULL ? fit : out.data;
		n->pub.len = out.len;
	}
	free(raw);
	n->coding = coding;
	n->level = level;
	n->hash = hash;
	n->dev = st->st_dev;
	n->ino = st->st_ino;
	n->size = st->st_size;
	n->mtime = st->st_mtim;
	n->charge = overhead + n->pub.len;
	memcpy(n->path, path, plen + 1);
	return n;
fail:
	cw_buf_free(&out);
	free(raw);
	free(n);
	return NULL;
}

struct cw_zcache *cw_zcache_new(size_t max_bytes)
{
	struct cw_zcache *zc = calloc(1, sizeof(*zc));

	if (zc == NULL)
		return NULL;
	zc->nbuckets = ZC_MIN_BUCKETS;
	zc->buckets = calloc(zc->nbuckets, sizeof(*zc->buckets));
	if (zc->buckets == NULL || pthread_mutex_init(&zc->lock, NULL) != 0) {
		free(zc->buckets);
		free(zc);
		errno = ENOMEM;
		return NULL;
	}
	zc->max_bytes = max_bytes;
	return zc;
}

void cw_zcache_free(struct cw_zcache *zc)
{
	struct zc_node *n, *older;

	if (zc == NULL)
		return;
	for (n = zc->newest; n != NULL; n = older) {
		older = n->older;
		zc_node_free(n);
	}
	free(zc->buckets);
	pthread_mutex_destroy(&zc->lock);
	free(zc);
}

/* The entry to hand out for n (a reference taken), or NULL for a verdict;
 * under the lock. */
static const struct cw_zentry *zc_hand_out(struct zc_node *n)
{
	if (n->pub.data == NULL)
		return NULL;
	n->refs++;
	return &n->pub;
}

const struct cw_zentry *cw_zcache_get(struct cw_zcache *zc, const char *path,
                                      int fd, const struct stat *st, int coding,
                                      int level, size_t max_file)
{
	const struct cw_zentry *e;
	struct zc_node *n, *fresh, *drop = NULL;
	uint64_t hash;

	if (coding != CW_CODING_ZSTD && coding != CW_CODING_GZIP) {
		errno = EINVAL;
		return NULL;
	}
	if (!S_ISREG(st->st_mode) || st->st_size <= 0 ||
	    (uint64_t)st->st_size > max_file ||
	    zc_overhead(path) >= zc->max_bytes)
		return NULL;
	if (level < CW_ZLEVEL_MIN)
		level = CW_ZLEVEL_MIN;
	if (level > CW_ZLEVEL_MAX)
		level = CW_ZLEVEL_MAX;
	hash = zc_hash(path, coding);

	pthread_mutex_lock(&zc->lock);
	n = zc_find(zc, hash, path, coding);
	if (n != NULL && zc_same_file(n, st, level)) {
		lru_touch(zc, n);
		e = zc_hand_out(n);
		if (e != NULL)
			zc->st.hits++;
		else
			zc->st.skips++;
		pthread_mutex_unlock(&zc->lock);
		return e;
	}
	zc->st.misses++;
	pthread_mutex_unlock(&zc->lock);

	fresh = zc_compress(zc, path, fd, st, coding, level, hash);
	if (fresh == NULL)
		return NULL;

	pthread_mutex_lock(&zc->lock);
	n = zc_find(zc, hash, path, coding);
	if (n != NULL && zc_same_file(n, st, level)) {
		/* Another thread kept the same file first: use its entry. */
		lru_touch(zc, n);
		drop = fresh;
	} else {
		if (n != NULL)
			zc_remove(zc, n);
		n = fresh;
		if (n->charge <= zc->max_bytes)
			zc_insert(zc, n);
		else
			drop = n;
	}
	e = zc_hand_out(n);
	if (e != NULL && n == drop)
		drop = NULL; /* uncached, the caller's reference is its only */
	pthread_mutex_unlock(&zc->lock);
	if (drop != NULL)
		zc_node_free(drop);
	return e;
}

void cw_zcache_release(struct cw_zcache *zc, const struct cw_zentry *e)
{
	/* pub is the node's first member. */
	struct zc_node *n = (struct zc_node *)e;
	int last;

	if (e == NULL)
		return;
	pthread_mutex_lock(&zc->lock);
	last = --n->refs == 0;
	pthread_mutex_unlock(&zc->lock);
	if (last)
		zc_node_free(n);
}

void cw_zcache_stats(const struct cw_zcache *zc, struct cw_zcache_stats *out)
{
	/* The lock is not part of the cache's value: taking it in a const
	 * reader is sound. */
	pthread_mutex_t *lock = (pthread_mutex_t *)&zc->lock;

	pthread_mutex_lock(lock);
	*out = zc->st;
	pthread_mutex_unlock(lock);
}
