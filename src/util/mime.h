/* mime.h - MIME types by file extension: CivetWeb's built-in table, and the
 * extra_mime_types option (".ext=type,.ext2=type2") that overrides it. */
#ifndef CW_MIME_H
#define CW_MIME_H

#include <stddef.h>

/* The MIME type for path (only its extension counts, case-insensitively).
 * extra may be NULL or the extra_mime_types option value; its entries win
 * over the built-in table. For an unknown extension: "text/plain".
 * If extra provides the type, it is copied into buf (bufsize bytes) and buf
 * is returned; otherwise a static string is returned. */
const char *cw_mime_type(const char *path, const char *extra, char *buf,
                         size_t bufsize);

/* Is the type mime[0..len) (without parameters) in list, a comma-
 * separated list of "type/subtype" entries and "type/" entries ending in
 * a star (every subtype)? Case-insensitive. */
int cw_mime_in_list(const char *list, const char *mime, size_t len);

/* Validate an extra_mime_types value: 0 if well formed, else -1 with a
 * reason in err. */
int cw_mime_check_extra(const char *extra, char *err, size_t errlen);

#endif
