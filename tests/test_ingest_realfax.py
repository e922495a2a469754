"""Every real fax and ITU test chart in ../shared/fixtures/real-fax opens and ends as 'not our form'."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from intake import workspace
from intake.ingest import process
from intake.ingest.rasterize import rasterize
from intake.ingest.sniff import sniff

FIXTURES = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures" / "real-fax"
FAXES = sorted(p for p in FIXTURES.glob("*") if p.suffix.lower() in (".tif", ".tiff")) if FIXTURES.is_dir() else []

pytestmark = pytest.mark.skipif(not FAXES, reason="../shared/fixtures/real-fax is absent")


@pytest.mark.parametrize("path", FAXES, ids=lambda p: p.name)
def test_every_coding_opens_with_its_resolution(path):
    pages = list(rasterize(path, sniff(path)))
    assert pages and all(img.ndim == 2 and img.dtype.name == "uint8" and img.min() < img.max() for img, _ in pages)
    assert pages[0][0].min() < 128 < pages[0][0].max()  # decoded ink on paper, not a blank buffer
    dpi = pages[0][1]
    if path.name in ("fax2d.tif", "g3test.tif"):
        assert dpi == (204.0, 98.0)  # standard-mode fax: non-square, handed on as is
    if path.name == "multipage.tif":
        assert [p[1] for p in pages] == [(150.0, 150.0), (96.0, 96.0), (300.0, 300.0)]  # each frame its own


@pytest.mark.slow
def test_real_faxes_end_as_not_our_form(tmp_path):
    ws = workspace.init(tmp_path / "ws")
    for p in FAXES:
        shutil.copy(p, ws.inbox / p.name)
    s = process(ws, stable_seconds=0, progress=False, workers=2)  # the real recogniser
    assert s.files == len(FAXES) and s.archived == 0
    with sqlite3.connect(ws.db_path) as c:
        assert c.execute("SELECT COUNT(*) FROM submissions").fetchone() == (0,)
        assert c.execute("SELECT COUNT(*) FROM field_values").fetchone() == (0,)
        reasons = {r[0].split(":")[0] for r in c.execute("SELECT reason FROM files")}
        statuses = {r[0] for r in c.execute("SELECT status FROM pages")}
    assert reasons == {"not_our_form"} and statuses == {"foreign"}
