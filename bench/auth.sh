#!/usr/bin/env bash
# bench/auth.sh - what digest authentication costs: requests/s of a 4 KiB
# file behind a .htpasswd against the same file unprotected, on civetd
# (2 workers, keep-alive), with one client for both (bench/digestload.c:
# plain GETs, or digest answers with nc counting up per connection, a
# fresh nonce from each stale challenge). Rounds alternate the two.
# usage: bench/auth.sh [SECONDS] [CONNECTIONS]
#   BUILD=DIR  a built civetd tree (default: build one in /tmp, -O2)
#   ROUNDS=N   repeat N times (default 3)
# Needs (Debian): gcc libssl-dev python3.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
D=${1:-8}
C=${2:-32}
ROUNDS=${ROUNDS:-3}
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
gcc -O2 -Wall -pthread -o "$WORK/digestload" "$HERE/digestload.c" -lcrypto

mkdir -p "$WORK/www/open" "$WORK/www/sec"
head -c 3072 /dev/urandom | base64 -w 76 | head -c 4096 >"$WORK/www/open/4k.txt"
cp "$WORK/www/open/4k.txt" "$WORK/www/sec/4k.txt"
python3 -c 'import hashlib; print("bench:mydomain.com:" + hashlib.md5(b"bench:mydomain.com:secret").hexdigest())' \
	>"$WORK/www/sec/.htpasswd"
port=18391
cat >"$WORK/civetd.conf" <<CF
listening_ports 127.0.0.1:$port
document_root $WORK/www
num_workers 2
num_threads 16
enable_keep_alive yes
keep_alive_timeout_ms 10000
CF
"$BUILD/civetd" -c "$WORK/civetd.conf" >"$WORK/civetd.log" 2>&1 &
PID=$!
for _ in $(seq 50); do
	curl -s -o /dev/null "http://127.0.0.1:$port/open/4k.txt" && break
	sleep 0.1
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/sec/4k.txt")" = 401 ]
[ "$(curl -s --digest -u bench:secret "http://127.0.0.1:$port/sec/4k.txt" | cmp - "$WORK/www/sec/4k.txt" && echo same)" = same ]

echo "civetd $(git -C "$SRC" rev-parse --short HEAD), ${D}s x $C connections, $ROUNDS rounds"
for r in $(seq "$ROUNDS"); do
	plain=$("$WORK/digestload" "$port" /open/4k.txt "$D" "$C")
	digest=$("$WORK/digestload" "$port" /sec/4k.txt "$D" "$C" bench secret mydomain.com)
	p=$(sed 's/.*rps=\([0-9]*\).*/\1/' <<<"$plain")
	d=$(sed 's/.*rps=\([0-9]*\).*/\1/' <<<"$digest")
	echo "round $r: unprotected $plain"
	echo "round $r: digest      $digest"
	awk -v p="$p" -v d="$d" 'BEGIN { printf "round %d: digest/unprotected = %.2f\n", '"$r"', d / p }'
done
