"""Pages into submissions.

Rules (see also the module docs of pipeline.py):
- A personalised page (its code names a respondent) joins the submission with the same
  (form, version, respondent, match), whichever file or order it arrives in. If that
  submission already holds a page with the same number, the new page is a duplicate:
  recorded (status 'duplicate', duplicate_of) and its values not loaded.
- A page without a respondent (a blank, non-personalised form) cannot be matched across
  files: within one file, consecutive pages of one form/version build one set, and a page
  whose number that set already has starts the next set. Such a set never joins pages
  from another file; a clerk merges it in review if needed.
- Status: 'incomplete' until every page 1..pages is in; then 'needs_review' if any field
  needs review, else 'accepted'.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass, field

from intake.form.identity import PageIdentity
from intake.store.db import now


@dataclass
class AnonSets:
    """Open anonymous sets of the file being stored: (form, version, match) -> (submission, pages)."""
    open: dict[tuple, tuple[str, set[int]]] = field(default_factory=dict)


@dataclass
class Placement:
    submission_id: str
    duplicate_of: int | None = None     # page id this page repeats
    created: bool = False


def new_submission_id() -> str:
    return uuid.uuid4().hex[:12]


def _create(conn: sqlite3.Connection, ident: PageIdentity) -> str:
    sid = new_submission_id()
    t = now()
    conn.execute(
        "INSERT INTO submissions (id, form, version, respondent_id, match_id, status, page_count, created_at, updated_at)"
        " VALUES (?,?,?,?,?,?,?,?,?)",
        (sid, ident.form, ident.version, ident.respondent, ident.match, "incomplete", ident.pages, t, t))
    return sid


def _page_in(conn: sqlite3.Connection, sid: str, page: int) -> int | None:
    row = conn.execute("SELECT id FROM pages WHERE submission_id=? AND page=? AND status='identified' ORDER BY id LIMIT 1",
                       (sid, page)).fetchone()
    return row[0] if row else None


def place(conn: sqlite3.Connection, ident: PageIdentity, anon: AnonSets) -> Placement:
    """Find or create the submission for a page (inside the caller's transaction)."""
    if ident.respondent:
        row = conn.execute(
            "SELECT id FROM submissions WHERE form=? AND version=? AND respondent_id=? AND match_id IS ?"
            " ORDER BY created_at, rowid LIMIT 1",
            (ident.form, ident.version, ident.respondent, ident.match)).fetchone()
        if row is None:
            return Placement(_create(conn, ident), created=True)
        dup = _page_in(conn, row[0], ident.page)
        return Placement(row[0], duplicate_of=dup)
    key = (ident.form, ident.version, ident.match)
    cur = anon.open.get(key)
    if cur is None or ident.page in cur[1]:
        sid = _create(conn, ident)
        anon.open[key] = (sid, {ident.page})
        return Placement(sid, created=True)
    cur[1].add(ident.page)
    return Placement(cur[0])


def refresh_status(conn: sqlite3.Connection, sid: str) -> str:
    """Recompute a submission's status from its pages and values."""
    (pages_needed,) = conn.execute("SELECT page_count FROM submissions WHERE id=?", (sid,)).fetchone()
    (have,) = conn.execute("SELECT COUNT(DISTINCT page) FROM pages WHERE submission_id=? AND status='identified'",
                           (sid,)).fetchone()
    if have < pages_needed:
        status = "incomplete"
    else:
        (review,) = conn.execute("SELECT COUNT(*) FROM field_values WHERE submission_id=? AND needs_review=1",
                                 (sid,)).fetchone()
        status = "needs_review" if review else "accepted"
    conn.execute("UPDATE submissions SET status=?, updated_at=? WHERE id=?", (status, now(), sid))
    return status
