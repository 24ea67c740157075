/* multipart.h - a streaming multipart/form-data parser (RFC 7578, RFC 2046)
 * without I/O: the caller pushes the body in pieces of any size, split
 * anywhere, and gets events back one at a time: a part's headers are in
 * (its field name and file name, decoded), a piece of its data, its end,
 * the end of the body, or an error. Data pieces point into the caller's
 * input (or into the parser, for a few bytes that looked like the start of
 * a delimiter and were not), so nothing is copied and memory stays fixed:
 * a part's header block is bounded by CW_MP_HEAD_MAX, names by
 * CW_MP_NAME_MAX, the preamble by CW_MP_PREAMBLE_MAX. */
#ifndef CW_UTIL_MULTIPART_H
#define CW_UTIL_MULTIPART_H

#include <stddef.h>

#define CW_MP_BOUNDARY_MAX 70      /* RFC 2046 */
#define CW_MP_HEAD_MAX     8192    /* a part's header block, CRLFs incl. */
#define CW_MP_NAME_MAX     1024    /* a decoded name, its NUL included */
#define CW_MP_PREAMBLE_MAX (16384) /* bytes before the first delimiter */

enum cw_mp_event {
	CW_MP_MORE = 0, /* all input used: push more */
	CW_MP_PART,     /* a part begins: name, filename, has_filename */
	CW_MP_DATA,     /* a piece of the part's data (*data, *len) */
	CW_MP_PART_END, /* the part's data is complete */
	CW_MP_END,      /* the closing delimiter: what follows is ignored */
	CW_MP_ERROR,    /* malformed or over a limit: cw_mp_error() says */
};

struct cw_multipart {
	char delim[4 + CW_MP_BOUNDARY_MAX]; /* "\r\n--" boundary */
	size_t delim_len;
	int state;
	size_t match;   /* bytes of delim matched and held back */
	size_t skipped; /* preamble bytes so far */
	size_t head_len;
	const char *error;
	int has_filename; /* the part had filename= or filename*= */
	char name[CW_MP_NAME_MAX];
	char filename[CW_MP_NAME_MAX]; /* "" without one */
	char head[CW_MP_HEAD_MAX];
};

/* The boundary of a "multipart/form-data; boundary=..." Content-Type
 * (the parameter anywhere, quoted or not, 1 to 70 characters of RFC
 * 2046's set) into out (cap bytes, at least CW_MP_BOUNDARY_MAX + 1),
 * NUL-terminated. 0, or -1 when ct is not multipart/form-data or has no
 * valid boundary. */
int cw_mp_boundary(const char *ct, char *out, size_t cap);

/* Start parsing a body with this boundary (as cw_mp_boundary gives it).
 * mp is the caller's; nothing is allocated. 0, or -1 for a boundary that
 * is empty, too long or has a byte outside RFC 2046's set. */
int cw_mp_init(struct cw_multipart *mp, const char *boundary);

/* Parse from in[0..len): *used gets the bytes consumed (all of them when
 * CW_MP_MORE is returned) and the event is returned; for CW_MP_DATA,
 * *data and *dlen the piece, valid until the next call. After CW_MP_PART
 * mp->name and mp->filename hold the part's names until the next part.
 * Once CW_MP_ERROR or CW_MP_END is returned, every later call returns
 * the same. */
enum cw_mp_event cw_mp_push(struct cw_multipart *mp, const char *in, size_t len,
                            size_t *used, const char **data, size_t *dlen);

/* The body has ended: 0 if the closing delimiter was seen, else -1 (and
 * cw_mp_error() says the body was truncated). */
int cw_mp_finish(struct cw_multipart *mp);

/* Why the parser failed, or NULL. A static string. */
const char *cw_mp_error(const struct cw_multipart *mp);

#endif
