"""Who a letter goes to and what may be said about its partner.

Contact details for the envelope come from the office's own list (respondents), completed by
the factory's survey. What a letter says about the *partner* is limited by consent: a supplier's
profile only when factories.shares_profile = 1 (matching never proposes others; this is the
second lock, checked again at print time); a requester asked to be introduced by sending the
request, so its company, contact person and phone from that request are shared.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from intake.match.scoring import Vocabulary


@dataclass
class Party:
    id: str
    name: str
    person: str | None = None
    postal_code: str | None = None
    address: str | None = None
    phone: str | None = None
    fax: str | None = None
    channel: str = "post"              # post | fax (how the letter travels)
    shares_profile: bool = False
    profile: list[tuple[str, str]] = field(default_factory=list)     # label, value (what may be disclosed)


def phone_text(v: str | None) -> str | None:
    """0480612424 -> 0480-61-2424 when the number is a valid Japanese one; else as written."""
    if not v:
        return v
    try:
        from intake.validate.phone import format_phone

        return format_phone(v) or v
    except Exception:       # formatting is cosmetic: never fail a letter over it
        return v


def _row(conn: sqlite3.Connection, sql: str, *args) -> dict:
    r = conn.execute(sql, args).fetchone()
    return dict(r) if r else {}


def party(conn: sqlite3.Connection, rid: str, vocab: Vocabulary) -> Party:
    resp = _row(conn, "SELECT * FROM respondents WHERE id=?", rid)
    fac = _row(conn, "SELECT * FROM factories WHERE id=?", rid)
    req = _row(conn, "SELECT * FROM requests WHERE requester_id=? ORDER BY id DESC LIMIT 1", rid)

    def pick(*vals):
        return next((v for v in vals if v not in (None, "")), None)

    fax = pick(resp.get("fax"), fac.get("fax"))
    wish = pick(fac.get("channel"), resp.get("contact_channel")) or "post"
    p = Party(id=rid, name=pick(resp.get("name"), fac.get("name"), req.get("requester_name")) or rid,
              person=pick(fac.get("contact_person"), req.get("contact_person")),
              postal_code=pick(resp.get("postal_code"), fac.get("postal_code")),
              address=pick(resp.get("address"), fac.get("address")),
              phone=phone_text(pick(resp.get("phone"), fac.get("phone"), req.get("phone"))), fax=phone_text(fax),
              channel="fax" if wish == "fax" and fax else "post",
              shares_profile=bool(fac.get("shares_profile")))
    if p.shares_profile:
        caps: dict[str, list[str]] = {}
        for kind, value in conn.execute("SELECT kind, value FROM capabilities WHERE factory_id=? ORDER BY id", (rid,)):
            caps.setdefault(kind, []).append(value)
        for kind, label in (("process", "対応加工"), ("material", "対応材質"), ("lot", "ロット"),
                            ("certification", "認証")):
            if caps.get(kind):
                p.profile.append((label, vocab.join(kind, caps[kind], "ja")))
        if fac.get("idle_equipment"):
            p.profile.append(("遊休設備", fac.get("idle_machines") or "あり"))
        if fac.get("employees"):
            p.profile.append(("従業員数", f"{fac['employees']}名"))
        if fac.get("strengths"):
            p.profile.append(("強み", fac["strengths"]))
    return p


def request_summary(conn: sqlite3.Connection, submission_id: str, vocab: Vocabulary) -> list[tuple[str, str]]:
    r = _row(conn, "SELECT * FROM requests WHERE submission_id=?", submission_id)
    if not r:
        return []
    rows = [("必要な加工", vocab.join("process", json.loads(r["processes"] or "[]"), "ja")),
            ("材質", vocab.join("material", json.loads(r["materials"] or "[]"), "ja"))]
    if r.get("quantity"):
        rows.append(("数量", f"{r['quantity']:,}個"))
    if r.get("deadline"):
        rows.append(("希望納期", r["deadline"]))
    if r.get("description"):
        rows.append(("内容", r["description"]))
    return rows
