"""A BCP reply slip (forms/bcp-reply.yaml) updates its incident on its own: the slip's code carries the
incident id where a match reply carries the match id, and intake.dispatch calls on_settled for every
stored or settled submission. The answer is copied whatever the submission's status (a clerk may still
be confirming a field; the next settle copies the correction), so one row per slip, updated in place.

An accepted offer (できる / 条件付きで可) becomes a match in one command: accept_offer approves the
alternative's match with every request that relied on a factory it was asked to replace.
"""

from __future__ import annotations

import json

from intake.bcp.area import BcpError
from intake.store import db as store_db
from intake.workspace import Workspace

PURPOSE = "bcp_reply"
OFFERS = ("can", "conditional")


def _scalar(v):
    if isinstance(v, list):
        return v[0] if v else None
    return v if v not in ("", None) else None


def on_settled(ws: Workspace, submission_id: str, status: str) -> str | None:
    """intake.dispatch handler. Returns the answer read (or '' when not readable yet), None when the
    submission is not a BCP reply to a known incident."""
    from intake.review.service import forms, transaction

    with transaction(ws) as conn:
        sub = conn.execute("SELECT * FROM submissions WHERE id=?", (submission_id,)).fetchone()
        if sub is None or not sub["match_id"]:
            return None
        form = forms(ws).get(sub["form"])
        if form is None or form.purpose != PURPOSE:
            return None
        if conn.execute("SELECT 1 FROM bcp_incidents WHERE id=?", (sub["match_id"],)).fetchone() is None:
            return None
        v = {r["key"]: json.loads(r["value"]) if r["value"] is not None else None
             for r in conn.execute("SELECT key, value FROM field_values WHERE submission_id=?", (submission_id,))}
        monthly = _scalar(v.get("monthly"))
        row = dict(incident_id=sub["match_id"], factory_id=sub["respondent_id"], submission_id=submission_id,
                   answer=_scalar(v.get("answer")), start_date=_scalar(v.get("start_date")),
                   monthly=int(monthly) if str(monthly or "").isdigit() else None,
                   conditions=_scalar(v.get("conditions")), status=status)
        store_db.upsert_reply(conn, "bcp_replies", row)
        return row["answer"] or ""


def accept_offer(ws: Workspace, incident_id: str, factory: str, who: str) -> list:
    """`intake bcp accept INCIDENT FACTORY --who NAME`: the factory offered to take the work; for each request
    that relied on a factory it was asked to replace, its match is approved (added by hand first when matching
    had not proposed the pair), so the introduction letters can be printed. Returns those matches."""
    from intake import match as m_api
    from intake.bcp.incidents import _conn, _need_who, require_open

    who = _need_who(who)
    inc = require_open(ws, incident_id)
    with _conn(ws) as conn:
        offer = conn.execute("SELECT id, answer FROM bcp_replies WHERE incident_id=? AND factory_id=? "
                             "ORDER BY updated_at DESC LIMIT 1", (incident_id, factory)).fetchone()
        existing = {r[0]: (r[1], r[2]) for r in conn.execute(
            "SELECT request_submission_id, id, state FROM matches WHERE kind='pair' AND supplier_id=?", (factory,))}
    if offer is None or offer["answer"] not in OFFERS:
        said = "no reply yet" if offer is None else f"its reply says {offer['answer'] or '(unreadable)'}"
        raise BcpError(f"{factory} has not offered to take work for incident {incident_id} ({said})",
                       hint="wait for its reply slip (できる / 条件付きで可), or add a match by hand: intake match add")
    requests = list(dict.fromkeys(r for a in inc.affected if factory in {x.factory for x in a.alternatives}
                                  for r in a.requests))
    todo = [r for r in requests if existing.get(r, (None, "proposed"))[1] == "proposed"]
    if not todo:
        raise BcpError(f"no open request relies on the factories {factory} was asked to replace"
                       + (" (its matches are already decided)" if requests else ""),
                       hint="see: intake bcp show " + incident_id + " and intake match list")
    made = []
    for r in todo:
        mid = existing[r][0] if r in existing else m_api.add_match(ws, r, factory, who).id
        made.append(m_api.approve(ws, mid, who))
    with store_db.transaction(ws.db_path) as conn:
        conn.execute("UPDATE bcp_replies SET match_ids=? WHERE id=?", (json.dumps([m.id for m in made]), offer["id"]))
    return made
