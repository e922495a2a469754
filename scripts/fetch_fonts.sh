#!/usr/bin/env bash
# Set-up time only: fetch handwriting-style OFL fonts from the npm registry for `intake simulate`
# and merge their per-unicode-range WOFF2 subsets into one TTF each, in the font cache
# (${INTAKE_FONT_CACHE:-${XDG_CACHE_HOME:-~/.cache}/intake/fonts}); then scripts/fetch_writers.sh puts
# the held-out writers' MNIST digits beside them. Nothing is fetched at run time; without these fonts
# the simulator writes with IPAex Mincho. Idempotent: present fonts are skipped.
#
# The fonts belong to two disjoint sets of writers (intake/simulate/writers.py): tuning writers
# (yomogi, klee-one, kalam; Debian's dkg) and held-out writers (zen-kurenaido, yusei-magic, caveat,
# patrick-hand, indie-flower), which the benchmark's figures are reported on.
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
  "zen-kurenaido:@fontsource/zen-kurenaido@5.3.0:zen-kurenaido"
  "yusei-magic:@fontsource/yusei-magic@5.3.0:yusei-magic"
  "caveat:@fontsource/caveat@5.3.0:caveat"
  "patrick-hand:@fontsource/patrick-hand@5.3.0:patrick-hand"
  "indie-flower:@fontsource/indie-flower@5.3.0:indie-flower"
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
"$(dirname "$0")/fetch_writers.sh" "$PY"
