"""Where a workspace's files live, and `init`.

A workspace is one folder: the database, the watched inbox and the folders files
move through. Everything moves by atomic rename inside this folder, so all of
these must live on one file system.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from intake.errors import WorkspaceError

DB_NAME = "intake.db"
SUBDIRS = ("inbox", "processing", "archive", "quarantine", "duplicates", "crops", "pages", "sent", "output")


@dataclass(frozen=True)
class Workspace:
    root: Path
    forms_dir: Path | None = field(default=None)

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    def dir(self, name: str) -> Path:
        if name not in SUBDIRS:
            raise KeyError(name)
        return self.root / name

    inbox = property(lambda self: self.dir("inbox"))
    processing = property(lambda self: self.dir("processing"))
    archive = property(lambda self: self.dir("archive"))
    quarantine = property(lambda self: self.dir("quarantine"))
    duplicates = property(lambda self: self.dir("duplicates"))
    crops = property(lambda self: self.dir("crops"))
    pages = property(lambda self: self.dir("pages"))
    sent = property(lambda self: self.dir("sent"))
    output = property(lambda self: self.dir("output"))

    @property
    def is_initialised(self) -> bool:
        return self.db_path.exists() and self.inbox.is_dir()

    def require(self) -> "Workspace":
        if not self.is_initialised:
            raise WorkspaceError(
                f"{self.root} is not an intake workspace (no {DB_NAME} or inbox/)",
                hint=f"run: intake --home {self.root} init",
            )
        return self

    def forms_path(self) -> Path:
        """Form definitions: the workspace's own forms/ if it has one, else the project's."""
        if self.forms_dir is not None:
            return self.forms_dir
        own = self.root / "forms"
        if own.is_dir() and any(own.glob("*.yaml")):
            return own
        return default_forms_dir()


def default_forms_dir() -> Path:
    env = os.environ.get("INTAKE_FORMS")
    if env:
        return Path(env)
    # The repository's forms/ (editable install); an installed copy ships them as package data.
    repo = Path(__file__).resolve().parent.parent / "forms"
    if repo.is_dir():
        return repo
    return Path(__file__).resolve().parent / "form" / "builtin"


def init(root: Path) -> Workspace:
    """Create (or complete) a workspace. Safe to run twice: nothing existing is touched."""
    from intake.store import db as store_db

    root = Path(root)
    if root.exists() and not root.is_dir():
        raise WorkspaceError(f"{root} exists and is not a folder", hint="choose another --home")
    root.mkdir(parents=True, exist_ok=True)
    for name in SUBDIRS:
        (root / name).mkdir(exist_ok=True)
    ws = Workspace(root)
    store_db.open_db(ws.db_path).close()
    return ws
