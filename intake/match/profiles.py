"""Reading the profile tables into the scoring's plain data."""

from __future__ import annotations

import json
import sqlite3
from functools import lru_cache

from intake.match.scoring import Need, Supplier, history_score
from intake.validate import prefectures as pref


@lru_cache(maxsize=64)
def neighbours_of(name: str) -> frozenset[str]:
    try:
        return frozenset(p.name for p in pref.neighbours(name))
    except KeyError:
        return frozenset()


def outcomes_by_supplier(conn: sqlite3.Connection) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in conn.execute("SELECT supplier_id, contacted, visit, trial_order, satisfaction FROM matches "
                          "WHERE kind='pair' AND reply_submission_id IS NOT NULL AND supplier_id IS NOT NULL"):
        out.setdefault(r[0], []).append({"contacted": r[1], "visit": r[2], "trial_order": r[3],
                                         "satisfaction": r[4]})
    return out


def suppliers(conn: sqlite3.Connection, only_sharing: bool = True) -> list[Supplier]:
    """Factories whose consent allows sharing (shares_profile = 1), with their capabilities."""
    caps: dict[str, dict[str, set]] = {}
    for fid, kind, value in conn.execute("SELECT factory_id, kind, value FROM capabilities"):
        caps.setdefault(fid, {}).setdefault(kind, set()).add(value)
    hist = outcomes_by_supplier(conn)
    where = "WHERE shares_profile = 1" if only_sharing else ""
    out = []
    for r in conn.execute(f"SELECT id, name, prefecture, idle_equipment FROM factories {where} ORDER BY id"):
        c = caps.get(r[0], {})
        out.append(Supplier(id=r[0], name=r[1], prefecture=r[2],
                            processes=frozenset(c.get("process", ())), materials=frozenset(c.get("material", ())),
                            lots=frozenset(c.get("lot", ())), certifications=frozenset(c.get("certification", ())),
                            interests=frozenset(c.get("interest", ())), idle_equipment=bool(r[3]),
                            history=history_score(hist.get(r[0], []))))
    return out


def requester_prefecture(conn: sqlite3.Connection, requester_id: str | None) -> str | None:
    """Where a requester is: its own survey profile, else the office's respondent list."""
    if not requester_id:
        return None
    row = conn.execute("SELECT prefecture FROM factories WHERE id=?", (requester_id,)).fetchone()
    if row and row[0]:
        return row[0]
    row = conn.execute("SELECT address, postal_code FROM respondents WHERE id=?", (requester_id,)).fetchone()
    if row:
        from intake.review.profile import prefecture_of

        return prefecture_of(row[0], row[1])
    return None


def needs(conn: sqlite3.Connection) -> list[Need]:
    """Requests from accepted submissions, by requester: not by acceptance order, which follows the review
    queue's order of random submission ids (two demo runs numbered the same matches differently)."""
    out = []
    for r in conn.execute("SELECT r.* FROM requests r JOIN submissions s ON s.id = r.submission_id "
                          "WHERE s.status = 'accepted' ORDER BY r.requester_id IS NULL, r.requester_id, s.created_at, "
                          "r.id"):
        name = r["requester_name"]
        if not name and r["requester_id"]:
            row = conn.execute("SELECT name FROM respondents WHERE id=?", (r["requester_id"],)).fetchone()
            name = row[0] if row else None
        out.append(Need(submission_id=r["submission_id"], requester_id=r["requester_id"], requester_name=name,
                        prefecture=requester_prefecture(conn, r["requester_id"]),
                        processes=tuple(json.loads(r["processes"] or "[]")),
                        materials=tuple(json.loads(r["materials"] or "[]")),
                        quantity=r["quantity"], region=r["region"]))
    return out


def need_for(conn: sqlite3.Connection, submission_id: str) -> Need | None:
    for n in needs(conn):
        if n.submission_id == submission_id:
            return n
    return None
