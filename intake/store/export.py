"""Export submissions: JSONL (the public interface of issue 3) and CSV for Excel users.

JSONL, one line per submission:
  {"submission": str, "form": str, "respondent": str|null, "status": "accepted"|"needs_review"|"incomplete",
   "source_files": [str], "fields": {KEY: {"value": ..., "confidence": float, "needs_review": bool}}}
CSV: one row per submission, one column per field (form definition order), UTF-8 with a BOM so
Japanese Excel opens it; a multiple choice is written as its option keys joined by ';'.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any, TextIO

from intake.errors import IntakeError
from intake.store.db import open_db
from intake.store.queries import SubmissionRecord, submissions
from intake.workspace import Workspace

FORMATS = ("jsonl", "csv")
CSV_FIXED = ["submission", "form", "version", "respondent", "status", "source_files"]


def records(ws: Workspace, form: str | None = None) -> list[SubmissionRecord]:
    db = open_db(ws.require().db_path)
    try:
        return submissions(db.conn, form=form)
    finally:
        db.conn.close()


def _field_order(ws: Workspace, recs: list[SubmissionRecord]) -> list[str]:
    """Columns in the forms' definition order, then any stored key the definitions no longer have."""
    keys: list[str] = []
    try:
        from intake.form.loader import load_forms
        forms = load_forms(ws.forms_path())
        for fid in dict.fromkeys(r.form for r in recs):
            if fid in forms:
                keys += [f.key for f in forms[fid].fields if f.key not in keys]
    except IntakeError:
        pass
    for r in recs:
        keys += [k for k in r.fields if k not in keys]
    return keys


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def write_jsonl(recs: list[SubmissionRecord], out: TextIO) -> None:
    for r in recs:
        out.write(json.dumps(r.to_json(), ensure_ascii=False) + "\n")


def write_csv(recs: list[SubmissionRecord], out: TextIO, keys: list[str]) -> None:
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CSV_FIXED + keys)
    for r in recs:
        w.writerow([r.submission, r.form, r.version, r.respondent or "", r.status, ";".join(r.source_files)]
                   + [_cell(r.fields[k]["value"]) if k in r.fields else "" for k in keys])


def export(ws: Workspace, fmt: str = "jsonl", *, form: str | None = None, out: Path | None = None) -> str | int:
    """Write submissions as JSONL or CSV to `out` (returns the count) or return the text (out=None)."""
    if fmt not in FORMATS:
        raise IntakeError(f"unknown export format {fmt!r}", hint="use --format jsonl or --format csv")
    recs = records(ws, form)
    buf = io.StringIO()
    if fmt == "jsonl":
        write_jsonl(recs, buf)
    else:
        write_csv(recs, buf, _field_order(ws, recs))
    text = buf.getvalue()
    if out is None:
        return text
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name("." + out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="")
    os.replace(tmp, out)
    return len(recs)
