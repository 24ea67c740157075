/* zcache.h - a bounded in-memory cache of compressed static files.
 *
 * One cache per server, shared by its threads: each file is compressed
 * once per coding and then served from memory, until the file changes
 * (its size, mtime to the nanosecond, inode or device differ from what was
 * compressed) or the cache drops it to stay within its budget, least
 * recently used first. A file that does not compress below 90% of its size
 * is remembered as such, so it is not compressed again on every request.
 * Entries are reference counted: an entry handed out stays valid until its
 * holder releases it, even if it was evicted or replaced meanwhile. */
#ifndef CW_ZCACHE_H
#define CW_ZCACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

struct cw_zcache;

/* A compressed file: data[0..len) is the complete stream (a zstd frame or
 * a gzip member) of the file's content. Read-only for holders; the cache
 * keeps its bookkeeping in a private structure around it. */
struct cw_zentry {
	const char *data;
	size_t len;
};

struct cw_zcache_stats {
	uint64_t hits;      /* lookups answered with a cached entry */
	uint64_t skips;     /* lookups answered "not worth compressing" */
	uint64_t misses;    /* lookups that compressed the file */
	uint64_t evictions; /* entries dropped for the budget */
	size_t entries;     /* entries held (verdicts included) */
	size_t bytes;       /* their charge against max_bytes */
};

/* A cache keeping at most max_bytes, where each entry is charged its
 * compressed bytes plus its path and bookkeeping (so remembered verdicts
 * are bounded too). NULL on ENOMEM. The caller frees it with
 * cw_zcache_free(). */
struct cw_zcache *cw_zcache_new(size_t max_bytes);

/* Free zc and everything it holds. Every entry handed out must have been
 * released before. NULL is allowed. */
void cw_zcache_free(struct cw_zcache *zc);

/* The coding form (CW_CODING_ZSTD or CW_CODING_GZIP) of the regular file
 * open as fd, whose fstat is st; path is the key and is copied. On a miss
 * the file is read with pread and compressed at level outside the cache's
 * lock (two threads missing at once may both compress; one entry is kept).
 * Returns an entry referenced for the caller, who releases it with
 * cw_zcache_release(); or NULL, and the caller sends the file as it is,
 * when the file is empty, not regular, larger than max_file bytes, does not
 * compress below 90% of its size (a verdict kept, as an entry, until the
 * file changes), changed while it was read (EAGAIN), or on error (errno
 * set; nothing kept). A hit allocates nothing and takes the lock once. */
const struct cw_zentry *cw_zcache_get(struct cw_zcache *zc, const char *path,
                                      int fd, const struct stat *st, int coding,
                                      int level, size_t max_file);

/* Drop the caller's reference to e, got from cw_zcache_get() on zc; its
 * memory goes when the last reference does. */
void cw_zcache_release(struct cw_zcache *zc, const struct cw_zentry *e);

/* A consistent snapshot of zc's counters into *out. */
void cw_zcache_stats(const struct cw_zcache *zc, struct cw_zcache_stats *out);

#endif
