"""The benchmark run: simulate a corpus, push it through the real pipeline, compare with the truth.

    run(out_dir, pages=200, workers=2, seed=..., profiles=ALL) -> BenchResult

1. intake.simulate.simulate writes returns of survey (2 pages), request and reply-slip through
   every channel, with truth.jsonl (respondents enough for `pages` pages).
2. A fresh workspace under out_dir/ws holding the office's respondent list (as printing personalised
   forms records it); the files are copied into its inbox and
   intake.ingest.process(ws, workers=2) runs once, timed (processing only: simulation and
   copying are outside the clock).
3. Every truth page is looked up in the database by (file name, page index): identified with
   the right identity, wrongly identified, or not identified; every truth field is compared
   with the stored value (intake.bench.compare).
4. The same files through full-page `tesseract -l jpn` (intake.bench.baseline), 2 at a time.
"""

from __future__ import annotations

import json
import math
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from intake.bench.baseline import BaselineResult, full_page_ocr
from intake.bench.compare import FieldOutcome, Tallies, hazard_flags, judge, tally

FORMS = ("survey", "request", "reply-slip")
IDENTITY_KEYS = ("form", "version", "page", "respondent", "match")


@dataclass
class PageOutcome:
    file: str
    index: int
    profile: str
    status: str                 # right | wrong | unidentified (not identified, or not stored at all)
    stored_status: str | None = None


@dataclass
class BenchResult:
    seed: int
    pages: list[PageOutcome]
    fields: list[FieldOutcome]
    process_seconds: float
    workers: int
    baseline: BaselineResult | None = None
    simulate_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def tallies(self) -> Tallies:
        return tally(self.fields)

    @property
    def pages_per_minute(self) -> float:
        return 60.0 * len(self.pages) / self.process_seconds if self.process_seconds else 0.0


# ---- reading what the pipeline stored ----------------------------------------------------------

def stored_pages(db_path: Path) -> dict[tuple[str, int], dict]:
    """(original file name, page index) -> the page row with its field values {key: row}."""
    conn = sqlite3.connect(str(db_path))
    conn.row_factory = sqlite3.Row
    try:
        pages = {}
        for p in conn.execute("SELECT p.*, f.original_name FROM pages p JOIN files f ON f.id = p.file_id"):
            row = dict(p)
            row["fields"] = {}
            pages[(row["original_name"], row["page_index"])] = row
        by_id = {r["id"]: r for r in pages.values()}
        by_sub: dict[str, list[dict]] = {}
        for r in pages.values():
            if r["submission_id"]:
                by_sub.setdefault(r["submission_id"], []).append(r)
        for fv in conn.execute("SELECT submission_id, page_id, key, kind, value, needs_review FROM field_values"):
            fv = dict(fv)
            fv["value"] = json.loads(fv["value"]) if fv["value"] is not None else None
            page = by_id.get(fv["page_id"])
            if page is None:                 # a value not tied to a page: give it to each page of its submission
                for page in by_sub.get(fv["submission_id"], []):
                    page["fields"].setdefault(fv["key"], fv)
            else:
                page["fields"][fv["key"]] = fv
        return pages
    finally:
        conn.close()


def _identity_matches(truth: dict, row: dict) -> bool:
    stored = {"form": row.get("form"), "version": row.get("version"), "page": row.get("page"),
              "respondent": row.get("respondent_id"), "match": row.get("match_id")}
    return all(stored[k] == truth.get(k) for k in IDENTITY_KEYS)


def compare(records: list[dict], stored: dict[tuple[str, int], dict],
            kinds: dict[tuple[str, str], str]) -> tuple[list[PageOutcome], list[FieldOutcome]]:
    """Truth records (truth.jsonl) against the stored pages; kinds: (form, key) -> field kind."""
    pages, fields = [], []
    for rec in records:
        profile = rec["profile"]
        for tp in rec["pages"]:
            row = stored.get((rec["file"], tp["index"]))
            if row is None or row["status"] != "identified":
                status = "unidentified"
            else:
                status = "right" if _identity_matches(tp["identity"], row) else "wrong"
            pages.append(PageOutcome(rec["file"], tp["index"], profile, status, row["status"] if row else None))
            notes = tp.get("notes", {})
            for key, truth in tp["fields"].items():
                kind = kinds.get((rec["form"], key), "text")
                fv = row["fields"].get(key) if (row is not None and status == "right") else None
                fields.append(judge(kind, truth, fv["value"] if fv else None, stored=fv is not None,
                                    needs_review=bool(fv["needs_review"]) if fv else True, profile=profile,
                                    key=f"{rec['form']}.{key}",
                                    flags=hazard_flags(notes.get(key, {}))))
    return pages, fields


# ---- the run -----------------------------------------------------------------------------------

def respondents_for(pages: int, forms) -> int:
    """Respondents needed so that every one returning each form gives at least `pages` pages."""
    from intake.form.layout import layout
    return max(1, math.ceil(pages / sum(layout(f).page_count for f in forms)))


def register_office_list(ws, csv_path: Path, records: list[dict], forms: dict) -> int:
    """Record the corpus's respondent list and the copies sent, as `intake forms render --respondents` does
    when the office prints personalised forms (what the context stage weighs readings against)."""
    from intake.render.record import record_sent
    from intake.render.respondents import read_respondents_csv

    people = {r.id: r for r in read_respondents_csv(csv_path)}
    copies: dict[tuple[str, str], dict[str, tuple]] = {}
    for r in records:                       # a scanned survey is one file per page: one copy sent
        if r["respondent"] in people:
            copies.setdefault((r["form"], r.get("lang", "ja")), {}).setdefault(
                r["respondent"], (people[r["respondent"]], Path(r["file"]), r.get("match")))
    return sum(record_sent(ws, forms[form_id], lang, list(c.values())) for (form_id, lang), c in sorted(copies.items()))


def run(out_dir: Path, *, pages: int = 200, workers: int = 2, seed: int = 2026, profiles: list[str] | None = None,
        baseline: bool = True, baseline_parallel: int = 2, forms_dir: Path | None = None,
        log: Callable[[str], None] = lambda s: None) -> BenchResult:
    """Simulate >= `pages` pages, process them with the real pipeline, compare, time the baseline."""
    from intake.form import load_forms
    from intake.ingest import process
    from intake.simulate import PROFILES, read_truth, simulate
    from intake.simulate.corpus import OFFICE_LIST
    from intake.workspace import default_forms_dir, init

    out_dir = Path(out_dir)
    all_forms = load_forms(forms_dir or default_forms_dir())
    forms = [all_forms[f] for f in FORMS if f in all_forms]
    profiles = list(profiles or PROFILES)
    n = respondents_for(pages, forms)
    sim_dir = out_dir / "corpus"
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    log(f"simulating {n} respondents x {len(forms)} forms through {len(profiles)} channels (seed {seed})")
    t0 = time.monotonic()
    truth_path = simulate(forms, sim_dir, n, seed=seed, profiles=profiles, workers=workers)
    sim_s = time.monotonic() - t0
    records = read_truth(truth_path)

    ws = init(out_dir / "ws")
    register_office_list(ws, sim_dir / OFFICE_LIST, records, all_forms)
    for rec in records:
        shutil.copy2(sim_dir / rec["file"], ws.inbox / rec["file"])
    log(f"processing {sum(len(r['pages']) for r in records)} pages in {len(records)} files, {workers} workers")
    t0 = time.monotonic()
    summary = process(ws, forms=all_forms, workers=workers, progress=False, stable_seconds=0.0)
    proc_s = time.monotonic() - t0
    notes = [summary.line()]

    kinds = {(f.id, fd.key): fd.kind for f in forms for fd in f.fields}
    page_out, field_out = compare(records, stored_pages(ws.db_path), kinds)
    result = BenchResult(seed, page_out, field_out, proc_s, workers, simulate_seconds=sim_s, notes=notes)
    if baseline:
        log(f"baseline: full-page tesseract -l jpn, {baseline_parallel} at a time")
        result.baseline = full_page_ocr([(sim_dir / r["file"], len(r["pages"])) for r in records],
                                        parallel=baseline_parallel)
    return result
