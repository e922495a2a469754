"""The printed forms: codes and markers survive a real fax, fonts are embedded, widgets match the definition."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp
from click.testing import CliRunner
from PIL import Image
from pypdf import PdfReader

from intake.cli import main
from intake.form.identity import PageIdentity
from intake.form.layout import FAX_HEADER_MM, PAGE_H, layout
from intake.render import Respondent, read_respondents_csv, render_batch, render_form
from intake.render.page import DIVIDER_X
from intake.tools._run import run
from intake.tools.ghostscript import pdf_to_fax_tiff
from intake.tools.poppler import pdffonts, pdftotext

REPO = Path(__file__).resolve().parent.parent
PT_PER_MM = 72 / 25.4
PERSON = Respondent("R0042", "株式会社山田精密工業", postal_code="4600001")


@pytest.fixture(scope="module")
def rendered(forms, tmp_path_factory):
    """Every form in both languages: ja personalised (reply slip with a match id), en blank."""
    out = tmp_path_factory.mktemp("rendered")
    docs = []
    for form in forms.values():
        match = "M-17" if form.id == "reply-slip" else None
        docs.append((form, "ja", PERSON.id, match, render_form(form, "ja", out / f"{form.id}-ja.pdf", PERSON, match)))
        docs.append((form, "en", None, None, render_form(form, "en", out / f"{form.id}-en.pdf")))
    return docs


def _tiff_pages(path: Path) -> list[np.ndarray]:
    im = Image.open(path)
    pages = []
    for i in range(im.n_frames):
        im.seek(i)
        pages.append(np.array(im.convert("L")))
    return pages


def _decode(img: np.ndarray, stretch: bool) -> list[PageIdentity | None]:
    found = [PageIdentity.decode(b.text) for b in zxingcpp.read_barcodes(img)]
    if not found and stretch:   # standard fax: pixels twice as tall as wide
        img = cv2.resize(img, (img.shape[1], img.shape[0] * 2), interpolation=cv2.INTER_NEAREST)
        found = [PageIdentity.decode(b.text) for b in zxingcpp.read_barcodes(img)]
    return found


@pytest.mark.slow
@pytest.mark.parametrize("resolution", ["204x98", "204x196"])
def test_code_and_markers_survive_a_real_fax(rendered, resolution, tmp_path):
    detector = cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50),
                                       cv2.aruco.DetectorParameters())
    for form, lang, resp, match, pdf in rendered:
        tif = pdf_to_fax_tiff(pdf, tmp_path / f"{pdf.stem}.tif", resolution=resolution)
        pages = _tiff_pages(tif)
        assert len(pages) == layout(form).page_count
        for number, img in enumerate(pages, 1):
            expected = PageIdentity(form.id, form.version, number, len(pages), resp, match)
            assert _decode(img, stretch=resolution == "204x98") == [expected], (pdf.name, number)
            square = img if resolution == "204x196" else cv2.resize(img, (img.shape[1], img.shape[0] * 2),
                                                                      interpolation=cv2.INTER_NEAREST)
            _, ids, _ = detector.detectMarkers(square)
            assert ids is not None and sorted(ids.ravel().tolist()) == [0, 1, 2, 3], (pdf.name, number)
            # The sending machine prints its header line in the top 10 mm: nothing of ours is there.
            rows = int(FAX_HEADER_MM / 25.4 * (98 if resolution == "204x98" else 196))
            assert img[:rows].min() == 255, (pdf.name, number)


def test_every_font_is_embedded(rendered):
    for _, lang, _, _, pdf in rendered:
        fonts = pdffonts(pdf)
        assert fonts, pdf.name
        assert all(f["embedded"] for f in fonts), (pdf.name, fonts)
        assert any("IPAex" in f["name"] for f in fonts)
        if lang == "ja":   # the addressee line is set in Mincho
            assert any("IPAexMincho" in f["name"] for f in fonts)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_japanese_text_is_extractable(rendered):
    form, _, _, _, pdf = next(d for d in rendered if d[0].id == "survey" and d[1] == "ja")
    text = _squash(pdftotext(pdf))
    assert _squash(form.title.ja) in text
    assert "株式会社山田精密工業" in text and "御中" in text
    for f in form.fields:
        assert _squash(f.label.ja) in text, f.key
        for o in f.options:
            assert _squash(o.label.ja) in text, (f.key, o.key)
    en = _squash(pdftotext(next(d for d in rendered if d[0].id == "survey" and d[1] == "en")[4]))
    assert "実態調査票" not in en and _squash(form.title.en) in en


def _widgets(pdf: Path) -> dict[str, tuple[int, dict]]:
    """Fully-qualified name -> (page number, widget dictionary), walking /Parent like a viewer does."""
    out = {}
    for n, page in enumerate(PdfReader(pdf).pages, 1):
        for ref in page.get("/Annots", []):
            a = ref.get_object()
            if a.get("/Subtype") != "/Widget":
                continue
            names, node = [], a
            while node is not None:
                if "/T" in node:
                    names.append(str(node["/T"]))
                node = node.get("/Parent")
                node = node.get_object() if node is not None else None
            out[".".join(reversed(names))] = (n, a)
    return out


def _expected_rect(r) -> list[float]:
    return [r.x * PT_PER_MM, (PAGE_H - r.y1) * PT_PER_MM, r.x1 * PT_PER_MM, (PAGE_H - r.y) * PT_PER_MM]


def test_widgets_are_exactly_the_definitions_fields(rendered):
    for form, _, _, _, pdf in rendered:
        widgets = _widgets(pdf)
        lay = layout(form)
        expected = set()
        for page in lay.pages:
            for g in page.fields:
                f = g.field
                if f.kind == "choice":
                    for opt, box in zip(f.options, g.boxes):
                        name = f"{f.key}.{opt.key}"
                        expected.add(name)
                        n, w = widgets[name]
                        assert n == page.number
                        assert w.get("/FT", w["/Parent"].get_object().get("/FT")) == "/Btn"
                        assert set(w["/AP"]["/N"].keys()) == {"/Yes", "/Off"}
                        assert [float(v) for v in w["/Rect"]] == pytest.approx(_expected_rect(box), abs=0.01)
                else:
                    expected.add(f.key)
                    n, w = widgets[f.key]
                    assert n == page.number and w["/FT"] == "/Tx"
                    ff = int(w.get("/Ff", 0))
                    if f.kind == "digits":
                        assert int(w["/MaxLen"]) == f.boxes
                        assert ff & (1 << 24), "comb flag"
                        # The comb splits the widget evenly: box pitch = rect width / MaxLen.
                        width_mm = (float(w["/Rect"][2]) - float(w["/Rect"][0])) / PT_PER_MM
                        assert width_mm / f.boxes == pytest.approx(g.boxes[0].w, abs=0.01)
                    else:
                        assert "/MaxLen" not in w
                        assert bool(ff & (1 << 12)) == (f.lines > 1), f"multiline flag of {f.key}"
                    assert [float(v) for v in w["/Rect"]] == pytest.approx(_expected_rect(g.area), abs=0.01)
        assert set(widgets) == expected, pdf.name
        names = set(PdfReader(pdf).get_fields())
        assert expected <= names      # pypdf sees the same fully-qualified names


def test_a_definition_change_needs_no_code_change(tmp_path):
    forms_dir = tmp_path / "forms"
    shutil.copytree(REPO / "forms", forms_dir)
    survey = forms_dir / "survey.yaml"
    text = survey.read_text(encoding="utf-8")
    anchor = "          - {key: titanium, ja: チタン, en: Titanium}\n"
    assert text.count(anchor) == 1
    survey.write_text(text.replace(anchor, anchor + "          - {key: magnesium, ja: マグネシウム, en: Magnesium}\n"),
                      encoding="utf-8")
    res = CliRunner().invoke(main, ["--home", str(tmp_path / "ws"), "--forms", str(forms_dir), "forms", "render",
                                    "survey", "--lang", "ja", "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    pdf = tmp_path / "out" / "survey-ja.pdf"
    assert "materials.magnesium" in _widgets(pdf)
    assert "マグネシウム" in _squash(pdftotext(pdf))
    assert "materials.magnesium" not in _widgets(REPO / "templates_pdf" / "survey-ja.pdf") if \
        (REPO / "templates_pdf" / "survey-ja.pdf").exists() else True


def test_long_labels_shrink_instead_of_overflowing(tmp_path):
    from intake.form.loader import parse_form

    long = "とても長い項目名がここに入りますがはみ出してはいけません"
    form = parse_form(f"""
id: long
version: 1
title: {{ja: 長い表題の確認用の様式です長い表題の確認用の様式です長い表題の確認用, en: A very long title to check shrinking of the header text}}
sections:
  - title: {{ja: 確認, en: Check}}
    fields:
      - key: a
        kind: text
        label: {{ja: {long}, en: An extremely long English label that cannot possibly fit in the column}}
        hint: {{ja: {long}, en: hint}}
      - key: b
        kind: choice
        label: {{ja: 選択, en: Choice}}
        columns: 4
        options:
          - {{key: x, ja: {long}, en: A long option label that must shrink}}
          - {{key: y, ja: 短い, en: Short}}
""")
    pdf = render_form(form, "ja", tmp_path / "long.pdf")
    html = run(["pdftotext", "-bbox", str(pdf), "-"], timeout=60, package="poppler-utils").stdout.decode()
    words = [(float(a), float(b), float(y)) for a, y, b in
             re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"', html)]
    assert words
    # The rows (below the section bar): labels and option texts only.
    words = [(x0, x1) for x0, x1, y in words if y > layout(form).field("a").row.y * PT_PER_MM]
    assert len(words) >= 4
    divider = DIVIDER_X * PT_PER_MM
    lay = layout(form)
    col_edges = [c.x1 * PT_PER_MM for c in lay.field("b").cells]
    for x0, x1 in words:
        assert not (x0 < divider < x1), "a label crosses into the answer column"
        for edge in col_edges[:-1]:
            assert not (x0 < edge and x1 > edge + 0.3), "an option label runs into the next column"
        assert x1 <= 188 * PT_PER_MM + 1


def _csv(path: Path, rows: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(rows.encode(encoding))
    return path


def test_personalised_batch_is_recorded(workspace, tmp_path):
    csv = _csv(tmp_path / "list.csv", "id,name,postal_code,fax,contact_channel\n"
                                      "R1,株式会社青木製作所,4600001,0521234567,fax\n"
                                      "R2,有限会社山本鉄工,,,\n")
    runner = CliRunner()
    args = ["--home", str(workspace.root), "forms", "render", "survey", "--lang", "ja", "--respondents", str(csv),
            "--quiet"]
    res = runner.invoke(main, args)
    assert res.exit_code == 0, res.output
    files = sorted(p.name for p in workspace.sent.glob("*.pdf"))
    assert files == ["survey-ja-R1.pdf", "survey-ja-R2.pdf"]
    assert _squash("株式会社青木製作所") in _squash(pdftotext(workspace.sent / "survey-ja-R1.pdf"))
    res = runner.invoke(main, args + ["--combined", "--out", str(tmp_path / "print")])
    assert res.exit_code == 0, res.output
    combined = tmp_path / "print" / "survey-ja-batch.pdf"
    assert len(PdfReader(combined).pages) == 2 * 2
    db = sqlite3.connect(workspace.db_path)
    resp = db.execute("SELECT id, name, postal_code, fax, contact_channel FROM respondents ORDER BY id").fetchall()
    assert resp == [("R1", "株式会社青木製作所", "4600001", "0521234567", "fax"), ("R2", "有限会社山本鉄工", None, None, None)]
    sent = db.execute("SELECT respondent_id, form, version, lang, output_path FROM sent_forms ORDER BY id").fetchall()
    assert [(r, f, v, lang) for r, f, v, lang, _ in sent] == [("R1", "survey", 1, "ja"), ("R2", "survey", 1, "ja")] * 2
    assert sent[0][4].endswith("survey-ja-R1.pdf") and sent[3][4].endswith("survey-ja-batch.pdf")


def test_batch_without_workspace_records_nothing(forms, tmp_path):
    paths = render_batch(forms["reply-slip"], "en", [Respondent("A1", "Acme")], tmp_path / "out", progress=False)
    assert [p.name for p in paths] == ["reply-slip-en-A1.pdf"]
    assert not (tmp_path / "intake.db").exists()


def test_respondents_csv_is_read_in_excel_encodings(tmp_path):
    rows = "id,name,address\nK-01,株式会社テスト工業,愛知県名古屋市中区\n\nK-02,\"Smith, Ltd.\",\n"
    for enc in ("utf-8", "utf-8-sig", "cp932"):
        got = read_respondents_csv(_csv(tmp_path / f"{enc}.csv", rows, enc))
        assert got == [Respondent("K-01", "株式会社テスト工業", address="愛知県名古屋市中区"),
                       Respondent("K-02", "Smith, Ltd.")]


@pytest.mark.parametrize("rows, where, words", [
    ("id,name\nR1,A\nR 2,B\n", ":3:", "not allowed"),
    ("id,name\nR1,A\nR1,B\n", ":3:", "line 2"),
    ("id,name\nR1,\n", ":2:", "name is empty"),
    ("name,fax\nA,1\n", ":1:", "missing column"),
    ("id,name,colour\nR1,A,red\n", ":1:", "unknown column"),
    ("id,name,contact_channel\nR1,A,pigeon\n", ":2:", "contact_channel"),
])
def test_bad_respondent_rows_name_their_line(tmp_path, workspace, rows, where, words):
    csv = _csv(tmp_path / "bad.csv", rows)
    res = CliRunner().invoke(main, ["--home", str(workspace.root), "forms", "render", "survey",
                                    "--respondents", str(csv), "--quiet"])
    assert res.exit_code == 1
    assert "Traceback" not in res.output
    assert f"bad.csv{where}" in res.output and words in res.output
    assert not list(workspace.sent.glob("*.pdf"))


def test_templates_command_writes_both_languages(tmp_path):
    res = CliRunner().invoke(main, ["--home", str(tmp_path), "forms", "templates", "--out", str(tmp_path / "t")])
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in (tmp_path / "t").glob("*.pdf"))
    ids = [line.split("\t")[0] for line in CliRunner().invoke(main, ["--home", str(tmp_path), "forms", "list"])
           .output.splitlines()]
    assert names == sorted(f"{i}-{lang}.pdf" for i in ids for lang in ("ja", "en"))
