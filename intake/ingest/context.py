"""The context stage: digit readings weighed again against what the office's respondent list holds.

A personalised page's code names its respondent, and the respondents table holds what the office knew when it
printed (name, postal code, address, phone, fax). A digits field whose definition says `on_file: <column>` is
decoded again from its box probabilities (intake.recognize.expect.decode) with the list's value as a strong prior:
a handwritten number the model reads with one unsure box is accepted when that box agrees with the list; a number
that clearly differs (the factory moved, a new line) is read on its own and accepted only on the model's
confidence. Readings with a structural problem (an empty box inside the number, an unreadable box, faint marks)
stay in review whatever the list says.

Names and addresses (`on_file: name|address`) are compared as text: the OCR reading of handwriting is taken as
the list's spelling only when it is within a quarter of its characters of it, closer to it than to the same name
under another legal form (有限会社 -> 株式会社), and for addresses carries the same block numbers.
"""

from __future__ import annotations

import sqlite3

from intake.form.model import FormDef
from intake.form.loader import ON_FILE
from intake.ingest.rules import form_for
from intake.recognize.expect import FIELD_ACCEPT, decode, lexicon_for, matches_on_file
from intake.recognize.types import FieldReading, PageReading

REDECODED = {None, "uncertain digit"}      # reasons that only say the model alone was not sure enough


def on_file_values(conn: sqlite3.Connection, respondent: str | None) -> dict[str, str]:
    """{column: value} the respondent list holds for `respondent` (empty when unknown or anonymous)."""
    if not respondent:
        return {}
    cur = conn.execute("SELECT * FROM respondents WHERE id=?", (respondent,))
    row = cur.fetchone()
    if row is None:
        return {}
    return {d[0]: str(v) for d, v in zip(cur.description, row) if d[0] in ON_FILE and v}


def weigh(reading: FieldReading, form_field, on_file: str) -> bool:
    """Decode `reading` again with `on_file` as the expected value; True when the reading changed."""
    if reading.box_probs is None or reading.source != "ocr" or reading.reason not in REDECODED:
        return False
    digits = "".join(ch for ch in on_file if ch.isdigit())
    d = decode(reading.box_probs, on_file=digits,
               lexicon=lexicon_for(form_field.validate.get("rule"), len(reading.box_probs)))
    before = (reading.value, reading.needs_review)
    reading.value, reading.confidence = d.value, round(d.posterior, 4)
    reading.needs_review = d.posterior < FIELD_ACCEPT
    reading.reason = "uncertain digit" if reading.needs_review else None
    return (reading.value, reading.needs_review) != before


TEXT_REWEIGHED = {None, "low OCR confidence"}   # text reasons that only say the engine was unsure


def weigh_text(reading: FieldReading, on_file: str, column: str) -> bool:
    """Take the list's spelling when the OCR reading is that value and nothing close to it
    (intake.recognize.expect.matches_on_file); True when the reading changed."""
    if reading.source != "ocr" or reading.reason not in TEXT_REWEIGHED or not reading.value:
        return False
    if not matches_on_file(reading.value, on_file, column):
        return False
    changed = (reading.value, reading.needs_review) != (on_file, False)
    reading.value, reading.needs_review, reading.reason = on_file, False, None
    reading.confidence = max(reading.confidence, 0.99)
    return changed


def apply_page(conn: sqlite3.Connection, form: FormDef, respondent: str | None, fields: list[FieldReading]) -> int:
    """Weigh the on-file fields of one page of `form` from `respondent`; returns how many changed."""
    known = on_file_values(conn, respondent)
    by_key = {f.key: f for f in form.fields}
    changed = 0
    for r in fields:
        f = by_key.get(r.key)
        if f is None or not f.on_file or not known.get(f.on_file):
            continue
        if f.kind == "digits":
            changed += weigh(r, f, known[f.on_file])
        elif f.kind == "text":
            changed += weigh_text(r, known[f.on_file], f.on_file)
    return changed


def apply(conn: sqlite3.Connection, forms: dict, readings: list[PageReading]) -> int:
    """Weigh every on-file field of identified pages; returns how many readings changed."""
    changed = 0
    for rd in readings:
        form = form_for(forms, rd.identity.form, rd.identity.version) if rd.identity else None
        if rd.status == "identified" and form is not None:
            changed += apply_page(conn, form, rd.identity.respondent, rd.fields)
    return changed
