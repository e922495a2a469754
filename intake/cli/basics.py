"""init, doctor."""

from __future__ import annotations

import click

from intake import doctor as doctor_mod
from intake import workspace as ws_mod
from intake.cli import main


@main.command()
@click.pass_obj
def init(ws):
    """Create the workspace (database, inbox/, archive/, quarantine/ ...). Safe to run twice.

    Python: intake.workspace.init(path)

    \b
    Example:
      intake --home office init
    """
    ws = ws_mod.init(ws.root)
    click.echo(f"workspace ready: {ws.root.resolve()}")
    click.echo(f"  database: {ws.db_path.name}   drop faxes and scans into: {ws.inbox}")


@main.command()
def doctor():
    """Check external programs and language packs; print versions and how to install what is missing.

    Python: intake.doctor.run_checks()

    \b
    Example:
      intake doctor
    """
    checks = doctor_mod.run_checks()
    width = max(len(c.name) for c in checks)
    for c in checks:
        mark = "ok  " if c.ok else "MISSING"
        click.echo(f"{mark:7} {c.name:<{width}}  {c.version}")
        if not c.ok:
            click.echo(f"        fix: {c.fix}")
    if not all(c.ok for c in checks):
        raise SystemExit(4)
