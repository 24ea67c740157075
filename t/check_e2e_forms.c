/* check_e2e_forms.c - mg_handle_form_request and mg_upload over real
 * sockets: a handler at /form/<policy> runs mg_handle_form_request with
 * callbacks that follow the policy (get, store, skip, abort at a field,
 * field_get answering NEXT or ABORT, field_store answering ABORT) and
 * answers with what they saw, one line per event:
 *   F key|filename      field_found
 *   G key|value|pieces  the field's field_get calls (value as
 *                       "#len:checksum" when longer than 64 bytes)
 *   S path|size         field_store
 *   R n                 the return value
 * Covered: GET query strings, url-encoded and multipart bodies (quoted and
 * unquoted boundaries, filename*=, fields without a file), chunked
 * bodies, a 100 MiB upload streamed to a file, an upload the client
 * abandons halfway, truncated and malformed bodies (-1, a log line, no
 * file left), and mg_upload with the upload callback. Built again with
 * t/trickle.c (FORMS_TRICKLE) as t/check_e2e_forms_trickle, whose reads
 * get a byte at a time, without the 100 MiB upload. */
#include <check.h>
#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "civetweb.h"
#include "testlib.h"

#define WAIT_MS 10000

static struct mg_context *ctx;
static int port;
static char *dir;
static _Atomic int handled; /* form handlers finished */
static _Atomic int last_ret;

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char logbuf[8192];
static size_t log_len;

static char uploads[8][512]; /* paths the upload callback saw */
static _Atomic int num_uploads;

/* ---- checksums and text ----------------------------------------------------
 */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n-- > 0)
		h = (h ^ *s++) * 0x100000001b3ULL;
	return h;
}

#define FNV0 0xcbf29ce484222325ULL

struct text {
	char *s;
	size_t len, cap;
};

static void text_add(struct text *t, const char *p, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->s = realloc(t->s, t->cap);
		if (t->s == NULL)
			abort();
	}
	memcpy(t->s + t->len, p, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void text_printf(struct text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void text_printf(struct text *t, const char *fmt, ...)
{
	char line[1200];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n > 0)
		text_add(t, line,
		         (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

/* ---- the server side -------------------------------------------------------
 */

struct seen {
	const char *policy;
	struct text out;
	/* the field field_get is receiving */
	char key[1100];
	int pieces;
	size_t len;
	uint64_t sum;
	char head[65];
};

static void flush_get(struct seen *s)
{
	if (s->pieces == 0)
		return;
	if (s->len <= 64)
		text_printf(&s->out, "G %s|%.*s|%d\n", s->key, (int)s->len,
		            s->head, s->pieces);
	else
		text_printf(&s->out, "G %s|#%zu:%016llx|%d\n", s->key, s->len,
		            (unsigned long long)s->sum, s->pieces);
	s->pieces = 0;
}

static int is(const struct seen *s, const char *policy)
{
	return strcmp(s->policy, policy) == 0;
}

static int found(const char *key, const char *filename, char *path,
                 size_t pathlen, void *user_data)
{
	struct seen *s = user_data;
	const char *p;
	char name[256];
	size_t i;

	flush_get(s);
	text_printf(&s->out, "F %s|%s\n", key, filename);
	snprintf(s->key, sizeof s->key, "%s", key);
	s->len = 0;
	s->sum = FNV0;
	if (is(s, "skip"))
		return MG_FORM_FIELD_STORAGE_SKIP;
	if (is(s, "abortfound") && strcmp(key, "stop") == 0)
		return MG_FORM_FIELD_STORAGE_ABORT;
	if (is(s, "storebad")) {
		/* a directory that does not exist, or a path that is one */
		snprintf(path, pathlen, "%s/%s", dir,
		         strcmp(filename, "nodir.bin") == 0 ? "missing/x"
		                                            : "sub");
		return filename[0] != '\0' ? MG_FORM_FIELD_STORAGE_STORE
		                           : MG_FORM_FIELD_STORAGE_GET;
	}
	if (is(s, "storeall") ||
	    ((is(s, "store") || is(s, "storeabort")) && filename[0] != '\0')) {
		const char *base = filename[0] != '\0' ? filename : key;

		for (i = 0, p = base; *p != '\0' && i + 1 < sizeof name; p++)
			name[i++] = (*p == '/') ? '_' : *p;
		name[i] = '\0';
		snprintf(path, pathlen, "%s/%s", dir, name);
		return MG_FORM_FIELD_STORAGE_STORE;
	}
	return MG_FORM_FIELD_STORAGE_GET;
}

static int get(const char *key, const char *value, size_t valuelen,
               void *user_data)
{
	struct seen *s = user_data;

	if (strcmp(key, s->key) != 0)
		text_printf(&s->out, "BADKEY %s\n", key);
	if (s->len < 64)
		memcpy(s->head + s->len, value,
		       valuelen < 64 - s->len ? valuelen : 64 - s->len);
	s->len += valuelen;
	s->sum = fnv(s->sum, value, valuelen);
	s->pieces++;
	if (is(s, "getnext"))
		return MG_FORM_FIELD_HANDLE_NEXT;
	if (is(s, "getabort") && strcmp(key, "stop") == 0)
		return MG_FORM_FIELD_HANDLE_ABORT;
	return MG_FORM_FIELD_HANDLE_GET;
}

static int store(const char *path, long long file_size, void *user_data)
{
	struct seen *s = user_data;

	text_printf(&s->out, "S %s|%lld\n", path + strlen(dir) + 1, file_size);
	return is(s, "storeabort") ? MG_FORM_FIELD_HANDLE_ABORT
	                           : MG_FORM_FIELD_HANDLE_NEXT;
}

static int h_form(struct mg_connection *conn, void *cbdata)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	struct seen s;
	struct mg_form_data_handler h = {found, get, store, &s};
	int r;

	(void)cbdata;
	memset(&s, 0, sizeof s);
	s.policy = ri->local_uri + strlen("/form/");
	r = mg_handle_form_request(conn, &h);
	flush_get(&s);
	text_printf(&s.out, "R %d\n", r);
	mg_send_http_ok(conn, "text/plain", (long long)s.out.len);
	mg_write(conn, s.out.s, s.out.len);
	free(s.out.s);
	atomic_store(&last_ret, r);
	atomic_fetch_add(&handled, 1);
	return 200;
}

static int h_upload(struct mg_connection *conn, void *cbdata)
{
	char text[32];
	int n;

	(void)cbdata;
	n = snprintf(text, sizeof text, "files %d\n", mg_upload(conn, dir));
	mg_send_http_ok(conn, "text/plain", n);
	mg_write(conn, text, (size_t)n);
	atomic_fetch_add(&handled, 1);
	return 200;
}

static void on_upload(struct mg_connection *conn, const char *file_name)
{
	int i = atomic_fetch_add(&num_uploads, 1);

	(void)conn;
	if (i < 8)
		snprintf(uploads[i], sizeof uploads[i], "%s", file_name);
}

static int on_log(const struct mg_connection *conn, const char *message)
{
	size_t n = strlen(message);

	(void)conn;
	pthread_mutex_lock(&log_lock);
	if (log_len + n + 2 < sizeof logbuf) {
		memcpy(logbuf + log_len, message, n);
		log_len += n;
		logbuf[log_len++] = '\n';
		logbuf[log_len] = '\0';
	}
	pthread_mutex_unlock(&log_lock);
	return 1;
}

static int logged(const char *what)
{
	int r;

	pthread_mutex_lock(&log_lock);
	r = strstr(logbuf, what) != NULL;
	pthread_mutex_unlock(&log_lock);
	return r;
}

static void setup(void)
{
	struct mg_callbacks cb;

	memset(&cb, 0, sizeof cb);
	cb.upload = on_upload;
	cb.log_message = on_log;
	dir = tl_mkdtemp();
	atomic_store(&handled, 0);
	atomic_store(&num_uploads, 0);
	log_len = 0;
	logbuf[0] = '\0';
	ctx = tl_start(&cb, NULL, NULL, &port);
	mg_set_request_handler(ctx, "/form", h_form, NULL);
	mg_set_request_handler(ctx, "/upload", h_upload, NULL);
}

static void teardown(void)
{
	mg_stop(ctx);
	tl_rmdir(dir);
	free(dir);
}

/* ---- the client side -------------------------------------------------------
 */

/* Names in dir, sorted, one per line. */
static char *dir_list(void)
{
	struct dirent **names;
	struct text t = {NULL, 0, 0};
	int n = scandir(dir, &names, NULL, alphasort), i;

	ck_assert_int_ge(n, 0);
	text_add(&t, "", 0);
	for (i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") != 0 &&
		    strcmp(names[i]->d_name, "..") != 0)
			text_printf(&t, "%s\n", names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return t.s;
}

static void expect_dir(const char *want)
{
	char *got = dir_list();

	ck_assert_str_eq(got, want);
	free(got);
}

static void expect_file(const char *name, const void *data, size_t len)
{
	char path[600];
	struct stat st;
	FILE *f;
	char *buf = malloc(len + 1);

	snprintf(path, sizeof path, "%s/%s", dir, name);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, (long long)len);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(buf, 1, len + 1, f), len);
	fclose(f);
	ck_assert_int_eq(memcmp(buf, data, len), 0);
	free(buf);
}

/* A request with a body; the response's status. */
static int post(const char *target, const char *ctype, const void *body,
                size_t len, struct tl_resp *r)
{
	char head[1024];
	int fd = tl_connect(port), st;

	if (ctype != NULL)
		snprintf(head, sizeof head,
		         "POST %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
		         "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n",
		         target, ctype, len);
	else
		snprintf(head, sizeof head,
		         "POST %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
		         "Content-Length: %zu\r\n\r\n",
		         target, len);
	ck_assert_int_eq(tl_send(fd, head), 0);
	ck_assert_int_eq(tl_send_n(fd, body, len), 0);
	st = tl_read_response(fd, "POST", r);
	close(fd);
	return st;
}

/* The same with a chunked body, in chunks of step bytes. */
static int post_chunked(const char *target, const char *ctype, const char *body,
                        size_t len, size_t step, struct tl_resp *r)
{
	char head[1024];
	int fd = tl_connect(port), st;
	size_t off;

	snprintf(head, sizeof head,
	         "POST %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
	         "Content-Type: %s\r\nTransfer-Encoding: chunked\r\n\r\n",
	         target, ctype);
	ck_assert_int_eq(tl_send(fd, head), 0);
	for (off = 0; off < len; off += step) {
		size_t n = len - off < step ? len - off : step;

		snprintf(head, sizeof head, "%zx\r\n", n);
		ck_assert_int_eq(tl_send(fd, head), 0);
		ck_assert_int_eq(tl_send_n(fd, body + off, n), 0);
		ck_assert_int_eq(tl_send(fd, "\r\n"), 0);
	}
	ck_assert_int_eq(tl_send(fd, "0\r\n\r\n"), 0);
	st = tl_read_response(fd, "POST", r);
	close(fd);
	return st;
}

static void expect_body(struct tl_resp *r, const char *want)
{
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(r->body, want);
	tl_resp_free(r);
}

/* A multipart body: parts are (name, filename or NULL, data) triples of
 * strings, ended by a NULL name. */
static char *multipart(const char *boundary, const char *const *parts,
                       size_t *len)
{
	struct text t = {NULL, 0, 0};

	for (; parts[0] != NULL; parts += 3) {
		text_printf(&t,
		            "--%s\r\nContent-Disposition: form-data; "
		            "name=\"%s\"",
		            boundary, parts[0]);
		if (parts[1] != NULL)
			text_printf(&t,
			            "; filename=\"%s\"\r\n"
			            "Content-Type: application/octet-stream",
			            parts[1]);
		text_add(&t, "\r\n\r\n", 4);
		text_add(&t, parts[2], strlen(parts[2]));
		text_add(&t, "\r\n", 2);
	}
	text_printf(&t, "--%s--\r\n", boundary);
	*len = t.len;
	return t.s;
}

#define MP_TYPE "multipart/form-data; boundary=----b0undary"

static const char *const three_parts[] = {
    "title", NULL,    "Hello, world",
    "file1", "a.txt", "line one\r\nline two\r\n--not the end\r\n",
    "empty", NULL,    "",
    NULL};

/* ---- tests ------------------------------------------------------------------
 */

START_TEST(test_get_query_string_fields)
{
	struct tl_resp r;

	ck_assert_int_eq(
	    tl_get(port, "/form/get?a=1&b=x+y%21&c=&flag&d=%zz", &r), 200);
	expect_body(&r, "F a|\nG a|1|1\nF b|\nG b|x y!|1\nF c|\nG c||1\n"
	                "F d|\nG d|%zz|1\nR 4\n");
}
END_TEST

START_TEST(test_no_form_data_is_minus_one)
{
	struct tl_resp r;

	ck_assert_int_eq(tl_get(port, "/form/get", &r), 200);
	expect_body(&r, "R -1\n");
	ck_assert_int_eq(
	    post("/form/get", "application/x-www-form-urlencoded", "", 0, &r),
	    200);
	expect_body(&r, "R -1\n");
	ck_assert_int_eq(post("/form/get", "application/json", "{}", 2, &r),
	                 200);
	expect_body(&r, "R -1\n");
}
END_TEST

START_TEST(test_urlencoded_body_fields)
{
	static const char body[] = "name=J%C3%B6rg&empty=&flag&x=1+2%2";
	struct tl_resp r;

	ck_assert_int_eq(post("/form/get", "application/x-www-form-urlencoded",
	                      body, sizeof body - 1, &r),
	                 200);
	expect_body(&r, "F name|\nG name|J\xc3\xb6rg|1\nF empty|\nG empty||1\n"
	                "F x|\nG x|1 2%2|1\nR 3\n");
	/* no Content-Type at all is url-encoded too, as in CivetWeb */
	ck_assert_int_eq(post("/form/get", NULL, "k=v", 3, &r), 200);
	expect_body(&r, "F k|\nG k|v|1\nR 1\n");
}
END_TEST

/* A value far larger than any buffer arrives in pieces, whole. */
START_TEST(test_urlencoded_large_value_in_pieces)
{
	size_t n = 300000, i;
	char *body = malloc(n + 16), want[256];
	uint64_t sum = FNV0;
	struct tl_resp r;

	memcpy(body, "big=", 4);
	for (i = 0; i < n; i += 3)
		memcpy(body + 4 + i, "%41", 3);
	memcpy(body + 4 + n, "&z=1", 4);
	for (i = 0; i < n / 3; i++)
		sum = fnv(sum, "A", 1);
	ck_assert_int_eq(post("/form/get", "application/x-www-form-urlencoded",
	                      body, n + 8, &r),
	                 200);
	ck_assert_int_eq(r.status, 200);
	snprintf(want, sizeof want, "F big|\nG big|#%zu:%016llx|", n / 3,
	         (unsigned long long)sum);
	ck_assert_msg(strncmp(r.body, want, strlen(want)) == 0, "%s", r.body);
	ck_assert_int_gt(atoi(r.body + strlen(want)), 1);
	ck_assert_ptr_nonnull(strstr(r.body, "\nF z|\nG z|1|1\nR 2\n"));
	tl_resp_free(&r);
	free(body);
}
END_TEST

START_TEST(test_multipart_fields_and_file)
{
	size_t len;
	char *body = multipart("----b0undary", three_parts, &len), want[256];
	struct tl_resp r;

	snprintf(want, sizeof want,
	         "F title|\nG title|Hello, world|1\nF file1|a.txt\n"
	         "S a.txt|%zu\nF empty|\nG empty||1\nR 3\n",
	         strlen(three_parts[5]));
	ck_assert_int_eq(post("/form/store", MP_TYPE, body, len, &r), 200);
	expect_body(&r, want);
	expect_dir("a.txt\n");
	expect_file("a.txt", three_parts[5], strlen(three_parts[5]));
	free(body);
}
END_TEST

START_TEST(test_multipart_quoted_boundary_and_filename_star)
{
	static const char body[] =
	    "preamble\r\n--a:b c\r\n"
	    "Content-Disposition: form-data; name=doc; filename=\"x.txt\"; "
	    "filename*=UTF-8''%E2%82%AC.txt\r\n\r\n"
	    "euro\r\n--a:b c--\r\n";
	struct tl_resp r;

	ck_assert_int_eq(post("/form/store",
	                      "Multipart/Form-Data; boundary=\"a:b c\"", body,
	                      sizeof body - 1, &r),
	                 200);
	expect_body(&r, "F doc|\xe2\x82\xac.txt\nS \xe2\x82\xac.txt|4\nR 1\n");
	expect_file("\xe2\x82\xac.txt", "euro", 4);
}
END_TEST

/* Url-encoded values are stored decoded; empty values make empty files. */
START_TEST(test_store_urlencoded_and_empty_values)
{
	static const char *const parts[] = {"f", "empty.bin", "", NULL};
	size_t len;
	char *body = multipart("----b0undary", parts, &len);
	struct tl_resp r;

	ck_assert_int_eq(tl_get(port, "/form/storeall?k1=a%20b+c&k2=", &r),
	                 200);
	expect_body(&r, "F k1|\nS k1|5\nF k2|\nS k2|0\nR 2\n");
	ck_assert_int_eq(post("/form/storeall",
	                      "application/x-www-form-urlencoded", "k3=%41%42",
	                      9, &r),
	                 200);
	expect_body(&r, "F k3|\nS k3|2\nR 1\n");
	ck_assert_int_eq(post("/form/store", MP_TYPE, body, len, &r), 200);
	expect_body(&r, "F f|empty.bin\nS empty.bin|0\nR 1\n");
	expect_dir("empty.bin\nk1\nk2\nk3\n");
	expect_file("k1", "a b c", 5);
	expect_file("k2", "", 0);
	expect_file("k3", "AB", 2);
	expect_file("empty.bin", "", 0);
	free(body);
}
END_TEST

/* A file that cannot be created, or not renamed into place, is logged
 * and that field is skipped; the others go on and nothing is left. */
START_TEST(test_unstorable_files_are_logged_and_skipped)
{
	static const char *const parts[] = {
	    "a", "nodir.bin", "1", "b", "isdir.bin", "2", "c", NULL, "3", NULL};
	size_t len;
	char *body = multipart("----b0undary", parts, &len), sub[600];
	struct tl_resp r;

	snprintf(sub, sizeof sub, "%s/sub", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	tl_write_file(sub, "keep", "k", 1);
	ck_assert_int_eq(post("/form/storebad", MP_TYPE, body, len, &r), 200);
	expect_body(&r, "F a|nodir.bin\nF b|isdir.bin\nF c|\nG c|3|1\nR 3\n");
	ck_assert(logged("mg_handle_form_request: cannot create file"));
	ck_assert(logged("mg_handle_form_request: cannot save file"));
	expect_dir("sub\n");
	free(body);
}
END_TEST

START_TEST(test_store_overwrites_existing_file)
{
	static const char *const parts[] = {"f", "same.bin", "new", NULL};
	size_t len;
	char *body = multipart("----b0undary", parts, &len);
	struct tl_resp r;

	tl_write_file(dir, "same.bin", "old contents", 12);
	ck_assert_int_eq(post("/form/store", MP_TYPE, body, len, &r), 200);
	expect_body(&r, "F f|same.bin\nS same.bin|3\nR 1\n");
	expect_dir("same.bin\n");
	expect_file("same.bin", "new", 3);
	free(body);
}
END_TEST

START_TEST(test_chunked_multipart_and_urlencoded)
{
	static const char ue[] = "a=1&b=two+words";
	size_t len, step;
	char *body = multipart("----b0undary", three_parts, &len);
	struct tl_resp r;

	for (step = 1; step <= 7; step += 3) {
		ck_assert_int_eq(
		    post_chunked("/form/get", MP_TYPE, body, len, step, &r),
		    200);
		ck_assert_int_eq(r.status, 200);
		ck_assert_msg(strstr(r.body, "F file1|a.txt\nG file1|line one"
		                             "\r\nline two\r\n--not the end"
		                             "\r\n|") != NULL &&
		                  strstr(r.body, "R 3\n") != NULL,
		              "%s", r.body);
		tl_resp_free(&r);
	}
	ck_assert_int_eq(post_chunked("/form/get",
	                              "application/x-www-form-urlencoded", ue,
	                              sizeof ue - 1, 2, &r),
	                 200);
	ck_assert_ptr_nonnull(strstr(r.body, "G b|two words|"));
	ck_assert_ptr_nonnull(strstr(r.body, "R 2\n"));
	tl_resp_free(&r);
	free(body);
}
END_TEST

START_TEST(test_skip_counts_fields_without_values)
{
	size_t len;
	char *body = multipart("----b0undary", three_parts, &len);
	struct tl_resp r;

	ck_assert_int_eq(post("/form/skip", MP_TYPE, body, len, &r), 200);
	expect_body(&r, "F title|\nF file1|a.txt\nF empty|\nR 3\n");
	expect_dir("");
	free(body);
}
END_TEST

START_TEST(test_abort_from_field_found_stops)
{
	static const char *const parts[] = {"a", NULL, "1",  "stop", NULL,
	                                    "2", "c",  NULL, "3",    NULL};
	size_t len;
	char *body = multipart("----b0undary", parts, &len);
	struct tl_resp r;

	ck_assert_int_eq(post("/form/abortfound", MP_TYPE, body, len, &r), 200);
	expect_body(&r, "F a|\nG a|1|1\nF stop|\nR 2\n");
	ck_assert_int_eq(tl_get(port, "/form/abortfound?a=1&stop=2&c=3", &r),
	                 200);
	expect_body(&r, "F a|\nG a|1|1\nF stop|\nR 2\n");
	free(body);
}
END_TEST

START_TEST(test_field_get_next_and_abort)
{
	static const char *const parts[] = {"a", NULL, "1",  "stop", NULL,
	                                    "2", "c",  NULL, "3",    NULL};
	size_t len, n = 200000;
	char *body = multipart("----b0undary", parts, &len);
	char *big = malloc(n + 1);
	struct tl_resp r;

	ck_assert_int_eq(post("/form/getabort", MP_TYPE, body, len, &r), 200);
	expect_body(&r, "F a|\nG a|1|1\nF stop|\nG stop|2|1\nR 2\n");
	/* NEXT after the first piece of a large value: no more of it, and
	 * the next field still comes */
	memset(big, 'v', n);
	big[n] = '\0';
	{
		const char *const p2[] = {"big", NULL, big, "c",
		                          NULL,  "3",  NULL};
		char *b2 = multipart("----b0undary", p2, &len);

		ck_assert_int_eq(post("/form/getnext", MP_TYPE, b2, len, &r),
		                 200);
		ck_assert_int_eq(r.status, 200);
		ck_assert_msg(strncmp(r.body, "F big|\nG big|#", 14) == 0 &&
		                  strstr(r.body, "|1\nF c|\nG c|3|1\nR 2\n"),
		              "%s", r.body);
		ck_assert_int_lt(atoi(r.body + 14), (int)n);
		tl_resp_free(&r);
		/* with HANDLE_GET all of it comes, in more than one piece */
		ck_assert_int_eq(post("/form/get", MP_TYPE, b2, len, &r), 200);
		ck_assert_int_eq(r.status, 200);
		ck_assert_msg(strncmp(r.body, "F big|\nG big|#200000:", 21) ==
		                  0,
		              "%s", r.body);
		ck_assert_int_gt(atoi(strchr(r.body + 21, '|') + 1), 1);
		ck_assert_ptr_nonnull(strstr(r.body, "\nF c|\nG c|3|1\nR 2\n"));
		tl_resp_free(&r);
		free(b2);
	}
	free(big);
	free(body);
}
END_TEST

START_TEST(test_field_store_abort_keeps_the_stored_file)
{
	static const char *const parts[] = {"f1",      "one.txt", "1", "f2",
	                                    "two.txt", "2",       NULL};
	size_t len;
	char *body = multipart("----b0undary", parts, &len);
	struct tl_resp r;

	ck_assert_int_eq(post("/form/storeabort", MP_TYPE, body, len, &r), 200);
	expect_body(&r, "F f1|one.txt\nS one.txt|1\nR 1\n");
	expect_dir("one.txt\n");
	free(body);
}
END_TEST

START_TEST(test_truncated_multipart_leaves_no_file)
{
	static const char body[] =
	    "------b0undary\r\nContent-Disposition: form-data; name=\"f\"; "
	    "filename=\"part.bin\"\r\n\r\nsome bytes but no closing "
	    "boundary\r\n--";
	struct tl_resp r;

	ck_assert_int_eq(
	    post("/form/store", MP_TYPE, body, sizeof body - 1, &r), 200);
	expect_body(&r, "F f|part.bin\nR -1\n");
	expect_dir("");
	ck_assert(logged("mg_handle_form_request: multipart body truncated"));
}
END_TEST

START_TEST(test_malformed_multipart_is_minus_one_and_logged)
{
	static const char no_disp[] = "------b0undary\r\nContent-Type: x/y"
	                              "\r\n\r\nv\r\n------b0undary--\r\n";
	static const char big_head[] = "------b0undary\r\nX: ";
	size_t n = 10000;
	char *body = malloc(n);
	struct tl_resp r;

	ck_assert_int_eq(
	    post("/form/get", MP_TYPE, no_disp, sizeof no_disp - 1, &r), 200);
	expect_body(&r, "R -1\n");
	ck_assert(logged("multipart part without Content-Disposition"));
	memset(body, 'h', n);
	memcpy(body, big_head, sizeof big_head - 1);
	ck_assert_int_eq(post("/form/get", MP_TYPE, body, n, &r), 200);
	expect_body(&r, "R -1\n");
	ck_assert(logged("multipart part header too large"));
	ck_assert_int_eq(post("/form/get", "multipart/form-data", "x", 1, &r),
	                 200);
	expect_body(&r, "R -1\n");
	ck_assert(logged("without a valid boundary"));
	free(body);
}
END_TEST

START_TEST(test_long_urlencoded_name_is_minus_one)
{
	size_t n = 5000;
	char *body = malloc(n);
	struct tl_resp r;

	memset(body, 'k', n);
	body[n - 2] = '=';
	ck_assert_int_eq(
	    post("/form/get", "application/x-www-form-urlencoded", body, n, &r),
	    200);
	expect_body(&r, "R -1\n");
	ck_assert(logged("form field name too long"));
	free(body);
}
END_TEST

static int is_handled(void *arg)
{
	return atomic_load(&handled) >= *(int *)arg;
}

static int has_temp_file(void *arg)
{
	char *l = dir_list();
	int r = strstr(l, ".upload-") != NULL;

	(void)arg;
	free(l);
	return r;
}

/* The client goes away in the middle of a file: the temporary file that
 * was filling is removed, the final name never appears, and the server
 * goes on serving. */
START_TEST(test_abandoned_upload_leaves_nothing)
{
	static const char part[] =
	    "------b0undary\r\nContent-Disposition: form-data; name=\"f\"; "
	    "filename=\"half.bin\"\r\n\r\n";
	char head[512], *chunk = calloc(1, 1 << 20);
	int fd = tl_connect(port), i, one = 1;
	struct tl_resp r;

	snprintf(head, sizeof head,
	         "POST /form/store HTTP/1.1\r\nHost: t\r\n"
	         "Content-Type: %s\r\nContent-Length: %d\r\n\r\n",
	         MP_TYPE, 10 << 20);
	ck_assert_int_eq(tl_send(fd, head), 0);
	ck_assert_int_eq(tl_send(fd, part), 0);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(tl_send_n(fd, chunk, 1 << 20), 0);
	tl_wait_until(has_temp_file, NULL, WAIT_MS, "the temporary file");
	{
		char *l = dir_list();

		ck_assert_ptr_null(strstr(l, "half.bin"));
		free(l);
	}
	close(fd);
	tl_wait_until(is_handled, &one, WAIT_MS, "the handler to return");
	ck_assert_int_eq(atomic_load(&last_ret), -1);
	expect_dir("");
	ck_assert_int_eq(tl_get(port, "/form/get?a=1", &r), 200);
	expect_body(&r, "F a|\nG a|1|1\nR 1\n");
	free(chunk);
}
END_TEST

#if !defined(FORMS_TRICKLE)
/* 100 MiB generated on the fly, streamed to a file: the bytes arrive
 * intact, and the server's memory does not grow with the upload. */
START_TEST(test_100mib_upload_streams_to_a_file)
{
	static const char part[] =
	    "------b0undary\r\nContent-Disposition: form-data; name=\"f\"; "
	    "filename=\"big.bin\"\r\n\r\n";
	static const char tail[] = "\r\n------b0undary--\r\n";
	size_t total = (size_t)100 << 20, off, blk = 1 << 16;
	unsigned char *buf = malloc(blk);
	uint64_t x = 88172645463325252ULL, sum = FNV0, fsum = FNV0;
	char head[512], path[600];
	int fd = tl_connect(port);
	long before, after, limit = 32 * 1024;
	struct tl_resp r;
	FILE *f;
	size_t n;

	snprintf(head, sizeof head,
	         "POST /form/store HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
	         "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n",
	         MP_TYPE, sizeof part - 1 + total + sizeof tail - 1);
	before = tl_rss_kib();
	ck_assert_int_eq(tl_send(fd, head), 0);
	ck_assert_int_eq(tl_send(fd, part), 0);
	for (off = 0; off < total; off += blk) {
		for (n = 0; n < blk; n += 8) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			memcpy(buf + n, &x, 8);
		}
		sum = fnv(sum, buf, blk);
		ck_assert_int_eq(tl_send_n(fd, buf, blk), 0);
	}
	ck_assert_int_eq(tl_send(fd, tail), 0);
	ck_assert_int_eq(tl_read_response(fd, "POST", &r), 200);
	after = tl_rss_kib();
	close(fd);
	snprintf(head, sizeof head, "F f|big.bin\nS big.bin|%zu\nR 1\n", total);
	expect_body(&r, head);
	snprintf(path, sizeof path, "%s/big.bin", dir);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	while ((n = fread(buf, 1, blk, f)) > 0)
		fsum = fnv(fsum, buf, n);
	fclose(f);
	ck_assert_uint_eq(fsum, sum);
	fprintf(stderr, "100 MiB upload: RSS %ld KiB -> %ld KiB\n", before,
	        after);
#if defined(TL_ASAN) || defined(TL_TSAN)
	limit *= 4;
#endif
	ck_assert_int_lt(after - before, limit);
	expect_dir("big.bin\n");
	free(buf);
}
END_TEST
#endif

START_TEST(test_mg_upload_stores_files_and_calls_upload)
{
	static const char *const parts[] = {
	    "note", NULL,           "not a file", "f1", "one.txt", "first",
	    "f2",   "../../up.bin", "second\r\n", "f3", "..",      "no name",
	    NULL};
	size_t len;
	char *body = multipart("----b0undary", parts, &len), want[600];
	struct tl_resp r;

	ck_assert_int_eq(post("/upload", MP_TYPE, body, len, &r), 200);
	expect_body(&r, "files 2\n");
	ck_assert_int_eq(atomic_load(&num_uploads), 2);
	snprintf(want, sizeof want, "%s/one.txt", dir);
	ck_assert_str_eq(uploads[0], want);
	snprintf(want, sizeof want, "%s/up.bin", dir);
	ck_assert_str_eq(uploads[1], want);
	expect_dir("one.txt\nup.bin\n");
	expect_file("one.txt", "first", 5);
	expect_file("up.bin", "second\r\n", 8);
	/* not a form: no files */
	ck_assert_int_eq(post("/upload", "text/plain", "x", 1, &r), 200);
	expect_body(&r, "files 0\n");
	free(body);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_forms");
	TCase *tc = tcase_create("forms");
#if !defined(FORMS_TRICKLE)
	TCase *big = tcase_create("big");
#endif

	tl_cleanup_fixture(tc);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_get_query_string_fields);
	tcase_add_test(tc, test_no_form_data_is_minus_one);
	tcase_add_test(tc, test_urlencoded_body_fields);
	tcase_add_test(tc, test_urlencoded_large_value_in_pieces);
	tcase_add_test(tc, test_multipart_fields_and_file);
	tcase_add_test(tc, test_multipart_quoted_boundary_and_filename_star);
	tcase_add_test(tc, test_store_urlencoded_and_empty_values);
	tcase_add_test(tc, test_store_overwrites_existing_file);
	tcase_add_test(tc, test_unstorable_files_are_logged_and_skipped);
	tcase_add_test(tc, test_chunked_multipart_and_urlencoded);
	tcase_add_test(tc, test_skip_counts_fields_without_values);
	tcase_add_test(tc, test_abort_from_field_found_stops);
	tcase_add_test(tc, test_field_get_next_and_abort);
	tcase_add_test(tc, test_field_store_abort_keeps_the_stored_file);
	tcase_add_test(tc, test_truncated_multipart_leaves_no_file);
	tcase_add_test(tc, test_malformed_multipart_is_minus_one_and_logged);
	tcase_add_test(tc, test_long_urlencoded_name_is_minus_one);
	tcase_add_test(tc, test_abandoned_upload_leaves_nothing);
	tcase_add_test(tc, test_mg_upload_stores_files_and_calls_upload);
	suite_add_tcase(s, tc);
#if !defined(FORMS_TRICKLE) /* a byte per read: 100 MiB would take hours */
	tl_cleanup_fixture(big);
	tcase_add_checked_fixture(big, setup, teardown);
	tcase_set_timeout(big, 300);
	tcase_add_test(big, test_100mib_upload_streams_to_a_file);
	suite_add_tcase(s, big);
#endif
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
