/* encoding.h - which representation of a static file a request gets: a
 * precompressed sidecar next to it (file.zst, file.br, file.gz), a
 * compressed copy from the server's cache (made on the first request),
 * or the file itself, as the request's Accept-Encoding and the
 * compression options allow. */
#ifndef CW_FILES_ENCODING_H
#define CW_FILES_ENCODING_H

#include <stddef.h>

#include "files/file_open.h"

struct cw_zentry;

/* What is sent for a file. */
struct cw_rep {
	int coding;    /* CW_CODING_* of the bytes sent (Content-Encoding) */
	int vary;      /* the choice depended on Accept-Encoding */
	int refuse;    /* identity excluded, nothing else to offer: 406 */
	int side_open; /* side is open and is what is sent */
	struct cw_file side;
	const struct cw_zentry *z; /* a cached compressed copy, or NULL */
};

/* Choose for c's request of the file f, found at path (confined below
 * path[0..base_len) as cw_file_open does) with type mime. has_range: the
 * request has a Range, which a compressed copy never serves (a sidecar is
 * cut like any file). sidecars: look for them (the document root's
 * files; not a file an application names to mg_send_file). The caller
 * releases rep with cw_rep_release. */
void cw_rep_choose(struct mg_connection *c, const struct cw_file *f,
                   const char *path, size_t base_len, const char *mime,
                   int has_range, int sidecars, struct cw_rep *rep);
void cw_rep_release(struct mg_connection *c, struct cw_rep *rep);

/* Is mime (parameters ignored) in the compression_mime_types list
 * (entries "type/subtype", or "type/" and a star for every
 * subtype of a type)? */
int cw_rep_compressible(const char *list, const char *mime);

/* The file extension of a coding's sidecar (".zst", ".br", ".gz"), or
 * NULL. */
const char *cw_rep_sidecar_ext(int coding);

#endif
