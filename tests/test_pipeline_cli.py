"""The CLI through click's CliRunner; results checked through the Python API."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import intake.ingest.pipeline as pipeline_mod
from intake.cli import main
from intake.form.identity import PageIdentity as P
from intake.store.queries import status_counts
from intake.workspace import Workspace
from test_ingest_doubles import page_image, qr_double, write_png


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline_mod, "default_recognizer", lambda: qr_double)
    home = tmp_path / "office"
    assert CliRunner().invoke(main, ["--home", str(home), "init"]).exit_code == 0
    return home


def cli(home, *args):
    return CliRunner().invoke(main, ["--home", str(home), *args], catch_exceptions=False)


def test_process_exits_0_with_quarantined_files_and_prints_a_summary(home):
    write_png(home / "inbox" / "a.png", page_image(P("request", 1, 1, 1, "R1"), {"phone": "03"}))
    (home / "inbox" / "zero.tif").write_bytes(b"")
    r = cli(home, "process", "--stable-seconds", "0", "--quiet")
    assert r.exit_code == 0, r.output
    assert "2 files, 1 pages, 1 submissions, 1 quarantined, 0 duplicates" in r.output
    assert status_counts(Workspace(home)).files == {"archived": 1, "quarantined": 1}


def test_process_without_a_workspace_exits_2(tmp_path):
    r = CliRunner().invoke(main, ["--home", str(tmp_path / "nowhere"), "process"])
    assert r.exit_code == 2 and "init" in r.output


def test_dry_run_changes_nothing(home):
    write_png(home / "inbox" / "a.png", page_image(P("request", 1, 1, 1, "R1")))
    r = cli(home, "process", "--dry-run", "--stable-seconds", "0")
    assert r.exit_code == 0 and "dry run" in r.output and "archived" in r.output
    assert (home / "inbox" / "a.png").exists() and status_counts(Workspace(home)).files == {}


def test_export_status_and_retry(home, tmp_path):
    write_png(home / "inbox" / "a.png", page_image(P("request", 1, 1, 1, "R1"), {"phone": "0312"}))
    (home / "inbox" / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\nxx")
    cli(home, "process", "--stable-seconds", "0", "--quiet")
    r = cli(home, "export", "--format", "jsonl")
    [rec] = [json.loads(x) for x in r.output.splitlines()]
    assert rec["respondent"] == "R1" and rec["fields"]["phone"]["value"] == "0312"
    out = tmp_path / "x.csv"
    assert cli(home, "export", "--format", "csv", "--form", "request", "--out", str(out)).exit_code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    r = cli(home, "status")
    assert "archived 1" in r.output and "quarantined 1" in r.output and "corrupt 1" in r.output
    r = cli(home, "retry")
    assert "1 file(s) back in the inbox" in r.output and (home / "inbox" / "bad.png").exists()


def test_help_names_the_python_function_and_an_example():
    for cmd in ("process", "watch", "export", "status", "retry"):
        r = CliRunner().invoke(main, [cmd, "--help"])
        assert "Python: intake." in r.output and "Example" in r.output, cmd
