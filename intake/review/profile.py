"""An accepted submission's answers -> the respondent's profile rows that matching and reports read.

survey  -> factories (one row per respondent, replaced by its latest accepted survey)
           + capabilities (process | material | lot | certification | interest, one row per ticked option)
request -> requests (one row per submission)
reply   -> nothing here: reply slips belong to the match they answer (the match stage reads them).
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from intake.store import db as store_db
from intake.workspace import Workspace

PREFECTURES = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
    "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
    "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
    "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
)

# survey field -> capability kind
CAPABILITY_FIELDS = {"processes": "process", "materials": "material", "lot_sizes": "lot",
                     "certifications": "certification", "interests": "interest"}


def prefecture_of(address: str | None, postal_code: str | None = None) -> str | None:
    """The prefecture the address names; else the postal code's; else None."""
    if address:
        try:
            from intake.validate.prefectures import find_in_address
        except ImportError:
            find_in_address = None
        if find_in_address is not None:
            m = find_in_address(address)
            if m is not None:
                return m.prefecture.name
        else:
            for p in PREFECTURES:
                if p in address:
                    return p
    if postal_code:
        try:
            from intake.validate.postal import lookup
            area = lookup(postal_code)
        except Exception:  # no postal data or not 7 digits: a validation matter, not a sync failure
            return None
        if area is not None and len(area.prefectures) == 1:
            return area.prefectures[0]
    return None


def iso_date(digits: str | None, text: str | None = None) -> str | None:
    """A deadline as an ISO date: YYYYMMDD digits first, else the written form (和暦 too, via validate)."""
    if digits and re.fullmatch(r"\d{8}", digits):
        try:
            return date(int(digits[:4]), int(digits[4:6]), int(digits[6:])).isoformat()
        except ValueError:
            pass
    if text:
        try:
            from intake.validate.dates import to_iso
        except ImportError:
            to_iso = None
        if to_iso is not None:
            return to_iso(text)
        m = re.fullmatch(r"\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?\s*", text)
        if m:
            try:
                return date(*map(int, m.groups())).isoformat()
            except ValueError:
                return None
    return None


def _int(v: Any) -> int | None:
    try:
        return int(v) if v not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _text(v: Any) -> str | None:
    if v is None or v == "" or v == []:
        return None
    return ",".join(v) if isinstance(v, list) else str(v)


def _list(v: Any) -> list[str]:
    if v is None or v == "":
        return []
    return list(v) if isinstance(v, list) else [str(v)]


def on_settled(ws: Workspace, submission_id: str, status: str) -> str | None:
    """intake.dispatch handler: an accepted submission flows into the profile tables."""
    return sync(ws, submission_id) if status == "accepted" else None


def sync(ws: Workspace, submission_id: str) -> str | None:
    """Write an accepted submission into the profile tables. Idempotent: running it again replaces
    the rows it wrote. Returns the factory id (survey), the request row id as text (request), or None."""
    from intake.review.service import ReviewError, forms, transaction

    with transaction(ws) as conn:
        sub = conn.execute("SELECT * FROM submissions WHERE id=?", (submission_id,)).fetchone()
        if sub is None:
            raise ReviewError(f"no submission '{submission_id}'", hint="see: intake review list")
        if sub["status"] != "accepted":
            raise ReviewError(f"submission {submission_id} is {sub['status']}, not accepted",
                              hint="resolve its open fields first (intake review list)")
        form = forms(ws).get(sub["form"])
        purpose = form.purpose if form else sub["form"]
        v = {r["key"]: json.loads(r["value"]) if r["value"] is not None else None
             for r in conn.execute("SELECT key, value FROM field_values WHERE submission_id=?", (submission_id,))}
        at = store_db.now()
        if purpose == "survey":
            return _sync_factory(conn, sub, v, at)
        if purpose == "request":
            return _sync_request(conn, sub, v, at)
    return None


def _sync_factory(conn, sub, v: dict, at: str) -> str:
    fid = sub["respondent_id"] or f"anon-{sub['id']}"
    consent = _text(v.get("consent"))
    row = dict(id=fid, submission_id=sub["id"], name=_text(v.get("company_name")),
               representative=_text(v.get("representative")), contact_person=_text(v.get("contact_person")),
               postal_code=_text(v.get("postal_code")), address=_text(v.get("address")),
               prefecture=prefecture_of(_text(v.get("address")), _text(v.get("postal_code"))),
               phone=_text(v.get("phone")), fax=_text(v.get("fax")), employees=_int(v.get("employees")),
               channel=_text(v.get("contact_channel")), consent=consent,
               # "同意しない" (or no answer) means the profile is never shared.
               shares_profile=1 if consent == "agree" else 0,
               idle_equipment={"yes": 1, "no": 0}.get(_text(v.get("idle_equipment")) or ""),
               idle_machines=_text(v.get("idle_machines")), strengths=_text(v.get("strengths")),
               challenges=_text(v.get("challenges")), updated_at=at)
    cols = ", ".join(row)
    # An upsert, not REPLACE: rows elsewhere (matches) may refer to this factory.
    updates = ", ".join(f"{k}=excluded.{k}" for k in row if k != "id")
    conn.execute(f"INSERT INTO factories ({cols}) VALUES ({', '.join('?' * len(row))}) "
                 f"ON CONFLICT(id) DO UPDATE SET {updates}", tuple(row.values()))
    conn.execute("DELETE FROM capabilities WHERE factory_id=?", (fid,))
    for key, kind in CAPABILITY_FIELDS.items():
        for value in _list(v.get(key)):
            if kind == "certification" and value == "none":
                continue
            conn.execute("INSERT OR IGNORE INTO capabilities (factory_id, kind, value) VALUES (?,?,?)",
                         (fid, kind, value))
    return fid


def _sync_request(conn, sub, v: dict, at: str) -> str:
    row = dict(submission_id=sub["id"], requester_id=sub["respondent_id"],
               requester_name=_text(v.get("requester")), contact_person=_text(v.get("contact_person")),
               phone=_text(v.get("phone")), processes=json.dumps(_list(v.get("process"))),
               materials=json.dumps(_list(v.get("material"))), quantity=_int(v.get("quantity")),
               deadline=iso_date(_text(v.get("deadline")), _text(v.get("deadline_text"))),
               region=_text(v.get("region")),
               drawings={"yes": 1, "no": 0}.get(_text(v.get("drawings")) or ""),
               description=_text(v.get("description")), updated_at=at)
    old = conn.execute("SELECT id, created_at FROM requests WHERE submission_id=?", (sub["id"],)).fetchone()
    if old:
        sets = ", ".join(f"{k}=?" for k in row)
        conn.execute(f"UPDATE requests SET {sets} WHERE id=?", (*row.values(), old["id"]))
        return str(old["id"])
    row["created_at"] = at
    cols = ", ".join(row)
    cur = conn.execute(f"INSERT INTO requests ({cols}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))
    return str(cur.lastrowid)
