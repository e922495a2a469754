"""`make demo`: the whole loop on an embedded sample population, in one workspace.

Stages run in order and each prints one line; a stage whose package is not built
yet is reported as such rather than skipped silently.
"""

from __future__ import annotations

import importlib.resources
import time
from pathlib import Path
from typing import Callable

from intake.workspace import Workspace, init

SAMPLE_RESPONDENTS = "sample_respondents.csv"


def sample_respondents_path() -> Path:
    return Path(str(importlib.resources.files("intake.data") / SAMPLE_RESPONDENTS))


def run_demo(ws: Workspace, *, echo: Callable[[str], None] = print, seed: int = 7,
             templates_dir: Path | None = None) -> dict:
    from intake.form import load_forms
    from intake.render import read_respondents_csv, render_batch, render_templates

    t0 = time.monotonic()
    ws = init(ws.root)
    forms = load_forms(ws.forms_path())
    out = ws.output
    summary: dict = {}

    if templates_dir is not None:
        paths = render_templates(forms, templates_dir)
        echo(f"[1] blank forms rendered: {len(paths)} PDFs in {templates_dir}")
    people = read_respondents_csv(sample_respondents_path())
    suppliers = [p for p in people if p.id.startswith("F")]
    buyers = [p for p in people if p.id.startswith("B")]
    surveys = render_batch(forms["survey"], "ja", suppliers, out / "surveys", combined=True, progress=False, workspace=ws)
    requests = render_batch(forms["request"], "ja", buyers, out / "requests", combined=True, progress=False, workspace=ws)
    echo(f"[2] personalised forms: {len(surveys)} surveys, {len(requests)} requests in {out}")
    summary["rendered"] = len(surveys) + len(requests)

    try:
        from intake.simulate import simulate_returns
    except ImportError:
        echo("[3] simulate: not built yet")
        return summary
    n = simulate_returns(ws, forms, surveys + requests, seed=seed)
    echo(f"[3] simulated fax and scan returns dropped into {ws.inbox}: {n} files")

    from intake.ingest.pipeline import process

    s = process(ws, forms=forms, stable_seconds=0, progress=False)
    echo(f"[4] processed: {s.files} files, {s.pages} pages, {s.submissions} submissions, "
         f"{s.quarantined} quarantined, {s.duplicates} duplicates")
    from intake.store.queries import status_counts

    counts = status_counts(ws)
    echo(f"[5] submissions accepted automatically: {counts.get('accepted', 0)}, "
         f"need review: {counts.get('needs_review', 0)}, incomplete: {counts.get('incomplete', 0)}")
    echo(f"    review them with: .venv/bin/intake --home {ws.root} review")
    summary.update(counts)
    echo(f"demo finished in {time.monotonic() - t0:.1f} s; workspace: {ws.root}")
    return summary
