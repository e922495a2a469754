"""bench."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from intake.cli import main


@main.command()
@click.option("--pages", default=200, show_default=True, type=click.IntRange(1, 100000),
              help="At least this many simulated pages (survey 2 pages, request and reply slip 1 each).")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Recognition processes (the baseline runs as many tesseracts at a time).")
@click.option("--seed", default=2026, show_default=True, help="Simulator seed (thresholds were tuned on seed 7).")
@click.option("--profiles", default=None, help="Comma-separated channels (default: every one; see "
                                                  "`intake simulate --list-profiles`).")
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the corpus, the workspace and bench.json (default: <home>/bench; emptied first).")
@click.option("--no-baseline", is_flag=True, help="Skip the full-page tesseract baseline.")
@click.pass_obj
def bench(ws, pages, workers, seed, profiles, out_dir, no_baseline):
    """Simulate returns, process them with the real pipeline, and score the stored values against
    the truth; time full-page tesseract on the same files as the baseline.

    Python: intake.bench.run(out_dir, pages=, workers=, seed=, profiles=) and intake.bench.figures(result)

    \b
    Example:
      intake --home bench-workspace bench --pages 200 --workers 2 --seed 2026
    """
    from intake.bench import figures, run, table, write

    out_dir = Path(out_dir) if out_dir else Path(ws.root) / "bench"
    chosen = [p.strip() for p in profiles.split(",") if p.strip()] if profiles else None
    result = run(out_dir, pages=pages, workers=workers, seed=seed, profiles=chosen, baseline=not no_baseline, forms_dir=ws.forms_path(),
                 log=lambda s: click.echo(s, err=True))
    figs = figures(result)
    path = write(figs, out_dir)
    with (out_dir / "fields.jsonl").open("w", encoding="utf-8") as fh:
        for o in result.fields:
            fh.write(json.dumps(asdict(o), ensure_ascii=False, default=str) + "\n")
    click.echo(table(figs))
    click.echo(f"\nfigures: {path}")
