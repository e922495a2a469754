"""`intake watch`: process the inbox as files arrive, until Ctrl-C.

Native file events (watchdog) wake the loop; `poll` switches to watchdog's PollingObserver for
network shares where events do not arrive. A full rescan runs at start and every
`rescan_seconds` anyway (events can be lost). Stability is tracked between passes, so a file
still being written is retried on a later pass, never waited for in place. Ctrl-C (or
`stop_event`) stops after the current file.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable

from intake.form.model import FormDef
from intake.ingest import scan as scan_mod
from intake.ingest.pipeline import Pipeline, Recognizer, Summary
from intake.workspace import Workspace


def watch(ws: Workspace, poll: float | None = None, rescan_seconds: float = 60, stop_event: threading.Event | None = None,
          *, forms: dict[str, FormDef] | None = None, recognizer: Recognizer | None = None, workers: int = 1,
          stable_seconds: float = scan_mod.DEFAULT_STABLE_SECONDS,
          on_pass: Callable[[Summary], None] | None = None) -> Summary:
    """Run until stopped; returns the totals over all passes."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    stop = stop_event or threading.Event()
    wake = threading.Event()

    class _Wake(FileSystemEventHandler):
        def on_any_event(self, event):
            wake.set()

    total = Summary()
    t0 = time.monotonic()
    pipe = Pipeline(ws, forms=forms, recognizer=recognizer, workers=workers)
    observer = PollingObserver(timeout=poll) if poll else Observer()
    observer.schedule(_Wake(), str(ws.inbox), recursive=False)
    observer.start()
    old_handler = None
    if threading.current_thread() is threading.main_thread():
        old_handler = signal.signal(signal.SIGINT, lambda *_: (stop.set(), wake.set()))
    seen: dict = {}
    first = True
    try:
        while not stop.is_set():
            found = scan_mod.scan(ws.inbox, stable_seconds, seen=seen)
            if found.ready or found.symlinks or first:
                s = Summary()
                pipe.run(s, found.ready, found.symlinks, resume=first, stop=stop)
                first = False
                for o in s.outcomes:
                    total.add(o)
                total.resumed += s.resumed
                if on_pass and s.files:
                    on_pass(s)
            # Wake on an event, to re-check unstable files, or for the periodic full rescan.
            timeout = rescan_seconds
            if found.unstable:
                timeout = min(timeout, max(0.2, stable_seconds / 2))
            end = time.monotonic() + timeout
            while not stop.is_set() and not wake.wait(min(0.5, max(0.0, end - time.monotonic()))):
                if time.monotonic() >= end:
                    break  # slices of 0.5 s: an external stop_event is seen promptly
            wake.clear()
    finally:
        if old_handler is not None:
            signal.signal(signal.SIGINT, old_handler)
        observer.stop()
        observer.join(timeout=10)
        total.submissions = len(pipe.touched)
        pipe.close()
    total.seconds = time.monotonic() - t0
    return total
