"""Words both renderers print: section titles, table headers, dates, the internal/public marks."""

from __future__ import annotations

from datetime import date

INTERNAL_MARK = "内部資料"
PUBLIC_MARK = "公開版（同意のない企業名は非表示）"
SECTIONS = {
    "response": "1. 調査票の回答状況",
    "capabilities": "2. 加工・材質の分布（ものづくりマップ）",
    "collaboration": "3. 遊休設備と連携の機会",
    "funnel": "4. 依頼と紹介の成果",
    "quality": "5. データ品質",
    "risk": "6. 供給リスク（代替の少ない加工）",
}
WITHHELD = "ほか{n}社（情報提供に同意なし・非表示）"


def jdate(d: date | None) -> str:
    if d is None:
        return "—"
    era = f"令和{d.year - 2018}年" if d >= date(2019, 5, 1) else f"{d.year}年"
    return f"{d.year}年{d.month}月{d.day}日（{era}）"


def short_date(d: date | None) -> str:
    return "—" if d is None else f"{d.year}年{d.month}月{d.day}日"


def names_cell(names: list[str], total: int, limit: int = 6) -> str:
    """Member names one may show, then how many more (withheld or beyond the limit)."""
    shown = names[:limit]
    more = total - len(shown)
    text = "、".join(shown)
    if more:
        text += ("、" if text else "") + f"ほか{more}社"
    return text or f"{total}社"


def cover_meta(d) -> list[tuple[str, str]]:
    """The cover's facts: issuer, date, period and which version this is."""
    rows = [("発行", d.office)] if d.office else []
    rows += [("作成日", jdate(d.as_of)), ("対象期間", f"{short_date(d.period[0])} 〜 {short_date(d.period[1])}"),
             ("区分", PUBLIC_MARK if d.public else f"{INTERNAL_MARK}（企業名を含みます。庁外への配布はしないでください）")]
    return rows
