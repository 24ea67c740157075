/* coding.h - HTTP content codings (RFC 9110 8.4.1) and the choice of one
 * for a response from the request's Accept-Encoding (RFC 9110 12.5.3).
 * The compressors themselves are in zcodec.h; this module only names the
 * codings and negotiates, so it needs no compression library. */
#ifndef CW_CODING_H
#define CW_CODING_H

/* The codings civetd knows, in the order it prefers them when the client
 * weighs them equally: zstd compresses best for its speed, br is next,
 * gzip is understood everywhere, identity is the uncompressed fallback. */
enum cw_coding {
	CW_CODING_IDENTITY = 0,
	CW_CODING_ZSTD,
	CW_CODING_BR,
	CW_CODING_GZIP,
	CW_CODING_COUNT
};

/* The token of coding c as it goes into Content-Encoding ("zstd", "br",
 * "gzip", "identity"); a static string. NULL for a value out of range. */
const char *cw_coding_name(enum cw_coding c);

/* The coding to answer with, among those in offered (a bit mask of
 * 1u << coding; identity is always possible whether its bit is set or
 * not), for the Accept-Encoding value ae (NULL: the header is absent, and
 * the answer is identity).
 *
 * As RFC 9110 12.5.3: each item is a coding name with an optional q
 * weight; q=0 excludes the coding; "*" weighs every coding not named;
 * "identity;q=0", or "*;q=0" with identity not named, excludes identity,
 * otherwise identity stays acceptable (at the weight of "*" if present,
 * else below every coding the client accepts). Names are case-insensitive
 * and "x-gzip" is gzip; whitespace around items and parameters is allowed;
 * an item that is malformed (a bad name or q) is ignored; a name given
 * twice keeps its higher weight. The highest weight wins; ties go to zstd,
 * then br, then gzip, then identity.
 *
 * Returns the coding, or -1 when nothing offered is acceptable (identity
 * excluded and no offered coding allowed): the caller answers 406 or
 * ignores the header, as it sees fit. Allocates nothing. */
int cw_coding_choose(const char *ae, unsigned offered);

#endif
