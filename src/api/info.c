/* info.c - what the library says about itself and a running server:
 * version, built features, system and context information (JSON with
 * CivetWeb's keys). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <wchar.h>

#include "civetd.h"
#include "core/server.h"

/* What this build really does: files (with caching), IPv6, statistics,
 * TLS and WebSocket. */
#define BUILT_FEATURES                                                         \
	(MG_FEATURES_FILES | MG_FEATURES_IPV6 | MG_FEATURES_CACHE |            \
	 MG_FEATURES_STATS | MG_FEATURES_TLS | MG_FEATURES_WEBSOCKET)

const char *mg_version(void)
{
	return CIVETWEB_VERSION;
}

const char *civetd_version(void)
{
	return CIVETD_VERSION;
}

unsigned mg_check_feature(unsigned feature)
{
	return feature & BUILT_FEATURES;
}

static const char *feature_list(void)
{
	return "Files HTTPS IPv6 Cache Stats";
}

/* snprintf that reports the full length even when buffer is NULL. */
static int put(char *buffer, int buflen, int at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int put(char *buffer, int buflen, int at, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *dst = NULL;
	size_t room = 0;

	if (buffer != NULL && buflen > at) {
		dst = buffer + at;
		room = (size_t)(buflen - at);
	}
	va_start(ap, fmt);
	n = vsnprintf(dst, room, fmt, ap);
	va_end(ap);
	return n > 0 ? at + n : at;
}

int mg_get_system_info(char *buffer, int buflen)
{
	struct utsname u;
	int n;

	if (buffer != NULL && buflen > 0)
		buffer[0] = '\0';
	if (uname(&u) != 0)
		memset(&u, 0, sizeof u);
	n = put(buffer, buflen, 0,
	        "{\n\"version\" : \"%s\",\n\"civetd\" : \"%s\",\n"
	        "\"os\" : \"%s %s (%s) - %s\",\n\"features\" : %u,\n"
	        "\"feature_list\" : \"Server: %s\",\n\"build\" : \"%s\",\n"
	        "\"compiler\" : \"%s\",\n\"data_model\" : "
	        "\"int:%u/%u/%u/%u, float:%u/%u/%u, char:%u/%u, ptr:%u, "
	        "size:%u, time:%u\"\n}\n",
	        CIVETWEB_VERSION, CIVETD_VERSION, u.sysname, u.release,
	        u.version, u.machine, BUILT_FEATURES, feature_list(), __DATE__,
	        "gcc/clang " __VERSION__, (unsigned)sizeof(short),
	        (unsigned)sizeof(int), (unsigned)sizeof(long),
	        (unsigned)sizeof(long long), (unsigned)sizeof(float),
	        (unsigned)sizeof(double), (unsigned)sizeof(long double),
	        (unsigned)sizeof(char), (unsigned)sizeof(wchar_t),
	        (unsigned)sizeof(void *), (unsigned)sizeof(size_t),
	        (unsigned)sizeof(time_t));
	if (buffer != NULL && buflen > 0 && n >= buflen)
		buffer[buflen - 1] = '\0';
	return n;
}

int mg_get_context_info(const struct mg_context *ctx, char *buffer, int buflen)
{
	struct cw_totals t;
	char start[32], now[32];
	time_t now_t = time(NULL);
	struct tm tm;
	int n;

	if (buffer != NULL && buflen > 0)
		buffer[0] = '\0';
	if (ctx == NULL)
		return put(buffer, buflen, 0, "{\n\"context\" : \"null\"\n}\n");
	memset(&t, 0, sizeof t);
	cw_stats_sum(ctx->tstats, ctx->nblocks, ctx->conns_ctr, &t);
	gmtime_r(&ctx->start_time, &tm);
	strftime(start, sizeof start, "%Y-%m-%dT%H:%M:%SZ", &tm);
	gmtime_r(&now_t, &tm);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = put(buffer, buflen, 0,
	        "{\n\"context\" : \"%s\",\n"
	        "\"connections\" : {\n\"active\" : %lld,\n\"maxActive\" : "
	        "%lld,\n\"total\" : %llu,\n\"tooSlow\" : %llu\n},\n"
	        "\"requests\" : {\n\"total\" : %llu\n},\n"
	        "\"data\" : {\n\"read\" : %llu,\n\"written\" : %llu\n},\n"
	        "\"time\" : {\n\"uptime\" : %lld,\n\"start\" : \"%s\",\n"
	        "\"now\" : \"%s\"\n}\n}\n",
	        atomic_load(&ctx->stopping) ? "stopping" : "in use",
	        (long long)t.open,
	        (long long)atomic_load(&ctx->conns_ctr->max_open),
	        (unsigned long long)t.accepted, (unsigned long long)t.too_slow,
	        (unsigned long long)t.requests, (unsigned long long)t.bytes_in,
	        (unsigned long long)t.bytes_out,
	        (long long)(now_t - ctx->start_time), start, now);
	if (buffer != NULL && buflen > 0 && n >= buflen)
		buffer[buflen - 1] = '\0';
	return n;
}
