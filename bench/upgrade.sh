#!/usr/bin/env bash
# bench/upgrade.sh - a binary upgrade under full load. civetd (2 workers, a
# 4 KiB file) serves bench/loadgen for SECONDS; half-way through,
# `civetctl upgrade` replaces the master and its workers. loadgen counts
# every connect error, reset, non-2xx and truncated body (the requests
# lost), and the requests done in each second, so that throughput in the
# seconds the upgrade covers (from the command to the old workers' exit)
# can be set against the steady seconds before it (and the seconds after
# it, served by the new master alone). Two mixes: keep-alive
# only, and 50 % of the requests with "Connection: close".
#
# usage: bench/upgrade.sh [SECONDS] [CONNECTIONS]
#   BUILD=DIR  a built tree (default: build one in a temporary directory)
#   PORT=N     the port (default 18970)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
SECS=${1:-10}
CONNS=${2:-64}
WORK=$(mktemp -d)
PORT=${PORT:-18970}
trap 'kill "$(cat "$WORK/civetd.pid" 2>/dev/null)" 2>/dev/null; sleep 1; rm -rf "$WORK"' EXIT

if [ -z "${BUILD:-}" ]; then
	BUILD=$WORK/build
	mkdir -p "$BUILD"
	(cd "$BUILD" && "$SRC/configure" -q CFLAGS="-O2 -g" && make -j"$(nproc)" >/dev/null)
fi
gcc -O2 -pthread -o "$WORK/loadgen" "$HERE/loadgen.c"
mkdir -p "$WORK/www" "$WORK/run"
chmod 700 "$WORK/run"
head -c 4096 /dev/zero | tr '\0' 'x' >"$WORK/www/4k.txt"
cat >"$WORK/civetd.conf" <<EOF
listening_ports 127.0.0.1:$PORT
num_workers 2
num_threads 8
document_root $WORK/www
enable_keep_alive yes
keep_alive_timeout_ms 5000
worker_shutdown_timeout_ms 10000
admin_socket $WORK/run/admin.sock
pid_file $WORK/civetd.pid
EOF
setsid "$BUILD/civetd" -c "$WORK/civetd.conf" >"$WORK/server.log" 2>&1 </dev/null &
for _ in $(seq 50); do
	curl -sf -o /dev/null "http://127.0.0.1:$PORT/4k.txt" && break
	sleep 0.1
done
CTL="$BUILD/civetctl -s $WORK/run/admin.sock"

# the whole seconds of the loadgen series an upgrade covered: from the
# command to the moment no old worker is left
one_run() { # close_percent
	local pct=$1 series="$WORK/series-$1" old t0 t1 t2 half=$((SECS / 2))
	old=$(cat "$WORK/civetd.pid")
	local start
	start=$(date +%s%N)
	"$WORK/loadgen" "$PORT" /4k.txt "$SECS" "$CONNS" "$pct" "$series" \
		>"$WORK/result-$pct" &
	local lg=$!
	sleep "$half"
	t0=$(date +%s%N)
	$CTL upgrade >"$WORK/upgrade-$pct" || echo "upgrade failed: $(cat "$WORK/upgrade-$pct")"
	t1=$(date +%s%N)
	for _ in $(seq 600); do # gone, or a zombie nobody has reaped yet
		grep -qs '^State:[[:space:]]*[^Z]' "/proc/$old/status" || break
		sleep 0.05
	done
	t2=$(date +%s%N)
	wait $lg
	local a=$(((t0 - start) / 1000000000)) b=$(((t2 - start) / 1000000000))
	awk -v a="$a" -v b="$b" '
		$1 >= 1 && $1 < a { s += $2; ns++ }
		$1 >= a && $1 <= b { u += $2; nu++ }
		$1 > b { p += $2; np++ }
		END { printf "steady_rps=%.0f upgrade_rps=%.0f ratio=%.2f after_rps=%.0f ", s/ns, u/nu, (u/nu)/(s/ns), np ? p/np : 0 }' "$series"
	echo "close=$pct% upgrade_ms=$(((t1 - t0) / 1000000)) old_gone_ms=$(((t2 - t0) / 1000000)) upgrade_seconds=$a-$b $(cat "$WORK/result-$pct")"
	echo "  per second: $(awk '{ printf "%s ", $2 }' "$series")"
	echo "  $(cat "$WORK/upgrade-$pct")"
}
one_run 0
one_run 50
$CTL status | head -1
