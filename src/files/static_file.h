/* static_file.h - serving files from document_root, the open_file
 * callback's memory files, error_pages, and the mg_send_*file() API. */
#ifndef CW_STATIC_FILE_H
#define CW_STATIC_FILE_H

#include "core/server.h"

/* Make the context's file caches as its options say; 0, or -1 on
 * ENOMEM. cw_static_stop frees them (after the last request). */
int cw_static_start(struct mg_context *ctx);
void cw_static_stop(struct mg_context *ctx);

/* Answer c's request from the document root (GET, HEAD, OPTIONS; other
 * methods get 405). Always sends a complete response. */
void cw_static_serve(struct mg_connection *c);

/* Send the error_pages page for status (with extra header lines, "" for
 * none), if the option is set and a page exists. Returns 1 if a response
 * was sent, 0 otherwise. */
int cw_static_error_page(struct mg_connection *c, int status,
                         const char *extra);

#endif
