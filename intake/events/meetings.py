"""An event's candidate pairs and its schedule, against the workspace database.

    event_pairs(ws, event_id, among="attending") -> list[Pair]        `intake event pairs ID`
    make_schedule(ws, event_id, fresh=False, allow_unmet=False) -> Schedule   `intake event schedule ID`

The schedule is stored (event_meetings) each time it is made, replacing the previous one; what was
stored is what participants may already have been told, so the next run keeps it where it can
(`fresh=True` starts over).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from intake.events.model import Event, EventError, ScheduleError, _conn, _tx, get_event, names
from intake.events.pairs import Pair, candidate_pairs
from intake.events.schedule import TIME_LIMIT_S, Infeasible, Meeting, Solution, solve
from intake.store import db as store_db
from intake.workspace import Workspace

AMONG = ("attending", "invited")


@dataclass
class Schedule:
    event: Event
    meetings: list[Meeting]
    pairs: list[Pair]
    solution: Solution
    previous: int = 0                                         # meetings of the schedule shown before
    dropped: list[tuple[str, str, int]] = field(default_factory=list)   # shown before, now moved or gone
    names: dict[str, str] = field(default_factory=dict)

    def by_participant(self, fid: str) -> list[Meeting]:
        return sorted((m for m in self.meetings if fid in m.key), key=lambda m: m.slot)


def _vocab(ws: Workspace):
    from intake.match.service import vocabulary

    return vocabulary(ws)


def _wishes(conn, event_id: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f, o in conn.execute("SELECT factory_id, other_id FROM event_wishes WHERE event_id=? ORDER BY 1, 2",
                             (event_id,)):
        out.setdefault(f, []).append(o)
    return out


def event_pairs(ws: Workspace, event_id: str, among: str = "attending") -> list[Pair]:
    """Candidate pairs among the event's attendees (among="invited": everyone not declined), best first."""
    if among not in AMONG:
        raise EventError(f"unknown --among {among!r}", hint=f"one of: {', '.join(AMONG)}")
    ev = get_event(ws, event_id)
    ids = {p.factory for p in ev.participants
           if p.status == "attending" or (among == "invited" and p.status == "invited")}
    if not ids:
        raise ScheduleError(f"event {event_id} has no attendees yet" if among == "attending"
                            else f"event {event_id} has nobody invited or attending",
                            hint=f"record RSVPs (slips through the inbox, or: intake event attend {event_id} FACTORY)")
    vocab = _vocab(ws)
    with _conn(ws) as conn:
        return candidate_pairs(conn, ids, vocab, _wishes(conn, event_id), names(conn))


def make_schedule(ws: Workspace, event_id: str, fresh: bool = False, allow_unmet: bool = False,
                  time_limit: float = TIME_LIMIT_S) -> Schedule:
    """Solve and store the event's schedule. Raises ScheduleError (exit 7) when nobody attends, no pair fits,
    or the mutual wishes cannot all be met (naming them) and allow_unmet is False."""
    ev = get_event(ws, event_id)
    pairs = event_pairs(ws, event_id)
    if not pairs:
        raise ScheduleError(f"no pair among the {len(ev.attending)} attendees of {event_id} has a reason to meet",
                            hint=f"record wishes (intake event attend {event_id} FACTORY --wish OTHER)")
    with _conn(ws) as conn:
        known = names(conn)
        shown = {(r["a"], r["b"]): (r["slot"], r["table_no"]) for r in
                 conn.execute("SELECT * FROM event_meetings WHERE event_id=?", (event_id,))}
    try:
        sol = solve(pairs, ev.slots, ev.tables, keep={} if fresh else shown, allow_unmet=allow_unmet,
                    time_limit=time_limit)
    except Infeasible as exc:
        said = "; ".join(f"{known.get(a, a)}（{a}）と{known.get(b, b)}（{b}）" for a, b in exc.unmet)
        raise ScheduleError(
            f"{len(exc.unmet)} mutual wish(es) cannot be met in {ev.slots} slots × {ev.tables} tables: {said}",
            hint=f"a participant has more mutual wishes than there are slots, or the tables are too few: ask them "
                 f"to choose (intake event attend {event_id} FACTORY --wish ...), or schedule the rest with "
                 f"--allow-unmet", unmet=exc.unmet) from None
    now = {m.key: (m.slot, m.table) for m in sol.meetings}
    dropped = [(a, b, s) for (a, b), (s, t) in sorted(shown.items()) if now.get((a, b), (0, 0))[0] != s]
    at = store_db.now()
    with _tx(ws) as conn:
        conn.execute("DELETE FROM event_meetings WHERE event_id=?", (event_id,))
        for m in sol.meetings:
            conn.execute("INSERT INTO event_meetings (event_id, slot, table_no, a, b, score, wished, created_at)"
                         " VALUES (?,?,?,?,?,?,?,?)", (event_id, m.slot, m.table, m.a, m.b, m.score, int(m.wished), at))
        conn.execute("UPDATE events SET scheduled_at=?, objective=?, bound=? WHERE id=?",
                     (at, sol.objective, sol.bound, event_id))
    return Schedule(get_event(ws, event_id), sol.meetings, pairs, sol, len(shown), dropped, known)


def stored_meetings(ws: Workspace, event_id: str) -> list[Meeting]:
    """The schedule as last made (for the day sheets), without solving again."""
    get_event(ws, event_id)
    with _conn(ws) as conn:
        return [Meeting(r["slot"], r["table_no"], r["a"], r["b"], r["score"], bool(r["wished"])) for r in
                conn.execute("SELECT * FROM event_meetings WHERE event_id=? ORDER BY slot, table_no", (event_id,))]
