/* main.c - civetd, the server program: CivetWeb's command line
 * (`civetd [-c FILE | FILE] [-OPTION VALUE ...]`) over civetd_run(), the
 * same call a CivetWeb program makes to become a preforked server.
 * `civetd -t` checks the configuration and exits without binding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civetd.h"

#define MAX_ARGS 512

static void usage(FILE *f)
{
	fprintf(
	    f, "usage: civetd [-c FILE | FILE] [-t] [-OPTION VALUE ...]\n"
	       "  -c FILE    read options from FILE (\"option value\" lines, "
	       "# comments)\n"
	       "  -t         check the configuration and exit (binds nothing)\n"
	       "  -OPTION V  set an option, overriding the file\n"
	       "  -h         this help;  -v  version\n");
}

int main(int argc, char **argv)
{
	const char *opts[MAX_ARGS + 3];
	char text[1024] = "";
	struct mg_error_data err = {0, 0, text, sizeof text};
	struct mg_callbacks cb;
	struct mg_init_data init = {&cb, NULL, opts};
	int n = 0, check = 0;

	memset(&cb, 0, sizeof cb);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "-v") == 0 ||
		           strcmp(a, "--version") == 0) {
			printf("civetd %s (CivetWeb API %s)\n",
			       civetd_version(), mg_version());
			return 0;
		} else if (strcmp(a, "-t") == 0) {
			check = 1;
		} else if (n + 2 >= MAX_ARGS) {
			fprintf(stderr, "civetd: too many arguments\n");
			return 2;
		} else if (strcmp(a, "-c") == 0 && i + 1 < argc) {
			opts[n++] = "config_file";
			opts[n++] = argv[++i];
		} else if (a[0] == '-' && a[1] != '\0' && i + 1 < argc) {
			opts[n++] = a + 1;
			opts[n++] = argv[++i];
		} else if (a[0] != '-' && i == argc - 1) {
			opts[n++] = "config_file";
			opts[n++] = a;
		} else {
			usage(stderr);
			return 2;
		}
	}
	opts[n] = NULL;
	if (check) {
		if (civetd_check_config(&init, &err) != 0) {
			fprintf(stderr, "civetd: %s\n", text);
			return 1;
		}
		printf("civetd: configuration ok\n");
		return 0;
	}
	if (civetd_run(&init, &err) != 0) {
		fprintf(stderr, "civetd: %s\n", text);
		return 1;
	}
	return 0;
}
