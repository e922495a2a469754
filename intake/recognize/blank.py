"""The blank form's own ink on the canonical page, so readers count only what the person added.

The blank comes from the real renderer rasterised at 8 px/mm, one per language; a page's
language is told from its ink (page_language: the ink at the labels only one language prints),
and the union of both is used when that is unclear. Using the page's own language matters: an
option circled round its Japanese label crosses the spot where the English label would be,
and the union mask erased that arc. Falls back to the layout's boxes when the renderer is not
importable. Rendering and rasterising the blanks costs ~0.25 s per page and language, and every
worker process would pay it again at start: the rasters are kept on disk (blank_cache_dir(), keyed
by a hash of the form definition and of the renderer's source, so an edited form or renderer
never meets a stale blank). The mask is
dilated by BLANK_GROW_PX: registration leaves up to ~0.3 mm of error and fax coding
thickens lines, so a printed line must not come back as a mark.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
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


def blank_cache_dir() -> Path:
    """INTAKE_CACHE_DIR, else $XDG_CACHE_HOME/intake (~/.cache/intake), then /blank."""
    base = os.environ.get("INTAKE_CACHE_DIR")
    if not base:
        base = str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "intake")
    return Path(base) / "blank"


@lru_cache(maxsize=1)
def _renderer_digest() -> str:
    """Hash of the code that draws a blank page: a changed renderer or layout invalidates the cache."""
    import importlib.util

    # find_spec, not import: importing the renderer (reportlab) cost every worker process 0.14 s
    # at start-up only to hash its source. (A module's spec, not the `layout` attribute of
    # intake.form, which is a function that shadows the module.)
    render_dir = Path(importlib.util.find_spec("intake.render").origin).parent
    h = hashlib.sha256()
    files = sorted(render_dir.glob("*.py")) + [Path(importlib.util.find_spec("intake.form.layout").origin)]
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def _cache_key(form: FormDef, page: int) -> str:
    definition = repr(dataclasses.replace(form, source=""))      # where the YAML lives does not matter
    h = hashlib.sha256(definition.encode())
    h.update(_renderer_digest().encode())
    h.update(f"{page}|{CANON_W}x{CANON_H}|{INK_LEVEL}|{','.join(LANGS)}".encode())
    return f"{form.id}-v{form.version}-p{page}-{h.hexdigest()[:24]}"


def _load_cached(path: Path) -> dict[str, np.ndarray] | None:
    try:
        with np.load(path) as z:
            # unpackbits gives 0/1 bytes: viewed as bool without a copy
            return {lang: np.unpackbits(z[lang], count=CANON_H * CANON_W).reshape(CANON_H, CANON_W).view(bool)
                    for lang in LANGS}
    except (OSError, KeyError, ValueError, EOFError):      # absent, partly written or foreign: render again
        return None


def _save_cached(path: Path, inks: dict[str, np.ndarray]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".blank-", suffix=".npz", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            np.savez_compressed(fh, **{lang: np.packbits(inks[lang].ravel()) for lang in LANGS})
        os.replace(tmp, path)       # atomic: a parallel worker sees the old state or the whole file
    except OSError:                 # a read-only home only costs the render next time
        pass


def _render_pages(form: FormDef) -> dict[int, dict[str, np.ndarray]] | None:
    """Every page of the blank form in both languages (one render per language, not per page)."""
    try:
        from intake.render import render_form  # built in parallel; optional at import time
    except ImportError:
        return None
    from pdf2image import convert_from_path

    out: dict[int, dict[str, np.ndarray]] = {}
    with tempfile.TemporaryDirectory(prefix="intake-blank-") as tmp:
        for lang in LANGS:
            pdf = Path(tmp) / f"blank-{lang}.pdf"
            render_form(form, lang, pdf)
            for n, im in enumerate(convert_from_path(str(pdf), dpi=CANON_DPI, grayscale=True,
                                                     timeout=RASTER_TIMEOUT), start=1):
                grey = np.array(im)
                if grey.shape != (CANON_H, CANON_W):
                    grey = cv2.resize(grey, (CANON_W, CANON_H), interpolation=cv2.INTER_AREA)
                out.setdefault(n, {})[lang] = grey < INK_LEVEL
    return out


def _from_renderer(form: FormDef, page: int) -> dict[str, np.ndarray] | None:
    path = blank_cache_dir() / f"{_cache_key(form, page)}.npz"
    hit = _load_cached(path)
    if hit is not None:
        return hit
    pages = _render_pages(form)
    if pages is None:
        return None
    for n, inks in pages.items():      # store every page: the next page of this form is asked for soon
        _save_cached(blank_cache_dir() / f"{_cache_key(form, n)}.npz", inks)
    return pages.get(page)


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


def _morph(op, mask: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """cv2.dilate / cv2.erode on a mask, as a bool mask. A bool mask goes in and comes out as
    0/1 bytes viewed as bool: no page-sized astype copies."""
    if mask.dtype != bool:
        return op(mask.astype(np.uint8), kernel).astype(bool)
    return op(mask.view(np.uint8), kernel).view(bool)


def _grown(ink: np.ndarray, k: int) -> np.ndarray:
    return _morph(cv2.dilate, ink, np.ones((2 * k + 1, 2 * k + 1), np.uint8))


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
            own = _morph(cv2.erode, own, np.ones((2, 2), np.uint8))
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
