"""A match's life: proposed → approved|rejected → letter_printed → sent → reply_received → closed.

Every change goes through `transition`, which refuses illegal steps (with the command that
would be legal) and writes one match_events row, so the history of a match can be shown.
"""

from __future__ import annotations

import sqlite3

from intake.errors import IntakeError
from intake.store import db as store_db

STATES = ("proposed", "approved", "rejected", "letter_printed", "sent", "reply_received", "closed")
NEXT: dict[str, tuple[str, ...]] = {
    "proposed": ("approved", "rejected"),
    "approved": ("letter_printed", "rejected"),
    "rejected": ("proposed",),                  # reopened by a coordinator
    "letter_printed": ("sent",),
    "sent": ("reply_received", "closed"),
    "reply_received": ("closed",),
    "closed": (),
}
# What a coordinator types to reach each state.
HOW = {
    "approved": "intake match approve ID --who NAME",
    "rejected": "intake match reject ID --why TEXT --who NAME",
    "letter_printed": "intake letters --match ID --out DIR",
    "sent": "intake match sent ID --who NAME",
    "reply_received": "(a reply slip coming back through the inbox)",
    "closed": "intake match close ID --who NAME",
}


class MatchError(IntakeError):
    """A match operation that cannot be done (unknown id, illegal state change, ...)."""

    exit_code = 1


def check(match_id: str, current: str, to: str) -> None:
    if to not in STATES:
        raise MatchError(f"unknown match state {to!r}", hint=f"states: {', '.join(STATES)}")
    if to not in NEXT.get(current, ()):
        legal = NEXT.get(current, ())
        hint = ("; ".join(f"{s}: {HOW[s]}" for s in legal) if legal
                else "a closed match stays closed; add a new match by hand if needed (intake match add)")
        raise MatchError(f"match {match_id} is {current}: it cannot become {to}", hint=hint)


def transition(conn: sqlite3.Connection, match_id: str, to: str, who: str, note: str | None = None,
               at: str | None = None) -> str:
    """Move a match to `to` inside the caller's transaction. Returns the previous state."""
    row = conn.execute("SELECT state FROM matches WHERE id=?", (match_id,)).fetchone()
    if row is None:
        raise MatchError(f"no match {match_id!r}", hint="see: intake match list")
    current = row[0]
    check(match_id, current, to)
    at = at or store_db.now()
    conn.execute("UPDATE matches SET state=?, updated_at=? WHERE id=?", (to, at, match_id))
    conn.execute("INSERT INTO match_events (match_id, from_state, to_state, who, at, note) VALUES (?,?,?,?,?,?)",
                 (match_id, current, to, who, at, note))
    return current
