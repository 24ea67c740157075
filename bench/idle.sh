#!/usr/bin/env bash
# bench/idle.sh - what idle keep-alive connections cost a server.
# bench/idlers.c opens N connections (source addresses 127.0.0.2, .3, ...),
# sends one keep-alive GET /hello.txt on each, reads the response and then
# holds them all open and idle. For each N and each server, in one run:
#   lib    civetd as a library in one process: the shared benchmark's
#          hello.c built against libcivetd (num_threads 4)
#   nginx  nginx with 1 worker process, worker_connections 20480 (nginx
#          closes idle keep-alive connections once fewer than 1/16 of
#          them are free, so 20000 would drop some of 19,000),
#          worker_rlimit_nofile = the hard limit (20480 fails here:
#          setrlimit needs CAP_SYS_RESOURCE to go above the hard limit)
#   daemon the civetd prefork daemon (`civetd -c CONF`, DAEMON_WORKERS
#          workers x 4 threads)
# every server with keep-alive and request timeouts of 600 s, a fresh
# server for each N. Prints one line per server and N:
#   rss0     RSS before (KiB, after a few requests; nginx and daemon: the
#            worker processes summed, the master not counted; nginx
#            allocates its worker_connections table at start, so part of
#            its per-connection memory is already in rss0)
#   rss_held RSS while the N connections are held
#   per_conn (rss_held - rss0) / N in KiB
#   thr      threads (workers summed)
#   estab    ESTABLISHED sockets on the server's port (ss), while held
#   split    connections per worker process (from ss -p)
#   p_idle   median / max latency in ms of 21 fresh requests (connect +
#            GET + read, Connection: close) before the idlers connect
#   p_held   the same while the N connections are held
#   ready    idlers' count of connections that got their 200, and failures
#   closed   connections the server closed while they were held (should
#            be 0)
#
# usage: bench/idle.sh
#   NS='10000 19000'  numbers of idle connections
#   ONLY='lib nginx daemon'  servers to run
#   HOLD=S            seconds to hold before measuring (default 3)
#   DAEMON_WORKERS=N  worker processes of the daemon (default 2)
#   BUILD=DIR         a built civetd tree (default: build one in /tmp)
#   PEERS=DIR         the shared benchmark, for hello.c (../shared/bench)
# Needs: gcc, nginx (1.22), curl, ss (iproute2). The open-file hard limit
# must exceed the largest N (each process raises its soft limit to it).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
PEERS=${PEERS:-$SRC/../shared/bench}
NS=${NS:-10000 19000}
ONLY=${ONLY:-lib nginx daemon}
HOLD=${HOLD:-3}
DAEMON_WORKERS=${DAEMON_WORKERS:-2}
WORK=$(mktemp -d)
SERVER=
IDLERS=
cleanup() {
	[ -n "$IDLERS" ] && kill "$IDLERS" 2>/dev/null || true
	[ -n "$SERVER" ] && stop_server
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

ulimit -n "$(ulimit -Hn)"
for n in $NS; do
	if [ "$n" -gt $(($(ulimit -Hn) - 100)) ]; then
		echo "idle.sh: N=$n needs an open-file limit above $((n + 100))" \
			"(hard limit: $(ulimit -Hn))" >&2
		exit 1
	fi
done

if [ -z "${BUILD:-}" ]; then
	BUILD=$WORK/build
	mkdir -p "$BUILD"
	(cd "$BUILD" && "$SRC/configure" -q CFLAGS="-O2 -g" && make -j"$(nproc)" >/dev/null)
fi
gcc -O2 -o "$WORK/idlers" "$HERE/idlers.c"
gcc -O2 -I"$SRC/src/include" -o "$WORK/hello-civetd" "$PEERS/hello.c" \
	-L"$BUILD/.libs" -lcivetd -Wl,-rpath,"$BUILD/.libs"
mkdir -p "$WORK/www" "$WORK/nginx"
echo 'Hello, world!' >"$WORK/www/hello.txt"

free_port() {
	local p
	for _ in $(seq 200); do
		p=$((20000 + RANDOM % 30000))
		[ -z "$(ss -Htan "( sport = :$p )")" ] && { echo "$p"; return; }
	done
	echo "idle.sh: no free port" >&2
	exit 1
}

start_server() { # name port
	local name=$1 port=$2
	case $name in
	lib)
		"$WORK/hello-civetd" "$port" 4 "$WORK/www" \
			keep_alive_timeout_ms 600000 request_timeout_ms 600000 \
			>"$WORK/lib.log" 2>&1 &
		;;
	nginx)
		cat >"$WORK/nginx/nginx.conf" <<NG
user root; worker_processes 1; daemon off; pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log; worker_rlimit_nofile $(ulimit -Hn);
events { worker_connections 20480; }
http { access_log off; sendfile on; tcp_nopush on;
  keepalive_timeout 600s; keepalive_requests 1000000;
  client_header_timeout 600s; client_body_timeout 600s; send_timeout 600s;
  client_body_temp_path $WORK/nginx/body; proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fcgi; uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  server { listen 127.0.0.1:$port backlog=4096; root $WORK/www; } }
NG
		nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" \
			>"$WORK/nginx.log" 2>&1 &
		;;
	daemon)
		cat >"$WORK/civetd.conf" <<CF
listening_ports 127.0.0.1:$port
document_root $WORK/www
num_workers $DAEMON_WORKERS
num_threads 4
enable_keep_alive yes
keep_alive_timeout_ms 600000
request_timeout_ms 600000
CF
		"$BUILD/civetd" -c "$WORK/civetd.conf" >"$WORK/daemon.log" 2>&1 &
		;;
	esac
	SERVER=$!
	for _ in $(seq 100); do
		curl -sf -o /dev/null "http://127.0.0.1:$port/hello.txt" && return
		sleep 0.1
	done
	echo "idle.sh: $name did not start" >&2
	cat "$WORK/$name.log" >&2
	exit 1
}

stop_server() { # TERM, then KILL the master and its workers after 10 s
	local kids
	kids=$(pgrep -P "$SERVER" | tr '\n' ' ' || true)
	kill "$SERVER" 2>/dev/null || true
	for _ in $(seq 100); do
		kill -0 "$SERVER" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$SERVER" 2>/dev/null; then
		# shellcheck disable=SC2086
		kill -KILL "$SERVER" $kids 2>/dev/null || true
	fi
	wait "$SERVER" 2>/dev/null || true
	SERVER=
}

# the processes holding connections: the library's one process, or the
# master's children
measured_pids() { # name
	if [ "$1" = lib ]; then
		echo "$SERVER"
	else
		pgrep -P "$SERVER" | tr '\n' ' '
	fi
}
sum_status() { # field pid...
	local f=$1 t=0 v
	shift
	for p in "$@"; do
		v=$(awk -v f="$f:" '$1 == f {print $2}' "/proc/$p/status" 2>/dev/null || true)
		t=$((t + ${v:-0}))
	done
	echo "$t"
}
split_of() { # port pid...
	local port=$1 out="" c
	shift
	local list
	list=$(ss -Htnp state established "( sport = :$port )")
	for p in "$@"; do
		c=$(grep -c "pid=$p," <<<"$list" || true)
		out="$out${out:+/}$c"
	done
	echo "$out"
}
probe() { # port -> "median/max"
	"$WORK/idlers" probe "$1" /hello.txt 21 50 |
		sed -E 's/.*ok=([0-9]+) fail=([0-9]+) median_ms=([^ ]+) max_ms=([^ ]+).*/\3\/\4 fail=\2/'
}

printf '%-7s %6s %9s %9s %8s %4s %6s %-12s %-22s %-22s %-18s %s\n' \
	server N rss0 rss_held per_conn thr estab split p_idle p_held ready closed
for n in $NS; do
	for name in lib nginx daemon; do
		[[ " $ONLY " == *" $name "* ]] || continue
		port=$(free_port)
		start_server "$name" "$port"
		sleep 0.5
		p_idle=$(probe "$port")
		# shellcheck disable=SC2046
		pids=$(measured_pids "$name")
		# shellcheck disable=SC2086
		rss0=$(sum_status VmRSS $pids)
		"$WORK/idlers" hold "$port" /hello.txt "$n" >"$WORK/idlers.out" 2>&1 &
		IDLERS=$!
		for _ in $(seq 1200); do
			grep -q '^ready' "$WORK/idlers.out" && break
			kill -0 "$IDLERS" 2>/dev/null || break
			sleep 0.1
		done
		ready=$(sed -nE 's/^ready ok=([0-9]+) failed=([0-9]+).*/ok=\1,fail=\2/p' "$WORK/idlers.out")
		sleep "$HOLD"
		# shellcheck disable=SC2086
		{
			rss=$(sum_status VmRSS $pids)
			thr=$(sum_status Threads $pids)
			split=$(split_of "$port" $pids)
		}
		estab=$(ss -Htn state established "( sport = :$port )" | wc -l)
		p_held=$(probe "$port")
		kill -TERM "$IDLERS" 2>/dev/null || true
		wait "$IDLERS" 2>/dev/null || true
		IDLERS=
		closed=$(sed -nE 's/^end open=([0-9]+) closed_by_server=([0-9]+)/\2/p' "$WORK/idlers.out")
		per=$(awk -v a="$rss0" -v b="$rss" -v n="$n" 'BEGIN {printf "%.2f", (b - a) / n}')
		printf '%-7s %6s %9s %9s %8s %4s %6s %-12s %-22s %-22s %-18s %s\n' \
			"$name" "$n" "$rss0" "$rss" "$per" "$thr" "$estab" "$split" \
			"$p_idle" "$p_held" "${ready:-none}" "${closed:--}"
		if [ "$name" = nginx ]; then
			grep -E '\[(alert|emerg|crit|warn)\]' "$WORK/nginx/error.log" 2>/dev/null |
				sort -u -k3 | head -3 || true
		fi
		stop_server
	done
done
