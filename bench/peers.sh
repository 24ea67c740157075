#!/usr/bin/env bash
# bench/peers.sh - run the workplace's peer benchmark (../shared/bench:
# CivetWeb 1.15, nginx, lighttpd, a bare epoll ceiling) with civetd in the
# same run: hello.c built unchanged against libcivetd serves /hello and the
# files. Prints one line per peer and URL: rps, p99, errors.
#
# usage: bench/peers.sh [SECONDS] [CONNECTIONS]
#   PEERS=DIR      the shared benchmark (default: ../shared/bench)
#   BUILD=DIR      a built civetd tree (default: build a fresh one in /tmp)
#   THREADS=N      num_threads for our server (default 16)
#   WORKERS=N      run the prefork server (examples/prefork_hello: the same
#                  handler through civetd_run) with N worker processes
#                  instead of the single-process hello.c
#   ONLY=...       passed to the peer script (e.g. ONLY='civetweb nginx ours')
# Needs (Debian): wrk curl nginx-light lighttpd libcivetweb-dev gcc.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
PEERS=${PEERS:-$SRC/../shared/bench}
THREADS=${THREADS:-16}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

if [ -z "${BUILD:-}" ]; then
	BUILD=$WORK/build
	mkdir -p "$BUILD"
	(cd "$BUILD" && "$SRC/configure" -q CFLAGS="-O2 -g" && make -j"$(nproc)" >/dev/null)
fi
if [ -n "${WORKERS:-}" ]; then
	OURS="$BUILD/examples/prefork_hello PORT $THREADS WWW num_workers $WORKERS"
else
	gcc -O2 -I"$SRC/src/include" -o "$WORK/hello-civetd" "$PEERS/hello.c" \
		-L"$BUILD/.libs" -lcivetd -Wl,-rpath,"$BUILD/.libs"
	OURS="$WORK/hello-civetd PORT $THREADS WWW"
fi
OURS="$OURS" bash "$PEERS/peers.sh" "$@"
