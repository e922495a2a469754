"""bench."""

from __future__ import annotations

from pathlib import Path

import click

from intake.cli import main
from intake.simulate.writers import WRITER_SETS

DEFAULT_SEED = 2026


def parse_seeds(seed: int | None, seeds: str | None) -> list[int]:
    """--seed N or --seeds A,B,C (not both); neither: DEFAULT_SEED."""
    if seed is not None and seeds:
        raise click.UsageError("give --seed N or --seeds A,B,..., not both")
    if not seeds:
        return [DEFAULT_SEED if seed is None else seed]
    try:
        out = [int(s) for s in seeds.split(",") if s.strip()]
    except ValueError:
        raise click.BadParameter(f"{seeds!r} is not a comma-separated list of integers", param_hint="--seeds")
    if not out:
        raise click.BadParameter("no seed given", param_hint="--seeds")
    if len(set(out)) != len(out):
        raise click.BadParameter(f"a seed is given twice: {seeds}", param_hint="--seeds")
    return out


@main.command()
@click.option("--pages", default=200, show_default=True, type=click.IntRange(1, 100000),
              help="At least this many simulated pages per seed (survey 2 pages, request and reply slip 1 each).")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Recognition processes (the baseline runs as many tesseracts at a time).")
@click.option("--seed", default=None, type=int,
              help=f"One simulator seed (default {DEFAULT_SEED}; the thresholds were tuned on seeds 7 and 11).")
@click.option("--seeds", default=None, metavar="A,B,...",
              help="Several seeds in one run, e.g. 101,202,303,404: a row per seed, targets judged on the worst.")
@click.option("--writers", default="heldout", show_default=True, type=click.Choice(WRITER_SETS),
              help="heldout: fonts, digit samples and mark styles no tuning ever saw (installed by `make fonts`; "
                   "without them: error, exit 1); tuning: the writers the thresholds were tuned with.")
@click.option("--profiles", default=None, help="Comma-separated channels (default: every one; see "
                                                  "`intake simulate --list-profiles`).")
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the corpus, the workspace and bench.json (default: <home>/bench; emptied first; "
                   "several seeds: one seed-<N>/ folder each).")
@click.option("--no-baseline", is_flag=True, help="Skip the full-page tesseract baseline.")
@click.pass_obj
def bench(ws, pages, workers, seed, seeds, writers, profiles, out_dir, no_baseline):
    """Simulate returns, process them with the real pipeline, and score the stored values against
    the truth; time full-page tesseract on the same files as the baseline. Every table names the writer
    set and the seed(s) its figures come from.

    Python: intake.bench.benchmark(out_dir, seeds=[...], pages=, workers=, writers=, profiles=) -> the
    bench.json document; one seed: intake.bench.run(out_dir, seed=, writers=, ...) and figures(result);
    several: intake.bench.run_seeds(out_dir, seeds, ...)

    \b
    Example:
      intake --home bench-workspace bench --pages 200 --workers 2 --seed 2026
      intake --home bench-workspace bench --seeds 101,202,303,404 --writers heldout
    """
    from intake.bench import benchmark, render

    chosen_seeds = parse_seeds(seed, seeds)
    out_dir = Path(out_dir) if out_dir else Path(ws.root) / "bench"
    chosen = [p.strip() for p in profiles.split(",") if p.strip()] if profiles else None
    doc = benchmark(out_dir, chosen_seeds, pages=pages, workers=workers, profiles=chosen, writers=writers,
                    baseline=not no_baseline, forms_dir=ws.forms_path(), log=lambda s: click.echo(s, err=True))
    click.echo(render(doc))
    click.echo(f"\nfigures: {out_dir / 'bench.json'}")
