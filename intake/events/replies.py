"""An RSVP slip (forms/event-rsvp.yaml) records its factory's answer on its own: the slip's code carries the
event id where a match reply carries its match id, and intake.dispatch calls on_settled for every stored or
settled submission. Only settled fields count (read surely or confirmed by a clerk): a field awaiting a clerk
is taken at the clerk's settle, which calls the handler again; each call replaces the factory's previous
answer and wishes.

A ticked 会いたい on line k is a wish for the k-th partner printed on that factory's slip (the invitation
stored the order); a slip whose 参加/不参加 cannot be read yet changes nothing.
"""

from __future__ import annotations

import json

from intake.events.invitations import CANDIDATES
from intake.events.model import record_answer
from intake.workspace import Workspace

PURPOSE = "event_rsvp"


def _scalar(v):
    if isinstance(v, list):
        return v[0] if v else None
    return v if v not in ("", None) else None


def on_settled(ws: Workspace, submission_id: str, status: str) -> str | None:
    """intake.dispatch handler. Returns the answer recorded ('attending' / 'declined', or '' when not readable
    yet), None when the submission is not an RSVP slip for a known event and invitee."""
    from intake.review.service import forms, transaction

    with transaction(ws) as conn:
        sub = conn.execute("SELECT * FROM submissions WHERE id=?", (submission_id,)).fetchone()
        if sub is None or not sub["match_id"] or not sub["respondent_id"]:
            return None
        form = forms(ws).get(sub["form"])
        if form is None or form.purpose != PURPOSE:
            return None
        inv = conn.execute("SELECT candidates FROM event_participants WHERE event_id=? AND factory_id=?",
                           (sub["match_id"], sub["respondent_id"])).fetchone()
        if inv is None:
            return None
        # Only what is settled (read surely, or confirmed by a clerk): a wrong mutual wish would bind the schedule,
        # so a value awaiting a clerk counts when the clerk settles it (dispatch calls again).
        v = {r["key"]: json.loads(r["value"]) if r["value"] is not None and not r["needs_review"] else None
             for r in conn.execute("SELECT key, value, needs_review FROM field_values WHERE submission_id=?",
                                   (submission_id,))}
        attend = _scalar(v.get("attend"))
        if attend not in ("yes", "no"):
            return ""
        candidates = json.loads(inv["candidates"] or "[]")
        wishes = [candidates[k - 1] for k in range(1, min(CANDIDATES, len(candidates)) + 1)
                  if _scalar(v.get(f"wish_{k}")) == "meet"] if attend == "yes" else []
        people = _scalar(v.get("people"))
        people = int(people) if str(people or "").isdigit() and int(people) > 0 else None
        hosts = _scalar(v.get("hosts_visit"))
        record_answer(conn, sub["match_id"], sub["respondent_id"], attending=attend == "yes", people=people,
                      hosts_visit=hosts if hosts in ("yes", "no") else None, wishes=wishes, source="rsvp",
                      submission_id=submission_id)
        return "attending" if attend == "yes" else "declined"
