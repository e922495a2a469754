"""End to end: render personalised forms, fill fields, fax them (ghostscript 204x98, 204x196) and
scan one skewed at 300 dpi, drop them into the inbox, run `intake process`, read the export back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

pytestmark = pytest.mark.slow
DPI = 300


def _px(mm: float) -> int:
    return int(round(mm * DPI / 25.4))


def _fill(form, lay, page_no: int, img: np.ndarray, answers: dict) -> None:
    """Draw a pen tick in chosen option boxes and digits into comb boxes (the widget rectangles)."""
    for g in lay.pages[page_no - 1].fields:
        want = answers.get(g.key)
        if want is None:
            continue
        if g.field.kind == "choice":
            for opt, box in zip(g.field.options, g.boxes):
                if opt.key in (want if isinstance(want, list) else [want]):
                    x0, y0, x1, y1 = _px(box.x), _px(box.y), _px(box.x1), _px(box.y1)
                    pts = np.array([[x0 + 4, (y0 + y1) // 2], [(x0 + x1) // 2 - 2, y1 - 5], [x1 + 6, y0 - 8]])
                    cv2.polylines(img, [pts], False, 0, 6)
        elif g.field.kind == "digits":
            for ch, box in zip(want, g.boxes):
                org = (_px(box.x + 1.4), _px(box.y1 - 1.6))
                cv2.putText(img, ch, org, cv2.FONT_HERSHEY_SIMPLEX, _px(box.h) / 36, 0, 6, cv2.LINE_AA)


def _filled_pdf(form, lang, respondent, answers, tmp: Path) -> Path:
    from pdf2image import convert_from_path

    from intake.form.layout import layout
    from intake.render import Respondent, render_form

    pdf = render_form(form, lang, tmp / f"{form.id}-{respondent}.pdf", Respondent(respondent, "テスト工業"))
    lay = layout(form)
    pages = []
    for i, im in enumerate(convert_from_path(str(pdf), dpi=DPI, grayscale=True, timeout=60), start=1):
        a = np.array(im)
        _fill(form, lay, i, a, answers)
        pages.append(Image.fromarray(a))
    out = tmp / f"{form.id}-{respondent}-filled.pdf"
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=DPI)
    return out


def _answers(form, pick: int) -> dict:
    """One chosen option per choice field (and all-but-none for multiple), a digit string per comb."""
    out = {}
    for f in form.fields:
        if f.kind == "choice":
            keys = [o.key for o in f.options]
            out[f.key] = [keys[pick % len(keys)], keys[(pick + 2) % len(keys)]] if f.multiple and len(keys) > 2 \
                else keys[pick % len(keys)]
        elif f.kind == "digits":
            out[f.key] = "".join(str((pick + 3 * i) % 10) for i in range(min(f.boxes, 4)))
    return out


def test_render_fax_process_export(tmp_path, forms):
    from intake.cli import main
    from intake.tools.ghostscript import pdf_to_fax_tiff
    from intake.workspace import init

    ws = init(tmp_path / "ws")
    inbox = ws.inbox
    cases = {  # respondent -> (form, lang, how it arrives)
        "R001": ("survey", "ja", "204x98"),
        "R002": ("survey", "en", "204x196"),
        "R003": ("request", "ja", "scan300"),
    }
    expected = {}
    for i, (resp, (fid, lang, how)) in enumerate(cases.items()):
        form = forms[fid]
        answers = _answers(form, i + 1)
        expected[resp] = answers
        pdf = _filled_pdf(form, lang, resp, answers, tmp_path)
        if how == "scan300":
            from pdf2image import convert_from_path
            img = np.array(convert_from_path(str(pdf), dpi=DPI, grayscale=True)[0])
            h, w = img.shape
            m = cv2.getRotationMatrix2D((w / 2, h / 2), 1.2, 0.98)  # skewed, slightly shrunk
            img = cv2.warpAffine(img, m, (w, h), borderValue=255)
            Image.fromarray(img).save(inbox / f"{resp}.png", format="PNG", dpi=(DPI, DPI))
        else:
            tif = pdf_to_fax_tiff(pdf, tmp_path / f"{resp}.tif", resolution=how)
            shutil.move(tif, inbox / f"{resp}.tif")

    r = CliRunner().invoke(main, ["--home", str(ws.root), "process", "--stable-seconds", "0", "--quiet"],
                          catch_exceptions=False)
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["--home", str(ws.root), "export", "--format", "jsonl"])
    recs = {rec["respondent"]: rec for rec in map(json.loads, r.output.splitlines())}
    assert set(recs) == set(cases)
    misses = []
    for resp, answers in expected.items():
        rec = recs[resp]
        assert rec["form"] == cases[resp][0] and rec["status"] in ("accepted", "needs_review")
        for key, want in answers.items():
            got = rec["fields"][key]["value"]
            if isinstance(want, list):
                got = sorted(got or [])
                want = sorted(want)
            if got != want:
                misses.append((resp, key, want, got, rec["fields"][key]["needs_review"]))
    forms_of = {resp: forms[cases[resp][0]] for resp in cases}
    # Every tick comes through exactly; a digit may still be unsure (this issue proves the road, the
    # next one the accuracy) but a wrong value must never pass unflagged.
    assert [m for m in misses if forms_of[m[0]].field(m[1]).kind == "choice"] == [], misses
    assert [m for m in misses if not m[4]] == [], misses
