/* encoding.c - choosing the representation of a static file (see
 * encoding.h).
 *
 * Precompressed sidecars are what the site's author made (nginx's
 * gzip_static, brotli_static): when the client accepts a coding whose
 * sidecar exists, that file is sent with the original's type. Only the
 * codings the client accepts are looked for, and the open-file cache
 * remembers the ones that do not exist, so a hot file costs a hash lookup
 * per coding. Without a sidecar, a file of a compressible type above
 * compression_min_size gets a copy compressed once and kept in the
 * server's cache (zcache.c), zstd when the client takes it, else gzip.
 * Both need `compression yes`. Whether compressed or not, such a response
 * says Vary: Accept-Encoding, so a shared cache keeps the forms apart. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "files/encoding.h"
#include "files/zcache.h"
#include "http/exchange.h"
#include "util/coding.h"
#include "util/mime.h"

/* Sidecars in the order they are looked for. */
static const int sidecar_order[] = {CW_CODING_ZSTD, CW_CODING_BR,
                                    CW_CODING_GZIP};

const char *cw_rep_sidecar_ext(int coding)
{
	switch (coding) {
	case CW_CODING_ZSTD:
		return ".zst";
	case CW_CODING_BR:
		return ".br";
	case CW_CODING_GZIP:
		return ".gz";
	default:
		return NULL;
	}
}

int cw_rep_compressible(const char *list, const char *mime)
{
	return cw_mime_in_list(list, mime, strcspn(mime, "; \t"));
}

/* Open the sidecars of path the client would take; the best one stays
 * open in rep. 1 if one is sent, 0 if none (rep->vary says whether one
 * exists). */
static int choose_sidecar(struct mg_connection *c, const char *ae,
                          const char *path, size_t base_len, struct cw_rep *rep)
{
	struct cw_file side[CW_CODING_COUNT];
	unsigned have = 0;
	char sp[PATH_MAX];
	int best;

	for (size_t i = 0; i < sizeof sidecar_order / sizeof(int); i++) {
		int k = sidecar_order[i];

		side[k].fd = -1;
		if (cw_coding_choose(ae, 1u << k) != k ||
		    snprintf(sp, sizeof sp, "%s%s", path,
		             cw_rep_sidecar_ext(k)) >= (int)sizeof sp)
			continue;
		if (cw_file_open(c, sp, base_len, &side[k]) != 0)
			continue;
		if (side[k].is_dir || side[k].mem != NULL) {
			cw_file_close(c, &side[k]);
			continue;
		}
		have |= 1u << k;
	}
	if (have == 0)
		return 0;
	rep->vary = 1;
	best = cw_coding_choose(ae, have);
	for (size_t i = 0; i < sizeof sidecar_order / sizeof(int); i++) {
		int k = sidecar_order[i];

		if ((have & (1u << k)) == 0)
			continue;
		if (k == best) {
			rep->side = side[k];
			rep->side_open = 1;
			rep->coding = k;
		} else {
			cw_file_close(c, &side[k]);
		}
	}
	return rep->side_open;
}

/* The cached compressed copy of f, if worth it. */
static void choose_copy(struct mg_connection *c, const struct cw_file *f,
                        const char *path, const char *ae, struct cw_rep *rep)
{
	const struct cw_options *o = cw_req_opts(c);
	struct cw_zcache *zc = c->ctx->zcache;
	int coding = cw_coding_choose(ae, (1u << CW_CODING_ZSTD) |
	                                      (1u << CW_CODING_GZIP));
	long long max = atoll(cw_options_get(o, CW_OPT_COMPRESSION_CACHE_SIZE));
	struct stat st;

	if (coding <= 0 || zc == NULL ||
	    f->size < atoll(cw_options_get(o, CW_OPT_COMPRESSION_MIN_SIZE)))
		return;
	memset(&st, 0, sizeof st);
	st.st_mode = S_IFREG;
	st.st_size = (off_t)f->size;
	st.st_mtim.tv_sec = f->mtime;
	st.st_mtim.tv_nsec = f->mtime_ns;
	st.st_dev = f->dev;
	st.st_ino = f->ino;
	rep->z =
	    cw_zcache_get(zc, path, f->fd, &st, coding,
	                  atoi(cw_options_get(o, CW_OPT_COMPRESSION_LEVEL)),
	                  (size_t)(max / 4));
	if (rep->z != NULL)
		rep->coding = coding;
}

void cw_rep_choose(struct mg_connection *c, const struct cw_file *f,
                   const char *path, size_t base_len, const char *mime,
                   int has_range, int sidecars, struct cw_rep *rep)
{
	const struct cw_options *o = cw_req_opts(c);
	const char *ae;

	memset(rep, 0, sizeof *rep);
	rep->coding = CW_CODING_IDENTITY;
	rep->side.fd = -1;
	if (f->fd < 0 || f->mem != NULL ||
	    !cw_options_flag(o, CW_OPT_COMPRESSION))
		return;
	ae = mg_get_header(c, "Accept-Encoding");
	if (ae != NULL && sidecars &&
	    choose_sidecar(c, ae, path, base_len, rep))
		return;
	if (cw_rep_compressible(
	        cw_options_get(o, CW_OPT_COMPRESSION_MIME_TYPES), mime)) {
		rep->vary = 1;
		if (ae != NULL && !has_range)
			choose_copy(c, f, path, ae, rep);
	}
	if (rep->coding == CW_CODING_IDENTITY && ae != NULL &&
	    cw_coding_choose(ae, 0) < 0)
		rep->refuse = 1;
}

void cw_rep_release(struct mg_connection *c, struct cw_rep *rep)
{
	if (rep->side_open)
		cw_file_close(c, &rep->side);
	rep->side_open = 0;
	if (rep->z != NULL)
		cw_zcache_release(c->ctx->zcache, rep->z);
	rep->z = NULL;
}
