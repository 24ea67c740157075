#!/usr/bin/env bash
# t/fuzz/run.sh - build the libFuzzer targets of t/fuzz/ (clang, with
# AddressSanitizer and UndefinedBehaviorSanitizer) against the library's
# objects, and run each for SECS seconds from the seeds in t/fuzz/seeds/.
# A crash stops the run with the input that caused it in $OUT/crash-*;
# to replay one: $OUT/fuzz_http $OUT/crash-... . Not part of make check
# (how long is long enough is not a test's question); run it after a change
# to a parser.
# usage: t/fuzz/run.sh [TARGET...]   (default: every fuzz_*.c)
#   SECS=60  OUT=/tmp/civetd-fuzz (build dir and corpora)  JOBS=1
# Needs (Debian): clang libclang-rt-14-dev and the build dependencies.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
SECS=${SECS:-60}
OUT=${OUT:-/tmp/civetd-fuzz}
JOBS=${JOBS:-1}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
mkdir -p "$OUT/build"

if [ ! -f "$OUT/build/Makefile" ]; then
	[ -x "$SRC/configure" ] || (cd "$SRC" && autoreconf -fi)
	(cd "$OUT/build" && "$SRC/configure" CC=clang --enable-static \
		CFLAGS="-O1 -g -fsanitize=fuzzer-no-link $SAN" >/dev/null)
fi
make -C "$OUT/build" -j"$(nproc)" libcivetd_test.la >/dev/null # up to date
LIBS="$(pkg-config --libs openssl libevent libevent_pthreads libzstd zlib) -lm -pthread"

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=($(cd "$HERE" && ls fuzz_*.c | sed 's/\.c$//'))
for t in "${targets[@]}"; do
	clang -O1 -g -fsanitize=fuzzer $SAN -D_GNU_SOURCE \
		-I"$SRC/src/include" -I"$SRC/src" -o "$OUT/$t" "$HERE/$t.c" \
		"$OUT/build/.libs/libcivetd_test.a" $LIBS
	mkdir -p "$OUT/corpus/$t"
	seeds=()
	[ -d "$HERE/seeds/$t" ] && seeds=("$HERE/seeds/$t")
	echo "== $t: $SECS s"
	(cd "$OUT" && "./$t" -max_total_time="$SECS" -jobs="$JOBS" \
		-workers="$JOBS" -max_len=65536 -print_final_stats=1 \
		"corpus/$t" "${seeds[@]}" 2>&1 | tail -12)
done
