/* match.h - CivetWeb's glob patterns, used by options such as
 * hide_files_patterns and by handler URIs:
 *   **  any characters          *  any characters but '/'
 *   ?   one character but '/'    $  end of string
 *   |   alternatives (the first alternative that matches wins)
 * A pattern matches a prefix of the string; other characters match
 * themselves. The public form is mg_match() (civetweb.h). */
#ifndef CW_MATCH_H
#define CW_MATCH_H

#include <stddef.h>

#include "civetweb.h"

/* Match pat[0..pat_len) against str. Returns the number of characters of
 * str matched (possibly 0), or -1 if no alternative matches. mcx may be
 * NULL; if not NULL, mcx->case_sensitive is honoured and the wildcard
 * captures are stored in it (as mg_match() does). */
ptrdiff_t cw_match(const char *pat, size_t pat_len, const char *str,
                   struct mg_match_context *mcx);

/* Case-insensitive convenience: does the NUL-terminated pattern match str
 * (returns > 0 or == 0 characters matched, -1 if not)? */
ptrdiff_t cw_match_str(const char *pat, const char *str);

#endif
