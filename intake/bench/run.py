"""The benchmark run: simulate a corpus, push it through the real pipeline, compare with the truth.

    run(out_dir, pages=200, workers=2, seed=..., profiles=ALL, writers="heldout") -> BenchResult
    run_seeds(out_dir, seeds=[101, 202, ...], ...) -> [BenchResult, ...]   one run per seed

1. intake.simulate.simulate writes returns of survey (2 pages), request and reply-slip through
   every channel, with truth.jsonl (respondents enough for `pages` pages), in the hands of the
   chosen writer set: "heldout" (fonts, MNIST digit samples and mark styles no tuning ever saw) or
   "tuning" (the writers the recogniser's thresholds were tuned with, on seeds TUNED_ON_SEEDS). The
   heldout set needs its material (`make fonts`: mnist-heldout.npz and the fonts, in the font cache);
   without its digits the run stops before anything is written (SimulateError, the fix named), and
   without its fonts the simulator writes in IPAex Mincho and the result's notes say so.
2. A fresh workspace under out_dir/ws holding the office's respondent list (as printing personalised
   forms records it); the files are copied into its inbox and
   intake.ingest.process(ws, workers=2) runs once, timed (processing only: simulation and
   copying are outside the clock).
3. Every truth page is looked up in the database by (file name, page index): identified with
   the right identity, wrongly identified, or not identified; every truth field is compared
   with the stored value (intake.bench.compare).
4. Submissions as the office sees them (submission_outcomes): one needs no clerk at all when every
   page was identified right into one submission the pipeline accepted whole (every field of every
   page auto-accepted, right or wrong); of those, how many are entirely right.
5. The same files through full-page `tesseract -l jpn` (intake.bench.baseline), 2 at a time.

With several seeds (run_seeds) each seed's corpus and workspace go to out_dir/seed-<N>/.
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
from intake.simulate.writers import WRITER_SETS
from intake.bench.compare import FieldOutcome, Tallies, hazard_flags, judge, mark_style, tally

FORMS = ("survey", "request", "reply-slip")
IDENTITY_KEYS = ("form", "version", "page", "respondent", "match")

TUNED_ON_SEEDS = (7, 11)            # the recogniser's thresholds were tuned on these, with the tuning writers
TUNED_ON = "thresholds in the recogniser were tuned on seeds 7 and 11 with the tuning writers"
_WRITERS_SAID = {
    "heldout": "heldout (fonts/digits/mark styles never used in tuning)",
    "tuning": "tuning (the writers the thresholds were tuned with)",
}


def writers_said(writers: str) -> str:
    """How a table names the writer set its figures come from."""
    return _WRITERS_SAID[writers]


def require_writers(writers: str) -> None:
    """Before anything is simulated or emptied: `writers` names a set, and its material is installed
    (the heldout set's digits come from `make fonts`; never replaced by the tuning writers' digits)."""
    from intake.simulate.handwriting import require_digits
    from intake.simulate.writers import FETCH_HINT, SimulateError

    if writers not in WRITER_SETS:
        raise ValueError(f"writers must be one of {', '.join(WRITER_SETS)}, not {writers!r}")
    try:
        require_digits(writers)
    except SimulateError as exc:
        if writers != "heldout":
            raise
        raise SimulateError(f"cannot bench the heldout writers: {exc.args[0]}",
                            hint=f"{FETCH_HINT}; or bench the tuning writers (--writers tuning), "
                                 "which is no test of generalisation") from exc


def font_fallback_notes(manifest: dict) -> list[str]:
    """Notes for the scripts a corpus wrote in IPAex Mincho because none of its set's fonts is installed
    (the simulator's manifest, simulate.json)."""
    w = manifest.get("writers", {})
    return [f"writers: {w.get('set')}, {script} script: {why}"
            for script, why in sorted(w.get("font_fallback", {}).items())]


@dataclass
class PageOutcome:
    file: str
    index: int
    profile: str
    status: str                 # right | wrong | unidentified (not identified, or not stored at all)
    stored_status: str | None = None


@dataclass
class SubmissionOutcome:
    """One respondent's return of one form (its truth pages, whichever files they came in)."""
    form: str
    respondent: str | None
    match: str | None
    pages: int
    fields: int
    no_clerk: bool              # every page identified right into one submission accepted whole
    right: bool                 # every truth field right
    status: str | None = None   # the stored submission's status (None: pages not in one submission)

    @property
    def no_clerk_right(self) -> bool:
        return self.no_clerk and self.right


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
    writers: str = field(kw_only=True)      # the writer set the corpus was written by (WRITER_SETS)
    submissions: list[SubmissionOutcome] = field(default_factory=list)

    @property
    def writers_said(self) -> str:
        return writers_said(self.writers)

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
        for p in conn.execute("SELECT p.*, f.original_name, s.status AS submission_status FROM pages p "
                              "JOIN files f ON f.id = p.file_id LEFT JOIN submissions s ON s.id = p.submission_id"):
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
                style, corr = mark_style(notes.get(key)) if kind == "choice" else ("", "")
                fields.append(judge(kind, truth, fv["value"] if fv else None, stored=fv is not None,
                                    needs_review=bool(fv["needs_review"]) if fv else True, profile=profile,
                                    key=f"{rec['form']}.{key}",
                                    flags=hazard_flags(notes.get(key, {})), style=style, correction=corr,
                                    file=rec["file"], page=tp["index"]))
    return pages, fields


def submission_outcomes(records: list[dict], stored: dict[tuple[str, int], dict],
                        fields: list[FieldOutcome]) -> list[SubmissionOutcome]:
    """The truth's submissions (pages grouped by form, version, respondent, match) as the office meets them.

    No clerk at all: every truth page was stored, identified with the right identity, all into one
    submission whose stored status is 'accepted' (all its pages in, no field flagged), and every truth
    field of it was stored auto-accepted. Right or wrong: `right` says whether every field is right.
    `fields` are compare()'s outcomes for the same records (matched by file and page index)."""
    by_page: dict[tuple[str, int], list[FieldOutcome]] = {}
    for o in fields:
        by_page.setdefault((o.file, o.page), []).append(o)
    groups: dict[tuple, list[tuple[str, dict]]] = {}
    for rec in records:
        for tp in rec["pages"]:
            ident = tp["identity"]
            groups.setdefault((ident["form"], ident["version"], ident.get("respondent"), ident.get("match")),
                              []).append((rec["file"], tp))
    out = []
    for (form, _version, respondent, match), tps in groups.items():
        rows = [stored.get((name, tp["index"])) for name, tp in tps]
        outs = [o for name, tp in tps for o in by_page.get((name, tp["index"]), [])]
        in_one = (all(r is not None and r["status"] == "identified" and _identity_matches(tp["identity"], r)
                      for r, (_, tp) in zip(rows, tps))
                  and len({r["submission_id"] for r in rows}) == 1 and rows[0]["submission_id"])
        status = rows[0].get("submission_status") if in_one else None
        no_clerk = bool(in_one) and status == "accepted" and all(o.accepted for o in outs)
        out.append(SubmissionOutcome(form, respondent, match, len(tps), len(outs), no_clerk,
                                     all(o.right for o in outs), status))
    return out


def no_clerk_counts(subs: list[SubmissionOutcome]) -> dict:
    """{submissions, no_clerk, no_clerk_right, no_clerk_wrong}: the count the office cares about."""
    n = sum(s.no_clerk for s in subs)
    ok = sum(s.no_clerk_right for s in subs)
    return {"submissions": len(subs), "no_clerk": n, "no_clerk_right": ok, "no_clerk_wrong": n - ok}


def no_clerk_line(c: dict) -> str:
    """One printed line for no_clerk_counts()."""
    n, total, ok = c["no_clerk"], c["submissions"], c["no_clerk_right"]
    share = f" ({100 * n / total:.1f}%)" if total else ""
    return (f"submissions needing no clerk at all: {n} of {total}{share}; of those entirely right: {ok}"
            + (f", {c['no_clerk_wrong']} accepted whole with a wrong value" if c["no_clerk_wrong"] else ""))


def office_view(db_path: Path, records: list[dict], kinds: dict[tuple[str, str], str]) -> dict:
    """no_clerk_counts for a processed workspace and the truth of what went into it (make demo)."""
    stored = stored_pages(db_path)
    _, fields = compare(records, stored, kinds)
    return no_clerk_counts(submission_outcomes(records, stored, fields))


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
        baseline: bool = True, baseline_parallel: int = 2, forms_dir: Path | None = None, writers: str = "heldout",
        log: Callable[[str], None] = lambda s: None) -> BenchResult:
    """Simulate >= `pages` pages in the hands of the `writers` set (heldout | tuning), process them with the
    real pipeline, compare, time the baseline. out_dir is emptied first."""
    from intake.form import load_forms
    from intake.ingest import process
    from intake.simulate import PROFILES, read_truth, simulate
    from intake.simulate.corpus import MANIFEST, OFFICE_LIST
    from intake.workspace import default_forms_dir, init

    require_writers(writers)
    out_dir = Path(out_dir)
    all_forms = load_forms(forms_dir or default_forms_dir())
    forms = [all_forms[f] for f in FORMS if f in all_forms]
    profiles = list(profiles or PROFILES)
    n = respondents_for(pages, forms)
    sim_dir = out_dir / "corpus"
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    log(f"simulating {n} respondents x {len(forms)} forms through {len(profiles)} channels (seed {seed}, "
        f"writers: {writers_said(writers)})")
    t0 = time.monotonic()
    truth_path = simulate(forms, sim_dir, n, seed=seed, profiles=profiles, workers=workers,
                          writers=writers)
    sim_s = time.monotonic() - t0
    records = read_truth(truth_path)
    notes = font_fallback_notes(json.loads((sim_dir / MANIFEST).read_text(encoding="utf-8")))
    sets = {str((r.get("writer") or {}).get("set")) for r in records}
    if sets != {writers}:
        notes.append(f"the truth names writer set(s) {', '.join(sorted(sets))}, not only {writers}")
    if writers == "tuning" and seed in TUNED_ON_SEEDS:
        notes.append(f"seed {seed} with the tuning writers is what the thresholds were tuned on: not a test "
                     "of generalisation")

    ws = init(out_dir / "ws")
    register_office_list(ws, sim_dir / OFFICE_LIST, records, all_forms)
    for rec in records:
        shutil.copy2(sim_dir / rec["file"], ws.inbox / rec["file"])
    log(f"processing {sum(len(r['pages']) for r in records)} pages in {len(records)} files, {workers} workers")
    t0 = time.monotonic()
    summary = process(ws, forms=all_forms, workers=workers, progress=False, stable_seconds=0.0)
    proc_s = time.monotonic() - t0
    notes.insert(0, summary.line())

    kinds = {(f.id, fd.key): fd.kind for f in forms for fd in f.fields}
    stored = stored_pages(ws.db_path)
    page_out, field_out = compare(records, stored, kinds)
    result = BenchResult(seed, page_out, field_out, proc_s, workers, simulate_seconds=sim_s, notes=notes,
                         writers=writers,
                         submissions=submission_outcomes(records, stored, field_out))
    if baseline:
        log(f"baseline: full-page tesseract -l jpn, {baseline_parallel} at a time")
        result.baseline = full_page_ocr([(sim_dir / r["file"], len(r["pages"])) for r in records],
                                        parallel=baseline_parallel)
    return result


def run_seeds(out_dir: Path, seeds, **kw) -> list[BenchResult]:
    """run() once per seed (same pages, workers, writers, ...), in seed order given; one seed runs in
    out_dir itself, several each in out_dir/seed-<N>/. Returns the per-seed results."""
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("no seeds given")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"a seed is given twice: {seeds}")
    require_writers(kw.get("writers", "heldout"))
    out_dir = Path(out_dir)
    if len(seeds) == 1:
        return [run(out_dir, seed=seeds[0], **kw)]
    if out_dir.exists():
        shutil.rmtree(out_dir)
    log = kw.get("log", lambda s: None)
    results = []
    for i, s in enumerate(seeds, 1):
        log(f"seed {s} ({i} of {len(seeds)})")
        results.append(run(out_dir / seed_dir(s), seed=s, **kw))
    return results


def seed_dir(seed: int) -> str:
    return f"seed-{seed}"
