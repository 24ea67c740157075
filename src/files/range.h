/* range.h - byte ranges of a static response (RFC 9110 14): the Range
 * header read into a sorted, coalesced set, and the multipart/byteranges
 * body that several ranges make. */
#ifndef CW_FILES_RANGE_H
#define CW_FILES_RANGE_H

#include <stddef.h>

/* More ranges than this (after coalescing) and the header is ignored:
 * the whole file is cheaper for everyone than a hundred tiny parts. */
#define CW_RANGE_MAX 16

/* Bytes first..last of the representation, both included. */
struct cw_range {
	long long first;
	long long last;
};

/* Read the Range value hdr against a representation of size bytes.
 * Returns the number of ranges put in out (1..CW_RANGE_MAX), sorted and
 * with overlapping or adjacent ones merged; 0 when the header is to be
 * ignored (not "bytes=", malformed, too many ranges); -1 when it is valid
 * but no range overlaps the representation (416). */
int cw_range_parse(const char *hdr, long long size, struct cw_range *out);

/* The multipart/byteranges framing around n ranges of a representation of
 * size bytes with the given Content-Type: the text before each part (its
 * boundary line and headers) and after the last, written into text
 * (cap bytes) with part[i] the offset of part i's text in it and part[n]
 * that of the closing boundary; lengths follow from the offsets. Returns
 * the total text length, or 0 if cap is too small. */
size_t cw_range_multipart(const struct cw_range *r, int n, long long size,
                          const char *mime, const char *boundary, char *text,
                          size_t cap, size_t *part);

/* Content-Length of the multipart body: framing plus the ranges' bytes. */
long long cw_range_multipart_length(const struct cw_range *r, int n,
                                    size_t text_len);

#endif
