#!/usr/bin/env bash
# bench/tls.sh - HTTPS beside nginx, in one run, with the same certificate
# and 2 worker processes each: civetd as a prefork server
# (examples/prefork_hello: the /hello handler of the shared benchmark
# through civetd_run, and the document root) and nginx 1.22 (TLS 1.2 and
# 1.3, reuseport, sendfile, access_log off, /hello answered by `return`).
# For an ECDSA P-256 and an RSA 2048 certificate:
#   full     handshakes/s, each connection a full handshake (bench/tlsload.c:
#            4 threads connect, handshake, GET /hello, close)
#   resumed  the same, each connection resuming its predecessor's session
#   /hello, 4k.txt, 1m.bin over keep-alive connections (wrk -t2 -c64),
#            requests/s and p99
# ROUNDS rounds, the two servers taking turns to go first. One line per
# measurement:
#   cert test round civetd nginx ratio(civetd/nginx) [c_p99 n_p99]
# then the median ratio per cert and test; for full handshakes also the
# CPU time each civetd worker used during its runs, as shares of the
# whole ("worker_cpu 0.52 0.48": both workers busy).
#
# usage: bench/tls.sh [SECONDS]   (per run, default 8)
#   ROUNDS=N    rounds (default 3)
#   CERTS='ec rsa'  TESTS='full resumed hello 4k 1m'
#   BUILD=DIR   a built civetd tree (default: build one in /tmp)
# Needs: nginx, wrk, openssl, gcc, libssl-dev, curl.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
D=${1:-8}
ROUNDS=${ROUNDS:-3}
CERTS=${CERTS:-ec rsa}
TESTS=${TESTS:-full resumed hello 4k 1m}
WORK=$(mktemp -d)
PIDS=
cleanup() {
	local p
	for p in $PIDS; do
		kill "$p" 2>/dev/null || true
	done
	sleep 1
	for p in $PIDS; do
		pkill -KILL -P "$p" 2>/dev/null || true
		kill -KILL "$p" 2>/dev/null || true
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
gcc -O2 -o "$WORK/tlsload" "$HERE/tlsload.c" -lssl -lcrypto -lpthread
mkdir -p "$WORK/www"
head -c 3072 /dev/urandom | base64 -w 76 | head -c 4096 >"$WORK/www/4k.txt"
head -c 1048576 /dev/urandom >"$WORK/www/1m.bin"

make_cert() { # name keyopts...
	local n=$1
	shift
	openssl req -x509 -nodes -days 2 -subj /CN=localhost "$@" \
		-keyout "$WORK/$n.key" -out "$WORK/$n.crt" 2>/dev/null
	cat "$WORK/$n.crt" "$WORK/$n.key" >"$WORK/$n.pem"
}
make_cert ec -newkey ec -pkeyopt ec_paramgen_curve:P-256
make_cert rsa -newkey rsa:2048

free_port() {
	local p
	for _ in $(seq 200); do
		p=$((20000 + RANDOM % 30000))
		[ -z "$(ss -Htan "( sport = :$p )")" ] && { echo "$p"; return; }
	done
	echo "tls.sh: no free port" >&2
	exit 1
}
wait_up() { # port name
	for _ in $(seq 100); do
		curl -skf -o /dev/null "https://127.0.0.1:$1/hello" && return
		sleep 0.1
	done
	echo "tls.sh: $2 did not start" >&2
	cat "$WORK"/*.log >&2
	exit 1
}

start_servers() { # cert -> CPORT NPORT
	local c=$1
	CPORT=$(free_port)
	"$BUILD/examples/prefork_hello" "127.0.0.1:${CPORT}s" 16 "$WORK/www" \
		num_workers 2 ssl_certificate "$WORK/$c.pem" \
		keep_alive_timeout_ms 5000 >"$WORK/civetd-$c.log" 2>&1 &
	CIVETD=$!
	PIDS="$PIDS $!"
	NPORT=$(free_port)
	mkdir -p "$WORK/nginx-$c"
	cat >"$WORK/nginx-$c/nginx.conf" <<NG
user root; worker_processes 2; daemon off; pid $WORK/nginx-$c/nginx.pid;
error_log $WORK/nginx-$c/error.log;
events { worker_connections 4096; }
http { access_log off; sendfile on; tcp_nopush on; keepalive_requests 1000000;
  client_body_temp_path $WORK/nginx-$c/body; proxy_temp_path $WORK/nginx-$c/proxy;
  fastcgi_temp_path $WORK/nginx-$c/fcgi; uwsgi_temp_path $WORK/nginx-$c/uwsgi;
  scgi_temp_path $WORK/nginx-$c/scgi;
  server { listen 127.0.0.1:$NPORT ssl reuseport; root $WORK/www;
    ssl_certificate $WORK/$c.crt; ssl_certificate_key $WORK/$c.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    location = /hello { default_type text/plain; return 200 "Hello, world!\n"; } } }
NG
	nginx -p "$WORK/nginx-$c" -c "$WORK/nginx-$c/nginx.conf" >"$WORK/nginx-$c.log" 2>&1 &
	PIDS="$PIDS $!"
	wait_up "$CPORT" civetd
	wait_up "$NPORT" nginx
}

worker_ticks() { # the CPU ticks of each civetd worker, one line
	local w
	for w in $(pgrep -P "$CIVETD" | sort -n); do
		awk '{printf "%d ", $14 + $15}' "/proc/$w/stat"
	done
	echo
}

measure() { # test port -> "value p99"
	local out
	case $1 in
	full | resumed)
		out=$("$WORK/tlsload" "$2" "$D" 4 "$([ "$1" = full ] && echo new || echo reuse)" /hello)
		echo "$(sed 's/.*handshakes_per_s=\([0-9]*\).*/\1/' <<<"$out") -"
		grep -q 'failed=0' <<<"$out" || echo "tls.sh: $out" >&2
		;;
	*)
		local path=$1.txt
		[ "$1" = hello ] && path=hello
		[ "$1" = 1m ] && path=1m.bin
		out=$(wrk -t2 -c64 -d"${D}s" --latency "https://127.0.0.1:$2/$path" 2>&1)
		grep -qE 'Socket errors|Non-2xx' <<<"$out" && grep -E 'Socket errors|Non-2xx' <<<"$out" >&2
		echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '$1 == "99%" {print $2}' <<<"$out")"
		;;
	esac
}

printf '%-4s %-8s %5s %10s %10s %6s %9s %9s\n' cert test round civetd nginx ratio c_p99 n_p99
for c in $CERTS; do
	start_servers "$c"
	for t in $TESTS; do
		ratios=()
		used=()
		for r in $(seq "$ROUNDS"); do
			read -ra t0 <<<"$(worker_ticks)"
			if [ $((r % 2)) -eq 1 ]; then
				read -r cv cp <<<"$(measure "$t" "$CPORT")"
				read -ra t1 <<<"$(worker_ticks)"
				read -r nv np <<<"$(measure "$t" "$NPORT")"
			else
				read -r nv np <<<"$(measure "$t" "$NPORT")"
				read -ra t0 <<<"$(worker_ticks)"
				read -r cv cp <<<"$(measure "$t" "$CPORT")"
				read -ra t1 <<<"$(worker_ticks)"
			fi
			for i in "${!t1[@]}"; do
				used[i]=$((${used[i]:-0} + t1[i] - ${t0[i]:-0}))
			done
			ratio=$(awk -v a="$cv" -v b="$nv" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
			ratios+=("$ratio")
			printf '%-4s %-8s %5s %10s %10s %6s %9s %9s\n' "$c" "$t" "$r" "$cv" "$nv" "$ratio" "$cp" "$np"
		done
		printf '%-4s %-8s %5s %10s %10s %6s\n' "$c" "$t" median - - \
			"$(printf '%s\n' "${ratios[@]}" | sort -g | awk '{v[NR] = $1}
				END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')"
		[ "$t" = full ] && printf '%-4s %-8s worker_cpu %s\n' "$c" "$t" \
			"$(printf '%s\n' "${used[@]}" | awk '{v[NR] = $1; s += $1}
				END {for (i = 1; i <= NR; i++) printf "%.2f ", s ? v[i] / s : 0}')"
	done
done
