/* check_options.c - the option table and its validation (src/options.c):
 * every CivetWeb option with its type and default, the options 1.16 added
 * and civetd's own, and the refusal of unknown names and bad values with
 * the option's name and the reason. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "civetweb.h"
#include "core/listen_spec.h"
#include "core/options.h"

#define NUM   MG_CONFIG_TYPE_NUMBER
#define STR   MG_CONFIG_TYPE_STRING
#define FILE_ MG_CONFIG_TYPE_FILE
#define DIR_  MG_CONFIG_TYPE_DIRECTORY
#define BOOL  MG_CONFIG_TYPE_BOOLEAN
#define PAT   MG_CONFIG_TYPE_EXT_PATTERN
#define LIST  MG_CONFIG_TYPE_STRING_LIST
#define MULTI MG_CONFIG_TYPE_STRING_MULTILINE
#define YNO   MG_CONFIG_TYPE_YES_NO_OPTIONAL

/* mg_get_valid_options() of CivetWeb 1.15 as Debian builds it (Linux,
 * WebSocket on, no Lua), recorded with a probe program against
 * libcivetweb. Every one of them must be here with the same type and
 * default. */
static const struct mg_option civetweb_115[] = {
    {"listening_ports", LIST, "8080"},
    {"num_threads", NUM, "50"},
    {"run_as_user", STR, NULL},
    {"tcp_nodelay", NUM, "0"},
    {"max_request_size", NUM, "16384"},
    {"linger_timeout_ms", NUM, NULL},
    {"connection_queue", NUM, "20"},
    {"listen_backlog", NUM, "200"},
    {"allow_sendfile_call", BOOL, "yes"},
    {"throttle", LIST, NULL},
    {"enable_keep_alive", BOOL, "no"},
    {"request_timeout_ms", NUM, "30000"},
    {"keep_alive_timeout_ms", NUM, "500"},
    {"websocket_timeout_ms", NUM, NULL},
    {"enable_websocket_ping_pong", BOOL, "no"},
    {"decode_url", BOOL, "yes"},
    {"decode_query_string", BOOL, "no"},
    {"document_root", DIR_, NULL},
    {"access_log_file", FILE_, NULL},
    {"error_log_file", FILE_, NULL},
    {"cgi_pattern", PAT, "**.cgi$|**.pl$|**.php$"},
    {"cgi_environment", LIST, NULL},
    {"cgi_interpreter", FILE_, NULL},
    {"cgi_interpreter_args", STR, NULL},
    {"cgi2_pattern", PAT, NULL},
    {"cgi2_environment", LIST, NULL},
    {"cgi2_interpreter", FILE_, NULL},
    {"cgi2_interpreter_args", STR, NULL},
    {"put_delete_auth_file", FILE_, NULL},
    {"protect_uri", LIST, NULL},
    {"authentication_domain", STR, "mydomain.com"},
    {"enable_auth_domain_check", BOOL, "yes"},
    {"ssi_pattern", PAT, "**.shtml$|**.shtm$"},
    {"enable_directory_listing", BOOL, "yes"},
    {"global_auth_file", FILE_, NULL},
    {"index_files", LIST,
     "index.xhtml,index.html,index.htm,index.cgi,index.shtml,index.php"},
    {"access_control_list", LIST, NULL},
    {"extra_mime_types", LIST, NULL},
    {"ssl_certificate", FILE_, NULL},
    {"ssl_certificate_chain", FILE_, NULL},
    {"url_rewrite_patterns", LIST, NULL},
    {"hide_files_patterns", PAT, NULL},
    {"ssl_verify_peer", YNO, "no"},
    {"ssl_cache_timeout", NUM, "-1"},
    {"ssl_ca_path", DIR_, NULL},
    {"ssl_ca_file", FILE_, NULL},
    {"ssl_verify_depth", NUM, "9"},
    {"ssl_default_verify_paths", BOOL, "yes"},
    {"ssl_cipher_list", STR, NULL},
    {"ssl_protocol_version", NUM, "4"},
    {"ssl_short_trust", BOOL, "no"},
    {"websocket_root", DIR_, NULL},
    {"access_control_allow_origin", STR, "*"},
    {"access_control_allow_methods", STR, "*"},
    {"access_control_allow_headers", STR, "*"},
    {"error_pages", DIR_, NULL},
    {"static_file_max_age", NUM, "3600"},
    {"static_file_cache_control", STR, NULL},
    {"strict_transport_security_max_age", NUM, NULL},
    {"additional_header", MULTI, NULL},
    {"allow_index_script_resource", BOOL, "no"},
};

/* What CivetWeb 1.16 added to that list (prespawn_threads, fallback
 * roots, CGI buffering, WebDAV) and the options Debian's build leaves out
 * (cgi*_timeout_ms need USE_TIMERS). */
static const struct mg_option civetweb_116_added[] = {
    {"prespawn_threads", NUM, "0"}, {"fallback_document_root", DIR_, NULL},
    {"cgi_timeout_ms", NUM, NULL},  {"cgi_buffering", BOOL, "yes"},
    {"cgi2_timeout_ms", NUM, NULL}, {"cgi2_buffering", BOOL, "yes"},
    {"enable_webdav", BOOL, "no"},  {"fallback_websocket_root", DIR_, NULL},
};

/* civetd's own options (prefork master, workers, body limit). */
static const struct mg_option civetd_own[] = {
    {"num_workers", NUM, NULL},
    {"admin_socket", STR, NULL},
    {"pid_file", FILE_, NULL},
    {"worker_shutdown_timeout_ms", NUM, "10000"},
    {"max_requests_per_worker", NUM, "0"},
    {"max_body_size", NUM, "1073741824"},
    {"worker_hang_timeout_ms", NUM, "60000"},
    {"upgrade_timeout_ms", NUM, "30000"},
    {"body_buffer_size", NUM, "65536"},
    {"min_receive_rate", NUM, "500"},
    {"min_send_rate", NUM, "500"},
    {"ssl_ticket_key_file", STR, NULL},
    {"add_domain", STR, NULL},
    {"tcp_defer_accept", BOOL, "yes"},
    {"allow_symlinks_outside_root", BOOL, "no"},
    {"open_file_cache_size", NUM, "1000"},
    {"compression", BOOL, "no"},
    {"compression_min_size", NUM, "1024"},
    {"compression_level", NUM, "6"},
    {"compression_mime_types", LIST,
     "text/*,application/javascript,application/json,application/xml,"
     "application/wasm,image/svg+xml"},
    {"compression_cache_size", NUM, "33554432"},
    {"compression_dynamic", BOOL, "no"},
    {"metrics_listen", STR, NULL},
    {"status_page_uri", STR, NULL},
    /* CORS: CivetWeb's names from after 1.16, civetd's own here */
    {"access_control_expose_headers", STR, NULL},
    {"access_control_allow_credentials", STR, NULL},
    {"access_control_max_age", NUM, NULL},
    {"websocket_max_message_size", NUM, "16777216"},
    {"websocket_max_queued", NUM, "33554432"},
    /* operations: the health endpoint and the JSON access log */
    {"health_check_uri", STR, NULL},
    {"access_log_format", STR, "civetweb"},
};

/* Deliberately absent: options that exist only after 1.16 (CORS
 * additions of May 2023, but for the two civetd has as its own), or only
 * in builds with features civetd does not have (Lua, Duktape, HTTP/2,
 * Windows). */
static const char *const absent[] = {
    "replace_asterisk_with_origin",
    "enable_http2",
    "case_sensitive",
    "lua_background_script",
    "lua_preload_file",
    "lua_script_pattern",
    "lua_server_page_pattern",
    "lua_websocket_pattern",
    "duktape_script_pattern",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static struct cw_options opt;
static char err[512];

static void setup(void)
{
	memset(&opt, 0, sizeof opt);
	err[0] = '\0';
}

static void teardown(void)
{
	cw_options_free(&opt);
}

static const struct mg_option *lookup(const char *name)
{
	int i = cw_options_find(name);

	return i < 0 ? NULL : &cw_options_table()[i];
}

static void check_row(const struct mg_option *want)
{
	const struct mg_option *got = lookup(want->name);

	ck_assert_msg(got != NULL, "option %s is missing", want->name);
	ck_assert_msg(got->type == want->type, "%s: type %d, want %d",
	              want->name, got->type, want->type);
	if (want->default_value == NULL)
		ck_assert_msg(got->default_value == NULL,
		              "%s: default '%s', want none", want->name,
		              got->default_value);
	else
		ck_assert_msg(
		    got->default_value != NULL &&
		        strcmp(got->default_value, want->default_value) == 0,
		    "%s: default '%s', want '%s'", want->name,
		    got->default_value ? got->default_value : "(none)",
		    want->default_value);
}

/* Set one option; returns what cw_options_set returned. */
static int set(const char *name, const char *value)
{
	err[0] = '\0';
	return cw_options_set(&opt, name, value, err, sizeof err);
}

/* The set is refused, and err starts with "name:" and holds `why`. */
static void refused(const char *name, const char *value, const char *why)
{
	char prefix[128];

	ck_assert_msg(set(name, value) == -1, "%s=%s was accepted", name,
	              value);
	snprintf(prefix, sizeof prefix, "%s:", name);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0,
	              "error '%s' does not start with '%s'", err, prefix);
	ck_assert_msg(strstr(err, why) != NULL, "error '%s' lacks '%s'", err,
	              why);
}

static void accepted(const char *name, const char *value)
{
	ck_assert_msg(set(name, value) == 0, "%s=%s refused: %s", name, value,
	              err);
}

/* ---- the table ----------------------------------------------------------- */

START_TEST(every_civetweb_115_option_has_its_type_and_default)
{
	for (size_t i = 0; i < COUNT(civetweb_115); i++)
		check_row(&civetweb_115[i]);
}
END_TEST

START_TEST(options_added_in_116_are_present)
{
	for (size_t i = 0; i < COUNT(civetweb_116_added); i++)
		check_row(&civetweb_116_added[i]);
}
END_TEST

START_TEST(civetd_options_are_present)
{
	for (size_t i = 0; i < COUNT(civetd_own); i++)
		check_row(&civetd_own[i]);
}
END_TEST

START_TEST(later_and_build_specific_options_are_absent)
{
	for (size_t i = 0; i < COUNT(absent); i++)
		ck_assert_msg(cw_options_find(absent[i]) == -1,
		              "%s should not be offered", absent[i]);
}
END_TEST

START_TEST(table_has_exactly_the_known_options_once)
{
	const struct mg_option *t = mg_get_valid_options();
	size_t n = 0;

	ck_assert_ptr_eq(t, cw_options_table());
	for (; t[n].name != NULL; n++) {
		for (size_t j = 0; j < n; j++)
			ck_assert_msg(strcmp(t[j].name, t[n].name) != 0,
			              "%s listed twice", t[n].name);
		ck_assert_int_eq(cw_options_find(t[n].name), (int)n);
	}
	ck_assert_int_eq(t[n].type, MG_CONFIG_TYPE_UNKNOWN);
	ck_assert_ptr_null(t[n].default_value);
	ck_assert_int_eq(n, CW_OPT_COUNT);
	ck_assert_int_eq(n, COUNT(civetweb_115) + COUNT(civetweb_116_added) +
	                        COUNT(civetd_own));
}
END_TEST

START_TEST(names_are_found_exactly_and_case_sensitively)
{
	ck_assert_int_eq(cw_options_find("num_threads"), CW_OPT_NUM_THREADS);
	ck_assert_int_eq(cw_options_find("Num_Threads"), -1);
	ck_assert_int_eq(cw_options_find("num_threads "), -1);
	ck_assert_int_eq(cw_options_find("num_thread"), -1);
	ck_assert_int_eq(cw_options_find(""), -1);
	ck_assert_int_eq(cw_options_find(NULL), -1);
}
END_TEST

START_TEST(implemented_flags_tell_what_works)
{
	ck_assert_int_eq(cw_options_implemented(CW_OPT_NUM_THREADS), 1);
	ck_assert_int_eq(cw_options_implemented(CW_OPT_DOCUMENT_ROOT), 1);
	ck_assert_int_eq(cw_options_implemented(CW_OPT_ADDITIONAL_HEADER), 1);
	/* CGI is not built; its patterns name what is never sent */
	ck_assert_int_eq(cw_options_implemented(CW_OPT_CGI_TIMEOUT_MS), 0);
	ck_assert_int_eq(cw_options_implemented(CW_OPT_CGI_PATTERN), 1);
	ck_assert_int_eq(cw_options_implemented(CW_OPT_SSL_CERTIFICATE), 1);
	ck_assert_int_eq(cw_options_implemented(CW_OPT_SSL_SHORT_TRUST), 1);
	ck_assert_int_eq(cw_options_implemented(CW_OPT_THROTTLE), 1);
}
END_TEST

/* ---- refusing ----------------------------------------------------------- */

START_TEST(unknown_option_is_refused_with_its_name)
{
	const char *kv[] = {"num_threads", "4", "no_such_option", "1", NULL};

	ck_assert_int_eq(cw_options_parse(&opt, kv, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "no_such_option"));
	ck_assert_ptr_nonnull(strstr(err, "unknown option"));
}
END_TEST

/* CivetWeb stores the whole list before it checks a value, so it names
 * the unknown option even when an earlier one has a bad value. */
START_TEST(unknown_name_is_reported_before_an_earlier_bad_value)
{
	const char *kv[] = {"num_threads", "badnumber", "no_such_option", "1",
	                    NULL};

	ck_assert_int_eq(cw_options_parse(&opt, kv, err, sizeof err), -1);
	ck_assert_int_eq(opt.err_kind, CW_OPT_ERR_NAME);
	ck_assert_ptr_nonnull(strstr(err, "no_such_option"));
}
END_TEST

START_TEST(missing_value_is_refused)
{
	const char *kv[] = {"num_threads", NULL};

	ck_assert_int_eq(cw_options_parse(&opt, kv, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "num_threads"));
	ck_assert_ptr_nonnull(strstr(err, "missing value"));
}
END_TEST

START_TEST(non_numeric_numbers_are_refused)
{
	refused("num_threads", "abc", "not a number");
	refused("num_threads", "12abc", "not a number");
	refused("num_threads", "", "not a number");
	refused("num_threads", "4.5", "not a number");
	refused("request_timeout_ms", "30s", "not a number");
	refused("max_request_size", "16k", "not a number");
	refused("listen_backlog", " ", "not a number");
}
END_TEST

START_TEST(numbers_out_of_range_are_refused)
{
	refused("num_threads", "0", "out of range");
	refused("num_threads", "-1", "out of range");
	refused("max_request_size", "1023", "out of range");
	refused("max_request_size", "0", "out of range");
	refused("listen_backlog", "0", "out of range");
	refused("request_timeout_ms", "-5", "out of range");
	refused("keep_alive_timeout_ms", "-1", "out of range");
	refused("max_body_size", "-1", "out of range");
	refused("ssl_cache_timeout", "99999999999999999999", "out of range");
	/* the reason gives the limits */
	refused("num_threads", "0", "1 to 4096");
	refused("max_request_size", "1", "1024");
}
END_TEST

START_TEST(numbers_at_the_limits_are_accepted)
{
	accepted("num_threads", "1");
	accepted("num_threads", "4096");
	accepted("max_request_size", "1024");
	accepted("request_timeout_ms", "0");
	accepted("keep_alive_timeout_ms", "0");
	accepted("linger_timeout_ms", "-2");
	accepted("prespawn_threads", "-1");
	accepted("ssl_cache_timeout", "-1");
	accepted("max_body_size", "0");
}
END_TEST

START_TEST(booleans_other_than_yes_and_no_are_refused)
{
	refused("enable_keep_alive", "maybe", "expected yes or no");
	refused("enable_keep_alive", "true", "expected yes or no");
	refused("enable_keep_alive", "1", "expected yes or no");
	refused("decode_url", "", "expected yes or no");
	refused("allow_sendfile_call", "off", "expected yes or no");
	accepted("enable_keep_alive", "yes");
	accepted("enable_keep_alive", "YES");
	accepted("decode_url", "No");
	ck_assert_int_eq(cw_options_finish(&opt, err, sizeof err), 0);
	ck_assert_int_eq(opt.enable_keep_alive, 1);
	ck_assert_int_eq(opt.decode_url, 0);
}
END_TEST

START_TEST(yes_no_optional_takes_optional)
{
	accepted("ssl_verify_peer", "optional");
	accepted("ssl_verify_peer", "yes");
	refused("ssl_verify_peer", "sometimes", "optional");
}
END_TEST

START_TEST(malformed_extra_mime_types_are_refused)
{
	refused("extra_mime_types", ".foo", "missing '='");
	refused("extra_mime_types", "foo=text/foo", "extension");
	refused("extra_mime_types", ".foo=", "empty type");
	refused("extra_mime_types", ".foo=text", "type/subtype");
	refused("extra_mime_types", ".a=text/a,.b", "'='");
	accepted("extra_mime_types", ".foo=text/foo,.bar=application/bar");
	ck_assert_str_eq(cw_options_get(&opt, CW_OPT_EXTRA_MIME_TYPES),
	                 ".foo=text/foo,.bar=application/bar");
}
END_TEST

START_TEST(document_root_must_be_a_directory)
{
	char dir[] = "/tmp/check_options_XXXXXX";
	char file[64];
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(file, sizeof file, "%s/plain", dir);
	f = fopen(file, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	refused("document_root", "/nonexistent/civetd/root",
	        "is not a directory");
	refused("document_root", file, "is not a directory");
	refused("error_pages", file, "is not a directory");
	accepted("document_root", dir);
	ck_assert_str_eq(cw_options_get(&opt, CW_OPT_DOCUMENT_ROOT), dir);
	unlink(file);
	rmdir(dir);
}
END_TEST

START_TEST(listening_ports_are_checked_when_set)
{
	refused("listening_ports", "garbage", "'garbage'");
	refused("listening_ports", "80x", "bad port or suffix");
	refused("listening_ports", "70000", "bad port");
	refused("listening_ports", "", "no port");
	accepted("listening_ports", "8443s");
	accepted("listening_ports", "127.0.0.1:8443s,[::1]:8080");
	accepted("listening_ports", "80r,443s");
	refused("listening_ports", "[::1", "IPv6");
	accepted("listening_ports", "8080");
	accepted("listening_ports", "127.0.0.1:8080,[::1]:8080,+8081,8082o");
	/* p: the PROXY protocol, with the others, once */
	accepted("listening_ports", "8080p,8443sp,[::1]:8081po,127.0.0.1:80rp");
	refused("listening_ports", "8080pp", "bad port or suffix");
	refused("listening_ports", "p8080", "bad port or suffix");
}
END_TEST

/* CivetWeb takes a '+' before the port of an address as a sign, so
 * "[::1]:+8080" listens on [::1] port 8080 (IPv6 only) and
 * "127.0.0.1:+8080" on 127.0.0.1; a second '+' is still an error. */
START_TEST(plus_before_an_address_port_is_a_sign)
{
	struct cw_listen_spec *v = NULL;
	char why[256];
	int n = 0;

	ck_assert_int_eq(cw_listen_parse("[::1]:+8080,127.0.0.1:+8081s", &v, &n,
	                                 why, sizeof why),
	                 0);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(v[0].host, "::1");
	ck_assert_int_eq(v[0].port, 8080);
	ck_assert_int_eq(v[0].ipv6, 1);
	ck_assert_int_eq(v[0].dual, 0);
	ck_assert_str_eq(v[1].host, "127.0.0.1");
	ck_assert_int_eq(v[1].port, 8081);
	ck_assert_int_eq(v[1].is_ssl, 1);
	ck_assert_int_eq(v[1].dual, 0);
	free(v);
	refused("listening_ports", "[::1]:++8080", "bad port or suffix");
	refused("listening_ports", "++8080", "bad port or suffix");
}
END_TEST

START_TEST(failed_set_keeps_previous_value)
{
	accepted("num_threads", "8");
	refused("num_threads", "zero", "not a number");
	ck_assert_str_eq(cw_options_get(&opt, CW_OPT_NUM_THREADS), "8");
}
END_TEST

START_TEST(later_value_replaces_earlier_one)
{
	accepted("num_threads", "8");
	accepted("num_threads", "9");
	ck_assert_str_eq(cw_options_get(&opt, CW_OPT_NUM_THREADS), "9");
}
END_TEST

/* ---- additional_header --------------------------------------------------- */

START_TEST(additional_header_accumulates_lines)
{
	accepted("additional_header", "X-Frame-Options: SAMEORIGIN");
	accepted("additional_header", "X-A: 1");
	accepted("additional_header", "X-B:2");
	ck_assert_int_eq(cw_options_finish(&opt, err, sizeof err), 0);
	ck_assert_str_eq(opt.additional_headers,
	                 "X-Frame-Options: SAMEORIGIN\r\nX-A: 1\r\nX-B:2\r\n");
	ck_assert_str_eq(cw_options_get(&opt, CW_OPT_ADDITIONAL_HEADER),
	                 "X-Frame-Options: SAMEORIGIN\r\nX-A: 1\r\nX-B:2");
}
END_TEST

START_TEST(additional_header_value_may_hold_several_lines)
{
	/* lone LF separators become CRLF: the block grows by one byte per
	 * line, which must fit (run under the sanitizers) */
	accepted("additional_header", "A: 1\nB: 2\nC: 3\nD: 4\n");
	ck_assert_int_eq(cw_options_finish(&opt, err, sizeof err), 0);
	ck_assert_str_eq(opt.additional_headers,
	                 "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n");
}
END_TEST

START_TEST(additional_header_line_without_colon_is_refused)
{
	refused("additional_header", "NoColonHere", "NoColonHere");
	refused("additional_header", "NoColonHere", "Name: value");
	refused("additional_header", "X-Ok: 1\r\nBroken", "'Broken'");
	refused("additional_header", ": empty name", "Name: value");
	refused("additional_header", "Bad Name: x", "Name: value");
	refused("additional_header", "X-Ctl: a\x01z", "control character");
	/* nothing of the refused values was kept */
	ck_assert_ptr_null(opt.value[CW_OPT_ADDITIONAL_HEADER]);
	ck_assert_int_eq(cw_options_finish(&opt, err, sizeof err), 0);
	ck_assert_ptr_null(opt.additional_headers);
}
END_TEST

START_TEST(additional_header_checked_again_when_finishing)
{
	/* a caller that filled the value directly still gets the check */
	opt.value[CW_OPT_ADDITIONAL_HEADER] = strdup("X-A: 1\r\nnope");
	ck_assert_int_eq(cw_options_finish(&opt, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "additional_header"));
	ck_assert_ptr_nonnull(strstr(err, "nope"));
}
END_TEST

START_TEST(hsts_is_a_line_of_its_own)
{
	/* kept apart from the lines: it goes on TLS connections only */
	accepted("additional_header", "X-A: 1");
	accepted("strict_transport_security_max_age", "3600");
	ck_assert_int_eq(cw_options_finish(&opt, err, sizeof err), 0);
	ck_assert_str_eq(opt.additional_headers, "X-A: 1\r\n");
	ck_assert_str_eq(opt.hsts_header,
	                 "Strict-Transport-Security: max-age=3600\r\n");
	accepted("strict_transport_security_max_age", "-1");
	ck_assert_int_eq(cw_options_finish(&opt, err, sizeof err), 0);
	ck_assert_ptr_null(opt.hsts_header);
}
END_TEST

START_TEST(access_control_values_are_checked_where_set)
{
	ck_assert_int_eq(cw_options_implemented(CW_OPT_ACCESS_CONTROL_LIST), 1);
	ck_assert_int_eq(
	    cw_options_implemented(CW_OPT_ACCESS_CONTROL_ALLOW_ORIGIN), 1);
	refused("access_control_list", "+1.2.3.4,+nope", "'+nope'");
	refused("access_control_list", "1.2.3.4", "'1.2.3.4'");
	ck_assert_ptr_null(opt.value[CW_OPT_ACCESS_CONTROL_LIST]);
	accepted("access_control_list", "-0.0.0.0/0,+127.0.0.1,+::1");
	ck_assert_int_eq(cw_options_finish(&opt, err, sizeof err), 0);
	ck_assert_ptr_nonnull(opt.acl);
	refused("access_control_allow_origin", "https://a\r\nX-Evil: 1",
	        "control character");
	refused("access_control_expose_headers", "a\x01", "control character");
	refused("access_control_max_age", "-5", "out of range");
	accepted("access_control_allow_credentials", "true");
	accepted("access_control_max_age", "600");
}
END_TEST

/* ---- values in effect --------------------------------------------------- */

START_TEST(get_returns_default_then_set_value)
{
	ck_assert_str_eq(cw_options_get(&opt, CW_OPT_NUM_THREADS), "50");
	ck_assert_str_eq(cw_options_get(&opt, CW_OPT_ENABLE_KEEP_ALIVE), "no");
	ck_assert_str_eq(cw_options_get(&opt, CW_OPT_RUN_AS_USER), "");
	ck_assert_str_eq(cw_options_get(&opt, CW_OPT_DOCUMENT_ROOT), "");
	ck_assert_int_eq(cw_options_is_set(&opt, CW_OPT_NUM_THREADS), 0);
	accepted("num_threads", "50");
	ck_assert_int_eq(cw_options_is_set(&opt, CW_OPT_NUM_THREADS), 0);
	accepted("num_threads", "8");
	ck_assert_str_eq(cw_options_get(&opt, CW_OPT_NUM_THREADS), "8");
	ck_assert_int_eq(cw_options_is_set(&opt, CW_OPT_NUM_THREADS), 1);
	accepted("run_as_user", "nobody");
	ck_assert_str_eq(cw_options_get(&opt, CW_OPT_RUN_AS_USER), "nobody");
	ck_assert_int_eq(cw_options_is_set(&opt, CW_OPT_RUN_AS_USER), 1);
}
END_TEST

START_TEST(parse_of_nothing_gives_the_defaults)
{
	ck_assert_int_eq(cw_options_parse(&opt, NULL, err, sizeof err), 0);
	ck_assert_int_eq(opt.num_threads, 50);
	ck_assert_int_eq(opt.prespawn_threads, 0);
	ck_assert_int_eq(opt.tcp_nodelay, 0);
	ck_assert_uint_eq(opt.max_request_size, 16384);
	ck_assert_int_eq(opt.linger_timeout_ms, -2);
	ck_assert_int_eq(opt.listen_backlog, 200);
	ck_assert_int_eq(opt.enable_keep_alive, 0);
	ck_assert_int_eq(opt.request_timeout_ms, 30000);
	ck_assert_int_eq(opt.keep_alive_timeout_ms, 500);
	ck_assert_int_eq(opt.decode_url, 1);
	ck_assert_int_eq(opt.decode_query_string, 0);
	ck_assert_int_eq(opt.allow_sendfile, 1);
	ck_assert_int_eq(opt.static_file_max_age, 3600);
	ck_assert_int_eq(opt.max_body_size, 1073741824LL);
	ck_assert_ptr_null(opt.additional_headers);
}
END_TEST

START_TEST(parse_derives_the_numbers_the_server_reads)
{
	const char *kv[] = {"num_threads",
	                    "7",
	                    "max_request_size",
	                    "2048",
	                    "enable_keep_alive",
	                    "yes",
	                    "keep_alive_timeout_ms",
	                    "1500",
	                    "request_timeout_ms",
	                    "2500",
	                    "linger_timeout_ms",
	                    "100",
	                    "listen_backlog",
	                    "16",
	                    "tcp_nodelay",
	                    "1",
	                    "decode_url",
	                    "no",
	                    "max_body_size",
	                    "4096",
	                    NULL};

	ck_assert_int_eq(cw_options_parse(&opt, kv, err, sizeof err), 0);
	ck_assert_int_eq(opt.num_threads, 7);
	ck_assert_uint_eq(opt.max_request_size, 2048);
	ck_assert_int_eq(opt.enable_keep_alive, 1);
	ck_assert_int_eq(opt.keep_alive_timeout_ms, 1500);
	ck_assert_int_eq(opt.request_timeout_ms, 2500);
	ck_assert_int_eq(opt.linger_timeout_ms, 100);
	ck_assert_int_eq(opt.listen_backlog, 16);
	ck_assert_int_eq(opt.tcp_nodelay, 1);
	ck_assert_int_eq(opt.decode_url, 0);
	ck_assert_int_eq(opt.max_body_size, 4096);
}
END_TEST

START_TEST(unimplemented_options_are_accepted)
{
	/* CivetWeb programs that set them still start (context.c warns) */
	accepted("cgi_pattern", "**.cgi$");
	accepted("ssl_certificate", "/nonexistent/cert.pem");
	accepted("websocket_root", "/nonexistent/dir");
	accepted("throttle", "*=1k");
	ck_assert_int_eq(cw_options_is_set(&opt, CW_OPT_CGI_PATTERN), 1);
}
END_TEST

/* health_check_uri and access_log_format; run_as_user works now */
START_TEST(operations_options_are_checked_where_set)
{
	accepted("health_check_uri", "/healthz");
	accepted("health_check_uri", "");
	refused("health_check_uri", "healthz", "is not a path");
	refused("health_check_uri", "/health?x", "is not a path");
	refused("health_check_uri", "/a b", "is not a path");
	accepted("access_log_format", "json");
	accepted("access_log_format", "civetweb");
	refused("access_log_format", "JSON", "expected civetweb or json");
	ck_assert_int_eq(cw_options_implemented(CW_OPT_RUN_AS_USER), 1);
	ck_assert_int_eq(cw_options_finish(&opt, err, sizeof err), 0);
	ck_assert_ptr_null(opt.health_check_uri);
	ck_assert_int_eq(opt.access_log_json, 0);
	accepted("health_check_uri", "/healthz");
	accepted("access_log_format", "json");
	ck_assert_int_eq(cw_options_finish(&opt, err, sizeof err), 0);
	ck_assert_str_eq(opt.health_check_uri, "/healthz");
	ck_assert_int_eq(opt.access_log_json, 1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("options");
	TCase *t = tcase_create("table");
	TCase *r = tcase_create("refusing");
	TCase *h = tcase_create("additional_header");
	TCase *v = tcase_create("values");

	tcase_add_test(t, every_civetweb_115_option_has_its_type_and_default);
	tcase_add_test(t, options_added_in_116_are_present);
	tcase_add_test(t, civetd_options_are_present);
	tcase_add_test(t, later_and_build_specific_options_are_absent);
	tcase_add_test(t, table_has_exactly_the_known_options_once);
	tcase_add_test(t, names_are_found_exactly_and_case_sensitively);
	tcase_add_test(t, implemented_flags_tell_what_works);
	suite_add_tcase(s, t);

	tcase_add_checked_fixture(r, setup, teardown);
	tcase_add_test(r, unknown_option_is_refused_with_its_name);
	tcase_add_test(r, unknown_name_is_reported_before_an_earlier_bad_value);
	tcase_add_test(r, missing_value_is_refused);
	tcase_add_test(r, non_numeric_numbers_are_refused);
	tcase_add_test(r, numbers_out_of_range_are_refused);
	tcase_add_test(r, numbers_at_the_limits_are_accepted);
	tcase_add_test(r, booleans_other_than_yes_and_no_are_refused);
	tcase_add_test(r, yes_no_optional_takes_optional);
	tcase_add_test(r, malformed_extra_mime_types_are_refused);
	tcase_add_test(r, document_root_must_be_a_directory);
	tcase_add_test(r, listening_ports_are_checked_when_set);
	tcase_add_test(r, plus_before_an_address_port_is_a_sign);
	tcase_add_test(r, failed_set_keeps_previous_value);
	tcase_add_test(r, later_value_replaces_earlier_one);
	suite_add_tcase(s, r);

	tcase_add_checked_fixture(h, setup, teardown);
	tcase_add_test(h, hsts_is_a_line_of_its_own);
	tcase_add_test(h, access_control_values_are_checked_where_set);
	tcase_add_test(h, additional_header_accumulates_lines);
	tcase_add_test(h, additional_header_value_may_hold_several_lines);
	tcase_add_test(h, additional_header_line_without_colon_is_refused);
	tcase_add_test(h, additional_header_checked_again_when_finishing);
	suite_add_tcase(s, h);

	tcase_add_checked_fixture(v, setup, teardown);
	tcase_add_test(v, get_returns_default_then_set_value);
	tcase_add_test(v, parse_of_nothing_gives_the_defaults);
	tcase_add_test(v, parse_derives_the_numbers_the_server_reads);
	tcase_add_test(v, unimplemented_options_are_accepted);
	tcase_add_test(v, operations_options_are_checked_where_set);
	suite_add_tcase(s, v);
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
