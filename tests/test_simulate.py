"""The fax simulator: determinism, ground truth against the ink actually drawn, channel formats."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from intake.form.identity import PageIdentity
from intake.form.layout import Rect, layout
from intake.simulate import PROFILES, Quirks, fill_page, random_answers, random_company, random_writer, send
from intake.simulate import handwriting, read_truth, simulate
from intake.simulate import writers as writer_sets
from intake.simulate.corpus import rasterise

DPI = 300
FORMS = ("survey", "request", "reply-slip")


@pytest.fixture(scope="module")
def blanks(forms, tmp_path_factory):
    """Each form rendered once and rasterised: the undegraded blank pages."""
    from intake.render import render_form

    tmp = tmp_path_factory.mktemp("blank")
    return {fid: rasterise(render_form(forms[fid], "ja", tmp / f"{fid}.pdf"), DPI) for fid in FORMS}


def _ink(filled: np.ndarray, blank: np.ndarray, r: Rect, inset: float, level: float = 60) -> int:
    """Pixels in r (shrunk by inset mm) that the filling made clearly darker (by more than `level`)."""
    k = DPI / 25.4
    y0, y1 = int((r.y + inset) * k), int((r.y1 - inset) * k)
    x0, x1 = int((r.x + inset) * k), int((r.x1 - inset) * k)
    diff = blank[y0:y1, x0:x1].astype(int) - filled[y0:y1, x0:x1].astype(int)
    return int((diff > level).sum())


def _need(writers: str) -> None:
    if writers == "heldout" and not handwriting.heldout_digits_path().is_file():
        pytest.skip(f"held-out writers' digits not installed ({handwriting.heldout_digits_path()}): run `make fonts`")


@pytest.mark.parametrize("writers", ["tuning", "heldout"])
@pytest.mark.parametrize("seed", range(4))
def test_ink_is_where_the_truth_says(forms, blanks, seed, writers):
    _need(writers)
    rng = np.random.default_rng(seed)
    # slips made frequent so the correction and double-mark paths are exercised too
    quirks = Quirks(correction=0.3, double_mark=0.3, touch=0.2, two_in_box=0.15, outside_box=0.2, empty_box=0.15)
    for fid in FORMS:
        form = forms[fid]
        answers = random_answers(form, rng)
        writer = random_writer(rng, writers=writers)
        assert writer.writers == writers
        level = min(60.0, 128 * writer.pen.darkness)       # "clearly darker" for a faint pencil too
        for pl, blank in zip(layout(form).pages, blanks[fid]):
            filled, truth, notes = fill_page(blank, DPI, pl.fields, answers, rng, writer, quirks=quirks)
            assert filled.shape == blank.shape
            for g in pl.fields:
                f, value, note = g.field, truth[g.key], notes.get(g.key, {})
                if f.kind == "choice":
                    marked = set(value or []) if f.multiple else ({value} if value else set())
                    marked |= set(note.get("double_marked", [])) | set(note.get("corrected", []))
                    assert bool(note.get("corrected")) == ("correction" in note)
                    assert note["style"] in writer_sets.MARKS[writers]
                    assert note.get("correction", writer_sets.CORRECTIONS[writers][0]) in writer_sets.CORRECTIONS[writers]
                    for opt, cell in zip(f.options, g.cells):
                        ink = _ink(filled, blank, cell, 0.6, level)
                        assert (ink > 40) == (opt.key in marked), (fid, g.key, opt.key, ink, note)
                    if note.get("double_marked"):
                        assert value is None and not f.multiple
                    else:
                        assert value == answers[g.key]
                elif f.kind == "digits":
                    assert value == answers[g.key]          # the truth is what was meant, slips or not
                    _check_digit_ink(filled, blank, g, value, note, level)
                else:
                    assert value == answers[g.key]
                    assert (_ink(filled, blank, g.area, 0.5, level) > 40) == bool(value), (fid, g.key, value)


def _check_digit_ink(filled, blank, g, value: str, note: dict, level: float = 60) -> None:
    """Ink in exactly the boxes the notes name, and the slip (if any) visible where the notes put it."""
    slots = note.get("slots", [])
    assert len(slots) == len(value)
    if note.get("two_in_box"):
        p = note["pair"]
        assert slots[p] == slots[p + 1] and len(set(slots)) == len(value) - 1
    else:
        assert len(set(slots)) == len(value)
    if note.get("empty_box_inside"):
        assert max(slots) - min(slots) + 1 == len(value) + 1       # one gap inside the number
    inked, unsure = set(slots), set()
    if note.get("outside_box"):
        i, way = note["digit"], note["way"]
        box = g.boxes[slots[i]] if slots[i] < len(g.boxes) else None
        comb = g.area
        if way == "beyond":
            assert slots[i] == len(g.boxes) and max(slots[:i]) == len(g.boxes) - 1
            past = Rect(comb.x1 + 0.5, comb.y, 9.0, comb.h)
            assert _ink(filled, blank, past, 0.0, level) > 40, ("nothing written past the comb", g.key)
        elif way in ("left", "right"):
            j = slots[i] + (-1 if way == "left" else 1)
            if 0 <= j < len(g.boxes):
                inked.add(j)                                  # the overrun shows in the neighbour box
                assert _ink(filled, blank, g.boxes[j], 1.0, level) > 40, (g.key, way)
            else:                                             # at the end of the comb: outside it
                side = Rect(comb.x - 4.0, comb.y, 3.5, comb.h) if j < 0 else Rect(comb.x1 + 0.5, comb.y, 3.5, comb.h)
                assert _ink(filled, blank, side, 0.0, level) > 40, (g.key, way)
        else:
            band = Rect(box.x, box.y - 4.0, box.w, 3.6) if way == "above" else Rect(box.x, box.y1 + 0.4, box.w, 3.6)
            assert _ink(filled, blank, band, 0.0, level) > 40, ("no ink across the comb line", g.key, way)
            unsure.add(slots[i])                   # partly or wholly out of its box: either way
    # a digit pushed onto its box line (touching) may spill a little ink into the next box
    spill = unsure | {s + d for s in note.get("touching", []) for d in (-1, 1)} - inked
    for i, box in enumerate(g.boxes):
        ink = _ink(filled, blank, box, 1.0, level)
        if i not in spill:
            assert (ink > 40) == (i in inked), (g.key, i, ink, str(note))


def test_random_answers_fit_the_form(forms):
    for seed in range(20):
        rng = np.random.default_rng(seed)
        for form in forms.values():
            a = random_answers(form, rng)
            for f in form.fields:
                v = a[f.key]
                if f.kind == "digits":
                    assert v == "" or (v.isdigit() and len(v) <= f.boxes), (f.key, v)
                    if v and f.key == "postal_code":
                        assert len(v) == 7
                elif f.kind == "choice":
                    keys = {o.key for o in f.options}
                    if f.multiple:
                        assert isinstance(v, list) and set(v) <= keys
                    else:
                        assert v is None or v in keys
                    if f.required:
                        assert v
                else:
                    assert isinstance(v, str)
                    if f.required:
                        assert v


def test_simulator_draws_only_held_out_mnist_digits():
    pools = handwriting.mnist_by_label()
    assert sum(len(p) for p in pools.values()) == 5000 // handwriting.FOLDS
    assert all(len(pools[str(d)]) > 50 for d in range(10))


@pytest.fixture(scope="module")
def filled_reply(forms, blanks):
    rng = np.random.default_rng(11)
    form = forms["reply-slip"]
    img, _, _ = fill_page(blanks["reply-slip"][0], DPI, layout(form).pages[0].fields, random_answers(form, rng), rng)
    return img


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_each_profile_writes_its_format(tmp_path, filled_reply, name):
    prof = PROFILES[name]
    rng = np.random.default_rng(3)
    pages = [filled_reply, filled_reply]                     # a two-page return
    files, info = send(prof, pages, DPI, tmp_path / "ret", rng)
    assert all(f.exists() for f in files)
    if prof.kind == "fax":
        assert len(files) == 1
        with Image.open(files[0]) as im:
            assert im.format == "TIFF" and im.mode == "1"
            assert getattr(im, "n_frames", 1) == 2
            assert im.width == 1728
            assert tuple(round(v) for v in im.info["dpi"]) == prof.res
            # real CCITT coding in the compression tag: 3 = T.4 (G3), 4 = T.6 (G4)
            assert im.tag_v2[259] == (4 if prof.coding.endswith(("group4", "tiffg4")) else 3)
            if prof.coding == "gs:tiffg32d":
                assert im.tag_v2.get(292, 0) & 1                  # T4Options: 2-D coding
            rows = 297 / 25.4 * prof.res[1]
            assert abs(im.height - rows) < 0.03 * rows
            black = 1 - np.asarray(im.convert("L"), float).mean() / 255
            assert 0.01 < black < 0.25                        # a page of a form, not blank, not black
    else:
        assert len(files) == 2
        for f in files:
            with Image.open(f) as im:
                assert im.format == ("JPEG" if prof.coding == "jpeg" else "PNG") and im.mode == "L"
                assert tuple(round(v) for v in im.info["dpi"]) == (300, 300)
                assert abs(im.width - 2480) < 5 and abs(im.height - 3508) < 5


def test_upside_down_fax_turns_the_content_not_the_header(tmp_path, filled_reply):
    from intake.simulate import FaxHeader

    rng = np.random.default_rng(5)
    hdr = FaxHeader("2026/01/02 03:04", "0565-12-3456", "TEST")
    (upright,), _ = send(PROFILES["fax-standard"], [filled_reply], DPI, tmp_path / "a", rng, hdr)
    (turned,), info = send(PROFILES["fax-upside-down"], [filled_reply], DPI, tmp_path / "b", rng, hdr)
    assert info["rotated"] == 180
    a = np.asarray(Image.open(upright).convert("L")) < 128
    b = np.asarray(Image.open(turned).convert("L")) < 128
    # the form's black title block and markers sit near its top; upside down they land at the bottom
    h = a.shape[0]
    top_a, bot_a = a[h // 10: h // 4].mean(), a[-h // 4: -h // 10].mean()
    top_b, bot_b = b[h // 10: h // 4].mean(), b[-h // 4: -h // 10].mean()
    assert (top_a > bot_a) == (bot_b > top_b)
    # the header line stays at the very top in both
    assert a[: int(0.006 * h * 10)].any() and b[: int(0.006 * h * 10)].any()


@pytest.mark.slow
def test_simulate_is_deterministic_and_writes_truth(forms, tmp_path):
    chosen = [forms["survey"], forms["reply-slip"]]
    profiles = ["fax-standard", "fax-fine", "scan-300-grey"]
    runs = []
    for name in ("a", "b"):
        truth = simulate(chosen, tmp_path / name, 2, seed=42, profiles=profiles)
        runs.append({p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((tmp_path / name).iterdir())})
    assert runs[0] == runs[1]
    simulate(chosen, tmp_path / "c", 2, seed=43, profiles=profiles)
    differ = {p.name for p in (tmp_path / "c").iterdir()} & set(runs[0])
    assert any(hashlib.sha256((tmp_path / "c" / n).read_bytes()).hexdigest() != runs[0][n]
               for n in differ if n not in ("simulate.json",))

    records = read_truth(truth)
    assert {r["file"] for r in records} <= set(runs[0])
    respondents = {r["respondent"] for r in records}
    assert respondents == {"R0001", "R0002"}
    for r in records:
        path = tmp_path / "a" / r["file"]
        with Image.open(path) as im:
            assert getattr(im, "n_frames", 1) == len(r["pages"])
        form = forms[r["form"]]
        for p in r["pages"]:
            ident = PageIdentity(**p["identity"])
            assert PageIdentity.decode(ident.encode()) == ident
            assert ident.respondent == r["respondent"] and ident.form == form.id
            page_keys = {g.key for g in layout(form).pages[ident.page - 1].fields}
            assert set(p["fields"]) == page_keys
        if r["form"] == "reply-slip":
            assert r["match"] and all(p["identity"]["match"] == r["match"] for p in r["pages"])
    assert json.loads((tmp_path / "a" / "simulate.json").read_text())["seed"] == 42


def test_cli_simulate(tmp_path):
    from intake.cli import main

    out = tmp_path / "sim"
    res = CliRunner().invoke(main, ["simulate", "--forms", "reply-slip", "-n", "1", "--profiles", "fax-g4",
                                    "--seed", "3", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert (out / "R0001-reply-slip-fax-g4.tif").exists()
    assert len(read_truth(out / "truth.jsonl")) == 1
    bad = CliRunner().invoke(main, ["simulate", "--profiles", "fax-bogus", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 1 and "fax-bogus" in bad.output


def test_random_company_is_consistent():
    from intake.simulate.answers import PLACES

    for seed in range(30):
        c = random_company(np.random.default_rng(seed))
        place = next(p for p in PLACES if c.postal_code.startswith(p[0]))
        assert c.address.startswith(place[1] + place[2])
        assert c.phone.startswith(place[5]) and len(c.phone) == 10
