"""The blank form's own ink on the canonical page, so readers count only what the person added.

The blank comes from the real renderer rasterised at 8 px/mm, one per language; a page's
language is told from its ink (page_language: the ink at the labels only one language prints),
and the union of both is used when that is unclear. Using the page's own language matters: an
option circled round its Japanese label crosses the spot where the English label would be,
and the union mask erased that arc. Falls back to the layout's boxes when the renderer is not
importable. The mask is
dilated by BLANK_GROW_PX: registration leaves up to ~0.3 mm of error and fax coding
thickens lines, so a printed line must not come back as a mark.
"""

from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from intake.form.layout import layout, marker_rect, qr_rect
from intake.form.model import FormDef
from intake.recognize.canon import CANON_DPI, CANON_H, CANON_W, INK_LEVEL, grow, px, rect_slices

BLANK_GROW_PX = 4                # 0.5 mm at 8 px/mm
RASTER_TIMEOUT = 60


LANGS = ("ja", "en")
LANG_MIN_SCORE = 0.45            # share of a language's own label ink found on the page (measured 0.7-0.95)
LANG_MARGIN = 0.2                # ... and this much more than the other language's (measured < 0.15)


def _from_renderer(form: FormDef, page: int) -> dict[str, np.ndarray] | None:
    try:
        from intake.render import render_form  # built in parallel; optional at import time
    except ImportError:
        return None
    from pdf2image import convert_from_path

    out = {}
    with tempfile.TemporaryDirectory(prefix="intake-blank-") as tmp:
        for lang in LANGS:
            pdf = Path(tmp) / f"blank-{lang}.pdf"
            render_form(form, lang, pdf)
            pages = convert_from_path(str(pdf), dpi=CANON_DPI, grayscale=True, first_page=page, last_page=page,
                                      timeout=RASTER_TIMEOUT)
            grey = np.array(pages[0])
            if grey.shape != (CANON_H, CANON_W):
                grey = cv2.resize(grey, (CANON_W, CANON_H), interpolation=cv2.INTER_AREA)
            out[lang] = grey < INK_LEVEL
    return out


def _from_layout(form: FormDef, page: int) -> np.ndarray:
    """Box outlines only (labels unknown): enough for box interiors and comb lines."""
    img = np.zeros((CANON_H, CANON_W), np.uint8)
    for r in [marker_rect(i) for i in range(4)] + [qr_rect()]:
        ys, xs = rect_slices(grow(r, 1.0))
        img[ys, xs] = 1
    for g in layout(form).pages[page - 1].fields:
        rects = g.boxes if g.boxes else (g.area,)
        for r in rects:
            cv2.rectangle(img, (px(r.x), px(r.y)), (px(r.x1) - 1, px(r.y1) - 1), 1, 2)
    return img.astype(bool)


def _grown(ink: np.ndarray, k: int) -> np.ndarray:
    return cv2.dilate(ink.astype(np.uint8), np.ones((2 * k + 1, 2 * k + 1), np.uint8)).astype(bool)


@lru_cache(maxsize=32)
def _blank_inks(form_id: str, version: int, page: int, _form_ref: int) -> dict[str | None, np.ndarray]:
    """{'ja': ink, 'en': ink, None: union}; only None when the renderer is unavailable."""
    form = _FORMS[(form_id, version)]
    try:
        inks = _from_renderer(form, page)
    except Exception:           # a broken renderer must not stop recognition; the layout still knows the boxes
        inks = None
    out: dict[str | None, np.ndarray] = dict(inks or {})
    out[None] = np.logical_or.reduce(list(inks.values())) if inks else _from_layout(form, page)
    for v in out.values():
        v.setflags(write=False)
    return out


@lru_cache(maxsize=32)
def _own_labels(form_id: str, version: int, page: int, _form_ref: int) -> dict[str, np.ndarray]:
    """Per language: pixels only that language prints (the other's ink grown away), as flat indices."""
    inks = _blank_inks(form_id, version, page, _form_ref)
    out = {}
    for lang in LANGS:
        if lang in inks:
            other = [inks[o] for o in LANGS if o != lang and o in inks]
            own = inks[lang] & ~_grown(np.logical_or.reduce(other), 3) if other else inks[lang]
            own = cv2.erode(own.astype(np.uint8), np.ones((2, 2), np.uint8)).astype(bool)
            out[lang] = np.flatnonzero(own)
    return out


@lru_cache(maxsize=64)
def _blank_mask(form_id: str, version: int, page: int, lang: str | None, _form_ref: int) -> np.ndarray:
    inks = _blank_inks(form_id, version, page, _form_ref)
    mask = _grown(inks.get(lang, inks[None]), BLANK_GROW_PX)
    mask.setflags(write=False)
    return mask


_FORMS: dict[tuple[str, int], FormDef] = {}


def _key(form: FormDef) -> tuple[str, int, int]:
    _FORMS[(form.id, form.version)] = form
    return form.id, form.version, id(form)


def page_language(form: FormDef, page: int, canon: np.ndarray) -> str | None:
    """'ja' or 'en' when the page clearly carries that language's printed labels, else None."""
    fid, ver, ref = _key(form)
    own = _own_labels(fid, ver, page, ref)
    if len(own) < 2:
        return None
    ink = _grown(canon < INK_LEVEL, 2).ravel()     # registration leaves a few px of error
    scores = {lang: float(ink[idx].mean()) if idx.size else 0.0 for lang, idx in own.items()}
    best = max(scores, key=scores.get)
    rest = max(v for k, v in scores.items() if k != best)
    return best if scores[best] >= LANG_MIN_SCORE and scores[best] - rest >= LANG_MARGIN else None


def blank_ink(form: FormDef, page: int, lang: str | None = None) -> np.ndarray:
    """Canonical-size boolean mask of the blank page's own ink, not grown (for local alignment)."""
    fid, ver, ref = _key(form)
    inks = _blank_inks(fid, ver, page, ref)
    return inks.get(lang, inks[None])


def blank_mask(form: FormDef, page: int, lang: str | None = None) -> np.ndarray:
    """Canonical-size boolean mask of where the blank page (grown a little) has ink; lang None:
    both languages' print."""
    fid, ver, ref = _key(form)
    return _blank_mask(fid, ver, page, lang, ref)
