"""Real OS processes: two `intake process` runs on one inbox, and SIGKILL in the middle of a batch."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from intake import workspace
from intake.form.identity import PageIdentity as P
from test_ingest_doubles import page_image, write_png

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parent.parent


def _fill_inbox(ws, n: int) -> dict[str, str]:
    """n files: form pages of n//3 respondents (2 pages each, split over files), foreign pages,
    a duplicate pair and a broken file. Returns sha256 -> name."""
    shas = {}
    for i in range(n):
        p = ws.inbox / f"f{i:03d}.png"
        if i % 5 == 4:
            p.write_bytes(b"\x89PNG\r\n\x1a\n broken")
        elif i % 3 == 0:
            write_png(p, page_image(None, seed=i, size=(827, 1169), scale=3))
        else:
            write_png(p, page_image(P("survey", 1, i % 3, 2, f"R{i // 3}"), size=(827, 1169), scale=3, seed=i))
        shas[hashlib.sha256(p.read_bytes()).hexdigest()] = p.name
    dup = ws.inbox / "f001-copy.png"
    dup.write_bytes((ws.inbox / "f001.png").read_bytes())
    return shas


def _cmd(ws) -> list[str]:
    # The CLI in a fresh interpreter, with the QR double as recogniser (identity is what these rules need).
    code = ("import sys; sys.path.insert(0, %r); import test_ingest_doubles as d; "
            "import intake.ingest.pipeline as p; p.default_recognizer = lambda: d.qr_double; "
            "from intake.cli import main; main()") % str(Path(__file__).parent)
    return [sys.executable, "-c", code, "--home", str(ws.root), "process", "--quiet", "--stable-seconds", "0"]


def _check_journey(ws, shas: dict[str, str], n_files: int):
    leftover = [p for p in ws.inbox.iterdir()] + [p for p in ws.processing.iterdir()]
    assert leftover == []
    placed = [p for d in (ws.archive, ws.quarantine, ws.duplicates) for p in d.rglob("*")
              if p.is_file() and not p.name.endswith(".reason.txt")]
    assert len(placed) == n_files
    with sqlite3.connect(ws.db_path) as c:
        files = c.execute("SELECT sha256, state FROM files").fetchall()
        per_sha_loaded = c.execute("SELECT sha256, COUNT(*) FROM files WHERE state='archived' GROUP BY sha256"
                                   " HAVING COUNT(*) > 1").fetchall()
        pages_twice = c.execute("SELECT submission_id, page, COUNT(*) FROM pages WHERE status='identified'"
                                " GROUP BY submission_id, page HAVING COUNT(*) > 1").fetchall()
        subs_twice = c.execute("SELECT respondent_id, COUNT(*) FROM submissions GROUP BY respondent_id"
                               " HAVING COUNT(*) > 1").fetchall()
    assert len(files) == n_files and set(s for s, _ in files) == set(shas)
    assert per_sha_loaded == [] and pages_twice == [] and subs_twice == []
    assert sum(1 for _, st in files if st == "duplicate") == 1


def test_two_processes_at_once_never_handle_a_file_twice(tmp_path):
    ws = workspace.init(tmp_path / "ws")
    shas = _fill_inbox(ws, 40)
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    procs = [subprocess.Popen(_cmd(ws), cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    handled = [int(o[0].decode().split(" files")[0].split()[-1]) for o in outs]
    assert sum(handled) == 41 and min(handled) > 0, outs  # both worked, together exactly once each
    _check_journey(ws, shas, 41)


def test_sigkill_mid_batch_then_restart_loses_and_duplicates_nothing(tmp_path):
    ws = workspace.init(tmp_path / "ws")
    shas = _fill_inbox(ws, 60)
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    proc = subprocess.Popen(_cmd(ws), cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with sqlite3.connect(ws.db_path, timeout=5) as c:
                done = c.execute("SELECT COUNT(*) FROM files").fetchone()[0]
        except sqlite3.OperationalError:
            pass
        if done >= 10:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the batch finished before it could be killed; make it bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert 0 < done < 61
    rerun = subprocess.run(_cmd(ws), cwd=REPO, env=env, capture_output=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr.decode()
    _check_journey(ws, shas, 61)
