/* auth.c - choosing the password file that guards a request and asking
 * for credentials (see auth.h). Password files are opened through the
 * open-file cache, so a protected file costs no open per request, and a
 * password file changed on disk is seen within a second.
 *
 * Unlike CivetWeb, a password file that is named (protect_uri,
 * global_auth_file, put_delete_auth_file) but cannot be read refuses the
 * request instead of letting it through, and .htpasswd is looked for in
 * every directory from the file's up to the document root, not only in
 * the file's own. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "core/log.h"
#include "core/options.h"
#include "files/auth.h"
#include "files/file_open.h"
#include "http/digest.h"
#include "http/exchange.h"
#include "http/response.h"
#include "util/match.h"
#include "util/text.h"

#define PASSWORDS_FILE ".htpasswd"

int cw_auth_is_write(const char *method)
{
	return strcmp(method, "PUT") == 0 || strcmp(method, "DELETE") == 0 ||
	       strcmp(method, "MKCOL") == 0;
}

/* Check the request against the password file at path (base_len > 0:
 * confined below path[0..base_len)). 1 granted, 0 denied, -1 no such
 * file, -2 the file cannot be read. */
static int check_file(struct mg_connection *c, const char *path,
                      size_t base_len)
{
	struct cw_file f;
	int r;

	if (cw_file_open_own(c, path, base_len, &f) != 0)
		return errno == ENOENT || errno == ENOTDIR ? -1 : -2;
	if (f.is_dir || f.fd < 0) {
		cw_file_close(c, &f);
		return -2;
	}
	r = cw_digest_check(c, f.fd, NULL);
	cw_file_close(c, &f);
	return r;
}

/* A named password file: it must be there. */
static int check_named(struct mg_connection *c, const char *path)
{
	int r = check_file(c, path, 0);

	if (r < 0)
		cw_log_error(c->ctx, c, "cannot read password file %s: %s",
		             path, r == -1 ? "no such file" : strerror(errno));
	return r == -1 ? -2 : r;
}

/* protect_uri's file for the request's URI (the first pair whose pattern
 * matches) into out: 1 if one applies, 0 if none, -1 if too long. */
static int protected_by(const struct mg_connection *c, char *out, size_t cap)
{
	const char *list = cw_req_opts(c)->value[CW_OPT_PROTECT_URI];
	const char *item;
	size_t n;

	if (list == NULL)
		return 0;
	while ((item = cw_list_next(&list, &n)) != NULL) {
		const char *eq = memchr(item, '=', n);
		size_t flen;

		if (eq == NULL || cw_match(item, (size_t)(eq - item),
		                           c->x->ri.local_uri, NULL) <= 0)
			continue;
		flen = (size_t)(item + n - eq - 1);
		if (flen >= cap)
			return -1;
		memcpy(out, eq + 1, flen);
		out[flen] = '\0';
		return 1;
	}
	return 0;
}

/* The .htpasswd nearest above the request's file in the document root:
 * each directory from the file's up to the root. */
static int check_tree(struct mg_connection *c)
{
	const char *root = cw_req_opts(c)->value[CW_OPT_DOCUMENT_ROOT],
	           *uri = c->x->ri.local_uri;
	char path[PATH_MAX];
	size_t rl, end, base;

	if (root == NULL || uri == NULL || uri[0] != '/')
		return -1;
	rl = strlen(root);
	while (rl > 1 && root[rl - 1] == '/')
		rl--;
	base =
	    cw_options_flag(cw_req_opts(c), CW_OPT_ALLOW_SYMLINKS_OUTSIDE_ROOT)
	        ? 0
	        : rl;
	end = strlen(uri);
	if (rl + end + sizeof PASSWORDS_FILE >= sizeof path)
		return -2;
	memcpy(path, root, rl);
	memcpy(path + rl, uri, end);
	for (;;) {
		size_t d = end;
		int r;

		while (d > 0 && uri[d - 1] != '/')
			d--; /* path[rl .. rl+d) is the directory, with its '/'
			      */
		memcpy(path + rl + d, PASSWORDS_FILE, sizeof PASSWORDS_FILE);
		r = check_file(c, path, base);
		if (r != -1 || d <= 1)
			return r;
		end = d - 1;
	}
}

/* Ask for credentials; 0. */
static int deny(struct mg_connection *c, int r)
{
	if (r == -2) {
		cw_send_error(c, 500, "%s", "Cannot read the password file");
		return 0;
	}
	if (cw_digest_challenge(c, NULL) != 0)
		cw_send_error(c, 500, "%s", "Cannot ask for credentials");
	return 0;
}

int cw_auth_request(struct mg_connection *c, int to)
{
	const struct cw_options *o = cw_req_opts(c);
	char named[PATH_MAX];
	int to_handler = to == CW_AUTH_TO_HANDLER, r;

	if (!to_handler && cw_auth_is_write(c->x->ri.request_method)) {
		const char *pd = o->value[CW_OPT_PUT_DELETE_AUTH_FILE];

		/* none: the file handler refuses the method (405) */
		r = pd == NULL ? 1 : check_named(c, pd);
		return r == 1 ? 1 : deny(c, r);
	}
	r = protected_by(c, named, sizeof named);
	if (r < 0)
		return deny(c, -2);
	if (to == CW_AUTH_FILES_AFTER_HANDLER &&
	    (r == 1 || o->value[CW_OPT_GLOBAL_AUTH_FILE] != NULL))
		return 1;
	if (r == 1)
		r = check_named(c, named);
	else if (o->value[CW_OPT_GLOBAL_AUTH_FILE] != NULL)
		r = check_named(c, o->value[CW_OPT_GLOBAL_AUTH_FILE]);
	else if (!to_handler)
		r = check_tree(c);
	else
		return 1;
	if (r == -1) /* no .htpasswd above the file: not protected */
		return 1;
	return r == 1 ? 1 : deny(c, r);
}
