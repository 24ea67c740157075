/* precond.h - conditional requests on a static representation (RFC 9110
 * 13): If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since and
 * If-Range, evaluated against its entity tag and modification time. */
#ifndef CW_FILES_PRECOND_H
#define CW_FILES_PRECOND_H

#include <time.h>

/* The request's conditional headers (NULL when absent). */
struct cw_precond {
	const char *if_match;
	const char *if_unmodified_since;
	const char *if_none_match;
	const char *if_modified_since;
	const char *if_range;
};

/* Would the request's method be answered with the representation (GET,
 * HEAD)? Then a failed If-None-Match means 304, else 412. */
enum cw_precond_result {
	CW_PRECOND_PASS = 0,
	CW_PRECOND_NOT_MODIFIED = 304,
	CW_PRECOND_FAILED = 412,
};

/* The conditions in RFC 9110 13.2.2's order, for a representation with
 * entity tag etag (quoted, strong) and modification time mtime. get_or_head:
 * the method is GET or HEAD. now: the current time (a Modified-Since date
 * in the future is ignored). */
enum cw_precond_result cw_precond_eval(const struct cw_precond *q,
                                       const char *etag, time_t mtime,
                                       int get_or_head, time_t now);

/* Does If-Range let the Range header apply? 1 when there is no If-Range,
 * or it is the entity tag (strong comparison) or exactly the
 * modification date; 0 when the whole representation must be sent. */
int cw_precond_if_range(const struct cw_precond *q, const char *etag,
                        time_t mtime);

/* IMF-fixdate, RFC 850 and asctime dates (RFC 9110 5.6.7); -1 if none. */
time_t cw_http_date_parse(const char *s);

#endif
