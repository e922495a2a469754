"""Test doubles and page makers for the ingest tests (no tests here).

`qr_double` is a stand-in recogniser for the *assembly and journey* logic only: it reads the
page identity from a QR code (zxing-cpp) and, if present, the field values from a second QR
code the test drew. It registers nothing and reads no ink; the end-to-end test uses the real
recogniser.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import segno
from PIL import Image

from intake.form.identity import PageIdentity
from intake.recognize.types import FieldReading, PageReading

VALUES_PREFIX = "VALS|"


def _qr(text: str, scale: int) -> np.ndarray:
    m = np.array(segno.make_qr(text, error="m").matrix, dtype=bool)
    m = np.pad(m, 4)
    img = np.where(m, 0, 255).astype(np.uint8)
    return np.kron(img, np.ones((scale, scale), dtype=np.uint8))


def page_image(ident: PageIdentity | None, values: dict | None = None, *, size=(1654, 2339),
               scale: int = 6, seed: int = 0) -> np.ndarray:
    """A white page with the identity QR top-right and an optional values QR below it."""
    w, h = size
    page = np.full((h, w), 255, np.uint8)
    rng = np.random.default_rng(seed)  # a few specks so equal identities give different bytes
    ys, xs = rng.integers(0, h, 30), rng.integers(0, w // 3, 30)
    page[ys, xs] = 0
    if ident is not None:
        q = _qr(ident.encode(), scale)
        page[60:60 + q.shape[0], w - 60 - q.shape[1]:w - 60] = q
    if values is not None:
        q = _qr(VALUES_PREFIX + json.dumps(values, ensure_ascii=False), scale)
        page[900:900 + q.shape[0], 200:200 + q.shape[1]] = q
    return page


def write_png(path: Path, img: np.ndarray, dpi=(200, 200)) -> Path:
    Image.fromarray(img).save(path, format="PNG", dpi=dpi)
    return path


def write_tiff(path: Path, imgs: list[np.ndarray], dpi=(200, 200), compression="group4") -> Path:
    frames = [Image.fromarray(i).convert("1") for i in imgs]
    frames[0].save(path, format="TIFF", save_all=True, append_images=frames[1:], compression=compression, dpi=dpi)
    return path


def qr_double(image: np.ndarray, dpi, forms) -> PageReading:
    """Identity and values from QR codes; 'foreign' when the page has no code of ours."""
    import zxingcpp

    ident, values = None, None
    for b in zxingcpp.read_barcodes(image):
        if b.text.startswith(VALUES_PREFIX):
            values = json.loads(b.text[len(VALUES_PREFIX):])
        else:
            ident = PageIdentity.decode(b.text) or ident
    if ident is None:
        return PageReading("foreign", note="no code")
    fields = []
    for key, v in (values or {}).items():
        review = isinstance(v, str) and v.endswith("?")
        fields.append(FieldReading(key, "text", v, 0.5 if review else 0.95, review,
                                   "unsure" if review else None, crop=image[:40, :40].copy()))
    return PageReading("identified", ident, fields=fields)


def failing_double(image, dpi, forms) -> PageReading:
    raise RuntimeError("recogniser bug")
