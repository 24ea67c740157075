#!/usr/bin/env bash
# bench/reload.sh - reloads under load. The embedding example
# (examples/prefork_hello: /hello and files, 2 workers) serves bench/loadgen
# at full speed while `civetctl reload` runs 20 times; loadgen counts every
# connect error, reset, non-2xx and truncated body, and the requests done in
# each second, so throughput during the reloads can be set against the
# steady seconds before them. Two mixes: keep-alive only, and 50 % of the
# requests with "Connection: close".
#
# usage: bench/reload.sh [CONNECTIONS] [PATH]
#   BUILD=DIR  a built tree (default: build one in a temporary directory)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
CONNS=${1:-64}
URL_PATH=${2:-/hello}
WORK=$(mktemp -d)
PORT=${PORT:-18950}
trap 'kill $SERVER 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT

if [ -z "${BUILD:-}" ]; then
	BUILD=$WORK/build
	mkdir -p "$BUILD"
	(cd "$BUILD" && "$SRC/configure" -q CFLAGS="-O2 -g" && make -j"$(nproc)" >/dev/null)
fi
gcc -O2 -pthread -o "$WORK/loadgen" "$HERE/loadgen.c"
mkdir -p "$WORK/www" "$WORK/run"
chmod 700 "$WORK/run"
head -c 4096 /dev/zero | tr '\0' 'x' >"$WORK/www/4k.txt"

"$BUILD/examples/prefork_hello" "$PORT" 16 "$WORK/www" num_workers 2 \
	admin_socket "$WORK/run/admin.sock" keep_alive_timeout_ms 5000 \
	worker_shutdown_timeout_ms 10000 >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do
	curl -sf -o /dev/null "http://127.0.0.1:$PORT$URL_PATH" && break
	sleep 0.1
done
CTL="$BUILD/civetctl -s $WORK/run/admin.sock"

one_run() { # close_percent
	local pct=$1 series="$WORK/series-$1"
	"$WORK/loadgen" "$PORT" "$URL_PATH" 24 "$CONNS" "$pct" "$series" \
		>"$WORK/result-$pct" &
	local lg=$!
	sleep 6
	local t0 t1 fails=0
	t0=$(date +%s%N)
	for _ in $(seq 20); do
		$CTL reload >/dev/null || fails=$((fails + 1))
		sleep 0.4
	done
	t1=$(date +%s%N)
	wait $lg
	local ms=$(((t1 - t0) / 1000000))
	# steady: seconds 1..5; reloads: the whole seconds the reloads covered
	awk -v a=6 -v b=$((6 + ms / 1000)) '
		$1 >= 1 && $1 < 6 { s += $2; ns++ }
		$1 >= a && $1 < b { r += $2; nr++ }
		END { printf "steady_rps=%.0f reload_rps=%.0f ratio=%.2f ", s/ns, r/nr, (r/nr)/(s/ns) }' "$series"
	echo "close=$pct% reloads=20 reload_failures=$fails reload_ms=$ms $(cat "$WORK/result-$pct")"
}
one_run 0
one_run 50
$CTL status | head -3
