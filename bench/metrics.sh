#!/usr/bin/env bash
# bench/metrics.sh - what being watched costs: a 4 KiB file under wrk load
# (civetd, 2 workers, keep-alive) with and without a scraper that fetches
# the master's metrics_listen endpoint 10 times a second; printed are both
# throughputs, their ratio, and the scrape latency (p50, p99, max, from
# curl's time_total) under load. Rounds alternate the two. A last round
# does the same with `civetctl metrics` over the admin socket (its
# latency includes starting civetctl, as an operator's script sees it).
# usage: bench/metrics.sh [SECONDS] [CONNECTIONS]
#   BUILD=DIR  a built civetd tree (default: build one in /tmp, -O2)
#   ROUNDS=N   repeat N times (default 3)
# Needs (Debian): wrk curl python3.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
D=${1:-8}
C=${2:-64}
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
mkdir -p "$WORK/www"
head -c 3072 /dev/urandom | base64 -w 76 | head -c 4096 >"$WORK/www/4k.txt"
port=18401
mport=19401
cat >"$WORK/civetd.conf" <<CF
listening_ports 127.0.0.1:$port
document_root $WORK/www
num_workers 2
num_threads 16
enable_keep_alive yes
keep_alive_timeout_ms 10000
metrics_listen 127.0.0.1:$mport
admin_socket $WORK/admin.sock
CF
"$BUILD/civetd" -c "$WORK/civetd.conf" >"$WORK/civetd.log" 2>&1 &
PID=$!
for _ in $(seq 50); do
	curl -s -o /dev/null "http://127.0.0.1:$mport/metrics" && break
	sleep 0.1
done

rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$1"; }
scrape() { # seconds: 10 scrapes a second on one keep-alive connection,
	# as a Prometheus server scrapes; latencies in ms to stdout
	python3 - "$mport" "$1" <<'PY'
import http.client, sys, time
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    t = time.monotonic()
    c.request("GET", "/metrics")
    r = c.getresponse()
    r.read()
    assert r.status == 200
    print("%.3f" % ((time.monotonic() - t) * 1000))
    time.sleep(max(0, 0.1 - (time.monotonic() - t)))
PY
}
echo "civetd $(git -C "$SRC" rev-parse --short HEAD), ${D}s x $C connections, $ROUNDS rounds"
ctl_scrape() { # the same with civetctl metrics, 10 a second
	python3 - "$BUILD/civetctl" "$WORK/admin.sock" "$1" <<'PY'
import subprocess, sys, time
end = time.monotonic() + float(sys.argv[3])
while time.monotonic() < end:
    t = time.monotonic()
    subprocess.run([sys.argv[1], "-s", sys.argv[2], "metrics"], check=True,
                   stdout=subprocess.DEVNULL)
    print("%.3f" % ((time.monotonic() - t) * 1000))
    time.sleep(max(0, 0.1 - (time.monotonic() - t)))
PY
}
for r in $(seq $((ROUNDS + 1))); do
	wrk -t2 -c"$C" -d"${D}s" "http://127.0.0.1:$port/4k.txt" >"$WORK/plain.txt"
	if [ "$r" -le "$ROUNDS" ]; then
		scrape "$D" >"$WORK/lat.txt" &
	else
		ctl_scrape "$D" >"$WORK/lat.txt" &
	fi
	sp=$!
	wrk -t2 -c"$C" -d"${D}s" "http://127.0.0.1:$port/4k.txt" >"$WORK/scraped.txt"
	wait "$sp" 
	a=$(rps "$WORK/plain.txt")
	b=$(rps "$WORK/scraped.txt")
	sort -n "$WORK/lat.txt" | awk -v a="$a" -v b="$b" -v r="$r" -v rounds="$ROUNDS" '
		{ v[NR] = $1 }
		END {
			p50 = v[int(NR * 0.50 + 0.5)]; p99 = v[int(NR * 0.99 + 0.5)]
			if (p99 == "") p99 = v[NR]
			if (r > rounds) printf "civetctl metrics: "
			printf "round %d: unscraped %.0f req/s, scraped %.0f req/s, ratio %.3f; %d scrapes p50 %.2f ms p99 %.2f ms max %.2f ms\n", r, a, b, b / a, NR, p50, p99, v[NR]
		}'
done
