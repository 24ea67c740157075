/* listing.h - the HTML page that lists a directory without an index file
 * (enable_directory_listing), as CivetWeb lays it out. */
#ifndef CW_LISTING_H
#define CW_LISTING_H

#include <stddef.h>

#include "util/buf.h"

/* Returns 1 for an entry that must not be listed (full filesystem path). */
typedef int (*cw_listing_skip_fn)(void *arg, const char *path);

/* Build the listing of the directory at path dir (ends with '/') shown as
 * uri (the decoded request path, ends with '/'), sorted as query (the raw
 * query string or NULL; CivetWeb's sort syntax) asks, into out (appended; at
 * most max bytes in out). skip may be NULL. 0, or -1 with errno (ENOENT,
 * EACCES, ENOMEM, E2BIG when max would be passed); on -1 out is left as it
 * was. The caller owns out (and frees it with cw_buf_free); everything else
 * the listing allocates is freed before it returns. */
int cw_listing_build(const char *dir, const char *uri, const char *query,
                     cw_listing_skip_fn skip, void *arg, struct cw_buf *out,
                     size_t max);

#endif
