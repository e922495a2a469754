"""Reading numbers and names against what they are expected to be: intake.recognize.expect and the
ingest context stage (the office's respondent list)."""

from __future__ import annotations

import numpy as np
import pytest

from intake.form.loader import parse_form
from intake.errors import IntakeError
from intake.ingest import context
from intake.recognize import expect
from intake.recognize.types import FieldReading
from intake.store.db import transaction


def probs_for(value: str, doubt: dict[int, dict[str, float]] | None = None, junk: float = 0.0) -> np.ndarray:
    """Box probabilities that read `value`, with some boxes split between digits (doubt: {box: {digit: p}})."""
    p = np.zeros((len(value), 11))
    for i, ch in enumerate(value):
        row = (doubt or {}).get(i, {ch: 1.0 - junk})
        for d, v in row.items():
            p[i, int(d)] = v
        p[i, 10] = junk
        p[i] /= p[i].sum()
    return p


def test_model_alone_posterior_is_the_product_of_box_probabilities():
    p = probs_for("0565123456", {3: {"5": 0.97, "6": 0.03}, 7: {"4": 0.99, "9": 0.01}})
    d = expect.decode(p)
    assert d.value == "0565123456"
    assert d.posterior == pytest.approx(0.97 * 0.99, rel=2e-3)      # the floor costs 9e-5 a box
    assert d.basis == "model"


def test_the_value_on_file_settles_a_doubtful_box_but_not_a_clear_difference():
    listed = "0565123456"
    doubtful = probs_for(listed, {6: {"3": 0.6, "8": 0.4}})
    alone = expect.decode(doubtful)
    assert alone.posterior < expect.FIELD_ACCEPT
    with_list = expect.decode(doubtful, on_file=listed)
    assert with_list.value == listed and with_list.posterior >= expect.FIELD_ACCEPT
    assert with_list.basis == "on file"
    # The same box clearly read as another digit: a new number, not the list's; never accepted as the list's.
    changed = probs_for("0565128456")
    d = expect.decode(changed, on_file=listed)
    assert d.value == "0565128456"
    # A number with nothing in common with the list is read on its own.
    other = probs_for("0312345678", {9: {"8": 0.9, "3": 0.1}})
    d = expect.decode(other, on_file=listed)
    assert d.value == "0312345678" and d.posterior == pytest.approx(0.9, rel=1e-2)


def test_the_list_cannot_outvote_a_box_the_model_is_sure_of():
    listed = "0565123456"
    # box 9 read as 7 with 99.99 %: the list's 6 gets only the floor; the list's value must not be accepted
    p = probs_for("0565123457", {9: {"7": 0.9999, "6": 0.0001}})
    d = expect.decode(p, on_file=listed)
    assert not (d.value == listed and d.posterior >= expect.FIELD_ACCEPT)


def test_postal_codes_are_decoded_against_japan_posts_list():
    lex = expect.postal_lexicon()
    assert len(lex.codes) > 100_000 and "1000001" in lex and "0000000" not in lex and "100000" not in lex
    # find a real code and a one-digit change of it that is not a code, then make the model hesitate between them
    members = {"".join(map(str, row)) for row in lex.codes}
    assert all((c in lex) for c in sorted(members)[::991]) and not any(
        (c[:6] + d in lex) for c in sorted(members)[::991] for d in "0123456789" if c[:6] + d not in members)
    for code in sorted(members)[::997]:
        alt = next((code[:6] + d for d in "0123456789" if code[:6] + d not in members), None)
        if alt:
            break
    p = probs_for(code, {6: {alt[6]: 0.55, code[6]: 0.45}})
    assert expect.decode(p).value == alt                      # the model alone prefers the non-code
    d = expect.decode(p, lexicon=lex)
    assert d.value == code and d.basis == "postal list"


def test_a_box_the_model_takes_for_junk_sinks_the_field():
    p = probs_for("4418132")
    p[3] = 0.0
    p[3, 10], p[3, 8] = 0.8, 0.2
    d = expect.decode(p, on_file="4418132", lexicon=expect.postal_lexicon())
    assert d.posterior < expect.FIELD_ACCEPT


def test_dates_lexicon_prefers_real_dates():
    p = probs_for("20260231", {6: {"3": 0.5, "2": 0.5}})        # 20260231 is no date, 20260221 is
    d = expect.decode(p, lexicon=expect.date_lexicon())
    assert d.value == "20260221"


@pytest.mark.parametrize("reading,listed,column,ok", [
    ("株式会社平和化成", "株式会社平和化成", "name", True),
    ("泊式会社平和化成", "株式会社平和化成", "name", True),          # one kanji misread
    ("有限会社平和化成", "株式会社平和化成", "name", False),         # renamed: closer to another legal form
    ("株式会社東和", "株式会社平和化成", "name", False),             # three of eight characters differ: too far
    ("静岡県浜松市中央反遠州浜2-11-5", "静岡県浜松市中央区遠州浜2-11-5", "address", True),
    ("愛知県豊田市清水町3-72-10", "愛知県豊田市清水町3-12-10", "address", False),   # block numbers differ
    ("Ｓｈｏｗａ Ｋｏｇｙｏ Ｃｏ．，Ｌｔｄ．", "Showa Kogyo Co., Ltd.", "name", True),
    ("佐藤 太郎", "佐藤太郎", "contact_person", True),
    ("佐藤一郎", "佐藤太郎", "contact_person", False),            # another person, one character apart
])
def test_names_and_addresses_on_file(reading, listed, column, ok):
    assert expect.matches_on_file(reading, listed, column) is ok


SURVEY = """
id: tiny
version: 1
purpose: survey
title: {ja: 調査, en: Survey}
sections:
  - title: {ja: 会社, en: Company}
    fields:
      - key: company_name
        kind: text
        on_file: name
        label: {ja: 会社名, en: Company}
      - key: phone
        kind: digits
        on_file: phone
        boxes: 11
        label: {ja: 電話, en: Phone}
      - key: contact_person
        kind: text
        on_file: contact_person
        label: {ja: ご担当者, en: Contact}
"""


def test_on_file_must_name_a_column_of_the_list():
    with pytest.raises(IntakeError) as exc:
        parse_form(SURVEY.replace("on_file: phone", "on_file: mobile"), "tiny.yaml")
    assert "tiny.yaml:" in str(exc.value) and "on_file" in str(exc.value)


def test_context_stage_reads_against_the_respondents_table(tmp_path):
    from intake.workspace import init

    ws = init(tmp_path / "ws")
    form = parse_form(SURVEY, "tiny.yaml")
    from intake.render.record import record_sent
    from intake.render.respondents import read_respondents_csv

    listing = tmp_path / "factories.csv"
    listing.write_text("id,name,phone,contact_person\nF1,株式会社平和化成,0565123456,佐藤 太郎\n", encoding="utf-8")
    record_sent(ws, form, "ja", [(r, tmp_path / "copy.pdf", None) for r in read_respondents_csv(listing)])

    def fields():
        return [FieldReading("company_name", "text", "泊式会社平和化成", 0.6, True, "low OCR confidence"),
                FieldReading("phone", "digits", "0565123456", 0.6, True, "uncertain digit",
                             box_probs=probs_for("0565123456", {6: {"3": 0.6, "8": 0.4}})),
                FieldReading("contact_person", "text", "佐藤太郎", 0.7, True, "low OCR confidence")]

    with transaction(ws.db_path) as conn:
        known = fields()
        assert context.apply_page(conn, form, "F1", known) == 3
        assert [(r.value, r.needs_review) for r in known] == [("株式会社平和化成", False), ("0565123456", False),
                                                               ("佐藤 太郎", False)]
        stranger = fields()
        assert context.apply_page(conn, form, "F2", stranger) == 0          # not on the list: left as read
        assert all(r.needs_review for r in stranger)
        gap = fields()
        gap[1].reason = "empty box inside the number; uncertain digit"      # structural doubt stays in review
        context.apply_page(conn, form, "F1", gap)
        assert gap[1].needs_review


def test_a_page_read_as_entirely_blank_goes_to_review():
    from intake.recognize.page import flag_blank_page

    def page(values):
        return [FieldReading(f"f{i}", "text", v, 0.95, False) for i, v in enumerate(values)]

    blank = page(["", None, [], ""])
    assert flag_blank_page(blank) and all(r.needs_review and "whole page" in r.reason for r in blank)
    written = page(["", None, ["yes"], ""])
    assert not flag_blank_page(written) and not any(r.needs_review for r in written)
    assert not flag_blank_page(page(["", ""]))           # too few fields to judge


def test_lexicon_likelihoods_equal_the_direct_sum():
    rng = np.random.default_rng(5)
    for lex in (expect.postal_lexicon(), expect.date_lexicon()):
        n = lex.codes.shape[1]
        lq = np.log(rng.dirichlet(np.ones(10), n))
        assert np.allclose(lex.log_likelihoods(lq), lq[np.arange(n), lex.codes].sum(axis=1))


def test_prefix_lexicon_evidence_equals_the_brute_force_sum():
    rng = np.random.default_rng(8)
    heads = ["07", "31", "55"]
    lex = expect.PrefixLexicon("toy plan", expect._as_array(heads), 5, coverage=1.0)
    lq = np.log(rng.dirichlet(np.ones(10), 5))
    every = [f"{i:05d}" for i in range(10 ** 5)]
    direct = [lq[np.arange(5), [int(c) for c in s]].sum() + np.log(lex.prior_of(s)) for s in every if lex.prior_of(s)]
    log_ev, best = lex.log_evidence(lq)
    assert log_ev == pytest.approx(expect._logsumexp(np.array(direct)))
    assert sum(lex.prior_of(s) for s in every) == pytest.approx(1.0)
    assert best == max(every, key=lambda s: (lex.prior_of(s) > 0, lq[np.arange(5), [int(c) for c in s]].sum()))


def test_the_numbering_plan_lists_only_numbers_the_validator_accepts():
    from intake.validate.phone import check_phone

    ten, eleven = expect.phone_lexicon(10), expect.phone_lexicon(11)
    assert expect.phone_lexicon(8) is None and expect.lexicon_for("phone_jp", 9) is None
    for lex in (ten, eleven):
        for head in lex._heads:
            assert check_phone(head + "1" * (lex.length - len(head))) == [], head
    assert {"0120", "0312", "0285"} <= ten._heads and {"0901", "0800", "0501"} <= eleven._heads
    assert not {"0012", "0101", "0900", "0301"} & ten._heads      # 090 is 11 digits, 030 unassigned


def test_the_plan_settles_a_doubtful_prefix_and_raises_the_posterior():
    # 090 written with its 9 looking like a 4: 040 is no number, so the plan settles it
    p = probs_for("09012345678", {1: {"9": 0.6, "4": 0.4}, 2: {"0": 0.9, "6": 0.1}})
    alone, planned = expect.decode(p), expect.decode(p, lexicon=expect.lexicon_for("phone_jp", 11))
    assert alone.value == planned.value == "09012345678"
    assert alone.posterior < 0.6 and planned.posterior > 0.99 and planned.basis == "numbering plan"


def test_a_clearly_written_number_outside_the_plan_is_read_as_written():
    # the plan is a prior, not a rule: an 8 written clearly in the first box is not turned into a 0
    # (validation then says the number does not start with 0)
    p = probs_for("8031234567", {0: {"8": 0.999, "0": 0.001}})
    d = expect.decode(p, lexicon=expect.lexicon_for("phone_jp", 10))
    assert d.value == "8031234567" and d.basis == "model"
    doubt = expect.decode(probs_for("8031234567", {0: {"8": 0.6, "0": 0.4}}), lexicon=expect.lexicon_for("phone_jp", 10))
    assert doubt.posterior < expect.FIELD_ACCEPT                 # 003... is no number either: the clerk decides
