"""Fill a rasterised form page with synthetic handwriting, at the spots intake.form.layout gives.

Marks come in the styles respondents use (tick, cross, filled box, circled option, in ballpoint,
faint pencil or thick felt pen), with the occasional correction; digits are real MNIST handwriting
placed into comb boxes with jitter; text is set letter by letter in a handwriting-style font with
wobbling baseline, size and angle. Each writer belongs to a writer set (intake.simulate.writers):
the tuning writers mark as the simulator always has (tick, cross, fill, circle; corrections
scribbled out); the held-out writers have their own MarkHand (ticks and crosses of 0.6-1.6x the box
and turned, hatched and partial fills, cut, open, label-only, box-only and tilted circles, pencil of
their own pressure; corrections scribbled in another zigzag, struck through with 二重線 or crossed
over a tick). A correction means the option is NOT chosen: the truth keeps the value meant and the
note says `correction: <style>`; every choice note says the `style` its marks were drawn in.
Some numbers come with a slip (Quirks.two_in_box, outside_box, empty_box; see digit_hazard): the truth
keeps the number meant, the notes flag the slip, and the machine is expected to send the field to review.

fill_page() returns the filled page and notes on what was drawn (style, corrections, slips), so the
ground truth can say not only the value but how it looked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import cv2
import numpy as np
from PIL import Image, ImageDraw

from intake.form.layout import FieldGeom, Rect
from intake.simulate import handwriting
from intake.simulate import writers as writer_sets
from intake.simulate.pen import PENS, Pen, Sheet, wobble
from intake.simulate.writers import DEFAULT_WRITERS, MarkHand

MARK_STYLES = writer_sets.TUNING_MARKS          # the tuning writers' (writer_sets.MARKS: both sets')
_STYLE_P = writer_sets.TUNING_MARK_P
_PEN_P = {"ballpoint": 0.44, "blue": 0.2, "gel": 0.14, "pencil": 0.08, "felt": 0.14}
_HELDOUT_PEN_P = {"ballpoint": 0.4, "blue": 0.2, "gel": 0.12, "pencil": 0.14, "felt": 0.14}


@dataclass(frozen=True)
class Writer:
    """One respondent's habits: the same hand fills the whole return."""
    pen: Pen
    mark_style: str
    font: Path
    script: str = "ja"          # ja | latin: which handwriting fonts suit this writer
    size: float = 1.0           # handwriting size factor
    slant_deg: float = 0.0
    right_align_numbers: bool = False
    tremor: float = 0.12        # mm
    writers: str = DEFAULT_WRITERS      # the writer set (writers.WRITER_SETS): fonts, digit samples, mark hand
    hand: MarkHand = MarkHand()         # how this writer marks and corrects

    def describe(self) -> dict:
        """The truth's "writer" entry: the set, the pen, the font and the mark hand."""
        return {"set": self.writers, "pen": self.pen.name, "pen_darkness": round(self.pen.darkness, 3),
                "marks": self.mark_style, "font": self.font.name, "hand": self.hand.describe()}


def random_writer(rng: np.random.Generator, lang: str = "ja", writers: str = DEFAULT_WRITERS) -> Writer:
    """One respondent's hand, drawn from the writer set `writers` ('tuning' or 'heldout')."""
    script = "ja" if lang == "ja" else "latin"
    if writer_sets.check(writers) == "tuning":          # the draws the simulator has always made, in order
        pen = PENS[str(rng.choice(list(_PEN_P), p=list(_PEN_P.values())))]
        style = str(rng.choice(MARK_STYLES, p=_STYLE_P))
        hand = writer_sets.random_mark_hand(rng, "tuning", style)
    else:
        pen = PENS[str(rng.choice(list(_HELDOUT_PEN_P), p=list(_HELDOUT_PEN_P.values())))]
        hand = writer_sets.random_mark_hand(rng, writers)
        style = hand.style
        if pen.name == "pencil":                           # this writer's pressure on the pencil
            pen = Pen("pencil", pen.width_mm, hand.pencil_darkness, pen.grain)
    font = handwriting.pick_font("", script, rng, writers)
    size, slant = float(rng.uniform(0.85, 1.12)), float(rng.normal(0, 3))
    right, tremor = bool(rng.random() < 0.5), float(rng.uniform(0.06, 0.2))
    if writers == "tuning":
        varied = writer_sets.varied_tuning_hand(tremor)
        if varied is not None:
            hand, style = varied, varied.style
    return Writer(pen, style, font, script, size=size, slant_deg=slant, right_align_numbers=right, tremor=tremor,
                  writers=writers, hand=hand)


def _u(rng: np.random.Generator, a: float, b: float) -> float:
    return float(rng.uniform(a, b))


# ── marks ─────────────────────────────────────────────────────────────────────
def draw_tick(sheet: Sheet, box: Rect, pen: Pen, rng, tremor: float) -> None:
    x, y, w, h = box.x, box.y, box.w, box.h
    pts = [(x + _u(rng, 0.0, 0.25) * w, y + _u(rng, 0.35, 0.6) * h),
           (x + _u(rng, 0.35, 0.5) * w, y + _u(rng, 0.8, 1.0) * h),
           (x + _u(rng, 0.9, 1.3) * w, y - _u(rng, -0.1, 0.3) * h)]
    sheet.stroke(wobble(np.array(pts), rng, tremor * 0.5), pen, rng)


def draw_cross(sheet: Sheet, box: Rect, pen: Pen, rng, tremor: float) -> None:
    x, y, w, h = box.x, box.y, box.w, box.h
    o = lambda: _u(rng, -0.15, 0.12)  # noqa: E731  overshoot or fall short of the corners
    for a, b in (((x + o() * w, y + o() * h), (x + w - o() * w, y + h - o() * h)),
                 ((x + w - o() * w, y + o() * h), (x + o() * w, y + h - o() * h))):
        sheet.stroke(wobble(np.array([a, b]), rng, tremor * 0.4), pen, rng)


def draw_fill(sheet: Sheet, box: Rect, pen: Pen, rng, tremor: float) -> None:
    r = box.inset(_u(rng, 0.15, 0.5))
    n = int(rng.integers(5, 9))
    ys = np.linspace(r.y, r.y1, n)
    pts = [(r.x + (r.w if i % 2 else 0) + _u(rng, -0.3, 0.3), yy) for i, yy in enumerate(ys)]
    sheet.stroke(wobble(np.array(pts), rng, tremor * 0.3), pen, rng, width_scale=1.6)


def label_right_edge(sheet: Sheet, box: Rect, cell: Rect) -> float:
    """Where the printed option label ends (mm), measured on the page: people circle what they read."""
    x0, x1 = int(sheet.px(box.x1 + 0.6)), int(sheet.px(cell.x1))
    y0, y1 = int(sheet.px(cell.y + 0.3)), int(sheet.px(cell.y1 - 0.3))
    cols = np.flatnonzero((sheet.page[y0:y1, x0:x1] < 128).any(axis=0))
    return (x0 + cols[-1]) * 25.4 / sheet.dpi if cols.size else box.x1 + 8.0


def draw_circle(sheet: Sheet, box: Rect, cell: Rect, pen: Pen, rng, tremor: float) -> None:
    """An ellipse around the printed label and often the box too, kept inside the option's cell."""
    if rng.random() < 0.6:
        x0 = cell.x + _u(rng, 0.05, 0.5)                   # around box and label (cuts the box corners)
    else:
        x0 = box.x + box.w * _u(rng, 0.3, 1.1)              # around the label only
    x1 = min(cell.x1 - 0.1, label_right_edge(sheet, box, cell) + _u(rng, 0.5, 2.5))
    y0, y1 = cell.y + _u(rng, 0.2, 0.7), cell.y1 - _u(rng, 0.2, 0.7)
    cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    start = _u(rng, 0, 2 * np.pi)
    turn = _u(rng, 1.04, 1.2) * 2 * np.pi
    t = np.linspace(start, start + turn, 80)
    shrink = np.linspace(1.0, _u(rng, 0.9, 1.0), t.size)          # the pen comes back inside
    pts = np.stack([cx + rx * shrink * np.cos(t), cy + ry * shrink * np.sin(t)], axis=1)
    sheet.stroke(pts + rng.normal(0, tremor * 0.1, pts.shape), pen, rng)


def draw_scribble(sheet: Sheet, box: Rect, pen: Pen, rng, tremor: float) -> None:
    """A correction: a mark put in the box, then scribbled out hard (dense zigzag over the box)."""
    draw_tick(sheet, box, pen, rng, tremor)
    r = Rect(box.x - 0.4, box.y - 0.3, box.w + 0.8, box.h + 0.6)
    n = int(rng.integers(9, 15))
    xs = np.linspace(r.x, r.x1, n)
    pts = [(xx, r.y if i % 2 else r.y1) for i, xx in enumerate(xs)]
    pts += [(r.x1 - (xx - r.x), r.y1 if i % 2 else r.y) for i, xx in enumerate(xs)]
    sheet.stroke(wobble(np.array(pts), rng, tremor * 0.3), pen, rng, width_scale=1.4)


# ── the held-out writers' marks (writers.HELDOUT_MARKS, HELDOUT_CORRECTIONS) ─────────────────
def _turn(pts: np.ndarray, centre, deg: float) -> np.ndarray:
    a = np.deg2rad(deg)
    m = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return (np.asarray(pts, float) - centre) @ m.T + centre


def _fit(pts: np.ndarray, cell: Rect, margin: float) -> np.ndarray:
    """Keep a mark inside its option's cell (less `margin` mm): an axis that is too long is squeezed about
    the mark's centre, then the mark is moved in. A writer's big tick stays theirs, on their own option."""
    pts = np.asarray(pts, float).copy()
    lo = np.array([cell.x + margin, cell.y + margin])
    hi = np.array([cell.x1 - margin, cell.y1 - margin])
    for d in (0, 1):
        a, b = pts[:, d].min(), pts[:, d].max()
        room = hi[d] - lo[d]
        if b - a > room:
            c = (a + b) / 2
            pts[:, d] = c + (pts[:, d] - c) * room / (b - a)
        a, b = pts[:, d].min(), pts[:, d].max()
        pts[:, d] += max(0.0, lo[d] - a) - max(0.0, b - hi[d])
    return pts


def _margin(pen: Pen) -> float:
    return 0.3 + pen.width_mm / 2


def label_span(sheet: Sheet, box: Rect, cell: Rect) -> tuple[float, float]:
    """Where the printed option label starts and ends (mm), measured on the page."""
    x0, x1 = int(sheet.px(box.x1 + 0.6)), int(sheet.px(cell.x1))
    y0, y1 = int(sheet.px(cell.y + 0.3)), int(sheet.px(cell.y1 - 0.3))
    cols = np.flatnonzero((sheet.page[y0:y1, x0:x1] < 128).any(axis=0))
    if not cols.size:
        return box.x1 + 1.0, box.x1 + 8.0
    return (x0 + cols[0]) * 25.4 / sheet.dpi, (x0 + cols[-1]) * 25.4 / sheet.dpi


def _mark_scale(hand: MarkHand, rng) -> float:
    return float(np.clip(hand.scale * _u(rng, 0.92, 1.08), 0.6, 1.6))


def draw_tick_sized(sheet: Sheet, box: Rect, cell: Rect, pen: Pen, rng, tremor: float, hand: MarkHand) -> None:
    """A held-out writer's tick: 0.6-1.6x the box and turned, about the box's centre."""
    x, y, w, h = box.x, box.y, box.w, box.h
    c = np.array([x + w / 2, y + h / 2])
    unit = np.array([(_u(rng, 0.0, 0.25), _u(rng, 0.35, 0.6)), (_u(rng, 0.3, 0.5), _u(rng, 0.8, 1.0)),
                     (_u(rng, 0.85, 1.25), -_u(rng, -0.1, 0.35))])
    pts = c + (unit - 0.5) * [w, h] * _mark_scale(hand, rng)
    pts = _fit(_turn(pts, c, hand.angle_deg + float(rng.normal(0, 3))), cell, _margin(pen))
    sheet.stroke(wobble(pts, rng, tremor * 0.5), pen, rng)


def draw_cross_sized(sheet: Sheet, box: Rect, cell: Rect, pen: Pen, rng, tremor: float, hand: MarkHand,
                     scale: float | None = None) -> None:
    """A held-out writer's cross: two strokes over 0.6-1.6x the box, turned."""
    c = np.array([box.x + box.w / 2, box.y + box.h / 2])
    s = _mark_scale(hand, rng) if scale is None else scale
    ang = hand.angle_deg + float(rng.normal(0, 4))
    for a, b in (((-0.5, -0.5), (0.5, 0.5)), ((0.5, -0.5), (-0.5, 0.5))):
        o = [_u(rng, -0.12, 0.15) for _ in range(4)]                 # overshoot or fall short
        seg = np.array([(a[0] * (1 + o[0]), a[1] * (1 + o[1])), (b[0] * (1 + o[2]), b[1] * (1 + o[3]))])
        pts = c + seg * [box.w, box.h] * s
        pts = _fit(_turn(pts, c, ang), cell, _margin(pen))
        sheet.stroke(wobble(pts, rng, tremor * 0.4), pen, rng)


def _clip_line(p: np.ndarray, d: np.ndarray, r: Rect) -> tuple[float, float] | None:
    """The parameter range of the line p + t*d inside r."""
    lo, hi = -1e9, 1e9
    for k, (a, b) in enumerate(((r.x, r.x1), (r.y, r.y1))):
        if abs(d[k]) < 1e-9:
            if not a <= p[k] <= b:
                return None
            continue
        t0, t1 = sorted(((a - p[k]) / d[k], (b - p[k]) / d[k]))
        lo, hi = max(lo, t0), min(hi, t1)
    return (lo, hi) if hi > lo else None


def draw_hatch(sheet: Sheet, box: Rect, cell: Rect, pen: Pen, rng, tremor: float, hand: MarkHand) -> None:
    """fill-hatch: 3-5 parallel strokes across the box, pen lifted between them."""
    r = box.inset(_u(rng, 0.1, 0.45))
    a = np.deg2rad(hand.hatch_angle_deg + float(rng.normal(0, 4)))
    d, nrm = np.array([np.cos(a), np.sin(a)]), np.array([-np.sin(a), np.cos(a)])
    c = np.array([r.x + r.w / 2, r.y + r.h / 2])
    reach = abs(r.w / 2 * nrm[0]) + abs(r.h / 2 * nrm[1])
    n = max(3, min(5, hand.hatch_strokes))
    for off in np.linspace(-reach * 0.75, reach * 0.75, n) + rng.normal(0, 0.12, n):
        p = c + off * nrm
        span = _clip_line(p, d, r)
        if span is None:
            continue
        t0, t1 = span[0] - _u(rng, -0.2, 0.5), span[1] + _u(rng, -0.2, 0.5)
        pts = _fit(np.array([p + t0 * d, p + t1 * d]), cell, _margin(pen))
        sheet.stroke(wobble(pts, rng, tremor * 0.3), pen, rng, width_scale=1.2)


def draw_partial_fill(sheet: Sheet, box: Rect, cell: Rect, pen: Pen, rng, tremor: float, hand: MarkHand) -> None:
    """fill-partial: a zigzag fill over part of the box only (its lower or left part)."""
    r = box.inset(_u(rng, 0.15, 0.45))
    share = float(np.clip(hand.fill_share * _u(rng, 0.85, 1.15), 0.25, 0.8))
    n = max(3, 1 + int(round(share * r.h / _u(rng, 0.45, 0.7))))     # strokes as close as in a full fill
    if rng.random() < 0.6:                                     # the lower part, strokes across
        ys = np.linspace(r.y1 - share * r.h, r.y1, n)
        pts = [(r.x + (r.w if i % 2 else 0) + _u(rng, -0.3, 0.3), yy) for i, yy in enumerate(ys)]
    else:                                                      # the left part, strokes up and down
        xs = np.linspace(r.x, r.x + share * r.w, n)
        pts = [(xx, r.y + (r.h if i % 2 else 0) + _u(rng, -0.3, 0.3)) for i, xx in enumerate(xs)]
    sheet.stroke(wobble(_fit(np.array(pts), cell, _margin(pen)), rng, tremor * 0.3), pen, rng, width_scale=1.6)


def _ellipse(cx: float, cy: float, rx: float, ry: float, start: float, turn: float, tilt_deg: float = 0.0,
             shrink_to: float = 1.0, power: float = 2.0) -> np.ndarray:
    """Points along an ellipse (a superellipse for power > 2: a rounded box), turned by tilt_deg."""
    t = np.linspace(start, start + turn, max(40, int(80 * turn / (2 * np.pi))))
    shrink = np.linspace(1.0, shrink_to, t.size)
    c, s = np.cos(t), np.sin(t)
    e = 2.0 / power
    x = rx * shrink * np.sign(c) * np.abs(c) ** e
    y = ry * shrink * np.sign(s) * np.abs(s) ** e
    return _turn(np.stack([cx + x, cy + y], axis=1), np.array([cx, cy]), tilt_deg)


def _round_box_and_label(sheet: Sheet, box: Rect, cell: Rect, rng) -> tuple[float, float]:
    """Left and right end of a circle round the box and label, or the label only."""
    if rng.random() < 0.6:
        x0 = cell.x + _u(rng, 0.05, 0.5)
    else:
        x0 = box.x + box.w * _u(rng, 0.3, 1.1)
    return x0, min(cell.x1 - 0.1, label_span(sheet, box, cell)[1] + _u(rng, 0.5, 2.5))


def draw_circle_styled(sheet: Sheet, style: str, box: Rect, cell: Rect, pen: Pen, rng, tremor: float,
                       hand: MarkHand) -> None:
    """The held-out writers' circles:
    circle-cut     an ellipse round box and label that turns back inside the label, cutting through it
    circle-open    round box and label (or the label), the pen leaving a gap of 20-60 degrees
    circle-label   a rounded box round the label only, tall, the box left outside
    circle-box     a small circle round the box only
    circle-tilted  an ellipse round box and label (or the label), tilted"""
    start = _u(rng, 0, 2 * np.pi)
    tilt, shrink, power = 0.0, _u(rng, 0.9, 1.0), 2.0
    turn = _u(rng, 1.03, 1.18) * 2 * np.pi
    lab0, lab1 = label_span(sheet, box, cell)
    if style == "circle-cut":
        x0 = cell.x + _u(rng, 0.05, 0.5)
        reach = float(np.clip(hand.circle_reach * _u(rng, 0.9, 1.1), 0.3, 0.85))
        x1 = max(box.x1 + 1.5, lab0 + (lab1 - lab0) * reach)
        y0, y1 = cell.y + _u(rng, 0.5, 1.2), cell.y1 - _u(rng, 0.5, 1.2)
    elif style == "circle-open":
        x0, x1 = _round_box_and_label(sheet, box, cell, rng)
        y0, y1 = cell.y + _u(rng, 0.2, 0.7), cell.y1 - _u(rng, 0.2, 0.7)
        gap = float(np.clip(hand.circle_gap_deg + rng.normal(0, 4), 20, 60))
        turn, shrink = 2 * np.pi - np.deg2rad(gap), _u(rng, 0.96, 1.04)
    elif style == "circle-label":
        x0 = box.x1 + _u(rng, 0.15, 0.7)
        x1 = min(cell.x1 - 0.1, lab1 + _u(rng, 0.6, 2.0))
        y0, y1 = cell.y + _u(rng, 0.05, 0.35), cell.y1 - _u(rng, 0.05, 0.35)
        power = _u(rng, 2.5, 4.0)
    elif style == "circle-box":
        pad = hand.circle_pad_mm
        cx, cy = box.x + box.w / 2 + float(rng.normal(0, 0.15)), box.y + box.h / 2 + float(rng.normal(0, 0.15))
        rx, ry = box.w / 2 + pad * _u(rng, 0.85, 1.15), box.h / 2 + pad * _u(rng, 0.85, 1.15)
        x0, x1, y0, y1 = cx - rx, cx + rx, cy - ry, cy + ry
    else:                                                       # circle-tilted
        x0, x1 = _round_box_and_label(sheet, box, cell, rng)
        y0, y1 = cell.y + _u(rng, 0.6, 1.3), cell.y1 - _u(rng, 0.6, 1.3)
        tilt = hand.circle_tilt_deg + float(rng.normal(0, 2))
    cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    pts = _fit(_ellipse(cx, cy, rx, ry, start, turn, tilt, shrink, power), cell, _margin(pen) - 0.2)
    sheet.stroke(pts + rng.normal(0, tremor * 0.1, pts.shape), pen, rng)


# ── the varied tuning writers' marks (writers.VARIED_MARKS, VARIED_CORRECTIONS) ───────────────
def _loop(cx: float, cy: float, rx: float, ry: float, hand: MarkHand, rng) -> np.ndarray:
    """A freehand loop: radial wobble of 2-3 lobes, and the pen stops short or runs on (-25..+60 degrees)."""
    start, turn = _u(rng, 0, 2 * np.pi), 2 * np.pi + np.deg2rad(_u(rng, -25, 60))
    t = np.linspace(start, start + turn, 90)
    k, phase = int(rng.integers(2, 4)), _u(rng, 0, 2 * np.pi)
    r = 1 + hand.wobble * np.sin(k * t + phase) + np.linspace(0, _u(rng, -0.08, 0.05), t.size)
    return np.stack([cx + rx * r * np.cos(t), cy + ry * r * np.sin(t)], axis=1)


def draw_varied(sheet: Sheet, style: str, box: Rect, cell: Rect, pen: Pen, rng, tremor: float,
                hand: MarkHand) -> None:
    """The varied tuning writers' marks:
    loop        a freehand loop round box and label (or the label), wobbling, open or running on
    loop-small  a freehand loop tight round the box alone
    loop-text   a flat loop round the label's text only
    check-long  a check whose long arm runs out of the box over the label's start
    slash       one diagonal stroke through the box
    blot        a small solid blot in the box
    fill-loose  a loose zigzag fill of 3-5 strokes"""
    m = _margin(pen)
    lab0, lab1 = label_span(sheet, box, cell)
    if style in ("loop", "loop-small", "loop-text"):
        if style == "loop":
            x0, x1 = _round_box_and_label(sheet, box, cell, rng)
            y0, y1 = cell.y + _u(rng, 0.1, 0.9), cell.y1 - _u(rng, 0.1, 0.9)
        elif style == "loop-small":
            pad = hand.loop_pad_mm * _u(rng, 0.8, 1.2)
            x0, x1, y0, y1 = box.x - pad, box.x1 + pad, box.y - pad, box.y1 + pad
        else:
            x0, x1 = lab0 - _u(rng, 0.2, 0.8), min(cell.x1 - 0.1, lab1 + _u(rng, 0.2, 1.2))
            y0, y1 = cell.y + _u(rng, 0.5, 1.1), cell.y1 - _u(rng, 0.5, 1.1)
        pts = _loop((x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2, hand, rng)
        pts = _fit(pts, cell, m - 0.2)
        sheet.stroke(pts + rng.normal(0, tremor * 0.1, pts.shape), pen, rng)
    elif style == "check-long":
        x, y, w, h = box.x, box.y, box.w, box.h
        pts = np.array([(x + _u(rng, 0.05, 0.3) * w, y + _u(rng, 0.4, 0.65) * h),
                        (x + _u(rng, 0.3, 0.5) * w, y + _u(rng, 0.85, 1.05) * h),
                        (box.x1 + _u(rng, 1.0, 3.0), y - _u(rng, 0.3, 1.2))])
        sheet.stroke(wobble(_fit(pts, cell, m), rng, tremor * 0.5), pen, rng)
    elif style == "slash":
        a = (box.x - _u(rng, -0.3, 0.5), box.y1 + _u(rng, -0.3, 0.5))
        b = (box.x1 + _u(rng, -0.3, 0.6), box.y - _u(rng, -0.3, 0.6))
        sheet.stroke(wobble(_fit(np.array([a, b]), cell, m), rng, tremor * 0.4), pen, rng, width_scale=1.2)
    elif style == "blot":
        side = box.w * _u(rng, 0.3, 0.55)
        cx, cy = box.x + box.w / 2 + float(rng.normal(0, 0.3)), box.y + box.h / 2 + float(rng.normal(0, 0.3))
        ys = np.linspace(cy - side / 2, cy + side / 2, int(rng.integers(4, 7)))
        pts = [(cx - side / 2 + (side if i % 2 else 0), yy) for i, yy in enumerate(ys)]
        sheet.stroke(wobble(np.array(pts), rng, tremor * 0.2), pen, rng, width_scale=1.8)
    else:                                                       # fill-loose
        r = box.inset(_u(rng, 0.2, 0.5))
        ys = np.linspace(r.y, r.y1, int(rng.integers(3, 6)))
        pts = [(r.x + (r.w if i % 2 else 0) + _u(rng, -0.4, 0.4), yy) for i, yy in enumerate(ys)]
        sheet.stroke(wobble(np.array(pts), rng, tremor * 0.4), pen, rng, width_scale=1.2)


def draw_correction(sheet: Sheet, style: str, box: Rect, cell: Rect, writer: Writer, rng) -> None:
    """An option marked and taken back (it is NOT chosen):
    scribble         (tuning) a tick scribbled out hard with a dense zigzag over the box
    scribble-zigzag  a tick, then one looser zigzag of 6-10 strokes running down over the box, turned
    double-line      二重線: the writer's mark (or none), then two strokes through the option's label
    cross-over-tick  a tick with a cross drawn over it"""
    pen, tremor, hand = writer.pen, writer.tremor, writer.hand
    if style == "scribble":
        draw_scribble(sheet, box, pen, rng, tremor)
    elif style == "scribble-zigzag":
        draw_tick_sized(sheet, box, cell, pen, rng, tremor, hand)
        r = Rect(box.x - _u(rng, 0.2, 0.8), box.y - _u(rng, 0.2, 0.6), box.w + _u(rng, 0.4, 1.6),
                 box.h + _u(rng, 0.4, 1.2))
        n = max(3, hand.zigzag + int(rng.integers(-1, 2)))
        ys = np.linspace(r.y, r.y1, n)
        pts = np.array([(r.x1 if i % 2 else r.x, yy) for i, yy in enumerate(ys)])
        c = np.array([box.x + box.w / 2, box.y + box.h / 2])
        pts = _fit(_turn(pts, c, float(rng.normal(0, 20))), cell, _margin(pen))
        sheet.stroke(wobble(pts, rng, tremor * 0.3), pen, rng, width_scale=1.3)
    elif style == "double-line":
        if rng.random() < 0.6:
            draw_mark(sheet, hand.style, box, cell, pen, rng, tremor, hand)
        lab0, lab1 = label_span(sheet, box, cell)
        xa, xb = lab0 - _u(rng, 0.2, 1.0), min(cell.x1 - 0.2, lab1 + _u(rng, 0.3, 1.5))
        yc, gap = cell.y + cell.h / 2 + float(rng.normal(0, 0.2)), _u(rng, 0.6, 1.1)
        slope = float(rng.normal(0, 0.02))
        for dy in (-gap / 2, gap / 2):
            y = yc + dy + float(rng.normal(0, 0.1))
            pts = _fit(np.array([(xa + _u(rng, -0.3, 0.3), y), (xb + _u(rng, -0.3, 0.3), y + slope * (xb - xa))]),
                       cell, _margin(pen))
            sheet.stroke(wobble(pts, rng, tremor * 0.3), pen, rng)
    elif style == "strike":                         # (varied tuning) the mark, then one line through it all
        if rng.random() < 0.7:
            draw_mark(sheet, hand.style, box, cell, pen, rng, tremor, hand)
        lab1 = label_span(sheet, box, cell)[1]
        y = cell.y + cell.h / 2 + float(rng.normal(0, 0.3))
        pts = np.array([(box.x - _u(rng, 0.3, 1.0), y), (min(cell.x1 - 0.2, lab1 + _u(rng, 0.3, 1.5)),
                                                          y + float(rng.normal(0, 0.4)))])
        sheet.stroke(wobble(_fit(pts, cell, _margin(pen)), rng, tremor * 0.3), pen, rng)
    elif style == "x-over-cell":                    # (varied tuning) the mark, then an X over the whole option
        draw_mark(sheet, hand.style, box, cell, pen, rng, tremor, hand)
        lab1 = label_span(sheet, box, cell)[1]
        x0, x1 = box.x - _u(rng, 0.0, 0.6), min(cell.x1 - 0.2, lab1 + _u(rng, -1.0, 1.0))
        y0, y1 = cell.y + _u(rng, 0.2, 0.8), cell.y1 - _u(rng, 0.2, 0.8)
        for a, b in (((x0, y0), (x1, y1)), ((x1, y0), (x0, y1))):
            sheet.stroke(wobble(_fit(np.array([a, b]), cell, _margin(pen)), rng, tremor * 0.4), pen, rng)
    elif style == "loop-scratched":                 # (varied tuning) a loop, then the label scratched out
        draw_varied(sheet, "loop", box, cell, pen, rng, tremor, hand)
        lab0, lab1 = label_span(sheet, box, cell)
        n = int(rng.integers(4, 8))
        xs = np.linspace(lab0 - 0.3, lab1 + 0.3, n)
        pts = np.array([(xx, cell.y + cell.h * (0.3 if i % 2 else 0.7) + float(rng.normal(0, 0.2)))
                        for i, xx in enumerate(xs)])
        sheet.stroke(wobble(_fit(pts, cell, _margin(pen)), rng, tremor * 0.3), pen, rng, width_scale=1.2)
    elif style == "cross-over-tick":
        draw_tick_sized(sheet, box, cell, pen, rng, tremor, hand)
        draw_cross_sized(sheet, box, cell, pen, rng, tremor, hand, scale=_u(rng, 0.9, 1.3))
    else:
        raise ValueError(f"unknown correction style {style!r}")


def correction_style(writer: Writer, rng) -> str:
    """How this writer takes a mark back this time: tuning writers always scribble it out; a held-out
    writer mostly their own way, one time in four another of their set's ways."""
    styles = writer.hand.corrections
    if len(styles) == 1:
        return styles[0]
    return str(rng.choice(styles)) if rng.random() < 0.25 else writer.hand.correction


_HELDOUT_CIRCLES = ("circle-cut", "circle-open", "circle-label", "circle-box", "circle-tilted")


def draw_mark(sheet: Sheet, style: str, box: Rect, cell: Rect, pen: Pen, rng, tremor: float,
              hand: MarkHand | None = None) -> None:
    """One mark in `style` on the option (box, cell); a held-out `hand` draws its own ticks and crosses."""
    heldout = hand is not None and hand.writers != "tuning"
    if style in writer_sets.VARIED_MARKS:
        draw_varied(sheet, style, box, cell, pen, rng, tremor, hand or MarkHand("tuning", style, varied=True,
                                                                              wobble=0.06, loop_pad_mm=0.15))
    elif style in _HELDOUT_CIRCLES:
        draw_circle_styled(sheet, style, box, cell, pen, rng, tremor, hand or MarkHand("heldout"))
    elif style == "fill-hatch":
        draw_hatch(sheet, box, cell, pen, rng, tremor, hand or MarkHand("heldout", hatch_strokes=4))
    elif style == "fill-partial":
        draw_partial_fill(sheet, box, cell, pen, rng, tremor, hand or MarkHand("heldout", fill_share=0.5))
    elif style == "tick" and heldout:
        draw_tick_sized(sheet, box, cell, pen, rng, tremor, hand)
    elif style == "cross" and heldout:
        draw_cross_sized(sheet, box, cell, pen, rng, tremor, hand)
    elif style == "circle":
        draw_circle(sheet, box, cell, pen, rng, tremor)
    elif style == "cross":
        draw_cross(sheet, box, pen, rng, tremor)
    elif style == "fill":
        draw_fill(sheet, box, pen, rng, tremor)
    else:
        draw_tick(sheet, box, pen, rng, tremor)


# ── digits ────────────────────────────────────────────────────────────────────
def draw_digit(sheet: Sheet, digit: str, box: Rect, pen: Pen, rng, size: float = 1.0,
               touch: bool = False, shift: tuple[float, float] = (0.0, 0.0), squeeze: float = 1.0,
               writers: str = DEFAULT_WRITERS) -> dict:
    """A real MNIST sample of the writer set `writers` scaled into a comb box; `touch` pushes it onto the box line.

    `shift` (mm) moves it off the box's centre (a digit written outside its box); `squeeze` < 1
    narrows it (two digits crammed into one box)."""
    img, idx = handwriting.digit_image(digit, rng, writers)
    core_h = min(box.h * 0.82, _u(rng, 5.0, 6.6) * size)              # MNIST's 20 px core, in mm
    scale = sheet.px(core_h) / 20.0
    side = max(8, int(round(28 * scale)))
    alpha = cv2.resize(img, (side, side), interpolation=cv2.INTER_CUBIC).astype(np.float32) / 255.0
    if squeeze < 1.0:                       # narrower, kept centred in the same square patch
        w = max(4, int(round(side * squeeze)))
        narrow = cv2.resize(alpha, (w, side), interpolation=cv2.INTER_AREA)
        alpha = np.zeros_like(alpha)
        alpha[:, (side - w) // 2:(side - w) // 2 + w] = narrow
    alpha = np.clip((alpha - 0.1) / 0.8, 0.0, 1.0)
    k = max(1, int(round(side / 40)))
    if pen.width_mm < 0.5:                      # ballpoint and pencil: thinner than MNIST's brush
        alpha = cv2.erode(alpha, np.ones((k + 1, k + 1), np.uint8))
    elif pen.width_mm > 1.0:
        alpha = cv2.dilate(alpha, np.ones((k + 1, k + 1), np.uint8))
    ang = float(rng.normal(0, 5))
    m = cv2.getRotationMatrix2D((side / 2, side / 2), ang, 1.0)
    alpha = cv2.warpAffine(alpha, m, (side, side))
    cx = box.x + box.w / 2 + float(rng.normal(0, 0.35)) + shift[0]
    cy = box.y + box.h / 2 + float(rng.normal(0, 0.35)) + shift[1]
    edge = None
    if touch:
        edge = str(rng.choice(["left", "right", "bottom", "top"]))
        over = _u(rng, 0.1, 0.5)                # mm across the printed line
        half_w, half_h = core_h * 0.35, core_h / 2
        if edge == "left":
            cx = box.x + half_w - over
        elif edge == "right":
            cx = box.x1 - half_w + over
        elif edge == "bottom":
            cy = box.y1 - half_h + over
        else:
            cy = box.y + half_h - over
    if pen.grain:
        alpha *= (1 - pen.grain) + pen.grain * rng.random(alpha.shape).astype(np.float32)
    x0 = int(round(sheet.px(cx) - side / 2))
    y0 = int(round(sheet.px(cy) - side / 2))
    sheet.blit(alpha * pen.darkness, x0, y0)
    return {"mnist_index": idx, "touch": edge}


def digit_slots(value: str, boxes: int, right: bool) -> list[int]:
    """Which comb boxes the characters of value go into."""
    start = boxes - len(value) if right else 0
    return list(range(start, start + len(value)))


# Slips that put a number's digits where the boxes do not say the number (the machine must not accept
# a wrong value silently): each is a note flag in the truth, the value stays what the respondent meant.
DIGIT_HAZARDS = ("two_in_box", "outside_box", "empty_box_inside")
OUTSIDE_WAYS = ("left", "right", "above", "below", "beyond")


def digit_hazard(value: str, slots: list[int], boxes: int, quirks: Quirks, rng) -> dict:
    """Pick at most one slip for a digit field and where it happens; {} when none.

    One draw decides (none at all when every rate is 0, so such corpora keep their old random stream):
      two_in_box        digits i and i+1 squeezed into one box; the later digits move up one box
      outside_box       one digit drawn off its box: 'left'/'right' overrunning into the neighbour box,
                        'above'/'below' across the comb line, or 'beyond': the respondent started one
                        box late and the last digit went wholly past the end of the comb
      empty_box_inside  one box left empty inside the number (a gap after the area code, a slip)
    """
    rates = (quirks.two_in_box, quirks.outside_box, quirks.empty_box)
    if not value or not any(rates):
        return {}
    u = rng.random()
    n = len(value)
    if u < rates[0]:
        return {"two_in_box": True, "pair": int(rng.integers(n - 1))} if n >= 2 else {}
    if u < rates[0] + rates[1]:
        ways = list(OUTSIDE_WAYS[:4]) + (["beyond"] if slots[-1] == boxes - 1 else [])
        way = str(rng.choice(ways))
        return {"outside_box": True, "way": way, "digit": n - 1 if way == "beyond" else int(rng.integers(n))}
    if u < sum(rates):
        return {"empty_box_inside": True, "after": int(rng.integers(n - 1))} if 2 <= n < boxes else {}
    return {}


def hazard_slots(slots: list[int], boxes: int, hz: dict) -> list[int]:
    """The box each digit actually goes into once the slip is made (index `boxes`: past the comb)."""
    if hz.get("two_in_box"):
        p = hz["pair"]
        return slots[:p + 1] + [s - 1 for s in slots[p + 1:]]
    if hz.get("outside_box") and hz["way"] == "beyond":
        return [s + 1 for s in slots]
    if hz.get("empty_box_inside"):
        a = hz["after"]
        if slots[-1] < boxes - 1:            # room on the right: the digits after the gap move right
            return slots[:a + 1] + [s + 1 for s in slots[a + 1:]]
        return [s - 1 for s in slots[:a + 1]] + slots[a + 1:]
    return list(slots)


def draw_digits(sheet: Sheet, value: str, boxes: tuple[Rect, ...], slots: list[int], hz: dict, writer: Writer,
                rng, touch_rate: float) -> list[dict]:
    """The digits of one number in their boxes, with the slip `hz` (see digit_hazard) made."""
    drawn = []
    for i, (ch, slot) in enumerate(zip(value, slots)):
        touch = bool(rng.random() < touch_rate)
        if slot >= len(boxes):                                   # past the end of the comb
            last = boxes[-1]
            box = Rect(last.x1 + _u(rng, 0.6, 1.6), last.y, last.w, last.h)
            drawn.append(draw_digit(sheet, ch, box, writer.pen, rng, writer.size, writers=writer.writers))
            continue
        box = boxes[slot]
        if hz.get("two_in_box") and i in (hz["pair"], hz["pair"] + 1):
            half = Rect(box.x + (box.w / 2 if i > hz["pair"] else 0.0), box.y, box.w / 2, box.h)
            drawn.append(draw_digit(sheet, ch, half, writer.pen, rng, writer.size * _u(rng, 0.75, 0.9),
                                    squeeze=_u(rng, 0.55, 0.7), writers=writer.writers))
            continue
        if hz.get("outside_box") and i == hz["digit"] and hz["way"] != "beyond":
            way = hz["way"]
            if way in ("left", "right"):                         # 35-65% of the pitch into the neighbour
                dx = box.w * _u(rng, 0.35, 0.65) * (-1 if way == "left" else 1)
                shift = (dx, 0.0)
            else:                                                # 35-70% of the digit across the line
                dy = box.h * _u(rng, 0.4, 0.75) * (-1 if way == "above" else 1)
                shift = (0.0, dy)
            drawn.append(draw_digit(sheet, ch, box, writer.pen, rng, writer.size, shift=shift,
                                    writers=writer.writers))
            continue
        drawn.append(draw_digit(sheet, ch, box, writer.pen, rng, writer.size, touch=touch, writers=writer.writers))
    return drawn


# ── text ──────────────────────────────────────────────────────────────────────
def _glyph(font, ch: str, ang: float) -> tuple[np.ndarray, float]:
    size = font.size
    im = Image.new("L", (size * 2, size * 2), 0)
    ImageDraw.Draw(im).text((size // 2, int(size * 1.5)), ch, fill=255, font=font, anchor="ls")
    if ang:
        im = im.rotate(ang, resample=Image.BILINEAR, center=(size // 2, int(size * 1.5)))
    return np.asarray(im, np.float32) / 255.0, font.getlength(ch)


def _layout_lines(text: str, font_path: Path, px_per_mm: float, char_mm: float, width_mm: float,
                  max_lines: int) -> tuple[list[str], float]:
    """Greedy wrap; shrink the writing when it does not fit (people write smaller at the edge)."""
    for shrink in (1.0, 0.9, 0.8, 0.7, 0.6, 0.5):
        size = char_mm * shrink
        font = handwriting.load_font(font_path, max(6, int(round(size * px_per_mm))))
        lines, cur = [], ""
        for ch in text:
            if font.getlength(cur + ch) / px_per_mm * 1.06 > width_mm and cur:
                lines.append(cur)
                cur = ch.lstrip()
            else:
                cur += ch
        lines.append(cur)
        if len(lines) <= max_lines:
            return lines, size
    return lines[:max_lines], size


def draw_text(sheet: Sheet, text: str, area: Rect, lines: int, writer: Writer, rng) -> dict:
    if not text:
        return {}
    font_path = writer.font
    if not handwriting.covers(font_path, text):
        font_path = handwriting.pick_font(text, writer.script, rng, writer.writers)
    line_h = area.h / max(1, lines)
    char_mm = min(line_h * 0.62, 6.0) * writer.size
    px_mm = sheet.dpi / 25.4
    left = area.x + _u(rng, 1.0, 3.5)
    rows, size_mm = _layout_lines(text, font_path, px_mm, char_mm, area.x1 - left - 1.5, lines)
    font = handwriting.load_font(font_path, max(6, int(round(size_mm * px_mm))))
    pen = writer.pen
    for li, row in enumerate(rows):
        x = sheet.px(left + _u(rng, -0.5, 0.5))
        base = sheet.px(area.y + line_h * (li + 0.78) + _u(rng, -0.4, 0.2))
        drift = float(rng.normal(0, 0.006))                 # lines run up or down a little
        for ch in row:
            if ch.isspace():
                x += font.getlength(ch) * _u(rng, 0.8, 1.3)
                continue
            g, adv = _glyph(font, ch, writer.slant_deg + float(rng.normal(0, 3)))
            k = _u(rng, 0.9, 1.1)
            if abs(k - 1) > 0.02:
                g = cv2.resize(g, None, fx=k, fy=k, interpolation=cv2.INTER_LINEAR)
            if pen.width_mm > 1.0:
                g = cv2.dilate(g, np.ones((3, 3), np.uint8))
            if pen.grain:
                g *= (1 - pen.grain) + pen.grain * rng.random(g.shape).astype(np.float32)
            oy = base + sheet.px(float(rng.normal(0, 0.25)))
            sheet.blit(g * pen.darkness, int(round(x - font.size * 0.5 * k)), int(round(oy - font.size * 1.5 * k)))
            x += adv * k * _u(rng, 0.95, 1.12)
            base += drift * adv
    return {"font": font_path.name, "lines": len(rows)}


# ── a page ────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Quirks:
    """How often respondents do the things recognition must catch (rates per field)."""
    correction: float = 0.05        # an option marked and taken back (scribbled out, struck through) beside the chosen
    double_mark: float = 0.01       # single choice answered twice (truth: None, review expected)
    style_change: float = 0.1       # a field marked in another style than the writer's usual one
    touch: float = 0.06             # a digit touching its box line
    # digit fields whose boxes do not hold the number as meant (see digit_hazard); review expected
    two_in_box: float = 0.02        # two digits squeezed into one box
    outside_box: float = 0.02       # a digit overrunning its box, across the comb line or past the comb
    empty_box: float = 0.01         # an empty box inside the number


def fill_page(page: np.ndarray, dpi: float, geoms: Sequence[FieldGeom], answers: dict,
              rng: np.random.Generator, writer: Writer | None = None, lang: str = "ja",
              quirks: Quirks = Quirks(), writers: str = DEFAULT_WRITERS) -> tuple[np.ndarray, dict, dict]:
    """Draw `answers` into the fields of one page (grey uint8 raster at `dpi`), in `writer`'s hand (default:
    a random writer of the set `writers`).

    Returns (filled page, truth {key: value as drawn}, notes {key: how it was drawn}).
    The truth differs from `answers` only where a respondent slip makes the page ambiguous.
    A choice note: {"style": mark style, "pen": ..., and when an option was marked and taken back
    "correction": its style, "corrected": [option keys] ("scribbled" too, for the scribbled-out styles)}.
    """
    writer = writer or random_writer(rng, lang, writers)
    sheet = Sheet(page, dpi)
    truth: dict = {}
    notes: dict = {}
    for g in geoms:
        f = g.field
        value = answers.get(f.key)
        if f.kind == "choice":
            chosen = list(value) if isinstance(value, (list, tuple)) else ([value] if value else [])
            keys = [o.key for o in f.options]
            style = writer.mark_style
            if rng.random() < quirks.style_change:
                style = str(rng.choice(writer.hand.styles))
            note: dict = {"style": style, "pen": writer.pen.name}
            truth[f.key] = list(chosen) if f.multiple else (chosen[0] if chosen else None)
            if not f.multiple and len(chosen) == 1 and rng.random() < quirks.double_mark:
                other = [k for k in keys if k not in chosen]
                chosen.append(other[int(rng.integers(len(other)))])
                note["double_marked"] = list(chosen)
                truth[f.key] = None
            free = [k for k in keys if k not in chosen]
            if chosen and free and rng.random() < quirks.correction:
                wrong = free[int(rng.integers(len(free)))]
                i = keys.index(wrong)
                how = correction_style(writer, rng)
                draw_correction(sheet, how, g.boxes[i], g.cells[i], writer, rng)
                note["correction"] = how
                note["corrected"] = [wrong]
                if how.startswith("scribble"):
                    note["scribbled"] = [wrong]
            for k in chosen:
                i = keys.index(k)
                draw_mark(sheet, style, g.boxes[i], g.cells[i], writer.pen, rng, writer.tremor, writer.hand)
            notes[f.key] = note
        elif f.kind == "digits":
            value = str(value or "")
            right = writer.right_align_numbers and f.validate.get("rule") not in ("postal_code", "phone_jp", "date")
            slots = digit_slots(value, len(g.boxes), right)
            hz = digit_hazard(value, slots, len(g.boxes), quirks, rng)
            slots = hazard_slots(slots, len(g.boxes), hz)
            drawn = draw_digits(sheet, value, g.boxes, slots, hz, writer, rng, quirks.touch)
            truth[f.key] = value                        # what the respondent meant, whatever the slip
            if value:
                notes[f.key] = {"slots": slots, "pen": writer.pen.name,
                                "touching": [s for s, d in zip(slots, drawn) if d["touch"]],
                                "mnist": [d["mnist_index"] for d in drawn], **hz}
        else:
            value = str(value or "")
            info = draw_text(sheet, value, g.area, max(1, f.lines), writer, rng)
            truth[f.key] = value
            if value:
                notes[f.key] = {"pen": writer.pen.name, **info}
    return sheet.result(), truth, notes
