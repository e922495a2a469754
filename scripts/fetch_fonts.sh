#!/usr/bin/env bash
# Set-up time only: fetch handwriting-style OFL fonts from the npm registry for `intake simulate`
# and merge their per-unicode-range WOFF2 subsets into one TTF each, in the font cache
# (${INTAKE_FONT_CACHE:-${XDG_CACHE_HOME:-~/.cache}/intake/fonts}). Nothing is fetched at run time;
# without these fonts the simulator writes with IPAex Mincho. Idempotent: present fonts are skipped.
#
# usage: scripts/fetch_fonts.sh [python]     (python with fonttools and brotli; default .venv/bin/python)
set -euo pipefail

PY=${1:-.venv/bin/python}
CACHE=${INTAKE_FONT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/intake/fonts}
# name in the cache : npm package@pinned version : file prefix inside the package (weight 400)
FONTS=(
  "yomogi:@fontsource/yomogi@5.3.0:yomogi"
  "klee-one:@fontsource/klee-one@5.3.0:klee-one"
  "kalam:@fontsource/kalam@5.3.0:kalam"
)

command -v npm >/dev/null || { echo "fetch_fonts: npm not found (apt-get install npm); the simulator will use IPAex Mincho" >&2; exit 0; }
mkdir -p "$CACHE"
for entry in "${FONTS[@]}"; do
  IFS=: read -r name pkg prefix <<<"$entry"
  [ -s "$CACHE/$name.ttf" ] && continue
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "fetch_fonts: $pkg -> $CACHE/$name.ttf"
  (cd "$work" && timeout 300 npm pack --silent "$pkg" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work"
  cp "$work/package/LICENSE" "$CACHE/$name.LICENSE" 2>/dev/null || true
  timeout 600 "$PY" -m intake.simulate.fontcache "$CACHE/$name.ttf" "$work"/package/files/"$prefix"-*400-normal.woff2
  rm -rf "$work"
  trap - EXIT
done
