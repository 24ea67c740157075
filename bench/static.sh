#!/usr/bin/env bash
# bench/static.sh - static files against the peers, in one run:
#   1. /4k.txt and /1m.bin: requests/s and p99 (wrk), and the server's CPU
#      time per request (user + system time of its processes, from /proc,
#      over the run, divided by the requests wrk completed), for civetd
#      (examples/prefork_hello: 2 workers x 16 threads, keep-alive), nginx
#      (2 workers, sendfile, open_file_cache) and lighttpd (one process).
#   2. /text.txt, 100 KiB of licence text: civetd with compression on,
#      plain and with "Accept-Encoding: zstd" (served from the compressed
#      cache), and the bytes each sends against nginx's gzip level 6.
#   3. CLIENTS clients reading a 64 MiB file at 1 MiB/s each from civetd
#      with num_threads=4 (bench/slowread.c), while a probe asks for
#      /hello on a fresh connection every 100 ms: all must complete, and
#      the worker's thread count is read before and after.
# usage: bench/static.sh [SECONDS] [CONNECTIONS]
#   BUILD=DIR   a built civetd tree (default: build one in /tmp, -O2)
#   CLIENTS=N   slow readers (default 200; 0 skips part 3)
#   ROUNDS=N    repeat part 1 N times (default 1), the servers taking turns
#   SKIP_COMPRESSION=1  skip part 2
#   BUILD_B=DIR another built civetd tree (say, the commit before a change)
#               that joins part 1 as "civetd-B", for a before/after beside
#               the peers in the same run
# Needs (Debian): wrk curl nginx-light lighttpd gcc zstd.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
D=${1:-8}
C=${2:-64}
CLIENTS=${CLIENTS:-200}
ROUNDS=${ROUNDS:-1}
WORK=$(mktemp -d)
WWW=$WORK/www
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WWW" "$WORK/adm"
chmod 700 "$WORK/adm"

if [ -z "${BUILD:-}" ]; then
	BUILD=$WORK/build
	mkdir -p "$BUILD"
	(cd "$BUILD" && "$SRC/configure" -q CFLAGS="-O2 -g" && make -j"$(nproc)" >/dev/null)
fi
gcc -O2 -Wall -pthread -o "$WORK/slowread" "$HERE/slowread.c"

head -c 3072 /dev/urandom | base64 -w 76 | head -c 4096 >"$WWW/4k.txt"
head -c 1048576 /dev/urandom >"$WWW/1m.bin"
: >"$WWW/text.txt"
while [ "$(stat -c %s "$WWW/text.txt")" -lt 102400 ]; do
	cat /usr/share/common-licenses/GPL-3 /usr/share/common-licenses/Apache-2.0 >>"$WWW/text.txt"
done
truncate -s 102400 "$WWW/text.txt"
head -c $((64 << 20)) /dev/urandom >"$WWW/64m.bin"

cat >"$WORK/nginx.conf" <<NG
user root; worker_processes 2; daemon off; pid $WORK/nginx.pid;
error_log $WORK/nginx.err;
events { worker_connections 4096; }
http { access_log off; sendfile on; tcp_nopush on; keepalive_requests 1000000;
  open_file_cache max=1000 inactive=20s; open_file_cache_valid 1s;
  gzip on; gzip_comp_level 6; gzip_min_length 1024; gzip_types text/plain;
  server { listen 127.0.0.1:PORT reuseport; root $WWW;
    location = /hello { default_type text/plain; return 200 "Hello, world!\n"; } } }
NG
cat >"$WORK/lighttpd.conf" <<LT
server.document-root = "$WWW"
server.port = PORT
server.bind = "127.0.0.1"
server.max-keep-alive-requests = 1000000
server.pid-file = "$WORK/lighttpd.pid"
server.errorlog = "$WORK/lighttpd.err"
LT

port=18300
SERVER=0
start() { # name args... ; sets SERVER (pid) and port
	port=$((port + 1))
	case $1 in
	nginx) sed "s/PORT/$port/" "$WORK/nginx.conf" >"$WORK/n.conf"
		nginx -c "$WORK/n.conf" >"$WORK/nginx.log" 2>&1 & ;;
	lighttpd) sed "s/PORT/$port/" "$WORK/lighttpd.conf" >"$WORK/l.conf"
		lighttpd -D -f "$WORK/l.conf" >"$WORK/lighttpd.log" 2>&1 & ;;
	civetd) shift
		"$BUILD/examples/prefork_hello" "$port" "$@" >"$WORK/civetd.log" 2>&1 & ;;
	civetd-B) shift
		"$BUILD_B/examples/prefork_hello" "$port" "$@" >"$WORK/civetd.log" 2>&1 & ;;
	esac
	SERVER=$!
	PIDS+=("$SERVER")
	for _ in $(seq 100); do
		curl -sf -o /dev/null "http://127.0.0.1:$port/4k.txt" && return 0
		sleep 0.1
	done
	echo "$1 did not start" >&2
	return 1
}
stop() {
	kill "$SERVER" 2>/dev/null || true
	wait "$SERVER" 2>/dev/null || true
	sleep 0.3
}
# clock ticks of user + system time of pid and its descendants
cpu_ticks() {
	local all=$1 kids total=0
	kids=$(pgrep -P "$1" || true)
	for k in $kids; do all="$all $(pgrep -P "$k" || true) $k"; done
	for p in $all; do
		[ -r "/proc/$p/stat" ] || continue
		total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
	done
	echo "$total"
}
load() { # name url [header]
	local name=$1 url=$2 hdr=${3:-} out rps p99 reqs t0 t1 us
	t0=$(cpu_ticks "$SERVER")
	if [ -n "$hdr" ]; then
		out=$(wrk -t2 -c"$C" -d"${D}s" --latency -H "$hdr" "http://127.0.0.1:$port$url" 2>&1)
	else
		out=$(wrk -t2 -c"$C" -d"${D}s" --latency "http://127.0.0.1:$port$url" 2>&1)
	fi
	t1=$(cpu_ticks "$SERVER")
	rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
	p99=$(awk '$1=="99%" {print $2}' <<<"$out")
	reqs=$(awk '/requests in/ {print $1}' <<<"$out")
	us=$(awk -v a="$t0" -v b="$t1" -v n="$reqs" -v hz="$(getconf CLK_TCK)" \
		'BEGIN { printf "%.1f", (n > 0 ? (b - a) * 1e6 / hz / n : 0) }')
	printf '%-22s %-9s rps=%-10s p99=%-9s cpu_us_per_req=%s %s\n' "$name" "$url" \
		"${rps:-FAIL}" "${p99:--}" "$us" \
		"$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' ' | tr '\n' ' ')"
}

echo "== 1. static files (wrk -c$C, ${D}s each, $ROUNDS rounds)"
for url in $(for _ in $(seq "$ROUNDS"); do echo /4k.txt /1m.bin; done); do
	start civetd 16 "$WWW" num_workers 2 enable_keep_alive yes \
		admin_socket "$WORK/adm/a.sock"
	load civetd "$url"; stop
	if [ -n "${BUILD_B:-}" ]; then
		start civetd-B 16 "$WWW" num_workers 2 enable_keep_alive yes \
			admin_socket "$WORK/adm/a.sock"
		load civetd-B "$url"; stop
	fi
	start nginx; load nginx "$url"; stop
	start lighttpd; load lighttpd "$url"; stop
done

if [ -z "${SKIP_COMPRESSION:-}" ]; then
echo "== 2. a 100 KiB text file, compressed"
start civetd 16 "$WWW" num_workers 2 enable_keep_alive yes compression yes \
	admin_socket "$WORK/adm/a.sock"
z=$(curl -s -H 'Accept-Encoding: zstd' -o "$WORK/t.zst" -w '%{size_download}' "http://127.0.0.1:$port/text.txt")
zstd -q -d -c "$WORK/t.zst" | cmp - "$WWW/text.txt"
load "civetd identity" /text.txt
load "civetd zstd" /text.txt "Accept-Encoding: zstd"
g=$(curl -s -H 'Accept-Encoding: gzip' -o "$WORK/t.gz" -w '%{size_download}' "http://127.0.0.1:$port/text.txt")
gzip -dc "$WORK/t.gz" | cmp - "$WWW/text.txt"
stop
start nginx
n=$(curl -s -H 'Accept-Encoding: gzip' -o "$WORK/n.gz" -w '%{size_download}' "http://127.0.0.1:$port/text.txt")
gzip -dc "$WORK/n.gz" | cmp - "$WWW/text.txt"
load "nginx gzip-6" /text.txt "Accept-Encoding: gzip"
stop
echo "bytes: original=102400 civetd_zstd=$z civetd_gzip=$g nginx_gzip6=$n"
fi

if [ "$CLIENTS" -gt 0 ]; then
	echo "== 3. $CLIENTS clients reading 64 MiB at 1 MiB/s, num_threads=4"
	start civetd 4 "$WWW" num_workers 1 enable_keep_alive yes \
		admin_socket "$WORK/adm/a.sock"
	worker=$(pgrep -P "$SERVER" | head -1)
	before=$(awk '/^Threads/ {print $2}' /proc/"$worker"/status)
	"$WORK/slowread" "$port" /64m.bin "$CLIENTS" 1048576 /hello >"$WORK/slow.out" &
	reader=$!
	sleep 10 # all of them are reading by now
	after=$(awk '/^Threads/ {print $2}' /proc/"$worker"/status)
	wait "$reader" || true
	cat "$WORK/slow.out"
	echo "worker threads: before=$before while_reading=$after"
	stop
fi
