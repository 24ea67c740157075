/* file_resp.h - answering a request with one file: validators and
 * conditional requests, byte ranges, the representation sent (the file,
 * a precompressed sidecar, a cached compressed copy), the head and the
 * body. static_file.c finds the file; this module answers with it. */
#ifndef CW_FILES_FILE_RESP_H
#define CW_FILES_FILE_RESP_H

#include <sys/types.h>
#include <time.h>

#include "core/server.h"
#include "files/file_open.h"

/* How a file is answered. */
struct cw_file_how {
	const char *mime;  /* NULL: by the path's extension */
	const char *extra; /* further "Name: value\r\n" lines, or "" */
	int own;           /* the library's own answer: nothing follows it */
	size_t base_len;   /* f was opened confined so (its sidecars too) */
	int coding;        /* f holds path's content in this coding (a
	                      file.gz standing in for a missing file), or 0 */
};

/* Answer c's GET or HEAD with file f found at path, or the representation
 * of it that Accept-Encoding and the compression options choose
 * (encoding.h): 304 or 412 as its conditional headers say, else 200, 206
 * or 416 as its Range says (406 when the client excludes every form there
 * is). Always sends a complete response (500 if even the head cannot be
 * made). */
void cw_file_answer(struct mg_connection *c, struct cw_file *f,
                    const char *path, const struct cw_file_how *how);

/* Send f whole with status and no validators (an error page). 0, or -1
 * when the head could not be made and nothing was sent. */
int cw_file_send_plain(struct mg_connection *c, struct cw_file *f,
                       const char *path, int status, const char *extra);

/* A page the library made (a directory listing): 200 with mime, the
 * static files' Cache-Control and no validators. 0, or -1 when the head
 * could not be made and nothing was sent. */
int cw_file_send_page(struct mg_connection *c, const char *mime,
                      const char *body, size_t len);

#endif
