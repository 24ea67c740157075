#!/usr/bin/env bash
# docs/status-page.sh - makes docs/status-page.png, the picture of the
# status page in docs/admin.md: civetd (2 workers) with status_page_uri,
# a little load (paced keep-alive requests, some of them 404s, and a few
# idle keep-alive connections), and headless Chromium driven over the
# DevTools protocol by t/cdp.py, which captures the page as a phone shows
# it (390 x 844 CSS px at 2x) once it has updated a few times.
# usage: docs/status-page.sh [OUT.png]
#   BUILD=DIR     a built civetd tree (default: build one in /tmp)
#   CHROMIUM_BIN  the browser (default /usr/bin/chromium)
#   SIZE="W H M"  viewport and phone (1) or desktop (0); default "390 844 1"
# Needs (Debian): chromium python3-websockets.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
OUT=${1:-$HERE/status-page.png}
CHROMIUM=${CHROMIUM_BIN:-/usr/bin/chromium}
read -r W H M <<<"${SIZE:-390 844 1}"
WORK=$(mktemp -d)
PID= LOAD= BROWSER=
cleanup() {
	[ -n "$LOAD" ] && kill "$LOAD" 2>/dev/null || true
	[ -n "$BROWSER" ] && kill -- "-$BROWSER" 2>/dev/null || true
	[ -n "$PID" ] && kill "$PID" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
if [ -z "${BUILD:-}" ]; then
	BUILD=$WORK/build
	mkdir -p "$BUILD"
	(cd "$BUILD" && "$SRC/configure" -q && make -j2 >/dev/null)
fi
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port=$(free_port)
mport=$(free_port)
mkdir -p "$WORK/www"
echo hello >"$WORK/www/hello.txt"
cat >"$WORK/civetd.conf" <<CF
listening_ports 127.0.0.1:$port
document_root $WORK/www
num_workers 2
num_threads 4
enable_keep_alive yes
keep_alive_timeout_ms 60000
admin_socket $WORK/run/admin.sock
metrics_listen 127.0.0.1:$mport
status_page_uri /status
CF
"$BUILD/civetd" -c "$WORK/civetd.conf" >"$WORK/civetd.log" 2>&1 &
PID=$!
for _ in $(seq 100); do
	curl -s -o /dev/null "http://127.0.0.1:$mport/status.json" && break
	sleep 0.1
done

# ~300 requests/s on 4 keep-alive connections, every 20th a 404, and 3
# connections left idle
python3 - "$port" <<'PY' &
import http.client, sys, time
port = int(sys.argv[1])
idle = [http.client.HTTPConnection("127.0.0.1", port) for _ in range(3)]
for c in idle:
    c.request("GET", "/hello.txt")
    c.getresponse().read()
busy = [http.client.HTTPConnection("127.0.0.1", port) for _ in range(4)]
n = 0
while True:
    t = time.monotonic()
    for c in busy:
        n += 1
        c.request("GET", "/missing" if n % 20 == 0 else "/hello.txt")
        c.getresponse().read()
    time.sleep(max(0, 4 / 300 - (time.monotonic() - t)))
PY
LOAD=$!

mkdir -p "$WORK/home"
HOME=$WORK/home setsid "$CHROMIUM" --headless=new --no-sandbox --disable-gpu \
	--disable-dev-shm-usage --no-first-run --disable-extensions \
	--disable-background-networking --disable-component-update \
	--hide-scrollbars --remote-debugging-port=0 \
	--user-data-dir="$WORK/profile" about:blank >"$WORK/chromium.log" 2>&1 &
BROWSER=$!
for _ in $(seq 200); do
	[ -s "$WORK/profile/DevToolsActivePort" ] && break
	sleep 0.1
done
dt=$(head -n1 "$WORK/profile/DevToolsActivePort")
cdp() { /usr/bin/python3 "$SRC/t/cdp.py" "$dt" "$@"; }
cdp navigate "http://127.0.0.1:$mport/status"
cdp wait 20000 "+document.body.dataset.updates >= 5" >/dev/null
cdp screenshot "$OUT" "$W" "$H" "$M"
echo "$OUT: $(stat -c %s "$OUT") bytes"
