"""Real comb-box crops from a simulated corpus, cut exactly as the pipeline cuts them.

    .venv/bin/python benchmarks/digits_harvest.py CORPUS_DIR OUT.npz [--grid grid.png]
    .venv/bin/python benchmarks/digits_harvest.py --eval OUT.npz        # the committed model on saved crops
    .venv/bin/python benchmarks/digits_harvest.py --fields CORPUS_DIR -   # field-level accept/right curve

For every identified page of the corpus (truth.jsonl beside the files): read_page, then per digit field
the same local alignment and box extraction as intake.recognize.page / digits.py. Writes the crops of
boxes the truth says hold a digit, with their labels and profiles, for evaluating the digit model on what
inference really sees (benchmarks/digits_real.py) and for side-by-side grids.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from intake.form import layout, load_forms  # noqa: E402
from intake.ingest.rasterize import rasterize  # noqa: E402
from intake.ingest.sniff import sniff  # noqa: E402
from intake.recognize.align import Aligner  # noqa: E402
from intake.recognize.blank import blank_ink, blank_mask, page_language  # noqa: E402
from intake.recognize.digits import box_image  # noqa: E402
from intake.recognize.page import read_page  # noqa: E402
from intake.simulate import read_truth  # noqa: E402
from intake.simulate.fill import DIGIT_HAZARDS  # noqa: E402
from intake.workspace import default_forms_dir  # noqa: E402


def page_crops(form, page: int, canon: np.ndarray, truth_fields: dict, notes: dict):
    """[(crop, label, key)] for every box the truth fills, cut as read_fields + read_digits do."""
    lang = page_language(form, page, canon)
    blank = blank_mask(form, page, lang)
    aligner = Aligner(canon, blank_ink(form, page, lang))
    out = []
    for g in layout(form).pages[page - 1].fields:
        view = aligner.align(g.area)[0]          # every field, in order: the aligner's state depends on it
        if g.field.kind != "digits":
            continue
        note = notes.get(g.key) or {}
        if any(note.get(flag) for flag in DIGIT_HAZARDS):   # a slip moves digits off their boxes: no clean label
            continue
        value = str(truth_fields.get(g.key) or "")
        slots = note.get("slots", [])
        for ch, slot in zip(value, slots):
            out.append((box_image(view, blank, g.boxes[slot]), int(ch), g.key))
    return out


def identified_pages(corpus: Path):
    """(truth record, truth page, form, PageReading) for every identified page of a bench corpus."""
    forms = load_forms(default_forms_dir())
    for rec in read_truth(corpus / "truth.jsonl"):
        path = corpus / rec["file"]
        for (img, dpi), pg in zip(rasterize(path, sniff(path)), rec["pages"]):
            r = read_page(img, dpi, forms)
            if r.status == "identified" and r.image is not None and r.identity is not None:
                yield rec, pg, forms[r.identity.form], r


def field_rows(corpus: Path) -> list[dict]:
    """Every digit field of the corpus read as read_digits reads it, keeping the unrounded lowest digit
    probability, so the field-level curve (accepted share vs accepted right) can be drawn for any threshold."""
    from intake.recognize import digits as reader
    from intake.recognize import digits_model as dm

    rows = []
    for rec, pg, form, r in identified_pages(corpus):
        lang = page_language(form, r.identity.page, r.image)
        blank = blank_mask(form, r.identity.page, lang)
        aligner = Aligner(r.image, blank_ink(form, r.identity.page, lang))
        for g in layout(form).pages[r.identity.page - 1].fields:
            view = aligner.align(g.area)[0]
            if g.field.kind != "digits":
                continue
            fills = reader.box_fills(g, view, blank)
            idx = [i for i, v in enumerate(fills) if v >= reader.DIGIT_FILL]
            doubtful = any(reader.DOUBT_FILL <= v < reader.DIGIT_FILL for v in fills)
            res = dm.classify([box_image(view, blank, g.boxes[i]) for i in idx])
            value = "".join("?" if d is None else str(d) for d, _ in res)
            gap = bool(idx) and idx[-1] - idx[0] + 1 != len(idx)
            conf = min((c if d is not None else 0.0 for d, c in res), default=1.0)
            rows.append({"profile": rec["profile"], "key": g.key, "truth": str(pg["fields"].get(g.key) or ""),
                         "value": value, "conf": conf, "flagged": gap or doubtful or "?" in value})
    return rows


def field_curve(rows: list[dict], thresholds=(0.99, 0.995, 0.998, 0.999, 0.9995, 0.9999)) -> str:
    """Digit fields: accepted share and right among accepted, per threshold (empty fields excluded)."""
    rows = [r for r in rows if r["truth"]]
    right = np.mean([r["value"] == r["truth"] for r in rows])
    lines = [f"{len(rows)} written digit fields; right (any confidence) {right:.1%}"]
    for t in thresholds:
        acc = [r for r in rows if not r["flagged"] and r["conf"] >= t]
        ok = sum(r["value"] == r["truth"] for r in acc)
        lines.append(f"  threshold {t:<7} accepted {len(acc) / len(rows):6.1%}  accepted right {ok}/{len(acc)}")
    return "\n".join(lines)


def harvest(corpus: Path) -> dict[str, np.ndarray]:
    crops, labels, profiles, keys = [], [], [], []
    for rec, pg, form, r in identified_pages(corpus):
        for crop, lab, key in page_crops(form, r.identity.page, r.image, pg["fields"], pg.get("notes", {})):
            crops.append(crop)
            labels.append(lab)
            profiles.append(rec["profile"])
            keys.append(key)
    obj = np.empty(len(crops), object)
    obj[:] = crops
    return {"crops": obj, "labels": np.array(labels), "profiles": np.array(profiles), "keys": np.array(keys)}


def grid(images: list[np.ndarray], cols: int = 16, cell: int = 80) -> np.ndarray:
    """Images side by side on a white sheet (each scaled to fit a cell), for eyeballing."""
    rows = (len(images) + cols - 1) // cols
    out = np.full((rows * cell, cols * cell), 255, np.uint8)
    for i, im in enumerate(images):
        im = np.asarray(im)
        if im.dtype != np.uint8:
            im = (255 - np.clip(im, 0, 1) * 255).astype(np.uint8)
        s = (cell - 4) / max(im.shape)
        im = cv2.resize(im, (max(1, int(im.shape[1] * s)), max(1, int(im.shape[0] * s))),
                        interpolation=cv2.INTER_NEAREST)
        y, x = (i // cols) * cell + 2, (i % cols) * cell + 2
        out[y:y + im.shape[0], x:x + im.shape[1]] = im
        out[y - 2:y + cell - 2, x + cell - 3] = 160
    return out


def evaluate(d) -> str:
    """Per channel: digits read right, accepted at ACCEPT_THRESHOLD, and right among the accepted."""
    from intake.recognize import digits_model as dm

    res = dm.classify(list(d["crops"]))
    pred = np.array([-1 if k is None else k for k, _ in res])
    conf = np.array([c for _, c in res])
    y, prof = d["labels"], d["profiles"]
    acc = (pred >= 0) & (conf >= dm.ACCEPT_THRESHOLD)
    lines = [f"{'channel':<16} {'digits':>6} {'right':>7} {'not-digit':>9} {'accepted':>8} {'acc.right':>9}"]
    for p in [*sorted(set(prof)), None]:
        m = np.ones(len(y), bool) if p is None else prof == p
        a = acc & m
        lines.append(f"{p or 'all':<16} {m.sum():6d} {(pred[m] == y[m]).mean():7.2%} {(pred[m] < 0).mean():9.2%} "
                     f"{a.sum() / m.sum():8.2%} {(pred[a] == y[a]).mean() if a.any() else 1:9.3%}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path, nargs="?")
    ap.add_argument("out", type=Path)
    ap.add_argument("--grid", type=Path)
    ap.add_argument("--eval", action="store_true", help="only evaluate the model on the crops saved in OUT")
    ap.add_argument("--fields", action="store_true", help="field-level curve of CORPUS (OUT is ignored)")
    a = ap.parse_args()
    if a.fields:
        print(field_curve(field_rows(a.corpus)))
        return
    if a.eval:
        print(evaluate(np.load(a.out, allow_pickle=True)))
        return
    d = harvest(a.corpus)
    np.savez_compressed(a.out, **d)
    print(f"{len(d['labels'])} crops -> {a.out}")
    if a.grid:
        cv2.imwrite(str(a.grid), grid(list(d["crops"][:128])))
    print(evaluate(d))


if __name__ == "__main__":
    main()
