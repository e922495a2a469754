"""One printed page of a form: header, instructions, sections, fields, marks, footer.

Every box comes from intake.form.layout (mm from the top-left); this module decides only
how things look: black on white, thin and thick rules, no grey, fonts embedded.
"""

from __future__ import annotations

from reportlab.lib.units import mm

from intake.form.identity import PageIdentity
from intake.form.layout import (ANSWER_X0, CONTENT_X0, CONTENT_X1, CONTENT_Y0, MARKER_CENTERS,
                                FieldGeom, FormLayout, PageLayout, Rect, marker_rect, qr_rect)
from intake.form.model import FormDef, Label
from intake.render import fonts
from intake.render.marks import draw_identity_text, draw_markers, draw_qr
from intake.render.paper import Paper, cap_mm
from intake.render.respondents import Respondent

# Line weights (pt): faxes drop hairlines below ~0.3 pt at 98 dpi.
THIN, RULE, COMB_OUTLINE, BOX, SECTION_RULE = 0.4, 0.5, 1.0, 0.8, 1.6
DIVIDER_X = ANSWER_X0 - 1.0                 # between the label column and the answers

# Header bands (mm): the top 10 mm stay empty for the fax machine's header line.
TITLE_X0 = marker_rect(0).x1 + 4.0
TITLE_X1 = qr_rect().x - 6.0                # the code's quiet zone stays empty
TEXT = {
    "continued": Label("次ページへ続きます", "Continued on the next page"),
    "thanks": Label("ご協力ありがとうございました。", "Thank you for your reply."),
    "required": Label("必須", "required"),
    "for": Label("御中", "For:"),
}


def draw_page(paper: Paper, form: FormDef, lay: FormLayout, page: PageLayout, lang: str,
              identity: PageIdentity, respondent: Respondent | None) -> None:
    _header(paper, form, lang, respondent, first=page.number == 1)
    for title, r in page.sections:
        _section(paper, title, r, lang)
    if page.fields and not any(abs(r.y1 - page.fields[0].row.y) < 0.01 for _, r in page.sections):
        _continued(paper, form, page, lang)
    for g in page.fields:
        _row(paper, g, lang)
    _footer(paper, page.number, lay.page_count, lang)
    draw_markers(paper)
    draw_qr(paper, identity)
    draw_identity_text(paper, identity)


# ── header ──────────────────────────────────────────────────────────────
def _header(paper: Paper, form: FormDef, lang: str, respondent: Respondent | None, first: bool) -> None:
    w = TITLE_X1 - TITLE_X0
    if lang == "ja":
        paper.fit_line(form.title.ja, Rect(TITLE_X0, 15.5, w, 7.0), 17, baseline=21.8, bold=True)
        paper.fit_line(form.title.en, Rect(TITLE_X0, 23.6, w, 3.4), 8, baseline=26.4)
    else:
        paper.fit_line(form.title.en, Rect(TITLE_X0, 15.5, w, 7.0), 17, baseline=22.0, bold=True)
    if respondent:
        box = Rect(TITLE_X0, 29.0, w, 5.5)
        if lang == "ja":
            name = f"{respondent.name}　{TEXT['for'].ja}"
            size = paper.fit_line(name, box, 12, baseline=33.8, font=fonts.MINCHO)
        else:
            name = f"{TEXT['for'].en} {respondent.name}"
            size = paper.fit_line(name, box, 11, baseline=33.8)
        width = min(w, fonts.width(name, fonts.MINCHO if lang == "ja" else fonts.GOTHIC, size) / mm + 2)
        paper.line(TITLE_X0, 35.2, TITLE_X0 + width, 35.2, lw=RULE)
    if first and form.intro:
        _intro(paper, form.intro, lang)


def _intro(paper: Paper, intro: Label, lang: str) -> None:
    top = _identity_text_bottom() + 0.6
    box = Rect(CONTENT_X0, top, CONTENT_X1 - CONTENT_X0, CONTENT_Y0 - 1.0 - top)
    if lang == "ja":
        used = paper.paragraph(intro.ja, Rect(box.x, box.y, box.w, box.h * 0.6), 8.5, min_size=6)
        paper.paragraph(intro.en, Rect(box.x, box.y + used + 0.2, box.w, box.h - used - 0.2), 6.5, min_size=5)
    else:
        paper.paragraph(intro.en, box, 8.5, min_size=5.5)


def _identity_text_bottom() -> float:
    """Where the identity text under the code ends (mm): the intro starts below it."""
    return qr_rect().y1 + 5.2


# ── sections and rows ───────────────────────────────────────────────────
def _section(paper: Paper, title: Label, r: Rect, lang: str) -> None:
    base = r.y1 - 2.0
    main = title.get(lang)
    size = paper.fit_line(main, Rect(r.x + 1.0, r.y + 1.0, r.w * 0.7, r.h - 2.0), 11, baseline=base, bold=True)
    if lang == "ja":
        x = r.x + 1.0 + fonts.width(main, fonts.GOTHIC, size) / mm + 3.0
        paper.fit_line(title.en, Rect(x, r.y + 2.0, r.x1 - x - 1.0, r.h - 2.5), 7, baseline=base)
    paper.line(r.x, r.y1 - 0.3, r.x1, r.y1 - 0.3, lw=SECTION_RULE)


def _continued(paper: Paper, form: FormDef, page: PageLayout, lang: str) -> None:
    """A page that starts inside a section: name the section again above a rule."""
    first = page.fields[0]
    title = next(s.title for s in form.sections if any(f.key == first.key for f in s.fields))
    cont = Label(f"{title.ja}（続き）", f"{title.en} (continued)").get(lang)
    r = first.row
    paper.fit_line(cont, Rect(r.x + 1.0, r.y - 4.5, r.w * 0.7, 3.6), 8, baseline=r.y - 1.2)
    paper.line(r.x, r.y, r.x1, r.y, lw=RULE)


def _row(paper: Paper, g: FieldGeom, lang: str) -> None:
    paper.line(CONTENT_X0, g.row.y1, CONTENT_X1, g.row.y1, lw=THIN)
    paper.line(DIVIDER_X, g.row.y, DIVIDER_X, g.row.y1, lw=THIN)
    _label(paper, g, lang)
    kind = g.field.kind
    if kind == "digits":
        _comb(paper, g)
    elif kind == "text":
        _text_area(paper, g)
    else:
        _options(paper, g, lang)


def _label(paper: Paper, g: FieldGeom, lang: str) -> None:
    f = g.field
    r = Rect(g.label.x + 1.2, g.label.y, DIVIDER_X - g.label.x - 2.4, g.label.h)
    # (text, size, bold) lines, stacked and centred in the label rect.
    lines: list[tuple[str, float, bool]] = []
    if lang == "ja":
        lines.append((f.label.ja, 9.5, True))
        lines.append((f.label.en, 6.3, False))
        if f.hint:
            lines.append((f.hint.ja, 6.3, False))
    else:
        lines.append((f.label.en, 9.0, True))
        if f.hint:
            lines.append((f.hint.en, 6.3, False))
    gap = 0.9
    heights = [cap_mm(s) for _, s, _ in lines]
    total = sum(heights) + gap * (len(lines) - 1)
    scale = min(1.0, r.h / total) if total else 1.0
    y = r.y + (r.h - total * scale) / 2
    tag_w = 0.0
    if f.required:
        tag = TEXT["required"].get(lang)
        tag_size = 5.8
        tag_w = fonts.width(tag, fonts.GOTHIC, tag_size) / mm + 1.6
        tag_box = Rect(r.x1 - tag_w, y + heights[0] * scale / 2 - 1.6, tag_w, 3.2)
        paper.rect(tag_box, lw=0.5)
        paper.fit_line(tag, tag_box.inset(0.3), tag_size, align="center")
    for i, ((text, size, bold), h) in enumerate(zip(lines, heights)):
        h *= scale
        width = r.w - (tag_w + 1.0 if i == 0 else 0.0)
        paper.fit_line(text, Rect(r.x, y, width, h), size * scale, baseline=y + h, bold=bold, min_size=3.5)
        y += h + gap * scale


def _comb(paper: Paper, g: FieldGeom) -> None:
    for b in g.boxes[1:]:
        paper.line(b.x, b.y, b.x, b.y1, lw=THIN)
    paper.rect(g.area, lw=COMB_OUTLINE)


def _text_area(paper: Paper, g: FieldGeom) -> None:
    a = g.area
    paper.rect(a, lw=RULE)
    for k in range(1, g.field.lines):
        y = a.y + k * (a.h / g.field.lines)
        paper.line(a.x + 1.0, y, a.x1 - 1.0, y, lw=THIN, dash=(1, 2))


def _options(paper: Paper, g: FieldGeom, lang: str) -> None:
    for opt, box, cell in zip(g.field.options, g.boxes, g.cells):
        paper.rect(box, lw=BOX)
        x = box.x1 + 1.6
        r = Rect(x, cell.y + 0.6, cell.x1 - x, cell.h - 1.2)
        mid = box.y + box.h / 2
        if lang == "ja" and opt.label.en != opt.label.ja:
            paper.fit_line(opt.label.ja, Rect(r.x, r.y, r.w, mid + 0.9 - r.y), 9, baseline=mid + 0.9, min_size=4.5)
            paper.fit_line(opt.label.en, Rect(r.x, mid + 1.2, r.w, r.y1 - mid - 1.2), 5.8, baseline=mid + 3.2,
                           min_size=3.5)
        else:
            _option_text(paper, opt.label.get(lang), r, mid)


def _option_text(paper: Paper, text: str, r: Rect, mid: float, size: float = 9.0, two_line_below: float = 7.5) -> None:
    """One line at up to 9 pt; a label that would shrink below 7.5 pt breaks at a space onto two lines."""
    fits = fonts.fit_size(text, fonts.GOTHIC, size, r.w * mm)
    if fits >= two_line_below or " " not in text:
        paper.fit_line(text, r, size, baseline=mid + cap_mm(size) / 2)
        return
    words = text.split(" ")
    cut = min(range(1, len(words)), key=lambda i: max(fonts.width(" ".join(words[:i]), fonts.GOTHIC, 1),
                                                       fonts.width(" ".join(words[i:]), fonts.GOTHIC, 1)))
    lines = [" ".join(words[:cut]), " ".join(words[cut:])]
    size = min(size - 1.0, *(fonts.fit_size(ln, fonts.GOTHIC, size - 1.0, r.w * mm) for ln in lines))
    step = cap_mm(size) + 0.8
    base = mid - step / 2 + cap_mm(size) / 2
    for i, ln in enumerate(lines):
        paper.fit_line(ln, Rect(r.x, base + i * step - cap_mm(size), r.w, cap_mm(size) + 0.1), size,
                       baseline=base + i * step)


# ── footer ──────────────────────────────────────────────────────────────
def _footer(paper: Paper, number: int, pages: int, lang: str) -> None:
    base = MARKER_CENTERS[2][1] + 1.2
    x0, x1 = marker_rect(2).x1 + 4.0, marker_rect(3).x - 4.0
    paper.fit_line(f"{number} / {pages}", Rect(x0 + 50, base - 3.5, x1 - x0 - 100, 4.5), 9, baseline=base,
                   align="center")
    note = TEXT["continued"] if number < pages else TEXT["thanks"]
    paper.fit_line(note.get(lang), Rect(x1 - 48, base - 3.0, 48, 4.0), 7.5, baseline=base, align="right")
