/* error_data.c - see error_data.h. */
#include <stdio.h>

#include "core/error_data.h"

void cw_set_error(struct mg_error_data *e, unsigned code, const char *text)
{
	if (e == NULL)
		return;
	e->code = code;
	e->code_sub = 0;
	if (e->text != NULL && e->text_buffer_size > 0)
		snprintf(e->text, e->text_buffer_size, "%s", text);
}
