"""Claiming a file so that exactly one process handles it.

A claim is an exclusive flock on the file's inode, taken *before* the atomic rename
inbox/X -> processing/<claim_id>__X and held until the file has left processing/.
The lock follows the inode through the rename and dies with its process (even on
SIGKILL), so at start-up a file in processing/ that nobody holds a lock on is an
orphan of a crashed run: we lock it and pick it up again (resume).
"""

from __future__ import annotations

import errno
import fcntl
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

SEP = "__"


@dataclass
class Claim:
    path: Path                  # processing/<claim_id>__<original_name>
    claim_id: str
    original_name: str
    fd: int = field(repr=False)
    resumed: bool = False

    @property
    def name(self) -> str:
        return self.path.name

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # closing drops the flock
            self.fd = -1


def _lock(path: Path) -> int | None:
    """Open and lock `path` without blocking; None if it is gone, a symlink or locked by another."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ELOOP, errno.EISDIR, errno.EACCES):
            return None
        raise
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    # Locked an inode, but is it still the one at `path`? (it may have moved on meanwhile)
    try:
        same = os.stat(path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        same = False
    if not same:
        os.close(fd)
        return None
    return fd


def claim(processing: Path, path: Path) -> Claim | None:
    """Lock and move an inbox file into processing/; None if another process got it first."""
    fd = _lock(path)
    if fd is None:
        return None
    claim_id = uuid.uuid4().hex[:16]
    target = processing / f"{claim_id}{SEP}{path.name}"
    try:
        os.rename(path, target)
    except FileNotFoundError:
        os.close(fd)
        return None
    return Claim(target, claim_id, path.name, fd)


def parse_name(name: str) -> tuple[str, str]:
    """processing name -> (claim_id, original name)."""
    claim_id, sep, original = name.partition(SEP)
    if not sep:
        return uuid.uuid4().hex[:16], name  # someone put a file here by hand
    return claim_id, original


def orphans(processing: Path) -> list[Claim]:
    """Files left in processing/ by a crashed run, now locked by us (oldest first)."""
    out = []
    try:
        entries = sorted(os.scandir(processing), key=lambda e: e.name)
    except FileNotFoundError:
        return []
    for e in entries:
        if e.name.startswith(".") or not e.is_file(follow_symlinks=False):
            continue
        fd = _lock(Path(e.path))
        if fd is None:
            continue  # a live process holds it
        claim_id, original = parse_name(e.name)
        out.append(Claim(Path(e.path), claim_id, original, fd, resumed=True))
    return out
