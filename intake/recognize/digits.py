"""Digit comb fields: one character per box.

Box extraction is here; the classifier is intake.recognize.digits_model (a trained handwritten-digit
model) when it is installed, tesseract PSM 10 otherwise. The model's box probabilities go to
intake.recognize.expect, which picks the field's value and its posterior (with Japan Post's codes or
the calendar as the prior where the field's rule names one); the probabilities travel with the reading
so the ingest stage can weigh them again against the office's respondent list. Where the model alone is nearly
but not quite sure, a second, independent reader (PP-OCRv6 restricted to 0-9, over the written digits laid side
by side: second_opinion) is asked, and the field is accepted when the two together reach SECOND_ACCEPT.
A box is empty unless its added ink (blank form excluded, specks dropped) covers at least
DIGIT_FILL of the box interior: a written digit covers 0.06-0.25 of it, fax noise < 0.01.
Empty boxes between written ones -> review (a digit may have been missed), and so does ink beside
or above/below the comb (a digit written past the last box or across the line: STRAY_MM2). So is a box with more
ink than noise leaves but less than a digit (DOUBT_FILL..DIGIT_FILL): a faint pencil digit broken up
by a 204x98 fax lands there, and reading the number without it ('80' as '0', '6' as empty) would
be a silent error.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import cv2
import numpy as np

from intake.errors import MissingDependencyError
from intake.form.layout import FieldGeom, Rect
from intake.recognize.canon import CANON_PX_PER_MM, INK_LEVEL
from intake.recognize.expect import FIELD_ACCEPT, JUNK, decode, lexicon_for
from intake.recognize.ink import added_ink, cleaned_crop, ratio
from intake.recognize.ocr import recognise
from intake.recognize.types import FieldReading

INSET_MM = 0.6             # the comb lines (grown by the blank mask) stay outside
CROP_INSET_MM = 0.3
DIGIT_FILL = 0.025
DOUBT_FILL = 0.01          # below: noise; DOUBT_FILL..DIGIT_FILL: maybe a faint digit -> review
FAINT_LEVEL = 200          # presence counts grey: pencil digits on 204x98 faxes resample to grey dots, and a
                           # box read as empty between written ones sends the number to review
MIN_CONF = 0.6
STRAY_MM2 = 0.5            # ink beside/above/below the comb: digit fields without slips measured <= 0.16 mm²
                           # (touching digits included); a digit past the comb or across its line leaves more
OCR_HEIGHTS = (48, 64)     # tesseract's single-character reading depends on size; the better of two


def _model() -> Callable[[list[np.ndarray]], np.ndarray] | None:
    """The trained model's box_probabilities, if it is installed."""
    try:
        mod = importlib.import_module("intake.recognize.digits_model")
    except ImportError:
        return None
    return getattr(mod, "box_probabilities", None)


def box_image(canon: np.ndarray, blank: np.ndarray, box) -> np.ndarray:
    """A box's grey crop (canonical 8 px/mm), comb lines removed: black ink on white."""
    return cleaned_crop(canon, blank, box.inset(CROP_INSET_MM))


def _for_tesseract(crop: np.ndarray, height: int) -> np.ndarray:
    """Trimmed to the ink, scaled to `height`, with a white margin."""
    ys, xs = np.nonzero(crop < INK_LEVEL)
    if len(ys):
        crop = crop[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    h, w = crop.shape
    s = height / max(h, 1)
    crop = cv2.resize(crop, (max(1, round(w * s)), height), interpolation=cv2.INTER_CUBIC)
    return cv2.copyMakeBorder(crop, 24, 24, 24, 24, cv2.BORDER_CONSTANT, value=255)


def tesseract_classify(boxes: list[np.ndarray]) -> list[tuple[int | None, float]]:
    out = []
    for img in boxes:
        best: tuple[int | None, float] = (None, 0.0)
        for height in OCR_HEIGHTS:
            text, conf = recognise(_for_tesseract(img, height), lang="eng", psm=10, whitelist="0123456789")
            d = next((c for c in text if c.isdigit()), None)
            if d is not None and conf > best[1]:
                best = (int(d), conf)
            if best[1] >= 0.9:
                break
        out.append(best)
    return out


def box_fills(g: FieldGeom, canon: np.ndarray, blank: np.ndarray) -> list[float]:
    """Share of each comb box's interior covered by added ink (grey up to FAINT_LEVEL counts)."""
    return [ratio(added_ink(canon, blank, b.inset(INSET_MM), level=FAINT_LEVEL)) for b in g.boxes]


def stray_ink(g: FieldGeom, canon: np.ndarray, blank: np.ndarray) -> float:
    """Largest added ink (mm²) in the four bands round the comb: a digit written past the last box, or
    across the comb's top or bottom line. The bands stay inside the aligner's margin (MOVE_MARGIN_MM)."""
    a = g.area
    bands = (Rect(a.x - 4.0, a.y - 0.5, 3.4, a.h + 1.0), Rect(a.x1 + 0.6, a.y - 0.5, 3.4, a.h + 1.0),
             Rect(a.x - 1.0, a.y - 2.3, a.w + 2.0, 1.7), Rect(a.x - 1.0, a.y1 + 0.6, a.w + 2.0, 1.7))
    return max(float(added_ink(canon, blank, r).sum()) for r in bands) / CANON_PX_PER_MM ** 2


def read_digits(g: FieldGeom, canon: np.ndarray, blank: np.ndarray) -> FieldReading:
    f = g.field
    fills = box_fills(g, canon, blank)
    present = [v >= DIGIT_FILL for v in fills]
    doubtful = any(DOUBT_FILL <= v < DIGIT_FILL for v in fills)
    outside = stray_ink(g, canon, blank) >= STRAY_MM2
    if not any(present):
        if doubtful or outside:
            return FieldReading(f.key, "digits", "", 0.5, True,
                                "ink outside the boxes" if outside else "faint marks in the boxes")
        return FieldReading(f.key, "digits", "", 0.95, False)
    idx = [i for i, p in enumerate(present) if p]
    imgs = [box_image(canon, blank, g.boxes[i]) for i in idx]
    reasons = []
    if idx[-1] - idx[0] + 1 != len(idx):
        reasons.append("empty box inside the number")
    if doubtful:
        reasons.append("faint marks in a box")
    if outside:
        reasons.append("ink outside the boxes")
    probs = None
    model = _model()
    if model is not None:
        try:
            probs = model(imgs)
        except (MissingDependencyError, OSError):     # model code present, weights not: tesseract reads
            probs = None
    if probs is None:
        return _tesseract_reading(f, tesseract_classify(imgs), reasons)
    unreadable = [i for i, p in enumerate(probs) if int(np.argmax(p)) == JUNK]
    lexicon = lexicon_for(f.validate.get("rule"), len(probs))
    d = decode(probs, lexicon=lexicon)
    accept = d.posterior >= FIELD_ACCEPT
    if not accept and not unreadable and d.posterior >= SECOND_FROM:
        fused = second_opinion(np.asarray(probs), imgs)
        if fused is not None:
            f2 = decode(fused, lexicon=lexicon)
            if f2.posterior >= SECOND_ACCEPT:
                d, accept = f2, True
    value = "".join("?" if i in unreadable else ch for i, ch in enumerate(d.value))
    if unreadable:
        reasons.insert(0, "unreadable digit")
    elif not accept:
        reasons.append("uncertain digit")
    return FieldReading(f.key, "digits", value, round(d.posterior, 4), bool(reasons), "; ".join(reasons) or None,
                        box_probs=np.asarray(probs, np.float32))


# ---------------------------------------------------------------- a second, independent reader

# Measured on the tuning writers' digit fields (seeds 7 and 11, 411 fields the model alone was unsure of or accepted;
# the model alone accepts 109, none wrong). The two readers' errors are not independent (both read an MNIST 7 as 1,
# 229 as 929), so the combined posterior is overconfident: w=0.5 accepting at 0.997 took 212 but 4 wrong; at 0.999
# 135 and 1 wrong; at 0.9995 120 and none wrong (w=0.3: 112; w=0.2: 109). Every field the second reader added had
# a model posterior >= 0.965, so it only runs from SECOND_FROM (it costs ~30 ms a field).
SECOND_WEIGHT = 0.5        # the recogniser's vote as p^w
SECOND_ACCEPT = 0.9995     # a field is accepted on the two readers together at this posterior
SECOND_FROM = 0.9          # ... asked only when the digit model alone reaches this
GAP_SHARE = 0.35           # white between the digits on the line the recogniser reads, of the digits' height


def comb_line(imgs: list[np.ndarray]) -> np.ndarray | None:
    """The written boxes' digits, trimmed to their ink, side by side on one white line (the comb's own spacing
    and lines removed), as the line recogniser reads them."""
    parts = []
    for im in imgs:
        ys, xs = np.nonzero(im < 200)
        if len(ys):
            parts.append(im[max(0, ys.min() - 2):ys.max() + 3, max(0, xs.min() - 2):xs.max() + 3])
    if not parts:
        return None
    h = max(p.shape[0] for p in parts)
    gap = np.full((h, max(3, int(GAP_SHARE * h))), 255, np.uint8)
    row = [gap]
    for p in parts:
        cell = np.full((h, p.shape[1]), 255, np.uint8)
        y = (h - p.shape[0]) // 2
        cell[y:y + p.shape[0]] = p
        row += [cell, gap]
    pad = int(0.25 * h)
    return cv2.copyMakeBorder(np.hstack(row), pad, pad, 0, 0, cv2.BORDER_CONSTANT, value=255)


def second_opinion(probs: np.ndarray, imgs: list[np.ndarray]) -> np.ndarray | None:
    """The digit model's box probabilities combined with PP-OCRv6's reading of the same digits as one line
    (restricted to 0-9), box by box, when the recogniser reads as many digits as there are boxes; None
    otherwise. The two were trained on different data (MNIST + optdigits; PaddleOCR's corpus), so where both
    lean to the same digit the field's posterior rises, and where they disagree it falls."""
    from intake.recognize import ppocr

    line = comb_line(imgs)
    if line is None or not ppocr.available():
        return None
    dist = ppocr.recogniser().distributions([line], "0123456789")[0]
    if len(dist) != len(probs):
        return None
    out = np.array(probs, np.float64)
    digits = out[:, :JUNK] * np.maximum(dist, 1e-6) ** SECOND_WEIGHT
    out[:, :JUNK] = digits / digits.sum(axis=1, keepdims=True) * (1.0 - out[:, JUNK:])
    return out.astype(np.float32)


def _tesseract_reading(f, results: list[tuple[int | None, float]], reasons: list[str]) -> FieldReading:
    chars, confs = [], []
    for (d, c) in results:
        ok = d is not None and 0 <= d <= 9
        chars.append(str(d) if ok else "?")
        confs.append(float(c) if ok else 0.0)
    if "?" in chars:
        reasons.insert(0, "unreadable digit")
    elif any(c < MIN_CONF for c in confs):
        reasons.append("uncertain digit")
    return FieldReading(f.key, "digits", "".join(chars), round(float(min(confs)), 3), bool(reasons),
                        "; ".join(reasons) or None)
