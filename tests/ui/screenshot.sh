#!/bin/sh
# screenshot.sh [OUT_DIR]
#
# Screenshots of the real app under Xvfb, in English and in Spanish: the
# empty window, the window with an IMAP and a POP3 account (added with
# buzon-cli, as a user would), the folded narrow window, the window on the
# demo accounts of a private demo mail server (build-aux/test-servers --demo)
# in light and dark, and the error shown for a store from a newer Buzón. Look
# at them after every UI change.
#
# The app is built and installed into a temporary prefix, so that the Spanish
# catalogue, the GSettings schema and the icons are found as when installed.
# Everything (HOME, XDG dirs, the store) lives in a temporary directory.
#
# Needs: meson, ninja, xvfb-run, dbus-run-session, xdotool, imagemagick's
# import, python3 (for the newer-store case).
#
# Copyright 2026 The Buzón developers
# SPDX-License-Identifier: GPL-3.0-or-later

set -eu

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mkdir -p "${1:-$PWD/screenshots}" && cd "${1:-$PWD/screenshots}" && pwd)

if [ -z "${BUZON_SCREENSHOT_INNER:-}" ]; then
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/buzon-shots-XXXXXX")
  trap 'rm -rf "$tmp"' EXIT INT TERM

  echo "Building into $tmp/prefix…"
  meson setup "$tmp/build" "$srcdir" --prefix="$tmp/prefix" -Dbuildtype=debugoptimized \
    > "$tmp/setup.log" 2>&1 || { cat "$tmp/setup.log"; exit 1; }
  meson install -C "$tmp/build" > "$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; exit 1; }

  export BUZON_SCREENSHOT_INNER=1 BUZON_SHOTS_TMP="$tmp"
  xvfb-run -a -s "-screen 0 1280x1024x24" dbus-run-session -- "$0" "$out"
  echo "Screenshots in $out:"
  ls "$out"
  exit 0
fi

# --- inside Xvfb and a private session bus ---
tmp=$BUZON_SHOTS_TMP
prefix=$tmp/prefix
export HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" \
       XDG_CACHE_HOME="$tmp/cache" XDG_RUNTIME_DIR="$tmp/runtime"
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 0700 "$XDG_RUNTIME_DIR"
export XDG_DATA_DIRS="$prefix/share:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}"
export GSETTINGS_SCHEMA_DIR="$prefix/share/glib-2.0/schemas" GSETTINGS_BACKEND=memory
export GSK_RENDERER=gl
IMPORT=/usr/bin/import

# shot NAME WIDTH HEIGHT LANG
shot () {
  name=$1 width=$2 height=$3 lang=$4 scheme=${5:-light} settle=${6:-2}
  if [ "$lang" = es ]; then
    LANGUAGE=es LANG=C.UTF-8 LC_ALL=C.UTF-8 BUZON_COLOR_SCHEME=$scheme "$prefix/bin/buzon" &
  else
    LANGUAGE=en LANG=C.UTF-8 LC_ALL=C.UTF-8 BUZON_COLOR_SCHEME=$scheme "$prefix/bin/buzon" &
  fi
  app=$!
  wid=$(timeout 20 xdotool search --sync --onlyvisible --name 'Buzón' | head -1)
  xdotool windowsize "$wid" "$width" "$height"
  sleep "$settle"
  "$IMPORT" -window "$wid" "$out/$name-$lang.png"
  kill "$app"
  wait "$app" 2>/dev/null || true
}

for lang in en es; do
  shot empty 1100 700 "$lang"
done

cli="$prefix/bin/buzon-cli"
"$cli" account add Work --display-name="Ana García" --address=ana@example.com \
  --protocol=imap --host=imap.example.com --security=tls \
  --password-command="echo not-used" > /dev/null
"$cli" account add "Home (old provider)" --address=ana.garcia@isp.example.net \
  --protocol=pop3 --host=pop.isp.example.net --security=tls --pop3-mode=delete \
  --password-command="echo not-used" > /dev/null

for lang in en es; do
  shot accounts 1100 700 "$lang"
  shot narrow 360 640 "$lang"
done

# The demo accounts of a private demo mail server, synced first.
"$cli" account remove Work > /dev/null
"$cli" account remove "Home (old provider)" > /dev/null
demo="$tmp/demo-servers"
# Dovecot's unprivileged processes must reach the servers' directory.
chmod 0755 "$tmp"
"$srcdir/build-aux/test-servers" start --dir "$demo" --demo --demo-date 2026-11-20 \
  --parent-pid $$ > "$tmp/demo-servers.json"
port_of () {
  /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[2]))[sys.argv[1]])' \
    "$1" "$tmp/demo-servers.json"
}
"$cli" account add "Demo IMAP" --display-name "Demo" --address demo@example.test \
  --protocol imap --host 127.0.0.1 --port "$(port_of imap_tls_port)" --security tls \
  --password-command "echo demo" --sync full > /dev/null
"$cli" account add "Demo POP3" --display-name "Demo" --address demo-pop@example.test \
  --protocol pop3 --host 127.0.0.1 --port "$(port_of pop3_tls_port)" --security tls \
  --password-command "echo demo" --pop3-mode keep-days:14 > /dev/null
for name in "Demo IMAP" "Demo POP3"; do
  "$cli" account trust "$name" --fingerprint "$(port_of cert_sha256)" > /dev/null
done
"$cli" sync > /dev/null
for lang in en es; do
  shot mail 1200 760 "$lang" light 4
  shot mail-dark 1200 760 "$lang" dark 4
  shot mail-narrow 360 700 "$lang" light 4
done
"$srcdir/build-aux/test-servers" stop --dir "$demo" > /dev/null

# A store from a newer Buzón: the window must say so, not crash.
/usr/bin/python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); db.execute("PRAGMA user_version = 9999"); db.commit()
' "$XDG_DATA_HOME/buzon/buzon.db"
for lang in en es; do
  shot newer-store 900 600 "$lang"
done
