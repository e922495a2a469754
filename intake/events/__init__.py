"""Matching events (商談会): invitations that come back by fax, a 1:1 meeting schedule built from the
matches, and what the day needs on paper.

    create(ws, event_id, title, on, venue, slots, tables, slot_minutes=20, start="13:00") -> Event
                                                                     `intake event create`
    list_events(ws) ; get_event(ws, id)                              `intake event list / show`
    attend(ws, id, factory, wishes=(), decline=False, people=None, hosts_visit=None)   `intake event attend`
    event_pairs(ws, id, among="attending") -> list[Pair]             `intake event pairs ID`
    make_schedule(ws, id, fresh=False, allow_unmet=False) -> Schedule   `intake event schedule ID`
    invite(ws, id, out, ids=None, all_consenting=False) -> InviteRun   `intake event invite ID --out DIR`
    print_day_sheets(ws, id, out) -> DaySheets                       `intake event sheets ID --out DIR`
    print_followups(ws, id, out) ; print_visit_requests(ws, id, out)  `intake event followups / visits`
    followups.funnel(conn) -> dict                                    the report's event funnel
    replies.on_settled(ws, submission_id, status)    called through intake.dispatch: an RSVP slip → its answer
Pair.public() and Meeting.public() are the JSONL lines. EventError exits 1, ScheduleError exits 7.
"""

from intake.events.followups import AfterRun, print_followups, print_visit_requests  # noqa: F401
from intake.events.invitations import InviteRun, invite  # noqa: F401
from intake.events.meetings import Schedule, event_pairs, make_schedule, stored_meetings  # noqa: F401
from intake.events.model import (  # noqa: F401
    Event, EventError, Participant, ScheduleError, attend, create, get_event, list_events,
)
from intake.events.pairs import Pair  # noqa: F401
from intake.events.sheets import DaySheets, print_day_sheets  # noqa: F401
from intake.events.schedule import Meeting, greedy, solve  # noqa: F401
