"""Pages into submissions (QR test double for identity; the rules are the assembly's, not recognition's)."""

from __future__ import annotations

import sqlite3

import pytest

from intake import workspace
from intake.form.identity import PageIdentity as P
from intake.ingest import process
from test_ingest_doubles import page_image, qr_double, write_png, write_tiff


@pytest.fixture
def ws(tmp_path):
    return workspace.init(tmp_path / "ws")


def run(ws):
    return process(ws, recognizer=qr_double, stable_seconds=0, progress=False)


def subs(ws):
    with sqlite3.connect(ws.db_path) as c:
        return c.execute("SELECT respondent_id, status, (SELECT COUNT(*) FROM pages p WHERE p.submission_id=s.id"
                         " AND p.status='identified') FROM submissions s ORDER BY respondent_id, created_at").fetchall()


def test_pages_split_across_files_and_out_of_order_make_one_submission(ws):
    write_png(ws.inbox / "second.png", page_image(P("survey", 1, 2, 2, "R1"), {"b": "2"}))
    run(ws)
    assert subs(ws) == [("R1", "incomplete", 1)]  # waits for its page 1
    write_png(ws.inbox / "first.png", page_image(P("survey", 1, 1, 2, "R1"), {"a": "1"}))
    run(ws)
    assert subs(ws) == [("R1", "accepted", 2)]
    from intake.store.export import records
    [rec] = records(ws)
    assert rec.source_files == ["second.png", "first.png"]
    assert {k: v["value"] for k, v in rec.fields.items()} == {"a": "1", "b": "2"}


def test_mixed_batch_scan_is_sorted_by_respondent(ws):
    pages = [page_image(P("survey", 1, p, 2, r), {f"k{p}": r}, seed=i)
             for i, (r, p) in enumerate([("R2", 2), ("R1", 1), ("R3", 1), ("R2", 1), ("R1", 2)])]
    write_tiff(ws.inbox / "batch.tif", pages)
    run(ws)
    assert subs(ws) == [("R1", "accepted", 2), ("R2", "accepted", 2), ("R3", "incomplete", 1)]


def test_field_needing_review_makes_the_complete_submission_needs_review(ws):
    write_tiff(ws.inbox / "f.tif", [page_image(P("survey", 1, 1, 2, "R1"), {"a": "7?"}),
                                    page_image(P("survey", 1, 2, 2, "R1"))])
    run(ws)
    assert subs(ws) == [("R1", "needs_review", 2)]


def test_same_page_again_is_recorded_as_duplicate_not_loaded(ws):
    write_png(ws.inbox / "one.png", page_image(P("request", 1, 1, 1, "R1"), {"a": "first"}, seed=1))
    run(ws)
    write_png(ws.inbox / "resent.png", page_image(P("request", 1, 1, 1, "R1"), {"a": "second"}, seed=2))
    run(ws)
    with sqlite3.connect(ws.db_path) as c:
        statuses = c.execute("SELECT status, duplicate_of FROM pages ORDER BY id").fetchall()
        values = c.execute("SELECT value FROM field_values").fetchall()
        files = c.execute("SELECT state FROM files").fetchall()
    assert statuses[0] == ("identified", None) and statuses[1][0] == "duplicate" and statuses[1][1] is not None
    assert values == [('"first"',)] and files == [("archived",), ("archived",)]
    assert subs(ws) == [("R1", "accepted", 1)]


def test_match_id_keeps_two_rounds_of_one_respondent_apart(ws):
    write_tiff(ws.inbox / "x.tif", [page_image(P("reply-slip", 1, 1, 1, "R1", "M1")),
                                    page_image(P("reply-slip", 1, 1, 1, "R1", "M2"))])
    run(ws)
    assert subs(ws) == [("R1", "accepted", 1), ("R1", "accepted", 1)]


def test_anonymous_pages_group_only_within_their_file(ws):
    anon = lambda p, seed: page_image(P("survey", 1, p, 2), seed=seed)  # noqa: E731
    # one file with two blank-form sets back to back, then a lone page 2 in another file
    write_tiff(ws.inbox / "sets.tif", [anon(1, 1), anon(2, 2), anon(1, 3), anon(2, 4)])
    run(ws)
    write_png(ws.inbox / "lone.png", anon(2, 5))
    run(ws)
    assert subs(ws) == [(None, "accepted", 2), (None, "accepted", 2), (None, "incomplete", 1)]


def test_unknown_form_code_becomes_an_unidentified_page(ws):
    write_png(ws.inbox / "x.png", page_image(P("retired-form", 1, 1, 1, "R1")))
    s = run(ws)
    assert s.archived == 1
    with sqlite3.connect(ws.db_path) as c:
        assert c.execute("SELECT status, note, submission_id FROM pages").fetchall() == [
            ("unidentified", "unknown form retired-form", None)]
