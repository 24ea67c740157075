#!/usr/bin/env bash
# bench/upload.sh - a large multipart upload through mg_handle_form_request
# (field_store to a temporary directory), civetd against Debian's CivetWeb
# 1.15: the same program (bench/upload_app.c, single process, 4 threads)
# compiled against each. For each server: a SIZE_MIB file of random bytes
# is sent with curl -F; printed are the throughput (upload bytes / curl's
# total time), the server's RSS when idle (VmRSS before the upload) and
# its peak (VmHWM after it; "prefork": the same program run by
# civetd_run() with 2 workers, figures of its largest worker), the server's CPU time for the upload (user +
# system, from /proc/PID/stat), and whether the stored file matches.
# usage: bench/upload.sh [SIZE_MIB] [ROUNDS]   (default 1024, 1)
#   BUILD=DIR  a built civetd tree (default: build one in /tmp, -O2)
#   STORE=DIR  where the server stores (default: a directory under
#              $TMPDIR; /dev/shm takes the disk out of the figures)
# Needs (Debian): gcc curl libcivetweb-dev.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
SIZE=${1:-1024}
ROUNDS=${2:-1}
WORK=$(mktemp -d)
PID=
STOREDIR=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$WORK"
	[ -n "$STOREDIR" ] && rm -rf "$STOREDIR"
}
trap cleanup EXIT

if [ -z "${BUILD:-}" ]; then
	BUILD=$WORK/build
	mkdir -p "$BUILD"
	(cd "$BUILD" && "$SRC/configure" -q CFLAGS="-O2 -g" && make -j2 >/dev/null)
fi
gcc -O2 -Wall -pthread -I"$SRC/src/include" -o "$WORK/app_civetd" \
	"$HERE/upload_app.c" -L"$BUILD/.libs" -lcivetd \
	-Wl,-rpath,"$BUILD/.libs"
gcc -O2 -Wall -pthread -DPREFORK -I"$SRC/src/include" -o "$WORK/app_prefork" \
	"$HERE/upload_app.c" -L"$BUILD/.libs" -lcivetd \
	-Wl,-rpath,"$BUILD/.libs"
gcc -O2 -Wall -pthread -o "$WORK/app_civetweb" "$HERE/upload_app.c" \
	-lcivetweb

head -c $((SIZE << 20)) /dev/urandom >"$WORK/data.bin"
want=$(md5sum <"$WORK/data.bin" | cut -d' ' -f1)
sync # the source written back first: it would slow the first round

# a process's VmRSS/VmHWM; for the prefork server (PREFORK set) the
# largest among its workers, the processes that take the upload
kib() {
	local p
	for p in $( [ -n "${PREFORK:-}" ] && pgrep -P "$1" || echo "$1"); do
		awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$p/status"
	done | sort -n | tail -1
}
# user + system CPU ticks of a process (fields 14 and 15 of its stat,
# counted after the parenthesised command name)
ticks() {
	local p
	for p in $( [ -n "${PREFORK:-}" ] && pgrep -P "$1" || echo "$1"); do
		sed 's/.*) //' "/proc/$p/stat" | awk '{ print $12 + $13 }'
	done | awk '{ s += $1 } END { print s }'
}
HZ=$(getconf CLK_TCK)
STOREDIR=$(mktemp -d "${STORE:-$WORK}/upload-store.XXXXXX")

port=18500
run() { # name binary
	local name=$1 bin=$2 out idle peak t up mbs got c0 c1
	port=$((port + 1))
	mkdir -p "$STOREDIR"
	"$bin" "$port" "$STOREDIR" 4 >"$WORK/$name.log" 2>&1 &
	PID=$!
	for _ in $(seq 100); do
		grep -q ready "$WORK/$name.log" 2>/dev/null && break
		sleep 0.05
	done
	idle=$(kib "$PID" VmRSS)
	c0=$(ticks "$PID")
	out=$(curl -s -o "$WORK/resp" -w '%{time_total} %{size_upload}' \
		-H 'Expect:' -F "file=@$WORK/data.bin;type=application/octet-stream" \
		"http://127.0.0.1:$port/upload")
	peak=$(kib "$PID" VmHWM)
	c1=$(ticks "$PID")
	read -r t up <<<"$out"
	mbs=$(awk -v b="$up" -v t="$t" 'BEGIN { printf "%.0f", b / t / 1e6 }')
	got=$(md5sum <"$STOREDIR/upload-0.bin" 2>/dev/null | cut -d' ' -f1 || true)
	printf '%-9s %s MiB: %s MB/s (%.1f s), CPU %.2f s, RSS idle %s KiB, peak %s KiB, file %s; %s\n' \
		"$name" "$SIZE" "$mbs" "$t" \
		"$(awk -v a="$c0" -v b="$c1" -v hz="$HZ" 'BEGIN { print (b - a) / hz }')" \
		"$idle" "$peak" \
		"$([ "$got" = "$want" ] && echo intact || echo WRONG)" \
		"$(cat "$WORK/resp")"
	kill "$PID"
	wait "$PID" 2>/dev/null || true
	PID=
	rm -f "$STOREDIR"/upload-*.bin
}

for _ in $(seq "$ROUNDS"); do
	run civetd "$WORK/app_civetd"
	PREFORK=1 run prefork "$WORK/app_prefork"
	run civetweb "$WORK/app_civetweb"
done
