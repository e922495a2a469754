"""The canonical page: the registered image every reader works on, at a fixed 8 px/mm.

All readers take rectangles in millimetres from intake.form.layout and turn them into
pixel slices here, so the form model stays the one place that knows where a box is.
"""

from __future__ import annotations

import numpy as np

from intake.form.layout import MARKER_CENTERS, PAGE_H, PAGE_W, Rect, marker_rect, qr_rect

CANON_PX_PER_MM = 8.0
CANON_W = int(round(PAGE_W * CANON_PX_PER_MM))      # 1680
CANON_H = int(round(PAGE_H * CANON_PX_PER_MM))      # 2376
CANON_DPI = CANON_PX_PER_MM * 25.4                  # 203.2, close to fax 204

# Grey level below which a canonical pixel counts as ink. Canonical pages come from
# bilevel faxes resampled with linear interpolation, so edges sit near 128.
INK_LEVEL = 140


def px(v_mm: float) -> int:
    return int(round(v_mm * CANON_PX_PER_MM))


def rect_slices(r: Rect, shape: tuple[int, ...] = (CANON_H, CANON_W)) -> tuple[slice, slice]:
    """Rows and columns of a mm rectangle on the canonical page, clipped to the page."""
    y0, y1 = max(0, px(r.y)), min(shape[0], px(r.y1))
    x0, x1 = max(0, px(r.x)), min(shape[1], px(r.x1))
    return slice(y0, max(y0, y1)), slice(x0, max(x0, x1))


def grow(r: Rect, d: float) -> Rect:
    return Rect(r.x - d, r.y - d, r.w + 2 * d, r.h + 2 * d)


def marker_corners_mm(marker_id: int) -> np.ndarray:
    """The marker's outer corners in ArUco order (TL, TR, BR, BL), mm."""
    r = marker_rect(marker_id)
    return np.array([(r.x, r.y), (r.x1, r.y), (r.x1, r.y1), (r.x, r.y1)], dtype=np.float64)


def qr_corners_mm() -> np.ndarray:
    """The identity code's symbol corners (TL, TR, BR, BL), mm; the code fills its rect."""
    r = qr_rect()
    return np.array([(r.x, r.y), (r.x1, r.y), (r.x1, r.y1), (r.x, r.y1)], dtype=np.float64)


MARKER_IDS = tuple(sorted(MARKER_CENTERS))
