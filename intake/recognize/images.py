"""Page images in, grey uint8 out: normalise dtype, square the pixels, turn by quarter turns."""

from __future__ import annotations

import cv2
import numpy as np

from intake.errors import InputRejected
from intake.recognize.canon import CANON_PX_PER_MM

MAX_PIXELS = 60_000_000          # an A4 page at 600 dpi is 35 Mpx; anything bigger is not a page


def as_grey(image: np.ndarray) -> np.ndarray:
    """Grey uint8, 0 = black. Accepts bool/0-1 bilevel arrays and RGB."""
    img = np.asarray(image)
    if img.size > MAX_PIXELS:
        raise InputRejected(f"page image has {img.size} pixels (limit {MAX_PIXELS})", code="too_large",
                            hint="scan at 300 dpi or less")
    if img.ndim == 3:
        img = cv2.cvtColor(img[..., :3].astype(np.uint8), cv2.COLOR_RGB2GRAY)
    if img.dtype == bool:
        return np.where(img, 255, 0).astype(np.uint8)
    if img.dtype != np.uint8:
        img = img.astype(np.float64)
        img = img * 255.0 if img.max(initial=0) <= 1.0 else img
        img = np.clip(img, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(img)


def scale_factors(dpi: tuple[float, float]) -> tuple[float, float]:
    """Factors taking a page at `dpi` (x, y) to square pixels at the canonical 8 px/mm."""
    dx, dy = (float(d) if d and d > 0 else 200.0 for d in dpi)
    return CANON_PX_PER_MM * 25.4 / dx, CANON_PX_PER_MM * 25.4 / dy


def to_square(image: np.ndarray, dpi: tuple[float, float]) -> np.ndarray:
    """Resample to square pixels at about 8 px/mm (a 204x98 fax gets its rows doubled)."""
    sx, sy = scale_factors(dpi)
    if abs(sx - 1) < 0.02 and abs(sy - 1) < 0.02:
        return image
    handed = _take_handoff()
    if handed is not None and handed[0] is image and handed[1] == (sx, sy):
        return handed[2]
    w, h = max(1, round(image.shape[1] * sx)), max(1, round(image.shape[0] * sy))
    interp = cv2.INTER_AREA if sx * sy < 1 else cv2.INTER_LINEAR
    return cv2.resize(image, (w, h), interpolation=interp)


# identify.find_code squares a page whose code the raw scan did not give, and page._locate then
# squares the same page again (a quarter of the seed-7 pages, ~5 ms each). find_code hands its
# result on through square_and_hand_on(); the next to_square call takes it, if it asks for the
# same array (the object itself) at the same dpi, and drops it otherwise: one page at most is
# held, for one call.
_HANDOFF: list = []             # [(input array, scale factors, square array)]


def _take_handoff():
    try:
        return _HANDOFF.pop()
    except IndexError:
        return None


def square_and_hand_on(image: np.ndarray, dpi: tuple[float, float]) -> np.ndarray:
    """to_square, and keep the result for the next to_square of the same array (see above)."""
    out = to_square(image, dpi)
    if out is not image:
        _HANDOFF[:] = [(image, scale_factors(dpi), out)]
    return out


def turn(image: np.ndarray, degrees: int) -> np.ndarray:
    """Rotate counter-clockwise by a multiple of 90 degrees."""
    k = (degrees // 90) % 4
    return np.ascontiguousarray(np.rot90(image, k)) if k else image


def turn_points(pts: np.ndarray, degrees: int, shape: tuple[int, int]) -> np.ndarray:
    """Where points of an image of `shape` (h, w) land after turn(image, degrees)."""
    h, w = shape
    k = (degrees // 90) % 4
    x, y = pts[:, 0].astype(np.float64), pts[:, 1].astype(np.float64)
    if k == 0:
        return np.stack([x, y], 1)
    if k == 1:                       # ccw 90: (x, y) -> (y, w-1-x)
        return np.stack([y, w - 1 - x], 1)
    if k == 2:
        return np.stack([w - 1 - x, h - 1 - y], 1)
    return np.stack([h - 1 - y, x], 1)
