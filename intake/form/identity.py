"""What a page's code says: form, version, page, page count, respondent, match.

Payload: `IK1|<form>|<version>|<page>/<pages>|<respondent or ->[|<match>]`, short enough
for a version-2/3 QR code whose modules stay ≥ 2.5 px tall at 98 dpi (standard fax).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "IK1"
ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,24}$")


@dataclass(frozen=True)
class PageIdentity:
    form: str
    version: int
    page: int
    pages: int
    respondent: str | None = None
    match: str | None = None

    def encode(self) -> str:
        parts = [PREFIX, self.form, str(self.version), f"{self.page}/{self.pages}", self.respondent or "-"]
        if self.match:
            parts.append(self.match)
        return "|".join(parts)

    def human(self) -> str:
        """The same identity in characters a clerk can read and type."""
        s = f"{self.form} v{self.version}  p.{self.page}/{self.pages}"
        if self.respondent:
            s += f"  ID:{self.respondent}"
        if self.match:
            s += f"  M:{self.match}"
        return s

    @classmethod
    def decode(cls, text: str) -> "PageIdentity | None":
        """Parse a code's text; None for anything that is not one of ours."""
        parts = text.strip().split("|")
        if len(parts) not in (5, 6) or parts[0] != PREFIX:
            return None
        try:
            page, pages = (int(x) for x in parts[3].split("/"))
            version = int(parts[2])
        except ValueError:
            return None
        if not (1 <= page <= pages <= 50) or version < 1:
            return None
        resp = None if parts[4] == "-" else parts[4]
        match = parts[5] if len(parts) == 6 else None
        for v in (resp, match):
            if v is not None and not ID_RE.match(v):
                return None
        return cls(parts[1], version, page, pages, resp, match)


def valid_id(value: str) -> bool:
    return bool(ID_RE.match(value))
