"""`watch`: files dropped while it runs are processed; a stop request ends it cleanly."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from intake import workspace
from intake.form.identity import PageIdentity as P
from intake.ingest.watch import watch
from test_ingest_doubles import page_image, qr_double, write_png


@pytest.mark.parametrize("poll", [None, 0.2], ids=["events", "polling"])
def test_watch_processes_arrivals_and_stops(tmp_path, poll):
    ws = workspace.init(tmp_path / "ws")
    write_png(ws.inbox / "before.png", page_image(P("request", 1, 1, 1, "R1")))  # the start-up rescan
    stop = threading.Event()
    result = {}
    t = threading.Thread(target=lambda: result.setdefault("s", watch(
        ws, poll=poll, rescan_seconds=30, stop_event=stop, recognizer=qr_double, stable_seconds=0.3)))
    t.start()
    try:
        time.sleep(0.5)
        write_png(ws.inbox / "during.png", page_image(P("request", 1, 1, 1, "R2")))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with sqlite3.connect(ws.db_path) as c:
                if c.execute("SELECT COUNT(*) FROM files WHERE state='archived'").fetchone()[0] == 2:
                    break
            time.sleep(0.1)
    finally:
        stop.set()
        t.join(timeout=20)
    assert not t.is_alive()
    assert result["s"].archived == 2 and list(ws.inbox.iterdir()) == []
