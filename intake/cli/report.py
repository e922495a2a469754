"""intake report: the printable 見える化 report (PDF and/or self-contained HTML)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from intake.cli import main


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write into (default: the workspace's output/).")
@click.option("--format", "fmt", type=click.Choice(["pdf", "html", "both"]), default="pdf", show_default=True)
@click.option("--public", is_flag=True,
              help="The version for distribution: factories that did not consent appear only in counts.")
@click.option("--reminder-days", type=click.IntRange(1), default=14, show_default=True,
              help="A respondent is due a reminder when the survey went out this many days ago unanswered.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Report date (YYYY-MM-DD; default today): the period's end and the reminder clock.")
@click.pass_obj
def report(ws, out, fmt, public, reminder_days, as_of):
    """The 見える化 report: response status, capability map, idle equipment and collaboration, the request
    funnel, data quality. The internal version is marked 内部資料 on every page.

    Python: intake.report.build_report(workspace, out, fmt, public)

    \b
    Example:
      intake --home office report --format both
      intake --home office report --public --out for_meeting/
    """
    from intake.report import build_report

    day = as_of.date() if as_of else date.today()
    for path in build_report(ws, out, fmt, public, as_of=day, reminder_days=reminder_days):
        click.echo(f"wrote {path}")
