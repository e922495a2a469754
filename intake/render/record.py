"""Recording what was printed for whom, so the office can see who has not answered yet."""

from __future__ import annotations

from pathlib import Path

from intake.form.model import FormDef
from intake.render.respondents import OPTIONAL, Respondent
from intake.store.db import now, transaction
from intake.workspace import Workspace


def record_sent(ws: Workspace, form: FormDef, lang: str,
                copies: list[tuple[Respondent, Path, str | None]]) -> int:
    """Upsert each respondent and insert one sent_forms row per copy (respondent, output path, match id).

    All rows are written in one transaction. Returns the number of sent_forms rows added.
    """
    ws.require()
    stamp = now()
    cols = ", ".join(OPTIONAL)
    updates = ", ".join(f"{c} = COALESCE(excluded.{c}, {c})" for c in OPTIONAL)
    with transaction(ws.db_path) as conn:
        for resp, path, match_id in copies:
            row = resp.as_row()
            conn.execute(
                f"INSERT INTO respondents (id, name, {cols}, created_at) VALUES (?, ?, {', '.join('?' * len(OPTIONAL))}, ?) "
                f"ON CONFLICT(id) DO UPDATE SET name = excluded.name, {updates}",
                (resp.id, resp.name, *(row[c] for c in OPTIONAL), stamp))
            conn.execute(
                "INSERT INTO sent_forms (respondent_id, form, version, lang, match_id, output_path, sent_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (resp.id, form.id, form.version, lang, match_id, str(path), stamp))
    return len(copies)
