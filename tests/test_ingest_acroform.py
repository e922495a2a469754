"""Filled AcroForm values are read exactly instead of by OCR."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from intake import workspace
from intake.form.loader import load_forms
from intake.form.layout import layout
from intake.ingest import acroform, process
from intake.recognize.types import FieldReading, PageReading
from intake.workspace import default_forms_dir


def _filled_pdf(path: Path, values: dict[str, str], checked: list[str]) -> Path:
    from reportlab.pdfgen import canvas
    c = canvas.Canvas(str(path))
    y = 800
    for name, v in values.items():
        c.acroForm.textfield(name=name, value=v, x=50, y=y, width=200, height=20)
        y -= 30
    for name in checked:
        c.acroForm.checkbox(name=name, checked=True, x=50, y=y, size=12)
        y -= 30
    c.acroForm.checkbox(name="unused.box", checked=False, x=50, y=y, size=12)
    c.showPage()
    c.save()
    return path


def test_read_values_per_page(tmp_path):
    pdf = _filled_pdf(tmp_path / "f.pdf", {"phone": "0312345678"}, ["process.welding"])
    vals = acroform.read_values(pdf)
    assert vals[0]["phone"] == "0312345678"
    assert vals[0]["process.welding"] not in acroform.OFF and vals[0]["unused.box"] in acroform.OFF
    assert acroform.has_filled_values(vals)


def test_pipeline_stores_acroform_values_with_confidence_one(tmp_path):
    forms = load_forms(default_forms_dir())
    form = forms["request"]
    lay = layout(form)
    page1 = [g.field for g in lay.pages[0].fields]
    choice = next(f for f in page1 if f.kind == "choice" and f.multiple)
    digits = next(f for f in page1 if f.kind == "digits")
    text = next(f for f in page1 if f.kind == "text")
    ws = workspace.init(tmp_path / "ws")
    _filled_pdf(ws.inbox / "reply.pdf", {digits.key: "0312", text.key: "Tokyo 1-2"},
                [f"{choice.key}.{choice.options[1].key}"])
    from intake.form.identity import PageIdentity

    def ocr_double(image, dpi, fms):  # identifies the page; its OCR readings must be replaced
        return PageReading("identified", PageIdentity("request", form.version, 1, lay.page_count, "R9"),
                           fields=[FieldReading(digits.key, "digits", "9999", 0.3, True)])

    process(ws, forms=forms, recognizer=ocr_double, stable_seconds=0, progress=False)
    with sqlite3.connect(ws.db_path) as c:
        got = {k: (v, conf, src) for k, v, conf, src in
               c.execute("SELECT key, value, confidence, source FROM field_values")}
    assert got[digits.key] == ('"0312"', 1.0, "acroform")
    assert got[text.key] == ('"Tokyo 1-2"', 1.0, "acroform")
    assert got[choice.key] == (f'["{choice.options[1].key}"]', 1.0, "acroform")
    assert set(got) == {g.key for g in lay.pages[0].fields}
