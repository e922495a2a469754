"""The blank form's own ink on the canonical page, so readers count only what the person added.

The blank comes from the real renderer (both languages, their union) rasterised at 8 px/mm,
and falls back to the layout's boxes when the renderer is not importable. The mask is
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


def _from_renderer(form: FormDef, page: int) -> np.ndarray | None:
    try:
        from intake.render import render_form  # built in parallel; optional at import time
    except ImportError:
        return None
    from pdf2image import convert_from_path

    ink = np.zeros((CANON_H, CANON_W), bool)
    with tempfile.TemporaryDirectory(prefix="intake-blank-") as tmp:
        for lang in ("ja", "en"):
            pdf = Path(tmp) / f"blank-{lang}.pdf"
            render_form(form, lang, pdf)
            pages = convert_from_path(str(pdf), dpi=CANON_DPI, grayscale=True, first_page=page, last_page=page,
                                      timeout=RASTER_TIMEOUT)
            grey = np.array(pages[0])
            if grey.shape != (CANON_H, CANON_W):
                grey = cv2.resize(grey, (CANON_W, CANON_H), interpolation=cv2.INTER_AREA)
            ink |= grey < INK_LEVEL
    return ink


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


@lru_cache(maxsize=32)
def _blank_mask(form_id: str, version: int, page: int, _form_ref: int) -> np.ndarray:
    form = _FORMS[(form_id, version)]
    ink = None
    try:
        ink = _from_renderer(form, page)
    except Exception:           # a broken renderer must not stop recognition; the layout still knows the boxes
        ink = None
    if ink is None:
        ink = _from_layout(form, page)
    k = np.ones((2 * BLANK_GROW_PX + 1, 2 * BLANK_GROW_PX + 1), np.uint8)
    mask = cv2.dilate(ink.astype(np.uint8), k).astype(bool)
    mask.setflags(write=False)
    return mask


_FORMS: dict[tuple[str, int], FormDef] = {}


def blank_mask(form: FormDef, page: int) -> np.ndarray:
    """Canonical-size boolean mask of where the blank page (grown a little) has ink."""
    _FORMS[(form.id, form.version)] = form
    return _blank_mask(form.id, form.version, page, id(form))
