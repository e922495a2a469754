"""Set-up time helper for scripts/fetch_fonts.sh: merge a web font's per-range WOFF2 subsets into one TTF.

The npm registry's @fontsource packages ship a CJK font as ~120 WOFF2 files, one per unicode range;
the simulator wants one font file it can ask for any character. Needs fontTools and brotli (set-up only).

    python -m intake.simulate.fontcache OUT.ttf SUBSET.woff2 [SUBSET.woff2 ...]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path


def merge_subsets(subsets: list[Path], out: Path) -> int:
    """Write the union of `subsets` (same family, disjoint ranges) to `out`; return the number of characters."""
    from fontTools.merge import Merger
    from fontTools.ttLib import TTFont

    with tempfile.TemporaryDirectory() as tmp:
        plain = []
        for i, s in enumerate(sorted(subsets)):
            f = TTFont(str(s))
            f.flavor = None                          # WOFF2 -> plain sfnt, which Merger expects
            p = Path(tmp, f"{i:04d}.ttf")
            f.save(str(p))
            plain.append(str(p))
        merged = Merger().merge(plain) if len(plain) > 1 else TTFont(plain[0])
        tmp_out = out.with_suffix(".part")
        merged.save(str(tmp_out))
        tmp_out.replace(out)                         # atomic: a half-written font is never picked up
    return len(TTFont(str(out)).getBestCmap())


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out, subsets = Path(argv[0]), [Path(a) for a in argv[1:]]
    n = merge_subsets(subsets, out)
    print(f"{out}: {n} characters from {len(subsets)} subsets")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
