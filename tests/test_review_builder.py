"""Builds review-desk rows directly (as the ingest stage would), with real small PNG crops and pages.

Imported by the other test_review_* modules; its own tests check the builder is faithful to the schema.
"""

from __future__ import annotations

import json
from itertools import count
from pathlib import Path

import cv2
import numpy as np

from intake.form.layout import PAGE_H, PAGE_W, layout
from intake.store import db as store_db

_ids = count(1)


def _png(path: Path, text: str, size: tuple[int, int] = (60, 320)) -> None:
    """A grey crop with the text drawn on it, like a scanned answer."""
    img = np.full(size, 235, np.uint8)
    cv2.putText(img, text or "-", (8, size[0] - 18), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 20, 2, cv2.LINE_AA)
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), img)


def _page_png(path: Path, label: str) -> None:
    h, w = int(PAGE_H * 2), int(PAGE_W * 2)   # 2 px/mm: small but page-shaped
    img = np.full((h, w), 250, np.uint8)
    cv2.putText(img, label, (40, 120), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2)
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), img)


def _file(conn, ws, name: str, state: str = "archived", reason: str | None = None) -> int:
    n = next(_ids)
    cur = conn.execute("INSERT INTO files (sha256, original_name, size, kind, state, reason, received_at) "
                       "VALUES (?,?,?,?,?,?,?)", (f"{n:064x}", name, 1000, "png", state, reason, store_db.now()))
    return cur.lastrowid


def make_submission(ws, forms, form: str, values: dict, respondent: str | None = "F001",
                    pages: list[int] | None = None, flagged: dict | None = None) -> str:
    """One submission with the given current values (machine readings).

    `flagged` maps key -> reason for fields that need review (confidence 0.4); others are 0.98.
    `pages` are the page numbers present (default: all), so a submission can be incomplete.
    """
    fdef = forms[form]
    lay = layout(fdef)
    pages = pages or list(range(1, lay.page_count + 1))
    flagged = flagged or {}
    sid = f"s{next(_ids):04d}"
    conn = store_db.connect(ws.db_path)
    try:
        conn.execute("BEGIN")
        at = store_db.now()
        conn.execute("INSERT INTO submissions (id, form, version, respondent_id, status, page_count, created_at, "
                     "updated_at) VALUES (?,?,?,?,?,?,?,?)",
                     (sid, form, fdef.version, respondent, "incomplete", lay.page_count, at, at))
        fid = _file(conn, ws, f"{sid}.png")
        page_ids = {}
        for p in pages:
            rel = f"pages/{sid}/p{p:03d}.png"
            _page_png(ws.root / rel, f"{form} p{p} {respondent or ''}")
            cur = conn.execute("INSERT INTO pages (file_id, page_index, status, form, version, page, pages, "
                               "respondent_id, image_path, submission_id, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                               (fid, p - 1, "identified", form, fdef.version, p, lay.page_count, respondent,
                                rel, sid, at))
            page_ids[p] = cur.lastrowid
        for key, value in values.items():
            g = lay.field(key)
            if g.page not in page_ids:
                continue
            rel = f"crops/{sid}/{key}.png"
            _png(ws.root / rel, value if isinstance(value, str) else ",".join(value or []))
            reason = flagged.get(key)
            conn.execute("INSERT INTO field_values (submission_id, page_id, key, kind, machine_value, value, "
                         "confidence, needs_review, reason, source, crop_path) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                         (sid, page_ids[g.page], key, g.field.kind, json.dumps(value, ensure_ascii=False),
                          json.dumps(value, ensure_ascii=False), 0.4 if reason else 0.98,
                          1 if reason else 0, reason, "ocr", rel))
        # The ingest stage's status rule: incomplete / needs_review / accepted.
        status = ("incomplete" if len(pages) < lay.page_count else "needs_review" if flagged else "accepted")
        conn.execute("UPDATE submissions SET status=? WHERE id=?", (status, sid))
        conn.execute("COMMIT")
    finally:
        conn.close()
    return sid


def make_unidentified_page(ws, note: str = "no code found") -> int:
    conn = store_db.connect(ws.db_path)
    try:
        fid = _file(conn, ws, "scan-unknown.png")
        n = next(_ids)
        rel = f"pages/unknown{n}/p001.png"
        _page_png(ws.root / rel, "no code")
        cur = conn.execute("INSERT INTO pages (file_id, page_index, status, image_path, created_at, note) "
                           "VALUES (?,?,?,?,?,?)", (fid, 0, "unidentified", rel, store_db.now(), note))
        return cur.lastrowid
    finally:
        conn.close()


def make_quarantined_file(ws, name: str = "broken.pdf", reason: str = "unreadable: not a PDF") -> int:
    conn = store_db.connect(ws.db_path)
    try:
        return _file(conn, ws, name, state="quarantined", reason=reason)
    finally:
        conn.close()


SURVEY = {
    "company_name": "株式会社テスト製作所", "representative": "山田太郎", "contact_person": "佐藤花子",
    "postal_code": "2310023", "address": "神奈川県横浜市中区山下町1", "phone": "0452101234", "fax": "0452101235",
    "employees": "120", "processes": ["cutting", "welding"], "materials": ["steel", "aluminium"],
    "lot_sizes": ["small"], "certifications": ["iso9001"], "idle_equipment": "no", "idle_machines": "",
    "interests": ["joint_purchase"], "contact_channel": "fax", "consent": "agree", "strengths": "精密加工",
    "challenges": "",
}

REQUEST = {
    "requester": "有限会社発注商事", "contact_person": "鈴木", "phone": "0312345678", "process": ["press"],
    "material": ["stainless"], "quantity": "500", "deadline": "20260331", "deadline_text": "", "region": "prefecture",
    "drawings": "yes", "description": "ブラケット",
}


def test_builder_rows_follow_the_schema(workspace, forms):
    sid = make_submission(workspace, forms, "survey", SURVEY, flagged={"employees": "low confidence"})
    conn = store_db.connect(workspace.db_path)
    try:
        (status,) = conn.execute("SELECT status FROM submissions WHERE id=?", (sid,)).fetchone()
        rows = conn.execute("SELECT key, crop_path, needs_review FROM field_values WHERE submission_id=?",
                            (sid,)).fetchall()
    finally:
        conn.close()
    assert status == "needs_review"
    assert {r[0] for r in rows} == set(SURVEY)
    assert all((workspace.root / r[1]).is_file() for r in rows)
    assert [r[0] for r in rows if r[2]] == ["employees"]
