"""Per-field tesseract settings from the form definition (`ocr:` on text fields)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from intake.errors import IntakeError
from intake.form.loader import parse_form
from intake.recognize.ocr import recognise_symbols
from intake.recognize.text import CHAR_SETS, ocr_settings
from intake.tools.fonts import font_path

FORM = """
id: t
version: 1
purpose: survey
title: {ja: 票, en: Form}
sections:
  - title: {ja: 一, en: One}
    fields:
      - key: kana
        kind: text
        label: {ja: フリガナ, en: Reading}
        ocr: {chars: katakana, psm: 7, lang: jpn}
      - key: note
        kind: text
        lines: 3
        label: {ja: 備考, en: Note}
"""


def test_settings_come_from_the_definition_or_the_page():
    form = parse_form(FORM, "t.yaml")
    assert ocr_settings(form.field("kana"), "en") == ("jpn", 7, CHAR_SETS["katakana"])
    assert ocr_settings(form.field("note"), "ja") == ("jpn", 6, "")
    assert ocr_settings(form.field("note"), "en") == ("eng", 6, "")


@pytest.mark.parametrize("bad,words", [("psm: 7", "psm: 3"), ("lang: jpn", "lang: fra"), ("chars: katakana", "color: red")])
def test_bad_settings_name_the_line(bad, words):
    with pytest.raises(IntakeError) as exc:
        parse_form(FORM.replace(bad, words), "t.yaml")
    assert "t.yaml:" in str(exc.value) and "ocr" in str(exc.value)


def test_a_katakana_whitelist_keeps_the_reading_to_katakana():
    font = ImageFont.truetype(str(font_path("gothic")), 56)
    img = Image.new("L", (420, 100), 255)
    ImageDraw.Draw(img).text((20, 15), "サトウ 佐藤", font=font, fill=0)
    crop = np.asarray(img)
    free, _, _ = recognise_symbols(crop, lang="jpn", psm=7)
    kana, _, _ = recognise_symbols(crop, lang="jpn", psm=7, whitelist=CHAR_SETS["katakana"])
    assert "佐" in free or "藤" in free                     # without the list the kanji are read
    assert kana and all(ch in CHAR_SETS["katakana"] or ch.isspace() for ch in kana), kana
