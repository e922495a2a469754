"""Ink on paper: a page raster addressed in millimetres, and pens that draw wobbly strokes on it.

Ink is kept as a separate 'darkness' layer (0 = paper, 1 = black) and laid over the page
at the end, so strokes that cross printed lines darken them the way real ink does.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

SHIFT = 4                      # cv2 fixed-point bits: strokes land at sub-pixel positions
_ONE = 1 << SHIFT


@dataclass(frozen=True)
class Pen:
    name: str
    width_mm: float            # stroke width
    darkness: float            # how dark the ink reads in a grey scan (pencil ~0.4, felt pen ~0.95)
    grain: float = 0.0         # 0..1, broken texture of pencil on paper


PENS = {
    "ballpoint": Pen("ballpoint", 0.45, 0.88),
    "blue": Pen("blue", 0.45, 0.7),               # blue ballpoint: lighter once scanned grey
    "gel": Pen("gel", 0.6, 0.92),
    "pencil": Pen("pencil", 0.4, 0.62, grain=0.4),     # faint pencil: breaks up on a fax
    "felt": Pen("felt", 1.15, 0.95),              # thick felt pen
}


class Sheet:
    """A grey page (uint8, white = 255) and the ink drawn on it, in mm from the top-left."""

    def __init__(self, page: np.ndarray, dpi: float):
        self.page = page
        self.dpi = float(dpi)
        self.dark = np.zeros(page.shape, np.float32)

    def px(self, v_mm: float) -> float:
        return v_mm * self.dpi / 25.4

    def stroke(self, pts_mm: np.ndarray, pen: Pen, rng: np.random.Generator, width_scale: float = 1.0) -> None:
        """A polyline (N x 2, mm) drawn with pen, anti-aliased, width varying a little along it."""
        pts = np.asarray(pts_mm, float) * self.dpi / 25.4
        w = max(1.0, self.px(pen.width_mm * width_scale))
        pad = int(w) + 3
        x0, y0 = np.floor(pts.min(0)).astype(int) - pad
        x1, y1 = np.ceil(pts.max(0)).astype(int) + pad
        patch = np.zeros((y1 - y0, x1 - x0), np.uint8)
        local = np.round((pts - [x0, y0]) * _ONE).astype(np.int32)
        # draw in a few pieces with their own width: pressure changes along a real stroke
        n = len(local)
        pieces = max(1, min(4, n // 6))
        for i in range(pieces):
            a, b = i * n // pieces, min(n, (i + 1) * n // pieces + 1)
            t = max(1, int(round(w * rng.uniform(0.85, 1.15))))
            cv2.polylines(patch, [local[a:b]], False, 255, t, cv2.LINE_AA, SHIFT)
        alpha = patch.astype(np.float32) / 255.0
        if pen.grain:
            grain = rng.random(alpha.shape).astype(np.float32)
            alpha *= (1.0 - pen.grain) + pen.grain * grain
        self.blit(alpha * pen.darkness, x0, y0)

    def blit(self, dark: np.ndarray, x0: int, y0: int) -> None:
        """Max-compose a darkness patch whose top-left pixel is (x0, y0); clipped to the page."""
        h, w = self.dark.shape
        sx0, sy0 = max(0, -x0), max(0, -y0)
        dx0, dy0 = max(0, x0), max(0, y0)
        dx1, dy1 = min(w, x0 + dark.shape[1]), min(h, y0 + dark.shape[0])
        if dx1 <= dx0 or dy1 <= dy0:
            return
        src = dark[sy0:sy0 + dy1 - dy0, sx0:sx0 + dx1 - dx0]
        np.maximum(self.dark[dy0:dy1, dx0:dx1], src, out=self.dark[dy0:dy1, dx0:dx1])

    def result(self) -> np.ndarray:
        """The page with the ink laid on it (grey uint8)."""
        out = self.page.astype(np.float32) * (1.0 - np.clip(self.dark, 0.0, 1.0))
        return np.clip(np.round(out), 0, 255).astype(np.uint8)


def wobble(pts: np.ndarray, rng: np.random.Generator, amount_mm: float, per_mm: float = 4.0) -> np.ndarray:
    """Resample a polyline densely and add a smooth hand tremor (mm)."""
    pts = np.asarray(pts, float)
    seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    total = float(seg.sum())
    n = max(4, int(total * per_mm))
    s = np.concatenate([[0.0], np.cumsum(seg)])
    t = np.linspace(0.0, total, n)
    dense = np.stack([np.interp(t, s, pts[:, 0]), np.interp(t, s, pts[:, 1])], axis=1)
    # low-frequency noise: a few random sine components per axis
    k = np.arange(1, 4)
    phase = rng.uniform(0, 2 * np.pi, (2, 3))
    amp = rng.normal(0, amount_mm, (2, 3)) / k
    u = t / max(total, 1e-6)
    noise = np.stack([(amp[d][:, None] * np.sin(2 * np.pi * k[:, None] * u + phase[d][:, None])).sum(0)
                      for d in range(2)], axis=1)
    return dense + noise
