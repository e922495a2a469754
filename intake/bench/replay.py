"""The pages of a finished bench run as stored, beside their truth: what the replay scripts in benchmarks/ read.

The pipeline saves every identified page registered to the canonical 8 px/mm grid (lossless PNG), so a field
reader can be measured again in seconds without simulating or registering again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from intake.form import load_forms
from intake.form.model import FormDef
from intake.simulate import read_truth
from intake.workspace import default_forms_dir


@dataclass
class StoredPage:
    record: dict                 # the truth record of the file (profile, respondent, writer, ...)
    truth: dict                  # the truth of this page (fields, notes, identity)
    form: FormDef
    page: int                    # the form's page number
    canon: np.ndarray            # the registered canonical page (grey)


def stored_pages(bench_dir: Path, conn: sqlite3.Connection | None = None) -> Iterator[StoredPage]:
    """Every page of the run that the pipeline identified as the truth says it is (form and page), in truth
    order. `conn`: the run's database, if the caller holds it open already."""
    bench_dir = Path(bench_dir)
    forms = load_forms(default_forms_dir())
    ws = bench_dir / "ws"
    conn = conn or sqlite3.connect(str(ws / "intake.db"))
    rows = {(n, i): (s, form, page, img) for n, i, s, form, page, img in conn.execute(
        "SELECT f.original_name, p.page_index, p.status, p.form, p.page, p.image_path FROM pages p "
        "JOIN files f ON f.id = p.file_id")}
    for rec in read_truth(bench_dir / "corpus" / "truth.jsonl"):
        for tp in rec["pages"]:
            row = rows.get((rec["file"], tp["index"]))
            if not row or row[0] != "identified" or row[1] != rec["form"] or row[2] != tp["identity"]["page"]:
                continue
            canon = cv2.imread(str(ws / row[3]), cv2.IMREAD_GRAYSCALE)
            yield StoredPage(rec, tp, forms[rec["form"]], row[2], canon)
