"""Re-read the fields of a finished bench run from its stored canonical pages and score them again.

The pipeline saves every identified page registered to the canonical 8 px/mm grid (lossless PNG),
so field readers can be tuned in seconds without simulating or registering again:

    .venv/bin/python benchmarks/replay_fields.py bench-workspace/bench [--kind choice] [--show-errors]

Prints the same per-kind figures as `intake bench` for the identified pages (identification and
throughput are not replayed).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

from intake.bench.compare import judge, tally
from intake.bench.replay import stored_pages
from intake.bench.report import _row
from intake.ingest import context
from intake.recognize import read_fields
from intake.recognize.page import flag_blank_page


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bench_dir", type=Path)
    ap.add_argument("--kind", default=None)
    ap.add_argument("--show-errors", action="store_true")
    ap.add_argument("--dump", type=Path, default=None, help="write every field's outcome and confidence (JSONL)")
    ap.add_argument("--no-align", action="store_true", help="skip the per-field local alignment")
    ap.add_argument("--no-second-opinion", action="store_true",
                    help="digits by the digit model alone (what the PP-OCR second reader adds)")
    a = ap.parse_args(argv)
    if a.no_second_opinion:
        from intake.recognize import digits
        digits.SECOND_WEIGHT = 0.0          # p^0 = 1: the recogniser's vote counts for nothing
    conn = sqlite3.connect(str(a.bench_dir / "ws" / "intake.db"))
    outcomes, dumped = [], []
    for sp in stored_pages(a.bench_dir, conn):
        rec, tp, form = sp.record, sp.truth, sp.form
        kinds = {f.key: f.kind for f in form.fields}
        fields = read_fields(form, sp.page, sp.canon, align=not a.no_align)
        if flag_blank_page(fields):                                      # as read_page does
            print(f"blank page: {rec['file']} p{tp['index'] + 1}")
        context.apply_page(conn, form, rec["respondent"], fields)      # as the pipeline's context stage
        readings = {r.key: r for r in fields}
        for key, truth in tp["fields"].items():
            if a.kind and kinds[key] != a.kind:
                continue
            r = readings[key]
            o = judge(kinds[key], truth, r.value, stored=True, needs_review=r.needs_review,
                      profile=rec["profile"], key=f"{rec['file']}:p{tp['index'] + 1}:{key}",
                      double_marked=bool(tp.get("notes", {}).get(key, {}).get("double_marked")))
            outcomes.append(o)
            dumped.append({"key": o.key, "kind": o.kind, "profile": o.profile, "right": o.right,
                           "accepted": o.accepted, "confidence": r.confidence, "reason": r.reason,
                           "truth": truth, "value": r.value,
                           "notes": tp.get("notes", {}).get(key)})
            if a.show_errors and (not o.right or not o.accepted):
                tag = "SILENT" if o.silent else ("review" if not o.accepted else "wrong?")
                print(f"{tag:6} {o.key:55} truth={truth!r} got={r.value!r} conf={r.confidence} "
                      f"reason={r.reason} notes={tp.get('notes', {}).get(key)}")
    if a.dump:
        a.dump.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in dumped), encoding="utf-8")
    t = tally(outcomes)
    print(f"  {'fields':18} {'n':>6} {'right':>8} {'accepted':>9} {'acc.right':>10} {'silent':>8}")
    for kind, k in sorted(t.by_kind.items()):
        print(_row(kind, k, chars=kind == "text"))
    print(_row("all fields", t.overall))
    return 0


if __name__ == "__main__":
    sys.exit(main())
