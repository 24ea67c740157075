/* coding.c - content coding names and Accept-Encoding negotiation.
 *
 * This runs once per static file request that could be compressed, so it
 * parses the header in one pass over the caller's string, keeping only a
 * weight per known coding: no allocation and no copy. Weights are RFC
 * 9110's qvalues in thousandths (0..1000), which is all the precision the
 * grammar allows, so they compare as integers. */
#include <stddef.h>
#include <string.h>

#include "util/codec.h"
#include "util/coding.h"

/* Not named in the header. */
#define W_UNSET (-1)

/* Identity when neither it nor "*" is named: acceptable, but below any
 * coding the client accepted (a tie at 1 goes to the coding by order). */
#define W_IMPLICIT 1

static const char *const coding_names[CW_CODING_COUNT] = {
    [CW_CODING_IDENTITY] = "identity",
    [CW_CODING_ZSTD] = "zstd",
    [CW_CODING_BR] = "br",
    [CW_CODING_GZIP] = "gzip",
};

/* Tie order: the first of equal weights wins. */
static const enum cw_coding coding_order[] = {
    CW_CODING_ZSTD, CW_CODING_BR, CW_CODING_GZIP, CW_CODING_IDENTITY};

const char *cw_coding_name(enum cw_coding c)
{
	if ((unsigned)c >= CW_CODING_COUNT)
		return NULL;
	return coding_names[c];
}

/* RFC 9110 5.6.2 tchar. */
static int is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static const char *skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static const char *skip_token(const char *p)
{
	while (is_tchar((unsigned char)*p))
		p++;
	return p;
}

/* A qvalue (RFC 9110 12.4.2: "0" or "1", then up to three decimals, never
 * above 1) in thousandths, or -1. */
static int parse_qvalue(const char *p, size_t n)
{
	int w, scale = 100;
	size_t i;

	if (n == 0 || (p[0] != '0' && p[0] != '1'))
		return -1;
	w = (p[0] - '0') * 1000;
	if (n == 1)
		return w;
	if (p[1] != '.' || n > 5)
		return -1;
	for (i = 2; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		w += (p[i] - '0') * scale;
		scale /= 10;
	}
	return w > 1000 ? -1 : w;
}

/* The end of a parameter value: a token, or a quoted-string (RFC 9110
 * 5.6.4) with its escapes; NULL if the quotes do not close. */
static const char *skip_value(const char *p)
{
	if (*p != '"')
		return skip_token(p);
	for (p++; *p != '"'; p++) {
		if (*p == '\0')
			return NULL;
		if (*p == '\\' && p[1] != '\0')
			p++;
	}
	return p + 1;
}

/* Parse the parameters after a coding name, from p to the item's end.
 * *w receives the q weight (1000 if none). Returns the end of the item
 * (at ',' or NUL), or NULL if the parameters are malformed. */
static const char *parse_params(const char *p, int *w)
{
	*w = 1000;
	for (;;) {
		const char *name, *name_end, *val, *val_end;

		p = skip_ows(p);
		if (*p == ',' || *p == '\0')
			return p;
		if (*p != ';')
			return NULL;
		/* RFC 9110 allows only OWS around ';'; BWS around '=' as
		 * some clients send it costs nothing to accept. */
		name = skip_ows(p + 1);
		name_end = skip_token(name);
		if (name_end == name)
			return NULL;
		p = skip_ows(name_end);
		if (*p != '=')
			return NULL;
		val = skip_ows(p + 1);
		val_end = skip_value(val);
		if (val_end == NULL || val_end == val)
			return NULL;
		if (name_end - name == 1 && (*name == 'q' || *name == 'Q')) {
			*w = parse_qvalue(val, (size_t)(val_end - val));
			if (*w < 0)
				return NULL;
		}
		p = val_end;
	}
}

/* The coding named name[0..n), CW_CODING_COUNT for "*", or -1 for one
 * civetd does not know. */
static int coding_of(const char *name, size_t n)
{
	int c;

	if (n == 1 && name[0] == '*')
		return CW_CODING_COUNT;
	if (n == 6 && cw_memcaseeq(name, "x-gzip", 6) == 0)
		return CW_CODING_GZIP;
	for (c = 0; c < CW_CODING_COUNT; c++)
		if (strlen(coding_names[c]) == n &&
		    cw_memcaseeq(name, coding_names[c], n) == 0)
			return c;
	return -1;
}

/* Fill weights[0..CW_CODING_COUNT] ("*" last) from the header. */
static void parse_accept_encoding(const char *p, int *weights)
{
	while (*p != '\0') {
		const char *name, *end;
		int c, w;

		p = skip_ows(p);
		if (*p == ',') {
			p++;
			continue;
		}
		name = p;
		end = skip_token(name);
		p = end > name ? parse_params(end, &w) : NULL;
		if (p == NULL) {
			/* Ignore the malformed item, up to the next comma. */
			p = strchr(name, ',');
			if (p == NULL)
				return;
			continue;
		}
		c = coding_of(name, (size_t)(end - name));
		if (c >= 0 && w > weights[c])
			weights[c] = w;
	}
}

int cw_coding_choose(const char *ae, unsigned offered)
{
	int weights[CW_CODING_COUNT + 1];
	int star, best = -1, best_w = 0;
	size_t i;

	if (ae == NULL)
		return CW_CODING_IDENTITY;
	for (i = 0; i <= CW_CODING_COUNT; i++)
		weights[i] = W_UNSET;
	parse_accept_encoding(ae, weights);

	star = weights[CW_CODING_COUNT];
	for (i = 0; i < sizeof(coding_order) / sizeof(coding_order[0]); i++) {
		enum cw_coding c = coding_order[i];
		int w = weights[c];

		if (c != CW_CODING_IDENTITY && !(offered & (1u << c)))
			continue;
		if (w == W_UNSET)
			w = star;
		if (w == W_UNSET)
			w = c == CW_CODING_IDENTITY ? W_IMPLICIT : 0;
		if (w > best_w) {
			best = (int)c;
			best_w = w;
		}
	}
	return best;
}
