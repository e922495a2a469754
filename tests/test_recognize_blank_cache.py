"""The blank form's rasters are kept on disk, keyed by the definition: workers load, not render."""

from __future__ import annotations

import dataclasses
import importlib
from pathlib import Path

import numpy as np
import pytest

from intake.form import load_forms

ROOT = Path(__file__).resolve().parents[1]
FORMS = load_forms(ROOT / "forms")
blank = importlib.import_module("intake.recognize.blank")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("INTAKE_CACHE_DIR", str(tmp_path))
    blank._blank_inks.cache_clear()
    yield tmp_path / "blank"
    blank._blank_inks.cache_clear()


def test_rendered_once_then_loaded(cache, monkeypatch):
    form = FORMS["reply-slip"]
    first = blank._from_renderer(form, 1)
    files = sorted(cache.glob("*.npz"))
    assert [f.name.split("-v")[0] for f in files] == ["reply-slip"]

    def no_render(_form):
        raise AssertionError("rendered again although cached")
    monkeypatch.setattr(blank, "_render_pages", no_render)
    again = blank._from_renderer(form, 1)
    assert set(again) == set(first) == set(blank.LANGS)
    for lang in blank.LANGS:
        assert again[lang].dtype == bool and np.array_equal(again[lang], first[lang])
        assert first[lang].any()


def test_every_page_stored_from_one_render(cache):
    blank._from_renderer(FORMS["survey"], 2)
    assert len(list(cache.glob("survey-*.npz"))) == 2


def test_changed_definition_gets_its_own_entry(cache):
    form = FORMS["reply-slip"]
    changed = dataclasses.replace(form, title=dataclasses.replace(form.title, ja=form.title.ja + "（改）"))
    moved = dataclasses.replace(form, source="/elsewhere/reply-slip.yaml")
    assert blank._cache_key(changed, 1) != blank._cache_key(form, 1)
    assert blank._cache_key(moved, 1) == blank._cache_key(form, 1)


def test_broken_cache_file_is_rendered_again(cache):
    form = FORMS["reply-slip"]
    good = blank._from_renderer(form, 1)
    (path,) = cache.glob("*.npz")
    path.write_bytes(b"not an npz")
    again = blank._from_renderer(form, 1)
    assert np.array_equal(again["ja"], good["ja"])
    assert blank._load_cached(path) is not None           # rewritten whole
