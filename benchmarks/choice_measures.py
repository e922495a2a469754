"""Per choice option of a finished bench run: the truth and every measure the choice reader takes (fill, strips,
label ink, the loop rays of loops.enclosure, the outline's darkness by side against the field's median, label
ink far from the box, the label halo), one JSON line each, from the stored canonical pages:

    .venv/bin/python benchmarks/choice_measures.py bench-workspace/bench options.jsonl

The figures in intake/recognize/loops.py were measured with it on tuning writers' runs (seeds 11, 21, 22).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from intake.bench.replay import stored_pages
from intake.form.layout import layout
from intake.recognize.align import Aligner
from intake.recognize.blank import blank_ink, blank_mask, page_language
from intake.recognize import choice, loops
from intake.recognize.canon import px as _px


def main(argv: list[str]) -> int:
    bench, out = Path(argv[0]), open(argv[1], "w", encoding="utf-8")
    for sp in stored_pages(bench):
        rec, tp, form, page, canon = sp.record, sp.truth, sp.form, sp.page, sp.canon
        lang = page_language(form, page, canon)
        blank = blank_mask(form, page, lang)
        al = Aligner(canon, blank_ink(form, page, lang))
        for g in layout(form).pages[page - 1].fields:
            if g.field.kind != "choice" or g.field.key not in tp["fields"]:
                continue
            view = al.align(g.area)[0]
            truth = tp["fields"][g.field.key]
            tv = set(truth if isinstance(truth, list) else ([truth] if truth else []))
            note = tp.get("notes", {}).get(g.field.key, {})
            sides = [loops.outline_sides(view, blank, b) for b in g.boxes]
            med = np.median(np.array(sides), axis=0)
            for opt, box, cell, sd in zip(g.field.options, g.boxes, g.cells, sides):
                m = choice.measure(view, blank, box, cell)
                st, _ = choice._judge(*m)
                b, l = loops.enclosure(view, blank, box, cell)
                mask, y0, x0 = choice._own_strokes(view, blank, cell)
                far = float(mask[:, max(0, _px(box.x1 + 3.5) - x0):].sum()) / 64
                halo = choice.label_halo_dark(view, blank, box, cell)
                row = {"file": rec["file"], "p": page, "key": g.field.key, "opt": opt.key, "marked": opt.key in tv,
                       "style": note.get("style"), "corr": note.get("correction"), "profile": rec["profile"],
                       "fill": round(m[0], 3), "top": m[1], "bottom": m[2], "label": round(m[3], 2), "state": st,
                       "box": [b.hit, b.unknown, b.open], "lab": [l.hit, l.unknown, l.open] if l else None,
                       "sides": [round(float(v), 3) for v in sd - med], "far": round(far, 2),
                       "halo": round(halo, 3)}
                out.write(json.dumps(row) + "\n")
    out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
