/* forms.c - HTML form data for request handlers: mg_handle_form_request()
 * (a GET query string, an application/x-www-form-urlencoded body, or a
 * multipart/form-data body, fields handed to the application's callbacks)
 * and the older mg_upload() built on it.
 *
 * The body is read with mg_read (which removes chunked framing) through
 * one fixed buffer allocated per call, and every field is streamed: to
 * field_get in pieces, or to a file, never held whole. A stored file is
 * written under a temporary name in its target directory (O_EXCL) and
 * renamed to the path field_found gave only once the field is complete;
 * on any failure it is removed, so no partial file is left behind.
 * Malformed, truncated or oversized input makes the call return -1 with
 * the reason in the error log. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "core/log.h"
#include "http/exchange.h"
#include "util/codec.h"
#include "util/multipart.h"
#include "util/sysio.h"

#define FORM_BUF     (64 * 1024) /* one mg_read */
#define FORM_OUT     8192        /* decoded url-encoded value pieces */
#define FORM_KEY_MAX 1024        /* a decoded url-encoded field name */
#define FORM_PATH    512         /* field_found's path, as CivetWeb's */

enum { MODE_SKIP, MODE_GET, MODE_STORE };

/* A pending '%' escape of url-encoded text split between reads. */
struct pct {
	int n;   /* 0, 1 ('%' seen), 2 ('%' and one hex digit) */
	char hi; /* that digit */
};

struct form {
	struct mg_connection *conn;
	struct mg_form_data_handler *fdh;
	int count; /* fields found */
	int stop;  /* the application aborted */
	/* the field being read */
	const char *key;
	int mode;
	int sent; /* field_get has had a piece of it */
	int fd;   /* MODE_STORE: the temporary file */
	long long size;
	char path[FORM_PATH];
	char tmp[FORM_PATH + 32];
	/* url-encoded parsing */
	int in_value;
	struct pct pct;
	size_t key_len;
	char keybuf[FORM_KEY_MAX];
	size_t out_len;
	char out[FORM_OUT];
	struct cw_multipart mp;
	char buf[FORM_BUF];
};

/* ---- one field: to field_get, to a file, or nowhere ---------------------- */

/* Create the temporary file next to f->path. 0 or -1 (errno). */
static int tmp_open(struct form *f)
{
	const char *slash = strrchr(f->path, '/');
	int dir_len = slash == NULL ? 1 : (int)(slash - f->path);
	const char *dir = slash == NULL ? "." : f->path;
	int tries;

	if (f->path[0] == '\0') {
		errno = ENOENT;
		return -1;
	}
	if (slash == f->path)
		dir_len = 0; /* a file in / */
	for (tries = 0; tries < 8; tries++) {
		unsigned long long r = 0;
		int n;

		if (getrandom(&r, sizeof r, GRND_NONBLOCK) != sizeof r)
			r ^= (unsigned long long)getpid() << 32 ^
			     (unsigned long long)(uintptr_t)f ^
			     (unsigned long long)tries;
		n = snprintf(f->tmp, sizeof f->tmp, "%.*s/.upload-%016llx",
		             dir_len, dir, r);
		if (n < 0 || (size_t)n >= sizeof f->tmp) {
			errno = ENAMETOOLONG;
			return -1;
		}
		/* 0666 less the umask: the mode CivetWeb's fopen gives */
		f->fd =
		    open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (f->fd >= 0 || errno != EEXIST)
			return f->fd >= 0 ? 0 : -1;
	}
	return -1;
}

static void tmp_discard(struct form *f)
{
	if (f->fd < 0)
		return;
	close(f->fd);
	unlink(f->tmp);
	f->fd = -1;
}

/* Ask field_found what to do with the field key (filename "" if none). */
static void field_begin(struct form *f, const char *key, const char *filename)
{
	struct mg_form_data_handler *h = f->fdh;
	int r;

	if (f->count < INT_MAX)
		f->count++;
	f->key = key;
	f->sent = 0;
	f->size = 0;
	f->mode = MODE_SKIP;
	memset(f->path, 0, sizeof f->path);
	r = h->field_found(key, filename, f->path, sizeof f->path - 1,
	                   h->user_data);
	if ((r & 0xf) == MG_FORM_FIELD_STORAGE_GET && h->field_get == NULL) {
		cw_log_error(NULL, f->conn,
		             "mg_handle_form_request: field_get is NULL");
		r = MG_FORM_FIELD_STORAGE_SKIP;
	}
	if ((r & 0xf) == MG_FORM_FIELD_STORAGE_STORE &&
	    h->field_store == NULL) {
		cw_log_error(NULL, f->conn,
		             "mg_handle_form_request: field_store is NULL");
		r = MG_FORM_FIELD_STORAGE_SKIP;
	}
	if ((r & MG_FORM_FIELD_STORAGE_ABORT) == MG_FORM_FIELD_STORAGE_ABORT) {
		f->stop = 1;
		return;
	}
	if (r == MG_FORM_FIELD_STORAGE_GET) {
		f->mode = MODE_GET;
	} else if (r == MG_FORM_FIELD_STORAGE_STORE) {
		if (tmp_open(f) == 0) {
			f->mode = MODE_STORE;
			return;
		}
		cw_log_error(NULL, f->conn, "%s: cannot create file %s: %s",
		             "mg_handle_form_request", f->path,
		             strerror(errno));
	}
}

/* A piece of the field's value. */
static void field_data(struct form *f, const char *p, size_t n)
{
	int r;

	if (f->mode == MODE_GET) {
		f->sent = 1;
		r = f->fdh->field_get(f->key, p, n, f->fdh->user_data);
		if (r == MG_FORM_FIELD_HANDLE_ABORT)
			f->stop = 1;
		else if (r == MG_FORM_FIELD_HANDLE_NEXT)
			f->mode = MODE_SKIP;
	} else if (f->mode == MODE_STORE) {
		if (cw_write_all(f->fd, p, n) != 0) {
			cw_log_error(
			    NULL, f->conn,
			    "mg_handle_form_request: cannot write file "
			    "%s: %s",
			    f->path, strerror(errno));
			tmp_discard(f);
			f->mode = MODE_SKIP;
			return;
		}
		f->size += (long long)n;
	}
}

/* The field is complete: an empty value still reaches field_get once; a
 * file takes its name and is announced to field_store. */
static void field_end(struct form *f)
{
	int r = 0;

	if (f->mode == MODE_GET && !f->sent) {
		r = f->fdh->field_get(f->key, "", 0, f->fdh->user_data);
	} else if (f->mode == MODE_STORE) {
		int fd = f->fd;

		f->fd = -1;
		if (close(fd) != 0 || rename(f->tmp, f->path) != 0) {
			cw_log_error(NULL, f->conn,
			             "mg_handle_form_request: cannot save file "
			             "%s: %s",
			             f->path, strerror(errno));
			unlink(f->tmp);
		} else {
			r = f->fdh->field_store(f->path, f->size,
			                        f->fdh->user_data);
		}
	}
	if (r == MG_FORM_FIELD_HANDLE_ABORT)
		f->stop = 1;
	f->mode = MODE_SKIP;
}

/* The request cannot be parsed: -1, its reason logged, no file left. */
static int form_fail(struct form *f, const char *why)
{
	tmp_discard(f);
	cw_log_error(NULL, f->conn, "mg_handle_form_request: %s", why);
	return -1;
}

/* ---- application/x-www-form-urlencoded, and GET query strings ------------ */

/* Decode byte c of url-encoded text into o (up to 3 bytes): their count.
 * "+" is a space; a '%' not followed by two hex digits stays as it is, as
 * mg_url_decode leaves it. */
static size_t pct_feed(struct pct *s, char c, char *o)
{
	int v = cw_hex_value((unsigned char)c);

	if (s->n == 1 && v >= 0) {
		s->hi = c;
		s->n = 2;
		return 0;
	}
	if (s->n == 2 && v >= 0) {
		s->n = 0;
		o[0] = (char)((cw_hex_value((unsigned char)s->hi) << 4) | v);
		return 1;
	}
	if (s->n > 0) {
		size_t k = 0;

		o[k++] = '%';
		if (s->n == 2)
			o[k++] = s->hi;
		s->n = 0;
		return k + pct_feed(s, c, o + k);
	}
	if (c == '%') {
		s->n = 1;
		return 0;
	}
	o[0] = c == '+' ? ' ' : c;
	return 1;
}

static size_t pct_flush(struct pct *s, char *o)
{
	size_t k = 0;

	if (s->n > 0)
		o[k++] = '%';
	if (s->n == 2)
		o[k++] = s->hi;
	s->n = 0;
	return k;
}

static void out_flush(struct form *f)
{
	if (f->out_len > 0)
		field_data(f, f->out, f->out_len);
	f->out_len = 0;
}

/* The '=' of a field: its name is complete. */
static void ue_key_done(struct form *f)
{
	f->key_len += pct_flush(&f->pct, f->keybuf + f->key_len);
	f->keybuf[f->key_len] = '\0';
	field_begin(f, f->keybuf, "");
	f->in_value = 1;
	f->out_len = 0;
}

/* The '&' (or the end) of a field with a value. */
static void ue_value_done(struct form *f)
{
	if (f->mode != MODE_SKIP) {
		f->out_len += pct_flush(&f->pct, f->out + f->out_len);
		out_flush(f);
		if (!f->stop)
			field_end(f);
	}
	f->pct.n = 0;
	f->in_value = 0;
	f->key_len = 0;
}

/* Value bytes p[0..n), no '&' among them. */
static void ue_value(struct form *f, const char *p, size_t n)
{
	size_t i;

	if (f->mode == MODE_SKIP)
		return;
	for (i = 0; i < n && !f->stop && f->mode != MODE_SKIP; i++) {
		if (f->out_len + 3 > sizeof f->out)
			out_flush(f);
		f->out_len += pct_feed(&f->pct, p[i], f->out + f->out_len);
	}
}

/* Url-encoded bytes p[0..n), split anywhere; last: nothing follows.
 * 0, or -1 (reason logged). */
static int ue_feed(struct form *f, const char *p, size_t n, int last)
{
	const char *end = p + n;

	while (p < end && !f->stop) {
		if (f->in_value) {
			const char *amp = memchr(p, '&', (size_t)(end - p));

			ue_value(f, p, (size_t)((amp ? amp : end) - p));
			if (amp == NULL)
				break;
			ue_value_done(f);
			p = amp + 1;
		} else if (*p == '=') {
			ue_key_done(f);
			p++;
		} else if (*p == '&') {
			/* a field without '=' has no value: not a field */
			f->key_len = 0;
			f->pct.n = 0;
			p++;
		} else {
			/* each byte adds at most one to what is written or
			 * owed, and the NUL must fit */
			if (f->key_len + (size_t)f->pct.n + 1 >=
			    sizeof f->keybuf)
				return form_fail(f, "form field name too long");
			f->key_len +=
			    pct_feed(&f->pct, *p++, f->keybuf + f->key_len);
		}
	}
	/* hand over what this read gave, not waiting for the next (unless
	 * the end is here: the last piece may still grow by an escape) */
	if (!last && f->in_value && !f->stop && f->mode == MODE_GET)
		out_flush(f);
	return 0;
}

static int ue_end(struct form *f)
{
	if (f->in_value && !f->stop)
		ue_value_done(f);
	return f->count;
}

static int handle_query(struct form *f, const char *q)
{
	if (ue_feed(f, q, strlen(q), 1) != 0)
		return -1;
	return ue_end(f);
}

static int handle_urlencoded(struct form *f)
{
	int n = 0;

	while (!f->stop && (n = mg_read(f->conn, f->buf, sizeof f->buf)) > 0) {
		if (ue_feed(f, f->buf, (size_t)n, f->conn->x->s.body.done) != 0)
			return -1;
	}
	if (!f->stop && n < 0)
		return form_fail(f, "request body truncated or unreadable");
	return ue_end(f);
}

/* ---- multipart/form-data --------------------------------------------------
 */

/* One event of the parser. 1 when the body is done, -1 on error. */
static int mp_event(struct form *f, enum cw_mp_event ev, const char *d,
                    size_t dl)
{
	switch (ev) {
	case CW_MP_PART:
		field_begin(f, f->mp.name, f->mp.filename);
		return 0;
	case CW_MP_DATA:
		if (f->mode != MODE_SKIP && dl > 0)
			field_data(f, d, dl);
		return 0;
	case CW_MP_PART_END:
		field_end(f);
		return 0;
	case CW_MP_END:
		return 1;
	case CW_MP_ERROR:
		return form_fail(f, cw_mp_error(&f->mp));
	default:
		return 0;
	}
}

static int handle_multipart(struct form *f, const char *ct)
{
	char boundary[CW_MP_BOUNDARY_MAX + 1];
	int n, r = 0;

	if (cw_mp_boundary(ct, boundary, sizeof boundary) != 0 ||
	    cw_mp_init(&f->mp, boundary) != 0)
		return form_fail(f, "multipart/form-data without a valid "
		                    "boundary");
	while (r == 0 && !f->stop) {
		size_t pos = 0;

		n = mg_read(f->conn, f->buf, sizeof f->buf);
		if (n < 0)
			return form_fail(f, "request body truncated or "
			                    "unreadable");
		if (n == 0) {
			cw_mp_finish(&f->mp);
			return form_fail(f, cw_mp_error(&f->mp));
		}
		while (r == 0 && !f->stop && pos < (size_t)n) {
			const char *d;
			size_t used, dl;
			enum cw_mp_event ev =
			    cw_mp_push(&f->mp, f->buf + pos, (size_t)n - pos,
			               &used, &d, &dl);

			pos += used;
			r = mp_event(f, ev, d, dl);
		}
	}
	tmp_discard(f); /* an abort from field_get leaves no file */
	return r < 0 ? -1 : f->count;
}

/* ---- the API --------------------------------------------------------------
 */

static int is_urlencoded(const char *ct)
{
	return ct == NULL ||
	       mg_strncasecmp(ct, "application/x-www-form-urlencoded", 33) ==
	           0 ||
	       mg_strncasecmp(ct, "application/www-form-urlencoded", 31) == 0;
}

/* ct is the request's Content-Type; the request has a body. */
static int handle_body(struct form *f, const char *ct)
{
	if (is_urlencoded(ct))
		return handle_urlencoded(f);
	if (mg_strncasecmp(ct, "multipart/form-data", 19) == 0)
		return handle_multipart(f, ct);
	cw_log_error(NULL, f->conn,
	             "mg_handle_form_request: not a form: Content-Type %.64s",
	             ct);
	return -1;
}

/* The state is allocated here and freed before returning; the callbacks
 * get pointers into it that are valid during the call only. */
int mg_handle_form_request(struct mg_connection *conn,
                           struct mg_form_data_handler *fdh)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	struct form *f;
	int has_body, r;

	if (ri == NULL || fdh == NULL || fdh->field_found == NULL ||
	    conn->x == NULL)
		return -1;
	has_body = ri->content_length > 0 || conn->x->s.body.chunked;
	if (!has_body && (ri->request_method == NULL ||
	                  strcmp(ri->request_method, "GET") != 0 ||
	                  ri->query_string == NULL))
		return -1;
	f = malloc(sizeof *f);
	if (f == NULL) {
		cw_log_error(NULL, conn,
		             "mg_handle_form_request: out of memory");
		return -1;
	}
	f->conn = conn;
	f->fdh = fdh;
	f->count = f->stop = 0;
	f->mode = MODE_SKIP;
	f->fd = -1;
	f->in_value = 0;
	f->pct.n = 0;
	f->key_len = f->out_len = 0;
	if (has_body)
		r = handle_body(f, mg_get_header(conn, "Content-Type"));
	else
		r = handle_query(f, ri->query_string);
	tmp_discard(f);
	free(f);
	return r;
}

/* ---- mg_upload ------------------------------------------------------------
 */

struct upload {
	struct mg_connection *conn;
	const char *dir;
	int files;
};

/* Every part with a file name is stored as dir/<its last path
 * component>; other fields are skipped. */
static int upload_found(const char *key, const char *filename, char *path,
                        size_t pathlen, void *user_data)
{
	struct upload *u = user_data;
	const char *base = filename, *p;
	int n;

	(void)key;
	for (p = filename; *p != '\0'; p++) {
		if (*p == '/' || *p == '\\')
			base = p + 1;
	}
	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return MG_FORM_FIELD_STORAGE_SKIP;
	n = snprintf(path, pathlen, "%s/%s", u->dir, base);
	if (n < 0 || (size_t)n >= pathlen) {
		cw_log_error(NULL, u->conn, "mg_upload: path too long for %s",
		             base);
		return MG_FORM_FIELD_STORAGE_SKIP;
	}
	return MG_FORM_FIELD_STORAGE_STORE;
}

static int upload_stored(const char *path, long long size, void *user_data)
{
	struct upload *u = user_data;

	(void)size;
	u->files++;
	if (u->conn->ctx->cb.upload != NULL)
		u->conn->ctx->cb.upload(u->conn, path);
	return MG_FORM_FIELD_HANDLE_NEXT;
}

/* The number of files stored in destination_dir (the caller's string),
 * each announced to the upload callback with its full path; fields
 * without a file name are skipped. Nothing is left allocated. */
int mg_upload(struct mg_connection *conn, const char *destination_dir)
{
	struct upload u = {conn, destination_dir, 0};
	struct mg_form_data_handler h = {upload_found, NULL, upload_stored, &u};

	if (conn == NULL || destination_dir == NULL ||
	    destination_dir[0] == '\0' || conn->ctx == NULL)
		return 0;
	mg_handle_form_request(conn, &h);
	return u.files;
}
