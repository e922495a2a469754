"""The throughput shortcuts give the same pixels and values as the plain computations they replace."""

from __future__ import annotations

import importlib
import os

import cv2
import numpy as np
import pytest
from PIL import Image

from intake.ingest import pipeline
from intake.ingest.rasterize import rasterize
from intake.recognize import images

align = importlib.import_module("intake.recognize.align")
blank = importlib.import_module("intake.recognize.blank")

RNG = np.random.default_rng(20260)


def _page_like(h: int = 600, w: int = 420) -> np.ndarray:
    """White paper with black strokes, grey edges and fax specks."""
    img = np.full((h, w), 255, np.uint8)
    for _ in range(40):
        x, y = (int(v) for v in RNG.integers(0, (w, h)))
        cv2.line(img, (x, y), (x + int(RNG.integers(-60, 60)), y + int(RNG.integers(-60, 60))), 0, 2)
    img = cv2.GaussianBlur(img, (3, 3), 0)
    img[RNG.random(img.shape) < 0.003] = 0
    return img


@pytest.mark.parametrize("shape", [(2376, 1680), (100, 60), (101, 60), (100, 61), (2, 2)])
@pytest.mark.parametrize("share", [0.01, 0.3, 0.95])
def test_half_ink_equals_float_area_resize(shape, share):
    mask = RNG.random(shape) < share
    h, w = shape
    want = cv2.resize(mask.astype(np.float32), (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    got = align._half_ink(mask)
    assert got.dtype == np.float32
    assert np.array_equal(got, want)


def test_half_ink_of_a_page_equals_float_area_resize():
    mask = _page_like(2376, 1680) < 140
    want = cv2.resize(mask.astype(np.float32), (840, 1188), interpolation=cv2.INTER_AREA)
    assert np.array_equal(align._half_ink(mask), want)


@pytest.mark.parametrize("op", [cv2.dilate, cv2.erode])
@pytest.mark.parametrize("k", [2, 5, 7])
def test_blank_morph_equals_astype_path(op, k):
    kernel = np.ones((k, k), np.uint8)
    mask = _page_like() < 140
    want = op(mask.astype(np.uint8), kernel).astype(bool)
    got = blank._morph(op, mask, kernel)
    assert got.dtype == bool
    assert np.array_equal(got, want)
    assert np.array_equal(~got, ~want)             # a real 0/1 bool: negation works
    grey = np.where(mask, 200, 0).astype(np.uint8)   # not boolean: the old path, same answer
    assert np.array_equal(blank._morph(op, grey, kernel), op(grey, kernel).astype(bool))


def test_grown_mask_of_page_language_is_unchanged():
    canon = _page_like()
    want = cv2.dilate((canon < 140).astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    assert np.array_equal(blank._grown(canon < 140, 2), want)


def test_square_handed_on_once_to_the_same_array():
    fax = _page_like(300, 430)
    dpi = (204.0, 98.0)
    fresh = images.to_square(fax.copy(), dpi)
    handed = images.square_and_hand_on(fax, dpi)
    assert np.array_equal(handed, fresh)
    assert images.to_square(fax, dpi) is handed              # taken once ...
    again = images.to_square(fax, dpi)
    assert again is not handed and np.array_equal(again, fresh)   # ... then computed again


def test_square_handoff_is_not_given_to_another_array_or_dpi():
    fax = _page_like(300, 430)
    handed = images.square_and_hand_on(fax, (204.0, 98.0))
    other = fax.copy()
    other[:20] = 0
    got = images.to_square(other, (204.0, 98.0))
    assert got is not handed
    assert np.array_equal(got, cv2.resize(other, (handed.shape[1], handed.shape[0]), interpolation=cv2.INTER_LINEAR))
    images.square_and_hand_on(fax, (204.0, 98.0))
    fine = images.to_square(fax, (204.0, 196.0))
    assert fine.shape != handed.shape


def test_square_pixels_are_not_held():
    page = _page_like()
    assert images.square_and_hand_on(page, (203.2, 203.2)) is page   # nothing to resample
    assert images._HANDOFF == []


@pytest.mark.parametrize("image", [_page_like(2376, 1680), _page_like(90, 700),
                                   RNG.integers(0, 256, (50, 80), dtype=np.uint8)])
def test_saved_png_is_lossless(tmp_path, image):
    rel = pipeline._save_png(tmp_path, "pages/x/p001.png", image)
    path = tmp_path / rel
    assert np.array_equal(cv2.imread(str(path), cv2.IMREAD_UNCHANGED), image)
    assert sorted(p.name for p in path.parent.iterdir()) == ["p001.png"]     # no temporary file left


def test_worker_thread_limits_set_before_workers_start(monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_THREAD_LIMIT", "3")             # the user's own value stays
    assert pipeline.start_pool(1, len, {}) is None
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    assert os.environ["OMP_THREAD_LIMIT"] == "3"


@pytest.mark.slow
def test_worker_processes_see_one_blas_thread(monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    pool = pipeline.start_pool(2, len, {})
    try:
        assert pool.submit(os.getenv, "OPENBLAS_NUM_THREADS").result(timeout=120) == "1"
    finally:
        pool.shutdown()


@pytest.mark.parametrize("orientation", [1, 6, 8])
def test_a_grey_jpeg_reads_as_pillow_turns_it(tmp_path, orientation):
    """Grey PNG and JPEG take OpenCV's faster decoder: the same pixels and dpi as Pillow's path, a JPEG turned by
    its EXIF orientation as exif_transpose turns it (a phone photo of a form, taken sideways)."""
    from PIL import ImageOps

    grey = _page_like(300, 200)
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.fromarray(grey).save(tmp_path / "g.jpg", dpi=(200, 200), exif=exif, quality=95)
    (img, dpi), = list(rasterize(tmp_path / "g.jpg", "jpeg"))
    want = np.asarray(ImageOps.exif_transpose(Image.open(tmp_path / "g.jpg")).convert("L"))
    assert dpi == pytest.approx((200.0, 200.0), abs=0.01)
    assert img.shape == want.shape == ((300, 200) if orientation == 1 else (200, 300))
    assert np.abs(img.astype(int) - want).max() <= 1


def test_grey_and_colour_files_rasterize_as_before(tmp_path):
    grey = _page_like(300, 200)
    Image.fromarray(grey).save(tmp_path / "g.png", dpi=(300, 300))
    (img, dpi), = list(rasterize(tmp_path / "g.png", "png"))
    assert dpi == pytest.approx((300.0, 300.0), abs=0.01) and np.array_equal(img, grey)
    rgb = np.dstack([grey, np.roll(grey, 3, 1), 255 - grey])
    Image.fromarray(rgb).save(tmp_path / "c.png")
    (img, _), = list(rasterize(tmp_path / "c.png", "png"))
    assert np.array_equal(img, np.asarray(Image.fromarray(rgb).convert("L")))
