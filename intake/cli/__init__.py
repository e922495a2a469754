"""The `intake` command. Thin: parse options, call one API function, print.

Each command mirrors a Python function (named in its help). Exit codes:
  0 ok · 1 error · 2 workspace missing/unusable · 3 form definition error
  4 missing external program · 5 external program failed · 6 input rejected
  7 an event's schedule cannot be made as asked (intake event schedule)
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from intake.errors import IntakeError
from intake.workspace import Workspace


class IntakeGroup(click.Group):
    """Turns IntakeError into a clear message and its documented exit code (no traceback)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except IntakeError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=IntakeGroup)
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), default=".",
              envvar="INTAKE_HOME", show_default=True, help="Workspace folder (or $INTAKE_HOME).")
@click.option("--forms", "forms_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              default=None, help="Form definitions folder (default: the workspace's forms/, else the project's).")
@click.version_option(package_name="intake")
@click.pass_context
def main(ctx: click.Context, home: Path, forms_dir: Path | None) -> None:
    """Offline-first paper and fax intake.

    \b
    Example:
      intake --home office init
      intake --home office forms render survey --lang ja --out out/
      intake --home office process
    """
    ctx.obj = Workspace(home, forms_dir)


from intake.cli import basics  # noqa: E402,F401  (registers commands)

for _mod in ("forms", "pipeline", "simulate", "review", "match", "report", "bench", "demo", "bcp", "event"):
    try:
        __import__(f"intake.cli.{_mod}")
    except ModuleNotFoundError as _exc:  # a stage not built yet
        if _exc.name != f"intake.cli.{_mod}":
            raise
