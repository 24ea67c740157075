#!/usr/bin/env bash
# bench/ws_idle.sh - what idle WebSockets cost a server: N connections to
# bench/ws_echo_app.c's /echo are opened by bench/wsload.c (idle mode, at
# most 128 handshakes at once) and held idle, then one message goes to each
# of K randomly chosen ones, one at a time. For each server (ONLY; a fresh
# server for each):
#   civetweb  CivetWeb 1.15 with num_threads N + 100: it holds one thread
#             per WebSocket, and starts all num_threads threads in mg_start
#             (it refuses more than 65536)
#   civetd    civetd as a library, one process, THREADS threads
#   prefork   the same program run by civetd_run(), WORKERS workers of
#             THREADS threads (RSS and threads summed over the workers,
#             the master not counted)
# Printed, one line per server:
#   rss0      VmRSS in KiB once the server is ready, before any connection
#   rss_held  VmRSS in KiB while the N WebSockets are open
#   per_ws    (rss_held - rss0) / open, KiB per idle WebSocket
#   thr0/thr  threads before / while held (/proc/PID/status Threads)
#   open      WebSockets open after the hold, failed (refused, reset or
#             timed out while opening), closed by the server while idle
#   echo      round-trip latency of the K echoes in us: p50 / p99 / max,
#             and errors (an echo missing after 5 s is one)
#   start_s   seconds from starting the server to its "ready"
# usage: bench/ws_idle.sh
#   N=10000 K=100 PAUSE=2 (seconds idle before the echoes)
#   THREADS=4 WORKERS=2 ONLY='civetweb civetd prefork'
#   BUILD=DIR (a built civetd tree; default: build one -O2 in /tmp)
#   PIN=0|1 (default 1 on 2+ cores: the server on CPU 1, wsload on CPU 0)
# The open-file hard limit must exceed N + 100 (each side raises its soft
# limit). Needs (Debian): gcc libcivetweb-dev libssl-dev iproute2 (ss).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
N=${N:-10000}
K=${K:-100}
PAUSE=${PAUSE:-2}
THREADS=${THREADS:-4}
WORKERS=${WORKERS:-2}
ONLY=${ONLY:-civetweb civetd prefork}
PIN=${PIN:-$([ "$(nproc)" -ge 2 ] && echo 1 || echo 0)}
WORK=$(mktemp -d)
PID=
LOAD=
cleanup() {
	[ -n "$LOAD" ] && kill "$LOAD" 2>/dev/null || true
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

# taskset execs the program, so $! is the process itself
SRV_CPU=() LOAD_CPU=()
[ "$PIN" = 1 ] && SRV_CPU=(taskset -c 1) LOAD_CPU=(taskset -c 0)
ulimit -n "$(ulimit -Hn)"

# a /proc/PID/status field, summed over the workers for prefork
status() { # pid key
	local p
	for p in $([ "$NAME" = prefork ] && pgrep -P "$1" || echo "$1"); do
		awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$p/status"
	done | awk '{ s += $1 } END { print s + 0 }'
}
field() { # line key
	tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { v = $2 } END { print v == "" ? "-" : v }'
}
wait_for() { # file word seconds pid
	local i
	for i in $(seq $(($3 * 20))); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		kill -0 "$4" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# the next port from a random start below the ephemeral range
# (32768-60999, where wsload's own sockets live) that no socket uses
port=$((10000 + RANDOM % 20000))
next_port() {
	port=$((port + 1))
	while [ -n "$(ss -Htan "sport = :$port" 2>/dev/null)" ]; do
		port=$((port + 1))
	done
}
printf '%-9s %6s %9s %9s %7s %6s %6s %18s %26s %7s\n' server n rss0 \
	rss_held per_ws thr0 thr "open/failed/closed" "echo p50/p99/max (err)" \
	start_s
for NAME in $ONLY; do
	next_port
	threads=$THREADS
	[ "$NAME" = civetweb ] && threads=$((N + 100))
	t0=$(date +%s.%N)
	"${SRV_CPU[@]}" "$WORK/app_$NAME" "$port" "$threads" "$WORKERS" \
		>"$WORK/$NAME.log" 2>&1 &
	PID=$!
	if ! wait_for "$WORK/$NAME.log" ready 120 "$PID"; then
		echo "$NAME: did not start: $(head -c 200 "$WORK/$NAME.log")"
		kill "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
		PID=
		continue
	fi
	start_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	sleep 1 # the workers of prefork all up
	rss0=$(status "$PID" VmRSS)
	thr0=$(status "$PID" Threads)
	"${LOAD_CPU[@]}" "$WORK/wsload" -m idle -p "$port" -c "$N" -k "$K" \
		-w "$PAUSE" -t 5000 >"$WORK/load.out" 2>"$WORK/load.err" &
	LOAD=$!
	if wait_for "$WORK/load.out" holding $((N / 100 + 60)) "$LOAD"; then
		rss=$(status "$PID" VmRSS)
		thr=$(status "$PID" Threads)
		l1=$(grep '^idle open' "$WORK/load.out")
		l2=$(grep '^idle echoes' "$WORK/load.out")
		open=$(field "$l1" open)
		per=$(awk -v a="$rss0" -v b="$rss" -v n="$open" \
			'BEGIN { printf "%.1f", (n > 0 ? (b - a) / n : 0) }')
		printf '%-9s %6s %9s %9s %7s %6s %6s %18s %26s %7s\n' "$NAME" "$N" \
			"$rss0" "$rss" "$per" "$thr0" "$thr" \
			"$open/$(field "$l1" failed)/$(field "$l1" closed_while_idle)" \
			"$(field "$l2" p50_us)/$(field "$l2" p99_us)/$(field "$l2" max_us) ($(field "$l2" errors))" \
			"$start_s"
	else
		echo "$NAME: wsload did not get to holding: $(cat "$WORK/load.err" "$WORK/load.out" | tr "\n" " " | head -c 300)"
	fi
	kill "$LOAD" 2>/dev/null || true
	wait "$LOAD" 2>/dev/null || true
	LOAD=
	kill "$PID" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
	PID=
done
