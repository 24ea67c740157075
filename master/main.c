/* main.c - civetd, the server program: reads the configuration (a
 * CivetWeb-style file of "option value" lines plus -option value overrides)
 * and serves it. This first version runs one process (the classic
 * mg_start()); the prefork master/worker mode replaces the loop below. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civetd.h"
#include "civetweb.h"

#define MAX_OPTS 256

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: civetd [-c FILE] [-t] [-OPTION VALUE ...]\n"
	           "  -c FILE   read options from FILE (\"option value\" "
	           "lines, # comments)\n"
	           "  -t        check the configuration and exit\n");
}

/* Append name/value to opts (both copied). */
static int add_opt(const char **opts, int *n, const char *name,
                   const char *value)
{
	if (*n + 2 >= MAX_OPTS)
		return -1;
	opts[(*n)++] = strdup(name);
	opts[(*n)++] = strdup(value);
	opts[*n] = NULL;
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	                 e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int read_config(const char *path, const char **opts, int *n)
{
	char line[4096];
	int lineno = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		fprintf(stderr, "civetd: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		char *s = trim(line), *v;

		lineno++;
		if (*s == '\0' || *s == '#')
			continue;
		v = s + strcspn(s, " \t");
		if (*v == '\0') {
			fprintf(stderr, "civetd: %s:%d: option '%s' has no value\n",
			        path, lineno, s);
			fclose(f);
			return -1;
		}
		*v++ = '\0';
		if (add_opt(opts, n, s, trim(v)) != 0) {
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	const char *opts[MAX_OPTS + 1] = {NULL};
	char errtext[512] = "";
	struct mg_error_data err = {0, 0, errtext, sizeof errtext};
	struct mg_init_data init = {NULL, NULL, opts};
	struct mg_callbacks cb;
	struct mg_context *ctx;
	int n = 0, check_only = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			if (read_config(argv[++i], opts, &n) != 0)
				return 1;
		} else if (strcmp(argv[i], "-t") == 0) {
			check_only = 1;
		} else if (strcmp(argv[i], "-h") == 0 ||
		           strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' && i + 1 < argc) {
			add_opt(opts, &n, argv[i] + 1, argv[i + 1]);
			i++;
		} else {
			usage(stderr);
			return 2;
		}
	}
	memset(&cb, 0, sizeof cb);
	init.callbacks = &cb;
	if (check_only)
		return 0;
	mg_init_library(0);
	ctx = mg_start2(&init, &err);
	if (ctx == NULL) {
		fprintf(stderr, "civetd: %s\n", errtext);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "civetd %s: serving %s on %s\n", civetd_version(),
	        mg_get_option(ctx, "document_root"),
	        mg_get_option(ctx, "listening_ports"));
	while (!stop_requested)
		pause();
	mg_stop(ctx);
	mg_exit_library();
	return 0;
}
