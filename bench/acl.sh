#!/usr/bin/env bash
# bench/acl.sh - what access_control_list costs where it is paid, on new
# connections: wrk -t2 -c64 asking for a 4 KiB file with "Connection:
# close" (a connect, a request and a close each time) against the civetd
# prefork daemon (2 workers x 16 threads), without a list and with a
# 256-entry list (a config line holds at most 8 KiB) whose only entry
# matching the client is the first one (every entry is looked at).
# ROUNDS rounds, the two taking turns. Prints one line per run:
#   list round requests_per_s
# then bench/aclmatch.c's lines (ns per cw_acl_allows() call).
#
# usage: bench/acl.sh [SECONDS]   (per wrk run, default 5)
#   ROUNDS=N (default 3)   BUILD=DIR a built civetd tree (default: build one)
# Needs: wrk, curl.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
D=${1:-5}
ROUNDS=${ROUNDS:-3}
WORK=$(mktemp -d)
PID=
cleanup() {
	if [ -n "$PID" ]; then
		kill "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

if [ -z "${BUILD:-}" ]; then
	BUILD=$WORK/build
	mkdir -p "$BUILD"
	(cd "$BUILD" && "$SRC/configure" -q CFLAGS="-O2 -g" && make -j2 >/dev/null)
fi
mkdir -p "$WORK/www"
head -c 4096 /dev/zero | tr '\0' 'x' >"$WORK/www/4k.txt"
LIST="+127.0.0.1"
for i in $(seq 1 255); do
	LIST="$LIST,-10.$((i / 256)).$((i % 256)).0/24"
done

# run NAME LIST-or-empty: one wrk run against a fresh daemon
run() {
	local name=$1 list=$2 round=$3 port=18431 rps
	{
		echo "listening_ports 127.0.0.1:$port"
		echo "num_workers 2"
		echo "num_threads 16"
		echo "document_root $WORK/www"
		[ -n "$list" ] && echo "access_control_list $list"
	} >"$WORK/civetd.conf"
	"$BUILD/civetd" -c "$WORK/civetd.conf" 2>/dev/null &
	PID=$!
	for _ in $(seq 100); do
		curl -sf -o /dev/null "http://127.0.0.1:$port/4k.txt" && break
		sleep 0.1
	done
	rps=$(wrk -t2 -c64 -d"$D" -H "Connection: close" \
		"http://127.0.0.1:$port/4k.txt" | awk '/Requests\/sec/ {print $2}')
	kill "$PID"
	wait "$PID" 2>/dev/null || true
	PID=
	echo "$name $round $rps"
}

for r in $(seq "$ROUNDS"); do
	if [ $((r % 2)) -eq 1 ]; then
		run none "" "$r"
		run acl256 "$LIST" "$r"
	else
		run acl256 "$LIST" "$r"
		run none "" "$r"
	fi
done
cc -O2 -I"$SRC/src" "$SRC/bench/aclmatch.c" "$SRC/src/util/acl.c" \
	-o "$WORK/aclmatch"
"$WORK/aclmatch"
