"""Text fields of a finished bench run, read again by the PP-OCR recogniser and by tesseract, scored per reader.

    .venv/bin/python benchmarks/text_readers.py bench-workspace/bench [--tesseract] [--curve] [--errors]

The stored canonical pages are aligned and cut exactly as the pipeline does (intake.recognize.text.prepare);
the prepared fields are cached beside the run (text_jobs.pkl) so reader changes are measured in seconds.
Prints, per reader: non-blank handwritten fields exactly right, characters right, ms per field, and (--curve)
the share accepted and accepted-right at each confidence threshold. Say which writers the run used (its
corpus/simulate.json) when quoting a figure: a threshold is only honest on writers it was not tuned on.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from pathlib import Path

from intake.bench.compare import normalise_text
from intake.bench.replay import stored_pages
from intake.form.layout import layout
from intake.recognize import text as text_mod
from intake.recognize.align import Aligner
from intake.recognize.blank import blank_ink, blank_mask, page_language
from intake.validate.textnorm import edit_distance

THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 0.998)


def prepared_fields(bench_dir: Path) -> list[dict]:
    """[{truth, profile, key, job, lang}] for every text field of every identified page (cached)."""
    cache = bench_dir / "text_jobs.pkl"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    out = []
    for sp in stored_pages(bench_dir):
        rec, tp, form, page, canon = sp.record, sp.truth, sp.form, sp.page, sp.canon
        lang = page_language(form, page, canon)
        blank = blank_mask(form, page, lang)
        aligner = Aligner(canon, blank_ink(form, page, lang))
        for g in layout(form).pages[page - 1].fields:
            if g.field.kind != "text" or g.key not in tp["fields"]:
                continue
            view = aligner.align(g.area)[0]
            out.append({"truth": tp["fields"][g.key], "profile": rec["profile"], "lang": lang,
                        "key": f"{rec['file']}:p{tp['index'] + 1}:{g.key}",
                        "job": text_mod.prepare(g, view, blank)})
    cache.write_bytes(pickle.dumps(out))
    return out


def score(items: list[dict], readings) -> dict:
    nb = [(it, r) for it, r in zip(items, readings) if it["truth"]]
    right = [normalise_text(it["truth"]) == normalise_text(r.value) for it, r in nb]
    chars = sum(len(normalise_text(it["truth"])) for it, _ in nb)
    wrong_chars = sum(min(len(normalise_text(it["truth"])), edit_distance(normalise_text(it["truth"]),
                                                                         normalise_text(r.value))) for it, r in nb)
    return {"fields": len(nb), "right": sum(right), "chars": chars, "chars_right": chars - wrong_chars,
            "pairs": [(it, r, ok) for (it, r), ok in zip(nb, right)]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bench_dir", type=Path)
    ap.add_argument("--tesseract", action="store_true", help="also read every field with tesseract (slow)")
    ap.add_argument("--curve", action="store_true")
    ap.add_argument("--errors", action="store_true")
    a = ap.parse_args(argv)
    manifest = a.bench_dir / "corpus" / "simulate.json"
    if manifest.exists():
        m = json.loads(manifest.read_text(encoding="utf-8"))
        print(f"corpus: seed {m.get('seed')}, writers {m.get('writers', 'tuning (no writer split recorded)')}")
    items = prepared_fields(a.bench_dir)
    readers = {"pp-ocrv6": lambda jobs: text_mod.read_texts(jobs, None)}
    if a.tesseract:
        readers["tesseract"] = lambda jobs: [j.early or text_mod._tesseract_reading(j, it["lang"])
                                             for j, it in zip(jobs, items)]
    print(f"{'reader':12} {'fields':>6} {'exact':>7} {'chars':>7} {'ms/field':>9}")
    for name, read in readers.items():
        t0 = time.perf_counter()
        readings = read([it["job"] for it in items])
        ms = 1000 * (time.perf_counter() - t0) / max(1, len(items))
        s = score(items, readings)
        print(f"{name:12} {s['fields']:6} {s['right'] / max(1, s['fields']):7.1%} "
              f"{s['chars_right'] / max(1, s['chars']):7.1%} {ms:9.1f}")
        if a.curve:
            for th in THRESHOLDS:
                acc = [(it, r, ok) for it, r, ok in s["pairs"] if r.value and r.confidence >= th]
                wrong = sum(not ok for _, _, ok in acc)
                print(f"   conf >= {th:<6} accepted {len(acc) / max(1, s['fields']):6.1%}  "
                      f"wrong {wrong:3d}  accepted right {1 - wrong / max(1, len(acc)):7.2%}")
        if a.errors:
            for it, r, ok in s["pairs"]:
                if not ok:
                    print(f"   {r.confidence:6.3f} {it['profile']:16} {it['truth']!r} -> {r.value!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
