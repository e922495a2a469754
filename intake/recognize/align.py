"""Local alignment: move each field's neighbourhood onto the blank form's printed lines.

The homography from the four markers is right at the markers, but a fax can drop or repeat scan
lines and a feeder can stretch the sheet unevenly, so inside the page the printed boxes can sit
up to ~1 mm away from where the canonical blank has them. The readers subtract the blank's ink
(grown 0.5 mm): a box line 1 mm off then reads as a mark or as writing. Measured on the seed-7
tuning corpus: the median field needs no shift, but fax-of-fax and G4 faxes with dropped lines
show shifts of 0.5-1.5 mm.

For every field the printed ink of the blank (box outlines, comb lines, labels) round the field is
matched against the page's ink, at half resolution, within ±MAX_SHIFT_MM; the best shift is taken
only when it explains clearly more of the printed ink than no shift (MIN_GAIN), so a field
without enough print keeps the homography's placement.
"""

from __future__ import annotations

import cv2
import numpy as np

from intake.form.layout import Rect
from intake.recognize.canon import CANON_PX_PER_MM, INK_LEVEL, grow, rect_slices

MAX_SHIFT_MM = 1.5
SEARCH_MARGIN_MM = 1.0      # print round the field that helps (box outlines sit on its edge)
MOVE_MARGIN_MM = 4.0        # how much round the field is moved with it (readers look up to 3 mm out)
MIN_GAIN = 1.08             # best shift must match 8% more printed ink than no shift
MIN_TEMPLATE_PX = 40        # at half resolution: less print than this cannot place a field
_PAD = int(round(MAX_SHIFT_MM * CANON_PX_PER_MM)) + 2


def field_shift(canon_ink_half: np.ndarray, blank_half: np.ndarray, area: Rect) -> tuple[int, int]:
    """(dy, dx) in canonical px that moves the page's content onto the blank's, for one field.

    canon_ink_half / blank_half: float32 ink maps (1 = ink) at half resolution, canon padded by
    _PAD // 2 on every side."""
    m = _PAD // 2
    r = grow(area, SEARCH_MARGIN_MM)
    ys, xs = rect_slices(r, (blank_half.shape[0] * 2, blank_half.shape[1] * 2))
    y0, y1, x0, x1 = ys.start // 2, ys.stop // 2, xs.start // 2, xs.stop // 2
    tpl = blank_half[y0:y1, x0:x1]
    if tpl.size == 0 or tpl.sum() < MIN_TEMPLATE_PX:
        return 0, 0
    s = int(MAX_SHIFT_MM * CANON_PX_PER_MM / 2)
    big = canon_ink_half[y0 + m - s:y1 + m + s, x0 + m - s:x1 + m + s]
    res = cv2.matchTemplate(big, tpl, cv2.TM_CCORR)
    centre = float(res[s, s])
    iy, ix = np.unravel_index(int(np.argmax(res)), res.shape)
    if res[iy, ix] <= max(centre * MIN_GAIN, 1e-6):
        return 0, 0
    return 2 * (int(iy) - s), 2 * (int(ix) - s)


def _half_ink(mask: np.ndarray) -> np.ndarray:
    """An ink mask at half resolution as float32 (the share of ink in each 2x2 block): INTER_AREA
    on the mask as float32, as before, but without a full-page float copy (2.5 -> 0.9 ms a page).
    At exactly half size INTER_AREA averages 2x2 blocks; with ink as 64 the uint8 average 16*k is
    exact, so k/4 comes back bit for bit. Odd sizes and non-boolean masks take the float path."""
    h, w = mask.shape
    size = (w // 2, h // 2)
    if mask.dtype != bool or h % 2 or w % 2:
        return cv2.resize(mask.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    quarters = cv2.resize(mask.view(np.uint8) * np.uint8(64), size, interpolation=cv2.INTER_AREA)
    return quarters.astype(np.float32) * np.float32(1 / 64)


_HALVES: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _blank_half(blank_ink: np.ndarray) -> np.ndarray:
    """The blank's ink at half resolution, blurred: the same for every page of a form, so kept
    (keyed by the cached blank array itself, which blank.py keeps alive and read-only)."""
    hit = _HALVES.get(id(blank_ink))
    if hit is not None and hit[0] is blank_ink:
        return hit[1]
    half = cv2.GaussianBlur(_half_ink(blank_ink), (3, 3), 0)
    if len(_HALVES) > 64:
        _HALVES.clear()
    _HALVES[id(blank_ink)] = (blank_ink, half)
    return half


class Aligner:
    """Per-page state: the page's ink at half resolution and a padded copy to move regions from."""

    def __init__(self, canon: np.ndarray, blank_ink: np.ndarray):
        self.src = cv2.copyMakeBorder(canon, _PAD, _PAD, _PAD, _PAD, cv2.BORDER_CONSTANT, value=255)
        half = cv2.GaussianBlur(_half_ink(canon < INK_LEVEL), (3, 3), 0)
        m = _PAD // 2
        self.ink_half = cv2.copyMakeBorder(half, m, m, m, m, cv2.BORDER_CONSTANT, value=0)
        self.blank_half = _blank_half(blank_ink)
        self.out = canon.copy()
        self.shape = canon.shape

    def align(self, area: Rect) -> tuple[np.ndarray, tuple[int, int]]:
        """The page with this field's neighbourhood moved into place (other regions as last set)."""
        dy, dx = field_shift(self.ink_half, self.blank_half, area)
        ys, xs = rect_slices(grow(area, MOVE_MARGIN_MM), self.shape)
        self.out[ys, xs] = self.src[ys.start + _PAD + dy:ys.stop + _PAD + dy, xs.start + _PAD + dx:xs.stop + _PAD + dx]
        return self.out, (dy, dx)
