"""AcroForm widgets, so a form can also be filled on screen and its values read exactly.

Names are the contract with ingest (intake.ingest reads them back with pypdf):
  choice  one checkbox per option, fully-qualified name KEY.OPTION (parent field KEY, kids OPTION),
          on-state /Yes, at the option box rect;
  digits  one comb text field KEY, /MaxLen = boxes, rect = FieldGeom.area (the comb splits it evenly);
  text    one text field KEY, multiline when the field has more than one line.
Widgets are added after reportlab has drawn the page (reportlab's own AcroForm support
cannot make parent/kid fields and draws grey fills), with appearance streams that are
empty when blank and a black vector tick when checked: nothing grey is ever printed.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject,
                           NumberObject, TextStringObject)

from intake.form.layout import FieldGeom, FormLayout
from intake.render.paper import rect_pt

# Field flags (PDF 32000-1, tables 226 and 228).
FF_MULTILINE = 1 << 12
FF_DO_NOT_SPELL_CHECK = 1 << 22
FF_DO_NOT_SCROLL = 1 << 23
FF_COMB = 1 << 24
F_PRINT = 4
ON_STATE = "/Yes"
TEXT_FONT = "/Helv"            # standard font for typed values; the viewer substitutes for Japanese


def add_widgets(pdf_bytes: bytes, lay: FormLayout, out: Path, *, title: str = "") -> None:
    """Write `out`: the drawn pages of pdf_bytes with one widget per field of the layout."""
    writer = PdfWriter(clone_from=PdfReader(BytesIO(pdf_bytes)))
    fields = ArrayObject()
    for page_layout, page in zip(lay.pages, writer.pages):
        annots = ArrayObject()
        page_ref = page.indirect_reference
        for g in page_layout.fields:
            if g.field.kind == "choice":
                parent, kids = _choice(writer, g, page_ref)
                annots.extend(kids)
                fields.append(parent)
            else:
                ref = writer._add_object(_text(writer, g, page_ref))
                annots.append(ref)
                fields.append(ref)
        page[NameObject("/Annots")] = annots
    helv = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"), NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
    })
    writer._root_object[NameObject("/AcroForm")] = writer._add_object(DictionaryObject({
        NameObject("/Fields"): fields,
        NameObject("/DA"): TextStringObject(f"{TEXT_FONT} 0 Tf 0 g"),
        NameObject("/DR"): DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject(TEXT_FONT): writer._add_object(helv)})}),
    }))
    if title:
        writer.add_metadata({"/Title": title})
    with open(out, "wb") as fh:
        writer.write(fh)


def _rect(g_rect) -> ArrayObject:
    return ArrayObject(FloatObject(round(v, 3)) for v in rect_pt(g_rect))


def _form_xobject(writer: PdfWriter, w: float, h: float, content: bytes):
    s = DecodedStreamObject()
    s.set_data(content)
    s.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
              NameObject("/BBox"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(w), FloatObject(h)])})
    return writer._add_object(s)


def _tick(w: float, h: float) -> bytes:
    """A black vector tick filling the box (a filled-in form prints like a hand-ticked one)."""
    lw = max(0.8, w * 0.12)
    pts = [(0.18 * w, 0.52 * h), (0.42 * w, 0.22 * h), (0.84 * w, 0.86 * h)]
    path = f"{pts[0][0]:.2f} {pts[0][1]:.2f} m {pts[1][0]:.2f} {pts[1][1]:.2f} l {pts[2][0]:.2f} {pts[2][1]:.2f} l S"
    return f"q 0 G {lw:.2f} w 1 J 1 j {path} Q".encode()


def _choice(writer: PdfWriter, g: FieldGeom, page_ref):
    parent = DictionaryObject({
        NameObject("/FT"): NameObject("/Btn"),
        NameObject("/T"): TextStringObject(g.key),
        NameObject("/TU"): TextStringObject(g.field.label.ja),
    })
    parent_ref = writer._add_object(parent)
    kids = ArrayObject()
    for opt, box in zip(g.field.options, g.boxes):
        r = _rect(box)
        w, h = float(r[2] - r[0]), float(r[3] - r[1])
        on = _form_xobject(writer, w, h, _tick(w, h))
        off = _form_xobject(writer, w, h, b"")
        kid = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/FT"): NameObject("/Btn"),
            NameObject("/Parent"): parent_ref, NameObject("/T"): TextStringObject(opt.key),
            NameObject("/TU"): TextStringObject(f"{opt.label.ja} / {opt.label.en}"),
            NameObject("/Rect"): r, NameObject("/P"): page_ref, NameObject("/F"): NumberObject(F_PRINT),
            NameObject("/V"): NameObject("/Off"), NameObject("/AS"): NameObject("/Off"),
            NameObject("/MK"): DictionaryObject({NameObject("/CA"): TextStringObject("4")}),
            NameObject("/AP"): DictionaryObject({NameObject("/N"): DictionaryObject({
                NameObject(ON_STATE): on, NameObject("/Off"): off})}),
        })
        kids.append(writer._add_object(kid))
    parent[NameObject("/Kids")] = kids
    return parent_ref, kids


def _text(writer: PdfWriter, g: FieldGeom, page_ref) -> DictionaryObject:
    f = g.field
    r = _rect(g.area)
    w, h = float(r[2] - r[0]), float(r[3] - r[1])
    ff = FF_DO_NOT_SPELL_CHECK
    size = 11
    d = DictionaryObject()
    if f.kind == "digits":
        ff |= FF_COMB | FF_DO_NOT_SCROLL
        d[NameObject("/MaxLen")] = NumberObject(f.boxes)
        size = 14                              # one digit per 7 x 9 mm box
    elif f.lines > 1 or f.multiline:
        ff |= FF_MULTILINE
        size = 10
    d.update({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
        NameObject("/FT"): NameObject("/Tx"), NameObject("/T"): TextStringObject(f.key),
        NameObject("/TU"): TextStringObject(f"{f.label.ja} / {f.label.en}"),
        NameObject("/Ff"): NumberObject(ff), NameObject("/Rect"): r, NameObject("/P"): page_ref,
        NameObject("/F"): NumberObject(F_PRINT), NameObject("/V"): TextStringObject(""),
        NameObject("/DA"): TextStringObject(f"{TEXT_FONT} {size} Tf 0 g"),
        NameObject("/AP"): DictionaryObject({NameObject("/N"): _form_xobject(writer, w, h, b"")}),
    })
    return d
