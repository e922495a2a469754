"""A letter's pages: text flowing down A4 in millimetres, new pages when it runs out, and
the fixed blocks a Japanese office letter has (window address, date and sender, 記 … 以上).

The address block stays inside the 長形3号 window: A4 folded in three, the window shows
about 90 x 45 mm at 23 mm from the left and 13 mm from the top of the sheet. The block is
drawn with a safety margin (the sheet moves a few millimetres inside the envelope).
"""

from __future__ import annotations

from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from intake.form.layout import PAGE_H, PAGE_W, Rect
from intake.render import fonts
from intake.render.paper import Paper, cap_mm

WINDOW = Rect(23.0, 13.0, 90.0, 45.0)            # 長3 window on the folded A4 sheet
WINDOW_MARGIN = 4.0
ADDRESS_BOX = Rect(WINDOW.x + WINDOW_MARGIN, WINDOW.y + WINDOW_MARGIN,
                   WINDOW.w - 2 * WINDOW_MARGIN, WINDOW.h - 2 * WINDOW_MARGIN)
FOLDS = (99.0, 198.0)                            # tri-fold lines (marked in the margin)
LEFT, RIGHT, BOTTOM = 25.0, 185.0, 277.0
MINCHO, GOTHIC = fonts.MINCHO, fonts.GOTHIC


def postal(code: str | None) -> str:
    p = "".join(ch for ch in (code or "") if ch.isdigit())
    return f"〒{p[:3]}-{p[3:]}" if len(p) == 7 else ""


def addressee(company: str | None, person: str | None) -> tuple[str, str | None]:
    """(company line, person line): 'X 御中' alone, or the company and 'Y 様' (never both honorifics)."""
    company = (company or "").strip()
    person = (person or "").strip()
    if person:
        return company, f"{person} 様"
    return f"{company} 御中", None


class Sheet:
    """Writes pages into one PDF. y is the cursor in mm from the top of the current page."""

    def __init__(self, title: str, body_size: float = 10.5, font: str = MINCHO):
        fonts.register()
        self.buf = BytesIO()
        self.c = Canvas(self.buf, pagesize=A4, invariant=1, pageCompression=1, initialFontName=font)
        self.c.setTitle(title)
        self.c.setAuthor("intake letters")
        self.c.setCreator("intake letters")
        self.p = Paper(self.c)
        self.size = body_size
        self.font = font
        self.y = 25.0
        self.pages = 1
        self.footer: str | None = None

    # ── pages ──────────────────────────────────────────────────────────
    def new_page(self) -> None:
        self._foot()
        self.c.showPage()
        self.pages += 1
        self.y = 25.0

    def need(self, mm_: float) -> None:
        if self.y + mm_ > BOTTOM:
            self.new_page()

    def _foot(self) -> None:
        if self.footer:
            self.p.text(f"{self.footer}  {self.pages}", PAGE_W / 2, 290.0, 7.5, font=GOTHIC, align="center")

    def fold_marks(self) -> None:
        """Short ticks in the margin where the sheet is folded for the 長3 envelope."""
        for y in FOLDS:
            self.p.line(3.0, y, 8.0, y, lw=0.3)
            self.p.line(PAGE_W - 8.0, y, PAGE_W - 3.0, y, lw=0.3)

    def finish(self) -> bytes:
        self._foot()
        self.c.showPage()
        self.c.save()
        return self.buf.getvalue()

    # ── text ───────────────────────────────────────────────────────────
    def line(self, s: str, *, size: float | None = None, x: float = LEFT, align: str = "left", bold: bool = False,
             font: str | None = None, gap: float = 1.5) -> None:
        size = size or self.size
        step = size * 0.3528 * 1.25
        self.need(step)
        font = font or self.font
        xx = {"left": x, "right": RIGHT, "center": (LEFT + RIGHT) / 2}[align]
        max_w = (RIGHT - x) if align == "left" else (RIGHT - LEFT)
        self.p.fit_line(s, Rect(xx - (max_w if align == "right" else max_w / 2 if align == "center" else 0),
                                self.y, max_w, step), size, baseline=self.y + cap_mm(size), font=font,
                        bold=bold, align=align)
        self.y += step + gap

    def para(self, s: str, *, size: float | None = None, indent: float = 0.0, first: float = 0.0,
             font: str | None = None, gap: float = 2.0, hang: str = "") -> None:
        """A wrapped paragraph; `first` indents its first line (一字下げ), `hang` is a label before it."""
        size = size or self.size
        font = font or self.font
        step = size * 0.3528 * 1.55
        x0 = LEFT + indent
        width_pt = (RIGHT - x0) * 72 / 25.4
        hang_w = fonts.width(hang, font, size) * 25.4 / 72 if hang else 0.0
        lines = fonts.wrap(" " * 0 + s, font, size, width_pt - (first + hang_w) * 72 / 25.4)
        if len(lines) > 1:       # re-wrap the rest at full width
            rest = s[len(lines[0]):].lstrip()
            lines = [lines[0]] + fonts.wrap(rest, font, size, width_pt - hang_w * 72 / 25.4)
        for i, ln in enumerate(lines):
            self.need(step)
            if i == 0 and hang:
                self.p.text(hang, x0, self.y + cap_mm(size), size, font=font)
            x = x0 + hang_w + (first if i == 0 else 0.0)
            self.p.text(ln, x, self.y + cap_mm(size), size, font=font)
            self.y += step
        self.y += gap

    def space(self, mm_: float) -> None:
        self.y += mm_

    def rule(self, lw: float = 0.4) -> None:
        self.p.line(LEFT, self.y, RIGHT, self.y, lw=lw)
        self.y += 2.0

    def table(self, rows: list[tuple[str, str]], *, key_w: float = 34.0, size: float | None = None,
              indent: float = 5.0) -> None:
        """Label / value rows with thin rules: the 記 section's details."""
        size = size or self.size
        step = size * 0.3528 * 1.5
        x0, x1 = LEFT + indent, RIGHT
        for key, value in rows:
            lines = fonts.wrap(value or "—", self.font, size, (x1 - x0 - key_w - 3) * 72 / 25.4)
            h = len(lines) * step + 2.5
            self.need(h)
            top = self.y
            self.p.line(x0, top, x1, top, lw=0.3)
            self.p.text(key, x0 + 1.5, top + 1.2 + cap_mm(size), size, font=GOTHIC)
            y = top + 1.2
            for ln in lines:
                self.p.text(ln, x0 + key_w + 2, y + cap_mm(size), size, font=self.font)
                y += step
            self.y = top + h
        self.p.line(x0, self.y, x1, self.y, lw=0.3)
        self.y += 3.0

    # ── the fixed blocks ───────────────────────────────────────────────
    def window_address(self, postal_code: str | None, address: str | None, company: str | None,
                       person: str | None, ref: str | None = None) -> Rect:
        """〒, address, company 御中 / person 様 inside the 長3 window. Returns the box used."""
        box = ADDRESS_BOX
        lines: list[tuple[str, float]] = []
        if postal(postal_code):
            lines.append((postal(postal_code), 10.0))
        for ln in fonts.wrap(address or "", GOTHIC, 10.0, box.w * 72 / 25.4)[:2]:
            lines.append((ln, 10.0))
        comp, pers = addressee(company, person)
        lines.append(("", 2.0))
        lines.append((comp, 12.0))
        if pers:
            lines.append((pers, 12.0))
        y = box.y
        for s, size in lines:
            h = size * 0.3528 * 1.3
            if s:
                self.p.fit_line(s, Rect(box.x, y, box.w, h), size, baseline=y + cap_mm(size), font=GOTHIC)
            y += h
        if ref:
            self.p.fit_line(ref, Rect(box.x, box.y1 - 3.2, box.w, 3.2), 6.5, font=GOTHIC)
        return box

    def date_and_sender(self, date_text: str, office, *, top: float = 18.0, ref: str | None = None) -> float:
        """Date and the office, right-aligned outside the window. Returns the y below it."""
        y = top
        if ref:
            self.p.text(ref, RIGHT, y, 9.0, font=self.font, align="right")
            y += 5.0
        self.p.text(date_text, RIGHT, y, 10.0, font=self.font, align="right")
        y += 8.0
        for s, size in ((office.name, 10.0), (f"{office.department}　{office.head}", 10.0)):
            self.p.text(s, RIGHT, y, size, font=self.font, align="right")
            y += 5.0
        return y

    def sender_block(self, office, size: float = 9.0) -> None:
        """The coordinator's contact, boxed: whom to call."""
        rows = [f"{office.name} {office.department}", f"{office.postal_text} {office.address}",
                f"TEL {office.phone}　FAX {office.fax}" + (f"　E-mail {office.email}" if office.email else ""),
                f"担当：{office.coordinator}"]
        step = size * 0.3528 * 1.45
        h = len(rows) * step + 4
        self.need(h + 2)
        x0 = RIGHT - 100
        self.p.rect(Rect(x0, self.y, 100, h), lw=0.4)
        y = self.y + 2
        for s in rows:
            self.p.fit_line(s, Rect(x0 + 3, y, 94, step), size, baseline=y + cap_mm(size), font=GOTHIC)
            y += step
        self.y += h + 3
