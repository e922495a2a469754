"""Identify a page by its code (zxing-cpp), or at least tell that it is one of ours (ArUco markers).

zxing reads our QR on a raw 204x98 fax in a few ms, so the cheap attempts come first;
each later attempt costs more and only runs when the earlier ones found nothing:
raw -> square pixels -> square turned 180° -> median + closing (noisy lines, broken modules).
A code that zxing decodes is exact (Reed-Solomon checked), so its text is trusted as it is;
a code that is not ours makes the page foreign. We never guess an identity.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp

from intake.form.identity import PageIdentity
from intake.recognize.images import as_grey, scale_factors, to_square, turn, turn_points

_QR = zxingcpp.BarcodeFormat.QRCode


@dataclass
class CodeHit:
    text: str
    identity: PageIdentity | None
    rotated: int                   # quarter turns (degrees, ccw) that put the code upright
    corners: np.ndarray            # symbol corners TL, TR, BR, BL in square-pixel page coords (unturned)
    attempt: str


def _read(img: np.ndarray) -> list:
    try:
        return list(zxingcpp.read_barcodes(img, formats=_QR, try_rotate=True, try_downscale=True,
                                           try_invert=False))
    except Exception:              # zxing raises on degenerate images; a page without code is not an error
        return []


def _corners(bc) -> np.ndarray:
    p = bc.position
    return np.array([(q.x, q.y) for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)], float)


def _upright_turn(corners: np.ndarray) -> int:
    """The ccw quarter turn that makes the symbol's top edge point right (TL -> TR along +x)."""
    v = corners[1] - corners[0]
    angle = np.degrees(np.arctan2(v[1], v[0]))        # image y down: 90 means the top edge points down
    # a symbol whose top edge points along angle a needs turning by a (ccw in image coords) to be upright
    return int(round(angle / 90.0)) * 90 % 360


def find_code(image: np.ndarray, dpi: tuple[float, float]) -> CodeHit | None:
    """The page's QR code: ours if any decodes as ours, else the first foreign one, else None."""
    grey = as_grey(image)
    sx, sy = scale_factors(dpi)
    square = None

    def attempts():
        nonlocal square
        yield "raw", grey, lambda c: c * np.array([sx, sy])
        square = to_square(grey, dpi)
        yield "square", square, lambda c: c
        h, w = square.shape
        yield "square-180", turn(square, 180), lambda c: turn_points(c, 180, (h, w))
        cleaned = cv2.morphologyEx(cv2.medianBlur(square, 3), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
        yield "square-cleaned", cleaned, lambda c: c
        opened = cv2.morphologyEx(cv2.GaussianBlur(square, (5, 5), 0), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
        yield "square-opened", opened, lambda c: c

    foreign: CodeHit | None = None
    for name, img, back in attempts():
        found = _read(img)
        for bc in found:
            corners = back(_corners(bc))
            ident = PageIdentity.decode(bc.text)
            hit = CodeHit(bc.text, ident, _upright_turn(corners), corners, name)
            if ident is not None:
                return hit
            foreign = foreign or hit
        if foreign is not None:
            return foreign
    return None
