#!/usr/bin/env bash
# bench/websocket.sh - WebSocket echo round trips, civetd against Debian's
# CivetWeb 1.15: the same program (bench/ws_echo_app.c, an echo handler on
# /echo) compiled against each, driven by bench/wsload.c in echo mode
# (CONNS connections, one message in flight on each, every echo checked).
# Servers (ONLY):
#   civetweb  CivetWeb 1.15, num_threads CONNS + 8 (it holds a thread per
#             WebSocket: with fewer, the extra handshakes wait and time out)
#   civetd    civetd as a library, one process, THREADS threads
#   prefork   the same program run by civetd_run(), WORKERS workers of
#             THREADS threads
# For each round (ROUNDS, servers alternating, a fresh server each round)
# and message size (SIZES) wsload runs SECS seconds. Printed: one line per
# run, then a table of medians over the rounds: round trips per second,
# p50 and p99 round-trip latency, errors summed, and the ratios
# civetd/CivetWeb (prefork/CivetWeb) of round trips per second and p99.
# With PIN=1 (the default on 2+ cores) the server runs on CPU 1 and wsload
# on CPU 0 (taskset).
# usage: bench/websocket.sh
#   ROUNDS=3 SECS=5 CONNS=64 SIZES='16 16384' THREADS=4 WORKERS=2
#   ONLY='civetweb civetd prefork'  BUILD=DIR (a built civetd tree;
#   default: build one -O2 in /tmp)   PIN=0|1
# Needs (Debian): gcc libcivetweb-dev libssl-dev iproute2 (ss).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
ROUNDS=${ROUNDS:-3}
SECS=${SECS:-5}
CONNS=${CONNS:-64}
SIZES=${SIZES:-16 16384}
THREADS=${THREADS:-4}
WORKERS=${WORKERS:-2}
ONLY=${ONLY:-civetweb civetd prefork}
PIN=${PIN:-$([ "$(nproc)" -ge 2 ] && echo 1 || echo 0)}
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
	(cd "$BUILD" && "$SRC/configure" -q CFLAGS="-O2 -g" && make -j2 >/dev/null)
fi
CIVETD_LIB=(-L"$BUILD/.libs" -lcivetd -Wl,-rpath,"$BUILD/.libs")
gcc -O2 -Wall -pthread -o "$WORK/app_civetweb" "$HERE/ws_echo_app.c" \
	-lcivetweb
gcc -O2 -Wall -pthread -I"$SRC/src/include" -o "$WORK/app_civetd" \
	"$HERE/ws_echo_app.c" "${CIVETD_LIB[@]}"
gcc -O2 -Wall -pthread -DPREFORK -I"$SRC/src/include" \
	-o "$WORK/app_prefork" "$HERE/ws_echo_app.c" "${CIVETD_LIB[@]}"
gcc -O2 -Wall -o "$WORK/wsload" "$HERE/wsload.c" -lcrypto

# taskset execs the program, so $! is the server itself
SRV_CPU=() LOAD_CPU=()
[ "$PIN" = 1 ] && SRV_CPU=(taskset -c 1) LOAD_CPU=(taskset -c 0)

# the next port from a random start below the ephemeral range
# (32768-60999, where wsload's own sockets live) that no socket uses
port=$((10000 + RANDOM % 20000))
next_port() {
	port=$((port + 1))
	while [ -n "$(ss -Htan "sport = :$port" 2>/dev/null)" ]; do
		port=$((port + 1))
	done
}
start() { # name: starts the server, 0 once it said "ready"
	local name=$1 threads=$THREADS
	next_port
	[ "$name" = civetweb ] && threads=$((CONNS + 8))
	"${SRV_CPU[@]}" "$WORK/app_$name" "$port" "$threads" "$WORKERS" \
		>"$WORK/$name.log" 2>&1 &
	PID=$!
	for _ in $(seq 200); do
		grep -q ready "$WORK/$name.log" 2>/dev/null && return 0
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "$name: did not start: $(head -c 200 "$WORK/$name.log")" >&2
	return 1
}
stop() {
	kill "$PID" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
	PID=
}

# key=value of wsload's line, or "-"
field() { # line key
	tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { v = $2 } END { print v == "" ? "-" : v }'
}

: >"$WORK/results"
for round in $(seq "$ROUNDS"); do
	for name in $ONLY; do
		start "$name" || { stop; continue; }
		for size in $SIZES; do
			line=$("${LOAD_CPU[@]}" timeout $((SECS + 30)) "$WORK/wsload" -m echo \
				-p "$port" -c "$CONNS" -s "$size" -d "$SECS" 2>/dev/null ||
				true)
			[ -n "$line" ] || line="echo errors=$CONNS refused=$CONNS (wsload gave no result)"
			echo "round $round $name: $line"
			echo "$name $size $(field "$line" rt_per_s) $(field "$line" p50_us)" \
				"$(field "$line" p99_us) $(field "$line" errors)" \
				"$(field "$line" refused)" >>"$WORK/results"
		done
		stop
	done
done

echo
echo "medians of $ROUNDS rounds, $CONNS connections, $SECS s each (PIN=$PIN):"
printf '%-9s %7s %10s %9s %9s %6s %7s %8s %8s\n' server size rt/s p50_us \
	p99_us errors refused "rt/s:cw" "p99:cw"
awk '
function median(list,   a, n, i, j, t) {
	n = split(list, a, " ")
	for (i = 1; i <= n; i++)
		for (j = i + 1; j <= n; j++)
			if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n == 0 ? 0 : (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
}
{
	k = $1 " " $2
	if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
	if ($3 != "-") { rt[k] = rt[k] " " $3; p50[k] = p50[k] " " $4; p99[k] = p99[k] " " $5 }
	err[k] += ($6 == "-" ? 0 : $6); ref[k] += ($7 == "-" ? 0 : $7)
}
END {
	for (i = 1; i <= nk; i++) {
		k = order[i]; split(k, s, " ")
		r = median(rt[k]); q = median(p99[k])
		if (s[1] == "civetweb") { cwr[s[2]] = r; cwq[s[2]] = q }
		mr[k] = r; mq[k] = q; m50[k] = median(p50[k])
	}
	for (i = 1; i <= nk; i++) {
		k = order[i]; split(k, s, " ")
		a = (cwr[s[2]] > 0 ? sprintf("%.2f", mr[k] / cwr[s[2]]) : "-")
		b = (cwq[s[2]] > 0 ? sprintf("%.2f", mq[k] / cwq[s[2]]) : "-")
		printf "%-9s %7s %10.0f %9.1f %9.1f %6d %7d %8s %8s\n", s[1], s[2], mr[k], m50[k], mq[k], err[k], ref[k], a, b
	}
}' "$WORK/results"
