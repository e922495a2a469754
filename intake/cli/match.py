"""intake match (proposals and the coordinator's decisions) and intake letters (printing them)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from intake.cli import main


@main.group(invoke_without_command=True)
@click.option("--min-score", default=None, type=float, help="Lowest score proposed (default 0.35).")
@click.pass_context
def match(ctx: click.Context, min_score: float | None):
    """Match accepted requests with consenting suppliers; re-running refreshes, never duplicates.

    Python: intake.match.run_matching(workspace, min_score=0.35)

    \b
    Example:
      intake --home office match
      intake --home office match list --state proposed
    """
    if ctx.invoked_subcommand is not None:
        return
    from intake.match import DEFAULT_MIN_SCORE, run_matching

    run = run_matching(ctx.obj.require(), min_score=DEFAULT_MIN_SCORE if min_score is None else min_score)
    click.echo(f"{run.requests} requests x {run.suppliers} consenting suppliers: {len(run.proposed)} new proposals, "
               f"{run.updated} refreshed, {len(run.withdrawn)} withdrawn, {len(run.groups)} new group matches")
    click.echo("review them with: intake match list --state proposed")


@match.command("list")
@click.option("--state", default=None, help="Only matches in this state (proposed, approved, ...).")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True, help="Language of reasons.")
@click.pass_obj
def list_(ws, state: str | None, fmt: str, lang: str):
    """List matches. JSONL (a public interface), one line per match:
    {"match", "request", "requester", "supplier", "score", "state", "reasons"}.

    Python: intake.match.list_matches(workspace, state=None)  (Match.public() is the JSONL line)

    \b
    Example:
      intake --home office match list --state proposed --format jsonl
    """
    from intake.match import list_matches

    for m in list_matches(ws.require(), state):
        if fmt == "jsonl":
            click.echo(json.dumps(m.public(lang), ensure_ascii=False))
            continue
        who = (f"{m.request} ({m.requester}) ← {m.supplier}" if m.kind == "pair"
               else f"group {m.group_interest} in {m.group_region}: {', '.join(m.members)}")
        click.echo(f"{m.id}  {m.state:<14} {m.score:.2f}  {who}{'  [manual]' if m.manual else ''}")
        for r in (m.reasons_ja if lang == "ja" else m.reasons_en):
            click.echo(f"      {r}")


@match.command()
@click.argument("match_id")
@click.option("--who", required=True, help="Coordinator's name (recorded).")
@click.pass_obj
def approve(ws, match_id: str, who: str):
    """Approve a proposed match: its letters may now be printed.

    Python: intake.match.approve(workspace, match_id, who)

    \b
    Example:
      intake --home office match approve M0003 --who 佐藤
    """
    from intake.match import approve as do

    m = do(ws.require(), match_id, who)
    click.echo(f"{m.id}: {m.state}")


@match.command()
@click.argument("match_id")
@click.option("--why", required=True, help="Reason (recorded).")
@click.option("--who", required=True, help="Coordinator's name (recorded).")
@click.pass_obj
def reject(ws, match_id: str, why: str, who: str):
    """Reject a proposed match, saying why.

    Python: intake.match.reject(workspace, match_id, why, who)

    \b
    Example:
      intake --home office match reject M0004 --why "既に取引あり" --who 佐藤
    """
    from intake.match import reject as do

    m = do(ws.require(), match_id, why, who)
    click.echo(f"{m.id}: {m.state}")


@match.command()
@click.argument("request")
@click.argument("supplier")
@click.option("--who", required=True, help="Coordinator's name (recorded).")
@click.pass_obj
def add(ws, request: str, supplier: str, who: str):
    """Add a match by hand: REQUEST is the request's submission id, SUPPLIER a factory id.

    Python: intake.match.add_match(workspace, request, supplier, who)

    \b
    Example:
      intake --home office match add S0012 F0007 --who 佐藤
    """
    from intake.match import add_match

    m = add_match(ws.require(), request, supplier, who)
    click.echo(f"{m.id}: {m.state} (score {m.score:.2f}, manual)")


@match.command()
@click.argument("match_id")
@click.option("--who", required=True, help="Who posted or faxed the letters.")
@click.pass_obj
def sent(ws, match_id: str, who: str):
    """Record that a match's printed letters went out.

    Python: intake.match.mark_sent(workspace, match_id, who)

    \b
    Example:
      intake --home office match sent M0003 --who 佐藤
    """
    from intake.match import mark_sent

    click.echo(f"{match_id}: {mark_sent(ws.require(), match_id, who).state}")


@match.command()
@click.argument("match_id")
@click.option("--who", required=True, help="Coordinator's name (recorded).")
@click.option("--why", default=None, help="Optional note.")
@click.pass_obj
def close(ws, match_id: str, who: str, why: str | None):
    """Close a match once its outcome is known.

    Python: intake.match.close(workspace, match_id, who, why=None)

    \b
    Example:
      intake --home office match close M0003 --who 佐藤
    """
    from intake.match import close as do

    click.echo(f"{match_id}: {do(ws.require(), match_id, who, why).state}")


@main.command()
@click.option("--match", "match_id", default=None, help="Letters of this match only.")
@click.option("--approved", is_flag=True, help="Letters of every approved match.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option("--wareki", is_flag=True, help="Date letters in 和暦 (令和8年…).")
@click.option("--confirmations", is_flag=True, help="Also a 読み取り結果確認票 per processed submission not yet confirmed.")
@click.option("--reminders", "reminder_days", type=click.IntRange(0), default=None,
              help="Also お願い状 for surveys not returned after this many days.")
@click.pass_obj
def letters(ws, match_id, approved, out, wareki, confirmations, reminder_days):
    """Print the day's mailing: match letters (post: 長3 window envelope; FAX: cover sheet) with a
    personalised reply slip each, optional confirmation sheets and reminders; one batch PDF and a
    mailing-list CSV in OUT. Office details come from <workspace>/office.yaml.

    Python: intake.letters.print_letters(workspace, out, match_id=None, approved=False, wareki=False,
    confirmations=False, reminder_days=None)

    \b
    Example:
      intake --home office letters --approved --out letters/ --wareki
      intake --home office letters --reminders 14 --out letters/
    """
    from intake.letters import print_letters

    if not (match_id or approved or confirmations or reminder_days is not None):
        raise click.UsageError("say what to print: --match ID, --approved, --confirmations or --reminders DAYS")
    res = print_letters(ws.require(), out, match_id=match_id, approved=approved, wareki=wareki,
                        confirmations=confirmations, reminder_days=reminder_days)
    for line in res.summary_lines():
        click.echo(line)
