/* check_mime.c - unit tests for src/mime.c: the built-in MIME table
 * (compared with CivetWeb 1.16's, entry by entry), the extra_mime_types
 * overrides and their validation, and mg_get_response_code_text() from
 * src/status_text.c (the reason phrases CivetWeb sends). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "civetweb.h"
#include "util/mime.h"

/* CivetWeb 1.16's table, in its order. */
static const struct {
	const char *ext, *type;
} civetweb_types[] = {
    {"bin", "application/octet-stream"},
    {"deb", "application/octet-stream"},
    {"dmg", "application/octet-stream"},
    {"dll", "application/octet-stream"},
    {"doc", "application/msword"},
    {"eps", "application/postscript"},
    {"exe", "application/octet-stream"},
    {"iso", "application/octet-stream"},
    {"js", "application/javascript"},
    {"json", "application/json"},
    {"msi", "application/octet-stream"},
    {"pdf", "application/pdf"},
    {"ps", "application/postscript"},
    {"rtf", "application/rtf"},
    {"xhtml", "application/xhtml+xml"},
    {"xsl", "application/xml"},
    {"xslt", "application/xml"},
    {"ttf", "application/font-sfnt"},
    {"cff", "application/font-sfnt"},
    {"otf", "application/font-sfnt"},
    {"aat", "application/font-sfnt"},
    {"sil", "application/font-sfnt"},
    {"pfr", "application/font-tdpfr"},
    {"woff", "application/font-woff"},
    {"woff2", "application/font-woff2"},
    {"mp3", "audio/mpeg"},
    {"oga", "audio/ogg"},
    {"ogg", "audio/ogg"},
    {"gif", "image/gif"},
    {"ief", "image/ief"},
    {"jpeg", "image/jpeg"},
    {"jpg", "image/jpeg"},
    {"jpm", "image/jpm"},
    {"jpx", "image/jpx"},
    {"png", "image/png"},
    {"svg", "image/svg+xml"},
    {"tif", "image/tiff"},
    {"tiff", "image/tiff"},
    {"wrl", "model/vrml"},
    {"css", "text/css"},
    {"csv", "text/csv"},
    {"htm", "text/html"},
    {"html", "text/html"},
    {"sgm", "text/sgml"},
    {"shtm", "text/html"},
    {"shtml", "text/html"},
    {"txt", "text/plain"},
    {"xml", "text/xml"},
    {"mov", "video/quicktime"},
    {"mp4", "video/mp4"},
    {"mpeg", "video/mpeg"},
    {"mpg", "video/mpeg"},
    {"ogv", "video/ogg"},
    {"qt", "video/quicktime"},
    {"arj", "application/x-arj-compressed"},
    {"gz", "application/x-gunzip"},
    {"rar", "application/x-arj-compressed"},
    {"swf", "application/x-shockwave-flash"},
    {"tar", "application/x-tar"},
    {"tgz", "application/x-tar-gz"},
    {"torrent", "application/x-bittorrent"},
    {"ppt", "application/x-mspowerpoint"},
    {"xls", "application/x-msexcel"},
    {"zip", "application/x-zip-compressed"},
    {"aac", "audio/aac"},
    {"flac", "audio/flac"},
    {"aif", "audio/x-aif"},
    {"m3u", "audio/x-mpegurl"},
    {"mid", "audio/x-midi"},
    {"ra", "audio/x-pn-realaudio"},
    {"ram", "audio/x-pn-realaudio"},
    {"wav", "audio/x-wav"},
    {"bmp", "image/bmp"},
    {"ico", "image/x-icon"},
    {"pct", "image/x-pct"},
    {"pict", "image/pict"},
    {"rgb", "image/x-rgb"},
    {"webm", "video/webm"},
    {"asf", "video/x-ms-asf"},
    {"avi", "video/x-msvideo"},
    {"m4v", "video/x-m4v"},
};

static void upper(char *s)
{
	for (; *s != '\0'; s++) {
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
	}
}

START_TEST(test_builtin_mime_every_civetweb_extension)
{
	size_t i, n = sizeof(civetweb_types) / sizeof(civetweb_types[0]);
	char path[64];

	ck_assert_uint_eq(n, 81);
	for (i = 0; i < n; i++) {
		strcpy(path, "/dir/file.");
		strcat(path, civetweb_types[i].ext);
		ck_assert_str_eq(mg_get_builtin_mime_type(path),
		                 civetweb_types[i].type);
		upper(path);
		ck_assert_str_eq(mg_get_builtin_mime_type(path),
		                 civetweb_types[i].type);
	}
}
END_TEST

START_TEST(test_builtin_mime_later_civetweb_additions)
{
	ck_assert_str_eq(mg_get_builtin_mime_type("app.mjs"),
	                 "application/javascript");
	ck_assert_str_eq(mg_get_builtin_mime_type("app.wasm"),
	                 "application/wasm");
}
END_TEST

START_TEST(test_builtin_mime_ignores_case)
{
	ck_assert_str_eq(mg_get_builtin_mime_type("x.html"), "text/html");
	ck_assert_str_eq(mg_get_builtin_mime_type("x.HTML"), "text/html");
	ck_assert_str_eq(mg_get_builtin_mime_type("x.hTmL"), "text/html");
	ck_assert_str_eq(mg_get_builtin_mime_type("PHOTO.JpG"), "image/jpeg");
}
END_TEST

START_TEST(test_builtin_mime_uses_text_after_last_dot)
{
	ck_assert_str_eq(mg_get_builtin_mime_type("/abc/def/ghi.htm"),
	                 "text/html");
	ck_assert_str_eq(mg_get_builtin_mime_type("archive.tar.gz"),
	                 "application/x-gunzip");
	ck_assert_str_eq(mg_get_builtin_mime_type("page.html.txt"),
	                 "text/plain");
	ck_assert_str_eq(mg_get_builtin_mime_type("x.js.map"), "text/plain");
	ck_assert_str_eq(mg_get_builtin_mime_type("dir.html/file"),
	                 "text/plain");
	ck_assert_str_eq(mg_get_builtin_mime_type("x..css"), "text/css");
}
END_TEST

START_TEST(test_builtin_mime_needs_something_before_the_dot)
{
	ck_assert_str_eq(mg_get_builtin_mime_type(".html"), "text/plain");
	ck_assert_str_eq(mg_get_builtin_mime_type("/.html"), "text/html");
	ck_assert_str_eq(mg_get_builtin_mime_type("a/.htaccess"), "text/plain");
}
END_TEST

START_TEST(test_builtin_mime_unknown_is_text_plain)
{
	ck_assert_str_eq(mg_get_builtin_mime_type("x.unknown_extention_xyz"),
	                 "text/plain");
	ck_assert_str_eq(mg_get_builtin_mime_type("Makefile"), "text/plain");
	ck_assert_str_eq(mg_get_builtin_mime_type("x."), "text/plain");
	ck_assert_str_eq(mg_get_builtin_mime_type(""), "text/plain");
	ck_assert_str_eq(mg_get_builtin_mime_type("x.webp"), "text/plain");
	ck_assert_str_eq(mg_get_builtin_mime_type("x.torrents"), "text/plain");
	ck_assert_str_eq(mg_get_builtin_mime_type("x.h"), "text/plain");
	ck_assert_str_eq(mg_get_builtin_mime_type(NULL), "text/plain");
}
END_TEST

START_TEST(test_builtin_mime_long_extension_is_text_plain)
{
	char path[4096];

	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	path[1] = '.';
	ck_assert_str_eq(mg_get_builtin_mime_type(path), "text/plain");
	strcpy(path + sizeof(path) - 6, ".html");
	ck_assert_str_eq(mg_get_builtin_mime_type(path), "text/html");
}
END_TEST

START_TEST(test_mime_type_extra_overrides_builtin)
{
	char buf[64];
	const char *t;

	t = cw_mime_type("/a/index.html", ".html=text/x-custom", buf,
	                 sizeof(buf));
	ck_assert_ptr_eq(t, buf);
	ck_assert_str_eq(t, "text/x-custom");
	t = cw_mime_type("main.cpp", ".cpp=plain/text,.java=plain/text", buf,
	                 sizeof(buf));
	ck_assert_str_eq(t, "plain/text");
	t = cw_mime_type("Main.JAVA", ".cpp=plain/text,.java=plain/text", buf,
	                 sizeof(buf));
	ck_assert_str_eq(t, "plain/text");
}
END_TEST

START_TEST(test_mime_type_extra_first_matching_entry_wins)
{
	char buf[64];

	ck_assert_str_eq(cw_mime_type("x.a", " .a=x/one , .a=x/two", buf, 64),
	                 "x/one");
	ck_assert_str_eq(cw_mime_type("x.a", ",,\t.b=x/b,, .a=x/a ,", buf, 64),
	                 "x/a");
	/* by suffix, as in CivetWeb: entries may span dots */
	ck_assert_str_eq(
	    cw_mime_type("x.tar.gz", ".tar.gz=application/gzip", buf, 64),
	    "application/gzip");
}
END_TEST

START_TEST(test_mime_type_without_extra_match_uses_builtin)
{
	char buf[64];
	const char *t;

	t = cw_mime_type("x.css", ".html=text/x", buf, sizeof(buf));
	ck_assert_ptr_ne(t, buf);
	ck_assert_str_eq(t, "text/css");
	ck_assert_str_eq(cw_mime_type("x.css", NULL, buf, 64), "text/css");
	ck_assert_str_eq(cw_mime_type("x.css", NULL, NULL, 0), "text/css");
	ck_assert_str_eq(cw_mime_type("x.zzz", "", buf, 64), "text/plain");
	ck_assert_str_eq(cw_mime_type(NULL, ".a=b/c", buf, 64), "text/plain");
	/* an extension longer than the path cannot match */
	ck_assert_str_eq(cw_mime_type("ml", ".html=x/y", buf, 64),
	                 "text/plain");
}
END_TEST

START_TEST(test_mime_type_extra_too_long_for_buffer_is_skipped)
{
	char buf[8];

	memset(buf, 'Z', sizeof(buf));
	ck_assert_str_eq(cw_mime_type("x.html", ".html=text/x-long", buf, 8),
	                 "text/html");
	ck_assert_int_eq(buf[0], 'Z');
	ck_assert_str_eq(cw_mime_type("x.a", ".a=a/bcdef", buf, 8), "a/bcdef");
	ck_assert_str_eq(cw_mime_type("x.a", ".a=a/bcdefg,.a=x/y", buf, 8),
	                 "x/y");
}
END_TEST

START_TEST(test_mime_check_extra_accepts_documented_form)
{
	char err[128];

	ck_assert_int_eq(cw_mime_check_extra(NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(cw_mime_check_extra("", err, sizeof(err)), 0);
	ck_assert_int_eq(cw_mime_check_extra(".cpp=plain/text,.java=plain/text",
	                                     err, sizeof(err)),
	                 0);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(
	    cw_mime_check_extra(" .txt=text/plain; charset=utf-8 ,", err,
	                        sizeof(err)),
	    0);
}
END_TEST

START_TEST(test_mime_check_extra_rejects_malformed_entries)
{
	char err[128];
	const char *bad[] = {
	    "cpp=text/plain",
	    ".cpp",
	    ".cpp=",
	    ".=x/y",
	    ".c pp=x/y",
	    ".a=texthtml",
	    ".a=text/html\r\nSet-Cookie: x=y",
	    ".ok=a/b,bad",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_int_eq(cw_mime_check_extra(bad[i], err, sizeof(err)),
		                 -1);
		ck_assert_ptr_nonnull(strstr(err, "extra_mime_types"));
	}
	ck_assert_int_eq(cw_mime_check_extra("cpp=x/y", NULL, 0), -1);
	/* a short error buffer is truncated, still terminated */
	memset(err, 'Z', sizeof(err));
	ck_assert_int_eq(cw_mime_check_extra("cpp=x/y", err, 8), -1);
	ck_assert_uint_eq(strlen(err), 7);
}
END_TEST

START_TEST(test_response_code_text_known_codes)
{
	ck_assert_str_eq(mg_get_response_code_text(NULL, 100), "Continue");
	ck_assert_str_eq(mg_get_response_code_text(NULL, 200), "OK");
	ck_assert_str_eq(mg_get_response_code_text(NULL, 206),
	                 "Partial Content");
	ck_assert_str_eq(mg_get_response_code_text(NULL, 226), "IM used");
	ck_assert_str_eq(mg_get_response_code_text(NULL, 304), "Not Modified");
	ck_assert_str_eq(mg_get_response_code_text(NULL, 308),
	                 "Permanent Redirect");
	ck_assert_str_eq(mg_get_response_code_text(NULL, 404), "Not Found");
	ck_assert_str_eq(mg_get_response_code_text(NULL, 408),
	                 "Request Time-out");
	ck_assert_str_eq(mg_get_response_code_text(NULL, 416),
	                 "Requested range not satisfiable");
	ck_assert_str_eq(mg_get_response_code_text(NULL, 418), "I am a teapot");
	ck_assert_str_eq(mg_get_response_code_text(NULL, 422),
	                 "Unproccessable entity");
	ck_assert_str_eq(mg_get_response_code_text(NULL, 431),
	                 "Request Header Fields Too Large");
	ck_assert_str_eq(mg_get_response_code_text(NULL, 451),
	                 "Unavailable For Legal Reasons");
	ck_assert_str_eq(mg_get_response_code_text(NULL, 500),
	                 "Internal Server Error");
	ck_assert_str_eq(mg_get_response_code_text(NULL, 505),
	                 "HTTP Version not supported");
	ck_assert_str_eq(mg_get_response_code_text(NULL, 509),
	                 "Bandwidth Limit Exceeded");
	ck_assert_str_eq(mg_get_response_code_text(NULL, 511),
	                 "Network Authentication Required");
}
END_TEST

START_TEST(test_response_code_text_unnamed_codes_get_class_name)
{
	ck_assert_str_eq(mg_get_response_code_text(NULL, 103), "Information");
	ck_assert_str_eq(mg_get_response_code_text(NULL, 199), "Information");
	ck_assert_str_eq(mg_get_response_code_text(NULL, 209), "Success");
	ck_assert_str_eq(mg_get_response_code_text(NULL, 306), "Redirection");
	ck_assert_str_eq(mg_get_response_code_text(NULL, 425), "Client Error");
	ck_assert_str_eq(mg_get_response_code_text(NULL, 499), "Client Error");
	ck_assert_str_eq(mg_get_response_code_text(NULL, 599), "Server Error");
}
END_TEST

START_TEST(test_response_code_text_out_of_range_is_empty)
{
	ck_assert_str_eq(mg_get_response_code_text(NULL, 99), "");
	ck_assert_str_eq(mg_get_response_code_text(NULL, 600), "");
	ck_assert_str_eq(mg_get_response_code_text(NULL, 0), "");
	ck_assert_str_eq(mg_get_response_code_text(NULL, -404), "");
	ck_assert_str_eq(mg_get_response_code_text(NULL, 2147483647), "");
	ck_assert_str_eq(mg_get_response_code_text(NULL, -2147483647 - 1), "");
}
END_TEST

/* CivetWeb's own test: every code in 100..599 has a short phrase made of
 * letters, spaces and hyphens. */
START_TEST(test_response_code_text_every_code_is_a_phrase)
{
	int code;
	size_t i, len;
	const char *t;

	for (code = 100; code < 600; code++) {
		t = mg_get_response_code_text(NULL, code);
		ck_assert_ptr_nonnull(t);
		len = strlen(t);
		ck_assert_uint_gt(len, 1);
		ck_assert_uint_lt(len, 32);
		for (i = 0; i < len; i++)
			ck_assert(t[i] == ' ' || t[i] == '-' ||
			          (t[i] >= 'A' && t[i] <= 'Z') ||
			          (t[i] >= 'a' && t[i] <= 'z'));
	}
}
END_TEST

static Suite *mime_suite(void)
{
	Suite *s = suite_create("mime");
	TCase *builtin = tcase_create("builtin");
	TCase *extra = tcase_create("extra_mime_types");
	TCase *status = tcase_create("response_code_text");

	tcase_add_test(builtin, test_builtin_mime_every_civetweb_extension);
	tcase_add_test(builtin, test_builtin_mime_later_civetweb_additions);
	tcase_add_test(builtin, test_builtin_mime_ignores_case);
	tcase_add_test(builtin, test_builtin_mime_uses_text_after_last_dot);
	tcase_add_test(builtin,
	               test_builtin_mime_needs_something_before_the_dot);
	tcase_add_test(builtin, test_builtin_mime_unknown_is_text_plain);
	tcase_add_test(builtin, test_builtin_mime_long_extension_is_text_plain);
	suite_add_tcase(s, builtin);

	tcase_add_test(extra, test_mime_type_extra_overrides_builtin);
	tcase_add_test(extra, test_mime_type_extra_first_matching_entry_wins);
	tcase_add_test(extra, test_mime_type_without_extra_match_uses_builtin);
	tcase_add_test(extra,
	               test_mime_type_extra_too_long_for_buffer_is_skipped);
	tcase_add_test(extra, test_mime_check_extra_accepts_documented_form);
	tcase_add_test(extra, test_mime_check_extra_rejects_malformed_entries);
	suite_add_tcase(s, extra);

	tcase_add_test(status, test_response_code_text_known_codes);
	tcase_add_test(status,
	               test_response_code_text_unnamed_codes_get_class_name);
	tcase_add_test(status, test_response_code_text_out_of_range_is_empty);
	tcase_add_test(status, test_response_code_text_every_code_is_a_phrase);
	suite_add_tcase(s, status);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mime_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
