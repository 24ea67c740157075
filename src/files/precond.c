/* precond.c - conditional requests (see precond.h).
 *
 * Entity tags are compared as RFC 9110 8.8.3.2 says: If-Match and If-Range
 * strongly (a weak tag never matches, so a client holding a weak
 * validator cannot splice ranges of two versions), If-None-Match weakly
 * (the "W/" prefix is ignored). civetd's own tags are strong. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "files/precond.h"

/* Is etag in the list p ("*" included)? strong: a weak member does not
 * count. */
static int etag_listed(const char *p, const char *etag, int strong)
{
	size_t elen = strlen(etag);

	for (;;) {
		int weak = 0;

		p += strspn(p, " \t,");
		if (*p == '\0')
			return 0;
		if (*p == '*')
			return 1;
		if (p[0] == 'W' && p[1] == '/') {
			weak = 1;
			p += 2;
		}
		if (*p == '"') {
			const char *end = strchr(p + 1, '"');

			if (end == NULL)
				return 0;
			if ((size_t)(end + 1 - p) == elen &&
			    memcmp(p, etag, elen) == 0 && !(weak && strong))
				return 1;
			p = end + 1;
		}
		p += strcspn(p, ",");
	}
}

time_t cw_http_date_parse(const char *s)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char mon[4] = "";
	int d, y, hh, mm, ss, m;
	struct tm tm;

	if (sscanf(s, "%*[^,], %2d %3s %4d %2d:%2d:%2d", &d, mon, &y, &hh, &mm,
	           &ss) != 6 &&
	    sscanf(s, "%*[^,], %2d-%3s-%4d %2d:%2d:%2d", &d, mon, &y, &hh, &mm,
	           &ss) != 6 &&
	    sscanf(s, "%*3s %3s %2d %2d:%2d:%2d %4d", mon, &d, &hh, &mm, &ss,
	           &y) != 6)
		return -1;
	for (m = 0; m < 12 && strncasecmp(months + 3 * m, mon, 3) != 0; m++)
		;
	if (y < 100)
		y += y < 70 ? 2000 : 1900;
	if (m == 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60 ||
	    y < 1970)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m;
	tm.tm_mday = d;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	return timegm(&tm);
}

enum cw_precond_result cw_precond_eval(const struct cw_precond *q,
                                       const char *etag, time_t mtime,
                                       int get_or_head, time_t now)
{
	time_t t;

	/* 1, 2: the client's copy must still be the current one */
	if (q->if_match != NULL) {
		if (!etag_listed(q->if_match, etag, 1))
			return CW_PRECOND_FAILED;
	} else if (q->if_unmodified_since != NULL &&
	           (t = cw_http_date_parse(q->if_unmodified_since)) >= 0 &&
	           mtime > t) {
		return CW_PRECOND_FAILED;
	}
	/* 3, 4: the client's copy is good enough */
	if (q->if_none_match != NULL) {
		if (etag_listed(q->if_none_match, etag, 0))
			return get_or_head ? CW_PRECOND_NOT_MODIFIED
			                   : CW_PRECOND_FAILED;
	} else if (get_or_head && q->if_modified_since != NULL &&
	           (t = cw_http_date_parse(q->if_modified_since)) >= 0 &&
	           mtime <= t && t <= now) {
		return CW_PRECOND_NOT_MODIFIED;
	}
	return CW_PRECOND_PASS;
}

int cw_precond_if_range(const struct cw_precond *q, const char *etag,
                        time_t mtime)
{
	const char *v = q->if_range;

	if (v == NULL)
		return 1;
	v += strspn(v, " \t");
	if (*v == '"' || (v[0] == 'W' && v[1] == '/'))
		return *v == '"' && strncmp(v, etag, strlen(etag)) == 0 &&
		       v[strlen(etag)] == '\0';
	return cw_http_date_parse(v) == mtime;
}
