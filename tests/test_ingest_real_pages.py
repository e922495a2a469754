"""Journey rules that need the real renderer and recogniser (no test doubles): an upside-down
fax, a survey whose two pages arrive in separate files in reverse order, and a foreign page
that carries someone else's QR code."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
import segno
from PIL import Image

from intake.ingest import process
from intake.render import Respondent, render_form
from intake.store.export import export
from intake.tools.ghostscript import pdf_to_fax_tiff

pytestmark = pytest.mark.slow


def _fax_pages(pdf: Path, tmp: Path, res: str = "204x98") -> list[Image.Image]:
    tif = pdf_to_fax_tiff(pdf, tmp / (pdf.stem + ".tif"), resolution=res)
    with Image.open(tif) as im:
        pages = []
        for i in range(im.n_frames):
            im.seek(i)
            pages.append(im.copy())
    return pages


def _save_fax(pages: list[Image.Image], out: Path) -> Path:
    pages[0].save(out, save_all=True, append_images=pages[1:], compression="group3", dpi=(204, 98))
    return out


def _rows(ws, sql, *args):
    with sqlite3.connect(ws.db_path) as c:
        return c.execute(sql, args).fetchall()


def test_upside_down_fax_is_identified_and_stored(workspace, forms, tmp_path):
    pdf = render_form(forms["request"], "ja", tmp_path / "r.pdf", Respondent("B0042", "逆さ工業"))
    page = _fax_pages(pdf, tmp_path)[0].rotate(180)
    _save_fax([page], workspace.inbox / "upside.tif")
    s = process(workspace, forms=forms, stable_seconds=0, progress=False)
    assert (s.files, s.quarantined) == (1, 0)
    assert _rows(workspace, "SELECT status, form, respondent_id, rotated FROM pages") == \
        [("identified", "request", "B0042", 180)]


def test_two_pages_in_separate_files_in_reverse_order_make_one_submission(workspace, forms, tmp_path):
    pdf = render_form(forms["survey"], "ja", tmp_path / "s.pdf", Respondent("F0042", "分割製作所"))
    p1, p2 = _fax_pages(pdf, tmp_path, "204x196")
    _save_fax([p2], workspace.inbox / "a-second-page.tif")
    process(workspace, forms=forms, stable_seconds=0, progress=False)
    assert _rows(workspace, "SELECT status FROM submissions") == [("incomplete",)]
    _save_fax([p1], workspace.inbox / "b-first-page.tif")
    process(workspace, forms=forms, stable_seconds=0, progress=False)
    subs = _rows(workspace, "SELECT id, respondent_id, status FROM submissions")
    assert len(subs) == 1 and subs[0][1] == "F0042" and subs[0][2] != "incomplete"
    assert sorted(r[0] for r in _rows(workspace, "SELECT page FROM pages WHERE submission_id=?", subs[0][0])) == [1, 2]
    rec = [r for r in export(workspace, "jsonl").splitlines() if r]
    assert len(rec) == 1 and "a-second-page.tif" in rec[0] and "b-first-page.tif" in rec[0]


def test_foreign_page_with_someone_elses_code_is_quarantined_never_loaded(workspace, forms, tmp_path):
    page = np.full((2339, 1654), 255, np.uint8)                       # A4 at 200 dpi
    qr = np.array(segno.make("https://example.org/order?id=123", error="m").matrix, dtype=np.uint8)
    qr = np.kron(1 - qr, np.ones((8, 8), np.uint8)) * 255
    page[150:150 + qr.shape[0], 1200:1200 + qr.shape[1]] = qr
    page[600:610, 150:1500] = 0                                       # a table rule, like any form
    Image.fromarray(page).save(workspace.inbox / "order.png", dpi=(200, 200))
    s = process(workspace, forms=forms, stable_seconds=0, progress=False)
    assert (s.quarantined, s.submissions) == (1, 0)
    assert _rows(workspace, "SELECT state, reason LIKE 'not_our_form%' FROM files") == [("quarantined", 1)]
    assert _rows(workspace, "SELECT count(*) FROM submissions") == [(0,)]
    assert (workspace.quarantine / "order.png").exists()
