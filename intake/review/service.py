"""The review desk's Python API. The web page and the CLI call these functions one-to-one.

What needs a human (`queue`): uncertain fields, failed rules, double-entry fields, unidentified
pages, incomplete submissions, quarantined files. Every change is an `audit` row (old value,
new value, who, when); `field_values.machine_value` is never touched, so the machine's reading
stays next to the clerk's. When nothing of a submission is left open it becomes 'accepted' and
its answers flow into the respondent's profile (`profile.sync`).
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field as dc_field
from pathlib import Path
from typing import Any

from intake.errors import IntakeError
from intake.form.identity import valid_id
from intake.form.model import Field, FormDef
from intake.store import db as store_db
from intake.workspace import Workspace

KINDS = ("field", "rule", "double", "page", "incomplete", "quarantine")


class ReviewError(IntakeError):
    """A review operation cannot be done as asked (unknown submission, bad value, wrong clerk...)."""

    exit_code = 1


@dataclass
class Item:
    """One thing on the clerk's desk. `id` is stable across reloads (used for focus and keys)."""

    kind: str                         # field | rule | double | page | incomplete | quarantine
    id: str
    submission_id: str | None = None
    key: str | None = None
    form: str | None = None
    respondent_id: str | None = None
    label_ja: str = ""
    label_en: str = ""
    field_kind: str | None = None     # choice | digits | text
    machine_value: Any = None
    value: Any = None
    value_text: str = ""              # the current value as a clerk would type it
    confidence: float | None = None
    reason: str | None = None         # the machine's reason for doubt
    message_ja: str = ""              # failed rule / what to do, for the clerk
    message_en: str = ""
    field_value_id: int | None = None  # serves the crop: /crop/<id>
    page_id: int | None = None        # serves the whole page: /page/<id>
    file_id: int | None = None
    needs_review: bool = False
    options: list[tuple[str, str, str]] = dc_field(default_factory=list)   # (key, ja, en)
    entries: list[dict] = dc_field(default_factory=list)    # double entry so far (who, value)
    extra: dict = dc_field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


# --- plumbing ----------------------------------------------------------------------------------

_MIGRATED: set[str] = set()


@contextmanager
def connection(ws: Workspace) -> Iterator[sqlite3.Connection]:
    """A connection with Row access; migrates the database once per process."""
    ws.require()
    conn = store_db.connect(ws.db_path)
    try:
        key = str(Path(ws.db_path).resolve())
        if key not in _MIGRATED:
            store_db.migrate(conn)
            _MIGRATED.add(key)
        conn.row_factory = sqlite3.Row
        yield conn
    finally:
        conn.close()


@contextmanager
def transaction(ws: Workspace) -> Iterator[sqlite3.Connection]:
    ws.require()
    with store_db.transaction(ws.db_path) as conn:
        conn.row_factory = sqlite3.Row
        yield conn


_FORMS: dict[str, tuple[float, dict[str, FormDef]]] = {}


def forms(ws: Workspace) -> dict[str, FormDef]:
    """The workspace's form definitions, reloaded when a file changes."""
    from intake.form.loader import load_forms

    folder = ws.forms_path()
    stamp = max((p.stat().st_mtime for p in folder.glob("*.yaml")), default=0.0)
    hit = _FORMS.get(str(folder))
    if hit and hit[0] == stamp:
        return hit[1]
    loaded = load_forms(folder)
    _FORMS[str(folder)] = (stamp, loaded)
    return loaded


def form_of(ws: Workspace, form_id: str) -> FormDef:
    try:
        return forms(ws)[form_id]
    except KeyError:
        raise ReviewError(f"no form definition '{form_id}'",
                          hint=f"known forms: {', '.join(sorted(forms(ws)))}") from None


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def is_double_entry(f: Field) -> bool:
    return bool(f.validate.get("double_entry"))


# --- values: parse what a clerk typed, show what is stored -------------------------------------

_SPLIT = re.compile(r"[,\s、，;]+")


def parse_value(f: Field, text: str) -> Any:
    """What a clerk typed -> the stored value for this field kind.

    choice: option keys (or labels, or 1-based option numbers) separated by commas or spaces;
    digits: digits only (spaces, hyphens and full-width digits allowed while typing);
    text: as typed, trimmed.
    """
    text = unicodedata.normalize("NFKC", text or "").strip()
    if f.kind == "digits":
        digits = re.sub(r"[\s\-‐−ー()（）]", "", text)
        if digits and not digits.isdigit():
            raise ReviewError(f"{f.key}: '{text}' is not a number",
                              hint="type digits only, e.g. 2310023 (数字のみを入力してください)")
        if f.boxes and len(digits) > f.boxes:
            raise ReviewError(f"{f.key}: {len(digits)} digits, the form has {f.boxes} boxes",
                              hint=f"type at most {f.boxes} digits ({f.boxes}桁以内)")
        return digits
    if f.kind == "text":
        return text
    tokens = [t for t in _SPLIT.split(text) if t]
    keys: list[str] = []
    for tok in tokens:
        key = _option_key(f, tok)
        if key is None:
            raise ReviewError(
                f"{f.key}: '{tok}' is not an option",
                hint="options: " + ", ".join(f"{i}={o.key}({o.label.ja})" for i, o in enumerate(f.options, 1)))
        if key not in keys:
            keys.append(key)
    if f.multiple:
        order = [o.key for o in f.options]
        return sorted(keys, key=order.index)
    if len(keys) > 1:
        raise ReviewError(f"{f.key}: only one answer allowed, got {', '.join(keys)}",
                          hint="choose one option (一つだけ選んでください)")
    return keys[0] if keys else None


def _option_key(f: Field, tok: str) -> str | None:
    low = tok.lower()
    for o in f.options:
        if low == o.key.lower():
            return o.key
    for o in f.options:
        if tok in (o.label.ja, o.label.en) or low == o.label.en.lower():
            return o.key
    if tok.isdigit() and 1 <= int(tok) <= len(f.options):
        return f.options[int(tok) - 1].key
    return None


def value_text(value: Any) -> str:
    """A stored value as a clerk would type it back."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


# --- rules (the validation helper's module, if it is there) -------------------------------------

def rule_issues(form: FormDef, values: dict[str, Any]) -> list:
    """Issues from intake.validate.validate_submission; [] when that stage is not installed."""
    try:
        from intake.validate import validate_submission
    except ImportError:
        return []
    return list(validate_submission(form, values))


# --- the queue ---------------------------------------------------------------------------------

def queue(ws: Workspace, kind: str | None = None) -> list[Item]:
    """Everything that needs a human, oldest first. `kind` narrows to one of KINDS."""
    if kind is not None and kind not in KINDS:
        raise ReviewError(f"unknown kind '{kind}'", hint=f"one of: {', '.join(KINDS)}")
    items: list[Item] = []
    with connection(ws) as conn:
        subs = conn.execute("SELECT * FROM submissions WHERE status != 'accepted' "
                            "ORDER BY created_at, id").fetchall()
        for sub in subs:
            if kind in (None, "field", "rule", "double"):
                items += [i for i in _field_items(ws, conn, sub) if kind in (None, i.kind)]
            if kind in (None, "incomplete") and sub["status"] == "incomplete":
                items.append(_incomplete_item(conn, sub))
        if kind in (None, "page"):
            for p in conn.execute("SELECT * FROM pages WHERE status = 'unidentified' "
                                  "ORDER BY created_at, id"):
                items.append(Item("page", f"page:{p['id']}", page_id=p["id"], file_id=p["file_id"],
                                  message_ja="どの様式・ページ・回答者か指定してください",
                                  message_en="Tell which form, page and respondent this is",
                                  reason=_row_get(p, "note"),
                                  extra={"page_index": p["page_index"]}))
        if kind in (None, "quarantine"):
            for f in conn.execute("SELECT * FROM files WHERE state = 'quarantined' ORDER BY received_at, id"):
                items.append(Item("quarantine", f"file:{f['id']}", file_id=f["id"], reason=f["reason"],
                                  message_ja=f"隔離されたファイル: {f['original_name']}",
                                  message_en=f"Quarantined file: {f['original_name']}",
                                  extra={"name": f["original_name"], "stored_path": f["stored_path"]}))
    return items


def _row_get(row: sqlite3.Row, name: str) -> Any:
    return row[name] if name in row.keys() else None


def _field_items(ws: Workspace, conn: sqlite3.Connection, sub: sqlite3.Row) -> list[Item]:
    form = forms(ws).get(sub["form"])
    if form is None:
        return []
    rows = {r["key"]: r for r in conn.execute("SELECT * FROM field_values WHERE submission_id=?", (sub["id"],))}
    return _open_fields(conn, form, sub, rows)


def _open_fields(conn: sqlite3.Connection, form: FormDef, sub: sqlite3.Row,
                 rows: dict[str, sqlite3.Row]) -> list[Item]:
    """The fields of one submission still waiting for a clerk, in form order."""
    values = {k: loads(r["value"]) for k, r in rows.items()}
    issues: dict[str, list] = {}
    for issue in rule_issues(form, values):
        issues.setdefault(issue.key, []).append(issue)
    out = []
    for f in form.fields:
        row = rows.get(f.key)
        touched = row is not None and row["corrected_by"] is not None
        notes = issues.get(f.key, [])
        # Only errors hold a submission back; notes are shown next to a field that is open anyway.
        errors = [i for i in notes if getattr(i, "needs_review", True)]
        if is_double_entry(f):
            if touched and not row["needs_review"]:
                continue
            kind = "double"
        elif row is not None and row["needs_review"]:
            kind = "field"
        elif errors and not touched:
            kind = "rule"
        else:
            continue
        item = _field_item(kind, form, f, sub, row)
        if notes:
            item.message_ja = " / ".join(i.message_ja for i in notes)
            item.message_en = " / ".join(i.message_en for i in notes)
            item.extra["rules"] = [i.code for i in notes]
        if kind == "double":
            item.entries = [{"who": e["who"], "value": loads(e["value"]), "at": e["at"]} for e in
                            conn.execute("SELECT * FROM review_entries WHERE submission_id=? AND key=? "
                                         "ORDER BY id", (sub["id"], f.key))]
            if not item.message_ja:
                item.message_ja, item.message_en = _double_message(item.entries)
        out.append(item)
    return out


def _double_message(entries: list[dict]) -> tuple[str, str]:
    if not entries:
        return "二重入力: 1人目の入力を待っています", "Double entry: waiting for the first clerk"
    if len(entries) == 1:
        return (f"二重入力: {entries[0]['who']} さん以外の2人目が入力してください",
                f"Double entry: a second clerk (not {entries[0]['who']}) types it")
    return ("二重入力が一致しません。3人目が確認して決めてください",
            "The two entries differ: a third clerk decides")


def _field_item(kind: str, form: FormDef, f: Field, sub: sqlite3.Row, row: sqlite3.Row | None) -> Item:
    value = loads(row["value"]) if row is not None else None
    item = Item(kind, f"field:{sub['id']}:{f.key}", submission_id=sub["id"], key=f.key, form=form.id,
                respondent_id=sub["respondent_id"], label_ja=f.label.ja, label_en=f.label.en,
                field_kind=f.kind, machine_value=loads(row["machine_value"]) if row is not None else None,
                value=value, value_text=value_text(value),
                confidence=row["confidence"] if row is not None else None,
                reason=row["reason"] if row is not None else "no reading (page missing or not read)",
                field_value_id=row["id"] if row is not None and row["crop_path"] else None,
                page_id=row["page_id"] if row is not None else None,
                needs_review=bool(row["needs_review"]) if row is not None else True,
                options=[(o.key, o.label.ja, o.label.en) for o in f.options],
                extra={"boxes": f.boxes, "multiple": f.multiple})
    if kind == "double":
        item.value_text = ""  # independent keying: the clerk does not see the machine's guess
    return item


def _incomplete_item(conn: sqlite3.Connection, sub: sqlite3.Row) -> Item:
    have = sorted({r[0] for r in conn.execute(
        "SELECT page FROM pages WHERE submission_id=? AND page IS NOT NULL AND status='identified'", (sub["id"],))})
    missing = [p for p in range(1, sub["page_count"] + 1) if p not in have]
    first = conn.execute("SELECT id FROM pages WHERE submission_id=? ORDER BY page LIMIT 1", (sub["id"],)).fetchone()
    miss = ", ".join(map(str, missing))
    return Item("incomplete", f"sub:{sub['id']}", submission_id=sub["id"], form=sub["form"],
                respondent_id=sub["respondent_id"], page_id=first[0] if first else None,
                message_ja=f"ページが足りません（{miss} ページ目）。届いたら割り当ててください",
                message_en=f"Pages missing ({miss}); assign them when they arrive",
                extra={"have": have, "missing": missing, "pages": sub["page_count"]})


def group(ws: Workspace, form: str, key: str, include_accepted: bool = False) -> list[Item]:
    """The same field across many submissions (group verification): flagged ones first."""
    fdef = form_of(ws, form)
    try:
        f = fdef.field(key)
    except KeyError:
        raise ReviewError(f"form {form} has no field '{key}'",
                          hint="fields: " + ", ".join(x.key for x in fdef.fields)) from None
    with connection(ws) as conn:
        sql = ("SELECT fv.*, s.respondent_id AS sub_respondent, s.status AS sub_status, s.id AS sid "
               "FROM field_values fv JOIN submissions s ON s.id = fv.submission_id "
               "WHERE s.form = ? AND fv.key = ?")
        if not include_accepted:
            sql += " AND s.status != 'accepted'"
        rows = conn.execute(sql + " ORDER BY s.created_at, s.id", (form, key)).fetchall()
        out = []
        for r in rows:
            sub = {"id": r["sid"], "respondent_id": r["sub_respondent"]}
            kind = "double" if is_double_entry(f) else "field"
            item = _field_item(kind, fdef, f, sub, r)  # type: ignore[arg-type]
            item.extra["status"] = r["sub_status"]
            item.extra["resolved"] = r["corrected_by"] is not None or not r["needs_review"]
            out.append(item)
    out.sort(key=lambda i: (i.extra["resolved"], i.confidence if i.confidence is not None else 0.0))
    return out


# --- operations --------------------------------------------------------------------------------

def _need_who(who: str) -> str:
    who = (who or "").strip()
    if not who:
        raise ReviewError("a clerk name is needed for the audit trail", hint="pass --who NAME")
    return who


def _submission(conn: sqlite3.Connection, submission_id: str) -> sqlite3.Row:
    sub = conn.execute("SELECT * FROM submissions WHERE id=?", (submission_id,)).fetchone()
    if sub is None:
        raise ReviewError(f"no submission '{submission_id}'", hint="see: intake review list")
    return sub


def _field(ws: Workspace, sub: sqlite3.Row, key: str) -> Field:
    fdef = form_of(ws, sub["form"])
    try:
        return fdef.field(key)
    except KeyError:
        raise ReviewError(f"form {fdef.id} has no field '{key}'",
                          hint="fields: " + ", ".join(x.key for x in fdef.fields)) from None


def _field_row(conn: sqlite3.Connection, sub_id: str, f: Field) -> sqlite3.Row:
    """The field's row; a missing one (page not read) is created empty, so a clerk can fill it."""
    row = conn.execute("SELECT * FROM field_values WHERE submission_id=? AND key=?", (sub_id, f.key)).fetchone()
    if row is None:
        conn.execute("INSERT INTO field_values (submission_id, key, kind, machine_value, value, confidence, "
                     "needs_review, reason, source) VALUES (?,?,?,NULL,NULL,0,1,?,?)",
                     (sub_id, f.key, f.kind, "no reading", "clerk"))
        row = conn.execute("SELECT * FROM field_values WHERE submission_id=? AND key=?",
                           (sub_id, f.key)).fetchone()
    return row


def _single_entry_field(ws: Workspace, conn: sqlite3.Connection, submission_id: str, key: str,
                        refusal: str) -> Field:
    """The field a single clerk may set or accept; double-entry fields are refused with the way to enter them."""
    f = _field(ws, _submission(conn, submission_id), key)
    if is_double_entry(f):
        raise ReviewError(f"{key} is a double-entry field: {refusal}",
                          hint=f"use: intake review enter {submission_id} {key} VALUE --who NAME")
    return f


def _audit(conn: sqlite3.Connection, sub_id: str | None, key: str | None, old: Any, new: Any,
           who: str, action: str, at: str) -> None:
    conn.execute("INSERT INTO audit (submission_id, key, old_value, new_value, who, at, action) "
                 "VALUES (?,?,?,?,?,?,?)", (sub_id, key, old, new, who, at, action))


def set_value(ws: Workspace, submission_id: str, key: str, value: str | Any, who: str) -> list:
    """A clerk's correction. Audited; machine_value kept; the field stops needing review.

    `value` is typed text (parsed per field kind) or an already parsed value.
    Returns the rule issues the new value still has (shown to the clerk; the clerk's word stands).
    """
    who = _need_who(who)
    with transaction(ws) as conn:
        f = _single_entry_field(ws, conn, submission_id, key, "two clerks type it independently")
        new = parse_value(f, value if isinstance(value, str) else value_text(value))
        row = _field_row(conn, submission_id, f)
        at = store_db.now()
        new_json = dumps(new)
        conn.execute("UPDATE field_values SET value=?, needs_review=0, source='clerk', corrected_by=?, "
                     "corrected_at=? WHERE id=?", (new_json, who, at, row["id"]))
        _audit(conn, submission_id, key, row["value"], new_json, who, "set", at)
    settle(ws, submission_id, who)
    return _issues_for(ws, submission_id, key)


def accept(ws: Workspace, submission_id: str, key: str, who: str) -> None:
    """The clerk confirms the current reading as it is. Audited (old = new)."""
    who = _need_who(who)
    with transaction(ws) as conn:
        f = _single_entry_field(ws, conn, submission_id, key, "it cannot be accepted unseen")
        row = conn.execute("SELECT * FROM field_values WHERE submission_id=? AND key=?",
                           (submission_id, key)).fetchone()
        if row is None:
            raise ReviewError(f"{submission_id}/{key} has no reading to accept",
                              hint=f"type the value: intake review set {submission_id} {key} VALUE --who NAME")
        current = loads(row["value"])
        try:  # a reading with unread marks (e.g. '12?4') is not a value anyone can accept
            parse_value(f, value_text(current))
        except ReviewError as exc:
            raise ReviewError(f"{submission_id}/{key}: the reading {value_text(current)!r} is not a valid value",
                              hint=f"type the value: intake review set {submission_id} {key} VALUE --who NAME "
                                   f"({exc})") from None
        at = store_db.now()
        conn.execute("UPDATE field_values SET needs_review=0, corrected_by=?, corrected_at=? WHERE id=?",
                     (who, at, row["id"]))
        _audit(conn, submission_id, key, row["value"], row["value"], who, "accept", at)
    settle(ws, submission_id, who)


def enter(ws: Workspace, submission_id: str, key: str, value: str | Any, who: str) -> dict:
    """Double entry: two different clerks type the field; equal entries settle it, a difference
    waits for a third clerk, whose entry decides. Returns {'state': first|agreed|conflict|decided, ...}."""
    who = _need_who(who)
    with transaction(ws) as conn:
        sub = _submission(conn, submission_id)
        f = _field(ws, sub, key)
        new = parse_value(f, value if isinstance(value, str) else value_text(value))
        row = _field_row(conn, submission_id, f)
        if row["corrected_by"] is not None and not row["needs_review"] and is_double_entry(f):
            raise ReviewError(f"{submission_id}/{key} is already settled by double entry",
                              hint="to change it now, a supervisor uses set on a field without double entry")
        entries = conn.execute("SELECT * FROM review_entries WHERE submission_id=? AND key=? ORDER BY id",
                               (submission_id, key)).fetchall()
        if any(e["who"] == who for e in entries):
            raise ReviewError(f"{who} has already typed {submission_id}/{key}",
                              hint="double entry needs a different clerk (別の担当者が入力してください)")
        at = store_db.now()
        new_json = dumps(new)
        conn.execute("INSERT INTO review_entries (submission_id, key, value, who, at) VALUES (?,?,?,?,?)",
                     (submission_id, key, new_json, who, at))
        if not entries:
            state, final = "first", None
        elif len(entries) == 1:
            state, final = ("agreed", new_json) if loads(entries[0]["value"]) == new else ("conflict", None)
        else:
            state, final = "decided", new_json
        _audit(conn, submission_id, key, row["value"], new_json, who, f"double_entry_{state}", at)
        if final is not None:
            conn.execute("UPDATE field_values SET value=?, needs_review=0, source='clerk', corrected_by=?, "
                         "corrected_at=? WHERE id=?", (final, who, at, row["id"]))
            _audit(conn, submission_id, key, row["value"], final, who, "set", at)
    settle(ws, submission_id, who)
    return {"state": state, "value": new}


def assign_page(ws: Workspace, page_id: int, form: str, page: int, respondent: str | None, who: str) -> str:
    """An unidentified page becomes page `page` of `form` for `respondent`. Returns the submission id.

    Its fields get rows that need review (the page was not registered, so nothing was read);
    the clerk then types them while looking at the whole page.
    """
    who = _need_who(who)
    fdef = form_of(ws, form)
    from intake.form.layout import layout

    lay = layout(fdef)
    if not 1 <= int(page) <= lay.page_count:
        raise ReviewError(f"form {form} has pages 1..{lay.page_count}, not {page}", hint="check the page number")
    respondent = (respondent or "").strip() or None
    if respondent in ("-",):
        respondent = None
    if respondent is not None and not valid_id(respondent):
        raise ReviewError(f"'{respondent}' is not a respondent id",
                          hint="letters, digits, '_', '.', '-' (up to 24), as printed on the form")
    with transaction(ws) as conn:
        p = conn.execute("SELECT * FROM pages WHERE id=?", (page_id,)).fetchone()
        if p is None:
            raise ReviewError(f"no page {page_id}", hint="see: intake review list --kind page")
        if p["status"] == "identified" and p["submission_id"]:
            raise ReviewError(f"page {page_id} already belongs to submission {p['submission_id']}",
                              hint="only unidentified pages can be assigned")
        sub_id = _find_or_create_submission(conn, fdef, respondent, lay.page_count)
        clash = conn.execute("SELECT id FROM pages WHERE submission_id=? AND page=? AND id != ? "
                             "AND status='identified'",
                             (sub_id, page, page_id)).fetchone()
        if clash:
            raise ReviewError(f"submission {sub_id} already has page {page} (page id {clash[0]})",
                              hint="check the page number or the respondent id")
        at = store_db.now()
        conn.execute("UPDATE pages SET status='identified', form=?, version=?, page=?, pages=?, respondent_id=?, "
                     "submission_id=? WHERE id=?",
                     (fdef.id, fdef.version, page, lay.page_count, respondent, sub_id, page_id))
        for g in lay.pages[int(page) - 1].fields:
            if conn.execute("SELECT 1 FROM field_values WHERE submission_id=? AND key=?",
                            (sub_id, g.key)).fetchone():
                continue
            conn.execute("INSERT INTO field_values (submission_id, page_id, key, kind, machine_value, value, "
                         "confidence, needs_review, reason, source) VALUES (?,?,?,?,NULL,NULL,0,1,?,?)",
                         (sub_id, page_id, g.key, g.field.kind, "page assigned by hand: not read", "clerk"))
        old = dumps({"status": p["status"], "form": p["form"], "page": p["page"],
                     "respondent": p["respondent_id"]})
        new = dumps({"status": "identified", "form": fdef.id, "page": int(page), "respondent": respondent,
                     "page_id": page_id})
        _audit(conn, sub_id, f"page:{page_id}", old, new, who, "assign_page", at)
    settle(ws, sub_id, who)
    return sub_id


def _find_or_create_submission(conn: sqlite3.Connection, fdef: FormDef, respondent: str | None,
                               pages: int) -> str:
    # The same key the ingest stage joins pages by (intake.ingest.assemble.place).
    if respondent is not None:
        row = conn.execute("SELECT id FROM submissions WHERE form=? AND version=? AND respondent_id=? "
                           "AND match_id IS NULL ORDER BY created_at, rowid LIMIT 1",
                           (fdef.id, fdef.version, respondent)).fetchone()
        if row:
            return row[0]
    sub_id = uuid.uuid4().hex[:12]
    at = store_db.now()
    conn.execute("INSERT INTO submissions (id, form, version, respondent_id, match_id, status, page_count, "
                 "created_at, updated_at) VALUES (?,?,?,?,NULL,'incomplete',?,?,?)",
                 (sub_id, fdef.id, fdef.version, respondent, pages, at, at))
    return sub_id


def settle(ws: Workspace, submission_id: str, who: str = "machine") -> str:
    """Recompute a submission's status: incomplete (pages missing), needs_review (something open)
    or accepted (nothing open). On becoming accepted its data flows into the profile tables.
    Returns the status. Safe to call any time (the ingest stage may call it too)."""
    from intake import dispatch

    with transaction(ws) as conn:
        sub = _submission(conn, submission_id)
        fdef = forms(ws).get(sub["form"])
        have = {r[0] for r in conn.execute("SELECT page FROM pages WHERE submission_id=? AND page IS NOT NULL "
                                           "AND status='identified'", (submission_id,))}
        if len(have) < sub["page_count"]:
            status = "incomplete"
        else:
            rows = {r["key"]: r for r in conn.execute("SELECT * FROM field_values WHERE submission_id=?",
                                                      (submission_id,))}
            open_ = _open_fields(conn, fdef, sub, rows) if fdef else []
            status = "needs_review" if open_ or fdef is None else "accepted"
        changed = status != sub["status"]
        if changed:
            at = store_db.now()
            conn.execute("UPDATE submissions SET status=?, updated_at=? WHERE id=?", (status, at, submission_id))
            _audit(conn, submission_id, None, sub["status"], status, who, "status", at)
    dispatch.submission_settled(ws, submission_id, status)  # profiles, reply slips (intake.dispatch)
    return status


def _issues_for(ws: Workspace, submission_id: str, key: str) -> list:
    with connection(ws) as conn:
        sub = _submission(conn, submission_id)
        values = {r["key"]: loads(r["value"]) for r in
                  conn.execute("SELECT key, value FROM field_values WHERE submission_id=?", (submission_id,))}
    return [i for i in rule_issues(form_of(ws, sub["form"]), values) if i.key == key]


# --- export ------------------------------------------------------------------------------------

def export_submission(ws: Workspace, submission_id: str) -> dict:
    """One submission as plain data: status, each field's machine and current value, the audit trail."""
    with connection(ws) as conn:
        sub = _submission(conn, submission_id)
        fields = []
        for r in conn.execute("SELECT * FROM field_values WHERE submission_id=? ORDER BY id", (submission_id,)):
            fields.append({"key": r["key"], "kind": r["kind"], "value": loads(r["value"]),
                           "machine_value": loads(r["machine_value"]), "confidence": r["confidence"],
                           "needs_review": bool(r["needs_review"]), "source": r["source"],
                           "corrected_by": r["corrected_by"], "corrected_at": r["corrected_at"]})
        audit = [dict(a) for a in conn.execute("SELECT id, key, old_value, new_value, who, at, action FROM audit "
                                               "WHERE submission_id=? ORDER BY id", (submission_id,))]
        pages = [dict(p) for p in conn.execute("SELECT id, page, status FROM pages WHERE submission_id=? "
                                               "ORDER BY page", (submission_id,))]
    return {"submission": dict(sub), "fields": fields, "pages": pages, "audit": audit}


def progress(ws: Workspace, who: str | None = None) -> dict:
    """Counts for the desk's header: open items by kind, and what this clerk did today."""
    items = queue(ws)
    by_kind: dict[str, int] = {}
    for i in items:
        by_kind[i.kind] = by_kind.get(i.kind, 0) + 1
    done = 0
    if who:
        today = store_db.now()[:10]
        with connection(ws) as conn:
            done = conn.execute("SELECT COUNT(*) FROM audit WHERE who=? AND substr(at,1,10)=? AND action != 'status'",
                                (who, today)).fetchone()[0]
    return {"open": len(items), "by_kind": by_kind, "done_today": done}
