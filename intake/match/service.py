"""Matching against the workspace database, and the coordinator's operations on matches.

    run_matching(ws, min_score=0.35) -> MatchRun      `intake match`
    list_matches(ws, state=None) -> list[Match]      `intake match list`
    approve(ws, match_id, who) -> Match               `intake match approve ID --who NAME`
    reject(ws, match_id, why, who) -> Match           `intake match reject ID --why TEXT --who NAME`
    add_match(ws, request, supplier, who) -> Match    `intake match add REQUEST SUPPLIER --who NAME`
    mark_sent(ws, match_id, who) / close(ws, match_id, who, why=None)
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from intake.match import profiles
from intake.match.scoring import Supplier, Vocabulary, score
from intake.match.states import STATES, MatchError, transition
from intake.store import db as store_db
from intake.workspace import Workspace

DEFAULT_MIN_SCORE = 0.35
MAX_PER_REQUEST = 5             # the best few: a coordinator reads each proposal
GROUP_INTERESTS = ("equipment_sharing", "joint_purchase")
GROUP_MIN_MEMBERS = 2


@dataclass
class Match:
    id: str
    kind: str
    request: str | None
    requester: str | None
    supplier: str | None
    score: float
    state: str
    reasons_ja: list[str]
    reasons_en: list[str]
    manual: bool = False
    group_interest: str | None = None
    group_region: str | None = None
    members: list[str] = field(default_factory=list)
    decided_by: str | None = None
    why: str | None = None
    outcome: dict = field(default_factory=dict)

    def public(self, lang: str = "ja") -> dict:
        """The `intake match list --format jsonl` line (a public interface: keys never change).
        A group match has no request: request and requester are "", supplier lists its members."""
        return {"match": self.id, "request": self.request or "", "requester": self.requester or "",
                "supplier": self.supplier if self.kind == "pair" else ",".join(self.members),
                "score": float(self.score), "state": self.state,
                "reasons": list(self.reasons_ja if lang == "ja" else self.reasons_en)}


@dataclass
class MatchRun:
    proposed: list[str] = field(default_factory=list)     # new proposals
    updated: int = 0                                      # proposals whose score/reasons were refreshed
    withdrawn: list[str] = field(default_factory=list)    # proposals that no longer qualify (deleted)
    groups: list[str] = field(default_factory=list)       # new group matches
    requests: int = 0
    suppliers: int = 0


def _conn(ws: Workspace):
    from intake.review.service import connection

    return connection(ws)


def _tx(ws: Workspace):
    from intake.review.service import transaction

    return transaction(ws)


def vocabulary(ws: Workspace) -> Vocabulary:
    from intake.review.service import forms

    return Vocabulary(forms(ws))


def _need_who(who: str | None) -> str:
    who = (who or "").strip()
    if not who:
        raise MatchError("a coordinator name is needed for the record", hint="pass --who NAME")
    return who


def _next_id(conn: sqlite3.Connection) -> str:
    n = 0
    for (mid,) in conn.execute("SELECT id FROM matches WHERE id LIKE 'M%'"):
        if mid[1:].isdigit():
            n = max(n, int(mid[1:]))
    return f"M{n + 1:04d}"


def _row_to_match(conn: sqlite3.Connection, r: sqlite3.Row) -> Match:
    interest = region = None
    members: list[str] = []
    if r["group_id"] is not None:
        g = conn.execute("SELECT * FROM match_groups WHERE id=?", (r["group_id"],)).fetchone()
        if g:
            interest, region, members = g["interest"], g["region"], json.loads(g["members"])
    return Match(id=r["id"], kind=r["kind"], request=r["request_submission_id"], requester=r["requester_id"],
                 supplier=r["supplier_id"], score=r["score"], state=r["state"],
                 reasons_ja=json.loads(r["reasons_ja"] or "[]"), reasons_en=json.loads(r["reasons_en"] or "[]"),
                 manual=bool(r["manual"]), group_interest=interest, group_region=region, members=members,
                 decided_by=r["decided_by"], why=r["why"],
                 outcome={k: r[k] for k in ("contacted", "visit", "trial_order", "satisfaction") if r[k] is not None})


# --- matching ------------------------------------------------------------------------------------

def run_matching(ws: Workspace, min_score: float = DEFAULT_MIN_SCORE, who: str = "machine",
                 max_per_request: int = MAX_PER_REQUEST) -> MatchRun:
    """Score every accepted request against every consenting supplier and store proposals.

    Idempotent: a pair already proposed is refreshed, never duplicated; a pair decided by a
    coordinator (approved, rejected, printed, ...) is left alone; a machine proposal that no longer
    qualifies (consent withdrawn, request changed) is withdrawn. Group matches likewise."""
    from intake.match.replies import sync_replies

    ws.require()
    sync_replies(ws)                    # past outcomes first: they weigh in the scores
    vocab = vocabulary(ws)
    run = MatchRun()
    with _tx(ws) as conn:
        sups = profiles.suppliers(conn)
        needs = profiles.needs(conn)
        run.requests, run.suppliers = len(needs), len(sups)
        at = store_db.now()
        existing = {(r["request_submission_id"], r["supplier_id"]): r for r in
                    conn.execute("SELECT * FROM matches WHERE kind='pair'")}
        keep: set[tuple[str, str]] = set()
        for need in needs:
            fits = [(sup, score(need, sup, vocab, profiles.neighbours_of)) for sup in sups]
            fits = sorted(((s, f) for s, f in fits if f.must and f.score >= min_score),
                          key=lambda sf: (-sf[1].score, sf[0].id))[:max_per_request]
            for sup, fit in fits:
                key = (need.submission_id, sup.id)
                keep.add(key)
                old = existing.get(key)
                rj, re_ = json.dumps(fit.reasons_ja, ensure_ascii=False), json.dumps(fit.reasons_en)
                if old is None:
                    mid = _next_id(conn)
                    conn.execute(
                        "INSERT INTO matches (id, kind, request_submission_id, requester_id, supplier_id, score, state,"
                        " reasons_ja, reasons_en, manual, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,0,?,?)",
                        (mid, "pair", need.submission_id, need.requester_id, sup.id, fit.score, "proposed",
                         rj, re_, at, at))
                    conn.execute("INSERT INTO match_events (match_id, from_state, to_state, who, at, note) "
                                 "VALUES (?,?,?,?,?,?)", (mid, None, "proposed", who, at, f"score {fit.score:.2f}"))
                    run.proposed.append(mid)
                elif old["state"] == "proposed" and (old["score"] != fit.score or old["reasons_ja"] != rj):
                    conn.execute("UPDATE matches SET score=?, reasons_ja=?, reasons_en=?, updated_at=? WHERE id=?",
                                 (fit.score, rj, re_, at, old["id"]))
                    run.updated += 1
        for key, old in existing.items():
            if key not in keep and old["state"] == "proposed" and not old["manual"]:
                _delete_match(conn, old["id"])
                run.withdrawn.append(old["id"])
        run.groups = _group_matches(conn, sups, vocab, at, who)
    return run


def _delete_match(conn: sqlite3.Connection, mid: str) -> None:
    conn.execute("DELETE FROM match_events WHERE match_id=?", (mid,))
    conn.execute("DELETE FROM matches WHERE id=?", (mid,))


def _group_matches(conn: sqlite3.Connection, sups: list[Supplier], vocab: Vocabulary, at: str, who: str) -> list[str]:
    """Several consenting factories in one prefecture interested in sharing machines or buying together."""
    new: list[str] = []
    wanted: dict[tuple[str, str], list[Supplier]] = {}
    for s in sups:
        if not s.prefecture:
            continue
        for interest in GROUP_INTERESTS:
            if interest in s.interests:
                wanted.setdefault((interest, s.prefecture), []).append(s)
    for (interest, region), members in sorted(wanted.items()):
        if len(members) < GROUP_MIN_MEMBERS:
            continue
        ids = [m.id for m in members]
        hosts = [m for m in members if m.idle_equipment]
        score_ = round(min(1.0, 0.5 + 0.1 * (len(members) - 2) + (0.1 if hosts else 0.0)), 3)
        ilab_ja, ilab_en = vocab.label("interest", interest, "ja"), vocab.label("interest", interest, "en")
        rj = [f"○ {region}内の{len(members)}社が「{ilab_ja}」に関心"]
        re_ = [f"met: {len(members)} factories in {region} interested in {ilab_en}"]
        if interest == "equipment_sharing":
            if hosts:
                rj.append(f"○ 遊休設備のある企業が{len(hosts)}社")
                re_.append(f"met: {len(hosts)} with idle equipment to share")
            else:
                rj.append("× 遊休設備を持つ企業はまだありません")
                re_.append("not met: none has idle equipment yet")
        g = conn.execute("SELECT id, members FROM match_groups WHERE interest=? AND region=?",
                         (interest, region)).fetchone()
        if g is None:
            gid = conn.execute("INSERT INTO match_groups (interest, region, members, created_at) VALUES (?,?,?,?)",
                               (interest, region, json.dumps(ids), at)).lastrowid
        else:
            gid = g[0]
        m = conn.execute("SELECT id, state FROM matches WHERE kind='group' AND group_id=?", (gid,)).fetchone()
        if m is None:
            mid = _next_id(conn)
            conn.execute("INSERT INTO matches (id, kind, group_id, score, state, reasons_ja, reasons_en, manual,"
                         " created_at, updated_at) VALUES (?,?,?,?,?,?,?,0,?,?)",
                         (mid, "group", gid, score_, "proposed", json.dumps(rj, ensure_ascii=False),
                          json.dumps(re_), at, at))
            conn.execute("INSERT INTO match_events (match_id, from_state, to_state, who, at, note) "
                         "VALUES (?,?,?,?,?,?)", (mid, None, "proposed", who, at, f"group of {len(ids)}"))
            new.append(mid)
        elif m[1] == "proposed":                  # membership may grow until a coordinator decides
            conn.execute("UPDATE match_groups SET members=? WHERE id=?", (json.dumps(ids), gid))
            conn.execute("UPDATE matches SET score=?, reasons_ja=?, reasons_en=?, updated_at=? WHERE id=?",
                         (score_, json.dumps(rj, ensure_ascii=False), json.dumps(re_), at, m[0]))
    return new


# --- the coordinator's operations ----------------------------------------------------------------

def list_matches(ws: Workspace, state: str | None = None) -> list[Match]:
    if state is not None and state not in STATES:
        raise MatchError(f"unknown state {state!r}", hint=f"states: {', '.join(STATES)}")
    with _conn(ws.require()) as conn:
        sql = "SELECT * FROM matches" + (" WHERE state=?" if state else "") + " ORDER BY id"
        return [_row_to_match(conn, r) for r in conn.execute(sql, (state,) if state else ())]


def get_match(ws: Workspace, match_id: str) -> Match:
    with _conn(ws.require()) as conn:
        r = conn.execute("SELECT * FROM matches WHERE id=?", (match_id,)).fetchone()
        if r is None:
            raise MatchError(f"no match {match_id!r}", hint="see: intake match list")
        return _row_to_match(conn, r)


def history(ws: Workspace, match_id: str) -> list[dict]:
    """The match's state changes, oldest first."""
    with _conn(ws.require()) as conn:
        return [dict(r) for r in conn.execute("SELECT from_state, to_state, who, at, note FROM match_events "
                                              "WHERE match_id=? ORDER BY id", (match_id,))]


def _decide(ws: Workspace, match_id: str, to: str, who: str, why: str | None = None) -> Match:
    who = _need_who(who)
    with _tx(ws.require()) as conn:
        at = store_db.now()
        transition(conn, match_id, to, who, why, at)
        conn.execute("UPDATE matches SET decided_by=?, decided_at=?, why=? WHERE id=?", (who, at, why, match_id))
    return get_match(ws, match_id)


def approve(ws: Workspace, match_id: str, who: str) -> Match:
    """The coordinator agrees the introduction should be made (letters may be printed)."""
    return _decide(ws, match_id, "approved", who)


def reject(ws: Workspace, match_id: str, why: str, who: str) -> Match:
    if not (why or "").strip():
        raise MatchError("a reason is needed to reject a match", hint='pass --why "TEXT"')
    return _decide(ws, match_id, "rejected", who, why.strip())


def mark_sent(ws: Workspace, match_id: str, who: str) -> Match:
    """The printed letters went out (post or fax)."""
    who = _need_who(who)
    with _tx(ws.require()) as conn:
        transition(conn, match_id, "sent", who)
    return get_match(ws, match_id)


def close(ws: Workspace, match_id: str, who: str, why: str | None = None) -> Match:
    who = _need_who(who)
    with _tx(ws.require()) as conn:
        transition(conn, match_id, "closed", who, why)
    return get_match(ws, match_id)


def add_match(ws: Workspace, request: str, supplier: str, who: str) -> Match:
    """A coordinator's own introduction: REQUEST is the request's submission id, SUPPLIER a factory id.
    It is scored and explained like any other, starts as proposed and is marked manual."""
    who = _need_who(who)
    vocab = vocabulary(ws.require())
    with _tx(ws) as conn:
        need = profiles.need_for(conn, request)
        if need is None:
            raise MatchError(f"no accepted request {request!r}",
                             hint="give the request's submission id (see: intake review list / intake match list)")
        sup = next((s for s in profiles.suppliers(conn, only_sharing=False) if s.id == supplier), None)
        if sup is None:
            raise MatchError(f"no factory profile {supplier!r}", hint="the supplier needs an accepted survey")
        if need.requester_id == supplier:
            raise MatchError("a company cannot be matched with itself", hint="choose another supplier")
        shares = conn.execute("SELECT shares_profile FROM factories WHERE id=?", (supplier,)).fetchone()[0]
        if not shares:
            raise MatchError(f"{supplier} did not consent to sharing its profile",
                             hint="ask the factory for consent (survey question 同意) before introducing it")
        old = conn.execute("SELECT id, state FROM matches WHERE kind='pair' AND request_submission_id=? "
                           "AND supplier_id=?", (request, supplier)).fetchone()
        if old is not None:
            raise MatchError(f"this pair is already match {old[0]} ({old[1]})",
                             hint=f"see: intake match list; a rejected one can be reproposed by hand only as new data")
        fit = score(need, sup, vocab, profiles.neighbours_of)
        at = store_db.now()
        mid = _next_id(conn)
        rj = ["○ 担当者が個別に推薦"] + fit.reasons_ja
        re_ = ["met: recommended by the coordinator"] + fit.reasons_en
        conn.execute("INSERT INTO matches (id, kind, request_submission_id, requester_id, supplier_id, score, state,"
                     " reasons_ja, reasons_en, manual, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,1,?,?)",
                     (mid, "pair", request, need.requester_id, supplier, fit.score, "proposed",
                      json.dumps(rj, ensure_ascii=False), json.dumps(re_), at, at))
        conn.execute("INSERT INTO match_events (match_id, from_state, to_state, who, at, note) VALUES (?,?,?,?,?,?)",
                     (mid, None, "proposed", who, at, "added by hand"))
    return get_match(ws, mid)
