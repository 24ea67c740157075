#!/bin/sh
# bootstrap.sh - the two commands of the README's quick start.
#   sh bootstrap.sh serve   install build dependencies, build, and run civetd
#                           on 127.0.0.1:8080 serving site/ (Ctrl-C stops it)
#   sh bootstrap.sh test    install build dependencies, build, run every test
#   sh bootstrap.sh deps    only install the build dependencies, and the
#                           packages named in $EXTRA_DEPS (CI's tools)
# Debian 12; run as root (or with sudo available) so apt-get can install.
set -eu
cd "$(dirname "$0")"

DEPS="build-essential autoconf automake libtool pkg-config \
libssl-dev libevent-dev libzstd-dev zlib1g-dev check"
# What only the tests need: a real browser, headless
# (t/check_e2e_ws_browser), and Python's websockets as an independent
# WebSocket peer (t/check_ws_client, t/check_e2e_ws); curl as an
# independent PROXY protocol sender (t/check_e2e_proxy); Prometheus'
# promtool, which must accept the metrics (t/check_e2e_metrics).
TEST_DEPS="chromium python3-websockets curl prometheus"

install_deps() {
	missing=""
	for p in $DEPS ${EXTRA_DEPS:-}; do
		dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	sudo=""
	[ "$(id -u)" -ne 0 ] && sudo=sudo
	$sudo apt-get update
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y $missing
}

build() {
	[ -x configure ] || autoreconf -fi
	[ -f Makefile ] || ./configure
	make -j"$(nproc)"
}

case "${1:-}" in
serve)
	install_deps
	build
	exec ./civetd -c conf/civetd.conf
	;;
test)
	DEPS="$DEPS $TEST_DEPS"
	install_deps
	build
	make -j"$(nproc)" check
	;;
deps)
	DEPS="$DEPS $TEST_DEPS"
	install_deps
	;;
*)
	echo "usage: sh bootstrap.sh serve|test|deps" >&2
	exit 2
	;;
esac
