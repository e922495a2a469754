"""intake event: matching events (商談会) — create, RSVPs, candidate pairs, the meeting schedule."""

from __future__ import annotations

import json
from pathlib import Path

import click

from intake.cli import main


@main.group()
def event():
    """Matching events (商談会): invitations with an RSVP slip, 1:1 meetings scheduled from the matches.

    \b
    Example:
      intake --home office event create --id E2027-02 --title 北関東ものづくり商談会 \\
          --date 2027-02-10 --venue 小山市中央公民館 --slots 6 --tables 8
      intake --home office event attend E2027-02 F0007 --wish F0012
      intake --home office event schedule E2027-02
    """


def _participant_line(p) -> str:
    extra = []
    if p.people:
        extra.append(f"{p.people}名")
    if p.hosts_visit:
        extra.append("工場見学受入: " + ("可" if p.hosts_visit == "yes" else "否"))
    if p.wishes:
        extra.append("希望: " + ", ".join(p.wishes))
    return f"  {p.factory}  {p.name}  {p.status}" + (f"  ({p.source})" if p.source else "") + \
        (f"  {' / '.join(extra)}" if extra else "")


@event.command()
@click.option("--id", "event_id", required=True, help="The event's id, printed in the RSVP slip's code (E2027-02).")
@click.option("--title", required=True, help="Title printed on invitations and sheets.")
@click.option("--date", "on", required=True, help="The day, YYYY-MM-DD (not in the past).")
@click.option("--venue", required=True, help="Where it is held.")
@click.option("--slots", type=int, required=True, help="How many meeting rounds.")
@click.option("--tables", type=int, required=True, help="How many tables (meetings at once).")
@click.option("--slot-minutes", type=int, default=20, show_default=True, help="Length of one round.")
@click.option("--start", default="13:00", show_default=True, help="When round 1 starts, HH:MM.")
@click.option("--who", default="coordinator", show_default=True, help="Who creates the event (recorded).")
@click.pass_obj
def create(ws, event_id, title, on, venue, slots, tables, slot_minutes, start, who):
    """Create an event.

    Python: intake.events.create(workspace, event_id, title, on, venue, slots, tables, slot_minutes=20,
    start="13:00", who="coordinator")

    \b
    Example:
      intake --home office event create --id E2027-02 --title 北関東ものづくり商談会 \\
          --date 2027-02-10 --venue 小山市中央公民館 --slots 6 --tables 8 --start 13:30
    """
    from intake.events import create as do

    ev = do(ws.require(), event_id, title, on, venue, slots, tables, slot_minutes=slot_minutes, start=start, who=who)
    last = ev.slot_time(ev.slots)[1]
    click.echo(f"{ev.id}: {ev.title}  {ev.date} {ev.start}-{last}  {ev.venue}  {ev.slots} slots × {ev.tables} tables")


@event.command("list")
@click.pass_obj
def list_(ws):
    """List events with their participants' counts.

    Python: intake.events.list_events(workspace)

    \b
    Example:
      intake --home office event list
    """
    from intake.events import list_events

    for ev in list_events(ws.require()):
        counts = {s: sum(1 for p in ev.participants if p.status == s) for s in ("invited", "attending", "declined")}
        click.echo(f"{ev.id}  {ev.date}  {ev.title}  {ev.venue}  slots {ev.slots} × tables {ev.tables}  "
                   f"invited {counts['invited']}  attending {counts['attending']}  declined {counts['declined']}"
                   + (f"  scheduled {ev.scheduled_at}" if ev.scheduled_at else ""))


@event.command()
@click.argument("event_id")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
@click.pass_obj
def show(ws, event_id, fmt):
    """One event: its details, participants, answers and wishes.

    Python: intake.events.get_event(workspace, event_id)   (Event.public() is the JSONL line)

    \b
    Example:
      intake --home office event show E2027-02
    """
    from intake.events import get_event

    ev = get_event(ws.require(), event_id)
    if fmt == "jsonl":
        click.echo(json.dumps(ev.public(), ensure_ascii=False))
        return
    click.echo(f"{ev.id}: {ev.title}  {ev.date} {ev.start}-{ev.slot_time(ev.slots)[1]}  {ev.venue}")
    click.echo(f"  {ev.slots} slots of {ev.slot_minutes} min × {ev.tables} tables; created by {ev.created_by}")
    for p in ev.participants:
        click.echo(_participant_line(p))
    if ev.scheduled_at:
        click.echo(f"  schedule: {ev.scheduled_at}  objective {ev.objective:.3f}  bound {ev.bound:.3f}")


@event.command()
@click.argument("event_id")
@click.argument("factory")
@click.option("--wish", "wishes", multiple=True, help="A factory it would like to meet (repeatable).")
@click.option("--decline", is_flag=True, help="The factory does not come.")
@click.option("--people", type=int, default=None, help="How many people come.")
@click.option("--hosts-visit", type=click.Choice(["yes", "no"]), default=None,
              help="Can host a factory visit (工場見学の受け入れ).")
@click.pass_obj
def attend(ws, event_id, factory, wishes, decline, people, hosts_visit):
    """Record an RSVP that came by phone (the clerk's twin of the RSVP slip); replaces the previous answer.

    Python: intake.events.attend(workspace, event_id, factory, wishes=(), decline=False, people=None,
    hosts_visit=None)

    \b
    Example:
      intake --home office event attend E2027-02 F0007 --people 2 --wish F0012 --wish B0003
      intake --home office event attend E2027-02 F0009 --decline
    """
    from intake.events import attend as do

    ev = do(ws.require(), event_id, factory, list(wishes), decline=decline, people=people, hosts_visit=hosts_visit)
    p = next(p for p in ev.participants if p.factory == factory)
    click.echo(f"{ev.id}:" + _participant_line(p))


@event.command()
@click.argument("event_id")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
@click.option("--among", type=click.Choice(["attending", "invited"]), default="attending", show_default=True,
              help="Pairs among attendees, or among everyone not declined.")
@click.pass_obj
def pairs(ws, event_id, fmt, among):
    """Candidate pairs for 1:1 meetings, best first. JSONL (a public interface), one line per pair:
    {"a", "b", "score", "reasons", "wished_by"}.

    Python: intake.events.event_pairs(workspace, event_id, among="attending")   (Pair.public() is the line)

    \b
    Example:
      intake --home office event pairs E2027-02 --format jsonl
    """
    from intake.events import event_pairs

    for p in event_pairs(ws.require(), event_id, among):
        if fmt == "jsonl":
            click.echo(json.dumps(p.public(), ensure_ascii=False))
        else:
            tag = " 相互希望" if p.must else (f" 希望: {','.join(p.wished_by)}" if p.wished_by else "")
            click.echo(f"{p.a} × {p.b}  {p.score:.3f}{tag}")
            for r in p.reasons:
                click.echo(f"    {r}")


@event.command()
@click.argument("event_id")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
@click.option("--fresh", is_flag=True, help="Start over instead of keeping the meetings already shown.")
@click.option("--allow-unmet", is_flag=True, help="Schedule even when some mutual wishes cannot be met (named).")
@click.option("--time-limit", type=float, default=60.0, show_default=True, help="Solver time limit, seconds.")
@click.pass_obj
def schedule(ws, event_id, fmt, fresh, allow_unmet, time_limit):
    """Solve the 1:1 meeting schedule (scipy milp / HiGHS) and store it: nobody in two places at once, no pair
    twice, at most --tables meetings a slot, attendees only, every mutual wish met; the highest total score.
    A re-run keeps the meetings already shown where it can. JSONL, one line per meeting:
    {"slot", "table", "a", "b", "score", "wished"}; the text ends with the objective and the solver's bound.

    Python: intake.events.make_schedule(workspace, event_id, fresh=False, allow_unmet=False)

    \b
    Example:
      intake --home office event schedule E2027-02
      intake --home office event schedule E2027-02 --format jsonl > schedule.jsonl
    """
    from intake.events import make_schedule

    sch = make_schedule(ws.require(), event_id, fresh=fresh, allow_unmet=allow_unmet, time_limit=time_limit)
    sol, ev, nm = sch.solution, sch.event, sch.names
    if fmt == "jsonl":
        for m in sch.meetings:
            click.echo(json.dumps(m.public(), ensure_ascii=False))
    else:
        click.echo(f"{ev.id}: {ev.title}  {ev.date}  {len(ev.attending)} attendees, {len(sch.pairs)} candidate pairs,"
                   f" {ev.slots} slots × {ev.tables} tables")
        for s in range(1, ev.slots + 1):
            t0, t1 = ev.slot_time(s)
            here = [m for m in sch.meetings if m.slot == s]
            click.echo(f"slot {s}  {t0}-{t1}  ({len(here)} meetings)")
            for m in here:
                click.echo(f"  table {m.table:>2}  {m.a} {nm.get(m.a, m.a)} × {m.b} {nm.get(m.b, m.b)}  {m.score:.3f}"
                           + ("  相互希望" if m.must else ("  希望あり" if m.wished else "")))
    err = fmt == "jsonl"          # the summary goes to stderr in JSONL, so the lines stay machine-readable
    click.echo(f"objective {sol.objective:.3f}  bound {sol.bound:.3f}  ({sol.status}; greedy {sol.greedy:.3f})"
               f"  meetings {len(sch.meetings)}", err=err)
    if sch.previous:
        click.echo(f"kept {sol.kept} of {sch.previous} meetings already shown"
                   + (f"; moved or dropped: {', '.join(f'{a}×{b} (slot {s})' for a, b, s in sch.dropped)}"
                      if sch.dropped else ""), err=err)
    for a, b in sol.unmet:
        click.echo(f"mutual wish not met: {a} × {b}", err=err)


@event.command()
@click.argument("event_id")
@click.option("--ids", default=None, help="Comma-separated respondent ids to invite.")
@click.option("--all-consenting", is_flag=True,
              help="Every factory that consented to sharing its profile, and every buyer with a request.")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option("--wareki", is_flag=True, help="Date letters in 和暦 (令和8年…).")
@click.pass_obj
def invite(ws, event_id, ids, all_consenting, out, wareki):
    """Print invitations not yet sent: 商談会のご案内 by each invitee's channel (post: 長3 window letter; fax: with a
    cover sheet) with a personalised RSVP slip (出欠回答票: 参加/不参加, people, the suggested partners each with a
    box, 工場見学の受け入れ); one batch PDF and a mailing CSV. Slips faxed back update the event on their own.

    Python: intake.events.invite(workspace, event_id, out, ids=None, all_consenting=False, wareki=False)

    \b
    Example:
      intake --home office event invite E2027-02 --all-consenting --out letters/
      intake --home office event invite E2027-02 --ids F0007,F0012 --out letters/
    """
    from intake.events import invite as do

    wanted = [i.strip() for i in ids.split(",") if i.strip()] if ids else None
    for line in do(ws.require(), event_id, out, ids=wanted, all_consenting=all_consenting,
                   wareki=wareki).summary_lines():
        click.echo(line)


@event.command()
@click.argument("event_id")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.pass_obj
def sheets(ws, event_id, out):
    """Print the day's paper from the stored schedule: each attendee's own schedule (time, table, partner, the
    partner's profile in brief, why they meet), the table plan, 受付名簿 and 名札 (A4 sheets of 10).

    Python: intake.events.print_day_sheets(workspace, event_id, out)

    \b
    Example:
      intake --home office event schedule E2027-02
      intake --home office event sheets E2027-02 --out day/
    """
    from intake.events import print_day_sheets

    for line in print_day_sheets(ws.require(), event_id, out).summary_lines():
        click.echo(line)


@event.command()
@click.argument("event_id")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option("--wareki", is_flag=True, help="Date letters in 和暦 (令和8年…).")
@click.pass_obj
def followups(ws, event_id, out, wareki):
    """After the day: 面談後アンケートのお願い to each attendee with one follow-up slip per meeting (its code carries
    the meeting; the partner and time printed on it): talked, visit wanted, trial order. Slips faxed back are
    read through the inbox; never printed twice.

    Python: intake.events.print_followups(workspace, event_id, out, wareki=False)

    \b
    Example:
      intake --home office event followups E2027-02 --out letters/
    """
    from intake.events import print_followups

    for line in print_followups(ws.require(), event_id, out, wareki=wareki).summary_lines():
        click.echo(line)


@event.command()
@click.argument("event_id")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option("--wareki", is_flag=True, help="Date letters in 和暦 (令和8年…).")
@click.pass_obj
def visits(ws, event_id, out, wareki):
    """工場見学のお願い (with dates to choose) for every meeting whose two sides both asked for a factory visit on
    their follow-up slips: to the side that can host, and a notice to the other; never printed twice.

    Python: intake.events.print_visit_requests(workspace, event_id, out, wareki=False)

    \b
    Example:
      intake --home office event visits E2027-02 --out letters/
    """
    from intake.events import print_visit_requests

    for line in print_visit_requests(ws.require(), event_id, out, wareki=wareki).summary_lines():
        click.echo(line)
