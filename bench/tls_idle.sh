#!/usr/bin/env bash
# bench/tls_idle.sh - what an idle HTTPS keep-alive connection costs: N
# clients (default 3000) each complete a handshake and one request, then
# stay open; the server worker's RSS before and after, per connection. The
# civetd daemon and nginx 1.22, one worker each, the same certificate
# (ECDSA P-256), one after the other in one run. Python's ssl module is
# the client (bench/tls_idle.py).
#
# usage: bench/tls_idle.sh [N]
#   BUILD=DIR  a built civetd tree (default: build one in /tmp)
# Needs: nginx, openssl, python3.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
N=${1:-3000}
WORK=$(mktemp -d)
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	sleep 1
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null || true; done
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
mkdir -p "$WORK/www" "$WORK/nginx"
echo hi >"$WORK/www/a.txt"
openssl req -x509 -nodes -days 2 -subj /CN=localhost -newkey ec \
	-pkeyopt ec_paramgen_curve:P-256 -keyout "$WORK/k.pem" \
	-out "$WORK/c.pem" 2>/dev/null
cat "$WORK/c.pem" "$WORK/k.pem" >"$WORK/both.pem"

worker_of() { # master pid -> its one worker's pid
	for _ in $(seq 100); do
		w=$(pgrep -P "$1" | head -1 || true)
		[ -n "$w" ] && { echo "$w"; return; }
		sleep 0.1
	done
	echo "tls_idle.sh: no worker" >&2
	exit 1
}

cat >"$WORK/civetd.conf" <<CF
listening_ports 127.0.0.1:19461s
document_root $WORK/www
ssl_certificate $WORK/both.pem
num_workers 1
num_threads 4
enable_keep_alive yes
keep_alive_timeout_ms 120000
CF
"$BUILD/civetd" -c "$WORK/civetd.conf" >"$WORK/civetd.log" 2>&1 &
PIDS="$PIDS $!"
sleep 1
printf 'civetd: '
python3 "$HERE/tls_idle.py" "$N" 19461 "$(worker_of "$!")"

cat >"$WORK/nginx/nginx.conf" <<NG
user root; worker_processes 1; daemon off; pid $WORK/nginx/nginx.pid;
worker_rlimit_nofile 20000; error_log $WORK/nginx/error.log;
events { worker_connections 10000; }
http { access_log off; keepalive_timeout 120s; keepalive_requests 1000000;
  client_body_temp_path $WORK/nginx/body; proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fcgi; uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  server { listen 127.0.0.1:19462 ssl; root $WORK/www;
    ssl_certificate $WORK/c.pem; ssl_certificate_key $WORK/k.pem;
    ssl_protocols TLSv1.2 TLSv1.3; } }
NG
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" >"$WORK/nginx.log" 2>&1 &
PIDS="$PIDS $!"
sleep 1
printf 'nginx:  '
python3 "$HERE/tls_idle.py" "$N" 19462 "$(worker_of "$!")"
