"""Events (商談会) and who comes: create / list / show, and the clerk's twin of an RSVP slip (attend).

An event's id is the coordinator's own (E2027-02): it is printed in the RSVP slip's code where a match
reply carries its match id, so it must be a valid identity id. Participants are respondents the office
knows (a survey or a request came back, or they are on the office's list); an answer, from a slip or
from the clerk, replaces the previous one, so re-entering a phoned RSVP never duplicates anything.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from intake.errors import IntakeError
from intake.form.identity import valid_id
from intake.review.service import connection as _conn, transaction as _tx
from intake.store import db as store_db
from intake.workspace import Workspace

STATUSES = ("invited", "attending", "declined")
MAX_SLOTS, MAX_TABLES = 40, 200
MAX_ID = 16        # a meeting's code <event>.<slot>.<table> must fit the identity code's 24 characters


class EventError(IntakeError):
    """An event request that cannot be done as asked (unknown event or factory, a date in the past, ...): exit 1."""

    exit_code = 1


class ScheduleError(IntakeError):
    """A schedule that cannot be made as asked (nobody attends; mutual wishes the slots cannot hold): exit 7."""

    exit_code = 7

    def __init__(self, message: str, hint: str | None = None, unmet: list[tuple[str, str]] | None = None):
        super().__init__(message, hint)
        self.unmet = unmet or []


@dataclass
class Participant:
    factory: str
    name: str
    status: str
    people: int | None = None
    hosts_visit: str | None = None
    candidates: list[str] = field(default_factory=list)
    channel: str | None = None
    source: str | None = None
    wishes: list[str] = field(default_factory=list)       # whom this participant would like to meet


@dataclass
class Event:
    id: str
    title: str
    date: str
    venue: str
    slots: int
    tables: int
    slot_minutes: int
    start: str
    created_by: str
    participants: list[Participant] = field(default_factory=list)
    scheduled_at: str | None = None
    objective: float | None = None
    bound: float | None = None

    @property
    def attending(self) -> list[Participant]:
        return [p for p in self.participants if p.status == "attending"]

    def slot_time(self, slot: int) -> tuple[str, str]:
        """(from, to) of slot 1.. as HH:MM."""
        t0 = datetime.strptime(self.start, "%H:%M") + timedelta(minutes=(slot - 1) * self.slot_minutes)
        return t0.strftime("%H:%M"), (t0 + timedelta(minutes=self.slot_minutes)).strftime("%H:%M")

    def public(self) -> dict:
        """The `intake event show --format jsonl` line."""
        return {"event": self.id, "title": self.title, "date": self.date, "venue": self.venue, "slots": self.slots,
                "tables": self.tables, "slot_minutes": self.slot_minutes, "start": self.start,
                "participants": [{"factory": p.factory, "status": p.status, "people": p.people,
                                  "hosts_visit": p.hosts_visit, "wishes": p.wishes} for p in self.participants],
                "scheduled_at": self.scheduled_at, "objective": self.objective, "bound": self.bound}


def _need_who(who: str | None) -> str:
    who = (who or "").strip()
    if not who:
        raise EventError("say who is acting", hint="pass --who NAME (it is recorded with the event)")
    return who


def _check_time(start: str) -> str:
    if not re.fullmatch(r"\d{1,2}:\d{2}", start or ""):
        raise EventError(f"--start {start!r} is not a time HH:MM", hint="e.g. --start 13:30")
    h, m = (int(x) for x in start.split(":"))
    if h > 23 or m > 59:
        raise EventError(f"--start {start!r} is not a time of day", hint="e.g. --start 13:30")
    return f"{h:02d}:{m:02d}"


def create(ws: Workspace, event_id: str, title: str, on: str, venue: str, slots: int, tables: int,
           slot_minutes: int = 20, start: str = "13:00", who: str = "coordinator", today: date | None = None) -> Event:
    """`intake event create --id ID --title T --date YYYY-MM-DD --venue V --slots N --tables T`.
    Every input is checked before anything is written."""
    ws.require()
    who = _need_who(who)
    event_id = (event_id or "").strip()
    if not valid_id(event_id) or len(event_id) > MAX_ID:
        raise EventError(f"event id {event_id!r} cannot be printed in a slip's code",
                         hint=f"use 1-{MAX_ID} letters, digits, '.', '_' or '-', e.g. --id E2027-02")
    try:
        day = date.fromisoformat(on)
    except (TypeError, ValueError):
        raise EventError(f"--date {on!r} is not a date YYYY-MM-DD", hint="e.g. --date 2027-02-10") from None
    today = today or date.today()
    if day < today:
        raise EventError(f"--date {day.isoformat()} is in the past (today is {today.isoformat()})",
                         hint="give the day the event will be held")
    if not (title or "").strip() or not (venue or "").strip():
        raise EventError("an event needs a title and a venue", hint='pass --title "..." --venue "..."')
    if not 1 <= slots <= MAX_SLOTS or not 1 <= tables <= MAX_TABLES:
        raise EventError(f"--slots must be 1-{MAX_SLOTS} and --tables 1-{MAX_TABLES} (got {slots}, {tables})",
                         hint="e.g. --slots 6 --tables 8")
    if not 5 <= slot_minutes <= 240:
        raise EventError(f"--slot-minutes {slot_minutes} is not 5-240", hint="e.g. --slot-minutes 20")
    start = _check_time(start)
    end = datetime.strptime(start, "%H:%M") + timedelta(minutes=slots * slot_minutes)
    if end.date() != datetime.strptime(start, "%H:%M").date():
        raise EventError(f"{slots} slots of {slot_minutes} minutes from {start} run past midnight",
                         hint="fewer slots, shorter slots or an earlier --start")
    with _tx(ws) as conn:
        if conn.execute("SELECT 1 FROM events WHERE id=?", (event_id,)).fetchone():
            raise EventError(f"event {event_id} already exists", hint="see: intake event show " + event_id)
        conn.execute("INSERT INTO events (id, title, date, venue, slots, tables, slot_minutes, start, created_at,"
                     " created_by) VALUES (?,?,?,?,?,?,?,?,?,?)",
                     (event_id, title.strip(), day.isoformat(), venue.strip(), slots, tables, slot_minutes, start,
                      store_db.now(), who))
    return get_event(ws, event_id)


def names(conn) -> dict[str, str]:
    """Every respondent the office can invite, id -> name (the office's list first, then survey names)."""
    out = {r[0]: r[1] for r in conn.execute("SELECT id, name FROM factories WHERE name IS NOT NULL")}
    out.update({r[0]: r[1] for r in conn.execute("SELECT id, name FROM respondents")})
    for rid, name in conn.execute("SELECT requester_id, requester_name FROM requests WHERE requester_id IS NOT NULL"):
        out.setdefault(rid, name or rid)
    return out


def _from_row(conn, r) -> Event:
    known = names(conn)
    wishes: dict[str, list[str]] = {}
    for fid, other in conn.execute("SELECT factory_id, other_id FROM event_wishes WHERE event_id=? "
                                   "ORDER BY factory_id, other_id", (r["id"],)):
        wishes.setdefault(fid, []).append(other)
    parts = [Participant(factory=p["factory_id"], name=known.get(p["factory_id"], p["factory_id"]), status=p["status"],
                         people=p["people"], hosts_visit=p["hosts_visit"],
                         candidates=json.loads(p["candidates"] or "[]"), channel=p["channel"], source=p["source"],
                         wishes=wishes.get(p["factory_id"], []))
             for p in conn.execute("SELECT * FROM event_participants WHERE event_id=? ORDER BY factory_id", (r["id"],))]
    return Event(id=r["id"], title=r["title"], date=r["date"], venue=r["venue"], slots=r["slots"],
                 tables=r["tables"], slot_minutes=r["slot_minutes"], start=r["start"], created_by=r["created_by"],
                 participants=parts, scheduled_at=r["scheduled_at"], objective=r["objective"], bound=r["bound"])


def get_event(ws: Workspace, event_id: str) -> Event:
    with _conn(ws.require()) as conn:
        r = conn.execute("SELECT * FROM events WHERE id=?", (event_id,)).fetchone()
        if r is None:
            raise EventError(f"no event {event_id!r}", hint="see: intake event list")
        return _from_row(conn, r)


def list_events(ws: Workspace) -> list[Event]:
    with _conn(ws.require()) as conn:
        return [_from_row(conn, r) for r in conn.execute("SELECT * FROM events ORDER BY date, id")]


def record_answer(conn, event_id: str, factory: str, *, attending: bool, people: int | None = None,
                  hosts_visit: str | None = None, wishes: list[str] | tuple[str, ...] = (), source: str,
                  submission_id: str | None = None) -> None:
    """One participant's answer, replacing the previous one (its wishes too). Used by attend and the slip."""
    at = store_db.now()
    status = "attending" if attending else "declined"
    conn.execute(
        "INSERT INTO event_participants (event_id, factory_id, status, people, hosts_visit, source, submission_id,"
        " answered_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(event_id, factory_id) DO UPDATE SET"
        " status=excluded.status, people=excluded.people, hosts_visit=excluded.hosts_visit, source=excluded.source,"
        " submission_id=excluded.submission_id, answered_at=excluded.answered_at, updated_at=excluded.updated_at",
        (event_id, factory, status, people, hosts_visit, source, submission_id, at, at))
    conn.execute("DELETE FROM event_wishes WHERE event_id=? AND factory_id=?", (event_id, factory))
    for other in dict.fromkeys(wishes):
        conn.execute("INSERT INTO event_wishes (event_id, factory_id, other_id, source, at) VALUES (?,?,?,?,?)",
                     (event_id, factory, other, source, at))


def attend(ws: Workspace, event_id: str, factory: str, wishes: list[str] | tuple[str, ...] = (),
           decline: bool = False, people: int | None = None, hosts_visit: str | None = None) -> Event:
    """`intake event attend ID FACTORY [--wish OTHER ...] [--decline]`: an RSVP that came by phone.
    Replaces the factory's previous answer and wishes."""
    get_event(ws, event_id)
    if decline and wishes:
        raise EventError("a factory that declines cannot wish to meet anyone", hint="drop --wish or --decline")
    if people is not None and not 1 <= people <= 20:
        raise EventError(f"--people {people} is not 1-20", hint="how many come from the factory, e.g. --people 2")
    if hosts_visit not in (None, "yes", "no"):
        raise EventError(f"--hosts-visit {hosts_visit!r}", hint="yes or no")
    with _tx(ws) as conn:
        known = names(conn)
        for f in (factory, *wishes):
            if f not in known:
                near = [k for k in known if k.lower() == f.lower()]
                said = f" (did you mean {near[0]}?)" if near else ""
                raise EventError(f"no factory {f!r} in this workspace{said}",
                                 hint="give a respondent id from a survey, a request or the office's list")
        if factory in wishes:
            raise EventError(f"{factory} cannot wish to meet itself", hint="name another factory with --wish")
        record_answer(conn, event_id, factory, attending=not decline, people=people, hosts_visit=hosts_visit,
                      wishes=list(wishes), source="clerk")
    return get_event(ws, event_id)
