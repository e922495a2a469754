"""Register a page to the canonical 8 px/mm page: ArUco markers -> homography.

All four markers: a homography fitted to their 16 outer corners (least squares, so the
residual at the corners measures how well the page fits: print scaling, skew, fax line
jitter). Three markers: an affine fit (a perspective fit from three markers is barely
constrained). Fewer: the identity code's corners join in, affine again. Residual is the
mean distance between detected and fitted corners, in millimetres on the paper.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from intake.errors import IntakeError
from intake.recognize.canon import (CANON_H, CANON_PX_PER_MM, CANON_W, MARKER_IDS, marker_corners_mm,
                                    qr_corners_mm)
from intake.recognize.images import as_grey, to_square, turn, turn_points

_DICT = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)


class RegistrationError(IntakeError):
    """The page's markers could not be found well enough to read its fields."""


def _detector() -> cv2.aruco.ArucoDetector:
    p = cv2.aruco.DetectorParameters()
    p.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
    p.adaptiveThreshWinSizeMin, p.adaptiveThreshWinSizeMax, p.adaptiveThreshWinSizeStep = 15, 75, 20
    p.minMarkerPerimeterRate = 0.02      # markers are 10 mm on a 210 mm page: perimeter ~ 0.19 of the width
    p.maxMarkerPerimeterRate = 1.5     # relative to the corner window, not the page
    p.errorCorrectionRate = 0.8
    return cv2.aruco.ArucoDetector(_DICT, p)


_DETECTOR = _detector()
# OpenCV's defaults find markers the tuned detector misses (seen: a 204x98 ghostscript fax whose
# top-left marker stood next to the title); tried last, only for markers still missing.
_DEFAULT_DETECTOR = cv2.aruco.ArucoDetector(_DICT, cv2.aruco.DetectorParameters())


_LINE_GAP_KERNEL = np.ones((7, 1), np.uint8)
CORNER_MM = 55.0       # markers reach 25 mm from the corners: 30 mm to spare for shifted scans (measured
                       # on seed 7: the same markers as 75 mm windows, 26 instead of 35 ms a page)


def _detect_in(img: np.ndarray, found: dict[int, np.ndarray], dx: int = 0, dy: int = 0,
               detector: cv2.aruco.ArucoDetector = _DETECTOR) -> None:
    corners, ids, _ = detector.detectMarkers(img)
    if ids is None:
        return
    for c, i in zip(corners, ids.ravel()):
        if int(i) in MARKER_IDS and int(i) not in found:
            found[int(i)] = c.reshape(4, 2).astype(np.float64) + (dx, dy)


def detect_markers(square: np.ndarray) -> dict[int, np.ndarray]:
    """Our markers (ids 0..3) found on a square-pixel page: id -> 4x2 corners (TL, TR, BR, BL).

    The four corner windows first (a whole-page search costs ~150 ms, the windows ~30 ms),
    then the whole page, then the whole page median-filtered (fax specks inside the cells).
    """
    found: dict[int, np.ndarray] = {}
    h, w = square.shape
    c = int(CORNER_MM * CANON_PX_PER_MM)
    if h > 2 * c and w > 2 * c:
        windows = [(y0, x0) for y0 in (0, h - c) for x0 in (0, w - c)]
        empty = []
        for y0, x0 in windows:
            before = len(found)
            _detect_in(square[y0:y0 + c, x0:x0 + c], found, x0, y0)
            if len(found) == before:
                empty.append((y0, x0))
        if len(found) < len(MARKER_IDS):
            # A dropped fax scan line crosses a marker as a white band 2-4 px tall and breaks its
            # black border; a grey opening with a vertical kernel closes the band, while the
            # marker's own white cells (13 px) survive. Seen on seed 2026: 3 pages left with one
            # marker (not registered), which this found again. Only the windows that gave no
            # marker: the windows are disjoint corners and each holds one marker.
            for y0, x0 in empty:
                win = square[y0:y0 + c, x0:x0 + c]
                _detect_in(cv2.morphologyEx(win, cv2.MORPH_OPEN, _LINE_GAP_KERNEL), found, x0, y0)
    for img in (square, cv2.medianBlur(square, 3)):
        if len(found) == len(MARKER_IDS):
            break
        _detect_in(img, found)
    if len(found) < len(MARKER_IDS):
        _detect_in(square, found, detector=_DEFAULT_DETECTOR)
    return found


@dataclass
class Fit:
    matrix: np.ndarray            # 3x3, square-page pixels -> canonical pixels
    residual_mm: float
    markers: int
    method: str                   # homography | affine


def fit(markers: dict[int, np.ndarray], code_corners: np.ndarray | None = None) -> Fit:
    src, dst = [], []
    for i, c in markers.items():
        src.append(c)
        dst.append(marker_corners_mm(i) * CANON_PX_PER_MM)
    n = len(markers)
    if n < 3 and code_corners is not None:
        src.append(code_corners)
        dst.append(qr_corners_mm() * CANON_PX_PER_MM)
    if not src or (n < 3 and code_corners is None) or n < 2:
        raise RegistrationError(f"only {n} of 4 registration markers found",
                                hint="the page corners may be cut off or blacked out; re-scan the whole page")
    s, d = np.concatenate(src).astype(np.float32), np.concatenate(dst).astype(np.float32)
    if n == 4:
        m, _ = cv2.findHomography(s, d, 0)
        method = "homography"
    else:
        # Plain least squares: the corners come from decoded markers, so there are no outliers
        # to reject, and LMEDS picked a degenerate fit (3 % vertical squash) when many corners
        # share a row.
        a = _affine_lstsq(s, d)
        m = None if a is None else np.vstack([a, [0, 0, 1]])
        method = "affine"
    if m is None:
        raise RegistrationError("registration markers are in an impossible arrangement",
                                hint="re-scan the page flat and whole")
    proj = cv2.perspectiveTransform(s.reshape(-1, 1, 2), m).reshape(-1, 2)
    residual = float(np.mean(np.linalg.norm(proj - d, axis=1))) / CANON_PX_PER_MM
    return Fit(m, residual, n, method)


def _affine_lstsq(s: np.ndarray, d: np.ndarray) -> np.ndarray | None:
    x = np.hstack([s.astype(np.float64), np.ones((len(s), 1))])
    sol, _, rank, _ = np.linalg.lstsq(x, d.astype(np.float64), rcond=None)
    return None if rank < 3 else sol.T


def warp(square: np.ndarray, f: Fit) -> np.ndarray:
    return cv2.warpPerspective(square, f.matrix, (CANON_W, CANON_H), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def prepare(image: np.ndarray, dpi: tuple[float, float], rotated: int = 0) -> np.ndarray:
    """Grey, square pixels at ~8 px/mm, turned upright."""
    return turn(to_square(as_grey(image), dpi), rotated)


def register_square(square: np.ndarray, code_corners: np.ndarray | None = None,
                    markers: dict[int, np.ndarray] | None = None) -> tuple[np.ndarray, Fit]:
    markers = detect_markers(square) if markers is None else markers
    f = fit(markers, code_corners)
    return warp(square, f), f


def register(image: np.ndarray, dpi: tuple[float, float], rotated: int = 0,
             code_corners: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """(canonical grey page 1680x2376, mean marker residual in mm). Raises RegistrationError.

    code_corners: the identity code's corners in square-pixel coordinates of the unturned page
    (from identify), used only when fewer than three markers survive.
    """
    square0 = to_square(as_grey(image), dpi)
    square = turn(square0, rotated)
    if code_corners is not None and rotated:
        code_corners = turn_points(code_corners, rotated, square0.shape[:2])
    canon, f = register_square(square, code_corners)
    return canon, f.residual_mm
