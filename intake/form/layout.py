"""Page geometry of a form, in millimetres from the page's top-left corner (y grows down).

The layout is a pure function of the definition: the same definition gives the same
boxes in both languages, so one recognition geometry serves the ja and en prints.

  ┌────────────────────────────────────────────┐  0 mm  (top 10 mm: fax header line, kept empty)
  │ [M0] Title                      [QR]  [M1] │
  │      respondent                 id text    │
  │ instructions                               │
  │ label column │ answer area (boxes, combs)  │  rows, flowing onto further pages
  │ [M2]        footer                   [M3]  │
  └────────────────────────────────────────────┘ 297 mm
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field as dc_field

from intake.form.model import Field, FormDef, Label

PAGE_W, PAGE_H = 210.0, 297.0
FAX_HEADER_MM = 10.0                    # the sending machine prints its header line here

# Registration markers: ArUco DICT_4X4_50, ids 0..3 = top-left, top-right, bottom-left, bottom-right.
ARUCO_DICT = "DICT_4X4_50"
MARKER_SIZE = 10.0
MARKER_CENTERS = {0: (16.0, 20.0), 1: (194.0, 20.0), 2: (16.0, 281.0), 3: (194.0, 281.0)}

QR_SIZE = 22.0                          # ≥ 15 mm; modules ≥ 0.75 mm for 98 dpi faxes
QR_X, QR_Y = 163.0, 12.0

CONTENT_X0, CONTENT_X1 = 22.0, 188.0
CONTENT_Y0, CONTENT_Y1 = 50.0, 268.0
LABEL_W = 44.0                          # label column
ANSWER_X0 = CONTENT_X0 + LABEL_W + 2.0
ANSWER_W = CONTENT_X1 - ANSWER_X0

SECTION_H = 8.0
ROW_PAD = 2.0
MIN_LABEL_H = 10.0
DIGIT_PITCH, DIGIT_H = 7.0, 9.0
TEXT_LINE_H = 9.0
MULTI_LINE_H = 7.5
OPTION_H = 8.0
OPTION_BOX = 4.5


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def x1(self) -> float:
        return self.x + self.w

    @property
    def y1(self) -> float:
        return self.y + self.h

    def inset(self, d: float) -> "Rect":
        return Rect(self.x + d, self.y + d, self.w - 2 * d, self.h - 2 * d)


@dataclass(frozen=True)
class FieldGeom:
    field: Field
    page: int
    row: Rect                        # the whole row (label + answer)
    label: Rect                      # where the label is printed
    area: Rect                       # where the person writes: the widget rectangle
    boxes: tuple[Rect, ...] = ()     # digits: one per comb box; choice: one per option box
    cells: tuple[Rect, ...] = ()     # choice: option box + its printed label (circled answers)

    @property
    def key(self) -> str:
        return self.field.key


@dataclass
class PageLayout:
    number: int
    fields: list[FieldGeom] = dc_field(default_factory=list)
    sections: list[tuple[Label, Rect]] = dc_field(default_factory=list)


@dataclass
class FormLayout:
    form: FormDef
    pages: list[PageLayout]

    def field(self, key: str) -> FieldGeom:
        for p in self.pages:
            for g in p.fields:
                if g.key == key:
                    return g
        raise KeyError(key)

    @property
    def page_count(self) -> int:
        return len(self.pages)


def qr_rect() -> Rect:
    return Rect(QR_X, QR_Y, QR_SIZE, QR_SIZE)


def marker_rect(marker_id: int) -> Rect:
    cx, cy = MARKER_CENTERS[marker_id]
    return Rect(cx - MARKER_SIZE / 2, cy - MARKER_SIZE / 2, MARKER_SIZE, MARKER_SIZE)


def choice_columns(f: Field) -> int:
    if f.columns:
        return f.columns
    longest_ja = max(len(o.label.ja) for o in f.options)
    longest_en = max(len(o.label.en) for o in f.options)
    if longest_ja <= 6 and longest_en <= 14:
        cols = 4
    elif longest_ja <= 10 and longest_en <= 22:
        cols = 3
    else:
        cols = 2
    return min(cols, len(f.options))


def answer_height(f: Field) -> float:
    if f.kind == "digits":
        return DIGIT_H
    if f.kind == "text":
        return TEXT_LINE_H if f.lines == 1 else f.lines * MULTI_LINE_H
    return math.ceil(len(f.options) / choice_columns(f)) * OPTION_H


def _place(f: Field, page: int, y: float) -> tuple[FieldGeom, float]:
    ah = answer_height(f)
    row_h = max(ah, MIN_LABEL_H) + 2 * ROW_PAD
    row = Rect(CONTENT_X0, y, CONTENT_X1 - CONTENT_X0, row_h)
    label = Rect(CONTENT_X0, y + ROW_PAD, LABEL_W, row_h - 2 * ROW_PAD)
    ay = y + (row_h - ah) / 2
    boxes: tuple[Rect, ...] = ()
    cells: tuple[Rect, ...] = ()
    if f.kind == "digits":
        area = Rect(ANSWER_X0, ay, f.boxes * DIGIT_PITCH, DIGIT_H)
        boxes = tuple(Rect(ANSWER_X0 + i * DIGIT_PITCH, ay, DIGIT_PITCH, DIGIT_H) for i in range(f.boxes))
    elif f.kind == "text":
        area = Rect(ANSWER_X0, ay, ANSWER_W, ah)
    else:
        cols = choice_columns(f)
        col_w = ANSWER_W / cols
        area = Rect(ANSWER_X0, ay, ANSWER_W, ah)
        b, c = [], []
        for i, _ in enumerate(f.options):
            r, k = divmod(i, cols)
            cx, cy = ANSWER_X0 + k * col_w, ay + r * OPTION_H
            b.append(Rect(cx + 1.0, cy + (OPTION_H - OPTION_BOX) / 2, OPTION_BOX, OPTION_BOX))
            c.append(Rect(cx, cy, col_w - 1.0, OPTION_H))
        boxes, cells = tuple(b), tuple(c)
    return FieldGeom(f, page, row, label, area, boxes, cells), y + row_h


_CACHE: dict[int, tuple[FormDef, FormLayout]] = {}


def layout(form: FormDef) -> FormLayout:
    """Flow sections and fields down the content area, starting new pages as needed."""
    hit = _CACHE.get(id(form))
    if hit and hit[0] is form:
        return hit[1]
    pages = [PageLayout(1)]
    y = CONTENT_Y0
    for si, sec in enumerate(form.sections):
        first_h = max(answer_height(sec.fields[0]), MIN_LABEL_H) + 2 * ROW_PAD
        if (sec.new_page and si > 0) or y + SECTION_H + first_h > CONTENT_Y1:
            if pages[-1].fields:
                pages.append(PageLayout(len(pages) + 1))
                y = CONTENT_Y0
        pages[-1].sections.append((sec.title, Rect(CONTENT_X0, y, CONTENT_X1 - CONTENT_X0, SECTION_H)))
        y += SECTION_H
        for f in sec.fields:
            row_h = max(answer_height(f), MIN_LABEL_H) + 2 * ROW_PAD
            if y + row_h > CONTENT_Y1:
                pages.append(PageLayout(len(pages) + 1))
                y = CONTENT_Y0
            g, y = _place(f, len(pages), y)
            pages[-1].fields.append(g)
    result = FormLayout(form, pages)
    _CACHE[id(form)] = (form, result)
    return result
