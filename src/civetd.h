/* civetd.h - what civetd adds to the CivetWeb API (prefix civetd_).
 * A program that only uses civetweb.h never needs this header. */
#ifndef CIVETD_HEADER_INCLUDED
#define CIVETD_HEADER_INCLUDED

#include "civetweb.h"

#define CIVETD_VERSION "0.1.0"

#ifdef __cplusplus
extern "C" {
#endif

/* The civetd version string, e.g. "0.1.0". */
CIVETWEB_API const char *civetd_version(void);

#ifdef __cplusplus
}
#endif

#endif
