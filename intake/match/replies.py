"""Reply slips update their match on their own: the ingest stage calls on_stored for every
submission it touched; `intake match` calls sync_replies to repair anything missed.

A reply arriving means the letter went out: a match still at letter_printed passes through
sent (recorded as implied) to reply_received. The outcome (contacted, visit, trial order,
satisfaction) is copied from the slip's current values, even while a clerk still has to
confirm some of them; a later correction is picked up by the next on_stored / sync_replies.
"""

from __future__ import annotations

import json

from intake.match.states import transition
from intake.store import db as store_db
from intake.workspace import Workspace

WHO = "reply slip"
OUTCOME_KEYS = ("contacted", "visit", "trial_order", "satisfaction")


def on_settled(ws: Workspace, submission_id: str, status: str) -> str | None:
    """intake.dispatch handler: a reply slip updates its match whatever its status (a clerk may
    still be confirming some of its fields; a later correction is picked up again)."""
    return on_stored(ws, submission_id)


def on_stored(ws: Workspace, submission_id: str) -> str | None:
    """If `submission_id` is a reply slip carrying a match id, record it on the match.
    Returns the match's state afterwards, or None when the submission is not a reply to a known match."""
    from intake.review.service import forms, transaction

    with transaction(ws) as conn:
        sub = conn.execute("SELECT * FROM submissions WHERE id=?", (submission_id,)).fetchone()
        if sub is None or not sub["match_id"]:
            return None
        form = forms(ws).get(sub["form"])
        if form is None or form.purpose != "reply":
            return None
        m = conn.execute("SELECT * FROM matches WHERE id=?", (sub["match_id"],)).fetchone()
        if m is None:
            return None
        values = {r["key"]: json.loads(r["value"]) if r["value"] is not None else None
                  for r in conn.execute("SELECT key, value FROM field_values WHERE submission_id=?", (submission_id,))}
        out = {k: _scalar(values.get(k)) for k in OUTCOME_KEYS}
        sets = {k: v for k, v in out.items() if v is not None}
        if "satisfaction" in sets:
            sets["satisfaction"] = int(sets["satisfaction"]) if str(sets["satisfaction"]).isdigit() else None
        at = store_db.now()
        cols = ", ".join(f"{k}=?" for k in sets)
        conn.execute(f"UPDATE matches SET reply_submission_id=?, {cols + ', ' if cols else ''}updated_at=? WHERE id=?",
                     (submission_id, *sets.values(), at, m["id"]))
        state = m["state"]
        note = f"reply slip {submission_id} from {sub['respondent_id'] or 'unknown'}"
        if state == "letter_printed":
            transition(conn, m["id"], "sent", WHO, "implied: a reply came back", at)
            state = "sent"
        if state == "sent":
            transition(conn, m["id"], "reply_received", WHO, note, at)
            state = "reply_received"
        return state


def sync_replies(ws: Workspace) -> int:
    """Run on_stored for every reply-slip submission with a match id. Returns how many were seen."""
    from intake.review.service import connection

    with connection(ws) as conn:
        sids = [r[0] for r in conn.execute("SELECT id FROM submissions WHERE match_id IS NOT NULL ORDER BY created_at")]
    return sum(1 for sid in sids if on_stored(ws, sid) is not None)


def _scalar(v):
    if isinstance(v, list):
        return v[0] if v else None
    return v if v not in ("", None) else None
