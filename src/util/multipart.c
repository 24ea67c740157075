/* multipart.c - the streaming multipart/form-data parser (multipart.h).
 *
 * A body is: a preamble, then parts each introduced by a delimiter line
 * "--boundary" (transport padding allowed before its CRLF), a header
 * block ending in an empty line, and data; the data ends where
 * "\r\n--boundary" begins, and "--boundary--" closes the body. The first
 * delimiter may start the body, so the parser starts as if a CRLF had just
 * been seen.
 *
 * Finding the delimiter in data split anywhere needs no buffer: the bytes
 * held back are always a prefix of the delimiter, which the parser keeps.
 * A boundary cannot contain CR (RFC 2046's character set is enforced), so
 * when a partial match fails the held bytes are all data and matching
 * restarts at the byte that failed. */
#include <string.h>

#include "util/codec.h"
#include "util/multipart.h"

enum {
	ST_PREAMBLE,
	ST_TAIL,      /* after "--boundary": "--", padding, or CRLF */
	ST_TAIL_DASH, /* one '-' seen */
	ST_TAIL_CR,   /* CR seen, LF must follow */
	ST_HEAD,      /* collecting a header block */
	ST_DATA,
	ST_END,
	ST_ERROR,
};

#define PADDING_MAX 256

struct span {
	const char *p;
	size_t n;
};

static int fail(struct cw_multipart *mp, const char *why)
{
	mp->state = ST_ERROR;
	mp->error = why;
	return CW_MP_ERROR;
}

/* RFC 2046 bchars. */
static int is_bchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || strchr("'()+_,-./:=? ", c) != NULL;
}

static int is_tchar(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("\"(),/:;<=>?@[\\]{}", c) == NULL;
}

static const char *skip_ows(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static int span_is(struct span s, const char *word)
{
	return s.n == strlen(word) && cw_memcaseeq(s.p, word, s.n) == 0;
}

/* The next "; name=value" parameter of a header value in [*s, end): 1 with
 * name and value set, 0 at the end, -1 if malformed. A quoted value runs
 * to the next quote, without backslash escapes: browsers percent-encode a
 * quote in a name, and old ones sent Windows paths with backslashes. */
static int next_param(const char **s, const char *end, struct span *name,
                      struct span *val)
{
	const char *p = skip_ows(*s, end), *q;

	if (p == end)
		return 0;
	if (*p != ';')
		return -1;
	p = skip_ows(p + 1, end);
	if (p == end)
		return 0;
	for (name->p = p; p < end && is_tchar((unsigned char)*p); p++)
		;
	name->n = (size_t)(p - name->p);
	p = skip_ows(p, end);
	if (name->n == 0 || p == end || *p != '=')
		return -1;
	p = skip_ows(p + 1, end);
	if (p < end && *p == '"') {
		q = memchr(p + 1, '"', (size_t)(end - p - 1));
		if (q == NULL)
			return -1;
		val->p = p + 1;
		val->n = (size_t)(q - p - 1);
		p = q + 1;
	} else {
		for (val->p = p;
		     p < end && *p != ';' && *p != ' ' && *p != '\t'; p++)
			;
		val->n = (size_t)(p - val->p);
	}
	*s = p;
	return 1;
}

/* Skip a media type or disposition type at the start of a header value:
 * the position of its parameters, or NULL if it is not want (want NULL:
 * any). */
static const char *skip_type(const char *v, const char *end, const char *want)
{
	const char *p = skip_ows(v, end), *t = p;

	while (p < end && *p != ';' && *p != ' ' && *p != '\t')
		p++;
	if (want != NULL && ((size_t)(p - t) != strlen(want) ||
	                     cw_memcaseeq(t, want, (size_t)(p - t)) != 0))
		return NULL;
	return p;
}

int cw_mp_boundary(const char *ct, char *out, size_t cap)
{
	const char *end, *p;
	struct span name, val;
	int r;

	if (ct == NULL || out == NULL || cap <= CW_MP_BOUNDARY_MAX)
		return -1;
	end = ct + strlen(ct);
	p = skip_type(ct, end, "multipart/form-data");
	if (p == NULL)
		return -1;
	while ((r = next_param(&p, end, &name, &val)) == 1) {
		if (!span_is(name, "boundary"))
			continue;
		if (val.n == 0 || val.n > CW_MP_BOUNDARY_MAX)
			return -1;
		memcpy(out, val.p, val.n);
		out[val.n] = '\0';
		return 0;
	}
	return -1;
}

int cw_mp_init(struct cw_multipart *mp, const char *boundary)
{
	size_t n, i;

	if (mp == NULL || boundary == NULL)
		return -1;
	n = strlen(boundary);
	if (n == 0 || n > CW_MP_BOUNDARY_MAX || boundary[n - 1] == ' ')
		return -1;
	for (i = 0; i < n; i++) {
		if (!is_bchar((unsigned char)boundary[i]))
			return -1;
	}
	memcpy(mp->delim, "\r\n--", 4);
	memcpy(mp->delim + 4, boundary, n);
	mp->delim_len = n + 4;
	mp->state = ST_PREAMBLE;
	mp->match = 2; /* the first delimiter may start the body */
	mp->skipped = 0;
	mp->head_len = 0;
	mp->error = NULL;
	mp->has_filename = 0;
	mp->name[0] = mp->filename[0] = '\0';
	return 0;
}

/* ---- a part's header block ----------------------------------------------- */

/* Percent-decode s into out (cap bytes with the NUL); '+' stays, as
 * browsers send names unencoded but for '"', CR and LF. Latin-1 input
 * (latin1) becomes UTF-8. 0, or -1 if too long or it would hold a NUL. */
static int decode_name(struct span s, char *out, size_t cap, int latin1)
{
	size_t i, o = 0;

	for (i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		int hi = -1, lo = -1;

		if (c == '%' && i + 2 < s.n) {
			hi = cw_hex_value((unsigned char)s.p[i + 1]);
			lo = hi >= 0 ? cw_hex_value((unsigned char)s.p[i + 2])
			             : -1;
		}
		if (lo >= 0) {
			c = (unsigned char)((hi << 4) | lo);
			i += 2;
		}
		if (c == '\0' || o + (latin1 && c >= 0x80 ? 2 : 1) >= cap)
			return -1;
		if (latin1 && c >= 0x80) {
			out[o++] = (char)(0xc0 | (c >> 6));
			out[o++] = (char)(0x80 | (c & 0x3f));
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return 0;
}

/* filename*=charset'language'value (RFC 5987 / 8187): decoded into out,
 * 1; 0 for a charset other than UTF-8 and ISO-8859-1 (the plain filename
 * then stands); -1 if malformed or too long. */
static int decode_ext_value(struct span s, char *out, size_t cap)
{
	const char *q1 = memchr(s.p, '\'', s.n), *q2;
	struct span cs, v;
	int latin1;

	if (q1 == NULL)
		return -1;
	q2 = memchr(q1 + 1, '\'', (size_t)(s.p + s.n - q1 - 1));
	if (q2 == NULL)
		return -1;
	cs.p = s.p;
	cs.n = (size_t)(q1 - s.p);
	v.p = q2 + 1;
	v.n = (size_t)(s.p + s.n - v.p);
	if (span_is(cs, "utf-8"))
		latin1 = 0;
	else if (span_is(cs, "iso-8859-1"))
		latin1 = 1;
	else
		return 0;
	return decode_name(v, out, cap, latin1) == 0 ? 1 : -1;
}

/* Content-Disposition: form-data; name="..."; filename="...";
 * filename*=UTF-8''... (which wins over filename). */
static int parse_disposition(struct cw_multipart *mp, const char *v,
                             const char *end)
{
	const char *p = skip_type(v, end, NULL);
	struct span name, val;
	int r, have_name = 0, have_ext = 0;

	while ((r = next_param(&p, end, &name, &val)) == 1) {
		if (span_is(name, "name")) {
			if (decode_name(val, mp->name, sizeof mp->name, 0) != 0)
				return fail(mp, "multipart field name too long "
				                "or invalid");
			have_name = 1;
		} else if (span_is(name, "filename*")) {
			r = decode_ext_value(val, mp->filename,
			                     sizeof mp->filename);
			if (r < 0)
				return fail(mp, "multipart filename* invalid");
			have_ext |= r;
			mp->has_filename = 1;
		} else if (span_is(name, "filename") && !have_ext) {
			if (decode_name(val, mp->filename, sizeof mp->filename,
			                0) != 0)
				return fail(mp, "multipart file name too long "
				                "or invalid");
			mp->has_filename = 1;
		}
	}
	if (r < 0)
		return fail(mp, "malformed Content-Disposition in a part");
	if (!have_name)
		return fail(mp, "multipart part without a field name");
	return 0;
}

/* The header block head[0..head_len), lines ending in CRLF, the last one
 * empty. Only Content-Disposition matters; it must be there. */
static int parse_head(struct cw_multipart *mp)
{
	const char *p = mp->head, *end = mp->head + mp->head_len - 2;
	int seen = 0;

	mp->name[0] = mp->filename[0] = '\0';
	mp->has_filename = 0;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end + 2 - p));
		const char *colon, *v, *ve;

		if (eol == NULL || eol == p || eol[-1] != '\r')
			return fail(mp, "malformed part header");
		colon = memchr(p, ':', (size_t)(eol - p));
		if (colon == NULL || colon == p)
			return fail(mp, "malformed part header");
		for (v = p; v < colon; v++) {
			if (!is_tchar((unsigned char)*v))
				return fail(mp, "malformed part header");
		}
		for (v = colon + 1; v < eol - 1; v++) {
			if (*v == '\0' || *v == '\r')
				return fail(mp, "malformed part header");
		}
		v = skip_ows(colon + 1, eol - 1);
		ve = eol - 1;
		if ((size_t)(colon - p) == 19 &&
		    cw_memcaseeq(p, "Content-Disposition", 19) == 0) {
			if (seen++)
				return fail(mp, "two Content-Disposition "
				                "headers in a part");
			if (parse_disposition(mp, v, ve) != 0)
				return CW_MP_ERROR;
		}
		p = eol + 1;
	}
	if (!seen)
		return fail(mp, "multipart part without Content-Disposition");
	return 0;
}

/* ---- the states ---------------------------------------------------------- */

static enum cw_mp_event preamble(struct cw_multipart *mp, const char *in,
                                 size_t len, size_t *used)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (in[i] == mp->delim[mp->match]) {
			if (++mp->match == mp->delim_len) {
				mp->state = ST_TAIL;
				mp->match = 0;
				*used = i + 1;
				return CW_MP_MORE;
			}
			continue;
		}
		mp->match = in[i] == '\r' ? 1 : 0;
		if (++mp->skipped > CW_MP_PREAMBLE_MAX) {
			*used = i + 1;
			return fail(mp, "no multipart boundary where the body "
			                "starts");
		}
	}
	*used = len;
	return CW_MP_MORE;
}

static enum cw_mp_event tail(struct cw_multipart *mp, char c)
{
	switch (mp->state) {
	case ST_TAIL:
		if (c == '-') {
			mp->state = ST_TAIL_DASH;
		} else if (c == '\r') {
			mp->state = ST_TAIL_CR;
		} else if ((c == ' ' || c == '\t') &&
		           ++mp->match < PADDING_MAX) {
			return CW_MP_MORE;
		} else {
			return fail(mp, "malformed multipart delimiter line");
		}
		return CW_MP_MORE;
	case ST_TAIL_DASH:
		if (c != '-')
			return fail(mp, "malformed multipart delimiter line");
		mp->state = ST_END;
		return CW_MP_END;
	default: /* ST_TAIL_CR */
		if (c != '\n')
			return fail(mp, "malformed multipart delimiter line");
		mp->state = ST_HEAD;
		mp->head_len = 0;
		return CW_MP_MORE;
	}
}

static enum cw_mp_event head(struct cw_multipart *mp, const char *in,
                             size_t len, size_t *used)
{
	size_t i;

	for (i = 0; i < len; i++) {
		size_t n;

		if (mp->head_len == sizeof mp->head) {
			*used = i;
			return fail(mp, "multipart part header too large");
		}
		mp->head[mp->head_len++] = in[i];
		n = mp->head_len;
		if (in[i] != '\n' || n < 2 || mp->head[n - 2] != '\r')
			continue;
		if (n != 2 &&
		    (n < 4 || memcmp(mp->head + n - 4, "\r\n\r\n", 4) != 0))
			continue;
		*used = i + 1;
		if (parse_head(mp) != 0)
			return CW_MP_ERROR;
		mp->state = ST_DATA;
		mp->match = 0;
		return CW_MP_PART;
	}
	*used = len;
	return CW_MP_MORE;
}

/* How many bytes of the delimiter p[0..n) matches, from its start. */
static size_t delim_match(const struct cw_multipart *mp, const char *p,
                          size_t n)
{
	size_t k = 0;

	while (k < mp->delim_len && k < n && p[k] == mp->delim[k])
		k++;
	return k;
}

static enum cw_mp_event data(struct cw_multipart *mp, const char *in,
                             size_t len, size_t *used, const char **out,
                             size_t *olen)
{
	const char *p = in, *end = in + len, *cr;

	if (mp->match > 0) {
		/* continue a match held back from the last push */
		while (mp->match < mp->delim_len && p < end &&
		       *p == mp->delim[mp->match]) {
			mp->match++;
			p++;
		}
		*used = (size_t)(p - in);
		if (mp->match == mp->delim_len) {
			mp->match = 0;
			mp->state = ST_TAIL;
			return CW_MP_PART_END;
		}
		if (p == end)
			return CW_MP_MORE;
		/* not the delimiter: what was held is data */
		*out = mp->delim;
		*olen = mp->match;
		mp->match = 0;
		return CW_MP_DATA;
	}
	for (cr = p; (cr = memchr(cr, '\r', (size_t)(end - cr))) != NULL;
	     cr++) {
		size_t k = delim_match(mp, cr, (size_t)(end - cr));

		if (k == mp->delim_len) {
			if (cr == p) {
				*used = mp->delim_len;
				mp->state = ST_TAIL;
				return CW_MP_PART_END;
			}
			break;
		}
		if (cr + k == end) {
			/* the input ends inside what may be the delimiter */
			mp->match = k;
			*used = len;
			*out = p;
			*olen = (size_t)(cr - p);
			return cr == p ? CW_MP_MORE : CW_MP_DATA;
		}
	}
	if (cr == NULL)
		cr = end;
	*used = (size_t)(cr - in);
	*out = p;
	*olen = (size_t)(cr - p);
	return CW_MP_DATA;
}

enum cw_mp_event cw_mp_push(struct cw_multipart *mp, const char *in, size_t len,
                            size_t *used, const char **out, size_t *olen)
{
	size_t i;

	*used = 0;
	*olen = 0;
	*out = NULL;
	for (i = 0; i < len;) {
		enum cw_mp_event ev;
		size_t n = 0;

		switch (mp->state) {
		case ST_PREAMBLE:
			ev = preamble(mp, in + i, len - i, &n);
			break;
		case ST_TAIL:
		case ST_TAIL_DASH:
		case ST_TAIL_CR:
			ev = tail(mp, in[i]);
			n = 1;
			break;
		case ST_HEAD:
			ev = head(mp, in + i, len - i, &n);
			break;
		case ST_DATA:
			ev = data(mp, in + i, len - i, &n, out, olen);
			break;
		case ST_END:
			*used = len;
			return CW_MP_END;
		default:
			return CW_MP_ERROR;
		}
		i += n;
		if (ev != CW_MP_MORE) {
			*used = i;
			return ev;
		}
	}
	*used = len;
	if (mp->state == ST_END)
		return CW_MP_END;
	return mp->state == ST_ERROR ? CW_MP_ERROR : CW_MP_MORE;
}

int cw_mp_finish(struct cw_multipart *mp)
{
	if (mp->state == ST_END)
		return 0;
	if (mp->state != ST_ERROR)
		fail(mp, mp->state == ST_PREAMBLE
		             ? "no multipart boundary in the body"
		             : "multipart body truncated before its closing "
		               "boundary");
	return -1;
}

const char *cw_mp_error(const struct cw_multipart *mp)
{
	return mp->error;
}
