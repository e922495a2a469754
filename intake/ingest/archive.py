"""Where a file ends: archive/, quarantine/ or duplicates/ — and the move that takes it there.

The destination is chosen and committed to the database first; the move comes after and is
idempotent, so a run killed in between finishes the same move when it starts again.
"""

from __future__ import annotations

import errno
import os
import stat
from datetime import datetime
from pathlib import Path

from intake.ingest.sniff import EXTENSIONS
from intake.workspace import Workspace


def archive_path(ws: Workspace, sha256: str, kind: str, when: datetime | None = None) -> Path:
    """archive/YYYY/MM/DD/<sha[:2]>/<sha>.<ext>: by date received, then checksum."""
    d = when or datetime.now()
    return ws.archive / f"{d:%Y}" / f"{d:%m}" / f"{d:%d}" / sha256[:2] / f"{sha256}.{EXTENSIONS.get(kind, 'bin')}"


def quarantine_path(ws: Workspace, original_name: str, claim_id: str) -> Path:
    """quarantine/<name>, or <claim_id>__<name> when that name is taken (never overwrite)."""
    p = ws.quarantine / original_name
    if p.exists() or p.is_symlink() or Path(str(p) + ".reason.txt").exists():
        p = ws.quarantine / f"{claim_id}__{original_name}"
    return p


def duplicate_path(ws: Workspace, claim_name: str) -> Path:
    return ws.duplicates / claim_name


def reason_path(quarantined: Path) -> Path:
    return quarantined.with_name(quarantined.name + ".reason.txt")


def write_reason(quarantined: Path, text: str) -> None:
    """The reason file beside a quarantined file (written atomically)."""
    rp = reason_path(quarantined)
    tmp = rp.with_name("." + rp.name + ".tmp")
    tmp.write_text(text.rstrip() + "\n", encoding="utf-8")
    os.replace(tmp, rp)


def move(src: Path, dst: Path, *, read_only: bool = False) -> Path:
    """Move src to dst without ever overwriting another file; safe to repeat after a crash.

    A hard link then unlink is a no-clobber atomic rename: if dst already is src's inode
    (killed after linking), only the unlink is left to do. Returns where the file is now.
    """
    dst.parent.mkdir(parents=True, exist_ok=True)
    if not (src.exists() or src.is_symlink()):
        if dst.exists() or dst.is_symlink():
            return dst  # already moved
        raise FileNotFoundError(src)
    try:
        os.link(src, dst, follow_symlinks=False)
    except FileExistsError:
        if not os.path.samestat(os.lstat(src), os.lstat(dst)):
            raise
    except OSError as exc:  # a file system without hard links: plain rename, after checking
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        if dst.exists() or dst.is_symlink():
            raise FileExistsError(dst) from exc
        os.replace(src, dst)
    else:
        os.unlink(src)
    if read_only and not dst.is_symlink():
        mode = dst.stat().st_mode
        os.chmod(dst, mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    return dst
