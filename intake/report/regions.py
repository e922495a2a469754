"""Where a factory is: prefecture and municipality (市区町村) from its postal code or address.

The postal code is the better witness (Japan Post's list names the city exactly); the address is
read only when the code is missing or unknown. A designated city's ward (さいたま市浦和区) counts as
its city (さいたま市): the report groups by municipality, and wards would split one city into many.
"""

from __future__ import annotations

import re

from intake.review.profile import prefecture_of

UNKNOWN = "不明"

# In an address after the prefecture: a county's town or village, else a city (short: a city name
# is at most ~6 characters before 市), else a Tokyo ward, else a town or village.
_GUN = re.compile(r"^(.{1,5}?郡.{1,6}?[町村])")
_CITY = re.compile(r"^(.{1,6}?市)(市)?")
_WARD = re.compile(r"^(.{1,5}?区)")
_TOWN = re.compile(r"^(.{1,5}?[町村])")


def _city_of_postal(code: str | None) -> tuple[str | None, str | None]:
    if not code:
        return None, None
    try:
        from intake.validate.postal import lookup
        area = lookup(code)
    except Exception:  # no postal data installed or not 7 digits: fall back to the address
        return None, None
    if area is None or not area.city:
        return None, None
    city = area.city
    m = re.match(r"^(.+?市)(?=.+区$)", city)      # 政令市の区 -> the city
    return area.prefecture, (m.group(1) if m else city)


def _city_of_address(address: str, prefecture: str | None) -> str | None:
    text = re.sub(r"\s+", "", address)
    if prefecture and prefecture in text:
        text = text[text.index(prefecture) + len(prefecture):]
    else:
        text = re.sub(r"^〒?[0-9０-９\-－]+", "", text)
    m = _GUN.match(text)
    if m:
        return m.group(1)
    m = _CITY.match(text)
    if m and "区" not in m.group(1) and "郡" not in m.group(1):
        return m.group(1) + (m.group(2) or "")       # 四日市市, 廿日市市
    for rx in (_WARD, _TOWN):
        m = rx.match(text)
        if m:
            return m.group(1)
    return None


def locate(address: str | None, postal_code: str | None) -> tuple[str, str]:
    """(prefecture, municipality); either is 不明 when neither the code nor the address says."""
    pref, city = _city_of_postal(postal_code)
    if pref is None:
        pref = prefecture_of(address, None)
    if city is None and address:
        city = _city_of_address(address, pref)
    return pref or UNKNOWN, city or UNKNOWN
