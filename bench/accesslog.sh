#!/usr/bin/env bash
# bench/accesslog.sh - what the access log costs per format: a 4 KiB file
# under wrk load (civetd, 1 worker, keep-alive) with no access log, with
# CivetWeb's line and with access_log_format json (the log on the same
# file system as /tmp), and the health endpoint alone; rounds alternate
# the four and the table prints requests/s and each ratio to "no log".
# usage: bench/accesslog.sh [SECONDS] [CONNECTIONS]
#   BUILD=DIR  a built civetd tree (default: build one in /tmp, -O2)
#   ROUNDS=N   repeat N times (default 2)
# Needs (Debian): wrk curl.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
D=${1:-5}
C=${2:-32}
ROUNDS=${ROUNDS:-2}
WORK=$(mktemp -d)
PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
if [ -z "${BUILD:-}" ]; then
	BUILD=$WORK/build
	mkdir -p "$BUILD"
	(cd "$BUILD" && "$SRC/configure" -q CFLAGS="-O2 -g" && make -j"$(nproc)" >/dev/null)
fi
mkdir -p "$WORK/www"
head -c 3072 /dev/urandom | base64 -w 76 | head -c 4096 >"$WORK/www/4k.txt"
port=18471

run() { # name, extra config lines, path: prints requests/s
	printf 'listening_ports 127.0.0.1:%s\ndocument_root %s\nnum_workers 1\n' \
		"$port" "$WORK/www" >"$WORK/civetd.conf"
	printf 'num_threads 8\nenable_keep_alive yes\nkeep_alive_timeout_ms 10000\n' \
		>>"$WORK/civetd.conf"
	printf '%b' "$2" >>"$WORK/civetd.conf"
	rm -f "$WORK/access.log"
	"$BUILD/civetd" -c "$WORK/civetd.conf" >"$WORK/civetd.log" 2>&1 &
	PID=$!
	for _ in $(seq 50); do
		curl -s -o /dev/null "http://127.0.0.1:$port$3" && break
		sleep 0.1
	done
	wrk -t1 -c"$C" -d"${D}s" "http://127.0.0.1:$port$3" >"$WORK/wrk.out"
	kill "$PID"
	wait "$PID" 2>/dev/null || true
	PID=
	sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$WORK/wrk.out"
}

LOG="access_log_file $WORK/access.log\n"
printf '%-8s %12s %12s %12s %12s\n' round "no log" civetweb json health
for r in $(seq "$ROUNDS"); do
	none=$(run none "" /4k.txt)
	cw=$(run civetweb "$LOG" /4k.txt)
	js=$(run json "${LOG}access_log_format json\n" /4k.txt)
	hc=$(run health "health_check_uri /healthz\n" /healthz)
	printf '%-8s %12s %12s %12s %12s\n' "$r" "$none" "$cw" "$js" "$hc"
	awk -v n="$none" -v c="$cw" -v j="$js" -v h="$hc" 'BEGIN {
		printf "%-8s %12s %12.3f %12.3f %12.3f\n", "ratio", "1", c/n, j/n, h/n }'
done
