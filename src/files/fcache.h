/* fcache.h - the open-file cache of a server (nginx's open_file_cache,
 * lighttpd's stat cache): what opening a document-root path gave - an
 * open descriptor and its metadata, or the errno - kept for a second, so
 * a hot file costs no open, fstat or close per request. A file replaced
 * or changed on disk is seen within a second: an entry older than that is
 * checked against the path again (one stat) before it is used. */
#ifndef CW_FILES_FCACHE_H
#define CW_FILES_FCACHE_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/* How long an entry is trusted without a look at the file system. */
#define CW_FCACHE_TTL_MS 1000

/* A regular file of at most this many bytes is also kept in memory (its
 * whole content, read when the entry is made), so that sending it costs
 * no read; all entries together keep at most CW_FCACHE_DATA_BUDGET bytes,
 * beyond which new entries keep the descriptor only. */
#define CW_FCACHE_DATA_MAX    (16 * 1024)
#define CW_FCACHE_DATA_BUDGET (4 * 1024 * 1024)

/* What opening a path gave. fd is shared: read it with pread/sendfile,
 * at explicit offsets, never close it. The metadata and data are those of
 * one moment: a file changed after is a new entry (within a second). */
struct cw_fentry {
	int fd;  /* -1 for a directory or a failure */
	int err; /* 0, or the errno of the failure */
	int is_dir;
	long long size;
	time_t mtime;
	long mtime_ns;
	dev_t dev;
	ino_t ino;
	/* the whole content (size bytes) of a small file, read when the
	 * entry was made, or NULL: then read fd */
	const char *data;
};

/* Opens path on a miss: an fd (O_RDONLY, the caller's flags), or -1 with
 * errno. */
typedef int (*cw_fcache_open_fn)(void *arg, const char *path);

struct cw_fcache;

/* A cache of at most max entries (0: the cache is off). NULL on ENOMEM.
 * The caller frees it with cw_fcache_free once no entry is held. */
struct cw_fcache *cw_fcache_new(int max);
void cw_fcache_free(struct cw_fcache *fc);

/* The entry for path under the given confinement key (entries opened
 * differently are kept apart), opening it with open(arg, path) when
 * missing or stale. Returns a held entry the caller releases with
 * cw_fcache_release, or NULL when the cache is off or out of memory (the
 * caller then opens the file itself). */
const struct cw_fentry *cw_fcache_get(struct cw_fcache *fc, const char *path,
                                      int key, cw_fcache_open_fn open,
                                      void *arg);
void cw_fcache_release(struct cw_fcache *fc, const struct cw_fentry *e);

#endif
