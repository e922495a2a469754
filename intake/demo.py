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
    echo(f"[2] personalised forms: {len(suppliers)} surveys, {len(buyers)} requests in {out} (print batches: "
         f"{', '.join(p.name for p in surveys + requests)})")
    summary["rendered"] = len(suppliers) + len(buyers)

    n = simulate_returns(ws, [(forms["survey"], p) for p in suppliers] + [(forms["request"], p) for p in buyers],
                         seed=seed)
    echo(f"[3] simulated fax and scan returns dropped into {ws.inbox}: {n} files")

    from intake.ingest.pipeline import process

    s = process(ws, forms=forms, stable_seconds=0, progress=False, workers=2)
    echo(f"[4] processed: {s.files} files, {s.pages} pages, {s.submissions} submissions, "
         f"{s.quarantined} quarantined, {s.duplicates} duplicates")
    from intake.store.queries import status_counts

    counts = status_counts(ws).submissions
    echo(f"[5] submissions accepted automatically: {counts.get('accepted', 0)}, "
         f"need review: {counts.get('needs_review', 0)}, incomplete: {counts.get('incomplete', 0)}")
    echo(f"    review them with: .venv/bin/intake --home {ws.root} review")
    summary.update(counts)
    echo(f"demo finished in {time.monotonic() - t0:.1f} s; workspace: {ws.root}")
    return summary


def simulate_returns(ws: Workspace, copies: list, *, seed: int) -> int:
    """Each (form, respondent) answers in a synthetic hand and sends it through one of the
    simulator's channels in turn; files are staged, then renamed into the inbox whole."""
    import numpy as np

    from intake.simulate.answers import Company, random_company
    from intake.simulate.corpus import simulate_return
    from intake.simulate.degrade import DEFAULT_PROFILES

    rng = np.random.default_rng(seed)
    stage = ws.root / "output" / "simulated"
    stage.mkdir(parents=True, exist_ok=True)
    files = []
    for i, (form, person) in enumerate(copies):
        made_up = random_company(rng, "ja")
        company = Company(name=person.name, person=made_up.person, representative=made_up.representative,
                          postal_code=person.postal_code or made_up.postal_code,
                          address=person.address or made_up.address, phone=person.phone or made_up.phone,
                          fax=person.fax or made_up.fax)
        profile = list(DEFAULT_PROFILES)[i % len(DEFAULT_PROFILES)]
        truth = simulate_return(form, stage / f"{form.id}-{person.id}", profile, rng,
                                respondent=person.id, company=company)
        files += [stage / t["file"] for t in truth]
    for f in files:
        f.replace(ws.inbox / f.name)
    return len(files)
