"""process, watch, export, status, retry.

`intake process` exit codes: 0 the inbox was processed (even if files were quarantined:
they are listed in the summary and in `intake status`); 2 no workspace; 3 a form definition
is invalid; 4 a required program (poppler) or the recogniser is missing. Codes 2-4 mean
nothing was touched: the run could not start.
"""

from __future__ import annotations

from pathlib import Path

import click

from intake.cli import main


@main.command()
@click.option("--dry-run", is_flag=True, help="Read every inbox file and say what would happen; move and store nothing.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes recognising pages in parallel (1: sequential).")
@click.option("--stable-seconds", type=click.FloatRange(0), default=2.0, show_default=True,
              help="A file must keep its size and mtime this long before it is touched.")
@click.option("--quiet", is_flag=True, help="No progress bar and no per-file lines; only the summary.")
@click.pass_obj
def process(ws, dry_run, workers, stable_seconds, quiet):
    """One pass over inbox/: every stable file becomes pages, submissions and values, then is archived,
    quarantined (with a reason file) or recorded as a duplicate. Files still being written wait for the next pass.

    Python: intake.ingest.process(workspace, dry_run=..., workers=..., stable_seconds=...)

    \b
    Exit codes: 0 processed (quarantined files included) · 2 no workspace ·
                3 invalid form definition · 4 missing program or recogniser
    \b
    Example:
      intake --home office process --workers 2
      intake --home office process --dry-run
    """
    from intake.ingest import process as run

    summary = run(ws, dry_run=dry_run, workers=workers, stable_seconds=stable_seconds, progress=not quiet)
    if not quiet:
        for o in summary.outcomes:
            tail = f" [{o.reason}]" if o.reason and o.state != "duplicate" else ""
            detail = o.detail.splitlines()[0] if o.detail else ""
            click.echo(f"  {o.state:<11} {o.name}{tail}  {detail}")
    if summary.unstable:
        click.echo(f"  {summary.unstable} file(s) still being written: left for the next pass")
    click.echo(("dry run: " if dry_run else "") + summary.line())


@main.command()
@click.option("--poll", type=click.FloatRange(0.1), default=None, metavar="SECONDS",
              help="Poll the inbox every SECONDS instead of file events (network shares).")
@click.option("--rescan", "rescan_seconds", type=click.FloatRange(1), default=60, show_default=True,
              help="Full rescan of the inbox every this many seconds, whatever the events.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True)
@click.option("--stable-seconds", type=click.FloatRange(0), default=2.0, show_default=True)
@click.pass_obj
def watch(ws, poll, rescan_seconds, workers, stable_seconds):
    """Watch inbox/ and process files as they arrive, until Ctrl-C (stops after the current file).

    Python: intake.ingest.watch.watch(workspace, poll=..., rescan_seconds=...)

    \b
    Example:
      intake --home office watch
      intake --home /mnt/share/office watch --poll 10
    """
    from intake.ingest.watch import watch as run

    click.echo(f"watching {ws.inbox} ({'polling every %gs' % poll if poll else 'file events'}); Ctrl-C stops")

    def report(s):
        for o in s.outcomes:
            click.echo(f"  {o.state:<11} {o.name}" + (f" [{o.reason}]" if o.reason and o.state != 'duplicate' else ""))

    total = run(ws, poll=poll, rescan_seconds=rescan_seconds, workers=workers, stable_seconds=stable_seconds,
                on_pass=report)
    click.echo("stopped: " + total.line())


@main.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--form", "form_id", default=None, metavar="FORM_ID", help="Only submissions of this form.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (default: standard output).")
@click.pass_obj
def export(ws, fmt, form_id, out):
    """Export submissions with their values: JSONL (one submission a line) or CSV (one column per field,
    UTF-8 with BOM for Excel).

    Python: intake.store.export.export(workspace, fmt, form=..., out=...)

    \b
    Example:
      intake --home office export --format jsonl > answers.jsonl
      intake --home office export --format csv --form survey --out survey.csv
    """
    from intake.store.export import export as run

    result = run(ws, fmt, form=form_id, out=out)
    if out is None:
        click.echo(result, nl=False)
    else:
        click.echo(f"{result} submissions written to {out}", err=True)


@main.command()
@click.pass_obj
def status(ws):
    """Counts by state: files (archived, quarantined, duplicate), pages, submissions, and what waits.

    Python: intake.store.queries.status_counts(workspace)

    \b
    Example:
      intake --home office status
    """
    from intake.store.queries import status_counts

    c = status_counts(ws)

    def line(title, d):
        click.echo(f"{title:<12} " + (", ".join(f"{k} {v}" for k, v in d.items()) if d else "none"))

    click.echo(f"{'inbox':<12} {c.inbox} waiting, {c.processing} in processing/")
    line("files", c.files)
    line("pages", c.pages)
    line("submissions", c.submissions)
    if c.quarantine_reasons:
        line("quarantine", c.quarantine_reasons)


@main.command()
@click.option("--reason", "reasons", multiple=True, metavar="CODE",
              help="Only files quarantined for this reason code (e.g. not_our_form, corrupt); repeatable.")
@click.pass_obj
def retry(ws, reasons):
    """Put quarantined files back into inbox/ after a fix; the next `intake process` reads them again.

    Python: intake.store.retry.retry(workspace, reasons=...)

    \b
    Example:
      intake --home office retry
      intake --home office retry --reason recognition_failed
    """
    from intake.store.retry import retry as run

    res = run(ws, reasons=tuple(reasons))
    for name in res.requeued:
        click.echo(f"  requeued {name}")
    for name in res.missing:
        click.echo(f"  missing from quarantine/: {name}", err=True)
    click.echo(f"{len(res.requeued)} file(s) back in the inbox")
