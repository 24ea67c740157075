/* match.c - CivetWeb's glob patterns (see match.h for the syntax), used to
 * pick handlers by URI and to test file names against options such as
 * hide_files_patterns, and exported as mg_match().
 *
 * Semantics follow CivetWeb 1.16: a pattern matches a prefix of the
 * string; '*' and '**' are greedy and give back characters only as far as
 * the rest of the pattern needs; the first alternative of a '|' list that
 * matches wins, even with 0 characters; '$' ends the match wherever it
 * stands. Captures are recorded in pattern order and adjacent ones are
 * joined, so "?*" yields one capture, as documented for mg_match().
 * Unlike CivetWeb, which keeps captures made by failed attempts, only the
 * attempt that matched leaves captures behind.
 *
 * The string may be hostile (a request path), so the search must not
 * explode: plain backtracking, as in CivetWeb, costs O(n^k) for k stars
 * ("*a*a*a*b" against "aaaa..."). The rest of the pattern after a given
 * star, tried at a given string position, always gives the same answer,
 * so each star remembers the range of positions where its rest already
 * failed and never tries them again; with the stars' greedy order these
 * ranges grow contiguously, which keeps a search near O(n * pattern) in
 * a few bytes per star. Recursion is one level per star; an alternative
 * with more than MATCH_MAX_DEPTH backtracking stars does not match at all,
 * instead of exhausting the stack. */
#include <string.h>

#define MG_EXPERIMENTAL_INTERFACES
#include "civetweb.h"
#include "util/match.h"

/* Star groups one alternative may backtrack over before it is refused. */
#define MATCH_MAX_DEPTH 64

/* String offsets [lo, hi] where the rest of the pattern after one star
 * is known not to match; empty when lo > hi. A star starting at lo can
 * run up to lo_end (the string's end for '**', the next '/' for '*'). */
struct match_fail {
	size_t lo, hi, lo_end;
};

struct match_run {
	struct mg_match_context *mcx; /* NULL: no captures */
	const char *str0;             /* the string: offsets count from here */
	int case_sensitive;
	int aborted;    /* too many stars: give up the whole alternative */
	unsigned depth; /* = index of the current star in the alternative */
	unsigned known; /* fail[] entries valid for this alternative */
	struct match_fail fail[MATCH_MAX_DEPTH];
};

static ptrdiff_t match_alt(struct match_run *r, const char *pat, size_t len,
                           const char *str);

static int match_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static int match_char(const struct match_run *r, char p, char s)
{
	if (r->case_sensitive)
		return p == s;
	return match_lower((unsigned char)p) == match_lower((unsigned char)s);
}

static void match_push(struct match_run *r, const char *s, size_t len)
{
	struct mg_match_context *m = r->mcx;

	if (m != NULL && m->num_matches < MG_MATCH_CONTEXT_MAX_MATCHES) {
		m->match[m->num_matches].str = s;
		m->match[m->num_matches].len = len;
		m->num_matches++;
	}
}

/* Forget the captures of a failed attempt. */
static void match_truncate(struct match_run *r, size_t n)
{
	struct mg_match_context *m = r->mcx;

	while (m != NULL && m->num_matches > n) {
		m->num_matches--;
		m->match[m->num_matches].str = NULL;
		m->match[m->num_matches].len = 0;
	}
}

static size_t match_count(const struct match_run *r)
{
	return r->mcx != NULL ? r->mcx->num_matches : 0;
}

/* Can the pattern character pc match at s? Only to skip hopeless star
 * lengths quickly: the full check is match_alt(). */
static int match_may_start(const struct match_run *r, char pc, const char *s)
{
	if (pc == '*')
		return 1;
	if (pc == '$')
		return *s == '\0';
	if (*s == '\0')
		return 0;
	return pc == '?' ? *s != '/' : match_char(r, pc, *s);
}

/* The memo of the star at the current depth, emptied on first use. */
static struct match_fail *match_memo(struct match_run *r)
{
	while (r->known <= r->depth) {
		r->fail[r->known].lo = 1;
		r->fail[r->known].hi = 0;
		r->fail[r->known].lo_end = 0;
		r->known++;
	}
	return &r->fail[r->depth];
}

/* Record that the rest failed after a star starting at lo, for every
 * length up to its longest, which ends at hi. */
static void match_memo_add(struct match_fail *f, size_t lo, size_t hi)
{
	if (f->lo <= f->hi && lo <= f->hi + 1 && f->lo <= hi + 1) {
		if (lo < f->lo) {
			f->lo = lo;
			f->lo_end = hi;
		}
		f->hi = hi > f->hi ? hi : f->hi;
	} else {
		f->lo = lo;
		f->hi = hi;
		f->lo_end = hi;
	}
}

/* Longest run of a star starting at str (offset base): to the end for
 * '**', to the next '/' for '*'. Scanning only up to a recorded start
 * keeps a search that walks base downwards linear. */
static size_t match_star_max(const struct match_fail *f, const char *str,
                             size_t base, int dbl)
{
	size_t n;

	if (f->lo > f->hi || base >= f->lo)
		return dbl ? strlen(str) : strcspn(str, "/");
	for (n = 0; base + n < f->lo; n++) {
		if (str[n] == '\0' || (!dbl && str[n] == '/'))
			return n;
	}
	return f->lo_end - base;
}

/* Try the rest of the pattern (pat[0..len)) after a star that starts at
 * str, for star lengths max down to 0, longest first as in CivetWeb.
 * Returns the star length plus what the rest matched, or -1. */
static ptrdiff_t match_rest(struct match_run *r, struct match_fail *f,
                            const char *pat, size_t len, const char *str,
                            size_t max)
{
	size_t base = (size_t)(str - r->str0), n = max;
	size_t saved = match_count(r);
	ptrdiff_t ret;

	for (;;) {
		if (f->lo <= base + n && base + n <= f->hi) {
			if (f->lo <= base)
				break;
			n = f->lo - base - 1; /* skip known failures */
			continue;
		}
		if (match_may_start(r, pat[0], str + n)) {
			match_push(r, str, n);
			r->depth++;
			ret = match_alt(r, pat, len, str + n);
			r->depth--;
			if (ret >= 0)
				return (ptrdiff_t)n + ret;
			match_truncate(r, saved);
			if (r->aborted)
				return -1;
		}
		if (n == 0)
			break;
		n--;
	}
	match_memo_add(f, base, base + max);
	return -1;
}

/* pat[0] is '*'. Returns the length of str matched, from the star on, or
 * -1. A star's failures are recorded as runs [start, start + max], so a
 * start inside a recorded run fails at once: all its lengths lie in the
 * run (the run ends at the string's end for '**', at a '/' for '*'). */
static ptrdiff_t match_star(struct match_run *r, const char *pat, size_t len,
                            const char *str)
{
	size_t i = (len > 1 && pat[1] == '*') ? 2 : 1;
	size_t base = (size_t)(str - r->str0), n;
	struct match_fail *f;

	if (i == len) {
		n = (i == 2) ? strlen(str) : strcspn(str, "/");
		match_push(r, str, n);
		return (ptrdiff_t)n;
	}
	if (r->depth >= MATCH_MAX_DEPTH) {
		r->aborted = 1;
		return -1;
	}
	f = match_memo(r);
	if (f->lo <= base && base <= f->hi)
		return -1;
	n = match_star_max(f, str, base, i == 2);
	return match_rest(r, f, pat + i, len - i, str, n);
}

/* One alternative (no '|' in pat[0..len)). Returns the length of str
 * matched, or -1. */
static ptrdiff_t match_alt(struct match_run *r, const char *pat, size_t len,
                           const char *str)
{
	size_t i = 0, j = 0, start;
	ptrdiff_t ret;

	while (i < len) {
		switch (pat[i]) {
		case '?':
			for (start = j; i < len && pat[i] == '?'; i++, j++) {
				if (str[j] == '\0' || str[j] == '/')
					return -1;
			}
			match_push(r, str + start, j - start);
			break;
		case '$':
			return str[j] == '\0' ? (ptrdiff_t)j : -1;
		case '*':
			ret = match_star(r, pat + i, len - i, str + j);
			return ret < 0 ? -1 : (ptrdiff_t)j + ret;
		default:
			if (str[j] == '\0' || !match_char(r, pat[i], str[j]))
				return -1;
			i++;
			j++;
		}
	}
	return (ptrdiff_t)j;
}

static void match_reset(struct mg_match_context *m)
{
	m->num_matches = 0;
	memset(m->match, 0, sizeof(m->match));
}

/* Captures are in string order; join those that touch. */
static void match_join(struct mg_match_context *m)
{
	size_t i, out = 0;

	for (i = 0; i < m->num_matches; i++) {
		struct mg_match_element *prev = out ? &m->match[out - 1] : NULL;

		if (prev != NULL && prev->str + prev->len == m->match[i].str)
			prev->len += m->match[i].len;
		else
			m->match[out++] = m->match[i];
	}
	for (i = out; i < m->num_matches; i++) {
		m->match[i].str = NULL;
		m->match[i].len = 0;
	}
	m->num_matches = out;
}

ptrdiff_t cw_match(const char *pat, size_t pat_len, const char *str,
                   struct mg_match_context *mcx)
{
	struct match_run r;
	const char *bar;
	size_t alt_len;
	ptrdiff_t ret;

	if (mcx != NULL)
		match_reset(mcx);
	if (pat == NULL || str == NULL)
		return -1;
	r.mcx = mcx;
	r.str0 = str;
	r.case_sensitive = mcx != NULL && mcx->case_sensitive;
	for (;;) {
		bar = memchr(pat, '|', pat_len);
		alt_len = (bar != NULL) ? (size_t)(bar - pat) : pat_len;
		r.aborted = 0;
		r.depth = 0;
		r.known = 0;
		ret = match_alt(&r, pat, alt_len, str);
		if (ret >= 0 && !r.aborted) {
			if (mcx != NULL)
				match_join(mcx);
			return ret;
		}
		if (mcx != NULL)
			match_reset(mcx);
		if (bar == NULL)
			return -1;
		pat = bar + 1;
		pat_len -= alt_len + 1;
	}
}

ptrdiff_t cw_match_str(const char *pat, const char *str)
{
	if (pat == NULL)
		return -1;
	return cw_match(pat, strlen(pat), str, NULL);
}

/* NULL pat or str: -1 (CivetWeb would crash). */
ptrdiff_t mg_match(const char *pat, const char *str,
                   struct mg_match_context *mcx)
{
	if (pat == NULL) {
		if (mcx != NULL)
			match_reset(mcx);
		return -1;
	}
	return cw_match(pat, strlen(pat), str, mcx);
}
