"""Storage: migrations, export (JSONL public shape, CSV for Excel), status counts, retry."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest

from intake import workspace
from intake.form.identity import PageIdentity as P
from intake.ingest import process
from intake.store import db as store_db
from intake.store.export import export
from intake.store.queries import status_counts
from intake.store.retry import retry
from test_ingest_doubles import page_image, qr_double, write_png


@pytest.fixture
def ws(tmp_path):
    ws = workspace.init(tmp_path / "ws")
    write_png(ws.inbox / "a1.png", page_image(P("survey", 1, 1, 2, "R1"), {"company_name": "山田製作所", "q": "1?"}))
    write_png(ws.inbox / "a2.png", page_image(P("survey", 1, 2, 2, "R1"), {"strengths": "溶接"}))
    write_png(ws.inbox / "b1.png", page_image(P("survey", 1, 1, 2, "R2"), {"company_name": "ACME"}))
    write_png(ws.inbox / "r.png", page_image(P("request", 1, 1, 1, "R3"), {"phone": "0312"}))
    (ws.inbox / "bad.pdf").write_bytes(b"%PDF-1.4 nothing")
    process(ws, recognizer=qr_double, stable_seconds=0, progress=False)
    return ws


def test_migrations_are_recorded_and_idempotent(tmp_path):
    path = tmp_path / "x.db"
    store_db.open_db(path).conn.close()
    conn = store_db.connect(path)
    assert store_db.migrate(conn) == max(v for v, _, _ in store_db.MIGRATIONS)
    versions = [r[0] for r in conn.execute("SELECT version FROM migrations ORDER BY version")]
    assert versions == [v for v, _, _ in store_db.MIGRATIONS]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"claimed_as", "requeued_at"} <= {r[1] for r in conn.execute("PRAGMA table_info(files)")}


def test_jsonl_has_exactly_the_public_shape(ws):
    lines = export(ws, "jsonl").splitlines()
    recs = [json.loads(x) for x in lines]
    assert len(recs) == 3
    for r in recs:
        assert set(r) == {"submission", "form", "respondent", "status", "source_files", "fields"}
        assert r["status"] in ("accepted", "needs_review", "incomplete")
        for v in r["fields"].values():
            assert set(v) == {"value", "confidence", "needs_review"}
            assert isinstance(v["confidence"], float) and isinstance(v["needs_review"], bool)
    r1 = next(r for r in recs if r["respondent"] == "R1")
    assert r1["status"] == "needs_review" and r1["source_files"] == ["a1.png", "a2.png"]
    assert r1["fields"]["company_name"]["value"] == "山田製作所"
    assert "山田製作所" in lines[0] or "山田製作所" in "".join(lines)  # not \u-escaped
    assert {r["status"] for r in recs if r["respondent"] == "R2"} == {"incomplete"}
    only = [json.loads(x) for x in export(ws, "jsonl", form="request").splitlines()]
    assert [r["respondent"] for r in only] == ["R3"]


def test_csv_has_bom_one_row_per_submission_and_a_column_per_field(ws, tmp_path):
    out = tmp_path / "s.csv"
    assert export(ws, "csv", form="survey", out=out) == 2
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 2
    from intake.form.loader import load_forms
    keys = [f.key for f in load_forms(ws.forms_path())["survey"].fields]
    header = next(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert header[6:6 + len(keys)] == keys  # definition order, then keys the definition lacks
    r1 = next(r for r in rows if r["respondent"] == "R1")
    assert r1["company_name"] == "山田製作所" and r1["strengths"] == "溶接" and r1["source_files"] == "a1.png;a2.png"


def test_status_counts(ws):
    c = status_counts(ws)
    assert c.files == {"archived": 4, "quarantined": 1}
    # R3's request is complete and read confidently, but fails its rules (required fields empty,
    # a 4-digit phone number): the validate stage sends it to review instead of accepting it.
    assert c.submissions == {"incomplete": 1, "needs_review": 2}
    with sqlite3.connect(ws.db_path) as conn:
        reason = conn.execute("SELECT f.reason FROM field_values f JOIN submissions s ON s.id=f.submission_id "
                              "WHERE s.respondent_id='R3' AND f.key='phone'").fetchone()[0]
    assert "phone" in reason.lower() and "電話番号" in reason
    assert c.pages == {"identified": 4}
    assert c.quarantine_reasons == {"corrupt": 1}
    assert (c.inbox, c.processing) == (0, 0)


def test_retry_requeues_quarantined_files(ws):
    res = retry(ws)
    assert res.requeued == ["bad.pdf"] and (ws.inbox / "bad.pdf").exists()
    assert not any(ws.quarantine.iterdir())
    with sqlite3.connect(ws.db_path) as c:
        assert c.execute("SELECT state FROM files WHERE original_name='bad.pdf'").fetchall() == [("requeued",)]
    process(ws, recognizer=qr_double, stable_seconds=0, progress=False)  # still bad: back in quarantine
    assert status_counts(ws).files == {"archived": 4, "quarantined": 1, "requeued": 1}
