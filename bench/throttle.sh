#!/usr/bin/env bash
# bench/throttle.sh - how close `throttle` keeps to its rate. For each
# rate, bench/throttleapp.c serves a document root with
# "throttle /files/=RATE,/stream=RATE"; curl downloads a static file of
# SECONDS x RATE bytes, then the same amount written by a handler with
# mg_write, and prints the rate it measured and its distance from the
# configured one:
#   rate  kind  bytes  seconds  measured_B/s  error_%
# With HELLO=1 it also runs wrk -t2 -c64 -d5s on /hello with no throttle,
# once with the rules above (/hello matches none) and once without any.
#
# usage: bench/throttle.sh [SECONDS]   (default 3)
#   RATES='16k 64k 1m 8m'   rates to measure
#   BUILD=DIR               a built civetd tree (default /tmp/throttle-b)
# Needs: gcc, curl (wrk for HELLO=1).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(dirname "$HERE")
SECONDS_EACH=${1:-3}
RATES=${RATES:-16k 64k 1m 8m}
BUILD=${BUILD:-/tmp/throttle-b}
WORK=$(mktemp -d /tmp/throttle-bench.XXXXXX)
PORT=${PORT:-18471}
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
PID=

gcc -O2 -I"$SRC/src/include" -o "$WORK/throttleapp" "$HERE/throttleapp.c" \
	-L"$BUILD/.libs" -lcivetd -Wl,-rpath,"$BUILD/.libs"
mkdir -p "$WORK/www/files"

bytes_of() { # 64k -> 65536
	local v=$1
	case $v in
	*k) echo $((${v%k} * 1024)) ;;
	*m) echo $((${v%m} * 1048576)) ;;
	*) echo "$v" ;;
	esac
}

serve() {
	"$WORK/throttleapp" "127.0.0.1:$PORT" "$WORK/www" "$1" &
	PID=$!
	for _ in $(seq 50); do
		curl -s -o /dev/null "http://127.0.0.1:$PORT/hello" && return
		sleep 0.1
	done
	echo "throttleapp did not start" >&2
	exit 1
}

unserve() {
	kill "$PID"
	wait "$PID" 2>/dev/null || true
	PID=
}

measure() { # rate kind url bytes
	local t
	t=$(curl -s -o /dev/null -w '%{time_total}' "$3")
	awk -v r="$1" -v k="$2" -v b="$4" -v t="$t" -v want="$(bytes_of "$1")" \
		'BEGIN { m = b / t; printf "%-5s %-8s %9d %7.3f %12.0f %+7.1f\n",
		         r, k, b, t, m, (m - want) * 100 / want }'
}

echo "rate  kind         bytes seconds measured_B/s error_%"
for rate in $RATES; do
	n=$(($(bytes_of "$rate") * SECONDS_EACH))
	head -c "$n" /dev/urandom >"$WORK/www/files/f.bin"
	serve "/files/=$rate,/stream=$rate"
	measure "$rate" file "http://127.0.0.1:$PORT/files/f.bin" "$n"
	measure "$rate" mg_write "http://127.0.0.1:$PORT/stream?n=$n" "$n"
	unserve
done

if [ "${HELLO:-0}" = 1 ]; then
	for rules in "/files/=64k,/stream=64k" ""; do
		serve "$rules"
		printf 'throttle "%s": ' "$rules"
		wrk -t2 -c64 -d5s "http://127.0.0.1:$PORT/hello" |
			awk '/Requests\/sec/ { print $2 " requests/s" }'
		unserve
	done
fi
