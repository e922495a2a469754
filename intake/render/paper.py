"""Drawing on a reportlab canvas in the layout's own units: millimetres from the top-left, y down.

Every position the renderer uses comes from intake.form.layout; this module only
converts (mm, top-left) to PDF points (bottom-left) and never overflows a rect.
"""

from __future__ import annotations

from contextlib import contextmanager

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from intake.form.layout import PAGE_H, Rect
from intake.render import fonts

BLACK, WHITE = (0, 0, 0), (1, 1, 1)


def pt(v_mm: float) -> float:
    return v_mm * mm


def rect_pt(r: Rect) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) in PDF points, bottom-left origin: what a widget's /Rect holds."""
    return (pt(r.x), pt(PAGE_H - r.y1), pt(r.x1), pt(PAGE_H - r.y))


class Paper:
    """A canvas page addressed in millimetres, black on white only."""

    def __init__(self, canvas: Canvas):
        self.c = canvas

    # ── lines and boxes ────────────────────────────────────────────────
    def line(self, x0: float, y0: float, x1: float, y1: float, lw: float = 0.5, dash: tuple | None = None) -> None:
        c = self.c
        c.saveState()
        c.setLineWidth(lw)
        c.setStrokeColorRGB(*BLACK)
        if dash:
            c.setDash(*dash)
        c.line(pt(x0), pt(PAGE_H - y0), pt(x1), pt(PAGE_H - y1))
        c.restoreState()

    def rect(self, r: Rect, lw: float = 0.5, fill: tuple | None = None, stroke: bool = True) -> None:
        c = self.c
        c.saveState()
        c.setLineWidth(lw)
        c.setStrokeColorRGB(*BLACK)
        if fill:
            c.setFillColorRGB(*fill)
        c.rect(pt(r.x), pt(PAGE_H - r.y1), pt(r.w), pt(r.h), stroke=int(stroke), fill=int(bool(fill)))
        c.restoreState()

    def fill_cells(self, cells: list[tuple[float, float, float, float]]) -> None:
        """Fill black rectangles (x, y, w, h in mm) as one path, so abutting cells leave no seams."""
        c = self.c
        p = c.beginPath()
        for x, y, w, h in cells:
            p.rect(pt(x), pt(PAGE_H - y - h), pt(w), pt(h))
        c.saveState()
        c.setFillColorRGB(*BLACK)
        c.drawPath(p, stroke=0, fill=1)
        c.restoreState()

    # ── text ───────────────────────────────────────────────────────────
    def text(self, s: str, x: float, baseline: float, size: float, *, font: str = fonts.GOTHIC,
             bold: bool = False, align: str = "left") -> float:
        """Draw one line; returns its width in mm."""
        w = fonts.width(s, font, size) / mm
        if align == "right":
            x -= w
        elif align == "center":
            x -= w / 2
        c = self.c
        t = c.beginText(pt(x), pt(PAGE_H - baseline))
        t.setFont(font, size)
        if bold:
            t.setTextRenderMode(2)          # fill + stroke: a bold face IPAex does not have
            c.saveState()
            c.setLineWidth(fonts.BOLD_STROKE * size / 10)
            c.setStrokeColorRGB(*BLACK)
        t.textOut(s)
        c.setFillColorRGB(*BLACK)
        c.drawText(t)
        if bold:
            c.restoreState()
        return w

    def fit_line(self, s: str, box: Rect, size: float, *, baseline: float | None = None, font: str = fonts.GOTHIC,
                 bold: bool = False, align: str = "left", min_size: float = 4.0) -> float:
        """One line shrunk to the box's width (below min_size too: a long definition text gets small,
        never wider than its box); baseline defaults to vertically centred. Returns the size used."""
        size = fit_size_mm(s, font, size, box.w, 0.5)
        size = min(size, box.h * mm / 0.8)          # ideographs stay inside the box's height
        if baseline is None:
            baseline = box.y + box.h / 2 + cap_mm(size) / 2
        x = {"left": box.x, "right": box.x1, "center": box.x + box.w / 2}[align]
        with self.clipped(box):
            self.text(s, x, baseline, size, font=font, bold=bold, align=align)
        return size

    @contextmanager
    def clipped(self, box: Rect, slack: float = 0.6):
        """Nothing drawn inside may leave the box (plus a little slack for descenders)."""
        c = self.c
        c.saveState()
        p = c.beginPath()
        p.rect(pt(box.x - slack), pt(PAGE_H - box.y1 - slack), pt(box.w + 2 * slack), pt(box.h + 2 * slack))
        c.clipPath(p, stroke=0, fill=0)
        try:
            yield
        finally:
            c.restoreState()

    def paragraph(self, s: str, box: Rect, size: float, *, font: str = fonts.GOTHIC, leading: float = 1.35,
                  min_size: float = 5.0, bold: bool = False) -> float:
        """Wrapped text inside box, shrinking until it fits its height. Returns the mm used."""
        while True:
            lines = fonts.wrap(s, font, size, pt(box.w))
            step = size * leading / mm
            if len(lines) * step <= box.h + 0.01 or size <= min_size:
                break
            size = max(min_size, size - 0.25)
        lines = lines[: max(1, int((box.h + 0.01) // step))]     # never below the box
        y = box.y + cap_mm(size) + 0.2
        with self.clipped(box):
            for ln in lines:
                self.text(ln, box.x, y, fit_size_mm(ln, font, size, box.w, 3.0), font=font, bold=bold)
                y += step
        return len(lines) * step


def cap_mm(size: float) -> float:
    """Approximate cap/ideograph height in mm of text at `size` points (IPAex: ~0.8 em above baseline)."""
    return size * 0.8 / mm


def fit_size_mm(s: str, font: str, size: float, max_w_mm: float, min_size: float = 4.0) -> float:
    return fonts.fit_size(s, font, size, pt(max_w_mm), min_size)
