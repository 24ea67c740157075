/* wsload.c - a WebSocket load generator for bench/websocket.sh and
 * bench/ws_idle.sh: one thread, epoll, edge-triggered, no libraries but
 * OpenSSL's SHA-1 for the handshake check.
 *
 * Each connection does the client handshake (a random Sec-WebSocket-Key;
 * the answer must be 101 with the right Sec-WebSocket-Accept), then sends
 * binary messages as single masked frames (a fresh random mask each) and
 * checks that every echo is byte-identical. Every wait is bounded by
 * TIMEOUT_MS (connect + handshake, and each echo); a wait that runs out
 * counts as an error and the connection is dropped, so a server that does
 * not speak WebSocket fails the run instead of hanging it.
 *
 *   echo  CONNS connections, one message of SIZE bytes in flight on each,
 *         for SECS seconds; prints one line of key=value:
 *         conns, ok (handshakes), size, secs, rt (round trips), rt_per_s,
 *         p50_us, p99_us, errors, refused (connections that failed to
 *         open).
 *   idle  opens CONNS connections (at most 128 handshakes at once), keeps
 *         them idle for PAUSE seconds, then sends one message on each of
 *         K randomly chosen open connections, one at a time, and prints
 *         the open counts and the echo latencies; then prints "holding"
 *         and keeps the connections open until killed (SIGTERM).
 *
 * usage: wsload [-m echo|idle] [-H HOST] -p PORT [-u PATH] [-c CONNS]
 *               [-s SIZE] [-d SECS] [-t TIMEOUT_MS] [-k K] [-w PAUSE]
 * build: cc -O2 bench/wsload.c -lcrypto -o wsload */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS   100000
#define MAX_SIZE    (16 << 20)
#define HS_MAX      4096 /* bytes of a handshake answer */
#define HS_PARALLEL 128  /* handshakes under way at once when opening */
#define MAX_SAMPLES (64u << 20)

enum state { CONNECTING, HANDSHAKE, OPEN, WAITING, DEAD };

struct conn {
	int fd;
	enum state state;
	char accept[32];   /* the Sec-WebSocket-Accept we expect */
	unsigned char *in; /* handshake answer, then the echo frame */
	size_t in_len, in_cap;
	unsigned char *out; /* what is still to send */
	size_t out_len, out_off;
	unsigned char *msg;  /* the payload of the message in flight */
	uint64_t seq;        /* messages sent */
	int64_t sent_ns;     /* when the message in flight went */
	int64_t deadline_ns; /* when the current wait runs out */
};

static struct {
	const char *mode, *host, *path;
	int port, conns, k;
	size_t size;
	double secs, pause;
	int timeout_ms;
} cfg = {"echo", "127.0.0.1", "/echo", 0, 64, 20, 16, 5.0, 2.0, 5000};

static struct conn *conns;
static int ep;
static int n_open, n_failed, n_errors, n_pending;
static uint32_t *samples; /* round trips in units of 100 ns */
static size_t n_samples;
static uint64_t rng;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* xorshift64*: masks and payloads need not be secret, only varied */
static uint64_t next_rand(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ull;
}

static void fill_random(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(next_rand() >> 56);
}

static void base64(const unsigned char *in, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

/* The key to send and the accept value the server must answer with. */
static int make_key(struct conn *c, char *key, size_t keylen)
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	unsigned char raw[16], md[EVP_MAX_MD_SIZE];
	char cat[96];
	unsigned int mdlen = 0;

	if (keylen < 25)
		return -1;
	fill_random(raw, sizeof raw);
	base64(raw, sizeof raw, key);
	snprintf(cat, sizeof cat, "%s%s", key, guid);
	if (!EVP_Digest(cat, strlen(cat), md, &mdlen, EVP_sha1(), NULL) ||
	    mdlen != 20)
		return -1;
	base64(md, mdlen, c->accept);
	return 0;
}

static void drop(struct conn *c, int as_error)
{
	if (c->state == DEAD)
		return;
	if (c->state == CONNECTING || c->state == HANDSHAKE) {
		n_failed++;
		n_pending--;
	} else {
		n_open--;
		if (as_error)
			n_errors++;
	}
	close(c->fd);
	c->fd = -1;
	c->state = DEAD;
}

/* Send what is queued; -1 when the connection broke. */
static int flush_out(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t w = send(c->fd, c->out + c->out_off,
		                 c->out_len - c->out_off, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			return -1;
		}
		c->out_off += (size_t)w;
	}
	return 0;
}

static int start_handshake(struct conn *c)
{
	char key[32];
	int n;

	if (make_key(c, key, sizeof key) != 0)
		return -1;
	n = snprintf((char *)c->out, HS_MAX,
	             "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
	             "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
	             "Sec-WebSocket-Version: 13\r\n\r\n",
	             cfg.path, cfg.host, cfg.port, key);
	if (n < 0 || n >= HS_MAX)
		return -1;
	c->out_len = (size_t)n;
	c->out_off = 0;
	c->state = HANDSHAKE;
	return flush_out(c);
}

/* The value of header NAME in the answer HEAD (NUL-terminated), trimmed,
 * into VAL; -1 when missing. */
static int header_value(const char *head, const char *name, char *val,
                        size_t vallen)
{
	size_t nl = strlen(name);
	const char *p = strstr(head, "\r\n");

	while (p != NULL && p[2] != '\r') {
		const char *line = p + 2, *end = strstr(line, "\r\n");
		if (end == NULL)
			return -1;
		if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
			const char *v = line + nl + 1;
			size_t len;
			while (*v == ' ' || *v == '\t')
				v++;
			len = (size_t)(end - v);
			while (len > 0 &&
			       (v[len - 1] == ' ' || v[len - 1] == '\t'))
				len--;
			if (len >= vallen)
				return -1;
			memcpy(val, v, len);
			val[len] = '\0';
			return 0;
		}
		p = end;
	}
	return -1;
}

/* 1 when the handshake answer is complete and right, 0 when more is
 * needed, -1 when it is wrong. */
static int check_handshake(struct conn *c)
{
	char *head = (char *)c->in, *end, val[64];
	size_t hlen;

	if (c->in_len >= c->in_cap)
		return -1;
	c->in[c->in_len] = '\0';
	end = strstr(head, "\r\n\r\n");
	if (end == NULL)
		return c->in_len >= HS_MAX ? -1 : 0;
	if (strncmp(head, "HTTP/1.1 101", 12) != 0)
		return -1;
	if (header_value(head, "Sec-WebSocket-Accept", val, sizeof val) != 0 ||
	    strcmp(val, c->accept) != 0)
		return -1;
	hlen = (size_t)(end + 4 - head);
	memmove(c->in, c->in + hlen, c->in_len - hlen);
	c->in_len -= hlen;
	return 1;
}

/* DST = SRC masked with MASK, eight bytes at a time. */
static void mask_copy(unsigned char *dst, const unsigned char *src, size_t n,
                      const unsigned char mask[4])
{
	uint64_t m8, w;
	size_t i = 0;

	memcpy(&m8, mask, 4);
	memcpy((unsigned char *)&m8 + 4, mask, 4);
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, src + i, 8);
		w ^= m8;
		memcpy(dst + i, &w, 8);
	}
	for (; i < n; i++)
		dst[i] = src[i] ^ mask[i & 3];
}

/* Queue the next message: a masked binary frame (a counter in front of
 * random bytes) with a fresh random mask. */
static int send_message(struct conn *c)
{
	unsigned char *f = c->out, mask[4];
	size_t h = 0, n = cfg.size;

	/* the random payload of setup() with the count in front: each echo
	 * differs from the last, and the load generator stays cheap */
	c->seq++;
	memcpy(c->msg, &c->seq, n < sizeof c->seq ? n : sizeof c->seq);
	f[h++] = 0x82;
	if (n < 126) {
		f[h++] = (unsigned char)(0x80 | n);
	} else if (n <= 0xffff) {
		f[h++] = 0x80 | 126;
		f[h++] = (unsigned char)(n >> 8);
		f[h++] = (unsigned char)n;
	} else {
		f[h++] = 0x80 | 127;
		for (int i = 7; i >= 0; i--)
			f[h++] = (unsigned char)((uint64_t)n >> (8 * i));
	}
	fill_random(mask, 4);
	memcpy(f + h, mask, 4);
	h += 4;
	mask_copy(f + h, c->msg, n, mask);
	c->out_len = h + n;
	c->out_off = 0;
	c->state = WAITING;
	c->sent_ns = now_ns();
	c->deadline_ns = c->sent_ns + (int64_t)cfg.timeout_ms * 1000000;
	return flush_out(c);
}

static void record(int64_t ns)
{
	if (n_samples < MAX_SAMPLES)
		samples[n_samples++] =
		    (uint32_t)(ns / 100 > UINT32_MAX ? UINT32_MAX : ns / 100);
}

/* 1 when a whole echo frame is in and matches, 0 when more is needed,
 * -1 on anything else (a mask, a wrong opcode or length, other bytes). */
static int check_echo(struct conn *c)
{
	const unsigned char *p = c->in;
	size_t h = 2;
	uint64_t len;

	for (;;) {
		if (c->in_len < 2)
			return 0;
		if (p[1] & 0x80)
			return -1; /* server frames are never masked */
		len = p[1] & 0x7f;
		if (len == 126) {
			if (c->in_len < 4)
				return 0;
			len = (uint64_t)p[2] << 8 | p[3];
			h = 4;
		} else if (len == 127) {
			if (c->in_len < 10)
				return 0;
			len = 0;
			for (int i = 0; i < 8; i++)
				len = len << 8 | p[2 + i];
			h = 10;
		}
		if (len > cfg.size || h + len > c->in_cap)
			return -1;
		if (c->in_len < h + len)
			return 0;
		if ((p[0] & 0x0f) != 0x09 && (p[0] & 0x0f) != 0x0a)
			break;
		/* a ping or pong: not ours to time, skipped */
		memmove(c->in, c->in + h + len, c->in_len - h - len);
		c->in_len -= h + len;
		h = 2;
	}
	if (p[0] != 0x82 || len != cfg.size || c->in_len != h + len ||
	    memcmp(p + h, c->msg, cfg.size) != 0)
		return -1;
	c->in_len = 0;
	return 1;
}

/* Read all there is (edge-triggered); -1 when the connection ended. */
static int read_in(struct conn *c)
{
	for (;;) {
		ssize_t r;
		if (c->in_len >= c->in_cap)
			return -1;
		r = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len - 1,
		         0);
		if (r > 0) {
			c->in_len += (size_t)r;
			continue;
		}
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		return -1;
	}
}

/* Readable or writable: move the connection along. SENDING says whether
 * a fresh message follows each echo. */
static void on_event(struct conn *c, uint32_t ev, int sending)
{
	int err = 0, r;
	socklen_t len = sizeof err;

	if (c->state == CONNECTING) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
		    err != 0 || !(ev & EPOLLOUT) || start_handshake(c) != 0) {
			drop(c, 1);
			return;
		}
	}
	if (flush_out(c) != 0 || read_in(c) != 0) {
		drop(c, 1);
		return;
	}
	if (c->state == HANDSHAKE) {
		r = check_handshake(c);
		if (r < 0)
			drop(c, 1);
		if (r <= 0)
			return;
		c->state = OPEN;
		n_pending--;
		n_open++;
		c->deadline_ns = INT64_MAX;
	}
	if (c->state == OPEN && c->in_len > 0) {
		drop(c, 1); /* nothing may come unasked */
		return;
	}
	if (c->state != WAITING)
		return;
	r = check_echo(c);
	if (r < 0) {
		drop(c, 1);
	} else if (r > 0) {
		record(now_ns() - c->sent_ns);
		c->state = OPEN;
		c->deadline_ns = INT64_MAX;
		if (sending && send_message(c) != 0)
			drop(c, 1);
	}
}

static int open_one(struct conn *c, const struct sockaddr_in *sa)
{
	struct epoll_event ev = {.events =
	                             EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP};
	int one = 1;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (c->fd < 0) {
		c->state = DEAD;
		n_failed++;
		return -1;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	c->state = CONNECTING;
	c->deadline_ns = now_ns() + (int64_t)cfg.timeout_ms * 1000000;
	n_pending++;
	ev.data.ptr = c;
	if ((connect(c->fd, (const struct sockaddr *)sa, sizeof *sa) != 0 &&
	     errno != EINPROGRESS) ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
		drop(c, 1);
		return -1;
	}
	return 0;
}

/* Wait for events until UNTIL_NS (or, when UNTIL_NS is 0, until DONE
 * says so), dropping connections whose wait ran out. */
static void loop(int64_t until_ns, int sending, int (*done)(void))
{
	struct epoll_event evs[256];
	int64_t next_scan = 0;

	for (;;) {
		int64_t now = now_ns();
		int n;
		if ((until_ns != 0 && now >= until_ns) ||
		    (done != NULL && done()))
			return;
		if (now >= next_scan) {
			for (int i = 0; i < cfg.conns; i++) {
				if (conns[i].state != DEAD &&
				    conns[i].deadline_ns <= now)
					drop(&conns[i], 1);
			}
			next_scan = now + 50000000;
		}
		n = epoll_wait(ep, evs, 256, 10);
		for (int i = 0; i < n; i++)
			on_event(evs[i].data.ptr, evs[i].events, sending);
	}
}

static int opened_all(void)
{
	return n_pending == 0;
}

static int none_waiting(void)
{
	for (int i = 0; i < cfg.conns; i++) {
		if (conns[i].state == WAITING)
			return 0;
	}
	return 1;
}

/* Open every connection, at most HS_PARALLEL handshakes at a time. */
static void open_all(const struct sockaddr_in *sa)
{
	int next = 0;

	while (next < cfg.conns) {
		while (next < cfg.conns && n_pending < HS_PARALLEL)
			open_one(&conns[next++], sa);
		loop(now_ns() + 20000000, 0, NULL);
	}
	loop(0, 0, opened_all);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double pct_us(double p)
{
	size_t i;

	if (n_samples == 0)
		return 0;
	i = (size_t)(p * (double)(n_samples - 1) + 0.5);
	return samples[i] / 10.0;
}

static void run_echo(void)
{
	int64_t t0, t1;
	uint64_t rt;

	t0 = now_ns();
	for (int i = 0; i < cfg.conns; i++) {
		if (conns[i].state == OPEN && send_message(&conns[i]) != 0)
			drop(&conns[i], 1);
	}
	if (n_open > 0) /* nothing to wait for when every opening failed */
		loop(t0 + (int64_t)(cfg.secs * 1e9), 1, NULL);
	t1 = now_ns();
	rt = n_samples;
	/* what is still in flight is let come back, not counted */
	loop(0, 0, none_waiting);
	qsort(samples, n_samples, sizeof *samples, cmp_u32);
	printf("echo conns=%d ok=%d size=%zu secs=%.2f rt=%llu rt_per_s=%.0f "
	       "p50_us=%.1f p99_us=%.1f errors=%d refused=%d\n",
	       cfg.conns, cfg.conns - n_failed, cfg.size, (t1 - t0) / 1e9,
	       (unsigned long long)rt, t1 > t0 ? rt / ((t1 - t0) / 1e9) : 0.0,
	       pct_us(0.50), pct_us(0.99), n_errors, n_failed);
}

static void run_idle(void)
{
	int *open_idx = malloc(sizeof *open_idx * (size_t)cfg.conns), n = 0;

	if (open_idx == NULL)
		return;
	loop(now_ns() + (int64_t)(cfg.pause * 1e9), 0, NULL);
	for (int i = 0; i < cfg.conns; i++) {
		if (conns[i].state == OPEN)
			open_idx[n++] = i;
	}
	printf("idle open=%d failed=%d closed_while_idle=%d\n", n, n_failed,
	       n_errors);
	/* K distinct connections, a partial Fisher-Yates shuffle */
	for (int i = 0; i < cfg.k && i < n; i++) {
		int j = i + (int)(next_rand() % (uint64_t)(n - i)),
		    t = open_idx[i];
		struct conn *c;
		open_idx[i] = open_idx[j];
		open_idx[j] = t;
		c = &conns[open_idx[i]];
		if (c->state != OPEN)
			continue;
		if (send_message(c) != 0) {
			drop(c, 1);
			continue;
		}
		loop(0, 0, none_waiting);
	}
	qsort(samples, n_samples, sizeof *samples, cmp_u32);
	printf("idle echoes=%zu of %d min_us=%.1f p50_us=%.1f p99_us=%.1f "
	       "max_us=%.1f errors=%d\n",
	       n_samples, cfg.k < n ? cfg.k : n,
	       n_samples ? samples[0] / 10.0 : 0.0, pct_us(0.50), pct_us(0.99),
	       n_samples ? samples[n_samples - 1] / 10.0 : 0.0, n_errors);
	printf("holding\n");
	fflush(stdout);
	free(open_idx);
	for (;;)
		loop(now_ns() + 1000000000, 0, NULL);
}

static int parse_args(int argc, char **argv)
{
	int o;

	while ((o = getopt(argc, argv, "m:H:p:u:c:s:d:t:k:w:")) != -1) {
		switch (o) {
		case 'm':
			cfg.mode = optarg;
			break;
		case 'H':
			cfg.host = optarg;
			break;
		case 'p':
			cfg.port = atoi(optarg);
			break;
		case 'u':
			cfg.path = optarg;
			break;
		case 'c':
			cfg.conns = atoi(optarg);
			break;
		case 's':
			cfg.size = (size_t)strtoul(optarg, NULL, 10);
			break;
		case 'd':
			cfg.secs = atof(optarg);
			break;
		case 't':
			cfg.timeout_ms = atoi(optarg);
			break;
		case 'k':
			cfg.k = atoi(optarg);
			break;
		case 'w':
			cfg.pause = atof(optarg);
			break;
		default:
			return -1;
		}
	}
	if (cfg.port <= 0 || cfg.port > 65535 || cfg.conns < 1 ||
	    cfg.conns > MAX_CONNS || cfg.size < 1 || cfg.size > MAX_SIZE ||
	    cfg.secs <= 0 || cfg.timeout_ms < 1 || cfg.k < 0 || cfg.pause < 0 ||
	    strlen(cfg.path) > 1024 || strlen(cfg.host) > 255 ||
	    (strcmp(cfg.mode, "echo") != 0 && strcmp(cfg.mode, "idle") != 0))
		return -1;
	return 0;
}

/* Room for every socket: the soft limit raised as far as needed. */
static int raise_nofile(int need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	if (rl.rlim_cur >= (rlim_t)need)
		return 0;
	if (rl.rlim_max < (rlim_t)need)
		return -1;
	rl.rlim_cur = (rlim_t)need;
	return setrlimit(RLIMIT_NOFILE, &rl);
}

static int setup(struct sockaddr_in *sa)
{
	size_t frame = cfg.size + 14;

	if (getrandom(&rng, sizeof rng, 0) != sizeof rng || rng == 0)
		rng = (uint64_t)now_ns() | 1;
	if (raise_nofile(cfg.conns + 32) != 0) {
		fprintf(stderr, "wsload: RLIMIT_NOFILE below %d\n",
		        cfg.conns + 32);
		return -1;
	}
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)cfg.port);
	if (inet_pton(AF_INET, cfg.host, &sa->sin_addr) != 1) {
		fprintf(stderr, "wsload: %s is no IPv4 address\n", cfg.host);
		return -1;
	}
	ep = epoll_create1(0);
	conns = calloc((size_t)cfg.conns, sizeof *conns);
	samples = malloc(sizeof *samples * MAX_SAMPLES);
	if (ep < 0 || conns == NULL || samples == NULL)
		return -1;
	for (int i = 0; i < cfg.conns; i++) {
		struct conn *c = &conns[i];
		c->in_cap = (frame > HS_MAX ? frame : HS_MAX) + 1;
		c->in = malloc(c->in_cap);
		c->out = malloc(frame > HS_MAX ? frame : HS_MAX);
		c->msg = malloc(cfg.size);
		c->fd = -1;
		c->state = DEAD; /* until open_one() */
		if (c->in == NULL || c->out == NULL || c->msg == NULL)
			return -1;
		fill_random(c->msg, cfg.size);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa;
	int64_t t0;

	if (parse_args(argc, argv) != 0) {
		fprintf(stderr,
		        "usage: %s [-m echo|idle] [-H HOST] -p PORT [-u PATH] "
		        "[-c CONNS] [-s SIZE] [-d SECS] [-t TIMEOUT_MS] [-k K] "
		        "[-w PAUSE]\n",
		        argv[0]);
		return 2;
	}
	if (setup(&sa) != 0) {
		fprintf(stderr, "wsload: setup failed\n");
		return 1;
	}
	t0 = now_ns();
	open_all(&sa);
	fprintf(stderr, "wsload: %d open, %d failed in %.2f s\n", n_open,
	        n_failed, (now_ns() - t0) / 1e9);
	if (strcmp(cfg.mode, "idle") == 0)
		run_idle(); /* never returns */
	run_echo();
	return n_failed > 0 || n_errors > 0 ? 1 : 0;
}
