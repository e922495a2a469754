"""Validation of one submission against the rules in its form definition.

`validate_submission` reads the values as stored and returns Issues; it never changes a value.
`normalise` separately gives a clean form of one value (ISO date, digits-only phone) where one
exists, for exports and matching; the stored reading stays as the machine (or clerk) wrote it.

Rules come from each field's `required` and `validate` mapping (see intake/form/loader.py):
  min / max            numeric range of a digits field
  min_digits/max_digits  how many digits a digits field needs (default below)
  pattern              regular expression the whole value must match (re.fullmatch)
  rule                 postal_code | phone_jp | date | year_month_day | prefecture_matches_postal
  requires             {field, equals}: this field is required when that field has that answer
  when                 {field, equals}: this field's rules (and `required`) apply only then
  one_of_required      [keys]: at least one of this field and those must be answered
  message              {ja, en} (or one string): replaces the wording of this field's rule failures
  double_entry         for the review desk (two clerks type it); no effect here
Digits fields: a field with min/max is a quantity (any number of digits up to the boxes); a field
with a rule is measured by its rule; any other digits field is a code and needs every box filled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from intake.form.model import Field, FormDef, Label
from intake.validate import dates, phone, postal
from intake.validate.issues import ERROR, NOTE, Issue, Problem
from intake.validate.prefectures import find_in_address
from intake.validate.textnorm import fold, is_empty, means_nothing, strip_separators

CONSENT_KEY = "consent"
CONSENT_AGREE = "agree"


# ---------------------------------------------------------------- helpers on stored values

def _as_list(value: Any) -> list[str]:
    if is_empty(value):
        return []
    if isinstance(value, (list, tuple, set)):
        return [str(v) for v in value if not is_empty(v)]
    return [str(value)]


def _digits_text(value: Any) -> str:
    """A digits reading as text, folded (full-width -> ASCII), inner structure kept."""
    return "" if value is None else fold(str(value))


def _condition_holds(cond: dict, values: dict[str, Any]) -> bool:
    want = cond.get("equals")
    wanted = {str(w) for w in want} if isinstance(want, (list, tuple)) else {str(want)}
    got = _as_list(values.get(cond.get("field")))
    if want is None:                      # {field: x} alone: "when x is answered"
        return bool(got)
    return bool(wanted & set(got))


def _answer_text(form: FormDef, key: str, answer: Any) -> Label:
    """The printed label of an answer (or of several: equals may be a list)."""
    if isinstance(answer, (list, tuple)):
        parts = [_answer_text(form, key, a) for a in answer]
        return Label("・".join(p.ja for p in parts), " / ".join(p.en for p in parts))
    try:
        return form.field(key).option(str(answer)).label
    except KeyError:
        return Label(str(answer), str(answer))


class _Collector:
    def __init__(self, form: FormDef):
        self.form = form
        self.issues: list[Issue] = []

    def add(self, f: Field, code: str, ja: str, en: str, severity: str = ERROR, custom: bool = False) -> None:
        msg = f.validate.get("message") if custom else None
        if isinstance(msg, dict):
            ja, en = msg.get("ja", ja), msg.get("en", en)
        elif isinstance(msg, str):
            ja = en = msg
        self.issues.append(Issue(f.key, code, f"{f.label.ja}：{ja}", f"{f.label.en}: {en}", severity))

    def problems(self, f: Field, problems: Iterable[Problem]) -> None:
        for p in problems:
            self.add(f, p.code, p.ja, p.en, p.severity, custom=p.severity == ERROR)


# ---------------------------------------------------------------- per-kind checks

def _check_choice(c: _Collector, f: Field, value: Any) -> None:
    answers = _as_list(value)
    known = {o.key for o in f.options}
    for a in answers:
        if a not in known:
            c.add(f, "unknown_option", f"「{a}」は選択肢にありません。", f"'{a}' is not one of the options.")
    if not f.multiple and len(answers) > 1:
        labels_ja = "・".join(_answer_text(c.form, f.key, a).ja for a in answers)
        labels_en = ", ".join(_answer_text(c.form, f.key, a).en for a in answers)
        c.add(f, "multiple_answers", f"一つだけ選ぶ質問に{len(answers)}つ印があります（{labels_ja}）。",
              f"one answer expected, {len(answers)} marked ({labels_en}).")


def _digit_count_bounds(f: Field) -> tuple[int, int] | None:
    v = f.validate
    if "min_digits" in v or "max_digits" in v:
        return int(v.get("min_digits", 1)), int(v.get("max_digits", f.boxes))
    if v.get("rule"):
        return None                      # the rule knows the right length
    if "min" in v or "max" in v:
        return 1, f.boxes
    return f.boxes, f.boxes


def _check_digits(c: _Collector, f: Field, value: Any) -> str | None:
    """Shape checks; returns the digit string when it is a clean run of digits (for later rules)."""
    text = _digits_text(value)
    inner = text.strip()
    if re.search(r"[^\d\s\-‐−ー]", inner):
        c.add(f, "digits_unreadable", f"数字として読めない文字があります（「{inner}」）。",
              f"has characters that are not digits ('{inner}').")
        return None
    if re.search(r"\d\s+\d", inner) and f.validate.get("rule") not in ("phone_jp",):
        c.add(f, "digits_gap", f"枠の途中が空いています（「{inner}」）。", f"a box in the middle is empty ('{inner}').")
        return None
    d = strip_separators(inner)
    bounds = _digit_count_bounds(f)
    if bounds and not bounds[0] <= len(d) <= bounds[1]:
        lo, hi = bounds
        need_ja = f"{lo}桁" if lo == hi else f"{lo}〜{hi}桁"
        need_en = f"{lo}" if lo == hi else f"{lo} to {hi}"
        c.add(f, "digits_count", f"{len(d)}桁しかありません（{need_ja}必要）。" if len(d) < lo
              else f"{len(d)}桁あります（{need_ja}まで）。",
              f"{len(d)} digits; {need_en} needed.")
        return None
    return d


def _check_range(c: _Collector, f: Field, d: str) -> None:
    v = f.validate
    if "min" not in v and "max" not in v:
        return
    n = int(d)
    if "min" in v and n < v["min"]:
        c.add(f, "below_min", f"{n}は小さすぎます（{v['min']}以上）。", f"{n} is below the minimum {v['min']}.",
              custom=True)
    if "max" in v and n > v["max"]:
        c.add(f, "above_max", f"{n}は大きすぎます（{v['max']}以下）。", f"{n} is above the maximum {v['max']}.",
              custom=True)


def _check_pattern(c: _Collector, f: Field, value: Any) -> None:
    pat = f.validate.get("pattern")
    if pat is None or f.kind == "choice":
        return
    text = fold(str(value))
    if not re.fullmatch(str(pat), text):
        c.add(f, "pattern", f"記入の形式が違います（「{text}」）。", f"'{text}' is not in the expected form.",
              custom=True)


def _check_postal(c: _Collector, f: Field, value: Any) -> None:
    d = strip_separators(str(value))
    if not re.fullmatch(r"\d{7}", d):
        c.add(f, "postal_code_length", f"7桁ではありません（「{fold(str(value))}」は{len(d)}桁）。",
              f"a postal code has 7 digits ('{fold(str(value))}' has {len(d)}).", custom=True)
        return
    if postal.lookup(d) is None:
        c.add(f, "postal_code_unknown",
              f"〒{postal.format_postal(d)} は日本郵便の郵便番号一覧にありません。読み取りか記入の誤りです。",
              f"{postal.format_postal(d)} is not in Japan Post's list of postal codes; a misreading or a slip.",
              custom=True)


def _postal_area(form: FormDef, values: dict[str, Any]) -> postal.PostalArea | None:
    for g in form.fields:
        if g.validate.get("rule") == "postal_code" and not is_empty(values.get(g.key)):
            d = strip_separators(str(values[g.key]))
            if re.fullmatch(r"\d{7}", d):
                return postal.lookup(d)
    return None


def _city_in(address: str, area: postal.PostalArea) -> bool:
    def canon(s: str) -> str:                  # 茅ケ崎/茅ヶ崎/茅が崎 are the same place
        return re.sub("[ヶケヵがガ]", "ヶ", re.sub(r"\s+", "", fold(s)))
    addr, city = canon(address), canon(area.city)
    short = re.sub(r"^.+?郡", "", city)         # 東筑摩郡山形村 is usually written 山形村
    return bool(city) and (city in addr or short in addr)


def _check_address(c: _Collector, f: Field, value: Any, values: dict[str, Any]) -> None:
    area = _postal_area(c.form, values)
    if area is None:
        return                                  # no usable postal code: its own issue says so
    text = str(value)
    mention = find_in_address(text)
    where_ja = area.describe()
    code = postal.format_postal(area.code)
    if mention and mention.prefecture.name in area.prefectures:
        return
    if mention and (mention.explicit or not _city_in(text, area)):
        c.add(f, "prefecture_mismatch",
              f"住所は{mention.prefecture.name}ですが、〒{code} は{where_ja}の番号です。住所か郵便番号の誤りです。",
              f"the address is in {mention.prefecture.en} ({mention.prefecture.name}) but postal code {code} "
              f"belongs to {where_ja}; one of them is wrong.", custom=True)
        return
    found = "市区町村は郵便番号と一致します" if _city_in(text, area) else "市区町村名も確認できません"
    found_en = "the city matches the postal code" if _city_in(text, area) else "the city could not be confirmed either"
    c.add(f, "address_no_prefecture",
          f"都道府県名がありません（〒{code} は{where_ja}）。{found}。",
          f"no prefecture written (postal code {code} is {where_ja}); {found_en}.", NOTE)


def _check_date(c: _Collector, f: Field, value: Any, need_day: bool) -> None:
    p = dates.parse_date(str(value))
    probs = list(p.problems)
    if need_day:
        probs = [Problem(q.code, q.ja, q.en, ERROR) if q.code == "date_incomplete" else q for q in probs]
    c.problems(f, probs)


def _check_rule(c: _Collector, f: Field, value: Any, values: dict[str, Any]) -> None:
    rule = f.validate.get("rule")
    if rule == "postal_code":
        _check_postal(c, f, value)
    elif rule == "phone_jp":
        c.problems(f, phone.check_phone(str(value)))
    elif rule in ("date", "year_month_day"):
        _check_date(c, f, value, need_day=rule == "year_month_day")
    elif rule == "prefecture_matches_postal":
        _check_address(c, f, value, values)


# ---------------------------------------------------------------- the submission

def _required(f: Field, values: dict[str, Any]) -> tuple[bool, dict | None]:
    """(required now, the condition that made it required)."""
    req = f.validate.get("requires")
    if isinstance(req, dict) and _condition_holds(req, values):
        return True, req
    return f.required, None


def validate_submission(form: FormDef, values: dict[str, Any]) -> list[Issue]:
    """Every rule of the form's fields, in form order. Values as stored: choice list or str/None,
    digits str, text str; a missing key is an unanswered field. Nothing in `values` is changed."""
    c = _Collector(form)
    for f in form.fields:
        value = values.get(f.key)
        when = f.validate.get("when")
        if isinstance(when, dict) and not _condition_holds(when, values):
            continue
        required, because = _required(f, values)
        if is_empty(value):
            if required:
                if because:
                    other = form.field(because["field"]).label
                    if because.get("equals") is None:
                        c.add(f, "required_if", f"「{other.ja}」に記入があるので記入が必要です。",
                              f"needed because '{other.en}' is answered.")
                    else:
                        ans = _answer_text(form, because["field"], because.get("equals"))
                        c.add(f, "required_if", f"「{other.ja}」が「{ans.ja}」なので記入が必要です。",
                              f"needed because '{other.en}' is '{ans.en}'.")
                else:
                    c.add(f, "required", "記入がありません（必須）。", "missing (required).")
            group = f.validate.get("one_of_required")
            if group:
                keys = [f.key, *([group] if isinstance(group, str) else list(group))]
                if all(is_empty(values.get(k)) for k in keys):
                    names_ja = "・".join(form.field(k).label.ja for k in keys if _has(form, k))
                    names_en = ", ".join(form.field(k).label.en for k in keys if _has(form, k))
                    c.add(f, "one_of_required", f"{names_ja}のどれか一つは記入が必要です。",
                          f"at least one of {names_en} is needed.")
            continue
        _check_conflict(c, f, value, values)
        if f.kind == "choice":
            _check_choice(c, f, value)
            continue
        if f.kind == "digits":
            d = _check_digits(c, f, value)
            if d is None:
                continue
            _check_range(c, f, d)
        _check_pattern(c, f, value)
        _check_rule(c, f, value, values)
    if _has(form, CONSENT_KEY) and _as_list(values.get(CONSENT_KEY)) == ["disagree"]:
        c.add(form.field(CONSENT_KEY), "profile_not_shared", "同意しないため、この会社情報は紹介先に提供しません。",
              "consent refused: this profile is never shared with partners.", NOTE)
    return c.issues


def _has(form: FormDef, key: str) -> bool:
    return any(f.key == key for f in form.fields)


def _check_conflict(c: _Collector, f: Field, value: Any, values: dict[str, Any]) -> None:
    """A conditional field filled in although its condition is not met: often a mark that was missed
    (idle equipment unticked but machines listed). Unanswered condition -> review; other answer -> note."""
    req = f.validate.get("requires")
    if not isinstance(req, dict) or _condition_holds(req, values) or means_nothing(value):
        return
    other = c.form.field(req["field"])
    ans = _answer_text(c.form, other.key, req.get("equals"))
    if is_empty(values.get(other.key)):
        c.add(f, "condition_unanswered",
              f"記入がありますが「{other.label.ja}」に印がありません（「{ans.ja}」の見落としでは？）。",
              f"filled in, but '{other.label.en}' is unanswered (a missed '{ans.en}' mark?).")
    else:
        c.add(f, "condition_not_met", f"記入がありますが「{other.label.ja}」は「{ans.ja}」ではありません。",
              f"filled in although '{other.label.en}' is not '{ans.en}'.", NOTE)


# ---------------------------------------------------------------- normalised forms and flags

def normalise(field: Field, value: Any) -> Any | None:
    """A clean form of a value where one exists, else None. Never used to overwrite the reading.

    postal_code -> '1000001'; phone_jp -> '0312345678'; date/year_month_day -> '2026-03-31';
    digits with min/max -> int; other digits -> the digit string; single choice -> the one answer."""
    if is_empty(value):
        return None
    rule = field.validate.get("rule")
    if rule == "postal_code":
        d = strip_separators(str(value))
        return d if re.fullmatch(r"\d{7}", d) else None
    if rule == "phone_jp":
        return phone.normalise_phone(str(value))
    if rule in ("date", "year_month_day"):
        return dates.to_iso(str(value))
    if field.kind == "digits":
        d = strip_separators(str(value))
        if not d.isdigit() or not d.isascii():
            return None
        return int(d) if ("min" in field.validate or "max" in field.validate) else d
    if field.kind == "choice" and not field.multiple:
        answers = _as_list(value)
        return answers[0] if len(answers) == 1 else None
    return None


def shares_profile(values: dict[str, Any], key: str = CONSENT_KEY) -> bool:
    """True only with an explicit, single 'agree'. Disagree, no answer or both marked: never share."""
    return _as_list(values.get(key)) == [CONSENT_AGREE]


def double_entry_keys(form: FormDef) -> list[str]:
    """Fields the form asks two clerks to type independently (validate: {double_entry: true})."""
    return [f.key for f in form.fields if f.validate.get("double_entry")]
