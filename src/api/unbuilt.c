/* unbuilt.c - API functions whose feature is not built into this civetd
 * yet: mg_get_connection_info. It exists so that programs link, and
 * answers the way CivetWeb does without the feature (nothing to report). */
#define MG_EXPERIMENTAL_INTERFACES
#include "civetweb.h"

int mg_get_connection_info(const struct mg_context *ctx, int idx, char *buffer,
                           int buflen)
{
	(void)ctx, (void)idx;
	if (buffer != NULL && buflen > 0)
		buffer[0] = '\0';
	return 0;
}
