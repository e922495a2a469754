"""Incidents: an outage declared once, assessed again as often as needed, closed when it is over.

An incident's scope is its areas and down factories as normalised; an assessment of the same scope
while an incident is open refreshes that incident (the letters stage then sends only to parties
not yet written to), so re-running `intake bcp` never opens a second incident or sends twice.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from intake.bcp.area import BcpError, resolve
from intake.bcp.assess import DEFAULT_TOP, Affected, assess_factories
from intake.review.service import connection as _conn, transaction as _tx
from intake.store import db as store_db
from intake.workspace import Workspace

STATES = ("open", "closed")


@dataclass
class Incident:
    id: str
    areas: list[str]
    down: list[str]
    state: str
    declared_at: str
    declared_by: str
    assessed_at: str
    affected: list[Affected]
    refreshed: bool = False                               # this call refreshed an open incident
    sent: list[dict] = field(default_factory=list)        # bcp_sent rows
    replies: list[dict] = field(default_factory=list)     # bcp_replies rows
    closed_at: str | None = None
    closed_by: str | None = None
    why: str | None = None

    def public(self) -> dict:
        """The `intake bcp show --format jsonl` line."""
        return {"incident": self.id, "state": self.state, "areas": self.areas, "down": self.down,
                "declared_at": self.declared_at, "declared_by": self.declared_by, "assessed_at": self.assessed_at,
                "affected": [a.factory for a in self.affected],
                "sent": [{k: r[k] for k in ("kind", "respondent_id", "channel", "printed_at")} for r in self.sent],
                "replies": [{k: r[k] for k in ("factory_id", "answer", "start_date", "monthly", "status")}
                            for r in self.replies],
                "closed_at": self.closed_at}


def _need_who(who: str | None) -> str:
    who = (who or "").strip()
    if not who:
        raise BcpError("say who is acting", hint="pass --who NAME (it is recorded with the incident)")
    return who


def vocabulary(ws: Workspace):
    from intake.match.service import vocabulary as v

    return v(ws)


def assess(ws: Workspace, area: list[str] | tuple[str, ...] = (), down: list[str] | tuple[str, ...] = (),
           who: str = "coordinator", top: int = DEFAULT_TOP) -> Incident:
    """`intake bcp --area TEXT --down ID`: the affected factories, who relies on them and their
    alternatives, recorded as an incident (a new one, or the open one of the same scope, refreshed).
    Every input is checked before anything is written."""
    ws.require()
    who = _need_who(who)
    if not area and not down:
        raise BcpError("name what is down", hint="pass --area TEXT (a prefecture, city or postal prefix) or --down FACTORY_ID")
    if top < 1:
        raise BcpError(f"--top must be at least 1, not {top}", hint="e.g. --top 3")
    areas = [resolve(a) for a in area]
    down = list(dict.fromkeys(d.strip() for d in down if d.strip()))
    vocab = vocabulary(ws)
    scope = json.dumps({"areas": sorted({a.postal_prefix or min(a.names) for a in areas}), "down": sorted(down)},
                       ensure_ascii=False)
    with _tx(ws) as conn:
        affected = assess_factories(conn, areas, down, vocab, top)
        record = json.dumps([asdict(a) for a in affected], ensure_ascii=False)
        at = store_db.now()
        old = conn.execute("SELECT id FROM bcp_incidents WHERE scope=? AND state='open'", (scope,)).fetchone()
        if old:
            iid = old[0]
            conn.execute("UPDATE bcp_incidents SET assessment=?, assessed_at=? WHERE id=?", (record, at, iid))
        else:
            n = conn.execute("SELECT COUNT(*) FROM bcp_incidents").fetchone()[0]
            iid = f"I{n + 1:04d}"
            conn.execute("INSERT INTO bcp_incidents (id, scope, areas, state, declared_at, declared_by, assessment,"
                         " assessed_at) VALUES (?,?,?,?,?,?,?,?)",
                         (iid, scope, json.dumps([a.text for a in areas], ensure_ascii=False), "open", at, who, record,
                          at))
    inc = get_incident(ws, iid)
    inc.refreshed = old is not None
    return inc


def _from_row(conn, r) -> Incident:
    scope = json.loads(r["scope"])
    return Incident(
        id=r["id"], areas=json.loads(r["areas"]), down=scope["down"], state=r["state"], declared_at=r["declared_at"],
        declared_by=r["declared_by"], assessed_at=r["assessed_at"],
        affected=[Affected.from_record(d) for d in json.loads(r["assessment"])],
        sent=[dict(x) for x in conn.execute("SELECT * FROM bcp_sent WHERE incident_id=? ORDER BY id", (r["id"],))],
        replies=[dict(x) for x in conn.execute("SELECT * FROM bcp_replies WHERE incident_id=? ORDER BY id",
                                               (r["id"],))],
        closed_at=r["closed_at"], closed_by=r["closed_by"], why=r["why"])


def _load(ws: Workspace, where: str = "", args: tuple = ()) -> list[Incident]:
    with _conn(ws.require()) as conn:
        return [_from_row(conn, r) for r in conn.execute(f"SELECT * FROM bcp_incidents {where} ORDER BY id", args)]


def get_incident(ws: Workspace, incident_id: str) -> Incident:
    found = _load(ws, "WHERE id=?", (incident_id,))
    if not found:
        raise BcpError(f"no incident {incident_id!r}", hint="see: intake bcp list")
    return found[0]


def list_incidents(ws: Workspace, state: str | None = None) -> list[Incident]:
    if state is not None and state not in STATES:
        raise BcpError(f"unknown incident state {state!r}", hint=f"states: {', '.join(STATES)}")
    return _load(ws, "WHERE state=?" if state else "", (state,) if state else ())


def require_open(ws: Workspace, incident_id: str) -> Incident:
    inc = get_incident(ws, incident_id)
    if inc.state != "open":
        raise BcpError(f"incident {incident_id} was closed on {inc.closed_at} by {inc.closed_by}",
                       hint="a closed incident stays closed; declare a new one with: intake bcp --area TEXT")
    return inc


def close(ws: Workspace, incident_id: str, who: str, why: str | None = None) -> Incident:
    """`intake bcp close ID --who NAME`: the outage is over; nothing more is sent for it."""
    who = _need_who(who)
    require_open(ws, incident_id)
    with _tx(ws) as conn:
        conn.execute("UPDATE bcp_incidents SET state='closed', closed_at=?, closed_by=?, why=? WHERE id=?",
                     (store_db.now(), who, why, incident_id))
    return get_incident(ws, incident_id)
