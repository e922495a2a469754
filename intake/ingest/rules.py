"""The validate stage inside ingest: a complete submission's values are checked against the
rules in its form definition, and a failed rule flags its field for review (with the clerk's
message) in the same transaction that stores the values. Values are never changed here."""

from __future__ import annotations

import json
import sqlite3

from intake.form.model import FormDef


def flag_rule_failures(conn: sqlite3.Connection, forms: dict[str, FormDef], sid: str) -> int:
    """Flag the fields of submission `sid` whose rules fail; returns how many were flagged."""
    from intake.validate import validate_submission

    sub = conn.execute("SELECT form, version, page_count FROM submissions WHERE id=?", (sid,)).fetchone()
    form = form_for(forms, sub[0], sub[1])
    if form is None:
        return 0
    (have,) = conn.execute("SELECT COUNT(DISTINCT page) FROM pages WHERE submission_id=? AND status='identified'",
                           (sid,)).fetchone()
    if have < sub[2]:
        return 0  # rules like "required" only make sense once every page is in
    rows = conn.execute("SELECT key, value, corrected_by FROM field_values WHERE submission_id=?", (sid,)).fetchall()
    values = {k: json.loads(v) if v is not None else None for k, v, _ in rows}
    corrected = {k for k, _, who in rows if who}
    flagged = 0
    for issue in validate_submission(form, values):
        if not issue.needs_review or issue.key in corrected or issue.key not in values:
            continue
        reason = f"{issue.code}: {issue.message_ja} / {issue.message_en}"
        cur = conn.execute(
            "UPDATE field_values SET needs_review=1, reason=CASE WHEN reason IS NULL OR reason='' THEN ? "
            "ELSE reason || ' | ' || ? END WHERE submission_id=? AND key=? AND (reason IS NULL OR instr(reason, ?)=0)",
            (reason, reason, sid, issue.key, issue.code))
        flagged += cur.rowcount
    return flagged


def form_for(forms: dict, form_id: str, version: int) -> FormDef | None:
    """The definition of (form id, version) among the loaded ones, or None."""
    f = forms.get(form_id) or forms.get((form_id, version))
    return f if f is not None and f.version == version else None
