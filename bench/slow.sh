#!/usr/bin/env bash
# bench/slow.sh - slow and stalled clients: the civetd prefork server
# (bench/slowapp.c through civetd_run: 2 workers x 16 threads) against
# nginx with 2 workers, in the same run, a fresh server for each test.
# slowhttptest opens 1,000 connections (200 a second) and keeps them slow
# for DURATION seconds:
#   H  slowloris: a request head that never ends (GET /hello, one
#      "X-xx: xx" line of at most 24 bytes every 10 s)
#   B  slow body: POST /body with Content-Length 65536 and 10 bytes of
#      body every 10 s. civetd: slowapp's /body handler mg_read()s the
#      whole body, then answers 200. nginx: /body is proxy_pass'ed (request
#      buffering on, the default) to a server block of the same nginx that
#      answers 200, so nginx too reads the whole body before answering
#      (`return 200` alone would answer at once and discard the body)
#   X  slow read: 4 pipelined GETs of a 1 MiB file on each connection
#      (-k 4), an advertised receive window of 10-20 bytes (-w 10 -y 20)
#      and 16 bytes read every second (-n 1 -z 16)
# Both servers keep their default timeouts (civetd: request_timeout_ms
# 30000 per request head and per blocking read/write, keep_alive_timeout_ms
# 5000 as in conf/civetd.conf; nginx: client_header_timeout,
# client_body_timeout and send_timeout 60 s).
# Meanwhile a probe starts a fresh `curl --max-time 2 /hello` every 0.5 s.
# Prints one line per test and server:
#   avail    slowhttptest's samples (one a second; its own probe with a 2 s
#            timeout, -p 2) with the service available / all samples
#            (slowhttptest ends a test early once no connection is left)
#   conn_max most attack connections connected at once
#   closed   attack connections closed by the end (server timeouts)
#   probes   probe requests, and failures (no 200 within 2 s)
#   p_med, p_max  probe latency in ms over all probes (a failure counts
#            with its time, 2000 ms for a timeout)
#
# usage: bench/slow.sh [DURATION]   (seconds per test, default 40)
#   TESTS='H B X'     tests to run
#   CONNS=N           attack connections (default 1000)
#   ONLY='civetd nginx'  servers to run
#   BUILD=DIR         a built civetd tree (default: build one in /tmp)
#   KEEP=DIR          keep slowhttptest's CSV/HTML reports and logs and the
#                     probe records (TEST-SERVER.probes: code seconds) there
# Needs: gcc, nginx (1.22), slowhttptest, curl.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
DURATION=${1:-40}
TESTS=${TESTS:-H B X}
ONLY=${ONLY:-civetd nginx}
CONNS=${CONNS:-1000}
WORK=$(mktemp -d)
SERVER=
PROBER=
cleanup() {
	[ -n "$PROBER" ] && kill "$PROBER" 2>/dev/null || true
	[ -n "$SERVER" ] && stop_server
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"

if [ -z "${BUILD:-}" ]; then
	BUILD=$WORK/build
	mkdir -p "$BUILD"
	(cd "$BUILD" && "$SRC/configure" -q CFLAGS="-O2 -g" && make -j"$(nproc)" >/dev/null)
fi
gcc -O2 -I"$SRC/src/include" -o "$WORK/slowapp" "$HERE/slowapp.c" \
	-L"$BUILD/.libs" -lcivetd -Wl,-rpath,"$BUILD/.libs"
mkdir -p "$WORK/www" "$WORK/nginx"
head -c 1048576 /dev/urandom >"$WORK/www/1m.bin"

free_port() {
	local p
	for _ in $(seq 200); do
		p=$((20000 + RANDOM % 30000))
		[ -z "$(ss -Htan "( sport = :$p )")" ] && { echo "$p"; return; }
	done
	echo "slow.sh: no free port" >&2
	exit 1
}

start_server() { # name port
	local name=$1 port=$2
	case $name in
	civetd)
		cat >"$WORK/civetd.conf" <<CF
listening_ports 127.0.0.1:$port
document_root $WORK/www
num_workers 2
num_threads 16
enable_keep_alive yes
keep_alive_timeout_ms 5000
CF
		"$WORK/slowapp" "$WORK/civetd.conf" >"$WORK/civetd.log" 2>&1 &
		;;
	nginx)
		local back
		back=$(free_port)
		cat >"$WORK/nginx/nginx.conf" <<NG
user root; worker_processes 2; daemon off; pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log; worker_rlimit_nofile $(ulimit -Hn);
events { worker_connections 8192; }
http { access_log off; sendfile on; tcp_nopush on;
  client_body_temp_path $WORK/nginx/body; proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fcgi; uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  server { listen 127.0.0.1:$port reuseport; root $WORK/www;
    location = /hello { default_type text/plain; return 200 "Hello, world!\n"; }
    location = /body { proxy_pass http://127.0.0.1:$back/read; } }
  server { listen 127.0.0.1:$back;
    location / { default_type text/plain; return 200 "read\n"; } } }
NG
		nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" \
			>"$WORK/nginx.log" 2>&1 &
		;;
	esac
	SERVER=$!
	for _ in $(seq 100); do
		curl -sf -o /dev/null "http://127.0.0.1:$port/hello" && return
		sleep 0.1
	done
	echo "slow.sh: $name did not start" >&2
	cat "$WORK/$name.log" >&2
	exit 1
}

stop_server() { # TERM, then KILL the master and its workers after 10 s
	local kids
	kids=$(pgrep -P "$SERVER" | tr '\n' ' ' || true)
	kill "$SERVER" 2>/dev/null || true
	for _ in $(seq 150); do
		kill -0 "$SERVER" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$SERVER" 2>/dev/null; then
		# shellcheck disable=SC2086
		kill -KILL "$SERVER" $kids 2>/dev/null || true
	fi
	wait "$SERVER" 2>/dev/null || true
	SERVER=
}

probe_loop() { # port outfile: a fresh request every 0.5 s until $WORK/stop
	while [ ! -e "$WORK/stop" ]; do
		(curl -s -o /dev/null --max-time 2 -w '%{http_code} %{time_total}\n' \
			"http://127.0.0.1:$1/hello" >>"$2" 2>/dev/null || true) &
		sleep 0.5
	done
	wait
}

attack() { # test port prefix
	local t=$1 port=$2 base=(-c "$CONNS" -r 200 -l "$DURATION" -p 2 -g -o "$3")
	case $t in
	H) slowhttptest -H "${base[@]}" -i 10 -x 24 -u "http://127.0.0.1:$port/hello" ;;
	B) slowhttptest -B "${base[@]}" -i 10 -x 10 -s 65536 -u "http://127.0.0.1:$port/body" ;;
	X) slowhttptest -X "${base[@]}" -k 4 -n 1 -w 10 -y 20 -z 16 -u "http://127.0.0.1:$port/1m.bin" ;;
	esac
}

printf '%-4s %-7s %-10s %8s %7s %-16s %8s %8s\n' \
	test server avail conn_max closed probes p_med p_max
for t in $TESTS; do
	for name in civetd nginx; do
		[[ " $ONLY " == *" $name "* ]] || continue
		port=$(free_port)
		start_server "$name" "$port"
		rm -f "$WORK/stop" "$WORK/probes"
		touch "$WORK/probes"
		probe_loop "$port" "$WORK/probes" &
		PROBER=$!
		attack "$t" "$port" "$WORK/sht-$t-$name" >"$WORK/sht-$t-$name.log" 2>&1 || true
		touch "$WORK/stop"
		wait "$PROBER" 2>/dev/null || true
		PROBER=
		csv=$WORK/sht-$t-$name.csv
		if [ -s "$csv" ]; then
			read -r avail cmax closed < <(awk -F, 'NR > 1 {
				n++; if ($5 > 0) a++; if ($4 > m) m = $4; c = $2 }
				END { printf "%d/%d %d %d\n", a, n, m, c }' "$csv")
		else
			avail=none cmax=- closed=-
			echo "slowhttptest did not run:" >&2
			tail -5 "$WORK/sht-$t-$name.log" >&2
		fi
		read -r probes pmed pmax < <(sort -k2 -g "$WORK/probes" | awk '
			{ n++; if ($1 != 200) f++; v[n] = $2 * 1000 }
			END { if (!n) { print "0 - -"; exit }
			      m = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
			      printf "%d,fail=%d %.1f %.1f\n", n, f, m, v[n] }')
		printf '%-4s %-7s %-10s %8s %7s %-16s %8s %8s\n' \
			"$t" "$name" "$avail" "$cmax" "$closed" "$probes" "$pmed" "$pmax"
		if [ -n "${KEEP:-}" ]; then
			mkdir -p "$KEEP"
			cp "$WORK/sht-$t-$name".* "$KEEP/" 2>/dev/null || true
			cp "$WORK/probes" "$KEEP/sht-$t-$name.probes"
		fi
		stop_server
	done
done
