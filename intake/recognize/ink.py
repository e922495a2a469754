"""Ink the person added: page ink minus the blank form's (grown) ink, specks removed."""

from __future__ import annotations

import cv2
import numpy as np

from intake.form.layout import Rect
from intake.recognize.canon import INK_LEVEL, rect_slices

MIN_BLOB_PX = 6          # fax noise specks are 1-4 canonical px; a pen stroke 0.3 mm x 1 mm is ~20


def added_ink(canon: np.ndarray, blank: np.ndarray, r: Rect, level: int = INK_LEVEL) -> np.ndarray:
    """Boolean mask of added ink inside r (specks dropped). `level`: grey below which a pixel is ink."""
    ys, xs = rect_slices(r, canon.shape)
    ink = (canon[ys, xs] < level) & ~blank[ys, xs]
    if not ink.any():
        return ink
    n, lab, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    keep = np.zeros(n, bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= MIN_BLOB_PX
    return keep[lab]


def ratio(mask: np.ndarray) -> float:
    return float(mask.mean()) if mask.size else 0.0


def cleaned_crop(canon: np.ndarray, blank: np.ndarray, r: Rect) -> np.ndarray:
    """Grey crop of r with the blank form's ink and long ruled lines painted white (for OCR)."""
    ys, xs = rect_slices(r, canon.shape)
    crop = canon[ys, xs].copy()
    crop[blank[ys, xs]] = 255
    ink = (crop < INK_LEVEL).astype(np.uint8)
    h, w = ink.shape
    # lines the registration left outside the blank mask: long, thin, straight
    for k in ((max(15, int(w * 0.6)), 1), (1, max(15, int(h * 0.6)))):
        lines = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, k))
        crop[lines.astype(bool)] = 255
    return crop
