"""The machine-readable marks on every page: four ArUco markers and the identity QR code.

Both are drawn as vector squares (no bitmaps), so they stay sharp at any fax resolution.
Positions and sizes come only from intake.form.layout.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np
import segno

from intake.form.identity import PageIdentity
from intake.form.layout import ARUCO_DICT, QR_SIZE, Rect, marker_rect, qr_rect
from intake.render.paper import WHITE, Paper

QR_ERROR = "m"                 # M or better (segno boosts the level when the version has room)
MARKER_QUIET = 2.0             # mm of white kept around each marker
HUMAN_SIZE = 6.5               # pt: identity text under the code


@lru_cache(maxsize=None)
def aruco_bits(marker_id: int) -> np.ndarray:
    """The marker as a (n+2)x(n+2) boolean grid (True = black), its black border included."""
    dictionary = cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, ARUCO_DICT))
    side = dictionary.markerSize + 2
    img = dictionary.generateImageMarker(marker_id, side)
    return img < 128


def _runs(grid: np.ndarray, box: Rect) -> list[tuple[float, float, float, float]]:
    """Black cells merged into horizontal runs, as (x, y, w, h) in mm inside box."""
    rows, cols = grid.shape
    cw, ch = box.w / cols, box.h / rows
    out = []
    for r in range(rows):
        c = 0
        while c < cols:
            if grid[r, c]:
                start = c
                while c < cols and grid[r, c]:
                    c += 1
                out.append((box.x + start * cw, box.y + r * ch, (c - start) * cw, ch))
            else:
                c += 1
    return out


def draw_marker(paper: Paper, marker_id: int) -> None:
    r = marker_rect(marker_id)
    paper.rect(Rect(r.x - MARKER_QUIET, r.y - MARKER_QUIET, r.w + 2 * MARKER_QUIET, r.h + 2 * MARKER_QUIET),
               fill=WHITE, stroke=False)
    paper.fill_cells(_runs(aruco_bits(marker_id), r))


def draw_markers(paper: Paper) -> None:
    for i in range(4):
        draw_marker(paper, i)


def qr_matrix(identity: PageIdentity) -> np.ndarray:
    qr = segno.make(identity.encode(), error=QR_ERROR, micro=False)
    return np.array([list(row) for row in qr.matrix], dtype=bool)


def draw_qr(paper: Paper, identity: PageIdentity) -> None:
    """The code fills layout.qr_rect() exactly; its quiet zone lies outside the rect and is kept empty."""
    grid = qr_matrix(identity)
    paper.fill_cells(_runs(grid, qr_rect()))


def module_mm(identity: PageIdentity) -> float:
    return QR_SIZE / qr_matrix(identity).shape[0]


def draw_identity_text(paper: Paper, identity: PageIdentity, max_w: float = 48.0) -> None:
    """The identity a clerk can read and type, centred under the code."""
    q = qr_rect()
    quiet = 2.5 * module_mm(identity)
    cx = q.x + q.w / 2
    box = Rect(cx - max_w / 2, q.y1 + quiet - 0.3, max_w, 3.0)
    paper.fit_line(identity.human(), box, HUMAN_SIZE, align="center", min_size=4.5)
