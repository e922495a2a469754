"""Regression: blank forms sent through ghostscript's real fax codings read as blank.

A 204x98 tiffg3 page once lost its top-left marker to the tuned detector and the 3-marker
affine fit squashed the page by 3 %, so every option of every choice read as ticked."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageSequence

from intake.recognize import read_page
from intake.recognize.register import detect_markers, fit
from intake.recognize.images import to_square
from intake.render import render_form
from intake.tools.ghostscript import pdf_to_fax_tiff


def _pages(tif: Path):
    with Image.open(tif) as im:
        for fr in ImageSequence.Iterator(im):
            yield np.array(fr.convert("L")), tuple(float(x) for x in fr.info["dpi"])


@pytest.mark.parametrize("res", ["204x98", "204x196"])
@pytest.mark.parametrize("form_id", ["survey", "request"])
def test_blank_fax_reads_blank(tmp_path, forms, form_id, res):
    pdf = render_form(forms[form_id], "ja", tmp_path / "blank.pdf")
    tif = pdf_to_fax_tiff(pdf, tmp_path / "blank.tif", resolution=res)
    for image, dpi in _pages(tif):
        square = to_square(image, dpi)
        assert len(detect_markers(square)) == 4
        r = read_page(image, dpi, forms)
        assert r.status == "identified"
        assert r.registration_mm < 1.0
        marked = [(f.key, f.value) for f in r.fields if f.value not in (None, "", [])]
        assert marked == []


def test_three_marker_fit_is_not_squashed(tmp_path, forms):
    pdf = render_form(forms["request"], "ja", tmp_path / "blank.pdf")
    tif = pdf_to_fax_tiff(pdf, tmp_path / "blank.tif", resolution="204x98")
    image, dpi = next(_pages(tif))
    markers = detect_markers(to_square(image, dpi))
    for drop in list(markers):
        three = {k: v for k, v in markers.items() if k != drop}
        f = fit(three)
        assert f.method == "affine" and f.residual_mm < 0.6, (drop, f.residual_mm)
        assert abs(f.matrix[1, 1] - 1.0) < 0.01  # no vertical squash
