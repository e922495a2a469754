"""The 47 prefectures: JIS X 0401 code, name, English name, and land neighbours.

Written from public knowledge. Neighbours are land borders only: sea crossings (Seikan tunnel,
Honshu-Shikoku bridges, Kanmon strait, Tokyo Bay) are not counted, so 北海道 and 沖縄県 have none;
whoever matches "neighbouring" suppliers may widen this by adding ferry/bridge links there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from intake.validate.textnorm import fold


@dataclass(frozen=True)
class Prefecture:
    code: str            # "01".."47" (JIS X 0401, also the first two digits of 全国地方公共団体コード)
    name: str            # 東京都
    en: str              # Tokyo
    neighbours: tuple[str, ...]   # codes

    @property
    def stem(self) -> str:
        """The name without 都/府/県 (北海道 keeps its 道: '北海' is not how anyone writes it)."""
        return self.name if self.name == "北海道" else self.name[:-1]


_TABLE = [
    ("01", "北海道", "Hokkaido", ""),
    ("02", "青森県", "Aomori", "03 05"),
    ("03", "岩手県", "Iwate", "02 04 05"),
    ("04", "宮城県", "Miyagi", "03 05 06 07"),
    ("05", "秋田県", "Akita", "02 03 04 06"),
    ("06", "山形県", "Yamagata", "04 05 07 15"),
    ("07", "福島県", "Fukushima", "04 06 08 09 10 15"),
    ("08", "茨城県", "Ibaraki", "07 09 11 12"),
    ("09", "栃木県", "Tochigi", "07 08 10 11"),
    ("10", "群馬県", "Gunma", "07 09 11 15 20"),
    ("11", "埼玉県", "Saitama", "08 09 10 12 13 19 20"),
    ("12", "千葉県", "Chiba", "08 11 13"),
    ("13", "東京都", "Tokyo", "11 12 14 19"),
    ("14", "神奈川県", "Kanagawa", "13 19 22"),
    ("15", "新潟県", "Niigata", "06 07 10 16 20"),
    ("16", "富山県", "Toyama", "15 17 20 21"),
    ("17", "石川県", "Ishikawa", "16 18 21"),
    ("18", "福井県", "Fukui", "17 21 25 26"),
    ("19", "山梨県", "Yamanashi", "11 13 14 20 22"),
    ("20", "長野県", "Nagano", "10 11 15 16 19 21 22 23"),
    ("21", "岐阜県", "Gifu", "16 17 18 20 23 24 25"),
    ("22", "静岡県", "Shizuoka", "14 19 20 23"),
    ("23", "愛知県", "Aichi", "20 21 22 24"),
    ("24", "三重県", "Mie", "21 23 25 26 29 30"),
    ("25", "滋賀県", "Shiga", "18 21 24 26"),
    ("26", "京都府", "Kyoto", "18 24 25 27 28 29"),
    ("27", "大阪府", "Osaka", "26 28 29 30"),
    ("28", "兵庫県", "Hyogo", "26 27 31 33"),
    ("29", "奈良県", "Nara", "24 26 27 30"),
    ("30", "和歌山県", "Wakayama", "24 27 29"),
    ("31", "鳥取県", "Tottori", "28 32 33 34"),
    ("32", "島根県", "Shimane", "31 34 35"),
    ("33", "岡山県", "Okayama", "28 31 34"),
    ("34", "広島県", "Hiroshima", "31 32 33 35"),
    ("35", "山口県", "Yamaguchi", "32 34"),
    ("36", "徳島県", "Tokushima", "37 38 39"),
    ("37", "香川県", "Kagawa", "36 38"),
    ("38", "愛媛県", "Ehime", "36 37 39"),
    ("39", "高知県", "Kochi", "36 38"),
    ("40", "福岡県", "Fukuoka", "41 43 44"),
    ("41", "佐賀県", "Saga", "40 42"),
    ("42", "長崎県", "Nagasaki", "41"),
    ("43", "熊本県", "Kumamoto", "40 44 45 46"),
    ("44", "大分県", "Oita", "40 43 45"),
    ("45", "宮崎県", "Miyazaki", "43 44 46"),
    ("46", "鹿児島県", "Kagoshima", "43 45"),
    ("47", "沖縄県", "Okinawa", ""),
]

PREFECTURES: tuple[Prefecture, ...] = tuple(Prefecture(c, n, e, tuple(nb.split())) for c, n, e, nb in _TABLE)
BY_CODE = {p.code: p for p in PREFECTURES}
BY_NAME = {p.name: p for p in PREFECTURES}

# Longest first so 神奈川県 wins over nothing shorter and 京都府 is never found inside 東京都.
_FULL = re.compile("|".join(sorted((re.escape(p.name) for p in PREFECTURES), key=len, reverse=True)))
_STEM = re.compile("^(?:" + "|".join(sorted((re.escape(p.stem) for p in PREFECTURES), key=len, reverse=True)) + ")")


def by_code(code: str | int) -> Prefecture:
    return BY_CODE[f"{int(code):02d}"]


def by_name(name: str) -> Prefecture:
    """Full name (東京都) or stem (東京)."""
    name = fold(name)
    if name in BY_NAME:
        return BY_NAME[name]
    for p in PREFECTURES:
        if p.stem == name:
            return p
    raise KeyError(f"no prefecture {name!r}")


def neighbours(pref: Prefecture | str) -> tuple[Prefecture, ...]:
    p = pref if isinstance(pref, Prefecture) else by_name(pref)
    return tuple(BY_CODE[c] for c in p.neighbours)


@dataclass(frozen=True)
class Mention:
    prefecture: Prefecture
    explicit: bool       # written with 都/道/府/県; False: only the stem opens the address
    position: int


def find_in_address(address: str) -> Mention | None:
    """The prefecture an address names: the earliest full name anywhere (大阪府…, 〒… 東京都…), else a
    stem at the very start (神奈川横浜市…). None when the address starts at the city (横浜市…).

    A bare stem may also be a municipality (長野県の山形村, 福島県の石川町); callers treat a
    non-explicit mention as weaker evidence."""
    text = re.sub(r"\s+", "", fold(address))
    m = _FULL.search(text)
    if m:
        return Mention(BY_NAME[m.group()], True, m.start())
    m = _STEM.match(text)
    if m:
        return Mention(by_name(m.group()), False, 0)
    return None
