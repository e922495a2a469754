"""Free text fields: blank check first, then tesseract jpn+eng (PSM 7 one line, 6 several).

A field is blank when no added ink blob reaches TEXT_MIN_BLOB_PX (a handwritten character
is hundreds of px at 8 px/mm, fax specks a few): blank reads as '' with high confidence,
never as OCR junk. Handwriting OCR is weak, so anything under MIN_CONF goes to review.
"""

from __future__ import annotations

import re

import cv2
import numpy as np

from intake.form.layout import FieldGeom
from intake.recognize.ink import added_ink, cleaned_crop
from intake.recognize.ocr import recognise
from intake.recognize.types import FieldReading

INSET_MM = 0.4
TEXT_MIN_BLOB_PX = 40
MIN_CONF = 0.75
_CJK_GAP = re.compile(r"(?<=[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef])")


def tidy(text: str) -> str:
    """Drop the spaces tesseract puts between Japanese characters; keep line breaks."""
    lines = [_CJK_GAP.sub("", ln).strip() for ln in text.splitlines()]
    return "\n".join(ln for ln in lines if ln)


def _has_writing(mask: np.ndarray) -> bool:
    if not mask.any():
        return False
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return bool((stats[1:, cv2.CC_STAT_AREA] >= TEXT_MIN_BLOB_PX).any())


def read_text(g: FieldGeom, canon: np.ndarray, blank: np.ndarray) -> FieldReading:
    f = g.field
    r = g.area.inset(INSET_MM)
    if not _has_writing(added_ink(canon, blank, r)):
        return FieldReading(f.key, "text", "", 0.95, False)
    crop = cleaned_crop(canon, blank, r)
    crop = cv2.copyMakeBorder(crop, 16, 16, 16, 16, cv2.BORDER_CONSTANT, value=255)
    text, conf = recognise(crop, lang="jpn+eng", psm=6 if f.lines > 1 else 7)
    text = tidy(text)
    if not text:
        return FieldReading(f.key, "text", "", 0.2, True, "writing found but not read")
    needs = conf < MIN_CONF
    return FieldReading(f.key, "text", text, round(conf, 3), needs, "low OCR confidence" if needs else None)
