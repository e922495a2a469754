"""Dates as people write them on Japanese forms, normalised to ISO (YYYY-MM-DD).

和暦: 令和7年3月31日, 令和七年三月三十一日, R7.3.31, R7/3/31, R07-03-31, 令和元年5月1日, ㍻31年4月30日
西暦: 2026-03-31, 20260331, 2026年3月31日, 2026/3/31, 二〇二六年三月三十一日
also: …3月末 / 3月末日 (last day), 上旬・中旬・下旬 (10th / 20th / last day, flagged as approximate),
a trailing weekday (火) which is checked, and まで・迄・頃・必着.

Era boundaries (first and last day): 大正 1912-07-30..1926-12-25, 昭和 1926-12-25..1989-01-07,
平成 1989-01-08..2019-04-30, 令和 2019-05-01..  A date outside its era (平成31年5月1日, 平成32年,
令和元年4月30日) is flagged, not converted: the writer may have meant either era.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

from intake.validate.issues import ERROR, NOTE, Problem
from intake.validate.textnorm import fold, replace_kanji_numbers


@dataclass(frozen=True)
class Era:
    name: str
    en: str
    first: date
    last: date | None

    @property
    def base(self) -> int:           # 元年 = base
        return self.first.year


ERAS = (
    Era("令和", "Reiwa", date(2019, 5, 1), None),
    Era("平成", "Heisei", date(1989, 1, 8), date(2019, 4, 30)),
    Era("昭和", "Showa", date(1926, 12, 25), date(1989, 1, 7)),
    Era("大正", "Taisho", date(1912, 7, 30), date(1926, 12, 25)),
)
_ERA_ALIASES = {"令和": "令和", "令": "令和", "R": "令和", "平成": "平成", "平": "平成", "H": "平成",
                "昭和": "昭和", "昭": "昭和", "S": "昭和", "大正": "大正", "大": "大正", "T": "大正"}
_BY_NAME = {e.name: e for e in ERAS}
YEAR_RANGE = (1900, 2100)    # a western year outside this is a misreading, not a date

_ERA = "(?P<era>令和|平成|昭和|大正|[令平昭大RHSTrhst])\\.?"
_YEAR_ERA = "(?P<ey>元|\\d{1,2})"
_SEP = "[./\\-]"
_DAYPART = "(?:(?P<d>\\d{1,2})日?|(?P<part>末日?|上旬|初旬|中旬|下旬))"
_PATTERNS = [
    # 令和7年3月31日 / 令和7年3月末 / 令和7年3月 / 令和7年
    re.compile(f"^{_ERA}{_YEAR_ERA}年(?:(?P<m>\\d{{1,2}})月{_DAYPART}?)?$"),
    # R7.3.31 / R7/3/31 / R07-03-31
    re.compile(f"^{_ERA}{_YEAR_ERA}{_SEP}(?P<m>\\d{{1,2}})(?:{_SEP}(?P<d>\\d{{1,2}}))?$"),
    # 2026年3月31日 / 2026年3月末 / 2026年3月
    re.compile(f"^(?P<y>\\d{{4}})年(?:(?P<m>\\d{{1,2}})月{_DAYPART}?)?$"),
    # 2026-03-31 / 2026/3/31 / 2026.3.31 / 2026/3
    re.compile(f"^(?P<y>\\d{{4}}){_SEP}(?P<m>\\d{{1,2}})(?:{_SEP}(?P<d>\\d{{1,2}}))?$"),
    # 20260331
    re.compile("^(?P<y>\\d{4})(?P<m>\\d{2})(?P<d>\\d{2})$"),
]
_TRAILING = re.compile("(?:まで(?:に)?|迄|頃|ごろ|必着|中)$")
_WEEKDAY = re.compile("\\((?P<wd>[月火水木金土日])(?:曜日?)?\\)$|(?P<wd2>[月火水木金土日])曜日?$")
WEEKDAYS = "月火水木金土日"


@dataclass(frozen=True)
class ParsedDate:
    iso: str | None                 # YYYY-MM-DD when the day is known and real
    precision: str                  # day | month | year
    year: int
    month: int | None = None
    problems: tuple[Problem, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not any(p.severity == ERROR for p in self.problems)


def _unrecognised(text: str) -> ParsedDate:
    return ParsedDate(None, "year", 0, None, (Problem(
        "date_unrecognised",
        f"「{text}」を日付として読めません。例：2026年3月31日、令和8年3月31日、R8.3.31、20260331。",
        f"'{text}' is not a date we can read; e.g. 2026-03-31, 令和8年3月31日, R8.3.31, 20260331."),))


def _clean(text: str) -> tuple[str, str | None]:
    s = re.sub(r"\s+", "", fold(text))
    s = replace_kanji_numbers(s)
    weekday = None
    for _ in range(2):               # "3月31日(火)まで" and "3月31日まで(火)"
        s = _TRAILING.sub("", s)
        m = _WEEKDAY.search(s)
        if m:
            weekday = m.group("wd") or m.group("wd2")
            s = s[:m.start()]
    return s, weekday


def parse_date(text: str) -> ParsedDate:
    """Read a written date. Problems (never exceptions) say what is wrong; iso is set only when the
    date is complete and real."""
    raw = fold(text)
    s, weekday = _clean(text)
    for pat in _PATTERNS:
        m = pat.match(s)
        if m:
            break
    else:
        return _unrecognised(raw)
    g = m.groupdict()
    problems: list[Problem] = []
    era = _BY_NAME[_ERA_ALIASES[g["era"].upper()]] if g.get("era") else None
    if era:
        ey = 1 if g["ey"] == "元" else int(g["ey"])
        if ey < 1:
            return ParsedDate(None, "year", 0, None, (Problem(
                "date_era_year", f"「{era.name}0年」はありません（元年は1年）。", f"there is no {era.en} 0 (the first year is 1)."),))
        year = era.base + ey - 1
        if era.last and year > era.last.year:
            nxt = ERAS[ERAS.index(era) - 1]
            return ParsedDate(None, "year", year, None, (Problem(
                "date_era_year",
                f"{era.name}{ey}年はありません（{era.name}は{era.last.year - era.base + 1}年まで）。"
                f"西暦{year}年なら{nxt.name}{year - nxt.base + 1}年です。",
                f"{era.en} {ey} ({era.name}{ey}年) does not exist ({era.en} ended in its year "
                f"{era.last.year - era.base + 1}); {year} would be {nxt.en} {year - nxt.base + 1}."),))
    else:
        year = int(g["y"])
        if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            return ParsedDate(None, "year", year, None, (Problem(
                "date_implausible", f"{year}年は考えにくい年です。読み取りを確認してください。",
                f"the year {year} is implausible; check the reading."),))
    if not g.get("m"):
        return ParsedDate(None, "year", year, None, (Problem(
            "date_incomplete", "年だけで、月日がありません。", "only a year; no month or day.", NOTE),))
    month = int(g["m"])
    if not 1 <= month <= 12:
        return ParsedDate(None, "month", year, None, (Problem(
            "date_impossible", f"{month}月はありません。", f"there is no month {month}."),))
    last_day = calendar.monthrange(year, month)[1]
    part = g.get("part")
    if g.get("d"):
        day = int(g["d"])
    elif part:
        day = {"上旬": 10, "初旬": 10, "中旬": 20}.get(part, last_day)
        if part not in ("末", "末日"):
            problems.append(Problem("date_approximate", f"「{part}」を{month}月{day}日として扱います。",
                                    f"'{part}' is taken as {year}-{month:02d}-{day:02d}.", NOTE))
    else:
        day = None
    if era:
        lo = era.first if day else date(era.first.year, era.first.month, 1)
        hi = era.last if (day or not era.last) else date(era.last.year, era.last.month, 1)
        probe = date(year, month, min(day or 1, last_day))
        if probe < lo or (hi and probe > hi):
            right = next((e for e in ERAS if e.first <= probe and (e.last is None or probe <= e.last)), None)
            alt_ja = f"{right.name}{'元' if year == right.base else year - right.base + 1}年" if right else ""
            alt_en = f"{right.en} {year - right.base + 1}" if right else ""
            return ParsedDate(None, "day" if day else "month", year, month, (Problem(
                "date_era_range",
                f"{era.name}の期間外の日付です（{era.name}は{era.first:%Y-%m-%d}〜"
                f"{era.last.isoformat() if era.last else ''}）。"
                + (f"西暦{year}年{month}月{day or ''}{'日' if day else ''}なら{alt_ja}です。" if right else ""),
                f"outside the {era.en} era ({era.first.isoformat()} to {era.last.isoformat() if era.last else 'now'})"
                + (f"; {year}-{month:02d}{'-%02d' % day if day else ''} would be {alt_en}." if right else ".")),))
    if day is None:
        return ParsedDate(None, "month", year, month, (Problem(
            "date_incomplete", "年月だけで、日がありません。", "year and month only; no day.", NOTE),))
    if not 1 <= day <= last_day:
        return ParsedDate(None, "day", year, month, (Problem(
            "date_impossible", f"{year}年{month}月{day}日は存在しません（{month}月は{last_day}日まで）。",
            f"{year}-{month:02d}-{day:02d} does not exist ({calendar.month_name[month]} has {last_day} days)."),))
    d = date(year, month, day)
    if weekday and WEEKDAYS[d.weekday()] != weekday:
        problems.append(Problem(
            "date_weekday", f"{d:%Y-%m-%d}は{WEEKDAYS[d.weekday()]}曜日です（記入は{weekday}曜日）。",
            f"{d.isoformat()} is a {calendar.day_name[d.weekday()]}, not the weekday written ({weekday}).", NOTE))
    return ParsedDate(d.isoformat(), "day", year, month, tuple(problems))


def to_iso(text: str) -> str | None:
    """ISO date for a written date, or None when it is not a complete, real date."""
    p = parse_date(text)
    return p.iso if p.ok else None
