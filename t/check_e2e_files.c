/* check_e2e_files.c - the document root over real sockets: GET/HEAD with
 * types, lengths, validators and cache headers; index files; redirects;
 * 403/404/405/OPTIONS; conditional requests; every way out of the root
 * (none may work: a secret file beside the root must never be served);
 * hidden files; error_pages; the open_file callback; mg_send_file() and
 * friends; large and empty files over keep-alive. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "civetweb.h"
#include "testlib.h"

#define BIG_SIZE (5 * 1024 * 1024)

static const char secret[] = "TOP-SECRET-7c1e9a52-do-not-serve";
static const char hello[] = "Hello, files!\n";

static char *parent; /* temp dir: secret.txt, linked.txt, errors/, www/ */
static char root[512];
static char errors[512];
static unsigned char *big; /* BIG_SIZE random bytes, also www/big.bin */
static unsigned char small[4096];

static struct mg_context *ctx;
static int port;

/* ---- the tree ------------------------------------------------------------ */

static void put_file(const char *dir, const char *name, const void *data,
                     size_t len)
{
	tl_write_file(dir, name, data, len);
}

static void put_text(const char *dir, const char *name, const char *text)
{
	put_file(dir, name, text, strlen(text));
}

static void make_dir(const char *dir, const char *name)
{
	char p[1024];

	snprintf(p, sizeof p, "%s/%s", dir, name);
	ck_assert_int_eq(mkdir(p, 0755), 0);
}

static void make_link(const char *target, const char *name)
{
	char p[1024];

	snprintf(p, sizeof p, "%s/%s", root, name);
	ck_assert_int_eq(symlink(target, p), 0);
}

static void random_bytes(unsigned char *p, size_t n)
{
	FILE *f = fopen("/dev/urandom", "rb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(p, 1, n, f), n);
	fclose(f);
}

static void make_tree(void)
{
	char p[1024];

	parent = tl_mkdtemp();
	snprintf(root, sizeof root, "%s/www", parent);
	snprintf(errors, sizeof errors, "%s/errors", parent);
	make_dir(parent, "www");
	make_dir(parent, "errors");
	put_text(parent, "secret.txt", secret);
	put_text(parent, "linked.txt", "linked from inside the root\n");

	big = malloc(BIG_SIZE);
	random_bytes(big, BIG_SIZE);
	random_bytes(small, sizeof small);
	put_text(root, "hello.txt", hello);
	put_file(root, "4k.bin", small, sizeof small);
	put_file(root, "big.bin", big, BIG_SIZE);
	put_text(root, "empty.txt", "");
	put_text(root, "style.css", "body {}\n");
	put_text(root, "file.custom", "custom\n");
	put_text(root, "README", "no extension\n");
	put_text(root, "conf.ini", "hidden ini\n");
	put_text(root, ".htpasswd", "user:realm:hash\n");
	put_text(root, "x.HTPASSWD", "user:realm:hash\n");
	put_text(root, "unreadable.txt", "unreadable\n");
	snprintf(p, sizeof p, "%s/unreadable.txt", root);
	ck_assert_int_eq(chmod(p, 0), 0);
	snprintf(p, sizeof p, "%s/fifo", root);
	ck_assert_int_eq(mkfifo(p, 0644), 0);

	make_dir(root, "dir");
	put_text(root, "dir/index.html", "dir index\n");
	put_text(root, "dir/.htpasswd", "user:realm:hash\n");
	make_dir(root, "both");
	put_text(root, "both/index.html", "both: html\n");
	put_text(root, "both/index.htm", "both: htm\n");
	make_dir(root, "third");
	put_text(root, "third/default.txt", "third: default.txt\n");
	make_dir(root, "idxdir");
	make_dir(root, "idxdir/index.html");
	put_text(root, "idxdir/index.htm", "idxdir: htm\n");
	make_dir(root, "hidx");
	put_text(root, "hidx/index.html", "hidden index\n");
	put_text(root, "hidx/index.htm", "hidx: htm\n");
	make_dir(root, "noindex");
	make_dir(root, "memdir");
	make_dir(root, "private");
	put_text(root, "private/data.txt", "private data\n");
	make_dir(root, "evil.com");
	put_text(root, "evil.com/index.html", "evil.com dir\n");
	make_link("../linked.txt", "link.txt");
	make_link("loop", "loop");
	make_link("hello.txt", "inlink.txt");
	make_link("dir", "dirlink");
	snprintf(p, sizeof p, "%s/linked.txt", parent);
	make_link(p, "abslink.txt");

	put_text(errors, "error404.html", "custom 404 page\n");
	put_text(errors, "error4xx.htm", "custom 4xx page\n");
	put_text(errors, "error.html", "custom any-error page\n");
}

static void remove_tree(void)
{
	tl_rmdir(parent);
	free(parent);
	free(big);
}

/* ---- handlers for the mg_send_*file() API -------------------------------- */

static int body_results[3];

static void root_path(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", root, name);
}

static int api_file(struct mg_connection *c, void *cb)
{
	char p[1024];

	root_path(p, sizeof p, (const char *)cb);
	mg_send_file(c, p);
	return 200;
}

static int api_mime(struct mg_connection *c, void *cb)
{
	char p[1024];

	(void)cb;
	root_path(p, sizeof p, "hello.txt");
	mg_send_mime_file(c, p, "application/x-test");
	return 200;
}

static int api_mime2(struct mg_connection *c, void *cb)
{
	char p[1024];

	(void)cb;
	root_path(p, sizeof p, "hello.txt");
	/* a blank line and a line without a colon must not reach the head */
	mg_send_mime_file2(c, p, NULL,
	                   "X-One: 1\r\nX-Two: two\n\r\nInjected text\r\n"
	                   "X-Three: 3");
	return 200;
}

/* The handler sends its own head, then the body from a file. */
static int api_body(struct mg_connection *c, void *cb)
{
	const char *name = cb;
	char p[1024];
	struct stat st;

	root_path(p, sizeof p, name);
	ck_assert_int_eq(stat(p, &st), 0);
	mg_printf(c,
	          "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream"
	          "\r\nContent-Length: %lld\r\n\r\n",
	          (long long)st.st_size);
	root_path(p, sizeof p, "no-such-file");
	body_results[1] = mg_send_file_body(c, p);
	root_path(p, sizeof p, "dir");
	body_results[2] = mg_send_file_body(c, p);
	root_path(p, sizeof p, name);
	body_results[0] = mg_send_file_body(c, p);
	return 200;
}

static int api_body_results(struct mg_connection *c, void *cb)
{
	char text[64];
	int n = snprintf(text, sizeof text, "%d %d %d", body_results[0],
	                 body_results[1], body_results[2]);

	(void)cb;
	mg_send_http_ok(c, "text/plain", n);
	mg_write(c, text, (size_t)n);
	return 200;
}

static char n_hello[] = "hello.txt", n_missing[] = "no-such-file",
            n_dir[] = "dir", n_big[] = "big.bin";

/* A server on the tree with the suite's options and API handlers. */
/* The tree holds .htpasswd files to show that they are never served;
 * authentication has a suite of its own (check_e2e_auth.c), so an
 * authorization handler lets every request in here. */
static int open_to_all(struct mg_connection *c, void *cbdata)
{
	(void)c, (void)cbdata;
	return 1;
}

static struct mg_context *start_open(const struct mg_callbacks *cb,
                                     const char **opts, int *p)
{
	struct mg_context *c = tl_start(cb, NULL, opts, p);

	mg_set_auth_handler(c, "/", open_to_all, NULL);
	return c;
}

static struct mg_context *start_files(int *p)
{
	struct mg_context *c;
	const char *opts[] = {"document_root",
	                      root,
	                      "index_files",
	                      "index.html,index.htm,default.txt",
	                      "extra_mime_types",
	                      ".custom=application/x-custom",
	                      "hide_files_patterns",
	                      "**.ini$|**/private/**|**/hidx/index.html$",
	                      "static_file_max_age",
	                      "120",
	                      "enable_keep_alive",
	                      "yes",
	                      "keep_alive_timeout_ms",
	                      "5000",
	                      "num_threads",
	                      "4",
	                      "enable_directory_listing",
	                      "no",
	                      NULL};

	c = start_open(NULL, opts, p);
	mg_set_request_handler(c, "/api/file$", api_file, n_hello);
	mg_set_request_handler(c, "/api/missing$", api_file, n_missing);
	mg_set_request_handler(c, "/api/dir$", api_file, n_dir);
	mg_set_request_handler(c, "/api/mime$", api_mime, NULL);
	mg_set_request_handler(c, "/api/mime2$", api_mime2, NULL);
	mg_set_request_handler(c, "/api/body$", api_body, n_hello);
	mg_set_request_handler(c, "/api/bigbody$", api_body, n_big);
	mg_set_request_handler(c, "/api/results$", api_body_results, NULL);
	return c;
}

static void setup(void)
{
	ctx = start_files(&port);
}

static void teardown(void)
{
	mg_stop(ctx);
}

/* ---- requests: every response is checked for the secret ------------------ */

static void assert_no_secret(const struct tl_resp *r)
{
	ck_assert_msg(strstr(r->head, secret) == NULL, "secret in a head");
	ck_assert_msg(r->body == NULL || memmem(r->body, r->body_len, secret,
	                                        sizeof secret - 1) == NULL,
	              "secret in a body");
}

static int request_on(int p, const char *raw, struct tl_resp *r)
{
	int st = tl_request(p, raw, r);

	assert_no_secret(r);
	return st;
}

/* method target with Host and Connection: close, plus extra lines. */
static int ask_on(int p, const char *method, const char *target,
                  const char *extra, struct tl_resp *r)
{
	char raw[32768];

	snprintf(raw, sizeof raw,
	         "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
	         "%s\r\n",
	         method, target, extra ? extra : "");
	return request_on(p, raw, r);
}

static int ask(const char *method, const char *target, const char *extra,
               struct tl_resp *r)
{
	return ask_on(port, method, target, extra, r);
}

static int get(const char *target, struct tl_resp *r)
{
	return ask("GET", target, NULL, r);
}

/* GET target and expect status and exactly body. */
static void expect_body(const char *target, int status, const char *body)
{
	struct tl_resp r;

	ck_assert_int_eq(get(target, &r), status);
	ck_assert_str_eq(r.body, body);
	tl_resp_free(&r);
}

static void expect_status(const char *target, int status)
{
	struct tl_resp r;

	ck_assert_int_eq(get(target, &r), status);
	tl_resp_free(&r);
}

/* Read a response of any size off fd (no pipelining: nothing follows it).
 * Returns the status; *body is malloc'ed. */
static int read_big(int fd, char *head, size_t hcap, char **body, size_t *len)
{
	size_t have = 0, hlen, want;
	const char *end = NULL, *cl;
	int status;

	while (end == NULL) {
		ssize_t n = recv(fd, head + have, hcap - 1 - have, 0);

		if (n <= 0)
			return -1;
		have += (size_t)n;
		head[have] = '\0';
		end = memmem(head, have, "\r\n\r\n", 4);
	}
	hlen = (size_t)(end + 4 - head);
	cl = strcasestr(head, "\r\nContent-Length:");
	if (sscanf(head, "HTTP/1.1 %d", &status) != 1 || cl == NULL)
		return -1;
	want = strtoul(cl + 17, NULL, 10);
	*body = malloc(want + 1);
	*len = have - hlen;
	ck_assert_uint_le(*len, want);
	memcpy(*body, head + hlen, *len);
	head[hlen] = '\0';
	while (*len < want) {
		ssize_t n = recv(fd, *body + *len, want - *len, 0);

		if (n <= 0)
			return -1;
		*len += (size_t)n;
	}
	return status;
}

static const char *header_of(const char *head, const char *name)
{
	struct tl_resp r;

	memset(&r, 0, sizeof r);
	snprintf(r.head, sizeof r.head, "%s", head);
	return tl_header(&r, name);
}

/* ---- GET and HEAD -------------------------------------------------------- */

static void expected_validators(const char *name, char *etag, size_t elen,
                                char *date, size_t dlen)
{
	tl_file_validators(root, name, etag, elen, date, dlen, NULL);
}

START_TEST(get_serves_file_with_type_length_validators_and_max_age)
{
	struct tl_resp r;
	char etag[64], date[64];

	expected_validators("hello.txt", etag, sizeof etag, date, sizeof date);
	ck_assert_int_eq(get("/hello.txt", &r), 200);
	ck_assert_str_eq(r.body, hello);
	ck_assert_str_eq(tl_header(&r, "Content-Type"), "text/plain");
	ck_assert_str_eq(tl_header(&r, "Content-Length"), "14");
	ck_assert_str_eq(tl_header(&r, "Last-Modified"), date);
	ck_assert_str_eq(tl_header(&r, "Etag"), etag);
	ck_assert_str_eq(tl_header(&r, "Cache-Control"), "max-age=120");
	ck_assert_ptr_null(tl_header(&r, "Pragma"));
	ck_assert_ptr_nonnull(tl_header(&r, "Date"));
	ck_assert_str_eq(tl_header(&r, "Accept-Ranges"), "bytes");
	tl_resp_free(&r);
}
END_TEST

START_TEST(head_sends_headers_only_and_keeps_connection_usable)
{
	int fd = tl_connect(port);
	struct tl_resp r;

	ck_assert_int_eq(tl_send(fd,
	                         "HEAD /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"
	                         "HEAD /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n"
	                         "GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n"),
	                 0);
	ck_assert_int_eq(tl_read_response(fd, "HEAD", &r), 200);
	ck_assert_str_eq(tl_header(&r, "Content-Length"), "5242880");
	ck_assert_str_eq(tl_header(&r, "Content-Type"),
	                 "application/octet-stream");
	tl_resp_free(&r);
	ck_assert_int_eq(tl_read_response(fd, "HEAD", &r), 200);
	ck_assert_str_eq(tl_header(&r, "Content-Length"), "14");
	ck_assert_uint_eq(r.body_len, 0);
	tl_resp_free(&r);
	/* a stray body byte from either HEAD would break this response */
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	ck_assert_str_eq(r.body, hello);
	tl_resp_free(&r);
	close(fd);
}
END_TEST

START_TEST(mime_types_come_from_table_and_extra_mime_types)
{
	struct tl_resp r;

	ck_assert_int_eq(get("/style.css", &r), 200);
	ck_assert_str_eq(tl_header(&r, "Content-Type"), "text/css");
	tl_resp_free(&r);
	ck_assert_int_eq(get("/file.custom", &r), 200);
	ck_assert_str_eq(tl_header(&r, "Content-Type"), "application/x-custom");
	tl_resp_free(&r);
	ck_assert_int_eq(get("/README", &r), 200);
	ck_assert_str_eq(tl_header(&r, "Content-Type"), "text/plain");
	tl_resp_free(&r);
	ck_assert_int_eq(get("/dir/", &r), 200);
	ck_assert_str_eq(tl_header(&r, "Content-Type"), "text/html");
	tl_resp_free(&r);
}
END_TEST

START_TEST(empty_file_is_200_with_zero_length_on_keep_alive)
{
	int fd = tl_connect(port);
	struct tl_resp r;

	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(
		    tl_send(fd, "GET /empty.txt HTTP/1.1\r\nHost: x\r\n\r\n"),
		    0);
		ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
		ck_assert_str_eq(tl_header(&r, "Content-Length"), "0");
		ck_assert_uint_eq(r.body_len, 0);
		ck_assert_int_eq(r.closed, 0);
		tl_resp_free(&r);
	}
	close(fd);
}
END_TEST

START_TEST(small_file_is_byte_exact_many_times_on_one_connection)
{
	int fd = tl_connect(port);
	struct tl_resp r;

	for (int i = 0; i < 20; i++) {
		ck_assert_int_eq(
		    tl_send(fd, "GET /4k.bin HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
		ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
		ck_assert_uint_eq(r.body_len, sizeof small);
		ck_assert(memcmp(r.body, small, sizeof small) == 0);
		ck_assert_ptr_null(tl_header(&r, "Connection"));
		tl_resp_free(&r);
	}
	close(fd);
}
END_TEST

START_TEST(large_file_is_byte_exact_twice_on_one_keep_alive_connection)
{
	int fd = tl_connect(port);
	char head[8192];

	for (int i = 0; i < 2; i++) {
		char *body = NULL;
		size_t len = 0;

		ck_assert_int_eq(
		    tl_send(fd, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
		ck_assert_int_eq(read_big(fd, head, sizeof head, &body, &len),
		                 200);
		ck_assert_ptr_null(header_of(head, "Connection"));
		ck_assert_uint_eq(len, BIG_SIZE);
		ck_assert_msg(memcmp(body, big, BIG_SIZE) == 0,
		              "big.bin differs (round %d)", i);
		ck_assert(memmem(body, len, secret, sizeof secret - 1) == NULL);
		free(body);
	}
	ck_assert_int_eq(tl_closed_within(fd, 100), 0);
	close(fd);
}
END_TEST

/* ---- directories --------------------------------------------------------- */

START_TEST(index_files_are_tried_in_option_order)
{
	expect_body("/dir/", 200, "dir index\n");
	expect_body("/both/", 200, "both: html\n");          /* first wins */
	expect_body("/third/", 200, "third: default.txt\n"); /* third name */
	expect_body("/idxdir/", 200, "idxdir: htm\n"); /* a dir is skipped */
	expect_body("/hidx/", 200, "hidx: htm\n");     /* hidden skipped */
}
END_TEST

START_TEST(directory_without_slash_redirects_with_query_kept)
{
	struct tl_resp r;

	ck_assert_int_eq(get("/dir?x=1&y=%20z", &r), 301);
	ck_assert_str_eq(tl_header(&r, "Location"), "/dir/?x=1&y=%20z");
	ck_assert_str_eq(tl_header(&r, "Content-Length"), "0");
	tl_resp_free(&r);
	ck_assert_int_eq(get("/noindex", &r), 301);
	ck_assert_str_eq(tl_header(&r, "Location"), "/noindex/");
	tl_resp_free(&r);
}
END_TEST

START_TEST(redirect_is_never_protocol_relative)
{
	struct tl_resp r;

	/* "//evil.com" is the directory /evil.com: the redirect stays local */
	ck_assert_int_eq(get("//evil.com", &r), 301);
	ck_assert_str_eq(tl_header(&r, "Location"), "/evil.com/");
	tl_resp_free(&r);
	ck_assert_int_eq(get("/./evil.com?a=%0d%0aX:1", &r), 301);
	ck_assert_str_eq(tl_header(&r, "Location"), "/evil.com/?a=%0d%0aX:1");
	ck_assert_ptr_null(tl_header(&r, "X"));
	tl_resp_free(&r);
}
END_TEST

/* with enable_directory_listing off; the listing itself is in
 * check_e2e_static.c */
START_TEST(directory_without_index_is_403)
{
	expect_status("/noindex/", 403);
	expect_status("/", 403);
}
END_TEST

/* ---- errors and methods -------------------------------------------------- */

START_TEST(fifo_is_403_without_blocking)
{
	long long t0 = tl_now_ms();

	expect_status("/fifo", 403);
	ck_assert_int_lt(tl_now_ms() - t0, 5000);
}
END_TEST

/* Take from this thread, and so from the threads it starts, the
 * capabilities that let root read any file (Linux keeps capabilities per
 * thread): a server started after this reads files as their modes say,
 * as a server without root would, even when the tests run as root. */
static void drop_file_read_override(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	ck_assert_int_eq(syscall(SYS_capget, &h, d), 0);
	d[0].effective &=
	    ~((1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH));
	ck_assert_int_eq(syscall(SYS_capset, &h, d), 0);
}

START_TEST(unreadable_file_is_403)
{
	struct mg_context *c;
	struct tl_resp r;
	char p[1024];
	int fd, p2;

	drop_file_read_override();
	root_path(p, sizeof p, "unreadable.txt");
	fd = open(p, O_RDONLY);
	if (fd >= 0)
		close(fd);
	ck_assert_msg(fd < 0 && errno == EACCES,
	              "mode 000 is readable by this thread (euid %d): "
	              "the test cannot make an unreadable file",
	              (int)geteuid());
	c = start_files(&p2);
	ck_assert_int_eq(ask_on(p2, "GET", "/unreadable.txt", NULL, &r), 403);
	ck_assert_ptr_null(strstr(r.body, "unreadable\n"));
	tl_resp_free(&r);
	/* the same server reads what its modes let it */
	ck_assert_int_eq(ask_on(p2, "GET", "/hello.txt", NULL, &r), 200);
	ck_assert_str_eq(r.body, hello);
	tl_resp_free(&r);
	mg_stop(c);
}
END_TEST

START_TEST(missing_files_are_404)
{
	expect_status("/no-such-file.txt", 404);
	expect_status("/dir/no-such-file", 404);
	expect_status("/no-such-dir/", 404);
	expect_status("/hello.txt/", 404); /* a file is not a directory */
	expect_status("/hello.txt/x", 404);
	expect_status("/loop", 404); /* a symlink loop */
}
END_TEST

START_TEST(other_methods_get_405_with_allow)
{
	static const char *const methods[] = {"POST", "PUT", "DELETE", "PATCH",
	                                      "PROPFIND"};
	struct tl_resp r;

	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
		ck_assert_int_eq(ask(methods[i], "/hello.txt",
		                     "Content-Length: 3\r\n\r\nabc", &r),
		                 405);
		ck_assert_str_eq(tl_header(&r, "Allow"), "GET, HEAD, OPTIONS");
		ck_assert_ptr_nonnull(strstr(r.body, methods[i]));
		ck_assert_ptr_null(strstr(r.body, hello));
		tl_resp_free(&r);
	}
}
END_TEST

START_TEST(options_lists_allowed_methods)
{
	struct tl_resp r;

	ck_assert_int_eq(ask("OPTIONS", "/hello.txt", NULL, &r), 200);
	ck_assert_str_eq(tl_header(&r, "Allow"), "GET, HEAD, OPTIONS");
	ck_assert_str_eq(tl_header(&r, "Content-Length"), "0");
	tl_resp_free(&r);
}
END_TEST

/* ---- no way out of the root ---------------------------------------------- */

START_TEST(traversal_attempts_never_leave_the_root)
{
	static const char *const targets[] = {
	    "/../secret.txt",
	    "/../../secret.txt",
	    "/dir/../../secret.txt",
	    "/./../secret.txt",
	    "//../secret.txt",
	    "/%2e%2e/secret.txt",
	    "/%2E%2e/secret.txt",
	    "/%2e%2E/%2e%2e/secret.txt",
	    "/.%2e/secret.txt",
	    "/..%2fsecret.txt",
	    "/%2f..%2fsecret.txt",
	    "/dir/..%2f..%2fsecret.txt",
	    "/..\\secret.txt",
	    "/..\\..\\secret.txt",
	    "/dir\\..\\..\\secret.txt",
	    "/..%5csecret.txt",
	    "/%5c..%5csecret.txt",
	    "/dir/%2e%2e%5c%2e%2e%5csecret.txt",
	    "/%00",
	    "/hello.txt%00",
	    "/secret.txt%00.html",
	    "/hello.txt%00/../../secret.txt",
	    "/%252e%252e/secret.txt",
	    "/..%c0%afsecret.txt",
	    "/..;/secret.txt",
	    "/.../secret.txt",
	    "/secret.txt",
	    "http://localhost/../secret.txt",
	};
	struct tl_resp r;

	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
		int st = get(targets[i], &r);

		ck_assert_msg(st == 400 || st == 404, "%s: status %d",
		              targets[i], st);
		tl_resp_free(&r);
	}
	expect_body("/hello.txt", 200, hello); /* still serving */
}
END_TEST

START_TEST(double_slashes_resolve_inside_the_root)
{
	expect_body("//hello.txt", 200, hello);
	expect_body("/dir//index.html", 200, "dir index\n");
	expect_body("///dir///", 200, "dir index\n");
	expect_body("/dir/./index.html", 200, "dir index\n");
	expect_body("/dir/../hello.txt", 200, hello);
}
END_TEST

START_TEST(overlong_paths_are_4xx)
{
	static const size_t lengths[] = {300, 5000, 20000};
	char *target = malloc(20002);
	struct tl_resp r;

	for (size_t i = 0; i < 3; i++) {
		size_t n = lengths[i];
		int st;

		memset(target, 'a', n);
		target[0] = '/';
		for (size_t k = 200; i > 0 && k < n; k += 200)
			target[k] = '/'; /* segments of a legal length */
		target[n] = '\0';
		st = get(target, &r);
		ck_assert_msg(st >= 400 && st < 500, "length %zu: status %d", n,
		              st);
		tl_resp_free(&r);
	}
	free(target);
	expect_body("/hello.txt", 200, hello);
}
END_TEST

/* civetd follows symbolic links that stay inside the root, and refuses
 * (403) one that leads out of it unless allow_symlinks_outside_root says
 * links may lead anywhere (see static_file.c). A link loop is 404. */
START_TEST(symlink_inside_root_is_followed)
{
	expect_body("/inlink.txt", 200, hello);
	expect_body("/dirlink/index.html", 200, "dir index\n");
}
END_TEST

START_TEST(symlink_out_of_root_is_403_unless_allowed)
{
	const char *opts[] = {"document_root", root,
	                      "allow_symlinks_outside_root", "yes", NULL};
	struct mg_context *c;
	struct tl_resp r;
	int p2;

	expect_status("/link.txt", 403);
	expect_status("/abslink.txt", 403);
	c = start_open(NULL, opts, &p2);
	ck_assert_int_eq(ask_on(p2, "GET", "/link.txt", NULL, &r), 200);
	ck_assert_str_eq(r.body, "linked from inside the root\n");
	tl_resp_free(&r);
	mg_stop(c);
}
END_TEST

START_TEST(hidden_files_are_404)
{
	expect_status("/conf.ini", 404);
	expect_status("/private/data.txt", 404);
	expect_status("/private/", 404);
	expect_status("/.htpasswd", 404);
	expect_status("/dir/.htpasswd", 404);
	expect_status("/x.HTPASSWD", 404);
	expect_status("/hidx/index.html", 404);
	expect_body("/hidx/index.htm", 200, "hidx: htm\n");
}
END_TEST

/* ---- conditional requests and CORS --------------------------------------- */

static void expect_conditional(const char *lines, int status)
{
	struct tl_resp r;
	char etag[64], date[64];

	expected_validators("hello.txt", etag, sizeof etag, date, sizeof date);
	ck_assert_int_eq(ask("GET", "/hello.txt", lines, &r), status);
	if (status == 304) {
		ck_assert_uint_eq(r.body_len, 0);
		ck_assert_str_eq(tl_header(&r, "Etag"), etag);
		ck_assert_str_eq(tl_header(&r, "Last-Modified"), date);
		ck_assert_ptr_null(tl_header(&r, "Content-Length"));
	} else {
		ck_assert_str_eq(r.body, hello);
	}
	tl_resp_free(&r);
}

START_TEST(if_none_match_gives_304_for_current_etag)
{
	char etag[64], date[64], line[256];

	expected_validators("hello.txt", etag, sizeof etag, date, sizeof date);
	snprintf(line, sizeof line, "If-None-Match: %s\r\n", etag);
	expect_conditional(line, 304);
	snprintf(line, sizeof line, "If-None-Match: \"a,b\", W/%s\r\n", etag);
	expect_conditional(line, 304);
	expect_conditional("If-None-Match: *\r\n", 304);
	expect_conditional("If-None-Match: \"other\"\r\n", 200);
	/* If-None-Match decides: a matching date does not make it 304 */
	snprintf(line, sizeof line,
	         "If-None-Match: \"other\"\r\nIf-Modified-Since: %s\r\n", date);
	expect_conditional(line, 200);
}
END_TEST

START_TEST(if_modified_since_gives_304_when_not_newer)
{
	char etag[64], date[64], line[256], alt[64];
	char p[1024];
	struct stat st;
	struct tm tm;

	expected_validators("hello.txt", etag, sizeof etag, date, sizeof date);
	snprintf(line, sizeof line, "If-Modified-Since: %s\r\n", date);
	expect_conditional(line, 304);
	root_path(p, sizeof p, "hello.txt");
	ck_assert_int_eq(stat(p, &st), 0);
	gmtime_r(&st.st_mtime, &tm);
	strftime(alt, sizeof alt, "%A, %d-%b-", &tm);
	snprintf(line, sizeof line,
	         "If-Modified-Since: %s%02d %02d:%02d:%02d GMT\r\n", alt,
	         tm.tm_year % 100, tm.tm_hour, tm.tm_min, tm.tm_sec);
	expect_conditional(line, 304); /* RFC 850 form */
	strftime(alt, sizeof alt, "%a %b %e %H:%M:%S %Y", &tm);
	snprintf(line, sizeof line, "If-Modified-Since: %s\r\n", alt);
	expect_conditional(line, 304); /* asctime form */
	expect_conditional(
	    "If-Modified-Since: Thu, 01 Jan 1998 00:00:00 GMT\r\n", 200);
	expect_conditional(
	    "If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT\r\n", 200);
	expect_conditional("If-Modified-Since: yesterday\r\n", 200);
}
END_TEST

START_TEST(head_with_matching_etag_is_304)
{
	char etag[64], date[64], line[256];
	struct tl_resp r;

	expected_validators("hello.txt", etag, sizeof etag, date, sizeof date);
	snprintf(line, sizeof line, "If-None-Match: %s\r\n", etag);
	ck_assert_int_eq(ask("HEAD", "/hello.txt", line, &r), 304);
	tl_resp_free(&r);
}
END_TEST

START_TEST(origin_gets_cors_header)
{
	struct tl_resp r;

	ck_assert_int_eq(
	    ask("GET", "/hello.txt", "Origin: http://example.com\r\n", &r),
	    200);
	ck_assert_str_eq(tl_header(&r, "Access-Control-Allow-Origin"), "*");
	tl_resp_free(&r);
	ck_assert_int_eq(get("/hello.txt", &r), 200);
	ck_assert_ptr_null(tl_header(&r, "Access-Control-Allow-Origin"));
	tl_resp_free(&r);
}
END_TEST

/* ---- other servers: cache options, error pages, memory files ------------- */

static struct mg_context *start_other(const struct mg_callbacks *cb,
                                      const char **extra, int *p)
{
	const char *opts[32];
	int n = 0;

	opts[n++] = "document_root";
	opts[n++] = root;
	opts[n++] = "enable_keep_alive";
	opts[n++] = "yes";
	opts[n++] = "enable_directory_listing";
	opts[n++] = "no";
	for (int i = 0; extra != NULL && extra[i] != NULL; i++)
		opts[n++] = extra[i];
	opts[n] = NULL;
	return start_open(cb, opts, p);
}

START_TEST(max_age_zero_sends_no_cache_headers)
{
	const char *extra[] = {"static_file_max_age", "0", NULL};
	int p;
	struct mg_context *c = start_other(NULL, extra, &p);
	struct tl_resp r;

	ck_assert_int_eq(ask_on(p, "GET", "/hello.txt", NULL, &r), 200);
	ck_assert_str_eq(tl_header(&r, "Cache-Control"),
	                 "no-cache, no-store, must-revalidate, private, "
	                 "max-age=0");
	ck_assert_str_eq(tl_header(&r, "Pragma"), "no-cache");
	ck_assert_str_eq(tl_header(&r, "Expires"), "0");
	tl_resp_free(&r);
	mg_stop(c);
}
END_TEST

START_TEST(static_file_cache_control_wins_over_max_age)
{
	const char *extra[] = {"static_file_cache_control",
	                       "public, max-age=77", "static_file_max_age", "5",
	                       NULL};
	int p;
	struct mg_context *c = start_other(NULL, extra, &p);
	struct tl_resp r;

	ck_assert_int_eq(ask_on(p, "GET", "/hello.txt", NULL, &r), 200);
	ck_assert_str_eq(tl_header(&r, "Cache-Control"), "public, max-age=77");
	ck_assert_ptr_null(tl_header(&r, "Pragma"));
	tl_resp_free(&r);
	mg_stop(c);
}
END_TEST

START_TEST(undecoded_urls_stay_inside_the_root)
{
	const char *extra[] = {"decode_url", "no", NULL};
	int p;
	struct mg_context *c = start_other(NULL, extra, &p);
	struct tl_resp r;

	ck_assert_int_eq(ask_on(p, "GET", "/%2e%2e/secret.txt", NULL, &r), 404);
	tl_resp_free(&r);
	ck_assert_int_eq(ask_on(p, "GET", "/..%2fsecret.txt", NULL, &r), 404);
	tl_resp_free(&r);
	ck_assert_int_eq(ask_on(p, "GET", "/hello.txt", NULL, &r), 200);
	tl_resp_free(&r);
	mg_stop(c);
}
END_TEST

START_TEST(redirect_reencodes_a_decoded_query)
{
	const char *extra[] = {"decode_query_string", "yes", NULL};
	int p;
	struct mg_context *c = start_other(NULL, extra, &p);
	struct tl_resp r;

	ck_assert_int_eq(
	    ask_on(p, "GET", "/dir?a=%0d%0aX-Injected:%201&b=%2541", NULL, &r),
	    301);
	ck_assert_str_eq(tl_header(&r, "Location"),
	                 "/dir/?a=%0D%0AX-Injected:%201&b=%2541");
	ck_assert_ptr_null(tl_header(&r, "X-Injected"));
	tl_resp_free(&r);
	mg_stop(c);
}
END_TEST

static int fail_503(struct mg_connection *c, void *cb)
{
	(void)cb;
	mg_send_http_error(c, 503, "%s", "busy");
	return 503;
}

static struct mg_context *start_error_pages(int *p)
{
	const char *extra[] = {"error_pages", errors, "index_files",
	                       "index.html,index.htm", NULL};
	struct mg_context *c = start_other(NULL, extra, p);

	mg_set_request_handler(c, "/fail503$", fail_503, NULL);
	return c;
}

START_TEST(error_pages_are_served_with_the_error_status)
{
	int p;
	struct mg_context *c = start_error_pages(&p);
	struct tl_resp r;

	ck_assert_int_eq(ask_on(p, "GET", "/missing", NULL, &r), 404);
	ck_assert_str_eq(r.body, "custom 404 page\n");
	ck_assert_str_eq(tl_header(&r, "Content-Type"), "text/html");
	tl_resp_free(&r);
	ck_assert_int_eq(ask_on(p, "GET", "/noindex/", NULL, &r), 403);
	ck_assert_str_eq(r.body, "custom 4xx page\n"); /* error4xx.htm */
	tl_resp_free(&r);
	ck_assert_int_eq(ask_on(p, "GET", "/fail503", NULL, &r), 503);
	ck_assert_str_eq(r.body, "custom any-error page\n");
	tl_resp_free(&r);
	ck_assert_int_eq(ask_on(p, "DELETE", "/hello.txt", NULL, &r), 405);
	ck_assert_str_eq(r.body, "custom 4xx page\n");
	ck_assert_str_eq(tl_header(&r, "Allow"), "GET, HEAD, OPTIONS");
	tl_resp_free(&r);
	mg_stop(c);
}
END_TEST

START_TEST(error_page_for_head_has_no_body)
{
	int p;
	struct mg_context *c = start_error_pages(&p);
	int fd = tl_connect(p);
	struct tl_resp r;

	ck_assert_int_eq(tl_send(fd,
	                         "HEAD /missing HTTP/1.1\r\nHost: x\r\n\r\n"
	                         "GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n"),
	                 0);
	ck_assert_int_eq(tl_read_response(fd, "HEAD", &r), 404);
	ck_assert_str_eq(tl_header(&r, "Content-Length"), "16");
	tl_resp_free(&r);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	ck_assert_str_eq(r.body, hello);
	tl_resp_free(&r);
	close(fd);
	mg_stop(c);
}
END_TEST

/* Answers 403 itself, leaves the rest (405 included) to civetd. */
static int own_403(struct mg_connection *c, int status, const char *msg)
{
	(void)msg;
	if (status != 403)
		return 0;
	mg_printf(c, "HTTP/1.1 403 Forbidden\r\nContent-Length: 7\r\n\r\n"
	             "own 403");
	return 1;
}

START_TEST(http_error_callback_declining_405_keeps_allow)
{
	struct mg_callbacks cb;
	int p;
	struct mg_context *c;
	struct tl_resp r;

	memset(&cb, 0, sizeof cb);
	cb.http_error = own_403;
	c = start_other(&cb, NULL, &p);
	ck_assert_int_eq(ask_on(p, "POST", "/hello.txt", NULL, &r), 405);
	ck_assert_str_eq(tl_header(&r, "Allow"), "GET, HEAD, OPTIONS");
	ck_assert_ptr_nonnull(strstr(r.body, "POST method not allowed"));
	tl_resp_free(&r);
	ck_assert_int_eq(ask_on(p, "GET", "/noindex/", NULL, &r), 403);
	ck_assert_str_eq(r.body, "own 403");
	tl_resp_free(&r);
	mg_stop(c);
}
END_TEST

static const char mem_file[] = "memory\0file\n"; /* NUL inside */
static const char mem_index[] = "memory index\n";
static const char mem_hello[] = "hello from memory\n";

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static const char *open_mem(const struct mg_connection *c, const char *path,
                            size_t *len)
{
	(void)c;
	if (ends_with(path, "/www/mem.txt")) {
		*len = sizeof mem_file - 1;
		return mem_file;
	}
	if (ends_with(path, "/www/memdir/index.html")) {
		*len = strlen(mem_index);
		return mem_index;
	}
	if (ends_with(path, "/www/hello.txt")) {
		*len = strlen(mem_hello);
		return mem_hello;
	}
	return NULL;
}

START_TEST(open_file_memory_files_are_served_with_their_length)
{
	struct mg_callbacks cb;
	int p;
	struct mg_context *c;
	struct tl_resp r;

	memset(&cb, 0, sizeof cb);
	cb.open_file = open_mem;
	c = start_other(&cb, NULL, &p);
	ck_assert_int_eq(ask_on(p, "GET", "/mem.txt", NULL, &r), 200);
	ck_assert_uint_eq(r.body_len, sizeof mem_file - 1);
	ck_assert(memcmp(r.body, mem_file, sizeof mem_file - 1) == 0);
	ck_assert_str_eq(tl_header(&r, "Content-Type"), "text/plain");
	tl_resp_free(&r);
	ck_assert_int_eq(ask_on(p, "HEAD", "/mem.txt", NULL, &r), 200);
	ck_assert_str_eq(tl_header(&r, "Content-Length"), "12");
	tl_resp_free(&r);
	ck_assert_int_eq(ask_on(p, "GET", "/hello.txt", NULL, &r), 200);
	ck_assert_str_eq(r.body, mem_hello); /* memory wins over disk */
	tl_resp_free(&r);
	ck_assert_int_eq(ask_on(p, "GET", "/memdir/", NULL, &r), 200);
	ck_assert_str_eq(r.body, mem_index); /* index lookup asks too */
	ck_assert_str_eq(tl_header(&r, "Content-Type"), "text/html");
	tl_resp_free(&r);
	ck_assert_int_eq(ask_on(p, "GET", "/style.css", NULL, &r), 200);
	ck_assert_str_eq(r.body, "body {}\n"); /* NULL: from disk */
	tl_resp_free(&r);
	mg_stop(c);
}
END_TEST

/* ---- the mg_send_*file() API --------------------------------------------- */

START_TEST(send_file_sends_file_with_static_headers)
{
	struct tl_resp r;
	char etag[64], date[64], line[256];

	expected_validators("hello.txt", etag, sizeof etag, date, sizeof date);
	ck_assert_int_eq(get("/api/file", &r), 200);
	ck_assert_str_eq(r.body, hello);
	ck_assert_str_eq(tl_header(&r, "Content-Type"), "text/plain");
	ck_assert_str_eq(tl_header(&r, "Etag"), etag);
	tl_resp_free(&r);
	snprintf(line, sizeof line, "If-None-Match: %s\r\n", etag);
	ck_assert_int_eq(ask("GET", "/api/file", line, &r), 304);
	tl_resp_free(&r);
	ck_assert_int_eq(ask("HEAD", "/api/file", NULL, &r), 200);
	ck_assert_str_eq(tl_header(&r, "Content-Length"), "14");
	tl_resp_free(&r);
}
END_TEST

START_TEST(send_file_of_missing_file_is_404_and_of_directory_403)
{
	expect_status("/api/missing", 404);
	expect_status("/api/dir", 403);
}
END_TEST

START_TEST(send_mime_file_uses_given_type)
{
	struct tl_resp r;

	ck_assert_int_eq(get("/api/mime", &r), 200);
	ck_assert_str_eq(tl_header(&r, "Content-Type"), "application/x-test");
	ck_assert_str_eq(r.body, hello);
	tl_resp_free(&r);
}
END_TEST

START_TEST(send_mime_file2_appends_additional_headers)
{
	struct tl_resp r;

	ck_assert_int_eq(get("/api/mime2", &r), 200);
	ck_assert_str_eq(tl_header(&r, "X-One"), "1");
	ck_assert_str_eq(tl_header(&r, "X-Two"), "two");
	ck_assert_str_eq(tl_header(&r, "X-Three"), "3");
	ck_assert_str_eq(tl_header(&r, "Content-Type"), "text/plain");
	ck_assert_ptr_null(strstr(r.head, "Injected"));
	ck_assert_str_eq(r.body, hello);
	tl_resp_free(&r);
}
END_TEST

START_TEST(send_file_body_follows_handler_head_and_reports_errors)
{
	int fd = tl_connect(port);
	struct tl_resp r;

	ck_assert_int_eq(
	    tl_send(fd, "GET /api/body HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	ck_assert_str_eq(r.body, hello);
	ck_assert_str_eq(tl_header(&r, "Content-Type"),
	                 "application/octet-stream");
	tl_resp_free(&r);
	/* the handler has returned once the next request is answered */
	ck_assert_int_eq(
	    tl_send(fd, "GET /api/results HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
	ck_assert_int_eq(tl_read_response(fd, "GET", &r), 200);
	ck_assert_str_eq(r.body, "0 -1 -1"); /* sent, missing, directory */
	tl_resp_free(&r);
	close(fd);
}
END_TEST

START_TEST(send_file_body_sends_large_file_exactly)
{
	int fd = tl_connect(port);
	char head[8192], *body = NULL;
	size_t len = 0;

	ck_assert_int_eq(
	    tl_send(fd, "GET /api/bigbody HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
	ck_assert_int_eq(read_big(fd, head, sizeof head, &body, &len), 200);
	ck_assert_uint_eq(len, BIG_SIZE);
	ck_assert(memcmp(body, big, BIG_SIZE) == 0);
	free(body);
	close(fd);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_files");
	TCase *tc = tcase_create("files");

	tcase_add_unchecked_fixture(tc, make_tree, remove_tree);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc,
	               get_serves_file_with_type_length_validators_and_max_age);
	tcase_add_test(tc, head_sends_headers_only_and_keeps_connection_usable);
	tcase_add_test(tc, mime_types_come_from_table_and_extra_mime_types);
	tcase_add_test(tc, empty_file_is_200_with_zero_length_on_keep_alive);
	tcase_add_test(tc,
	               small_file_is_byte_exact_many_times_on_one_connection);
	tcase_add_test(
	    tc, large_file_is_byte_exact_twice_on_one_keep_alive_connection);
	tcase_add_test(tc, index_files_are_tried_in_option_order);
	tcase_add_test(tc, directory_without_slash_redirects_with_query_kept);
	tcase_add_test(tc, redirect_is_never_protocol_relative);
	tcase_add_test(tc, directory_without_index_is_403);
	tcase_add_test(tc, fifo_is_403_without_blocking);
	tcase_add_test(tc, unreadable_file_is_403);
	tcase_add_test(tc, missing_files_are_404);
	tcase_add_test(tc, other_methods_get_405_with_allow);
	tcase_add_test(tc, options_lists_allowed_methods);
	tcase_add_test(tc, traversal_attempts_never_leave_the_root);
	tcase_add_test(tc, double_slashes_resolve_inside_the_root);
	tcase_add_test(tc, overlong_paths_are_4xx);
	tcase_add_test(tc, symlink_inside_root_is_followed);
	tcase_add_test(tc, symlink_out_of_root_is_403_unless_allowed);
	tcase_add_test(tc, hidden_files_are_404);
	tcase_add_test(tc, if_none_match_gives_304_for_current_etag);
	tcase_add_test(tc, if_modified_since_gives_304_when_not_newer);
	tcase_add_test(tc, head_with_matching_etag_is_304);
	tcase_add_test(tc, origin_gets_cors_header);
	tcase_add_test(tc, max_age_zero_sends_no_cache_headers);
	tcase_add_test(tc, static_file_cache_control_wins_over_max_age);
	tcase_add_test(tc, undecoded_urls_stay_inside_the_root);
	tcase_add_test(tc, redirect_reencodes_a_decoded_query);
	tcase_add_test(tc, error_pages_are_served_with_the_error_status);
	tcase_add_test(tc, error_page_for_head_has_no_body);
	tcase_add_test(tc, http_error_callback_declining_405_keeps_allow);
	tcase_add_test(tc, open_file_memory_files_are_served_with_their_length);
	tcase_add_test(tc, send_file_sends_file_with_static_headers);
	tcase_add_test(tc,
	               send_file_of_missing_file_is_404_and_of_directory_403);
	tcase_add_test(tc, send_mime_file_uses_given_type);
	tcase_add_test(tc, send_mime_file2_appends_additional_headers);
	tcase_add_test(tc,
	               send_file_body_follows_handler_head_and_reports_errors);
	tcase_add_test(tc, send_file_body_sends_large_file_exactly);
	suite_add_tcase(s, tc);
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
