"""Loops round an option: does the person's ink enclose the option's box or its printed label?

The strip measure in choice.py sees a circle where it crosses the top and bottom strips of the option's
cell. Loops drawn otherwise miss the strips: tight round the label's text, tight round the box, tilted, or
cut short inside the label; choice.py then calls the option unsure. This module asks the question the
strips stand in for: cast N_RAYS rays from an anchor (the box's centre, the printed label's centre) and
see whether each meets added ink before it leaves the option's cell (grown by REACH_MM).

A ray can also pass through the blank mask (the printed outline, the label's glyphs and the halo round
them) without meeting visible ink: a loop drawn there is hidden, so such a ray is 'unknown', not open.
Only ink beyond the anchor's own extent counts (outside the box; outside the label's glyph bounding box),
so a tick or a scribble inside the box, or a line struck through the label, encloses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from intake.form.layout import Rect
from intake.recognize.blank import BLANK_GROW_PX
from intake.recognize.canon import CANON_PX_PER_MM, grow, rect_slices
from intake.recognize.ink import added_ink

N_RAYS = 16
REACH_MM = 2.0           # how far outside the option's cell a loop round it may run
LABEL_GAP_MM = 0.6       # the printed label starts this far right of the box
UNKNOWN_PX = 2           # masked pixels a ray must cross (beyond the anchor) to be 'unknown' rather than open


@dataclass(frozen=True)
class Rays:
    hit: int             # rays that met added ink beyond the anchor's extent
    unknown: int         # rays that met none but crossed the blank mask (ink may be hidden there)
    open: int            # rays that met nothing and crossed only paper

    @property
    def closed_share(self) -> float:
        return self.hit / N_RAYS


def label_rect(blank: np.ndarray, box: Rect, cell: Rect) -> Rect | None:
    """The printed label's glyph bounding box (mm): the blank mask right of the box, shrunk by its growth."""
    region = Rect(box.x1 + LABEL_GAP_MM, cell.y, cell.x1 - box.x1 - LABEL_GAP_MM, cell.h)
    ys, xs = rect_slices(region, blank.shape)
    m = blank[ys, xs]
    rows, cols = np.flatnonzero(m.any(axis=1)), np.flatnonzero(m.any(axis=0))
    if rows.size < 2 * BLANK_GROW_PX + 2 or cols.size < 2 * BLANK_GROW_PX + 2:
        return None
    g = BLANK_GROW_PX
    y0, y1 = (ys.start + rows[0] + g) / CANON_PX_PER_MM, (ys.start + rows[-1] + 1 - g) / CANON_PX_PER_MM
    x0, x1 = (xs.start + cols[0] + g) / CANON_PX_PER_MM, (xs.start + cols[-1] + 1 - g) / CANON_PX_PER_MM
    return Rect(x0, y0, x1 - x0, y1 - y0)


def cast(ink: np.ndarray, masked: np.ndarray, origin: tuple[int, int], inner: Rect, where: tuple[slice, slice]
         ) -> Rays:
    """Rays from `origin` (row, col in the region `where`) over the region's added `ink` and blank `masked`
    pixels; only pixels outside `inner` (mm) count."""
    ys, xs = where
    h, w = ink.shape
    oy, ox = origin
    reach = int(np.hypot(h, w))
    r = np.arange(1, reach)
    hit = unknown = opened = 0
    iy0, iy1 = inner.y * CANON_PX_PER_MM - ys.start, inner.y1 * CANON_PX_PER_MM - ys.start
    ix0, ix1 = inner.x * CANON_PX_PER_MM - xs.start, inner.x1 * CANON_PX_PER_MM - xs.start
    for k in range(N_RAYS):
        t = 2 * np.pi * k / N_RAYS
        py = np.rint(oy + r * np.sin(t)).astype(int)
        px_ = np.rint(ox + r * np.cos(t)).astype(int)
        inside = (py >= 0) & (py < h) & (px_ >= 0) & (px_ < w)
        py, px_ = py[inside], px_[inside]
        beyond = ~((py >= iy0) & (py < iy1) & (px_ >= ix0) & (px_ < ix1))
        py, px_ = py[beyond], px_[beyond]
        if ink[py, px_].any():
            hit += 1
        elif masked[py, px_].sum() >= UNKNOWN_PX:
            unknown += 1
        else:
            opened += 1
    return Rays(hit, unknown, opened)


def enclosure(canon: np.ndarray, blank: np.ndarray, box: Rect, cell: Rect) -> tuple[Rays, Rays | None]:
    """(rays from the box's centre, rays from the label's centre or None where the cell has no label)."""
    region = grow(cell, REACH_MM)
    where = rect_slices(region, canon.shape)
    # grown by a pixel: a ray stepping diagonally slips between the pixels of a one-pixel stroke (a loop's
    # flat top on a 204x98 fax)
    ink = cv2.dilate(added_ink(canon, blank, region).astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    masked = blank[where]

    def from_centre(r: Rect) -> Rays:
        origin = (int(round((r.y + r.h / 2) * CANON_PX_PER_MM)) - where[0].start,
                  int(round((r.x + r.w / 2) * CANON_PX_PER_MM)) - where[1].start)
        return cast(ink, masked, origin, r, where)

    label = label_rect(blank, box, cell)
    return from_centre(box), (from_centre(label) if label is not None else None)


HIT_RAYS = 10            # rays that must meet ink round an anchor when none is open (see enclosed)
HIT_RAYS_ONE_OPEN = 12   # ... when one is (a gap the pen left, or a loop thinned away where it meets print)


def enclosed(canon: np.ndarray, blank: np.ndarray, box: Rect, cell: Rect) -> bool:
    """Does a loop enclose the option's box or its label? HIT_RAYS of the N_RAYS meet ink and none crosses
    only paper, or HIT_RAYS_ONE_OPEN and one. Measured on the tuning writers' stored pages of seeds 11, 21 and
    22 (benchmarks/choice_measures.py, 12,600 options): loops round box and label found 73-90%, loops round
    the label's text 55-67%, tuning circles 79-86% (the rest hidden where they cross print); loops tight on the
    box outline 0% (the blank mask hides them: choice.py's outline rules send those to review). Options
    enclosed but not chosen: corrections (a scribbled box, a loop struck through or crossed out, which
    choice.py judges by their own rules) and one field the writer answered twice; never an empty option."""
    return any(r is not None and (r.hit >= HIT_RAYS and r.open == 0 or r.hit >= HIT_RAYS_ONE_OPEN and r.open <= 1)
               for r in enclosure(canon, blank, box, cell))


OUTLINE_MM = 0.6         # the box outline's band (the printed outline grown by this), here and in choice.outline_dark
OUTLINE_LEVEL = 128      # grey below which a pixel of that band is dark


def outline_sides(canon: np.ndarray, blank: np.ndarray, box: Rect) -> np.ndarray:
    """Share of dark pixels on the blank form's (grown) outline of the box, side by side (top, right, bottom,
    left; each side's band without the corners): a loop drawn on the outline darkens all four, a tick's stroke
    running over the edge one or two."""
    g = grow(box, OUTLINE_MM)
    ys, xs = rect_slices(g, canon.shape)
    on = blank[ys, xs]
    dark = canon[ys, xs] < OUTLINE_LEVEL
    h, w = on.shape
    b = int(round(2 * OUTLINE_MM * CANON_PX_PER_MM))          # the band: the outline and its growth
    c = b                                                           # corners left out
    bands = ((slice(0, b), slice(c, w - c)), (slice(c, h - c), slice(w - b, w)),
             (slice(h - b, h), slice(c, w - c)), (slice(c, h - c), slice(0, b)))
    out = []
    for sy, sx in bands:
        m = on[sy, sx]
        out.append(float(dark[sy, sx][m].mean()) if m.any() else 0.0)
    return np.array(out)


RING_ON_OUTLINE = 0.10   # outline_sides above the field's other boxes on every side: a loop drawn on the outline


def ringed_outlines(canon: np.ndarray, blank: np.ndarray, boxes: list[Rect]) -> list[bool]:
    """For each option box: is its outline darker than the field's other boxes' (their median, side by side; the
    same print and channel) by RING_ON_OUTLINE on all four sides? A loop drawn tight round the box lies on the
    printed outline, where the blank mask hides it from every added-ink measure and from the rays of enclosure().
    Measured on the varied tuning writers of seeds 21 and 22 (6,195 empty options, 131 such loops): the least
    darkened side of the loops, median +0.195, 73 % of them >= 0.10; of the empty options, 99 % <= +0.012 and
    none >= 0.10 but the second loop of a field answered twice."""
    sides = np.array([outline_sides(canon, blank, b) for b in boxes])
    out = []
    for i in range(len(boxes)):
        others = np.delete(sides, i, axis=0)
        out.append(bool(len(others)) and float((sides[i] - np.median(others, axis=0)).min()) >= RING_ON_OUTLINE)
    return out
