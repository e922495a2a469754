"""The benchmark over several seeds and writer sets: targets judged on the worst seed, the writer set
named in every table, marks by style, and `intake bench` through click's CliRunner: several seeds with the
tuning writers (always), the heldout writers (skipped without `make fonts`), and the clear error when the
heldout writers' material is missing."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from intake.bench import TARGETS, judge, run, run_seeds, summary, summary_table, tally, target_values, worst_of
from intake.bench.compare import NO_MARK, mark_style
from intake.bench.report import mark_style_table, provenance, tag, targets_table
from intake.bench.run import font_fallback_notes, writers_said
from intake.cli import main
from intake.simulate import handwriting
from intake.simulate.writers import SimulateError

HELDOUT = "heldout (fonts/digits/mark styles never used in tuning)"
TUNING = "tuning (the writers the thresholds were tuned with)"

GOOD = {"wrong_identities": 0, "identified": 1.0, "silent_rate": 0.001, "marks_silent_rate": 0.0,
        "review_rate": 0.15, "text_exact": 0.8, "text_accepted_right": 0.999, "digits_accepted": 0.8,
        "digits_accepted_right": 0.999, "marks_accepted": 0.99, "marks_accepted_right": 1.0,
        "pages_per_minute": 500.0, "speedup": 4.0}


def _rows(values):
    return {r["name"]: r for r in worst_of(values)}


def test_every_target_is_judged_and_all_good_seeds_meet_them():
    assert {t.name for t in TARGETS} == set(GOOD)
    rows = _rows({101: dict(GOOD), 202: dict(GOOD)})
    assert all(r["met"] is True for r in rows.values())
    assert rows["review_rate"]["seeds_at_worst"] == [101, 202]


def test_the_worst_seed_decides_each_way():
    a, b, c = dict(GOOD), dict(GOOD), dict(GOOD)
    b["review_rate"] = 0.25                 # at most: the highest is the worst
    c["review_rate"] = 0.19
    a["digits_accepted"] = 0.74             # at least: the lowest is the worst
    c["digits_accepted"] = 0.9
    b["wrong_identities"] = 1
    c["speedup"] = 2.9
    rows = _rows({101: a, 202: b, 303: c})
    assert (rows["review_rate"]["worst"], rows["review_rate"]["seed"], rows["review_rate"]["met"]) == (0.25, 202, False)
    assert (rows["digits_accepted"]["worst"], rows["digits_accepted"]["seed"]) == (0.74, 101)
    assert rows["digits_accepted"]["met"] is False
    assert (rows["wrong_identities"]["seed"], rows["wrong_identities"]["met"]) == (202, False)
    assert (rows["speedup"]["seed"], rows["speedup"]["met"]) == (303, False)
    assert rows["marks_accepted"]["met"] is True
    assert rows["review_rate"]["values"] == {"101": 0.15, "202": 0.25, "303": 0.19}


def test_one_bad_seed_fails_a_target_the_mean_would_pass():
    bad = dict(GOOD, silent_rate=0.0061)
    rows = _rows({1: dict(GOOD), 2: dict(GOOD), 3: dict(GOOD), 4: bad})     # mean 0.0023 would pass 0.003
    assert rows["silent_rate"]["met"] is False and rows["silent_rate"]["seed"] == 4


def test_boundaries_and_missing_figures():
    edge = dict(GOOD, review_rate=0.20, marks_accepted_right=0.998, pages_per_minute=350.0, silent_rate=0.003)
    rows = _rows({7: edge})
    assert all(rows[k]["met"] for k in ("review_rate", "marks_accepted_right", "pages_per_minute", "silent_rate"))
    no_baseline = dict(GOOD, speedup=None)
    rows = _rows({1: no_baseline, 2: dict(GOOD, speedup=2.0)})
    assert (rows["speedup"]["seed"], rows["speedup"]["met"]) == (2, False)       # the seed that has it decides
    rows = _rows({1: no_baseline})
    assert rows["speedup"]["met"] is None and rows["speedup"]["seed"] is None


def test_targets_table_says_met_and_not_met_with_the_seed():
    rows = worst_of({101: dict(GOOD), 202: dict(GOOD, review_rate=0.31)})
    lines = targets_table(rows, "[writers: heldout, seeds 101,202]")
    review = next(line for line in lines if "review rate" in line)
    assert review.rstrip().endswith("202  NOT met")
    assert "31.00%" in review and "<= 20.00%" in review
    marks = next(line for line in lines if "marks auto-accepted" in line)
    assert marks.rstrip().endswith("all  met")
    assert "[writers: heldout, seeds 101,202]" in lines[1]


def test_text_target_counts_only_non_blank_text():
    outs = [judge("text", "", "", stored=True, needs_review=False) for _ in range(8)]        # blank read blank
    outs += [judge("text", "山本", "山本", stored=True, needs_review=False),
             judge("text", "佐藤", "佐籐", stored=True, needs_review=True)]
    outs.append(judge("digits", "", "", stored=True, needs_review=False))
    t = tally(outs).to_json()
    assert t["by_kind"]["text"]["accuracy"] == pytest.approx(0.9)          # blanks make it look good
    assert t["by_kind_nonblank"]["text"]["fields"] == 2
    assert t["by_kind_nonblank"]["text"]["accuracy"] == 0.5
    assert "digits" not in t["by_kind_nonblank"]
    f = {"wrong_identities": 0, "identified_rate": 1.0, "pages_per_minute": 1.0, "fields": t}
    assert target_values(f)["text_exact"] == 0.5


def test_mark_styles_from_the_truth_notes():
    assert mark_style({"style": "circle-open", "correction": "scribble-over"}) == ("circle-open", "scribble-over")
    assert mark_style({"style": "tick", "scribbled": ["b"]}) == ("tick", "scribble")
    assert mark_style({"style": "fill"}) == ("fill", "")
    assert mark_style(None) == ("", "")
    outs = [judge("choice", "a", "a", stored=True, needs_review=False, style="tick"),
            judge("choice", "a", "b", stored=True, needs_review=False, style="circle-open", correction="cross-out"),
            judge("choice", "a", "a", stored=True, needs_review=True, style="circle-open"),
            judge("choice", None, None, stored=True, needs_review=False, style="tick")]     # nothing marked
    by = tally(outs).to_json()["by_mark_style"]
    assert list(by) == ["circle-open", "tick", NO_MARK, "correction: cross-out"]
    assert (by["circle-open"]["fields"], by["circle-open"]["right"], by["circle-open"]["accepted"],
            by["circle-open"]["silent"]) == (2, 1, 1, 1)
    assert by["correction: cross-out"]["silent"] == 1 and by["tick"]["silent"] == 0
    lines = mark_style_table(by, "[writers: heldout, seed 1]")
    row = next(line for line in lines if line.strip().startswith("circle-open"))
    assert row.split()[1:] == ["2", "50.0%", "50.0%", "1", "100.00%"]
    assert "[writers: heldout, seed 1]" in lines[1]


def test_writer_set_is_named():
    assert writers_said("heldout") == HELDOUT and writers_said("tuning") == TUNING
    with pytest.raises(KeyError):
        writers_said("both")
    one = {"seed": 101, "writers": {"set": "heldout", "said": HELDOUT}}
    assert provenance(one) == f"writers: {HELDOUT}, seed 101"
    assert tag(one) == "[writers: heldout, seed 101]"
    several = {"seeds": [101, 202], "writers": {"set": "tuning", "said": TUNING}}
    assert provenance(several) == f"writers: {TUNING}, seeds 101, 202"
    assert tag(several) == "[writers: tuning, seeds 101,202]"


def test_summary_of_seeds_from_both_sets_names_both():
    def fig(seed, writers):
        return {"seed": seed, "pages": 4, "writers": {"set": writers, "said": writers_said(writers)},
                "target_values": dict(GOOD), "fields": {}, "no_clerk": {}}
    doc = summary([fig(1, "heldout"), fig(2, "heldout")])
    assert doc["writers"] == {"set": "heldout", "said": HELDOUT}
    doc = summary([fig(1, "heldout"), fig(2, "tuning")])
    assert doc["writers"] == {"set": "heldout+tuning", "said": f"{HELDOUT} / {TUNING}"}
    assert tag(doc) == "[writers: heldout+tuning, seeds 1,2]"


def test_fonts_fallen_back_on_are_noted():
    manifest = {"writers": {"set": "heldout", "font_fallback": {
        "latin": "IPAex Mincho: none of the set's handwriting fonts is installed (make fonts)",
        "ja": "IPAex Mincho: none of the set's handwriting fonts is installed (make fonts)"}}}
    assert font_fallback_notes(manifest) == [
        "writers: heldout, ja script: IPAex Mincho: none of the set's handwriting fonts is installed (make fonts)",
        "writers: heldout, latin script: IPAex Mincho: none of the set's handwriting fonts is installed (make fonts)"]
    assert font_fallback_notes({"writers": {"set": "heldout", "font_fallback": {}}}) == []


def _need_heldout_digits() -> None:
    p = handwriting.heldout_digits_path()
    if not p.is_file():
        pytest.skip(f"held-out writers' digits are not installed ({p}): `make fonts` fetches them")


def test_heldout_without_its_material_stops_before_anything_is_touched(tmp_path, monkeypatch):
    monkeypatch.setenv("INTAKE_FONT_CACHE", str(tmp_path / "empty-cache"))
    out = tmp_path / "bench"
    out.mkdir()
    (out / "keep").write_text("an earlier run")
    for call in (lambda: run(out, pages=1, baseline=False, writers="heldout"),
                 lambda: run(out, pages=1, baseline=False),                          # heldout is the default
                 lambda: run_seeds(out, [1, 2], pages=1, baseline=False, writers="heldout")):
        with pytest.raises(SimulateError) as err:
            call()
        assert "heldout writers" in str(err.value) and "make fonts" in err.value.hint
        assert "--writers tuning" in err.value.hint
    assert (out / "keep").read_text() == "an earlier run", "out_dir emptied before the check"
    with pytest.raises(ValueError, match="writers must be one of"):
        run(out, pages=1, baseline=False, writers="both")


def test_cli_heldout_without_its_material_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("INTAKE_FONT_CACHE", str(tmp_path / "empty-cache"))
    home, out = tmp_path / "home", tmp_path / "bench"
    assert CliRunner().invoke(main, ["--home", str(home), "init"]).exit_code == 0
    for extra in ([], ["--writers", "heldout"], ["--seeds", "1,2"]):
        r = CliRunner().invoke(main, ["--home", str(home), "bench", "--pages", "1", "--no-baseline",
                                      "--out", str(out), *extra])
        assert r.exit_code == SimulateError.exit_code == 1, r.output
        assert r.exception is None or isinstance(r.exception, SystemExit), r.exception   # no traceback
        assert "error: cannot bench the heldout writers" in r.output and "make fonts" in r.output
        assert "Traceback" not in r.output
    assert not out.exists()


def test_summary_table_names_writers_seeds_and_tuning():
    def fig(seed, **bad):
        v = dict(GOOD, **bad)
        return {"seed": seed, "pages": 200, "writers": {"set": "heldout", "said": writers_said("heldout")},
                "target_values": v, "no_clerk": {"submissions": 120, "no_clerk": 30, "no_clerk_right": 29,
                                                 "no_clerk_wrong": 1}}
    per = [fig(101), fig(202, marks_accepted=0.9)]
    doc = {"writers": per[0]["writers"], "seeds": [101, 202], "tuned_on": "thresholds ... tuned on seeds 7 and 11",
           "per_seed": per, "targets": worst_of({f["seed"]: f["target_values"] for f in per}),
           "by_mark_style_pooled": {}}
    out = summary_table(doc)
    assert out.splitlines()[0].endswith(f"writers: {HELDOUT}, seeds 101, 202")
    assert "tuned on seeds 7 and 11" in out
    seed_rows = [line.split() for line in out.splitlines() if line.strip().startswith(("101 ", "202 "))]
    assert [r[0] for r in seed_rows] == ["101", "202"] and seed_rows[0][-2:] == ["30/120", "29"]
    marks = next(line for line in out.splitlines() if "marks auto-accepted" in line)
    assert marks.rstrip().endswith("202  NOT met")


@pytest.mark.slow
def test_cli_several_seeds_tiny_run(tmp_path):
    """The tuning writers, asked for: runs without `make fonts` (CI)."""
    pytest.importorskip("mlxtend")
    home, out = tmp_path / "home", tmp_path / "bench"
    assert CliRunner().invoke(main, ["--home", str(home), "init"]).exit_code == 0
    r = CliRunner().invoke(main, ["--home", str(home), "bench", "--pages", "4", "--no-baseline", "--workers", "1",
                                  "--profiles", "clean", "--seeds", "101,202", "--out", str(out),
                                  "--writers", "tuning"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    doc = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    assert doc["seeds"] == [101, 202] and [f["seed"] for f in doc["per_seed"]] == [101, 202]
    said = TUNING
    assert doc["writers"] == {"set": "tuning", "said": said}
    assert all(f["writers"] == doc["writers"] for f in doc["per_seed"])
    assert "[writers: tuning, seeds 101,202]" in r.output and "[writers: tuning, seed 101]" in r.output
    assert "tuned on seeds 7 and 11" in doc["tuned_on"]
    # The document agrees with the API: worst-of judging recomputed from its own per-seed figures.
    assert doc["targets"] == json.loads(json.dumps(worst_of({f["seed"]: target_values(f) for f in doc["per_seed"]})))
    assert {r["seed"] for r in doc["targets"] if r["worst"] is not None} <= {101, 202}
    for f in doc["per_seed"]:
        assert json.loads((out / f"seed-{f['seed']}" / "bench.json").read_text(encoding="utf-8")) == f
        assert (out / f"seed-{f['seed']}" / "fields.jsonl").exists()
        assert f["no_clerk"]["submissions"] == 3 and 0 <= f["no_clerk"]["no_clerk_right"] <= f["no_clerk"]["no_clerk"]
    # Printed: every seed's tables, the per-seed rows and the worst-of targets, all naming writers and seeds.
    assert f"writers: {said}, seed 101" in r.output and f"writers: {said}, seed 202" in r.output
    assert f"writers: {said}, seeds 101, 202" in r.output
    assert "targets, on the worst seed" in r.output and "submissions needing no clerk at all" in r.output
    assert "marks by style" in r.output

    bad = CliRunner().invoke(main, ["--home", str(home), "bench", "--seed", "1", "--seeds", "2,3"])
    assert bad.exit_code == 2 and "not both" in bad.output


@pytest.mark.slow
def test_cli_heldout_is_the_default_and_named(tmp_path):
    """What `intake bench` reports on unless told otherwise; needs `make fonts`."""
    pytest.importorskip("mlxtend")
    _need_heldout_digits()
    home, out = tmp_path / "home", tmp_path / "bench"
    assert CliRunner().invoke(main, ["--home", str(home), "init"]).exit_code == 0
    r = CliRunner().invoke(main, ["--home", str(home), "bench", "--pages", "1", "--no-baseline", "--workers", "1",
                                  "--profiles", "clean", "--seed", "101", "--out", str(out)],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    doc = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    assert doc["writers"] == {"set": "heldout", "said": HELDOUT} == doc["per_seed"][0]["writers"]
    assert f"intake bench  writers: {HELDOUT}, seed 101  4 pages  1 workers" in r.output.splitlines()
    assert "[writers: heldout, seed 101]" in r.output
    truth = [json.loads(line) for line in (out / "corpus" / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {rec["writer"]["set"] for rec in truth} == {"heldout"}
    # fonts not installed are written in IPAex Mincho: the notes say so, and only then
    fallback = handwriting.font_fallback("heldout")
    noted = [n for n in doc["per_seed"][0]["notes"] if n.startswith("writers: heldout, ")]
    assert [n.split(",")[1].split()[0] for n in noted] == sorted(fallback)
