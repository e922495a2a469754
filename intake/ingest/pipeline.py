"""One pass over the inbox: every file from inbox/ to archive/, quarantine/ or duplicates/.

The stages, in order (beets' importer shape: assembled here, in one readable place):

  resume      files left in processing/ by a crashed run are locked and taken again
  scan        inbox entries that are not temporary/hidden and are stable (size+mtime)
  claim       flock + atomic rename inbox/X -> processing/<claim>__X (one process per file)
  checksum    SHA-256; an archived checksum makes the file a duplicate
  sniff       the type from the first bytes
  rasterize   pages as (grey image, dpi); limits on pages, pixels and time
  recognize   read_page(image, dpi, forms) -> PageReading (in a process pool when workers > 1)
  acroform    filled PDF form values replace OCR readings (exact, confidence 1.0)
  context     digits on file (phone, postal code...) weighed against the office's respondent list
  store       files + pages + submissions + field_values in ONE transaction
  validate    rules from the form definition flag failing fields for review (same transaction)
  finish      the move to archive/ (read-only) / quarantine/ (+ reason) / duplicates/

A file whose pages are all foreign is quarantined as 'not_our_form' with its page images.
An identified page of an unknown form, or a page without a readable code, is stored as an
'unidentified' page of an archived file, for the clerk's review queue.
"""

from __future__ import annotations

import collections
import hashlib
import json
import os
import shutil
import sqlite3
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from intake.errors import InputRejected, MissingDependencyError
from intake.form.model import FormDef
from intake.ingest import acroform, archive, assemble, claim as claim_mod, context, rules, scan as scan_mod
from intake.ingest.rasterize import MAX_PAGES, rasterize
from intake.ingest.sniff import sniff
from intake.recognize.types import PageReading
from intake.store.db import now, open_db
from intake.workspace import Workspace

Recognizer = Callable[[np.ndarray, tuple[float, float], dict[str, FormDef]], PageReading]


@dataclass
class Outcome:
    """What happened to one file (or, in a dry run, what would)."""
    name: str
    state: str                      # archived | quarantined | duplicate
    reason: str | None = None
    pages: int = 0
    detail: str = ""
    file_id: int | None = None


@dataclass
class Summary:
    files: int = 0
    pages: int = 0
    submissions: int = 0            # submissions created or completed by new pages in this run
    quarantined: int = 0
    duplicates: int = 0
    archived: int = 0
    resumed: int = 0
    unstable: int = 0               # left in the inbox for the next pass
    seconds: float = 0.0
    dry_run: bool = False
    outcomes: list[Outcome] = field(default_factory=list)

    def add(self, o: Outcome) -> None:
        self.outcomes.append(o)
        self.files += 1
        self.pages += o.pages
        if o.state == "archived":
            self.archived += 1
        elif o.state == "quarantined":
            self.quarantined += 1
        elif o.state == "duplicate":
            self.duplicates += 1

    def line(self) -> str:
        verb = "would be " if self.dry_run else ""
        return (f"{self.files} files, {self.pages} pages, {self.submissions} submissions, "
                f"{self.quarantined} {verb}quarantined, {self.duplicates} duplicates, {self.seconds:.1f} s")


def default_recognizer() -> Recognizer:
    """intake.recognize.read_page, imported only when needed (it loads OpenCV and tesseract)."""
    try:
        from intake.recognize import read_page  # type: ignore[attr-defined]
    except ImportError as exc:
        raise MissingDependencyError("page recognition (intake.recognize.read_page) is not available",
                                     hint="reinstall intake: .venv/bin/pip install -e .") from exc
    return read_page


# ---- recognition of one page (runs in a worker process when workers > 1) ------------------------

@dataclass
class PageResult:
    index: int
    dpi: tuple[float, float]
    reading: PageReading            # image and crops stripped: they are saved as PNG files
    image_path: str | None
    crop_paths: dict[str, str]
    error: str | None = None


_WORKER: dict[str, Any] = {}


# One thread per worker process for the libraries that would start their own: the pool already
# keeps every core busy. OpenBLAS (numpy's matrix products in the digit model) starts one thread
# per core in every worker, and with 2 workers on 2 cores its threads spin against each other
# (seed-7 corpus, 40 pages read in one process: 212 -> 142 ms of CPU a page, the same readings).
# Set before the workers start, because a library reads them when it is loaded.
WORKER_ENV = {"OMP_THREAD_LIMIT": "1", "OPENBLAS_NUM_THREADS": "1"}


def start_pool(workers: int, recognizer: Recognizer, forms: dict[str, FormDef]) -> ProcessPoolExecutor | None:
    """The recognition processes (None for workers <= 1: pages are read in this process)."""
    for k, v in WORKER_ENV.items():
        os.environ.setdefault(k, v)      # a value the user set is theirs
    if workers <= 1:
        return None
    import multiprocessing as mp
    return ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"),
                               initializer=_init_worker, initargs=(recognizer, forms))


def _init_worker(recognizer: Recognizer, forms: dict[str, FormDef]) -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"
    _WORKER["recognizer"], _WORKER["forms"] = recognizer, forms


def _worker_read(root: str, stem: str | None, index: int, image: np.ndarray, dpi) -> PageResult:
    return read_and_save(_WORKER["recognizer"], _WORKER["forms"], Path(root), stem, index, image, dpi)


def _square(image: np.ndarray, dpi: tuple[float, float]) -> np.ndarray:
    """Resample non-square fax pixels so a saved page looks right to a person."""
    import cv2
    if abs(dpi[0] - dpi[1]) < 1:
        return image
    h, w = image.shape[:2]
    return cv2.resize(image, (w, max(1, round(h * dpi[0] / dpi[1]))), interpolation=cv2.INTER_LINEAR)


def _png_params() -> list[int]:
    """Level 1, run-length strategy, SUB row filter (lossless). libpng's default tries every row
    filter on every row, about half of the encoding time. Measured on 40 canonical pages
    (1680x2376): 47 ms and 464 KiB a page before (level 3, RLE, adaptive filters), 21-26 ms and
    519 KiB with these. An OpenCV without the filter flag (< 4.11) keeps its adaptive filters."""
    import cv2
    params = [cv2.IMWRITE_PNG_COMPRESSION, 1, cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_RLE]
    if hasattr(cv2, "IMWRITE_PNG_FILTER"):
        params += [cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_SUB]
    return params


def _save_png(root: Path, rel: str, image: np.ndarray) -> str:
    import cv2
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name("." + path.name)
    ok, buf = cv2.imencode(".png", np.ascontiguousarray(image), _png_params())
    if ok:
        tmp.write_bytes(buf.tobytes())
        os.replace(tmp, path)
    return rel


def read_and_save(recognizer: Recognizer, forms: dict[str, FormDef], root: Path, stem: str | None,
                  index: int, image: np.ndarray, dpi) -> PageResult:
    """Recognise one page; save its image and field crops under pages/ and crops/ (unless stem is None)."""
    dpi = (float(dpi[0]), float(dpi[1]))
    try:
        reading = recognizer(image, dpi, forms)
    except Exception as exc:  # noqa: BLE001 - a recogniser bug quarantines this file, not the loop
        return PageResult(index, dpi, PageReading("unidentified"), None, {}, error=f"{type(exc).__name__}: {exc}")
    image_path, crops = None, {}
    if stem is not None:
        shown = reading.image if reading.image is not None else _square(image, dpi)
        image_path = _save_png(root, f"pages/{stem}/p{index + 1:03d}.png", shown)
        for fr in reading.fields:
            if fr.crop is not None and fr.crop.size:
                crops[fr.key] = _save_png(root, f"crops/{stem}/p{index + 1:03d}_{fr.key}.png", fr.crop)
    reading.image = None
    for fr in reading.fields:
        fr.crop = None
    return PageResult(index, dpi, reading, image_path, crops)


class _Done(Future):
    """A finished future: the sequential path runs the same code as the pool path."""

    def __init__(self, value):
        super().__init__()
        self.set_result(value)


# ---- the pipeline --------------------------------------------------------------------------------

@dataclass
class _InFlight:
    claim: claim_mod.Claim | None   # None in a dry run (the file stays in the inbox)
    path: Path
    name: str
    sha256: str
    size: int
    kind: str
    futures: list[Future] = field(default_factory=list)
    rejected: InputRejected | None = None


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Pipeline:
    """The stages wired together for one workspace; `process` and `watch` drive it."""

    def __init__(self, ws: Workspace, *, forms: dict[str, FormDef] | None = None,
                 recognizer: Recognizer | None = None, dry_run: bool = False, workers: int = 1,
                 max_pages: int = MAX_PAGES):
        from intake.form.loader import load_forms

        self.ws = ws.require()
        self.forms = forms if forms is not None else load_forms(ws.forms_path())
        self.recognizer = recognizer or default_recognizer()
        self.dry_run = dry_run
        self.workers = max(1, int(workers))
        self.max_pages = max_pages
        self.db = open_db(ws.db_path)
        self.conn: sqlite3.Connection = self.db.conn
        self.pool: ProcessPoolExecutor | None = None
        self.touched: set[str] = set()
        self.pool = start_pool(self.workers, self.recognizer, self.forms)

    def close(self) -> None:
        if self.pool:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        self.conn.close()

    # -- the stages -------------------------------------------------------------------------------

    def run(self, summary: Summary, ready: list[Path], symlinks: list[Path], *, resume: bool = True,
            stop: threading.Event | None = None, bar=None) -> Summary:
        if resume and not self.dry_run:
            for c in claim_mod.orphans(self.ws.processing):
                summary.resumed += 1
                self._drain(summary, self._start(c, c.path, c.original_name), bar)
        for link in symlinks:
            summary.add(self._quarantine_symlink(link))
            bar and bar.update(1)
        window: collections.deque[_InFlight] = collections.deque()
        depth = 1 if self.pool is None else 2 * self.workers
        for path in ready:
            if stop is not None and stop.is_set():
                break
            if self.dry_run:
                item = self._start(None, path, path.name)
            else:
                c = claim_mod.claim(self.ws.processing, path)
                if c is None:
                    bar and bar.update(1)
                    continue  # another process has it
                item = self._start(c, c.path, c.original_name)
            if item is None:
                continue
            window.append(item)
            while len(window) >= depth:
                self._finish(summary, window.popleft(), bar)
        while window:
            self._finish(summary, window.popleft(), bar)
        summary.submissions = len(self.touched)
        return summary

    def _drain(self, summary: Summary, item: "_InFlight | Outcome | None", bar) -> None:
        if isinstance(item, _InFlight):
            self._finish(summary, item, bar)
        elif isinstance(item, Outcome):
            summary.add(item)

    def _start(self, c: claim_mod.Claim | None, path: Path, name: str) -> "_InFlight | Outcome | None":
        """checksum, sniff, rasterize and submit the pages for recognition."""
        if c is not None and c.resumed:
            done = self._finish_committed_move(c)
            if done is not None:
                return done
        try:
            size = path.stat().st_size
            digest = sha256_of(path)
        except FileNotFoundError:
            c and c.release()
            return None
        item = _InFlight(c, path, name, digest, size, sniff(path))
        if self._archived_id(digest) is not None:
            return item  # a duplicate: nothing to read
        try:
            stem = None if self.dry_run else c.claim_id  # type: ignore[union-attr]
            for i, (image, dpi) in enumerate(rasterize(path, item.kind, max_pages=self.max_pages, name=name)):
                args = (str(self.ws.root), stem, i, image, dpi)
                if self.pool is not None:
                    item.futures.append(self.pool.submit(_worker_read, *args))
                else:
                    item.futures.append(_Done(read_and_save(self.recognizer, self.forms, Path(args[0]), *args[1:])))
        except InputRejected as exc:
            item.rejected = exc
            for f in item.futures:
                f.cancel()
            item.futures = []
        return item

    def _finish(self, summary: Summary, item: _InFlight, bar) -> None:
        try:
            outcome = self._store(item)
        finally:
            if item.claim is not None:
                item.claim.release()
        summary.add(outcome)
        if bar is not None:
            bar.update(1)
            bar.set_postfix_str(f"{outcome.name[:24]} -> {outcome.state}")

    def _archived_id(self, digest: str) -> int | None:
        row = self.conn.execute("SELECT id FROM files WHERE sha256=? AND state='archived' ORDER BY id LIMIT 1",
                                (digest,)).fetchone()
        return row[0] if row else None

    # -- store + finish -----------------------------------------------------------------------------

    def _store(self, item: _InFlight) -> Outcome:
        dup = self._archived_id(item.sha256)
        if dup is not None:
            return self._duplicate(item, dup)
        if item.rejected is not None:
            return self._quarantine(item, item.rejected.code, str(item.rejected), [])
        results: list[PageResult] = [f.result() for f in item.futures]
        failed = [r for r in results if r.error]
        if failed:
            return self._quarantine(item, "recognition_failed", f"page {failed[0].index + 1}: {failed[0].error}", [])
        self._apply_acroform(item, results)
        context.apply(self.conn, self.forms, [r.reading for r in results])
        for r in results:  # an identified page of a form we do not have cannot be read: review it
            rd = r.reading
            if rd.status == "identified" and (rd.identity is None or rd.identity.form not in self.forms):
                rd.status, rd.note = "unidentified", f"unknown form {rd.identity.form if rd.identity else '?'}"
        if not results or all(r.reading.status == "foreign" for r in results):
            notes = "; ".join(sorted({r.reading.note for r in results if r.reading.note}))[:300]
            return self._quarantine(item, "not_our_form",
                                    "no page carries one of our form codes" + (f" ({notes})" if notes else ""),
                                    results)
        return self._archive(item, results)

    def _apply_acroform(self, item: _InFlight, results: list[PageResult]) -> None:
        if item.kind != "pdf":
            return
        values = acroform.read_values(item.path)
        if not acroform.has_filled_values(values):
            return
        from intake.form.layout import layout
        for r in results:
            ident = r.reading.identity
            if r.reading.status != "identified" or ident is None or ident.form not in self.forms:
                continue
            form = self.forms[ident.form]
            lay = layout(form)
            if not 1 <= ident.page <= lay.page_count:
                continue
            keys = [g.key for g in lay.pages[ident.page - 1].fields]
            r.reading.fields = acroform.readings_for_page(form, keys, values.get(r.index, {}))

    def _file_row(self, item: _InFlight, state: str, stored: Path, *, reason: str | None = None,
                  duplicate_of: int | None = None, pages: int | None = None) -> int:
        cur = self.conn.execute(
            "INSERT INTO files (sha256, original_name, size, kind, state, reason, stored_path, duplicate_of,"
            " page_count, received_at, finished_at, claimed_as) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (item.sha256, item.name, item.size, item.kind, state, reason, self._rel(stored), duplicate_of,
             pages, now(), now(), item.claim.name if item.claim else None))
        return cur.lastrowid

    def _rel(self, p: Path) -> str:
        return str(Path(p).relative_to(self.ws.root))

    def _duplicate(self, item: _InFlight, of: int) -> Outcome:
        out = Outcome(item.name, "duplicate", "duplicate", detail=f"same SHA-256 as file #{of}")
        if self.dry_run:
            return out
        dst = archive.duplicate_path(self.ws, item.claim.name)
        with self._tx():
            out.file_id = self._file_row(item, "duplicate", dst, reason="duplicate", duplicate_of=of)
        archive.move(item.path, dst)
        self._drop_images(item)
        return out

    def _quarantine(self, item: _InFlight, code: str, message: str, results: list[PageResult]) -> Outcome:
        out = Outcome(item.name, "quarantined", code, pages=len(results), detail=message)
        if self.dry_run:
            return out
        dst = archive.quarantine_path(self.ws, item.name, item.claim.claim_id)
        reason = f"{code}: {message}"
        with self._tx():
            fid = self._file_row(item, "quarantined", dst, reason=reason, pages=len(results))
            for r in results:
                self._page_row(fid, r, None)
        out.file_id = fid
        if not results:
            self._drop_images(item)
        self._finish_quarantine(item.path, dst, reason, item.name)
        return out

    def _finish_quarantine(self, src: Path, dst: Path, reason: str, name: str) -> None:
        archive.write_reason(dst, f"{name}\n{reason}\nat {now()}\nfix the cause, then run: intake retry")
        archive.move(src, dst)

    def _archive(self, item: _InFlight, results: list[PageResult]) -> Outcome:
        ident_pages = [r for r in results if r.reading.status == "identified"]
        out = Outcome(item.name, "archived", pages=len(results),
                      detail=", ".join(r.reading.identity.human() if r.reading.identity else r.reading.status
                                       for r in results))
        if self.dry_run:
            self.touched.update(f"{r.reading.identity.form}/{r.reading.identity.respondent}" for r in ident_pages)
            return out
        dst = archive.archive_path(self.ws, item.sha256, item.kind)
        try:
            with self._tx():
                fid = self._file_row(item, "archived", dst, pages=len(results))
                anon = assemble.AnonSets()
                touched = set()
                for r in results:
                    placement = None
                    if r.reading.status == "identified":
                        placement = assemble.place(self.conn, r.reading.identity, anon)
                    pid = self._page_row(fid, r, placement)
                    if placement and placement.duplicate_of is None:
                        self._field_rows(placement.submission_id, pid, r)
                    if placement:
                        touched.add(placement.submission_id)
                for sid in touched:
                    rules.flag_rule_failures(self.conn, self.forms, sid)
                    assemble.refresh_status(self.conn, sid)
        except sqlite3.IntegrityError:
            # Another process archived the same bytes between our check and our commit.
            of = self._archived_id(item.sha256)
            if of is None:
                raise
            return self._duplicate(item, of)
        self.touched.update(touched)
        out.file_id = fid
        archive.move(item.path, dst, read_only=True)
        self._dispatch(touched)
        return out

    def _dispatch(self, sids: set[str]) -> None:
        """Each touched submission goes to intake.dispatch: accepted ones into the profile tables,
        reply slips to what they answer (idempotent, so a crash before this point is repaired by the
        review desk's settle or the next run)."""
        from intake import dispatch

        for sid in sids:
            row = self.conn.execute("SELECT status FROM submissions WHERE id=?", (sid,)).fetchone()
            if row:
                dispatch.submission_settled(self.ws, sid, row[0])  # profiles, reply slips

    def _page_row(self, file_id: int, r: PageResult, placement: assemble.Placement | None) -> int:
        rd, ident = r.reading, r.reading.identity
        status = rd.status if rd.status in ("identified", "unidentified", "foreign") else "unidentified"
        note = rd.note or None
        if placement and placement.duplicate_of is not None:
            status, note = "duplicate", f"same page already stored (page #{placement.duplicate_of})"
        cur = self.conn.execute(
            "INSERT INTO pages (file_id, page_index, status, form, version, page, pages, respondent_id, match_id,"
            " rotated, registration_mm, image_path, submission_id, created_at, note, dpi_x, dpi_y, duplicate_of)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (file_id, r.index, status,
             ident.form if ident else None, ident.version if ident else None,
             ident.page if ident else None, ident.pages if ident else None,
             ident.respondent if ident else None, ident.match if ident else None,
             int(rd.rotated or 0), rd.registration_mm, r.image_path,
             placement.submission_id if placement else None, now(), note, r.dpi[0], r.dpi[1],
             placement.duplicate_of if placement else None))
        return cur.lastrowid

    def _field_rows(self, sid: str, page_id: int, r: PageResult) -> None:
        for fr in r.reading.fields:
            v = json.dumps(fr.value, ensure_ascii=False)
            self.conn.execute(
                "INSERT INTO field_values (submission_id, page_id, key, kind, machine_value, value, confidence,"
                " needs_review, reason, source, crop_path) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT(submission_id, key) DO NOTHING",
                (sid, page_id, fr.key, fr.kind, v, v, float(fr.confidence), int(bool(fr.needs_review)), fr.reason,
                 fr.source or "ocr", r.crop_paths.get(fr.key)))

    def _drop_images(self, item: _InFlight) -> None:
        if item.claim is None:
            return
        for sub in ("pages", "crops"):
            shutil.rmtree(self.ws.root / sub / item.claim.claim_id, ignore_errors=True)

    def _tx(self):
        conn = self.conn

        class _T:
            def __enter__(self):
                conn.execute("BEGIN IMMEDIATE")

            def __exit__(self, et, ev, tb):
                conn.execute("COMMIT" if et is None else "ROLLBACK")
                return False
        return _T()

    # -- crash recovery and symlinks -----------------------------------------------------------------

    def _finish_committed_move(self, c: claim_mod.Claim) -> Outcome | None:
        """A resumed file whose rows were committed before the crash: finish its move only."""
        row = self.conn.execute("SELECT id, state, stored_path, reason, page_count FROM files WHERE claimed_as=?",
                                (c.name,)).fetchone()
        if row is None:
            return None
        fid, state, stored, reason, pages = row
        dst = self.ws.root / stored
        try:
            if state == "quarantined":
                self._finish_quarantine(c.path, dst, reason or "", c.original_name)
            else:
                archive.move(c.path, dst, read_only=(state == "archived"))
        finally:
            c.release()
        return Outcome(c.original_name, state, reason, pages or 0, "resumed after an interruption", fid)

    def _quarantine_symlink(self, link: Path) -> Outcome:
        """A symlink is never followed: the link itself goes to quarantine."""
        out = Outcome(link.name, "quarantined", "symlink", detail="symbolic links are not followed")
        if self.dry_run:
            return out
        import uuid
        dst = archive.quarantine_path(self.ws, link.name, uuid.uuid4().hex[:16])
        try:
            archive.move(link, dst)  # the exclusive step: only one process wins it
        except FileNotFoundError:
            out.state, out.detail = "gone", "taken by another process"
            return out
        reason = "symlink: symbolic links in the inbox are not followed; copy the file itself into inbox/"
        with self._tx():
            item = _InFlight(None, dst, link.name, hashlib.sha256(os.fsencode(os.readlink(dst))).hexdigest(), 0,
                             "unknown")
            out.file_id = self._file_row(item, "quarantined", dst, reason=reason)
        archive.write_reason(dst, f"{link.name}\n{reason}\nat {now()}")
        return out


def process(ws: Workspace, *, forms: dict[str, FormDef] | None = None, recognizer: Recognizer | None = None,
            dry_run: bool = False, workers: int = 1, progress: bool = True,
            stable_seconds: float = scan_mod.DEFAULT_STABLE_SECONDS, stop_event: threading.Event | None = None,
            max_pages: int = MAX_PAGES) -> Summary:
    """One pass over inbox/: resume interrupted files, then every stable file; returns a Summary.

    Files still changing are left for the next pass. With dry_run nothing is moved or written:
    the summary says what would happen to each file.
    """
    t0 = time.monotonic()
    summary = Summary(dry_run=dry_run)
    pipe = Pipeline(ws, forms=forms, recognizer=recognizer, dry_run=dry_run, workers=workers, max_pages=max_pages)
    try:
        found = scan_mod.scan(ws.inbox, stable_seconds)
        summary.unstable = len(found.unstable)
        bar = None
        if progress:
            from tqdm import tqdm
            bar = tqdm(total=len(found.ready) + len(found.symlinks), unit="file", file=sys.stderr,
                       desc="dry run" if dry_run else "intake", leave=False)
        try:
            pipe.run(summary, found.ready, found.symlinks, stop=stop_event, bar=bar)
        finally:
            if bar is not None:
                bar.close()
    finally:
        pipe.close()
    summary.seconds = time.monotonic() - t0
    return summary
