"""Which inbox files are ready: not temporary, not hidden, and stable for a while.

Follows paperless-ngx's consumer rules: a scanner or fax server may still be writing a
file, so we only touch it once its size and mtime have not changed for `stable_seconds`.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_STABLE_SECONDS = 2.0
IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini", ".gitkeep"}
IGNORED_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".download", ".swp")


def is_ignored(name: str) -> bool:
    """Temporary and hidden files are never candidates (they are left where they are)."""
    return (name in IGNORED_NAMES or name.startswith(".") or name.startswith("~$")
            or name.lower().endswith(IGNORED_SUFFIXES) or name.endswith(".reason.txt"))


@dataclass
class Candidates:
    ready: list[Path] = field(default_factory=list)      # stable regular files, oldest first
    symlinks: list[Path] = field(default_factory=list)   # never followed: quarantined
    unstable: list[Path] = field(default_factory=list)   # still changing: left for the next pass


def _signature(st: os.stat_result) -> tuple[int, int]:
    return st.st_size, st.st_mtime_ns


def list_candidates(inbox: Path) -> list[Path]:
    """Entries directly in inbox/ that are not ignored (sub-folders are not descended)."""
    out = []
    try:
        entries = list(os.scandir(inbox))
    except FileNotFoundError:
        return []
    for e in entries:
        if is_ignored(e.name):
            continue
        if e.is_symlink() or e.is_file(follow_symlinks=False):
            out.append(Path(e.path))
    return out


def scan(inbox: Path, stable_seconds: float = DEFAULT_STABLE_SECONDS, *, sleep=time.sleep,
         seen: dict[Path, tuple[tuple[int, int], float]] | None = None) -> Candidates:
    """Sort inbox entries into ready / symlinks / unstable.

    A file is ready when its (size, mtime) matches what we saw `stable_seconds` ago.
    Without `seen` (one-shot `intake process`), we look twice, `stable_seconds` apart.
    With `seen` (the watcher's memory between passes), we never sleep: a file first seen
    now is unstable until a later pass finds it unchanged and old enough.
    """
    res = Candidates()
    paths = list_candidates(inbox)
    first: dict[Path, tuple[int, int]] = {}
    for p in paths:
        if p.is_symlink():
            res.symlinks.append(p)
            continue
        try:
            first[p] = _signature(p.stat())
        except FileNotFoundError:
            continue  # claimed by someone else meanwhile
    if seen is None:
        if first and stable_seconds > 0:
            sleep(stable_seconds)
        for p, sig in first.items():
            try:
                now_sig = _signature(p.stat())
            except FileNotFoundError:
                continue
            (res.ready if now_sig == sig else res.unstable).append(p)
    else:
        t = time.monotonic()
        for p, sig in first.items():
            prev = seen.get(p)
            if prev is None or prev[0] != sig:
                seen[p] = (sig, t)
                res.unstable.append(p)
            elif t - prev[1] >= stable_seconds:
                res.ready.append(p)
            else:
                res.unstable.append(p)
        for p in list(seen):
            if p not in first:
                del seen[p]
    res.ready.sort(key=lambda p: (first[p][1], p.name))
    return res
