/* mime.c - the Content-Type of a static file, from its extension.
 *
 * The built-in table is CivetWeb 1.16's, plus ".mjs" and ".wasm" that later
 * CivetWeb added (1.16 serves them as text/plain, which browsers refuse for
 * modules and streamed WebAssembly). Every entry is a dot followed by a
 * dot-free word, so CivetWeb's "first table entry that is a suffix of the
 * path" is the same as "the word after the path's last dot": we look that
 * word up by binary search. This runs for every file served, so it neither
 * allocates nor scans the whole table. The extra_mime_types option is
 * searched first, in its own order, by suffix, as CivetWeb does. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "civetweb.h"
#include "util/codec.h"
#include "util/mime.h"

struct mime_entry {
	const char *ext; /* lower case, without the dot */
	const char *type;
};

/* Sorted by ext (strcmp order) for mime_lookup(). */
static const struct mime_entry mime_table[] = {
    {"aac", "audio/aac"},
    {"aat", "application/font-sfnt"},
    {"aif", "audio/x-aif"},
    {"arj", "application/x-arj-compressed"},
    {"asf", "video/x-ms-asf"},
    {"avi", "video/x-msvideo"},
    {"bin", "application/octet-stream"},
    {"bmp", "image/bmp"},
    {"cff", "application/font-sfnt"},
    {"css", "text/css"},
    {"csv", "text/csv"},
    {"deb", "application/octet-stream"},
    {"dll", "application/octet-stream"},
    {"dmg", "application/octet-stream"},
    {"doc", "application/msword"},
    {"eps", "application/postscript"},
    {"exe", "application/octet-stream"},
    {"flac", "audio/flac"},
    {"gif", "image/gif"},
    {"gz", "application/x-gunzip"},
    {"htm", "text/html"},
    {"html", "text/html"},
    {"ico", "image/x-icon"},
    {"ief", "image/ief"},
    {"iso", "application/octet-stream"},
    {"jpeg", "image/jpeg"},
    {"jpg", "image/jpeg"},
    {"jpm", "image/jpm"},
    {"jpx", "image/jpx"},
    {"js", "application/javascript"},
    {"json", "application/json"},
    {"m3u", "audio/x-mpegurl"},
    {"m4v", "video/x-m4v"},
    {"mid", "audio/x-midi"},
    {"mjs", "application/javascript"},
    {"mov", "video/quicktime"},
    {"mp3", "audio/mpeg"},
    {"mp4", "video/mp4"},
    {"mpeg", "video/mpeg"},
    {"mpg", "video/mpeg"},
    {"msi", "application/octet-stream"},
    {"oga", "audio/ogg"},
    {"ogg", "audio/ogg"},
    {"ogv", "video/ogg"},
    {"otf", "application/font-sfnt"},
    {"pct", "image/x-pct"},
    {"pdf", "application/pdf"},
    {"pfr", "application/font-tdpfr"},
    {"pict", "image/pict"},
    {"png", "image/png"},
    {"ppt", "application/x-mspowerpoint"},
    {"ps", "application/postscript"},
    {"qt", "video/quicktime"},
    {"ra", "audio/x-pn-realaudio"},
    {"ram", "audio/x-pn-realaudio"},
    {"rar", "application/x-arj-compressed"},
    {"rgb", "image/x-rgb"},
    {"rtf", "application/rtf"},
    {"sgm", "text/sgml"},
    {"shtm", "text/html"},
    {"shtml", "text/html"},
    {"sil", "application/font-sfnt"},
    {"svg", "image/svg+xml"},
    {"swf", "application/x-shockwave-flash"},
    {"tar", "application/x-tar"},
    {"tgz", "application/x-tar-gz"},
    {"tif", "image/tiff"},
    {"tiff", "image/tiff"},
    {"torrent", "application/x-bittorrent"},
    {"ttf", "application/font-sfnt"},
    {"txt", "text/plain"},
    {"wasm", "application/wasm"},
    {"wav", "audio/x-wav"},
    {"webm", "video/webm"},
    {"woff", "application/font-woff"},
    {"woff2", "application/font-woff2"},
    {"wrl", "model/vrml"},
    {"xhtml", "application/xhtml+xml"},
    {"xls", "application/x-msexcel"},
    {"xml", "text/xml"},
    {"xsl", "application/xml"},
    {"xslt", "application/xml"},
    {"zip", "application/x-zip-compressed"},
};

#define MIME_COUNT   (sizeof(mime_table) / sizeof(mime_table[0]))
#define MIME_EXT_MAX 8 /* longer than any ext in the table, with its NUL */

static const char mime_default[] = "text/plain";

/* Binary search for the lower-case word ext. */
static const char *mime_lookup(const char *ext)
{
	size_t lo = 0, hi = MIME_COUNT;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ext, mime_table[mid].ext);

		if (c == 0)
			return mime_table[mid].type;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* CivetWeb only matches an extension with something before its dot, so
 * ".html" is text/plain while "/.html" is text/html. */
const char *mg_get_builtin_mime_type(const char *file_name)
{
	const char *dot, *type;
	char ext[MIME_EXT_MAX];
	size_t i;

	if (file_name == NULL)
		return mime_default;
	dot = strrchr(file_name, '.');
	if (dot == NULL || dot == file_name)
		return mime_default;
	for (i = 0; dot[i + 1] != '\0'; i++) {
		unsigned char c = (unsigned char)dot[i + 1];

		if (i + 1 >= sizeof(ext))
			return mime_default;
		ext[i] = (char)((c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c);
	}
	ext[i] = '\0';
	type = mime_lookup(ext);
	return type != NULL ? type : mime_default;
}

/* One entry of an extra_mime_types list: ext and type point into the
 * option string and are not NUL-terminated. */
struct mime_extra {
	const char *ext, *type;
	size_t ext_len, type_len;
};

/* Parses the entry starting at *list as CivetWeb's option lists are read:
 * entries are separated by ',', blanks around an entry are ignored, empty
 * entries are skipped, and the first '=' splits ext from type (type_len is
 * 0 and type NULL if there is none). Returns 0, or -1 at the end. */
static int mime_next(const char **list, struct mime_extra *e)
{
	const char *s = *list, *end, *eq;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			return -1;
		end = s + strcspn(s, ",");
		*list = (*end == ',') ? end + 1 : end;
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end > s)
			break;
		s = *list;
	}
	eq = memchr(s, '=', (size_t)(end - s));
	e->ext = s;
	e->ext_len = (size_t)((eq != NULL ? eq : end) - s);
	e->type = (eq != NULL) ? eq + 1 : NULL;
	e->type_len = (eq != NULL) ? (size_t)(end - eq - 1) : 0;
	return 0;
}

/* An extra type that does not fit in buf is skipped (the next matching
 * entry or the built-in type is used): a truncated Content-Type would be
 * worse than a less specific one. */
const char *cw_mime_type(const char *path, const char *extra, char *buf,
                         size_t bufsize)
{
	struct mime_extra e;
	size_t path_len;

	if (path == NULL)
		return mime_default;
	path_len = strlen(path);
	while (extra != NULL && mime_next(&extra, &e) == 0) {
		if (e.type == NULL || e.ext_len == 0 || e.ext_len > path_len ||
		    cw_memcaseeq(path + path_len - e.ext_len, e.ext,
		                 e.ext_len) != 0)
			continue;
		if (buf != NULL && e.type_len < bufsize) {
			memcpy(buf, e.type, e.type_len);
			buf[e.type_len] = '\0';
			return buf;
		}
	}
	return mg_get_builtin_mime_type(path);
}

static int mime_fail(char *err, size_t errlen, const struct mime_extra *e,
                     const char *why)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "extra_mime_types: \"%.*s%s%.*s\": %s",
		         (int)e->ext_len, e->ext, e->type != NULL ? "=" : "",
		         (int)e->type_len, e->type != NULL ? e->type : "", why);
	return -1;
}

/* What a type must look like to be sent as a header value: "x/y", no
 * control characters (no header injection). */
static const char *mime_type_problem(const char *type, size_t len)
{
	size_t i;

	if (len == 0)
		return "empty type";
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)type[i];

		if (c < 0x20 || c == 0x7f)
			return "control character in type";
	}
	if (memchr(type, '/', len) == NULL)
		return "type is not of the form type/subtype";
	return NULL;
}

/* Stricter than CivetWeb, which takes any text: a typo here would only show
 * up as wrong Content-Types, so we reject it when the option is set. */
int cw_mime_check_extra(const char *extra, char *err, size_t errlen)
{
	struct mime_extra e;
	const char *why;
	size_t i;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	while (extra != NULL && mime_next(&extra, &e) == 0) {
		if (e.type == NULL)
			return mime_fail(err, errlen, &e, "missing '='");
		if (e.ext_len < 2 || e.ext[0] != '.')
			return mime_fail(err, errlen, &e,
			                 "extension must be '.' and a name");
		for (i = 0; i < e.ext_len; i++) {
			unsigned char c = (unsigned char)e.ext[i];

			if (c <= 0x20 || c == 0x7f || c == '/')
				return mime_fail(
				    err, errlen, &e,
				    "invalid character in extension");
		}
		why = mime_type_problem(e.type, e.type_len);
		if (why != NULL)
			return mime_fail(err, errlen, &e, why);
	}
	return 0;
}

int cw_mime_in_list(const char *list, const char *mime, size_t len)
{
	while (list != NULL && *list != '\0') {
		const char *s = list + strspn(list, " \t");
		size_t n = strcspn(s, ",");

		list = s[n] == ',' ? s + n + 1 : NULL;
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n >= 2 && s[n - 1] == '*' && s[n - 2] == '/') {
			if (len >= n - 1 && strncasecmp(mime, s, n - 1) == 0)
				return 1;
		} else if (n == len && n > 0 && strncasecmp(mime, s, n) == 0) {
			return 1;
		}
	}
	return 0;
}
