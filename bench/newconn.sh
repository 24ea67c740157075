#!/usr/bin/env bash
# bench/newconn.sh - new connections: wrk -t2 -c64 asking for a 4 KiB static
# file with "Connection: close" on every request (a connect, a request and a
# close each time), against the civetd prefork daemon (`civetd -c CONF`, 2
# workers x 16 threads) and nginx with 2 workers (the shared benchmark's
# configuration: reuseport, sendfile, access_log off), both running for the
# whole script. ROUNDS rounds, the two servers taking turns to go first;
# then the same with keep-alive for reference.
# Prints one line per mode and round:
#   mode round civetd_rps nginx_rps ratio(civetd/nginx) c_cpu_us n_cpu_us
#   [errors: wrk's "Socket errors" / "Non-2xx" lines, if any]
# (cpu_us: the whole machine's busy CPU per request during that run) and a
# last line per mode with the median ratio.
#
# usage: bench/newconn.sh [SECONDS]   (per wrk run, default 10)
#   ROUNDS=N   rounds per mode (default 3)
#   MODES='close keepalive'
#   BUILD=DIR  a built civetd tree (default: build one in /tmp)
#   NGINX_DEFERRED=1  nginx listens with `deferred` (TCP_DEFER_ACCEPT, which
#              civetd's tcp_defer_accept uses by default)
# Needs: wrk, nginx (1.22), curl.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
D=${1:-10}
ROUNDS=${ROUNDS:-3}
MODES=${MODES:-close keepalive}
WORK=$(mktemp -d)
CIVETD=
NGINX=
cleanup() { # TERM, then KILL the masters and their workers after 10 s
	local p k alive
	for p in $CIVETD $NGINX; do
		kill "$p" 2>/dev/null || true
	done
	for _ in $(seq 100); do
		alive=
		for p in $CIVETD $NGINX; do
			kill -0 "$p" 2>/dev/null && alive="$alive $p"
		done
		[ -z "$alive" ] && break
		sleep 0.1
	done
	for p in $alive; do
		k=$(pgrep -P "$p" | tr '\n' ' ' || true)
		# shellcheck disable=SC2086
		kill -KILL "$p" $k 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"

if [ -z "${BUILD:-}" ]; then
	BUILD=$WORK/build
	mkdir -p "$BUILD"
	(cd "$BUILD" && "$SRC/configure" -q CFLAGS="-O2 -g" && make -j"$(nproc)" >/dev/null)
fi
mkdir -p "$WORK/www" "$WORK/nginx"
head -c 3072 /dev/urandom | base64 -w 76 | head -c 4096 >"$WORK/www/4k.txt"

free_port() {
	local p
	for _ in $(seq 200); do
		p=$((20000 + RANDOM % 30000))
		[ -z "$(ss -Htan "( sport = :$p )")" ] && { echo "$p"; return; }
	done
	echo "newconn.sh: no free port" >&2
	exit 1
}
wait_up() { # port name
	for _ in $(seq 100); do
		curl -sf -o /dev/null "http://127.0.0.1:$1/4k.txt" && return
		sleep 0.1
	done
	echo "newconn.sh: $2 did not start" >&2
	cat "$WORK/$2.log" >&2
	exit 1
}

CPORT=$(free_port)
cat >"$WORK/civetd.conf" <<CF
listening_ports 127.0.0.1:$CPORT
document_root $WORK/www
num_workers 2
num_threads 16
enable_keep_alive yes
keep_alive_timeout_ms 5000
CF
"$BUILD/civetd" -c "$WORK/civetd.conf" >"$WORK/civetd.log" 2>&1 &
CIVETD=$!
NPORT=$(free_port)
while [ "$NPORT" = "$CPORT" ]; do NPORT=$(free_port); done
cat >"$WORK/nginx/nginx.conf" <<NG
user root; worker_processes 2; daemon off; pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 4096; }
http { access_log off; sendfile on; tcp_nopush on; keepalive_requests 1000000;
  client_body_temp_path $WORK/nginx/body; proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fcgi; uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  server { listen 127.0.0.1:$NPORT reuseport${NGINX_DEFERRED:+ deferred}; root $WORK/www; } }
NG
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" >"$WORK/nginx.log" 2>&1 &
NGINX=$!
wait_up "$CPORT" civetd
wait_up "$NPORT" nginx

busy() { # jiffies the whole machine spent busy (server, wrk, softirqs)
	awk '/^cpu / {print $2 + $3 + $4 + $6 + $7 + $8}' /proc/stat
}

one() { # port mode -> "rps cpu_us_per_request errors"
	local hdr=() out rps err a b n
	[ "$2" = close ] && hdr=(-H 'Connection: close')
	a=$(busy)
	out=$(wrk -t2 -c64 -d"${D}s" "${hdr[@]}" "http://127.0.0.1:$1/4k.txt" 2>&1)
	b=$(busy)
	rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
	n=$(awk '/requests in/ {print $1}' <<<"$out")
	err=$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' ' | tr '\n' ' ' || true)
	echo "${rps:-0} $(( n > 0 ? (b - a) * 10000000 / n / 1000 : 0 )) $err"
}

# cpu_us: machine-wide busy CPU per request (server, wrk and the kernel's
# TCP work together), steadier than rps on this noisy machine. Rounds
# alternate which server goes first.
printf '%-9s %5s %11s %11s %7s %8s %8s %s\n' mode round civetd_rps nginx_rps \
	ratio c_cpu_us n_cpu_us errors
for mode in $MODES; do
	ratios=()
	for r in $(seq "$ROUNDS"); do
		if [ $((r % 2)) -eq 1 ]; then
			read -r c ccpu cerr <<<"$(one "$CPORT" "$mode")"
			sleep 1
			read -r n ncpu nerr <<<"$(one "$NPORT" "$mode")"
		else
			read -r n ncpu nerr <<<"$(one "$NPORT" "$mode")"
			sleep 1
			read -r c ccpu cerr <<<"$(one "$CPORT" "$mode")"
		fi
		sleep 1
		ratio=$(awk -v a="$c" -v b="$n" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
		ratios+=("$ratio")
		printf '%-9s %5s %11s %11s %7s %8s %8s %s\n' "$mode" "$r" "$c" "$n" \
			"$ratio" "$ccpu" "$ncpu" "${cerr:+civetd: $cerr}${nerr:+nginx: $nerr}"
	done
	printf '%-9s %5s %11s %11s %7s\n' "$mode" median - - \
		"$(printf '%s\n' "${ratios[@]}" | sort -g | awk '{v[NR] = $1}
			END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')"
done
