"""One page in, one PageReading out: identify -> register -> read every field of that page."""

from __future__ import annotations

import numpy as np

from intake.form.identity import PageIdentity
from intake.form.layout import layout
from intake.form.model import FormDef
from intake.recognize.align import Aligner
from intake.recognize.blank import blank_ink, blank_mask, page_language
from intake.recognize.canon import grow, rect_slices
from intake.recognize.choice import read_choice
from intake.recognize.digits import read_digits
from intake.recognize.identify import CodeHit, find_code, find_code_on_grid
from intake.recognize.images import as_grey, to_square, turn, turn_points
from intake.recognize.register import RegistrationError, detect_markers, fit, warp

MAX_RESIDUAL_MM = 1.0   # fields must land within ~1 mm of the ink; worse fits go to review
from intake.recognize.text import prepare as prepare_text, read_texts
from intake.recognize.types import FieldReading, PageReading

MIN_MARKERS_OURS = 2           # two of our four ids on one page is no accident
CROP_MARGIN_MM = 3.0
_READERS = {"choice": read_choice, "digits": read_digits}


def identify(image: np.ndarray, dpi: tuple[float, float]) -> tuple[PageIdentity | None, int, bool]:
    """(identity or None, degrees the page was turned ccw to read it, our markers seen)."""
    grey = as_grey(image)
    hit, rotated, _square0, _square, markers = _locate(grey, dpi)
    return (hit.identity if hit else None), rotated, len(markers) >= MIN_MARKERS_OURS


def _locate(grey: np.ndarray, dpi) -> tuple[CodeHit | None, int, np.ndarray, np.ndarray, dict[int, np.ndarray]]:
    """(code hit, quarter turn, square page as scanned, square page turned upright, markers on it).
    When zxing finds no code but our markers are there, the code is read on the grid the markers
    give (identify.find_code_on_grid)."""
    hit = find_code(grey, dpi)
    square0 = to_square(grey, dpi)
    rotated = hit.rotated if hit else 0
    square = turn(square0, rotated)
    markers = detect_markers(square)
    if hit is None and len(markers) >= MIN_MARKERS_OURS:
        hit = find_code_on_grid(square, markers)
        if hit is not None and hit.rotated:
            rotated = hit.rotated
            square = turn(square0, rotated)
            # a marker's corner order is its own (TL, TR, BR, BL of the symbol): only positions move
            markers = {i: turn_points(c, rotated, square0.shape[:2]) for i, c in markers.items()}
    return hit, rotated, square0, square, markers


def find_form(forms: dict[str, FormDef], ident: PageIdentity) -> FormDef | None:
    for f in forms.values():
        if f.id == ident.form and f.version == ident.version:
            return f
    return None


def _empty_reading(g, reason: str) -> FieldReading:
    value = [] if g.field.kind == "choice" and g.field.multiple else (None if g.field.kind == "choice" else "")
    return FieldReading(g.key, g.field.kind, value, 0.0, True, reason)


def read_fields(form: FormDef, page: int, canon: np.ndarray, align: bool = True) -> list[FieldReading]:
    lang = page_language(form, page, canon)
    blank = blank_mask(form, page, lang)
    aligner = Aligner(canon, blank_ink(form, page, lang)) if align else None
    out: list[FieldReading | None] = []
    crops, text_jobs = [], []
    for g in layout(form).pages[page - 1].fields:
        view = aligner.align(g.area)[0] if aligner else canon
        ys, xs = rect_slices(grow(g.area, CROP_MARGIN_MM), view.shape)
        crops.append(view[ys, xs].copy())      # now: the aligner moves the next field's region in the same image
        try:
            if g.field.kind == "text":       # read below, all the page's lines in batched calls
                text_jobs.append((len(out), prepare_text(g, view, blank)))
                r = None
            else:
                r = _READERS[g.field.kind](g, view, blank)
        except Exception as exc:   # one unreadable field must not lose the page; the clerk sees why
            r = _empty_reading(g, f"reader failed: {type(exc).__name__}: {exc}")
        out.append(r)
    if text_jobs:
        postal = next((r.value for g, r in zip(layout(form).pages[page - 1].fields, out)
                       if r is not None and g.field.validate.get("rule") == "postal_code" and not r.needs_review
                       and isinstance(r.value, str) and len(r.value) == 7 and r.value.isdigit()), None)
        try:
            for (i, _), r in zip(text_jobs, read_texts([j for _, j in text_jobs], lang, postal)):
                out[i] = r
        except Exception as exc:
            for i, j in text_jobs:
                out[i] = _empty_reading(j.g, f"reader failed: {type(exc).__name__}: {exc}")
    done = []
    for crop, r in zip(crops, out):
        assert r is not None
        r.crop = crop
        done.append(r)
    return done


BLANK_PAGE_MIN_FIELDS = 3


def flag_blank_page(fields: list[FieldReading]) -> bool:
    """A returned page on which nothing at all was read goes to the clerk whole: people do not send back
    empty pages, but a faint pencil sent through two fax machines can vanish from every field at once
    (seen on the benchmark: a reply slip read as all blank, its answers lost). True when flagged."""
    if len(fields) < BLANK_PAGE_MIN_FIELDS or any(r.value not in ("", None, []) for r in fields):
        return False
    for r in fields:
        r.needs_review = True
        r.reason = r.reason or "nothing read on the whole page: writing lost in the fax?"
    return True


def read_page(image: np.ndarray, dpi: tuple[float, float], forms: dict[str, FormDef]) -> PageReading:
    grey = as_grey(image)
    hit, rotated, square0, square, markers = _locate(grey, dpi)
    code_corners = turn_points(hit.corners, rotated, square0.shape[:2]) if hit else None

    if hit is None or hit.identity is None:
        if hit is None and len(markers) >= MIN_MARKERS_OURS:
            reading = PageReading("unidentified", rotated=rotated, image=square,
                                  note=f"our markers ({len(markers)}/4) but no readable identity code")
            try:
                f = fit(markers)
                reading.image, reading.registration_mm = warp(square, f), round(f.residual_mm, 3)
            except RegistrationError:
                pass
            return reading
        note = f"a code that is not ours: {hit.text[:60]!r}" if hit else "no identity code and no markers"
        return PageReading("foreign", rotated=rotated, image=square0, note=note)

    ident = hit.identity
    form = find_form(forms, ident)
    if form is None or ident.page > layout(form).page_count:
        return PageReading("foreign", identity=None, rotated=rotated, image=square0,
                           note=f"code of an unknown form: {ident.form} v{ident.version} p.{ident.page}")
    reading = PageReading("identified", identity=ident, rotated=rotated)
    try:
        f = fit(markers, code_corners)
    except RegistrationError as exc:
        reading.image = square
        reading.note = str(exc)
        reading.fields = [_empty_reading(g, "page not registered") for g in layout(form).pages[ident.page - 1].fields]
        return reading
    canon = warp(square, f)
    reading.image, reading.registration_mm = canon, round(f.residual_mm, 3)
    if f.markers < 4:
        reading.note = f"registered with {f.markers} markers ({f.method})"
    reading.fields = read_fields(form, ident.page, canon)
    flag_blank_page(reading.fields)
    if f.residual_mm > MAX_RESIDUAL_MM:
        # Boxes may sit off the ink: nothing read from this page is trusted without a look.
        reading.note = (reading.note + "; " if reading.note else "") + f"registration residual {f.residual_mm:.1f} mm"
        for r in reading.fields:
            r.needs_review = True
            r.reason = r.reason or f"registration uncertain ({f.residual_mm:.1f} mm)"
    return reading
