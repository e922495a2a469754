"""Small text helpers shared by the rules: width folding, kanji numerals, digit extraction.

They only ever produce a *copy* for checking; the stored reading is never changed.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# Separators people (and AcroForm typists) put between digit groups: hyphens of every width, the
# long-vowel mark that IMEs produce for "-", parentheses around area codes, spaces, 〒.
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−ー－()〒]")
_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
                 "八": 8, "九": 9}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
KANJI_NUMBER = re.compile(r"[〇零一二三四五六七八九十百千]+")
# Answers that mean "nothing" in a free-text field (so "なし" next to an unticked box is no conflict).
_NOTHING = {"なし", "無し", "無", "ない", "特になし", "特に無し", "該当なし", "該当無し", "-", "ー", "―",
            "none", "n/a", "na", "nil", "×"}


def fold(text: str) -> str:
    """NFKC (full-width digits/letters -> ASCII, ㍻ -> 平成, ㈫ -> (火)) with surrounding space removed."""
    return unicodedata.normalize("NFKC", text).strip()


def is_empty(value: Any) -> bool:
    """The stored forms of 'no answer': None, '', whitespace, []."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, set)):
        return not any(not is_empty(v) for v in value)
    return False


def means_nothing(value: Any) -> bool:
    """Empty, or text that says 'none' (なし, 特になし, -)."""
    if is_empty(value):
        return True
    return isinstance(value, str) and fold(value).lower().rstrip("。.") in _NOTHING


def strip_separators(text: str) -> str:
    """Folded text without hyphens, spaces, parentheses and 〒: '〒１００－０００１' -> '1000001'."""
    return _SEPARATORS.sub("", fold(text))


def kanji_to_int(s: str) -> int:
    """'三十一' -> 31, '二〇二六' -> 2026, '千九百八十九' -> 1989, '十' -> 10.

    Positional digits (二〇二六) and unit-based numbers (二十六) are both written in Japan."""
    if not any(c in _KANJI_UNITS for c in s):
        return int("".join(str(_KANJI_DIGITS[c]) for c in s))
    total, digit = 0, None
    for c in s:
        if c in _KANJI_UNITS:
            total += (1 if digit is None else digit) * _KANJI_UNITS[c]
            digit = None
        else:
            digit = _KANJI_DIGITS[c] if digit is None else digit * 10 + _KANJI_DIGITS[c]
    return total + (digit or 0)


def replace_kanji_numbers(text: str) -> str:
    """Every run of kanji numerals replaced by its arabic value: '令和七年三月' -> '令和7年3月'."""
    return KANJI_NUMBER.sub(lambda m: str(kanji_to_int(m.group())), text)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insert, delete, substitute: 1 each)."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]
