"""intake review: the clerk's desk (web page) and the same operations for scripts."""

from __future__ import annotations

import json

import click

from intake.cli import main


@main.group(invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback needs --password.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535))
@click.option("--password", envvar="INTAKE_REVIEW_PASSWORD", default=None,
              help="Required to sign in (or $INTAKE_REVIEW_PASSWORD); mandatory off loopback.")
@click.pass_context
def review(ctx: click.Context, host: str, port: int, password: str | None):
    """Start the review desk: a local web page listing everything that needs a clerk.

    Python: intake.review.app.serve(workspace, host, port, password)

    \b
    Example:
      intake --home office review                 # then open http://127.0.0.1:8765/
      intake --home office review --host 0.0.0.0 --password s3cret
    """
    if ctx.invoked_subcommand is not None:
        return
    from intake.review.app import check_bind, serve

    ws = ctx.obj.require()
    check_bind(host, password)
    click.echo(f"review desk: http://{host}:{port}/   (Ctrl+C stops it)")
    try:
        serve(ws, host=host, port=port, password=password)
    except KeyboardInterrupt:
        pass


@review.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
@click.option("--kind", type=click.Choice(["field", "rule", "double", "page", "incomplete", "quarantine"]),
              default=None, help="Only this kind of item.")
@click.pass_obj
def list_(ws, fmt: str, kind: str | None):
    """List what needs a human: uncertain fields, failed rules, double entry, unidentified pages,
    incomplete submissions, quarantined files.

    Python: intake.review.service.queue(workspace, kind=None)

    \b
    Example:
      intake --home office review list
      intake --home office review list --kind page --format jsonl
    """
    from intake.review import service

    items = service.queue(ws.require(), kind)
    for i in items:
        if fmt == "jsonl":
            click.echo(json.dumps(i.to_dict(), ensure_ascii=False))
            continue
        if i.kind in ("field", "rule", "double"):
            shown = "" if i.kind == "double" else i.value_text
            msg = i.message_ja or i.reason or ""
            click.echo(f"{i.kind:<10} {i.submission_id} {i.key:<16} {shown!r:<20} {msg}")
        elif i.kind == "page":
            click.echo(f"{i.kind:<10} page {i.page_id} (file {i.file_id})  {i.reason or ''}")
        elif i.kind == "incomplete":
            click.echo(f"{i.kind:<10} {i.submission_id} {i.form} missing pages {i.extra['missing']}")
        else:
            click.echo(f"{i.kind:<10} file {i.file_id} {i.extra['name']}: {i.reason}")
    if fmt == "text":
        click.echo(f"{len(items)} open", err=True)


@review.command("set")
@click.argument("submission")
@click.argument("key")
@click.argument("value")
@click.option("--who", required=True, help="Clerk name for the audit trail.")
@click.pass_obj
def set_(ws, submission: str, key: str, value: str, who: str):
    """Correct a field. The machine's reading is kept; old/new/who/when go to the audit trail.
    Choice fields take option keys (or numbers) separated by commas.

    Python: intake.review.service.set_value(workspace, submission_id, key, value, who)

    \b
    Example:
      intake --home office review set 3f2a9c1b0d4e postal_code 2310023 --who 佐藤
      intake --home office review set 3f2a9c1b0d4e processes cutting,welding --who 佐藤
    """
    from intake.review import service

    issues = service.set_value(ws.require(), submission, key, value, who)
    for i in issues:
        click.echo(f"warning: {i.message_ja} / {i.message_en}", err=True)
    click.echo(f"{submission} {key} = {value}")


@review.command("accept")
@click.argument("submission")
@click.argument("key")
@click.option("--who", required=True, help="Clerk name for the audit trail.")
@click.pass_obj
def accept(ws, submission: str, key: str, who: str):
    """Confirm the machine's reading of a field as it is (audited).

    Python: intake.review.service.accept(workspace, submission_id, key, who)

    \b
    Example:
      intake --home office review accept 3f2a9c1b0d4e employees --who 佐藤
    """
    from intake.review import service

    service.accept(ws.require(), submission, key, who)
    click.echo(f"{submission} {key} accepted")


@review.command("enter")
@click.argument("submission")
@click.argument("key")
@click.argument("value")
@click.option("--who", required=True, help="Clerk name; each double entry needs a different clerk.")
@click.pass_obj
def enter(ws, submission: str, key: str, value: str, who: str):
    """Double entry for fields marked `validate: {double_entry: true}`: two clerks type the field
    independently; equal entries settle it, a difference waits for a third clerk.

    Python: intake.review.service.enter(workspace, submission_id, key, value, who)

    \b
    Example:
      intake --home office review enter 3f2a9c1b0d4e employees 120 --who 佐藤
      intake --home office review enter 3f2a9c1b0d4e employees 120 --who 鈴木
    """
    from intake.review import service

    out = service.enter(ws.require(), submission, key, value, who)
    click.echo(f"{submission} {key}: {out['state']}")


@review.command("assign")
@click.argument("page_id", type=int)
@click.option("--form", "form_id", required=True, help="Form id, e.g. survey.")
@click.option("--page", type=int, required=True, help="Page number within the form (1-based).")
@click.option("--respondent", default=None, help="Respondent id printed on the form (omit for a blank form).")
@click.option("--who", required=True, help="Clerk name for the audit trail.")
@click.pass_obj
def assign(ws, page_id: int, form_id: str, page: int, respondent: str | None, who: str):
    """Make an unidentified page part of a submission (its fields then wait for the clerk).

    Python: intake.review.service.assign_page(workspace, page_id, form, page, respondent, who)

    \b
    Example:
      intake --home office review assign 17 --form survey --page 2 --respondent F0012 --who 佐藤
    """
    from intake.review import service

    sid = service.assign_page(ws.require(), page_id, form_id, page, respondent, who)
    click.echo(f"page {page_id} -> submission {sid}")


@review.command("group")
@click.argument("form_id")
@click.argument("key")
@click.option("--all", "include_accepted", is_flag=True, help="Include accepted submissions.")
@click.pass_obj
def group(ws, form_id: str, key: str, include_accepted: bool):
    """The same field across many submissions, flagged first (group verification), as JSON lines.

    Python: intake.review.service.group(workspace, form, key)

    \b
    Example:
      intake --home office review group survey postal_code
    """
    from intake.review import service

    for i in service.group(ws.require(), form_id, key, include_accepted=include_accepted):
        click.echo(json.dumps(i.to_dict(), ensure_ascii=False))


@review.command("export")
@click.argument("submission")
@click.pass_obj
def export(ws, submission: str):
    """One submission as JSON: status, machine and current values, and its audit trail.

    Python: intake.review.service.export_submission(workspace, submission_id)

    \b
    Example:
      intake --home office review export 3f2a9c1b0d4e > s.json
    """
    from intake.review import service

    click.echo(json.dumps(service.export_submission(ws.require(), submission), ensure_ascii=False, indent=1))
