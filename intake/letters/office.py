"""The sender: the office's name, address and coordinator, from <workspace>/office.yaml.

Missing keys fall back to placeholders that say they are placeholders, and print_letters
warns, so a letter never goes out with an invented office by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from intake.errors import IntakeError
from intake.workspace import Workspace

OFFICE_FILE = "office.yaml"


@dataclass(frozen=True)
class Office:
    name: str = "〇〇県 産業労働部"                 # the organisation, as on its letterhead
    department: str = "ものづくり連携推進課"
    head: str = "課長"                              # title of the sender (差出人の役職)
    postal_code: str = "0000000"
    address: str = "〇〇県〇〇市〇〇町1-1"
    phone: str = "000-000-0000"
    fax: str = "000-000-0000"
    email: str = ""
    coordinator: str = "担当者"                     # the coordinator the factories call
    placeholder: bool = True                        # False once read from office.yaml

    @property
    def postal_text(self) -> str:
        p = "".join(ch for ch in self.postal_code if ch.isdigit())
        return f"〒{p[:3]}-{p[3:]}" if len(p) == 7 else (f"〒{self.postal_code}" if self.postal_code else "")


class OfficeSettingsError(IntakeError):
    exit_code = 1


def load_office(ws: Workspace) -> Office:
    path = Path(ws.root) / OFFICE_FILE
    if not path.exists():
        return Office()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise OfficeSettingsError(f"{path}: not valid YAML ({exc})", hint="fix the file or delete it") from None
    known = {f.name for f in fields(Office)} - {"placeholder"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise OfficeSettingsError(f"{path}: unknown key(s) {', '.join(unknown)}", hint=f"allowed: {', '.join(sorted(known))}")
    return Office(**{k: str(v) for k, v in data.items() if v is not None}, placeholder=False)


def write_office(ws: Workspace, office: Office) -> Path:
    path = Path(ws.root) / OFFICE_FILE
    data = {f.name: getattr(office, f.name) for f in fields(Office) if f.name != "placeholder"}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
