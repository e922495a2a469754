"""Read-only questions about the workspace database: counts by state, submissions with values."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from intake.workspace import Workspace


@dataclass
class StatusCounts:
    files: dict[str, int] = field(default_factory=dict)        # archived | quarantined | duplicate | requeued
    pages: dict[str, int] = field(default_factory=dict)        # identified | unidentified | foreign | duplicate
    submissions: dict[str, int] = field(default_factory=dict)  # incomplete | needs_review | accepted
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    inbox: int = 0                                             # files waiting (not temporary/hidden)
    processing: int = 0                                        # claimed now, or left by a crash


def _counts(conn: sqlite3.Connection, sql: str) -> dict[str, int]:
    return {k: n for k, n in conn.execute(sql)}


def status_counts(ws: Workspace) -> StatusCounts:
    from intake.ingest.scan import list_candidates
    from intake.store.db import open_db

    db = open_db(ws.require().db_path)
    try:
        c = db.conn
        return StatusCounts(
            files=_counts(c, "SELECT state, COUNT(*) FROM files GROUP BY state ORDER BY state"),
            pages=_counts(c, "SELECT status, COUNT(*) FROM pages GROUP BY status ORDER BY status"),
            submissions=_counts(c, "SELECT status, COUNT(*) FROM submissions GROUP BY status ORDER BY status"),
            quarantine_reasons=_counts(
                c, "SELECT substr(reason, 1, instr(reason || ':', ':') - 1), COUNT(*) FROM files"
                   " WHERE state='quarantined' GROUP BY 1 ORDER BY 1"),
            inbox=len(list_candidates(ws.inbox)),
            processing=sum(1 for p in ws.processing.iterdir() if not p.name.startswith(".")),
        )
    finally:
        db.conn.close()


@dataclass
class SubmissionRecord:
    """One submission with its values: the shape `intake export` writes."""
    submission: str
    form: str
    version: int
    respondent: str | None
    status: str
    source_files: list[str]
    fields: dict[str, dict[str, Any]]   # KEY -> {"value", "confidence", "needs_review"}

    def to_json(self) -> dict[str, Any]:
        """The public JSONL record (issue 3)."""
        return {"submission": self.submission, "form": self.form, "respondent": self.respondent,
                "status": self.status, "source_files": self.source_files, "fields": self.fields}


def submissions(conn: sqlite3.Connection, form: str | None = None, status: str | None = None) -> list[SubmissionRecord]:
    """Submissions (oldest first) with their current values, optionally of one form / status."""
    where, args = [], []
    if form:
        where.append("s.form=?")
        args.append(form)
    if status:
        where.append("s.status=?")
        args.append(status)
    sql = ("SELECT s.id, s.form, s.version, s.respondent_id, s.status FROM submissions s"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY s.created_at, s.rowid")
    out = []
    for sid, f, version, resp, st in conn.execute(sql, args).fetchall():
        files = [r[0] for r in conn.execute(
            "SELECT f.original_name FROM pages p JOIN files f ON f.id=p.file_id WHERE p.submission_id=?"
            " GROUP BY f.id ORDER BY MIN(p.id)", (sid,))]
        fields = {}
        for key, value, conf, review in conn.execute(
                "SELECT key, value, confidence, needs_review FROM field_values WHERE submission_id=? ORDER BY id",
                (sid,)):
            fields[key] = {"value": json.loads(value) if value is not None else None,
                           "confidence": float(conf), "needs_review": bool(review)}
        out.append(SubmissionRecord(sid, f, version, resp, st, files, fields))
    return out


def quarantined_files(conn: sqlite3.Connection) -> list[tuple[int, str, str, str]]:
    """(id, original name, stored path, reason) of files now in quarantine/."""
    return conn.execute("SELECT id, original_name, stored_path, reason FROM files WHERE state='quarantined'"
                        " ORDER BY id").fetchall()


# --- the 見える化 report's questions (intake report); plain counts the CLI can reuse ---------------

def field_quality(conn: sqlite3.Connection) -> dict[str, int]:
    """Every stored field in exactly one class: automatic (read and never touched), confirmed (a clerk
    accepted the reading), corrected (a clerk typed the value), awaiting (still needs review); plus
    automatic_ocr / automatic_acroform splitting the automatic ones by how they were read."""
    row = conn.execute(
        "SELECT COUNT(*),"
        " SUM(needs_review=0 AND source!='clerk' AND corrected_by IS NULL),"
        " SUM(needs_review=0 AND source!='clerk' AND corrected_by IS NOT NULL),"
        " SUM(needs_review=0 AND source='clerk'),"
        " SUM(needs_review=1),"
        " SUM(needs_review=0 AND source='ocr' AND corrected_by IS NULL),"
        " SUM(needs_review=0 AND source='acroform' AND corrected_by IS NULL)"
        " FROM field_values").fetchone()
    keys = ("total", "automatic", "confirmed", "corrected", "awaiting", "automatic_ocr", "automatic_acroform")
    return {k: int(v or 0) for k, v in zip(keys, row)}


def sent_without_match(conn: sqlite3.Connection, form: str) -> list[tuple[str, str, str, int]]:
    """(respondent id, first sent_at, last sent_at, returned 0/1) for each respondent sent `form`
    outside a match; returned = a submission of that form from that respondent exists (any status)."""
    return conn.execute(
        "SELECT sf.respondent_id, MIN(sf.sent_at), MAX(sf.sent_at),"
        " EXISTS(SELECT 1 FROM submissions s WHERE s.form=sf.form AND s.respondent_id=sf.respondent_id)"
        " FROM sent_forms sf WHERE sf.form=? AND sf.match_id IS NULL"
        " GROUP BY sf.respondent_id ORDER BY sf.respondent_id", (form,)).fetchall()


# The request funnel: each stage counts matches that reached it (a later state implies the earlier).
FUNNEL_SQL = {
    "proposed": "1",
    "approved": "state IN ('approved','letter_printed','sent','reply_received','closed')",
    "sent": "state IN ('sent','reply_received','closed')",
    "replied": "(reply_submission_id IS NOT NULL OR contacted IS NOT NULL OR state='reply_received')",
    "visited": "visit='done'",
    "trial_order": "trial_order='placed'",
}


def match_funnel(conn: sqlite3.Connection, kind: str = "pair") -> dict[str, int]:
    """Matches of one kind (pair | group) at each funnel stage, plus rejected."""
    out = {}
    for stage, cond in FUNNEL_SQL.items():
        out[stage] = conn.execute(f"SELECT COUNT(*) FROM matches WHERE kind=? AND {cond}", (kind,)).fetchone()[0]
    out["rejected"] = conn.execute("SELECT COUNT(*) FROM matches WHERE kind=? AND state='rejected'",
                                   (kind,)).fetchone()[0]
    return out
