"""What recognition hands to the next stage: plain values, no database, no files moved."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from intake.form.identity import PageIdentity


@dataclass
class FieldReading:
    key: str
    kind: str                    # choice | digits | text
    value: Any                   # choice: list[str] (multiple) or str|None (single); digits: str; text: str
    confidence: float            # 0..1, calibrated where the reader can
    needs_review: bool
    reason: str | None = None    # why review is needed (short code + words)
    crop: np.ndarray | None = None   # registered grey crop of the answer area (for the clerk)
    source: str = "ocr"          # ocr | acroform
    box_probs: np.ndarray | None = None   # digits: the model's (boxes, 11) probabilities, for intake.ingest.context


@dataclass
class PageReading:
    status: str                  # identified | unidentified | foreign
    identity: PageIdentity | None = None
    rotated: int = 0             # degrees the page was turned to read its code
    registration_mm: float | None = None   # mean marker residual after the homography
    fields: list[FieldReading] = field(default_factory=list)
    image: np.ndarray | None = None        # the page as read (registered if identified), grey uint8
    note: str = ""               # e.g. why a page is unidentified or foreign
