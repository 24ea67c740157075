/* check_e2e_auth.c - digest authentication over real sockets, with a
 * client that answers challenges as RFC 7616 says: .htpasswd found up
 * the tree, wrong passwords and unknown users, request counters that
 * must count up (a replay is refused), stale nonces (pushed out of the
 * table, or made by another server) answered with stale=true,
 * protect_uri and global_auth_file in front of handlers, the API's
 * mg_check_digest_access_authentication() and
 * mg_send_digest_access_authentication_request(), the password-file
 * functions, nonces accepted by every worker of a prefork server, and
 * PUT/DELETE/MKCOL under put_delete_auth_file. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "civetweb.h"
#include "testlib.h"

#define REALM "mydomain.com"

extern char **environ;

/* ---- a digest client ----------------------------------------------------- */

/* The nonce of a 401's challenge into nonce; *stale whether it says
 * stale=true. Fails the test if there is no digest challenge. */
static void challenge_of(const struct tl_resp *r, char *nonce, size_t cap,
                         int *stale)
{
	const char *h = tl_header(r, "WWW-Authenticate");
	const char *n, *e;

	ck_assert_int_eq(r->status, 401);
	ck_assert_msg(h != NULL && strncmp(h, "Digest ", 7) == 0,
	              "no digest challenge: %s", h ? h : "(none)");
	ck_assert_ptr_nonnull(strstr(h, "qop=\"auth\""));
	ck_assert_ptr_nonnull(strstr(h, "realm=\"" REALM "\""));
	n = strstr(h, "nonce=\"");
	ck_assert_ptr_nonnull(n);
	n += 7;
	e = strchr(n, '"');
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_lt((size_t)(e - n), cap);
	memcpy(nonce, n, (size_t)(e - n));
	nonce[e - n] = '\0';
	if (stale != NULL)
		*stale = strstr(h, "stale=true") != NULL;
}

/* "Authorization: Digest ...\r\n" for user/pass on method uri. */
static void answer(char *out, size_t cap, const char *user, const char *pass,
                   const char *method, const char *uri, const char *nonce,
                   unsigned nc)
{
	char ha1[33], ha2[33], resp[33], ncs[9];
	const char *cnonce = "0a4f113b";

	snprintf(ncs, sizeof ncs, "%08x", nc);
	mg_md5(ha1, user, ":", REALM, ":", pass, NULL);
	mg_md5(ha2, method, ":", uri, NULL);
	mg_md5(resp, ha1, ":", nonce, ":", ncs, ":", cnonce, ":auth:", ha2,
	       NULL);
	snprintf(out, cap,
	         "Authorization: Digest username=\"%s\", realm=\"" REALM
	         "\", nonce=\"%s\", uri=\"%s\", qop=auth, nc=%s, "
	         "cnonce=\"%s\", response=\"%s\"\r\n",
	         user, nonce, uri, ncs, cnonce, resp);
}

/* A fresh nonce from the server, asking for uri without credentials. */
static void get_nonce(int to, const char *uri, char *nonce, size_t cap)
{
	struct tl_resp r;

	tl_ask(to, "GET", uri, NULL, &r);
	challenge_of(&r, nonce, cap, NULL);
	tl_resp_free(&r);
}

/* GET uri as user/pass with nonce and nc; the status (r filled). */
static int get_as(int to, const char *uri, const char *user, const char *pass,
                  const char *nonce, unsigned nc, struct tl_resp *r)
{
	char auth[1024];

	answer(auth, sizeof auth, user, pass, "GET", uri, nonce, nc);
	return tl_ask(to, "GET", uri, auth, r);
}

static void write_users(const char *dir, const char *name)
{
	char path[1024];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	ck_assert_int_eq(mg_modify_passwords_file(path, REALM, "alice", "pw"),
	                 1);
	ck_assert_int_eq(mg_modify_passwords_file(path, REALM, "bob", "pw2"),
	                 1);
}

/* ---- a server with a protected tree ------------------------------------ */

static char *dir;
static char root[512];
static struct mg_context *ctx;
static int port;

static void make_tree(void)
{
	char p[1024];

	dir = tl_mkdtemp();
	snprintf(root, sizeof root, "%s/www", dir);
	ck_assert_int_eq(mkdir(root, 0755), 0);
	snprintf(p, sizeof p, "%s/sec", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/sec/sub", root);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	tl_write_file(root, "open.txt", "open\n", 5);
	tl_write_file(root, "sec/sub/s.txt", "secret\n", 7);
	write_users(root, "sec/.htpasswd");
}

static void start_tree(void)
{
	const char *opts[] = {"document_root", root, "enable_keep_alive", "yes",
	                      NULL};

	make_tree();
	ctx = tl_start(NULL, NULL, opts, &port);
}

static void stop_tree(void)
{
	mg_stop(ctx);
	tl_rmdir(dir);
	free(dir);
}

START_TEST(test_htpasswd_up_the_tree)
{
	struct tl_resp r;
	char nonce[128];
	int stale = 1;

	start_tree();
	ck_assert_int_eq(tl_get(port, "/open.txt", &r), 200);
	tl_resp_free(&r);
	tl_ask(port, "GET", "/sec/sub/s.txt", NULL, &r);
	challenge_of(&r, nonce, sizeof nonce, &stale);
	ck_assert_int_eq(stale, 0);
	ck_assert_str_eq(tl_header(&r, "Content-Length"), "0");
	ck_assert_ptr_nonnull(
	    strstr(tl_header(&r, "Cache-Control"), "no-store"));
	tl_resp_free(&r);

	ck_assert_int_eq(
	    get_as(port, "/sec/sub/s.txt", "alice", "pw", nonce, 1, &r), 200);
	ck_assert_str_eq(r.body, "secret\n");
	tl_resp_free(&r);
	/* bob's password is his own */
	ck_assert_int_eq(
	    get_as(port, "/sec/sub/s.txt", "bob", "pw2", nonce, 2, &r), 200);
	tl_resp_free(&r);
	/* a wrong password, an unknown user: asked again, not stale */
	ck_assert_int_eq(
	    get_as(port, "/sec/sub/s.txt", "alice", "bad", nonce, 3, &r), 401);
	challenge_of(&r, nonce, sizeof nonce, &stale);
	ck_assert_int_eq(stale, 0);
	tl_resp_free(&r);
	ck_assert_int_eq(
	    get_as(port, "/sec/sub/s.txt", "carol", "pw", nonce, 1, &r), 401);
	tl_resp_free(&r);
	/* credentials for one URI do not open another */
	{
		char auth[1024];

		answer(auth, sizeof auth, "alice", "pw", "GET", "/sec/other",
		       nonce, 5);
		ck_assert_int_eq(
		    tl_ask(port, "GET", "/sec/sub/s.txt", auth, &r), 401);
		tl_resp_free(&r);
	}
	/* a missing file in the protected tree is not told apart */
	ck_assert_int_eq(tl_get(port, "/sec/nothing.txt", &r), 401);
	tl_resp_free(&r);
	/* the password file itself is never served, however named */
	ck_assert_int_eq(
	    get_as(port, "/sec/.htpasswd", "alice", "pw", nonce, 6, &r), 404);
	tl_resp_free(&r);
	ck_assert_int_eq(
	    get_as(port, "/sec/%2ehtpasswd", "alice", "pw", nonce, 7, &r), 404);
	tl_resp_free(&r);
	stop_tree();
}
END_TEST

START_TEST(test_counter_must_count_up)
{
	struct tl_resp r;
	char nonce[128];

	start_tree();
	get_nonce(port, "/sec/sub/s.txt", nonce, sizeof nonce);
	ck_assert_int_eq(
	    get_as(port, "/sec/sub/s.txt", "alice", "pw", nonce, 1, &r), 200);
	tl_resp_free(&r);
	ck_assert_int_eq(
	    get_as(port, "/sec/sub/s.txt", "alice", "pw", nonce, 2, &r), 200);
	tl_resp_free(&r);
	/* the same request again: a replay */
	ck_assert_int_eq(
	    get_as(port, "/sec/sub/s.txt", "alice", "pw", nonce, 2, &r), 401);
	tl_resp_free(&r);
	ck_assert_int_eq(
	    get_as(port, "/sec/sub/s.txt", "alice", "pw", nonce, 1, &r), 401);
	tl_resp_free(&r);
	/* counting up again works; leaps are allowed */
	ck_assert_int_eq(
	    get_as(port, "/sec/sub/s.txt", "alice", "pw", nonce, 9, &r), 200);
	tl_resp_free(&r);
	/* parallel connections: a counter skipped may come late, once */
	ck_assert_int_eq(
	    get_as(port, "/sec/sub/s.txt", "alice", "pw", nonce, 7, &r), 200);
	tl_resp_free(&r);
	ck_assert_int_eq(
	    get_as(port, "/sec/sub/s.txt", "alice", "pw", nonce, 7, &r), 401);
	tl_resp_free(&r);
	/* but not from further back than the window */
	ck_assert_int_eq(
	    get_as(port, "/sec/sub/s.txt", "alice", "pw", nonce, 200, &r), 200);
	tl_resp_free(&r);
	ck_assert_int_eq(
	    get_as(port, "/sec/sub/s.txt", "alice", "pw", nonce, 8, &r), 401);
	tl_resp_free(&r);
	/* a forged nonce is no nonce */
	nonce[30] = nonce[30] == 'a' ? 'b' : 'a';
	ck_assert_int_eq(
	    get_as(port, "/sec/sub/s.txt", "alice", "pw", nonce, 10, &r), 401);
	tl_resp_free(&r);
	stop_tree();
}
END_TEST

/* Send n requests for a new nonce on one connection, pipelined. */
static void burn_nonces(int to, int n)
{
	static const char req[] = "GET /sec/sub/s.txt HTTP/1.1\r\n"
	                          "Host: x\r\n\r\n";
	char batch[64 * sizeof req];
	int fd = tl_connect(to), sent = 0;
	struct tl_resp r;

	for (int i = 0; i < 64; i++)
		memcpy(batch + i * (sizeof req - 1), req, sizeof req - 1);
	while (sent < n) {
		int k = n - sent < 64 ? n - sent : 64;

		ck_assert_int_eq(
		    tl_send_n(fd, batch, (size_t)k * (sizeof req - 1)), 0);
		for (int i = 0; i < k; i++) {
			ck_assert_int_eq(tl_read_response(fd, "GET", &r), 401);
			tl_resp_free(&r);
		}
		sent += k;
	}
	close(fd);
}

START_TEST(test_stale_nonce)
{
	struct tl_resp r;
	char nonce[128], theirs[128];
	int stale = 0, other_port;
	struct mg_context *other;
	const char *opts[] = {"document_root", root, NULL};

	start_tree();
	/* pushed out of the table by 65536 newer nonces */
	get_nonce(port, "/sec/sub/s.txt", nonce, sizeof nonce);
	burn_nonces(port, 65536);
	ck_assert_int_eq(
	    get_as(port, "/sec/sub/s.txt", "alice", "bad", nonce, 1, &r), 401);
	challenge_of(&r, theirs, sizeof theirs, &stale);
	ck_assert_int_eq(stale, 0); /* the wrong password learns nothing */
	tl_resp_free(&r);
	ck_assert_int_eq(
	    get_as(port, "/sec/sub/s.txt", "alice", "pw", nonce, 1, &r), 401);
	challenge_of(&r, nonce, sizeof nonce, &stale);
	ck_assert_int_eq(stale, 1);
	tl_resp_free(&r);
	/* the fresh nonce of the stale answer works */
	ck_assert_int_eq(
	    get_as(port, "/sec/sub/s.txt", "alice", "pw", nonce, 1, &r), 200);
	tl_resp_free(&r);

	/* another server's nonce (another key): stale here */
	other = tl_start(NULL, NULL, opts, &other_port);
	get_nonce(other_port, "/sec/sub/s.txt", theirs, sizeof theirs);
	mg_stop(other);
	ck_assert_int_eq(
	    get_as(port, "/sec/sub/s.txt", "alice", "pw", theirs, 1, &r), 401);
	challenge_of(&r, nonce, sizeof nonce, &stale);
	ck_assert_int_eq(stale, 1);
	tl_resp_free(&r);
	stop_tree();
}
END_TEST

START_TEST(test_auth_domain_check)
{
	static const struct {
		const char *target;
		int status;
	} cases[] = {
	    {"http://mydomain.com/open.txt", 200},
	    {"http://MyDomain.com:8080/open.txt", 200},
	    {"http://www.mydomain.com/open.txt", 200},
	    {"http://notmydomain.com/open.txt", 400},
	    {"http://example.com/open.txt", 400},
	    {"/open.txt", 200},
	};
	const char *opts[] = {"document_root", root, "enable_auth_domain_check",
	                      "no", NULL};
	struct mg_context *off;
	struct tl_resp r;
	int other;

	start_tree();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ck_assert_msg(tl_ask(port, "GET", cases[i].target, NULL, &r) ==
		                  cases[i].status,
		              "%s: %d", cases[i].target, r.status);
		tl_resp_free(&r);
	}
	/* off: an absolute target may name any host */
	off = tl_start(NULL, NULL, opts, &other);
	ck_assert_int_eq(
	    tl_ask(other, "GET", "http://example.com/open.txt", NULL, &r), 200);
	tl_resp_free(&r);
	mg_stop(off);
	stop_tree();
}
END_TEST

/* ---- handlers ------------------------------------------------------------ */

static int handler_runs;

static int whoami(struct mg_connection *c, void *cbdata)
{
	const struct mg_request_info *ri = mg_get_request_info(c);
	char text[300];
	int n = snprintf(text, sizeof text, "user=%s",
	                 ri->remote_user ? ri->remote_user : "-");

	(void)cbdata;
	handler_runs++;
	mg_send_http_ok(c, "text/plain", n);
	mg_write(c, text, (size_t)n);
	return 200;
}

/* The API's own check, with a realm of its own. */
static int api_check(struct mg_connection *c, void *cbdata)
{
	int r = mg_check_digest_access_authentication(c, REALM, cbdata);

	if (r != 1) {
		mg_send_digest_access_authentication_request(c, REALM);
		return 401;
	}
	mg_send_http_ok(c, "text/plain", 2);
	mg_write(c, "ok", 2);
	return 200;
}

static int allow_all(struct mg_connection *c, void *cbdata)
{
	(void)c, (void)cbdata;
	return 1;
}

START_TEST(test_protect_uri_and_handlers)
{
	char pw[1024], protect[1200], gone[1200], nofile[] = "/nonexistent/pw";
	struct tl_resp r;
	char nonce[128];
	int hport, rc;

	make_tree();
	snprintf(pw, sizeof pw, "%s/api.pw", dir);
	write_users(dir, "api.pw");
	snprintf(protect, sizeof protect, "/api=%s,/gone=%s/missing.pw", pw,
	         dir);
	{
		const char *opts[] = {"document_root", root, "protect_uri",
		                      protect, NULL};

		ctx = tl_start(NULL, NULL, opts, &hport);
	}
	port = hport;
	mg_set_request_handler(ctx, "/api", whoami, NULL);
	mg_set_request_handler(ctx, "/gone", whoami, NULL);
	mg_set_request_handler(ctx, "/check", api_check, pw);
	mg_set_request_handler(ctx, "/nofile", api_check, nofile);
	mg_set_auth_handler(ctx, "/sec/sub", allow_all, NULL);

	handler_runs = 0;
	tl_ask(port, "GET", "/api/x", NULL, &r);
	challenge_of(&r, nonce, sizeof nonce, NULL);
	tl_resp_free(&r);
	ck_assert_int_eq(handler_runs, 0);
	ck_assert_int_eq(get_as(port, "/api/x", "alice", "pw", nonce, 1, &r),
	                 200);
	ck_assert_str_eq(r.body, "user=alice");
	tl_resp_free(&r);
	ck_assert_int_eq(handler_runs, 1);

	/* a named password file that cannot be read refuses, never opens */
	ck_assert_int_eq(tl_get(port, "/gone", &r), 500);
	tl_resp_free(&r);
	ck_assert_int_eq(handler_runs, 1);

	/* the API's functions */
	get_nonce(port, "/check", nonce, sizeof nonce);
	ck_assert_int_eq(get_as(port, "/check", "bob", "pw2", nonce, 1, &r),
	                 200);
	ck_assert_str_eq(r.body, "ok");
	tl_resp_free(&r);
	ck_assert_int_eq(get_as(port, "/check", "bob", "no", nonce, 2, &r),
	                 401);
	tl_resp_free(&r);
	tl_ask(port, "GET", "/nofile", NULL, &r);
	ck_assert_int_eq(r.status, 401);
	tl_resp_free(&r);

	/* an authorization handler decides alone: .htpasswd is not asked */
	ck_assert_int_eq(tl_get(port, "/sec/sub/s.txt", &r), 200);
	tl_resp_free(&r);
	mg_stop(ctx);

	/* global_auth_file guards handlers and files alike */
	snprintf(gone, sizeof gone, "%s", pw);
	{
		const char *opts[] = {"document_root", root, "global_auth_file",
		                      gone, NULL};

		ctx = tl_start(NULL, NULL, opts, &port);
	}
	mg_set_request_handler(ctx, "/api", whoami, NULL);
	rc = tl_get(port, "/open.txt", &r);
	ck_assert_int_eq(rc, 401);
	challenge_of(&r, nonce, sizeof nonce, NULL);
	tl_resp_free(&r);
	ck_assert_int_eq(get_as(port, "/api", "alice", "pw", nonce, 1, &r),
	                 200);
	tl_resp_free(&r);
	ck_assert_int_eq(get_as(port, "/open.txt", "bob", "pw2", nonce, 2, &r),
	                 200);
	tl_resp_free(&r);
	mg_stop(ctx);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

/* ---- the password file functions ----------------------------------------- */

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

START_TEST(test_passwords_file)
{
	char *d = tl_mkdtemp(), path[1024], ha1[33], line[128];
	struct stat a, b;

	snprintf(path, sizeof path, "%s/pw", d);
	ck_assert_int_eq(mg_modify_passwords_file(path, "r1", "alice", "x"), 1);
	mg_md5(ha1, "alice", ":", "r1", ":", "x", NULL);
	snprintf(line, sizeof line, "alice:r1:%s\n", ha1);
	ck_assert_str_eq(slurp(path), line);
	ck_assert_int_eq(stat(path, &a), 0);

	/* another realm is another record; a change replaces the line */
	ck_assert_int_eq(mg_modify_passwords_file(path, "r2", "alice", "y"), 1);
	ck_assert_int_eq(mg_modify_passwords_file(path, "r1", "alice", "z"), 1);
	mg_md5(ha1, "alice", ":", "r1", ":", "z", NULL);
	snprintf(line, sizeof line, "alice:r1:%s\n", ha1);
	ck_assert_ptr_nonnull(strstr(slurp(path), line));
	ck_assert_ptr_nonnull(strstr(slurp(path), "alice:r2:"));
	ck_assert_int_eq(stat(path, &b), 0);
	ck_assert_int_eq(count_entries(d), 1); /* no temporary file left */

	/* the hash variant, then removal (NULL or empty password) */
	ck_assert_int_eq(
	    mg_modify_passwords_file_ha1(path, "r1", "bob", "0123456789abcdef"),
	    1);
	ck_assert_ptr_nonnull(strstr(slurp(path), "bob:r1:0123456789abcdef\n"));
	ck_assert_int_eq(mg_modify_passwords_file(path, "r1", "bob", NULL), 1);
	ck_assert_ptr_null(strstr(slurp(path), "bob:"));
	ck_assert_int_eq(mg_modify_passwords_file(path, "r2", "alice", ""), 1);
	ck_assert_ptr_null(strstr(slurp(path), "alice:r2:"));
	ck_assert_ptr_nonnull(strstr(slurp(path), "alice:r1:"));

	/* what cannot be stored is refused, and the file stays */
	ck_assert_int_eq(mg_modify_passwords_file(path, "r1", "a:b", "x"), 0);
	ck_assert_int_eq(mg_modify_passwords_file(path, "r:1", "a", "x"), 0);
	ck_assert_int_eq(mg_modify_passwords_file(path, "r1", "a\nb", "x"), 0);
	ck_assert_int_eq(mg_modify_passwords_file(path, "r1", "", "x"), 0);
	ck_assert_int_eq(mg_modify_passwords_file(NULL, "r1", "a", "x"), 0);
	ck_assert_int_eq(mg_modify_passwords_file(path, NULL, "a", "x"), 0);
	ck_assert_int_eq(
	    mg_modify_passwords_file_ha1(path, "r1", "a", "bad\nhash"), 0);
	ck_assert_ptr_nonnull(strstr(slurp(path), "alice:r1:"));
	ck_assert_ptr_null(strstr(slurp(path), "a:b"));
	/* a directory that does not exist: an error, not a crash */
	ck_assert_int_eq(
	    mg_modify_passwords_file("/nonexistent/dir/pw", "r1", "a", "x"), 0);
	tl_rmdir(d);
	free(d);
}
END_TEST

/* ---- PUT, DELETE, MKCOL under put_delete_auth_file ---------------------- */

/* method uri with body (len bytes) as user w; the status. */
static int write_as(int to, const char *method, const char *uri,
                    const char *body, size_t len, unsigned nc,
                    const char *nonce, struct tl_resp *r)
{
	char auth[1024], raw[4096];
	int fd, st;

	answer(auth, sizeof auth, "alice", "pw", method, uri, nonce, nc);
	snprintf(raw, sizeof raw,
	         "%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	         "Content-Length: %zu\r\n%s\r\n",
	         method, uri, len, auth);
	fd = tl_connect(to);
	ck_assert_int_eq(tl_send(fd, raw), 0);
	if (len > 0)
		ck_assert_int_eq(tl_send_n(fd, body, len), 0);
	st = tl_read_response(fd, method, r);
	close(fd);
	return st;
}

static char *file_text(const char *d, const char *name)
{
	char path[2048];

	snprintf(path, sizeof path, "%s/%s", d, name);
	return access(path, F_OK) == 0 ? slurp(path) : NULL;
}

/* A PUT's temporary file in the directory? */
static int temp_in(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int found = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		found |= strstr(e->d_name, ".put-") != NULL;
	closedir(d);
	return found;
}

static int temp_there(void *arg)
{
	return temp_in(arg);
}

static int temp_gone(void *arg)
{
	return !temp_in(arg);
}

START_TEST(test_put_delete_mkcol)
{
	char pw[1024], nonce[128], link[1024], outside[1024], raw[2048];
	struct tl_resp r;
	unsigned nc = 1;
	int fd;

	make_tree();
	write_users(dir, "put.pw");
	snprintf(pw, sizeof pw, "%s/put.pw", dir);
	{
		const char *opts[] = {"document_root", root,
		                      "put_delete_auth_file", pw, NULL};

		ctx = tl_start(NULL, NULL, opts, &port);
	}
	/* no credentials: asked for them, nothing written */
	ck_assert_int_eq(
	    tl_ask(port, "PUT", "/new.txt", "Content-Length: 0\r\n", &r), 401);
	challenge_of(&r, nonce, sizeof nonce, NULL);
	tl_resp_free(&r);
	ck_assert_ptr_null(file_text(root, "new.txt"));

	ck_assert_int_eq(
	    write_as(port, "PUT", "/new.txt", "one\n", 4, nc++, nonce, &r),
	    201);
	tl_resp_free(&r);
	ck_assert_str_eq(file_text(root, "new.txt"), "one\n");
	ck_assert_int_eq(
	    write_as(port, "PUT", "/new.txt", "two!\n", 5, nc++, nonce, &r),
	    200);
	tl_resp_free(&r);
	ck_assert_int_eq(tl_get(port, "/new.txt", &r), 200);
	ck_assert_str_eq(r.body, "two!\n");
	tl_resp_free(&r);
	/* missing directories are made */
	ck_assert_int_eq(
	    write_as(port, "PUT", "/a/b/c.txt", "deep", 4, nc++, nonce, &r),
	    201);
	tl_resp_free(&r);
	ck_assert_str_eq(file_text(root, "a/b/c.txt"), "deep");
	/* hidden names and partial PUTs are refused */
	ck_assert_int_eq(write_as(port, "PUT", "/sec/.htpasswd", "x:y:z\n", 6,
	                          nc++, nonce, &r),
	                 403);
	tl_resp_free(&r);
	ck_assert_ptr_nonnull(
	    strstr(file_text(root, "sec/.htpasswd"), "alice:"));
	/* a link out of the root is no way out */
	snprintf(outside, sizeof outside, "%s/outside", dir);
	ck_assert_int_eq(mkdir(outside, 0755), 0);
	snprintf(link, sizeof link, "%s/out", root);
	ck_assert_int_eq(symlink(outside, link), 0);
	ck_assert_int_eq(
	    write_as(port, "PUT", "/out/x.txt", "x", 1, nc++, nonce, &r), 403);
	tl_resp_free(&r);
	ck_assert_ptr_null(file_text(outside, "x.txt"));

	/* a client that goes away halfway leaves the old file intact */
	{
		char auth[1024], half[50000];

		answer(auth, sizeof auth, "alice", "pw", "PUT", "/new.txt",
		       nonce, nc++);
		snprintf(raw, sizeof raw,
		         "PUT /new.txt HTTP/1.1\r\nHost: x\r\n"
		         "Content-Length: 100000\r\n%s\r\n",
		         auth);
		memset(half, 'h', sizeof half);
		fd = tl_connect(port);
		ck_assert_int_eq(tl_send(fd, raw), 0);
		ck_assert_int_eq(tl_send_n(fd, half, sizeof half), 0);
		tl_wait_until(temp_there, root, 10000, "the PUT's temporary");
		close(fd);
		tl_wait_until(temp_gone, root, 10000,
		              "the temporary file removed");
	}
	ck_assert_str_eq(file_text(root, "new.txt"), "two!\n");
	ck_assert_int_eq(tl_get(port, "/open.txt", &r), 200);
	tl_resp_free(&r);

	/* MKCOL */
	ck_assert_int_eq(
	    write_as(port, "MKCOL", "/col", NULL, 0, nc++, nonce, &r), 201);
	tl_resp_free(&r);
	ck_assert_int_eq(
	    write_as(port, "MKCOL", "/col", NULL, 0, nc++, nonce, &r), 405);
	tl_resp_free(&r);
	ck_assert_int_eq(
	    write_as(port, "MKCOL", "/no/col", NULL, 0, nc++, nonce, &r), 409);
	tl_resp_free(&r);
	ck_assert_int_eq(
	    write_as(port, "MKCOL", "/col2", "body", 4, nc++, nonce, &r), 415);
	tl_resp_free(&r);

	/* DELETE: a file, a whole directory, then nothing */
	ck_assert_int_eq(
	    write_as(port, "DELETE", "/new.txt", NULL, 0, nc++, nonce, &r),
	    204);
	tl_resp_free(&r);
	ck_assert_ptr_null(file_text(root, "new.txt"));
	ck_assert_int_eq(
	    write_as(port, "DELETE", "/a", NULL, 0, nc++, nonce, &r), 204);
	tl_resp_free(&r);
	ck_assert_ptr_null(file_text(root, "a"));
	ck_assert_int_eq(
	    write_as(port, "DELETE", "/a", NULL, 0, nc++, nonce, &r), 404);
	tl_resp_free(&r);
	/* DELETE of a link removes the link, not what it leads to */
	ck_assert_int_eq(
	    write_as(port, "DELETE", "/out", NULL, 0, nc++, nonce, &r), 204);
	tl_resp_free(&r);
	ck_assert_int_eq(access(outside, F_OK), 0);
	mg_stop(ctx);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

/* ---- the prefork server: one nonce, every worker ------------------------ */

/* Does something accept on 127.0.0.1:port yet? */
START_TEST(test_nonces_across_workers)
{
	const char *bin = getenv("CIVETD_BIN");
	char conf[1024], text[2048], nonce[128];
	struct tl_resp r;
	pid_t pid;
	int st, p;
	FILE *f;

	ck_assert_ptr_nonnull(bin);
	make_tree();
	p = tl_free_port();
	snprintf(conf, sizeof conf, "%s/civetd.conf", dir);
	snprintf(text, sizeof text,
	         "listening_ports 127.0.0.1:%d\ndocument_root %s\n"
	         "num_workers 2\nnum_threads 4\n",
	         p, root);
	f = fopen(conf, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	{
		char dash_c[] = "-c";
		char *const argv[] = {(char *)bin, dash_c, conf, NULL};
		posix_spawnattr_t at;

		posix_spawnattr_init(&at);
		posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
		posix_spawnattr_setpgroup(&at, 0);
		ck_assert_int_eq(
		    posix_spawn(&pid, bin, NULL, &at, argv, environ), 0);
		posix_spawnattr_destroy(&at);
		tl_track_group(pid);
	}
	tl_wait_until(tl_listening, &p, 10000, "civetd on port %d", p);
	get_nonce(p, "/sec/sub/s.txt", nonce, sizeof nonce);
	/* each request a new connection: they spread over both workers,
	 * and whichever takes one knows the nonce and its counter */
	for (unsigned nc = 1; nc <= 40; nc++) {
		ck_assert_int_eq(
		    get_as(p, "/sec/sub/s.txt", "alice", "pw", nonce, nc, &r),
		    200);
		tl_resp_free(&r);
	}
	for (unsigned nc = 1; nc <= 40; nc += 13) {
		ck_assert_int_eq(
		    get_as(p, "/sec/sub/s.txt", "alice", "pw", nonce, nc, &r),
		    401);
		tl_resp_free(&r);
	}
	kill(pid, SIGTERM);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	tl_untrack_group(pid);
	tl_rmdir(dir);
	free(dir);
}
END_TEST

/* Each test its own TCase, so the cleanup fixture runs after each. */
#define ADD(s, test, secs)                                                     \
	do {                                                                   \
		TCase *tc = tcase_create(#test);                               \
		tl_cleanup_fixture(tc);                                        \
		tcase_set_timeout(tc, secs);                                   \
		tcase_add_test(tc, test);                                      \
		suite_add_tcase(s, tc);                                        \
	} while (0)

static Suite *auth_suite(void)
{
	Suite *s = suite_create("e2e_auth");

	ADD(s, test_htpasswd_up_the_tree, 30);
	ADD(s, test_counter_must_count_up, 30);
	ADD(s, test_stale_nonce, 240);
	ADD(s, test_protect_uri_and_handlers, 30);
	ADD(s, test_passwords_file, 30);
	ADD(s, test_nonces_across_workers, 60);
	ADD(s, test_put_delete_mkcol, 60);
	ADD(s, test_auth_domain_check, 30);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(auth_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
