/* error_data.h - filling the struct mg_error_data of the API's *2
 * functions (mg_start2, mg_start_domain2, civetd_run, ...). */
#ifndef CW_CORE_ERROR_DATA_H
#define CW_CORE_ERROR_DATA_H

#include "civetweb.h"

/* Set e's code (code_sub 0) and copy text into its buffer, cut to fit;
 * e may be NULL, its buffer too. */
void cw_set_error(struct mg_error_data *e, unsigned code, const char *text);

#endif
