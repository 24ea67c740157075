#!/usr/bin/env bash
# bench/proxy.sh - what a PROXY protocol header costs a new connection:
# bench/proxyload.c's 64 blocking clients asking for a 4 KiB static file
# with "Connection: close" (a connect, a request and a close each time)
# against one civetd prefork daemon (`civetd -c CONF`, 2 workers x 16
# threads) with two ports: a `p` port, where every request is sent behind
# a version 1 header in the same write (as a balancer sends them), and a
# plain port. ROUNDS rounds, the two ports taking turns to go first.
# Prints one line per round:
#   round proxy_rps plain_rps ratio(proxy/plain) p_cpu_us n_cpu_us [errors]
# (cpu_us: the whole machine's busy CPU per request during that run) and a
# last line with the median ratio.
#
# usage: bench/proxy.sh [SECONDS]   (per run, default 5)
#   ROUNDS=N   rounds (default 3)
#   BUILD=DIR  a built civetd tree (default: build one in /tmp)
# Needs: cc, curl.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
D=${1:-5}
ROUNDS=${ROUNDS:-3}
WORK=$(mktemp -d)
CIVETD=
cleanup() {
	[ -n "$CIVETD" ] && kill "$CIVETD" 2>/dev/null || true
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
mkdir -p "$WORK/www"
head -c 3072 /dev/urandom | base64 -w 76 | head -c 4096 >"$WORK/www/4k.txt"

free_port() {
	local p
	for _ in $(seq 200); do
		p=$((20000 + RANDOM % 30000))
		[ -z "$(ss -Htan "( sport = :$p )")" ] && { echo "$p"; return; }
	done
	echo "proxy.sh: no free port" >&2
	exit 1
}
PPORT=$(free_port)
NPORT=$(free_port)
while [ "$NPORT" = "$PPORT" ]; do NPORT=$(free_port); done
cat >"$WORK/civetd.conf" <<CF
listening_ports 127.0.0.1:${PPORT}p,127.0.0.1:$NPORT
document_root $WORK/www
num_workers 2
num_threads 16
CF
"$BUILD/civetd" -c "$WORK/civetd.conf" >"$WORK/civetd.log" 2>&1 &
CIVETD=$!
for _ in $(seq 100); do
	curl -sf -o /dev/null "http://127.0.0.1:$NPORT/4k.txt" && break
	sleep 0.1
done
curl -sf -o /dev/null --haproxy-protocol "http://127.0.0.1:$PPORT/4k.txt" || {
	echo "proxy.sh: civetd did not start" >&2
	cat "$WORK/civetd.log" >&2
	exit 1
}

cc -O2 -pthread -o "$WORK/proxyload" "$HERE/proxyload.c"

busy() { # jiffies the whole machine spent busy (server, clients, softirqs)
	awk '/^cpu / {print $2 + $3 + $4 + $6 + $7 + $8}' /proc/stat
}

one() { # port -> "rps cpu_us_per_request errors"
	local mode=plain n e rps a b
	[ "$1" = "$PPORT" ] && mode=proxy
	a=$(busy)
	read -r n e rps <<<"$("$WORK/proxyload" "$1" /4k.txt "$D" 64 "$mode")"
	b=$(busy)
	echo "$rps $(( n > 0 ? (b - a) * 10000000 / n / 1000 : 0 )) $([ "$e" -gt 0 ] && echo "errors=$e")"
}

printf '%5s %10s %10s %7s %8s %8s %s\n' round proxy_rps plain_rps ratio \
	p_cpu_us n_cpu_us errors
ratios=()
for r in $(seq "$ROUNDS"); do
	if [ $((r % 2)) -eq 1 ]; then
		read -r p pcpu perr <<<"$(one "$PPORT")"
		sleep 1
		read -r n ncpu nerr <<<"$(one "$NPORT")"
	else
		read -r n ncpu nerr <<<"$(one "$NPORT")"
		sleep 1
		read -r p pcpu perr <<<"$(one "$PPORT")"
	fi
	ratio=$(awk -v a="$p" -v b="$n" 'BEGIN {printf "%.3f", (b > 0 ? a / b : 0)}')
	ratios+=("$ratio")
	printf '%5s %10s %10s %7s %8s %8s %s\n' "$r" "$p" "$n" "$ratio" \
		"$pcpu" "$ncpu" "$perr$nerr"
	sleep 1
done
printf 'median ratio %s\n' "$(printf '%s\n' "${ratios[@]}" | sort -n |
	awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')"
