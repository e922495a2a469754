"""The file's journey, one rule per test (recognition replaced by the QR test double)."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from intake import workspace
from intake.form.identity import PageIdentity as P
from intake.ingest import process
from intake.ingest.scan import scan
from intake.ingest.sniff import sniff_bytes
from test_ingest_doubles import failing_double, page_image, qr_double, write_png, write_tiff


@pytest.fixture
def ws(tmp_path):
    return workspace.init(tmp_path / "ws")


def run(ws, **kw):
    kw.setdefault("recognizer", qr_double)
    kw.setdefault("stable_seconds", 0)
    kw.setdefault("progress", False)
    return process(ws, **kw)


def rows(ws, sql, *args):
    with sqlite3.connect(ws.db_path) as c:
        return c.execute(sql, args).fetchall()


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if (p.is_file() or p.is_symlink()) and not p.name.endswith(".reason.txt"))


def assert_every_file_placed_once(ws, n_inputs):
    """Inbox and processing are empty; every input is in exactly one final folder, with one row."""
    assert files_in(ws.inbox) == [] and files_in(ws.processing) == []
    placed = files_in(ws.archive) + files_in(ws.quarantine) + files_in(ws.duplicates)
    assert len(placed) == n_inputs
    states = rows(ws, "SELECT state, stored_path FROM files")
    assert len(states) == n_inputs
    assert sorted(str(ws.root / p) for _, p in states) == sorted(str(p) for p in placed)


def test_archived_file_is_read_only_and_named_by_date_and_checksum(ws):
    write_png(ws.inbox / "a.png", page_image(P("request", 1, 1, 1, "R1")))
    s = run(ws)
    assert (s.files, s.archived, s.submissions) == (1, 1, 1)
    [(sha, stored)] = rows(ws, "SELECT sha256, stored_path FROM files WHERE state='archived'")
    path = ws.root / stored
    assert path.name == f"{sha}.png" and path.parent.name == sha[:2]
    assert not os.access(path, os.W_OK) or os.geteuid() == 0
    assert not (path.stat().st_mode & 0o222)
    assert_every_file_placed_once(ws, 1)


def test_stability_wait_leaves_a_growing_file_for_the_next_pass(ws):
    grow = ws.inbox / "growing.png"
    grow.write_bytes(b"\x89PNG\r\n\x1a\n")
    stop = threading.Event()

    def writer():  # a scanner still writing: the file changes during the stability window
        while not stop.is_set():
            with open(grow, "ab") as fh:
                fh.write(b"x" * 100)
            time.sleep(0.05)

    t = threading.Thread(target=writer)
    t.start()
    try:
        s = run(ws, stable_seconds=0.5)
    finally:
        stop.set()
        t.join()
    assert s.files == 0 and s.unstable == 1 and grow.exists()
    s = run(ws, stable_seconds=0.3)  # unchanged now: taken (and quarantined, it is not a real PNG)
    assert s.files == 1 and not grow.exists()


def test_watch_memory_needs_two_sightings(tmp_path):
    f = tmp_path / "x.tif"
    f.write_bytes(b"II*\x00")
    seen = {}
    assert scan(tmp_path, 0.2, seen=seen).unstable == [f]
    time.sleep(0.25)
    assert scan(tmp_path, 0.2, seen=seen).ready == [f]


def test_temporary_and_hidden_files_are_ignored(ws):
    names = {"scan.pdf.part", "~$draft.pdf", ".DS_Store", "Thumbs.db", ".hidden.png"}
    for name in names:
        (ws.inbox / name).write_bytes(b"%PDF-1.4")
    s = run(ws)
    assert s.files == 0
    assert {p.name for p in ws.inbox.iterdir()} == names  # left untouched where they are
    assert rows(ws, "SELECT COUNT(*) FROM files") == [(0,)]


def test_type_is_decided_by_content_not_extension(ws):
    write_png(ws.inbox / "looks-like.pdf", page_image(P("request", 1, 1, 1, "R1")))
    run(ws)
    assert rows(ws, "SELECT kind, state FROM files") == [("png", "archived")]
    assert sniff_bytes(b"II*\x00....") == "tiff" and sniff_bytes(b"MM\x00*") == "tiff"
    assert sniff_bytes(b"\xff\xd8\xff\xe0") == "jpeg" and sniff_bytes(b"junk\n%PDF-1.7") == "pdf"
    assert sniff_bytes(b"PK\x03\x04") == "unknown"


def test_duplicate_file_is_recorded_and_moved_never_loaded_twice(ws):
    img = page_image(P("survey", 1, 1, 2, "R1"), {"q1": "a"})
    write_png(ws.inbox / "first.png", img)
    run(ws)
    write_png(ws.inbox / "again.png", img)  # same bytes, other name
    s = run(ws)
    assert s.duplicates == 1
    [(state, dup_of)] = rows(ws, "SELECT state, duplicate_of FROM files WHERE original_name='again.png'")
    [(first_id,)] = rows(ws, "SELECT id FROM files WHERE original_name='first.png'")
    assert (state, dup_of) == ("duplicate", first_id)
    assert rows(ws, "SELECT COUNT(*) FROM pages") == [(1,)]
    assert rows(ws, "SELECT COUNT(*) FROM field_values") == [(1,)]
    assert len(files_in(ws.duplicates)) == 1
    assert_every_file_placed_once(ws, 2)


@pytest.mark.parametrize("name,content,code", [
    ("zero.tif", b"", "empty"),
    ("broken.tif", b"II*\x00" + b"\x00" * 10 + b"\xff" * 300, "corrupt"),
    ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\n%%EOF\n", "corrupt"),
    ("notes.txt", "会議メモ".encode(), "unsupported"),
])
def test_unreadable_files_go_to_quarantine_with_a_reason(ws, name, content, code):
    (ws.inbox / name).write_bytes(content)
    write_png(ws.inbox / "good.png", page_image(P("request", 1, 1, 1, "R1")))  # the loop goes on
    s = run(ws)
    assert (s.quarantined, s.archived) == (1, 1)
    [(reason, stored)] = rows(ws, "SELECT reason, stored_path FROM files WHERE state='quarantined'")
    assert reason.startswith(code + ":")
    q = ws.root / stored
    assert q.name == name and q.read_bytes() == content
    assert Path(str(q) + ".reason.txt").read_text(encoding="utf-8").splitlines()[1].startswith(code)
    assert_every_file_placed_once(ws, 2)


def _pdf(path: Path, pages: int, *, password: str | None = None, size=(595, 842)) -> Path:
    from pypdf import PdfWriter
    w = PdfWriter()
    for _ in range(pages):
        w.add_blank_page(*size)
    if password:
        w.encrypt(password)
    with open(path, "wb") as fh:
        w.write(fh)
    return path


def test_encrypted_pdf_is_quarantined(ws):
    _pdf(ws.inbox / "secret.pdf", 1, password="himitsu")
    run(ws)
    assert rows(ws, "SELECT substr(reason,1,9) FROM files") == [("encrypted",)]


def test_pdf_with_too_many_pages_is_quarantined_without_rendering(ws):
    _pdf(ws.inbox / "big.pdf", 500)
    t = time.monotonic()
    run(ws)
    assert time.monotonic() - t < 20
    assert rows(ws, "SELECT substr(reason,1,14) FROM files") == [("too_many_pages",)]


def test_decompression_bomb_is_rejected_before_decoding(ws):
    # 30000 x 30000 bilevel pixels: 100 KB on disk, 900 Mpx decoded.
    Image.new("1", (30000, 30000), 1).save(ws.inbox / "bomb.png", optimize=True)
    assert (ws.inbox / "bomb.png").stat().st_size < 2_000_000
    _pdf(ws.inbox / "poster.pdf", 1, size=(20000, 20000))  # a PDF page that would render to 3 Gpx
    run(ws)
    assert sorted(r[0] for r in rows(ws, "SELECT substr(reason,1,9) FROM files")) == ["too_large", "too_large"]


def test_symlink_is_quarantined_never_followed(ws, tmp_path):
    target = write_png(tmp_path / "elsewhere.png", page_image(P("request", 1, 1, 1, "R1")))
    os.symlink(target, ws.inbox / "link.png")
    s = run(ws)
    assert s.quarantined == 1 and s.archived == 0
    [(reason, stored)] = rows(ws, "SELECT reason, stored_path FROM files")
    assert reason.startswith("symlink")
    assert (ws.root / stored).is_symlink() and target.exists()
    assert rows(ws, "SELECT COUNT(*) FROM pages") == [(0,)]


def test_foreign_file_is_quarantined_with_its_page_images(ws):
    write_tiff(ws.inbox / "cover.tif", [page_image(None), page_image(None, seed=1)], dpi=(204, 98))
    s = run(ws)
    assert s.quarantined == 1
    [(fid, reason)] = rows(ws, "SELECT id, reason FROM files")
    assert reason.startswith("not_our_form")
    pages = rows(ws, "SELECT status, image_path, dpi_y FROM pages WHERE file_id=?", fid)
    assert [p[0] for p in pages] == ["foreign", "foreign"] and all((ws.root / p[1]).exists() for p in pages)
    assert rows(ws, "SELECT COUNT(*) FROM submissions") == [(0,)]


def test_cover_sheet_with_form_pages_archives_and_records_the_foreign_page(ws):
    write_tiff(ws.inbox / "fax.tif", [page_image(None), page_image(P("request", 1, 1, 1, "R7"))])
    run(ws)
    assert rows(ws, "SELECT state FROM files") == [("archived",)]
    assert rows(ws, "SELECT status FROM pages ORDER BY page_index") == [("foreign",), ("identified",)]


def test_non_square_fax_dpi_is_handed_on(ws):
    seen = []

    def spy(image, dpi, forms):
        seen.append((image.shape, dpi))
        return qr_double(image, dpi, forms)

    img = page_image(P("request", 1, 1, 1, "R1"), size=(1728, 2200))
    write_tiff(ws.inbox / "std.tif", [img[::2]], dpi=(204, 98))  # every other line: standard mode
    run(ws, recognizer=spy)
    assert seen == [((1100, 1728), (204.0, 98.0))]


def test_recognizer_failure_quarantines_the_file_and_the_loop_goes_on(ws):
    write_png(ws.inbox / "a.png", page_image(P("request", 1, 1, 1, "R1")))
    write_png(ws.inbox / "b.png", page_image(P("request", 1, 1, 1, "R2")))
    s = run(ws, recognizer=failing_double)
    assert s.quarantined == 2
    assert {r[0].split(":")[0] for r in rows(ws, "SELECT reason FROM files")} == {"recognition_failed"}


def test_dry_run_moves_and_writes_nothing(ws):
    write_png(ws.inbox / "a.png", page_image(P("request", 1, 1, 1, "R1")))
    (ws.inbox / "zero.pdf").write_bytes(b"")
    s = run(ws, dry_run=True)
    assert s.dry_run and (s.files, s.archived, s.quarantined) == (2, 1, 1)
    assert sorted(p.name for p in files_in(ws.inbox)) == ["a.png", "zero.pdf"]
    assert rows(ws, "SELECT COUNT(*) FROM files") == [(0,)]
    assert files_in(ws.pages) == []


def test_interrupted_after_commit_finishes_the_move_without_loading_again(ws):
    """A crash between the commit and the move: the next run only finishes the move."""
    write_png(ws.inbox / "a.png", page_image(P("survey", 1, 1, 2, "R1"), {"q1": "x"}))
    import intake.ingest.archive as archive_mod
    real_move = archive_mod.move

    def crash(*a, **k):
        raise KeyboardInterrupt  # stands for the process dying right after COMMIT

    archive_mod.move = crash
    try:
        with pytest.raises(KeyboardInterrupt):
            run(ws)
    finally:
        archive_mod.move = real_move
    assert len(files_in(ws.processing)) == 1
    s = run(ws)
    assert s.resumed == 1 and s.archived == 1
    assert rows(ws, "SELECT COUNT(*) FROM files") == [(1,)]
    assert rows(ws, "SELECT COUNT(*) FROM field_values") == [(1,)]
    assert_every_file_placed_once(ws, 1)


def test_interrupted_before_commit_is_processed_again(ws):
    write_png(ws.inbox / "a.png", page_image(P("request", 1, 1, 1, "R1")))
    from intake.ingest import claim as claim_mod
    c = claim_mod.claim(ws.processing, ws.inbox / "a.png")
    c.release()  # the owner died before writing anything
    s = run(ws)
    assert s.resumed == 1 and s.archived == 1
    assert_every_file_placed_once(ws, 1)


def test_a_claimed_file_is_not_taken_by_another_run(ws):
    write_png(ws.inbox / "a.png", page_image(P("request", 1, 1, 1, "R1")))
    from intake.ingest import claim as claim_mod
    c = claim_mod.claim(ws.processing, ws.inbox / "a.png")  # a live process holds it
    try:
        s = run(ws)
        assert s.files == 0 and c.path.exists()
    finally:
        c.release()


def test_workers_give_the_same_result_as_sequential(tmp_path):
    results = []
    for workers in (1, 2):
        ws = workspace.init(tmp_path / f"ws{workers}")
        for i in range(4):
            write_png(ws.inbox / f"p{i}.png", page_image(P("survey", 1, i % 2 + 1, 2, f"R{i // 2}"), {"k": f"v{i}"}))
        (ws.inbox / "bad.tif").write_bytes(b"II*\x00garbage")
        s = run(ws, workers=workers)
        results.append((s.archived, s.quarantined, s.submissions,
                        rows(ws, "SELECT respondent_id, status FROM submissions ORDER BY respondent_id"),
                        sorted(rows(ws, "SELECT key, value FROM field_values"))))
    assert results[0] == results[1]
    assert results[0][:3] == (4, 1, 2)
