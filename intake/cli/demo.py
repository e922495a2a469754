"""demo."""

from __future__ import annotations

from pathlib import Path

import click

from intake.cli import main


@main.command()
@click.option("--templates", "templates_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Also re-render the blank forms into this folder (e.g. templates_pdf).")
@click.option("--seed", default=7, show_default=True, help="Seed of the simulated returns.")
@click.pass_obj
def demo(ws, templates_dir, seed):
    """Run the whole loop on the embedded sample population (what `make demo` runs).

    Python: intake.demo.run_demo(workspace)

    \b
    Example:
      intake --home demo demo --templates templates_pdf
    """
    from intake.demo import run_demo

    run_demo(ws, echo=click.echo, seed=seed, templates_dir=templates_dir)
