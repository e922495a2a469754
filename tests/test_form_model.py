"""Form definitions: the shipped ones load and lay out cleanly; broken ones fail with file:line, not a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from intake.cli import main
from intake.form.layout import (CONTENT_X0, CONTENT_X1, CONTENT_Y0, CONTENT_Y1, FAX_HEADER_MM, MARKER_SIZE,
                                PAGE_H, PAGE_W, layout, marker_rect, qr_rect)

REPO = Path(__file__).resolve().parent.parent

GOOD = """\
id: mini
version: 1
title: {ja: 小さな様式, en: Mini form}
sections:
  - title: {ja: 1. 基本, en: 1. Basics}
    fields:
      - key: name
        kind: text
        label: {ja: 会社名, en: Company}
      - key: size
        kind: choice
        label: {ja: 規模, en: Size}
        options:
          - {key: small, ja: 小, en: Small}
          - {key: large, ja: 大, en: Large}
"""

BROKEN = {
    # name: (text replacing part of GOOD, expected line, words in the message)
    "missing en label": (("label: {ja: 会社名, en: Company}", "label: {ja: 会社名}"), 9, "missing 'en'"),
    "unknown kind": (("kind: text", "kind: textarea"), 7, "kind must be one of"),
    "duplicate key": (("key: size", "key: name"), 10, "used twice"),
    "bad yaml": (("title: {ja: 1. 基本, en: 1. Basics}", "title: {ja: 1. 基本, en: [1. Basics}"), 5, "not valid YAML"),
    "one option": (("          - {key: large, ja: 大, en: Large}\n", ""), 10, "at least 2 options"),
}


def _invoke(forms_dir: Path, *args: str):
    return CliRunner().invoke(main, ["--home", str(forms_dir.parent / "ws"), "--forms", str(forms_dir), *args])


def test_the_good_definition_lists(tmp_path):
    d = tmp_path / "forms"
    d.mkdir()
    (d / "mini.yaml").write_text(GOOD, encoding="utf-8")
    res = _invoke(d, "forms", "list")
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == ["mini\tv1\t1 page\t小さな様式 / Mini form"]


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_definition_names_file_and_line(tmp_path, name):
    (old, new), line, words = BROKEN[name]
    assert old in GOOD
    d = tmp_path / "forms"
    d.mkdir()
    (d / "mini.yaml").write_text(GOOD.replace(old, new), encoding="utf-8")
    for args in (["forms", "list"], ["forms", "render", "mini", "--out", str(tmp_path / "out")],
                 ["forms", "templates", "--out", str(tmp_path / "t")]):
        res = _invoke(d, *args)
        assert res.exit_code == 3, (args, res.output)
        assert f"mini.yaml:{line}:" in res.output and words in res.output, res.output
        assert "Traceback" not in res.output
        assert res.exception is None or isinstance(res.exception, SystemExit)
    assert not (tmp_path / "out").exists() and not (tmp_path / "t").exists()


def test_unknown_form_id_is_a_clear_error(tmp_path):
    d = tmp_path / "forms"
    shutil.copytree(REPO / "forms", d)
    res = _invoke(d, "forms", "render", "surveyy", "--out", str(tmp_path / "out"))
    assert res.exit_code == 3 and "surveyy" in res.output and "survey" in res.output.split("known forms:")[1]


def test_forms_list_shows_every_shipped_form(forms):
    res = CliRunner().invoke(main, ["forms", "list"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert [ln.split("\t")[0] for ln in lines] == sorted(forms)
    for ln in lines:
        form = forms[ln.split("\t")[0]]
        assert f"v{form.version}" in ln and form.title.ja in ln and form.title.en in ln


def _inside(inner, outer_x0, outer_y0, outer_x1, outer_y1, eps=1e-6) -> bool:
    return (inner.x >= outer_x0 - eps and inner.y >= outer_y0 - eps and inner.x1 <= outer_x1 + eps
            and inner.y1 <= outer_y1 + eps)


def test_shipped_layouts_stay_in_the_content_area(forms):
    for form in forms.values():
        lay = layout(form)
        assert not form.max_pages or lay.page_count <= form.max_pages
        for page in lay.pages:
            rows = sorted((g.row for g in page.fields), key=lambda r: r.y)
            for a, b in zip(rows, rows[1:]):
                assert a.y1 <= b.y + 1e-6, f"{form.id}: rows overlap on page {page.number}"
            for g in page.fields:
                assert _inside(g.row, CONTENT_X0, CONTENT_Y0, CONTENT_X1, CONTENT_Y1), (form.id, g.key)
                assert _inside(g.area, g.row.x, g.row.y, g.row.x1, g.row.y1), (form.id, g.key)
                assert g.label.x1 <= g.area.x, (form.id, g.key)
                if g.field.kind == "digits":
                    assert len(g.boxes) == g.field.boxes
                    widths = {round(b.w, 6) for b in g.boxes}
                    assert len(widths) == 1 and widths.pop() * g.field.boxes == pytest.approx(g.area.w)
                    assert [b.x for b in g.boxes] == sorted(b.x for b in g.boxes)
                if g.field.kind == "choice":
                    assert len(g.boxes) == len(g.cells) == len(g.field.options)
                    for box, cell in zip(g.boxes, g.cells):
                        assert _inside(box, cell.x, cell.y, cell.x1, cell.y1)
                        assert _inside(cell, g.area.x, g.area.y, g.area.x1, g.area.y1)


def test_marks_sit_on_the_page_below_the_fax_header():
    for i in range(4):
        r = marker_rect(i)
        assert r.w == r.h == MARKER_SIZE
        assert _inside(r, 0, FAX_HEADER_MM, PAGE_W, PAGE_H)
    q = qr_rect()
    assert _inside(q, 0, FAX_HEADER_MM, PAGE_W, CONTENT_Y0)
    assert q.x1 < marker_rect(1).x and q.x > marker_rect(0).x1
