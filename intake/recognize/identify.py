"""Identify a page by its code (zxing-cpp), or at least tell that it is one of ours (ArUco markers).

zxing reads our QR on a raw 204x98 fax in a few ms, so the cheap attempts come first;
each later attempt costs more and only runs when the earlier ones found nothing:
raw -> square pixels -> square turned 180° -> median + closing (noisy lines, broken modules).
A code that zxing decodes is exact (Reed-Solomon checked), so its text is trusted as it is;
a code that is not ours makes the page foreign. We never guess an identity.

Last resort (find_code_on_grid), for a page whose markers were found but whose code zxing cannot
locate: a fax of a fax bloats every module and a dropped or smeared scan line cuts through the
finder patterns, so zxing's detector gives up although most modules are still legible. The
markers tell exactly where the symbol lies (it fills layout.qr_rect()), so its modules are sampled
at their centres for each possible symbol version and redrawn as a clean symbol that zxing then
decodes with its full Reed-Solomon check: a wrong sample grid or too many damaged modules fails the
check (no identity), it never yields another identity. On seed 7 zxing missed 5 of 200 pages
(3 faxes of faxes, a standard and an upside-down fax); the grid read 4 of them. The fifth kept
only the two bottom markers, 260 mm from the code, and its bottom row and one middle row of
modules were lost: it stays unidentified (a clerk's page), as it should.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp

from intake.form.identity import PageIdentity
from intake.recognize.canon import CANON_PX_PER_MM, marker_corners_mm, qr_corners_mm
from intake.recognize.images import as_grey, scale_factors, square_and_hand_on, turn, turn_points

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
        square = square_and_hand_on(grey, dpi)      # page._locate squares the same page next
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


GRID_VERSIONS = (2, 3, 4, 5, 6)    # our payloads need version 2-3 at level M; a little room for long ids
GRID_PX = 8                        # module size of the redrawn symbol
GRID_SHIFTS_PX = (0, -2, 2)        # registration error left near the code (canonical px, 8 px/mm)
GRID_SPOTS = (0.2, 0.35)           # sampled square's half side / module pitch: the centre (bloated modules),
                                   # then wider (a smeared or dropped 2 px fax line cannot flip a module)


def _to_canonical(markers: dict[int, np.ndarray]) -> np.ndarray | None:
    """3x3 matrix square-page px -> canonical px from the markers (>= 3: the registration fit;
    2: a similarity, which keeps scale and angle honest from two 10 mm squares)."""
    from intake.recognize.register import RegistrationError, fit

    if len(markers) >= 3:
        try:
            return fit(markers).matrix
        except RegistrationError:
            return None
    if len(markers) < 2:
        return None
    src = np.concatenate([c for c in markers.values()]).astype(np.float32)
    dst = np.concatenate([marker_corners_mm(i) * CANON_PX_PER_MM for i in markers]).astype(np.float32)
    m, _ = cv2.estimateAffinePartial2D(src, dst, method=cv2.LMEDS)
    return None if m is None else np.vstack([m, [0, 0, 1]])


def _sample_grid(crop: np.ndarray, n: int, dy: float, dx: float, spot: float = 0.2) -> np.ndarray:
    """n x n booleans (True = dark module) sampled at module centres of a crop holding the symbol."""
    level = min(160.0, cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[0])
    pitch = crop.shape[0] / n
    c = (np.arange(n) + 0.5) * pitch
    r = max(1, int(pitch * spot))
    integral = cv2.integral(crop.astype(np.float32))
    ys = np.clip(np.round(c + dy).astype(int), r, crop.shape[0] - r - 1)
    xs = np.clip(np.round(c + dx).astype(int), r, crop.shape[1] - r - 1)
    y0, y1, x0, x1 = ys - r, ys + r + 1, xs - r, xs + r + 1
    sums = (integral[y1][:, x1] - integral[y0][:, x1] - integral[y1][:, x0] + integral[y0][:, x0])
    return sums / float((2 * r + 1) ** 2) < level


def _with_function_patterns(grid: np.ndarray) -> np.ndarray:
    """The grid with its finder, separator, timing and (versions 2-6) alignment patterns set to what
    the standard fixes them to: they carry no data, and a smeared fax line through a finder
    pattern otherwise stops the decoder although the data codewords are correctable."""
    g = grid.copy()
    n = g.shape[0]
    finder = np.ones((7, 7), bool)
    finder[1:6, 1:6] = False
    finder[2:5, 2:5] = True
    for y, x in ((0, 0), (0, n - 7), (n - 7, 0)):
        g[max(0, y - 1):y + 8, max(0, x - 1):x + 8] = False          # separators
        g[y:y + 7, x:x + 7] = finder
    g[6, 8:n - 8] = np.arange(8, n - 8) % 2 == 0                       # timing patterns
    g[8:n - 8, 6] = np.arange(8, n - 8) % 2 == 0
    if n >= 25:                                                         # one alignment pattern (v2-v6)
        c = n - 7
        align = np.ones((5, 5), bool)
        align[1:4, 1:4] = False
        align[2, 2] = True
        g[c - 2:c + 3, c - 2:c + 3] = align
    g[n - 8, 8] = True                                                  # the dark module
    return g


def _redraw(grid: np.ndarray) -> np.ndarray:
    img = np.where(_with_function_patterns(grid), 0, 255).astype(np.uint8)
    img = np.kron(img, np.ones((GRID_PX, GRID_PX), np.uint8))
    return cv2.copyMakeBorder(img, 4 * GRID_PX, 4 * GRID_PX, 4 * GRID_PX, 4 * GRID_PX, cv2.BORDER_CONSTANT, value=255)


def find_code_on_grid(square: np.ndarray, markers: dict[int, np.ndarray]) -> CodeHit | None:
    """Our identity code read by sampling its modules where the markers say it is (see the module
    docstring); only a code that decodes as ours counts. Corners and turn as for find_code."""
    m = _to_canonical(markers)
    if m is None:
        return None
    q = qr_corners_mm() * CANON_PX_PER_MM
    size = int(round(q[1, 0] - q[0, 0]))
    crop_m = np.array([[1, 0, -q[0, 0]], [0, 1, -q[0, 1]], [0, 0, 1]], float) @ m
    crop = cv2.warpPerspective(square, crop_m, (size, size), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    tries = ((n, spot, dy, dx) for n in (17 + 4 * v for v in GRID_VERSIONS) for spot in GRID_SPOTS
             for dy in GRID_SHIFTS_PX for dx in GRID_SHIFTS_PX)
    for n, spot, dy, dx in tries:
        for bc in _read_pure(_redraw(_sample_grid(crop, n, dy, dx, spot))):
            ident = PageIdentity.decode(bc.text)
            if ident is not None:
                corners = cv2.perspectiveTransform(q.reshape(-1, 1, 2), np.linalg.inv(m)).reshape(-1, 2)
                return CodeHit(bc.text, ident, _upright_turn(corners), corners, f"grid-v{(n - 17) // 4}")
    return None


def _read_pure(img: np.ndarray) -> list:
    try:
        return list(zxingcpp.read_barcodes(img, formats=_QR, try_rotate=False, try_downscale=False,
                                           try_invert=False, is_pure=True))
    except Exception:
        return []
