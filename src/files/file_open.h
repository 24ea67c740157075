/* file_open.h - opening a file to send: the open_file callback's memory
 * first, else the open-file cache, else the file system, confined below a
 * base directory when asked. */
#ifndef CW_FILES_FILE_OPEN_H
#define CW_FILES_FILE_OPEN_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "core/server.h"

struct cw_fentry;

/* A file to send: a descriptor, or memory from the open_file callback. */
struct cw_file {
	int fd;                      /* -1 for memory files and directories */
	const struct cw_fentry *ent; /* fd is the open-file cache's, or NULL */
	const char *mem;             /* open_file's block, or NULL */
	const char
	    *data; /* the cache's copy of a small file (fd too), or NULL */
	long long size;
	time_t mtime;
	long mtime_ns;
	dev_t dev;
	ino_t ino;
	int is_dir;
};

/* Open path for sending: the open_file callback's memory first, else the
 * open-file cache, else the file system. base_len > 0: nothing on the way
 * from the directory path[0..base_len) down (no symbolic link, no "..")
 * may lead out of it; 0: path is opened as it is. 0: found (f filled; a
 * directory is found with is_dir set and no descriptor); -1: errno says
 * why (ENOENT, EACCES, EXDEV: a link leads out, ...). A file neither
 * regular nor a directory is EACCES. The caller closes f with
 * cw_file_close. */
int cw_file_open(struct mg_connection *c, const char *path, size_t base_len,
                 struct cw_file *f);
void cw_file_close(struct mg_connection *c, struct cw_file *f);

/* cw_file_open without the open_file callback: for the server's own
 * files (password files), which no application is asked for. */
int cw_file_open_own(struct mg_connection *c, const char *path, size_t base_len,
                     struct cw_file *f);

/* cw_file_open of path as it is now, past the open-file cache: for the
 * files an application names (mg_send_file*), which it may have written
 * a moment ago. */
int cw_file_open_fresh(struct mg_connection *c, const char *path,
                       struct cw_file *f);

/* The HTTP status for an open failure's errno: 403, 404 or 500. */
int cw_file_status_of_errno(int e);

#endif
