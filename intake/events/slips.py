"""A reply slip personalised beyond its header: text printed beside chosen fields, where no reader looks.

The form is rendered as defined (with the respondent and the code: event or meeting) and a note is printed
to the right of a field's options — from NOTE_X0, past the options' cells (in the event forms, 2 options in
4 columns end at 127 mm) and the margin the mark reader examines round them
(intake.recognize.choice.FIELD_MARGIN_MM, 1.5 mm) — so the personalised text is never read as a mark,
and the blank the recogniser subtracts stays the form's own.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from intake.form.layout import CONTENT_X1, Rect
from intake.letters.parties import Party
from intake.letters.sheet import GOTHIC

NOTE_X0 = 131.0


def personal_slip(form, to: Party, code: str, notes: dict[str, tuple[str, str]], path: Path) -> Path:
    """Render `form` for `to` with `code` in its identity, then print notes {field key: (title, one line)}
    beside those fields. The fields' options must end left of NOTE_X0 (checked: a note never covers a box)."""
    from pypdf import PdfReader, PdfWriter
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from intake.form.layout import layout
    from intake.render import Respondent, fonts, render_form
    from intake.render.paper import Paper

    person = Respondent(to.id, to.name, to.postal_code, to.address, to.phone, to.fax, to.channel)
    render_form(form, "ja", path, respondent=person, match_id=code)
    lay = layout(form)
    fonts.register()
    buf = BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1, initialFontName=GOTHIC)  # no unembedded Helvetica
    paper = Paper(c)
    for key, (title, line) in notes.items():
        g = lay.field(key)
        if g.page != 1 or max(cell.x1 for cell in g.cells) + 1.5 >= NOTE_X0:
            raise ValueError(f"{form.id}: field {key!r} leaves no room for a note (needs options in 4 columns)")
        box = Rect(NOTE_X0, g.row.y + 1.0, CONTENT_X1 - NOTE_X0, g.row.h - 2.0)
        paper.fit_line(title, Rect(box.x, box.y, box.w, 5.0), 10.0, font=GOTHIC, bold=bool(line))
        if line:
            paper.paragraph(line, Rect(box.x, box.y + 5.6, box.w, box.h - 5.6), 7.5, min_size=6.0)
    c.showPage()
    c.save()
    writer = PdfWriter(clone_from=PdfReader(str(path)))
    writer.pages[0].merge_page(PdfReader(BytesIO(buf.getvalue())).pages[0])
    with open(path, "wb") as fh:
        writer.write(fh)
    return path
