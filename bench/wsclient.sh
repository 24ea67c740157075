#!/usr/bin/env bash
# bench/wsclient.sh - WebSocket client throughput over loopback (plain TCP),
# against bench/wsclient.c's raw peer, which costs next to nothing: what is
# measured is mg_websocket_client_write (masking, the lock, the send) and
# the reader thread (parse, copy, data_func). For each message size, send
# and recv, one line:
#   mode size count seconds MB/s messages/s
#
# usage: bench/wsclient.sh [TOTAL_MB]   (per run, default 256)
#   SIZES='64 4096 65536 1048576'
#   BUILD=DIR   a built civetd tree (default: build one in /tmp)
# Needs: gcc, libssl-dev (for the peer's SHA-1).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
MB=${1:-256}
SIZES=${SIZES:-64 4096 65536 1048576}
if [ -z "${BUILD:-}" ]; then
	BUILD=$(mktemp -d)
	(cd "$SRC" && autoreconf -fi >/dev/null 2>&1)
	(cd "$BUILD" && "$SRC/configure" >/dev/null && make -j2 libcivetd.la >/dev/null)
fi
BIN=$(mktemp -d)/wsclient
gcc -O2 -Wall -o "$BIN" "$HERE/wsclient.c" -I"$SRC/src/include" \
	-L"$BUILD/.libs" -lcivetd -lcrypto -pthread
for s in $SIZES; do
	for m in send recv; do
		LD_LIBRARY_PATH="$BUILD/.libs" "$BIN" "$m" "$s" "$MB"
	done
done
