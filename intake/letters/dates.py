"""Dates as a Japanese office writes them: 2026年11月29日, or 和暦 令和8年11月29日."""

from __future__ import annotations

from datetime import date

ERAS = ((date(2019, 5, 1), "令和"), (date(1989, 1, 8), "平成"), (date(1926, 12, 25), "昭和"))


def wareki(d: date) -> str:
    for start, name in ERAS:
        if d >= start:
            y = d.year - start.year + 1
            return f"{name}{'元' if y == 1 else y}年{d.month}月{d.day}日"
    return seireki(d)


def seireki(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def letter_date(d: date, use_wareki: bool = False) -> str:
    return wareki(d) if use_wareki else seireki(d)


# 時候の挨拶 by month: the opening line after 拝啓 that a business letter carries.
SEASON = {1: "厳寒の候", 2: "向春の候", 3: "早春の候", 4: "陽春の候", 5: "新緑の候", 6: "初夏の候",
          7: "盛夏の候", 8: "残暑の候", 9: "初秋の候", 10: "秋冷の候", 11: "晩秋の候", 12: "師走の候"}


def season_greeting(d: date) -> str:
    return f"{SEASON[d.month]}、貴社ますますご清栄のこととお慶び申し上げます。"
