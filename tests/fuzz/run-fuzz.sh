#!/bin/sh
# run-fuzz.sh [--target PROTO] SOURCE_ROOT BUILD_ROOT OUT_DIR [SECONDS] [-- SOURCES...]
#
# Builds the parser fuzz target of PROTO (imap, the default, pop3, smtp or
# autoconfig, whose sources are in src/core/detect):
# tests/fuzz/fuzz-PROTO-parser.c and the pure protocol sources of
# src/core/PROTO, which meson passes after --; by hand, the default is every
# src/core/PROTO/buzon-PROTO-*.c but the session. It is built with clang and
# libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer, then fuzzes
# for SECONDS (default $BUZON_FUZZ_SECONDS, else 30) starting from the seed
# corpus in tests/data/PROTO/, with tests/fuzz/PROTO.dict. New inputs go to
# OUT_DIR/corpus, crashes to OUT_DIR.
# Exits 77 (meson's "skipped") when clang or libFuzzer is not installed;
# on Debian, libFuzzer comes with clang (libclang-rt-14-dev).
#
# By hand, for longer: tests/fuzz/run-fuzz.sh . build /tmp/fuzz 600
#              or: tests/fuzz/run-fuzz.sh --target pop3 . build /tmp/fuzz-pop3 600
#
# Copyright 2026 The Buzón developers
# SPDX-License-Identifier: GPL-3.0-or-later

set -eu

proto=imap
if [ $# -gt 0 ] && [ "$1" = "--target" ]; then
  proto=${2:?--target needs imap, pop3, smtp or autoconfig}; shift 2
fi
case "$proto" in
  imap|pop3|smtp) srcdir=$proto ;;
  autoconfig) srcdir=detect ;;
  *) echo "run-fuzz.sh: unknown target '$proto' (imap, pop3, smtp or autoconfig)" >&2; exit 2 ;;
esac
target=fuzz-$proto-parser

usage="usage: run-fuzz.sh [--target PROTO] SOURCE_ROOT BUILD_ROOT OUT_DIR [SECONDS]"
srcroot=$(cd "${1:?$usage}" && pwd)
buildroot=$(cd "${2:?build root}" && pwd)
out=${3:?out dir}
seconds=${BUZON_FUZZ_SECONDS:-30}
shift 3
if [ $# -gt 0 ] && [ "$1" != "--" ]; then seconds=$1; shift; fi
[ $# -gt 0 ] && [ "$1" = "--" ] && shift
if [ $# -eq 0 ] && [ "$proto" = autoconfig ]; then
  set -- "$srcroot/src/core/detect/buzon-detect-result.c" \
    "$srcroot/src/core/detect/buzon-detect-autoconfig.c"
fi
if [ $# -eq 0 ]; then
  for f in "$srcroot/src/core/$proto/buzon-$proto"-*.c; do
    case "$f" in *-session.c) ;; *) set -- "$@" "$f" ;; esac
  done
fi

CLANG=${CLANG:-clang}
if ! command -v "$CLANG" >/dev/null 2>&1; then
  echo "run-fuzz.sh: $CLANG not found; skipping (install clang)"
  exit 77
fi

mkdir -p "$out/corpus"
probe="$out/probe"
printf 'int LLVMFuzzerTestOneInput (const unsigned char *d, unsigned long n) { return 0; }\n' \
  > "$probe.c"
if ! "$CLANG" -fsanitize=fuzzer "$probe.c" -o "$probe" >/dev/null 2>&1; then
  echo "run-fuzz.sh: $CLANG cannot link libFuzzer; skipping (install libclang-rt-14-dev)"
  exit 77
fi

# The project's flags, so the fuzzer builds what CI builds (config.h is in
# the build root).
flags=$(pkg-config --cflags --libs glib-2.0 gobject-2.0 gio-2.0 gmime-3.0)
# shellcheck disable=SC2086
"$CLANG" -g -O1 -fno-omit-frame-pointer \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -D_GNU_SOURCE -DGLIB_VERSION_MIN_REQUIRED=GLIB_VERSION_2_74 \
  -DGLIB_VERSION_MAX_ALLOWED=GLIB_VERSION_2_74 \
  -I"$buildroot" -I"$srcroot/src/core" -I"$srcroot/src/core/$srcdir" \
  -I"$srcroot/src/core/account" \
  "$@" "$srcroot/tests/fuzz/$target.c" \
  $flags -o "$out/$target"

# Spooled literals (IMAP) go to a private directory, removed afterwards.
spool=$(mktemp -d "${TMPDIR:-/tmp}/buzon-fuzz-spool.XXXXXX")
trap 'rm -rf "$spool" "$probe" "$probe.c"' EXIT INT TERM

cd "$out"
echo "run-fuzz.sh: fuzzing $target for $seconds s from $srcroot/tests/data/$proto"
# detect_leaks: every input's allocations must be freed. libFuzzer exits
# 77 on a crash by default, which meson would count as skipped: 1 instead.
TMPDIR=$spool ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}:abort_on_error=1 \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}:halt_on_error=1 \
  "./$target" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
    -error_exitcode=1 -timeout_exitcode=1 \
    -max_len=65536 -print_final_stats=1 \
    -dict="$srcroot/tests/fuzz/$proto.dict" \
    "$out/corpus" "$srcroot/tests/data/$proto"
