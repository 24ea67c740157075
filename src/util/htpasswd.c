/* htpasswd.c - reading and rewriting password files (see htpasswd.h),
 * and CivetWeb's mg_modify_passwords_file() / _ha1(). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "civetweb.h"
#include "util/htpasswd.h"
#include "util/sysio.h"

/* The longest line looked at: three fields and two colons. */
#define LINE_MAX_LEN (3 * CW_HTPASSWD_FIELD_MAX + 2)
/* A file to rewrite is read whole; larger ones are refused, as CivetWeb
 * refuses them. */
#define FILE_MAX (10 * 1024 * 1024)

/* One line (no newline): 1 and ha1 set if it is user's under realm. */
static int line_matches(const char *line, size_t n, const char *user,
                        size_t ulen, const char *realm,
                        char ha1[CW_HTPASSWD_FIELD_MAX + 1])
{
	size_t rlen = strlen(realm), hlen;
	const char *h;

	if (n < ulen + rlen + 3 || memcmp(line, user, ulen) != 0 ||
	    line[ulen] != ':' || memcmp(line + ulen + 1, realm, rlen) != 0 ||
	    line[ulen + 1 + rlen] != ':')
		return 0;
	h = line + ulen + rlen + 2;
	hlen = (size_t)(line + n - h);
	while (hlen > 0 && isspace((unsigned char)h[hlen - 1]))
		hlen--;
	if (hlen == 0 || hlen > CW_HTPASSWD_FIELD_MAX ||
	    memchr(h, ':', hlen) != NULL)
		return 0;
	memcpy(ha1, h, hlen);
	ha1[hlen] = '\0';
	return 1;
}

int cw_htpasswd_lookup(int fd, const char *user, size_t ulen, const char *realm,
                       char ha1[CW_HTPASSWD_FIELD_MAX + 1])
{
	char buf[4096];
	size_t have = 0;
	off_t off = 0;
	int skipping = 0; /* inside a line too long to hold */

	if (ulen == 0 || ulen > CW_HTPASSWD_FIELD_MAX)
		return 0;
	for (;;) {
		ssize_t r = pread(fd, buf + have, sizeof buf - have, off);
		char *p = buf, *end, *nl;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		off += r;
		end = buf + have + r;
		while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
			if (!skipping && line_matches(p, (size_t)(nl - p), user,
			                              ulen, realm, ha1))
				return 1;
			skipping = 0;
			p = nl + 1;
		}
		if (r == 0)
			return !skipping &&
			       line_matches(p, (size_t)(end - p), user, ulen,
			                    realm, ha1);
		have = (size_t)(end - p);
		if (have > LINE_MAX_LEN) {
			skipping = 1;
			have = 0;
		} else {
			memmove(buf, p, have);
		}
	}
}

/* ---- rewriting ----------------------------------------------------------- */

/* A user or realm may be stored: no ':' (the separator), no control
 * character (a newline would forge a line), not too long. */
static int field_ok(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (s[n] == ':' || iscntrl((unsigned char)s[n]) ||
		    n >= CW_HTPASSWD_FIELD_MAX)
			return 0;
	return n > 0;
}

/* The file's bytes (malloc'ed, *len set), an empty text if it does not
 * exist, or NULL. */
static char *read_all(const char *path, size_t *len, mode_t *mode)
{
	struct stat st;
	char *text;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*len = 0;
	if (fd < 0)
		return errno == ENOENT ? calloc(1, 1) : NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > FILE_MAX ||
	    (text = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return NULL;
	}
	*mode = st.st_mode & 07777;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, text + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	text[got] = '\0';
	*len = got;
	return text;
}

/* Every line of text but user's under realm, then user's new line (if
 * ha1 is not NULL), into fd. Lines of other users, and lines that are not
 * user lines at all, are kept as they are. */
static int write_lines(int fd, const char *text, size_t len, const char *user,
                       const char *realm, const char *ha1)
{
	char line[3 * CW_HTPASSWD_FIELD_MAX + 8],
	    old[CW_HTPASSWD_FIELD_MAX + 1];
	const char *p = text, *end = text + len;
	int n;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ln = (size_t)((nl != NULL ? nl : end) - p);

		if (!line_matches(p, ln, user, strlen(user), realm, old) &&
		    (cw_write_all(fd, p, ln) != 0 ||
		     cw_write_all(fd, "\n", 1) != 0))
			return -1;
		p += ln + 1;
	}
	if (ha1 == NULL)
		return 0;
	n = snprintf(line, sizeof line, "%s:%s:%s\n", user, realm, ha1);
	return n > 0 && (size_t)n < sizeof line
	           ? cw_write_all(fd, line, (size_t)n)
	           : -1;
}

/* path with user's line replaced by one with ha1, or removed (ha1
 * NULL): written to "path.XXXXXX" beside it, then renamed over it. */
static int rewrite(const char *path, const char *realm, const char *user,
                   const char *ha1)
{
	char tmp[PATH_MAX];
	mode_t mode = 0, mask;
	size_t len;
	char *text;
	int fd, ok;

	if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp ||
	    (text = read_all(path, &len, &mode)) == NULL)
		return 0;
	if ((fd = mkstemp(tmp)) < 0) {
		free(text);
		return 0;
	}
	if (mode == 0) { /* a new file: what fopen(path, "w") would make */
		mask = umask(0);
		umask(mask);
		mode = 0666 & ~mask;
	}
	ok = write_lines(fd, text, len, user, realm, ha1) == 0 &&
	     fchmod(fd, mode) == 0;
	ok = close(fd) == 0 && ok;
	free(text);
	if (ok && rename(tmp, path) == 0)
		return 1;
	unlink(tmp);
	return 0;
}

int mg_modify_passwords_file_ha1(const char *passwords_file_name,
                                 const char *realm, const char *user,
                                 const char *ha1)
{
	if (passwords_file_name == NULL || realm == NULL || user == NULL ||
	    !field_ok(user) || !field_ok(realm) ||
	    strlen(passwords_file_name) >= PATH_MAX - 8)
		return 0;
	if (ha1 != NULL && ha1[0] == '\0')
		ha1 = NULL; /* an empty hash removes the user */
	if (ha1 != NULL && !field_ok(ha1))
		return 0;
	return rewrite(passwords_file_name, realm, user, ha1);
}

int mg_modify_passwords_file(const char *passwords_file_name, const char *realm,
                             const char *user, const char *password)
{
	char ha1[33];

	if (passwords_file_name == NULL || realm == NULL || user == NULL)
		return 0;
	if (password == NULL || password[0] == '\0')
		return mg_modify_passwords_file_ha1(passwords_file_name, realm,
		                                    user, NULL);
	if (mg_md5(ha1, user, ":", realm, ":", password, NULL) == NULL)
		return 0;
	return mg_modify_passwords_file_ha1(passwords_file_name, realm, user,
	                                    ha1);
}
