"""Test pages for recognition, drawn straight from the layout at 8 px/mm (no renderer needed),
filled by a simulated hand, and degraded the way faxes and scanners degrade them."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
import segno
from PIL import Image

from intake.form.identity import PageIdentity
from intake.form.layout import MARKER_SIZE, QR_SIZE, QR_X, QR_Y, layout, marker_rect

PPM = 8.0                      # px per mm of the drawn page
W, H = 1680, 2376
DICT = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)


def p(v: float) -> int:
    return int(round(v * PPM))


def _rect(img, r, t=2, color=0):
    cv2.rectangle(img, (p(r.x), p(r.y)), (p(r.x1) - 1, p(r.y1) - 1), color, t)


def blank_page(form, page: int, respondent: str | None = None) -> np.ndarray:
    lay = layout(form)
    img = np.full((H, W), 255, np.uint8)
    for i in range(4):
        r = marker_rect(i)
        m = cv2.aruco.generateImageMarker(DICT, i, p(MARKER_SIZE))
        img[p(r.y):p(r.y) + m.shape[0], p(r.x):p(r.x) + m.shape[1]] = m
    ident = PageIdentity(form.id, form.version, page, lay.page_count, respondent)
    qr = segno.make(ident.encode(), error="m", micro=False)
    mat = np.array([[0 if v else 255 for v in row] for row in qr.matrix], np.uint8)
    size = p(QR_SIZE)
    img[p(QR_Y):p(QR_Y) + size, p(QR_X):p(QR_X) + size] = cv2.resize(mat, (size, size),
                                                                      interpolation=cv2.INTER_NEAREST)
    cv2.putText(img, form.title.en[:40], (p(30), p(22)), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 2)
    for g in lay.pages[page - 1].fields:
        cv2.putText(img, g.field.label.en[:22], (p(g.label.x), p(g.label.y + 5)), cv2.FONT_HERSHEY_SIMPLEX,
                    0.6, 0, 1)
        if g.field.kind == "choice":
            for b, c, o in zip(g.boxes, g.cells, g.field.options):
                _rect(img, b)
                cv2.putText(img, o.label.en[:14], (p(b.x1 + 1.2), p(c.y + 5.3)), cv2.FONT_HERSHEY_SIMPLEX,
                            0.55, 0, 1)
        elif g.field.kind == "digits":
            for b in g.boxes:
                _rect(img, b)
        else:
            _rect(img, g.area, 1, 120)
    return img


# --- a simulated hand -------------------------------------------------------------------------
def _jit(rng, s=0.4):
    return rng.uniform(-s, s)


def tick(img, box, rng, t=3):
    cx, cy = box.x + box.w / 2, box.y + box.h / 2
    a = (cx - 1.6 + _jit(rng), cy + _jit(rng))
    b = (cx - 0.4 + _jit(rng), cy + 1.7 + _jit(rng))
    c = (cx + 2.4 + _jit(rng), cy - 2.6 + _jit(rng))
    cv2.line(img, (p(a[0]), p(a[1])), (p(b[0]), p(b[1])), 0, t, cv2.LINE_AA)
    cv2.line(img, (p(b[0]), p(b[1])), (p(c[0]), p(c[1])), 0, t, cv2.LINE_AA)


def cross(img, box, rng, t=3):
    d = 0.4
    cv2.line(img, (p(box.x + d + _jit(rng)), p(box.y + d)), (p(box.x1 - d), p(box.y1 - d + _jit(rng))), 0, t)
    cv2.line(img, (p(box.x1 - d + _jit(rng)), p(box.y + d)), (p(box.x + d), p(box.y1 - d + _jit(rng))), 0, t)


def fill(img, box, rng):
    pts = np.array([(p(box.x + 0.6), p(box.y + 0.6)), (p(box.x1 - 0.5), p(box.y + 0.8)),
                    (p(box.x1 - 0.7), p(box.y1 - 0.6)), (p(box.x + 0.8), p(box.y1 - 0.5))], np.int32)
    cv2.fillPoly(img, [pts], 0)


def circle(img, cell, rng, label_mm: float = 14.0, t=3):
    """An ellipse around the option box and the start of its label."""
    w = min(cell.w, label_mm + 6.0)
    cx, cy = cell.x + w / 2 + _jit(rng), cell.y + cell.h / 2 + _jit(rng, 0.2)
    cv2.ellipse(img, (p(cx), p(cy)), (p(w / 2), p(cell.h / 2 - 0.6)), _jit(rng, 3), 0, 360, 0, t,
                cv2.LINE_AA)


def digit(img, box, d: str, rng, scale=1.5, t=3):
    org = (p(box.x + 1.3 + _jit(rng, 0.3)), p(box.y1 - 1.6 + _jit(rng, 0.3)))
    cv2.putText(img, d, org, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, scale, 0, t, cv2.LINE_AA)


def write_text(img, area, text: str, scale=1.0, t=2):
    cv2.putText(img, text, (p(area.x + 2), p(area.y + area.h / 2 + 2)), cv2.FONT_HERSHEY_SIMPLEX, scale, 0, t,
                cv2.LINE_AA)


# --- degradation --------------------------------------------------------------------------------
def to_dpi(img: np.ndarray, dpi: tuple[float, float], bilevel=True, noise=0.0, rng=None) -> np.ndarray:
    """The page as a scanner/fax at `dpi` would sample it (A4 at that resolution)."""
    w, h = round(210 / 25.4 * dpi[0]), round(297 / 25.4 * dpi[1])
    out = cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)
    if bilevel:
        out = np.where(out < 150, 0, 255).astype(np.uint8)
    if noise and rng is not None:
        flip = rng.random(out.shape) < noise
        out = np.where(flip, 255 - out, out).astype(np.uint8)
    return out


def skew_scale(img: np.ndarray, angle: float, scale: float, shift=(0.0, 0.0)) -> np.ndarray:
    h, w = img.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
    m[:, 2] += shift
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def via_ghostscript(img: np.ndarray, tmp: Path, resolution: str) -> tuple[np.ndarray, tuple[float, float]]:
    """Through a PDF and ghostscript's fax device: a real G3 TIFF, read back with Pillow."""
    from intake.tools.ghostscript import pdf_to_fax_tiff

    pdf = tmp / "page.pdf"
    Image.fromarray(img).save(pdf, resolution=PPM * 25.4)
    tif = pdf_to_fax_tiff(pdf, tmp / f"page-{resolution}.tif", resolution=resolution)
    with Image.open(tif) as im:
        dpi = tuple(float(v) for v in im.info.get("dpi", (204, 98)))
        return np.array(im.convert("L")), dpi


def rendered_page(form, page: int, lang: str = "ja", tmp: Path | None = None) -> np.ndarray:
    """The real renderer's page at 8 px/mm when intake.render exists, else the layout-drawn page."""
    try:
        from intake.render import render_form
    except ImportError:
        return blank_page(form, page)
    import tempfile

    from pdf2image import convert_from_path

    with tempfile.TemporaryDirectory() as d:
        pdf = render_form(form, lang, Path(d) / "blank.pdf")
        im = convert_from_path(str(pdf), dpi=PPM * 25.4, grayscale=True, first_page=page, last_page=page,
                               timeout=60)[0]
    a = np.array(im)
    return cv2.resize(a, (W, H), interpolation=cv2.INTER_AREA) if a.shape != (H, W) else a


def fax_pages(path: Path):
    """Every frame of a TIFF as (grey array, dpi)."""
    from PIL import ImageSequence

    with Image.open(path) as im:
        for frame in ImageSequence.Iterator(im):
            dpi = tuple(float(v) for v in frame.info.get("dpi", (204, 196)))
            yield np.array(frame.convert("L")), dpi
