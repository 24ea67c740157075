/* upload_app.c - the upload benchmark's server (bench/upload.sh): one
 * CivetWeb program, built unchanged against civetd and against CivetWeb
 * itself. POST /upload runs mg_handle_form_request; every part with a
 * file name is stored (field_store) as DIR/upload-<n>.bin, other fields
 * are skipped; the answer is "stored <files> <bytes>". It serves until
 * SIGINT or SIGTERM. Built with -DPREFORK (civetd only), it is the same
 * program made a prefork server with civetd_run() (2 workers, the handler
 * registered in init_context), to measure a worker's memory.
 * usage: upload_app PORT DIR [THREADS] */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civetweb.h"
#if defined(PREFORK)
#include "civetd.h"
#endif

static volatile sig_atomic_t stop;
static const char *dir;

struct stored {
	int files;
	long long bytes;
	int n;
};

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int found(const char *key, const char *filename, char *path,
                 size_t pathlen, void *user_data)
{
	struct stored *s = user_data;

	(void)key;
	if (filename == NULL || filename[0] == '\0')
		return MG_FORM_FIELD_STORAGE_SKIP;
	snprintf(path, pathlen, "%s/upload-%d.bin", dir, s->n++);
	return MG_FORM_FIELD_STORAGE_STORE;
}

static int get(const char *key, const char *value, size_t len, void *ud)
{
	(void)key, (void)value, (void)len, (void)ud;
	return MG_FORM_FIELD_HANDLE_NEXT;
}

static int store(const char *path, long long size, void *user_data)
{
	struct stored *s = user_data;

	(void)path;
	s->files++;
	s->bytes += size;
	return MG_FORM_FIELD_HANDLE_NEXT;
}

static int h_upload(struct mg_connection *conn, void *cbdata)
{
	struct stored s = {0, 0, 0};
	struct mg_form_data_handler h = {found, get, store, &s};
	char text[96];
	int r, n;

	(void)cbdata;
	r = mg_handle_form_request(conn, &h);
	n = snprintf(text, sizeof text, "stored %d %lld (%d)\n", s.files,
	             s.bytes, r);
	mg_printf(conn,
	          "HTTP/1.1 %d OK\r\nContent-Type: text/plain\r\n"
	          "Content-Length: %d\r\nConnection: close\r\n\r\n",
	          r < 0 ? 400 : 200, n);
	mg_write(conn, text, (size_t)n);
	return r < 0 ? 400 : 200;
}

/* civetd limits request bodies (max_body_size, 1 GiB by default);
 * CivetWeb 1.15 has no such option. */
static int has_option(const char *name)
{
	const struct mg_option *o = mg_get_valid_options();

	for (; o != NULL && o->name != NULL; o++) {
		if (strcmp(o->name, name) == 0)
			return 1;
	}
	return 0;
}

#if defined(PREFORK)
static void init_worker(const struct mg_context *ctx)
{
	mg_set_request_handler((struct mg_context *)ctx, "/upload", h_upload,
	                       NULL);
	printf("ready %s\n", mg_version());
	fflush(stdout);
}
#endif

int main(int argc, char **argv)
{
	const char *opts[16];
	struct mg_callbacks cb;
	struct mg_context *ctx;
	int n = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s PORT DIR [THREADS]\n", argv[0]);
		return 2;
	}
	dir = argv[2];
	opts[n++] = "listening_ports";
	opts[n++] = argv[1];
	opts[n++] = "num_threads";
	opts[n++] = argc > 3 ? argv[3] : "4";
	opts[n++] = "request_timeout_ms";
	opts[n++] = "120000";
	if (has_option("max_body_size")) {
		opts[n++] = "max_body_size";
		opts[n++] = "17179869184";
	}
#if defined(PREFORK)
	opts[n++] = "num_workers";
	opts[n++] = "2";
#endif
	opts[n] = NULL;
	memset(&cb, 0, sizeof cb);
#if defined(PREFORK)
	{
		struct mg_init_data init = {&cb, NULL, opts};
		struct mg_error_data err = {0};
		char text[256] = "";

		err.text = text;
		err.text_buffer_size = sizeof text;
		cb.init_context = init_worker;
		(void)ctx;
		if (civetd_run(&init, &err) != 0) {
			fprintf(stderr, "civetd_run: %s\n", text);
			return 1;
		}
		return 0;
	}
#endif
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ctx = mg_start(&cb, NULL, opts);
	if (ctx == NULL) {
		fprintf(stderr, "mg_start failed\n");
		return 1;
	}
	mg_set_request_handler(ctx, "/upload", h_upload, NULL);
	printf("ready %s\n", mg_version());
	fflush(stdout);
	while (!stop)
		pause();
	mg_stop(ctx);
	return 0;
}
