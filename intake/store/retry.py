"""`intake retry`: put quarantined files back into the inbox after the cause was fixed."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from intake.store.db import now, open_db
from intake.workspace import Workspace


@dataclass
class RetryResult:
    requeued: list[str] = field(default_factory=list)   # names now back in inbox/
    missing: list[str] = field(default_factory=list)    # rows whose file is no longer in quarantine/


def retry(ws: Workspace, *, reasons: tuple[str, ...] = ()) -> RetryResult:
    """Move quarantined files back to inbox/ (optionally only those with the given reason codes).

    The old row becomes state 'requeued' (its history stays); the next `intake process`
    gives the file a new row. Symlinks are not re-queued: they would be quarantined again.
    """
    from intake.ingest.archive import reason_path

    res = RetryResult()
    db = open_db(ws.require().db_path)
    conn = db.conn
    try:
        rows = conn.execute("SELECT id, original_name, stored_path, reason FROM files WHERE state='quarantined'"
                            " ORDER BY id").fetchall()
        for fid, name, stored, reason in rows:
            code = (reason or "").split(":", 1)[0]
            if code == "symlink" or (reasons and code not in reasons):
                continue
            src = ws.root / stored
            if not src.exists():
                res.missing.append(name)
                continue
            dst = _free_name(ws.inbox, name)
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute("UPDATE files SET state='requeued', requeued_at=? WHERE id=? AND state='quarantined'",
                             (now(), fid))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            os.replace(src, dst)
            reason_path(src).unlink(missing_ok=True)
            res.requeued.append(dst.name)
    finally:
        conn.close()
    return res


def _free_name(folder: Path, name: str) -> Path:
    p = folder / name
    n = 1
    while p.exists():
        stem, dot, ext = name.rpartition(".")
        p = folder / (f"{stem}-{n}.{ext}" if dot else f"{name}-{n}")
        n += 1
    return p
