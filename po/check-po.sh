#!/bin/sh
# check-po.sh SOURCE_ROOT
#
# Fails when a translation is not complete: a source file with translatable
# strings is missing from po/POTFILES, or a language in po/LINGUAS has an
# error, a fuzzy or untranslated entry, or lacks a string the sources have
# now. The template is made afresh from the sources (with the keywords of
# meson's 'glib' preset), so a string added without updating the .po files
# fails here, not only when someone runs buzon-update-po.
#
# Copyright 2026 The Buzón developers
# SPDX-License-Identifier: GPL-3.0-or-later

set -eu

srcroot=${1:?usage: check-po.sh SOURCE_ROOT}
cd "$srcroot"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

status=0

# 1. Every file with translatable strings is listed in POTFILES.
grep -v '^#' po/POTFILES | sed '/^[[:space:]]*$/d' > "$tmp/listed"
{
  grep -rlE '(^|[^A-Za-z0-9_])(_|N_|C_|NC_|g_dngettext|ngettext)[[:space:]]*\(' \
    --include='*.c' src || true
  grep -rl 'translatable="yes"' --include='*.ui' data src || true
  ls data/*.desktop.in data/*.metainfo.xml.in data/*.gschema.xml 2>/dev/null || true
} | sort -u > "$tmp/needed"
missing=$(comm -13 "$tmp/listed" "$tmp/needed")
if [ -n "$missing" ]; then
  echo "These files have translatable strings but are not in po/POTFILES:"
  echo "$missing" | sed 's/^/  /'
  status=1
fi
while read -r f; do
  if [ ! -f "$f" ]; then
    echo "po/POTFILES lists $f, which does not exist"
    status=1
  fi
done < "$tmp/listed"

# 2. A fresh template from the sources.
xgettext --files-from="$tmp/listed" --directory=. --output="$tmp/buzon.pot" \
  --from-code=UTF-8 --add-comments \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
  --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
  --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
  --flag=g_printf:1:c-format --flag=g_print:1:c-format --flag=g_printerr:1:c-format

# 3. Each language: valid, nothing fuzzy or untranslated, nothing missing.
for lang in $(grep -v '^#' po/LINGUAS); do
  po="po/$lang.po"
  if ! msgfmt --check --statistics --output-file=/dev/null "$po" 2> "$tmp/stats"; then
    cat "$tmp/stats"
    status=1
    continue
  fi
  stats=$(grep -v 'warning:' "$tmp/stats" || true)
  echo "$lang: $stats"
  case "$stats" in
    *fuzzy*|*untranslated*)
      echo "$po has fuzzy or untranslated entries:"
      msgattrib --only-fuzzy --no-obsolete "$po"
      msgattrib --untranslated --no-obsolete "$po"
      status=1
      ;;
  esac
  if ! msgcmp "$po" "$tmp/buzon.pot" 2> "$tmp/cmp"; then
    echo "$po lacks translations for strings in the sources (run buzon-update-po):"
    cat "$tmp/cmp"
    status=1
  fi
done

exit $status
